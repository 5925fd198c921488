"""A run whose resources all have categories shown only when named (医療) says so.

Real slice: tests/data/resources/hirakata_medical_slice.geojson (枚方市 病院・診療所・歯科,
4 each; see that folder's README) on the bundled 枚方市 日常生活圏域.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import chiikimap
from chiikimap._errors import ChiikimapWarning
from chiikimap.cli import main
from chiikimap.io.medical import read_medical

ROOT = Path(__file__).parent.parent
MEDICAL = ROOT / "tests" / "data" / "resources" / "hirakata_medical_slice.geojson"
AREAS = ROOT / "sample_data" / "hirakata" / "chiiki_houkatsu.geojson"
KEYS = '["byoin", "shinryojo", "shika"]'


def test_only_medical_categories_warn_and_name_the_fix() -> None:
    areas = chiikimap.load_sample("hirakata").areas
    res = read_medical(MEDICAL)
    with pytest.warns(ChiikimapWarning) as record:
        cov = chiikimap.analyze(areas, res)
    assert cov.categories == ()
    (text,) = [str(w.message) for w in record if "集計する種別が 0" in str(w.message)]
    assert text.startswith("資源の種別（病院 4 件・診療所 4 件・歯科 4 件）はどれも医療の種別")
    assert f"categories={KEYS}" in text
    assert "--check byoin --check shinryojo --check shika" in text
    assert "[analysis] の categories" in text
    assert record[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChiikimapWarning)  # named: measured, no warning
        named = chiikimap.analyze(areas, res, categories=["byoin", "shika"])
    assert named.categories == ("byoin", "shika")
    assert named.table.groupby("category")["n_resources"].sum().to_dict() == {
        "byoin": 4,
        "shika": 4,
    }


def test_cli_map_of_a_hospital_list_prints_the_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hospitals = read_medical(MEDICAL)
    hospitals = hospitals[hospitals["category"] == "byoin"]
    listing = tmp_path / "病院.csv"
    listing.write_text(
        "名称,緯度,経度\n"
        + "".join(
            f"{n},{g.y},{g.x}\n" for n, g in zip(hospitals["name"], hospitals.geometry, strict=True)
        ),
        encoding="utf-8",
    )
    typed = tmp_path / "病院_種別つき.csv"
    typed.write_text(
        "名称,種別,緯度,経度\n"
        + "".join(
            f"{n},病院,{g.y},{g.x}\n"
            for n, g in zip(hospitals["name"], hospitals.geometry, strict=True)
        ),
        encoding="utf-8",
    )
    args = ["map", "--areas", str(AREAS), "--id-col", "area_id", "--name-col", "center_name"]
    # the list's own 種別 column says 病院: not named, so nothing is measured, and it says so
    assert main([*args, "--resources", str(typed), "--out", str(tmp_path / "a"), "--gpkg"]) == 0
    err = capsys.readouterr().err
    assert "注意 / warning: 資源の種別（病院 4 件）はどれも医療の種別" in err
    assert "コマンドでは --check byoin" in err
    assert (
        main(
            [
                *args,
                "--resources",
                str(typed),
                "--check",
                "byoin",
                "--out",
                str(tmp_path / "b"),
                "--gpkg",
            ]
        )
        == 0
    )
    assert "集計する種別が 0" not in capsys.readouterr().err
    # --category byoin names the category for the list, so it is measured without --check
    own = [*args, "--resources", str(listing), "--category", "byoin", "--out", str(tmp_path / "c")]
    assert main([*own, "--gpkg"]) == 0
    assert "集計する種別が 0" not in capsys.readouterr().err
    import geopandas as gpd

    gaps = gpd.read_file(next((tmp_path / "c").glob("*.gpkg")), layer="gaps")
    assert set(gaps["category"]) == {"byoin"}
