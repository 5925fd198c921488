"""A hand-made coverage with population lying outside every area (for the renderer tests)."""

from __future__ import annotations

import dataclasses

from chiikimap.coverage import Coverage
from tests.fakes import fake_coverage

#: 549 people outside of 109 251 + 549 = 109 800 in all: 0.5 %
OUTSIDE = 549.0
INSIDE = 109_251.0
OUTSIDE_LINE = "圏域外の65歳以上人口: 549 人（0.5%）— どの圏域にも含めていません"


def outside_coverage(*, weight_label: str = "65歳以上人口", outside: float = OUTSIDE) -> Coverage:
    """:func:`tests.fakes.fake_coverage` on the population basis with ``outside`` people outside."""
    cov = fake_coverage()
    info = dataclasses.replace(cov.info, basis="population", weight="pop_65plus",
                               weight_label=weight_label, weight_inside=INSIDE,
                               weight_outside=outside)
    return dataclasses.replace(cov, info=info)
