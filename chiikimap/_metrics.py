"""The per-category metrics of DESIGN.md ("Metrics") as one function of arrays.

:func:`chiikimap.analyze` measures, for one category, which area each resource lies in, how much
weight each area has and how much of it is within the radius; :func:`category_metrics` turns
those measurements into the table's columns. Nothing here knows about geometry or CRSs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from . import _schema as S

__all__ = ["category_metrics", "status_of"]


def status_of(
    covered: np.ndarray, coverage: np.ndarray, empty: np.ndarray, target: float
) -> np.ndarray:
    """``empty`` where the weight is 0, ``none`` where nothing is covered, ``gap`` below target."""
    return np.where(
        empty,
        S.STATUS_EMPTY,
        np.where(
            covered <= 0,
            S.STATUS_NONE,
            np.where(coverage < target, S.STATUS_GAP, S.STATUS_OK),
        ),
    )


def category_metrics(
    resource_area: np.ndarray,
    capacity: np.ndarray,
    weight: np.ndarray,
    covered: np.ndarray,
    nearest: np.ndarray,
    *,
    target: float,
    basis: Literal["population", "area"],
) -> dict[str, np.ndarray]:
    """Columns of one category's rows of the coverage table, one value per area.

    Parameters
    ----------
    resource_area
        Area position of each resource of the category lying in an area (``>= 0``).
    capacity
        Capacity of those resources (NaN where unknown), aligned with ``resource_area``.
    weight
        Weight of each area (people, or land area in m²).
    covered
        Weight of each area within the radius of a resource of the category (clipped to
        ``weight`` here).
    nearest
        Weighted median distance to the nearest resource per area (NaN when there is none).
    target
        Coverage below which the status is ``gap``.
    basis
        ``"area"`` leaves ``per_1000`` NaN.

    Returns
    -------
    dict
        ``n_resources``, ``capacity`` (NaN when no capacity is known), ``weight``,
        ``per_1000``, ``covered``, ``coverage``, ``uncovered``, ``nearest_m`` and ``status``.

    Examples
    --------
    Two areas of 100 people; one resource (capacity 20) in the first, 40 people covered there:

    >>> import numpy as np
    >>> m = category_metrics(np.array([0]), np.array([20.0]), np.array([100.0, 100.0]),
    ...                      np.array([40.0, 0.0]), np.array([300.0, 900.0]), target=0.7,
    ...                      basis="population")
    >>> m["coverage"].tolist(), m["per_1000"].tolist(), m["status"].tolist()
    ([0.4, 0.0], [10.0, 0.0], ['gap', 'none'])
    """
    n_areas = len(weight)
    n_res = np.bincount(resource_area, minlength=n_areas)
    known = np.isfinite(capacity)
    cap_sum = np.bincount(resource_area[known], weights=capacity[known], minlength=n_areas)
    cap_n = np.bincount(resource_area[known], minlength=n_areas)
    empty = ~(weight > 0)
    covered = np.minimum(covered, weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(empty, np.nan, np.clip(covered / weight, 0.0, 1.0))
        per = np.where(empty | (basis == "area"), np.nan, n_res / weight * 1000.0)
    return {
        S.N_RESOURCES: n_res.astype(np.int64),
        S.CAPACITY: np.where(cap_n > 0, cap_sum, np.nan),
        S.WEIGHT: weight,
        S.PER_1000: per,
        S.COVERED: covered,
        S.COVERAGE: coverage,
        S.UNCOVERED: weight - covered,
        S.NEAREST_M: np.where(empty, np.nan, nearest),
        S.STATUS: status_of(covered, coverage, empty, target),
    }
