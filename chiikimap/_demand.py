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

    Uses the weighing stage of :func:`chiikimap.analyze` on ``cov``'s layers in its metric CRS.
    When the run measured areas in several UTM zones (``RunInfo.metric_crs_by_area``), the
    weights are rebuilt in the one CRS ``RunInfo.metric_crs``, with a warning: figures may then
    differ from the table by the zones' scale difference (below 0.3 %). Warnings that
    :func:`chiikimap.analyze` already gave for the same inputs are not repeated.
    """
    from . import _zones
    from . import coverage as C

    areas = cov.areas
    n_areas = len(areas)
    mcrs = pyproj.CRS(cov.info.metric_crs)
    if cov.info.metric_crs_by_area:
        warnings.warn(
            f"圏域ごとに異なる UTM 帯で測った結果です。候補地の計算は {mcrs.to_string()} で行うため、"
            "表の値と 0.3 % 未満ずれることがあります / the run measured areas in several UTM "
            f"zones; siting works in {mcrs.to_string()}, so figures may differ from the table by "
            "less than 0.3 %",
            ChiikimapWarning,
            stacklevel=3,
        )
    metric_areas = np.asarray(areas.geometry.to_crs(mcrs).array, dtype=object)
    if cov.info.basis == "area":  # land area is counted through the polygons themselves
        land = np.asarray(shapely.area(metric_areas), dtype=float)
        return Demand(
            xy=np.zeros((0, 2)),
            w=np.zeros(0),
            area=np.zeros(0, dtype=np.intp),
            from_point=np.zeros(0, dtype=bool),
            items=metric_areas,
            item_weight=land,
            item_area=np.arange(n_areas),
            area_weight=land,
            basis="area",
            crs=mcrs,
        )
    placed = C._assign_resources(areas, cov.resources)
    run = C._Run(
        taxonomy=cov.taxonomy,
        basis=cov.info.basis,
        weight=cov.info.weight,
        categories=cov.categories,
        areas=areas,
        resources=cov.resources,
        population=cov.population,
        key_pos=np.zeros(0, dtype=np.intp),
        key_code=np.zeros(0, dtype=np.intp),
        n_resources=len(cov.resources),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        (layer,), _ = C._weigh(run, [_zones.Zone(mcrs, np.arange(n_areas))], placed)
    pieces = layer.pieces
    return Demand(
        xy=np.asarray(layer.xy, dtype=float).reshape(-1, 2),
        w=np.asarray(layer.w, dtype=float),
        area=np.asarray(layer.area, dtype=np.intp),
        from_point=np.asarray(layer.from_point, dtype=bool),
        items=np.zeros(0, dtype=object) if pieces is None else pieces.geoms,
        item_weight=np.zeros(0) if pieces is None else pieces.weight,
        item_area=np.zeros(0, dtype=np.intp) if pieces is None else pieces.area,
        area_weight=np.bincount(layer.area, weights=layer.w, minlength=n_areas),
        basis="population",
        crs=mcrs,
    )
