"""Headless-Chromium harness for the map tests and the map benchmark (no network, no downloads).

The page under test gets a small probe script as the first element of ``<head>``: it records
script errors, failed resource loads, ``console.error`` and any call of ``alert``/``prompt``/
``confirm`` (what an XSS payload would run), then — after the map is drawn — opens every popup and
tooltip, counts what is in the DOM and writes a JSON report into ``<pre id="ckm-probe">`` that
``--dump-dom`` prints.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from chiikimap import _schema as S
from chiikimap.result import Coverage
from tests.fakes import fake_coverage, grid_points

__all__ = [
    "CHROMIUM",
    "many_category_coverage",
    "overlap_px",
    "probe_page",
    "require_chromium",
    "run_chromium",
]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or ""

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # block every request to a host: names resolve nowhere, a proxy on a dead port takes the rest
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]

_PROBE = """<script>
(function () {
  var R = {errors: [], alerts: [], popups: [], tooltips: []};
  window.__ckmProbe = R;
  function note(kind) { return function () {
    R.alerts.push(kind + ':' + Array.prototype.join.call(arguments, ' '));
    document.title = 'XSS-RAN';
  }; }
  window.alert = note('alert'); window.prompt = note('prompt'); window.confirm = note('confirm');
  var ce = console.error;
  console.error = function () { R.errors.push('console: ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      if (t.classList && t.classList.contains('leaflet-tile')) { return; }
      R.errors.push('resource: ' + t.tagName + ' ' + (t.src || t.href || ''));
    } else {
      R.errors.push('script: ' + e.message + ' @' + e.lineno);
    }
  }, true);
  window.addEventListener('load', function () { setTimeout(function () {
    var map = null;
    Object.keys(window).forEach(function (k) {
      if (k.indexOf('map_') === 0 && window.L && window[k] instanceof L.Map) { map = window[k]; }
    });
    R.hasMap = !!map; R.t = performance.now();
    R.areas = document.querySelectorAll('path.ckm-area').length;
    R.areasNone = document.querySelectorAll('path.ckm-area-none').length;
    R.areasGap = document.querySelectorAll('path.ckm-area-gap').length;
    R.markers = document.querySelectorAll('.ckm-marker').length;
    R.clusters = document.querySelectorAll('.ckm-cluster').length;
    R.clusterCounts = Array.prototype.map.call(document.querySelectorAll('.ckm-cluster'),
      function (c) { return parseInt(c.textContent, 10) || 0; });
    R.defaultClusters = document.querySelectorAll('.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large').length;
    R.areasEmpty = document.querySelectorAll('path.ckm-area-empty').length;
    R.attribution = (document.querySelector('.leaflet-control-attribution') || {}).textContent || '';
    R.info = (document.querySelector('.ckm-info') || {}).textContent || '';
    R.clusterStyle = Array.prototype.map.call(document.querySelectorAll('.ckm-cluster'), function (c) {
      var cs = getComputedStyle(c);
      return {bg: cs.backgroundColor, color: cs.color, w: c.offsetWidth};
    });
    R.panes = {};
    ['markerPane', 'ckmLabels', 'tooltipPane'].forEach(function (n) {
      var p = map && map.getPane(n);
      R.panes[n] = p ? Number(getComputedStyle(p).zIndex) : null;
    });
    // boxes of the fixed page furniture (viewport px), for overlap checks
    R.rects = {};
    R.window = [window.innerWidth, window.innerHeight];
    [['views', '.ckm-views'], ['legend', '.ckm-legend'], ['info', '.ckm-info'],
     ['scale', '.leaflet-control-scale'], ['attribution', '.leaflet-control-attribution'],
     ['title', '.ckm-title'], ['zoom', '.leaflet-control-zoom']].forEach(function (q) {
      var el = document.querySelector(q[1]);
      if (el) {
        var b = el.getBoundingClientRect();
        R.rects[q[0]] = {left: b.left, top: b.top, right: b.right, bottom: b.bottom,
                         scrollH: el.scrollHeight, clientH: el.clientHeight};
      }
    });
    var baseList = document.querySelector('.ckm-views .leaflet-control-layers-base');
    if (baseList) { R.viewsScroll = [baseList.scrollHeight, baseList.clientHeight]; }
    R.overlaysVisible = Array.prototype.map.call(
      document.querySelectorAll('.leaflet-control-layers-overlays label'), function (l) {
        var b = l.getBoundingClientRect();
        var v = document.querySelector('.ckm-views').getBoundingClientRect();
        return b.height > 0 && b.top >= v.top - 1 && b.bottom <= v.bottom + 1;
      });
    R.labels = Array.prototype.map.call(document.querySelectorAll('.ckm-label span'), function (s) { return s.textContent; });
    R.legend = (document.querySelector('.ckm-legend') || {}).textContent || '';
    R.title = (document.querySelector('.ckm-title') || {}).textContent || '';
    R.views = Array.prototype.map.call(document.querySelectorAll('.leaflet-control-layers-base label'), function (s) { return s.textContent.trim(); });
    R.imgX = document.querySelectorAll('img[src="x"]').length;
    if (map && %(open)s) {
      map.eachLayer(function (l) {
        if (l instanceof L.Marker && l.getPopup()) {
          l.openPopup();
          var el = l.getPopup().getElement();
          R.popups.push({text: el.textContent, html: el.innerHTML});
        }
        if (l.feature && l.getTooltip()) {
          l.openTooltip(l.getBounds().getCenter());
          var tt = l.getTooltip().getElement();
          R.tooltips.push({text: tt.textContent, html: tt.innerHTML});
          l.closeTooltip();
        }
      });
      map.closePopup();
    }
    R.noLib = Array.prototype.filter.call(document.querySelectorAll('.ckm-nolib'), function (n) {
      return n.offsetParent !== null || getComputedStyle(n).display !== 'none';
    }).map(function (n) { return n.textContent; });
    /*EXTRA*/
    R.imgXAfter = document.querySelectorAll('img[src="x"]').length;
    var pre = document.createElement('pre');
    pre.id = 'ckm-probe';
    pre.textContent = JSON.stringify(R);
    document.body.appendChild(pre);
  }, %(delay)d); });
})();
</script>"""


def require_chromium() -> str:
    """The Chromium binary; skip the test when it is missing, except on CI (``CI=true``) — fail."""
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is required on CI (install the Debian package 'chromium')")
    pytest.skip("chromium is not installed")


def _font_env(workdir: Path) -> dict[str, str]:
    """Environment with a fontconfig file that adds the IPAex font of matplotlib-fontja.

    Many headless machines have no Japanese font; without one the screenshot shows boxes.
    """
    env = dict(os.environ)
    try:
        import matplotlib_fontja

        font_dir = Path(matplotlib_fontja.__file__).parent / "fonts"
    except ImportError:  # pragma: no cover
        return env
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{html.escape(str(font_dir))}</dir>"
        f"<cachedir>{html.escape(str(workdir / 'fc-cache'))}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def run_chromium(
    page: Path,
    *,
    screenshot: Path | None = None,
    window: tuple[int, int] = (1280, 900),
    budget_ms: int = 8000,
    timeout_s: float = 90.0,
) -> tuple[str, float]:
    """Load ``page`` with the network blocked; return (``--dump-dom`` output, wall seconds)."""
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="ckm-chromium-") as tmp:
        work = Path(tmp)
        args = [
            binary,
            *_FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={window[0]},{window[1]}",
            f"--virtual-time-budget={budget_ms}",
        ]
        args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
        start = time.perf_counter()
        proc = subprocess.run(
            [*args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=_font_env(work),
            check=False,
        )
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout, elapsed


def probe_page(
    html_text: str,
    workdir: Path,
    *,
    open_popups: bool = True,
    delay_ms: int = 1500,
    window: tuple[int, int] = (1280, 900),
    extra_js: str = "",
) -> dict[str, Any]:
    """Write ``html_text`` with the probe to ``workdir``, load it in Chromium, return the report.

    ``extra_js`` runs after the popups and tooltips were read, before the report is written; it
    sees the report ``R`` and the Leaflet ``map`` (``null`` when Leaflet did not load).
    """
    probe = _PROBE % {"open": "true" if open_popups else "false", "delay": delay_ms}
    probe = probe.replace("/*EXTRA*/", extra_js)
    page = workdir / "probed.html"
    page.write_text(html_text.replace("<head>", "<head>" + probe, 1), encoding="utf-8")
    dom, _ = run_chromium(page, window=window)
    m = re.search(r'<pre id="ckm-probe">(.*?)</pre>', dom, re.DOTALL)
    if not m:
        raise AssertionError(
            "the probe wrote no report; the page did not finish loading:\n" + dom[-3000:]
        )
    return json.loads(html.unescape(m.group(1)))


def overlap_px(a: dict[str, float], b: dict[str, float]) -> float:
    """Area in px² where two ``getBoundingClientRect`` boxes of the probe report intersect."""
    w = min(a["right"], b["right"]) - max(a["left"], b["left"])
    h = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(w, 0.0) * max(h, 0.0)


def many_category_coverage(n_categories: int) -> Coverage:
    """The 3×3 fake grid analysed for the first ``n_categories`` default categories.

    Coverage of area ``i`` (row-major) in category ``j`` is ``((i + j) % 5) / 4``, judged against
    the category's target; every category has one resource, spread over the grid. Five long credit
    lines stand in for a real run's sources. For layout checks only.
    """
    cov = fake_coverage()
    keys = [c.key for c in cov.taxonomy][:n_categories]
    if len(keys) < n_categories:
        raise ValueError(f"the default taxonomy has only {len(keys)} categories")
    ids = list(cov.areas[S.AREA_ID])
    names = list(cov.areas[S.AREA_NAME])
    rows = []
    for i, (aid, name) in enumerate(zip(ids, names, strict=True)):
        for j, key in enumerate(keys):
            cat = cov.taxonomy[key]
            share = ((i + j) % 5) / 4
            status = (
                S.STATUS_NONE if share == 0 else S.STATUS_GAP if share < cat.target else S.STATUS_OK
            )
            rows.append(
                {
                    S.AREA_ID: aid,
                    S.AREA_NAME: name,
                    S.CATEGORY: key,
                    S.CATEGORY_LABEL: cat.label,
                    S.N_RESOURCES: 1,
                    S.CAPACITY: np.nan,
                    S.WEIGHT: 1_000_000.0,
                    S.PER_1000: np.nan,
                    S.COVERED: share * 1_000_000.0,
                    S.COVERAGE: share,
                    S.UNCOVERED: (1 - share) * 1_000_000.0,
                    S.NEAREST_M: 500.0,
                    S.STATUS: status,
                }
            )
    xy = [(150.0 + (j * 370) % 2700, 150.0 + (j * 530) % 2700) for j in range(len(keys))]
    cov.resources = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{j}" for j in range(len(keys))],
            S.NAME: [f"資源{j}" for j in range(len(keys))],
            S.CATEGORY: keys,
            S.CATEGORIES: [(k,) for k in keys],
            S.CAPACITY: [np.nan] * len(keys),
            S.ADDRESS: [f"枚方市{j}" for j in range(len(keys))],
            S.SOURCE: ["test"] * len(keys),
            S.AREA_ID: [f"A{int(y // 1000)}{int(x // 1000)}" for x, y in xy],
        },
        geometry=grid_points(xy),
        crs=S.STORAGE_CRS,
    )
    cov.table = pd.DataFrame(rows, columns=list(S.TABLE_COLUMNS))
    sources = tuple(
        S.Source(f"長い出典の名前{k}（公開元の正式名称を含む）", "発行者", "2025", "CC BY 4.0")
        for k in range(5)
    )
    cov.info = dataclasses.replace(
        cov.info,
        categories=tuple(keys),
        rules={
            k: {"radius_m": cov.taxonomy[k].radius_m, "target": cov.taxonomy[k].target}
            for k in keys
        },
        sources=sources,
    )
    return cov
