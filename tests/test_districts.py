"""Tests of chiikimap.io.districts on real KSJ slices (tests/data/districts) and hand-made squares."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from chiikimap import _schema as S
from chiikimap._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ColumnNotFoundError,
    CRSError,
    EncodingError,
    InputFileError,
    UnknownLayoutError,
)
from chiikimap.io.districts import merge_areas, read_districts

DATA = Path(__file__).parent / "data" / "districts"
CREDIT_A32 = "国土数値情報（中学校区データ）（国土交通省）"
IKOMA_CODES = {
    "C129210000586",
    "C129210000595",
    "C129210000540",
    "C129210000559",
    "C129210000568",
    "C129210000577",
    "C129210000522",
    "C129210000531",
}


def _report(gdf: gpd.GeoDataFrame) -> dict:
    return gdf.attrs[S.ATTRS_KEY]


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    return gdf.geometry.to_crs(S.metric_crs_for(gdf))


def _write_geojson(path: Path, features: list[tuple[dict, dict | None]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _square(x0: float, y0: float, size: float) -> dict:
    return box(x0, y0, x0 + size, y0 + size).__geo_interface__


def _a32_16(name: str, geom: dict | None, code: str = "32203") -> tuple[dict, dict | None]:
    return ({"A32_006": code, "A32_007": "出雲市", "A32_008": name}, geom)


def _check_schema(gdf: gpd.GeoDataFrame) -> None:
    assert list(gdf.columns) == list(S.AREA_COLUMNS)
    assert gdf.crs.to_epsg() == 6668
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) == {"MultiPolygon"}
    S.validate_areas(gdf)


# --- editions ---------------------------------------------------------------------------------------


def test_a32_13_nara_city() -> None:
    gdf = read_districts(DATA / "a32_13_nara.geojson")
    _check_schema(gdf)
    assert sorted(gdf["area_name"]) == sorted(["平城西中学校", "登美ヶ丘中学校", "都跡中学校"])
    assert set(gdf["area_id"]) == {f"29201_{n}" for n in gdf["area_name"]}
    assert set(gdf["municipality_code"]) == {"29201"}
    rep = _report(gdf)
    assert "A32-13" in rep["layout"]
    assert rep["columns"]["area_name"] == "A32_003"
    (src,) = S.sources_of(gdf)
    assert src.attribution == CREDIT_A32
    assert src.date == "2013"


def test_a32_16_shiga_shift_jis_dbf_without_cpg_or_prj() -> None:
    # The slice keeps the quirk of the original: no .cpg, no .prj and a DBF that is not UTF-8.
    assert not (DATA / "a32_16_shiga.cpg").exists()
    assert not (DATA / "a32_16_shiga.prj").exists()
    raw = (DATA / "a32_16_shiga.dbf").read_bytes()
    assert "城山中学校".encode("cp932") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    with pytest.warns(ChiikimapWarning, match="CRS"):
        gdf = read_districts(DATA / "a32_16_shiga.shp")
    _check_schema(gdf)
    assert set(gdf["area_id"]) == {"25207_守山北中学校", "25206_草津中学校", "25209_城山中学校"}
    rep = _report(gdf)
    assert "A32-16" in rep["layout"]
    assert "cp932" in rep["layout"]
    assert S.sources_of(gdf)[0].date == "2016"
    # 城山中学校 is a MultiPolygon in the file: its parts stay together in one area.
    shiroyama = gdf.loc[gdf["area_name"] == "城山中学校", "geometry"].iloc[0]
    assert len(shiroyama.geoms) >= 2


def test_a32_16_shiga_explicit_wrong_encoding_is_an_error() -> None:
    with pytest.raises(EncodingError, match="encoding='cp932'"):
        read_districts(DATA / "a32_16_shiga.shp", encoding="utf-8")


def test_a32_23_shapefile_keys_on_school_code_and_repairs() -> None:
    raw = gpd.read_file(DATA / "A32-23_29.shp")
    assert (~raw.is_valid).sum() == 2  # 式下中学校 and 興東館柳生中学校 are invalid in the file
    with pytest.warns(ChiikimapWarning, match="重なっています"):
        gdf = read_districts(DATA / "A32-23_29.shp")
    _check_schema(gdf)
    assert len(gdf) == len(raw) == 12
    assert set(gdf["area_id"]) == set(raw["A32_003"])
    kita = gdf[gdf["area_name"] == "北中学校"]
    assert sorted(kita["municipality_code"]) == ["29204", "29363"]
    rep = _report(gdf)
    assert "A32-21/23" in rep["layout"]
    assert any("2 件の不正なポリゴンを修復" in w for w in rep["warnings"])
    assert S.sources_of(gdf)[0].date == "2023"
    assert rep["n_read"] == 12
    assert rep["rejected"] == []


def test_a32_23_geojson() -> None:
    gdf = read_districts(DATA / "A32-23_29.geojson")
    _check_schema(gdf)
    assert set(gdf["area_id"]) == {"C129210000586", "C129210000577", "C129210000283"}
    assert "A32-21/23" in _report(gdf)["layout"]


@pytest.mark.parametrize(
    "municipality", ["29209", 29209, "292095", "生駒市", "奈良県生駒市", "生駒市 "]
)
def test_filter_ikoma(municipality: object) -> None:
    gdf = read_districts(DATA / "A32-23_29.shp", municipality=municipality)  # type: ignore[arg-type]
    assert set(gdf["area_id"]) == IKOMA_CODES
    assert set(gdf["municipality_code"]) == {"29209"}
    assert _report(gdf)["n_read"] == 8


def test_filter_town_inside_gun() -> None:
    gdf = read_districts(DATA / "A32-23_29.shp", municipality="川西町")
    assert list(gdf["area_name"]) == ["式下中学校"]


def test_filter_without_match_lists_municipalities() -> None:
    with pytest.raises(InputFileError, match="29209 生駒市") as info:
        read_districts(DATA / "A32-23_29.shp", municipality="大阪市")
    assert "29363 磯城郡田原本町" in str(info.value)


def test_a27_elementary_districts() -> None:
    gdf = read_districts(DATA / "A27-23_29.shp", municipality="生駒市")
    _check_schema(gdf)
    assert len(gdf) == 12
    assert all(i.startswith("B1292100") for i in gdf["area_id"])
    assert "A27" in _report(gdf)["layout"]
    (src,) = S.sources_of(gdf)
    assert src.attribution == "国土数値情報（小学校区データ）（国土交通省）"


def test_user_named_columns_hirakata() -> None:
    gdf = read_districts(
        DATA / "hirakata_houkatsu.geojson", id_col="area_id", name_col="center_name"
    )
    _check_schema(gdf)
    assert list(gdf["area_id"]) == ["1", "2", "3"]
    assert list(gdf["area_name"]) == ["はなまる", "社協ふれあい", "聖徳園"]
    assert gdf["municipality_code"].isna().all()


def test_unknown_layout_lists_columns_and_parameters() -> None:
    with pytest.raises(UnknownLayoutError) as info:
        read_districts(DATA / "hirakata_houkatsu.geojson")
    msg = str(info.value)
    for text in ("center_name", "school_districts", "id_col=", "name_col="):
        assert text in msg


def test_id_col_that_does_not_exist() -> None:
    with pytest.raises(ColumnNotFoundError, match="'圏域'"):
        read_districts(DATA / "hirakata_houkatsu.geojson", id_col="圏域")


# --- overlaps -----------------------------------------------------------------------------------


def _pairwise_overlap_m2(gdf: gpd.GeoDataFrame) -> list[float]:
    m = list(_metric(gdf))
    return [a.intersection(b).area for a, b in itertools.combinations(m, 2)]


def test_izumo_five_overlapping_pairs_resolved() -> None:
    with pytest.warns(ChiikimapWarning, match="5 組の校区が重なっています"):
        kept = read_districts(DATA / "a32_16_izumo.geojson", keep_overlaps=True)
    with pytest.warns(ChiikimapWarning, match="5 組"):
        gdf = read_districts(DATA / "a32_16_izumo.geojson")
    rep = _report(gdf)
    assert len(rep["overlaps"]) == 5
    assert sum(1 for a in _pairwise_overlap_m2(kept) if a > 1.0) == 5

    # After resolution no two areas overlap by more than 1 m² and the covered land is unchanged.
    assert max(_pairwise_overlap_m2(gdf)) < 1.0
    union_m2 = _metric(kept).union_all().area
    assert _metric(gdf).area.sum() == pytest.approx(union_m2, rel=1e-9)

    # Each pair's overlap went to the smaller of the two districts (the documented rule).
    size = dict(zip(kept["area_id"], _metric(kept).area, strict=True))
    for pair in rep["overlaps"]:
        smaller = min(pair["area_id_1"], pair["area_id_2"], key=size.__getitem__)
        assert pair["assigned_to"] == smaller
        assert pair["overlap_m2"] > 100_000


def test_overlap_rule_on_squares(tmp_path: Path) -> None:
    # Small square A (0.01°) overlaps the right half of... B = 0.02° × 0.01° rectangle; C nests in D.
    d = 0.01
    a = box(135.0, 35.0, 135.0 + d, 35.0 + d)
    b = box(135.0 + d / 2, 35.0, 135.0 + 2.5 * d, 35.0 + d)
    outer = box(136.0, 35.0, 136.0 + 3 * d, 35.0 + 3 * d)
    inner = box(136.0 + d, 35.0 + d, 136.0 + 2 * d, 35.0 + 2 * d)
    path = _write_geojson(
        tmp_path / "sq.geojson",
        [
            _a32_16("A中学校", a.__geo_interface__),
            _a32_16("B中学校", b.__geo_interface__),
            _a32_16("外中学校", outer.__geo_interface__),
            _a32_16("内中学校", inner.__geo_interface__),
        ],
    )
    with pytest.warns(ChiikimapWarning, match="2 組"):
        gdf = read_districts(path)
    geom = dict(zip(gdf["area_name"], gdf.geometry, strict=True))
    assert geom["A中学校"].equals(a)  # the smaller district keeps the overlap
    assert geom["B中学校"].area == pytest.approx(b.area - a.intersection(b).area)
    assert geom["内中学校"].equals(inner)  # nested district survives whole
    assert geom["外中学校"].area == pytest.approx(outer.area - inner.area)
    assert len(geom["外中学校"].geoms[0].interiors) == 1


# --- geometry repair, dissolve, rejected rows ---------------------------------------------------


def test_bow_tie_is_repaired(tmp_path: Path) -> None:
    d = 0.01
    bow = Polygon([(135.0, 35.0), (135.0 + d, 35.0 + d), (135.0 + d, 35.0), (135.0, 35.0 + d)])
    assert not bow.is_valid
    path = _write_geojson(tmp_path / "bow.geojson", [_a32_16("蝶中学校", bow.__geo_interface__)])
    gdf = read_districts(path)
    geom = gdf.geometry.iloc[0]
    assert geom.is_valid
    assert len(geom.geoms) == 2  # two triangles meeting at the crossing
    assert geom.area == pytest.approx(d * d / 2)


def test_parts_of_one_school_are_dissolved(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "parts.geojson",
        [
            _a32_16("島中学校", _square(135.0, 35.0, 0.01)),
            _a32_16("島中学校", _square(135.1, 35.0, 0.01)),
            _a32_16("島中学校", _square(135.2, 35.0, 0.01), code="32201"),  # same name, other town
        ],
    )
    gdf = read_districts(path)
    assert list(gdf["area_id"]) == ["32203_島中学校", "32201_島中学校"]
    assert len(gdf.geometry.iloc[0].geoms) == 2
    assert gdf.geometry.iloc[0].area == pytest.approx(2 * 0.01 * 0.01)


def test_rows_without_polygon_are_rejected_with_reason(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "mixed.geojson",
        [
            _a32_16("良中学校", _square(135.0, 35.0, 0.01)),
            _a32_16("点中学校", {"type": "Point", "coordinates": [135.2, 35.0]}),
            _a32_16("無中学校", None),
            _a32_16("", _square(135.3, 35.0, 0.01)),
        ],
    )
    with pytest.warns(ChiikimapWarning, match="3 行を読み込めませんでした"):
        gdf = read_districts(path)
    assert list(gdf["area_name"]) == ["良中学校"]
    rejected = S.rejected_rows(gdf)
    assert list(rejected["row"]) == [2, 3, 4]
    assert "ポリゴンではありません" in rejected["reason"].iloc[0]
    assert "ジオメトリがありません" in rejected["reason"].iloc[1]
    assert rejected["values"].iloc[0]["A32_008"] == "点中学校"
    rep = _report(gdf)
    assert rep["n_read"] == len(gdf) + len(rejected)


def test_district_covered_by_smaller_ones_is_rejected_at_its_file_row(tmp_path: Path) -> None:
    # features A, B, A, C: A comes in two parts; C has B's geometry, so the tie of sizes goes to
    # the smaller id (B) and C is covered whole. C is the 4th feature of the file (it would be
    # the 3rd area after dissolving A).
    b = _square(135.1, 35.0, 0.01)
    path = _write_geojson(
        tmp_path / "covered.geojson",
        [
            _a32_16("A中学校", _square(135.0, 35.0, 0.01)),
            _a32_16("B中学校", b),
            _a32_16("A中学校", _square(135.0, 35.02, 0.01)),
            _a32_16("C中学校", b),
            _a32_16("点中学校", {"type": "Point", "coordinates": [135.2, 35.0]}),
        ],
    )
    with pytest.warns(ChiikimapWarning):
        gdf = read_districts(path)
    assert list(gdf["area_name"]) == ["A中学校", "B中学校"]
    rejected = S.rejected_rows(gdf, merged=False).sort_values("row")
    assert list(rejected["row"]) == [4, 5]
    assert "完全に覆われています" in rejected["reason"].iloc[0]
    assert rejected["values"].iloc[0][S.AREA_NAME] == "C中学校"
    # the second part of A (row 3) is listed too by default, as a merged row into row 1
    every = S.rejected_rows(gdf).sort_values("row")
    assert list(every["row"]) == [3, 4, 5]
    assert "飛び地" in every["reason"].iloc[0]
    assert every["kept_row"].iloc[0] == 1
    # every rejected row names the file as the other readers do: the bare file name
    assert set(rejected["file"]) == {"covered.geojson"}


def test_file_with_only_points(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "pts.geojson",
        [
            _a32_16("点中学校", {"type": "Point", "coordinates": [135.2, 35.0]}),
        ],
    )
    with pytest.raises(InputFileError, match="ポリゴンがありません"):
        read_districts(path)


# --- CRS and bad files --------------------------------------------------------------------------


def _write_shp_without_crs(path: Path, x0: float, y0: float, size: float) -> Path:
    gdf = gpd.GeoDataFrame(
        {"A32_006": ["32203"], "A32_007": ["出雲市"], "A32_008": ["甲中学校"]},
        geometry=[box(x0, y0, x0 + size, y0 + size)],
        crs=None,
    )
    with pytest.warns(UserWarning, match="crs"):
        gdf.to_file(path, driver="ESRI Shapefile", encoding="UTF-8")
    assert not path.with_suffix(".prj").exists()
    return path


def test_no_crs_inside_japan_warns(tmp_path: Path) -> None:
    path = _write_shp_without_crs(tmp_path / "in.shp", 135.0, 35.0, 0.01)
    with pytest.warns(ChiikimapWarning, match="EPSG:6668"):
        gdf = read_districts(path)
    assert gdf.crs.to_epsg() == 6668


def test_no_crs_outside_japan_is_an_error(tmp_path: Path) -> None:
    # Plane-rectangular metres (系 VI) look like nothing in Japan's lon/lat extent.
    path = _write_shp_without_crs(tmp_path / "xy.shp", -30000.0, -150000.0, 1000.0)
    with pytest.raises(CRSError, match="crs="):
        read_districts(path)
    gdf = read_districts(path, crs="EPSG:6674")
    assert gdf.crs.to_epsg() == 6668
    x, y = gdf.geometry.iloc[0].centroid.coords[0]
    assert 135.0 < x < 136.0
    assert 33.0 < y < 35.0
    assert _metric(gdf).area.iloc[0] == pytest.approx(1_000_000, rel=1e-3)


def test_missing_file() -> None:
    with pytest.raises(InputFileError, match="ファイルが見つかりません"):
        read_districts(DATA / "no_such_file.shp")


def test_empty_files(tmp_path: Path) -> None:
    zero = tmp_path / "zero.geojson"
    zero.write_bytes(b"")
    with pytest.raises(InputFileError, match="空です"):
        read_districts(zero)
    none = _write_geojson(tmp_path / "none.geojson", [])
    with pytest.raises(InputFileError, match="地物が1件もありません"):
        read_districts(none)


# --- merge_areas --------------------------------------------------------------------------------


def _grid(names: list[str]) -> gpd.GeoDataFrame:
    """One 0.01° square per name in a row, with ids ``s0``, ``s1`` …"""
    return gpd.GeoDataFrame(
        {
            "area_id": [f"s{i}" for i in range(len(names))],
            "area_name": names,
            "municipality_code": ["27210"] * len(names),
        },
        geometry=[box(135.6 + 0.01 * i, 34.8, 135.61 + 0.01 * i, 34.81) for i in range(len(names))],
        crs=S.STORAGE_CRS,
    )


def test_merge_areas_dict_and_dataframe_forms() -> None:
    districts = _grid(["樟葉北小学校", "樟葉小学校", "樟葉南小学校", "樟葉西小学校", "牧野小学校"])
    # The real 枚方市 table (tests/data/districts/hirakata_houkatsu.geojson, school_districts).
    table = gpd.read_file(DATA / "hirakata_houkatsu.geojson")
    mapping = pd.DataFrame(table[["center_name", "school_districts"]].iloc[:2])
    merged = merge_areas(districts, mapping)
    assert list(merged["area_id"]) == ["はなまる", "社協ふれあい"]
    assert merged.geometry.iloc[0].area == pytest.approx(3 * 0.01 * 0.01)
    assert merged.geometry.iloc[1].area == pytest.approx(2 * 0.01 * 0.01)
    assert list(merged["municipality_code"]) == ["27210", "27210"]

    # dict form, full-width text, school codes and suffixes are all accepted.
    same = merge_areas(
        districts, {"はなまる": ["樟葉北", "s1", "樟葉南小学校"], "社協ふれあい": "樟葉西校、牧野"}
    )
    assert [g.area for g in same.geometry] == pytest.approx([g.area for g in merged.geometry])


def test_merge_areas_unmatched_name_is_an_error() -> None:
    districts = _grid(["樟葉北小学校", "樟葉小学校"])
    with pytest.raises(ChiikimapError, match="樟葉東") as info:
        merge_areas(districts, {"はなまる": ["樟葉北", "樟葉東"]})
    assert "樟葉小学校" in str(info.value)  # the available names are listed


def test_merge_areas_unused_district_warns_and_is_reported() -> None:
    districts = _grid(["甲小学校", "乙小学校", "丙小学校"])
    with pytest.warns(ChiikimapWarning, match="丙小学校"):
        merged = merge_areas(districts, {"一": ["甲", "乙"]})
    assert len(merged) == 1
    assert list(S.rejected_rows(merged)["row"]) == [3]


def test_merge_areas_real_ikoma_elementary_into_junior_high() -> None:
    # In the KSJ 2023 data 上中学校区 is exactly あすか野小学校区 ∪ 真弓小学校区 and 光明中学校区 is
    # 生駒台小学校区; merging the A27 districts must rebuild the A32 polygons.
    elementary = read_districts(DATA / "A27-23_29.shp")
    with pytest.warns(ChiikimapWarning, match="9 校区がどの"):
        merged = merge_areas(elementary, {"上": ["あすか野", "真弓小学校"], "光明": ["生駒台"]})
    junior = read_districts(DATA / "A32-23_29.shp", municipality="29209")
    jm = dict(zip(junior["area_name"], _metric(junior).area, strict=True))
    mm = dict(zip(merged["area_name"], _metric(merged).area, strict=True))
    assert mm["上"] == pytest.approx(jm["上中学校"], rel=1e-3)
    assert mm["光明"] == pytest.approx(jm["光明中学校"], rel=1e-3)
    assert S.sources_of(merged)[0].title == "国土数値情報（小学校区データ）"


def test_merge_areas_ambiguous_name_needs_code() -> None:
    with pytest.warns(ChiikimapWarning):
        districts = read_districts(DATA / "A32-23_29.shp")
    with pytest.raises(ChiikimapError, match="C129210000675"):
        merge_areas(districts, {"北": ["北中学校"]})
    with pytest.warns(ChiikimapWarning, match="11 校区"):
        merged = merge_areas(districts, {"北": ["C129210000675"]})
    assert list(merged["municipality_code"]) == ["29363"]


def test_table_without_geometry_is_a_layout_error(tmp_path: Path) -> None:
    # a resource list given as areas: pyogrio reads a CSV as a plain table
    path = tmp_path / "list.csv"
    path.write_text("名称,住所\nサロンA,枚方市1\n", encoding="utf-8")
    with pytest.raises(UnknownLayoutError, match=r"図形（ポリゴン）のないファイル.*名称, 住所"):
        read_districts(path)


def _zip(target: Path, members: dict[str, Path]) -> Path:
    import zipfile

    with zipfile.ZipFile(target, "w") as zf:
        for arcname, src in members.items():
            zf.write(src, arcname)
    return target


def test_ksj_zip_as_downloaded(tmp_path: Path) -> None:
    # KSJ distributes A32-16 as a zip with a folder holding the Shift_JIS shapefile (no .cpg)
    archive = _zip(
        tmp_path / "A32-16_25_GML.zip",
        {
            f"A32-16_25_GML/a32_16_shiga{ext}": DATA / f"a32_16_shiga{ext}"
            for ext in (".shp", ".shx", ".dbf")
        },
    )
    with pytest.warns(ChiikimapWarning, match="CRS"):
        gdf = read_districts(archive)
    assert set(gdf["area_id"]) == {"25207_守山北中学校", "25206_草津中学校", "25209_城山中学校"}
    rep = _report(gdf)
    assert "cp932" in rep["layout"]
    assert rep["file"] == "A32-16_25_GML.zip"
    # A32-23 zips hold the shapefile and a GeoJSON of the same data: the shapefile is read
    both = _zip(
        tmp_path / "A32-23_29_GML.zip",
        {
            f"A32-23_29_GML/A32-23_29{ext}": DATA / f"A32-23_29{ext}"
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".geojson")
        },
    )
    assert len(read_districts(both, municipality="29209")) == 8


def test_zip_with_several_data_sets_lists_them(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "two.zip",
        {"a/A27-23_29.shp": DATA / "A27-23_29.shp", "b/A32-23_29.shp": DATA / "A32-23_29.shp"},
    )
    with pytest.raises(
        InputFileError, match=r"2 vector data sets \(a/A27-23_29.shp, b/A32-23_29.shp\)"
    ):
        read_districts(archive)


# --- shared ids and multi-part districts (issue 9 item 7) -----------------------------------------


def _shiga_exploded(tmp_path: Path) -> Path:
    """The real A32-16 slice with 城山中学校 (a MultiPolygon) written as one row per part."""
    src = gpd.read_file(DATA / "a32_16_shiga.shp", encoding="cp932")
    exploded = src.explode(index_parts=False).reset_index(drop=True)
    path = tmp_path / "shiga_parts.geojson"
    exploded.set_crs("EPSG:6668", allow_override=True).to_file(path, driver="GeoJSON")
    return path


def test_dissolved_parts_are_reported_in_the_counts(tmp_path: Path) -> None:
    # the issue: "読込 25・採用 23・除外 0" said nothing of the parts dissolved
    path = _shiga_exploded(tmp_path)
    n_rows = len(gpd.read_file(path))
    n_parts = n_rows - 2  # 守山北 and 草津 are single polygons; the rest are 城山's parts
    assert n_parts >= 2
    gdf = read_districts(path)
    rep = _report(gdf)
    assert len(gdf) == 3
    assert rep["n_read"] == n_rows == len(gdf) + len(rep["rejected"]) + len(rep["duplicates"])
    assert len(rep["duplicates"]) == n_parts - 1
    assert {d["name"] for d in rep["duplicates"]} == {"城山中学校"}
    assert any("飛び地" in w for w in rep["warnings"])


def test_an_id_shared_by_differently_named_polygons_is_an_error(tmp_path: Path) -> None:
    # the issue: two districts sharing an id were silently dissolved and the second name vanished
    gdf = gpd.read_file(_shiga_exploded(tmp_path))
    gdf.loc[gdf.index[-1], "A32_010"] = gdf.loc[gdf.index[0], "A32_010"]
    clash = tmp_path / "clash.geojson"
    gdf.to_file(clash, driver="GeoJSON")
    first, last = gdf["A32_008"].iloc[0], gdf["A32_008"].iloc[-1]
    assert first != last
    with pytest.raises(InputFileError, match="名称の違う") as info:
        read_districts(clash, id_col="A32_010", name_col="A32_008")
    assert first in str(info.value)
    assert last in str(info.value)
    assert info.value.row == len(gdf)


def test_inspect_prints_the_dissolved_parts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chiikimap.cli import main

    path = _shiga_exploded(tmp_path)
    n_rows = len(gpd.read_file(path))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"読込 {n_rows}・採用 3・除外 0・統合 {n_rows - 3}" in out
    assert "にまとめました（城山中学校）" in out


# --- .prj units against the coordinates (issue 10 item 4) -----------------------------------------


def _ikoma_copy(tmp_path: Path, *, coords_epsg: int, prj_epsg: int) -> Path:
    """The real 生駒市 A32-23 slice with its coordinates in one CRS and a .prj naming another."""
    src = gpd.read_file(DATA / "A32-23_29.shp")
    src = src[src["A32_001"] == "29209"].to_crs(coords_epsg)
    out = tmp_path / "ikoma.shp"
    src.set_crs(prj_epsg, allow_override=True).to_file(out, encoding="utf-8")
    return out


def test_prj_in_degrees_for_coordinates_in_metres_is_refused(tmp_path: Path) -> None:
    # the issue: accepted, then "arange: cannot compute length" deep inside analyze
    path = _ikoma_copy(tmp_path, coords_epsg=6674, prj_epsg=6668)  # 平面直角座標系 VI (奈良)
    with pytest.raises(CRSError, match="メートル") as info:
        read_districts(path)
    assert "ikoma.shp" in str(info.value)
    assert "crs=" in str(info.value)
    gdf = read_districts(path, crs="EPSG:6674")  # the fix the message gives
    assert len(gdf) == 8


def test_prj_in_metres_for_coordinates_in_degrees_is_refused(tmp_path: Path) -> None:
    path = _ikoma_copy(tmp_path, coords_epsg=6668, prj_epsg=6674)
    with pytest.raises(CRSError, match="EPSG:6668"):
        read_districts(path)
    assert len(read_districts(path, crs="EPSG:6668")) == 8
