"""Size, build time and time to first render of the interactive gap map on synthetic data.

Cases: a municipality (50 areas, 1,000 resources) and a prefecture (500 areas, 20,000 resources),
built by hand (Voronoi areas with boundaries segmentized every 10 m, random resources and random
statuses over all taxonomy categories), so the benchmark does not depend on the analysis.

Run from the repository root::

    PYTHONPATH=. python bench/bench_map.py

Time to first render is ``performance.now()`` in headless Chromium (network blocked) when the
offline page has loaded and drawn its areas and markers; the wall time of the whole browser run
(start-up and exit included) is printed next to it.
The bundled 枚方市 sample (13 areas, 792 resources) is measured too: its file sizes with and without
the search box and area panel data (issue 12), whose texts are the resources' names and addresses.
Targets (issue 4): municipality ≤ 1.5 MB online (≤ 2.5 MB offline), build ≤ 2 s; prefecture opens
in ≤ 5 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chiikimap import _schema as S
from chiikimap.maps.interactive import save_html
from chiikimap.result import Coverage, RunInfo
from chiikimap.taxonomy import default_taxonomy
from tests._maps_helpers import CHROMIUM, probe_page, run_chromium

CRS = "EPSG:6690"


def synthetic(n_areas: int, n_resources: int, side_m: float, seed: int = 0) -> Coverage:
    rng = np.random.default_rng(seed)
    tax = default_taxonomy()
    keys = tax.keys
    x0, y0 = 560_000.0, 3_850_000.0
    frame = shapely.box(x0, y0, x0 + side_m, y0 + side_m)
    seeds = shapely.points(rng.uniform([x0, y0], [x0 + side_m, y0 + side_m], (n_areas, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    cells = shapely.segmentize(shapely.intersection(cells, frame), 10.0)
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: [f"A{i:03d}" for i in range(len(cells))],
            S.AREA_NAME: [f"第{i + 1}中学校区" for i in range(len(cells))],
            S.MUNICIPALITY_CODE: "27210",
        },
        geometry=list(cells),
        crs=CRS,
    ).to_crs(S.STORAGE_CRS)
    pts = rng.uniform([x0, y0], [x0 + side_m, y0 + side_m], (n_resources, 2))
    cat = rng.choice(keys, n_resources)
    resources = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n_resources)],
            S.NAME: [f"資源{i}" for i in range(n_resources)],
            S.CATEGORY: cat,
            S.CATEGORIES: [(c,) for c in cat],
            S.CAPACITY: rng.choice([np.nan, 10.0, 20.0], n_resources),
            S.ADDRESS: [f"大阪府枚方市{i % 100}丁目{i}" for i in range(n_resources)],
            S.SOURCE: "合成データ",
        },
        geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]),
        crs=CRS,
    ).to_crs(S.STORAGE_CRS)
    resources[S.AREA_ID] = None
    cov = rng.uniform(0, 1, (len(areas), len(keys)))
    cov[cov < 0.15] = 0.0
    rows = []
    for i, (aid, name) in enumerate(zip(areas[S.AREA_ID], areas[S.AREA_NAME], strict=True)):
        for j, k in enumerate(keys):
            c = float(cov[i, j])
            status = S.STATUS_NONE if c == 0 else S.STATUS_GAP if c < tax[k].target else S.STATUS_OK
            rows.append(
                (
                    aid,
                    name,
                    k,
                    tax.label(k),
                    1,
                    np.nan,
                    5000.0,
                    0.2,
                    c * 5000,
                    c,
                    (1 - c) * 5000,
                    500.0,
                    status,
                )
            )
    table = pd.DataFrame(rows, columns=list(S.TABLE_COLUMNS))
    info = RunInfo(
        basis="population",
        weight="pop_65plus",
        weight_label="65歳以上人口",
        rules={k: {"radius_m": tax[k].radius_m, "target": tax[k].target} for k in keys},
        categories=keys,
        storage_crs=S.STORAGE_CRS,
        metric_crs=CRS,
        sources=(S.Source("合成データ", "chiikimap", "2026-01-01", "CC0"),),
        taxonomy=tax.name,
    )
    return Coverage(
        table,
        areas,
        resources,
        None,
        resources.iloc[0:0],
        pd.DataFrame(columns=list(S.REJECTED_COLUMNS)),
        info,
        tax,
    )


def hirakata_sizes(work: Path) -> None:
    """File sizes of the 枚方市 sample's map, and what its search/panel data block adds."""
    import re
    import warnings

    import chiikimap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's duplicate rows are reported elsewhere
        s = chiikimap.load_sample("hirakata")
        cov = chiikimap.analyze(s.areas, s.resources, s.population)
    online, offline = work / "hirakata.html", work / "hirakata_offline.html"
    save_html(cov, online)
    save_html(cov, offline, offline=True)
    page = online.read_text(encoding="utf-8")
    block = re.search(
        r'<script type="application/json" id="chiikimap_search_\w+">.*?</script>', page
    )
    search_bytes = len(block.group(0).encode("utf-8")) if block else 0
    print(
        f"hirakata sample (13 areas, 792 resources): online {online.stat().st_size:,} B, "
        f"offline {offline.stat().st_size:,} B; search/panel data block {search_bytes:,} B"
    )


def main() -> None:
    cases = {
        "municipality (50 areas, 1,000 resources)": synthetic(50, 1_000, 12_000),
        "prefecture (500 areas, 20,000 resources)": synthetic(500, 20_000, 80_000),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        hirakata_sizes(work)
        baseline = 0.0
        if CHROMIUM:
            empty = work / "empty.html"
            empty.write_text("<html><body></body></html>", encoding="utf-8")
            baseline = min(run_chromium(empty, budget_ms=100)[1] for _ in range(2))
            print(f"chromium start-up on an empty page: {baseline:.2f} s")
        for label, cov in cases.items():
            online, offline = work / "online.html", work / "offline.html"
            start = time.perf_counter()
            save_html(cov, online)
            build = time.perf_counter() - start
            save_html(cov, offline, offline=True)
            print(
                f"{label}: build {build:.2f} s, online {online.stat().st_size / 1e6:.2f} MB, "
                f"offline {offline.stat().st_size / 1e6:.2f} MB"
            )
            if CHROMIUM:
                start = time.perf_counter()
                report = probe_page(
                    offline.read_text(encoding="utf-8"), work, open_popups=False, delay_ms=0
                )
                wall = time.perf_counter() - start
                print(
                    f"  first render {report['t'] / 1000:.2f} s in page; browser run "
                    f"{wall:.2f} s wall ({wall - baseline:.2f} s over start-up); "
                    f"areas drawn {report['areas']}, "
                    f"markers {report['markers']}, clusters {report['clusters']}, "
                    f"errors {len(report['errors'])}"
                )


if __name__ == "__main__":
    main()
