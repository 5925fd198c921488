"""Outputs of needs (issue 14): priority map, print map, 「指標」/「優先圏域」 sheets, GeoPackage."""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pyogrio
import pytest
from openpyxl import load_workbook

import chiikimap
from chiikimap import _needs_excel as NE
from chiikimap.maps import needs as N
from tests.test_needs import _hand_made

SHARE = "閉じこもり傾向(%)"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def cov(tmp_path: Path) -> chiikimap.Coverage:
    return _hand_made(tmp_path)


def test_priority_map_colours_each_area_by_its_quadrant_and_escapes_names(
    tmp_path: Path,
) -> None:
    c = _hand_made(tmp_path)
    areas = c.areas.copy()
    areas.loc[areas["area_id"] == "A10", "area_name"] = EVIL
    c = chiikimap.Coverage(**{**c.__dict__, "areas": areas})
    table = c.table.copy()
    table.loc[table["area_id"] == "A10", "area_name"] = EVIL
    c = chiikimap.Coverage(**{**c.__dict__, "table": table})
    page = tmp_path / "priority.html"
    N.save_priority_html(c, page, SHARE, "houmon_kaigo", offline=True)
    text = page.read_text(encoding="utf-8")
    assert EVIL not in text  # never as markup
    assert html.escape(EVIL, quote=False) in html.unescape(text) or "&lt;img" in text
    fills = re.findall(r'"fillColor": "(#[0-9a-f]{6})"', text)
    # A10 高ニーズ×不足, A11 高ニーズ×充足, A01 and A00 低ニーズ×不足
    expected = [N.QUADRANT_COLOURS[q] for q in ("低ニーズ×不足", "低ニーズ×不足", "高ニーズ×不足")]
    expected.append(N.QUADRANT_COLOURS["高ニーズ×充足"])
    assert sorted(fills) == sorted(expected)
    assert "中央値 25.0% 以上＝高ニーズ" in text
    # the tooltip of 第2区: rank 3, 30 at risk, all 30 out of reach
    assert "3. 第2区" in text
    assert "<b>30</b>" in text


def test_priority_print_map_replaces_the_value_legend(cov: chiikimap.Coverage) -> None:
    fig = N.priority_static_map(cov, SHARE, "houmon_kaigo", paper="A4")
    try:
        shown = [leg for leg in fig.legends if leg.get_visible()]
        # the quadrants in place of the value legend; the category's resources keep theirs
        titles = [leg.get_title().get_text() for leg in shown]
        assert len(shown) == 2
        quadrants = shown[titles.index(next(t for t in titles if t.startswith("優先圏域")))]
        labels = [t.get_text() for t in quadrants.get_texts()]
        assert labels == ["高ニーズ×不足", "低ニーズ×不足", "高ニーズ×充足"]
        assert "中央値 25.0% 以上" in quadrants.get_title().get_text()
        assert "資源（種別ごとの数）" in titles
        assert len(fig.axes) == 1  # the coverage colour bar is gone
    finally:
        plt.close(fig)


def test_priority_sheet_lists_the_ranking_with_source(
    cov: chiikimap.Coverage, tmp_path: Path
) -> None:
    path = tmp_path / "karte.xlsx"
    NE.priority_to_excel(cov, path, SHARE, "houmon_kaigo")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["概要", "優先圏域", "指標"]
    ws = wb["優先圏域"]
    heads = [c.value for c in ws[4]]
    assert heads[:8] == [
        "順位",
        "圏域",
        "区分（ニーズ×充足）",
        "該当割合",
        "基準人口",
        "該当者（推計）",
        "届かない人",
        "届かない該当者（推計）",
    ]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=8)]
    assert [r[1] for r in rows] == ["第3区", "第4区", "第2区", "第1区"]
    assert [r[7] for r in rows] == pytest.approx([20, 0, 30, 20])
    assert ws.cell(5, 4).number_format == "0.0%"
    assert "needs.csv" in str(ws.cell(3, 1).value)  # the indicator's source: its file


def test_indicator_sheet_shows_shares_as_percent(cov: chiikimap.Coverage, tmp_path: Path) -> None:
    path = tmp_path / "karte.xlsx"
    cov.to_excel(path)
    ws = load_workbook(path)["指標"]
    assert [c.value for c in ws[4]] == ["圏域名", "圏域ID", f"{SHARE}（割合）", "認定者数"]
    values = {
        r[1].value: (r[2].value, r[2].number_format, r[3].value) for r in ws.iter_rows(min_row=5)
    }
    assert values["A10"] == (pytest.approx(0.4), "0.0%", 9)
    assert values["A00"][0] == pytest.approx(0.2)


def test_geopackage_carries_the_indicators(cov: chiikimap.Coverage, tmp_path: Path) -> None:
    path = tmp_path / "gaps.gpkg"
    cov.to_geopackage(path)
    areas = pyogrio.read_dataframe(path, layer="areas").set_index("area_id")
    assert areas.loc["A10", SHARE] == pytest.approx(0.4)
    assert areas.loc["A01", "認定者数"] == 12
    gaps = pyogrio.read_dataframe(path, layer="gaps", read_geometry=False).set_index("area_id")
    assert gaps.loc["A01", f"{SHARE}_at_risk_uncovered"] == pytest.approx(30)
    sources = pyogrio.read_dataframe(path, layer="sources", read_geometry=False)
    assert "indicators" in set(sources["layer"])


def test_indicator_source_with_survey_year_is_credited(tmp_path: Path) -> None:
    p = tmp_path / "needs.csv"
    p.write_text("圏域名,転倒リスク(%)\n第1区,30\n第2区,20\n", encoding="utf-8")
    src = chiikimap.Source("介護予防・日常生活圏域ニーズ調査", "テスト市", "2022")
    with pytest.warns(chiikimap.ChiikimapWarning, match="割合"):
        table = chiikimap.read_indicators(p, source=src)
    from tests.fakes import grid_areas, grid_population, grid_resources

    areas = grid_areas(2)
    pop = grid_population([(500, 500)], [10])
    res = grid_resources([(250, 250, ("houmon_kaigo",))])
    with pytest.warns(chiikimap.ChiikimapWarning) as record:
        c = chiikimap.analyze(areas, res, pop, categories="houmon_kaigo", indicators=table)
    assert any("値のない圏域" in str(w.message) for w in record)
    lines = c.info.source_lines
    assert "指標: 介護予防・日常生活圏域ニーズ調査（テスト市）（2022）" in lines


def test_area_sheet_lists_the_area_indicators(cov: chiikimap.Coverage, tmp_path: Path) -> None:
    path = tmp_path / "karte.xlsx"
    cov.to_excel(path)
    ws = load_workbook(path)["第3区"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "この圏域の指標")
    assert rows[start + 1][:2] == ["指標", "値"]
    assert rows[start + 2][:3] == [SHARE, pytest.approx(0.4), pytest.approx(20)]  # 50 × 40 %
    assert rows[start + 3][:2] == ["認定者数", 9]
    assert ws.cell(start + 3, 2).number_format == "0.0%"
