"""Rich display of a :class:`chiikimap.Coverage` in Jupyter (``_repr_html_``).

The HTML holds the 第1層 summary, the gap matrix as a coloured table and the run's conditions.
Every value is escaped; the output is bounded (at most ``max_areas`` rows of the gap matrix) so a
large municipality stays far below the notebook's output limits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _schema as S
from ._html import esc
from ._outside import outside_note
from ._style import STATUS_COLOURS

if TYPE_CHECKING:  # pragma: no cover
    from .result import Coverage

__all__ = ["MAX_AREAS", "coverage_html"]

#: Default number of areas shown in the gap matrix; the rest is summarised in a note.
MAX_AREAS = 60

_CSS = (
    "<style>"
    ".chiikimap-cov table{border-collapse:collapse;margin:4px 0 10px 0;font-size:12px}"
    ".chiikimap-cov th,.chiikimap-cov td{border:1px solid #bbb;padding:2px 6px;color:#000}"
    ".chiikimap-cov th{background:#d9e1f2;text-align:center}"
    ".chiikimap-cov td.n{text-align:right}"
    ".chiikimap-cov td.s{text-align:center}"
    ".chiikimap-cov caption{text-align:left;font-weight:bold;padding:2px 0}"
    "</style>"
)


def _num(value: Any, fmt: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(v):
        return "–"
    return esc(format(v, fmt))


def _summary_table(coverage: Coverage) -> str:
    labels_ja = S.COLUMN_LABELS_JA
    info = coverage.info
    summary = coverage.summary()
    heads = [
        labels_ja[S.CATEGORY_LABEL],
        labels_ja[S.N_RESOURCES],
        labels_ja[S.COVERAGE],
        f"{labels_ja[S.UNCOVERED]}（{info.weight_label}）",
        "空白",
        "不足",
        "充足",
        "半径(m)",
        "目標",
    ]
    out = ["<table><caption>第1層 概要</caption><thead><tr>"]
    out += [f"<th>{esc(h)}</th>" for h in heads]
    out.append("</tr></thead><tbody>")
    for _, r in summary.iterrows():
        out.append(
            "<tr>"
            f"<td>{esc(r[S.CATEGORY_LABEL])}</td>"
            f"<td class='n'>{_num(r[S.N_RESOURCES], ',.0f')}</td>"
            f"<td class='n'>{_num(r[S.COVERAGE], '.1%')}</td>"
            f"<td class='n'>{_num(r[S.UNCOVERED], ',.0f')}</td>"
            f"<td class='n'>{_num(r['n_none'], '.0f')}</td>"
            f"<td class='n'>{_num(r['n_gap'], '.0f')}</td>"
            f"<td class='n'>{_num(r['n_ok'], '.0f')}</td>"
            f"<td class='n'>{_num(r['radius_m'], ',.0f')}</td>"
            f"<td class='n'>{_num(r['target'], '.0%')}</td>"
            "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _gap_table(coverage: Coverage, max_areas: int) -> str:
    keys = list(coverage.categories)
    status = coverage.gap_matrix(labels="key")
    names = coverage.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    n_areas = len(status)
    out = [
        "<table><caption>空白・不足の一覧（圏域 × 種別）</caption><thead><tr>",
        f"<th>{esc(S.COLUMN_LABELS_JA[S.AREA_NAME])}</th>",
    ]
    out += [f"<th>{esc(coverage.taxonomy.label(k))}</th>" for k in keys]
    out.append("</tr></thead><tbody>")
    for aid, row in status.head(max_areas).iterrows():
        out.append(f"<tr><th style='text-align:left'>{esc(names.get(aid, aid))}</th>")
        for k in keys:
            st = str(row[k])
            label = S.STATUS_LABELS.get(st, (st,))[0]
            colour = STATUS_COLOURS.get(st, "#ffffff")
            out.append(f"<td class='s' style='background:{colour}'>{esc(label)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if n_areas > max_areas:
        out.append(
            f"<p>ほか {n_areas - max_areas} 圏域は省略しました（全 {n_areas} 圏域）。"
            "全体は coverage.gap_matrix() または coverage.to_excel(...) で確認できます / "
            f"{n_areas - max_areas} more areas not shown.</p>"
        )
    return "".join(out)


def _info_block(coverage: Coverage) -> str:
    info = coverage.info
    radii = "、".join(
        f"{coverage.taxonomy.label(k) if k in coverage.taxonomy else k} "
        f"{float(info.rules[k]['radius_m']):,.0f} m・目標 {float(info.rules[k]['target']):.0%}"
        for k in coverage.categories
        if k in info.rules
    )
    items = [
        ("基準", info.weight_label),
        ("半径・目標", radii),
        ("データ時点", "・".join(info.data_dates) or "不明"),
        ("出典", info.attribution or "不明"),
        ("距離計算の座標系", info.metric_crs_text),
        ("作成", f"{info.created} chiikimap {info.version}".strip()),
    ]
    rows = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in items)
    return f"<ul style='font-size:12px;margin:0;padding-left:18px'>{rows}</ul>"


def coverage_html(coverage: Coverage, *, max_areas: int = MAX_AREAS) -> str:
    """HTML shown for a :class:`~chiikimap.Coverage` in a notebook.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    max_areas
        At most this many areas are listed in the gap matrix; a note says how many were left out.

    Returns
    -------
    str
        A self-contained HTML fragment (inline CSS, no script); every value is escaped.
    """
    n_areas = len(coverage.areas)
    n_res = len(coverage.resources)
    head = (
        f"<p><b>chiikimap Coverage</b>: {esc(n_areas)} 圏域 × {esc(len(coverage.categories))} 種別、"
        f"資源 {esc(n_res)} 件（圏域外 {esc(len(coverage.unassigned))} 件、"
        f"除外行 {esc(len(coverage.rejected))} 件）</p>"
    )
    outside = outside_note(coverage)
    if outside:
        head += f"<p style='color:#8a4b00'><b>{esc(outside)}</b></p>"
    return (
        f"<div class='chiikimap-cov'>{_CSS}{head}{_summary_table(coverage)}"
        f"{_gap_table(coverage, max_areas)}{_info_block(coverage)}</div>"
    )
