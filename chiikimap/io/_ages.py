"""What the age columns of a population table mean: bands, subtotals, sexes.

A municipal 年齢別人口 table holds counts per age interval and sex: 5-year bands (``65-69歳の男性``,
``man14``), open last bands (``85歳以上``), and often subtotals next to them (``65歳以上``,
``75歳以上``, ``0-64歳``, ``15歳未満``). This module turns header labels into intervals and decides,
for each count chiikimap needs (all ages, 65+, 75+), which columns to add so that **no person is
counted twice**:

* every column is an interval ``[lo, hi]`` of ages (``hi`` is infinite for ``…歳以上``) of one sex
  (``"m"``, ``"f"`` or ``"t"`` for both);
* ``[a, ∞)`` is computed from a chain of columns of one sex whose intervals follow each other
  without gap or overlap, preferring the chain with the most links — the 5-year bands; a subtotal is
  used only where the bands are absent (``65歳以上`` when the file has only 0-64/65+/75+);
* both sexes together (``計``) are used when such a chain exists, else men + women;
* when no chain exists the missing interval is named (``70-74歳``), never skipped.

The functions take header labels and return column indices; they know nothing of files.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AgeColumn",
    "AgePlan",
    "age_columns",
    "combine_header_rows",
    "plan_counts",
]

INF = math.inf

# sex tokens, longest first; "t" = both sexes
_SEX_TOKENS = (
    ("男女計", "t"),
    ("男女", "t"),
    ("男性", "m"),
    ("女性", "f"),
    ("男", "m"),
    ("女", "f"),
    ("総数", "t"),
    ("合計", "t"),
    ("計", "t"),
)
_EN_SEX = {
    "male": "m",
    "man": "m",
    "men": "m",
    "female": "f",
    "woman": "f",
    "women": "f",
    "total": "t",
}
#: a second header row made only of these labels splits the bands above it by sex
_SEX_ONLY = {"男", "女", "計", "男性", "女性", "総数", "合計", "男女計", "male", "female", "total"}
_NOISE = re.compile(r"[（(][^）)]*[）)]|再掲|うち|人口|人数|の|[、,・]")
_RANGE = re.compile(r"^(\d{1,3})歳?[-~〜～－‐―ー]+(\d{1,3})歳?$")
_OPEN = re.compile(r"^(\d{1,3})歳?(?:以上|[-~〜～]|\+)$")
_UNDER = re.compile(r"^(\d{1,3})歳未満$")
_SINGLE = re.compile(r"^(\d{1,3})歳$")
_EN_BAND = re.compile(r"^(man|male|men|woman|female|women)(\d+)$")
_EN_RANGE = re.compile(
    r"^(?:age_?)?(?:(male|female|man|woman|total)_?)?(\d{1,3})_(\d{1,3}|plus|over)(?:_?(male|female|total))?$"
)


@dataclass(frozen=True)
class AgeColumn:
    """One age column: file column ``index`` counts people aged ``lo`` … ``hi`` of ``sex``."""

    index: int
    lo: int
    hi: float
    sex: str
    label: str

    @property
    def end(self) -> float:
        """The first age after the interval (``inf`` for an open band)."""
        return self.hi + 1 if math.isfinite(self.hi) else INF

    def describe(self) -> str:
        return _interval_text(self.lo, self.end)


def _interval_text(lo: float, end: float) -> str:
    if not math.isfinite(end):
        return f"{int(lo)}歳以上"
    return f"{int(lo)}-{int(end) - 1}歳"


def _norm(label: Any) -> str:
    if label is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(label)))


def _split_sex(text: str) -> tuple[str, str]:
    """(sex, text without the sex word); sex is ``""`` when the label names none."""
    for token, sex in _SEX_TOKENS:
        if token in text:
            return sex, text.replace(token, "", 1)
    return "", text


def parse_age_label(label: Any) -> tuple[int, float, str] | None:
    """``(lo, hi, sex)`` of an age column label, or ``None`` when the label is not one.

    Examples
    --------
    >>> parse_age_label("65-69歳の男性")
    (65, 69, 'm')
    >>> parse_age_label("総数７５歳以上")
    (75, inf, 't')
    >>> parse_age_label("15歳未満")
    (0, 14, 't')
    >>> parse_age_label("85歳の女性以上")
    (85, inf, 'f')
    >>> parse_age_label("世帯数") is None
    True
    """
    text = _norm(label)
    if not text or "不詳" in text:
        return None
    low = text.lower()
    m = _EN_RANGE.match(low)
    if m:
        sex = _EN_SEX.get(m.group(1) or m.group(4) or "total", "t")
        lo = int(m.group(2))
        hi: float = INF if m.group(3) in ("plus", "over") else int(m.group(3))
        return (lo, hi, sex) if hi >= lo else None
    if "歳" not in text and not text.endswith("+"):
        return None
    sex, rest = _split_sex(text)
    rest = _NOISE.sub("", rest)
    for pattern, kind in ((_RANGE, "range"), (_OPEN, "open"), (_UNDER, "under"), (_SINGLE, "one")):
        m = pattern.match(rest)
        if not m:
            continue
        a = int(m.group(1))
        if kind == "range":
            b = int(m.group(2))
            return (a, b, sex or "t") if b >= a else None
        if kind == "open":
            return a, INF, sex or "t"
        if kind == "under":
            return (0, a - 1, sex or "t") if a > 0 else None
        return a, a, sex or "t"
    return None


def unknown_age_sex(label: Any) -> str | None:
    """The sex of a 年齢不詳 column (``"m"``, ``"f"``, ``"t"``), or ``None`` for other columns.

    ``総数、年齢「不詳」含む`` (a total *including* unknown ages) is a total, not an unknown-age column.
    """
    text = _norm(label)
    if "不詳" not in text or "含" in text:
        return None
    return _split_sex(text)[0] or "t"


def age_columns(header: Sequence[Any]) -> list[AgeColumn]:
    """Every age column of ``header`` (Japanese labels, ``age_65_69_male``, or ``manN``/``womanN``).

    ``manN`` / ``womanN`` (高松市) are 5-year bands numbered from 1: band *k* covers ages
    5(k−1) … 5k−1 and the highest band of each sex is open.
    """
    out: list[AgeColumn] = []
    english: list[tuple[int, int, str]] = []
    for j, h in enumerate(header):
        text = _norm(h)
        m = _EN_BAND.match(text.lower())
        if m:
            english.append((j, int(m.group(2)), "m" if m.group(1).startswith("m") else "f"))
            continue
        parsed = parse_age_label(h)
        if parsed is not None:
            out.append(AgeColumn(j, parsed[0], parsed[1], parsed[2], text))
    if english:
        last = {s: max(k for _, k, s2 in english if s2 == s) for _, _, s in english}
        for j, k, s in english:
            hi: float = INF if k == last[s] else 5 * k - 1
            out.append(AgeColumn(j, 5 * (k - 1), hi, s, _norm(header[j])))
    return sorted(out, key=lambda c: c.index)


def combine_header_rows(first: Sequence[Any], second: Sequence[Any]) -> list[str]:
    """One header from two rows: bands merged over 男/女/計 cells, or item names under codes.

    A band label in ``first`` spans the blank cells to its right (an xlsx merged cell keeps its
    value in the first cell only); a sex label below it (``男``, ``女``, ``計``) is appended to it.
    Any other label of ``second`` replaces the one above (e-Stat files: codes above names).
    """
    width = max(len(first), len(second))
    out: list[str] = []
    carried = ""
    for j in range(width):
        top = _norm(first[j]) if j < len(first) else ""
        below = _norm(second[j]) if j < len(second) else ""
        if top:
            carried = top
        if below.lower() in _SEX_ONLY or below in _SEX_ONLY:
            out.append(carried + below)
        elif below:
            out.append(below)
        else:
            out.append(top)
    return out


def is_sex_row(row: Sequence[Any]) -> bool:
    """True when a row looks like the second line of a two-row header (男/女/計 labels)."""
    labels = [_norm(c) for c in row]
    return sum(1 for t in labels if t in _SEX_ONLY or t.lower() in _SEX_ONLY) >= 2


# --- choosing the columns of each count -----------------------------------------------------------


@dataclass
class AgePlan:
    """The columns to add for each count; ``None`` when the table cannot give it."""

    columns: dict[int, list[AgeColumn]]  # from-age (0, 65, 75) → columns to add
    unknown: list[int]  # 年齢不詳 columns added to the all-ages count
    sexes: dict[int, str]  # from-age → "計" or "男+女"
    subtotals: list[AgeColumn]  # columns recognised as subtotals (never added to bands)
    #: subtotal columns that repeat a chosen count, with the columns whose sum they should equal
    checks: list[tuple[AgeColumn, list[int]]] = field(default_factory=list)

    def used(self, start: int) -> list[int]:
        return sorted(c.index for c in self.columns.get(start, []))


def _chain(cols: list[AgeColumn], start: int) -> list[AgeColumn] | None:
    """The chain of most links from ``start`` to an open end, or ``None``."""
    by_lo: dict[int, list[AgeColumn]] = {}
    for c in cols:
        by_lo.setdefault(c.lo, []).append(c)
    memo: dict[float, list[AgeColumn] | None] = {INF: []}

    def best(age: float) -> list[AgeColumn] | None:
        if age in memo:
            return memo[age]
        memo[age] = None  # no cycles: every link moves forward
        found: list[AgeColumn] | None = None
        for c in by_lo.get(int(age), []) if math.isfinite(age) else []:
            tail = best(c.end)
            if tail is not None and (found is None or len(tail) + 1 > len(found)):
                found = [c, *tail]
        memo[age] = found
        return found

    return best(float(start))


def _gaps(cols: list[AgeColumn], start: int) -> list[str]:
    """The age intervals from ``start`` up that no column of ``cols`` covers."""
    pieces = sorted((c.lo, c.end) for c in cols if c.end > start)
    gaps: list[str] = []
    at: float = start
    for lo, end in pieces:
        if lo > at:
            gaps.append(_interval_text(at, lo))
        at = max(at, end)
    if math.isfinite(at):
        gaps.append(_interval_text(at, INF))
    return gaps


def _subtotals(cols: list[AgeColumn]) -> list[AgeColumn]:
    """Columns whose interval strictly contains another column's of the same sex."""
    out = []
    for c in cols:
        if any(
            o is not c
            and o.sex == c.sex
            and c.lo <= o.lo
            and o.end <= c.end
            and (o.lo, o.end) != (c.lo, c.end)
            for o in cols
        ):
            out.append(c)
    return out


class AgeLayoutError(ValueError):
    """The age columns cannot give a count; the message names what is missing."""


def _duplicates(cols: list[AgeColumn]) -> None:
    seen: dict[tuple[int, float, str], AgeColumn] = {}
    for c in cols:
        key = (c.lo, c.hi, c.sex)
        if key in seen:
            raise AgeLayoutError(
                f"同じ年齢区分の列が 2 つあります: {seen[key].label!r}（{seen[key].index + 1} 列目）と "
                f"{c.label!r}（{c.index + 1} 列目） / two columns for the same ages and sex: "
                f"{seen[key].label!r} and {c.label!r}"
            )
        seen[key] = c


def plan_counts(
    cols: list[AgeColumn], unknown: dict[int, str], starts: Sequence[int] = (0, 65, 75)
) -> AgePlan:
    """Decide which columns give the count of people aged ``start`` and over, for each start.

    Both sexes together (``計``) are used when their chain is at least as fine as men's and
    women's; otherwise men + women. Raises :class:`AgeLayoutError` naming the missing interval
    when neither gives 65+ or 75+; the all-ages count (start 0) is left out when unavailable.
    """
    _duplicates(cols)
    by_sex = {s: [c for c in cols if c.sex == s] for s in ("t", "m", "f")}
    plan = AgePlan({}, [], {}, _subtotals(cols))
    for start in starts:
        t = _chain(by_sex["t"], start)
        m, f = _chain(by_sex["m"], start), _chain(by_sex["f"], start)
        mf = (m + f) if m is not None and f is not None else None
        if t is not None and (mf is None or len(t) >= min(len(m or []), len(f or []))):
            plan.columns[start], plan.sexes[start] = t, "計"
        elif mf is not None:
            plan.columns[start], plan.sexes[start] = mf, "男+女"
        elif start > 0:
            raise AgeLayoutError(_missing_message(by_sex, start))
    plan.checks = _checks(plan)
    if 0 in plan.columns:
        use = {"計": {"t"}, "男+女": {"m", "f"}}[plan.sexes[0]]
        plan.unknown = [j for j, s in unknown.items() if s in use]
    return plan


def _missing_message(by_sex: dict[str, list[AgeColumn]], start: int) -> str:
    parts = []
    for sex, name in (("t", "男女計"), ("m", "男"), ("f", "女")):
        if by_sex[sex]:
            parts.append(f"{name}: {', '.join(_gaps(by_sex[sex], start))}")
    missing = "; ".join(parts) or "年齢の列がありません"
    return (
        f"{start}歳以上の人数を求められません。次の年齢区分の列がありません（{missing}）。"
        f"5歳階級の列が欠けていないか確認してください / cannot count people aged {start}+: "
        f"no column for {missing}"
    )


def _checks(plan: AgePlan) -> list[tuple[AgeColumn, list[int]]]:
    """Subtotals ``[start, ∞)`` not used for a count, paired with the columns that give it."""
    out = []
    for sub in plan.subtotals:
        chosen = plan.columns.get(sub.lo, [])
        if math.isfinite(sub.hi) or not chosen or sub in chosen:
            continue
        same = [c.index for c in chosen if sub.sex == "t" or c.sex == sub.sex]
        if sub.sex != "t" and plan.sexes[sub.lo] == "計":
            continue  # a men's subtotal cannot be checked against both sexes together
        out.append((sub, sorted(same)))
    return out
