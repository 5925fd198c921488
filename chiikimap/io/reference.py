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
* A point list: any list (CSV or xlsx) with an address column (住所/所在地/address) and
  latitude/longitude columns — the municipality's own open-data lists (AED, parks, 避難所 …) or a
  list checked and corrected after ``chiikimap geocode``. Its rows are *known points*: an address
  with the same 番地 is placed on them, and an address whose 番地 is missing from the registry
  files is placed at the known point of the nearest 番地 number in the same town (level
  ``近隣番地``, approximate). Point lists need a town-level file of the same municipality.

Every town name is folded with :func:`chiikimap._address.fold`, so that the reference and the
addresses meet in one spelling. One :class:`MunicipalityIndex` is built per municipality.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import io
import json
import math
import pickle
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO

from chiikimap._address import fold, strip_prefecture
from chiikimap._atomic import atomic_path
from chiikimap._errors import ChiikimapError, InputFileError
from chiikimap._schema import GEOCODE_LEVEL, GEOCODE_LEVEL_JA, Source
from chiikimap.io._abr import AbrTables, abr_kind

__all__ = [
    "ADDRESS_NAMES",
    "LAT_NAMES",
    "LON_NAMES",
    "MunicipalityIndex",
    "Reference",
    "read_reference",
]

PathArg = str | PathLike[str]
_CHOME = re.compile(r"^(.*?)(\d+)丁目$")
_FIRST_NUMBER = re.compile(r"[甲乙丙丁]?(\d+)")
# a Geolonia town file is named after its municipality (…/香川県/高松市.json)
_MUNICIPALITY_ENDS = ("市", "区", "町", "村")


#: column names (lower case) of the address and coordinates in a list
ADDRESS_NAMES = ("住所", "所在地", "所在地住所", "address", "address_full")
LAT_NAMES = ("緯度", "lat", "latitude")
LON_NAMES = ("経度", "lon", "lng", "longitude")
#: geocode levels of a corrected list that are estimates, never read as known points
_ESTIMATED_LEVELS = ("町丁目", "大字", "近隣番地")


def _town_key(name: str) -> tuple[str, int]:
    """(folded town name without the 丁目, the 丁目 number or 0)."""
    key = fold(name)
    match = _CHOME.match(key)
    return (match.group(1), int(match.group(2))) if match else (key, 0)


@dataclass
class MunicipalityIndex:
    """Lookup tables of one municipality (keys are folded town names without the 丁目).

    ``towns``/``chomes`` hold the 町丁目・大字 points, ``blocks`` the 街区 points (街区符号, or the
    地番 of MLIT 街区レベル rows outside 住居表示 areas), ``houses`` the 住居 points
    (街区符号 + 住居番号) and ``parcels`` the 地番 points (地番 + 枝番, 0 = none);
    ``parcel_heads`` the first point of each 地番 whatever its 枝番; ``known`` the known points of
    point lists per (town, 丁目): their first numbers, sorted, and the points in the same order.
    """

    name: str
    prefecture: str = ""
    towns: dict[str, tuple[float, float, str, str]] = field(default_factory=dict)
    chomes: dict[str, dict[int, tuple[float, float, str]]] = field(default_factory=dict)
    blocks: dict[tuple[str, int, int], tuple[float, float]] = field(default_factory=dict)
    block_chomes: dict[str, set[int]] = field(default_factory=dict)
    houses: dict[tuple[str, int, int, int], tuple[float, float]] = field(default_factory=dict)
    parcels: dict[tuple[str, int, int, int], tuple[float, float]] = field(default_factory=dict)
    parcel_heads: dict[tuple[str, int, int], tuple[float, float]] = field(default_factory=dict)
    known: dict[tuple[str, int], tuple[list[int], list[tuple[float, float]]]] = field(
        default_factory=dict
    )
    #: the 番地 number difference up to which a known point stands for an address, by whether
    #: the town has 丁目 (learnt from the known points, see chiikimap.geocode.near_gaps)
    near_gap: dict[bool, int] = field(default_factory=dict)
    max_len: int = 0

    def add_town(self, name: str, lon: float, lat: float, level: str = "町丁目") -> None:
        """Add one town (町丁目 or 大字) point under its official ``name``."""
        if name.startswith("大字"):
            level = "大字"
        base, chome = _town_key(name)
        if chome:
            self.chomes.setdefault(base, {}).setdefault(chome, (lon, lat, name))
        else:
            self.towns.setdefault(base, (lon, lat, name, level))
        self.max_len = max(self.max_len, len(base))

    def _fine_town(self, town: str) -> tuple[str, int]:
        base, chome = _town_key(town)
        self.block_chomes.setdefault(base, set()).add(chome)
        self.max_len = max(self.max_len, len(base))
        return base, chome

    def add_block(self, town: str, block: str, lon: float, lat: float) -> None:
        """Add one 街区 point (``block`` is the 街区符号 or the 地番, ``甲12`` read as 12)."""
        digits = _FIRST_NUMBER.match(fold(block))
        if digits is None:
            return
        base, chome = self._fine_town(town)
        self.blocks.setdefault((base, chome, int(digits.group(1))), (lon, lat))

    def add_house(self, town: str, block: int, house: int, lon: float, lat: float) -> None:
        """Add one 住居 point: 住居表示 ``block`` (街区符号) and ``house`` (住居番号)."""
        base, chome = self._fine_town(town)
        self.houses.setdefault((base, chome, block, house), (lon, lat))

    def add_parcel(self, town: str, number: int, branch: int, lon: float, lat: float) -> None:
        """Add one 地番 point: ``number`` (地番) and ``branch`` (枝番, 0 when none)."""
        base, chome = self._fine_town(town)
        self.parcels.setdefault((base, chome, number, branch), (lon, lat))
        head = (base, chome, number)
        if branch == 0 or head not in self.parcel_heads:
            self.parcel_heads[head] = (lon, lat)

    def add_known(self, base: str, chome: int, number: int, lon: float, lat: float) -> None:
        """Add one known point (``base``: folded town name, ``number``: its first 番地 number)."""
        numbers, points = self.known.setdefault((base, chome), ([], []))
        at = bisect.bisect_right(numbers, number)
        numbers.insert(at, number)
        points.insert(at, (lon, lat))

    def blocks_from_houses(self) -> int:
        """Give each 街区 that has 住居 points but no point of its own the mean of its 住居 points.

        Returns the number of 街区 points added.
        """
        sums: dict[tuple[str, int, int], list[float]] = {}
        for (base, chome, block, _house), (lon, lat) in self.houses.items():
            acc = sums.setdefault((base, chome, block), [0.0, 0.0, 0.0])
            acc[0] += lon
            acc[1] += lat
            acc[2] += 1
        added = 0
        for key, (lon, lat, n) in sums.items():
            if key not in self.blocks:
                self.blocks[key] = (lon / n, lat / n)
                added += 1
        return added

    def has_base(self, base: str) -> bool:
        """True when ``base`` (a folded town name without 丁目) is known."""
        return base in self.towns or base in self.chomes or base in self.block_chomes


@dataclass
class Reference:
    """Address reference of one or more municipalities, keyed by folded municipality name."""

    municipalities: dict[str, MunicipalityIndex] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: what outputs must credit for positions taken from these files (:class:`Source` dicts)
    credits: list[dict[str, str]] = field(default_factory=list)
    #: rows of point lists not yet placed in a town (source, row, address, lon, lat)
    pending: list[tuple[str, int, str, float, float]] = field(default_factory=list)
    #: rows of point lists that are not used, with the reason (source, row, address, reason)
    point_rejects: list[tuple[str, int, str, str]] = field(default_factory=list)

    def add_point(
        self, address: str, lon: float, lat: float, source: str = "", row: int = 0
    ) -> None:
        """Add one known point (an address and its coordinates, JGD2011 degrees).

        It is placed in its town when the reference is first used by
        :func:`chiikimap.geocode.geocode`; rows whose town is unknown, or whose coordinates are
        not finite or lie outside Japan, go to ``point_rejects``.
        """
        reason = _coordinate_reason(lon, lat)
        if reason is not None:
            self.point_rejects.append((source, row, address, reason))
            return
        self.pending.append((source, row, address, float(lon), float(lat)))

    def credit(self, **source: str) -> None:
        """Record one source to credit (``title``, ``publisher``, ``license``, ``credit`` …)."""
        entry = Source(**source).to_dict()
        if entry not in self.credits:
            self.credits.append(entry)

    def municipality(self, name: str, prefecture: str = "") -> MunicipalityIndex:
        """The index of ``name`` (created when new)."""
        key = strip_prefecture(fold(name))
        if key not in self.municipalities:
            self.municipalities[key] = MunicipalityIndex(name=name, prefecture=prefecture)
        return self.municipalities[key]

    def names(self) -> dict[str, MunicipalityIndex]:
        """Every spelling an address may start with → its municipality.

        The folded name (大阪市北区, 熊毛郡屋久島町) and, for a 町村 in a 郡, the name without
        the 郡 (屋久島町); a city with 郡 in its name (大和郡山市) keeps only its name.
        """
        table: dict[str, MunicipalityIndex] = {}
        for key, index in self.municipalities.items():
            gun = key.find("郡")
            if gun > 0 and key.endswith(("町", "村")):
                table.setdefault(key[gun + 1 :], index)
        table.update(self.municipalities)
        return table

    def __repr__(self) -> str:
        parts = []
        for m in self.municipalities.values():
            text = f"{m.name}: {len(m.towns) + sum(len(c) for c in m.chomes.values())} towns"
            text += f", {len(m.blocks)} blocks"
            if m.houses or m.parcels:
                text += f", {len(m.houses)} houses, {len(m.parcels)} parcels"
            if m.known:
                text += f", {sum(len(n) for n, _ in m.known.values())} known points"
            parts.append(text)
        return f"Reference({'; '.join(parts)})"


_CACHE_VERSION = 4


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
    abr = AbrTables()
    for path in paths:
        ref.sources.append(path.name)
        if path.suffix.lower() == ".json":
            _read_json(path, ref, municipality)
            continue
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            _read_excel_points(path, ref)
            continue
        for header, rows in _csv_tables(path):
            _read_csv_table(path, header, rows, ref, abr)
    if abr.points:
        ref.credit(**_ABR_CREDIT)
    _join_abr(abr, ref)
    return ref


_ISJ_CREDIT = {
    "title": "位置参照情報",
    "publisher": "国土交通省",
    "license": "位置参照情報 利用規約（出典の明示）",
    "url": "https://nlftp.mlit.go.jp/isj/",
    "credit": "「位置参照情報（国土交通省）」",
}
_ABR_CREDIT = {
    "title": "アドレス・ベース・レジストリ",
    "publisher": "デジタル庁",
    "license": "公共データ利用規約 第1.0版",
    "url": "https://www.digital.go.jp/policies/base_registry_address",
    "credit": "「アドレス・ベース・レジストリ（デジタル庁）」",
}
_GEOLONIA_CREDIT = {
    "title": "Geolonia 住所データ",
    "publisher": "Geolonia",
    "license": "CC BY 4.0",
    "url": "https://github.com/geolonia/japanese-addresses",
    "credit": "「Geolonia 住所データ（CC BY 4.0）」（元データ: 位置参照情報（国土交通省））",
}


def _read_json(path: Path, ref: Reference, municipality: str | None) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"JSON として読めません / not valid JSON: {exc}", path=path) from exc
    if isinstance(data, list) and data and isinstance(data[0], dict) and "town" in data[0]:
        if not municipality and not path.stem.endswith(_MUNICIPALITY_ENDS):
            raise InputFileError(
                f"ファイル名「{path.name}」が市区町村名ではないため、どの市区町村の参照データか"
                "分かりません。--municipality 高松市 (chiikimap geocode) や --geocode-municipality "
                "高松市 (map・inspect・sites・run)、レシピの [geocode] municipality のように市区町村名を"
                "指定してください / the file name is not a municipality name: give municipality= "
                "(--municipality 高松市, --geocode-municipality 高松市)",
                path=path,
            )
        index = ref.municipality(
            municipality or path.stem, "" if municipality else path.parent.name
        )
        ref.credit(**_GEOLONIA_CREDIT)
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
        ref.credit(**{**_ISJ_CREDIT, "title": f"位置参照情報を加工した街区辞書（{path.name}）"})
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


def _sniff_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the first bytes decode as such, else cp932."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8-sig"


def _text_tables(
    opener: Callable[[], IO[bytes]],
) -> Iterator[tuple[list[str], Iterable[list[str]]]]:
    """Header and rows of one CSV, streamed (a prefecture-wide table is not held as text)."""
    with opener() as probe:
        encoding = _sniff_encoding(probe.read(1 << 16))
    with opener() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        yield header, reader


def _zip_tables(
    archive: zipfile.ZipFile, path: Path
) -> Iterator[tuple[list[str], Iterable[list[str]]]]:
    members = [n for n in archive.namelist() if n.lower().endswith((".csv", ".zip"))]
    if not members:
        raise InputFileError("ZIP に CSV がありません / no CSV in the ZIP", path=path)
    for name in members:
        if name.lower().endswith(".zip"):  # ABR *_all.csv.zip: one csv.zip per prefecture
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as inner:
                yield from _zip_tables(inner, path)
        else:
            yield from _text_tables(lambda name=name: archive.open(name))  # type: ignore[misc]


def _csv_tables(path: Path) -> Iterator[tuple[list[str], Iterable[list[str]]]]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                yield from _zip_tables(archive, path)
        else:
            yield from _text_tables(lambda: path.open("rb"))
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile) as exc:
        raise InputFileError(
            f"参照 CSV を読めません / cannot read the CSV: {exc}", path=path
        ) from exc


def _read_csv_table(
    path: Path,
    header: list[str],
    rows: Iterable[list[str]],
    ref: Reference,
    abr: AbrTables,
) -> None:
    cols = set(header)
    kind = abr_kind(cols)
    if kind is not None:
        abr.add(kind, path, header, rows)
    elif {"市区町村名", "緯度", "経度"} <= cols and (
        "大字町丁目名" in cols or "大字・丁目名" in cols
    ):
        ref.credit(**_ISJ_CREDIT)
        _read_isj(header, rows, ref)
    elif _point_columns(header) is not None:
        _read_points(path, header, rows, ref, first_row=2)
    else:
        raise InputFileError(
            "参照 CSV の列が分かりません（位置参照情報・ABR・Geolonia・住所と緯度経度の地点リストの"
            "どれでもありません） / "
            f"unknown reference CSV columns: {header[:6]}",
            path=path,
        )


def _point_columns(header: Sequence[object]) -> tuple[int, int, int, int | None] | None:
    """Positions of the address, latitude, longitude (and geocode_level) columns of a point list."""
    lowered = [str(h).strip().lower() if h is not None else "" for h in header]

    def find(names: Sequence[str]) -> int | None:
        return next((lowered.index(n) for n in names if n in lowered), None)

    address, lat, lon = find(ADDRESS_NAMES), find(LAT_NAMES), find(LON_NAMES)
    if address is None or lat is None or lon is None:
        return None
    return address, lat, lon, find((GEOCODE_LEVEL, GEOCODE_LEVEL_JA))


def _point_reason(address: str, level: str) -> str | None:
    """Why a point-list row is not a known point, before its coordinates (None: it may be one)."""
    if not address.strip():
        return "住所が空です / empty address"
    # 「町丁目」 of a geocode output, 「町丁目（概略）」 of a karte's 資源一覧 sheet
    if level.split(" / ")[0].strip().removesuffix("（概略）") in _ESTIMATED_LEVELS:
        return (
            f"位置が推定（geocode_level={level}）なので既知地点にしません。確かめて直した行は "
            "geocode_level を「修正」にしてください / an estimated position is not a known point"
        )
    return None


_REASON_NOT_NUMBERS = "緯度・経度が数値ではありません / latitude/longitude not numbers"


def _coordinate(text: str) -> float | None:
    """A coordinate cell as a finite number (full-width digits read too), else None.

    >>> _coordinate("３４．３３"), _coordinate(" 134.0 "), _coordinate("NaN"), _coordinate("")
    (34.33, 134.0, None, None)
    """
    try:
        value = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _coordinate_reason(lon: float, lat: float) -> str | None:
    """Why a known point's coordinates are not used (None: they are)."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        return _REASON_NOT_NUMBERS
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return _REASON_NOT_NUMBERS
    if not (20.0 <= lat <= 46.0 and 122.0 <= lon <= 154.0):
        return (
            "緯度・経度が日本の範囲外です（入れ替わり・未入力の 0 ？） / "
            "coordinates outside Japan (swapped or 0?)"
        )
    return None


def _read_points(
    path: Path,
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    ref: Reference,
    *,
    first_row: int,
) -> None:
    """Rows of a point list (addresses with coordinates) as pending known points."""
    cols = _point_columns(header)
    assert cols is not None
    ref.credit(title=f"住所の既知地点（{path.name}）", credit=path.name)
    address_col, lat_col, lon_col, level_col = cols
    width = max(c for c in cols if c is not None) + 1
    for number, row in enumerate(rows, start=first_row):
        cells = ["" if v is None else str(v).strip() for v in row]
        if not any(cells):
            continue
        cells += [""] * (width - len(cells))  # a short CSV row: its missing cells are empty
        level = cells[level_col] if level_col is not None else ""
        reason = _point_reason(cells[address_col], level)
        if reason is not None:
            ref.point_rejects.append((path.name, number, cells[address_col], reason))
        else:
            lon, lat = (_coordinate(cells[c]) for c in (lon_col, lat_col))
            ref.add_point(
                cells[address_col],
                math.nan if lon is None else lon,  # add_point reports what is not a number
                math.nan if lat is None else lat,
                path.name,
                number,
            )


def _read_excel_points(path: Path, ref: Reference) -> None:
    """A point list kept in Excel: the first sheet whose header row (one of the first five rows)
    names an address and coordinates."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputFileError(
            f"Excel ファイルを読めません / cannot read the workbook: {exc}", path=path
        ) from exc
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            for number in range(1, 6):
                header = next(rows, None)
                if header is None:
                    break
                if _point_columns(header) is not None:
                    _read_points(path, header, rows, ref, first_row=number + 1)
                    return
    finally:
        book.close()
    raise InputFileError(
        "Excel の参照データは、住所（住所/所在地/address）と緯度・経度の列を持つ地点リストだけです / "
        "an Excel reference must be a point list with address and latitude/longitude columns",
        path=path,
    )


def _read_isj(header: list[str], rows: Iterable[list[str]], ref: Reference) -> None:
    """MLIT 位置参照情報: 大字・町丁目レベル (town points) or 街区レベル (block points).

    Of the 街区レベル rows only the representative point of each 街区 (代表フラグ 1) of the
    current data (更新前履歴フラグ 0: rows flagged 1 are the state before an update) is kept.
    """
    idx = {h: i for i, h in enumerate(header)}
    town_col = idx["大字町丁目名"] if "大字町丁目名" in idx else idx["大字・丁目名"]
    koaza_col = idx.get("小字・通称名")
    block_col = idx.get("街区符号・地番")
    rep_col = idx.get("代表フラグ")
    old_col = idx.get("更新前履歴フラグ")
    kind_col = idx.get("大字・字・丁目区分コード")
    pref_col = idx.get("都道府県名")
    for row in rows:
        if len(row) < len(header) or not row[idx["緯度"]]:
            continue
        if (rep_col is not None and row[rep_col] == "0") or (
            old_col is not None and row[old_col] == "1"
        ):
            continue
        index = ref.municipality(
            row[idx["市区町村名"]], row[pref_col] if pref_col is not None else ""
        )
        town = row[town_col] + (row[koaza_col] if koaza_col is not None else "")
        lon, lat = float(row[idx["経度"]]), float(row[idx["緯度"]])
        if block_col is not None:
            index.add_block(town, row[block_col], lon, lat)
        else:
            level = "大字" if kind_col is not None and row[kind_col] in ("1", "2") else "町丁目"
            index.add_town(town, lon, lat, level)


def _join_abr(abr: AbrTables, ref: Reference) -> None:
    """Join the ABR position tables to the town names and add them to the index."""
    abr.check()
    touched: dict[int, MunicipalityIndex] = {}

    def index_of(key: tuple[str, ...]) -> tuple[MunicipalityIndex, str] | None:
        name = abr.town_of(key)
        if name is None:
            return None
        pref, city, town = name
        index = ref.municipality(city, pref)
        touched[id(index)] = index
        return index, town

    for kind, rows in abr.points.items():
        for key, lon, lat in rows:
            found = index_of(key)
            if found is None:
                continue
            index, town = found
            if kind == "town":
                index.add_town(town, lon, lat)
            elif kind == "blk":
                number = abr.block_number(key)
                if number is not None:
                    index.add_block(town, str(number), lon, lat)
            elif kind == "rsdt":
                block, house = abr.house_numbers(key)
                if block is not None and house is not None:
                    index.add_house(town, block, house, lon, lat)
            else:
                number, branch = abr.parcel_numbers(key)
                if number is not None:
                    index.add_parcel(town, number, branch, lon, lat)
    for index in touched.values():
        index.blocks_from_houses()
