"""The weights of a :class:`~chiikimap.Coverage`, rebuilt exactly as :func:`chiikimap.analyze` built them.

A ``Coverage`` keeps its table, layers and run inputs but not the weighted points behind the
table (they can be millions of points). :func:`demand_of` rebuilds them from
``Coverage.areas``, ``Coverage.population`` and ``Coverage.info`` with the same private helpers
that :func:`~chiikimap.analyze` uses, so that siting and closure figures agree with the table:

- population **points** count where they lie (``covered`` = weight of the points within the
  radius);
- population **polygons** are cut by the areas into pieces whose covered weight is
  ``weight × area(piece ∩ discs) / area(piece)``; the lattice points of
  :func:`chiikimap._apportion.weight_points` stand for them where a finite set of points is
  needed (optimisation);
- on the **area** basis the weight is land area and covered is ``area(area ∩ discs)``.

:meth:`Demand.covered` applies these rules to any set of sources; :meth:`Demand.zone_weight` gives
the weight of a zone (a difference of discs) per area by the same rules, so adding the weights
of successive zones reproduces the table's ``covered`` after the sites are added.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyproj
import shapely

from . import _distance
from . import _schema as S
from ._errors import ChiikimapWarning

if TYPE_CHECKING:  # pragma: no cover
    from .result import Coverage

__all__ = ["Demand", "demand_of"]


@dataclass(frozen=True)
class Demand:
    """Weighted points and polygon pieces of a Coverage, in its metric CRS.

    Attributes
    ----------
    xy, w, area
        Weighted points inside the areas (coordinates, weight, area position): population points,
        the lattice points of polygon pieces, or land-area lattice points.
    from_point
        ``True`` for the points that are population points (counted by distance); the others
        stand for ``items`` and are counted through them.
    items, item_weight, item_area
        Polygons whose covered weight is area-proportional: population pieces (population
        basis) or the areas themselves (area basis, weight = land area), with the area position.
    area_weight
        Weight per area (the table's ``weight``).
    basis, crs
        ``"population"`` or ``"area"``; the metric CRS.
    """

    xy: np.ndarray
    w: np.ndarray
    area: np.ndarray
    from_point: np.ndarray
    items: np.ndarray
    item_weight: np.ndarray
    item_area: np.ndarray
    area_weight: np.ndarray
    basis: Literal["population", "area"]
    crs: pyproj.CRS

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self.area_weight)

    def covered(self, sources_xy: np.ndarray, radius_m: float) -> np.ndarray:
        """Covered weight per area for these sources, by :func:`chiikimap.analyze`'s rules."""
        out = np.zeros(self.n_areas)
        if len(sources_xy) == 0:
            return out
        pts = self.from_point
        if pts.any():
            d = _distance.nearest_distance(sources_xy, self.xy[pts])
            reach = d <= radius_m + _distance.RADIUS_TOL_M
            out += np.bincount(
                self.area[pts][reach], weights=self.w[pts][reach], minlength=self.n_areas
            )
        if len(self.items):
            reached = _distance.covered_area(self.items, sources_xy, radius_m)
            out += np.bincount(self.item_area, weights=self._share(reached), minlength=self.n_areas)
        return np.asarray(np.minimum(out, self.area_weight), dtype=float)

    def zone_weight(self, zone: shapely.Geometry, points: np.ndarray) -> np.ndarray:
        """Weight per area of a zone: population points ``points`` (a mask) and polygons ∩ zone."""
        out = np.bincount(self.area[points], weights=self.w[points], minlength=self.n_areas).astype(
            float
        )
        if len(self.items) and zone is not None and not shapely.is_empty(zone):
            hit = shapely.STRtree(self.items).query(zone, predicate="intersects")
            reached = np.zeros(len(self.items))
            reached[hit] = shapely.area(shapely.intersection(self.items[hit], zone))
            out += np.bincount(self.item_area, weights=self._share(reached), minlength=self.n_areas)
        return out

    def _share(self, reached_m2: np.ndarray) -> np.ndarray:
        if self.basis == "area":
            return reached_m2
        land = shapely.area(self.items)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(land > 0, np.clip(reached_m2 / land, 0.0, 1.0), 0.0)
        return self.item_weight * share


def discs(xy: np.ndarray, radius_m: float) -> np.ndarray:
    """The discs :func:`chiikimap.analyze` draws (same segment count)."""
    return np.asarray(
        shapely.buffer(
            shapely.points(np.asarray(xy, dtype=float).reshape(-1, 2)),
            radius_m,
            quad_segs=_distance.DISC_QUAD_SEGS,
        ),
        dtype=object,
    )


def demand_of(cov: Coverage) -> Demand:
    """Rebuild the weights behind ``cov.table`` (see the module docstring).

    Warnings that :func:`chiikimap.analyze` already gave for the same inputs (population outside
    the areas, empty rows) are not repeated.
    """
    from . import coverage as C

    areas = cov.areas
    mcrs = pyproj.CRS(cov.info.metric_crs)
    own_geoms = np.asarray(areas.geometry.array, dtype=object)
    own_crs = pyproj.CRS(areas.crs)
    area_ids = areas[S.AREA_ID].astype(str).to_numpy()
    rank = np.empty(len(area_ids), dtype=np.intp)
    rank[np.argsort(area_ids, kind="stable")] = np.arange(len(area_ids))
    n_areas = len(area_ids)
    metric_areas = np.asarray(areas.geometry.to_crs(mcrs).array, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        if cov.info.basis == "area":  # land area is counted through the polygons themselves
            xy, w, a = np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.intp)
            from_point = np.zeros(0, dtype=bool)
            items, item_w, item_a = metric_areas, shapely.area(metric_areas), np.arange(n_areas)
        else:
            assert cov.population is not None
            xy, w, a, from_point, pieces = C._population_points(
                cov.population, areas, own_geoms, own_crs, rank, mcrs, cov.info.weight
            )
            if pieces is None:
                items, item_w, item_a = np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, int)
            else:
                items, item_w, item_a = pieces.geoms, pieces.weight, pieces.area
    inside = np.flatnonzero(a >= 0)
    xy, w, a, from_point = xy[inside], w[inside], a[inside], from_point[inside]
    return Demand(
        xy=np.asarray(xy, dtype=float).reshape(-1, 2),
        w=np.asarray(w, dtype=float),
        area=np.asarray(a, dtype=np.intp),
        from_point=np.asarray(from_point, dtype=bool),
        items=np.asarray(items, dtype=object),
        item_weight=np.asarray(item_w, dtype=float),
        item_area=np.asarray(item_a, dtype=np.intp),
        area_weight=(
            np.asarray(item_w, dtype=float)
            if cov.info.basis == "area"
            else np.bincount(a, weights=w, minlength=n_areas)
        ),
        basis=cov.info.basis,
        crs=mcrs,
    )
