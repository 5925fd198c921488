"""The ``chiikimap`` command run as a user runs it: ``python -m chiikimap`` in a subprocess.

No stand-ins: real readers, analysis and writers on the bundled sample and on ``tests/data``. The
demo (the slowest run) is executed once for the module.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from chiikimap.cli import DEMO_TITLE

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, run_cli):
    cwd = tmp_path_factory.mktemp("demo")
    proc = run_cli("demo", "--out", "out", cwd=cwd)
    return proc, cwd / "out"


def test_demo_writes_the_six_files(demo, assert_no_traceback):
    proc, out = demo
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    assert sorted(p.name for p in out.iterdir()) == [
        "hirakata.gpkg",
        "hirakata.html",
        "hirakata.pdf",
        "hirakata.png",
        "hirakata_karte.xlsx",
        "hirakata_offline.html",
    ]
    # the sample has 枚方市's 13 日常生活圏域 (one per 地域包括支援センター)
    assert "圏域 13・" in proc.stdout
    for p in out.iterdir():
        assert str(Path("out") / p.name) in proc.stdout


def test_demo_files_are_what_they_claim(demo):
    _, out = demo
    png = (out / "hirakata.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # A3 landscape (420 × 297 mm) at the default 250 dpi
    assert struct.unpack(">II", png[16:24]) == (int(420 / 25.4 * 250), int(297 / 25.4 * 250))
    assert (out / "hirakata.pdf").read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(out / "hirakata_karte.xlsx") as z:
        assert "xl/workbook.xml" in z.namelist()
    assert (out / "hirakata.gpkg").read_bytes().startswith(b"SQLite format 3")
    for name in ("hirakata.html", "hirakata_offline.html"):
        html = (out / name).read_text(encoding="utf-8")
        assert DEMO_TITLE in html


def test_map_on_test_data(tmp_path, run_cli, assert_no_traceback):
    # the areas are not in an A32/A27 layout, so their id and name columns are named
    proc = run_cli(
        "map",
        "--areas",
        str(DATA / "hirakata_cov" / "areas.geojson"),
        "--id-col",
        "area_id",
        "--name-col",
        "center_name",
        "--resources",
        str(DATA / "hirakata_cov" / "offices.geojson"),
        "--check",
        "haishoku",
        "--xlsx",
        "--pdf",
        "--title",
        "テスト地図",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "chiikimap.pdf",
        "chiikimap_karte.xlsx",
    ]
    assert "圏域 13・" in proc.stdout
    # 配食 is named with --check and no office offers it: 空白 in all 13 areas
    assert "配食: カバー率 0.0%、空白 13・不足 0 圏域" in proc.stdout


def test_map_with_a_population_table_per_area(tmp_path, run_cli, assert_no_traceback):
    # counts of people aged 65+ per area id, for the 13 areas of tests/data/hirakata_cov: area i
    # has 1000 + 100·i, so 13 000 + 100·(1 + … + 13) = 22 100 people in all
    rows = ["圏域ID,圏域名,65歳以上"] + [f"{i},圏域{i},{1000 + 100 * i}" for i in range(1, 14)]
    (tmp_path / "pop.csv").write_text("\n".join(rows) + "\n", encoding="cp932")  # as Excel saves it
    proc = run_cli(
        "map",
        "--areas",
        str(DATA / "hirakata_cov" / "areas.geojson"),
        "--id-col",
        "area_id",
        "--name-col",
        "center_name",
        "--resources",
        str(DATA / "hirakata_cov" / "offices.geojson"),
        "--population",
        "pop.csv",
        "--population-id-col",
        "圏域ID",
        "--encoding",
        "cp932",
        "--weight",
        "pop_65plus",
        "--xlsx",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    assert "基準 / basis: 65歳以上人口" in proc.stdout
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "o" / "chiikimap_karte.xlsx")
    conditions = {r[0]: r[1] for r in wb["出典・条件"].iter_rows(values_only=True) if r[0]}
    assert conditions["基準"] == "65歳以上人口（人口基準）"
    assert "圏域別人口（pop.csv）" in conditions
    overview = wb["概要"]
    assert overview.cell(4, 4).value == "基準値（65歳以上人口）"
    # every person of the table is inside an area: each category's weight is the table's total
    assert overview.cell(5, 4).value == pytest.approx(22_100)


def test_inspect_good_file(tmp_path, run_cli, assert_no_traceback):
    proc = run_cli("inspect", str(DATA / "resources" / "kayoi_cp932.csv"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    assert "資源一覧 / resources として認識しました" in proc.stdout
    assert "encoding ← cp932" in proc.stdout
    # the file has one row of an unknown type (囲碁クラブ): reported once, not twice
    assert proc.stdout.count("分類表にない種別 1 種類") == 1
    assert proc.stdout.count("1 行を取り込めませんでした") == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing_column", "緯度の列が見つかりません"),
        ("wrong_encoding", "では読めません（0 バイト目）"),
        ("no_such_file", "ファイルがありません"),
    ],
)
def test_inspect_bad_input_exits_1_in_japanese(
    tmp_path, case, expected, run_cli, assert_no_traceback
):
    if case == "missing_column":
        target = tmp_path / "list.csv"
        target.write_text("名称,住所\nサロンA,枚方市1\n", encoding="utf-8")
        args = [str(target)]
    elif case == "wrong_encoding":
        args = [str(DATA / "resources" / "kayoi_cp932.csv"), "--encoding", "utf-8"]
    else:
        args = [str(tmp_path / "nothere.csv")]
    proc = run_cli("inspect", *args, cwd=tmp_path)
    assert proc.returncode == 1
    assert_no_traceback(proc)
    assert proc.stderr.count("エラー / error:") == 1
    assert expected in proc.stderr
    assert "--debug" in proc.stderr
    if case == "wrong_encoding":  # the error's parameter, written as the option
        assert "on the command line: --encoding" in proc.stderr


@pytest.mark.parametrize("argv", [["map", "--areas", "a.geojson"], ["frobnicate"], []])
def test_bad_usage_exits_2(tmp_path, argv, run_cli, assert_no_traceback):
    proc = run_cli(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert "usage:" in proc.stderr
