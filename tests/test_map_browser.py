"""The gap map in a real browser: headless Chromium with every network request blocked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from chiikimap import _schema as S
from chiikimap.maps.interactive import save_html
from tests._maps_helpers import many_category_coverage, overlap_px, probe_page, run_chromium
from tests.fakes import fake_coverage, grid_points

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
    assert report["noLib"] == []  # Leaflet is inlined: the no-internet note stays hidden
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


def _crowded_coverage() -> Any:
    """fake_coverage plus 30 サロン 5 m apart in 第5区: they must form a cluster bubble."""
    cov = fake_coverage()
    extra = cov.resources.iloc[[0] * 30].copy()
    extra[S.RESOURCE_ID] = [f"X{i}" for i in range(30)]
    extra = extra.set_geometry(grid_points([(1400.0 + 5 * i, 1400.0) for i in range(30)]).values)
    cov.resources = pd.concat([cov.resources, extra], ignore_index=True)
    return cov


def test_clusters_are_neutral_bubbles_under_the_labels(tmp_path: Path) -> None:
    page = _offline(tmp_path, _crowded_coverage(), tiles=None, cluster=True)
    report = probe_page(page, tmp_path, open_popups=False)
    assert report["errors"] == []
    assert report["clusters"] >= 1
    assert report["defaultClusters"] == 0  # no green/yellow/orange MarkerCluster bubbles
    for c in report["clusterStyle"]:
        assert c["bg"] == "rgba(38, 50, 80, 0.78)"
        assert c["color"] == "rgb(255, 255, 255)"
        assert c["w"] <= 32
    # area names are drawn above markers and clusters, under tooltips
    panes = report["panes"]
    assert panes["markerPane"] < panes["ckmLabels"] < panes["tooltipPane"]
    assert "近くの社会資源の数" in report["legend"]


def test_screenshots_for_review(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for name, coverage, window, kwargs in (
        ("gap_map_overview.png", fake_coverage(), (1280, 900), {}),
        ("gap_map_kayoi_no_ba.png", fake_coverage(), (1280, 900), {"category": "kayoi_no_ba"}),
        ("gap_map_25_categories.png", many_category_coverage(25), (1280, 800), {}),
    ):
        page = tmp_path / name.replace(".png", ".html")
        save_html(coverage, page, offline=True, tiles=None, **kwargs)
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        run_chromium(page, screenshot=shot, window=window)
        assert shot.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("n_categories", "window"),
    [(15, (1280, 800)), (25, (1280, 800)), (25, (1400, 1000))],
)
def test_controls_never_overlap(tmp_path: Path, n_categories: int, window: tuple[int, int]) -> None:
    page = _offline(tmp_path, many_category_coverage(n_categories), cluster=False)
    report = probe_page(page, tmp_path, open_popups=False, window=window)
    assert report["errors"] == []
    assert len(report["views"]) == n_categories + 1
    r = report["rects"]
    # right column: the view list, then the legend under it, both above the attribution line
    assert overlap_px(r["views"], r["legend"]) == 0
    assert r["views"]["bottom"] <= r["legend"]["top"]
    assert r["legend"]["bottom"] <= r["attribution"]["top"]
    assert r["views"]["bottom"] <= report["window"][1]
    # every view stays reachable: the radio list scrolls, the overlay check boxes stay visible
    scroll_h, client_h = report["viewsScroll"]
    assert client_h > 0
    assert scroll_h >= (n_categories + 1) * 15  # every radio row is in the (scrolling) list
    assert client_h + r["views"]["top"] <= r["views"]["bottom"]
    assert report["overlaysVisible"] == [True, True]  # 背景地図, 圏域名
    # bottom left: the sources box sits above the scale bar; nothing touches the title or zoom
    assert overlap_px(r["info"], r["scale"]) == 0
    assert r["info"]["bottom"] <= r["scale"]["top"]
    assert overlap_px(r["info"], r["attribution"]) == 0
    for name in ("views", "legend"):
        assert overlap_px(r[name], r["title"]) == 0
    assert overlap_px(r["info"], r["zoom"]) == 0
    # the short attribution line: tile credit and a pointer to the sources box
    assert "地理院タイル" in report["attribution"]
    assert "出典: 左下を参照" in report["attribution"]
    assert "長い出典の名前0" not in report["attribution"]
    assert "長い出典の名前4（公開元の正式名称を含む）（発行者）（CC BY 4.0）" in report["info"]


def test_empty_area_is_grey_and_says_no_target(tmp_path: Path) -> None:
    cov = fake_coverage()
    rows = cov.table[S.AREA_ID] == "A11"  # 第5区
    cov.table.loc[rows, S.STATUS] = S.STATUS_EMPTY
    cov.table.loc[rows, [S.COVERAGE, S.COVERED, S.UNCOVERED]] = float("nan")
    overview = probe_page(_offline(tmp_path, cov, tiles=None), tmp_path)
    assert overview["errors"] == []
    assert overview["areasEmpty"] == 1
    tip = overview["tooltips"][4]["text"]
    assert tip.startswith("第5区")
    assert "対象なし（基準の人口が0のため判定なし）" in tip
    assert "すべての種別が目標を満たしています" not in tip
    assert "対象なし" in overview["legend"]
    view = probe_page(_offline(tmp_path, cov, tiles=None, category="kayoi_no_ba"), tmp_path)
    assert view["areasEmpty"] == 1
    assert view["areasNone"] == 5  # unchanged: 第5区 was ok, not none
    assert "通いの場: 対象なし" in view["tooltips"][4]["text"]
    assert "対象なし" in view["legend"]
    # other areas are unaffected: no empty row in a legend where no area is empty
    plain = probe_page(_offline(tmp_path, tiles=None), tmp_path, open_popups=False)
    assert plain["areasEmpty"] == 0
    assert "対象なし" not in plain["legend"]


def test_online_file_works_the_same_with_its_cdn_assets(tmp_path: Path) -> None:
    """The online file, with each CDN URL pointed at the same file of the installed package."""
    from chiikimap.maps._offline import CSS_ASSETS, JS_ASSETS, _data_dir

    out = tmp_path / "online.html"
    save_html(fake_coverage(), out, tiles=None)
    page = out.read_text(encoding="utf-8")
    linked = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)
    assets = {url: (pkg, name) for url, pkg, name in [*JS_ASSETS.values(), *CSS_ASSETS.values()]}
    assert len(linked) == 4
    assert set(linked) <= set(assets)  # nothing else: no jQuery, no Bootstrap
    for url in linked:
        pkg, name = assets[url]
        page = page.replace(url, (_data_dir(pkg) / name).as_uri())
    online = probe_page(page, tmp_path)
    offline = probe_page(_offline(tmp_path, tiles=None), tmp_path)
    assert online["errors"] == []
    assert online["noLib"] == []
    for key in ("areas", "markers", "labels", "views", "legend", "title", "info", "tooltips"):
        assert online[key] == offline[key], key
    assert online["rects"] == offline["rects"]


def test_online_file_without_internet_says_to_open_the_offline_file(tmp_path: Path) -> None:
    """An LGWAN PC: the CDN is unreachable, so the page shows the Japanese note, not a blank page."""
    from chiikimap.maps._nolib import NO_LIBRARY_TEXT

    out = tmp_path / "online.html"
    save_html(fake_coverage(), out)
    report = probe_page(out.read_text(encoding="utf-8"), tmp_path)
    assert not report["hasMap"]
    assert any("leaflet" in e for e in report["errors"])  # the CDN request did fail
    assert len(report["noLib"]) == 1
    note = report["noLib"][0]
    assert note.startswith("地図を表示できません。")
    assert "オフライン版" in note
    assert "_offline.html" in note
    assert note.index("地図を表示できません") < note.index("The map cannot be shown")
    assert note == NO_LIBRARY_TEXT[0] + NO_LIBRARY_TEXT[1]


# Drives the search box and the area panel like a user would (typing, clicking), then reads them.
_DRIVE_UI = """
    R.ui = {};
    (function () {
      function texts(sel) {
        return Array.prototype.map.call(document.querySelectorAll(sel), function (n) { return n.textContent; });
      }
      function type(q) {
        var input = document.querySelector('.ckm-search-input');
        input.value = q;
        input.dispatchEvent(new Event('input'));
        return texts('.ckm-search-results li');
      }
      R.ui.hitsAddress = type('枚方市３－３');
      R.ui.hitsName = type('配食');
      document.querySelector('.ckm-search-results button').click();
      var found = document.querySelector('.ckm-found');
      R.ui.popup = found ? found.textContent : null;
      R.ui.zoom = map.getZoom();
      var c = map.getCenter();
      R.ui.center = [c.lat, c.lng];
      R.ui.hitsXss = type('<img');
      R.ui.hitsNone = type('存在しない名前');
      map.closePopup();
      var path = document.querySelectorAll('path.ckm-area')[%(area)d];
      var box = path.getBoundingClientRect();
      path.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true,
        clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}));
      var panel = document.querySelector('.ckm-panel');
      R.ui.panelShown = panel.style.display !== 'none';
      R.ui.panelName = (panel.querySelector('.ckm-panel-name') || {}).textContent;
      R.ui.lacking = texts('.ckm-panel .ckm-lack li');
      R.ui.groups = texts('.ckm-panel h5');
      R.ui.listed = texts('.ckm-panel .ckm-res-list li');
      R.ui.table = texts('.ckm-panel details tr');
      R.ui.outlines = document.querySelectorAll('path.ckm-outline').length;
      var first = panel.querySelector('.ckm-res-list button');
      if (first) {
        first.click();
        var f2 = document.querySelector('.ckm-found');
        R.ui.panelPopup = f2 ? f2.textContent : null;
      }
      R.ui.imgX = document.querySelectorAll('img[src="x"]').length;
    })();
"""


def _search_coverage() -> Any:
    """fake_coverage with an XSS payload as a resource name and as the name of 第9区 (A22)."""
    cov = fake_coverage([XSS_IMG, "サロン東", XSS_JS, "配食ひかり"])
    cov.areas.loc[8, S.AREA_NAME] = XSS_IMG
    return cov


def test_search_and_area_panel_work_offline_and_show_payloads_as_text(tmp_path: Path) -> None:
    page = _offline(tmp_path, _search_coverage())  # default tiles: blocked like every request
    report = probe_page(page, tmp_path, extra_js=_DRIVE_UI % {"area": 8})
    assert report["errors"] == []
    assert report["alerts"] == []
    ui = report["ui"]
    # full-width 「枚方市３－３」 finds the address 枚方市3-3 (NFKC), with the resource's area
    assert ui["hitsAddress"] == [XSS_JS + "枚方市3-3 ・ 第6区"]
    # a name search; choosing the hit zooms in to 17 (clusters split) and opens its popup
    assert ui["hitsName"] == ["配食ひかり枚方市4-4 ・ " + XSS_IMG]
    assert ui["popup"].startswith("配食ひかり提供サービス配食、見守り住所枚方市4-4")
    assert ui["zoom"] == 17
    assert ui["center"] == pytest.approx([34.812832, 135.683361], abs=1e-5)
    # the payload is found as text: one area and one resource
    assert ui["hitsXss"] == [XSS_IMG + "圏域", XSS_IMG + "枚方市1-1 ・ 第5区"]
    assert ui["hitsNone"] == ["見つかりません"]
    # clicking 第9区 (named with the payload): lacking services with figures, resources by category
    assert ui["panelShown"]
    assert ui["panelName"] == XSS_IMG
    assert ui["lacking"] == ["通いの場: 徒歩800m圏の面積 50%（目標80%） 不足"]
    assert ui["groups"] == ["配食（1件）", "見守り（1件）"]  # 配食ひかり offers both
    assert ui["listed"] == ["配食ひかり", "配食ひかり"]
    assert ui["table"] == ["種別カバー率目標判定", "通いの場50%80%不足", "配食100%80%充足"]
    assert ui["outlines"] == 1
    assert ui["panelPopup"].startswith("配食ひかり")
    assert ui["imgX"] == 0
    assert report["imgXAfter"] == 0


def test_area_panel_lists_none_before_gap(tmp_path: Path) -> None:
    """第7区 (A20): 通いの場 空白 (0%) is listed before 配食 不足 (60%); it has no resources."""
    report = probe_page(_offline(tmp_path, tiles=None), tmp_path, extra_js=_DRIVE_UI % {"area": 6})
    ui = report["ui"]
    assert report["errors"] == []
    assert ui["panelName"] == "第7区"
    assert ui["lacking"] == [
        "通いの場: 徒歩800m圏の面積 0%（目標80%） 空白",
        "配食: 半径3km圏の面積 60%（目標80%） 不足",
    ]
    assert ui["groups"] == []
    assert "panelPopup" not in ui


# clicks the area named 東香会 and reads its panel into the probe's report (when there is one)
_CLICK_TOKOKAI = """
    var report = window.__ckmProbe || {};
    var names = Array.prototype.map.call(document.querySelectorAll('.ckm-label span'),
      function (n) { return n.textContent; });
    var path = document.querySelectorAll('path.ckm-area')[names.indexOf('東香会')];
    var box = path.getBoundingClientRect();
    path.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true,
      clientX: box.left + box.width / 2, clientY: box.top + box.height / 2}));
    map.eachLayer(function (l) { if (l.closeTooltip) { l.closeTooltip(); } });
    report.panel = {
      name: document.querySelector('.ckm-panel-name').textContent,
      lacking: Array.prototype.map.call(document.querySelectorAll('.ckm-panel .ckm-lack li'),
        function (n) { return n.textContent; }),
      groups: Array.prototype.map.call(document.querySelectorAll('.ckm-panel h5'),
        function (n) { return n.textContent; }),
      listed: document.querySelectorAll('.ckm-panel .ckm-res-list li').length
    };
"""


def test_demo_map_of_the_hirakata_sample(tmp_path: Path) -> None:
    """The map a council sees: the real 枚方市 sample, offline, network blocked, screenshot kept."""
    import warnings

    import chiikimap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's duplicate rows are reported elsewhere
        s = chiikimap.load_sample("hirakata")
    cov = chiikimap.analyze(s.areas, s.resources, s.population)
    page = tmp_path / "hirakata_offline.html"
    save_html(cov, page, offline=True, title="枚方市 日常生活圏域別 介護資源の空白・不足")
    report = probe_page(page.read_text(encoding="utf-8"), tmp_path, extra_js=_CLICK_TOKOKAI)
    assert report["errors"] == []
    assert report["areas"] == 13
    assert sorted(report["labels"]) == sorted(s.areas["area_name"])
    # 792 resources are clustered: every one is in a marker or counted in a cluster bubble
    assert report["clusters"] > 0
    assert report["markers"] + sum(report["clusterCounts"]) == len(s.resources)
    # 東香会 lacks the most services: its tooltip lists them, 地域包括支援センター among them
    tip = next(t["text"] for t in report["tooltips"] if t["text"].startswith("東香会"))
    assert "地域包括支援センター" in tip
    # its panel lists the same lacking services with the same figures, and its resources
    panel = report["panel"]
    assert panel["name"] == "東香会"
    assert len(panel["lacking"]) >= 2
    assert "".join(panel["lacking"]) in tip.replace("足りないサービス:", "")
    assert panel["groups"][0] == "地域包括支援センター（1件）"
    n_listed = sum(int(g.split("（")[-1].rstrip("件）")) for g in panel["groups"])
    assert n_listed == panel["listed"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "demo_hirakata_overview.png"
    shot.unlink(missing_ok=True)
    run_chromium(page, screenshot=shot, window=(1400, 1000))
    assert shot.stat().st_size > 50_000
    # the same map with 東香会's panel open and a search typed, for review
    opened = tmp_path / "hirakata_panel.html"
    script = "<script>window.addEventListener('load', function () { setTimeout(function () {"
    script += "var map = null; Object.keys(window).forEach(function (k) {"
    script += " if (k.indexOf('map_') === 0 && window[k] instanceof L.Map) { map = window[k]; } });"
    script += _CLICK_TOKOKAI + "var input = document.querySelector('.ckm-search-input');"
    script += "input.value = 'デイ 津田'; input.dispatchEvent(new Event('input'));"
    script += "}, 1000); });</script>"
    opened.write_text(
        page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8"
    )
    shot = ARTIFACTS / "demo_hirakata_panel.png"
    shot.unlink(missing_ok=True)
    run_chromium(opened, screenshot=shot, window=(1400, 1000))
    assert shot.stat().st_size > 50_000


def test_town_point_markers_are_hollow_and_the_legend_says_so(tmp_path: Path) -> None:
    cov = fake_coverage()
    levels = [None] * len(cov.resources)
    levels[0] = "町丁目"  # the first resource was placed at its town's point only
    cov.resources = cov.resources.assign(geocode_level=pd.Series(levels, dtype=object).to_numpy())
    report = probe_page(_offline(tmp_path, cov, tiles=None), tmp_path)
    assert report["errors"] == []
    assert "位置は町丁目の代表点（概略）" in report["legend"]
    plain = probe_page(_offline(tmp_path, fake_coverage(), tiles=None), tmp_path)
    assert "位置は町丁目の代表点" not in plain["legend"]
