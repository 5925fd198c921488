"""Service categories: keys, Japanese labels, default radii and targets, and text classification.

The categories live in a TOML data file (``categories.toml`` inside the package). Users extend it
with :meth:`Taxonomy.extend` or replace it with :func:`load_taxonomy`.

Examples
--------
>>> from chiikimap.taxonomy import default_taxonomy
>>> tax = default_taxonomy()
>>> tax.classify("訪問介護（ホームヘルプ）; 通所介護")
('houmon_kaigo', 'tsusho_kaigo')
>>> tax["kayoi_no_ba"].radius_m
800.0
>>> tax.classify("放課後等デイサービス")      # a children's service, never 通所介護
('houkago_day',)
>>> tax.classify_cell("生活介護|短期入所|障害者支援施設").keys   # 短期入所 decided by the cell
('shogai_nitchu', 'shogai_tanki', 'shogai_shisetsu')
>>> tax.classify_cell("短期入所").ambiguous               # undecidable alone: never guessed
(('短期入所', ('tanki_nyusho', 'shogai_tanki')),)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from difflib import get_close_matches
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from ._errors import ChiikimapError, InputFileError, UnknownCategoryError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Category",
    "Classification",
    "Domain",
    "Taxonomy",
    "default_taxonomy",
    "inactive_words",
    "load_taxonomy",
    "normalize_text",
    "split_services",
]

_MARKERS = ("circle", "square", "triangle", "diamond", "star")
#: separators between several services in one cell ("訪問介護; 通所介護", "訪問介護、通所介護");
#: they split only outside parentheses, so "（有料老人ホーム・軽費老人ホーム等）" stays whole
_SEPARATORS = frozenset(";；、,，/／\n\r|｜")
_OPEN = frozenset("(（")
_CLOSE = frozenset(")）")


def normalize_text(text: str) -> str:
    """NFKC-normalise ``text``, fold spaces (ASCII and full-width) and strip it."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip()


def split_services(text: str) -> list[str]:
    """Split a cell that names several services into its parts (stripped, non-empty).

    Separators (``;`` ``、`` ``,`` ``/`` ``|`` and line breaks, ASCII or full-width) split only
    outside parentheses. A part that is only a parenthetical note, as in
    ``"地域密着型介護老人福祉施設入所者生活介護\n（地域密着型特別養護老人ホーム）"``, is joined to
    the part before it.

    Examples
    --------
    >>> split_services("訪問介護; 通所介護（デイサービス、送迎あり）")
    ['訪問介護', '通所介護（デイサービス、送迎あり）']
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in str(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        if ch in _SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and part[0] in _OPEN:
            out[-1] = out[-1] + part
        else:
            out.append(part)
    return out


#: joiners between two service names inside one part ("訪問介護・通所介護", "訪問介護 通所介護")
_JOINERS = frozenset("・ &")


def _split_joined(norm: str) -> list[str]:
    """Split NFKC text at ``・``, spaces, ``&`` and ``及び`` outside parentheses."""
    text = norm.replace("および", "・").replace("及び", "・")
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        if depth == 0 and ch in _JOINERS:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


def _base_name(part: str) -> str:
    """``part`` without its parenthesised notes (nested ones too) and spaces, in linear time.

    Matched ``(`` … ``)`` pairs are removed with what they enclose; an unmatched parenthesis
    stays. (Removing the innermost pair with a regular expression until nothing changes took
    quadratic time: 17 s for a 60 KB cell of nested parentheses.)
    """
    out: list[str] = []
    opened: list[int] = []
    for ch in part:
        if ch == "(":
            opened.append(len(out))
            out.append(ch)
        elif ch == ")" and opened:
            del out[opened.pop() :]
        else:
            out.append(ch)
    return "".join(out).replace(" ", "").strip()


def _check_category(cat: Category, seen: Mapping[str, Category]) -> None:
    if cat.key in seen:
        raise ChiikimapError(f"taxonomy: category key {cat.key!r} is defined twice")
    if cat.marker not in _MARKERS:
        raise ChiikimapError(
            f"taxonomy: category {cat.key!r} has marker {cat.marker!r}; use one of {_MARKERS}"
        )
    if not (0.0 <= cat.target <= 1.0) or cat.radius_m <= 0:
        raise ChiikimapError(
            f"taxonomy: category {cat.key!r} needs 0 <= target <= 1 and radius_m > 0"
        )


def _one_per_domain(keys: Iterable[str], by_key: Mapping[str, Category]) -> tuple[str, ...]:
    """The first key of each domain, in order: several keys only across domains."""
    seen: dict[str, str] = {}
    for k in keys:
        seen.setdefault(by_key[k].domain, k)
    return tuple(seen.values())


#: status words: a service that is suspended, closed or about to close (「訪問介護（休止中）」)
_STATUS = re.compile(r"休止中|休止|廃止予定|廃止|休業(?!日)")
#: brackets left empty once a status word is removed: 「訪問介護（）」
_EMPTY_BRACKETS = re.compile(r"[(\[【〔]\s*[)\]】〕]")
#: the fixed domain of every category of a taxonomy that defines none
_DEFAULT_DOMAIN = "kaigo"


def inactive_words(text: str) -> list[str]:
    """The status words in ``text`` that mark a service as not running.

    休止, 休止中, 廃止, 廃止予定 and 休業 (not 休業日, a closing day) are looked for after NFKC.

    Examples
    --------
    >>> inactive_words("訪問介護（休止中）")
    ['休止中']
    >>> inactive_words("通いの場（休業日: 日曜）")
    []
    """
    return list(dict.fromkeys(_STATUS.findall(normalize_text(text))))


def _strip_status(norm: str) -> str:
    return _EMPTY_BRACKETS.sub("", _STATUS.sub("", norm)).strip()


@dataclass(frozen=True)
class Domain:
    """A field of welfare the categories belong to (see ``[[domain]]`` in ``categories.toml``).

    ``overview`` domains (elderly care and daily-life support) are what :func:`chiikimap.analyze`
    shows by default; ``keywords`` place a text in the domain; ``ignore`` phrases are removed
    before the keywords are looked for.
    """

    key: str
    label: str
    label_en: str = ""
    overview: bool = False
    keywords: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """One service category of the taxonomy (``[[category]]`` in ``categories.toml``).

    Parameters
    ----------
    key
        Identifier used in code and in the coverage table (ASCII).
    label, label_en
        Japanese and English labels shown to users.
    group
        The family the category belongs to (shown in legends).
    radius_m
        Default straight-line radius in metres within which a resource reaches a person.
    target
        Share (0–1) of the weight that should be within ``radius_m``; below it the status is 不足.
    color
        Marker and legend colour (``"#rrggbb"``).
    marker, symbol
        Marker shape (circle, square, triangle, diamond, star) and the character drawn on it.
    names
        Exact service names (after NFKC, parenthetical notes removed) that map to this key.
    contains, not_contains
        Substrings that map free text to this key when no exact name matches, and texts that
        never match it by a substring.
    domain
        The :class:`Domain` the category belongs to.
    """

    key: str
    label: str
    label_en: str
    group: str
    radius_m: float
    target: float
    color: str
    marker: str = "circle"
    symbol: str = "●"
    names: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    domain: str = _DEFAULT_DOMAIN

    def display(self, lang: str = "ja") -> str:
        """Return the label in one language.

        Parameters
        ----------
        lang
            ``"ja"`` (the Japanese label) or ``"en"``.

        Returns
        -------
        str
            ``label`` or ``label_en``.
        """
        return self.label_en if lang == "en" else self.label


@dataclass(frozen=True)
class Classification:
    """What one category cell names: the output of :meth:`Taxonomy.classify_cell`.

    Attributes
    ----------
    keys
        Category keys, in the order of the text, without duplicates.
    unclassified
        Parts that no category recognises.
    ambiguous
        ``(part, candidate keys)`` for each part that names services of several domains
        (「短期入所」) and that no context decided; a row with one is not counted.
    inactive
        Status words found (休止, 廃止 …, see :func:`inactive_words`).
    """

    keys: tuple[str, ...] = ()
    unclassified: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    inactive: tuple[str, ...] = ()


#: (piece of text, candidate keys); several candidates = one per domain, undecided
_Item = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of :class:`Category` with a classifier for free text.

    Parameters
    ----------
    categories
        Categories in display order.
    name
        Name of the taxonomy, quoted in outputs.
    domains
        The domains the categories name; a domain named by a category but not given here is
        added with no keywords (an overview domain when it is ``"kaigo"``).
    """

    categories: tuple[Category, ...]
    name: str = "custom"
    domains: tuple[Domain, ...] = ()
    _by_key: dict[str, Category] = field(init=False, repr=False, compare=False)
    _domains: dict[str, Domain] = field(init=False, repr=False, compare=False)
    _exact: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _contains: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _cache: dict[str, tuple[_Item, ...]] = field(init=False, repr=False, compare=False)
    #: per domain: (key, normalised ignore phrases, normalised keywords)
    _keywords: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = field(
        init=False, repr=False, compare=False
    )
    #: per category: normalised not_contains
    _negatives: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Category] = {}
        exact: dict[str, tuple[str, ...]] = {}
        contains: list[tuple[str, str]] = []
        domains = {d.key: d for d in self.domains}
        for cat in self.categories:
            _check_category(cat, by_key)
            by_key[cat.key] = cat
            if cat.domain not in domains:
                overview = cat.domain == _DEFAULT_DOMAIN
                domains[cat.domain] = Domain(cat.domain, cat.domain, cat.domain, overview)
            for n in (cat.key, cat.label, *cat.names):
                base = _base_name(normalize_text(n))
                if cat.key not in exact.get(base, ()):
                    exact[base] = (*exact.get(base, ()), cat.key)
            contains.extend((normalize_text(s).replace(" ", ""), cat.key) for s in cat.contains)
        # a name claimed by two categories of one domain keeps the first (file order); claimed by
        # several domains it is ambiguous and context decides
        exact = {name: _one_per_domain(keys, by_key) for name, keys in exact.items()}
        # longest substring first: "地域密着型通所介護" before "通所介護"; ties keep file order
        contains.sort(key=lambda p: -len(p[0]))
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_domains", domains)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_contains", tuple(contains))
        object.__setattr__(self, "_cache", {})

        def norm(texts: Iterable[str]) -> tuple[str, ...]:
            return tuple(normalize_text(t).replace(" ", "") for t in texts)

        keywords = tuple((d.key, norm(d.ignore), norm(d.keywords)) for d in domains.values())
        object.__setattr__(self, "_keywords", keywords)
        negatives = {c.key: norm(c.not_contains) for c in self.categories}
        object.__setattr__(self, "_negatives", negatives)

    # --- mapping-like access ----------------------------------------------------------------------
    def __getitem__(self, key: str) -> Category:
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownCategoryError(
                f"種別キー {key!r} は分類表にありません / unknown category key {key!r}; "
                f"known keys: {', '.join(self._by_key)}"
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Category]:
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    @property
    def keys(self) -> tuple[str, ...]:
        """Category keys in display order."""
        return tuple(c.key for c in self.categories)

    @property
    def overview_keys(self) -> tuple[str, ...]:
        """Keys of the overview domains (elderly care): what ``analyze`` shows by default."""
        return tuple(c.key for c in self.categories if self.in_overview(c.key))

    def in_overview(self, key: str) -> bool:
        """Whether a category belongs to an overview domain (elderly care, daily-life support).

        Parameters
        ----------
        key
            A category key.

        Returns
        -------
        bool
            ``True`` for the categories :func:`chiikimap.analyze` shows by default.
        """
        return self._domains[self[key].domain].overview

    def domain(self, key: str) -> Domain:
        """The domain a category belongs to.

        Parameters
        ----------
        key
            A category key.

        Returns
        -------
        Domain
            Its domain (key, labels, overview flag, keywords).
        """
        return self._domains[self[key].domain]

    @property
    def domain_keys(self) -> tuple[str, ...]:
        """Keys of the domains, in definition order."""
        return tuple(self._domains)

    def label(self, key: str, lang: str = "ja") -> str:
        """Return the label of one category.

        Parameters
        ----------
        key
            A category key.
        lang
            ``"ja"`` or ``"en"``.

        Returns
        -------
        str
            The label; an unknown key raises :class:`UnknownCategoryError`.
        """
        return self[key].display(lang)

    def check_keys(self, keys: Iterable[str], *, param: str | None = None) -> list[str]:
        """Check that every key is defined.

        Parameters
        ----------
        keys
            Category keys.
        param
            The parameter the keys were given as (e.g. ``"categories"``); the error names it.

        Returns
        -------
        list of str
            ``keys`` as a list.

        Raises
        ------
        UnknownCategoryError
            For the first key the taxonomy does not define; the message lists the known keys.
        """
        out = list(keys)
        for k in out:
            if k not in self._by_key:
                where = f"{param}: " if param else ""
                raise UnknownCategoryError(
                    f"{where}種別キー {k!r} は分類表にありません / {where}unknown category key "
                    f"{k!r}; known keys: {', '.join(self._by_key)}",
                    param=param,
                )
        return out

    # --- classification ---------------------------------------------------------------------------
    def keyword_domains(self, text: str) -> frozenset[str]:
        """The domains whose keywords occur in a text.

        Parameters
        ----------
        text
            Any text; compared after NFKC with spaces removed and each domain's ``ignore``
            phrases (「民生委員・児童委員」) taken out.

        Returns
        -------
        frozenset of str
            Domain keys.
        """
        norm = normalize_text(text).replace(" ", "")
        found: set[str] = set()
        for key, ignore, keywords in self._keywords:
            hay = norm
            for phrase in ignore:
                hay = hay.replace(phrase, "")
            if any(k in hay for k in keywords):
                found.add(key)
        return frozenset(found)

    def _allowed(self, key: str, text: str, kd: frozenset[str]) -> bool:
        """Whether the substring rule of ``key`` may fire on ``text`` (negative guards)."""
        cat = self._by_key[key]
        if any(n in text for n in self._negatives[key]):
            return False
        # an elderly-care rule never fires on a text naming only another domain's keyword
        if self._domains[cat.domain].overview and kd and cat.domain not in kd:
            return all(self._domains[d].overview for d in kd)
        return True

    def _substring(self, text: str, kd: frozenset[str]) -> tuple[str, ...]:
        hits = [(sub, key) for sub, key in self._contains if sub and sub in text]
        hits = [(sub, key) for sub, key in hits if self._allowed(key, text, kd)]
        if not hits:
            return ()
        longest = len(hits[0][0])
        return _one_per_domain([k for sub, k in hits if len(sub) == longest], self._by_key)

    def _candidates(self, text: str) -> tuple[str, ...]:
        """Candidate keys of one service name: one key, or one per domain when ambiguous.

        An exact name (after NFKC, with parenthetical notes removed) wins; otherwise the longest
        allowed ``contains`` substring, looked for in the name outside parentheses first
        ("介護予防短期入所療養介護（介護老人保健施設）" is a short stay, not a care home) and then
        in the whole text. A domain keyword in the text narrows several candidates.
        """
        norm = normalize_text(text)
        if not norm:
            return ()
        base = _base_name(norm)
        kd = self.keyword_domains(norm)
        cands = self._exact.get(base, ())
        if not cands:
            for text_ in (base, norm.replace(" ", "")):
                cands = self._substring(text_, kd)
                if cands:
                    break
        if len(cands) > 1:
            narrowed = tuple(k for k in cands if self._by_key[k].domain in kd)
            if narrowed:
                cands = narrowed
        return cands

    def classify_one(self, text: str) -> str | None:
        """Classify one service name.

        See :meth:`classify_cell` for how names, substrings and context decide.

        Parameters
        ----------
        text
            One service name, e.g. ``"訪問介護"``.

        Returns
        -------
        str or None
            The key, or ``None`` when the name is not recognised or ambiguous.
        """
        cands = self._candidates(text)
        return cands[0] if len(cands) == 1 else None

    def _part_items(self, part: str) -> list[_Item]:
        """Items of one part; a part joining several services with ``・``, a space, ``&`` or
        ``及び`` (``"訪問介護・通所介護"``) gives each of them.

        A part that is itself a known name (``"定期巡回・随時対応型訪問介護看護"``) stays whole,
        and the part is split only when every piece is recognised; otherwise the whole part
        decides.
        """
        norm = normalize_text(part)
        if _base_name(norm) not in self._exact:
            pieces = _split_joined(norm)
            if len(pieces) > 1:
                items = [(p, self._candidates(p)) for p in pieces]
                if all(c for _, c in items):
                    return items
        return [(norm, self._candidates(norm))]

    def _items(self, text: str) -> tuple[_Item, ...]:
        """Context-free items of a cell, cached (cells repeat through a file)."""
        hit = self._cache.get(text)
        if hit is None:
            norm = _strip_status(normalize_text(text))
            hit = tuple(i for part in split_services(norm) for i in self._part_items(part))
            if len(self._cache) < 50_000:
                self._cache[text] = hit
        return hit

    def classify_cell(
        self,
        text: str,
        *,
        domain: str | None = None,
        row_text: str = "",
        file_domain: str | None = None,
    ) -> Classification:
        """Classify one category cell, deciding ambiguous names by context.

        Exact names come first (every 介護保険 サービスの種類 incl. 介護予防 and 地域密着型, the
        総合事業 services, the 障害福祉・障害児 services, 医療 and 学校), then ``contains``
        substrings, longest first, each guarded by ``not_contains`` and by the domain keywords
        (an elderly-care substring never fires on 「障害者デイサービス」). A name claimed by
        several domains (「短期入所」, 「居宅介護」, 「グループホーム」) is decided by, in order:
        a domain keyword in the part itself (「短期入所（障害者）」); ``domain`` (the caller's, or
        the file's layout: an MHLW 介護サービス file is 介護保険); a candidate the same cell names
        unambiguously (「居宅介護・重度訪問介護」); the domains of the other services in the same
        cell; a keyword in ``row_text`` (the row's name); ``file_domain``
        (the only domain of the file's other cells). What none decides is returned in
        ``ambiguous``, never guessed.

        Parameters
        ----------
        text
            The cell: several services separated by ``;``, ``、``, ``/``, ``|`` … or joined by
            ``・``, a space, ``&`` or ``及び``. Status words (休止中 …) are removed first and
            reported in ``inactive``.
        domain
            A domain key that decides ambiguous names first (``"kaigo"``, ``"shogai"`` …).
        row_text
            Other text of the row (its name), searched for domain keywords.
        file_domain
            The domain of the file when all its unambiguous cells name one (see
            :meth:`sole_domain`).

        Returns
        -------
        Classification
            The keys, the unrecognised and the undecided parts, and the status words.
        """
        items = self._items(text)
        named = {c[0] for _, c in items if len(c) == 1}
        settled = {self._by_key[k].domain for k in named}
        row_kd = self.keyword_domains(row_text) if row_text else frozenset()
        keys: dict[str, None] = {}
        unknown: list[str] = []
        ambiguous: list[tuple[str, tuple[str, ...]]] = []
        for piece, cands in items:
            if not cands:
                unknown.append(piece)
                continue
            key = cands[0] if len(cands) == 1 else None
            hints: tuple[Collection[str], ...] = (
                {domain} if domain else set(),
                named,
                settled,
                row_kd,
                {file_domain} if file_domain else set(),
            )
            for hint in hints:
                if key is None:
                    key = self._decide(cands, hint)
            if key is None:
                ambiguous.append((piece, cands))
            else:
                keys.setdefault(key, None)
        return Classification(
            keys=tuple(keys),
            unclassified=tuple(unknown),
            ambiguous=tuple(ambiguous),
            inactive=tuple(inactive_words(text)),
        )

    def _decide(self, cands: tuple[str, ...], hint: Collection[str]) -> str | None:
        """The one candidate whose domain is in ``hint``, else ``None``."""
        hits = [k for k in cands if k in hint or self._by_key[k].domain in hint]
        return hits[0] if len(hits) == 1 else None

    def sole_domain(self, cells: Iterable[str]) -> str | None:
        """The one domain that the unambiguous services of some cells belong to.

        A file whose every recognised service is a 障害福祉 one decides its 「短期入所」 rows as
        障害福祉; a file that mixes domains (a 要配慮者利用施設 list) decides nothing this way.

        Parameters
        ----------
        cells
            The category cells of a file.

        Returns
        -------
        str or None
            The domain key, or ``None`` when the cells name several domains or none.
        """
        found: set[str] = set()
        for cell in dict.fromkeys(str(c) for c in cells):
            for _, cands in self._items(cell):
                if len(cands) == 1:
                    found.add(self._by_key[cands[0]].domain)
            if len(found) > 1:
                return None
        return next(iter(found)) if found else None

    def ambiguity_reason(self, ambiguous: Sequence[tuple[str, tuple[str, ...]]]) -> str:
        """The reason (Japanese / English) why a row with undecided parts is not counted.

        Parameters
        ----------
        ambiguous
            ``Classification.ambiguous`` of the row's cell.

        Returns
        -------
        str
            The text for ``rejected_rows``: each part with its possible readings and how to
            decide (the official name, or ``domain=``).
        """
        texts_ja: list[str] = []
        texts_en: list[str] = []
        for piece, cands in ambiguous:
            ja = "・".join(f"{self.domain(k).label}「{self[k].label}」" for k in cands)
            en = " or ".join(f"{self[k].label_en} ({k})" for k in cands)
            texts_ja.append(f"「{piece}」は {ja} のどれか決められません")
            texts_en.append(f"{piece!r} may be {en}")
        doms = "|".join(dict.fromkeys(self[k].domain for _, c in ambiguous for k in c))
        return (
            "種別があいまい: "
            + "; ".join(texts_ja)
            + f"（同じ欄の他のサービス・名称・ファイルの様式からも判断できません）。正式名"
            f"（例: 短期入所生活介護）で書くか domain='{doms.split('|')[0]}' のように分野を指定して"
            "ください / ambiguous service type: "
            + "; ".join(texts_en)
            + f"; no context decides it; write the official name or pass domain=({doms})"
        )

    def classify(self, text: str) -> tuple[str, ...]:
        """Return every key a category cell names.

        Several services may be separated by ``;``, ``、``, ``/``, or joined by ``・``, a space,
        ``&`` or ``及び`` …. Unrecognised and undecidable parts are left out here; use
        :meth:`classify_cell` for them and for context.

        Parameters
        ----------
        text
            The cell's text.

        Returns
        -------
        tuple of str
            The keys in the order of the text, without duplicates.
        """
        return self.classify_cell(text).keys

    def unclassified(self, text: str) -> list[str]:
        """Return the parts of a category cell that no category recognises.

        Parameters
        ----------
        text
            The cell's text.

        Returns
        -------
        list of str
            The unrecognised parts, in the order of the text.
        """
        return list(self.classify_cell(text).unclassified)

    # --- building ---------------------------------------------------------------------------------
    def extend(self, *categories: Category | Mapping[str, Any]) -> Taxonomy:
        """Return a new taxonomy with categories added.

        Parameters
        ----------
        *categories
            :class:`Category` objects or mappings with the keys of a ``[[category]]`` table
            (``key``, ``label``, ``radius_m``, ``target`` required); an unknown key such as
            ``colour`` is an error naming the known ones.

        Returns
        -------
        Taxonomy
            This taxonomy with the categories added; one with an existing key replaces it.
        """
        new = {c.key: c for c in self.categories}
        for c in categories:
            cat = c if isinstance(c, Category) else _category_from_mapping(c)
            new[cat.key] = cat
        return Taxonomy(tuple(new.values()), name=self.name, domains=self.domains)

    def with_rules(
        self,
        *,
        radius_m: Mapping[str, float] | None = None,
        target: Mapping[str, float] | None = None,
    ) -> Taxonomy:
        """Return a new taxonomy with per-category radius and/or target overridden.

        Parameters
        ----------
        radius_m
            Category key → radius in metres.
        target
            Category key → target share (0–1).

        Returns
        -------
        Taxonomy
            The same categories, with the given values replaced.
        """
        radius_m = dict(radius_m or {})
        target = dict(target or {})
        self.check_keys([*radius_m, *target])
        cats = tuple(
            replace(
                c,
                radius_m=float(radius_m.get(c.key, c.radius_m)),
                target=float(target.get(c.key, c.target)),
            )
            for c in self.categories
        )
        return Taxonomy(cats, name=self.name, domains=self.domains)


#: the tables a taxonomy file may have, and the keys of its [meta] table
_TOP_KEYS = ("meta", "domain", "category")
_META_KEYS = ("name", "version", "description")
#: a colour as #rgb or #rrggbb
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _reject_unknown(d: Mapping[str, Any], known: Sequence[str], what: str, where: str) -> None:
    """Raise naming the first key of ``d`` that is not in ``known`` (a typo such as ``colour``)."""
    for key in d:
        if key in known:
            continue
        close = get_close_matches(str(key), known, n=1)
        ja_hint = f"（{close[0]!r} の誤りでは？）" if close else ""
        en_hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise _taxonomy_error(
            f"{what} のキー {key!r} は使えません{ja_hint}。使えるキー: {', '.join(known)} / "
            f"unknown key {key!r} in {what}{en_hint}; known keys: {', '.join(known)}",
            where,
        )


def _taxonomy_error(message: str, where: str) -> ChiikimapError:
    """An error about a taxonomy: naming its file when it came from one."""
    if where:
        return InputFileError(message, path=where)
    return ChiikimapError(f"taxonomy: {message}", param="categories")


def _number(d: Mapping[str, Any], key: str, what: str, where: str) -> float:
    try:
        return float(d[key])
    except (TypeError, ValueError):
        raise _taxonomy_error(
            f"{what} の {key} は数値です（{d[key]!r}） / {key} of {what} must be a number, "
            f"got {d[key]!r}",
            where,
        ) from None


def _category_from_mapping(d: Mapping[str, Any], where: str = "") -> Category:
    what = f"[[category]] {d.get('key', '?')!r}"
    _reject_unknown(d, [f.name for f in fields(Category) if f.init], what, where)
    required = ("key", "label", "radius_m", "target")
    missing = [k for k in required if k not in d]
    if missing:
        raise _taxonomy_error(
            f"{what} に必要なキー {missing} がありません / {what} lacks the keys {missing}", where
        )
    color = str(d.get("color", "#555555"))
    if not _HEX_COLOUR.match(color):
        raise _taxonomy_error(
            f"{what} の color は #rrggbb の形です（{color!r}） / color of {what} must be a hex "
            f"colour such as '#1f77b4', got {color!r}",
            where,
        )
    return Category(
        key=str(d["key"]),
        label=str(d["label"]),
        label_en=str(d.get("label_en", d["key"])),
        group=str(d.get("group", "")),
        radius_m=_number(d, "radius_m", what, where),
        target=_number(d, "target", what, where),
        color=color,
        marker=str(d.get("marker", "circle")),
        symbol=str(d.get("symbol", "●")),
        names=tuple(str(n) for n in d.get("names", ())),
        contains=tuple(str(n) for n in d.get("contains", ())),
        not_contains=tuple(str(n) for n in d.get("not_contains", ())),
        domain=str(d.get("domain", _DEFAULT_DOMAIN)),
    )


def _domain_from_mapping(d: Mapping[str, Any], where: str = "") -> Domain:
    what = f"[[domain]] {d.get('key', '?')!r}"
    _reject_unknown(d, [f.name for f in fields(Domain) if f.init], what, where)
    if "key" not in d:
        raise _taxonomy_error(f"{what} に key がありません / {what} lacks its key", where)
    return Domain(
        key=str(d["key"]),
        label=str(d.get("label", d["key"])),
        label_en=str(d.get("label_en", d["key"])),
        overview=bool(d.get("overview", False)),
        keywords=tuple(str(k) for k in d.get("keywords", ())),
        ignore=tuple(str(k) for k in d.get("ignore", ())),
    )


def load_taxonomy(path: str | PathLike[str]) -> Taxonomy:
    """Read a taxonomy from a TOML file with the layout of the bundled ``categories.toml``.

    Parameters
    ----------
    path
        The TOML file: a ``[meta]`` table, ``[[domain]]`` and ``[[category]]`` tables.

    Returns
    -------
    Taxonomy
        The categories in file order.

    Raises
    ------
    InputFileError
        When the file is not valid TOML, has no ``[[category]]``, or a table has a key the
        taxonomy does not know (a typo such as ``colour`` or ``radius``: the message lists the
        known keys), lacks a required key or has a value of the wrong kind.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"TOML として読めません（{exc}） / not valid TOML: {exc}", path=p
        ) from None
    except OSError as exc:
        raise InputFileError(
            f"ファイルを開けません / cannot open the file: {exc.strerror or exc}", path=p
        ) from None
    return _from_toml(data, default_name=p.stem, where=str(p))


def _from_toml(data: Mapping[str, Any], default_name: str, where: str = "") -> Taxonomy:
    _reject_unknown(data, _TOP_KEYS, "the taxonomy file", where)
    meta = data.get("meta", {})
    _reject_unknown(meta, _META_KEYS, "[meta]", where)
    cats = tuple(_category_from_mapping(d, where) for d in data.get("category", []))
    if not cats:
        raise _taxonomy_error(
            "[[category]] の表がありません / the taxonomy has no [[category]] tables", where
        )
    name = str(meta.get("name", default_name))
    domains = tuple(_domain_from_mapping(d, where) for d in data.get("domain", []))
    return Taxonomy(cats, name=name, domains=domains)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy bundled with chiikimap (``chiikimap/categories.toml``)."""
    text = resources.files("chiikimap").joinpath("categories.toml").read_bytes()
    return _from_toml(tomllib.loads(text.decode("utf-8")), default_name="chiikimap default")
