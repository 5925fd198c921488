"""Metric CRSs of a run: a caller's ``metric_crs`` checked, or a UTM zone per area.

Distances and land areas are measured in a projected CRS in metres. A transverse Mercator zone is
exact on its central meridian and stretches lengths by about ``(Δλ·cos φ)² / 2`` away from it, so
one zone for all of Japan (122.9°E to 154.0°E) puts distances at 与那国 off by +1.8 %. By default
each area is therefore measured in the UTM zone of its own centre (JGD2011, EPSG:6688–6692 for
zones 51–55; WGS 84 / UTM for any other zone, the datums differing by far less than a metre),
where the scale error stays below 0.1 % for an area up to a zone's width. A CRS the caller names
is used for every area, and refused when its scale error over the areas exceeds
:data:`MAX_SCALE_ERROR` (Web Mercator, for one, stretches lengths by 22 % at 35°N).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj

from . import _schema as S
from ._errors import ChiikimapWarning, CRSError, ParameterError

__all__ = ["MAX_SCALE_ERROR", "Zone", "check_metric_crs", "scale_error", "zones_for"]

#: Largest accepted relative scale error (|k − 1| of lengths, in any direction) of a metric CRS
#: at the corners and centre of every area.
MAX_SCALE_ERROR = 0.003

_JGD2011_UTM = {51: 6688, 52: 6689, 53: 6690, 54: 6691, 55: 6692}


@dataclass(frozen=True)
class Zone:
    """A metric CRS and the areas (positions in ``areas``, ascending) measured in it."""

    crs: pyproj.CRS
    areas: np.ndarray

    @property
    def name(self) -> str:
        """The CRS as ``"EPSG:6690"`` (or its PROJ string when it has no code)."""
        return self.crs.to_string()


def utm_crs(lon: float) -> pyproj.CRS:
    """The UTM zone (northern hemisphere) whose strip contains longitude ``lon``.

    JGD2011 (EPSG:6688–6692) for zones 51–55, WGS 84 / UTM (EPSG:326NN) otherwise.
    """
    zone = min(max(int((float(lon) + 180.0) // 6.0) + 1, 1), 60)
    return pyproj.CRS.from_epsg(_JGD2011_UTM.get(zone, 32600 + zone))


def sample_lonlat(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lon/lat of the four corners and the centre of every area's box, and the area position."""
    b = np.asarray(areas.geometry.to_crs(S.STORAGE_CRS).bounds, dtype=float)
    ok = np.all(np.isfinite(b), axis=1)
    b, pos = b[ok], np.flatnonzero(ok)
    cx, cy = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    lon = np.concatenate([b[:, 0], b[:, 2], b[:, 0], b[:, 2], cx])
    lat = np.concatenate([b[:, 1], b[:, 1], b[:, 3], b[:, 3], cy])
    return lon, lat, np.tile(pos, 5)


def scale_error(crs: pyproj.CRS, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Relative scale error ``max(|h − 1|, |k − 1|)`` of lengths in ``crs`` at each point.

    ``h`` and ``k`` are the meridional and parallel scale factors (PROJ's ``get_factors``);
    points the projection cannot represent give ``inf``.
    """
    if len(lon) == 0:
        return np.zeros(0)
    f = pyproj.Proj(crs).get_factors(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), errcheck=False
    )
    h = np.asarray(f.meridional_scale, dtype=float)
    k = np.asarray(f.parallel_scale, dtype=float)
    err = np.maximum(np.abs(h - 1.0), np.abs(k - 1.0))
    return np.where(np.isfinite(err), err, np.inf)


def check_metric_crs(value: Any, areas: gpd.GeoDataFrame) -> pyproj.CRS:
    """The caller's ``metric_crs`` as a CRS, refused unless it measures the areas in metres.

    Raises
    ------
    CRSError
        Not a projected CRS in metres (``param="metric_crs"``).
    ParameterError
        Its scale error exceeds :data:`MAX_SCALE_ERROR` somewhere over the areas
        (``param="metric_crs"``), e.g. Web Mercator (EPSG:3857).
    """
    crs = pyproj.CRS(value)
    if not crs.is_projected or any(ax.unit_name not in ("metre", "meter") for ax in crs.axis_info):
        raise CRSError(
            f"metric_crs={crs.to_string()!r} はメートル単位の投影座標系ではありません。距離は度で"
            "測れません。省略するか EPSG:6690 (JGD2011 / UTM 53N) などを指定してください / "
            f"metric_crs {crs.to_string()!r} is not a projected CRS in metres; distances are never "
            "measured in degrees; omit it or pass e.g. 'EPSG:6690'",
            param="metric_crs",
        )
    lon, lat, _ = sample_lonlat(areas)
    err = scale_error(crs, lon, lat)
    if len(err) and float(err.max()) > MAX_SCALE_ERROR:
        worst = int(np.argmax(err))
        raise ParameterError(
            f"metric_crs={crs.to_string()!r} は圏域の範囲で縮尺の誤差が {float(err.max()):.2%} あり、"
            f"距離・面積が正しく測れません（許容 {MAX_SCALE_ERROR:.1%}、経度 {lon[worst]:.2f}° "
            f"緯度 {lat[worst]:.2f}°）。省略すると圏域ごとに UTM 帯で測ります / metric_crs "
            f"{crs.to_string()!r} stretches lengths by {float(err.max()):.2%} over the areas "
            f"(limit {MAX_SCALE_ERROR:.1%}; at {lon[worst]:.2f}°E {lat[worst]:.2f}°N), so "
            "distances and areas would be wrong; omit metric_crs to measure each area in its own "
            "UTM zone",
            param="metric_crs",
        )
    return crs


def zones_for(areas: gpd.GeoDataFrame, metric_crs: Any = None) -> list[Zone]:
    """The metric CRSs of a run and the areas each one measures.

    With ``metric_crs`` given (and accepted by :func:`check_metric_crs`) one zone holds every
    area. Otherwise each area goes to the UTM zone of the centre of its box; an area so wide that
    its own zone stretches it by more than :data:`MAX_SCALE_ERROR` is measured there anyway, with
    a warning.
    """
    n = len(areas)
    if metric_crs is not None:
        return [Zone(check_metric_crs(metric_crs, areas), np.arange(n))]
    if areas.crs is None:
        raise CRSError("CRS がありません / the layer has no CRS; set it with .set_crs(...)")
    lon, lat, pos = sample_lonlat(areas)
    if n == 0 or len(pos) == 0:
        return [Zone(S.metric_crs_for(areas), np.arange(n))]
    m = len(pos) // 5
    centre_lon = np.full(n, float(np.median(lon[4 * m :])))
    centre_lon[pos[4 * m :]] = lon[4 * m :]
    crs_of = [utm_crs(x) for x in centre_lon]
    names = np.array([c.to_string() for c in crs_of], dtype=object)
    zones = []
    for name in dict.fromkeys(names.tolist()):
        members = np.flatnonzero(names == name)
        zones.append(Zone(crs_of[int(members[0])], members))
    _warn_wide(zones, lon, lat, pos)
    return zones


def _warn_wide(zones: list[Zone], lon: np.ndarray, lat: np.ndarray, pos: np.ndarray) -> None:
    for zone in zones:
        sel = np.isin(pos, zone.areas)
        err = scale_error(zone.crs, lon[sel], lat[sel])
        if len(err) and float(err.max()) > MAX_SCALE_ERROR:
            warnings.warn(
                f"一つの圏域が広すぎて、その UTM 帯 {zone.name} では距離の誤差が最大 "
                f"{float(err.max()):.2%} になります / an area is so wide that its UTM zone "
                f"{zone.name} stretches lengths by up to {float(err.max()):.2%}",
                ChiikimapWarning,
                stacklevel=3,
            )
