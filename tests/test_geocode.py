"""Offline geocoding on real reference files and real address lists (coordinates hidden).

Reference slices and lists are in tests/data/geocode (see its README for origin and credit).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pandas as pd
import pytest

from chiikimap._errors import InputFileError
from chiikimap.geocode import geocode
from chiikimap.io.reference import Reference, read_reference

DATA = Path(__file__).parent / "data" / "geocode"


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def _lists() -> dict[str, pd.DataFrame]:
    hira = pd.read_csv(DATA / "hirakata_medical_addresses.csv", dtype=str)
    hira = hira.rename(columns={"address_full": "address"})
    taka = pd.read_csv(DATA / "takamatsu_hospital_addresses.csv", dtype=str)
    taka = taka.rename(columns={"latitude": "lat", "longitude": "lon"})
    out = {}
    for key, frame in (("hirakata", hira), ("takamatsu", taka)):
        frame = frame.dropna(subset=["lat", "lon"]).astype({"lat": float, "lon": float})
        # the ナビイ-derived list has 0,0 for facilities it could not place: no true point
        out[key] = frame[(frame["lat"] != 0) & (frame["lon"] != 0)].reset_index(drop=True)
    return out


LISTS = _lists()


def _score(frame: pd.DataFrame, ref: Reference) -> tuple[dict[str, float], float, float]:
    """Share per level, share at 町丁目 or finer, median error (m) of the placed rows."""
    result = geocode(frame["address"], ref)
    shares = result["geocode_level"].fillna("rejected").value_counts(normalize=True).to_dict()
    placed = result["lon"].notna()
    errors = [
        _metres(g_lon, g_lat, t_lon, t_lat)
        for g_lon, g_lat, t_lon, t_lat in zip(
            result.loc[placed, "lon"],
            result.loc[placed, "lat"],
            frame.loc[placed, "lon"],
            frame.loc[placed, "lat"],
            strict=True,
        )
    ]
    fine = sum(shares.get(level, 0.0) for level in ("住居", "街区", "町丁目", "大字"))
    print(
        frame.shape[0],
        {k: round(v, 4) for k, v in shares.items()},
        "median m",
        round(statistics.median(errors), 1),
    )
    return shares, fine, statistics.median(errors)


def test_hirakata_town_level_accuracy() -> None:
    ref = read_reference(DATA / "hirakata_geolonia_town.json", municipality="枚方市")
    _shares, fine, median = _score(LISTS["hirakata"], ref)
    assert fine >= 0.95
    assert median <= 300


def test_takamatsu_town_level_accuracy() -> None:
    ref = read_reference(DATA / "takamatsu_geolonia_town.json", municipality="高松市")
    frame = LISTS["takamatsu"]
    _shares, fine, median = _score(frame, ref)
    assert fine >= 0.95
    # 高松 has large 地番 towns (木太町, 屋島西町 …): the town point is ~380 m from the facility
    # (median); this misses the 300 m target and is asserted as measured, so a regression shows.
    assert median <= 400
    # where the town is a 丁目 (small), the town point is as good as in 枚方; the 494 addresses
    # of towns without 丁目 (mostly 地番 towns of several km²) make the median
    result = geocode(frame["address"], ref)
    errors = pd.Series(
        [
            _metres(a, b, c, d)
            for a, b, c, d in zip(
                result["lon"], result["lat"], frame["lon"], frame["lat"], strict=True
            )
        ]
    )
    chome = result["geocode_match"].str.contains("丁目")
    print("高松 丁目 towns", int(chome.sum()), "median m", round(errors[chome].median(), 1))
    print("高松 other towns", int((~chome).sum()), "median m", round(errors[~chome].median(), 1))
    assert chome.sum() >= 120
    assert errors[chome].median() <= 200


def test_hirakata_block_dictionary_accuracy() -> None:
    ref = read_reference(
        [DATA / "hirakata_geolonia_town.json", DATA / "hirakata_isj_gaiku.json"],
        municipality="枚方市",
    )
    result = geocode(LISTS["hirakata"]["address"], ref)
    frame = LISTS["hirakata"]
    blocks = result["geocode_level"] == "街区"
    errors = [
        _metres(a, b, c, d)
        for a, b, c, d in zip(
            result.loc[blocks, "lon"],
            result.loc[blocks, "lat"],
            frame.loc[blocks, "lon"],
            frame.loc[blocks, "lat"],
            strict=True,
        )
    ]
    assert blocks.sum() >= 150
    assert statistics.median(errors) <= 50
    _shares, fine, median_all = _score(frame, ref)
    assert fine >= 0.95
    assert median_all < 168  # better than the town points alone


def test_known_answers_hirakata() -> None:
    ref = read_reference(DATA / "hirakata_geolonia_town.json", municipality="枚方市")
    result = geocode(
        [
            "大阪府枚方市東香里１－２４－３４",  # hyphen chain: 東香里一丁目
            "枚方市津田北町３丁目３０番１号",
            "大阪府枚方市藤阪東町一丁目２番１号",
            "大阪府枚方市尊延寺１２３",  # reference spells 大字尊延寺
            "大阪府枚方市",  # municipality only: rejected, never the city centre
            "大阪府枚方市存在しない町1-1",
            "",
        ],
        ref,
    )
    assert list(result["geocode_match"][:4]) == [
        "枚方市東香里一丁目",
        "枚方市津田北町三丁目",
        "枚方市藤阪東町一丁目",
        "枚方市大字尊延寺",
    ]
    assert list(result["geocode_level"][:4]) == ["町丁目", "町丁目", "町丁目", "大字"]
    assert result["lon"][4:].isna().all()
    assert result["geocode_reason"][4:].notna().all()


def test_aliases_resolve_variants() -> None:
    ref = read_reference(DATA / "hirakata_geolonia_town.json", municipality="枚方市")
    plain = geocode(["枚方市招堤南町1-1"], ref)
    assert plain["lon"].isna().all()
    fixed = geocode(["枚方市招堤南町1-1"], ref, aliases={"招堤": "招提"})
    assert fixed["geocode_match"][0].startswith("枚方市招提南町")


def test_abr_and_mlit_town_files_agree() -> None:
    abr = read_reference(
        [DATA / "mt_town_pref45_452092.csv", DATA / "mt_town_pos_pref45_452092.csv"]
    )
    isj = read_reference(DATA / "45_2023_45209.csv")
    a = geocode(["宮崎県えびの市大字池島１２３番地"], abr)
    b = geocode(["えびの市池島123"], isj)
    assert a["geocode_match"][0] == b["geocode_match"][0] == "えびの市大字池島"
    assert (a["lon"][0], a["lat"][0]) == (130.827042, 32.040474) == (b["lon"][0], b["lat"][0])
    assert b["geocode_level"][0] == "大字"


def test_abr_positions_need_names(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_reference(DATA / "mt_town_pos_pref45_452092.csv")
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError):
        read_reference(bad)


def _salon_list(tmp_path: Path) -> Path:
    """A サロン list of real 枚方 addresses: two without coordinates, one with its own, one city-only."""
    frame = LISTS["hirakata"].head(3)
    rows = [
        ("サロン東香里", frame["address"][1], "", ""),
        ("サロン津田", frame["address"][2], "", ""),
        ("サロン伊加賀", frame["address"][0], f"{frame['lat'][0]}", f"{frame['lon'][0]}"),
        ("サロン市内", "大阪府枚方市", "", ""),
    ]
    path = tmp_path / "salon.csv"
    lines = ["名称,住所,緯度,経度"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_resources_geocodes_rows_without_coordinates(tmp_path: Path) -> None:
    from chiikimap import rejected_rows
    from chiikimap._errors import ChiikimapWarning
    from chiikimap.io.resources import read_resources

    ref = read_reference(DATA / "hirakata_geolonia_town.json", municipality="枚方市")
    with pytest.warns(ChiikimapWarning, match="住所照合不可"):
        gdf = read_resources(_salon_list(tmp_path), category="kayoi_no_ba", geocode=ref)
    by_name = gdf.set_index("name")
    assert list(by_name["geocode_level"]) == ["町丁目", "町丁目", None]
    assert by_name.loc["サロン東香里", "geocode_match"] == "枚方市東香里一丁目"
    own = by_name.loc["サロン伊加賀", "geometry"]
    assert (own.x, own.y) == (LISTS["hirakata"]["lon"][0], LISTS["hirakata"]["lat"][0])
    rejected = rejected_rows(gdf)
    assert len(rejected) == 1
    assert "市区町村までの一致は位置にしません" in rejected["reason"].iloc[0]


def test_read_resources_without_geocode_still_rejects(tmp_path: Path) -> None:
    from chiikimap._errors import ChiikimapWarning
    from chiikimap.io.resources import read_resources

    with pytest.warns(ChiikimapWarning):
        gdf = read_resources(_salon_list(tmp_path), category="kayoi_no_ba")
    assert list(gdf["name"]) == ["サロン伊加賀"]
    assert "geocode_level" not in gdf.columns


def test_cli_geocode_writes_checkable_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chiikimap.cli import main

    src = _salon_list(tmp_path)
    ref = DATA / "hirakata_geolonia_town.json"
    assert main(["geocode", str(src), "--reference", str(ref), "--municipality", "枚方市"]) == 0
    out = pd.read_csv(
        tmp_path / "salon_geocoded.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert list(out["geocode_level"]) == ["町丁目", "町丁目", "元の座標 / given", ""]
    assert out["緯度"][3] == ""
    assert out["geocode_reason"][3] != ""
    assert out["緯度"][2] == str(LISTS["hirakata"]["lat"][0])
    assert "町丁目: 2" in capsys.readouterr().out


def test_map_draws_town_level_points_hollow_with_a_note() -> None:
    import json
    import re

    from chiikimap.maps.interactive import gap_map
    from tests.fakes import fake_coverage

    cov = fake_coverage()
    levels = [None] * len(cov.resources)
    levels[0] = "町丁目"
    cov.resources["geocode_level"] = pd.Series(levels, index=cov.resources.index, dtype=object)
    page = gap_map(cov, tiles=None).get_root().render()
    data = json.loads(re.search(r"var D = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    assert [r[9] for r in data["res"]] == [1] + [0] * (len(levels) - 1)
    assert data["text"]["approx"] == "位置は町丁目の代表点（概略）"
    assert "m.bindTooltip(approxText(r))" in page
    assert "return r[9] === 2 ? T.approx_near : T.approx;" in page


def test_check_coordinates_reports_points_far_from_their_address() -> None:
    from chiikimap.geocode import check_coordinates

    frame = pd.read_csv(DATA / "hirakata_medical_addresses.csv", dtype={"facility_id": str})
    ref = read_reference(
        [DATA / "hirakata_geolonia_town.json", DATA / "hirakata_isj_gaiku.json"],
        municipality="枚方市",
    )
    far = check_coordinates(frame["address_full"], frame["lon"], frame["lat"], ref)
    # the 28 rows the source left at 0,0 are all reported (about 14,000 km away) …
    zero = set(frame.index[frame["lat"] == 0])
    placed_zero = {i for i in zero if i in far.index}
    assert len(placed_zero) >= 25
    assert far.loc[list(placed_zero), "distance_m"].min() > 1e7
    # … and few real points: a 1 km check flags what a coordinator should look at
    real = far.drop(index=list(placed_zero))
    assert 0 < len(real) <= 15
    assert (real["distance_m"] > 1000).all()


def test_reference_index_cache_is_reused_and_invalidated(tmp_path: Path) -> None:
    import shutil

    src = tmp_path / "枚方市.json"
    shutil.copy(DATA / "hirakata_geolonia_town.json", src)
    first = read_reference(src, cache=True)
    cache = tmp_path / "枚方市.json.chiikimap-index.pickle"
    assert cache.exists()
    assert repr(read_reference(src, cache=True)) == repr(first)
    # same bytes → the cache is what is read: a tampered cache with the right key shows through
    src.write_text('[{"town":"新町一丁目","koaza":"","lat":34.8,"lng":135.6}]', encoding="utf-8")
    changed = read_reference(src, cache=True)
    assert "1 towns" in repr(changed)
    assert geocode(["枚方市新町1-1-1"], changed)["lon"][0] == 135.6


def test_geolonia_town_file_not_named_after_its_city_needs_municipality(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A renamed Geolonia town file used to index 52 towns under "takamatsu_geolonia_town"."""
    import shutil

    from chiikimap.cli import main

    src = DATA / "takamatsu_geolonia_town.json"
    with pytest.raises(InputFileError, match="--municipality 高松市") as info:
        read_reference(src)
    assert "municipality=" in str(info.value)
    assert "takamatsu_geolonia_town.json" in str(info.value)
    # named after its city it is read as before; municipality= wins over any file name
    named = tmp_path / "高松市.json"
    shutil.copy(src, named)
    assert list(read_reference(named).municipalities) == ["高松市"]
    assert list(read_reference(src, municipality="高松市").municipalities) == ["高松市"]
    # the command line stops with the hint instead of a list where no row is placed
    lst = tmp_path / "list.csv"
    lst.write_text("name,address\nA,香川県高松市番町一丁目1\n", encoding="utf-8")
    assert main(["geocode", str(lst), "--reference", str(src)]) != 0
    assert "--municipality 高松市" in capsys.readouterr().err


def test_inspect_an_address_list_hints_at_geocode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real 高松 hospital list without its coordinate columns: inspect names --geocode."""
    from chiikimap.cli import main

    frame = pd.read_csv(DATA / "takamatsu_hospital_addresses.csv", dtype=str)
    lst = tmp_path / "病院.csv"
    frame[["name", "address"]].to_csv(lst, index=False, encoding="utf-8-sig")
    assert main(["inspect", str(lst)]) == 1
    err = capsys.readouterr().err
    assert "住所の列があります（address）: --geocode 参照データ で住所から位置を求められます" in err
    assert "--geocode REFERENCE" in err
    # with coordinates (refused for its missing category column) no hint is given …
    assert main(["inspect", str(DATA / "takamatsu_hospital_addresses.csv")]) == 1
    err = capsys.readouterr().err
    assert "種別（サービスの種類）の列が見つかりません" in err
    assert "--geocode" not in err
    # … nor for a list without addresses
    frame[["name"]].to_csv(lst, index=False, encoding="utf-8-sig")
    assert main(["inspect", str(lst)]) == 1
    assert "--geocode" not in capsys.readouterr().err
