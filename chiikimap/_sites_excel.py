"""The 圏域カルテ of a siting plan: the ``after`` workbook with a sheet 「候補地」 in second place."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import TYPE_CHECKING

from . import _schema as S
from ._atomic import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

    from .result import Coverage
    from .siting import SiteSuggestion

__all__ = ["CLOSURE_SHEET", "SHEET", "closure_to_excel", "to_excel"]

#: Name of the sheet that lists the suggested sites.
SHEET = "候補地"

_SITE_COLUMNS = (
    ("rank", "順位", None, 6),
    (S.NAME, "候補地", None, 30),
    (S.AREA_NAME, "圏域", None, 18),
    ("new_weight", "新たに届く", "#,##0", 12),
    ("cumulative_weight", "累計", "#,##0", 12),
    ("coverage_after", "全体のカバー率（累計）", "0.0%", 14),
    (S.ADDRESS, "住所", None, 30),
    ("lat", "緯度", "0.000000", 11),
    ("lon", "経度", "0.000000", 11),
)

_AREA_COLUMNS = (
    (S.AREA_NAME, "圏域", None),
    (S.WEIGHT, "対象", "#,##0"),
    ("covered_before", "届く（前）", "#,##0"),
    ("covered_after", "届く（後）", "#,##0"),
    ("coverage_before", "カバー率（前）", "0.0%"),
    ("coverage_after", "カバー率（後）", "0.0%"),
    ("status_before", "判定（前）", None),
    ("status_after", "判定（後）", None),
    ("n_sites", "候補地の数", "0"),
)


def to_excel(plan: SiteSuggestion, path: str | PathLike[str]) -> None:
    """Write ``plan.after``'s 圏域カルテ with the sheet 「候補地」 after 「概要」.

    The sheet states the category, radius, method and weight, lists the sites in rank order
    (new and cumulative weight, the municipality's coverage once they exist) and the affected
    areas before and after. The workbook is written to a temporary file and renamed over
    ``path`` when complete.
    """
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from . import export as X

    with atomic_path(path) as tmp:
        X.to_excel(plan.after, tmp)
        wb = load_workbook(tmp)
        ws = wb.create_sheet(SHEET, index=1)
        before, info = plan.before, plan.before.info
        label = before.taxonomy.label(plan.category)
        method = "最適解（整数計画, HiGHS）" if plan.method == "exact" else "貪欲法（CELF）"
        X._title(
            ws,
            f"{label}の候補地（{len(plan.table)} か所）",
            f"半径 {plan.radius_m:,.0f} m・{method}・候補 {plan.n_candidates} か所・"
            f"基準 {info.weight_label}。「新たに届く」は既存の資源と上位の候補地では届かない分",
        )
        _put_table(ws, 4, plan.table, _SITE_COLUMNS)
        row = 4 + len(plan.table) + 3
        X._put(ws, row - 1, 1, "影響のある圏域（開設前・後）").font = Font(bold=True)
        X._header(ws, row, [c[1] for c in _AREA_COLUMNS])
        for i, rec in enumerate(plan.areas.to_dict("records"), start=row + 1):
            for j, (col, _, fmt) in enumerate(_AREA_COLUMNS, start=1):
                if col.startswith("status"):
                    X._status_cell(ws, i, j, str(rec[col]))
                else:
                    X._put(ws, i, j, rec[col], fmt)
        X._widths(ws, [c[3] for c in _SITE_COLUMNS])
        X._print_setup(ws, landscape=True)
        wb.save(tmp)


def _put_table(
    ws: Worksheet,
    row: int,
    table: pd.DataFrame,
    columns: tuple[tuple[str, str, str | None, int], ...],
) -> None:
    from . import export as X

    X._header(ws, row, [c[1] for c in columns])
    for i, rec in enumerate(table.to_dict("records"), start=row + 1):
        for j, (col, _, fmt, _w) in enumerate(columns, start=1):
            X._put(ws, i, j, rec.get(col), fmt)


#: Name of the sheet that lists the closure impact of the resources.
CLOSURE_SHEET = "閉鎖の影響"

_CLOSURE_COLUMNS = (
    ("category_label", "種別", None, 22),
    (S.NAME, "資源", None, 30),
    (S.AREA_NAME, "圏域", None, 18),
    ("lost_weight", "閉鎖で届かなくなる", "#,##0", 14),
    ("lost_share", "届いている人のうち", "0.0%", 12),
    ("sole_label", "唯一の資源", None, 10),
    (S.RESOURCE_ID, "資源ID", None, 14),
)


def closure_to_excel(
    coverage: Coverage, path: str | PathLike[str], categories: Sequence[str] | None = None
) -> None:
    """Write ``coverage``'s 圏域カルテ with the sheet 「閉鎖の影響」 after 「概要」.

    One row per resource of each category (largest loss first within a category): the weight
    only it reaches and the flag 唯一の資源 (someone reaches no other resource of the category).
    ``categories`` defaults to every category of the table that has resources.
    """
    import pandas as pd
    from openpyxl import load_workbook

    from . import export as X
    from .siting import closure_impact

    keys = (
        list(categories)
        if categories is not None
        else [k for k in coverage.categories if (coverage.table[S.CATEGORY] == k).any()]
    )
    parts = []
    for key in keys:
        part = pd.DataFrame(closure_impact(coverage, key).drop(columns="geometry"))
        part.insert(0, "category_label", coverage.taxonomy.label(key))
        part["sole_label"] = part["sole"].map({True: "唯一の資源", False: ""})
        parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    with atomic_path(path) as tmp:
        X.to_excel(coverage, tmp)
        wb = load_workbook(tmp)
        ws = wb.create_sheet(CLOSURE_SHEET, index=1)
        X._title(
            ws,
            "閉鎖の影響（その資源だけが届いている人）",
            f"基準 {coverage.info.weight_label}。「唯一の資源」= 半径内にほかの同じ種別の資源がない人がいる",
        )
        if len(table):
            _put_table(ws, 4, table, _CLOSURE_COLUMNS)
        X._widths(ws, [c[3] for c in _CLOSURE_COLUMNS])
        X._print_setup(ws, landscape=True)
        wb.save(tmp)
