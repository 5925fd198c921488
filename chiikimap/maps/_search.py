"""Search box and area panel of the gap map: vanilla JavaScript, inlined, no extra download.

The search box finds resources by name or address and areas by name (every word typed must occur;
full-width and half-width forms match alike); choosing a resource zooms to it and opens its popup,
choosing an area zooms to it and opens its panel. Clicking an area opens the same panel: the services
it lacks (空白 / 不足 with coverage and target), its resources by category and every category's
coverage.

The texts arrive unescaped in a ``<script type="application/json">`` block whose ``<``, ``>`` and
``&`` are written as ``\\u`` escapes (so no value can end the block), are read with ``JSON.parse``
and are put into the page only with ``textContent``: no data value is ever parsed as HTML. Figures
(coverage, targets, statuses) and the resource popups come from the map's own data
(``map.ckm``, set by :class:`~chiikimap.maps._element.GapMapLayers`).
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.template import Template

from .._html import script_json

__all__ = ["AreaSearch", "panel_text"]

_PANEL_TEXT = {
    "ja": {
        "search": "施設名・住所・圏域名で検索",
        "no_match": "見つかりません",
        "more": "ほか{n}件（語を足して絞り込めます）",
        "area_word": "圏域",
        "outside": "どの圏域にも入らない",
        "lacking": "足りないサービス（空白・不足）",
        "nothing_missing": "すべての種別が目標を満たしています",
        "all_empty": "基準の人口が0のため判定なし",
        "resources": "社会資源（種別ごと）",
        "no_resources": "この圏域に社会資源はありません",
        "other": "その他",
        "count": "（{n}件）",
        "all": "全種別のカバー率",
        "close": "閉じる",
        "none": "空白",
        "gap": "不足",
        "ok": "充足",
        "empty": "対象なし",
        "target1": "（目標",
        "target2": "）",
        "category": "種別",
        "coverage": "カバー率",
        "target": "目標",
        "status": "判定",
    },
    "en": {
        "search": "Search names, addresses, areas",
        "no_match": "Nothing found",
        "more": "{n} more (add a word to narrow down)",
        "area_word": "area",
        "outside": "in no area",
        "lacking": "Services lacking (none / gap)",
        "nothing_missing": "Every category meets its target",
        "all_empty": "weight is 0: not judged",
        "resources": "Resources by category",
        "no_resources": "No resources in this area",
        "other": "Other",
        "count": " ({n})",
        "all": "Coverage of every category",
        "close": "Close",
        "none": "none",
        "gap": "gap",
        "ok": "ok",
        "empty": "no weight",
        "target1": " (target ",
        "target2": ")",
        "category": "Category",
        "coverage": "Coverage",
        "target": "Target",
        "status": "Status",
    },
}


def panel_text(lang: str) -> dict[str, str]:
    """Fixed texts of the search box and the area panel in ``lang`` (``"ja"`` or ``"en"``)."""
    return dict(_PANEL_TEXT[lang])


_CSS = """
<style>
.ckm-search{padding:5px;width:270px;max-width:calc(100vw - 80px)}
.ckm-search input{width:100%;box-sizing:border-box;font:14px sans-serif;padding:5px 7px;
  border:1px solid #888;border-radius:3px}
.ckm-search ul{list-style:none;margin:4px 0 0;padding:0;max-height:35vh;overflow:auto}
.ckm-search ul:empty{display:none}
.ckm-search li,.ckm-panel li{margin:0}
.ckm-search button,.ckm-res-list button{display:block;width:100%;text-align:left;background:none;
  border:0;border-bottom:1px solid #e4e4e4;padding:3px 2px;font:12px/1.35 sans-serif;cursor:pointer;
  color:#0b4fb3}
.ckm-search button:hover,.ckm-res-list button:hover,.ckm-search button:focus{background:#eef3fb}
.ckm-search small{display:block;color:#555}
.ckm-search .ckm-search-note{color:#555;font-size:12px;padding:3px 2px}
.ckm-panel{width:300px;max-width:calc(100vw - 80px);max-height:45vh;font-size:12px}
.ckm-panel-head{display:flex;justify-content:space-between;align-items:flex-start;gap:6px;
  font-size:15px;font-weight:bold}
.ckm-panel-close{border:0;background:none;font-size:20px;line-height:1;cursor:pointer;padding:0 2px}
.ckm-panel-basis{color:#333;margin-bottom:4px}
.ckm-panel h4{margin:8px 0 3px;font-size:13px;border-bottom:1px solid #ccc}
.ckm-panel h5{margin:6px 0 1px;font-size:12px}
.ckm-panel ul{list-style:none;margin:0;padding:0}
.ckm-lack li{margin:2px 0}
.ckm-panel table{border-collapse:collapse;font-size:11px;width:100%}
.ckm-panel td,.ckm-panel th{border-bottom:1px solid #ddd;padding:1px 4px;text-align:left}
.ckm-panel summary{cursor:pointer;font-weight:bold;margin-top:8px}
</style>
"""

_HTML = '<script type="application/json" id="{{ this.get_name() }}">{{ this.payload }}</script>'

_JS = r"""
(function () {
  var map = {{ this._parent.get_name() }};
  var K = map.ckm;
  var P = JSON.parse(document.getElementById('{{ this.get_name() }}').textContent);
  var T = P.t;
  var D = K.D;
  var LIMIT = 30;
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function norm(s) {
    s = String(s || '');
    return (s.normalize ? s.normalize('NFKC') : s).toLowerCase();
  }
  function pct(v) { return v === null ? '–' : v + '%'; }
  var words = {n: T.none, g: T.gap, o: T.ok, e: T.empty};
  var wordClass = {n: 'ckm-none', g: 'ckm-gap', e: 'ckm-empty'};
  function stopEvents(div) {
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
  }

  var outline = null;
  function highlight(i) {
    if (outline) { map.removeLayer(outline); outline = null; }
    if (i < 0) { return null; }
    var f = D.areas.features.filter(function (x) { return x.properties.i === i; })[0];
    if (!f) { return null; }
    outline = L.geoJSON(f, {interactive: false, renderer: L.svg({padding: 0.5}),
      style: {className: 'ckm-outline', color: '#0b4fb3', weight: 4, fill: false}}).addTo(map);
    return outline;
  }
  function showResource(ri) {
    var r = D.res[ri];
    var at = L.latLng(r[0], r[1]);
    // zoom 17 and above: clusters are split, the resource's own marker is on the map
    map.setView(at, Math.min(Math.max(map.getZoom(), 17), map.getMaxZoom()), {animate: false});
    L.popup({maxWidth: 360, offset: [0, -8], className: 'ckm-found'}).setLatLng(at)
      .setContent(K.resourcePopup(r)).openOn(map);
  }

  var panel = L.control({position: 'topleft'});
  panel.onAdd = function () {
    var div = L.DomUtil.create('div', 'ckm-box ckm-panel');
    div.style.display = 'none';
    div.setAttribute('role', 'region');
    stopEvents(div);
    return div;
  };
  function fitPanel() {
    var box = panel.getContainer();
    if (box.style.display === 'none') { return; }
    var info = map.getContainer().querySelector('.ckm-info');
    var bottom = info ? info.getBoundingClientRect().top : map.getContainer().getBoundingClientRect().bottom;
    box.style.maxHeight = Math.max(bottom - box.getBoundingClientRect().top - 12, 120) + 'px';
  }
  function closePanel() {
    panel.getContainer().style.display = 'none';
    highlight(-1);
  }
  function lacking(box, i) {
    var a = D.area[i];
    el('h4', null, T.lacking, box);
    var ul = el('ul', 'ckm-lack', null, box);
    ['n', 'g'].forEach(function (s) {
      for (var ci = 0; ci < D.cats.length; ci++) {
        if (a.st[ci] !== s) { continue; }
        var li = el('li', null, P.cats[ci][1] + ' ' + pct(a.cov[ci]) + T.target1 + D.cats[ci].target +
          '%' + T.target2 + ' ', ul);
        el('span', wordClass[s], words[s], li);
      }
    });
    if (!ul.firstChild) {
      var empty = a.st.length > 0 && a.st.indexOf('e') >= 0 &&
        a.st.every(function (s) { return s === 'e' || s === '-'; });
      el('li', null, empty ? T.empty + '（' + T.all_empty + '）' : T.nothing_missing, ul);
    }
  }
  function resourceList(box, i) {
    el('h4', null, T.resources, box);
    var groups = {};
    P.res.forEach(function (r, ri) {
      if (r[2] !== i) { return; }
      var cis = D.res[ri][3].length ? D.res[ri][3] : [-1];
      cis.forEach(function (ci) { (groups[ci] = groups[ci] || []).push(ri); });
    });
    var order = Object.keys(groups).map(Number).sort(function (x, y) {
      return (x < 0 ? 1e9 : x) - (y < 0 ? 1e9 : y);
    });
    if (!order.length) { el('div', null, T.no_resources, box); return; }
    order.forEach(function (ci) {
      var list = groups[ci];
      el('h5', null, (ci < 0 ? T.other : P.cats[ci][0]) + T.count.replace('{n}', list.length), box);
      var ul = el('ul', 'ckm-res-list', null, box);
      list.forEach(function (ri) {
        var b = el('button', null, P.res[ri][0], el('li', null, null, ul));
        b.type = 'button';
        b.addEventListener('click', function () { showResource(ri); });
      });
    });
  }
  function allCategories(box, i) {
    var a = D.area[i];
    var det = el('details', null, null, box);
    el('summary', null, T.all, det);
    var table = el('table', null, null, det);
    var head = el('tr', null, null, table);
    [T.category, T.coverage, T.target, T.status].forEach(function (h) { el('th', null, h, head); });
    for (var ci = 0; ci < D.cats.length; ci++) {
      if (a.st[ci] === '-' || a.st[ci] === undefined) { continue; }
      var tr = el('tr', null, null, table);
      el('td', null, P.cats[ci][0], tr);
      el('td', null, pct(a.cov[ci]), tr);
      el('td', null, D.cats[ci].target + '%', tr);
      el('td', wordClass[a.st[ci]] || null, words[a.st[ci]] || '', tr);
    }
  }
  function openArea(i) {
    var box = panel.getContainer();
    box.textContent = '';
    var head = el('div', 'ckm-panel-head', null, box);
    el('span', 'ckm-panel-name', P.areas[i][0], head);
    var close = el('button', 'ckm-panel-close', '×', head);
    close.type = 'button';
    close.title = T.close;
    close.setAttribute('aria-label', T.close);
    close.addEventListener('click', closePanel);
    if (P.areas[i][1]) { el('div', 'ckm-panel-basis', P.areas[i][1], box); }
    lacking(box, i);
    resourceList(box, i);
    allCategories(box, i);
    box.style.display = '';
    box.scrollTop = 0;
    fitPanel();
    highlight(i);
  }
  map.on('ckmarea', function (e) { openArea(e.index); });

  var keys = null;
  function index() {
    if (!keys) {
      keys = {areas: P.areas.map(function (a) { return norm(a[0]); }),
              res: P.res.map(function (r) { return norm(r[0] + ' ' + r[1]); })};
    }
    return keys;
  }
  function matches(text, terms) {
    return terms.every(function (w) { return text.indexOf(w) >= 0; });
  }
  function zoomArea(i) {
    var shape = highlight(i);
    if (shape) { map.fitBounds(shape.getBounds(), {animate: false, maxZoom: 16}); }
    openArea(i);
  }
  function hitButton(list, main, sub, action) {
    var b = el('button', null, null, el('li', null, null, list));
    b.type = 'button';
    el('span', null, main, b);
    el('small', null, sub, b);
    b.addEventListener('click', action);
  }
  function showHits(query, list) {
    list.textContent = '';
    var terms = norm(query).split(/\s+/).filter(Boolean);
    if (!terms.length) { fitPanel(); return; }
    var k = index();
    var hits = [];
    k.areas.forEach(function (s, i) { if (matches(s, terms)) { hits.push([0, i]); } });
    k.res.forEach(function (s, ri) { if (matches(s, terms)) { hits.push([1, ri]); } });
    if (!hits.length) { el('li', 'ckm-search-note', T.no_match, list); }
    hits.slice(0, LIMIT).forEach(function (h) {
      if (h[0] === 0) {
        hitButton(list, P.areas[h[1]][0], T.area_word, function () { zoomArea(h[1]); });
      } else {
        var r = P.res[h[1]];
        var where = r[2] < 0 ? T.outside : P.areas[r[2]][0];
        hitButton(list, r[0], [r[1], where].filter(Boolean).join(' ・ '),
                  function () { showResource(h[1]); });
      }
    });
    if (hits.length > LIMIT) {
      el('li', 'ckm-search-note', T.more.replace('{n}', hits.length - LIMIT), list);
    }
    fitPanel();
  }
  var search = L.control({position: 'topleft'});
  search.onAdd = function () {
    var div = L.DomUtil.create('div', 'ckm-box ckm-search');
    var input = el('input', 'ckm-search-input', null, div);
    input.type = 'search';
    input.placeholder = T.search;
    input.setAttribute('aria-label', T.search);
    var list = el('ul', 'ckm-search-results', null, div);
    input.addEventListener('input', function () { showHits(input.value, list); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        var first = list.querySelector('button');
        if (first) { first.click(); }
      } else if (e.key === 'Escape') {
        input.value = '';
        showHits('', list);
      }
    });
    stopEvents(div);
    return div;
  };
  search.addTo(map);
  panel.addTo(map);
  map.on('resize', fitPanel);
})();
"""


class AreaSearch(MacroElement):
    """The search box and the area panel, fed by plain texts in a JSON block (see module doc)."""

    _template = Template(
        "{% macro header(this, kwargs) %}" + _CSS + "{% endmacro %}"
        "{% macro html(this, kwargs) %}" + _HTML + "{% endmacro %}"
        "{% macro script(this, kwargs) %}" + _JS + "{% endmacro %}"
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's constructor is unannotated
        self._name = "ChiikimapSearch"
        # quotes too (valid JSON: they occur only inside strings), so no payload appears verbatim
        self.payload = script_json(data).replace("'", "\\u0027")
