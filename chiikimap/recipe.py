"""A municipality's yearly run in one file: the recipe (``chiikimap run recipe.toml``).

A recipe is a TOML file naming the areas, every resource list with its own reader options, the
population, the analysis options, the municipality's own categories and the outputs. Paths are
relative to the recipe's folder; ``*`` and ``?`` patterns are allowed. :func:`run_recipe` writes
the outputs and ``run.json`` (chiikimap version, the recipe, each input file's SHA-256, the row
counts and the table's totals) so that next year's run can be compared with this one.

Example (the keys the recipe knows; see :data:`KEYS`)::

    title = "焼津市 中学校区別 介護資源の空白・不足"
    [areas]
    path = "中学校区.shp"
    id_col = "item1"
    credit = "焼津市オープンデータ（焼津市）"
    date = "2024-04"
    [[resources]]
    path = "jigyosho_*.csv"
    credit = "介護サービス情報公表システム オープンデータ（厚生労働省）"
    date = "2026-05"
    [analysis]
    merge_within_m = 50
    [output]
    dir = "出力"
    formats = ["html", "xlsx"]
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import _schema as S
from ._errors import ChiikimapError, InputFileError, ParameterError, file_errors
from ._schema import Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["FORMATS", "KEYS", "Recipe", "RecipeRun", "init_recipe", "load_recipe", "run_recipe"]

#: output format → file name pattern
FORMATS: dict[str, str] = {
    "html": "{stem}.html",
    "offline_html": "{stem}_offline.html",
    "pdf": "{stem}.pdf",
    "png": "{stem}.png",
    "xlsx": "{stem}_karte.xlsx",
    "gpkg": "{stem}.gpkg",
    "booklet": "{stem}_booklet.pdf",
    "booklet_html": "{stem}_booklet.html",
}

#: formats written when a recipe names none (the booklets take a while: ask for them)
DEFAULT_FORMATS: tuple[str, ...] = ("html", "offline_html", "pdf", "png", "xlsx", "gpkg")

#: keys of a layer table that describe its source (not reader options)
_SOURCE_KEYS = ("credit", "date", "license", "url", "publisher")

#: reader keywords a recipe cannot give (objects, or set by the recipe itself)
_NOT_FROM_RECIPE = ("path", "taxonomy", "boundaries", "source")

_ANALYSIS_KEYS = (
    "weight",
    "categories",
    "radius_m",
    "target",
    "merge_within_m",
    "metric_crs",
    "taxonomy",
    "network",
)
_OUTPUT_KEYS = ("dir", "formats", "stem", "lang")
#: ``[geocode]``: one reference (and alias table) for every resource list without its own
_GEOCODE_KEYS = ("reference", "aliases", "municipality", "cache")
_PRIORITY_KEYS = ("indicator", "category")
_TOP_KEYS = (
    "title",
    "areas",
    "resources",
    "population",
    "geocode",
    "indicators",
    "analysis",
    "priorities",
    "category",
    "output",
)

#: output formats that also get a priority view per ``[priorities]`` pair (→ file name pattern)
PRIORITY_FORMATS: dict[str, str] = {
    "html": "{stem}.html",
    "offline_html": "{stem}_offline.html",
    "pdf": "{stem}.pdf",
    "png": "{stem}.png",
    "xlsx": "{stem}.xlsx",
}


def _reader_keys(reader: Callable[..., Any], extra: Sequence[str] = ()) -> tuple[str, ...]:
    names = [p for p in inspect.signature(reader).parameters if p not in _NOT_FROM_RECIPE]
    return ("path", *names, *extra, *_SOURCE_KEYS)


def _keys() -> dict[str, tuple[str, ...]]:
    from .io.districts import read_districts
    from .io.population import read_population
    from .io.resources import read_resources
    from .needs import read_indicators
    from .taxonomy import Category

    return {
        "": _TOP_KEYS,
        "areas": _reader_keys(read_districts),
        # medical = true / subjects = [...]: read with read_medical (医療機関 lists)
        "resources": _reader_keys(read_resources, ("medical", "subjects")),
        "population": _reader_keys(read_population, ("boundaries",)),
        "geocode": _GEOCODE_KEYS,
        "indicators": _reader_keys(read_indicators),
        "analysis": _ANALYSIS_KEYS,
        "priorities": _PRIORITY_KEYS,
        "category": tuple(f for f in Category.__dataclass_fields__),
        "output": _OUTPUT_KEYS,
    }


#: table name → the keys it may have ("" is the top level)
KEYS: dict[str, tuple[str, ...]] = _keys()


class RecipeError(InputFileError):
    """A recipe that cannot be used: an unknown key, a wrong value, a file pattern with no match."""


@dataclass
class Recipe:
    """A loaded recipe: its raw tables and the folder its paths are relative to.

    Attributes
    ----------
    path
        The recipe file.
    data
        The TOML tables, as read (unknown keys were refused).
    """

    path: Path
    data: dict[str, Any]

    @property
    def base(self) -> Path:
        """The folder the recipe's paths are relative to."""
        return self.path.parent

    @property
    def title(self) -> str | None:
        """The map title, or ``None``."""
        value = self.data.get("title")
        return None if value is None else str(value)


@dataclass
class RecipeRun:
    """What :func:`run_recipe` produced.

    Attributes
    ----------
    coverage
        The :class:`chiikimap.Coverage` computed.
    outputs
        The files written, in format order.
    run_json
        The ``run.json`` written beside the outputs.
    record
        The content of ``run.json``.
    """

    coverage: Any
    outputs: list[Path] = field(default_factory=list)
    run_json: Path | None = None
    record: dict[str, Any] = field(default_factory=dict)


# --- loading ----------------------------------------------------------------------------------


def _fail(message: str, key: str, path: Path) -> RecipeError:
    return RecipeError(message, path=path, param=key)


def _check_keys(table: Mapping[str, Any], where: str, path: Path) -> None:
    """Refuse a key ``where`` (a table name, "" at the top) does not know; param "table.key"."""
    known = KEYS[where]
    for key in table:
        if key not in known:
            name = f"{where}.{key}" if where else key
            shown = f"[{where}] の {key!r}" if where else repr(key)
            raise _fail(
                f"レシピに知らないキー {shown} があります。使えるキー: {', '.join(known)} / "
                f"unknown recipe key {name!r}; known keys: {', '.join(known)}",
                name,
                path,
            )


def _table(data: Mapping[str, Any], key: str, path: Path, *, array: bool) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    tables = value if isinstance(value, list) else [value]
    if array != isinstance(value, list) or not all(isinstance(t, dict) for t in tables):
        form = f"[[{key}]]" if array else f"[{key}]"
        raise _fail(
            f"{key} は {form} の表で書いてください / {key!r} must be written as {form} tables",
            key,
            path,
        )
    return tables


def _names(value: Any, key: str, path: Path) -> list[str]:
    """A text or a list of texts (``[priorities] indicator``/``category``) as a list."""
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise _fail(
            f"{key} は文字列か文字列のリストで書いてください / {key!r} must be a text or a list "
            "of texts",
            key,
            path,
        )
    return list(values)


def _check_priorities(data: Mapping[str, Any], path: Path) -> None:
    """``[priorities]`` needs ``indicator`` and ``category`` (texts) and an ``[indicators]`` file."""
    table = data.get("priorities")
    if table is None:
        return
    for key in _PRIORITY_KEYS:
        if key not in table:
            raise _fail(
                f"[priorities] に {key} がありません / [priorities] has no {key}",
                f"priorities.{key}",
                path,
            )
        _names(table[key], f"priorities.{key}", path)
    if "indicators" not in data:
        raise _fail(
            "[priorities] には [indicators]（圏域ごとの指標のファイル）が必要です / [priorities] "
            "needs an [indicators] table (the file of indicators per area)",
            "indicators",
            path,
        )


def priority_pairs(recipe: Recipe) -> list[tuple[str, str]]:
    """The (indicator, category) pairs ``[priorities]`` asks for, indicator by indicator."""
    table = recipe.data.get("priorities")
    if not table:
        return []
    indicators = _names(table["indicator"], "priorities.indicator", recipe.path)
    categories = _names(table["category"], "priorities.category", recipe.path)
    return [(i, c) for i in indicators for c in categories]


def load_recipe(path: str | Path) -> Recipe:
    """Read and check a recipe file.

    Parameters
    ----------
    path
        The recipe (TOML, UTF-8).

    Returns
    -------
    Recipe
        The recipe; its paths are not resolved yet (:func:`run_recipe` does that).

    Raises
    ------
    chiikimap.InputFileError
        The file cannot be read or is not TOML; or (as ``RecipeError``, whose ``param`` is the
        recipe key) a key is unknown (the message lists the known ones), a required table
        (``[areas]``, ``[[resources]]``) is missing or an output format is unknown.
    """
    p = Path(path)
    with file_errors(p, param="path"):
        raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RecipeError(
            f"レシピを TOML として読めません（{exc}） / the recipe is not valid TOML: {exc}", path=p
        ) from None
    _check_keys(data, "", p)
    shorthand = data.get("geocode")
    if isinstance(shorthand, (str, list)):  # geocode = ["…zip"]: the references of every list
        data["geocode"] = {"reference": shorthand}
    areas = _table(data, "areas", p, array=False)
    resources = _table(data, "resources", p, array=True)
    if not areas or not resources:
        missing = "areas" if not areas else "resources"
        raise _fail(
            f"レシピに [areas] と [[resources]] が必要です（{missing} がありません） / a recipe "
            f"needs [areas] and [[resources]] ({missing} is missing)",
            missing,
            p,
        )
    for name in ("population", "geocode", "indicators", "analysis", "priorities", "output"):
        for table in _table(data, name, p, array=False):
            _check_keys(table, name, p)
    _check_priorities(data, p)
    for name in ("areas", "resources", "indicators", "category"):
        for table in _table(data, name, p, array=name in ("resources", "category")):
            _check_keys(table, name, p)
            if name != "category" and "path" not in table:
                raise _fail(
                    f"[{name}] に path がありません / [{name}] has no path", f"{name}.path", p
                )
    formats = data.get("output", {}).get("formats", list(DEFAULT_FORMATS))
    for fmt in formats if isinstance(formats, list) else [formats]:
        if fmt not in FORMATS:
            raise _fail(
                f"出力形式 {fmt!r} は使えません。使える形式: {', '.join(FORMATS)} / unknown output "
                f"format {fmt!r}; choose from {', '.join(FORMATS)}",
                "output.formats",
                p,
            )
    return Recipe(path=p, data=data)


# --- running ----------------------------------------------------------------------------------


def _files(recipe: Recipe, pattern: str, key: str) -> list[Path]:
    """The files of a ``path`` value: one file, or every match of a ``*``/``?`` pattern."""
    if any(ch in pattern for ch in "*?["):
        found = sorted(p for p in recipe.base.glob(pattern) if p.is_file())
        if not found:
            raise _fail(
                f"{pattern!r} に当てはまるファイルがありません（{recipe.base} から探しました） / "
                f"no file matches {pattern!r} (relative to the recipe's folder)",
                key,
                recipe.path,
            )
        return found
    found_one = recipe.base / pattern
    if not found_one.is_file():
        raise _fail(
            f"ファイル {pattern!r} がありません（レシピのフォルダからの相対パス） / no such file "
            f"{pattern!r} (paths are relative to the recipe's folder)",
            key,
            recipe.path,
        )
    return [found_one]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _set_sources(layer: gpd.GeoDataFrame, entry: Mapping[str, Any], files: list[Path]) -> None:
    """Give the sources the reader recorded the recipe's credit and date (and the layer tag)."""
    given = {k: str(entry[k]) for k in _SOURCE_KEYS if k in entry}
    reports = S.read_reports(layer) or [S.ReadReport().to_attrs()]
    recorded = [Source.from_dict(s) for rep in reports for s in rep.get("sources", [])]
    if not recorded:
        recorded = [Source(title="・".join(f.name for f in files))]
    if given:
        recorded = [replace(s, **given) for s in dict.fromkeys(recorded)]
    reports = [{**rep, "sources": []} for rep in reports]
    reports[0]["sources"] = [s.to_dict() for s in dict.fromkeys(recorded)]
    layer.attrs[S.ATTRS_KEY] = reports


def _options(entry: Mapping[str, Any]) -> dict[str, Any]:
    skip = (
        "path",
        "boundaries",
        "geocode",
        "address_aliases",
        "medical",
        "subjects",
        *_SOURCE_KEYS,
    )
    return {k: v for k, v in entry.items() if k not in skip}


def _read_layer(
    recipe: Recipe, name: str, entry: Mapping[str, Any], reader: Callable[..., Any], **extra: Any
) -> tuple[gpd.GeoDataFrame, list[Path]]:
    files = _files(recipe, str(entry["path"]), f"{name}.path")
    arg: Any = files[0] if len(files) == 1 else files
    options = {**_options(entry), **extra}
    try:
        layer = reader(arg, **options)
    except ChiikimapError as exc:
        # the recipe key of the problem: "resources.name_col" (the CLI names it in its hint)
        exc.params = tuple(p if "." in p else f"{name}.{p}" for p in exc.params)
        exc.param = exc.params[0] if exc.params else f"{name}.path"
        if not exc.params:
            exc.params = (exc.param,)
        raise
    _set_sources(layer, entry, files)
    return layer, files


def _taxonomy(recipe: Recipe) -> Any:
    from .taxonomy import default_taxonomy, load_taxonomy

    analysis = recipe.data.get("analysis", {})
    tax = (
        load_taxonomy(recipe.base / str(analysis["taxonomy"]))
        if "taxonomy" in analysis
        else default_taxonomy()
    )
    own = recipe.data.get("category", [])
    if not own:
        return tax
    try:
        tax = tax.extend(*own)
    except ChiikimapError as exc:
        raise _fail(str(exc), "category", recipe.path) from None
    # the municipality's own names win: 「サロン」 named by a [[category]] is no longer 通いの場
    keys = {str(c["key"]) for c in own}
    names = {str(n) for c in own for n in c.get("names", ())}
    cats = tuple(
        c if c.key in keys else replace(c, names=tuple(n for n in c.names if n not in names))
        for c in tax.categories
    )
    return type(tax)(cats, name=tax.name, domains=tax.domains)


def _row_counts(layer: gpd.GeoDataFrame | None) -> dict[str, int]:
    if layer is None:
        return {}
    everything = S.rejected_rows(layer)
    rejected = S.rejected_rows(layer, merged=False)
    n_read = sum(int(rep.get("n_read", 0) or 0) for rep in S.read_reports(layer))
    return {
        "read": n_read,
        "kept": len(layer),
        "rejected": len(rejected),
        "merged": len(everything) - len(rejected),
    }


@dataclass
class _Geocoding:
    """The references (read once each) and alias tables of a recipe's resource lists."""

    recipe: Recipe
    inputs: list[tuple[str, Path]]
    references: dict[tuple[Path, ...], Any] = field(default_factory=dict)
    aliases: dict[Path, dict[str, str]] = field(default_factory=dict)

    def _reference(self, value: Any, key: str) -> Any:
        from .io.reference import read_reference

        top = self.recipe.data.get("geocode", {})
        patterns = value if isinstance(value, list) else [value]
        files = tuple(f for pattern in patterns for f in _files(self.recipe, str(pattern), key))
        if files not in self.references:
            try:
                self.references[files] = read_reference(
                    list(files),
                    municipality=top.get("municipality"),
                    cache=bool(top.get("cache", False)),
                )
            except ChiikimapError as exc:
                exc.param, exc.params = key, (key,)
                raise
            self.inputs += [("reference", f) for f in files if ("reference", f) not in self.inputs]
        return self.references[files]

    def _aliases(self, value: Any, key: str) -> dict[str, str] | None:
        from .io.aliases import resolve_aliases

        try:
            if not isinstance(value, str):
                return resolve_aliases(value)
            path = _files(self.recipe, value, key)[0]
            if path not in self.aliases:
                self.aliases[path] = resolve_aliases(path) or {}
                self.inputs.append(("aliases", path))
            return self.aliases[path]
        except ChiikimapError as exc:
            exc.param, exc.params = key, (key,)
            raise

    def options(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """``geocode=``, ``address_aliases=`` and ``geocode_municipality=`` of one
        ``[[resources]]`` table, resolved.

        The table's own ``geocode``/``address_aliases`` win over ``[geocode]``'s ``reference``/
        ``aliases``; paths are relative to the recipe.
        """
        top = self.recipe.data.get("geocode", {})
        own = "geocode" in entry
        refs = entry["geocode"] if own else top.get("reference")
        if refs is None:
            return {"geocode": None, "address_aliases": None}
        ref = self._reference(refs, "resources.geocode" if own else "geocode.reference")
        municipality = self._municipality(ref, top.get("municipality"))
        if "address_aliases" in entry:
            aliases = self._aliases(entry["address_aliases"], "resources.address_aliases")
        elif "aliases" in top:
            aliases = self._aliases(top["aliases"], "geocode.aliases")
        else:
            aliases = None
        return {"geocode": ref, "address_aliases": aliases, "geocode_municipality": municipality}

    @staticmethod
    def _municipality(ref: Any, name: Any) -> str | None:
        """``[geocode] municipality``, checked against the reference (for addresses naming none)."""
        from .geocode import _default_index

        if name is None:
            return None
        try:
            _default_index(ref, str(name))
        except ChiikimapError as exc:
            exc.param, exc.params = "geocode.municipality", ("geocode.municipality",)
            raise
        return str(name)


#: the reason of a row read_resources(geocode=...) could not place starts so
_UNMATCHED = "座標がなく、住所を照合できません"


def _resource_reader(
    recipe: Recipe, entry: Mapping[str, Any], inputs: list[tuple[str, Path]]
) -> tuple[Callable[..., Any], dict[str, Any]]:
    """read_resources, or read_medical (with its 診療科目 files) for ``medical``/``subjects``."""
    from .io.medical import read_medical
    from .io.resources import read_resources

    if not entry.get("medical") and "subjects" not in entry:
        return read_resources, {}
    given = entry.get("subjects", [])
    patterns = given if isinstance(given, list) else [given]
    files = [f for p in patterns for f in _files(recipe, str(p), "resources.subjects")]
    inputs += [("subjects", f) for f in files]
    return read_medical, ({"subjects": files} if files else {})


def _geocode_counts(layer: gpd.GeoDataFrame, path: str) -> dict[str, Any]:
    """How the rows of one resource table were placed: per geocode level, given, unmatched."""
    levels: dict[str, int] = {}
    if "geocode_level" in layer.columns:
        counts = layer["geocode_level"].fillna("元の座標 / given").value_counts()
        levels = {str(k): int(v) for k, v in counts.items()}
    rejected = S.rejected_rows(layer, merged=False)
    unmatched = int(rejected["reason"].astype(str).str.startswith(_UNMATCHED).sum())
    return {"path": path, "levels": levels, "unmatched": unmatched}


def _read_all(
    recipe: Recipe, tax: Any, geocoded: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    """Read every layer of the recipe; ``geocoded`` (if given) gets each resource table's counts."""
    from ._identity import merge_resources
    from .io.districts import read_districts
    from .io.population import read_population

    data = recipe.data
    inputs: list[tuple[str, Path]] = []
    areas, files = _read_layer(recipe, "areas", data["areas"], read_districts)
    inputs += [("areas", f) for f in files]
    lists = []
    coding = _Geocoding(recipe, inputs)
    for entry in data["resources"]:
        coded = coding.options(entry)
        reader, medical = _resource_reader(recipe, entry, inputs)
        layer, files = _read_layer(
            recipe, "resources", entry, reader, taxonomy=tax, **coded, **medical
        )
        lists.append(layer)
        inputs += [("resources", f) for f in files]
        if geocoded is not None and coded["geocode"] is not None:
            geocoded.append(_geocode_counts(layer, str(entry["path"])))
    within = float(data.get("analysis", {}).get("merge_within_m", 50.0))
    resources = lists[0] if len(lists) == 1 else merge_resources(lists, within_m=within)
    population = None
    entry = data.get("population")
    if entry:
        extra: dict[str, Any] = {}
        if "boundaries" in entry:
            bfiles = _files(recipe, str(entry["boundaries"]), "population.boundaries")
            extra["boundaries"] = gpd.read_file(bfiles[0])
            inputs += [("population", bfiles[0])]
        elif entry.get("kind") == "table" or ("id_col" in entry and "kind" not in entry):
            extra.update(kind="table", boundaries=areas)
        population, files = _read_layer(recipe, "population", entry, read_population, **extra)
        inputs += [("population", f) for f in files]
    layers = {"areas": areas, "resources": resources, "population": population}
    if data.get("indicators"):
        layers["indicators"], files = _read_indicators(recipe)
        inputs += [("indicators", f) for f in files]
    return layers, inputs


def _read_indicators(recipe: Recipe) -> tuple[Any, list[Path]]:
    """``[indicators]``: one table of indicators per area (:func:`chiikimap.read_indicators`)."""
    from .needs import read_indicators

    entry = recipe.data["indicators"]
    files = _files(recipe, str(entry["path"]), "indicators.path")
    if len(files) != 1:
        raise _fail(
            f"[indicators] の path はファイル 1 つです（{len(files)} 件が当てはまりました） / "
            f"[indicators] path names one file ({len(files)} match)",
            "indicators.path",
            recipe.path,
        )
    return _read_layer(recipe, "indicators", entry, read_indicators)


def _analysis_options(recipe: Recipe) -> dict[str, Any]:
    analysis = recipe.data.get("analysis", {})
    return {
        k: analysis[k]
        for k in ("weight", "categories", "radius_m", "target", "metric_crs")
        if k in analysis
    }


def _read_network(recipe: Recipe, areas: gpd.GeoDataFrame, tax: Any) -> tuple[Any, Path]:
    """``[analysis] network``: the street network, clipped to the areas plus the largest radius.

    The parsed network is cached next to the file (``<file>.chiikimap-network.npz``, reused while
    its SHA-256 is unchanged); ``run.json`` lists the file with its size and SHA-256.
    """
    from .io.network import CLIP_MARGIN_M, read_network

    analysis = recipe.data["analysis"]
    files = _files(recipe, str(analysis["network"]), "analysis.network")
    if len(files) != 1:
        raise _fail(
            "道路網 (network) はファイル 1 つです / network names one file",
            "analysis.network",
            recipe.path,
        )
    given = analysis.get("radius_m", {})
    radii = list(given.values()) if isinstance(given, Mapping) else [given]
    margin = max([CLIP_MARGIN_M, *(float(c.radius_m) for c in tax), *map(float, radii)])
    try:
        net = read_network(files[0], clip_to=areas, margin_m=margin, cache=True)
    except ChiikimapError as exc:
        exc.param, exc.params = "analysis.network", ("analysis.network",)
        raise
    return net, files[0]


def _write(coverage: Any, fmt: str, path: Path, title: str | None, lang: str) -> None:
    titled: dict[str, Any] = {"title": title} if title else {}
    if fmt in ("html", "offline_html"):
        coverage.save_html(path, offline=fmt == "offline_html", lang=lang, **titled)
    elif fmt in ("png", "pdf"):
        coverage.save_static(path, lang=lang, **titled)
    elif fmt == "xlsx":
        coverage.to_excel(path)
    elif fmt in ("booklet", "booklet_html"):
        coverage.to_booklet(path)
    else:
        coverage.to_geopackage(path)


def _checked_pairs(rec: Recipe, coverage: Any) -> list[tuple[str, str]]:
    """``[priorities]`` pairs, each checked against the run (an error names the recipe key).

    A run without indicators (``chiikimap batch`` reads none) has no priority view.
    """
    if coverage.indicators is None:
        return []
    pairs = priority_pairs(rec)
    for indicator, category in pairs:
        try:
            coverage.priorities(indicator, category)
        except ChiikimapError as exc:
            exc.params = tuple(f"priorities.{p}" for p in exc.params) or ("priorities",)
            exc.param = exc.params[0]
            raise
    return pairs


def _write_priorities(
    coverage: Any,
    pairs: Sequence[tuple[str, str]],
    folder: Path,
    stem: str,
    kinds: Sequence[str],
    lang: str,
    say: Callable[[str], None],
) -> list[Path]:
    """The priority view of each pair in each of ``kinds`` that has one (:data:`PRIORITY_FORMATS`).

    Files: ``<stem>_priority_<category>`` (``…_<category>_<n>`` for the n-th of several
    indicators) + ``.html``, ``_offline.html``, ``.pdf``, ``.png``, ``.xlsx`` (the 圏域カルテ
    with the sheet 「優先圏域」).
    """
    from .maps.needs import save_priority_html, save_priority_static
    from .needs import priority_to_excel

    indicators = list(dict.fromkeys(i for i, _ in pairs))
    written: list[Path] = []
    for indicator, category in pairs:
        n = f"_{indicators.index(indicator) + 1}" if len(indicators) > 1 else ""
        name = f"{stem}_priority_{category}{n}"
        for fmt in (k for k in kinds if k in PRIORITY_FORMATS):
            path = folder / PRIORITY_FORMATS[fmt].format(stem=name)
            say(f"書き出し中 / writing {path}")
            with file_errors(path, writing=True, param="output.dir"):
                if fmt in ("html", "offline_html"):
                    offline = fmt == "offline_html"
                    save_priority_html(
                        coverage, path, indicator, category, offline=offline, lang=lang
                    )
                elif fmt == "xlsx":
                    priority_to_excel(coverage, path, indicator, category)
                else:
                    save_priority_static(coverage, path, indicator, category, lang=lang)
            written.append(path)
    return written


def _jsonable(value: Any) -> Any:
    """Numbers, text, lists and dicts only (NaN becomes ``None``)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def input_entries(recipe: Recipe, inputs: list[tuple[str, Path]]) -> list[dict[str, Any]]:
    """``run.json``'s ``inputs``: each file's layer, path (relative to the recipe), size, SHA-256."""
    return [
        {
            "layer": layer,
            "path": str(p.relative_to(recipe.base)) if p.is_relative_to(recipe.base) else str(p),
            "bytes": p.stat().st_size,
            "sha256": _sha256(p),
        }
        for layer, p in inputs
    ]


def _record(
    recipe: Recipe,
    coverage: Any,
    layers: Mapping[str, Any],
    inputs: list[dict[str, Any]],
    outputs: list[Path],
    geocoded: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    from . import _version

    info = coverage.info
    summary = coverage.summary()
    record: dict[str, Any] = _jsonable(
        {
            "chiikimap_version": _version.version(),
            "created": info.created,
            "recipe_file": recipe.path.name,
            "recipe": recipe.data,
            "inputs": inputs,
            "rows": {
                name: _row_counts(layer) for name, layer in layers.items() if layer is not None
            },
            "sources": [{**s.to_dict(), "attribution": s.attribution} for s in info.sources],
            "totals": {
                "areas": len(coverage.areas),
                "resources": len(coverage.resources),
                "basis": info.basis,
                "weight": info.weight,
                "weight_inside": info.weight_inside,
                "weight_outside": info.weight_outside,
                "distance": info.distance,
                "network_date": info.network_date,
                "categories": summary.to_dict(orient="records"),
            },
            "outputs": [p.name for p in outputs],
        }
    )
    if geocoded:
        record["geocode"] = _jsonable(_geocode_record(coverage, inputs, geocoded))
    return record


def _geocode_record(
    coverage: Any, inputs: list[dict[str, Any]], tables: list[dict[str, Any]]
) -> dict[str, Any]:
    """run.json's ``geocode``: references and alias tables used, rows placed per level."""
    res = coverage.resources
    levels: dict[str, int] = {}
    if "geocode_level" in res.columns:
        counts = res["geocode_level"].fillna("元の座標 / given").value_counts()
        levels = {str(k): int(v) for k, v in counts.items()}
    return {
        "references": [i["path"] for i in inputs if i["layer"] == "reference"],
        "aliases": [i["path"] for i in inputs if i["layer"] == "aliases"],
        "tables": tables,
        "resources": levels,
    }


def output_plan(
    rec: Recipe, out_dir: str | Path | None, formats: Sequence[str] | None
) -> tuple[Path, list[str]]:
    """The output folder and the checked formats of a run: the arguments, else ``[output]``."""
    output = rec.data.get("output", {})
    folder = Path(out_dir) if out_dir is not None else rec.base / str(output.get("dir", "出力"))
    kinds = list(formats if formats is not None else output.get("formats", list(DEFAULT_FORMATS)))
    for fmt in kinds:
        if fmt not in FORMATS:
            raise ParameterError(
                f"出力形式 {fmt!r} は使えません / unknown format {fmt!r}; choose from {list(FORMATS)}",
                param="formats",
            )
    return folder, kinds


def run_recipe(
    recipe: Recipe | str | Path,
    *,
    out_dir: str | Path | None = None,
    formats: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecipeRun:
    """Read every file of a recipe, analyse, and write the outputs and ``run.json``.

    Parameters
    ----------
    recipe
        A :class:`Recipe` or the path of a recipe file.
    out_dir
        Output folder instead of the recipe's ``[output] dir`` (relative to the current folder).
    formats
        Output formats instead of the recipe's ``[output] formats`` (keys of :data:`FORMATS`).
    progress
        Called with one line of text before each stage (the command line prints it).

    Returns
    -------
    RecipeRun
        The coverage, the files written and the ``run.json`` record.

    Raises
    ------
    chiikimap.ChiikimapError
        A recipe problem (``param`` is the recipe key, e.g. ``"resources.path"``) or any error of
        the readers, :func:`chiikimap.merge_resources`, :func:`chiikimap.analyze` or the writers.
    """
    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    say = progress or (lambda _text: None)
    folder, kinds = output_plan(rec, out_dir, formats)
    tax = _taxonomy(rec)
    say("ファイルを読み込み中 / reading the files")
    geocoded: list[dict[str, Any]] = []
    layers, inputs = _read_all(rec, tax, geocoded)
    entries = input_entries(rec, inputs)
    return analyse_and_write(rec, tax, layers, entries, folder, kinds, say, geocoded)


def analyse_and_write(
    rec: Recipe,
    tax: Any,
    layers: Mapping[str, Any],
    inputs: list[dict[str, Any]],
    folder: Path,
    kinds: Sequence[str],
    say: Callable[[str], None],
    geocoded: list[dict[str, Any]] | None = None,
) -> RecipeRun:
    """Analyse the layers read from a recipe, write its outputs and ``run.json`` in ``folder``.

    ``geocoded`` holds each geocoded resource table's rows per level (``run.json``'s ``geocode``).
    """
    from .coverage import analyze

    output = rec.data.get("output", {})
    options = _analysis_options(rec)
    if "network" in rec.data.get("analysis", {}):
        say("道路網を読み込み中 / reading the street network")
        options["network"], path = _read_network(rec, layers["areas"], tax)
        inputs = [*inputs, *input_entries(rec, [("network", path)])]
    say("計算中 / analysing")
    coverage = analyze(
        layers["areas"],
        layers["resources"],
        layers["population"],
        taxonomy=tax,
        indicators=layers.get("indicators"),
        **options,
    )
    pairs = _checked_pairs(rec, coverage)
    with file_errors(folder, writing=True, param="output.dir"):
        folder.mkdir(parents=True, exist_ok=True)
    stem = str(output.get("stem", "chiikimap"))
    lang = str(output.get("lang", "ja"))
    written: list[Path] = []
    for fmt in kinds:
        path = folder / FORMATS[fmt].format(stem=stem)
        say(f"書き出し中 / writing {path}")
        with file_errors(path, writing=True, param="output.dir"):
            _write(coverage, fmt, path, rec.title, lang)
        written.append(path)
    written += _write_priorities(coverage, pairs, folder, stem, kinds, lang, say)
    record = _record(rec, coverage, layers, inputs, written, geocoded)
    run_json = folder / "run.json"
    with file_errors(run_json, writing=True, param="output.dir"):
        run_json.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return RecipeRun(coverage=coverage, outputs=written, run_json=run_json, record=record)


# --- init -------------------------------------------------------------------------------------

#: suffixes ``init`` looks at (a shapefile is named by its .shp)
_DATA_SUFFIXES = (
    ".csv",
    ".xlsx",
    ".xlsm",
    ".geojson",
    ".json",
    ".topojson",
    ".shp",
    ".gpkg",
    ".txt",
    ".zip",
)


def _toml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _recognise(path: Path) -> tuple[str, pd.DataFrame | None, dict[str, str]]:
    """The layer ``path`` reads as (first reader that accepts it), and each reader's refusal."""
    import warnings

    from .io.districts import read_districts
    from .io.population import read_population
    from .io.resources import read_resources

    refusals: dict[str, str] = {}
    for name, reader in (
        ("areas", read_districts),
        ("resources", read_resources),
        ("population", read_population),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return name, reader(path), refusals
            except Exception as exc:  # a reader's refusal (or bug) must not stop the template
                text = str(exc).strip() or type(exc).__name__
                # the Japanese half of the first line, without the file name the reader prefixes
                first = text.splitlines()[0].split(" / ")[0].replace(f"{path}: ", "")
                refusals[name] = first[:160]
    address_only = _address_only(path)
    if address_only is not None:
        reports = S.read_reports(address_only)
        if "lat" in ((reports[0].get("columns", {}) or {}) if reports else {}):
            # a list WITH coordinates refused for its category column: the refusal says so
            return "", None, refusals
        return "address_only", address_only, refusals
    indicators = _indicator_table(path, refusals)
    if indicators is not None:
        return "indicators", indicators, refusals
    return "", None, refusals


def _indicator_table(path: Path, refusals: dict[str, str]) -> pd.DataFrame | None:
    """A CSV/xlsx no layer reader took, read as a table of indicators per area, else ``None``."""
    import warnings

    from .needs import read_indicators

    if path.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm"):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read_indicators(path)
        except Exception as exc:  # a refusal must not stop the template
            text = str(exc).strip() or type(exc).__name__
            refusals["indicators"] = text.splitlines()[0].split(" / ")[0][:160]
            return None


def _priority_lines(layer: pd.DataFrame) -> list[str]:
    """A commented ``[priorities]`` naming the share columns of an indicator table."""
    from .needs import indicator_kinds

    shares = [k for k, v in indicator_kinds(layer).items() if v["kind"] == "share"]
    if not shares:
        return []
    return [
        "",
        "# 優先圏域の地図・表を作るなら # を外します / for the priority view, uncomment:",
        "# [priorities]",
        f"# indicator = {_toml_text(shares[0])}  # 割合の列: {'・'.join(shares)}",
        '# category = ["kayoi_no_ba"]',
    ]


def _address_only(path: Path) -> gpd.GeoDataFrame | None:
    """The file read as a list with a fixed category (addresses or coordinates), else ``None``."""
    import warnings

    from .io.reference import Reference
    from .io.resources import read_resources

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layer = read_resources(path, category="kayoi_no_ba", geocode=Reference())
        except Exception:  # not a list at all: the refusals say why
            return None
    reports = S.read_reports(layer)
    columns = (reports[0].get("columns", {}) or {}) if reports else {}
    return layer if "address" in columns or "lat" in columns else None


def _address_only_lines(rel: str, layer: gpd.GeoDataFrame) -> list[str]:
    """A commented entry for a list with addresses but no coordinates: geocode it."""
    n_rows = len(S.rejected_rows(layer, merged=False)) + len(layer)
    return [
        f"# {rel}: 座標の列がなく住所の列があります（{n_rows} 行）。住所から位置を付けるには、",
        "# 参照データ（位置参照情報・アドレス・ベース・レジストリ・Geolonia 住所データ）を",
        "# [geocode] の reference に書くか、この表に geocode = [...] を書いて # を外します。",
        f"# {rel}: an address list without coordinates — geocode it offline from a reference",
        "[[resources]]",
        f"path = {_toml_text(rel)}",
        '# category = "kayoi_no_ba"        # 種別の列がなければ種別キーを指定',
        '# geocode = ["27000-17.0b.zip"]   # この一覧だけの参照データ（[geocode] より優先）',
        '# address_aliases = "aliases.csv" # 住所の別表記の表（1列目: 表記、2列目: 参照データの表記）',
        *_source_lines(layer),
    ]


def _refused_lines(rel: str, refusals: Mapping[str, str]) -> list[str]:
    """Comment lines for a file no reader accepted, with a commented entry to complete."""
    lines = [f"# {rel}: 読めませんでした / not recognised"]
    lines += [f"#   {kind}: {why}" for kind, why in refusals.items()]
    suffix = Path(rel).suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        lines += [
            "# 資源一覧なら、列名か種別キーを書いて # を外します / for a resource list:",
            "# [[resources]]",
            f"# path = {_toml_text(rel)}",
            '# name_col = "名称"            # 名称の列',
            '# category_col = "種別"        # 種別の列 / the category column',
            '# category = "kayoi_no_ba"     # 種別の列がないときの種別キー / or one fixed category',
            '# credit = ""',
        ]
    else:
        lines += [
            "# 圏域なら [areas] の path をこのファイルにして id_col・name_col を書きます / "
            "for the areas: set [areas] path, id_col and name_col",
        ]
    return lines


def _source_lines(layer: pd.DataFrame) -> list[str]:
    sources = S.sources_of(layer)
    credit = sources[0].attribution if sources else ""
    date = sources[0].date if sources else ""
    return [
        f"credit = {_toml_text(credit)}" + ("" if credit else "  # 出典の表記を記入 / credit line"),
        f"date = {_toml_text(date)}" + ("" if date else "  # データ時点 (例 2026-04) / data date"),
    ]


def _entry_lines(kind: str, rel: str, layer: pd.DataFrame) -> list[str]:
    reports = S.read_reports(layer)
    layout = str(reports[0].get("layout", "")) if reports else ""
    n_rejected = len(S.rejected_rows(layer, merged=False))
    head = "[[resources]]" if kind == "resources" else f"[{kind}]"
    lines = [
        f"# {rel}: {len(layer)} 件を読み込み、{n_rejected} 行を除外"
        + (f"（形式: {layout}）" if layout else ""),
        head,
        f"path = {_toml_text(rel)}",
    ]
    if kind == "resources" and reports:
        columns = reports[0].get("columns", {}) or {}
        if "category" not in columns:
            lines.append('# category = "kayoi_no_ba"  # 種別の列がなければ種別キーを指定')
    if kind == "indicators":
        return lines + _source_lines(layer) + _priority_lines(layer)
    return lines + _source_lines(layer)


_TEMPLATE_HEAD = """\
# chiikimap のレシピ / chiikimap recipe — `chiikimap run {name}` で地図と表を作ります。
# パスはこのファイルのフォルダからの相対パス。* で複数ファイルを指定できます。
# 各ファイルの読み込みオプション (name_col, lat_col, category, category_col, encoding, sheet …) は
# その表に書きます。知らないキーはエラーになります。
title = {title}
"""

_GEOCODE_TEMPLATE = """
# 住所だけの一覧に位置を付ける参照データ（オフライン）。ダウンロードしたファイルをこのフォルダに置き、
# # を外します。町丁目の代表点に置いた資源は地図で白抜き（概略位置）になります。
# Reference data to place address-only lists offline (paths relative to this recipe):
# [geocode]
# reference = ["27000-17.0b.zip"]  # 位置参照情報 / アドレス・ベース・レジストリ / Geolonia (複数可)
# aliases = "aliases.csv"          # 住所の別表記: 1列目 一覧での表記, 2列目 参照データの表記
# cache = true                     # 参照データの索引を保存して次回から再利用
"""

_GEOCODE_HINT = """
# 座標のない住所だけの一覧は [geocode] reference = ["…zip"] で位置を付けられます（README 参照）。
"""

_TEMPLATE_TAIL = """
[analysis]
# weight = "pop_65plus"          # 人口がなければ "area"（面積基準）
# categories = ["kayoi_no_ba"]   # 資源が1件もなくても表に出す種別
# radius_m = {{ kayoi_no_ba = 600 }}
# target = {{ kayoi_no_ba = 0.8 }}
merge_within_m = 50              # 別のファイルの同じ施設とみなす距離 (m)
{indicators}
# 市町村独自の種別 / a category of the municipality's own:
# [[category]]
# key = "salon"
# label = "ふれあいいきいきサロン"
# group = "一般介護予防"
# radius_m = 800
# target = 0.8
# names = ["サロン"]

[output]
dir = "出力"
formats = {formats}  # gpkg: chiikimap compare で前回の出力と比べるのに必要
"""

#: the commented [indicators]/[priorities] template, written when no indicator table was found
#: (a table found gets its own entry and suggestion instead: one [indicators] per recipe)
_INDICATORS_TEMPLATE = """
# 圏域ごとの指標（ニーズ調査の結果・認定者数など） / indicators per area (optional):
# [indicators]
# path = "ニーズ調査_圏域別.csv"   # 1 行が 1 圏域、割合 (18.5 / 18.5% / 0.185) や人数の列
# name_col = "日常生活圏域"        # 圏域名の列（または id_col = 圏域 ID の列）
# credit = "介護予防・日常生活圏域ニーズ調査（○○市）"
# date = "2022"                    # 調査年
#
# 優先圏域（届かない該当者の多い順）の地図・表を作る / priority view of indicator × category:
# [priorities]
# indicator = "閉じこもり傾向"      # [indicators] の割合の列（複数ならリスト）
# category = ["kayoi_no_ba"]       # 種別キー（複数可）。formats の html・offline_html・pdf・png・xlsx
#                                  # ごとに chiikimap_priority_<種別>.* を書きます
"""

#: the formats of the recipe ``init`` writes: the maps, the 圏域カルテ and the GeoPackage that
#: ``chiikimap compare`` reads back (the print maps and booklets take longer: ask for them)
INIT_FORMATS: tuple[str, ...] = ("html", "offline_html", "xlsx", "gpkg")


def init_recipe(
    folder: str | Path, *, path: str | Path | None = None, overwrite: bool = False
) -> tuple[Path, dict[str, list[str]]]:
    """Inspect the files in ``folder`` and write a commented template recipe for them.

    Parameters
    ----------
    folder
        The folder with the municipality's files.
    path
        The recipe to write (default ``folder/recipe.toml``).
    overwrite
        Replace an existing recipe (default: refuse).

    Returns
    -------
    tuple of (Path, dict)
        The recipe written, and the file names recognised per layer (``"areas"``,
        ``"resources"``, ``"population"``, ``"indicators"`` — a CSV/xlsx no layer reader takes,
        read by :func:`chiikimap.read_indicators`, the first one only — ``"unrecognised"``).

    Raises
    ------
    chiikimap.InputFileError
        ``folder`` is not a folder, or the recipe exists and ``overwrite`` is false.
    """
    base = Path(folder)
    if not base.is_dir():
        raise InputFileError("フォルダがありません / no such folder", path=base, param="folder")
    target = Path(path) if path is not None else base / "recipe.toml"
    if target.exists() and not overwrite:
        raise InputFileError(
            "レシピがすでにあります。上書きしないよう止めました / the recipe already exists; "
            "not overwritten",
            path=target,
            param="path",
        )
    found: dict[str, list[str]] = {
        "areas": [],
        "resources": [],
        "population": [],
        "indicators": [],
        "unrecognised": [],
    }
    blocks: dict[str, list[str]] = {
        "areas": [],
        "resources": [],
        "population": [],
        "indicators": [],
    }
    refused: list[str] = []
    geocoding = False
    for file in sorted(p for p in base.iterdir() if p.suffix.lower() in _DATA_SUFFIXES):
        rel = file.name
        kind, layer, refusals = _recognise(file)
        if kind == "address_only" and layer is not None:
            found["resources"].append(rel)
            blocks["resources"] += ["", *_address_only_lines(rel, layer)]
            geocoding = True
            continue
        if layer is None or (kind != "resources" and blocks[kind]):
            found["unrecognised"].append(rel)
            refused += ["", *_refused_lines(rel, refusals)]
            continue
        found[kind].append(rel)
        blocks[kind] += ["", *_entry_lines(kind, rel, layer)]
    text = _TEMPLATE_HEAD.format(
        name=target.name, title=_toml_text(f"{base.name} 介護資源の空白・不足")
    )
    if not blocks["areas"]:
        blocks["areas"] = [
            "",
            "[areas]  # 圏域ファイルが見つかりません / no area file found",
            'path = ""',
        ]
    if not blocks["resources"]:
        blocks["resources"] = [
            "",
            "[[resources]]  # 資源一覧が見つかりません / no resource list",
            'path = ""',
        ]
    for kind in ("areas", "resources", "population", "indicators"):
        text += "\n".join(blocks[kind]) + "\n"
    text += _GEOCODE_TEMPLATE if geocoding else _GEOCODE_HINT
    text += "\n".join(refused) + "\n"
    text += _TEMPLATE_TAIL.format(
        formats=_toml_text_list(INIT_FORMATS),
        indicators="" if blocks["indicators"] else _INDICATORS_TEMPLATE,
    )
    with file_errors(target, writing=True, param="path"):
        target.write_text(text, encoding="utf-8")
    return target, found


def _toml_text_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_text(v) for v in values) + "]"
