"""Offline geocoding of Japanese addresses against reference files (no network).

:func:`geocode` folds each address (:mod:`chiikimap._address`), finds its municipality and the
longest known town name, reads the 丁目 (written ``3丁目`` or as the first number of a hyphen
chain ``3-30-1``) and, when the reference has finer points, the 住居表示 街区符号 and 住居番号
(``3丁目30番1号``) or the 地番 and its 枝番 (``1234番地5``, ``甲1234-5``): the finest level
found wins (住居, 地番, 街区). Known points (rows of point lists in the reference: addresses with
coordinates) come next: the same 番地 (地番/街区), else the nearest 番地 number of the same town
within :data:`NEAR_GAP` (``近隣番地``, approximate); then 町丁目/大字. Rows matched only at the
municipality, or not at all, get no position and a reason: they are never placed at a city centre.
"""

from __future__ import annotations

import bisect
import functools
import re
import statistics
import unicodedata
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chiikimap._address import fold, split_numbers, strip_prefecture
from chiikimap._errors import ChiikimapError, ColumnNotFoundError
from chiikimap.io.reference import (
    ADDRESS_NAMES,
    LAT_NAMES,
    LON_NAMES,
    MunicipalityIndex,
    Reference,
    read_reference,
)

__all__ = [
    "GEOCODE_LEVELS",
    "GeocodeResult",
    "check_coordinates",
    "geocode",
    "geocode_file",
    "geocode_one",
    "near_gaps",
]

#: Levels of a geocoded position, finest first.
GEOCODE_LEVELS = ("住居", "地番", "街区", "近隣番地", "町丁目", "大字")
#: the largest difference of 番地 numbers for which a known point stands for an address; the
#: difference actually used is set per municipality and kind of town from the known points
#: themselves (see :func:`near_gaps`)
#: the classes of number differences tested by :func:`near_gaps`, and the smallest class size
_GAP_CLASSES = (1, 2, 5, 10, 20, 50, 100)
NEAR_GAP = _GAP_CLASSES[-1]
_GAP_MIN_SAMPLES = 5
#: a known point farther than this from its town's representative point is not used
POINT_MAX_M = 10_000.0
#: ... nor one farther than max(_OUTLIER_MIN_M, _OUTLIER_FACTOR × the median distance of the
#: town's other known points) when the town has _OUTLIER_MIN_POINTS known points or more (a list's
#: own coordinate error: 塩上町7 placed 9 km south in a real 高松 list)
_OUTLIER_MIN_POINTS = 4
_OUTLIER_MIN_M = 1000.0
_OUTLIER_FACTOR = 4.0
# an address starting with a municipality or 郡 name (綾歌郡綾川町…, 丸亀市…)
_OTHER_MUNICIPALITY = re.compile(r"^(?:[^\d]{1,5}?郡)?[^\d]{1,5}?[市町村]")

REASON_EMPTY = "住所が空です / empty address"
REASON_CITY = "市区町村が参照データにありません / municipality not in the reference"
REASON_TOWN = "町名が参照データにありません（市区町村までの一致は位置にしません） / town not found (a municipality-only match is not placed)"
REASON_CHOME = "丁目が参照データにありません / 丁目 not in the reference"
REASON_NUMBER = (
    "番地・番号が参照データになく、町の代表点もありません / "
    "number not in the reference, and the reference has no point for the town itself"
)

REASON_POINT_NUMBER = "番地がないため既知地点にしません / no 番地 number: not a known point"
REASON_POINT_FAR = (
    "町の代表点から 10 km 以上離れているため既知地点にしません（座標の誤り？） / "
    "over 10 km from its town's point: not a known point"
)
REASON_POINT_OUTLIER = (
    "町の代表点から {d:,.0f} m 離れていて、他の既知地点（町の代表点から中央値 {m:,.0f} m）より遠すぎるため"
    "既知地点にしません（座標の誤り？） / too far from its town compared with the town's other "
    "known points: not a known point"
)


@dataclass(frozen=True)
class GeocodeResult:
    """Result for one address: position (``None`` when rejected), level, matched string, reason."""

    lon: float | None
    lat: float | None
    level: str | None
    matched: str
    reason: str | None


# a 小字 written between the town and its 地番 (「屋島西町字丸山440-23」; fold drops the 字)
_KOAZA = re.compile(r"^([^\d]{1,10}?)(?=[甲乙丙丁]?\d)")
_GUN = re.compile(r"^[^\d市区町村]{1,5}?郡")
_WARD = re.compile(r"^.+?市(.+区)$")


class _Names:
    """The spellings of a reference's municipalities, by length (longest tried first)."""

    __slots__ = ("cities", "count", "lengths", "table")

    def __init__(self, ref: Reference) -> None:
        self.table = ref.names()
        self.lengths = sorted({len(k) for k in self.table}, reverse=True)
        self.count = len(ref.municipalities)
        # 政令市 → its wards in the reference (大阪市 → [大阪市北区, 大阪市都島区 …])
        self.cities: dict[str, list[MunicipalityIndex]] = {}
        for key, index in ref.municipalities.items():
            ward = _WARD.match(key)
            if ward is not None:
                self.cities.setdefault(key[: -len(ward.group(1))], []).append(index)


# built once per Reference (held weakly: a dropped reference is not kept alive by this table)
_NAMES: dict[int, tuple[weakref.ref[Reference], _Names]] = {}


def _names(ref: Reference) -> _Names:
    cached = _NAMES.get(id(ref))
    if cached is not None and cached[0]() is ref and cached[1].count == len(ref.municipalities):
        return cached[1]
    if len(_NAMES) > 16:
        _NAMES.clear()
    names = _Names(ref)
    _NAMES[id(ref)] = (weakref.ref(ref), names)
    return names


def _match_key(text: str, ref: Reference) -> tuple[MunicipalityIndex, str] | None:
    """The municipality whose name starts ``text`` (the longest one), and the rest."""
    names = _names(ref)
    for length in names.lengths:
        index = names.table.get(text[:length])
        if index is not None:
            return index, text[length:]
    return None


def _find_municipality(
    text: str, ref: Reference, default: MunicipalityIndex | None
) -> tuple[MunicipalityIndex | None, str]:
    """The municipality of a folded address and the text after its name.

    The prefecture and a 郡 are optional, 政令市 wards are part of the name (大阪市北区). An
    address that names no known municipality is read in ``default`` (the municipality given
    to :func:`geocode`, or the only one of the reference).
    """
    text = strip_prefecture(text)
    found = _match_key(text, ref)
    if found is None:
        gun = _GUN.match(text)
        if gun is not None:
            found = _match_key(text[gun.end() :], ref)
    if found is None:
        found = _ward_by_town(text, ref)
    if found is not None:
        return found
    if default is None and len(ref.municipalities) == 1:
        default = next(iter(ref.municipalities.values()))
    if default is not None:
        ward = _ward_of(default.name)
        if ward and text.startswith(ward):  # 「北区中之島…」 read in 大阪市北区
            text = text[len(ward) :]
    return default, text


def _ward_by_town(text: str, ref: Reference) -> tuple[MunicipalityIndex, str] | None:
    """A 政令市 address written without its ward (「大阪市中之島1-3-20」): the one ward that
    has the town (the longest match); None when no ward or several wards have it."""
    for city, wards in _names(ref).cities.items():
        if not text.startswith(city):
            continue
        rest = text[len(city) :]
        hits = [(len(base), w) for w in wards if (base := _longest_town(rest, w)) is not None]
        if not hits:
            return None
        best = max(length for length, _ in hits)
        top = [w for length, w in hits if length == best]
        return (top[0], rest) if len(top) == 1 else None
    return None


@functools.lru_cache(maxsize=64)
def _ward_of(name: str) -> str:
    """The ward of a 政令市 ward's name (大阪市北区 → 北区), else ''."""
    ward = _WARD.match(strip_prefecture(fold(name)))
    return ward.group(1) if ward else ""


def _longest_town(rest: str, index: MunicipalityIndex) -> str | None:
    for length in range(min(len(rest), index.max_len), 0, -1):
        if index.has_base(rest[:length]):
            return rest[:length]
    return None


def _pick_chome(
    base: str, values: list[int], explicit: bool, index: MunicipalityIndex
) -> int | None:
    """The 丁目 of the address (0 = the town has no 丁目), or None when it is not in the reference."""
    known = set(index.chomes.get(base, ())) | (index.block_chomes.get(base, set()) - {0})
    plain = base in index.towns or 0 in index.block_chomes.get(base, set())
    if explicit:
        return values[0] if values[0] in known else None
    if known and values and values[0] in known and (not plain or len(values) >= 2):
        return values[0]
    if plain:
        return 0
    return None


def _fine_match(
    index: MunicipalityIndex, base: str, chome: int, numbers: list[int]
) -> GeocodeResult | None:
    """住居, 地番 or 街区 point of the numbers after the town (None: none of them known)."""
    if not numbers:
        return None
    town = f"{index.name}{base}{chome}丁目" if chome else f"{index.name}{base}"
    first = numbers[0]
    second = numbers[1] if len(numbers) >= 2 else 0
    if second:
        hit = index.houses.get((base, chome, first, second))
        if hit is not None:
            return GeocodeResult(hit[0], hit[1], "住居", f"{town} {first}-{second}", None)
    hit = index.parcels.get((base, chome, first, second))
    if hit is not None:
        label = f"{first}-{second}" if second else f"{first}"
        return GeocodeResult(hit[0], hit[1], "地番", f"{town} {label}", None)
    hit = index.parcel_heads.get((base, chome, first))
    if hit is not None:
        return GeocodeResult(hit[0], hit[1], "地番", f"{town} {first}", None)
    hit = index.blocks.get((base, chome, first))
    if hit is not None:
        return GeocodeResult(hit[0], hit[1], "街区", f"{town} {first}", None)
    return None


def _default_index(ref: Reference, municipality: str | None) -> MunicipalityIndex | None:
    if municipality is None:
        return None
    index = ref.municipalities.get(strip_prefecture(fold(municipality)))
    if index is None:
        raise ChiikimapError(
            f"市区町村 {municipality!r} は参照データにありません（あるもの: "
            f"{[m.name for m in ref.municipalities.values()][:8]}） / "
            f"municipality not in the reference",
            param="municipality",
        )
    return index


def _locate(
    address: str,
    ref: Reference,
    aliases: Mapping[str, str] | None,
    default: MunicipalityIndex | None,
) -> tuple[MunicipalityIndex, str, int, list[int]] | GeocodeResult:
    """(municipality, folded town without 丁目, 丁目 or 0, the numbers after it) of an address,
    or the rejection when its municipality, town or 丁目 is unknown."""
    if not isinstance(address, str) or not address.strip():
        return GeocodeResult(None, None, None, "", REASON_EMPTY)
    index, rest = _find_municipality(fold(address, aliases), ref, default)
    if index is None:
        return GeocodeResult(None, None, None, "", REASON_CITY)
    rest = _drop_repeated_name(rest, index)
    base = _longest_town(rest, index)
    if base is None:
        return GeocodeResult(None, None, None, index.name, REASON_TOWN)
    chain = split_numbers(_skip_koaza(rest[len(base) :], address))
    chome = _pick_chome(base, chain.values, chain.chome, index)
    if chome is None:
        return GeocodeResult(None, None, None, index.name + base, REASON_CHOME)
    numbers = chain.values[1:] if chome or chain.chome else chain.values
    return index, base, chome, numbers


def _skip_koaza(tail: str, address: str) -> str:
    """``tail`` (the folded text after the town) without a leading 小字 that the address wrote
    with 字 (「字丸山440-23」 → 「440-23」); other text before a number (a building) is kept."""
    match = _KOAZA.match(tail)
    if match is None or "字" + match.group(1) not in unicodedata.normalize("NFKC", address):
        return tail
    return tail[match.end() :]


def _drop_repeated_name(rest: str, index: MunicipalityIndex) -> str:
    """The text after a municipality name written twice (「高松市高松市塩上町…」, a real list's typo)."""
    name = _folded_name(index.name)
    if name and rest.startswith(name) and not index.has_base(rest[: len(name)]):
        return rest[len(name) :]
    return rest


@functools.lru_cache(maxsize=256)
def _folded_name(name: str) -> str:
    return strip_prefecture(fold(name))


def _median_point(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Median longitude and latitude of a few points (one point: itself)."""
    if len(points) == 1:
        return points[0]
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def _nearest_known(
    known: list[int], points: list[tuple[float, float]], number: int
) -> tuple[int, list[int], tuple[float, float]] | None:
    """(difference, numbers, median point) of the known numbers nearest to ``number`` other than
    itself; None when the town has no other number."""
    lo, hi = bisect.bisect_left(known, number), bisect.bisect_right(known, number)
    below = number - known[lo - 1] if lo > 0 else None
    above = known[hi] - number if hi < len(known) else None
    gaps = [g for g in (below, above) if g is not None]
    if not gaps:
        return None
    gap = min(gaps)
    chosen: list[tuple[float, float]] = []
    near: list[int] = []
    for n in (number - gap, number + gap):
        a, b = bisect.bisect_left(known, n), bisect.bisect_right(known, n)
        if b > a:
            chosen.extend(points[a:b])
            near.append(n)
    return gap, near, _median_point(chosen)


def near_gaps(index: MunicipalityIndex) -> dict[bool, int]:
    """How far apart 番地 numbers may be for a known point to stand for an address, learnt from
    the known points of ``index`` themselves.

    Each known point is placed, leaving itself out, at the known point of the nearest other
    number of its town, and at its town's representative point. By classes of number
    difference (1, 2, 5, 10, 20, 50, 100), the allowed difference grows while the known point is
    the closer one for at least half the points of the class (a class needs 5 points). Towns
    with 丁目 (``True``: numbers are 街区/番 of a small area) and without (``False``: 地番 of a
    大字, often several km²) are learnt apart. 0 means: only the same 番地.

    Returns
    -------
    dict
        ``{True: difference, False: difference}``.
    """
    samples: dict[bool, list[tuple[int, bool]]] = {True: [], False: []}
    for (base, chome), (known, points) in index.known.items():
        town = _town_point(index, base, chome)
        if town is None:
            continue
        for number, point in zip(known, points, strict=True):
            nearest = _nearest_known(known, points, number)
            if nearest is None:
                continue
            gap, _, guess = nearest
            closer = _metres(*guess, *point) < _metres(*town, *point)
            samples[bool(chome)].append((gap, closer))
    return {kind: _allowed_gap(rows) for kind, rows in samples.items()}


def _allowed_gap(rows: list[tuple[int, bool]]) -> int:
    allowed, low = 0, 0
    for high in _GAP_CLASSES:
        wins = [closer for gap, closer in rows if low < gap <= high]
        if len(wins) < _GAP_MIN_SAMPLES or sum(wins) * 2 < len(wins):
            break
        allowed, low = high, high
    return allowed


def _known_match(
    index: MunicipalityIndex, base: str, chome: int, numbers: list[int], leave_out: bool
) -> GeocodeResult | None:
    """The known point of the same 番地, else of the nearest 番地 number (within the difference
    :func:`near_gaps` learnt for the municipality)."""
    table = index.known.get((base, chome))
    if table is None or not numbers:
        return None
    known, points = table
    town = f"{index.name}{base}{chome}丁目" if chome else f"{index.name}{base}"
    first = numbers[0]
    lo, hi = bisect.bisect_left(known, first), bisect.bisect_right(known, first)
    if hi > lo and not leave_out:
        lon, lat = _median_point(points[lo:hi])
        level = "街区" if chome else "地番"
        return GeocodeResult(lon, lat, level, f"{town} {first}（既知地点）", None)
    nearest = _nearest_known(known, points, first)
    if nearest is None or nearest[0] > index.near_gap.get(bool(chome), 0):
        return None
    _, near, (lon, lat) = nearest
    label = "・".join(str(n) for n in near)
    return GeocodeResult(lon, lat, "近隣番地", f"{town} {first}（近くの {label} の既知地点）", None)


def _town_point(index: MunicipalityIndex, base: str, chome: int) -> tuple[float, float] | None:
    if chome:
        hit = index.chomes.get(base, {}).get(chome)
        return None if hit is None else (hit[0], hit[1])
    town = index.towns.get(base)
    return None if town is None else (town[0], town[1])


_KnownRow = tuple[int, float, float, str, int, str]  # number, lon, lat, source, row, address


def _attach_points(ref: Reference, aliases: Mapping[str, str] | None = None) -> None:
    """Place the pending rows of point lists in their towns; rows that cannot be placed, or whose
    point lies far from their town (see :func:`_far_rows`), go to ``ref.point_rejects``."""
    pending, ref.pending = ref.pending, []
    towns: dict[tuple[str, str, int], tuple[MunicipalityIndex, list[_KnownRow]]] = {}
    for source, row, address, lon, lat in pending:
        found = _locate(address, ref, aliases, None)
        if isinstance(found, GeocodeResult):
            reason = _point_reason(address, found, ref)
            ref.point_rejects.append((source, row, address, reason))
            continue
        index, base, chome, numbers = found
        if not numbers:
            ref.point_rejects.append((source, row, address, REASON_POINT_NUMBER))
            continue
        entry = towns.setdefault((index.name, base, chome), (index, []))
        entry[1].append((numbers[0], lon, lat, source, row, address))
    spread = _typical_spread(towns)
    for (name, base, chome), (index, rows) in towns.items():
        far = _far_rows(index, base, chome, rows, spread.get((name, bool(chome))))
        for k, (number, lon, lat, source, row, address) in enumerate(rows):
            if k in far:
                ref.point_rejects.append((source, row, address, far[k]))
            else:
                index.add_known(base, chome, number, lon, lat)
    for index in ref.municipalities.values():
        if index.known:
            index.near_gap = near_gaps(index)


def _point_reason(address: str, found: GeocodeResult, ref: Reference) -> str:
    """Why a point-list row has no town; a row of another municipality (a neighbouring town in the
    city's own list) is said to be so rather than 'town not found'."""
    text = strip_prefecture(fold(address))
    if found.reason == REASON_TOWN and not any(text.startswith(k) for k in _names(ref).table):
        other = _OTHER_MUNICIPALITY.match(text)
        if other is not None:
            return (
                f"{other.group(0)} は参照データの市区町村ではありません / "
                "municipality not in the reference"
            )
    return found.reason or REASON_TOWN


def _town_distances(
    index: MunicipalityIndex, base: str, chome: int, rows: list[_KnownRow]
) -> list[float]:
    town = _town_point(index, base, chome)
    if town is None:
        return []
    return [_metres(town[0], town[1], lon, lat) for _, lon, lat, *_ in rows]


def _typical_spread(
    towns: Mapping[tuple[str, str, int], tuple[MunicipalityIndex, list[_KnownRow]]],
) -> dict[tuple[str, bool], float]:
    """Median distance of known points from their town's point, per municipality and kind of
    town (丁目 or not): the scale used for a town with too few known points of its own."""
    pooled: dict[tuple[str, bool], list[float]] = {}
    for (name, base, chome), (index, rows) in towns.items():
        pooled.setdefault((name, bool(chome)), []).extend(_town_distances(index, base, chome, rows))
    return {key: statistics.median(d) for key, d in pooled.items() if len(d) >= _OUTLIER_MIN_POINTS}


def _far_rows(
    index: MunicipalityIndex,
    base: str,
    chome: int,
    rows: list[_KnownRow],
    typical: float | None,
) -> dict[int, str]:
    """Rows of one town whose point is not believable, with the reason: over POINT_MAX_M from the
    town's point, or farther from it than max(1 km, 4 × the median distance of the town's other
    known points) — of the municipality's towns of the same kind (``typical``) when the town
    has fewer than 4 known points."""
    dist = _town_distances(index, base, chome, rows)
    far = {k: REASON_POINT_FAR for k, d in enumerate(dist) if d > POINT_MAX_M}
    for k, d in enumerate(dist):
        others = dist[:k] + dist[k + 1 :]
        scale = statistics.median(others) if len(others) >= _OUTLIER_MIN_POINTS - 1 else typical
        if scale is None or k in far:
            continue
        if d > max(_OUTLIER_MIN_M, _OUTLIER_FACTOR * scale):
            far[k] = REASON_POINT_OUTLIER.format(d=d, m=scale)
    return far


def _distance_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres (haversine), of numbers or of arrays/Series alike."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two points."""
    return float(_distance_m(lon1, lat1, lon2, lat2))


def geocode_one(
    address: str,
    ref: Reference,
    aliases: Mapping[str, str] | None = None,
    default: MunicipalityIndex | None = None,
    *,
    leave_out: bool = False,
) -> GeocodeResult:
    """Geocode one address (see :func:`geocode`; ``default``: the municipality assumed when the
    address names none)."""
    if ref.pending:
        _attach_points(ref, aliases)
    found = _locate(address, ref, aliases, default)
    if isinstance(found, GeocodeResult):
        return found
    index, base, chome, numbers = found
    fine = _fine_match(index, base, chome, numbers) or _known_match(
        index, base, chome, numbers, leave_out
    )
    if fine is not None:
        return fine
    if chome:
        hit = index.chomes.get(base, {}).get(chome)
        if hit is None:
            return GeocodeResult(None, None, None, index.name + base, REASON_CHOME)
        return GeocodeResult(hit[0], hit[1], "町丁目", index.name + hit[2], None)
    if base in index.towns:
        lon, lat, name, level = index.towns[base]
        return GeocodeResult(lon, lat, level, index.name + name, None)
    return GeocodeResult(None, None, None, index.name + base, REASON_NUMBER)


def geocode(
    addresses: Iterable[str] | pd.Series,
    reference: Reference | str | Path | Sequence[str | Path],
    *,
    aliases: Mapping[str, str] | None = None,
    municipality: str | None = None,
    leave_out: bool = False,
) -> pd.DataFrame:
    """Geocode addresses offline against town-, block-, 住居- or 地番-level reference files.

    Parameters
    ----------
    addresses
        Addresses as written in the list (prefecture and 郡 optional; full-width digits, kanji
        丁目, hyphen chains, 番地/号/の, building and floor text all accepted).
    reference
        A :class:`chiikimap.io.reference.Reference` or the reference file path(s) to read with
        :func:`chiikimap.io.reference.read_reference`.
    aliases
        The municipality's own spelling variants, ``{"招堤": "招提", "楠葉": "樟葉"}``.
    municipality
        The municipality of addresses that name none (「本町5-9-1」 in a list kept by 枚方市);
        addresses that name a municipality of the reference are read there as usual. By
        default an address naming none is read in the reference's only municipality, if it
        has one.
    leave_out
        Ignore known points (rows of point lists in the reference) with the same 番地 as the
        address: how well an address that no list holds would be placed. For measuring a
        reference on a list that is itself among the point lists, or overlaps them.

    Returns
    -------
    pandas.DataFrame
        One row per address (same index as a Series given): ``lon``, ``lat`` (JGD2011 degrees;
        NaN when rejected), ``geocode_level`` (住居/地番/街区/近隣番地/町丁目/大字, or None),
        ``geocode_match`` (the reference name and numbers matched) and ``geocode_reason`` (why
        a row was rejected, else None).

    Raises
    ------
    ChiikimapError
        When ``municipality`` is not in the reference.

    Examples
    --------
    >>> from chiikimap.io.reference import Reference
    >>> ref = Reference()
    >>> ref.municipality("枚方市", "大阪府").add_town("東香里一丁目", 135.65, 34.78)
    >>> out = geocode(["大阪府枚方市東香里１－２４－３４", "枚方市西町"], ref)
    >>> out["geocode_level"].tolist(), out["geocode_match"].tolist()
    (['町丁目', None], ['枚方市東香里一丁目', '枚方市'])
    """
    ref = reference if isinstance(reference, Reference) else read_reference(reference)
    if ref.pending:
        _attach_points(ref, aliases)
    default = _default_index(ref, municipality)
    index = addresses.index if isinstance(addresses, pd.Series) else None
    results = [geocode_one(a, ref, aliases, default, leave_out=leave_out) for a in addresses]
    return pd.DataFrame(
        {
            "lon": pd.Series([r.lon for r in results], dtype=float),
            "lat": pd.Series([r.lat for r in results], dtype=float),
            "geocode_level": pd.Series([r.level for r in results], dtype=object),
            "geocode_match": pd.Series([r.matched for r in results], dtype=object),
            "geocode_reason": pd.Series([r.reason for r in results], dtype=object),
        }
    ).set_axis(index if index is not None else pd.RangeIndex(len(results)))


_ADDRESS_NAMES = ADDRESS_NAMES
_COORD_NAMES = (LAT_NAMES, LON_NAMES)


def _read_list(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The list as text cells, read by the shared table reader (UTF-8/cp932, header, sheets)."""
    from chiikimap.io._table import norm_header, read_frame

    def has_address(cells: list[str]) -> bool:
        return any(norm_header(c) in _ADDRESS_NAMES for c in cells)

    return read_frame(path, has_address, sheet=sheet)[0]


def _column(frame: pd.DataFrame, names: Sequence[str], given: str | None, param: str) -> str | None:
    if given is not None:
        if given not in frame.columns:
            raise ColumnNotFoundError(
                f"列 {given!r} がありません（列: {list(frame.columns)[:8]}） / no column {given!r}",
                param=param,
            )
        return given
    lowered = {str(c).strip().lower(): str(c) for c in frame.columns}
    return next((lowered[n] for n in names if n in lowered), None)


def geocode_file(
    path: str | Path,
    reference: Reference | str | Path | Sequence[str | Path],
    out: str | Path,
    *,
    address_col: str | None = None,
    sheet: str | int | None = None,
    aliases: Mapping[str, str] | None = None,
    municipality: str | None = None,
) -> pd.DataFrame:
    """Geocode the rows of a list without coordinates and write it back as CSV for Excel.

    Every column of the list is kept; ``経度``/``緯度`` are filled where the list had none, and
    ``geocode_level``, ``geocode_match``, ``geocode_reason`` are added so that a coordinator can
    check and correct the result before ``chiikimap map``.

    Parameters
    ----------
    path
        The list (CSV in UTF-8 or cp932, or xlsx).
    reference
        Reference file path(s) or a :class:`chiikimap.io.reference.Reference`.
    out
        The CSV to write (UTF-8 with BOM).
    address_col
        The address column (default: 住所/所在地/address).
    sheet
        Sheet of an xlsx list.
    aliases
        Spelling variants of the municipality (see :func:`geocode`).
    municipality
        The municipality of addresses that name none (see :func:`geocode`).

    Returns
    -------
    pandas.DataFrame
        The table written.
    """
    from chiikimap._atomic import atomic_path

    path = Path(path)
    frame = _read_list(path, sheet)
    col = _column(frame, _ADDRESS_NAMES, address_col, "address_col")
    if col is None:
        raise ColumnNotFoundError(
            f"住所の列が見つかりません（列: {list(frame.columns)[:8]}） / no address column",
            param="address_col",
        )
    lat_col = _column(frame, _COORD_NAMES[0], None, "lat_col") or "緯度"
    lon_col = _column(frame, _COORD_NAMES[1], None, "lon_col") or "経度"
    for c in (lat_col, lon_col):
        if c not in frame.columns:
            frame[c] = ""
    missing = (
        pd.to_numeric(frame[lat_col], errors="coerce").isna()
        | pd.to_numeric(frame[lon_col], errors="coerce").isna()
    )
    result = geocode(
        frame.loc[missing, col].astype(str), reference, aliases=aliases, municipality=municipality
    )
    frame.loc[missing, lat_col] = result["lat"].map(lambda v: "" if pd.isna(v) else f"{v:.6f}")
    frame.loc[missing, lon_col] = result["lon"].map(lambda v: "" if pd.isna(v) else f"{v:.6f}")
    for name in ("geocode_level", "geocode_match", "geocode_reason"):
        frame[name] = ""
        frame.loc[missing, name] = result[name].fillna("")
    frame.loc[~missing, "geocode_level"] = "元の座標 / given"
    with atomic_path(out) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return frame


def check_coordinates(
    addresses: Sequence[str] | pd.Series,
    lon: Sequence[float] | pd.Series,
    lat: Sequence[float] | pd.Series,
    reference: Reference | str | Path | Sequence[str | Path],
    *,
    max_m: float = 1000.0,
    aliases: Mapping[str, str] | None = None,
    municipality: str | None = None,
    leave_out: bool = False,
) -> pd.DataFrame:
    """Rows whose given coordinates lie far from the position of their address.

    Parameters
    ----------
    addresses, lon, lat
        The list's addresses and its own coordinates (JGD2011 degrees), row by row.
    reference
        Reference file path(s) or a :class:`chiikimap.io.reference.Reference`.
    max_m
        Distance above which a row is reported (default 1 km). Town-level references place an
        address at the town's point, so a town larger than this can be reported for a right point.
    aliases
        Spelling variants of the municipality (see :func:`geocode`).
    municipality
        The municipality of addresses that name none (see :func:`geocode`).
    leave_out
        Ignore known points with the same 番地 (see :func:`geocode`): a list checked against a
        reference that holds the list itself as a point list.

    Returns
    -------
    pandas.DataFrame
        The reported rows (index of the input): the :func:`geocode` columns plus ``given_lon``,
        ``given_lat`` and ``distance_m``, farthest first. Rows whose address cannot be placed are
        not reported.
    """
    result = geocode(
        pd.Series(list(addresses)),
        reference,
        aliases=aliases,
        municipality=municipality,
        leave_out=leave_out,
    )
    result["given_lon"] = pd.Series(list(lon), dtype=float).to_numpy()
    result["given_lat"] = pd.Series(list(lat), dtype=float).to_numpy()
    result["distance_m"] = _distance_m(
        result["lon"], result["lat"], result["given_lon"], result["given_lat"]
    )
    if isinstance(addresses, pd.Series):
        result.index = addresses.index
    far = result[result["distance_m"] > max_m]
    return far.sort_values("distance_m", ascending=False)
