"""The walking catchment on the interactive map, in headless Chromium with the network blocked."""

from __future__ import annotations

from pathlib import Path

import pytest

import chiikimap
from chiikimap import _schema as S
from tests._maps_helpers import probe_page, run_chromium
from tests.test_network import KEY, PEOPLE, _layers, _town

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

# after the report's first counts: switch the catchment overlay off, then on again, then show
# the overview (no catchment: it belongs to one category)
_TOGGLE = """
  function countCatch() { return document.querySelectorAll('path.ckm-catchment').length; }
  function clickLabel(text) {
    var labels = document.querySelectorAll('.leaflet-control-layers label');
    for (var i = 0; i < labels.length; i++) {
      if (labels[i].textContent.trim() === text) { labels[i].querySelector('input').click(); return true; }
    }
    return false;
  }
  R.catch0 = countCatch();
  R.catchPane = (document.querySelector('path.ckm-catchment') || {parentNode: null}).parentNode
    ? document.querySelector('.leaflet-ckmCatch-pane path.ckm-catchment') !== null : false;
  R.overlayFound = clickLabel('徒歩圏（道のり）');
  R.catchOff = countCatch();
  clickLabel('徒歩圏（道のり）');
  R.catchOn = countCatch();
  clickLabel('概要：不足・空白の種別数');
  R.catchOverview = countCatch();
  R.legendOverview = (document.querySelector('.ckm-legend') || {}).textContent || '';
"""


def _walk_html(tmp_path: Path) -> Path:
    areas, res, pop = _layers(PEOPLE)
    areas.loc[0, S.AREA_NAME] = "<img src=x onerror=alert(1)>"
    walk = chiikimap.analyze(
        areas, res, pop, network=_town(), radius_m={KEY: 800.0}, metric_crs="EPSG:6677"
    )
    out = tmp_path / "walk.html"
    walk.save_html(out, category=KEY, offline=True, tiles=None)
    return out


def test_catchment_layer_is_drawn_switchable_and_follows_the_view(tmp_path: Path) -> None:
    page = _walk_html(tmp_path)
    report = probe_page(page.read_text(encoding="utf-8"), tmp_path, extra_js=_TOGGLE)
    assert report["errors"] == []
    assert report["alerts"] == []
    assert report["imgX"] == 0
    assert "道のりで800m以内" in report["legend"]
    assert report["catch0"] >= 1
    assert report["catchPane"]  # above the area fills, below the markers
    assert report["overlayFound"]
    assert report["catchOff"] == 0
    assert report["catchOn"] == report["catch0"]
    assert report["catchOverview"] == 0
    assert "道のりで800m以内" not in report["legendOverview"]


def test_catchment_screenshot_for_review(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "walking_catchment.png"
    run_chromium(_walk_html(tmp_path), screenshot=shot, window=(1280, 900))
    assert shot.stat().st_size > 10_000
