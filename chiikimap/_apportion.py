"""Apportioning population to 第2層 areas: polygons split by area share, points assigned.

Rules (the contract :func:`chiikimap.analyze` relies on):

* **Polygons** (町丁, mesh cells, 圏域 polygons) are split by the areas; each piece gets the counts
  times its share of the polygon's area, measured in the metric CRS. The share lying outside every
  area is kept as a piece with ``area_id`` missing, so that totals before and after are equal and
  the people outside the areas stay visible. Shares are rescaled so that they sum to exactly 1
  when the outside share is below 1e-9 (floating-point noise along shared borders).
* **Points** go, whole, to the area that covers them (interior or border). A point on a border
  shared by several areas belongs to exactly one: the area that comes first in ``areas`` (lowest
  position) among those that cover it.
* **Rows without geometry** (a per-area table read without boundaries) are assigned by their
  ``area_id`` column with share 1.
* Areas are assumed not to overlap (``read_districts`` repairs overlaps); a polygon lying wholly
  inside two overlapping areas goes to the first of them.

Speed: one STRtree pass finds every (polygon, area) pair whose boxes meet; polygons that an area
covers (most mesh cells, when areas are much larger than cells) take the whole count without any intersection being
computed. For the polygons on an area border, each area is first cut down around the polygon with
the linear-time rectangle clip, in two vectorised passes (by horizontal bands of polygons, then by
vertical bands), so no per-pair Python call and no overlay of a whole area is needed: a cell of a
regular grid of axis-aligned rectangles is the clipped piece itself, any other polygon is
intersected with its small piece only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import _schema as S
from ._errors import CRSError, SchemaError

__all__ = ["OUTSIDE", "SHARE", "SOURCE_INDEX", "apportion", "weight_points"]

#: ``area_index`` value of weight that lies outside every area.
OUTSIDE = -1
#: Column of :func:`apportion`'s result: index label of the population row a piece came from.
SOURCE_INDEX = "source_index"
#: Column of :func:`apportion`'s result: the piece's share of its population row (0 … 1].
SHARE = "share"

_EPS = 1e-9


@dataclass
class _Pieces:
    source: np.ndarray  # position of the population row
    area: np.ndarray  # position of the area, OUTSIDE for none
    share: np.ndarray
    geometry: np.ndarray  # metric CRS; None for rows that had no geometry


def apportion(
    population: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    metric_crs: Any = None,
    columns: Sequence[str] = (S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS),
) -> gpd.GeoDataFrame:
    """Split population polygons by the areas and apportion their counts by area share.

    Parameters
    ----------
    population
        The ``population`` layer (points and/or polygons, any CRS), e.g. from
        :func:`chiikimap.read_population`.
    areas
        The ``areas`` layer (polygons with ``area_id``, any CRS); should not overlap.
    metric_crs
        Projected CRS in metres in which areas (and so shares) are measured; default the
        JGD2011 UTM zone of the areas (EPSG:6688–6692).
    columns
        Count columns to apportion; NaN stays NaN.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece, in ``metric_crs``: ``area_id`` (missing for the share outside every
        area), ``source_index`` (index label of the population row), ``share``, the count columns
        (population value × share) and the piece geometry. For every column the sum over pieces
        equals the sum over ``population`` (NaN ignored), up to floating-point rounding.
    """
    cols = _check_columns(population, columns)
    if metric_crs is None:
        metric_crs = S.metric_crs_for(areas)
    pieces = _split(population, areas, metric_crs)
    area_ids = areas[S.AREA_ID].to_numpy(dtype=object)
    ids = np.where(pieces.area >= 0, area_ids[np.maximum(pieces.area, 0)], None)
    data: dict[str, Any] = {
        S.AREA_ID: pd.array(ids, dtype=object),
        SOURCE_INDEX: population.index.to_numpy()[pieces.source],
        SHARE: pieces.share,
    }
    for c in cols:
        values = pd.to_numeric(population[c], errors="coerce").to_numpy(dtype=float)
        data[c] = values[pieces.source] * pieces.share
    return gpd.GeoDataFrame(
        data, geometry=gpd.GeoSeries(pieces.geometry, crs=metric_crs), crs=metric_crs
    )


def weight_points(
    population: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    metric_crs: Any,
    weight: str,
    spacing_m: float = 100.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population as weighted points in the metric CRS, each assigned to an area.

    Point population passes through (assigned as in :func:`apportion`). Each polygon piece of
    :func:`apportion` is represented by the points of a square lattice with ``spacing_m`` metres
    between points (at ``((i + ½)·spacing_m, (j + ½)·spacing_m)``) that lie inside the piece, or by
    its representative point when no lattice point does; the piece's weight is split equally among
    its points, so per-area and overall totals are preserved exactly. Coverage of polygon
    population is therefore resolved to ``spacing_m``. Pieces whose weight is NaN or 0 give no
    points (they add nothing to any sum).

    Parameters
    ----------
    population, areas, metric_crs
        As for :func:`apportion`.
    weight
        The population column to carry (e.g. ``"pop_65plus"``).
    spacing_m
        Lattice spacing in metres (> 0).

    Returns
    -------
    xy : numpy.ndarray
        ``(n, 2)`` coordinates in ``metric_crs``.
    w : numpy.ndarray
        ``(n,)`` weights.
    area_index : numpy.ndarray
        ``(n,)`` position of the area in ``areas`` (int64), ``-1`` outside every area.
    """
    if not spacing_m > 0:
        raise ValueError(f"spacing_m は正の値です / spacing_m must be > 0, got {spacing_m!r}")
    (col,) = _check_columns(population, [weight])
    pieces = _split(population, areas, metric_crs)
    values = pd.to_numeric(population[col], errors="coerce").to_numpy(dtype=float)
    w_piece = values[pieces.source] * pieces.share
    keep = np.isfinite(w_piece) & (w_piece != 0)
    geoms, w_piece, area = pieces.geometry[keep], w_piece[keep], pieces.area[keep]
    if len(geoms) and (shapely.is_missing(geoms).any() or shapely.is_empty(geoms).any()):
        raise SchemaError(
            "ジオメトリのない人口の行があります。read_population(..., boundaries=areas) で圏域の形を付けて"
            "ください / population rows without geometry cannot be placed as points; read the table with "
            "boundaries=areas"
        )
    is_point = shapely.get_type_id(geoms) == 0
    xy_parts = [shapely.get_coordinates(geoms[is_point])]
    w_parts = [w_piece[is_point]]
    a_parts = [area[is_point]]
    poly = geoms[~is_point]
    if len(poly):
        pxy, pid = _lattice(poly, float(spacing_m))
        n_in = np.bincount(pid, minlength=len(poly))
        empty = np.flatnonzero(n_in == 0)
        rep = shapely.get_coordinates(shapely.point_on_surface(poly[empty]))
        pxy = np.vstack([pxy, rep])
        pid = np.concatenate([pid, empty])
        n_in[empty] = 1
        pw, pa = w_piece[~is_point], area[~is_point]
        xy_parts.append(pxy)
        w_parts.append(pw[pid] / n_in[pid])
        a_parts.append(pa[pid])
    return (
        np.vstack(xy_parts).reshape(-1, 2),
        np.concatenate(w_parts).astype(float),
        np.concatenate(a_parts).astype(np.int64),
    )


# --- internals ------------------------------------------------------------------------------------


def _check_columns(population: Any, columns: Sequence[str]) -> list[str]:
    S.require_columns(
        population,
        columns,
        "population",
        "chiikimap.read_population() で読み込むと揃います / read it with chiikimap.read_population()",
    )
    return list(columns)


def _split(population: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, metric_crs: Any) -> _Pieces:
    """Pieces of every population row: (row, area, share, geometry in the metric CRS)."""
    if not isinstance(areas, gpd.GeoDataFrame) or S.AREA_ID not in areas.columns:
        raise SchemaError(
            "areas は area_id 列のある GeoDataFrame です / areas must be a GeoDataFrame with area_id"
        )
    if population.crs is None or areas.crs is None:
        raise CRSError("population と areas には CRS が必要です / population and areas need a CRS")
    crs = pyproj.CRS(metric_crs)
    if not crs.is_projected:
        raise CRSError(
            f"metric_crs はメートル単位の投影座標系です / metric_crs must be projected, got {crs.name}"
        )
    pop = population.geometry.to_crs(crs).to_numpy()
    area_geoms = areas.geometry.to_crs(crs).to_numpy()
    missing = shapely.is_missing(pop) | shapely.is_empty(pop)
    type_id = shapely.get_type_id(pop)
    is_point = ~missing & (type_id == 0)
    is_poly = ~missing & ~is_point

    parts: list[_Pieces] = []
    # rows without geometry: assigned by area_id (a per-area table read without boundaries)
    idx = np.flatnonzero(missing)
    if len(idx):
        pos = {a: i for i, a in enumerate(areas[S.AREA_ID].tolist())}
        ids = (
            population[S.AREA_ID].to_numpy()[idx]
            if S.AREA_ID in population.columns
            else [None] * len(idx)
        )
        area = np.array([pos.get(a, OUTSIDE) for a in ids], dtype=np.int64)
        parts.append(_Pieces(idx, area, np.ones(len(idx)), np.full(len(idx), None, dtype=object)))

    tree = shapely.STRtree(area_geoms)
    idx = np.flatnonzero(is_point)
    if len(idx):
        parts.append(
            _Pieces(
                idx, _assign_points(tree, pop[idx], len(area_geoms)), np.ones(len(idx)), pop[idx]
            )
        )
    idx = np.flatnonzero(is_poly)
    if len(idx):
        parts.append(_split_polygons(pop[idx], idx, area_geoms))
    if not parts:
        return _Pieces(
            np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, dtype=object)
        )
    out = _Pieces(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("source", "area", "share", "geometry")
        )
    )
    order = np.argsort(out.source, kind="stable")
    return _Pieces(
        out.source[order].astype(np.int64),
        out.area[order].astype(np.int64),
        out.share[order],
        out.geometry[order],
    )


def _assign_points(tree: shapely.STRtree, points: np.ndarray, n_areas: int) -> np.ndarray:
    """Lowest area position covering each point, OUTSIDE when none does."""
    pi, ai = tree.query(points, predicate="intersects")
    best = np.full(len(points), n_areas, dtype=np.int64)
    np.minimum.at(best, pi, ai)
    best[best == n_areas] = OUTSIDE
    return best


def _split_polygons(polys: np.ndarray, rows: np.ndarray, area_geoms: np.ndarray) -> _Pieces:
    n = len(polys)
    tree = shapely.STRtree(polys)
    ai, pi = tree.query(area_geoms)  # boxes meet; cheaper than an ``intersects`` predicate here
    shapely.prepare(area_geoms)
    covered = shapely.covers(area_geoms[ai], polys[pi])
    # whole polygons: the lowest area covering each
    whole = np.full(n, len(area_geoms), dtype=np.int64)
    np.minimum.at(whole, pi[covered], ai[covered])
    is_whole = whole < len(area_geoms)
    # border polygons: intersect with every area whose box they meet (empty cuts drop out below)
    border_pair = ~is_whole[pi]
    bp, ba = pi[border_pair], ai[border_pair]
    poly_area = shapely.area(polys)
    cut = _cut(polys, bp, area_geoms, ba)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(poly_area[bp] > 0, shapely.area(cut) / poly_area[bp], 0.0)
    good = share > 0
    bp, ba, share, cut = bp[good], ba[good], share[good], cut[good]
    inside = np.bincount(bp, weights=share, minlength=n)
    outside = 1.0 - inside
    # polygons on a border but wholly inside the areas: rescale the float noise away
    tidy = ~is_whole & (outside <= _EPS) & (inside > 0)
    scale = np.where(tidy, inside, 1.0)
    share = share / scale[bp]
    out_idx = np.flatnonzero(~is_whole & ~tidy)
    w_idx = np.flatnonzero(is_whole)
    return _Pieces(
        source=np.concatenate([rows[w_idx], rows[bp], rows[out_idx]]),
        area=np.concatenate([whole[w_idx], ba, np.full(len(out_idx), OUTSIDE, dtype=np.int64)]),
        share=np.concatenate([np.ones(len(w_idx)), share, np.clip(outside[out_idx], 0.0, 1.0)]),
        geometry=np.concatenate([polys[w_idx], cut, _remainder(polys, out_idx, bp, cut)]),
    )


def _remainder(polys: np.ndarray, idx: np.ndarray, pos: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """``polys[i]`` minus every ``cut[k]`` with ``pos[k] == i``, for each ``i`` in ``idx``."""
    out: np.ndarray = polys[idx].copy()
    sel = np.flatnonzero(np.isin(pos, idx))
    if not len(sel):
        return out
    slot = np.searchsorted(idx, pos[sel])  # idx is sorted (flatnonzero)
    order = np.argsort(slot, kind="stable")
    sel, slot = sel[order], slot[order]
    # rank of each cut among the cuts of its polygon; subtract rank 0 from all, then rank 1, …
    start = np.searchsorted(slot, slot, side="left")
    rank = np.arange(len(slot)) - start
    for r in range(int(rank.max()) + 1):
        k = rank == r
        out[slot[k]] = shapely.difference(out[slot[k]], cut[sel[k]])
    return out


def _cut(polys: np.ndarray, pi: np.ndarray, area_geoms: np.ndarray, ai: np.ndarray) -> np.ndarray:
    """``polys[pi[k]] ∩ area_geoms[ai[k]]`` for every pair ``k``.

    An area has hundreds of vertices and a population polygon (a mesh cell) few, so the area is
    first cut down to a rectangle around the polygon with the linear-time rectangle clip, in two
    vectorised passes: by horizontal bands (pairs binned by the polygon's centre row), then by
    vertical bands. Each band is the union of the boxes of the polygons binned into it, so the
    rectangle ``R`` left for a pair contains the polygon's box, and ``area ∩ R`` keeps every part
    of the area that the polygon can meet. For an axis-aligned rectangle whose box is exactly
    ``R`` (a regular grid of mesh cells in a metric CRS) that piece is the answer; otherwise the
    polygon is intersected with the small piece rather than with the whole area.
    """
    if not len(pi):
        return np.empty(0, dtype=object)
    pb = shapely.bounds(polys)
    b = pb[pi]
    w = np.median(b[:, 2] - b[:, 0])
    h = np.median(b[:, 3] - b[:, 1])
    if not (w > 0 and h > 0):
        whole: np.ndarray = shapely.intersection(polys[pi], area_geoms[ai])
        return whole
    # bins: centres of a regular grid fall in the middle of their bin, away from bin edges
    row = np.floor(((b[:, 1] + b[:, 3]) / 2 - b[:, 1].min()) / h).astype(np.int64)
    col = np.floor(((b[:, 0] + b[:, 2]) / 2 - b[:, 0].min()) / w).astype(np.int64)
    row_lo, row_hi = _group_extent(row, b[:, 1], b[:, 3])
    col_lo, col_hi = _group_extent(col, b[:, 0], b[:, 2])
    x_lo, x_hi = b[:, 0].min(), b[:, 2].max()
    y_lo, y_hi = b[:, 1].min(), b[:, 3].max()
    # pass 1: each (area, row band) once
    band_key, band_of = np.unique(ai * (int(row.max()) + 1) + row, return_inverse=True)
    band_area, band_row = np.divmod(band_key, int(row.max()) + 1)
    band = _clip_grouped(
        area_geoms[band_area], band_row, lambda r: (x_lo, row_lo[r], x_hi, row_hi[r])
    )
    # pass 2: each pair's band piece by its column band
    piece = _clip_grouped(band[band_of], col, lambda c: (col_lo[c], y_lo, col_hi[c], y_hi))
    # the rectangle each piece was clipped to
    rect = np.column_stack([col_lo[col], row_lo[row], col_hi[col], row_hi[row]])
    exact = np.all(rect == b, axis=1) & _is_rectangle(polys, pb)[pi]
    out = piece.copy()
    rest = np.flatnonzero(
        ~exact & ~shapely.is_empty(piece)
    )  # empty: the boxes met, the shapes do not
    if len(rest):
        try:
            out[rest] = shapely.intersection(polys[pi[rest]], piece[rest])
        except shapely.errors.GEOSException:  # a degenerate clip result; use the whole area
            out[rest] = shapely.intersection(polys[pi[rest]], area_geoms[ai[rest]])
    return out


def _group_extent(
    group: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest ``lo`` and largest ``hi`` per group label (labels are small non-negative ints)."""
    n = int(group.max()) + 1
    g_lo = np.full(n, np.inf)
    g_hi = np.full(n, -np.inf)
    np.minimum.at(g_lo, group, lo)
    np.maximum.at(g_hi, group, hi)
    return g_lo, g_hi


def _clip_grouped(geoms: np.ndarray, group: np.ndarray, rect: Any) -> np.ndarray:
    """``clip_by_rect(geoms[k], *rect(group[k]))``, one vectorised call per group."""
    out = np.empty(len(geoms), dtype=object)
    order = np.argsort(group, kind="stable")
    labels, start = np.unique(group[order], return_index=True)
    for g, sel in zip(labels, np.split(order, start[1:]), strict=True):
        bounds = tuple(float(v) for v in rect(g))
        clipped = shapely.clip_by_rect(geoms[sel], *bounds)
        # GEOS's fast rectangle clip does not promise a valid result, and an invalid piece gives a
        # wrong area later (it moved 1,100 of 生駒市's people): redo those with a true intersection
        bad = ~shapely.is_valid(clipped)
        if bad.any():
            clipped[bad] = shapely.intersection(geoms[sel][bad], shapely.box(*bounds))
        out[sel] = clipped
    return out


def _is_rectangle(polys: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Polygons equal to their own box (area equal to the box's area)."""
    box_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    # shapely is untyped and numpy types operations on a bare ndarray as Any: name the result
    rect: np.ndarray = np.isclose(shapely.area(polys), box_area, rtol=1e-12, atol=0) & (
        shapely.get_type_id(polys) == 3
    )
    return rect


def _lattice(polys: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Lattice points ``((i+½)s, (j+½)s)`` strictly inside each polygon, and their polygon position."""
    b = shapely.bounds(polys)
    lo_x = np.ceil(b[:, 0] / spacing - 0.5).astype(np.int64)
    hi_x = np.floor(b[:, 2] / spacing - 0.5).astype(np.int64)
    lo_y = np.ceil(b[:, 1] / spacing - 0.5).astype(np.int64)
    hi_y = np.floor(b[:, 3] / spacing - 0.5).astype(np.int64)
    nx = np.maximum(hi_x - lo_x + 1, 0)
    ny = np.maximum(hi_y - lo_y + 1, 0)
    counts = nx * ny
    total = int(counts.sum())
    if total > 200_000_000:
        raise ValueError(
            f"格子点が多すぎます（{total:,} 点）。spacing_m を大きくしてください / {total:,} lattice points; "
            "use a larger spacing_m"
        )
    pid = np.repeat(np.arange(len(polys)), counts)
    start = np.cumsum(counts) - counts
    local = np.arange(total, dtype=np.int64) - start[pid]
    x = (lo_x[pid] + local % np.maximum(nx[pid], 1) + 0.5) * spacing
    y = (lo_y[pid] + local // np.maximum(nx[pid], 1) + 0.5) * spacing
    shapely.prepare(polys)
    inside = shapely.contains_xy(polys[pid], x, y)
    return np.column_stack([x[inside], y[inside]]), pid[inside]
