"""Maximal covering on sparse coverage matrices: lazy greedy (CELF) and the exact ILP (HiGHS).

The problem (Church & ReVelle's maximal covering location problem, MCLP): choose at most ``k``
sites among the candidates so that the total weight of the demand points within reach of at
least one chosen site is largest. Reach is given by a sparse boolean matrix ``reach`` (sites ×
demand, built from k-d tree pairs within the radius, never a dense distance matrix).

- :func:`greedy_cover` is the lazy greedy of Minoux / Leskovec et al. (CELF): the objective is
  monotone submodular, so the greedy choice is within ``1 − 1/e`` of the optimum, and a site's
  stale gain is an upper bound on its current gain, so most sites are never re-evaluated.
- :func:`exact_cover` solves the ILP with HiGHS through :func:`scipy.optimize.milp` (HiGHS is a
  maintained MILP solver; SciPy bundles it, so no extra dependency is needed). Demand points that
  are reached by exactly the same set of sites are merged first (their weights summed), which
  leaves an equivalent and usually much smaller model.

Both accept side constraints: sites may be forbidden, and sites may carry a group (an area)
with at most ``max_per_group`` chosen per group.
"""

from __future__ import annotations

import heapq
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from ._distance import RADIUS_TOL_M
from ._errors import ChiikimapError, ChiikimapWarning

__all__ = ["Picks", "coverage_matrix", "exact_cover", "greedy_cover", "rank_picks"]


@dataclass(frozen=True)
class Picks:
    """Chosen sites in rank order and the weight each newly covers given those before it.

    Attributes
    ----------
    sites
        Row positions (in ``reach``) of the chosen sites, best first.
    gains
        Weight newly covered by each site given the sites ranked before it.
    objective
        Total weight covered by the chosen sites (``gains.sum()``).
    optimal
        ``True`` when the solver proved the choice optimal (always ``False`` for greedy).
    """

    sites: np.ndarray
    gains: np.ndarray
    objective: float
    optimal: bool = False


def coverage_matrix(
    sites_xy: np.ndarray, demand_xy: np.ndarray, radius_m: float
) -> sparse.csr_matrix:
    """Sparse ``sites × demand`` matrix of reach: 1 where the distance is ≤ ``radius_m``.

    Distances up to ``radius_m + RADIUS_TOL_M`` count, as in :func:`chiikimap.analyze`. Only the
    pairs within the radius are ever formed (:meth:`scipy.spatial.cKDTree.sparse_distance_matrix`
    of two k-d trees); no dense sites × demand array exists at any point.
    """
    sites_xy = np.asarray(sites_xy, dtype=float).reshape(-1, 2)
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    n_s, n_d = len(sites_xy), len(demand_xy)
    if n_s == 0 or n_d == 0:
        return sparse.csr_matrix((n_s, n_d), dtype=np.int8)
    pairs = cKDTree(sites_xy).sparse_distance_matrix(
        cKDTree(demand_xy), float(radius_m) + RADIUS_TOL_M, output_type="ndarray"
    )
    out = sparse.csr_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs["i"], pairs["j"])), shape=(n_s, n_d)
    )
    out.sort_indices()
    return out


def _site_limits(
    n_sites: int, allowed: np.ndarray | None, group: np.ndarray | None, max_per_group: int | None
) -> tuple[np.ndarray, np.ndarray]:
    ok = np.ones(n_sites, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if max_per_group is not None:
        if group is None:
            raise ChiikimapError("max_per_group needs group", param="max_per_group")
        ok = ok & (np.asarray(group) >= 0)
    g = np.zeros(n_sites, dtype=np.intp) if group is None else np.asarray(group, dtype=np.intp)
    return ok, g


def greedy_cover(
    reach: sparse.csr_matrix,
    weight: np.ndarray,
    k: int,
    *,
    allowed: np.ndarray | None = None,
    group: np.ndarray | None = None,
    max_per_group: int | None = None,
) -> Picks:
    """Lazy greedy (CELF) maximal covering.

    At each step the allowed site with the largest gain (weight of the demand it reaches that no
    chosen site reaches yet) is taken; ties go to the lowest row position. Stops after ``k``
    sites or when no allowed site adds weight.

    Parameters
    ----------
    reach
        ``sites × demand`` reach matrix (CSR).
    weight
        Demand weights (≥ 0); give 0 to demand that is already covered.
    k
        Number of sites to choose.
    allowed
        Boolean mask of the sites that may be chosen (default all).
    group, max_per_group
        Group position of each site (−1: none) and the most sites chosen per group.
    """
    reach = sparse.csr_matrix(reach)
    w = np.asarray(weight, dtype=float)
    ok, g = _site_limits(reach.shape[0], allowed, group, max_per_group)
    covered = np.zeros(reach.shape[1], dtype=bool)
    used: dict[int, int] = {}
    gains0 = reach @ w
    heap = [(-float(gains0[i]), int(i), 0) for i in np.flatnonzero(ok & (gains0 > 0))]
    heapq.heapify(heap)
    sites: list[int] = []
    gains: list[float] = []
    while heap and len(sites) < k:
        neg, i, stamp = heapq.heappop(heap)
        if max_per_group is not None and used.get(int(g[i]), 0) >= max_per_group:
            continue
        if stamp == len(sites):  # gain is current: nothing can beat it (submodularity)
            if -neg <= 0:
                break
            cols = reach.indices[reach.indptr[i] : reach.indptr[i + 1]]
            covered[cols] = True
            sites.append(i)
            gains.append(-neg)
            used[int(g[i])] = used.get(int(g[i]), 0) + 1
            continue
        cols = reach.indices[reach.indptr[i] : reach.indptr[i + 1]]
        gain = float(w[cols[~covered[cols]]].sum())
        if gain > 0:
            heapq.heappush(heap, (-gain, i, len(sites)))
    gains_arr = np.asarray(gains, dtype=float)
    return Picks(np.asarray(sites, dtype=np.intp), gains_arr, float(gains_arr.sum()))


def rank_picks(reach: sparse.csr_matrix, weight: np.ndarray, sites: np.ndarray) -> Picks:
    """Order a chosen set of sites greedily (largest new weight first) and give their gains."""
    sites = np.asarray(sites, dtype=np.intp)
    sub = greedy_cover(sparse.csr_matrix(reach)[sites], weight, len(sites))
    order = list(sub.sites)
    gains = list(sub.gains)
    rest = [i for i in range(len(sites)) if i not in set(order)]  # sites adding nothing
    return Picks(
        sites[np.asarray(order + rest, dtype=np.intp)],
        np.asarray(gains + [0.0] * len(rest), dtype=float),
        float(sum(gains)),
    )


def _merge_demand(reach: sparse.csr_matrix, w: np.ndarray) -> tuple[sparse.csc_matrix, np.ndarray]:
    """Drop demand of weight 0 or reached by no site; merge demand reached by the same sites.

    Columns are keyed by two independent 64-bit random hashes of their site sets (summed with
    wrap-around), so a false merge has probability about ``n² / 2¹²⁸``.
    """
    csc = sparse.csc_matrix(reach)
    nnz = np.diff(csc.indptr)
    keep = np.flatnonzero((nnz > 0) & (w > 0))
    csc = csc[:, keep]
    w = w[keep]
    if len(keep) == 0:
        return csc, w
    rng = np.random.default_rng(20260601)
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=(2, reach.shape[0]), dtype=np.uint64)
    starts = csc.indptr[:-1]
    h1 = np.add.reduceat(keys[0][csc.indices], starts)
    h2 = np.add.reduceat(keys[1][csc.indices], starts)
    both = np.stack([h1, h2], axis=1)
    _, first, inverse = np.unique(both, axis=0, return_index=True, return_inverse=True)
    merged_w = np.bincount(inverse.ravel(), weights=w, minlength=len(first))
    return csc[:, first], merged_w


def exact_cover(
    reach: sparse.csr_matrix,
    weight: np.ndarray,
    k: int,
    *,
    allowed: np.ndarray | None = None,
    group: np.ndarray | None = None,
    max_per_group: int | None = None,
    time_limit: float | None = None,
) -> Picks:
    """Optimal maximal covering: the MCLP integer program solved by HiGHS.

    Variables ``x_i ∈ {0, 1}`` (site *i* chosen) and ``y_j ∈ [0, 1]`` (merged demand *j*
    reached); maximise ``Σ w_j y_j`` subject to ``y_j ≤ Σ_{i reaches j} x_i``, ``Σ x_i ≤ k``,
    ``x_i = 0`` for forbidden sites and ``Σ_{i in group g} x_i ≤ max_per_group``. With binary
    ``x`` an optimal ``y`` is binary too, so ``y`` needs no integrality.

    HiGHS first solves the LP relaxation with its interior-point method (on large covering
    models far faster than the simplex method that its branch and bound starts from). When
    that LP optimum is integral — common for maximal covering — it is the optimum of the integer
    program too (within the interior-point tolerance, 1e-8 relative). Otherwise HiGHS's branch
    and bound solves the integer program to a relative gap of 0, started from the better of the
    greedy set and the rounded LP. The chosen sites are returned in greedy rank order
    (:func:`rank_picks`).

    Parameters
    ----------
    reach, weight, k, allowed, group, max_per_group
        As for :func:`greedy_cover`.
    time_limit
        Seconds after which HiGHS stops; the best set found is returned with a
        :class:`~chiikimap.ChiikimapWarning` and ``optimal=False``.
    """
    reach = sparse.csr_matrix(reach)
    w = np.asarray(weight, dtype=float)
    ok, g = _site_limits(reach.shape[0], allowed, group, max_per_group)
    merged, mw = _merge_demand(
        sparse.diags(ok.astype(float)) @ reach, w
    )  # forbidden: reach nothing
    if merged.shape[1] == 0 or k <= 0:
        return Picks(np.zeros(0, dtype=np.intp), np.zeros(0), 0.0, optimal=True)
    model = _Model(merged, mw, k, ok, g, max_per_group)
    start = greedy_cover(reach, w, k, allowed=ok, group=g, max_per_group=max_per_group)
    x, optimal = model.solve_lp(time_limit)
    if x is not None and optimal:
        return _ranked(reach, w, np.flatnonzero(x > 0.5), optimal=True)
    if x is not None and _value(merged, mw, x > 0.5) > start.objective:
        start = _ranked(reach, w, np.flatnonzero(x > 0.5), optimal=False)
    x, optimal = model.solve_mip(start.sites, time_limit)
    if not optimal:
        warnings.warn(
            "最適解の証明前に打ち切りました。得られた最良の組み合わせを返します / the solver "
            "stopped before proving optimality; returning the best set found",
            ChiikimapWarning,
            stacklevel=2,
        )
    if x is None or _value(merged, mw, x > 0.5) < start.objective:
        return Picks(start.sites, start.gains, start.objective, optimal=False)
    return _ranked(reach, w, np.flatnonzero(x > 0.5), optimal=optimal)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send the process's file descriptor 1 to the null device for the duration (if it has one)."""
    try:
        sys.stdout.flush()
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (
        OSError,
        ValueError,
        AttributeError,
    ):  # no real stdout (some embedders): nothing to hide
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(null)


def _ranked(reach: sparse.csr_matrix, w: np.ndarray, sites: np.ndarray, *, optimal: bool) -> Picks:
    r = rank_picks(reach, w, sites)
    return Picks(r.sites, r.gains, r.objective, optimal=optimal)


def _value(merged: sparse.csc_matrix, mw: np.ndarray, chosen: np.ndarray) -> float:
    reached = (sparse.csr_matrix(merged.T) @ chosen.astype(float)) > 0
    return float(mw[reached].sum())


class _Model:
    """The MCLP model in HiGHS's column-wise form; LP relaxation and integer solve."""

    def __init__(
        self,
        merged: sparse.csc_matrix,
        mw: np.ndarray,
        k: int,
        ok: np.ndarray,
        g: np.ndarray,
        max_per_group: int | None,
    ) -> None:
        n, m = merged.shape
        rows = [
            sparse.hstack([-merged.T, sparse.identity(m)], format="csr"),
            sparse.csr_matrix(np.concatenate([np.ones(n), np.zeros(m)])[None, :]),
        ]
        upper: list[np.ndarray] = [np.zeros(m), np.array([float(k)])]
        if max_per_group is not None:
            sites = np.flatnonzero(ok)
            groups, gi = np.unique(g[sites], return_inverse=True)
            rows.append(
                sparse.csr_matrix(
                    (np.ones(len(sites)), (gi.ravel(), sites)), shape=(len(groups), n + m)
                )
            )
            upper.append(np.full(len(groups), float(max_per_group)))
        self.matrix = sparse.vstack(rows, format="csc")
        self.upper_rows = np.concatenate(upper)
        self.cost = np.concatenate([np.zeros(n), -mw])
        self.upper_cols = np.concatenate([ok.astype(float), np.ones(m)])
        self.n = n
        self.weight = mw
        self.merged = merged

    def _highs(self, *, integer: bool, time_limit: float | None) -> Any:
        import highspy

        with _quiet_stdout():  # HiGHS prints its banner to the C stdout at the first Highs()
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.cost), len(self.upper_rows)
        lp.col_cost_ = self.cost
        lp.col_lower_ = np.zeros(len(self.cost))
        lp.col_upper_ = self.upper_cols
        lp.row_lower_ = np.full(len(self.upper_rows), -highspy.kHighsInf)
        lp.row_upper_ = self.upper_rows
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.matrix.indptr
        lp.a_matrix_.index_ = self.matrix.indices
        lp.a_matrix_.value_ = self.matrix.data.astype(float)
        if integer:
            kinds = [highspy.HighsVarType.kInteger] * self.n
            lp.integrality_ = kinds + [highspy.HighsVarType.kContinuous] * (len(self.cost) - self.n)
        h.passModel(lp)
        return h

    def solve_lp(self, time_limit: float | None) -> tuple[np.ndarray | None, bool]:
        """LP relaxation by interior point; ``(x, True)`` when its optimum is integral."""
        import highspy

        h = self._highs(integer=False, time_limit=time_limit)
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, False
        x = np.asarray(h.getSolution().col_value, dtype=float)[: self.n]
        integral = bool(np.all(np.minimum(x, 1.0 - x) <= 1e-6))
        bound = -float(h.getInfo().objective_function_value)
        value = _value(self.merged, self.weight, x > 0.5)
        return x, integral and value >= bound * (1.0 - 1e-8) - 1e-9

    def solve_mip(
        self, start: np.ndarray, time_limit: float | None
    ) -> tuple[np.ndarray | None, bool]:
        """Branch and bound (relative gap 0) from the start set ``start``."""
        import highspy

        h = self._highs(integer=True, time_limit=time_limit)
        h.setOptionValue("mip_rel_gap", 0.0)
        x0 = np.zeros(len(self.cost))
        x0[start] = 1.0
        x0[self.n :] = (sparse.csr_matrix(self.merged.T) @ x0[: self.n]) > 0
        sol = highspy.HighsSolution()
        sol.col_value = x0.tolist()
        sol.value_valid = True
        h.setSolution(sol)
        h.run()
        status = h.getModelStatus()
        if h.getInfo().primal_solution_status != 2:  # no feasible solution
            return None, False
        x = np.asarray(h.getSolution().col_value, dtype=float)[: self.n]
        return x, status == highspy.HighsModelStatus.kOptimal
