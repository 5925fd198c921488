"""Benchmark of ``analyze(..., network=...)`` (walking distance) against straight-line ``analyze``.

A synthetic city with a fixed seed, in EPSG:6677 metres around the plane's origin: a street grid
of 224 × 224 nodes 80 m apart (50,176 nodes, ≈ 17.9 km square) with 10 % of its edges removed at
random and a river across the middle crossed by a bridge every 1.6 km; 200,000 population
points (1–7 people each) clustered around 40 towns; 500 resources in 5 categories; 20 areas
(a 5 × 4 grid of boxes); radius 800 m. Both runs use the same layers; the script prints their
times, the network's size and the straight-line vs walking coverage.

With ``--pbf`` it also writes the street grid as an ``.osm.pbf`` file (one way per edge, in a
temporary folder) and times :func:`chiikimap.read_network` on it: parsing, parsing with the
cache being written, loading from the cache, and parsing clipped to one area plus 800 m.

Run::

    PYTHONPATH=. python bench/bench_network.py
    PYTHONPATH=. python bench/bench_network.py --people 20000   # smaller
    PYTHONPATH=. python bench/bench_network.py --pbf            # + reading an OSM file
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
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


def write_pbf(net: chiikimap.Network, path: Path) -> None:
    """The network as an OSM PBF file: one node per grid node, one ``highway`` way per edge."""
    import osmium

    lon, lat = pyproj.Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True).transform(
        net.x, net.y
    )
    writer = osmium.SimpleWriter(str(path))
    try:
        for i in range(net.n_nodes):
            writer.add_node(osmium.osm.mutable.Node(id=i + 1, location=(lon[i], lat[i])))
        for k, (a, b) in enumerate(zip(net.u, net.v, strict=True)):
            way = osmium.osm.mutable.Way(
                id=k + 1, nodes=[int(a) + 1, int(b) + 1], tags={"highway": "residential"}
            )
            writer.add_way(way)
    finally:
        writer.close()


def time_reading(net: chiikimap.Network, areas: gpd.GeoDataFrame) -> None:
    """Print the times of read_network on the grid written as a PBF file."""
    with tempfile.TemporaryDirectory() as tmp:
        pbf = Path(tmp) / "grid.osm.pbf"
        write_pbf(net, pbf)
        size = pbf.stat().st_size
        runs = [
            ("parse", {}),
            ("parse + write cache", {"cache": True}),
            ("load from cache", {"cache": True}),
            ("parse, clip to 1 area + 800 m", {"clip_to": areas.iloc[[7]], "margin_m": 800.0}),
        ]
        print(f"read_network on {pbf.name} ({size / 1e6:.1f} MB):")
        for label, kw in runs:
            t0 = time.perf_counter()
            got = chiikimap.read_network(pbf, **kw)
            dt = time.perf_counter() - t0
            print(f"  {label:<31}{dt:7.3f} s  ({got.n_nodes:,} nodes, {got.n_edges:,} edges)")


def main() -> None:
    """Build the city, run both analyses, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=224, help="grid nodes per side (224² ≈ 50,000)")
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--resources", type=int, default=500)
    ap.add_argument("--radius", type=float, default=800.0)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--pbf", action="store_true", help="also time read_network on a PBF file")
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
    assert walk.catchments is not None
    n_vertices = int(shapely.get_num_coordinates(walk.catchments.geometry.to_numpy()).sum())
    print(f"walking catchments: {len(walk.catchments)} categories, {n_vertices:,} vertices")
    if a.pbf:
        time_reading(net, areas)


if __name__ == "__main__":
    main()
