"""Benchmark of siting (maximal covering): greedy (CELF) and exact (HiGHS) against spopt's MCLP.

A synthetic municipality with a fixed seed: 200,000 weighted demand points (people, 1–7 each)
clustered around 60 "towns" in a 20 km × 20 km square, 30 existing resources at demand points
(the people within their radius are already covered and weigh 0), 2,000 candidate sites (half
near people, half anywhere) and a radius of 800 m; choose k = 10. chiikimap builds the sparse
reach matrix from k-d tree pairs within the radius and solves on it.

spopt's ``MCLP.from_cost_matrix`` needs a dense demand × candidate cost matrix and builds one PuLP
term per pair (400 million at full size: tens of GB and hours), so it is run on a sub-instance of
the same generator (``--spopt-demand`` points, ``--spopt-candidates`` candidates, same radius and
k) with the same solver, HiGHS, through PuLP; chiikimap solves that sub-instance too and the
objectives and times are compared there. ``--spopt-full`` tries spopt on the full instance anyway.

Run::

    PYTHONPATH=. python bench/bench_sites.py
    PYTHONPATH=. python bench/bench_sites.py --demand 20000 --candidates 500   # smaller

spopt is not a dependency of chiikimap: ``pip install spopt`` to get the comparison (it is skipped
with a message otherwise).
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
from scipy.spatial import cKDTree

from chiikimap import _cover

SIDE_M = 20_000.0
N_TOWNS = 60
N_EXISTING = 30


def instance(
    n_demand: int, n_candidates: int, radius_m: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand points, their weights (0 where an existing resource reaches) and candidates."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1 * SIDE_M, 0.9 * SIDE_M, (N_TOWNS, 2))
    spread = rng.uniform(300.0, 1500.0, N_TOWNS)
    share = rng.dirichlet(np.full(N_TOWNS, 0.7))
    town = rng.choice(N_TOWNS, n_demand, p=share)
    demand = centres[town] + rng.normal(0.0, 1.0, (n_demand, 2)) * spread[town, None]
    weight = rng.integers(1, 8, n_demand).astype(float)
    half = n_candidates // 2
    near = demand[rng.choice(n_demand, half)] + rng.normal(0.0, 200.0, (half, 2))
    anywhere = rng.uniform(0.0, SIDE_M, (n_candidates - half, 2))
    existing = demand[rng.choice(n_demand, N_EXISTING)]
    d, _ = cKDTree(existing).query(demand)
    weight = np.where(d <= radius_m, 0.0, weight)
    return demand, weight, np.vstack([near, anywhere])


def run_chiikimap(
    demand: np.ndarray, weight: np.ndarray, cand: np.ndarray, radius_m: float, k: int
) -> dict[str, float]:
    """Times (reach matrix included) and objectives of greedy and exact."""
    t0 = time.perf_counter()
    reach = _cover.coverage_matrix(cand, demand, radius_m)
    t_matrix = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = _cover.greedy_cover(reach, weight, k)
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    exact = _cover.exact_cover(reach, weight, k, time_limit=600.0)
    t_exact = time.perf_counter() - t0
    return {
        "nnz": float(reach.nnz),
        "matrix_s": t_matrix,
        "greedy_s": t_matrix + t_greedy,
        "greedy_obj": greedy.objective,
        "exact_s": t_matrix + t_exact,
        "exact_obj": exact.objective,
        "exact_optimal": float(exact.optimal),
    }


def run_spopt(
    demand: np.ndarray, weight: np.ndarray, cand: np.ndarray, radius_m: float, k: int
) -> tuple[float, float] | None:
    """Time (cost matrix and model build included) and objective of spopt's MCLP, or None."""
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        print("spopt: not installed (pip install spopt) — comparison skipped")
        return None
    solver = (
        pulp.HiGHS(msg=False)
        if "HiGHS" in pulp.listSolvers(onlyAvailable=True)
        else pulp.PULP_CBC_CMD(msg=False)
    )
    t0 = time.perf_counter()
    cost = np.hypot(demand[:, None, 0] - cand[None, :, 0], demand[:, None, 1] - cand[None, :, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MCLP.from_cost_matrix(cost, weight, service_radius=radius_m, p_facilities=k)
        model = model.solve(solver)
    return time.perf_counter() - t0, float(pulp.value(model.problem.objective))


def main() -> None:
    """Build the instance, run every method and print the figures."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--demand", type=int, default=200_000)
    p.add_argument("--candidates", type=int, default=2_000)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--radius", type=float, default=800.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--spopt-demand", type=int, default=3_000)
    p.add_argument("--spopt-candidates", type=int, default=300)
    p.add_argument("--spopt-full", action="store_true", help="also run spopt on the full instance")
    a = p.parse_args()

    demand, weight, cand = instance(a.demand, a.candidates, a.radius, a.seed)
    print(
        f"instance: {a.candidates:,} candidates × {a.demand:,} demand points, k = {a.k}, "
        f"radius {a.radius:.0f} m; uncovered weight {weight.sum():,.0f} of "
        f"{np.count_nonzero(weight):,} points"
    )
    r = run_chiikimap(demand, weight, cand, a.radius, a.k)
    bound = (1 - 1 / math.e) * r["exact_obj"]
    print(f"reach matrix: {r['nnz']:,.0f} pairs in {r['matrix_s']:.2f} s (sparse, k-d trees)")
    print(f"greedy (CELF): {r['greedy_s']:6.2f} s  objective {r['greedy_obj']:,.0f}")
    print(
        f"exact (HiGHS): {r['exact_s']:6.2f} s  objective {r['exact_obj']:,.0f}  "
        f"optimal={bool(r['exact_optimal'])}"
    )
    print(
        f"greedy / exact = {r['greedy_obj'] / r['exact_obj']:.4f} "
        f"(guarantee ≥ 1 − 1/e = {1 - 1 / math.e:.4f}; ≥ bound: {r['greedy_obj'] >= bound})"
    )
    if a.spopt_full:
        full = run_spopt(demand, weight, cand, a.radius, a.k)
        if full is not None:
            print(f"spopt MCLP (full): {full[0]:.1f} s objective {full[1]:,.0f}")

    sd, sw, sc = instance(a.spopt_demand, a.spopt_candidates, a.radius, a.seed)
    print(
        f"\nsub-instance for spopt: {a.spopt_candidates:,} candidates × {a.spopt_demand:,} "
        f"demand points (same generator, radius and k)"
    )
    ours = run_chiikimap(sd, sw, sc, a.radius, a.k)
    print(f"chiikimap greedy: {ours['greedy_s']:7.3f} s  objective {ours['greedy_obj']:,.0f}")
    print(
        f"chiikimap exact:  {ours['exact_s']:7.3f} s  objective {ours['exact_obj']:,.0f}  "
        f"optimal={bool(ours['exact_optimal'])}"
    )
    theirs = run_spopt(sd, sw, sc, a.radius, a.k)
    if theirs is not None:
        t, obj = theirs
        print(f"spopt MCLP:       {t:7.3f} s  objective {obj:,.0f}")
        print(
            f"objective exact − spopt = {ours['exact_obj'] - obj:+,.0f}; time spopt / exact = "
            f"{t / ours['exact_s']:.1f}×, spopt / greedy = {t / ours['greedy_s']:.0f}×"
        )


if __name__ == "__main__":
    main()
