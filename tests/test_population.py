"""Tests of chiikimap.io.population.read_population and the 町丁 name normaliser.

Real slices (高松市 地域・年齢別人口 in four editions, 生駒市 census TopoJSON) are in
tests/data/population with their origin in README.md. The mesh statistics fixture and the
Japanese-header age table are *synthetic*, built from the published layouts, because no real file
of those layouts is available to the project (see the README).
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from chiikimap import _schema as S
from chiikimap._errors import (
    ChiikimapWarning,
    ColumnNotFoundError,
    EncodingError,
    InputFileError,
)
from chiikimap._names import kanji_to_int, normalize_town_name
from chiikimap.io.population import read_population

DATA = Path(__file__).parent / "data" / "population"
TAKAMATSU = [
    "population_0066_202602_head20.xlsx",  # surveyDate is a datetime
    "population_0066_202401_head20.xlsx",  # surveyDate is an Excel serial (45292)
    "population_0066_202212_head20.xlsx",  # numbers and dates stored as text ('12/1/2022')
    "population_0066_202305_cp932_head20.csv",  # Shift_JIS CSV
]


def _read_quiet(path: Path, **kw: object) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        return read_population(path, **kw)  # type: ignore[arg-type]


# --- name normaliser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("百五", 105),
        ("千二百三十四", 1234),
        ("二〇", 20),
        ("一〇五", 105),
    ],
)
def test_kanji_to_int(text: str, value: int) -> None:
    assert kanji_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "一a", "二三十"])
def test_kanji_to_int_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="漢数字"):
        kanji_to_int(bad)


def test_town_names_compare_equal_across_spellings() -> None:
    assert (
        normalize_town_name("１丁目")
        == normalize_town_name("一丁目")
        == normalize_town_name("1丁目")
        == "1丁目"
    )
    assert normalize_town_name("あすか野北一丁目") == normalize_town_name("あすか野北１丁目")
    assert normalize_town_name("番町十二丁目") == "番町12丁目"
    assert normalize_town_name("緑ヶ丘 ２条") == normalize_town_name("緑ケ丘二条")
    # kanji numerals that are part of a name are kept
    assert normalize_town_name("一宮町") == "一宮町"
    assert normalize_town_name("十川東町") == "十川東町"
    assert normalize_town_name(None) == ""


# --- 地域・年齢別人口 (高松市, English headers) --------------------------------------------------------


@pytest.mark.parametrize("name", TAKAMATSU)
def test_takamatsu_editions_read(name: str) -> None:
    gdf = read_population(DATA / name)
    assert len(gdf) == 20  # 20 data rows in each slice, none rejected
    assert S.rejected_rows(gdf).empty
    assert gdf.crs.to_epsg() == 6668
    assert set(gdf.geom_type) == {"Point"}
    assert gdf[S.POP_65PLUS].notna().all()
    assert gdf[S.POP_75PLUS].notna().all()
    assert (gdf[S.POP_75PLUS] <= gdf[S.POP_65PLUS]).all()
    assert (gdf[S.POP_65PLUS] <= gdf[S.POP_TOTAL]).all()
    # row 1 is 塩屋町 at location "34.342286,134.055021"
    first = gdf.iloc[0]
    assert first["name"] == "塩屋町"
    assert (first.geometry.x, first.geometry.y) == pytest.approx((134.055021, 34.342286))
    src = S.sources_of(gdf)
    assert src[0].publisher == "高松市"
    assert "高松市" in src[0].attribution


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("population_0066_202602_head20.xlsx", "2026-02-01"),
        ("population_0066_202401_head20.xlsx", "2024-01-01"),
        ("population_0066_202212_head20.xlsx", "2022-12-01"),
        ("population_0066_202305_cp932_head20.csv", "2023-05-01"),
    ],
)
def test_dates_as_datetime_serial_and_text(name: str, date: str) -> None:
    # the file names carry the month (0066_YYYYMM); serial 45292 = 2024-01-01 in Excel's 1900 system
    gdf = read_population(DATA / name)
    assert (gdf["date"] == date).all()
    assert S.sources_of(gdf)[0].date == date


def test_hand_summed_row_pins_the_band_layout() -> None:
    # 塩屋町, 2026-02-01: man1..man18 = 16 7 3 6 2 10 18 11 13 17 23 17 17 11 4 8 3 2 (sum 188 = male),
    # so band k is ages 5(k-1)..5k-1 and band 18 is 85+. 65+ = bands 14..18:
    # men 11+4+8+3+2 = 28, women 14+15+10+7+10 = 56 → 84; 75+ = bands 16..18: 8+3+2 + 10+7+10 = 40.
    gdf = read_population(DATA / "population_0066_202602_head20.xlsx")
    row = gdf.iloc[0]
    assert (row[S.POP_TOTAL], row[S.POP_65PLUS], row[S.POP_75PLUS]) == (402.0, 84.0, 40.0)
    cols = S.read_reports(gdf)[0]["columns"]
    assert cols[S.POP_65PLUS].split(" + ") == [
        f"{s}{k}" for k in range(14, 19) for s in ("man", "woman")
    ]


def test_text_numbers_equal_typed_numbers() -> None:
    # 202212 stores every number as text. 塩屋町, (man, woman) per band read off the file by hand:
    # 1:(2,2) 2:(2,2) 3:(4,3) 4:(2,3) 5:(5,4) 6:(9,8) 7:(4,4) 8:(2,5) 9:(8,5) 10:(10,12) 11:(11,15)
    # 12:(9,5) 13:(8,7) 14:(4,9) 15:(7,10) 16:(4,8) 17:(1,6) 18:(2,11); men sum to 94 = male.
    gdf = read_population(DATA / "population_0066_202212_head20.xlsx")
    row = gdf.iloc[0]
    assert row[S.POP_TOTAL] == 213.0
    assert row[S.POP_65PLUS] == 4 + 9 + 7 + 10 + 4 + 8 + 1 + 6 + 2 + 11
    assert row[S.POP_75PLUS] == 4 + 8 + 1 + 6 + 2 + 11


def test_mojibake_file_is_an_encoding_error() -> None:
    with pytest.raises(EncodingError, match=r"U\+FFFD") as info:
        read_population(DATA / "population_0066_202304_head20.xlsx")
    assert "文字化け" in str(info.value)
    assert "row 2" in str(info.value)


# --- Japanese headers, joined to boundaries -------------------------------------------------------


def _ikoma() -> gpd.GeoDataFrame:
    return read_population(DATA / "r2ka29209_town_slice.topojson")


def test_japanese_headers_join_by_name_and_code() -> None:
    towns = _ikoma()
    with pytest.warns(ChiikimapWarning, match="2 行"):
        gdf = read_population(DATA / "synthetic_age_ja_ikoma_cp932.csv", boundaries=towns)
    # men 65+ 2+3+4+5+6 = 20, women 7+8+9+10+11 = 45 → 65; 75+ = (4+5+6)+(9+10+11) = 45; total 26+65 = 91
    assert gdf[S.POP_65PLUS].tolist() == [65.0] * 4
    assert gdf[S.POP_75PLUS].tolist() == [45.0] * 4
    assert gdf[S.POP_TOTAL].tolist() == [91.0] * 4
    assert gdf["date"].unique().tolist() == ["2024-04-01"]
    by_name = dict(zip(gdf["name"], gdf.geometry, strict=False))
    t = towns.set_index("key_code").geometry
    assert by_name["あすか野北１丁目"].equals(t["29209003001"])  # 「１丁目」 = 「一丁目」
    assert by_name["あすか野北2丁目"].equals(t["29209003002"])  # 「2丁目」 = 「二丁目」
    assert by_name["青山台"].equals(t["292090010"])  # by code
    # 壱分町 is two KEY_CODEs (230, 231) in the census: the row covers both
    assert by_name["壱分町"].area == pytest.approx(t["292090230"].area + t["292090231"].area)
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [6, 7]
    assert "存在しない町" in rej["reason"].iloc[0]
    assert "合計" in rej["reason"].iloc[1]
    assert rej["values"].iloc[0]["地域名"] == "存在しない町"


def test_rows_without_location_or_boundaries_are_rejected_not_dropped() -> None:
    with pytest.warns(ChiikimapWarning, match="6 行"):
        gdf = read_population(DATA / "synthetic_age_ja_ikoma_cp932.csv")
    assert len(gdf) == 0
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert rej["reason"].str.contains("boundaries=").sum() == 5


# --- census small areas ---------------------------------------------------------------------------


def test_census_topojson_merges_shared_key_codes() -> None:
    gdf = _ikoma()
    # 23 polygons in the slice, 19 distinct KEY_CODEs; 壱分町 230 (0 + 6776), 231 (568 + 0), 上町 1012
    # (1295 + 0 + 0) are merged so each code appears once and its population is counted once.
    assert len(gdf) == 19
    assert gdf["key_code"].is_unique
    assert gdf[S.POP_TOTAL].sum() == 22033.0
    jinko = gdf.set_index("key_code")[S.POP_TOTAL]
    assert (jinko["292090230"], jinko["292090231"], jinko["292091012"]) == (6776.0, 568.0, 1295.0)
    assert gdf.set_index("key_code").geometry["292091012"].geom_type == "MultiPolygon"
    assert gdf[S.POP_65PLUS].isna().all()
    assert gdf.crs.to_epsg() == 6668
    src = S.sources_of(gdf)[0]
    assert src.attribution == "© CODH / e-Stat 国勢調査 CC BY 4.0"
    assert src.date == "2020-10-01"


def _census_zip(tmp_path: Path) -> Path:
    """The 生駒市 census slice zipped in a folder, as e-Stat distributes boundaries."""
    archive = tmp_path / "r2ka29209.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(DATA / "r2ka29209_town_slice.topojson", "r2ka29209/r2ka29209.topojson")
    return archive


def test_census_zip_is_extracted_and_read_like_the_file(tmp_path: Path) -> None:
    plain = _ikoma()
    zipped = read_population(_census_zip(tmp_path))
    assert len(zipped) == len(plain)
    assert zipped["pop_total"].sum() == plain["pop_total"].sum()
    assert S.read_reports(zipped)[0]["file"] == "r2ka29209.zip"


def test_census_zip_over_the_size_cap_is_refused_before_gdal_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyogrio

    from chiikimap.io import _archive

    archive = _census_zip(tmp_path)
    monkeypatch.setattr(_archive, "MAX_MEMBER_BYTES", 1000)

    def no_gdal(path: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"GDAL opened {path}")

    monkeypatch.setattr(pyogrio, "list_layers", no_gdal)
    with pytest.raises(InputFileError, match="too large") as info:
        read_population(archive)
    assert info.value.path == str(archive)


def _census_file(path: Path, keys: list, jinko: list[float]) -> Path:
    from shapely.geometry import box

    gdf = gpd.GeoDataFrame(
        {"KEY_CODE": keys, "S_NAME": [f"町{i + 1}" for i in range(len(keys))], "JINKO": jinko},
        geometry=[
            box(135.7 + i * 0.01, 34.7, 135.705 + i * 0.01, 34.705) for i in range(len(keys))
        ],
        crs=S.STORAGE_CRS,
    )
    gdf.to_file(path, driver="GeoJSON")
    return path


def test_census_rows_without_key_code_are_rejected_not_merged(tmp_path: Path) -> None:
    # rows 2-4 have no KEY_CODE (null, empty, blank); before, they became one record "None"/"" …
    path = _census_file(
        tmp_path / "census.geojson",
        ["292090010", None, "", "  ", "292090020"],
        [100.0, 50.0, 30.0, 20.0, 10.0],
    )
    with pytest.warns(ChiikimapWarning, match="3 行"):
        gdf = read_population(path, kind="census")
    assert gdf["key_code"].tolist() == ["292090010", "292090020"]
    assert gdf[S.POP_TOTAL].tolist() == [100.0, 10.0]
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [2, 3, 4]
    assert set(rej["file"]) == {"census.geojson"}
    assert all("KEY_CODE" in r for r in rej["reason"])
    assert rej["values"].iloc[0] == {"KEY_CODE": None, "S_NAME": "町2", "JINKO": 50.0}


def test_census_numeric_key_code_nan_is_rejected(tmp_path: Path) -> None:
    # a numeric KEY_CODE column reads a null as NaN, which must not become the code "nan"
    path = _census_file(tmp_path / "census_num.geojson", [292090010, None], [100.0, 7.0])
    with pytest.warns(ChiikimapWarning, match="1 行"):
        gdf = read_population(path, kind="census")
    assert gdf["key_code"].tolist() == ["292090010"]
    assert S.rejected_rows(gdf)["row"].tolist() == [2]


# --- mesh statistics ------------------------------------------------------------------------------


def test_mesh_codes_to_polygons_known_bounds() -> None:
    # JIS X 0410 by hand: 5339 → lat 53/1.5 = 35°20', lon 139°; 4,6 → +4×5' lat, +6×7.5' lon;
    # 1,1 → +30" lat, +45" lon: 1 km cell 53394611 has SW (35.675, 139.7625), NE (35.683333, 139.775).
    # 500 m quadrant 1 = SW half of each side; quadrant 4 = NE; 250 m quadrant 1 of 500 m quadrant 1.
    with pytest.warns(ChiikimapWarning, match="1 行"):
        gdf = read_population(DATA / "synthetic_mesh_cp932.txt")
    b = dict(zip(gdf["key_code"], gdf.geometry.bounds.itertuples(index=False), strict=False))
    assert tuple(b["53394611"]) == pytest.approx((139.7625, 35.675, 139.775, 35.675 + 1 / 120))
    assert tuple(b["533946111"]) == pytest.approx(
        (139.7625, 35.675, 139.7625 + 1 / 160, 35.675 + 1 / 240)
    )
    assert tuple(b["533946114"]) == pytest.approx(
        (139.7625 + 1 / 160, 35.675 + 1 / 240, 139.775, 35.675 + 1 / 120)
    )
    assert tuple(b["5339461111"]) == pytest.approx(
        (139.7625, 35.675, 139.7625 + 1 / 320, 35.675 + 1 / 480)
    )
    v = gdf.set_index("key_code")
    assert (
        v.loc["53394611", S.POP_TOTAL],
        v.loc["53394611", S.POP_65PLUS],
        v.loc["53394611", S.POP_75PLUS],
    ) == (1200, 300, 140)
    assert v.loc["533946114", [S.POP_TOTAL, S.POP_65PLUS]].isna().all()  # '*' suppressed
    assert np.isnan(v.loc["5339461111", S.POP_75PLUS])  # '-'
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [7]
    assert "53394A11" in rej["reason"].iloc[0]


# --- plain table per area -------------------------------------------------------------------------


def _areas() -> gpd.GeoDataFrame:
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {S.AREA_ID: ["A", "B", "C"], S.AREA_NAME: ["北", "南", "東"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
        crs="EPSG:6690",
    ).to_crs(S.STORAGE_CRS)


def test_area_table_with_boundaries_gets_area_polygons() -> None:
    areas = _areas()
    with pytest.warns(ChiikimapWarning, match="1 行"):
        gdf = read_population(DATA / "synthetic_area_table.csv", id_col="圏域ID", boundaries=areas)
    assert gdf[S.AREA_ID].tolist() == ["A", "B", "C"]
    assert gdf[S.POP_65PLUS].tolist() == [300.0, 500.0, 1.0]
    assert np.isnan(gdf[S.POP_75PLUS].iloc[1])
    assert gdf.geometry.iloc[1].equals(areas.geometry.iloc[1])
    assert S.rejected_rows(gdf)["row"].tolist() == [5]  # the 合計 row


def test_area_table_without_boundaries_has_no_geometry() -> None:
    gdf = _read_quiet(DATA / "synthetic_area_table.csv", id_col="圏域ID")
    assert gdf.geometry.isna().all()
    assert gdf[S.AREA_ID].tolist() == ["A", "B", "C"]


def test_area_table_needs_id_col() -> None:
    with pytest.raises(ColumnNotFoundError, match="id_col"):
        read_population(DATA / "synthetic_area_table.csv", kind="table", id_col="district")
