"""What changed between two runs: coverage per area × category, resources opened and closed.

:func:`compare` lines up two :class:`~chiikimap.Coverage` results (last year's and this year's)
area by area and category by category; :func:`resource_changes` matches their resources by
事業所番号, else by the same-facility rule of :func:`chiikimap.merge_resources`.
"""

from __future__ import annotations

import warnings
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from . import _schema as S
from ._errors import ChiikimapWarning, ParameterError
from ._identity import _metric_xy, addresses_agree, names_agree

if TYPE_CHECKING:
    from .result import Coverage

__all__ = [
    "comparable_pair",
    "compare",
    "compare_to_excel",
    "japanese_view",
    "period_labels",
    "resource_changes",
]

#: figures compared, each as ``<figure>_before``, ``<figure>_after`` and ``<figure>_change``
FIGURES = (S.N_RESOURCES, S.CAPACITY, S.COVERAGE, S.UNCOVERED)
#: status keys from worst to best (``empty`` has no rank)
_RANK = {S.STATUS_NONE: 0, S.STATUS_GAP: 1, S.STATUS_OK: 2}
#: relative area of the symmetric difference above which a boundary counts as changed
BOUNDARY_TOLERANCE = 1e-6
SAME_FACILITY_M = 50.0


def resource_changes(
    before: Coverage, after: Coverage, *, within_m: float = SAME_FACILITY_M
) -> pd.DataFrame:
    """Every resource of either run: kept (matched), opened (only after) or closed (only before).

    Parameters
    ----------
    before, after
        Two results of :func:`chiikimap.analyze`.
    within_m
        Greatest distance in metres between the points of one facility (default 50).

    Returns
    -------
    pandas.DataFrame
        One row per resource: ``change`` (``kept``/``opened``/``closed``), ``matched_by``
        (``office_number``, ``same_facility`` or ``""``), ``resource_id_before``,
        ``resource_id_after``, ``name``, ``area_id_before``, ``area_id_after``,
        ``categories_before``, ``categories_after``. Two resources are one facility when they share
        a 事業所番号 (``office_number``), or — when either has none — they lie within
        ``within_m`` metres and their names agree, or their addresses agree and they share a
        category (the rule of :func:`chiikimap.merge_resources`). Each resource is matched at
        most once, closest first.
    """
    rb, ra = before.resources.reset_index(drop=True), after.resources.reset_index(drop=True)
    pairs = _office_pairs(rb, ra)
    used_b = {i for i, _ in pairs}
    used_a = {j for _, j in pairs}
    matched = [(i, j, "office_number") for i, j in pairs]
    for i, j in _facility_pairs(rb, ra, used_b, used_a, within_m):
        matched.append((i, j, "same_facility"))
        used_b.add(i)
        used_a.add(j)
    rows = [_row(rb, ra, i, j, "kept", how) for i, j, how in matched]
    rows += [_row(rb, ra, i, None, "closed", "") for i in range(len(rb)) if i not in used_b]
    rows += [_row(rb, ra, None, j, "opened", "") for j in range(len(ra)) if j not in used_a]
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


_CHANGE_COLUMNS = [
    "change",
    "matched_by",
    "resource_id_before",
    "resource_id_after",
    S.NAME,
    "area_id_before",
    "area_id_after",
    "categories_before",
    "categories_after",
]


def _numbers(frame: pd.DataFrame) -> list[str]:
    if S.OFFICE_NUMBER not in frame.columns:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v).strip() for v in frame[S.OFFICE_NUMBER]]


def _office_pairs(rb: pd.DataFrame, ra: pd.DataFrame) -> list[tuple[int, int]]:
    first_after: dict[str, int] = {}
    for j, num in enumerate(_numbers(ra)):
        if num:
            first_after.setdefault(num, j)
    pairs = []
    for i, num in enumerate(_numbers(rb)):
        j = first_after.pop(num, -1) if num else -1
        if j >= 0:
            pairs.append((i, j))
    return pairs


def _cats(row: pd.Series) -> set[str]:
    cats = row.get(S.CATEGORIES)
    if isinstance(cats, tuple | list) and cats:
        return set(cats)
    return {str(row.get(S.CATEGORY, ""))}


def _facility_pairs(
    rb: pd.DataFrame, ra: pd.DataFrame, used_b: set[int], used_a: set[int], within_m: float
) -> list[tuple[int, int]]:
    """Pairs (before, after) of the same facility among resources not matched by number."""
    free_b = [i for i in range(len(rb)) if i not in used_b]
    free_a = [j for j in range(len(ra)) if j not in used_a]
    if not free_b or not free_a:
        return []
    pts = pd.concat([rb.geometry.iloc[free_b], ra.geometry.iloc[free_a]])
    xy = _metric_xy(pts.x.to_numpy(), pts.y.to_numpy())
    xy_b, xy_a = xy[: len(free_b)], xy[len(free_b) :]
    tree = shapely.STRtree(shapely.points(xy_a))
    left, right = tree.query(shapely.points(xy_b), predicate="dwithin", distance=within_m)
    nb, na = _numbers(rb), _numbers(ra)
    candidates = []
    for p, q in zip(left.tolist(), right.tolist(), strict=True):
        i, j = free_b[p], free_a[q]
        if nb[i] and na[j]:
            continue  # two different 事業所番号 are two facilities
        b, a = rb.iloc[i], ra.iloc[j]
        if names_agree(str(b[S.NAME]), str(a[S.NAME])) or (
            addresses_agree(str(b.get(S.ADDRESS, "")), str(a.get(S.ADDRESS, "")))
            and _cats(b) & _cats(a)
        ):
            candidates.append((float(np.hypot(*(xy_b[p] - xy_a[q]))), i, j))
    pairs = []
    taken_b: set[int] = set()
    taken_a: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in taken_b and j not in taken_a:
            pairs.append((i, j))
            taken_b.add(i)
            taken_a.add(j)
    return pairs


def _row(
    rb: pd.DataFrame, ra: pd.DataFrame, i: int | None, j: int | None, change: str, how: str
) -> dict[str, object]:
    b = None if i is None else rb.iloc[i]
    a = None if j is None else ra.iloc[j]
    named = a if a is not None else b
    return {
        "change": change,
        "matched_by": how,
        "resource_id_before": None if b is None else b[S.RESOURCE_ID],
        "resource_id_after": None if a is None else a[S.RESOURCE_ID],
        S.NAME: None if named is None else named[S.NAME],
        "area_id_before": None if b is None else b.get(S.AREA_ID),
        "area_id_after": None if a is None else a.get(S.AREA_ID),
        "categories_before": None if b is None else tuple(sorted(_cats(b))),
        "categories_after": None if a is None else tuple(sorted(_cats(a))),
    }


def _as_coverage(value: Any, param: str) -> Coverage:
    from ._runs import is_run_folder, load_run
    from .result import Coverage

    if isinstance(value, Coverage):
        return value
    if is_run_folder(value):
        return load_run(value, param=param)
    raise ParameterError(
        f"{param} には analyze の結果（Coverage）か chiikimap run の出力フォルダを渡してください。"
        f"受け取ったもの: {type(value).__name__} / {param} must be a Coverage or the output folder "
        "of chiikimap run",
        param=param,
    )


def comparable_pair(before: Any, after: Any) -> tuple[Coverage, Coverage]:
    """``before`` and ``after`` as two comparable :class:`~chiikimap.Coverage` results.

    Run folders (paths) are read with :func:`chiikimap._runs.load_run`. The two runs must have
    the same weight (people of one age band, or land area) and the same categories; a category
    whose radius or target differs gives a :class:`~chiikimap.ChiikimapWarning` (its status may
    change because the rule changed).

    Raises
    ------
    chiikimap.ParameterError
        Different weights or categories (``param="after"``), or an argument that is neither a
        Coverage nor a path.
    chiikimap._runs.RunFolderError
        A path that is not a usable ``chiikimap run`` output folder.
    """
    b, a = _as_coverage(before, "before"), _as_coverage(after, "after")
    if b.info.weight != a.info.weight:
        raise ParameterError(
            f"基準が違うため比較できません: 前回 {b.info.weight_label}、今回 {a.info.weight_label}。"
            f"同じ weight で実行してください / the runs use different weights ({b.info.weight} "
            f"and {a.info.weight}); run both with the same weight",
            param="after",
        )
    only_b = [k for k in b.categories if k not in a.categories]
    only_a = [k for k in a.categories if k not in b.categories]
    if only_b or only_a:
        raise ParameterError(
            f"種別が違うため比較できません。前回だけ: {only_b}、今回だけ: {only_a}。両方を同じ "
            "categories（レシピの [analysis] categories）で実行してください / the runs have "
            f"different categories (only before: {only_b}; only after: {only_a}); run both "
            "with the same categories=",
            param="after",
        )
    changed = [
        k
        for k in b.categories
        if any(
            not np.isclose(b.info.rules.get(k, {}).get(f, np.nan),
                           a.info.rules.get(k, {}).get(f, np.nan), equal_nan=True)
            for f in ("radius_m", "target")
        )
    ]  # fmt: skip
    if changed:
        warnings.warn(
            f"半径・目標の違う種別があります（判定の変化には条件の変更も含まれます）: {changed} / "
            f"radius or target differs between the runs for {changed}",
            ChiikimapWarning,
            stacklevel=3,
        )
    return b, a


def compare(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    *,
    within_m: float = SAME_FACILITY_M,
) -> pd.DataFrame:
    """Compare two runs area by area and category by category (前回との比較).

    Parameters
    ----------
    before, after
        Two results of :func:`chiikimap.analyze` (e.g. last year's and this year's), or two
        output folders of ``chiikimap run`` (with ``run.json`` and the GeoPackage), read back
        as they were written. Both must have the same weight and categories.
    within_m
        Greatest distance in metres between the points of one facility (default 50), for
        matching resources without a 事業所番号.

    Returns
    -------
    pandas.DataFrame
        One row per area × category of either run: ``area_id``, ``area_name``, ``category``,
        ``status_before``, ``status_after``, ``status_change`` (「空白→充足」 …), for each of
        ``n_resources``, ``capacity``, ``coverage`` and ``uncovered`` the columns
        ``<figure>_before``, ``<figure>_after`` and ``<figure>_change`` (after − before),
        ``n_opened`` and ``n_closed`` (resources of the category opened / closed in the area,
        see :func:`resource_changes`), ``n_other`` (the rest of ``n_resources_change``:
        resources kept that moved between areas or changed categories), ``boundary_changed``
        and ``trend``: ``improved`` (better status, or the same status and more coverage),
        ``worse``, ``unchanged``, ``boundary_changed`` (the area's polygon differs: its
        figures are not comparable and their changes are NaN), ``new_area`` or
        ``removed_area``.

    Raises
    ------
    chiikimap.ParameterError
        The runs have different weights or categories.
    chiikimap._runs.RunFolderError
        A path that is not an output folder of ``chiikimap run`` (no ``run.json``, no
        GeoPackage …), naming the folder.
    """
    before, after = comparable_pair(before, after)
    keys = [S.AREA_ID, S.CATEGORY]
    cols = [S.AREA_ID, S.AREA_NAME, S.CATEGORY, S.STATUS, *FIGURES]
    tb = before.table[cols].rename(columns={c: f"{c}_before" for c in cols if c not in keys})
    ta = after.table[cols].rename(columns={c: f"{c}_after" for c in cols if c not in keys})
    out = tb.merge(ta, on=keys, how="outer", sort=False)
    out.insert(1, S.AREA_NAME, out[f"{S.AREA_NAME}_after"].fillna(out[f"{S.AREA_NAME}_before"]))
    out = out.drop(columns=[f"{S.AREA_NAME}_before", f"{S.AREA_NAME}_after"])
    out = out.rename(columns={f"{S.STATUS}_before": "status_before"})
    out = out.rename(columns={f"{S.STATUS}_after": "status_after"})
    changed = _boundary_changed(before, after)
    out["boundary_changed"] = out[S.AREA_ID].astype(str).isin(changed)
    for fig in FIGURES:
        change = out[f"{fig}_after"].astype(float) - out[f"{fig}_before"].astype(float)
        out[f"{fig}_change"] = change.where(~out["boundary_changed"])
    out["status_change"] = [
        _status_change(b, a) for b, a in zip(out["status_before"], out["status_after"], strict=True)
    ]
    _count_resources(out, resource_changes(before, after, within_m=within_m))
    out["trend"] = [_trend(r) for r in out.itertuples(index=False)]
    order = [
        S.AREA_ID, S.AREA_NAME, S.CATEGORY, "status_before", "status_after", "status_change",
        *(f"{f}_{w}" for f in FIGURES for w in ("before", "after", "change")),
        "n_opened", "n_closed", "n_other", "boundary_changed", "trend",
    ]  # fmt: skip
    return out[order].reset_index(drop=True)


def _boundary_changed(before: Coverage, after: Coverage) -> set[str]:
    gb = before.areas.set_index(S.AREA_ID).geometry
    ga = after.areas.set_index(S.AREA_ID).geometry
    common = gb.index.intersection(ga.index)
    if not len(common):
        return set()
    b = gb.loc[common].to_numpy()
    a = ga.loc[common].to_numpy()
    diff = shapely.area(shapely.symmetric_difference(b, a))
    union = np.maximum(shapely.area(shapely.union(b, a)), 1e-30)
    return {str(k) for k, d in zip(common, diff / union, strict=True) if d > BOUNDARY_TOLERANCE}


def _label(status: object) -> str:
    if not isinstance(status, str):
        return "なし"
    return S.STATUS_LABELS[status][0]


def _status_change(before: object, after: object) -> str:
    if before == after:
        return ""
    return f"{_label(before)}→{_label(after)}"


def _count_resources(out: pd.DataFrame, changes: pd.DataFrame) -> None:
    """Columns n_opened, n_closed and n_other (the rest of n_resources_change)."""
    for col, kind, side in (("n_opened", "opened", "after"), ("n_closed", "closed", "before")):
        part = changes[changes["change"] == kind]
        counts: dict[tuple[str, str], int] = {}
        for area, cats in zip(part[f"area_id_{side}"], part[f"categories_{side}"], strict=True):
            if area is None or pd.isna(area):
                continue
            for c in cats:
                counts[(str(area), c)] = counts.get((str(area), c), 0) + 1
        out[col] = [
            counts.get((str(a), c), 0) for a, c in zip(out[S.AREA_ID], out[S.CATEGORY], strict=True)
        ]
    total = out[f"{S.N_RESOURCES}_after"].fillna(0) - out[f"{S.N_RESOURCES}_before"].fillna(0)
    out["n_other"] = (total - out["n_opened"] + out["n_closed"]).astype(int)


def _trend(r: Any) -> str:
    before, after = r.status_before, r.status_after
    if not isinstance(before, str):
        return "new_area"
    if not isinstance(after, str):
        return "removed_area"
    if r.boundary_changed:
        return "boundary_changed"
    rb, ra = _RANK.get(before), _RANK.get(after)
    if rb is not None and ra is not None and rb != ra:
        return "improved" if ra > rb else "worse"
    change = getattr(r, f"{S.COVERAGE}_change")
    if isinstance(change, float) and not np.isnan(change) and abs(change) > 1e-9:
        return "improved" if change > 0 else "worse"
    return "unchanged"


def compare_to_excel(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    path: str | PathLike[str],
    *,
    within_m: float = SAME_FACILITY_M,
) -> pd.DataFrame:
    """Write the comparison workbook: 「前回との比較」, 「開設・廃止」 and 「出典・条件」.

    Parameters
    ----------
    before, after
        Two results of :func:`chiikimap.analyze` or two ``chiikimap run`` output folders.
    path
        Output ``.xlsx`` file (written to a temporary file, renamed when complete).
    within_m
        As for :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        The :func:`compare` table written to the first sheet (Japanese headers; statuses
        coloured as in the 圏域カルテ). 「開設・廃止」 lists every resource of either run with
        its change and the rule that matched it; 「出典・条件」 both runs' sources and dates.
    """
    from ._needs_excel import compare_to_excel as write

    return write(before, after, path, within_m=within_m)


def _when(coverage: Coverage) -> list[str]:
    resources = sorted({s.date for s in coverage.info.sources if s.layer == "resources" and s.date})
    return [f"資源 {resources[-1]}" if resources else "", coverage.info.created]


def period_labels(before: Coverage, after: Coverage) -> tuple[str, str]:
    """How outputs name the two runs: the newest resource date of each, else the run dates.

    ``("資源 2023-09-29", "資源 2026-08-05")`` when the resource sources carry dates that differ,
    else the dates the runs were made when they differ, else ``("前回", "今回")``.
    """
    for b, a in zip(_when(before), _when(after), strict=True):
        if b and a and b != a:
            return b, a
    return "前回", "今回"


#: compare columns → Japanese headers of :func:`japanese_view` (and the sheet 「前回との比較」)
JAPANESE_HEADERS = {
    S.AREA_NAME: "圏域",
    "category_label": "種別",
    "status_before": "判定（前回）",
    "status_after": "判定（今回）",
    "status_change": "判定の変化",
    "trend_label": "変化",
    "n_resources_before": "資源数（前回）",
    "n_resources_after": "資源数（今回）",
    "n_resources_change": "資源数の増減",
    "n_opened": "開設",
    "n_closed": "廃止",
    "n_other": "その他の増減（移転・種別変更）",
    "capacity_before": "定員計（前回）",
    "capacity_after": "定員計（今回）",
    "capacity_change": "定員計の増減",
    "coverage_before": "カバー率（前回）",
    "coverage_after": "カバー率（今回）",
    "coverage_change": "カバー率の増減",
    "uncovered_before": "届かない人（前回）",
    "uncovered_after": "届かない人（今回）",
    "uncovered_change": "届かない人の増減",
    S.AREA_ID: "圏域ID",
    S.CATEGORY: "種別キー",
}
#: trend key → Japanese label
TREND_JA = {
    "improved": "改善",
    "worse": "悪化",
    "unchanged": "変化なし",
    "boundary_changed": "境界が変わった（比較しない）",
    "new_area": "新しい圏域",
    "removed_area": "なくなった圏域",
}


def japanese_view(changes: pd.DataFrame, coverage: Coverage | None = None) -> pd.DataFrame:
    """A :func:`compare` table for readers: Japanese headers, statuses and trends in Japanese.

    Parameters
    ----------
    changes
        The table :func:`compare` returned (or some of its rows).
    coverage
        Gives the category labels (its taxonomy); without it the keys are shown.

    Returns
    -------
    pandas.DataFrame
        The columns of the sheet 「前回との比較」, in its order: 圏域, 種別, 判定（前回）,
        判定（今回）, 判定の変化, 変化, 資源数 …, 圏域ID, 種別キー. Figures are unchanged.
    """
    out = changes.copy()
    tax = coverage.taxonomy if coverage is not None else None
    out["category_label"] = [
        tax.label(k) if tax is not None and k in tax else str(k) for k in out[S.CATEGORY]
    ]
    out["trend_label"] = out["trend"].map(TREND_JA)
    for col in ("status_before", "status_after"):
        out[col] = out[col].map(lambda v: _label(v) if isinstance(v, str) else "なし")
    return out[list(JAPANESE_HEADERS)].rename(columns=JAPANESE_HEADERS).reset_index(drop=True)
