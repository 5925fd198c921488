"""Tables and layers for meetings and QGIS: the Excel 圏域カルテ and the GeoPackage.

Both writers take a :class:`chiikimap.Coverage` and only lay out what it holds; no metric is
recomputed here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _schema as S
from ._approx import approx_count, approx_note
from ._atomic import atomic_path
from ._errors import ChiikimapWarning, user_stacklevel
from ._outside import outside_note, outside_weight
from ._style import STATUS_COLOURS, excel_rgb

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from .result import Coverage

__all__ = ["STATUS_FILLS", "to_excel", "to_geopackage"]

#: Fill colour (RGB hex) of each status in the workbook: the colours of every renderer
#: (chiikimap._style.STATUS_COLOURS) in openpyxl's form.
STATUS_FILLS = {status: excel_rgb(colour) for status, colour in STATUS_COLOURS.items()}
_HEADER_FILL = "D9E1F2"
_FIXED_SHEETS = ("概要", "資源一覧", "除外行", "出典・条件")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: sheet names Excel reserves for itself (compared case-insensitively): a workbook that uses one
#: is "repaired" on opening
_RESERVED_SHEETS = frozenset({"history"})
_INJECTION_START = ("=", "+", "-", "@", "\t", "\r")
#: characters an xlsx file cannot hold (XML 1.0 forbids them; openpyxl raises on them): C0
#: controls other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_FMT_INT = "#,##0"
#: contact columns shown in each area sheet's resource list (all of them in 「資源一覧」)
_CONTACT_SHOWN = (S.PHONE, S.HOURS, S.OPERATOR)
#: header of one resource's capacity (S.COLUMN_LABELS_JA's 定員計 is the sum over resources)
_CAPACITY_ONE = "定員"
_FMT_FLOAT = "#,##0.0"
_FMT_PCT = "0.0%"
_FMT_PER1000 = "0.00"


# --- cell helpers -------------------------------------------------------------------------------

#: cells (``sheet!A1``) whose text lost characters an xlsx file cannot hold, in the workbook being
#: written (reported once by :func:`to_excel`)
_CLEANED: ContextVar[list[str] | None] = ContextVar("_CLEANED", default=None)


def _xml_text(text: str, where: str) -> str:
    """``text`` without the characters an xlsx file cannot hold; ``where`` is noted if any went."""
    cleaned = _ILLEGAL_XML.sub("", text)
    if cleaned != text:
        noted = _CLEANED.get()
        if noted is not None:
            noted.append(where)
    return cleaned


@contextmanager
def _noting_cleaned_cells() -> Iterator[list[str]]:
    """Collect the cells :func:`_xml_text` cleans inside the block."""
    noted: list[str] = []
    token = _CLEANED.set(noted)
    try:
        yield noted
    finally:
        _CLEANED.reset(token)


def _warn_cleaned(noted: list[str]) -> None:
    if not noted:
        return
    shown = "、".join(noted[:8]) + (" …" if len(noted) > 8 else "")
    warnings.warn(
        f"Excel に保存できない制御文字を {len(noted)} か所から取り除きました（{shown}）/ "
        f"removed control characters that an xlsx file cannot hold from {len(noted)} "
        f"cell(s) or sheet name(s): {shown}",
        ChiikimapWarning,
        stacklevel=user_stacklevel(),
    )


#: What a cell says for an infinite walking distance (no street path to any resource).
UNREACHABLE = "到達不可"
UNREACHABLE_NOTE = (
    "到達不可: 道路網でどの資源ともつながっていない場所（距離 ∞） / unreachable: no street "
    "path to any resource of the category"
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> Any:
    """Write one value: numbers as numbers, everything else as text that is never a formula."""
    cell = ws.cell(row=row, column=col)
    if _is_missing(value):
        return cell
    if isinstance(value, (bool, np.bool_)):
        cell.value = bool(value)
    elif isinstance(value, (int, np.integer)):
        cell.value = int(value)
        if fmt:
            cell.number_format = fmt
    elif isinstance(value, (float, np.floating)) and np.isinf(value):
        # a walking distance where the streets reach no resource (an xlsx cell cannot hold inf)
        cell.value = UNREACHABLE
    elif isinstance(value, (float, np.floating)):
        cell.value = float(value)
        if fmt:
            cell.number_format = fmt
    else:
        text = _xml_text(str(value), f"{ws.title}!{cell.coordinate}")
        cell.value = text
        # openpyxl turns "=..." into a formula; data text must stay text. The quote prefix also
        # keeps Excel from re-reading "+", "-", "@" as a formula when a user edits the cell.
        cell.data_type = "s"
        if text.startswith(_INJECTION_START):
            cell.quotePrefix = True
    return cell


def _header(ws: Worksheet, row: int, labels: Sequence[str], *, col: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for j, label in enumerate(labels):
        cell = _put(ws, row, col + j, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _status_cell(ws: Worksheet, row: int, col: int, status: str) -> None:
    from openpyxl.styles import Alignment, PatternFill

    cell = _put(ws, row, col, S.STATUS_LABELS.get(status, (status,))[0])
    if status in STATUS_FILLS:
        cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[status])
    cell.alignment = Alignment(horizontal="center")


def _title(ws: Worksheet, text: str, note: str = "") -> None:
    from openpyxl.styles import Font

    _put(ws, 1, 1, text).font = Font(bold=True, size=14)
    if note:
        _put(ws, 2, 1, note)


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _print_setup(ws: Worksheet, *, landscape: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _sheet_name(name: str, used: set[str]) -> str:
    """An Excel sheet name from ``name``: ≤ 31 chars, none of []:*?/\\, unique (case-insensitive).

    A name Excel reserves (``History``) gets a numbered suffix like a repeated name.
    """
    text = _xml_text(str(name), f"シート名 / sheet name {_ILLEGAL_XML.sub('', str(name))!r}")
    base = _BAD_SHEET_CHARS.sub("_", text).strip().strip("'") or "圏域"
    base = base[:31]
    candidate, i = base, 2
    while candidate.casefold() in used or candidate.casefold() in _RESERVED_SHEETS:
        suffix = f"({i})"
        candidate = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(candidate.casefold())
    return candidate


def _labels(coverage: Coverage, keys: Iterable[str]) -> str:
    out = []
    for k in keys:
        out.append(coverage.taxonomy.label(k) if k in coverage.taxonomy else str(k))
    return "、".join(out)


def _values_text(values: Any) -> str:
    if isinstance(values, dict):
        return "; ".join(f"{k}={'' if _is_missing(v) else v}" for k, v in values.items())
    return "" if _is_missing(values) else str(values)


# --- Excel ----------------------------------------------------------------------------------------


def _weight_header(coverage: Coverage) -> str:
    return f"{S.COLUMN_LABELS_JA[S.WEIGHT]}（{coverage.info.weight_label}）"


def _approx_column(coverage: Coverage, frame: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    """The 「うち概略位置の資源数」 column, when some resources lie only at a town's point."""
    if S.N_APPROX not in frame.columns or not approx_count(coverage):
        return []
    return [(S.N_APPROX, S.COLUMN_LABELS_JA[S.N_APPROX], _FMT_INT)]


def _sheet_overview(ws: Worksheet, coverage: Coverage) -> None:
    from openpyxl.styles import Font

    info = coverage.info
    labels_ja = S.COLUMN_LABELS_JA
    note = (
        f"基準: {info.weight_label}　データ時点: {'・'.join(info.data_dates) or '不明'}　"
        f"作成: {info.created}"
    )
    outside = outside_note(coverage)
    if outside:
        note += f"　{outside}"
    _title(ws, "第1層 概要（市町村全体）", note)
    summary = coverage.summary()
    population = info.basis == "population"
    cols: list[tuple[str, str, str | None]] = [
        (S.CATEGORY_LABEL, labels_ja[S.CATEGORY_LABEL], None),
        (S.N_RESOURCES, labels_ja[S.N_RESOURCES], _FMT_INT),
        *_approx_column(coverage, summary),
        (S.CAPACITY, labels_ja[S.CAPACITY], _FMT_INT),
        (S.WEIGHT, _weight_header(coverage), _FMT_INT),
        (S.COVERED, labels_ja[S.COVERED], _FMT_INT),
        (S.COVERAGE, labels_ja[S.COVERAGE], _FMT_PCT),
        (
            S.UNCOVERED,
            f"{labels_ja[S.UNCOVERED]}（届かない{'人数' if population else '面積(m²)'}）",
            _FMT_INT,
        ),
    ]
    if coverage.straight_table is not None:  # a network run: 道のり, then 直線 beside it
        line = coverage.straight_table.groupby(S.CATEGORY, sort=False)[S.COVERED].sum()
        weight = summary[S.WEIGHT].where(summary[S.WEIGHT] > 0)
        summary["coverage_straight"] = (
            line.reindex(summary[S.CATEGORY]).to_numpy() / weight
        ).fillna(0.0)
        cols[5] = (S.COVERAGE, f"{labels_ja[S.COVERAGE]}（道のり）", _FMT_PCT)
        cols.insert(6, ("coverage_straight", f"{labels_ja[S.COVERAGE]}（直線）", _FMT_PCT))
    if population:
        cols.append((S.PER_1000, labels_ja[S.PER_1000], _FMT_PER1000))
    cols += [
        ("n_none", "空白の圏域数", _FMT_INT),
        ("n_gap", "不足の圏域数", _FMT_INT),
        ("n_ok", "充足の圏域数", _FMT_INT),
        ("n_empty", "対象なしの圏域数", _FMT_INT),
        ("radius_m", "半径(m)", _FMT_INT),
        ("target", "目標カバー率", "0%"),
    ]
    head = 4
    _header(ws, head, [c[1] for c in cols])
    r = head
    for _, srow in summary.iterrows():
        r += 1
        for j, (key, _label, fmt) in enumerate(cols, start=1):
            _put(ws, r, j, srow[key], fmt)

    # gap matrix: areas × categories
    r += 2
    _put(ws, r, 1, "空白・不足の一覧（圏域 × 種別）").font = Font(bold=True, size=12)
    r += 1
    keys = list(coverage.categories)
    _header(
        ws,
        r,
        [
            labels_ja[S.AREA_NAME],
            *(coverage.taxonomy.label(k) for k in keys),
            "空白の数",
            "不足の数",
        ],
    )
    status = coverage.gap_matrix(labels="key")
    names = coverage.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    for aid, srow in status.iterrows():
        r += 1
        _put(ws, r, 1, names.get(aid, aid))
        for j, k in enumerate(keys, start=2):
            _status_cell(ws, r, j, str(srow[k]))
        _put(ws, r, len(keys) + 2, int((srow == S.STATUS_NONE).sum()), _FMT_INT)
        _put(ws, r, len(keys) + 3, int((srow == S.STATUS_GAP).sum()), _FMT_INT)
    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    _widths(ws, [26, *([12] * (max(len(cols), len(keys) + 3) - 1))])
    ws.row_dimensions[head].height = 45
    _print_setup(ws, landscape=True)


def _sheet_area(ws: Worksheet, coverage: Coverage, area_id: str, area_name: str) -> None:
    labels_ja = S.COLUMN_LABELS_JA
    missing = coverage.missing(area_id)
    t = coverage.table[coverage.table[S.AREA_ID] == area_id].copy()
    if len(t) and (t[S.STATUS] == S.STATUS_EMPTY).all():
        note = (
            f"不足しているサービス: 対象なし（{coverage.info.weight_label}が 0 のため判定して"
            "いません）"
        )
    else:
        note = "不足しているサービス: " + ("、".join(missing) if missing else "なし")
    _title(ws, f"圏域カルテ: {area_name}（{area_id}）", note)
    order = {k: i for i, k in enumerate(S.STATUS_LABELS)}
    cat_order = {k: i for i, k in enumerate(coverage.categories)}
    t["_s"] = t[S.STATUS].map(order)
    t["_c"] = t[S.CATEGORY].map(cat_order)
    t = t.sort_values(["_s", "_c"])
    population = coverage.info.basis == "population"
    cols: list[tuple[str, str, str | None]] = [
        (S.CATEGORY_LABEL, labels_ja[S.CATEGORY_LABEL], None),
        (S.STATUS, labels_ja[S.STATUS], None),
        (S.COVERAGE, labels_ja[S.COVERAGE], _FMT_PCT),
        (S.UNCOVERED, labels_ja[S.UNCOVERED], _FMT_INT),
        (S.N_RESOURCES, labels_ja[S.N_RESOURCES], _FMT_INT),
        *_approx_column(coverage, t),
        (S.CAPACITY, labels_ja[S.CAPACITY], _FMT_INT),
        (S.WEIGHT, _weight_header(coverage), _FMT_INT),
        (S.COVERED, labels_ja[S.COVERED], _FMT_INT),
        (S.NEAREST_M, labels_ja[S.NEAREST_M], _FMT_INT),
    ]
    if coverage.straight_table is not None:
        t, cols = _with_straight(coverage, t, cols)
    if population:
        cols.append((S.PER_1000, labels_ja[S.PER_1000], _FMT_PER1000))
    head = 4
    _header(ws, head, [c[1] for c in cols])
    r = head
    for _, trow in t.iterrows():
        r += 1
        for j, (key, _label, fmt) in enumerate(cols, start=1):
            if key in (S.STATUS, f"{S.STATUS}_straight"):
                _status_cell(ws, r, j, str(trow[key]))
            else:
                _put(ws, r, j, trow[key], fmt)

    if coverage.indicators is not None:
        from ._needs_excel import area_indicator_rows

        r = area_indicator_rows(ws, coverage, area_id, r + 2)
    res = coverage.resources
    res = res[res[S.AREA_ID] == area_id] if S.AREA_ID in res.columns else res.iloc[0:0]
    r += 2
    _put(ws, r, 1, f"この圏域の資源（{len(res)}件）")
    r += 1
    _header(
        ws,
        r,
        [
            labels_ja[S.RESOURCE_ID],
            labels_ja[S.NAME],
            labels_ja[S.CATEGORIES],
            labels_ja[S.ADDRESS],
            _CAPACITY_ONE,
            *(labels_ja[c] for c in _CONTACT_SHOWN),
            *(["位置"] if approx_count(coverage) else []),
        ],
    )
    approx = S.approximate(res)
    for k, (_, rrow) in enumerate(res.iterrows()):
        r += 1
        _put(ws, r, 1, rrow[S.RESOURCE_ID])
        _put(ws, r, 2, rrow[S.NAME])
        _put(ws, r, 3, _labels(coverage, rrow[S.CATEGORIES]))
        _put(ws, r, 4, rrow.get(S.ADDRESS))
        _put(ws, r, 5, rrow.get(S.CAPACITY), _FMT_INT)
        for j, column in enumerate(_CONTACT_SHOWN, start=6):
            _put(ws, r, j, rrow.get(column))
        if approx[k]:
            _put(ws, r, 6 + len(_CONTACT_SHOWN), S.approx_note_of(rrow.get(S.GEOCODE_LEVEL)))
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    _widths(ws, [30, 28, 10, 12, 9, 9, 14, 12, 14, 12])
    ws.row_dimensions[head].height = 45
    _print_setup(ws, landscape=True)


#: Columns of a network run that are shown for both distances (直線 beside 道のり).
_BOTH = (S.STATUS, S.COVERAGE, S.NEAREST_M)


def _with_straight(
    coverage: Coverage, t: pd.DataFrame, cols: list[tuple[str, str, str | None]]
) -> tuple[pd.DataFrame, list[tuple[str, str, str | None]]]:
    """A network run's rows with the straight-line status, coverage and distance beside them.

    The walking columns are labelled 「（道のり）」 and each is followed by its 「（直線）」 twin,
    from ``coverage.straight_table`` (the same run measured by straight line).
    """
    assert coverage.straight_table is not None
    line = coverage.straight_table[[S.AREA_ID, S.CATEGORY, *_BOTH]]
    t = t.merge(line, on=[S.AREA_ID, S.CATEGORY], how="left", suffixes=("", "_straight"))
    out: list[tuple[str, str, str | None]] = []
    for key, label, fmt in cols:
        if key in _BOTH:
            out.append((key, f"{label}（道のり）", fmt))
            out.append((f"{key}_straight", f"{label}（直線）", fmt))
        else:
            out.append((key, label, fmt))
    return t, out


def _sheet_resources(ws: Worksheet, coverage: Coverage) -> None:
    labels_ja = S.COLUMN_LABELS_JA
    res = coverage.resources
    names = coverage.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    heads = [
        labels_ja[S.RESOURCE_ID],
        labels_ja[S.NAME],
        labels_ja[S.AREA_ID],
        labels_ja[S.AREA_NAME],
        labels_ja[S.CATEGORIES],
        labels_ja[S.ADDRESS],
        _CAPACITY_ONE,
        labels_ja[S.SOURCE],
        "緯度",
        "経度",
        *(labels_ja[c] for c in S.CONTACT_COLUMNS),
    ]
    geocoded = S.GEOCODE_LEVEL in res.columns
    if geocoded:
        heads += [S.GEOCODE_LEVEL_JA, "照合した町名"]
    _header(ws, 1, heads)
    pts = res.geometry.to_crs(S.STORAGE_CRS) if res.crs is not None else res.geometry
    for i, (_, row) in enumerate(res.iterrows(), start=2):
        aid = row.get(S.AREA_ID)
        _put(ws, i, 1, row[S.RESOURCE_ID])
        _put(ws, i, 2, row[S.NAME])
        _put(ws, i, 3, aid)
        _put(ws, i, 4, "（圏域外）" if _is_missing(aid) else names.get(aid, ""))
        _put(ws, i, 5, _labels(coverage, row[S.CATEGORIES]))
        _put(ws, i, 6, row.get(S.ADDRESS))
        _put(ws, i, 7, row.get(S.CAPACITY), _FMT_INT)
        _put(ws, i, 8, row.get(S.SOURCE))
        geom = pts.iloc[i - 2]
        if geom is not None and not geom.is_empty:
            _put(ws, i, 9, float(geom.y), "0.000000")
            _put(ws, i, 10, float(geom.x), "0.000000")
        for j, column in enumerate(S.CONTACT_COLUMNS, start=11):
            _put(ws, i, j, row.get(column))
        if geocoded:
            level = row.get(S.GEOCODE_LEVEL)
            level_text = "元の座標" if _is_missing(level) else str(level)
            if level in S.APPROX_LEVELS:
                level_text += "（概略）"
            _put(ws, i, 11 + len(S.CONTACT_COLUMNS), level_text)
            _put(ws, i, 12 + len(S.CONTACT_COLUMNS), row.get("geocode_match"))
    ws.freeze_panes = "C2"
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(heads))
    ws.auto_filter.ref = f"A1:{last}{max(len(res) + 1, 1)}"
    _widths(ws, [10, 32, 10, 18, 30, 32, 8, 20, 11, 11, 14, 14, 30, 30, 24])
    _print_setup(ws, landscape=True, title_rows="1:1")


def _sheet_rejected(ws: Worksheet, coverage: Coverage) -> None:
    rej = coverage.rejected
    _header(ws, 1, ["ファイル", "行", "理由", "元の値"])
    entries: list[tuple[Any, Any, Any, Any]] = [
        (
            row.get(S.REJECTED_FILE),
            row.get(S.REJECTED_ROW),
            row.get(S.REJECTED_REASON),
            row.get(S.REJECTED_VALUES),
        )
        for _, row in rej.iterrows()
    ]
    # rows merged into another resource are in coverage.rejected too (reason 「重複…」), so that
    # every input row is accounted for
    for i, (file, row_no, reason, values) in enumerate(entries, start=2):
        _put(ws, i, 1, file)
        _put(ws, i, 2, None if _is_missing(row_no) else int(row_no), "0")
        _put(ws, i, 3, reason)
        _put(ws, i, 4, _values_text(values))
    if not entries:
        _put(ws, 2, 1, "除外された行はありません")
    ws.freeze_panes = "A2"
    _widths(ws, [28, 7, 50, 60])
    _print_setup(ws, landscape=True, title_rows="1:1")


def _sheet_sources(ws: Worksheet, coverage: Coverage) -> None:
    from openpyxl.styles import Font

    info = coverage.info
    _header(ws, 1, ["名称", "提供者", "データ時点", "利用条件", "URL", "クレジット表記", "層"])
    r = 1
    for src in info.sources:
        r += 1
        values = (src.title, src.publisher, src.date, src.license, src.url, src.attribution)
        for j, v in enumerate((*values, src.layer_label), start=1):
            _put(ws, r, j, v)
    r += 2
    _put(ws, r, 1, "計算条件").font = Font(bold=True, size=12)
    basis = "人口" if info.basis == "population" else "面積"
    conditions: list[tuple[str, Any]] = [
        ("基準", f"{info.weight_label}（{basis}基準）"),
        ("データ時点", "・".join(info.data_dates) or "不明"),
        ("保存座標系", info.storage_crs),
        ("距離計算の座標系", info.metric_crs_text),
        ("距離 / distance", info.distance_label),
        *(
            [
                ("直線 / 道のり", "圏域シートに両方の判定・カバー率・距離を並べています"),
                ("", UNREACHABLE_NOTE),
            ]
            if info.distance == "network"
            else []
        ),
        ("分類表", info.taxonomy),
        ("chiikimap バージョン", info.version),
        ("作成日", info.created),
    ]
    for label, value in conditions:
        r += 1
        _put(ws, r, 1, label)
        _put(ws, r, 2, value)
    note = approx_note(coverage)
    if note:
        r += 1
        _put(ws, r, 1, "概略位置 / approximate positions")
        _put(ws, r, 2, note)
    found = outside_weight(coverage)
    if found is not None:
        # people (or land) that lie in no area: counted nowhere, so say how many
        outside, share = found
        people = info.basis == "population"
        r += 1
        _put(ws, r, 1, f"圏域外の{info.weight_label if people else '面積'}")
        _put(ws, r, 2, outside, _FMT_INT)
        share_text = "" if np.isnan(share) else f"（全体の {share:.1%}）"
        _put(ws, r, 3, f"{'人' if people else 'm²'}{share_text}— どの圏域にも含めていません")
    r += 2
    _header(ws, r, ["種別", "種別キー", "半径(m)", "目標カバー率"])
    for key in coverage.categories:
        r += 1
        rule = info.rules.get(key, {})
        _put(ws, r, 1, coverage.taxonomy.label(key) if key in coverage.taxonomy else key)
        _put(ws, r, 2, key)
        _put(ws, r, 3, float(rule.get("radius_m", np.nan)), _FMT_INT)
        _put(ws, r, 4, float(rule.get("target", np.nan)), "0%")
    ws.freeze_panes = "A2"
    _widths(ws, [30, 26, 14, 16, 40, 50])
    _print_setup(ws, landscape=True)


def to_excel(coverage: Coverage, path: str | PathLike[str]) -> None:
    """Write the 圏域カルテ workbook.

    Sheets: 「概要」 (the 第1層 summary and the gap matrix with fill colours), one sheet per area
    (its figures with the missing services first, and its resources), 「資源一覧」, 「除外行」 (rows
    the readers rejected, and rows merged into an identical earlier row with the reason
    「重複（行 N に統合）」, so that every input row is accounted for) and 「出典・条件」 (sources,
    data dates, radii, targets, CRS, version). A run with indicators (``analyze(...,
    indicators=)``) gets the sheet 「指標」 after 「概要」: each indicator per area, shares as
    percentages.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    path
        The ``.xlsx`` file to write. It is written to a temporary file in the same folder and
        renamed over ``path`` when complete, so an interrupted run leaves the old workbook (or
        none), never a broken one.

    Raises
    ------
    OutputFileError
        The folder is missing or read-only, or the file cannot be replaced (open in Excel).

    Warns
    -----
    ChiikimapWarning
        Once, naming the cells, when text held control characters (NUL, ESC, vertical tab …)
        that an xlsx file cannot store; they are removed.

    Notes
    -----
    Text from data files is always written as text: a name such as ``=HYPERLINK(...)`` is shown,
    never evaluated. Numbers are stored as numbers with number formats (coverage as a percentage).
    """
    from openpyxl import Workbook

    wb = Workbook()
    used = {name.casefold() for name in _FIXED_SHEETS}
    ws = wb.active
    assert ws is not None
    ws.title = _FIXED_SHEETS[0]
    with _noting_cleaned_cells() as cleaned:
        _sheet_overview(ws, coverage)
        if coverage.indicators is not None:
            from ._needs_excel import INDICATOR_SHEET, indicator_sheet

            used.add(INDICATOR_SHEET.casefold())
            indicator_sheet(wb.create_sheet(INDICATOR_SHEET), coverage)
        for aid, name in zip(coverage.areas[S.AREA_ID], coverage.areas[S.AREA_NAME], strict=True):
            sheet = wb.create_sheet(_sheet_name(str(name), used))
            _sheet_area(sheet, coverage, str(aid), str(name))
        _sheet_resources(wb.create_sheet(_FIXED_SHEETS[1]), coverage)
        _sheet_rejected(wb.create_sheet(_FIXED_SHEETS[2]), coverage)
        _sheet_sources(wb.create_sheet(_FIXED_SHEETS[3]), coverage)
    wb.properties.creator = "chiikimap"
    wb.properties.title = "圏域カルテ"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    _warn_cleaned(cleaned)


# --- GeoPackage ---------------------------------------------------------------------------------


def _areas_layer(coverage: Coverage) -> pd.DataFrame:
    t = coverage.table
    areas = coverage.areas[[c for c in S.AREA_COLUMNS if c in coverage.areas.columns]].copy()
    wide = {}
    for key in coverage.categories:
        rows = t[t[S.CATEGORY] == key].set_index(S.AREA_ID)
        wide[f"{key}_coverage"] = rows[S.COVERAGE]
        wide[f"{key}_status"] = rows[S.STATUS]
        wide[f"{key}_status_ja"] = rows[S.STATUS].map(lambda s: S.STATUS_LABELS[s][0])
        wide[f"{key}_n_resources"] = rows[S.N_RESOURCES]
        wide[f"{key}_uncovered"] = rows[S.UNCOVERED]
    extra = pd.DataFrame(wide)
    status = t.pivot(index=S.AREA_ID, columns=S.CATEGORY, values=S.STATUS)
    extra["n_none"] = (status == S.STATUS_NONE).sum(axis=1)
    extra["n_gap"] = (status == S.STATUS_GAP).sum(axis=1)
    extra["n_empty"] = (status == S.STATUS_EMPTY).sum(axis=1)
    extra["missing"] = ["; ".join(coverage.missing(str(aid))) for aid in extra.index]
    if coverage.indicators is not None:  # one column per indicator (shares as 0–1)
        values = coverage.indicators.drop(columns=[S.AREA_NAME]).set_index(S.AREA_ID)
        clash = set(values.columns) & (set(extra.columns) | set(S.AREA_COLUMNS))
        extra = extra.join(values.rename(columns={c: f"indicator_{c}" for c in clash}))
    joined: pd.DataFrame = areas.join(extra, on=S.AREA_ID)  # a GeoDataFrame (untyped)
    return joined


def _no_infinity(frame: pd.DataFrame) -> None:
    """±inf in the float columns of ``frame`` become NaN, which GeoPackage stores as NULL."""
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            values = frame[col].to_numpy()
            if np.isinf(values).any():
                frame[col] = np.where(np.isinf(values), np.nan, values)


def to_geopackage(coverage: Coverage, path: str | PathLike[str]) -> None:
    """Write the coverage as a GeoPackage for QGIS (all layers in EPSG:6668).

    Layers
    ------
    ``areas``
        The areas with per-category figures as wide columns: ``<key>_coverage`` (0–1),
        ``<key>_status`` (none/gap/ok/empty), ``<key>_status_ja`` (空白/不足/充足/対象なし),
        ``<key>_n_resources``, ``<key>_uncovered``; plus ``n_none``, ``n_gap``, ``n_empty``
        (categories per status) and ``missing`` (labels, ``"; "``-joined); with indicators
        (``analyze(..., indicators=)``) one column per indicator (shares as 0–1; named
        ``indicator_<name>`` only when the name is taken).
    ``resources``
        The resources, ``categories`` joined with ``"; "`` and ``area_id``.
    ``population``
        The population layer, when the run had one.
    ``gaps``
        The tidy area × category table as an attribute-only table (no geometry): join it to
        ``areas`` on ``area_id`` in QGIS. Geometry is left out so that each polygon is stored once.
        ``nearest_m`` is NULL where it is not a number: an area with nobody in it (対象なし), a
        category with no resource, and a walking run's area whose people reach no resource
        (``inf`` in ``Coverage.table``; :func:`chiikimap.compare` reads it back as ``inf``).
        No layer holds an infinite value.
        With indicators it also holds each indicator and ``<indicator>_at_risk`` /
        ``<indicator>_at_risk_uncovered``.
    ``catchments``
        With ``analyze(..., network=)`` only: per category the walking catchment
        (``category``, ``category_label``, ``radius_m``, MultiPolygon), as the maps draw it.
    ``sources``
        One row per data source (attribute table): ``title``, ``publisher``, ``date``,
        ``license``, ``url``, ``credit``, ``layer`` (areas/resources/population) and
        ``attribution`` — each layer's credit line and date.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    path
        The ``.gpkg`` file to write. All layers go into a temporary file in the same folder,
        which replaces an existing file only when complete: an interrupted run leaves the old
        GeoPackage (or none), never one with some layers missing.

    Raises
    ------
    OutputFileError
        The folder is missing or read-only, or the file cannot be replaced.
    """
    import geopandas as gpd
    import pyogrio

    areas = gpd.GeoDataFrame(
        _areas_layer(coverage), geometry=S.GEOMETRY, crs=coverage.areas.crs
    ).to_crs(S.STORAGE_CRS)
    res = coverage.resources.to_crs(S.STORAGE_CRS).copy()
    res[S.CATEGORIES] = res[S.CATEGORIES].map(
        lambda cs: (
            "; ".join(cs) if isinstance(cs, (tuple, list)) else ("" if _is_missing(cs) else str(cs))
        )
    )
    for col in res.columns:
        if col != res.geometry.name and res[col].dtype == object:
            res[col] = res[col].map(lambda v: None if _is_missing(v) else str(v))
    # the table's columns, with the indicators and their at-risk figures when the run has them
    table = coverage.table
    extra_cols = [
        c
        for c in table.columns
        if c not in S.TABLE_COLUMNS and pd.api.types.is_numeric_dtype(table[c])
    ]
    gaps = pd.DataFrame(table[[*S.TABLE_COLUMNS, *extra_cols]]).copy()
    gaps["status_ja"] = gaps[S.STATUS].map(lambda s: S.STATUS_LABELS[s][0])
    # no distance is infinite in the file: an area whose people reach no resource on foot has
    # nearest_m = inf, which QGIS would show as the text "inf" and sort above every number
    _no_infinity(areas)
    _no_infinity(gaps)

    # every layer goes into a new file next to the target, which replaces it only when complete
    with atomic_path(path) as tmp:
        areas.to_file(tmp, layer="areas", driver="GPKG")
        res.to_file(tmp, layer="resources", driver="GPKG")
        if coverage.population is not None and len(coverage.population):
            population = coverage.population.to_crs(S.STORAGE_CRS)
            population.to_file(tmp, layer="population", driver="GPKG")
        pyogrio.write_dataframe(gaps, tmp, layer="gaps", driver="GPKG")
        if coverage.catchments is not None:  # a network run: the walking catchments
            catch = coverage.catchments.to_crs(S.STORAGE_CRS).copy()
            catch.insert(
                1, S.CATEGORY_LABEL, [coverage.taxonomy.label(k) for k in catch[S.CATEGORY]]
            )
            catch.to_file(tmp, layer="catchments", driver="GPKG")
        # the credit line and date of each source, with its layer (an attribute table)
        sources = pd.DataFrame(
            [{**src.to_dict(), "attribution": src.attribution} for src in coverage.info.sources],
            columns=[*S.Source.__dataclass_fields__, "attribution"],
        )
        pyogrio.write_dataframe(sources.astype(str), tmp, layer="sources", driver="GPKG")
