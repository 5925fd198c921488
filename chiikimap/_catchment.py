"""Walking catchments: the area whose people reach a category's resource on foot within its radius.

What is drawn (and why it is honest): a regular grid of points covers the areas; each grid point
gets its walking distance to the nearest resource **by the same rule that counts people**
(:mod:`chiikimap._network`: the straight line to the nearest point of the nearest street segment,
the shortest path along the streets, the straight line from the street to the resource), and the
catchment is the region where that distance is ≤ the radius, traced between the grid points
(linear interpolation, :mod:`contourpy`). So a person standing inside the drawn catchment is
counted as reached, up to the grid's spacing (:data:`MIN_STEP_M` metres or more: at most
:data:`MAX_POINTS` points per metric zone): the drawing is exact on the grid and approximate
between its points — a point can be misdrawn only within one spacing of the outline, also where
the nearest street changes and the walking distance jumps (tested on random points). It is neither a buffer of fixed width around the reached streets (which would
draw people 40 m off a street as reached when the walk has 10 m left) nor a concave hull (which
would fill the blocks the streets do not enter, and the river).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import shapely

__all__ = ["MAX_POINTS", "MIN_STEP_M", "catchment_geometry", "grid_points"]

#: The finest grid spacing (m).
MIN_STEP_M = 20.0
#: The most grid points per metric zone: a large municipality gets a coarser grid.
MAX_POINTS = 40_000


def grid_points(bounds: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Grid coordinates ``xs``, ``ys`` over ``bounds`` (one step beyond each edge)."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    step = max(MIN_STEP_M, math.sqrt(w * h / MAX_POINTS))
    xs = np.arange(x0 - step, x1 + 2 * step, step)
    ys = np.arange(y0 - step, y1 + 2 * step, step)
    return xs, ys


def catchment_geometry(
    xs: np.ndarray, ys: np.ndarray, dist: np.ndarray, radius_m: float
) -> shapely.Geometry | None:
    """The region of the grid whose walking distance is ≤ ``radius_m`` (``None``: empty).

    ``dist`` holds one distance per grid point, row by row (``len(ys) × len(xs)``). The outline is
    interpolated linearly between grid points and simplified by a quarter of the spacing.
    """
    import contourpy

    z = np.minimum(np.asarray(dist, dtype=float), 2.0 * radius_m + 1.0).reshape(len(ys), len(xs))
    if not (z <= radius_m).any():
        return None
    gen = contourpy.contour_generator(xs, ys, z, fill_type=contourpy.FillType.OuterOffset)
    filled: Any = gen.filled(-1.0, float(radius_m))
    points, offsets = filled[0], filled[1]  # FillType.OuterOffset: polygons, ring offsets
    polygons = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[a:b] for a, b in itertools.pairwise(off) if b - a >= 4]
        if rings:
            polygons.append(shapely.Polygon(rings[0], rings[1:]))
    if not polygons:
        return None
    geom = shapely.make_valid(shapely.MultiPolygon(polygons))
    step = float(xs[1] - xs[0]) if len(xs) > 1 else MIN_STEP_M
    return shapely.simplify(geom, step / 4.0, preserve_topology=True)
