"""Rebuild the district test slices from a copy of the shared data candidates.

Usage: ``python make_slices.py SOURCE_DIR`` where SOURCE_DIR holds the ``ikoma_nara``, ``izumo``,
``nara_city_a32_13``, ``shiga_a32_16`` and ``hirakata`` folders described in README.md.
Rows are copied as they are (no simplification); GeoJSON slices keep the original JSON members.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd

HERE = Path(__file__).parent


def _slice_geojson(src: Path, dst: Path, keep: list[int]) -> None:
    doc = json.loads(src.read_text(encoding="utf-8"))
    doc["features"] = [doc["features"][i] for i in keep]
    dst.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _rows(gdf: gpd.GeoDataFrame, column: str, values: list[str]) -> list[int]:
    return [i for i, v in enumerate(gdf[column]) if v in values]


def main(source: Path) -> None:
    # A32-13 (spec 1.1), 奈良市: three districts.
    src = source / "nara_city_a32_13" / "MiddleSchool.geojson"
    g = gpd.read_file(src)
    _slice_geojson(
        src,
        HERE / "a32_13_nara.geojson",
        _rows(g, "A32_003", ["平城西中学校", "登美ヶ丘中学校", "都跡中学校"]),
    )

    # A32-16 (spec 2.0), 滋賀県: Shift_JIS DBF without .cpg/.prj; one multipart district.
    src = source / "shiga_a32_16" / "A32-16_25.shp"
    g = gpd.read_file(src, encoding="cp932")
    part = g[g["A32_008"].isin(["守山北中学校", "草津中学校", "城山中学校"])]
    out = HERE / "a32_16_shiga.shp"
    part.to_file(out, driver="ESRI Shapefile", encoding="cp932")
    for ext in (".cpg", ".prj"):
        out.with_suffix(ext).unlink(missing_ok=True)

    # A32-16 as GeoJSON, 出雲市: the four districts that make the five overlapping pairs.
    src = source / "izumo" / "MiddleSchool.geojson"
    g = gpd.read_file(src)
    _slice_geojson(
        src,
        HERE / "a32_16_izumo.geojson",
        _rows(g, "A32_008", ["第一中学校", "第二中学校", "第三中学校", "浜山中学校"]),
    )

    # A32-23 (spec 3.1) shapefile: 生駒市 + two invalid polygons + 北中学校 of two towns.
    src = source / "ikoma_nara" / "A32-23_29.shp"
    g = gpd.read_file(src)
    keep = (
        (g["A32_001"] == "29209")
        | g["A32_003"].isin(["C129210000657", "C129210000087", "C129210000675"])
        | ((g["A32_001"] == "29204") & (g["A32_004"] == "北中学校"))
    )
    g[keep].to_file(HERE / "A32-23_29.shp", driver="ESRI Shapefile", encoding="UTF-8")

    # A32-23 GeoJSON form: two 生駒市 districts and 天理市 北中学校.
    src = source / "ikoma_nara" / "A32-23_29.geojson"
    g = gpd.read_file(src)
    _slice_geojson(
        src,
        HERE / "A32-23_29.geojson",
        _rows(g, "A32_003", ["C129210000586", "C129210000577", "C129210000283"]),
    )

    # A27-23 小学校区: the 12 districts of 生駒市.
    src = source / "ikoma_nara" / "A27-23_29.shp"
    g = gpd.read_file(src)
    g[g["A27_001"] == "29209"].to_file(
        HERE / "A27-23_29.shp", driver="ESRI Shapefile", encoding="UTF-8"
    )

    # A user-named layout: three 枚方市 圏域.
    src = source / "hirakata" / "chiiki_houkatsu.geojson"
    _slice_geojson(src, HERE / "hirakata_houkatsu.geojson", [0, 1, 2])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
