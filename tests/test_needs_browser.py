"""The priority and 変化 maps in headless Chromium with the network blocked (offline files)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import chiikimap
from chiikimap.maps import needs as N
from tests._maps_helpers import run_chromium
from tests.test_needs import _hand_made

pytestmark = pytest.mark.browser
EVIL = "<img src=x onerror=alert(1)>"


def test_priority_map_draws_offline_with_legend_and_escaped_names(tmp_path: Path) -> None:
    c = _hand_made(tmp_path)
    areas, table = c.areas.copy(), c.table.copy()
    areas.loc[areas["area_id"] == "A10", "area_name"] = EVIL
    table.loc[table["area_id"] == "A10", "area_name"] = EVIL
    c = chiikimap.Coverage(**{**c.__dict__, "areas": areas, "table": table})
    page = tmp_path / "priority.html"
    N.save_priority_html(c, page, "閉じこもり傾向(%)", "houmon_kaigo", offline=True, tiles=None)
    dom, _ = run_chromium(page, window=(1200, 800))
    assert "ckm-needs-legend" in dom
    assert "高ニーズ×不足" in dom
    # the four areas of the gap map and the four of the priority layer are drawn
    fills = re.findall(r'<path[^>]*fill="(#[0-9a-f]{6})"', dom)
    assert fills.count(N.QUADRANT_COLOURS["低ニーズ×不足"]) == 2
    assert fills.count(N.QUADRANT_COLOURS["高ニーズ×不足"]) == 1
    assert '<img src="x"' not in dom
    assert "<img src=x" not in dom


def test_change_map_draws_offline_with_markers(tmp_path: Path) -> None:
    from tests.fakes import grid_areas, grid_population, grid_resources

    areas = grid_areas(2)
    pop = grid_population([(250, 250), (1500, 500), (500, 1500), (1500, 1500)], [100] * 4)
    kw = {"radius_m": 300, "target": 0.8, "categories": "houmon_kaigo"}
    before = chiikimap.analyze(areas, grid_resources([(1500, 1500, ("houmon_kaigo",))]), pop, **kw)
    after = chiikimap.analyze(areas, grid_resources([(250, 250, ("houmon_kaigo",))]), pop, **kw)
    page = tmp_path / "change.html"
    N.save_change_html(before, after, page, offline=True, tiles=None)
    dom, _ = run_chromium(page, window=(1200, 800))
    assert "変化（前回→今回）" in dom
    assert "開設した資源（1）" in dom
    assert "廃止した資源（1）" in dom
    fills = re.findall(r'<path[^>]*fill="(#[0-9a-f]{6})"', dom)
    assert fills.count(N.TREND_COLOURS["improved"]) == 1  # A00: 空白 → 充足
    assert fills.count(N.TREND_COLOURS["worse"]) == 1  # A11: 充足 → 空白


def test_legend_check_box_hides_and_shows_the_priority_layer(tmp_path: Path) -> None:
    from tests._maps_helpers import probe_page

    c = _hand_made(tmp_path)
    page = tmp_path / "priority.html"
    N.save_priority_html(c, page, "閉じこもり傾向(%)", "houmon_kaigo", offline=True, tiles=None)
    js = """
      var red = 'RED';
      function count() { return Array.prototype.filter.call(document.querySelectorAll('path'),
        function (p) { return p.getAttribute('fill') === red; }).length; }
      var box = document.querySelector('.ckm-needs-legend input[type=checkbox]');
      R.before = count();
      box.checked = false; box.dispatchEvent(new Event('change'));
      R.hidden = count();
      box.checked = true; box.dispatchEvent(new Event('change'));
      R.shown = count();
    """.replace("RED", N.QUADRANT_COLOURS["高ニーズ×不足"])
    report = probe_page(page.read_text(encoding="utf-8"), tmp_path, open_popups=False, extra_js=js)
    assert report["errors"] == []
    assert (report["before"], report["hidden"], report["shown"]) == (1, 0, 1)


_LEGENDS_JS = """
  var box = document.querySelector('.ckm-legend');
  R.gap = box ? box.textContent : null;
  R.gapShown = box ? getComputedStyle(box).display !== 'none' : false;
  var own = document.querySelector('.ckm-needs-legend');
  R.own = own ? own.textContent : null;
"""


def test_only_the_overlay_legend_explains_the_area_colours(tmp_path: Path) -> None:
    from tests._maps_helpers import probe_page

    c = _hand_made(tmp_path)
    kw = {"offline": True, "tiles": None}
    c.save_html(tmp_path / "gap.html", category="houmon_kaigo", **kw)
    N.save_priority_html(c, tmp_path / "priority.html", "閉じこもり傾向(%)", "houmon_kaigo", **kw)
    N.save_change_html(c, c, tmp_path / "change.html", category="houmon_kaigo", **kw)
    seen = {}
    for name in ("gap", "priority", "change"):
        html_text = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        folder = tmp_path / name
        folder.mkdir()
        seen[name] = probe_page(html_text, folder, open_popups=False, extra_js=_LEGENDS_JS)
        assert seen[name]["errors"] == [], name
    # the gap map alone: its coverage classes, 空白 and 不足, no overlay legend
    assert "80–100%" in seen["gap"]["gap"]
    assert "空白（圏内に誰も届かない）" in seen["gap"]["gap"]
    assert seen["gap"]["own"] is None
    # the priority and change views: the overlay's legend, none of the coverage classes
    assert "高ニーズ×充足" in seen["priority"]["own"]
    assert "変化（前回→今回）" in seen["change"]["own"]
    for name in ("priority", "change"):
        text = seen[name]["gap"] if seen[name]["gapShown"] else ""
        assert "80–100%" not in text, name
        assert "空白（圏内に誰も届かない）" not in text, name
        assert "不足" not in text, name
