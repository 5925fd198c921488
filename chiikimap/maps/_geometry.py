"""Display geometry: areas simplified *as a coverage* and coordinates rounded (never for analysis)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .. import _schema as S

__all__ = ["display_geometries"]


def display_geometries(
    areas: gpd.GeoDataFrame,
    *,
    metric_crs: Any = None,
    tolerance_m: float = 15.0,
    decimals: int = 5,
) -> list[dict[str, Any] | None]:
    """GeoJSON geometry dicts (``None`` for a missing one) of ``areas`` in lon/lat, for display.

    Parameters
    ----------
    areas
        The areas layer (any CRS).
    metric_crs
        Metric CRS in which ``tolerance_m`` is applied; chosen from the data when ``None``.
    tolerance_m
        Simplification tolerance in metres. ``shapely.coverage_simplify`` simplifies shared edges
        once, so neighbouring areas keep common borders (no slivers or overlaps). ``0`` keeps the
        input vertices.
    decimals
        Decimal places kept for lon/lat (5 ≈ 1 m).
    """
    crs = metric_crs if metric_crs else S.metric_crs_for(areas)
    geoms = areas.geometry.to_crs(crs).to_numpy()
    if tolerance_m > 0 and len(geoms):
        geoms = shapely.coverage_simplify(geoms, tolerance_m)
    lonlat = gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326").to_numpy()
    rounded = shapely.transform(lonlat, lambda xy: np.round(xy, decimals))
    return [shapely.geometry.mapping(g) if g is not None else None for g in rounded]
