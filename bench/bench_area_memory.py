"""Time and peak memory of :func:`chiikimap.analyze` on the land-area basis (no population).

A synthetic prefecture-size case with a fixed seed: 1,000 district polygons (Voronoi cells of a
200 km square, densified to about 200 vertices each) and N resources clustered around towns, in
``--categories`` categories. Each size runs in a fresh Python process, so the peak resident
memory printed is that of one run; "data only" is the peak after building the layers and before
``analyze``. CPU is the process time of ``analyze`` (the wall time grows with other jobs on a
shared machine; the k-d tree queries use every core).

Run::

    PYTHONPATH=. python bench/bench_area_memory.py                      # 10 k, 100 k and 1 M
    PYTHONPATH=. python bench/bench_area_memory.py --sizes 10000 100000
    PYTHONPATH=. python bench/bench_area_memory.py --categories 1       # every disc in one union
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import geopandas as gpd
import numpy as np
import shapely

from chiikimap import _schema as S

METRIC = "EPSG:6690"
CENTER = (500_000.0, 3_900_000.0)
HALF = 100_000.0
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


def build(
    n_res: int, n_cat: int, n_areas: int = 1000, seed: int = 20261201
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Districts and ``n_res`` resources (70 % around towns, σ = 2.5 km), in EPSG:6668."""
    rng = np.random.default_rng(seed)
    x0, y0 = CENTER
    frame = shapely.box(x0 - HALF, y0 - HALF, x0 + HALF, y0 + HALF)
    seeds = shapely.multipoints(rng.uniform(-HALF, HALF, (n_areas, 2)) + CENTER)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame
    )
    side = float(np.sqrt(frame.area / n_areas))
    cells = shapely.segmentize(cells, side * 4.0 / 200.0)
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: [f"D{i:05d}" for i in range(len(cells))],
            S.AREA_NAME: [f"第{i + 1}中学校区" for i in range(len(cells))],
        },
        geometry=cells,
        crs=METRIC,
    )
    towns = rng.uniform(-HALF, HALF, (n_areas // 5, 2)) + CENTER
    k = int(n_res * 0.7)
    near = towns[rng.integers(0, len(towns), k)] + rng.normal(0.0, 2500.0, (k, 2))
    far = rng.uniform(-HALF, HALF, (n_res - k, 2)) + CENTER
    xy = np.clip(np.vstack([near, far]), np.array(CENTER) - HALF + 1, np.array(CENTER) + HALF - 1)
    cats = np.array(CATEGORIES[:n_cat])[rng.integers(0, n_cat, n_res)]
    resources = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n_res)],
            S.NAME: [f"資源{i}" for i in range(n_res)],
            S.CATEGORY: cats,
            S.CATEGORIES: [(c,) for c in cats],
            S.CAPACITY: rng.integers(5, 50, n_res).astype(float),
        },
        geometry=shapely.points(xy),
        crs=METRIC,
    )
    return areas.to_crs(S.STORAGE_CRS), resources.to_crs(S.STORAGE_CRS)


def run_one(n_res: int, n_cat: int) -> dict[str, float]:
    """Build the case and run ``analyze`` once in this process."""
    from chiikimap.coverage import analyze

    areas, resources = build(n_res, n_cat)
    data_mib = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cov = analyze(areas, resources)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "resources": n_res,
        "categories": n_cat,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "data_mib": data_mib,
        "peak_mib": _rss_mib(),
        "mean_coverage": float(cov.table[S.COVERAGE].mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--categories", type=int, default=len(CATEGORIES))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.categories)))
        return
    print(
        f"analyze, land-area basis: 1,000 districts (~200 vertices), "
        f"{args.categories} categories; one fresh process per size"
    )
    print(
        f"{'resources':>10} {'wall':>9} {'CPU':>9} {'peak RSS':>10} {'data only':>10} "
        f"{'mean cov':>9}"
    )
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--categories", str(args.categories)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{n:>10,} failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{n:>10,} {r['seconds']:>7.1f} s {r['cpu_seconds']:>7.1f} s {r['peak_mib']:>6,.0f} MiB "
            f"{r['data_mib']:>6,.0f} MiB {r['mean_coverage']:>9.4f}"
        )


if __name__ == "__main__":
    main()
