"""Exact nearest distances, weighted medians per group and land-area sample lattices."""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

__all__ = [
    "DISC_QUAD_SEGS",
    "RADIUS_TOL_M",
    "area_lattice",
    "covered_area",
    "lower_weighted_median",
    "nearest_distance",
]

#: Distances up to ``radius + RADIUS_TOL_M`` count as within the radius. Reprojecting lon/lat to
#: the metric CRS leaves round-off of about 1e-9 m, so a point placed exactly at the radius must
#: not fall out by it; 1 µm is far below any meaningful distance.
RADIUS_TOL_M = 1e-6


def nearest_distance(sources_xy: np.ndarray, query_xy: np.ndarray) -> np.ndarray:
    """Exact straight-line distance from each query point to the nearest source point.

    Uses :class:`scipy.spatial.cKDTree` on all cores (``workers=-1``).
    """
    if len(query_xy) == 0:
        return np.zeros(0)
    tree = cKDTree(sources_xy)
    d, _ = tree.query(query_xy, k=1, workers=-1)
    return np.asarray(d, dtype=float)


def lower_weighted_median(
    values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Lower weighted median of ``values`` per group.

    For one group with values sorted ascending ``v_1 ≤ … ≤ v_m`` and weights ``w_i > 0`` (zero
    weights are ignored), the lower weighted median is the smallest ``v_k`` with
    ``w_1 + … + w_k ≥ (w_1 + … + w_m) / 2``. Two equal weights at 100 and 300 give 100.
    Groups with no positive weight give NaN.
    """
    out = np.full(n_groups, np.nan)
    keep = (weights > 0) & (groups >= 0)
    v, w, g = values[keep], weights[keep], groups[keep]
    if v.size == 0:
        return out
    # sort by value, then stably by group (a radix sort for up to 65,535 groups): the order of
    # np.lexsort((v, g)) up to ties in v, which do not change the median, at a fraction of the cost
    by_value = np.argsort(v)
    gs = g[by_value]
    if n_groups <= np.iinfo(np.uint16).max:
        gs = gs.astype(np.uint16)
    order = by_value[np.argsort(gs, kind="stable")]
    v, w = v[order], w[order]
    counts = np.bincount(g, minlength=n_groups)
    present = np.flatnonzero(counts)
    ends_all = np.cumsum(counts)
    ends = ends_all[present]
    starts = ends - counts[present]
    cw = np.cumsum(w)
    base = np.where(starts > 0, cw[np.maximum(starts - 1, 0)], 0.0)
    total = cw[ends - 1] - base
    idx = np.searchsorted(cw, base + total / 2.0, side="left")
    idx = np.clip(idx, starts, ends - 1)
    out[present] = v[idx]
    return out


def area_lattice(
    polygons: np.ndarray, *, spacing_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample points that carry each polygon's land area exactly.

    The plane is cut into square cells of ``spacing_m`` aligned on multiples of ``spacing_m``.
    A cell wholly inside a polygon gives one point at its centre with weight ``spacing_m²``; a
    cell cut by the boundary gives one point at the centroid of the part inside, weighted by that
    part's exact area. The weights of a polygon therefore sum to its area (up to float
    round-off); only *where* within a cell the area lies is approximated, so a coverage computed
    from these points is off by at most the cells that straddle a circle's edge.

    Returns ``(xy, w, index)`` with ``index`` the row position of the polygon of each point.
    """
    xs: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    s = float(spacing_m)
    for i, poly in enumerate(polygons):
        if poly is None or poly.is_empty:
            continue
        x0, y0, x1, y1 = poly.bounds
        cx = np.arange(np.floor(x0 / s), np.ceil(x1 / s)) * s
        cy = np.arange(np.floor(y0 / s), np.ceil(y1 / s)) * s
        mx, my = np.meshgrid(cx, cy)
        gx, gy = mx.ravel(), my.ravel()
        boxes = shapely.box(gx, gy, gx + s, gy + s)
        shapely.prepare(poly)
        inside = shapely.contains_properly(poly, boxes)
        cells_x = gx[inside] + s / 2
        cells_y = gy[inside] + s / 2
        cut = boxes[~inside]
        cut = cut[shapely.intersects(poly, cut)]
        parts = shapely.intersection(cut, poly)
        part_area = shapely.area(parts)
        nz = part_area > 0
        cen = shapely.get_coordinates(shapely.centroid(parts[nz]))
        xs.append(np.column_stack([cells_x, cells_y]))
        xs.append(cen)
        ws.append(np.full(cells_x.size, s * s))
        ws.append(part_area[nz])
        ids.append(np.full(cells_x.size + cen.shape[0], i, dtype=np.intp))
    if not ids:
        return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.intp)
    return np.concatenate(xs), np.concatenate(ws), np.concatenate(ids)


#: Segments per quarter circle of the discs used for land-area coverage (256 per circle): the
#: inscribed polygon's area is below the circle's by (2π/256)²/6 ≈ 0.01 % at most.
DISC_QUAD_SEGS = 64


#: Discs united at a time by :func:`covered_area`. A 256-segment disc takes about 5 KB in GEOS, so
#: this bounds the memory of one union (about 20 MB) whatever the number of sources.
DISC_CHUNK = 4096


def covered_area(area_geoms: np.ndarray, sources_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """Area (m²) of each polygon within ``radius_m`` of at least one source point.

    Computed as ``area(polygon ∩ union of discs)`` with discs of :data:`DISC_QUAD_SEGS` segments
    per quarter. Only the sources within ``radius_m`` of a polygon take part in its union, and
    their discs are built and united :data:`DISC_CHUNK` at a time, each chunk's union clipped to
    the polygon before it joins the others: memory stays bounded by one chunk, not by the number
    of sources (a disc per distinct point; repeated points add nothing).
    """
    out = np.zeros(len(area_geoms))
    if len(sources_xy) == 0 or len(area_geoms) == 0:
        return out
    points = shapely.points(np.unique(np.asarray(sources_xy, dtype=float), axis=0))
    p_idx, a_idx = shapely.STRtree(area_geoms).query(
        points, predicate="dwithin", distance=float(radius_m)
    )
    if a_idx.size == 0:
        return out
    order = np.argsort(a_idx, kind="stable")
    a_idx, p_idx = a_idx[order], p_idx[order]
    present, starts = np.unique(a_idx, return_index=True)
    ends = np.append(starts[1:], a_idx.size)
    for i, s, e in zip(present, starts, ends, strict=True):
        out[i] = _covered_one(area_geoms[i], points[p_idx[s:e]], radius_m)
    return out


def _covered_one(area: object, points: np.ndarray, radius_m: float) -> float:
    """``area(area ∩ union of the discs around points)``, uniting :data:`DISC_CHUNK` at a time."""
    covered = None
    for s in range(0, len(points), DISC_CHUNK):
        discs = shapely.buffer(points[s : s + DISC_CHUNK], radius_m, quad_segs=DISC_QUAD_SEGS)
        piece = shapely.intersection(area, shapely.union_all(discs))
        covered = piece if covered is None else shapely.union(covered, piece)
    return float(shapely.area(covered))
