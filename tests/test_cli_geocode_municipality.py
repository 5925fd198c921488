"""``chiikimap map --geocode ... --geocode-municipality``: addresses that name no city.

The first 12 rows of the 高松市 hospital list (tests/data/geocode/takamatsu_hospital_addresses.csv)
with 「香川県高松市」 removed from each address and no coordinates, against the Geolonia town
file of 高松市 (tests/data/geocode/takamatsu_geolonia_town.json; see that folder's README), on
the 高松市 reference areas of tests/data/recipe_takamatsu; the reference also holds えびの市.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from chiikimap.cli import main
from chiikimap.geocode import geocode
from chiikimap.io.reference import read_reference

DATA = Path(__file__).parent / "data"
LIST = DATA / "geocode" / "takamatsu_hospital_addresses.csv"
TOWNS = DATA / "geocode" / "takamatsu_geolonia_town.json"
AREAS = DATA / "recipe_takamatsu" / "参考学区.geojson"
N = 12
#: a second municipality in the reference (えびの市, アドレス・ベース・レジストリ): without
#: --geocode-municipality an address that names no city cannot be placed
EBINO = ("mt_town_pref45_452092.csv", "mt_town_pos_pref45_452092.csv")


def _files(tmp_path: Path) -> tuple[pd.DataFrame, list[str]]:
    frame = pd.read_csv(LIST, dtype=str).iloc[:N]
    short = frame["address"].str.replace(r"^(香川県)?高松市", "", regex=True)
    assert not short.str.contains("高松").any()
    pd.DataFrame({"名称": frame["name"], "住所": short}).to_csv(
        tmp_path / "list.csv", index=False, encoding="utf-8"
    )
    shutil.copy(TOWNS, tmp_path / "高松市.json")  # a Geolonia file is named after its city
    # the three smallest areas (the area basis samples each area on a lattice: kept quick);
    # the hospitals outside them stay in the resources layer, without an area
    areas = gpd.read_file(AREAS)
    small = areas.loc[areas.to_crs(6677).area.nsmallest(3).index]
    small.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    args = ["map", "--areas", str(tmp_path / "areas.geojson"), "--id-col", "学区ID"]
    args += ["--name-col", "学区名"]
    args += ["--resources", str(tmp_path / "list.csv"), "--category", "shinryojo"]
    args += ["--check", "shinryojo", "--gpkg", "--geocode", str(tmp_path / "高松市.json")]
    for f in EBINO:
        args += ["--geocode", str(DATA / "geocode" / f)]
    return frame, args


def test_map_geocode_municipality_places_addresses_without_the_city(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, args = _files(tmp_path)
    out = tmp_path / "out"
    assert main([*args, "--geocode-municipality", "高松市", "--out", str(out)]) == 0
    capsys.readouterr()
    res = gpd.read_file(out / "chiikimap.gpkg", layer="resources")
    # the known answer: each hospital lies where its full address 「香川県高松市…」 lies
    ref = read_reference([TOWNS, *(DATA / "geocode" / f for f in EBINO)], municipality="高松市")
    full = geocode(frame["address"], ref)
    assert full["lon"].notna().all()
    by_name = res.set_index("name")
    want = (
        full.assign(name=frame["name"].str.strip().to_numpy())
        .drop_duplicates("name")
        .set_index("name")
    )
    assert sorted(by_name.index) == sorted(want.index)
    assert np.allclose(by_name.geometry.x, want.loc[by_name.index, "lon"], atol=1e-7)
    assert np.allclose(by_name.geometry.y, want.loc[by_name.index, "lat"], atol=1e-7)
    assert set(by_name["geocode_level"]) <= {"町丁目", "大字"}


def test_map_without_geocode_municipality_places_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _frame, args = _files(tmp_path)
    assert main([*args, "--out", str(tmp_path / "out")]) == 0  # --check: shown though empty
    captured = capsys.readouterr()
    assert f"{N} 行を取り込めませんでした（住所照合不可 {N};" in captured.err  # every row
    assert "資源 0 件" in captured.out
    res = gpd.read_file(tmp_path / "out" / "chiikimap.gpkg", layer="resources")
    assert len(res) == 0
