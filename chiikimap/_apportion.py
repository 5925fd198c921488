"""Population polygons → weighted points (minimal stand-in; the population issue replaces it)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["weight_points"]


def weight_points(
    population: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    metric_crs: Any,
    weight: str,
    spacing_m: float = 100.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread each population polygon's ``weight`` over lattice points, split by the areas.

    Returns ``(xy, w, area_index)``: point coordinates in ``metric_crs`` (shape ``(n, 2)``), their
    weights (summing to the polygons' total) and the row position of the area holding each point
    (``-1`` outside every area).
    """
    pop = population.to_crs(metric_crs)
    ar = areas.to_crs(metric_crs)[["geometry"]].copy()
    ar["_area"] = np.arange(len(ar))
    pop = pop[[weight, "geometry"]].copy()
    pop["_pop"] = np.arange(len(pop))
    pieces = gpd.overlay(pop, ar, how="identity", keep_geom_type=True)
    pieces["_area"] = pieces["_area"].fillna(-1).astype(int)
    total_area = pop.geometry.area.to_numpy()
    xs: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    idx: list[np.ndarray] = []
    for geom, p, a, value in zip(
        pieces.geometry, pieces["_pop"], pieces["_area"], pieces[weight], strict=True
    ):
        if total_area[p] <= 0 or not np.isfinite(value):
            continue
        share = float(value) * geom.area / total_area[p]
        x0, y0, x1, y1 = geom.bounds
        mx, my = np.meshgrid(
            np.arange(x0 + spacing_m / 2, x1, spacing_m), np.arange(y0 + spacing_m / 2, y1, spacing_m)
        )
        gx, gy = mx.ravel(), my.ravel()
        inside = shapely.contains_xy(geom, gx, gy) if gx.size else np.zeros(0, bool)
        pts = np.column_stack([gx[inside], gy[inside]])
        if len(pts) == 0:
            rp = geom.representative_point()
            pts = np.array([[rp.x, rp.y]])
        xs.append(pts)
        ws.append(np.full(len(pts), share / len(pts)))
        idx.append(np.full(len(pts), a, dtype=int))
    if not xs:
        return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=int)
    return np.concatenate(xs), np.concatenate(ws), np.concatenate(idx)
