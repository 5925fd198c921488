"""``chiikimap priorities``: the priority view (need × gap) from the command line."""

from __future__ import annotations

import io
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from openpyxl import load_workbook

import chiikimap
from chiikimap.cli import main

DATA = Path(__file__).resolve().parent / "data"
TAKAMATSU = DATA / "recipe_takamatsu"
NEEDS = DATA / "needs" / "takamatsu_needs_r4_pct.csv"
SHARE = "閉じこもり傾向"

#: the inputs of the 高松 recipe (tests/test_recipe_needs.py), as ``chiikimap map`` options
_INPUTS = [
    "--areas",
    str(TAKAMATSU / "参考学区.geojson"),
    "--id-col",
    "学区ID",
    "--name-col",
    "学区名",
    "--resources",
    str(TAKAMATSU / "community_center.xlsx"),
    "--resources",
    str(TAKAMATSU / "elderly_welfare_facility.csv"),
    "--population",
    str(TAKAMATSU / "population_0066_202602.xlsx"),
    "--weight",
    "pop_75plus",
    "--radius",
    "kyoten=1200",
]
_INDICATORS = ["--indicators", str(NEEDS), "--indicator", SHARE, "--category", "kyoten"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The output folder of one run on the 高松 files, and what it printed."""
    out = tmp_path_factory.mktemp("priorities") / "out"
    argv = [
        "priorities",
        *_INPUTS,
        *_INDICATORS,
        "--indicator-source",
        "ニーズ調査 圏域別（合成データ）",
        "--indicator-date",
        "2022",
        "--xlsx",
        "--offline",
        "--png",
        "--out",
        str(out),
    ]
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert main(argv) == 0
    return out, printed.getvalue()


def _python_ranking() -> object:
    """``Coverage.priorities`` of the same files, read and analysed in Python."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        areas = chiikimap.read_districts(
            TAKAMATSU / "参考学区.geojson", id_col="学区ID", name_col="学区名"
        )
        resources = chiikimap.read_resources(
            [TAKAMATSU / "community_center.xlsx", TAKAMATSU / "elderly_welfare_facility.csv"],
            category="kyoten",
        )
        population = chiikimap.read_population(TAKAMATSU / "population_0066_202602.xlsx")
        cov = chiikimap.analyze(
            areas,
            resources,
            population,
            weight="pop_75plus",
            radius_m={"kyoten": 1200},
            categories=["kyoten"],
            indicators=chiikimap.read_indicators(NEEDS),
        )
    return cov.priorities(SHARE, "kyoten")


def test_priorities_writes_the_chosen_outputs(written: tuple[Path, str]) -> None:
    folder = written[0]
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "chiikimap_priority_kyoten.png",
        "chiikimap_priority_kyoten.xlsx",
        "chiikimap_priority_kyoten_offline.html",
    ]
    page = (folder / "chiikimap_priority_kyoten_offline.html").read_text(encoding="utf-8")
    assert "優先圏域" in page
    assert "高ニーズ×不足" in page
    assert "cdn.jsdelivr.net" not in page  # offline: Leaflet inlined
    assert (folder / "chiikimap_priority_kyoten.png").read_bytes()[:4] == b"\x89PNG"


def test_first_workbook_row_is_the_python_ranking(written: tuple[Path, str]) -> None:
    folder = written[0]
    wb = load_workbook(folder / "chiikimap_priority_kyoten.xlsx")
    assert wb.sheetnames[1] == "優先圏域"
    ws = wb["優先圏域"]
    assert "ニーズ調査 圏域別（合成データ）" in str(ws["A3"].value)  # --indicator-source
    header = [c.value for c in ws[4]]
    first = dict(zip(header, [c.value for c in ws[5]], strict=True))
    top = _python_ranking().iloc[0]  # type: ignore[attr-defined]
    assert first["順位"] == 1
    assert first["圏域"] == top["area_name"]
    assert first["圏域ID"] == top["area_id"]
    assert first["区分（ニーズ×充足）"] == top["quadrant"] == "高ニーズ×不足"
    assert first["判定"] == "不足"
    for column, key in (
        ("該当割合", "share"),
        ("基準人口", "weight"),
        ("該当者（推計）", "at_risk"),
        ("届かない人", "uncovered"),
        ("届かない該当者（推計）", "at_risk_uncovered"),
        ("カバー率", "coverage"),
    ):
        assert first[column] == pytest.approx(float(top[key])), column
    # by hand: the file writes 25.3 (%) for 香南; the people out of reach × that share
    assert first["圏域"] == "香南中学校区（参考）"
    assert first["該当割合"] == pytest.approx(0.253)
    assert first["届かない該当者（推計）"] == pytest.approx(first["届かない人"] * 0.253)


def test_priorities_prints_the_ranking(written: tuple[Path, str]) -> None:
    printed = written[1]
    assert f"優先圏域 / priorities: {SHARE} ×" in printed
    assert "  1. 香南中学校区（参考）  高ニーズ×不足  閉じこもり傾向 25.3%" in printed
    assert "… 他 12 圏域" in printed  # 22 areas, the first 10 shown
    assert "chiikimap_priority_kyoten.xlsx" in printed  # the files written


def test_an_unknown_indicator_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["priorities", *_INPUTS, *_INDICATORS]
    argv[argv.index(SHARE)] = "回答者数"  # a count column, not a share
    assert main([*argv, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "回答者数" in err  # the value given …
    assert "閉じこもり傾向" in err  # … and the choices
    assert "→ コマンドでは --indicator で指定します" in err
    assert "reading areas" not in err  # checked before the other files are read
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("drop", ["--indicators", "--indicator", "--category"])
def test_required_options_are_usage_errors(drop: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["priorities", *_INPUTS[:8], *_INDICATORS]
    at = argv.index(drop)
    del argv[at : at + 2]
    assert main(argv) == 2
    assert drop in capsys.readouterr().err


def test_priorities_help_is_japanese_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "ニーズ×不足で圏域に優先順位を付ける" in capsys.readouterr().out
    assert main(["priorities", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--areas", "--population-id-col", "--radius", "--indicator-id-col", "--offline"):
        assert option in text
    assert "割合の指標の列名" in text
