"""Needs beside resources: indicator tables per area (ニーズ調査 risk shares, 認定者数).

:func:`read_indicators` reads a CSV/xlsx table with one row per area and numeric indicator
columns; :func:`join_indicators` matches its rows to the areas by id or by normalised name.
:func:`at_risk_columns` and :func:`priorities` compute the people at risk and the at-risk
people out of reach that :func:`chiikimap.analyze` and :meth:`chiikimap.Coverage.priorities`
show.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _schema as S
from ._errors import (
    ChiikimapWarning,
    ColumnNotFoundError,
    ParameterError,
    SchemaError,
    check_choice,
)
from ._names import OLD_FORMS, normalize_town_name
from .io._table import Table, load_table, norm_header

if TYPE_CHECKING:
    from .result import Coverage

__all__ = [
    "INDICATORS_KEY",
    "join_indicators",
    "normalize_area_name",
    "priority_to_excel",
    "read_indicators",
]

#: key under ``DataFrame.attrs`` describing each indicator column (kind, scale, label)
INDICATORS_KEY = "chiikimap_indicators"
#: the layer key of an indicator table's source (「指標」 in the outputs' source lists)
INDICATORS_LAYER = "indicators"
SHARE = "share"
COUNT = "count"
PERCENT = "percent"
FRACTION = "fraction"

#: 旧字体 / 異体字 → 新字体 seen in place and school names
_OLD_FORMS = str.maketrans(OLD_FORMS)
_SUFFIX = re.compile(r"(?:中学校区|中学校|校区|中|日常生活圏域|生活圏域|圏域|地区)$")
_NOTE = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]$")
_TOTAL = re.compile(
    r"^(?:合計|総計|計|全体|市全体|町全体|村全体|区全体|全市|市計|総数|平均|全国|全県)$"
)
_NAME_HEADER = re.compile(r"圏域|地区|校区|区域|地域|名称|名$|^area|name")
_ID_HEADER = re.compile(r"^(?:area_id|id|圏域id|圏域コード|コード|code|番号|no\.?)$")
_SHARE_HEADER = re.compile(r"率|割合|%|リスク|該当者?$|傾向|低下")
_COUNT_HEADER = re.compile(r"数|人|件|者$|count")
_MISSING = {"", "-", "－", "―", "‐", "—", "…", "*", "x", "X", "n/a", "na", "nan"}


def normalize_area_name(name: object) -> str:
    """The key under which spellings of one area name compare equal.

    NFKC, spaces removed, ヶ/ヵ as ケ, 旧字体 as 新字体, a trailing bracketed note and one trailing
    中学校区 / 中学校 / 校区 / 中 / 圏域 / 地区 removed:
    ``normalize_area_name("香里丘中学校区（参考）") == normalize_area_name("香里丘中") == "香里丘"``.

    Examples
    --------
    >>> normalize_area_name("髙倉 中学校区") == normalize_area_name("高倉圏域")
    True
    """
    text = normalize_town_name(name).translate(_OLD_FORMS)
    text = _NOTE.sub("", text)
    stripped = _SUFFIX.sub("", text)
    return stripped if len(stripped) >= 2 else text


# --- reading ------------------------------------------------------------------------------------
def read_indicators(
    path: str | PathLike[str],
    *,
    id_col: str | None = None,
    name_col: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    source: S.Source | str | None = None,
) -> pd.DataFrame:
    """Read a table of indicators per area (one row per area, numeric indicator columns).

    Parameters
    ----------
    path
        A CSV/TSV or xlsx file, e.g. a ニーズ調査 result table by 日常生活圏域 or 認定者数 by 圏域.
    id_col, name_col
        The column holding the area id (matched to ``area_id``) or the area name (matched to
        ``area_name`` after :func:`normalize_area_name`). Default: a column whose name contains
        圏域/地区/校区/名称 … (the name).
    sheet
        Sheet name or 0-based position of a workbook (default: the first with the columns).
    header_row
        The file's 1-based row of the column names (default: found among the first rows).
    source
        The source to credit (a :class:`chiikimap.Source`, e.g. with the survey's year as
        ``date``, or its title); by default the file name. It joins ``Coverage.info.sources``
        (layer 「指標」) of ``analyze(..., indicators=)`` and so every output's source list.

    Returns
    -------
    pandas.DataFrame
        ``area_id`` and/or ``area_name`` (as in the file) and one float column per indicator.
        A share column is stored as a fraction in [0, 1] whatever the file wrote (18.5 %,
        0.185 or 18.5): per column, cells with 「%」, a header with 率/割合/%/リスク/低下 … or a
        unit note 「%」 above the header make it a share, written in percent unless every value
        is ≤ 1. Other numeric columns are counts (≥ 0). ``attrs["chiikimap_indicators"]`` states,
        per column, ``kind`` (``share``/``count``), ``scale`` (``percent``/``fraction``/``""``)
        and the original ``label``; a :class:`chiikimap.ChiikimapWarning` states the shares read
        in percent. Cells 「-」/「*」/blank are missing (NaN). Rows rejected (no name, a total row,
        a duplicate, a value that is not a number or out of range) are in
        :func:`chiikimap.rejected_rows` with their row number and reason: rows read =
        returned + rejected.

    Raises
    ------
    chiikimap.ColumnNotFoundError
        No name/id column, or no numeric column.
    chiikimap.InputFileError
        The file cannot be read.
    """
    p = Path(path)
    wanted = [norm_header(c) for c in (id_col, name_col) if c is not None]

    def looks_like_header(cells: list[str]) -> bool:
        heads = [norm_header(c) for c in cells if c.strip() and not c.startswith("列")]
        if len(heads) < 2:
            return False
        if wanted:
            return all(w in heads for w in wanted)
        return any(_NAME_HEADER.search(h) for h in heads)

    table = load_table(p, looks_like_header, sheet=sheet, header_row=header_row)
    key_cols = _key_columns(table, id_col, name_col)
    out = _build(table, key_cols)
    if isinstance(source, S.Source):
        src = replace(source, layer=INDICATORS_LAYER)
    else:
        src = S.Source(title=source or f"指標（{p.name}）", layer=INDICATORS_LAYER)
    for rep in S.read_reports(out):
        rep["sources"] = [src.to_dict()]
    return out


def _key_columns(table: Table, id_col: str | None, name_col: str | None) -> dict[str, int]:
    heads = [norm_header(c) for c in table.columns]
    out: dict[str, int] = {}
    for key, given, param in ((S.AREA_ID, id_col, "id_col"), (S.AREA_NAME, name_col, "name_col")):
        if given is None:
            continue
        if norm_header(given) not in heads:
            raise ColumnNotFoundError(
                f"列 {given!r} がありません。列: {table.columns} / no column {given!r}; "
                f"columns: {table.columns}",
                path=table.path,
                param=param,
            )
        out[key] = heads.index(norm_header(given))
    if not out:
        for j, h in enumerate(heads):
            if _NAME_HEADER.search(h) and not _numeric_column(table, j):
                out[S.AREA_NAME] = j
                break
        else:
            for j, h in enumerate(heads):
                if _ID_HEADER.match(h):
                    out[S.AREA_ID] = j
                    break
    if not out:
        raise ColumnNotFoundError(
            f"圏域名・圏域IDの列が見つかりません。列: {table.columns}。name_col='…' か id_col='…' を"
            f"指定してください / no area name or id column among {table.columns}; pass name_col= "
            "or id_col=",
            path=table.path,
            param=("name_col", "id_col"),
        )
    return out


def _parse(cell: str) -> tuple[float | None, bool]:
    """(value, written with %); value None for a cell that is not a number, NaN for missing."""
    text = unicodedata.normalize("NFKC", cell).strip().replace(",", "").replace(" ", "")
    if text in _MISSING:
        return float("nan"), False
    percent = text.endswith("%")
    text = text.removesuffix("%")
    try:
        return float(text), percent
    except ValueError:
        return None, percent


def _numeric_column(table: Table, j: int) -> bool:
    values = [_parse(r[j])[0] for r in table.rows if r[j].strip()]
    good = [v for v in values if v is not None and not np.isnan(v)]
    return bool(good) and len(good) >= len(values) / 2


def _column_kind(
    label: str, values: list[float], any_percent: bool, unit_share: bool
) -> dict[str, str]:
    head = norm_header(label)
    good = [v for v in values if not np.isnan(v)]
    share = any_percent or bool(_SHARE_HEADER.search(head))
    if not share and unit_share and not _COUNT_HEADER.search(head):
        share = True
    if not share:
        return {"kind": COUNT, "scale": "", "label": label}
    scale = FRACTION if good and max(good) <= 1 and not any_percent else PERCENT
    return {"kind": SHARE, "scale": scale, "label": label}


def _build(table: Table, key_cols: dict[str, int]) -> pd.DataFrame:
    above = " ".join(text for _, text in table.above)
    unit_share = bool(re.search(r"[%％]|割合|単位:?率", unicodedata.normalize("NFKC", above)))
    value_cols = [
        j
        for j in range(len(table.columns))
        if j not in key_cols.values() and _numeric_column(table, j)
    ]
    if not value_cols:
        raise ColumnNotFoundError(
            f"数値の指標列がありません。列: {table.columns} / no numeric indicator column among "
            f"{table.columns}",
            path=table.path,
        )
    parsed = {j: [_parse(r[j]) for r in table.rows] for j in value_cols}
    kinds = {
        table.columns[j]: _column_kind(
            table.columns[j],
            [v for v, _ in parsed[j] if v is not None],
            any(pc for _, pc in parsed[j]),
            unit_share,
        )
        for j in value_cols
    }
    rejected: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        reason = _row_problem(table, i, row, key_cols, parsed, kinds, seen)
        if reason:
            rejected.append(_rejected(table, i, row, reason))
            continue
        rec: dict[str, Any] = {k: row[j].strip() for k, j in key_cols.items()}
        for j in value_cols:
            value = float(parsed[j][i][0])  # type: ignore[arg-type]  # checked: a number
            kind = kinds[table.columns[j]]
            rec[table.columns[j]] = value / 100 if kind["scale"] == PERCENT else value
        records.append(rec)
    return _frame(table, key_cols, value_cols, records, rejected, kinds)


def _row_problem(
    table: Table,
    i: int,
    row: list[str],
    key_cols: dict[str, int],
    parsed: dict[int, list[tuple[float | None, bool]]],
    kinds: dict[str, dict[str, str]],
    seen: dict[str, int],
) -> str:
    if i in table.row_errors:
        return table.row_errors[i][1]
    key = S.AREA_ID if S.AREA_ID in key_cols else S.AREA_NAME
    raw = row[key_cols[key]].strip()
    if not raw:
        return "圏域名・IDが空です / no area name or id"
    norm = raw if key == S.AREA_ID else normalize_area_name(raw)
    if _TOTAL.match(normalize_town_name(raw)):
        return "合計・全体の行です（圏域ではありません） / a total row, not an area"
    values = [cells[i][0] for cells in parsed.values()]
    if all(v is not None and np.isnan(v) for v in values):
        return "指標の値が 1 つもありません（注記の行など） / no indicator value (a note row?)"
    if norm in seen:
        return f"{seen[norm]} 行目と同じ圏域です（重複） / the same area as row {seen[norm]} (duplicate)"
    problem = _value_problem(table, i, row, parsed, kinds)
    if not problem:
        seen[norm] = table.row_numbers[i]
    return problem


def _value_problem(
    table: Table,
    i: int,
    row: list[str],
    parsed: dict[int, list[tuple[float | None, bool]]],
    kinds: dict[str, dict[str, str]],
) -> str:
    for j, cells in parsed.items():
        value = cells[i][0]
        label = table.columns[j]
        if value is None:
            return f"{label}: {row[j]!r} は数値ではありません / {label}: {row[j]!r} is not a number"
        kind = kinds[label]
        share = value / 100 if kind["scale"] == PERCENT else value
        if kind["kind"] == SHARE and not (np.isnan(share) or 0 <= share <= 1):
            return f"{label}: {row[j]} は割合の範囲 (0〜100%) 外です / {label}: {row[j]} is not a share"
        if kind["kind"] == COUNT and value < 0:
            return f"{label}: {row[j]} は負の数です / {label}: {row[j]} is negative"
    return ""


def _rejected(table: Table, i: int, row: list[str], reason: str) -> dict[str, Any]:
    return {
        S.REJECTED_FILE: table.where(i),
        S.REJECTED_ROW: table.row_numbers[i],
        S.REJECTED_REASON: reason,
        S.REJECTED_VALUES: dict(zip(table.columns, row, strict=False)),
    }


def _frame(
    table: Table,
    key_cols: dict[str, int],
    value_cols: list[int],
    records: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    kinds: dict[str, dict[str, str]],
) -> pd.DataFrame:
    names = [*key_cols, *(table.columns[j] for j in value_cols)]
    df = pd.DataFrame(records, columns=names)
    for j in value_cols:
        df[table.columns[j]] = df[table.columns[j]].astype(float)
    stated = [
        f"{c}: {k['kind']}" + (f" ({k['scale']})" if k["scale"] else "") for c, k in kinds.items()
    ]
    report = S.ReadReport(
        file=str(table.path.name),
        layout="indicators",
        columns={k: table.columns[j] for k, j in key_cols.items()},
        n_read=len(table.rows),
        rejected=rejected,
        warnings=stated,
    )
    S.attach_report(df, report)
    df.attrs[INDICATORS_KEY] = kinds
    if any(k["kind"] == SHARE for k in kinds.values()):
        warnings.warn(_shares_message(table.path.name, df, kinds), ChiikimapWarning, stacklevel=4)
    return df


def _shares_message(name: str, df: pd.DataFrame, kinds: dict[str, dict[str, str]]) -> str:
    """How the numeric columns were read (shares in percent, in fractions, counts) and the fix.

    Each group of shares names one value as the file writes it and the share it became
    (「百分率で書かれた列（閉じこもり傾向 の 14.5 は 14.5%）」). The kind comes from the header and
    the cells, so the fix for a column read the wrong way is there too.
    """
    ja: list[str] = []
    en: list[str] = []
    for scale, ja_kind, en_kind in (
        (PERCENT, "百分率", "percent"),
        (FRACTION, "小数", "fractions"),
    ):
        cols = [c for c, k in kinds.items() if k["kind"] == SHARE and k["scale"] == scale]
        if not cols:
            continue
        ja_example = en_example = ""
        first = next(((c, df[c].dropna()) for c in cols if df[c].notna().any()), None)
        if first is not None:
            col, share = first[0], float(first[1].iloc[0])
            written = f"{share * 100:g}" if scale == PERCENT else f"{share:g}"
            ja_example = f"（例: 「{col}」の {written} は {share * 100:g}%）"
            en_example = f" (e.g. {col} {written} = {share * 100:g}%)"
        ja.append(f"{ja_kind}で書かれた列{ja_example}: {'、'.join(cols)}。")
        en.append(f"written in {en_kind}{en_example}: {', '.join(cols)}")
    counts = [c for c, k in kinds.items() if k["kind"] == COUNT]
    n = sum(k["kind"] == SHARE for k in kinds.values())
    return (
        f"{name}: 次の {n} 列を割合として読み、0〜1 で保持しました。{''.join(ja)}"
        + (f"人数・件数として読んだ列: {'、'.join(counts)}。" if counts else "")
        + "読み方が違う列は見出しか値を直してください: 割合の列は見出しに「率」「割合」を入れるか値に"
        " % を付け、人数の列は見出しを「〜数」「〜人」とし「率・割合・リスク・傾向・低下・該当」を含めない"
        f"でください / read {n} columns as shares "
        f"(kept as 0-1): {'; '.join(en)}"
        + (f"; read as counts: {', '.join(counts)}" if counts else "")
        + ". A column read the wrong way: for a share put 率/割合 in its header or % in its "
        "cells; for a count name it 〜数/〜人 without 率/割合/リスク/傾向/低下/該当"
    )


# --- joining ------------------------------------------------------------------------------------
def indicator_kinds(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """The kind/scale/label of each indicator column of a :func:`read_indicators` table."""
    kinds = table.attrs.get(INDICATORS_KEY)
    if kinds is None:
        key_cols = {S.AREA_ID, S.AREA_NAME}
        numeric = [
            c
            for c in table.columns
            if c not in key_cols and pd.api.types.is_numeric_dtype(table[c])
        ]
        kinds = {c: {"kind": COUNT, "scale": "", "label": c} for c in numeric}
    return dict(kinds)


def join_indicators(areas: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The indicator values in the order of ``areas`` (one row per area, NaN where unmatched).

    Rows are matched by ``area_id`` when the table has it, else by ``area_name`` after
    :func:`normalize_area_name`. Table rows that match no area and areas with no row are named,
    together with the names available, in one :class:`chiikimap.ChiikimapWarning`.

    Raises
    ------
    chiikimap.SchemaError
        No row matches any area, or the table has neither ``area_id`` nor ``area_name``.
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            "indicators には read_indicators の表を渡してください / indicators must be the table "
            "read_indicators returns",
            param="indicators",
        )
    by_id = S.AREA_ID in table.columns
    if not by_id and S.AREA_NAME not in table.columns:
        raise SchemaError(
            "指標の表に area_id も area_name もありません / the indicator table has neither "
            "area_id nor area_name"
        )
    col = S.AREA_ID if by_id else S.AREA_NAME
    norm = (lambda v: str(v).strip()) if by_id else normalize_area_name
    keys = [norm(v) for v in areas[col]]
    tkeys = [norm(v) for v in table[col]]
    kinds = indicator_kinds(table)
    values = table[list(kinds)].set_axis(tkeys)
    values = values[~values.index.duplicated()]
    out = values.reindex(keys).set_axis(areas.index)
    unmatched = [str(v) for v, k in zip(table[col], tkeys, strict=True) if k not in set(keys)]
    missing = [str(v) for v, k in zip(areas[col], keys, strict=True) if k not in set(tkeys)]
    if len(unmatched) == len(table) and len(table):
        raise SchemaError(
            f"指標の表の圏域がどれも一致しません。表: {list(table[col])}、圏域: "
            f"{list(areas[col])} / no row of the indicator table matches an area"
        )
    if unmatched or missing:
        warnings.warn(
            f"指標の表で圏域に一致しない行: {unmatched}。値のない圏域: {missing}。圏域名の一覧: "
            f"{list(areas[col])} / indicator rows matching no area: {unmatched}; areas with no "
            f"row: {missing}; available: {list(areas[col])}",
            ChiikimapWarning,
            stacklevel=3,
        )
    return out


# --- needs in the analysis ------------------------------------------------------------------------
#: the need × gap quadrants, in ranking order (高ニーズ×不足 first); areas without a share last
QUADRANTS = ("高ニーズ×不足", "高ニーズ×充足", "低ニーズ×不足", "低ニーズ×充足", "不明")
AT_RISK = "at_risk"
AT_RISK_UNCOVERED = "at_risk_uncovered"


def at_risk_column(indicator: str) -> str:
    """Name of the table column of the people at risk for ``indicator``."""
    return f"{indicator}_{AT_RISK}"


def at_risk_uncovered_column(indicator: str) -> str:
    """Name of the table column of the at-risk people out of reach for ``indicator``."""
    return f"{indicator}_{AT_RISK_UNCOVERED}"


def with_indicators(cov: Coverage, indicators: pd.DataFrame) -> Coverage:
    """``cov`` with the indicators joined to its areas and the at-risk columns in its table.

    For every indicator the table gets its value per area; for a share also
    ``<indicator>_at_risk`` = area weight × share and ``<indicator>_at_risk_uncovered`` =
    ``uncovered`` × share (the share assumed uniform within the area). On the land-area basis
    the at-risk columns are NaN (there is no population to apply the share to).
    """
    joined = join_indicators(cov.areas, indicators)
    kinds = indicator_kinds(indicators)
    per_area = pd.concat([cov.areas[[S.AREA_ID, S.AREA_NAME]], joined], axis=1)
    per_area = pd.DataFrame(per_area).reset_index(drop=True)
    per_area.attrs[INDICATORS_KEY] = kinds
    table = cov.table.copy()
    values = per_area.set_index(S.AREA_ID)
    population = cov.info.basis == "population"
    for name, kind in kinds.items():
        share = table[S.AREA_ID].map(values[name])
        table[name] = share
        if kind["kind"] == SHARE:
            table[at_risk_column(name)] = table[S.WEIGHT] * share if population else np.nan
            table[at_risk_uncovered_column(name)] = (
                table[S.UNCOVERED] * share if population else np.nan
            )
    if (
        population
        and cov.info.weight != S.POP_65PLUS
        and any(k["kind"] == SHARE for k in kinds.values())
    ):
        warnings.warn(
            f"割合の指標を基準人口 {cov.info.weight} に掛けています（ニーズ調査の割合は 65 歳以上が"
            f"対象です） / shares are applied to the run's weight {cov.info.weight}, not pop_65plus",
            ChiikimapWarning,
            stacklevel=3,
        )
    known = set(cov.info.sources)
    added = tuple(s for s in S.sources_of(indicators) if s not in known)
    info = replace(cov.info, sources=(*cov.info.sources, *added)) if added else cov.info
    return replace(cov, table=table, indicators=per_area, info=info)


def priorities(cov: Coverage, indicator: str, category: str) -> pd.DataFrame:
    """One row per area: people at risk, at-risk people out of reach, need × gap quadrant.

    See :meth:`chiikimap.Coverage.priorities`.
    """
    if cov.indicators is None:
        raise ParameterError(
            "指標がありません。analyze(..., indicators=read_indicators(…)) で実行してください / "
            "no indicators: run analyze(..., indicators=read_indicators(...))",
            param="indicators",
        )
    kinds = indicator_kinds(cov.indicators)
    check_choice("indicator", indicator, [k for k, v in kinds.items() if v["kind"] == SHARE])
    check_choice("category", category, cov.categories)
    rows = cov.table[cov.table[S.CATEGORY] == category]
    out = pd.DataFrame(
        {
            S.AREA_ID: rows[S.AREA_ID].to_numpy(),
            S.AREA_NAME: rows[S.AREA_NAME].to_numpy(),
            "share": rows[indicator].to_numpy(dtype=float),
            S.WEIGHT: rows[S.WEIGHT].to_numpy(dtype=float),
            AT_RISK: rows[at_risk_column(indicator)].to_numpy(dtype=float),
            S.UNCOVERED: rows[S.UNCOVERED].to_numpy(dtype=float),
            AT_RISK_UNCOVERED: rows[at_risk_uncovered_column(indicator)].to_numpy(dtype=float),
            S.COVERAGE: rows[S.COVERAGE].to_numpy(dtype=float),
            S.STATUS: rows[S.STATUS].to_numpy(),
        }
    )
    median = float(np.nanmedian(out["share"])) if out["share"].notna().any() else np.nan
    high = out["share"] >= median
    short = out[S.STATUS].isin([S.STATUS_NONE, S.STATUS_GAP])
    quadrant = np.where(
        high,
        np.where(short, QUADRANTS[0], QUADRANTS[1]),
        np.where(short, QUADRANTS[2], QUADRANTS[3]),
    )
    unknown = out["share"].isna() | (out[S.STATUS] == S.STATUS_EMPTY)
    out["need"] = np.where(unknown, "", np.where(high, "高", "低"))
    out["quadrant"] = np.where(unknown, QUADRANTS[4], quadrant)
    out["_q"] = out["quadrant"].map({q: i for i, q in enumerate(QUADRANTS)})
    out = out.sort_values(["_q", AT_RISK_UNCOVERED], ascending=[True, False], kind="stable")
    out = out.drop(columns="_q").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs["median_share"] = median
    return out


def priority_to_excel(
    coverage: Coverage, path: str | PathLike[str], indicator: str, category: str
) -> None:
    """Write the 圏域カルテ of ``coverage`` with the sheet 「優先圏域」 after 「概要」.

    The sheet lists :meth:`chiikimap.Coverage.priorities` (rank, quadrant, share, people at
    risk, at-risk people out of reach, coverage, status) with the indicator's source and date.

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    path
        Output ``.xlsx`` file (written to a temporary file, renamed when complete).
    indicator
        A share indicator (e.g. 「閉じこもり傾向」).
    category
        Category key.
    """
    from ._needs_excel import priority_to_excel as write

    write(coverage, path, indicator, category)
