"""Workbooks of needs and change: the sheets 「指標」, 「優先圏域」 and 「前回との比較」.

- :func:`indicator_sheet` lays out ``Coverage.indicators`` (shares as percentages, counts as
  numbers) in the 圏域カルテ of a run with indicators.
- :func:`priority_to_excel` writes the 圏域カルテ with the sheet 「優先圏域」 (the ranking of
  :meth:`chiikimap.Coverage.priorities`, the indicator's source and date).
- :func:`compare_to_excel` writes the sheets 「前回との比較」 (:func:`chiikimap.compare`),
  「開設・廃止」 (:func:`chiikimap.compare.resource_changes`) and 「出典・条件」 of both runs.
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _schema as S
from ._atomic import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from .result import Coverage

__all__ = [
    "CHANGE_SHEET",
    "INDICATOR_SHEET",
    "PRIORITY_SHEET",
    "RESOURCE_CHANGE_SHEET",
    "area_indicator_rows",
    "compare_to_excel",
    "indicator_sheet",
    "priority_to_excel",
]

INDICATOR_SHEET = "指標"
PRIORITY_SHEET = "優先圏域"
CHANGE_SHEET = "前回との比較"
RESOURCE_CHANGE_SHEET = "開設・廃止"
_PCT = "0.0%"
_INT = "#,##0"
_PT = '+0.0"pt";-0.0"pt";0.0"pt"'
_SIGNED = "+#,##0;-#,##0;0"


def _kinds(coverage: Coverage) -> dict[str, dict[str, str]]:
    from .needs import indicator_kinds

    return indicator_kinds(coverage.indicators) if coverage.indicators is not None else {}


def _indicator_sources(coverage: Coverage) -> list[str]:
    return [s.dated_line for s in coverage.info.sources if s.layer == "indicators"]


def indicator_sheet(ws: Worksheet, coverage: Coverage) -> None:
    """Fill ``ws`` with the indicators per area: shares in %, counts as numbers, their source."""
    from . import export as X

    kinds = _kinds(coverage)
    X._title(
        ws,
        "指標（圏域ごと）",
        "割合は % で表示（ファイルでの書き方に関わらず 0〜100%）。出典: "
        + ("・".join(_indicator_sources(coverage)) or "不明"),
    )
    heads = [S.COLUMN_LABELS_JA[S.AREA_NAME], S.COLUMN_LABELS_JA[S.AREA_ID]]
    heads += [f"{k}（割合）" if v["kind"] == "share" else k for k, v in kinds.items()]
    X._header(ws, 4, heads)
    table = coverage.indicators
    assert table is not None
    for i, rec in enumerate(table.to_dict("records"), start=5):
        X._put(ws, i, 1, rec[S.AREA_NAME])
        X._put(ws, i, 2, rec[S.AREA_ID])
        for j, (name, kind) in enumerate(kinds.items(), start=3):
            X._put(ws, i, j, rec.get(name), _PCT if kind["kind"] == "share" else _INT)
    ws.freeze_panes = "C5"
    X._widths(ws, [22, 12, *([14] * len(kinds))])
    ws.row_dimensions[4].height = 45
    X._print_setup(ws, landscape=True)


def area_indicator_rows(ws: Worksheet, coverage: Coverage, area_id: str, row: int) -> int:
    """The block 「この圏域の指標」 of an area sheet from ``row``; returns its last row.

    One line per indicator: its value (a share as %, a count as a number) and, for a share,
    the people at risk (weight × share).
    """
    from . import export as X
    from .needs import at_risk_column

    X._put(ws, row, 1, "この圏域の指標")
    X._header(ws, row + 1, ["指標", "値", f"該当者（推計, {coverage.info.weight_label}×割合）"])
    t = coverage.table[coverage.table[S.AREA_ID] == area_id]
    first = t.iloc[0] if len(t) else None
    r = row + 1
    for name, kind in _kinds(coverage).items():
        r += 1
        share = kind["kind"] == "share"
        X._put(ws, r, 1, name)
        X._put(ws, r, 2, None if first is None else first.get(name), _PCT if share else _INT)
        if share and first is not None:
            X._put(ws, r, 3, first.get(at_risk_column(name)), _INT)
    return r


_PRIORITY_COLUMNS = (
    ("rank", "順位", "0", 6),
    (S.AREA_NAME, "圏域", None, 20),
    ("quadrant", "区分（ニーズ×充足）", None, 18),
    ("share", "該当割合", _PCT, 10),
    (S.WEIGHT, "基準人口", _INT, 11),
    ("at_risk", "該当者（推計）", _INT, 12),
    (S.UNCOVERED, "届かない人", _INT, 11),
    ("at_risk_uncovered", "届かない該当者（推計）", _INT, 14),
    (S.COVERAGE, "カバー率", _PCT, 10),
    ("status", "判定", None, 8),
    (S.AREA_ID, "圏域ID", None, 12),
)


def priority_to_excel(
    coverage: Coverage, path: str | PathLike[str], indicator: str, category: str
) -> None:
    """Write the 圏域カルテ with the sheet 「優先圏域」 after 「概要」.

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    path
        Output ``.xlsx`` file (written to a temporary file, renamed when complete).
    indicator
        A share indicator.
    category
        Category key.
    """
    from openpyxl import load_workbook

    from . import export as X

    table = coverage.priorities(indicator, category)
    label = coverage.taxonomy.label(category) if category in coverage.taxonomy else category
    median = table.attrs.get("median_share", float("nan"))
    with atomic_path(path) as tmp:
        X.to_excel(coverage, tmp)
        wb = load_workbook(tmp)
        ws = wb.create_sheet(PRIORITY_SHEET, index=1)
        X._title(
            ws,
            f"優先圏域：{indicator} × {label}",
            f"届かない該当者 = 届かない人（{coverage.info.weight_label}）× 該当割合（圏域内で一様と"
            f"仮定）。高ニーズ = 該当割合が圏域の中央値 {median:.1%} 以上。高ニーズ×不足から順に、"
            "届かない該当者の多い順",
        )
        X._put(ws, 3, 1, "指標の出典: " + ("・".join(_indicator_sources(coverage)) or "不明"))
        X._header(ws, 4, [c[1] for c in _PRIORITY_COLUMNS])
        for i, rec in enumerate(table.to_dict("records"), start=5):
            for j, (col, _, fmt, _w) in enumerate(_PRIORITY_COLUMNS, start=1):
                if col == "status":
                    X._status_cell(ws, i, j, str(rec[col]))
                else:
                    X._put(ws, i, j, rec[col], fmt)
        ws.freeze_panes = "C5"
        X._widths(ws, [c[3] for c in _PRIORITY_COLUMNS])
        ws.row_dimensions[4].height = 32
        X._print_setup(ws, landscape=True, title_rows="4:4")
        wb.save(tmp)


_CHANGE_COLUMNS = (
    (S.AREA_NAME, "圏域", None, 18),
    ("category_label", "種別", None, 20),
    ("status_before", "判定（前回）", "status", 9),
    ("status_after", "判定（今回）", "status", 9),
    ("status_change", "判定の変化", None, 12),
    ("trend_label", "変化", None, 14),
    ("n_resources_before", "資源数（前回）", _INT, 9),
    ("n_resources_after", "資源数（今回）", _INT, 9),
    ("n_resources_change", "資源数の増減", _SIGNED, 9),
    ("n_opened", "開設", _INT, 7),
    ("n_closed", "廃止", _INT, 7),
    ("n_other", "その他の増減（移転・種別変更）", _SIGNED, 12),
    ("capacity_before", "定員計（前回）", _INT, 9),
    ("capacity_after", "定員計（今回）", _INT, 9),
    ("capacity_change", "定員計の増減", _SIGNED, 9),
    ("coverage_before", "カバー率（前回）", _PCT, 9),
    ("coverage_after", "カバー率（今回）", _PCT, 9),
    ("coverage_change", "カバー率の増減", _PT, 9),
    ("uncovered_before", "届かない人（前回）", _INT, 10),
    ("uncovered_after", "届かない人（今回）", _INT, 10),
    ("uncovered_change", "届かない人の増減", _SIGNED, 10),
    (S.AREA_ID, "圏域ID", None, 10),
    (S.CATEGORY, "種別キー", None, 14),
)

_RESOURCE_COLUMNS = (
    ("change_label", "変化", None, 8),
    (S.NAME, "名称", None, 32),
    ("area_before", "圏域（前回）", None, 16),
    ("area_after", "圏域（今回）", None, 16),
    ("labels_before", "種別（前回）", None, 24),
    ("labels_after", "種別（今回）", None, 24),
    ("matched_label", "同じ資源とみなした根拠", None, 18),
    ("resource_id_before", "資源ID（前回）", None, 12),
    ("resource_id_after", "資源ID（今回）", None, 12),
)
_CHANGE_LABELS = {"opened": "開設", "closed": "廃止", "kept": "継続"}
_MATCHED_LABELS = {"office_number": "事業所番号", "same_facility": "位置と名称・住所", "": ""}


def _label_of(coverage: Coverage, key: object) -> str:
    return coverage.taxonomy.label(str(key)) if key in coverage.taxonomy else str(key)


def _change_table(after: Coverage, changes: pd.DataFrame) -> pd.DataFrame:
    from .maps.needs import TREND_LABELS

    out = changes.copy()
    out["category_label"] = [_label_of(after, k) for k in out[S.CATEGORY]]
    out["trend_label"] = [TREND_LABELS.get(t, (t,))[0] for t in out["trend"]]
    return out


def _resource_table(before: Coverage, after: Coverage, moves: pd.DataFrame) -> pd.DataFrame:
    names_b = before.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    names_a = after.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    out = moves.copy()
    out["change_label"] = out["change"].map(_CHANGE_LABELS)
    out["matched_label"] = out["matched_by"].map(_MATCHED_LABELS)
    out["area_before"] = [
        names_b.get(a, "") if isinstance(a, str) else "" for a in out["area_id_before"]
    ]
    out["area_after"] = [
        names_a.get(a, "") if isinstance(a, str) else "" for a in out["area_id_after"]
    ]
    for side, cov in (("before", before), ("after", after)):
        out[f"labels_{side}"] = [
            "、".join(_label_of(cov, c) for c in cats) if isinstance(cats, tuple) else ""
            for cats in out[f"categories_{side}"]
        ]
    order = {"opened": 0, "closed": 1, "kept": 2}
    return out.sort_values("change", key=lambda s: s.map(order), kind="stable")


def _put_rows(ws: Worksheet, row: int, table: pd.DataFrame, columns: tuple[Any, ...]) -> None:
    from . import export as X

    X._header(ws, row, [c[1] for c in columns])
    for i, rec in enumerate(table.to_dict("records"), start=row + 1):
        for j, (col, _, fmt, _w) in enumerate(columns, start=1):
            value = rec.get(col)
            if fmt == "status":
                if isinstance(value, str):
                    X._status_cell(ws, i, j, value)
            else:
                X._put(ws, i, j, value, fmt)
    X._widths(ws, [c[3] for c in columns])
    ws.row_dimensions[row].height = 45


def _sources_sheet(ws: Worksheet, before: Coverage, after: Coverage) -> None:
    from openpyxl.styles import Font

    from . import export as X

    X._title(ws, "出典・条件（前回・今回）")
    r = 3
    for label, cov in (("前回", before), ("今回", after)):
        info = cov.info
        X._put(
            ws, r, 1, f"{label}（作成 {info.created or '不明'}、chiikimap {info.version}）"
        ).font = Font(bold=True)
        r += 1
        X._put(ws, r, 1, "基準")
        X._put(ws, r, 2, info.weight_label)
        for line in info.source_lines:
            r += 1
            X._put(ws, r, 1, "出典")
            X._put(ws, r, 2, line)
        r += 2
    X._put(ws, r, 1, "注記").font = Font(bold=True)
    notes = (
        "開設・廃止は事業所番号で、番号のない資源は位置（50 m 以内）と名称または住所・種別で照合しています。",
        "境界が変わった圏域は数値を比較せず、増減を空欄にしています。",
        "「変化」: 判定が良くなった・カバー率が上がった＝改善、その逆＝悪化。",
    )
    for note in notes:
        r += 1
        X._put(ws, r, 1, note)
    X._widths(ws, [44, 90])


def compare_to_excel(
    before: Any, after: Any, path: str | PathLike[str], *, within_m: float = 50.0
) -> pd.DataFrame:
    """Write the comparison workbook: 「前回との比較」, 「開設・廃止」, 「出典・条件」.

    Parameters
    ----------
    before, after
        Two results of :func:`chiikimap.analyze` or two ``chiikimap run`` output folders.
    path
        Output ``.xlsx`` file (written to a temporary file, renamed when complete).
    within_m
        As for :func:`chiikimap.compare`.

    Returns
    -------
    pandas.DataFrame
        The :func:`chiikimap.compare` table written to the first sheet.
    """
    from openpyxl import Workbook

    from . import export as X
    from .compare import comparable_pair, compare, period_labels, resource_changes

    b, a = comparable_pair(before, after)
    changes = compare(b, a, within_m=within_m)
    moves = resource_changes(b, a, within_m=within_m)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = CHANGE_SHEET
    n = moves["change"].value_counts()
    with X._noting_cleaned_cells() as cleaned:
        X._title(
            ws,
            f"前回との比較（{' → '.join(period_labels(b, a))}）",
            f"資源: 開設 {int(n.get('opened', 0))}・廃止 {int(n.get('closed', 0))}・継続 "
            f"{int(n.get('kept', 0))}。基準 {a.info.weight_label}。変化のあった行（判定・カバー率の"
            "変化、開設・廃止）を先に並べています",
        )
        table = _change_table(a, changes)
        quiet = (table["trend"] == "unchanged") & (table["n_opened"] + table["n_closed"] == 0)
        table = table.iloc[np.argsort(quiet.to_numpy(), kind="stable")]  # changes first
        _put_rows(ws, 4, table, _CHANGE_COLUMNS)
        ws.freeze_panes = "C5"
        ws.auto_filter.ref = f"A4:W{len(changes) + 4}"
        X._print_setup(ws, landscape=True, title_rows="4:4")
        ws2 = wb.create_sheet(RESOURCE_CHANGE_SHEET)
        _put_rows(ws2, 1, _resource_table(b, a, moves), _RESOURCE_COLUMNS)
        ws2.freeze_panes = "B2"
        X._print_setup(ws2, landscape=True, title_rows="1:1")
        _sources_sheet(wb.create_sheet("出典・条件"), b, a)
    wb.properties.creator = "chiikimap"
    wb.properties.title = CHANGE_SHEET
    with atomic_path(path) as tmp:
        wb.save(tmp)
    X._warn_cleaned(cleaned)
    return changes
