"""Point-in-polygon assignment with a deterministic rule for points on shared borders."""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["assign_points"]


def _first_by_rank(
    points: np.ndarray, polys: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct point of the (point, polygon) pairs keep the polygon of lowest rank."""
    if points.size == 0:
        return points, polys
    order = np.lexsort((rank[polys], points))
    pts, pls = points[order], polys[order]
    first = np.ones(len(pts), dtype=bool)
    first[1:] = pts[1:] != pts[:-1]
    return pts[first], pls[first]


def assign_points(xy: np.ndarray, polygons: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Row position of the polygon holding each point, ``-1`` for a point in no polygon.

    Parameters
    ----------
    xy
        Point coordinates, shape ``(n, 2)``, in the same CRS as ``polygons``.
    polygons
        Array of shapely polygons (the areas).
    rank
        Tie-break rank of each polygon: a point on the boundary shared by several polygons (or in
        an overlap) goes to the polygon of lowest rank. :func:`chiikimap.analyze` ranks areas by
        ``area_id`` (string order), so the rule does not depend on the row order.

    Notes
    -----
    Two passes: points strictly inside a polygon (``contains_properly`` against prepared
    polygons, the fast and common case), then the remaining points by ``intersects`` (boundary
    points; points outside every polygon stay ``-1``).
    """
    n = len(xy)
    out = np.full(n, -1, dtype=np.intp)
    if n == 0 or len(polygons) == 0:
        return out
    polygons = np.asarray(polygons, dtype=object)
    shapely.prepare(polygons)
    pts = shapely.points(np.asarray(xy, dtype=float))
    tree = shapely.STRtree(pts)
    poly_i, pt_i = tree.query(polygons, predicate="contains_properly")
    p, a = _first_by_rank(pt_i, poly_i, rank)
    out[p] = a
    rest = np.flatnonzero(out < 0)
    if rest.size:
        area_tree = shapely.STRtree(polygons)
        q_i, a_i = area_tree.query(pts[rest], predicate="intersects")
        p, a = _first_by_rank(q_i, a_i, rank)
        out[rest[p]] = a
    return out
