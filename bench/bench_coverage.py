"""Benchmark of :func:`chiikimap.analyze` against the plain geopandas buffer-union approach.

A synthetic nationwide-size case with a fixed seed: 10,000 district polygons (Voronoi cells,
densified to about 200 vertices each), 250,000 resources in 12 categories and 500,000 population
points, all clustered around "towns" as real data are. Both methods get the same layers in
EPSG:6668 and measure in EPSG:6690. The script prints both times, their ratio, how far the
buffer-union result is from the exact one, and the peak resident memory.

Run::

    PYTHONPATH=. python bench/bench_coverage.py            # full size
    PYTHONPATH=. python bench/bench_coverage.py --scale 0.05

``--scale`` multiplies every count (and the land extent) by the factor.

Measured at full size on the shared 2-core machine (load average 4–6 from other jobs):
analyze 6.7 s, baseline 71.2 s, ratio 10.7×, peak RSS 756 MiB after analyze (697 MiB of it the
generated data) and 1,217 MiB after the baseline; the 8-segment buffers put 2,068 of 119,832
area × category coverages off the exact value, the worst by 0.23.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from chiikimap import _schema as S
from chiikimap.coverage import analyze
from chiikimap.taxonomy import default_taxonomy

METRIC = "EPSG:6690"
CENTER = (500_000.0, 3_900_000.0)
CATEGORIES = (
    "houkatsu",
    "kyotaku_shien",
    "houmon_kaigo",
    "houmon_kango",
    "tsusho_kaigo",
    "tsusho_reha",
    "tanki_nyusho",
    "group_home",
    "kayoi_no_ba",
    "haishoku",
    "mimamori",
    "kaimono",
)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _clustered(rng: np.random.Generator, n: int, towns: np.ndarray, half: float) -> np.ndarray:
    """70 % of the points around towns (σ = 2.5 km), 30 % uniform; all inside the square."""
    k = int(n * 0.7)
    t = towns[rng.integers(0, len(towns), k)]
    near = t + rng.normal(0.0, 2500.0, (k, 2))
    far = rng.uniform(-half, half, (n - k, 2)) + CENTER
    xy = np.vstack([near, far])
    lo = np.array(CENTER) - half + 1.0
    hi = np.array(CENTER) + half - 1.0
    return np.clip(xy, lo, hi)


def build(scale: float, seed: int = 20260101) -> tuple[gpd.GeoDataFrame, ...]:
    rng = np.random.default_rng(seed)
    n_areas = max(int(10_000 * scale), 4)
    n_res = int(250_000 * scale)
    n_pop = int(500_000 * scale)
    half = 307_500.0 * np.sqrt(scale)  # 615 km square at full size: about 38 km² per district
    x0, y0 = CENTER
    frame = shapely.box(x0 - half, y0 - half, x0 + half, y0 + half)
    seeds = shapely.multipoints(rng.uniform(-half, half, (n_areas, 2)) + CENTER)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    side = float(np.sqrt(frame.area / n_areas))
    cells = shapely.segmentize(cells, side * 4.0 / 200.0)  # ~200 vertices per district
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: [f"D{i:05d}" for i in range(len(cells))],
            S.AREA_NAME: [f"第{i + 1}中学校区" for i in range(len(cells))],
        },
        geometry=cells,
        crs=METRIC,
    )
    towns = rng.uniform(-half, half, (max(n_areas // 5, 1), 2)) + CENTER
    rxy = _clustered(rng, n_res, towns, half)
    cats = np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n_res)]
    resources = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n_res)],
            S.NAME: [f"資源{i}" for i in range(n_res)],
            S.CATEGORY: cats,
            S.CATEGORIES: [(c,) for c in cats],
            S.CAPACITY: rng.integers(5, 50, n_res).astype(float),
        },
        geometry=shapely.points(rxy),
        crs=METRIC,
    )
    pxy = _clustered(rng, n_pop, towns, half)
    pop = rng.integers(1, 30, n_pop).astype(float)
    population = gpd.GeoDataFrame(
        {S.POP_TOTAL: pop * 3, S.POP_65PLUS: pop, S.POP_75PLUS: pop / 2},
        geometry=shapely.points(pxy),
        crs=METRIC,
    )
    return tuple(g.to_crs(S.STORAGE_CRS) for g in (areas, resources, population))


def baseline(
    areas: gpd.GeoDataFrame, resources: gpd.GeoDataFrame, population: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Plain geopandas: buffer every resource, union per category, point-in-polygon."""
    tax = default_taxonomy()
    am = areas.to_crs(METRIC)
    rm = resources.to_crs(METRIC)
    pm = population.to_crs(METRIC)[[S.POP_65PLUS, "geometry"]]
    pm = gpd.sjoin(pm, am[[S.AREA_ID, "geometry"]], predicate="within", how="inner")
    pm = pm[~pm.index.duplicated(keep="first")].drop(columns="index_right")
    weight = pm.groupby(S.AREA_ID)[S.POP_65PLUS].sum()
    out = {}
    for key in CATEGORIES:
        sel = rm[rm[S.CATEGORY] == key]
        union = shapely.union_all(sel.geometry.buffer(tax[key].radius_m).to_numpy())
        parts = gpd.GeoDataFrame(geometry=shapely.get_parts([union]), crs=METRIC)
        hit = gpd.sjoin(pm[["geometry"]], parts, predicate="within", how="inner")
        inside = pm.index.isin(hit.index)
        covered = pm[inside].groupby(S.AREA_ID)[S.POP_65PLUS].sum()
        out[key] = covered.reindex(weight.index, fill_value=0.0) / weight
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size factor (1 = nationwide)")
    parser.add_argument("--no-baseline", action="store_true", help="time analyze only")
    args = parser.parse_args()

    t0 = time.perf_counter()
    areas, resources, population = build(args.scale)
    n_vert = int(shapely.get_num_coordinates(areas.geometry.to_numpy()).mean())
    print(
        f"data: {len(areas):,} districts (mean {n_vert} vertices), {len(resources):,} resources "
        f"in {len(CATEGORIES)} categories, {len(population):,} population points "
        f"(built in {time.perf_counter() - t0:.1f} s)"
    )
    rss0 = _rss_mib()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # districts that hold no population point
        cov = analyze(areas, resources, population, metric_crs=METRIC)
    t_an = time.perf_counter() - t0
    rss1 = _rss_mib()
    print(f"analyze:  {t_an:7.2f} s   peak RSS {rss1:,.0f} MiB (before: {rss0:,.0f} MiB)")
    if args.no_baseline:
        return
    t0 = time.perf_counter()
    base = baseline(areas, resources, population)
    t_b = time.perf_counter() - t0
    rss2 = _rss_mib()
    print(
        f"baseline: {t_b:7.2f} s   peak RSS {rss2:,.0f} MiB (buffer-union-sjoin, 8 segments/quarter)"
    )
    print(f"ratio:    {t_b / t_an:7.1f}×")
    exact = cov.table.pivot(index=S.AREA_ID, columns=S.CATEGORY, values=S.COVERAGE)
    exact = exact.reindex(index=base.index, columns=base.columns)
    diff = (exact - base).abs()
    worst = diff.stack().sort_values().tail(1)
    print(
        f"buffer-union vs exact: {int((diff > 1e-12).sum().sum())} of {diff.size} area×category "
        f"coverages differ; largest difference {float(worst.iloc[0]):.4f} "
        f"({worst.index[0][0]}, {worst.index[0][1]})"
    )


if __name__ == "__main__":
    main()
