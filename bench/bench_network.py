"""Benchmark of ``analyze(..., network=...)`` (walking distance) against straight-line ``analyze``.

A synthetic city with a fixed seed, in EPSG:6677 metres around the plane's origin: a street grid
of 224 × 224 nodes 80 m apart (50,176 nodes, ≈ 17.9 km square) with 10 % of its edges removed at
random and a river across the middle crossed by a bridge every 1.6 km; 200,000 population
points (1–7 people each) clustered around 40 towns; 500 resources in 5 categories; 20 areas
(a 5 × 4 grid of boxes); radius 800 m. Both runs use the same layers; the script prints their
times, the network's size and the straight-line vs walking coverage.

Run::

    PYTHONPATH=. python bench/bench_network.py
    PYTHONPATH=. python bench/bench_network.py --people 20000   # smaller
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pyproj
from shapely.geometry import box

import chiikimap
from chiikimap import _schema as S

CRS = "EPSG:6677"
CATS = ("kayoi_no_ba", "kyoten", "houkatsu", "tsusho_kaigo", "houmon_kaigo")


def grid_network(side: int, step: float, seed: int) -> chiikimap.Network:
    """A ``side × side`` street grid, 10 % of edges gone, a river crossed every 20 blocks."""
    rng = np.random.default_rng(seed)
    ij = np.arange(side * side).reshape(side, side)
    half = side * step / 2.0
    gx, gy = np.meshgrid(np.arange(side) * step - half, np.arange(side) * step - half)
    east = np.column_stack([ij[:, :-1].ravel(), ij[:, 1:].ravel()])
    north = np.column_stack([ij[:-1, :].ravel(), ij[1:, :].ravel()])
    river = side // 2  # the edges from row river-1 to row river cross it
    col = north[:, 0] % side
    crosses = (north[:, 0] // side) == river - 1
    north = north[~crosses | (col % 20 == 0)]
    edges = np.vstack([east, north])
    edges = edges[rng.random(len(edges)) > 0.10]
    return chiikimap.Network(
        x=gx.ravel(), y=gy.ravel(), u=edges[:, 0], v=edges[:, 1], crs=pyproj.CRS(CRS)
    )


def layers(n_people: int, n_res: int, extent: float, seed: int) -> tuple:
    """Areas (5 × 4 boxes), resources in 5 categories and population points in ``±extent``."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(-extent, extent, 6)
    ys = np.linspace(-extent, extent, 5)
    boxes = [box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(4) for i in range(5)]
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: [f"{k:02d}" for k in range(20)], S.AREA_NAME: [f"圏域{k}" for k in range(20)]},
        geometry=boxes,
        crs=CRS,
    )
    centres = rng.uniform(-0.8 * extent, 0.8 * extent, (40, 2))
    town = rng.integers(0, 40, n_people)
    xy = np.clip(centres[town] + rng.normal(0, 900.0, (n_people, 2)), -extent + 1, extent - 1)
    w = rng.integers(1, 8, n_people).astype(float)
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: w, S.POP_65PLUS: w, S.POP_75PLUS: w},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )
    rxy = rng.uniform(-extent + 1, extent - 1, (n_res, 2))
    cat = [CATS[i % len(CATS)] for i in range(n_res)]
    res = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n_res)],
            S.NAME: [f"資源{i}" for i in range(n_res)],
            S.CATEGORY: cat,
            S.CATEGORIES: [(c,) for c in cat],
            S.CAPACITY: np.full(n_res, np.nan),
            S.ADDRESS: [""] * n_res,
            S.SOURCE: ["bench"] * n_res,
        },
        geometry=gpd.points_from_xy(rxy[:, 0], rxy[:, 1]),
        crs=CRS,
    )
    return areas, res, pop


def main() -> None:
    """Build the city, run both analyses, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=224, help="grid nodes per side (224² ≈ 50,000)")
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--resources", type=int, default=500)
    ap.add_argument("--radius", type=float, default=800.0)
    ap.add_argument("--seed", type=int, default=18)
    a = ap.parse_args()
    step = 80.0
    net = grid_network(a.side, step, a.seed)
    extent = a.side * step / 2.0 - step
    areas, res, pop = layers(a.people, a.resources, extent, a.seed)
    kw = {"radius_m": a.radius, "metric_crs": CRS, "weight": "pop_total"}
    print(
        f"network: {net.n_nodes:,} nodes, {net.n_edges:,} edges; people {a.people:,}; "
        f"resources {a.resources} in {len(CATS)} categories; areas 20; radius {a.radius:g} m"
    )
    t0 = time.perf_counter()
    straight = chiikimap.analyze(areas, res, pop, **kw)
    t1 = time.perf_counter()
    walk = chiikimap.analyze(areas, res, pop, network=net, **kw)
    t2 = time.perf_counter()
    print(f"analyze straight line: {t1 - t0:6.2f} s")
    print(f"analyze network:       {t2 - t1:6.2f} s  (target ≤ 10 s)")
    s = straight.summary().set_index(S.CATEGORY)
    w = walk.summary().set_index(S.CATEGORY)
    print(f"{'category':<14}{'coverage 直線':>14}{'coverage 道のり':>16}")
    for k in CATS:
        print(f"{k:<14}{float(s.loc[k, S.COVERAGE]):>14.3f}{float(w.loc[k, S.COVERAGE]):>16.3f}")


if __name__ == "__main__":
    main()
