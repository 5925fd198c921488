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
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from ._errors import ChiikimapError, UnknownCategoryError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Category",
    "Taxonomy",
    "default_taxonomy",
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
#: a trailing or embedded parenthetical note: "訪問介護（ホームヘルプ）" → "訪問介護"
_PAREN = re.compile(r"\([^()]*\)")


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
    prev = None
    while prev != part:
        prev, part = part, _PAREN.sub("", part)
    return part.replace(" ", "").strip()


@dataclass(frozen=True)
class Category:
    """One service category of the taxonomy (see ``categories.toml`` for the fields)."""

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

    def display(self, lang: str = "ja") -> str:
        """The label in ``lang`` (``"ja"`` or ``"en"``)."""
        return self.label_en if lang == "en" else self.label


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of :class:`Category` with a classifier for free text.

    Parameters
    ----------
    categories
        Categories in display order.
    name
        Name of the taxonomy, quoted in outputs.
    """

    categories: tuple[Category, ...]
    name: str = "custom"
    _by_key: dict[str, Category] = field(init=False, repr=False, compare=False)
    _exact: dict[str, str] = field(init=False, repr=False, compare=False)
    _contains: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Category] = {}
        exact: dict[str, str] = {}
        contains: list[tuple[str, str]] = []
        for cat in self.categories:
            if cat.key in by_key:
                raise ChiikimapError(f"taxonomy: category key {cat.key!r} is defined twice")
            if cat.marker not in _MARKERS:
                raise ChiikimapError(
                    f"taxonomy: category {cat.key!r} has marker {cat.marker!r}; use one of {_MARKERS}"
                )
            if not (0.0 <= cat.target <= 1.0) or cat.radius_m <= 0:
                raise ChiikimapError(
                    f"taxonomy: category {cat.key!r} needs 0 <= target <= 1 and radius_m > 0"
                )
            by_key[cat.key] = cat
            for n in (cat.key, cat.label, *cat.names):
                exact.setdefault(_base_name(normalize_text(n)), cat.key)
            contains.extend((normalize_text(s).replace(" ", ""), cat.key) for s in cat.contains)
        # longest substring first: "地域密着型通所介護" before "通所介護"; ties keep file order
        contains.sort(key=lambda p: -len(p[0]))
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_contains", tuple(contains))

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

    def label(self, key: str, lang: str = "ja") -> str:
        """Label of ``key`` in ``lang``."""
        return self[key].display(lang)

    def check_keys(self, keys: Iterable[str]) -> list[str]:
        """Return ``keys`` as a list, raising :class:`UnknownCategoryError` for an unknown one."""
        out = list(keys)
        for k in out:
            self[k]
        return out

    # --- classification ---------------------------------------------------------------------------
    def classify_one(self, text: str) -> str | None:
        """The key of one service name, or ``None`` when it is not recognised.

        An exact name (after NFKC, with parenthetical notes removed) wins; otherwise the longest
        ``contains`` substring found in the text decides.
        """
        norm = normalize_text(text)
        if not norm:
            return None
        base = _base_name(norm)
        if base in self._exact:
            return self._exact[base]
        # the name outside parentheses decides first: "介護予防短期入所療養介護（介護老人保健施設）"
        # is a short stay, not a care home; the note is consulted only when the name says nothing
        for text_ in (base, norm.replace(" ", "")):
            for sub, key in self._contains:
                if sub and sub in text_:
                    return key
        return None

    def _part_keys(self, part: str) -> list[str]:
        """Keys of one part; a part joining several services with ``・``, a space, ``&`` or
        ``及び`` (``"訪問介護・通所介護"``) gives each of them.

        A part that is itself a known name (``"定期巡回・随時対応型訪問介護看護"``) stays whole,
        and the part is split only when every piece is recognised; otherwise the whole part
        decides as in :meth:`classify_one`.
        """
        norm = normalize_text(part)
        if _base_name(norm) not in self._exact:
            pieces = _split_joined(norm)
            if len(pieces) > 1:
                keys = [self.classify_one(p) for p in pieces]
                if all(k is not None for k in keys):
                    return list(dict.fromkeys(k for k in keys if k is not None))
        key = self.classify_one(norm)
        return [] if key is None else [key]

    def classify(self, text: str) -> tuple[str, ...]:
        """All keys named in ``text`` (several services separated by ``;``, ``、``, ``/``, or
        joined by ``・``, a space, ``&`` or ``及び`` …).

        Unrecognised parts are ignored here; use :meth:`unclassified` to report them.
        Order follows the text; duplicates are removed.
        """
        keys: dict[str, None] = {}
        for part in split_services(text):
            for key in self._part_keys(part):
                keys.setdefault(key, None)
        return tuple(keys)

    def unclassified(self, text: str) -> list[str]:
        """The parts of ``text`` that no category recognises."""
        return [p for p in split_services(text) if not self._part_keys(p)]

    # --- building ---------------------------------------------------------------------------------
    def extend(self, *categories: Category | Mapping[str, Any]) -> Taxonomy:
        """A new taxonomy with ``categories`` added (or replacing those with the same key)."""
        new = {c.key: c for c in self.categories}
        for c in categories:
            cat = c if isinstance(c, Category) else _category_from_mapping(c)
            new[cat.key] = cat
        return Taxonomy(tuple(new.values()), name=self.name)

    def with_rules(
        self,
        *,
        radius_m: Mapping[str, float] | None = None,
        target: Mapping[str, float] | None = None,
    ) -> Taxonomy:
        """A new taxonomy with per-category radius and/or target overridden."""
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
        return Taxonomy(cats, name=self.name)


def _category_from_mapping(d: Mapping[str, Any]) -> Category:
    required = ("key", "label", "radius_m", "target")
    missing = [k for k in required if k not in d]
    if missing:
        raise ChiikimapError(f"taxonomy: category {dict(d)!r} lacks fields {missing}")
    return Category(
        key=str(d["key"]),
        label=str(d["label"]),
        label_en=str(d.get("label_en", d["key"])),
        group=str(d.get("group", "")),
        radius_m=float(d["radius_m"]),
        target=float(d["target"]),
        color=str(d.get("color", "#555555")),
        marker=str(d.get("marker", "circle")),
        symbol=str(d.get("symbol", "●")),
        names=tuple(str(n) for n in d.get("names", ())),
        contains=tuple(str(n) for n in d.get("contains", ())),
    )


def load_taxonomy(path: str | PathLike[str]) -> Taxonomy:
    """Read a taxonomy from a TOML file with the layout of the bundled ``categories.toml``."""
    p = Path(path)
    with p.open("rb") as fh:
        data = tomllib.load(fh)
    return _from_toml(data, default_name=p.stem)


def _from_toml(data: Mapping[str, Any], default_name: str) -> Taxonomy:
    cats = tuple(_category_from_mapping(d) for d in data.get("category", []))
    if not cats:
        raise ChiikimapError("taxonomy file has no [[category]] tables")
    name = str(data.get("meta", {}).get("name", default_name))
    return Taxonomy(cats, name=name)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy bundled with chiikimap (``chiikimap/categories.toml``)."""
    text = resources.files("chiikimap").joinpath("categories.toml").read_bytes()
    return _from_toml(tomllib.loads(text.decode("utf-8")), default_name="chiikimap default")
