"""Resource counts per category for map legends: the same numbers as the coverage table.

A resource counts once for each of its categories (a 老健 with its short stay counts under 入所施設
and under 短期入所), as in ``Coverage.table``. The legends show every resource of a category:
those in an area (the sum of the table's ``n_resources``) plus those in no area
(``Coverage.unassigned``), which the label states.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import _schema as S
from ..result import Coverage

__all__ = ["category_counts", "count_text"]


def _keys(value: Any, primary: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list, np.ndarray)) and len(value):
        return tuple(str(k) for k in value)
    return (str(primary),) if isinstance(primary, str) and primary else ()


def category_counts(coverage: Coverage, keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{key: (resources in an area, resources in no area)}`` for each of ``keys``."""
    wanted = list(keys)
    out = {key: [0, 0] for key in wanted}
    res = coverage.resources
    if res is None or res.empty:
        return dict.fromkeys(wanted, (0, 0))
    cats = res[S.CATEGORIES] if S.CATEGORIES in res.columns else pd.Series([None] * len(res))
    prim = res[S.CATEGORY] if S.CATEGORY in res.columns else pd.Series([None] * len(res))
    if S.AREA_ID in res.columns:
        inside = res[S.AREA_ID].notna().to_numpy()
    else:
        inside = np.ones(len(res), dtype=bool)
    for value, primary, is_in in zip(cats.tolist(), prim.tolist(), inside.tolist(), strict=True):
        for key in set(_keys(value, primary)):
            if key in out:
                out[key][0 if is_in else 1] += 1
    return {key: (v[0], v[1]) for key, v in out.items()}


def count_text(n_in: int, n_out: int, lang: str) -> str:
    """The legend's number: 「（12）」, or 「（12、うち圏域外 2）」 when some lie in no area."""
    total = n_in + n_out
    if lang == "en":
        return f" ({total}, {n_out} outside the areas)" if n_out else f" ({total})"
    return f"（{total}、うち圏域外 {n_out}）" if n_out else f"（{total}）"
