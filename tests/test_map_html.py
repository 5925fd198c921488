"""Rendered-HTML checks of the interactive gap map (no browser; see test_map_browser.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapError
from chiikimap._style import OVERVIEW_REDS as _OVERVIEW_REDS
from chiikimap._style import OVERVIEW_ZERO as _OVERVIEW_ZERO
from chiikimap.maps._geometry import display_geometries
from chiikimap.maps.interactive import gap_map, save_html
from tests.fakes import GRID_CRS, fake_coverage

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_JS = "'); alert(1); //"


def _html(coverage: Any = None, **kwargs: Any) -> str:
    m = gap_map(coverage if coverage is not None else fake_coverage(), **kwargs)
    return m.get_root().render()


def _data(page: str) -> dict[str, Any]:
    """The JSON literal the map script draws from."""
    m = re.search(r"var D = (\{.*?\});\n", page)
    assert m, "map data literal not found"
    return json.loads(m.group(1))


def _xss_coverage() -> Any:
    cov = fake_coverage([XSS_IMG, XSS_JS, "サロン東", "配食ひかり"])
    cov.areas.loc[0, S.AREA_NAME] = XSS_IMG
    cov.areas.loc[1, S.AREA_NAME] = XSS_JS
    return cov


def test_views_one_per_analysed_category_plus_overview() -> None:
    d = _data(_html(tiles=None))
    assert [v["name"] for v in d["views"]] == ["概要：不足・空白の種別数", "通いの場", "配食"]
    assert len(d["areas"]["features"]) == 9
    assert len(d["res"]) == 4
    # mimamori is not analysed but a resource offers it: it gets a marker style, not a view
    assert [c["key"] for c in d["cats"]] == ["kayoi_no_ba", "haishoku", "mimamori"]


def test_category_option_selects_that_view() -> None:
    d = _data(_html(tiles=None, category="haishoku"))
    assert d["views"][d["start"]]["name"] == "配食"
    assert d["views"][0]["name"] == "概要：不足・空白の種別数"


def test_overview_counts_and_colours_follow_the_hand_made_statuses() -> None:
    # fakes: 通いの場 none in A00 A01 A02 A10 A20, gap in A21 A22, ok in A11 A12;
    # 配食 gap only in A20  ->  lacking counts row-major:
    expected = [1, 1, 1, 1, 0, 0, 2, 1, 1]
    d = _data(_html(tiles=None))
    assert [a["n"] for a in d["area"]] == expected
    colours = {a["n"]: a["color"] for a in d["area"]}
    assert colours[0] == _OVERVIEW_ZERO
    # two categories: classes 0, 1, 2 -> lightest and darkest red for 1 and 2
    assert colours[1] == _OVERVIEW_REDS[0]
    assert colours[2] == _OVERVIEW_REDS[-1]
    assert [a["st"][:2] for a in d["area"]][6] == ["n", "g"]  # A20
    assert d["area"][7]["cov"][0] == 30  # A21 通いの場 0.3


def test_legend_entries() -> None:
    d = _data(_html(tiles=None))
    assert "不足・空白の種別数" in d["legend"]["overview"]
    assert "（全2種別中）" in d["legend"]["overview"]
    for entry in (">0<", ">1<", ">2<"):
        assert entry in d["legend"]["overview"]
    assert "80–100%" in d["legend"]["ramp"]
    assert "空白" in d["legend"]["none"]
    # the resource legend lists the categories of the markers, each with the number of
    # resources that have it (as the table counts them): 通いの場 2, 配食 2 (R1, and R3 whose
    # marker is 配食 too); 見守り (R3's second category, not analysed) has no marker of its own
    assert d["present"] == [0, 1]
    assert [c["n"] for c in d["cats"]] == ["（2）", "（2）", "（1）"]


def test_legend_counts_every_category_of_a_resource_and_states_unassigned() -> None:
    cov = fake_coverage()
    res = cov.resources.copy()
    # R0 gets a second analysed category (配食) and R2 lies in no area
    res.at[0, "categories"] = ("kayoi_no_ba", "haishoku")
    res.at[2, "area_id"] = None
    cov = dataclasses.replace(cov, resources=res)
    d = _data(_html(cov, tiles=None))
    assert d["present"] == [0, 1]
    assert [c["n"] for c in d["cats"][:2]] == ["（2、うち圏域外 1）", "（3）"]


def test_tooltip_line_for_population_basis_reads_like_the_issue() -> None:
    cov = fake_coverage()
    cov.info = dataclasses.replace(
        cov.info, basis="population", weight="pop_65plus", weight_label="65歳以上人口"
    )
    d = _data(_html(cov, tiles=None))
    assert d["cats"][0]["prefix"] == "通いの場: 徒歩800m圏の65歳以上"
    assert d["cats"][0]["target"] == 80
    assert d["cats"][1]["prefix"] == "配食: 半径3km圏の65歳以上"
    assert d["area"][0]["basis"] == "基準: 65歳以上人口 1,000,000人"


def test_english_labels() -> None:
    d = _data(_html(tiles=None, lang="en"))
    assert [v["name"] for v in d["views"]][1] == "Community gathering place"
    assert d["text"]["none"] == "none"


def test_payloads_are_escaped_everywhere() -> None:
    page = _html(_xss_coverage(), tiles=None, title=XSS_IMG)
    assert XSS_IMG not in page
    assert XSS_JS not in page
    d = _data(page)
    assert d["res"][0][4] == "&lt;img src=x onerror=alert(1)&gt;"
    assert d["res"][1][4] == "&#x27;); alert(1); //"
    assert d["area"][0]["name"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert d["title"].startswith("&lt;img src=x onerror=alert(1)&gt;")
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_raw_html_only_on_opt_in() -> None:
    d = _data(_html(tiles=None, note_html="<i>作成: 地域包括</i>"))
    assert "<small><i>作成: 地域包括</i></small>" in d["title"]


def test_tile_attributions() -> None:
    gsi = _html(tiles="gsi_pale")
    assert "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png" in gsi
    assert _data(gsi)["tile"]["attribution"] == (
        '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank" '
        'rel="noopener">地理院タイル</a>'
    )
    std = _data(_html(tiles="gsi_std"))["tile"]
    assert "/xyz/std/" in std["url"]
    assert "地理院タイル" in std["attribution"]
    osm = _data(_html(tiles="osm"))["tile"]
    assert "tile.openstreetmap.org" in osm["url"]
    assert osm["attribution"].startswith('&copy; <a href="https://www.openstreetmap.org/copyright"')
    assert osm["attribution"].endswith("contributors")
    none = _html(tiles=None)
    assert _data(none)["tile"] is None
    assert "cyberjapandata" not in none


def test_data_sources_and_date_are_shown() -> None:
    d = _data(_html(tiles=None))
    # the attribution line only points to the sources box, which has the full credit lines
    assert d["attribution"] == "出典: 左下を参照"
    assert "テスト用の架空データ（chiikimap）（CC0）" in d["info"]
    assert "データ基準日: 2026-01-01" in d["info"]
    assert "データ基準日: 2026-01-01" in d["title"]


def test_attribution_stays_short_with_many_sources() -> None:
    cov = fake_coverage()
    many = tuple(
        S.Source(f"とても長い出典の名前その{i}", "某省", "", "CC BY 4.0") for i in range(8)
    )
    cov.info = dataclasses.replace(cov.info, sources=many)
    gsi = _data(_html(cov, tiles="gsi_pale"))
    assert gsi["attribution"] == "出典: 左下を参照"
    assert "地理院タイル" in gsi["tile"]["attribution"]
    for i in range(8):
        assert f"とても長い出典の名前その{i}（某省）（CC BY 4.0）" in gsi["info"]
    assert _data(_html(cov, tiles=None, lang="en"))["attribution"] == (
        "sources: see box at lower left"
    )
    cov.info = dataclasses.replace(cov.info, sources=())
    assert _data(_html(cov, tiles=None))["attribution"] == ""


def _empty_area_coverage() -> Any:
    """fake_coverage with 第5区 (A11) emptied: weight 0, status ``empty`` in both categories."""
    cov = fake_coverage()
    t = cov.table
    rows = t[S.AREA_ID] == "A11"
    t.loc[rows, S.STATUS] = S.STATUS_EMPTY
    t.loc[rows, [S.COVERAGE, S.COVERED, S.UNCOVERED]] = float("nan")
    t.loc[rows, S.WEIGHT] = 0.0
    return cov


def test_empty_status_is_grey_and_not_counted_as_lacking() -> None:
    from chiikimap._style import EMPTY_COLOUR as _EMPTY_COLOUR

    d = _data(_html(_empty_area_coverage(), tiles=None))
    a11 = d["area"][4]
    assert a11["name"] == "第5区"
    assert a11["st"] == ["e", "e", "-"]  # mimamori: a marker style only, not analysed
    assert a11["cov"] == [None, None, None]
    assert a11["n"] == 0  # not lacking ...
    assert a11["color"] == _EMPTY_COLOUR  # ... and not shown as the green "0 lacking" class
    assert a11["color"] != _OVERVIEW_ZERO
    assert d["emptyColor"] == _EMPTY_COLOUR
    assert d["text"]["empty"] == "対象なし"
    assert "対象なし" in d["legend"]["empty"]
    # the other areas keep their hand-made statuses
    assert [a["n"] for a in d["area"]] == [1, 1, 1, 1, 0, 0, 2, 1, 1]
    assert d["area"][5]["st"] == ["o", "o", "-"]


def test_clusters_are_styled_neutrally() -> None:
    page = _html(tiles=None, cluster=True)
    assert "iconCreateFunction: clusterIcon" in page
    assert "className: 'ckm-cluster'" in page
    # the default green/yellow/orange bubbles would read like the overview classes
    assert "MarkerCluster.Default.css" not in page
    assert "marker-cluster-small" not in page
    css = re.search(r"\.ckm-cluster,\.ckm-cluster-key\{([^}]*)\}", page)
    assert css
    assert "background:rgba(38,50,80,.78)" in css.group(1)
    assert "color:#fff" in css.group(1)


def test_labels_are_drawn_above_markers() -> None:
    page = _html(tiles=None)
    found = re.search(r"getPane\('ckmLabels'\)\.style\.zIndex = (\d+)", page)
    assert found
    z = int(found.group(1))
    # Leaflet panes: markers 600, tooltips 650
    assert 600 < z < 650
    assert "text-shadow:-2px 0 0 #fff" in page


def test_views_and_legend_share_the_top_right_column() -> None:
    page = _html(tiles=None)
    assert "L.control({position: 'topright'})" in page
    assert "position: 'bottomright'" not in page
    # the view control is added first, so the legend sits under it in the same flex column
    assert page.index("L.control.layers(base, overlays") < page.index("legend.addTo(map)")
    assert ".leaflet-top.leaflet-right{bottom:30px;display:flex;flex-direction:column" in page


def test_no_unneeded_folium_assets() -> None:
    page = _html(tiles=None).lower()
    for name in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert name not in page


def test_scale_bar_metric_only_and_fit_bounds() -> None:
    page = _html(tiles=None)
    assert "L.control.scale({imperial: false" in page
    d = _data(page)
    (s, w), (n, e) = d["bounds"]
    assert 34.7 < s < n < 34.9
    assert 135.6 < w < e < 135.7


def test_offline_file_has_no_external_script_or_style(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    save_html(fake_coverage(), out, offline=True)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref\s*=", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.IGNORECASE)
    hosts = set(re.findall(r"https?://([^/\"'\\\s)]+)", page))
    # what remains: the optional tile URL, attribution links, SVG namespace, comments in Leaflet
    assert hosts <= {
        "cyberjapandata.gsi.go.jp",
        "maps.gsi.go.jp",
        "leafletjs.com",
        "www.w3.org",
        "bugzilla.mozilla.org",
    }
    assert "L.MarkerClusterGroup" in page
    assert "Leaflet 1.9.3" in page


def test_online_file_links_only_leaflet_and_markercluster(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    save_html(fake_coverage(), out)
    page = out.read_text(encoding="utf-8")
    srcs = re.findall(r'<script src="([^"]+)"', page)
    assert srcs == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js",
    ]
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert hrefs == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/MarkerCluster.css",
    ]
    for name in ("jquery", "bootstrap", "awesome"):
        assert name not in page.lower()


def _map_script(page: str) -> str:
    """The gap map's own script, with folium's random element names normalised."""
    m = re.search(r"\(function \(\) \{\n  var map = .*?\n\}\)\(\);", page, re.DOTALL)
    assert m, "map script not found"
    return re.sub(r"map_[0-9a-f]{32}", "map_X", m.group(0))


def test_online_and_offline_files_run_the_same_map_script(tmp_path: Path) -> None:
    online, offline = tmp_path / "on.html", tmp_path / "off.html"
    save_html(fake_coverage(), online)
    save_html(fake_coverage(), offline, offline=True)
    on, off = online.read_text(encoding="utf-8"), offline.read_text(encoding="utf-8")
    assert _map_script(on) == _map_script(off)
    assert _data(on) == _data(off)


def test_coordinates_are_rounded() -> None:
    d = _data(_html(tiles=None))
    coords = re.findall(r"-?\d+\.\d+", json.dumps(d["areas"]))
    assert coords
    assert all(len(c.split(".")[1]) <= 5 for c in coords)


def test_bad_options_raise_clear_errors() -> None:
    cov = fake_coverage()
    with pytest.raises(ChiikimapError, match=r"tiles must be one of 'gsi_pale'.*got 'google'") as e:
        gap_map(cov, tiles="google")  # type: ignore[arg-type]
    assert e.value.param == "tiles"
    with pytest.raises(ChiikimapError, match="category 'kaimono' was not analysed") as e:
        gap_map(cov, category="kaimono")
    assert e.value.param == "category"
    with pytest.raises(ChiikimapError, match="lang must be") as e:
        gap_map(cov, lang="fr")  # type: ignore[arg-type]
    assert e.value.param == "lang"


def test_coverage_delegates() -> None:
    m = fake_coverage().map(tiles=None)
    assert "var D = " in m.get_root().render()


def _zigzag_pair() -> gpd.GeoDataFrame:
    """Two 1 km squares sharing a border that zigzags ±4 m every 10 m (metres, UTM 53N)."""
    x0, y0 = 560_000.0, 3_850_000.0
    border = [(x0 + 1000 + (4 if i % 2 else -4), y0 + i * 10) for i in range(101)]
    left = Polygon([(x0, y0), *border, (x0, y0 + 1000)])
    right = Polygon([(x0 + 2000, y0), (x0 + 2000, y0 + 1000), *reversed(border)])
    return gpd.GeoDataFrame({"geometry": [left, right]}, crs=GRID_CRS)


def test_display_simplification_keeps_shared_edges() -> None:
    pair = _zigzag_pair()
    geoms = display_geometries(pair, metric_crs=GRID_CRS, tolerance_m=15.0, decimals=7)
    shapes = gpd.GeoSeries([shapely.geometry.shape(g) for g in geoms], crs="EPSG:4326").to_crs(
        GRID_CRS
    )
    # the zigzag (8 m amplitude) is gone: few vertices left
    assert all(len(shapely.get_coordinates(g)) < 10 for g in shapes)
    # neighbours still meet exactly: no overlap and no gap (up to float noise of reprojection)
    assert shapes.iloc[0].intersection(shapes.iloc[1]).area < 1.0
    total = shapes.iloc[0].area + shapes.iloc[1].area
    assert total == pytest.approx(2_000_000.0, rel=1e-3)
    assert shapes.union_all().area == pytest.approx(total, abs=1.0)


def test_notebook_display_is_srcdoc_and_offline_on_request(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cov = fake_coverage()
    online = cov.map()._repr_html_()
    assert online.count("<iframe srcdoc=") == 1
    offline = cov.map(offline=True)._repr_html_()
    # the inlined page references no script or style host (escaped once inside srcdoc)
    assert "src=&quot;http" not in offline
    assert "leaflet" in offline.lower()
    assert len(offline) > len(online) + 100_000  # Leaflet itself travels with the page
    assert list(tmp_path.iterdir()) == []


def test_large_map_is_not_embedded_and_nothing_is_written(tmp_path, monkeypatch):
    from chiikimap.maps import interactive

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(interactive, "INLINE_LIMIT_BYTES", 1_000)
    cov = _xss_coverage()
    m = cov.map()
    html = m._repr_html_()
    # no unrequested file beside the notebook, and no embedded map
    assert list(tmp_path.iterdir()) == []
    assert "srcdoc" not in html
    assert "<iframe" not in html
    assert "<script" not in html
    # the message gives the size and the ways on, in Japanese and English
    size_kb = len(m.get_root().render().encode("utf-8")) / 1_000
    assert f"{size_kb:,.0f} KB" in html
    assert "大きすぎる" in html
    assert "too large" in html
    assert "cov.save_html(&quot;map.html&quot;, offline=True)" in html
    assert "category=" in html
    assert "simplify_m=" in html
    # a compact static fallback: the gap matrix of the coverage, every data value escaped
    assert "空白・不足の一覧" in html
    assert XSS_IMG not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_small_map_ignores_the_fallback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    html = fake_coverage().map()._repr_html_()
    assert "空白・不足の一覧" not in html
    assert list(tmp_path.iterdir()) == []


def test_population_outside_every_area_in_the_sources_box() -> None:
    from tests.fakes import OUTSIDE_LINE, outside_coverage

    info = _data(_html(outside_coverage()))["info"]
    assert f'<div class="ckm-outside">{OUTSIDE_LINE}</div>' in info
    en = _data(_html(outside_coverage(), lang="en"))["info"]
    assert "pop_65plus outside every area: 549 (0.5%), counted in no area" in en
    # shown only when someone is outside
    assert "ckm-outside" not in _data(_html(outside_coverage(outside=0.0)))["info"]
    assert "ckm-outside" not in _data(_html())["info"]
    # the weight label comes from the run: escaped
    nasty = _data(_html(outside_coverage(weight_label=XSS_IMG)))["info"]
    assert XSS_IMG not in nasty
    assert "圏域外の&lt;img src=x onerror=alert(1)&gt;: 549 人（0.5%）" in nasty


def test_online_and_offline_pages_carry_the_no_internet_note() -> None:
    """A static note in the body, hidden by an inline script once Leaflet is defined."""
    from chiikimap.maps._nolib import NO_LIBRARY_TEXT

    page = _html(tiles=None)
    body = page[page.index("<body>") :]
    assert NO_LIBRARY_TEXT[0] in body
    note = body.index('class="ckm-nolib"')
    check = body.index("if (typeof L === 'undefined') { return; }")
    assert note < check < body.index("var D = ")


def _panel_block(page: str) -> str:
    m = re.search(r'<script type="application/json" id="chiikimap_search_\w+">(.*?)</script>', page)
    assert m, "search data block not found"
    return m.group(1)


def test_search_data_block_is_plain_text_with_markup_characters_escaped() -> None:
    page = _html(_xss_coverage(), tiles=None)
    block = _panel_block(page)
    # no markup character survives in the block: nothing can end it or open an element
    assert not any(c in block for c in "<>&'")
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in block
    p = json.loads(block)
    # plain, unescaped texts (the page puts them in with textContent only)
    assert p["areas"][0] == [XSS_IMG, "基準: 面積 1.00 km²"]
    assert p["areas"][1][0] == XSS_JS
    # parallel to the map's resource list: name, address, area position (fakes: R0 is in 第5区)
    assert p["res"][0] == [XSS_IMG, "枚方市1-1", 4]
    assert p["res"][1] == [XSS_JS, "枚方市2-2", 0]
    assert len(p["res"]) == len(_data(page)["res"])
    assert p["cats"][0] == ["通いの場", "通いの場: 徒歩800m圏の面積"]
    assert p["t"]["search"] == "施設名・住所・圏域名で検索"


def test_search_script_builds_the_page_with_text_only() -> None:
    from chiikimap.maps._search import _JS

    assert "innerHTML" not in _JS
    assert "insertAdjacentHTML" not in _JS
    assert "document.write" not in _JS
    assert "JSON.parse(" in _JS


def test_resource_in_no_area_has_no_panel_position() -> None:
    cov = fake_coverage()
    cov.resources.loc[0, S.AREA_ID] = None
    p = json.loads(_panel_block(_html(cov, tiles=None)))
    assert p["res"][0][2] == -1
    assert p["res"][1][2] == 0
