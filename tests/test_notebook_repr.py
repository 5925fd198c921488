"""Notebook display of a Coverage: escaped, coloured, bounded."""

from __future__ import annotations

import dataclasses

from chiikimap import _schema as S
from chiikimap.notebook import coverage_html
from tests.fakes import fake_coverage

_XSS = "<img src=x onerror=alert(1)>"


def _renamed(cov, area_id: str, name: str):
    areas = cov.areas.copy()
    areas.loc[areas[S.AREA_ID] == area_id, S.AREA_NAME] = name
    table = cov.table.copy()
    table.loc[table[S.AREA_ID] == area_id, S.AREA_NAME] = name
    return dataclasses.replace(cov, areas=areas, table=table)


def test_every_data_value_is_escaped():
    cov = _renamed(fake_coverage(), "A00", _XSS)
    src = S.Source("<script>alert('src')</script>", "市 & 社協", "2026", "CC BY 4.0")
    cov = dataclasses.replace(cov, info=dataclasses.replace(cov.info, sources=(src,)))
    html = cov._repr_html_()
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#x27;src&#x27;)&lt;/script&gt;（市 &amp; 社協）" in html


def test_status_colours_and_summary_figures():
    html = coverage_html(fake_coverage())
    # 通いの場: 5 空白, 2 不足, 2 充足; 配食: 1 不足, 8 充足 (tests/fakes.py)
    assert html.count("background:#f4a6a6'>空白<") == 5
    assert html.count("background:#ffe699'>不足<") == 3
    assert html.count("background:#c6e0b4'>充足<") == 10
    # coverage over the whole grid: 2.8 of 9 km² and 8.6 of 9 km²
    assert "31.1%" in html
    assert "95.6%" in html
    assert "通いの場 800 m・目標 80%" in html
    assert "テスト用の架空データ（chiikimap）" in html


def test_output_is_bounded():
    html = coverage_html(fake_coverage(), max_areas=4)
    assert html.count("<th style='text-align:left'>") == 4
    assert "ほか 5 圏域は省略しました（全 9 圏域）" in html
    assert "第4区" in html
    assert "第5区" not in html


def test_population_outside_every_area_is_shown():
    from tests.fakes import OUTSIDE_LINE, outside_coverage

    assert OUTSIDE_LINE in coverage_html(outside_coverage())
    # nothing outside: no line
    assert "圏域外の65歳以上人口" not in coverage_html(outside_coverage(outside=0.0))
    assert "圏域外の" not in coverage_html(fake_coverage())
    html = coverage_html(outside_coverage(weight_label="<i>65歳以上</i>"))
    assert "<i>" not in html
    assert "圏域外の&lt;i&gt;65歳以上&lt;/i&gt;: 549 人（0.5%）" in html
