"""Excel 圏域カルテ read back with openpyxl, and the GeoPackage round trip."""

from __future__ import annotations

import dataclasses
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from chiikimap import _schema as S
from chiikimap.export import STATUS_FILLS, _sheet_name, to_excel, to_geopackage
from tests.fakes import fake_coverage

_NASTY = ['=HYPERLINK("http://example.invalid","x")', "+81-3-0000", "-1+2", "@SUM(A1:A2)"]


@pytest.fixture
def coverage():
    cov = fake_coverage(_NASTY)
    rejected = pd.DataFrame(
        [
            {
                "file": "list.csv",
                "row": 7,
                "reason": "緯度・経度がありません",
                "values": {"名称": "=cmd|' /C calc'!A0", "住所": "枚方市"},
            }
        ],
        columns=list(S.REJECTED_COLUMNS),
    )
    return dataclasses.replace(cov, rejected=rejected)


@pytest.fixture
def workbook(coverage, tmp_path):
    path = tmp_path / "karte.xlsx"
    to_excel(coverage, path)
    return path, openpyxl.load_workbook(path)


def _find_row(ws, col: int, value: str) -> int:
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not found in column {col} of {ws.title}")


def test_sheet_names(workbook):
    _, wb = workbook
    assert wb.sheetnames == [
        "概要",
        *(f"第{i}区" for i in range(1, 10)),
        "資源一覧",
        "除外行",
        "出典・条件",
    ]


def test_overview_summary_numbers_and_formats(workbook):
    _, wb = workbook
    ws = wb["概要"]
    assert [c.value for c in ws[4]][:7] == [
        "種別",
        "資源数",
        "定員計",
        "基準値（面積(m²)）",
        "圏内",
        "カバー率",
        "圏外（届かない面積(m²)）",
    ]
    row = {c.column: c for c in ws[5]}
    assert row[1].value == "通いの場"
    assert row[2].value == 2
    assert row[2].data_type == "n"
    # 通いの場 covers 1 + 1 + 0.3 + 0.5 km² of the 9 km² grid
    assert row[6].value == pytest.approx(2.8 / 9)
    assert row[6].data_type == "n"
    assert row[6].number_format == "0.0%"
    assert row[7].value == pytest.approx(6_200_000)
    assert [row[8].value, row[9].value, row[10].value] == [5, 2, 2]  # 空白/不足/充足 areas
    assert ws.freeze_panes == "B5"
    assert int(ws.page_setup.paperSize) == 9  # 9 = A4 in the OOXML paper-size table
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.column_dimensions["A"].width >= 20


def test_gap_matrix_fills(workbook):
    _, wb = workbook
    ws = wb["概要"]
    r = _find_row(ws, 1, "第7区")  # A20: 通いの場 空白, 配食 不足
    assert ws.cell(r, 2).value == "空白"
    assert ws.cell(r, 2).fill.fgColor.rgb.endswith(STATUS_FILLS["none"])
    assert ws.cell(r, 3).value == "不足"
    assert ws.cell(r, 3).fill.fgColor.rgb.endswith(STATUS_FILLS["gap"])
    assert [ws.cell(r, 4).value, ws.cell(r, 5).value] == [1, 1]
    r5 = _find_row(ws, 1, "第5区")
    assert ws.cell(r5, 2).value == "充足"
    assert ws.cell(r5, 2).fill.fgColor.rgb.endswith(STATUS_FILLS["ok"])


def test_area_sheet_missing_first_and_resources(workbook):
    _, wb = workbook
    ws = wb["第7区"]
    assert ws["A2"].value == "不足しているサービス: 通いの場、配食"
    assert [ws["A5"].value, ws["B5"].value] == ["通いの場", "空白"]
    assert [ws["A6"].value, ws["B6"].value] == ["配食", "不足"]
    assert ws["C6"].value == pytest.approx(0.6)
    assert ws["C6"].number_format == "0.0%"
    assert ws.freeze_panes == "A5"
    ws9 = wb["第9区"]  # A22 holds R3, which offers 配食 and 見守り
    r = _find_row(ws9, 1, "R3")
    assert ws9.cell(r, 2).value == "@SUM(A1:A2)"
    assert ws9.cell(r, 3).value == "配食、見守り"
    # missing first: 通いの場 (不足) before 配食 (充足)
    assert [ws9["A5"].value, ws9["A6"].value] == ["通いの場", "配食"]


def test_formula_injection_stays_text(workbook):
    path, wb = workbook
    ws = wb["資源一覧"]
    names = [ws.cell(r, 2) for r in range(2, 6)]
    assert [c.value for c in names] == _NASTY
    assert all(c.data_type == "s" for c in names)
    assert all(c.quotePrefix for c in names)
    rej = wb["除外行"]
    assert rej["A2"].value == "list.csv"
    assert rej["B2"].value == 7
    assert rej["B2"].data_type == "n"
    assert rej["D2"].value.startswith("名称==cmd")
    # no formula element anywhere in the workbook
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml
    assert "<f " not in xml


def test_resource_list_and_sources(workbook):
    _, wb = workbook
    ws = wb["資源一覧"]
    assert [c.value for c in ws[1]][:5] == ["資源ID", "名称", "圏域ID", "圏域名", "提供サービス"]
    assert ws.freeze_panes == "C2"
    r = _find_row(ws, 1, "R0")
    assert ws.cell(r, 4).value == "第5区"
    assert ws.cell(r, 7).value == 20
    assert ws.cell(r, 7).data_type == "n"
    src = wb["出典・条件"]
    values = [c.value for row in src.iter_rows() for c in row if c.value is not None]
    assert "テスト用の架空データ（chiikimap）" in values
    assert "EPSG:6690" in values
    assert "2026-01-01" in values
    r = _find_row(src, 2, "kayoi_no_ba")
    assert src.cell(r, 3).value == 800
    assert src.cell(r, 4).value == pytest.approx(0.8)


def test_sheet_name_rules():
    used = {"概要"}
    assert _sheet_name("東[1]:北/南*?", used) == "東_1__北_南__"
    long = "あ" * 40
    assert _sheet_name(long, used) == "あ" * 31
    assert _sheet_name(long, used) == "あ" * 28 + "(2)"
    assert _sheet_name("概要", used) == "概要(2)"
    assert all(len(n) <= 31 for n in used)


def test_sheet_name_avoids_the_reserved_history():
    # Excel reserves "History" (any case) for its change tracking; a sheet so named must be repaired
    used: set[str] = set()
    assert _sheet_name("History", used) == "History(2)"
    assert _sheet_name("history", used) == "history(3)"
    assert _sheet_name(" HISTORY ", used) == "HISTORY(4)"
    assert _sheet_name("Historyx", used) == "Historyx"


def test_area_named_history_gets_a_safe_sheet(tmp_path):
    cov = fake_coverage()
    areas = cov.areas.copy()
    areas.loc[0, S.AREA_NAME] = "History"
    table = cov.table.copy()
    table.loc[table[S.AREA_ID] == areas.loc[0, S.AREA_ID], S.AREA_NAME] = "History"
    path = tmp_path / "history.xlsx"
    to_excel(dataclasses.replace(cov, areas=areas, table=table), path)
    names = openpyxl.load_workbook(path).sheetnames
    assert "history" not in {n.casefold() for n in names}
    assert names[1] == "History(2)"


def test_awkward_area_names_give_valid_unique_sheets(tmp_path):
    cov = fake_coverage()
    names = ["中央/北"] * 3 + ["資源一覧", "x" * 40, "'引用'", "a?b", "c*d", "[e]"]
    mapping = dict(zip(cov.areas[S.AREA_ID], names, strict=True))
    areas = cov.areas.assign(**{S.AREA_NAME: cov.areas[S.AREA_ID].map(mapping)})
    table = cov.table.assign(**{S.AREA_NAME: cov.table[S.AREA_ID].map(mapping)})
    cov = dataclasses.replace(cov, areas=areas, table=table)
    path = tmp_path / "k.xlsx"
    to_excel(cov, path)
    sheets = openpyxl.load_workbook(path).sheetnames
    assert len(sheets) == 13 == len({s.casefold() for s in sheets})
    assert sheets[1:4] == ["中央_北", "中央_北(2)", "中央_北(3)"]
    assert sheets[4] == "資源一覧(2)"
    assert all(len(s) <= 31 and not set(s) & set("[]:*?/\\") for s in sheets)


def test_geopackage_round_trip(coverage, tmp_path):
    path = tmp_path / "out.gpkg"
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: [100.0, 50.0], S.POP_65PLUS: [30.0, 20.0], S.POP_75PLUS: [15.0, np.nan]},
        geometry=[Point(135.66, 34.79), Point(135.67, 34.80)],
        crs=S.STORAGE_CRS,
    )
    to_geopackage(dataclasses.replace(coverage, population=pop), path)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {
        "areas": "Polygon",
        "resources": "Point",
        "population": "Point",
        "gaps": None,
        "sources": None,
    }

    areas = gpd.read_file(path, layer="areas").set_index(S.AREA_ID)
    assert areas.crs.to_epsg() == 6668
    assert len(areas) == 9
    assert areas.loc["A21", "kayoi_no_ba_coverage"] == pytest.approx(0.3)
    assert areas.loc["A00", "kayoi_no_ba_status"] == "none"
    assert areas.loc["A00", "kayoi_no_ba_status_ja"] == "空白"
    assert areas.loc["A20", "haishoku_status"] == "gap"
    assert areas.loc["A20", "n_none"] == 1
    assert areas.loc["A20", "n_gap"] == 1
    assert areas.loc["A20", "missing"] == "通いの場; 配食"
    orig = coverage.areas.set_index(S.AREA_ID).geometry
    assert areas.geometry.geom_equals_exact(orig.reindex(areas.index), tolerance=1e-9).all()

    res = gpd.read_file(path, layer="resources").set_index(S.RESOURCE_ID)
    assert res.loc["R3", S.CATEGORIES] == "haishoku; mimamori"
    assert res.loc["R0", S.NAME] == _NASTY[0]
    assert res.loc["R2", S.CAPACITY] == 15.0

    popr = gpd.read_file(path, layer="population")
    assert popr[S.POP_65PLUS].tolist() == [30.0, 20.0]

    gaps = gpd.read_file(path, layer="gaps")
    assert not isinstance(gaps, gpd.GeoDataFrame)
    assert len(gaps) == 18
    row = gaps[(gaps[S.AREA_ID] == "A22") & (gaps[S.CATEGORY] == "kayoi_no_ba")].iloc[0]
    assert row[S.STATUS] == "gap"
    assert row[S.COVERAGE] == pytest.approx(0.5)


def test_geopackage_overwrites_and_skips_missing_population(coverage, tmp_path):
    path = tmp_path / "out.gpkg"
    path.write_bytes(b"old")
    to_geopackage(coverage, path)
    assert "population" not in dict(pyogrio.list_layers(path))


@pytest.fixture
def empty_area_coverage():
    """The fake coverage with 第5区 (A11) at weight 0: every category 対象なし (``empty``)."""
    cov = fake_coverage()
    t = cov.table.copy()
    rows = t[S.AREA_ID] == "A11"
    t.loc[rows, S.STATUS] = S.STATUS_EMPTY
    t.loc[rows, [S.COVERAGE, S.WEIGHT, S.COVERED, S.UNCOVERED, S.NEAREST_M]] = [
        np.nan,
        0.0,
        0.0,
        0.0,
        np.nan,
    ]
    return dataclasses.replace(cov, table=t)


def test_empty_status_in_the_workbook(empty_area_coverage, tmp_path):
    path = tmp_path / "k.xlsx"
    to_excel(empty_area_coverage, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["概要"]
    heads = [c.value for c in ws[4]]
    col = heads.index("対象なしの圏域数") + 1
    assert heads[col - 2] == "充足の圏域数"
    # A11 was 充足 for both categories; now it is counted as 対象なし instead
    assert [ws.cell(5, col - 1).value, ws.cell(5, col).value] == [1, 1]  # 通いの場: 充足 2 → 1
    assert [ws.cell(6, col - 1).value, ws.cell(6, col).value] == [7, 1]  # 配食: 充足 8 → 7
    r = _find_row(ws, 1, "第5区")
    for c in (2, 3):
        assert ws.cell(r, c).value == "対象なし"
        assert ws.cell(r, c).fill.fgColor.rgb.endswith(STATUS_FILLS[S.STATUS_EMPTY])
    assert [ws.cell(r, 4).value, ws.cell(r, 5).value] == [0, 0]  # neither 空白 nor 不足
    area = wb["第5区"]
    assert area["A2"].value.startswith("不足しているサービス: 対象なし（面積(m²)が 0")
    assert [area["B5"].value, area["B6"].value] == ["対象なし", "対象なし"]
    assert area["C5"].value is None  # no coverage share for an area without weight
    # the other areas keep their own note
    assert wb["第7区"]["A2"].value == "不足しているサービス: 通いの場、配食"


def test_every_status_has_a_distinct_fill():
    assert set(STATUS_FILLS) == set(S.STATUS_LABELS)
    assert len(set(STATUS_FILLS.values())) == len(STATUS_FILLS)


def test_empty_status_in_the_geopackage(empty_area_coverage, tmp_path):
    path = tmp_path / "e.gpkg"
    to_geopackage(empty_area_coverage, path)
    areas = gpd.read_file(path, layer="areas").set_index(S.AREA_ID)
    assert areas.loc["A11", "kayoi_no_ba_status"] == "empty"
    assert areas.loc["A11", "kayoi_no_ba_status_ja"] == "対象なし"
    assert areas.loc["A11", "n_empty"] == 2
    assert areas.loc["A11", "n_none"] == 0
    assert areas.loc["A00", "n_empty"] == 0
    assert areas.loc["A11", "missing"] in ("", None)


def test_population_outside_every_area_in_the_workbook(tmp_path):
    from tests.fakes import OUTSIDE_LINE, outside_coverage

    path = tmp_path / "outside.xlsx"
    to_excel(outside_coverage(), path)
    wb = openpyxl.load_workbook(path)
    src = wb["出典・条件"]
    r = _find_row(src, 1, "圏域外の65歳以上人口")
    assert src.cell(r, 2).value == 549
    assert src.cell(r, 2).number_format == "#,##0"
    assert src.cell(r, 3).value == "人（全体の 0.5%）— どの圏域にも含めていません"
    assert OUTSIDE_LINE in wb["概要"].cell(2, 1).value


def test_nothing_outside_adds_no_row(tmp_path):
    from tests.fakes import outside_coverage

    path = tmp_path / "inside.xlsx"
    to_excel(outside_coverage(outside=0.0), path)
    wb = openpyxl.load_workbook(path)
    labels = [c.value for c in wb["出典・条件"]["A"] if c.value]
    assert not any(str(v).startswith("圏域外") for v in labels)
    assert "圏域外" not in wb["概要"].cell(2, 1).value


def test_rejected_sheet_lists_merged_duplicates_and_every_row_is_accounted_for(tmp_path):
    from chiikimap._errors import ChiikimapWarning
    from chiikimap.coverage import analyze
    from chiikimap.io.resources import read_resources
    from tests.fakes import grid_areas, grid_points

    centre = grid_points([(1500, 1500)]).iloc[0]  # the middle of the 3×3 grid
    # row 3 has row 2's 事業所番号 and another service; row 4 has no coordinates
    src = tmp_path / "list.csv"
    src.write_text(
        "事業所番号,名称,種別,緯度,経度\n"
        f"2712400001,サロン中央,通いの場,{centre.y!r},{centre.x!r}\n"
        f"2712400001,サロン中央,配食,{centre.y!r},{centre.x!r}\n"
        "2712400002,座標なし,通いの場,,\n",
        encoding="utf-8",
    )
    with pytest.warns(ChiikimapWarning):
        res = read_resources(src)
    cov = analyze(grid_areas(3), res, weight="area")
    path = tmp_path / "karte.xlsx"
    to_excel(cov, path)
    ws = openpyxl.load_workbook(path)["除外行"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in rows] == [("list.csv", 4), ("list.csv", 3)]
    assert rows[1][2].startswith("重複（事業所番号 2712400001 が同じ: 行 2 に統合")
    assert "名称=サロン中央" in rows[1][3]
    # 3 data rows in the file = 1 resource + 1 rejected + 1 merged
    assert len(cov.resources) + len(rows) == 3


def test_resource_capacity_header_is_per_resource(workbook):
    _, wb = workbook
    assert wb["資源一覧"].cell(1, 7).value == "定員"
    ws = wb["第5区"]
    r = _find_row(ws, 1, "資源ID")
    assert ws.cell(r, 5).value == "定員"
