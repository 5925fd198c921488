"""The gap map in a real browser: headless Chromium with every network request blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chiikimap import _schema as S
from chiikimap.maps.interactive import save_html
from tests._maps_helpers import probe_page, run_chromium
from tests.fakes import fake_coverage

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_JS = "'); alert(1); //"


def _offline(tmp_path: Path, coverage: Any = None, **kwargs: Any) -> str:
    out = tmp_path / "map.html"
    save_html(coverage if coverage is not None else fake_coverage(), out, offline=True, **kwargs)
    return out.read_text(encoding="utf-8")


def test_offline_map_draws_areas_labels_markers_without_errors(tmp_path: Path) -> None:
    report = probe_page(_offline(tmp_path, tiles=None), tmp_path)
    assert report["errors"] == []
    assert report["hasMap"]
    assert report["areas"] == 9
    assert report["markers"] == 4
    assert report["labels"] == [f"第{i}区" for i in range(1, 10)]
    assert report["views"] == ["概要：不足・空白の種別数", "通いの場", "配食"]
    assert "不足・空白の種別数" in report["legend"]
    assert "通いの場" in report["legend"]
    # the hover text of 第7区 (A20) lists both lacking services, 空白 first
    tip = report["tooltips"][6]["text"]
    assert tip.startswith("第7区")
    assert "通いの場: 徒歩800m圏の面積 0%（目標80%） 空白" in tip
    assert "配食: 半径3km圏の面積 60%（目標80%） 不足" in tip
    assert tip.index("通いの場") < tip.index("配食")


def test_category_view_marks_none_areas_and_shows_only_its_resources(tmp_path: Path) -> None:
    report = probe_page(_offline(tmp_path, tiles=None, category="kayoi_no_ba"), tmp_path)
    assert report["errors"] == []
    # fakes: 通いの場 is none in 5 areas and gap in 2; two resources offer it
    assert report["areasNone"] == 5
    assert report["areasGap"] == 2
    assert report["markers"] == 2
    assert "通いの場：カバー率" in report["legend"]


def test_with_tile_layer_blocked_the_map_is_still_drawn(tmp_path: Path) -> None:
    report = probe_page(_offline(tmp_path), tmp_path)  # default 地理院タイル, network blocked
    assert report["errors"] == []
    assert report["areas"] == 9
    assert report["markers"] == 4
    assert len(report["labels"]) == 9


def test_xss_payloads_show_as_text_and_run_nothing(tmp_path: Path) -> None:
    cov = fake_coverage([XSS_IMG, XSS_JS, "サロン東", "配食ひかり"])
    cov.areas.loc[0, S.AREA_NAME] = XSS_IMG
    cov.areas.loc[1, S.AREA_NAME] = XSS_JS
    report = probe_page(_offline(tmp_path, cov, tiles=None, title=XSS_JS), tmp_path)
    assert report["alerts"] == []
    assert report["errors"] == []
    assert report["imgX"] == 0
    assert report["imgXAfter"] == 0
    assert report["labels"][:2] == [XSS_IMG, XSS_JS]
    assert report["title"].startswith(XSS_JS)
    popup_texts = [p["text"] for p in report["popups"]]
    assert any(t.startswith(XSS_IMG) for t in popup_texts)
    assert any(t.startswith(XSS_JS) for t in popup_texts)
    assert report["tooltips"][0]["text"].startswith(XSS_IMG)
    assert "&lt;img src=x onerror=alert(1)&gt;" in report["popups"][0]["html"]


def test_clustered_markers_render(tmp_path: Path) -> None:
    report = probe_page(_offline(tmp_path, tiles=None, cluster=True), tmp_path, open_popups=False)
    assert report["errors"] == []
    # four resources drawn either as markers or inside cluster bubbles
    assert report["markers"] + report["clusters"] >= 1
    assert report["markers"] <= 4


def test_screenshots_for_review(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, kwargs in (
        ("gap_map_overview.png", {}),
        ("gap_map_kayoi_no_ba.png", {"category": "kayoi_no_ba"}),
    ):
        page = tmp_path / name.replace(".png", ".html")
        save_html(fake_coverage(), page, offline=True, tiles=None, **kwargs)
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        run_chromium(page, screenshot=shot)
        assert shot.stat().st_size > 10_000
