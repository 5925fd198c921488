"""The recipe: ``chiikimap run RECIPE.toml`` and ``chiikimap init FOLDER`` (issue 12 item 1)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import chiikimap
from chiikimap.recipe import DEFAULT_FORMATS, FORMATS, load_recipe, run_recipe

ROOT = Path(__file__).resolve().parent.parent
HIRAKATA = ROOT / "sample_data" / "hirakata"
TAKAMATSU = Path(__file__).resolve().parent / "data" / "recipe_takamatsu"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def takamatsu_run(tmp_path_factory: pytest.TempPathFactory) -> chiikimap.recipe.RecipeRun:
    out = tmp_path_factory.mktemp("takamatsu")
    with _no_check():
        return run_recipe(TAKAMATSU / "recipe.toml", out_dir=out)


@contextmanager
def _no_check() -> Iterator[None]:
    """The readers' warnings about the data (checked by their own tests) are not errors here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        yield


def test_sample_recipe_runs(tmp_path: Path) -> None:
    with _no_check():
        done = run_recipe(HIRAKATA / "recipe.toml", out_dir=tmp_path, formats=["html", "xlsx"])
    assert [p.name for p in done.outputs] == ["chiikimap.html", "chiikimap_karte.xlsx"]
    assert all(p.stat().st_size > 0 for p in done.outputs)
    record = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert record["chiikimap_version"] == chiikimap.__version__
    assert record["recipe"]["areas"]["id_col"] == "area_id"
    # one entry per input file, with the SHA-256 of its bytes
    names = [(i["layer"], i["path"]) for i in record["inputs"]]
    assert names == [
        ("areas", "chiiki_houkatsu.geojson"),
        ("resources", "jigyosho.geojson"),
        ("resources", "houkatsu_centers.geojson"),
    ]
    for item in record["inputs"]:
        assert item["sha256"] == _sha(HIRAKATA / item["path"])
    # every row read is kept, rejected or merged; the 13 areas and 13 centres of the sample
    rows = record["rows"]
    assert rows["areas"] == {"read": 13, "kept": 13, "rejected": 0, "merged": 0}
    res = rows["resources"]
    assert res["read"] == res["kept"] + res["rejected"] + res["merged"]
    sample = chiikimap.load_sample("hirakata")
    assert res["read"] == len(sample.resources) + len(chiikimap.rejected_rows(sample.resources))
    assert record["totals"]["areas"] == 13
    assert record["totals"]["resources"] == res["kept"] == len(done.coverage.resources)
    cats = {c["category"] for c in record["totals"]["categories"]}
    assert "houkatsu" in cats
    # the recipe's credit lines, one per file
    credits = [s["attribution"] for s in record["sources"]]
    assert credits[0].startswith("枚方市 日常生活圏域")
    assert any("地域包括支援センター" in c for c in credits)


def test_takamatsu_recipe_real_files(takamatsu_run: chiikimap.recipe.RecipeRun) -> None:
    record = takamatsu_run.record
    # 22 reference areas; 7 centres + 52 community centres + 47 welfare facilities; 235 町丁
    assert record["rows"]["areas"]["kept"] == 22
    assert record["rows"]["resources"] == {"read": 106, "kept": 106, "rejected": 0, "merged": 0}
    assert record["rows"]["population"]["kept"] == 235
    # the glob found the one population file
    assert [i["path"] for i in record["inputs"] if i["layer"] == "population"] == [
        "population_0066_202602.xlsx"
    ]
    cov = takamatsu_run.coverage
    assert cov.info.weight == "pop_75plus"
    assert cov.info.rules["kyoten"]["radius_m"] == 1200
    # kayoi_no_ba is asked for and has no resource: 空白 in every area
    kayoi = cov.table[cov.table["category"] == "kayoi_no_ba"]
    assert (kayoi["status"] == "none").all()
    assert len(kayoi) == 22
    # each layer keeps its own credit and date
    by_credit = {s["credit"]: s["date"] for s in record["sources"]}
    assert by_credit["高松市オープンデータ 地域・年齢別人口（高松市, CC BY 4.0）"] == "2026-02-01"
    assert by_credit["高松市オープンデータ 地域包括支援センター（高松市, CC BY 4.0）"] == "2025"
    assert record["totals"]["weight_inside"] > 0


def _write_recipe(folder: Path, text: str) -> Path:
    path = folder / "recipe.toml"
    path.write_text(text, encoding="utf-8")
    return path


_MINIMAL = """
[areas]
path = "参考学区.geojson"
id_col = "学区ID"
name_col = "学区名"
[[resources]]
path = "elderly_welfare_facility.csv"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("参考学区.geojson", "elderly_welfare_facility.csv"):
        shutil.copy(TAKAMATSU / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("extra", "param", "named"),
    [
        ("colour = 1\n", "colour", "title"),
        ('[output]\nfolder = "x"\n', "output.folder", "formats"),
        ('[output]\nformats = ["html", "docx"]\n', "output.formats", "offline_html"),
    ],
)
def test_unknown_keys_are_errors(folder: Path, extra: str, param: str, named: str) -> None:
    path = _write_recipe(folder, extra + _MINIMAL if "[" not in extra else _MINIMAL + extra)
    with pytest.raises(chiikimap.InputFileError) as info:
        load_recipe(path)
    assert info.value.param == param
    assert named in str(info.value)


def test_unknown_key_of_a_resource_entry(folder: Path) -> None:
    path = _write_recipe(folder, _MINIMAL + 'name_column = "施設名"\n')
    with pytest.raises(chiikimap.InputFileError) as info:
        load_recipe(path)
    assert info.value.param == "resources.name_column"
    # the known keys include the reader's own options and the credit keys
    for key in ("name_col", "lat_col", "encoding", "sheet", "credit", "date"):
        assert key in str(info.value)


def test_pattern_without_match_names_the_key(folder: Path) -> None:
    path = _write_recipe(folder, _MINIMAL + '[[resources]]\npath = "kayoi_*.csv"\n')
    with pytest.raises(chiikimap.InputFileError) as info:
        run_recipe(path, out_dir=folder / "out", formats=["xlsx"])
    assert info.value.param == "resources.path"
    assert "kayoi_*.csv" in str(info.value)


def test_reader_error_names_the_recipe_key(folder: Path) -> None:
    path = _write_recipe(folder, _MINIMAL + 'name_col = "ない列"\n')
    with pytest.raises(chiikimap.ChiikimapError) as info:
        run_recipe(path, out_dir=folder / "out", formats=["xlsx"])
    assert info.value.param == "resources.name_col"


def test_own_category_and_per_file_options(folder: Path) -> None:
    # a city list with its own headers and its own category 「サロン」, next to the open-data file
    (folder / "salon.csv").write_text(
        "名称,区分,緯度,経度\n"
        "中央サロン,サロン,34.3401,134.0434\n"
        "栗林サロン,サロン,34.3290,134.0440\n"
        "番町サロン,サロン,34.3436,134.0417\n",
        encoding="utf-8",
    )
    text = (
        _MINIMAL
        + 'credit = "老人福祉施設（高松市）"\ndate = "2026-01"\n'
        + "[[resources]]\n"
        + 'path = "salon.csv"\nname_col = "名称"\ncategory_col = "区分"\n'
        + 'credit = "ふれあいサロン一覧（テスト市）"\ndate = "2025-10"\n'
        + "[analysis]\nmerge_within_m = 30\n"
        + '[[category]]\nkey = "salon"\nlabel = "ふれあいいきいきサロン"\n'
        + 'group = "一般介護予防"\nradius_m = 800\ntarget = 0.8\nnames = ["サロン"]\n'
        + '[output]\ndir = "出力"\nformats = ["xlsx"]\n'
    )
    path = _write_recipe(folder, text)
    with _no_check():
        done = run_recipe(path)
    assert done.outputs == [folder / "出力" / "chiikimap_karte.xlsx"]
    res = done.coverage.resources
    salons = res[res["category"] == "salon"]
    assert sorted(salons["name"]) == ["中央サロン", "栗林サロン", "番町サロン"]
    assert done.coverage.info.rules["salon"]["radius_m"] == 800
    assert done.record["recipe"]["analysis"]["merge_within_m"] == 30
    dates = {s.attribution: s.date for s in done.coverage.info.sources}
    assert dates["ふれあいサロン一覧（テスト市）"] == "2025-10"
    assert dates["老人福祉施設（高松市）"] == "2026-01"


def test_formats_cover_every_kind() -> None:
    assert set(FORMATS) == {
        "html",
        "offline_html",
        "pdf",
        "png",
        "xlsx",
        "gpkg",
        "booklet",
        "booklet_html",
    }
    # the booklets are written only when asked for
    assert set(FORMATS) - set(DEFAULT_FORMATS) == {"booklet", "booklet_html"}


def test_recipe_writes_the_booklet_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with _no_check():
        done = run_recipe(TAKAMATSU / "recipe.toml", out_dir=out, formats=["booklet_html"])
    [path] = done.outputs
    assert path.name.endswith("_booklet.html")
    text = path.read_text(encoding="utf-8")
    # one section per area of the run, each area named
    for name in done.coverage.areas["area_name"]:
        assert name in text


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "chiikimap", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


def test_init_edit_run_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "資料"
    data.mkdir()
    for name in ("参考学区.geojson", "elderly_welfare_facility.csv", "population_0066_202602.xlsx"):
        shutil.copy(TAKAMATSU / name, data / name)
    done = _cli("init", "資料", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    recipe = data / "recipe.toml"
    text = recipe.read_text(encoding="utf-8")
    # what it recognised is filled in; the area file it could not read is explained
    assert 'path = "elderly_welfare_facility.csv"' in text
    assert '[population]\npath = "population_0066_202602.xlsx"' in text
    assert "# 参考学区.geojson: 読めませんでした" in text
    # a second init does not overwrite the edited recipe
    again = _cli("init", "資料", cwd=tmp_path)
    assert again.returncode == 1
    assert "上書き" in again.stderr
    # the coordinator's edit: the area file with its columns, a credit, the outputs
    text = text.replace(
        '[areas]  # 圏域ファイルが見つかりません / no area file found\npath = ""',
        '[areas]\npath = "参考学区.geojson"\nid_col = "学区ID"\nname_col = "学区名"\n'
        'credit = "参考圏域（テスト）"\ndate = "2026"',
    ).replace('formats = ["html", "offline_html", "xlsx", "gpkg"]', 'formats = ["png", "xlsx"]')
    recipe.write_text(text, encoding="utf-8")
    ran = _cli("run", str(recipe), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    out = data / "出力"
    assert sorted(p.name for p in out.iterdir()) == [
        "chiikimap.png",
        "chiikimap_karte.xlsx",
        "run.json",
    ]
    assert (out / "chiikimap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["rows"]["areas"]["kept"] == 22
    assert "run.json" in ran.stdout


def test_run_error_names_the_recipe_key(folder: Path) -> None:
    _write_recipe(folder, _MINIMAL + 'lat_column = "緯度"\n')
    done = _cli("run", "recipe.toml", cwd=folder)
    assert done.returncode == 1
    assert "resources.lat_column" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_output_credits_each_layer_with_its_date(
    takamatsu_run: chiikimap.recipe.RecipeRun, tmp_path: Path
) -> None:
    import openpyxl
    import pyogrio

    from chiikimap.maps.static import _footer_text

    cov = takamatsu_run.coverage
    # areas dated 2026, centres 2025, population 2026-02-01: each date with its layer
    assert cov.info.data_dates == ["圏域 2026", "資源 2025", "人口 2026-02-01"]
    lines = cov.info.source_lines
    assert len(lines) == 5
    assert (
        lines[0]
        == "圏域: 高松市オープンデータ 市立中学校から作った参考圏域（高松市, CC BY 4.0）（2026）"
    )
    assert "資源: 高松市オープンデータ 地域包括支援センター（高松市, CC BY 4.0）（2025）" in lines
    # the map: sources box one line per source, title dates per layer
    cov.save_html(tmp_path / "m.html", tiles=None)
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "圏域 2026、資源 2025、人口 2026-02-01" in html
    assert "データ基準日: 2026<" not in html
    for line in lines:
        assert json.dumps(line, ensure_ascii=False)[1:-1] in html or line in html
    # the print footer: one 出典 line per source
    footer = _footer_text(cov, "ja")
    assert footer.count("出典: ") == 5
    assert "データ時点: 圏域 2026・資源 2025・人口 2026-02-01" in footer
    # the Excel 出典 sheet: the layer of each source
    cov.to_excel(tmp_path / "k.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx")["出典・条件"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=6)]
    assert rows[0][6] == "層"
    assert [r[6] for r in rows[1:]] == ["圏域", "資源", "資源", "資源", "人口"]
    assert [r[2] for r in rows[1:]] == ["2026", "2025", None, None, "2026-02-01"]
    # the GeoPackage: a sources table
    cov.to_geopackage(tmp_path / "g.gpkg")
    src = pyogrio.read_dataframe(tmp_path / "g.gpkg", layer="sources")
    assert src["layer"].tolist() == ["areas", "resources", "resources", "resources", "population"]
    assert src["date"].tolist()[0] == "2026"


# --- command-line ergonomics (issue 12 item 2) ------------------------------------------------


def test_inspect_takes_the_area_options_it_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    path = str(TAKAMATSU / "参考学区.geojson")
    assert main(["inspect", path]) == 1
    err = capsys.readouterr().err
    # the message names the options; no Python call is suggested
    assert "--id-col / --name-col" in err
    assert "read_districts(" not in err
    assert main(["inspect", path, "--id-col", "学区ID", "--name-col", "学区名"]) == 0
    out = capsys.readouterr().out
    assert "area_id ← 学区ID" in out
    assert "読込 22・採用 22" in out


def test_cell_text_shows_line_breaks_and_remedies_are_not_python(tmp_path: Path) -> None:
    from chiikimap._errors import show_value

    assert show_value("通所介護\r\n（休止中）") == "'通所介護⏎（休止中）'"
    assert show_value(3.5) == "3.5"
    path = tmp_path / "list.csv"
    path.write_text(
        '名称,種別,緯度,経度\nA,通所介護,34.34,134.04\nB,"謎の\nサービス",34.33,134.05\n',
        encoding="utf-8",
    )
    with _no_check():
        layer = chiikimap.read_resources(path)
    reasons = chiikimap.rejected_rows(layer, merged=False)["reason"].tolist()
    assert len(reasons) == 1
    assert "'謎の⏎サービス'" in reasons[0]
    assert "\\n" not in reasons[0]
    assert "Taxonomy.extend" not in reasons[0]
    assert "[[category]]" in reasons[0]


def test_repeated_warnings_are_one_line_with_a_count() -> None:
    from chiikimap.cli import _aggregated_lines, _grouped

    messages = [(f"行 {n}: 座標が範囲外のため除外しました", ("lat_col",)) for n in range(2, 17)]
    messages += [("行 2: 座標が範囲外のため除外しました", ("lat_col",))]  # the same text again
    messages += [("圏域が重なっています", ())]
    groups = _grouped(messages)
    assert [len(texts) for texts, _ in groups] == [15, 1]
    (line,) = _aggregated_lines(groups[0][0])
    assert line.startswith("同様の注意 15 件 / 15 similar warnings:")
    assert "行 2:" in line
    assert "行 4:" in line
    assert "行 5:" not in line
    assert "他 12 件 / 12 more" in line
    assert _aggregated_lines(groups[1][0]) == ["圏域が重なっています"]


def test_recipe_warnings_name_recipe_keys() -> None:
    from chiikimap.cli import _option_hint

    hint = _option_hint("recipe", ("crs",))
    assert "レシピ" in hint
    assert "crs" in hint
    assert "--" not in hint
    assert _option_hint("recipe", ()) == ""


def test_init_lists_with_coordinates_but_no_category_are_not_called_address_lists(
    tmp_path: Path,
) -> None:
    """The 高松 lists have latitude/longitude and no category column: say that, not 'geocode'."""
    from chiikimap.recipe import init_recipe

    names = ("community_center.xlsx", "regional_comprehensive_support_center.xlsx")
    for name in names:
        shutil.copy(TAKAMATSU / name, tmp_path / name)
    path, found = init_recipe(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "座標の列がなく" not in text
    assert "geocode it offline" not in text
    for name in names:
        assert name not in found.get("resources", [])
        assert f"# {name}: 読めませんでした" in text
        assert f'# path = "{name}"' in text
    assert text.count("#   resources: 種別（サービスの種類）の列が見つかりません") == 2
    assert '# category_col = "種別"' in text
    assert '# category = "kayoi_no_ba"' in text
    load_recipe(path)  # the template stays a valid recipe
