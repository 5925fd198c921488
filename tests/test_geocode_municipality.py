"""Addresses that name no municipality: ``read_resources(geocode_municipality=...)``.

The 高松市 hospital list (tests/data/geocode, see its README for origin and credit) with
「香川県高松市」 removed from every address, read against a reference of two municipalities
(高松市 from Geolonia, えびの市 from the アドレス・ベース・レジストリ): without the municipality
no row can be placed; with it every row lands where its full address lands.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from chiikimap import rejected_rows
from chiikimap._errors import ChiikimapError, ChiikimapWarning
from chiikimap.geocode import REASON_CITY, geocode
from chiikimap.io.reference import Reference, read_reference
from chiikimap.io.resources import read_resources

DATA = Path(__file__).parent / "data" / "geocode"
TAKAMATSU_AREAS = Path(__file__).parent / "data" / "recipe_takamatsu" / "参考学区.geojson"
REFERENCE_FILES = (
    "takamatsu_geolonia_town.json",
    "mt_town_pref45_452092.csv",
    "mt_town_pos_pref45_452092.csv",
)


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        yield


def _reference() -> Reference:
    ref = read_reference([DATA / f for f in REFERENCE_FILES], municipality="高松市")
    assert [m.name for m in ref.municipalities.values()] == ["高松市", "えびの市"]
    return ref


def _short_list(path: Path, n: int | None = None) -> pd.DataFrame:
    """The hospital list without coordinates, 「(香川県)高松市」 removed from the addresses."""
    frame = pd.read_csv(DATA / "takamatsu_hospital_addresses.csv", dtype=str)
    frame = frame.iloc[:n] if n is not None else frame
    short = frame["address"].str.replace(r"^(香川県)?高松市", "", regex=True)
    assert not short.str.contains("高松市").any()
    out = pd.DataFrame({"名称": frame["name"], "住所": short})
    out.to_csv(path, index=False, encoding="utf-8")
    return frame


def test_read_resources_geocode_municipality(tmp_path: Path) -> None:
    ref = _reference()
    frame = _short_list(tmp_path / "list.csv")
    with _quiet():
        without = read_resources(tmp_path / "list.csv", category="shinryojo", geocode=ref)
    assert len(without) == 0
    reasons = rejected_rows(without)["reason"].astype(str)
    assert len(reasons) == len(frame)
    assert reasons.str.startswith(f"座標がなく、住所を照合できません: {REASON_CITY}").all()

    with _quiet():
        res = read_resources(
            tmp_path / "list.csv", category="shinryojo", geocode=ref, geocode_municipality="高松市"
        )
    # the known answer: each resource lies where the full address 「香川県高松市…」 lies
    full = geocode(frame["address"], ref)
    assert full["lon"].notna().all()
    rows = res["resource_id"].str.removeprefix("list-").astype(int) - 2  # file row 2 = frame 0
    assert res.geometry.x.tolist() == full["lon"].iloc[rows].tolist()
    assert res.geometry.y.tolist() == full["lat"].iloc[rows].tolist()
    assert res["geocode_match"].tolist() == full["geocode_match"].iloc[rows].tolist()
    # every row is placed: the rows that are not resources are 休止中 or identical rows
    rejected = rejected_rows(res)["reason"].astype(str)
    assert rejected.str.contains("休止中|重複").all()
    assert len(res) + len(rejected) == len(frame)
    assert len(res) == 617  # 628 rows, 10 休止中, 1 identical to another

    with _quiet():  # the prefecture may be written too
        same = read_resources(
            tmp_path / "list.csv",
            category="shinryojo",
            geocode=ref,
            geocode_municipality="香川県高松市",
        )
    assert same.geometry.equals(res.geometry)


def test_geocode_municipality_not_in_reference(tmp_path: Path) -> None:
    _short_list(tmp_path / "list.csv", n=5)
    with pytest.raises(ChiikimapError) as info:
        read_resources(
            tmp_path / "list.csv",
            category="shinryojo",
            geocode=_reference(),
            geocode_municipality="枚方市",
        )
    assert info.value.param == "geocode_municipality"
    assert "枚方市" in str(info.value)


def _recipe(folder: Path, municipality: str | None) -> Path:
    """A recipe reading list.csv against 高松市.json (Geolonia) and the えびの市 ABR files."""
    files = ["高松市.json", *REFERENCE_FILES[1:]]
    for name, f in zip(files, REFERENCE_FILES, strict=True):
        (folder / name).write_bytes((DATA / f).read_bytes())
    refs = ", ".join(f'"{f}"' for f in files)
    key = f'municipality = "{municipality}"\n' if municipality else ""
    text = f"""
[areas]
path = "{TAKAMATSU_AREAS.as_posix()}"
id_col = "学区ID"
name_col = "学区名"
[[resources]]
path = "list.csv"
category = "shinryojo"
[geocode]
reference = [{refs}]
{key}[output]
formats = ["gpkg"]
"""
    (folder / "recipe.toml").write_text(text, encoding="utf-8")
    return folder / "recipe.toml"


def test_recipe_geocode_municipality(tmp_path: Path) -> None:
    """``[geocode] municipality`` places the addresses that name none; without it none is."""
    from chiikimap.recipe import run_recipe

    frame = _short_list(tmp_path / "list.csv", n=30)
    full = geocode(frame["address"], _reference())
    # and 5 rows whose addresses name 高松市 (placed either way)
    named = pd.read_csv(DATA / "takamatsu_hospital_addresses.csv", dtype=str).iloc[30:35]
    named[["name", "address"]].to_csv(tmp_path / "list.csv", mode="a", header=False, index=False)
    with _quiet():
        done = run_recipe(_recipe(tmp_path, "高松市"))
    table = done.record["geocode"]["tables"][0]
    assert table["unmatched"] == 0
    assert int(full["lon"].notna().sum()) == 30
    assert sum(table["levels"].values()) == 35
    with _quiet():
        done = run_recipe(_recipe(tmp_path, None))
    table = done.record["geocode"]["tables"][0]
    assert table["unmatched"] == 30
    assert sum(table["levels"].values()) == 5


def test_recipe_geocode_municipality_not_in_reference(tmp_path: Path) -> None:
    from chiikimap.recipe import run_recipe

    _short_list(tmp_path / "list.csv", n=5)
    recipe = _recipe(tmp_path, "高松市")
    (tmp_path / "高松市.json").unlink()  # the reference is えびの市 alone
    text = recipe.read_text(encoding="utf-8").replace('"高松市.json", ', "")
    recipe.write_text(text, encoding="utf-8")
    with pytest.raises(ChiikimapError) as info, _quiet():
        run_recipe(recipe)
    assert info.value.param == "geocode.municipality"
