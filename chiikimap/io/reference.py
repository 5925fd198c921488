"""Readers of address reference files for offline geocoding, and the lookup index they build.

Formats read as downloaded (a ``.zip`` is opened and its CSV members read):

* Geolonia 住所データ town files: ``api/ja/<都道府県>/<市区町村>.json`` (``town``, ``koaza``, ``lat``,
  ``lng``; the prefecture and municipality are taken from the path) and ``latest.csv``.
* 国土交通省 位置参照情報: 大字・町丁目レベル (``大字町丁目名``, ``緯度``, ``経度``) and 街区レベル
  (``大字・丁目名``, ``街区符号・地番``, ``代表フラグ``), cp932 or UTF-8.
* デジタル庁 アドレス・ベース・レジストリ: ``mt_town`` (names) joined with ``mt_town_pos``
  (representative points) on ``lg_code`` + ``machiaza_id``; give both files.
* A block dictionary ``{"<町丁目名>\\t<街区符号>": [lon, lat]}`` (JSON) for one municipality,
  given with ``municipality=``.

Every town name is folded with :func:`chiikimap._address.fold`, so that the reference and the
addresses meet in one spelling. One :class:`MunicipalityIndex` is built per municipality.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import pickle
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from chiikimap._address import fold, strip_prefecture
from chiikimap._atomic import atomic_path
from chiikimap._errors import ChiikimapError, InputFileError

__all__ = ["MunicipalityIndex", "Reference", "read_reference"]

PathArg = str | PathLike[str]
_CHOME = re.compile(r"^(.*?)(\d+)丁目$")


@dataclass
class MunicipalityIndex:
    """Lookup tables of one municipality (keys are folded town names without the 丁目)."""

    name: str
    prefecture: str = ""
    towns: dict[str, tuple[float, float, str, str]] = field(default_factory=dict)
    chomes: dict[str, dict[int, tuple[float, float, str]]] = field(default_factory=dict)
    blocks: dict[tuple[str, int, int], tuple[float, float]] = field(default_factory=dict)
    block_chomes: dict[str, set[int]] = field(default_factory=dict)
    max_len: int = 0

    def add_town(self, name: str, lon: float, lat: float, level: str = "町丁目") -> None:
        """Add one town (町丁目 or 大字) point under its official ``name``."""
        key = fold(name)
        if name.startswith("大字"):
            level = "大字"
        match = _CHOME.match(key)
        if match:
            base, chome = match.group(1), int(match.group(2))
            self.chomes.setdefault(base, {}).setdefault(chome, (lon, lat, name))
        else:
            base, chome = key, 0
            self.towns.setdefault(base, (lon, lat, name, level))
        self.max_len = max(self.max_len, len(base))

    def add_block(self, town: str, block: str, lon: float, lat: float) -> None:
        """Add one 街区 point (``block`` is the 街区符号 or the first number of the 地番)."""
        digits = re.match(r"\d+", fold(block))
        if digits is None:
            return
        key = fold(town)
        match = _CHOME.match(key)
        base, chome = (match.group(1), int(match.group(2))) if match else (key, 0)
        self.blocks.setdefault((base, chome, int(digits.group())), (lon, lat))
        self.block_chomes.setdefault(base, set()).add(chome)
        self.max_len = max(self.max_len, len(base))

    def has_base(self, base: str) -> bool:
        """True when ``base`` (a folded town name without 丁目) is known."""
        return base in self.towns or base in self.chomes or base in self.block_chomes


@dataclass
class Reference:
    """Address reference of one or more municipalities, keyed by folded municipality name."""

    municipalities: dict[str, MunicipalityIndex] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def municipality(self, name: str, prefecture: str = "") -> MunicipalityIndex:
        """The index of ``name`` (created when new)."""
        key = strip_prefecture(fold(name))
        if key not in self.municipalities:
            self.municipalities[key] = MunicipalityIndex(name=name, prefecture=prefecture)
        return self.municipalities[key]

    def __repr__(self) -> str:
        parts = [
            f"{m.name}: {len(m.towns) + sum(len(c) for c in m.chomes.values())} towns, {len(m.blocks)} blocks"
            for m in self.municipalities.values()
        ]
        return f"Reference({'; '.join(parts)})"


_CACHE_VERSION = 1


def _cache_key(paths: list[Path], municipality: str | None) -> str:
    digest = hashlib.sha256(f"{_CACHE_VERSION}|{municipality}".encode())
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _cached(paths: list[Path], municipality: str | None) -> tuple[Path, str, Reference | None]:
    """(cache file, key, the cached Reference when the key still matches)."""
    cache = paths[0].with_name(paths[0].name + ".chiikimap-index.pickle")
    key = _cache_key(paths, municipality)
    if cache.exists():
        try:
            with cache.open("rb") as f:
                stored_key, ref = pickle.load(f)
            if stored_key == key and isinstance(ref, Reference):
                return cache, key, ref
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            pass
    return cache, key, None


def read_reference(
    paths: PathArg | Sequence[PathArg], *, municipality: str | None = None, cache: bool = False
) -> Reference:
    """Read address reference files into one :class:`Reference`.

    Parameters
    ----------
    paths
        One file or a list of files (JSON, CSV or a ZIP of CSVs, see the module docstring).
    municipality
        The municipality (``"枚方市"``) of a block dictionary JSON, which does not name it, or of
        a Geolonia town JSON that was renamed (its name is otherwise the file name).
    cache
        Keep the built index in ``<first file>.chiikimap-index.pickle`` next to the reference and
        reuse it while the files' contents (SHA-256) are unchanged; a prefecture-wide 街区 ZIP
        is then read once. A cache that cannot be written is skipped silently.

    Returns
    -------
    Reference
        One lookup index per municipality.

    Raises
    ------
    InputFileError
        When a file cannot be read or its layout is not recognised.
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    files = [Path(p) for p in paths]
    missing = next((p for p in files if not p.exists()), None)
    if missing is not None:
        raise InputFileError(
            f"参照ファイルがありません / reference file not found: {missing}", path=missing
        )
    if not cache:
        return _read_all(files, municipality)
    cache_file, key, ref = _cached(files, municipality)
    if ref is None:
        ref = _read_all(files, municipality)
        try:
            with atomic_path(cache_file) as tmp, tmp.open("wb") as f:
                pickle.dump((key, ref), f, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, ChiikimapError):
            pass
    return ref


def _read_all(paths: list[Path], municipality: str | None) -> Reference:
    ref = Reference()
    abr_names: dict[tuple[str, str], tuple[str, str, str]] = {}
    abr_points: list[tuple[Path, dict[str, str]]] = []
    for path in paths:
        ref.sources.append(path.name)
        if path.suffix.lower() == ".json":
            _read_json(path, ref, municipality)
            continue
        for header, rows in _csv_tables(path):
            _read_csv_table(path, header, rows, ref, abr_names, abr_points)
    _join_abr(abr_names, abr_points, ref)
    return ref


def _read_json(path: Path, ref: Reference, municipality: str | None) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"JSON として読めません / not valid JSON: {exc}", path=path) from exc
    if isinstance(data, list) and data and isinstance(data[0], dict) and "town" in data[0]:
        index = ref.municipality(
            municipality or path.stem, "" if municipality else path.parent.name
        )
        for row in data:
            name = str(row["town"]) + str(row.get("koaza") or "")
            level = "大字" if str(row["town"]).startswith("大字") else "町丁目"
            index.add_town(name, float(row["lng"]), float(row["lat"]), level)
        return
    if isinstance(data, dict):
        if not municipality:
            raise InputFileError(
                "街区辞書 JSON には市区町村名が必要です (municipality=) / "
                "a block dictionary JSON needs municipality=",
                path=path,
            )
        index = ref.municipality(municipality)
        for key, value in data.items():
            if key.startswith("_") or not isinstance(value, list):
                continue
            town, _, block = key.partition("\t")
            if block:
                index.add_block(town, block, float(value[0]), float(value[1]))
            else:
                index.add_town(town, float(value[0]), float(value[1]))
        return
    raise InputFileError(
        "参照 JSON の形式が分かりません / unknown reference JSON layout", path=path
    )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _csv_tables(path: Path) -> Iterator[tuple[list[str], Iterable[list[str]]]]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not members:
                raise InputFileError("ZIP に CSV がありません / no CSV in the ZIP", path=path)
            texts = [_decode(archive.read(n)) for n in members]
    else:
        texts = [_decode(path.read_bytes())]
    for text in texts:
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        yield header, reader


def _read_csv_table(
    path: Path,
    header: list[str],
    rows: Iterable[list[str]],
    ref: Reference,
    abr_names: dict[tuple[str, str], tuple[str, str, str]],
    abr_points: list[tuple[Path, dict[str, str]]],
) -> None:
    cols = set(header)
    if "machiaza_id" in cols and "oaza_cho" in cols:
        for row in rows:
            rec = dict(zip(header, row, strict=False))
            city = rec.get("county", "") + rec.get("city", "") + rec.get("ward", "")
            town = rec.get("oaza_cho", "") + rec.get("chome", "") + rec.get("koaza", "")
            abr_names[(rec["lg_code"], rec["machiaza_id"])] = (rec.get("pref", ""), city, town)
    elif "machiaza_id" in cols and "rep_lon" in cols and "blk_id" not in cols:
        abr_points.extend((path, dict(zip(header, row, strict=False))) for row in rows)
    elif {"市区町村名", "緯度", "経度"} <= cols and (
        "大字町丁目名" in cols or "大字・丁目名" in cols
    ):
        _read_isj(header, rows, ref)
    else:
        raise InputFileError(
            "参照 CSV の列が分かりません（位置参照情報・ABR・Geolonia のどれでもありません） / "
            f"unknown reference CSV columns: {header[:6]}",
            path=path,
        )


def _read_isj(header: list[str], rows: Iterable[list[str]], ref: Reference) -> None:
    idx = {h: i for i, h in enumerate(header)}
    town_col = idx["大字町丁目名"] if "大字町丁目名" in idx else idx["大字・丁目名"]
    koaza_col = idx.get("小字・通称名")
    block_col = idx.get("街区符号・地番")
    rep_col = idx.get("代表フラグ")
    kind_col = idx.get("大字・字・丁目区分コード")
    pref_col = idx.get("都道府県名")
    for row in rows:
        if len(row) < len(header) or not row[idx["緯度"]]:
            continue
        index = ref.municipality(
            row[idx["市区町村名"]], row[pref_col] if pref_col is not None else ""
        )
        town = row[town_col] + (row[koaza_col] if koaza_col is not None else "")
        lon, lat = float(row[idx["経度"]]), float(row[idx["緯度"]])
        if block_col is not None:
            if rep_col is not None and row[rep_col] == "0":
                continue
            index.add_block(town, row[block_col], lon, lat)
        else:
            level = "大字" if kind_col is not None and row[kind_col] in ("1", "2") else "町丁目"
            index.add_town(town, lon, lat, level)


def _join_abr(
    names: dict[tuple[str, str], tuple[str, str, str]],
    points: list[tuple[Path, dict[str, str]]],
    ref: Reference,
) -> None:
    if points and not names:
        raise InputFileError(
            "mt_town_pos には町字の名前の表 mt_town も必要です / mt_town_pos needs the mt_town file too",
            path=points[0][0],
        )
    for _path, rec in points:
        name = names.get((rec["lg_code"], rec["machiaza_id"]))
        if name is None or not rec.get("rep_lon"):
            continue
        pref, city, town = name
        ref.municipality(city, pref).add_town(town, float(rec["rep_lon"]), float(rec["rep_lat"]))
