"""The branca element that draws the gap map: area views, labels, markers, legends, controls.

All data arrive as one JSON literal whose strings were HTML-escaped in Python; the JavaScript only
concatenates those strings, numbers and fixed markup, so no data value is ever interpreted as HTML
or code. Geometry is shared by every view: each view is built the first time it is shown.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from .._html import script_json
from ._offline import CSS_ASSETS, JS_ASSETS

__all__ = ["GapMapLayers"]

_CSS = """
<style>
.ckm-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
  background:rgba(255,255,255,.92);padding:6px 14px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.35);
  font:bold 18px/1.3 sans-serif;text-align:center;max-width:calc(100% - 720px);min-width:200px}
.ckm-title small{display:block;font-weight:normal;font-size:12px;color:#333}
.ckm-box{background:rgba(255,255,255,.94);padding:8px 10px;border-radius:5px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.45 sans-serif;max-width:320px;max-height:60vh;overflow:auto}
.ckm-box h4{margin:0 0 4px;font-size:13px}
.ckm-info{max-height:40vh;max-width:300px;font-size:11px}
.ckm-info .ckm-date{margin-top:4px;color:#333}
.ckm-info .ckm-outside{margin-top:4px;color:#8a4b00;font-weight:bold}
/* right column: view switcher on top, legend under it; both shrink and scroll, never overlap */
.leaflet-top.leaflet-right{bottom:30px;display:flex;flex-direction:column;align-items:flex-end}
.leaflet-top.leaflet-right>.leaflet-control{flex:0 1 auto;min-height:0}
.ckm-views.leaflet-control-layers-expanded{display:flex;flex-direction:column;min-height:90px;
  max-width:320px;font:13px/1.35 sans-serif}
.ckm-views .leaflet-control-layers-list{display:flex!important;flex-direction:column;min-height:0;
  height:auto!important;overflow:hidden!important}
.ckm-views .leaflet-control-layers-base{flex:0 1 auto;min-height:0;overflow-y:auto}
.ckm-views .leaflet-control-layers-separator,.ckm-views .leaflet-control-layers-overlays{flex:none}
.ckm-views label{font-size:13px;margin:1px 0}
.ckm-legend{min-height:70px;max-height:none;width:max-content;max-width:300px}
.ckm-legend .ckm-row{white-space:normal;display:flex;align-items:center;margin:1px 0}
.ckm-legend .ckm-row>svg,.ckm-legend .ckm-row>span{flex:none}
.ckm-legend summary{cursor:pointer;font-weight:bold;font-size:13px;margin-top:6px}
.ckm-sw{display:inline-block;width:18px;height:12px;vertical-align:middle;margin-right:6px;
  border:1px solid #555}
.ckm-row{white-space:nowrap}
.ckm-row svg{vertical-align:middle;margin-right:4px}
.ckm-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;
  font:bold 14px sans-serif;color:#111;
  text-shadow:-2px 0 0 #fff,2px 0 0 #fff,0 -2px 0 #fff,0 2px 0 #fff,-1.5px -1.5px 0 #fff,
  1.5px -1.5px 0 #fff,-1.5px 1.5px 0 #fff,1.5px 1.5px 0 #fff,0 0 4px #fff}
.ckm-marker{background:none;border:none}
.ckm-cluster,.ckm-cluster-key{display:flex;align-items:center;justify-content:center;box-sizing:border-box;
  background:rgba(38,50,80,.78);border:2px solid #fff;border-radius:50%;color:#fff;
  font:bold 11px/1 sans-serif;box-shadow:0 0 0 1px rgba(38,50,80,.6)}
.ckm-cluster-key{display:inline-flex;width:20px;height:20px;font-size:9px;vertical-align:middle;
  margin-right:6px}
.ckm-tip{font-size:12px;line-height:1.45}
.ckm-pop table{border-collapse:collapse;font-size:12px}
.ckm-pop td,.ckm-pop th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left}
.ckm-none{color:#b2182b;font-weight:bold}.ckm-gap{color:#c45100;font-weight:bold}
.ckm-empty{color:#555;font-weight:bold}
.ckm-catch-sw{background:rgba(158,127,208,0.55);border:2px solid #54278f}
</style>
"""

_SVG_DEFS = """
<svg width="0" height="0" style="position:absolute" aria-hidden="true">
 <defs>
  <pattern id="ckm-hatch" patternUnits="userSpaceOnUse" width="8" height="8"
   patternTransform="rotate(45)">
   <rect width="8" height="8" fill="#ffffff"/>
   <line x1="0" y1="0" x2="0" y2="8" stroke="#b2182b" stroke-width="3"/>
  </pattern>
 </defs>
</svg>
"""

_JS = r"""
(function () {
  var map = {{ this._parent.get_name() }};
  var D = {{ this.data }};
  var T = D.text;
  var renderer = L.svg({padding: 0.5});
  map.setMaxZoom(D.maxZoom);
  map.createPane('ckmLabels');
  // above markers and clusters (600), below tooltips (650) and popups (700)
  map.getPane('ckmLabels').style.zIndex = 640;
  map.getPane('ckmLabels').style.pointerEvents = 'none';
  // walking catchments: above the area fills (overlay pane, 400), below the markers (600)
  map.createPane('ckmCatch');
  map.getPane('ckmCatch').style.zIndex = 450;
  map.getPane('ckmCatch').style.pointerEvents = 'none';
  var catchRenderer = L.svg({padding: 0.5, pane: 'ckmCatch'});

  var overlays = {};
  if (D.tile) {
    var tile = L.tileLayer(D.tile.url, {attribution: D.tile.attribution,
      maxZoom: D.tile.maxZoom, maxNativeZoom: D.tile.maxNativeZoom});
    tile.addTo(map);
    overlays[D.tile.name] = tile;
  }
  map.attributionControl.addAttribution(D.attribution);
  L.control.scale({imperial: false, metric: true, position: 'bottomleft'}).addTo(map);

  function pct(v) { return v === null ? '–' : v + '%'; }
  function badge(s) {
    if (s === 'n') { return ' <span class="ckm-none">' + T.none + '</span>'; }
    if (s === 'g') { return ' <span class="ckm-gap">' + T.gap + '</span>'; }
    if (s === 'o') { return ' ' + T.ok; }
    if (s === 'e') { return ' <span class="ckm-empty">' + T.empty + '</span>'; }
    return '';
  }
  function allEmpty(a) {
    return a.st.length > 0 && a.st.every(function (s) { return s === 'e' || s === '-'; }) &&
      a.st.indexOf('e') >= 0;
  }
  function line(a, ci) {
    var c = D.cats[ci];
    if (a.st[ci] === 'e') { return c.label + ':' + badge('e'); }
    return c.prefix + ' ' + pct(a.cov[ci]) + T.target1 + c.target + '%' + T.target2 + badge(a.st[ci]);
  }
  function head(a) { return '<b>' + a.name + '</b><br>' + a.basis; }
  function missingLines(a) {
    var out = [];
    ['n', 'g'].forEach(function (s) {
      for (var ci = 0; ci < D.cats.length; ci++) { if (a.st[ci] === s) { out.push(line(a, ci)); } }
    });
    return out;
  }
  function overviewTip(a) {
    if (allEmpty(a)) { return head(a) + '<br><span class="ckm-empty">' + T.empty + '</span>' + T.empty_why; }
    var m = missingLines(a);
    return head(a) + '<br>' + (m.length ? T.missing + '<br>' + m.join('<br>') : T.nothing_missing);
  }
  function rampColor(v) {
    var i = 0;
    while (i < D.ramp.length - 1 && v !== null && v >= D.ramp[i + 1][0]) { i++; }
    return D.ramp[i][1];
  }
  function styleFor(a, ci) {
    if (ci < 0) {
      return {className: allEmpty(a) ? 'ckm-area ckm-area-empty' : 'ckm-area', color: '#444', weight: 1.2, fillColor: a.color, fillOpacity: 0.75};
    }
    var s = a.st[ci];
    if (s === 'e') {
      return {className: 'ckm-area ckm-area-empty', color: '#777', weight: 1, fillColor: D.emptyColor,
              fillOpacity: 0.75};
    }
    if (s === 'n') {
      return {className: 'ckm-area ckm-area-none', color: '#b2182b', weight: 3, dashArray: '7 4',
              fillColor: 'url(#ckm-hatch)', fillOpacity: 0.8};
    }
    if (s === 'g') {
      return {className: 'ckm-area ckm-area-gap', color: '#c45100', weight: 3,
              fillColor: rampColor(a.cov[ci]), fillOpacity: 0.75};
    }
    return {className: 'ckm-area', color: '#444', weight: 1, fillColor: rampColor(a.cov[ci]),
            fillOpacity: s === '-' ? 0.1 : 0.75};
  }
  function areaLayer(ci) {
    return L.geoJSON(D.areas, {
      renderer: renderer,
      style: function (f) { return styleFor(D.area[f.properties.i], ci); },
      onEachFeature: function (f, layer) {
        var a = D.area[f.properties.i];
        layer.bindTooltip(function () {
          return ci < 0 ? overviewTip(a) : head(a) + '<br>' + line(a, ci);
        }, {sticky: true, className: 'ckm-tip'});
        // a click opens the area panel of the search element (chiikimap/maps/_search.py)
        layer.on('click', function () { map.fire('ckmarea', {index: f.properties.i}); });
      }
    });
  }

  var icons = {};
  function markerSvg(ci, hollow) {
    var c = D.cats[ci];
    var shapes = {
      circle: '<circle cx="11" cy="11" r="9.5"/>',
      square: '<rect x="2" y="2" width="18" height="18" rx="2"/>',
      triangle: '<polygon points="11,1 21,20 1,20"/>',
      diamond: '<polygon points="11,0.5 21.5,11 11,21.5 0.5,11"/>',
      star: '<polygon points="11,0.8 13.7,8 21.3,8.3 15.3,13.1 17.4,20.8 11,16.5 4.6,20.8 6.7,13.1 0.7,8.3 8.3,8"/>'
    };
    var ty = c.marker === 'triangle' ? 16.5 : 15;
    // a hollow marker: the position is only the town's representative point (geocoded)
    var fill = hollow ? '#fff' : c.color, stroke = hollow ? c.color : '#fff';
    return '<svg width="22" height="22" viewBox="0 0 22 22"><g fill="' + fill +
      '" stroke="' + stroke + '" stroke-width="' + (hollow ? 2.5 : 1.5) + '">' +
      (shapes[c.marker] || shapes.circle) + '</g>' +
      '<text x="11" y="' + ty + '" font-size="10" font-weight="bold" text-anchor="middle" fill="' +
      (hollow ? c.color : c.fg) + '" font-family="sans-serif">' + c.symbol + '</text></svg>';
  }
  function iconFor(ci, hollow) {
    var key = hollow ? ci + 'h' : ci;
    if (!icons[key]) {
      icons[key] = L.divIcon({html: markerSvg(ci, hollow), className: 'ckm-marker', iconSize: [22, 22],
                              iconAnchor: [11, 11], popupAnchor: [0, -10]});
    }
    return icons[key];
  }
  function approxText(r) { return r[9] === 2 ? T.approx_near : T.approx; }
  function resourcePopup(r) {
    var services = r[3].map(function (ci) { return D.cats[ci].label; });
    var html = '<div class="ckm-pop"><b>' + r[4] + '</b><table>' +
      '<tr><th>' + T.services + '</th><td>' + services.concat(r[5]).join('、') + '</td></tr>' +
      '<tr><th>' + T.address + '</th><td>' + r[6] + '</td></tr>';
    if (r[7] !== '') { html += '<tr><th>' + T.capacity + '</th><td>' + r[7] + '</td></tr>'; }
    if (r[9]) { html += '<tr><td colspan="2">' + approxText(r) + '</td></tr>'; }
    return html + '<tr><th>' + T.source + '</th><td>' + r[8] + '</td></tr></table></div>';
  }
  // neutral navy bubbles: the green/yellow/orange defaults would read like coverage classes
  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 22 : (n < 100 ? 26 : 32);
    return L.divIcon({html: String(n), className: 'ckm-cluster', iconSize: [size, size]});
  }
  function resourceLayer(ci) {
    var group = D.cluster ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
      disableClusteringAtZoom: 17, maxClusterRadius: 40, iconCreateFunction: clusterIcon}) :
      L.layerGroup();
    var markers = [];
    D.res.forEach(function (r) {
      if (ci >= 0 && r[3].indexOf(ci) < 0) { return; }
      var m = L.marker([r[0], r[1]], {icon: iconFor(ci < 0 ? r[2] : ci, r[9]), keyboard: false});
      m.bindPopup(function () { return resourcePopup(r); }, {maxWidth: 360});
      if (r[9]) { m.bindTooltip(approxText(r)); }
      markers.push(m);
    });
    if (D.cluster) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    return group;
  }

  var legend = L.control({position: 'topright'});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'ckm-box ckm-legend');
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  var symbolsOpen = true;
  function showLegend(ci) {
    var html = '';
    var hasEmpty = D.areaLegend && D.area.some(function (a) { return ci < 0 ? allEmpty(a) : a.st[ci] === 'e'; });
    if (!D.areaLegend) {
      // another view colours the areas and shows its own legend: only the resource symbols here
    } else if (ci < 0) {
      html = D.legend.overview;
    } else {
      html = '<h4>' + D.cats[ci].label + T.coverage_of + '</h4>' + D.legend.ramp +
        D.legend.none + '<div class="ckm-row"><span class="ckm-sw" style="border:3px solid #c45100"></span>' +
        T.gap_rule1 + D.cats[ci].target + '%' + T.gap_rule2 + '</div>';
    }
    if (hasEmpty) { html += D.legend.empty; }
    if (ci >= 0 && D.catch[ci]) {
      html += '<div class="ckm-row"><span class="ckm-sw ckm-catch-sw"></span>' + D.catch[ci].label + '</div>';
    }
    var present = ci < 0 ? D.present : (D.present.indexOf(ci) >= 0 ? [ci] : []);
    if (present.length) {
      html += '<details class="ckm-symbols"' + (symbolsOpen ? ' open' : '') + '><summary>' +
        T.resources_count + '</summary>';
      present.forEach(function (k) {
        html += '<div class="ckm-row">' + markerSvg(k) + D.cats[k].label + D.cats[k].n + '</div>';
      });
      // a hollow marker: an approximate position (1: a town's point, 2: a nearby 番地's known point)
      var town = D.res.filter(function (r) { return r[9] && (ci < 0 || r[3].indexOf(ci) >= 0); });
      if (town.length) {
        var near = town.filter(function (r) { return r[9] === 2; }).length;
        var key = near === 0 ? T.approx : (near === town.length ? T.approx_near : T.approx_any);
        html += '<div class="ckm-row ckm-approx-key">' + markerSvg(ci < 0 ? town[0][2] : ci, true) +
          key + '</div>';
      }
      if (D.cluster) {
        html += '<div class="ckm-row"><span class="ckm-cluster-key">12</span>' + T.cluster_note + '</div>';
      }
      html += '</details>';
    }
    var box = legend.getContainer();
    box.innerHTML = html;
    box.style.display = html ? '' : 'none';
    var det = box.querySelector('details');
    if (det) { det.addEventListener('toggle', function () { symbolsOpen = det.open; }); }
  }

  // walking catchments (network runs): one overlay whose content follows the category shown
  var catchments = L.layerGroup();
  var catchShapes = {};
  function showCatchment(ci) {
    catchments.clearLayers();
    if (ci < 0 || !D.catch[ci]) { return; }
    if (!catchShapes[ci]) {
      catchShapes[ci] = L.geoJSON(D.catch[ci].geometry, {renderer: catchRenderer, pane: 'ckmCatch', interactive: false,
        style: {className: 'ckm-catchment', color: '#54278f', weight: 2, fillColor: '#9e7fd0',
                fillOpacity: 0.35}});
    }
    catchments.addLayer(catchShapes[ci]);
  }
  var base = {};
  var first = null;
  D.views.forEach(function (v, i) {
    var g = L.layerGroup();
    var built = false;
    g.on('add', function () {
      if (!built) { built = true; g.addLayer(areaLayer(v.cat)); g.addLayer(resourceLayer(v.cat)); }
      showCatchment(v.cat);
      showLegend(v.cat);
    });
    base[v.name] = g;
    if (i === D.start) { first = g; }
  });

  var labels = L.layerGroup();
  D.area.forEach(function (a) {
    labels.addLayer(L.marker(a.at, {pane: 'ckmLabels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'ckm-label', html: '<span>' + a.name + '</span>', iconSize: null})}));
  });
  overlays[T.labels] = labels;
  var hasCatch = D.catch.some(function (c) { return c !== null; });
  if (hasCatch) { overlays[T.catchment_layer] = catchments; }

  var views = L.control.layers(base, overlays, {collapsed: false, position: 'topright'}).addTo(map);
  L.DomUtil.addClass(views.getContainer(), 'ckm-views');
  legend.addTo(map);
  first.addTo(map);
  labels.addTo(map);
  if (hasCatch) { catchments.addTo(map); }

  var title = L.DomUtil.create('div', 'ckm-title', map.getContainer());
  title.innerHTML = D.title;
  L.DomEvent.disableClickPropagation(title);
  var info = L.control({position: 'bottomleft'});
  info.onAdd = function () {
    var div = L.DomUtil.create('div', 'ckm-box ckm-info');
    div.innerHTML = D.info;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  info.addTo(map);
  // fit the areas into the part of the map that the title and the right column leave free
  var size = map.getSize();
  var column = map.getContainer().querySelector('.leaflet-top.leaflet-right');
  var right = Math.min(column ? column.offsetWidth : 0, size.x * 0.4);
  var top = Math.min(title.offsetTop + title.offsetHeight, size.y * 0.2);
  // the sources box (bottom left) is kept clear by padding either the left or the bottom edge,
  // whichever leaves the higher zoom
  var infoBox = info.getContainer();
  var infoW = Math.min(infoBox.offsetWidth + 10, size.x * 0.3);
  var infoH = Math.min(infoBox.offsetHeight + 40, size.y * 0.3);
  var options = [
    {paddingTopLeft: [infoW + 4, top + 4], paddingBottomRight: [right + 4, 10]},
    {paddingTopLeft: [10, top + 4], paddingBottomRight: [right + 4, infoH + 4]}
  ];
  var zooms = options.map(function (o) {
    return map.getBoundsZoom(D.bounds, false, L.point(o.paddingTopLeft).add(o.paddingBottomRight));
  });
  map.fitBounds(D.bounds, zooms[1] > zooms[0] ? options[1] : options[0]);
  // what the search box and the area panel draw from
  map.ckm = {D: D, resourcePopup: resourcePopup};
})();
"""


class GapMapLayers(JSCSSMixin):
    """Everything drawn on the map, fed by one pre-escaped JSON ``data`` object."""

    _template = Template(
        "{% macro header(this, kwargs) %}" + _CSS + "{% endmacro %}"
        "{% macro html(this, kwargs) %}" + _SVG_DEFS + "{% endmacro %}"
        "{% macro script(this, kwargs) %}" + _JS + "{% endmacro %}"
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's constructor is unannotated
        self.default_js = [("markercluster", JS_ASSETS["markercluster"][0])]
        # MarkerCluster.Default.css is left out: its coloured bubbles are replaced by ckm-cluster
        self.default_css = [("markercluster_css", CSS_ASSETS["markercluster_css"][0])]
        self._name = "ChiikimapGapMap"
        #: the pre-escaped values; a view built on the gap map may replace one before rendering
        self.fields = data

    @property
    def data(self) -> str:
        """:attr:`fields` as a JavaScript literal (:func:`chiikimap._html.script_json`)."""
        return script_json(self.fields)


class MetricScale(MacroElement):
    """A metric-only scale bar at the lower left (as on every chiikimap map)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
L.control.scale({imperial: false, metric: true, position: 'bottomleft'})
  .addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's constructor is unannotated
        self._name = "ChiikimapMetricScale"
