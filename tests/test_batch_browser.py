"""The batch summary map in headless Chromium (network blocked): drawn, linked, escaped."""

from __future__ import annotations

import importlib
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import chiikimap
from chiikimap._batch_summary import _write_map
from chiikimap.recipe import load_recipe
from tests._maps_helpers import probe_page, require_chromium

pytestmark = pytest.mark.browser

batch_mod = importlib.import_module("chiikimap.batch")

BAD_NAME = "<img src=x onerror=alert(1)>市"
BAD_ERROR = "SchemaError: <script>alert(2)</script> 人口がありません"

#: open each municipality's popup (bound to its GeoJSON layer) and keep the popup's content
OPEN_POPUPS = """
R.batch = [];
map.eachLayer(function (l) {
  if (l.feature && l.feature.properties && l.feature.properties.code) {
    l.fire('click', {latlng: l.getBounds().getCenter()}, true);
    var el = document.querySelector('.leaflet-popup-content');
    R.batch.push({code: l.feature.properties.code, text: el ? el.textContent : '',
                  hrefs: el ? Array.prototype.map.call(el.querySelectorAll('a'),
                    function (a) { return a.getAttribute('href'); }) : []});
    map.closePopup();
  }
});
R.imgX = document.querySelectorAll('img[src="x"]').length;
R.scripts = document.querySelectorAll('.leaflet-popup-content script').length;
R.scaleLines = Array.prototype.map.call(document.querySelectorAll('.leaflet-control-scale-line'),
  function (e) { return e.textContent; });
var info = document.querySelector('.ckm-info');
R.sources = info ? info.textContent : '';
"""


def test_summary_map_links_and_escapes(tmp_path: Path, test_data: Path) -> None:
    require_chromium()
    for f in (test_data / "districts").glob("A32-23_29.*"):
        if f.suffix != ".geojson":
            shutil.copy(f, tmp_path / f.name)
    (tmp_path / "recipe.toml").write_text(
        '[areas]\npath = "A32-23_29.shp"\n[[resources]]\npath = "x.csv"\n', encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        areas = chiikimap.read_districts(tmp_path / "A32-23_29.shp", municipality=None)
    results = [
        batch_mod.MunicipalityResult("29209", "生駒市", "29209_生駒市", "ok"),
        batch_mod.MunicipalityResult("29204", BAD_NAME, "29204_img", "ok"),
        batch_mod.MunicipalityResult("29363", "田原本町", "29363_田原本町", "error", BAD_ERROR),
    ]
    (tmp_path / "29209_生駒市").mkdir()
    (tmp_path / "29209_生駒市" / "chiikimap.html").write_text("<p>map</p>", encoding="utf-8")
    summary = pd.DataFrame(
        [
            {
                "municipality_code": c,
                "category": "tsusho_kaigo",
                "category_label": "通所介護",
                "share_lacking": s,
            }
            for c, s in (("29209", 0.25), ("29204", 1.0))
        ]
    )
    page = tmp_path / "summary.html"
    rec = load_recipe(tmp_path / "recipe.toml")
    _write_map(page, rec, {"areas": areas}, results, summary, ["html"])
    report = probe_page(page.read_text(encoding="utf-8"), tmp_path, extra_js=OPEN_POPUPS)
    assert report["hasMap"]
    assert report["alerts"] == []
    assert report["imgX"] == 0
    assert report["scripts"] == 0
    assert not [e for e in report["errors"] if not e.startswith("resource: IMG")]
    popups = {p["code"]: p for p in report["batch"]}
    assert set(popups) == {"29209", "29204", "29363"}
    # relative link to the municipality's own map; the name shown as text
    assert popups["29209"]["hrefs"] == ["29209_%E7%94%9F%E9%A7%92%E5%B8%82/chiikimap.html"]
    assert "空白・不足の圏域 25%" in popups["29209"]["text"]
    assert BAD_NAME in popups["29204"]["text"]
    assert "<script>alert(2)</script>" in popups["29363"]["text"]
    # one scale bar, metric; the sources box names the area file's credit
    assert len(report["scaleLines"]) == 1
    assert report["scaleLines"][0].endswith(("km", " m"))
    assert "国土数値情報" in report["sources"]
