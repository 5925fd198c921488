"""The weight that lies outside every area, as the outputs quote it.

:attr:`chiikimap.RunInfo.weight_outside` is population that no area contains (it is counted in no
area). Every output that a coordinator reads shows it, only when it is positive, so that nobody
silently disappears from the figures.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import _schema as S

if TYPE_CHECKING:  # pragma: no cover
    from .result import Coverage

__all__ = ["outside_note", "outside_weight"]


def outside_weight(coverage: Coverage) -> tuple[float, float] | None:
    """``(weight outside, its share of inside + outside)``, or ``None`` when nothing is outside.

    The share is NaN when the total is 0. The inside weight is ``info.weight_inside``, or, when
    that is unknown (NaN), the table's weight summed over the areas of the first category.
    """
    info = coverage.info
    outside = float(info.weight_outside)
    if not (math.isfinite(outside) and outside > 0):
        return None
    inside = float(info.weight_inside)
    if not math.isfinite(inside):
        t = coverage.table
        first = t[t[S.CATEGORY] == t[S.CATEGORY].iloc[0]] if len(t) else t
        inside = float(first[S.WEIGHT].sum())
    total = inside + outside
    return outside, (outside / total if total > 0 else math.nan)


def outside_note(coverage: Coverage, *, lang: str = "ja") -> str:
    """One line such as 「圏域外の65歳以上人口: 549 人（0.5%）— どの圏域にも含めていません」.

    Returns ``""`` when no weight lies outside the areas. The text is plain (not escaped).
    """
    found = outside_weight(coverage)
    if found is None:
        return ""
    outside, share = found
    info = coverage.info
    people = info.basis == "population"
    label = info.weight_label if people else "面積"
    amount = f"{outside:,.0f} 人" if people else f"{outside:,.0f} m²"
    pct = "" if math.isnan(share) else f"（{share:.1%}）"
    if lang == "en":
        pct_en = "" if math.isnan(share) else f" ({share:.1%})"
        what = f"{info.weight} outside every area" if people else "area outside every area"
        unit = "" if people else " m²"
        return f"{what}: {outside:,.0f}{unit}{pct_en}, counted in no area"
    return f"圏域外の{label}: {amount}{pct or ' '}— どの圏域にも含めていません"
