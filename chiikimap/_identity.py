"""Resource identity: one resource per registered service place, and one per facility across sources.

Two rules, applied by :func:`chiikimap.read_resources` and :func:`merge_resources`:

1. **One resource per registered service** (:func:`merge_rows`). Input rows that share a
   事業所番号 are one resource, wherever they come from (the 介護サービス情報公表 open data
   lists one 事業所 once per service file, with coordinates a few metres apart). Rows without a
   number are one resource only when every field (and the point) is identical. Rows with distinct
   numbers stay distinct even at one address (a 特養 and its short stay). The merged resource
   has the union of the categories, and each category keeps its own capacity: the sum of the
   定員 of the input rows of that category.
2. **One resource per facility across sources** (:func:`merge_sources`). A resource of one
   source (file or layer) and one of another are the same facility when they lie within
   ``within_m`` metres and their normalised names agree, or their addresses agree and they
   share a category (a hospital and the 老健 beside it at one address are two facilities);
   two resources with different 事業所番号 never are, and two with the same 事業所番号 always
   are.

Every merge is reported as a row of :func:`chiikimap.rejected_rows` whose reason starts with
「重複」 (kept in the ``duplicates`` list of the reader report, so that the row accounting
``rows read = kept + rejected + merged`` holds).
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from rapidfuzz import fuzz

from . import _schema as S
from ._errors import ChiikimapWarning, ParameterError

__all__ = [
    "addresses_agree",
    "capacity_by_category",
    "merge_resources",
    "names_agree",
    "normalize_address",
    "normalize_name",
]

#: a 事業所 whose rows lie further apart than this (metres) is reported with a warning
SPREAD_WARN_M = 200.0
#: name similarity (rapidfuzz ratio, 0–100) from which two normalised names agree
NAME_RATIO = 90.0
#: similarity of the shorter name inside the longer one (rapidfuzz partial_ratio) that agrees …
NAME_PARTIAL = 95.0
#: … when the shorter normalised name has at least this many characters
NAME_PARTIAL_MIN = 4
#: the shorter of two addresses must have this many characters to match as a suffix
ADDRESS_SUFFIX_MIN = 6

# --- normalisation ----------------------------------------------------------------------------

#: legal-form words (after NFKC) removed from names: 株式会社, (株), 社会福祉法人 …
_LEGAL_FORMS = (
    "特定非営利活動法人",
    "社会福祉法人",
    "社会医療法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "生活協同組合",
    "NPO法人",
    "npo法人",
)
_LEGAL_ABBREVIATIONS = re.compile(
    r"\((?:株|有|合|資|名|社福|福|医|医社|医財|社医|特非|npo|一社|一財|公社|公財|生協)\)",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(
    r"[\s・･,，、。.．()（）「」『』【】〔〕\[\]{}<>〈〉《》\"'`’”“:;：；/／]+"
)
_DASHES = str.maketrans(dict.fromkeys("−‐‑‒–—―－ｰ", "-"))
_PREFECTURE = re.compile(r"^(?:北海道|東京都|大阪府|京都府|[^\d\s]{2,3}県)")
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
_CHOME = re.compile(r"([0-9〇一二三四五六七八九十]+)丁目")
_BANCHI = re.compile(r"(\d+)(?:番地の?|番の?|の)")
_GO = re.compile(r"(\d+)号")
_NUMBERS = re.compile(r"\d+|第[一二三四五六七八九十]+")


def normalize_name(name: str) -> str:
    """A facility name reduced for comparison.

    NFKC, lower case, legal forms removed (株式会社, (株), 有限会社, 社会福祉法人, 医療法人(社団/財団),
    一般/公益社団・財団法人, 特定非営利活動法人, NPO法人, 合同会社 …) and spaces and punctuation
    removed.

    Examples
    --------
    >>> normalize_name("社会福祉法人　聖徳会 ひらかた聖徳園")
    '聖徳会ひらかた聖徳園'
    >>> normalize_name("（株）ケア・サポート")
    'ケアサポート'
    """
    text = unicodedata.normalize("NFKC", str(name)).lower()
    text = _LEGAL_ABBREVIATIONS.sub("", text)
    for form in _LEGAL_FORMS:
        text = text.replace(form.lower(), "")
    return _PUNCTUATION.sub("", text)


def normalize_address(address: str) -> str:
    """An address reduced for comparison.

    NFKC, no spaces, the prefecture removed, dashes unified, ``N丁目``/``N番地``/``N番``/``N号``
    written as ``N-`` (漢数字 丁目 too), ヶ/ケ/が unified.

    Examples
    --------
    >>> normalize_address("大阪府枚方市香里ヶ丘三丁目15番1号")
    '枚方市香里ケ丘3-15-1'
    >>> normalize_address("枚方市香里ケ丘3丁目15-1")
    '枚方市香里ケ丘3-15-1'
    """
    text = unicodedata.normalize("NFKC", str(address)).translate(_DASHES)
    text = re.sub(r"\s+", "", text)
    text = _PREFECTURE.sub("", text)
    text = text.replace("ヶ", "ケ").replace("ヵ", "ケ")
    text = _CHOME.sub(lambda m: _kanji_number(m.group(1)) + "-", text)
    text = _BANCHI.sub(r"\1-", text)
    text = _GO.sub(r"\1", text)
    text = re.sub(r"-+", "-", text)
    return text.strip("-")


def _kanji_number(text: str) -> str:
    """「三」→ 3, 「十二」→ 12, digits unchanged (丁目 numbers are below 100)."""
    if text.isdigit():
        return text
    if "十" not in text:
        return text.translate(_KANJI_DIGITS)
    tens, _, ones = text.partition("十")
    value = (int(tens.translate(_KANJI_DIGITS)) if tens else 1) * 10
    return str(value + (int(ones.translate(_KANJI_DIGITS)) if ones else 0))


def names_agree(a: str, b: str) -> bool:
    """Whether two facility names name the same place after :func:`normalize_name`.

    They agree when the rapidfuzz similarity ratio is at least :data:`NAME_RATIO`, or when the
    shorter one (at least :data:`NAME_PARTIAL_MIN` characters) lies inside the longer one with a
    partial ratio of at least :data:`NAME_PARTIAL` (「よしだ医院デイケアセンター」 in
    「大潤会よしだ医院デイケアセンター」). Names that both carry numbers agree only when the
    numbers are the same (「第1」 and 「第2」, 「1号館」 and 「2号館」 name different places).
    """
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return False
    numbers_a, numbers_b = _NUMBERS.findall(na), _NUMBERS.findall(nb)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return False  # 第1 and 第2, ケアショップ12 and ケアショップ123: different places
    if na == nb or fuzz.ratio(na, nb) >= NAME_RATIO:
        return True
    if min(len(na), len(nb)) < NAME_PARTIAL_MIN:
        return False
    return bool(fuzz.partial_ratio(na, nb) >= NAME_PARTIAL)


def addresses_agree(a: str, b: str) -> bool:
    """Whether two addresses are the same after :func:`normalize_address`.

    Equal, or one ends with the other (a list that omits the city) when the shorter has at
    least :data:`ADDRESS_SUFFIX_MIN` characters and a number.
    """
    na, nb = normalize_address(a), normalize_address(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    short, long_ = sorted((na, nb), key=len)
    return (
        len(short) >= ADDRESS_SUFFIX_MIN
        and any(c.isdigit() for c in short)
        and long_.endswith(short)
    )


# --- records ----------------------------------------------------------------------------------


#: the ``extra`` of every record that has none (read-only, shared)
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True)
class Record:
    """One resource being built: its representative input row and what was merged into it."""

    file: str
    row: int
    name: str
    categories: tuple[str, ...]
    capacity: float
    address: str
    rid: str
    lon: float
    lat: float
    values: Mapping[str, str]
    report: S.ReadReport | None
    office_number: str = ""
    capacities: dict[str, float] = field(default_factory=dict)
    #: the resources layer's own columns (merge_resources), kept for the output row; the
    #: reader's records share one empty mapping (a million rows)
    extra: Mapping[str, Any] = field(default_factory=lambda: _NO_EXTRA)


@lru_cache(maxsize=256)
def is_office_number_column(column: str | None) -> bool:
    """Whether a column of this name holds 事業所番号 (the key of rule 1)."""
    if not column:
        return False
    text = unicodedata.normalize("NFKC", column).lower()
    return any(w in text for w in ("事業所番号", "事業所コード", "jigyosho", "office_number"))


def _office_number(raw: str) -> str:
    if raw.isascii() and raw.isalnum():  # the usual case, without the cost of NFKC
        return raw
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))


def office_number_of(column: str | None, rid: str) -> str:
    """The 事業所番号 of a row whose id column is ``column`` and id ``rid`` (``""``: none)."""
    return _office_number(rid) if is_office_number_column(column) else ""


def record_from_row(kept: Any) -> Record:
    """A :class:`Record` from a reader's kept row (``io.resources._Kept``)."""
    report = kept.report
    column = report.columns.get("id") if report is not None else None
    number = office_number_of(column, kept.rid)
    capacities = {} if math.isnan(kept.capacity) else dict.fromkeys(kept.categories, kept.capacity)
    if isinstance(kept, Record):  # the reader builds Records itself: complete it in place
        kept.office_number = number
        kept.capacities = capacities
        return kept
    return Record(
        file=kept.file,
        row=kept.row,
        name=kept.name,
        categories=tuple(kept.categories),
        capacity=kept.capacity,
        address=kept.address,
        rid=kept.rid,
        lon=kept.lon,
        lat=kept.lat,
        values=kept.values,  # shared with the reader's row, not copied (a million rows)
        report=report,
        office_number=number,
        capacities=capacities,
    )


def _primary_capacity(rec: Record) -> float:
    return rec.capacities.get(rec.categories[0], math.nan) if rec.categories else math.nan


# --- distances --------------------------------------------------------------------------------


def _metric_xy(
    lon: Sequence[float],
    lat: Sequence[float],
    extent: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """Points in the JGD2011 UTM zone of their extent (metres), as an (n, 2) array.

    ``extent`` (min lon, min lat, max lon, max lat) chooses the zone instead of the points'
    own extent (the points are a few rows of a larger file).
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if len(lon_a) == 0:
        return np.empty((0, 2))
    if extent is None:
        extent = (np.nanmin(lon_a), np.nanmin(lat_a), np.nanmax(lon_a), np.nanmax(lat_a))
    # the zone depends only on the extent: two corner points, not a million geometries
    corners = shapely.points([extent[0], extent[2]], [extent[1], extent[3]])
    crs = S.metric_crs_for(gpd.GeoSeries(corners, crs=S.STORAGE_CRS))
    tr = pyproj.Transformer.from_crs(S.STORAGE_CRS, crs, always_xy=True)
    x, y = tr.transform(lon_a, lat_a)
    return np.column_stack([x, y])


def _distance_m(xy: np.ndarray, i: int, j: int) -> float:
    return float(np.hypot(*(xy[i] - xy[j])))


# --- rule 1: one resource per registered service ----------------------------------------------


def merge_rows(
    kept: Iterable[Any], extent: tuple[float, float, float, float] | None = None
) -> tuple[list[Record], list[str]]:
    """Merge reader rows into resources (rule 1); record each merge in its row's report.

    Returns the resources (their representative row first in input order) and the warning
    texts (one per file with merged rows, one per 事業所 spread over more than
    :data:`SPREAD_WARN_M` metres). ``extent`` is that of all the rows read when ``kept`` holds
    only the rows that merge (distances are measured in the UTM zone of the whole file).
    """
    records = [record_from_row(k) for k in kept]
    xy = _metric_xy([r.lon for r in records], [r.lat for r in records], extent)
    first: dict[str | tuple[Any, ...], int] = {}
    out: list[Record] = []
    spread: dict[int, float] = {}
    per_file: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        # a 事業所番号 is its own key (a str, no tuple per row); rows without one compare whole
        key: str | tuple[Any, ...]
        if rec.office_number:
            key = rec.office_number
        else:
            key = ("row", rec.file, round(rec.lon, 7), round(rec.lat, 7), *rec.values.items())
        if key not in first:
            first[key] = i
            out.append(rec)
            continue
        base = records[first[key]]
        distance = _distance_m(xy, first[key], i)
        same_number = bool(rec.office_number)
        added = _absorb(base, rec, add_capacity=same_number)
        if same_number:
            reason = (
                f"重複（事業所番号 {rec.office_number} が同じ: {_where(base, rec)}に統合、"
                f"位置の差 {distance:.1f} m）/ duplicate: same 事業所番号, merged into "
                f"{base.file} row {base.row}"
            )
            spread[first[key]] = max(spread.get(first[key], 0.0), distance)
        else:
            reason = (
                f"重複（全項目が同じ: {_where(base, rec)}に統合）/ duplicate: identical row, "
                f"merged into row {base.row}"
            )
        _record_merge(rec, base, reason, added, distance)
        per_file.setdefault(rec.file, []).append(rec.row)
    messages = [
        f"{file}: 重複 {len(rows)} 行（行 {_rows_text(rows)}）を 1 つの資源にまとめました"
        "（事業所番号が同じ行、または全項目が同じ行。種別は合わせ、定員は種別ごとに合計）。"
        f"chiikimap.rejected_rows(gdf) で確認できます / {len(rows)} duplicate rows (same "
        "事業所番号, or identical) merged; see chiikimap.rejected_rows(gdf)"
        for file, rows in per_file.items()
    ]
    messages += [_spread_message(records[i], d) for i, d in spread.items() if d > SPREAD_WARN_M]
    return out, messages


def _where(base: Record, rec: Record) -> str:
    return f"行 {base.row} " if base.file == rec.file else f"{base.file} の行 {base.row} "


def _spread_message(rec: Record, distance: float) -> str:
    return (
        f"{rec.file}: 事業所番号 {rec.office_number}（{rec.name}）の位置がファイル間で "
        f"{distance:,.0f} m 離れています。{rec.file} 行 {rec.row} の位置を使いました / the rows "
        f"of 事業所番号 {rec.office_number} lie {distance:,.0f} m apart; the position of "
        f"{rec.file} row {rec.row} is used"
    )


def _absorb(base: Record, rec: Record, *, add_capacity: bool) -> list[str]:
    """Unite ``rec``'s categories and capacities into ``base``; return the categories added.

    ``add_capacity``: the rows are distinct input rows of one registered service (their 定員
    add up per category); otherwise (the same facility in another source) a capacity known
    only to ``rec`` fills a gap of ``base``.
    """
    added = [c for c in rec.categories if c not in base.categories]
    base.categories = base.categories + tuple(added)
    for key, value in rec.capacities.items():
        if key in base.capacities and add_capacity:
            base.capacities[key] += value
        else:
            base.capacities.setdefault(key, value)
    base.capacity = _primary_capacity(base)
    if not base.office_number and rec.office_number:
        base.office_number = rec.office_number
    return added


def _record_merge(
    rec: Record,
    base: Record,
    reason: str,
    added: list[str],
    distance: float,
    report: S.ReadReport | None = None,
) -> None:
    target = report if report is not None else rec.report
    if target is None:
        return
    target.duplicates.append(
        {
            S.REJECTED_FILE: rec.file,
            S.REJECTED_ROW: rec.row,
            S.REJECTED_REASON: reason,
            S.REJECTED_VALUES: dict(rec.values),
            S.NAME: rec.name,
            "kept_file": base.file,
            "kept_row": base.row,
            "kept_values": (
                dict(base.values) if report is not None or base.file != rec.file else None
            ),
            "distance_m": round(distance, 1),
            "added_categories": list(added),
        }
    )


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")


# --- rule 2: one resource per facility across sources ------------------------------------------


def merge_sources(
    records: list[Record],
    layer_of: Sequence[int],
    *,
    within_m: float,
    report: S.ReadReport | None = None,
    approx_within_m: float | None = None,
) -> tuple[list[Record], int, list[str]]:
    """Merge resources of different sources judged the same facility (rule 2).

    ``layer_of[i]`` numbers the source of ``records[i]``; resources of one source are never
    merged with each other here. Returns the kept resources (input order), the number merged
    and the warning texts. Each merge is recorded in ``report`` when given, else in the
    merged record's own report. With ``approx_within_m``, a resource placed at an approximate
    point (町丁目/大字/近隣番地) also merges with one of another source whose name agrees up to
    that distance (a town's point may lie far from the building).
    """
    n = len(records)
    if n < 2:
        return list(records), 0, []
    xy = _metric_xy([r.lon for r in records], [r.lat for r in records])
    pairs = _candidate_pairs(records, layer_of, xy, within_m)
    if approx_within_m is not None and approx_within_m > within_m:
        pairs = sorted({*pairs, *_approx_pairs(records, layer_of, xy, approx_within_m)})
    clusters = _cluster(pairs, layer_of, records, n)
    kept: list[Record] = []
    messages: list[str] = []
    n_merged = 0
    for i, rec in enumerate(records):
        root = clusters[i]
        if root == i:
            kept.append(rec)
            continue
        base = records[root]
        distance = _distance_m(xy, root, i)
        same_number = bool(rec.office_number) and rec.office_number == base.office_number
        added = _absorb(base, rec, add_capacity=same_number)
        if same_number:
            why = f"事業所番号 {rec.office_number} が同じ"
            if distance > SPREAD_WARN_M:
                messages.append(_spread_message(base, distance))
        elif distance > within_m:
            why = f"名称が一致（位置は概略、{approx_within_m:g} m 以内）"
        else:
            why = f"{within_m:g} m 以内で名称または住所が一致"
        reason = (
            f"重複（別の出典の同じ施設: {base.file} の行 {base.row}「{base.name}」に統合、{why}、"
            f"距離 {distance:.1f} m）/ duplicate: the same facility as {base.file} row "
            f"{base.row}, {distance:.1f} m apart"
        )
        _record_merge(rec, base, reason, added, distance, report)
        n_merged += 1
    if n_merged:
        far_ja = far_en = ""
        if approx_within_m is not None and approx_within_m > within_m:
            far_ja = f"、位置が概略なら {approx_within_m:g} m 以内で名称が一致"
            far_en = f"; at an approximate point, names agreeing within {approx_within_m:g} m"
        messages.insert(
            0,
            f"別の出典で同じ施設と判断した {n_merged} 件を 1 つの資源にまとめました（同じ事業所番号、"
            f"または {within_m:g} m 以内で名称か住所が一致{far_ja}）。両方の行と距離は "
            f"chiikimap.rejected_rows(gdf) で確認できます / {n_merged} resources merged with the "
            f"same facility of another source (same 事業所番号, or within {within_m:g} m with "
            f"agreeing names or addresses{far_en}); see chiikimap.rejected_rows(gdf) for both "
            "rows and the distance",
        )
    return kept, n_merged, messages


def _candidate_pairs(
    records: list[Record], layer_of: Sequence[int], xy: np.ndarray, within_m: float
) -> list[tuple[float, int, int]]:
    """(distance, i, j) of resources of different sources that may be one facility, i < j."""
    pairs: dict[tuple[int, int], float] = {}
    by_number: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        if rec.office_number:
            by_number.setdefault(rec.office_number, []).append(i)
    for members in by_number.values():
        for a in members:
            for b in members:
                if a < b and layer_of[a] != layer_of[b]:
                    pairs[(a, b)] = _distance_m(xy, a, b)
    tree = shapely.STRtree(shapely.points(xy))
    left, right = tree.query(shapely.points(xy), predicate="dwithin", distance=within_m)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a >= b or layer_of[a] == layer_of[b] or (a, b) in pairs:
            continue
        ra, rb = records[a], records[b]
        if ra.office_number and rb.office_number:
            continue  # distinct numbers (equal ones were paired above)
        if names_agree(ra.name, rb.name) or (
            addresses_agree(ra.address, rb.address) and set(ra.categories) & set(rb.categories)
        ):
            pairs[(a, b)] = _distance_m(xy, a, b)
    return sorted((d, a, b) for (a, b), d in pairs.items())


def _approx_pairs(
    records: list[Record], layer_of: Sequence[int], xy: np.ndarray, within_m: float
) -> list[tuple[float, int, int]]:
    """(distance, i, j) of resources of different sources, one placed at an approximate point,
    whose names agree within ``within_m``; i < j."""
    approx = [str(r.extra.get(S.GEOCODE_LEVEL) or "") in S.APPROX_LEVELS for r in records]
    if not any(approx):
        return []
    tree = shapely.STRtree(shapely.points(xy))
    left, right = tree.query(shapely.points(xy), predicate="dwithin", distance=within_m)
    out = []
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a >= b or layer_of[a] == layer_of[b] or not (approx[a] or approx[b]):
            continue
        ra, rb = records[a], records[b]
        if ra.office_number and rb.office_number and ra.office_number != rb.office_number:
            continue
        if names_agree(ra.name, rb.name):
            out.append((_distance_m(xy, a, b), a, b))
    return out


def _cluster(
    pairs: list[tuple[float, int, int]], layer_of: Sequence[int], records: list[Record], n: int
) -> list[int]:
    """Root (the earliest member) of each resource's cluster, closest pairs first.

    Two clusters join only when they share no source (one source's distinct resources stay
    distinct) and hold no two different 事業所番号.
    """
    root = list(range(n))
    layers: dict[int, set[int]] = {i: {layer_of[i]} for i in range(n)}
    numbers: dict[int, set[str]] = {
        i: ({records[i].office_number} if records[i].office_number else set()) for i in range(n)
    }

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for _, a, b in pairs:
        ra, rb = find(a), find(b)
        if ra == rb or layers[ra] & layers[rb] or len(numbers[ra] | numbers[rb]) > 1:
            continue
        keep, drop = min(ra, rb), max(ra, rb)
        root[drop] = keep
        layers[keep] |= layers.pop(drop)
        numbers[keep] |= numbers.pop(drop)
    return [find(i) for i in range(n)]


# --- public -----------------------------------------------------------------------------------


def check_within_m(within_m: Any) -> float:
    """``within_m`` as a float; :class:`chiikimap.ParameterError` unless a finite number >= 0."""
    ok = isinstance(within_m, (int, float)) and not isinstance(within_m, bool)
    if not (ok and math.isfinite(within_m) and within_m >= 0):
        raise ParameterError(
            f"within_m は 0 以上の数（メートル）です / within_m must be a distance in metres "
            f">= 0, got {within_m!r}",
            param="within_m",
        )
    return float(within_m)


def merge_resources(
    layers: Sequence[gpd.GeoDataFrame], *, within_m: float = 50.0
) -> gpd.GeoDataFrame:
    """Combine resource layers from several sources into one, counting each facility once.

    A resource of one layer and a resource of another are the same facility when they share a
    事業所番号 (``office_number``), or when they lie within ``within_m`` metres (straight line,
    measured in the JGD2011 UTM zone of the data) **and** either their names agree or their
    addresses agree and they share a category, after normalisation (NFKC; legal forms such as
    株式会社, (株), 社会福祉法人, 医療法人 removed; names compared with the rapidfuzz similarity
    ratio, see :func:`names_agree` and :func:`addresses_agree`). At one address with no
    category in common (a hospital and the 老健 beside it) they stay two resources. Two
    resources with different 事業所番号 are never merged, nor are two resources of the same
    layer.

    The merged resource keeps the earlier layer's row (name, point, id, address) with the union
    of both categories; a category's capacity is the earlier layer's, or the later layer's when
    the earlier does not know it (the 定員 of one 事業所 listed in two sources is not added up).

    Parameters
    ----------
    layers
        Resource layers (as returned by :func:`chiikimap.read_resources`), in order of
        preference: the first layer's row is kept when two are merged.
    within_m
        Greatest distance in metres between two points of the same facility (default 50).

    Returns
    -------
    geopandas.GeoDataFrame
        One resources layer (EPSG:6668). Every merge is a row of
        :func:`chiikimap.rejected_rows` whose reason starts with 「重複」, giving both rows
        (``values`` and ``kept_values``; ``file`` is the resource's ``source`` and ``row`` its
        1-based position in its layer) and the distance (``distance_m``); one
        :class:`chiikimap.ChiikimapWarning` gives the count. The readers' reports of all
        layers are kept, so rows read = resources + rejected + merged still holds.

    Raises
    ------
    chiikimap.ParameterError
        ``layers`` is empty or ``within_m`` is negative or not finite.
    chiikimap.SchemaError
        A layer is not a resources layer.

    Examples
    --------
    >>> import chiikimap
    >>> s = chiikimap.load_sample("hirakata")
    >>> offices = s.resources[s.resources["category"] != "houkatsu"]
    >>> centres = s.resources[s.resources["category"] == "houkatsu"]
    >>> len(chiikimap.merge_resources([offices, centres])) <= len(s.resources)
    True
    """
    if not isinstance(layers, Sequence) or isinstance(layers, (str, bytes)) or not layers:
        raise ParameterError(
            "layers には資源レイヤーのリストを渡してください / layers must be a non-empty list "
            "of resource layers",
            param="layers",
        )
    out, messages = merge_layers(layers, within_m=check_within_m(within_m))
    for message in messages:
        warnings.warn(message, ChiikimapWarning, stacklevel=2)
    return out


def merge_layers(
    layers: Sequence[gpd.GeoDataFrame], *, within_m: float, approx_within_m: float | None = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """:func:`merge_resources` without its warnings (returned); see :func:`merge_sources`."""
    frames = []
    for layer in layers:
        S.validate_resources(layer)
        frames.append(layer.to_crs(S.STORAGE_CRS))
    records, layer_of = _records_of(frames)
    report = S.ReadReport(file="merge_resources", layout="merge_resources")
    kept, _n, messages = merge_sources(
        records, layer_of, within_m=within_m, report=report, approx_within_m=approx_within_m
    )
    out = _layer_of(kept)
    out.attrs[S.ATTRS_KEY] = [*S.merge_reports(frames), report.to_attrs()]
    return out, messages


def _records_of(frames: list[gpd.GeoDataFrame]) -> tuple[list[Record], list[int]]:
    records: list[Record] = []
    layer_of: list[int] = []
    seen: set[str] = set()
    for j, frame in enumerate(frames):
        for position, row in enumerate(frame.to_dict("records"), start=1):
            rec = _record_of_resource(row, j, position)
            rid = rec.rid
            while rid in seen:
                rid = f"{rid}-{j + 1}"
            seen.add(rid)
            rec.rid = rid
            records.append(rec)
            layer_of.append(j)
    return records, layer_of


def _record_of_resource(row: dict[str, Any], layer: int, position: int) -> Record:
    geom = row.pop(S.GEOMETRY)
    cats = _keys(row.get(S.CATEGORIES), row.get(S.CATEGORY))
    capacity = _float(row.get(S.CAPACITY))
    caps = row.get(S.CAPACITIES)
    if isinstance(caps, dict):
        capacities = {str(k): float(v) for k, v in caps.items() if not _missing(v)}
    else:
        capacities = {} if math.isnan(capacity) else dict.fromkeys(cats, capacity)
    values = {str(k): _text(v) for k, v in row.items()}
    source = _text(row.get(S.SOURCE)) or f"layer {layer + 1}"
    return Record(
        file=source,
        row=position,
        name=_text(row.get(S.NAME)),
        categories=cats,
        capacity=capacity,
        address=_text(row.get(S.ADDRESS)),
        rid=_text(row.get(S.RESOURCE_ID)),
        lon=float(geom.x),
        lat=float(geom.y),
        values=values,
        report=None,
        office_number=_office_number(_text(row.get(S.OFFICE_NUMBER))),
        capacities=capacities,
        extra=row,
    )


def _keys(cats: Any, cat: Any) -> tuple[str, ...]:
    if isinstance(cats, str):
        return (cats,)
    if isinstance(cats, (tuple, list, np.ndarray)) and len(cats):
        return tuple(str(k) for k in cats)
    return (str(cat),) if isinstance(cat, str) and cat else ()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _layer_of(kept: list[Record]) -> gpd.GeoDataFrame:
    """The merged resources as a layer: each kept row's own columns, identity columns updated."""
    rows = []
    for rec in kept:
        row = dict(rec.extra)
        row.update(
            {
                S.RESOURCE_ID: rec.rid,
                S.CATEGORY: rec.categories[0] if rec.categories else row.get(S.CATEGORY),
                S.CATEGORIES: rec.categories,
                S.CAPACITY: rec.capacity,
                S.CAPACITIES: dict(rec.capacities),
                S.OFFICE_NUMBER: rec.office_number,
            }
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    order = [c for c in S.RESOURCE_COLUMNS if c in frame.columns and c != S.GEOMETRY]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    geometry = shapely.points([r.lon for r in kept], [r.lat for r in kept])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=S.STORAGE_CRS)


def capacity_by_category(resources: pd.DataFrame, keys: Iterable[str]) -> dict[str, np.ndarray]:
    """Each resource's capacity for each category key, as ``{key: array}`` (NaN = unknown).

    From the ``capacities`` column (key → capacity) where a resource has one; otherwise the
    resource's ``capacity`` counts for each of its categories (a layer built by hand).
    """
    n = len(resources)
    base = (
        pd.to_numeric(resources[S.CAPACITY], errors="coerce").to_numpy(dtype=float)
        if S.CAPACITY in resources.columns
        else np.full(n, np.nan)
    )
    out = {key: base.copy() for key in keys}
    if S.CAPACITIES not in resources.columns:
        return out
    for i, caps in enumerate(resources[S.CAPACITIES].tolist()):
        if not isinstance(caps, dict):
            continue
        for key, values in out.items():
            values[i] = _float(caps.get(key))
    return out
