"""Benchmark: apportion half-mesh population cells to district polygons.

Builds a synthetic case with a fixed seed — ``n_cells`` 500 m square cells (default 500,000) and
``n_districts`` Voronoi district polygons (default 10,000) densified to realistic vertex counts and
covering slightly less than the cells, so that some population lies outside every district — and
times :func:`chiikimap._apportion.apportion` against the plain overlay + groupby baseline on the same
data. Prints both times, their ratio, peak memory and the check that totals agree.

    python bench/bench_apportion.py              # full size (several minutes for the baseline)
    python bench/bench_apportion.py --scale 0.1  # 50,000 cells × 1,000 districts
"""

from __future__ import annotations

import argparse
import resource
import time

import geopandas as gpd
import numpy as np
import shapely

from chiikimap._apportion import apportion

CRS = "EPSG:6690"
CELL_M = 500.0


def build(scale: float, seed: int = 20240501) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    side = round(np.sqrt(500_000 * scale))
    n_districts = max(4, round(10_000 * scale))
    x0, y0 = 400_000.0, 3_800_000.0
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    xs, ys = x0 + ix.ravel() * CELL_M, y0 + iy.ravel() * CELL_M
    cells = gpd.GeoDataFrame(
        {
            "pop_total": rng.poisson(300, xs.size).astype(float),
            "pop_65plus": rng.poisson(90, xs.size).astype(float),
            "pop_75plus": rng.poisson(45, xs.size).astype(float),
        },
        geometry=shapely.box(xs, ys, xs + CELL_M, ys + CELL_M),
        crs=CRS,
    )
    extent = side * CELL_M
    margin = 0.02 * extent
    frame = shapely.box(x0 + margin, y0 + margin, x0 + extent - margin, y0 + extent - margin)
    seeds = shapely.multipoints(
        np.column_stack(
            [rng.uniform(x0, x0 + extent, n_districts), rng.uniform(y0, y0 + extent, n_districts)]
        )
    )
    cells_v = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    districts = shapely.intersection(cells_v, frame)
    # densify to realistic vertex counts (a 中学校区 boundary has a few hundred vertices)
    mean_len = np.sqrt(extent * extent / n_districts)
    districts = shapely.segmentize(districts, mean_len / 80)
    areas = gpd.GeoDataFrame(
        {"area_id": [f"D{i:05d}" for i in range(len(districts))]}, geometry=districts, crs=CRS
    )
    return cells, areas


def baseline(cells: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    c = cells.assign(_cell=np.arange(len(cells)), _a=cells.area)
    pieces = gpd.overlay(c, areas, how="intersection", keep_geom_type=True)
    share = pieces.area / pieces["_a"]
    cols = ["pop_total", "pop_65plus", "pop_75plus"]
    return pieces[cols].mul(share, axis=0).groupby(pieces["area_id"]).sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 500,000 cells × 10,000 districts"
    )
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    cells, areas = build(args.scale)
    nv = shapely.get_num_coordinates(areas.geometry.to_numpy())
    print(
        f"cells {len(cells):,}  districts {len(areas):,}  vertices/district median {int(np.median(nv))}"
    )

    t = time.perf_counter()
    pieces = apportion(cells, areas, metric_crs=CRS)
    t_ours = time.perf_counter() - t
    ours = pieces.groupby("area_id")[["pop_total", "pop_65plus", "pop_75plus"]].sum()
    outside = pieces.loc[pieces["area_id"].isna(), "pop_total"].sum()
    print(
        f"apportion         {t_ours:8.2f} s  ({len(pieces):,} pieces, outside share {outside:,.0f} people)"
    )
    print(
        f"totals preserved: {np.isclose(pieces['pop_total'].sum(), cells['pop_total'].sum(), rtol=1e-12)}"
    )
    if not args.skip_baseline:
        t = time.perf_counter()
        base = baseline(cells, areas)
        t_base = time.perf_counter() - t
        diff = float(np.abs(base.reindex(ours.index).to_numpy() - ours.to_numpy()).max())
        print(f"overlay+groupby   {t_base:8.2f} s  (max per-area difference {diff:.2e} people)")
        print(f"ratio baseline/apportion: {t_base / t_ours:.1f}x")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS (whole process, both runs): {peak_kib / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
