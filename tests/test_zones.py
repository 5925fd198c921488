"""Metric CRSs: a caller's ``metric_crs`` is checked; far-apart areas use their own UTM zone.

Distances and areas are checked against geodesics on the GRS80 ellipsoid (``pyproj.Geod``), which
is what "metres on the ground" means here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import Point, box

from chiikimap import _schema as S
from chiikimap import _zones
from chiikimap._errors import CRSError, ParameterError
from chiikimap.coverage import analyze

GEOD = pyproj.Geod(ellps="GRS80")
#: 与那国町 (zone 51, 12° west of zone 53's meridian) and 根室市 (zone 55)
YONAGUNI = (123.0, 24.45)
NEMURO = (145.58, 43.33)
HALF_DEG = 0.02  # areas are boxes of ±0.02° around the centre (3.2–4.1 km × 4.4 km)


def _areas(centres: list[tuple[float, float]], ids: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            S.AREA_ID: ids,
            S.AREA_NAME: [f"圏域{i}" for i in ids],
            "geometry": [
                box(x - HALF_DEG, y - HALF_DEG, x + HALF_DEG, y + HALF_DEG) for x, y in centres
            ],
        },
        crs=S.STORAGE_CRS,
    )


def _resources(points: list[tuple[float, float]], key: str = "kayoi_no_ba") -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n)],
            S.NAME: [f"資源{i}" for i in range(n)],
            S.CATEGORY: [key] * n,
            S.CATEGORIES: [(key,)] * n,
            S.CAPACITY: [np.nan] * n,
            S.ADDRESS: [""] * n,
            S.SOURCE: ["test"] * n,
            "geometry": [Point(p) for p in points],
        },
        crs=S.STORAGE_CRS,
    )


def _population(points: list[tuple[float, float]], values: list[float]) -> gpd.GeoDataFrame:
    v = np.asarray(values, dtype=float)
    return gpd.GeoDataFrame(
        {S.POP_TOTAL: v, S.POP_65PLUS: v, S.POP_75PLUS: v, "geometry": [Point(p) for p in points]},
        crs=S.STORAGE_CRS,
    )


def _at(centre: tuple[float, float], azimuth: float, dist_m: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(centre[0], centre[1], azimuth, dist_m)
    return float(lon), float(lat)


def _row(table: pd.DataFrame, area: str) -> pd.Series:
    return table[table[S.AREA_ID] == area].iloc[0]


# --- a caller's metric_crs --------------------------------------------------------------------


def test_web_mercator_is_refused_naming_metric_crs() -> None:
    areas = _areas([(134.05, 34.34)], ["T"])
    res = _resources([(134.05, 34.34)])
    with pytest.raises(ParameterError, match=r"EPSG:3857.*stretches lengths by 2\d\.\d\d%") as e:
        analyze(areas, res, metric_crs="EPSG:3857")
    assert e.value.param == "metric_crs"


def test_degrees_are_refused_naming_metric_crs() -> None:
    areas = _areas([(134.05, 34.34)], ["T"])
    with pytest.raises(CRSError, match="never measured in degrees") as e:
        analyze(areas, _resources([(134.05, 34.34)]), metric_crs="EPSG:6668")
    assert e.value.param == "metric_crs"


def test_one_zone_for_areas_far_from_its_meridian_is_refused() -> None:
    areas = _areas([YONAGUNI, NEMURO], ["Y", "N"])
    with pytest.raises(ParameterError, match=r"1\.8\d%") as e:
        analyze(areas, _resources([YONAGUNI]), metric_crs="EPSG:6690")
    assert e.value.param == "metric_crs"


def test_a_fitting_metric_crs_is_used_for_every_area() -> None:
    # JGD2011 plane rectangular zone VIII (新潟・長野・山梨・静岡) and the UTM zone of 長野
    areas = _areas([(138.2, 36.6)], ["Nagano"])
    for crs in ("EPSG:6676", "EPSG:6691"):
        cov = analyze(areas, _resources([(138.2, 36.6)]), metric_crs=crs)
        assert cov.info.metric_crs == crs
        assert dict(cov.info.metric_crs_by_area) == {}


def test_scale_error_of_known_projections() -> None:
    lon, lat = np.array([123.0, 135.0]), np.array([24.45, 35.0])
    # UTM 53: k0 = 0.9996 on its meridian; 12° west at 24.45°N: k0·(1 + (Δλ cos φ)²/2 + …)
    err = _zones.scale_error(pyproj.CRS("EPSG:6690"), lon, lat)
    assert err[1] == pytest.approx(0.0004, abs=1e-7)
    assert err[0] == pytest.approx(0.0181, abs=0.0002)
    # Web Mercator: 1 / cos φ on the sphere, about +22 % at 35°N
    assert _zones.scale_error(pyproj.CRS("EPSG:3857"), lon, lat)[1] == pytest.approx(
        0.2208, abs=0.001
    )


# --- one zone per area ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def far_apart() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """与那国 and 根室 in one run: a resource at each centre, people at known geodesic distances.

    Per area, 10 people each at 300 m, 498.5 m (in reach of 500 m), 501.5 m (out of reach) and
    800 m, in four directions; one UTM zone for both would put 与那国's distances 1.8 % long.
    """
    areas = _areas([YONAGUNI, NEMURO], ["Y", "N"])
    res = _resources([YONAGUNI, NEMURO])
    pts, vals = [], []
    for centre in (YONAGUNI, NEMURO):
        for az, d in ((0.0, 300.0), (90.0, 498.5), (180.0, 501.5), (270.0, 800.0)):
            pts.append(_at(centre, az, d))
            vals.append(10.0)
    return areas, res, _population(pts, vals)


def test_each_area_is_measured_in_its_own_utm_zone(far_apart: tuple) -> None:
    areas, res, pop = far_apart
    cov = analyze(areas, res, pop, radius_m=500.0)
    assert dict(cov.info.metric_crs_by_area) == {"Y": "EPSG:6688", "N": "EPSG:6692"}
    assert "EPSG:6688 (1)" in cov.info.metric_crs_text
    for area in ("Y", "N"):
        row = _row(cov.table, area)
        assert row[S.WEIGHT] == pytest.approx(40.0)
        assert row[S.COVERED] == pytest.approx(20.0)  # 300 m and 498.5 m, not 501.5 m
        assert row[S.STATUS] == S.STATUS_GAP


def test_nearest_distances_are_geodesic_within_0_3_percent(far_apart: tuple) -> None:
    areas, res, _ = far_apart
    for az in (0.0, 45.0, 90.0, 135.0):
        pop = _population([_at(YONAGUNI, az, 1500.0), _at(NEMURO, az, 1500.0)], [1.0, 1.0])
        cov = analyze(areas, res, pop, radius_m=500.0)
        for area in ("Y", "N"):
            got = _row(cov.table, area)[S.NEAREST_M]
            assert abs(got / 1500.0 - 1.0) < 0.003, (area, az, got)


def test_land_areas_are_geodesic_within_0_3_percent(far_apart: tuple) -> None:
    areas, res, _ = far_apart
    cov = analyze(areas, res, radius_m=500.0)
    assert cov.info.basis == "area"
    for geom, area in zip(areas.geometry, areas[S.AREA_ID], strict=True):
        geodesic, _ = GEOD.geometry_area_perimeter(geom)
        row = _row(cov.table, area)
        assert abs(row[S.WEIGHT] / abs(geodesic) - 1.0) < 0.003, area
        # a 500 m disc lies wholly inside the box: π·500² (less 0.01 % for its 256 segments)
        assert row[S.COVERED] == pytest.approx(np.pi * 500.0**2, rel=0.003)


def test_population_polygons_across_two_zones_keep_their_total() -> None:
    # two areas side by side on the 138°E border of zones 53 and 54; one population polygon
    # overlaps both and reaches outside them to the north
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: ["W", "E"],
            S.AREA_NAME: ["西", "東"],
            "geometry": [box(137.98, 36.0, 138.0, 36.02), box(138.0, 36.0, 138.02, 36.02)],
        },
        crs=S.STORAGE_CRS,
    )
    pop = gpd.GeoDataFrame(
        {
            S.POP_TOTAL: [120.0],
            S.POP_65PLUS: [120.0],
            S.POP_75PLUS: [120.0],
            "geometry": [box(137.99, 36.01, 138.01, 36.03)],
        },
        crs=S.STORAGE_CRS,
    )
    res = _resources([(137.99, 36.01), (138.01, 36.01)])
    with pytest.warns(UserWarning, match="lies outside every area"):
        cov = analyze(areas, res, pop, radius_m=100_000.0)
    assert dict(cov.info.metric_crs_by_area) == {"W": "EPSG:6690", "E": "EPSG:6691"}
    west, east = _row(cov.table, "W"), _row(cov.table, "E")
    # a quarter of the polygon in each area (to the metre), half of it north of both
    assert west[S.WEIGHT] == pytest.approx(30.0, rel=1e-3)
    assert east[S.WEIGHT] == pytest.approx(30.0, rel=1e-3)
    assert cov.info.weight_outside == pytest.approx(60.0, rel=1e-3)
    assert cov.info.weight_inside + cov.info.weight_outside == pytest.approx(120.0, rel=1e-12)
    assert west[S.COVERAGE] == pytest.approx(1.0)
    assert east[S.COVERAGE] == pytest.approx(1.0)


def test_a_single_zone_is_reported_as_before() -> None:
    areas = _areas([(134.05, 34.34), (134.08, 34.34)], ["A", "B"])
    cov = analyze(areas, _resources([(134.05, 34.34)]), radius_m=500.0)
    assert cov.info.metric_crs == "EPSG:6690"
    assert cov.info.metric_crs_text == "EPSG:6690"
    assert dict(cov.info.metric_crs_by_area) == {}


def test_an_area_wider_than_its_zone_warns() -> None:
    # 小笠原村-like: 父島 (142.2°E) and 南鳥島 (154.0°E) in one area; its centre lies in zone 55
    from shapely.geometry import MultiPolygon

    wide = MultiPolygon([box(142.18, 27.06, 142.24, 27.1), box(153.97, 24.27, 153.99, 24.29)])
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: ["O"], S.AREA_NAME: ["小笠原"], "geometry": [wide]}, crs=S.STORAGE_CRS
    )
    with pytest.warns(UserWarning, match=r"UTM zone EPSG:6692 stretches lengths by up to 0\.\d\d%"):
        (zone,) = _zones.zones_for(areas)
    assert zone.name == "EPSG:6692"
