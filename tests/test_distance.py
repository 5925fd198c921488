"""Land-area coverage of discs: known answers, and the same result whatever the chunk size."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from chiikimap import _distance

#: the inscribed 256-gon of a circle has (256/2π)·sin(2π/256) of the circle's area
POLY = 256 / (2 * np.pi) * np.sin(2 * np.pi / 256)


def _lens(r: float, d: float) -> float:
    """Area of the intersection of two circles of radius ``r`` whose centres are ``d`` apart."""
    return 2 * r * r * np.arccos(d / (2 * r)) - d / 2 * np.sqrt(4 * r * r - d * d)


def test_two_overlapping_discs_in_a_square() -> None:
    # discs of 100 m at (400, 500) and (550, 500) in a 1 km square: 2πr² less the lens (d = 150)
    square = np.array([shapely.box(0, 0, 1000, 1000)], dtype=object)
    got = _distance.covered_area(square, np.array([[400.0, 500.0], [550.0, 500.0]]), 100.0)
    want = 2 * np.pi * 100.0**2 - _lens(100.0, 150.0)
    assert got[0] == pytest.approx(want * POLY, rel=1e-4)


def test_repeated_points_and_far_points_add_nothing() -> None:
    square = np.array([shapely.box(0, 0, 1000, 1000), shapely.box(5000, 0, 6000, 1000)])
    xy = np.array([[500.0, 500.0]] * 5 + [[3000.0, 500.0]])  # (3000, 500): 2 km from both
    got = _distance.covered_area(square, xy, 200.0)
    assert got[0] == pytest.approx(np.pi * 200.0**2 * POLY, rel=1e-9)
    assert got[1] == 0.0


def test_a_disc_across_two_polygons_is_split_between_them() -> None:
    left, right = shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)
    got = _distance.covered_area(np.array([left, right]), np.array([[1000.0, 500.0]]), 300.0)
    assert got[0] == pytest.approx(got[1], rel=1e-9)
    assert got.sum() == pytest.approx(np.pi * 300.0**2 * POLY, rel=1e-9)


def test_chunked_union_gives_the_one_union_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    polys = np.array([shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000)])
    xy = rng.uniform(-300, 4300, (500, 2))
    whole = _distance.covered_area(polys, xy, 150.0)
    monkeypatch.setattr(_distance, "DISC_CHUNK", 7)
    chunked = _distance.covered_area(polys, xy, 150.0)
    np.testing.assert_allclose(chunked, whole, rtol=1e-9)
    assert 0 < whole[0] < 2000.0**2
