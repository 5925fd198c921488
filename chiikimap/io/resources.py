"""Reader of resource lists: CSV, xlsx, GeoJSON and GeoPackage files → the ``resources`` layer.

Recognised layouts (recorded as ``layout`` in the read report):

``mhlw_kaigo_kohyo``
    介護サービス情報公表システム オープンデータ (厚生労働省), one CSV per service type, 24 columns
    (都道府県コード又は市町村コード, No, …, 事業所名, 事業所名カナ, サービスの種類, 住所,
    方書（ビル名等）, 緯度, 経度, …, 事業所番号, …, 定員, …, 備考).
``digital_agency_kaigo``
    推奨データセット 介護サービス事業所一覧 (デジタル庁): 介護サービス事業所名称, 実施サービス, 住所,
    方書, 緯度, 経度, 定員 ….
``wam_shogai_kohyo``
    障害福祉サービス等情報公表システム オープンデータ (WAM NET), one CSV per service type, 29
    columns (…, サービス種別, 事業所の名称, …, 事業所番号, …, 事業所緯度, 事業所経度, …, 定員);
    its 「短期入所」 and 「居宅介護」 are 障害福祉 services.
``takamatsu_opendata``
    高松市 open data (``#property, latitude, longitude, name, address, …, service, …, capacity``)
    whose addresses are in 高松市; the same columns elsewhere are ``property_latlon``.
``hirakata_fukushi_map``
    枚方市 care offices as published by aikautau/fukushi_map (``jigyosho_id, name, category,
    service_type, address_full, tel, capacity``); ``service_type`` is classified, the coarse
    ``category`` group is ignored.
``generic``
    any other file; the columns are found by their usual names.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from .. import _identity
from .. import _schema as S
from .._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ColumnNotFoundError,
    InputFileError,
    check_choice,
    reads_files,
    show_value,
)
from ..taxonomy import Classification, Taxonomy, default_taxonomy, inactive_words
from . import _columnar
from . import _table as T
from ._datum import names_tokyo_datum, tokyo_to_jgd2011
from .aliases import AliasArg, resolve_aliases
from .reference import Reference, read_reference

__all__ = ["read_resources"]

PathArg = str | PathLike[str]

_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")

# --- column names -------------------------------------------------------------------------------
# Candidates in priority order, written as users write them; matching is done after NFKC,
# lower-casing, removing spaces and a leading "#".
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "name": (
        "名称",
        "事業所名",
        "施設名",
        "介護サービス事業所名称",
        "事業所名称",
        "施設名称",
        "事業所の名称",
        "施設・事業所名",
        "事業所・施設名",
        "名前",
        "name",
        "title",
    ),
    "lat": ("緯度", "lat", "latitude", "y", "所在地座標（緯度）", "事業所緯度"),
    "lon": ("経度", "lon", "lng", "long", "longitude", "x", "所在地座標（経度）", "事業所経度"),
    "location": ("location", "位置", "座標", "緯度経度", "latlon", "latlng"),
    "address": ("住所", "所在地", "address", "address_full", "所在地住所"),
    "category": (
        "サービスの種類",
        "サービス種別",
        "実施サービス",
        "service_type",
        "サービス種類",
        "種別",
        "施設種別",
        "category",
        "service",
        "種類",
    ),
    "capacity": ("定員", "capacity", "利用定員", "入所定員"),
    "id": ("事業所番号", "jigyosho_id", "resource_id", "id", "施設id", "#property"),
    "building": ("方書（ビル名等）", "方書"),
    "datum": ("測地系", "datum", "測地系の種類", "geodetic_datum"),
    # contact fields (kept when present; never required)
    "phone": (
        "電話番号",
        "事業所電話番号",
        "電話",
        "tel",
        "telephonenumber",
        "telephone",
        "phone",
    ),
    "fax": ("fax番号", "事業所fax番号", "fax", "faxnumber"),
    "days": ("利用可能曜日", "開館日", "開所日", "営業日", "availabledate", "days"),
    "hours": (
        "開館時間",
        "開所時間",
        "営業時間",
        "利用時間",
        "受付時間",
        "利用可能な時間帯",
        "時間",
        "hours",
        "openinghours",
    ),
    "start": ("開始時間", "開始時刻", "starttime", "opens"),
    "end": ("終了時間", "終了時刻", "endtime", "closes"),
    "closed": ("定休日", "休館日", "休業日", "休日", "closeddays"),
    "hours_note": ("利用可能曜日特記事項", "availabledatenote", "開館時間備考", "利用時間備考"),
    "url": (
        "url",
        "事業所url",
        "ホームページ",
        "ホームページアドレス",
        "website",
        "referenceobject",
    ),
    "operator": (
        "法人の名称",
        "運営法人",
        "法人名",
        "団体名",
        "運営団体",
        "運営主体",
        "設置主体",
        "operator",
    ),
}
#: role → (Japanese label, English label, parameter to pass)
_ROLE_TEXT = {
    "name": ("名称", "name", "name_col"),
    "lat": ("緯度", "latitude", "lat_col"),
    "lon": ("経度", "longitude", "lon_col"),
    "address": ("住所", "address", "address_col"),
    "category": ("種別（サービスの種類）", "category", "category_col"),
    "capacity": ("定員", "capacity", "capacity_col"),
    "id": ("ID（事業所番号）", "id", "id_col"),
    "phone": ("電話番号", "phone", "phone_col"),
    "fax": ("FAX番号", "fax", "fax_col"),
    "hours": ("利用時間（開館時間）", "hours", "hours_col"),
    "url": ("URL", "url", "url_col"),
    "operator": ("運営法人・団体名", "operator", "operator_col"),
}
#: the roles of read_resources' ``*_col`` parameters, in their order
_COL_ROLES = (
    "name",
    "lat",
    "lon",
    "address",
    "category",
    "capacity",
    "id",
    "phone",
    "fax",
    "hours",
    "url",
    "operator",
)
#: the contact roles whose values become columns of the layer (``hours`` is composed)
_CONTACT_PARTS = ("days", "hours", "start", "end", "closed", "hours_note")

# --- layouts --------------------------------------------------------------------------------------
_MHLW_COLUMNS = (
    "事業所名",
    "事業所名カナ",
    "サービスの種類",
    "住所",
    "緯度",
    "経度",
    "事業所番号",
    "定員",
)
_DIGITAL_COLUMNS = ("介護サービス事業所名称", "実施サービス", "住所")
#: 障害福祉サービス等情報公表システム オープンデータ (WAM NET), one CSV per service type
_WAM_COLUMNS = ("サービス種別", "事業所の名称", "事業所番号", "事業所緯度", "事業所経度")
_HIRAKATA_COLUMNS = ("jigyosho_id", "name", "category", "service_type", "address_full")
_PROPERTY_COLUMNS = ("#property", "latitude", "longitude", "name", "address")

LAYOUT_LABELS = {
    "mhlw_kaigo_kohyo": "介護サービス情報公表システム オープンデータ（厚生労働省）",
    "digital_agency_kaigo": "推奨データセット 介護サービス事業所一覧（デジタル庁）",
    "wam_shogai_kohyo": "障害福祉サービス等情報公表システム オープンデータ（WAM NET）",
    "takamatsu_opendata": "高松市オープンデータ",
    "property_latlon": "#property/latitude/longitude/name/address 形式",
    "hirakata_fukushi_map": "枚方市 介護サービス事業所（aikautau/fukushi_map）",
    "generic": "汎用（列名から判定）",
}

_MINUS = str.maketrans(dict.fromkeys("−‐‑‒–—―ー－", "-"))
_UNIT = re.compile(r"(名|人|床|人分|名分|室)$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


# --- loading --------------------------------------------------------------------------------------
def _looks_like_header(columns: list[str], cols: dict[str, str | None]) -> bool:
    """The name column and the latitude/longitude (or location) columns are all there."""

    def has(role: str) -> bool:
        return _match(columns, role, cols.get(role)) is not None

    return has("name") and ((has("lat") and has("lon")) or has("location"))


def _read_vector(path: Path, layer: str | int | None) -> T.Table:
    kwargs: dict[str, Any] = {} if layer is None else {"layer": layer}
    try:
        gdf = gpd.read_file(path, **kwargs)
    except Exception as exc:  # pyogrio raises several unrelated types
        raise InputFileError(
            f"地理データとして読めません / cannot read as a vector file: {exc}", path=path
        ) from None
    if len(gdf) == 0:
        raise InputFileError("地物がありません / the file has no features", path=path)
    S.check_crs_units(gdf, what="資源 / resources", path=str(path))
    if gdf.crs is not None:
        crs = pyproj.CRS(gdf.crs)
        if crs != pyproj.CRS(S.STORAGE_CRS):
            gdf = gdf.to_crs(S.STORAGE_CRS)
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    table = T.Table(path=path, kind="vector", columns=columns, rows=[], row_numbers=[])
    points: list[tuple[float, float] | str] = []
    for i, (geom, values) in enumerate(
        zip(gdf.geometry, gdf[columns].itertuples(index=False, name=None), strict=True)
    ):
        table.rows.append([T.cell_text(v) for v in values])
        table.row_numbers.append(i + 1)
        if geom is None or geom.is_empty:
            points.append("ジオメトリがありません / no geometry")
        elif geom.geom_type == "Point":
            points.append((float(geom.x), float(geom.y)))
        elif geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            only = geom.geoms[0]
            points.append((float(only.x), float(only.y)))
        else:
            points.append(
                f"Point 以外のジオメトリ ({geom.geom_type}) です / geometry is a {geom.geom_type}, "
                "not a point"
            )
    table.points = points
    return table


def _load(
    path: Path,
    encoding: str | None,
    sheet: str | int | None,
    cols: dict[str, str | None] | None = None,
    header_row: int | None = None,
) -> T.Table:
    if not path.is_file():
        raise InputFileError("ファイルがありません / no such file", path=path)
    suffix = path.suffix.lower()
    wanted = cols or {}
    if suffix in T.TEXT_SUFFIXES or suffix in T.EXCEL_SUFFIXES:
        return T.load_table(
            path,
            lambda columns: _looks_like_header(columns, wanted),
            encoding=encoding,
            sheet=sheet,
            header_row=header_row,
            columnar=True,
        )
    if suffix in _VECTOR_SUFFIXES:
        return _read_vector(path, sheet)
    if suffix == ".xls":
        raise InputFileError(
            "古い Excel 形式 (.xls) は読めません。Excel で .xlsx として保存し直してください / "
            ".xls is not supported; save it as .xlsx",
            path=path,
        )
    raise InputFileError(
        f"拡張子 {suffix or '(なし)'} の形式は読めません / unsupported file type; use CSV, xlsx, "
        "GeoJSON or GeoPackage",
        path=path,
    )


# --- columns and layouts ----------------------------------------------------------------------
def _match(columns: list[str], role: str, explicit: str | None) -> str | None:
    """The column for ``role``: ``explicit`` when given (``None`` if absent), else a usual name.

    Usual names match after NFKC, lower-casing and removing spaces and a leading "#"; failing
    that, a column whose name is a usual name followed by a note in brackets (「緯度（世界測地系）」,
    「経度(度)」, 「住所[所在地]」) matches.
    """
    by_norm: dict[str, str] = {}
    by_base: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(T.norm_header(c), c)
        base = T.base_header(c)
        if base:
            by_base.setdefault(base, c)
    if explicit is not None:
        if explicit in columns:
            return explicit
        return by_norm.get(T.norm_header(explicit))
    for table in (by_norm, by_base):
        for cand in _CANDIDATES[role]:
            if T.norm_header(cand) in table:
                return table[T.norm_header(cand)]
    return None


def _find(table: T.Table, role: str, explicit: str | None) -> str | None:
    column = _match(table.columns, role, explicit)
    if column is None and explicit is not None:
        ja, en, param = _ROLE_TEXT.get(role, (role, role, role))
        columns = table.columns
        raise ColumnNotFoundError(
            f"{ja}の列として指定された {param}={explicit!r} がありません（見つかった列: {columns}）/ "
            f"{en} column {explicit!r} given as {param} is not in the file; columns found: "
            f"{columns}{_where(table)}",
            path=table.path,
            param=param,
        )
    return column


def _where(table: T.Table) -> str:
    """Which sheet and header row were read, for error messages (empty for a plain CSV)."""
    parts: list[str] = []
    if table.kind == "xlsx":
        parts.append(
            f"; シート {table.sheet!r} を読みました（シート: {table.sheets}、別のシートは "
            f"sheet='…'）/ read sheet {table.sheet!r} of {table.sheets}; pass sheet='…' for another"
        )
    if table.kind != "vector" and not table.header_found:
        parts.append(
            f"; 見出し（列名）の行として {table.header_row} 行目を読みました。見出しが別の行なら "
            f"header_row=行番号 を指定してください / row {table.header_row} was read as the "
            "header; pass header_row=N if the column names are on another row"
        )
    return "".join(parts)


def _missing(role: str, table: T.Table, extra: str = "") -> ColumnNotFoundError:
    ja, en, param = _ROLE_TEXT[role]
    looked = ", ".join(_CANDIDATES[role])
    return ColumnNotFoundError(
        f"{ja}の列が見つかりません / no {en} column; looked for {looked}; columns found: "
        f"{table.columns} — pass {param}='…'{extra}{_where(table)}",
        path=table.path,
        param=param,
    )


def _detect_layout(table: T.Table, address_col: str | None) -> str:
    have = {T.norm_header(c) for c in table.columns}

    def has(names: Sequence[str]) -> bool:
        return all(T.norm_header(n) in have for n in names)

    if has(_MHLW_COLUMNS) and (
        "都道府県コード又は市町村コード" in have or "都道府県コード又は市区町村コード" in have
    ):
        return "mhlw_kaigo_kohyo"
    if has(_DIGITAL_COLUMNS):
        return "digital_agency_kaigo"
    if has(_WAM_COLUMNS):
        return "wam_shogai_kohyo"
    if has(_HIRAKATA_COLUMNS):
        return "hirakata_fukushi_map"
    if has(_PROPERTY_COLUMNS):
        if address_col is not None:
            cells = _columnar.strip(table.text_column(table.columns.index(address_col)))
            in_city = pc.sum(pc.starts_with(cells, "高松市")).as_py() or 0
            if in_city * 2 > len(table.rows):
                return "takamatsu_opendata"
        return "property_latlon"
    return "generic"


def _source_for(layout: str, path: Path, override: S.Source | str | None) -> S.Source:
    if isinstance(override, S.Source):
        return override
    if isinstance(override, str):
        return S.Source(title=override)
    if layout == "mhlw_kaigo_kohyo":
        return S.Source(
            title="介護サービス情報公表システム オープンデータ",
            publisher="厚生労働省",
            license="CC BY 4.0",
            url="https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html",
            credit="「介護サービス情報公表システム オープンデータ（厚生労働省）」",
        )
    if layout == "wam_shogai_kohyo":
        return S.Source(
            title="障害福祉サービス等情報公表システム オープンデータ",
            publisher="独立行政法人福祉医療機構（WAM NET）",
            license="WAM NET オープンデータ利用規約",
            url="https://www.wam.go.jp/content/wamnet/pcpub/top/sfkopendata/",
            credit="WAM NET",
        )
    if layout == "takamatsu_opendata":
        return S.Source(
            title=f"高松市オープンデータ（{path.stem}）",
            publisher="高松市",
            license="CC BY 4.0",
            url="https://github.com/takamatsu-city/opendata",
            credit="高松市",
        )
    if layout == "hirakata_fukushi_map":
        return S.Source(
            title="枚方市 介護サービス事業所（aikautau/fukushi_map）",
            publisher="aikautau/fukushi_map",
            license="MIT（元データ: 厚生労働省 CC BY 4.0、枚方市 CC BY 2.1 JP）",
            url="https://github.com/aikautau/fukushi_map",
            credit=(
                "介護サービス情報公表システム オープンデータ（厚生労働省）、枚方市 介護サービス"
                "事業所一覧（枚方市）を加工した aikautau/fukushi_map のデータ"
            ),
        )
    return S.Source(title=path.name)


# --- values ---------------------------------------------------------------------------------------
class _CoordError(ValueError):
    """A coordinate that cannot be used, with the reason (Japanese / English)."""


#: the notations a coordinate may be written in, for error messages
_COORD_FORMATS = (
    "読める形式: 34.8123 / 34°48'44\"N / 34度48分44秒 / 北緯34.8123 / 34.8123N / accepted: "
    "decimal degrees, degrees-minutes-seconds (° ' \" or 度分秒), with N/E or 北緯/東経"
)
_HEMISPHERE_WORDS = {"北緯": "N", "南緯": "S", "東経": "E", "西経": "W"}
_NUMBER = r"(\d+(?:\.\d+)?)"
_DMS = re.compile(
    rf"^{_NUMBER}(?:°|º|度)(?:{_NUMBER}(?:'|′|’|分))?(?:{_NUMBER}(?:\"|″|”|′′|''|’’|秒))?$"
)


def _parse_coord(raw: str) -> float | None:
    """A coordinate in degrees, ``None`` when blank; raises :class:`_CoordError` otherwise.

    Decimal degrees (``34.8``, a decimal comma ``34,8``), degrees-minutes-seconds
    (``34°48'00"N``, ``34度48分0秒``) and hemisphere letters or words (``135.6E``, ``北緯34.8``)
    are read; S/W (南緯/西経) values are an error since every Japanese point is N/E.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw).translate(_MINUS))
    if not text:
        return None
    hemisphere = ""
    for word, letter in _HEMISPHERE_WORDS.items():
        if text.startswith(word):
            hemisphere, text = letter, text[len(word) :]
            break
    else:
        if text[-1].upper() in "NSEW":
            hemisphere, text = text[-1].upper(), text[:-1]
        elif text[0].upper() in "NSEW":
            hemisphere, text = text[0].upper(), text[1:]
    dms = _DMS.match(text)
    if dms is not None:
        degrees, minutes, seconds = (float(g) if g else 0.0 for g in dms.groups())
        if minutes >= 60 or seconds >= 60:
            raise _CoordError(
                f"{raw!r} の分・秒が 60 以上です / minutes or seconds of {raw!r} are 60 or more"
            )
        if dms.group(2) is None and "." not in dms.group(1):
            raise _CoordError(
                f"{raw!r} は度だけの値で、位置として粗すぎます（約 100 km の幅）。分・秒か小数まで"
                f"入れてください / {raw!r} gives whole degrees only (about 100 km); give minutes "
                "and seconds or decimals"
            )
        value = degrees + minutes / 60 + seconds / 3600
    else:
        if text.count(",") == 1 and "." not in text:  # decimal comma: "34,6912"
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise _CoordError(
                f"{raw!r} を座標として読めません。{_COORD_FORMATS} / cannot read {raw!r} as a "
                "coordinate"
            ) from None
        if not math.isfinite(value):
            raise _CoordError(f"{raw!r} は数値ではありません / {raw!r} is not a number")
        if hemisphere and value < 0:
            raise _CoordError(
                f"{raw!r} は符号と方位の両方があります / {raw!r} has both a sign and a hemisphere"
            )
    if hemisphere in ("S", "W"):
        word = "南緯 (S)" if hemisphere == "S" else "西経 (W)"
        half = "southern" if hemisphere == "S" else "western"
        raise _CoordError(
            f"{raw!r} は{word}の値です。日本の座標は北緯・東経です / {raw!r} is in the {half} "
            "hemisphere; Japanese coordinates are north and east"
        )
    return value


def _inside(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = S.JAPAN_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


def _row_coords(
    row: Mapping[int, str], idx: dict[str, int], use_xy: bool
) -> tuple[float | None, float | None, tuple[str, str] | None]:
    """(lon, lat, problem) from the latitude/longitude columns or the ``location`` column."""
    if use_xy:
        raw_lat, raw_lon = row[idx["lat"]], row[idx["lon"]]
    elif "location" not in idx:  # an address-only list read with geocode=
        return None, None, ("座標なし", "座標の列がありません / no coordinate columns")
    else:
        raw = row[idx["location"]]
        pair = _split_location(raw)
        if pair is None and raw.strip():
            return (
                None,
                None,
                (
                    "座標が数値でない",
                    f"location {raw!r} を「緯度,経度」として読めません / cannot read location {raw!r} "
                    "as 'lat,lon'",
                ),
            )
        raw_lat, raw_lon = pair if pair else ("", "")
    reasons: list[str] = []
    parsed: list[float | None] = []
    for label, raw_value in (("緯度", raw_lat), ("経度", raw_lon)):
        try:
            parsed.append(_parse_coord(raw_value))
        except _CoordError as exc:
            parsed.append(None)
            reasons.append(f"{label}: {exc}")
    if reasons:
        return (
            None,
            None,
            (
                "座標が読めない",
                f"座標を読めません（緯度 {show_value(raw_lat)}, 経度 {show_value(raw_lon)}）: "
                + "; ".join(reasons),
            ),
        )
    lat, lon = parsed
    if lat is None or lon is None:
        return (
            None,
            None,
            (
                "座標なし",
                f"座標が空です（緯度 {raw_lat!r}, 経度 {raw_lon!r}）/ missing coordinates",
            ),
        )
    return lon, lat, None


def _split_location(raw: str) -> tuple[str, str] | None:
    text = unicodedata.normalize("NFKC", raw).strip().strip("()[]")
    parts = [p for p in re.split(r"[,、;\s]+", text) if p]
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def _parse_capacity(raw: str) -> tuple[float, str]:
    """(value, status) with status ``ok``, ``blank``, ``zero`` or ``bad``."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    if not text:
        return math.nan, "blank"
    text = _UNIT.sub("", text)
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return math.nan, "bad"
    if not math.isfinite(value) or value < 0:
        return math.nan, "bad"
    if value == 0:
        return math.nan, "zero"
    return value, "ok"


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")


# --- classification -------------------------------------------------------------------------------
#: layouts of one field: their ambiguous names (「短期入所」) are 介護保険 or 障害福祉 ones
_LAYOUT_DOMAIN = {
    "mhlw_kaigo_kohyo": "kaigo",
    "digital_agency_kaigo": "kaigo",
    "hirakata_fukushi_map": "kaigo",
    "wam_shogai_kohyo": "shogai",
}


@dataclass(frozen=True)
class _ClassifyContext:
    """The classifier, what decides a file's ambiguous names, and whether inactive rows count."""

    taxonomy: Taxonomy
    include_inactive: bool = False
    domain: str | None = None
    file_domain: str | None = None


def _classify(
    raw_cat: str,
    name: str,
    classify: _Classifier,
    unclassified: dict[str, None],
) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """(keys, problem) of one category cell; unrecognised parts are added to ``unclassified``."""
    taxonomy = classify.context.taxonomy
    result = classify(raw_cat, name)
    for part in result.unclassified:
        unclassified.setdefault(part, None)
    if result.ambiguous:
        return (), ("種別があいまい", taxonomy.ambiguity_reason(result.ambiguous))
    if not result.keys:
        return (), (
            "種別を分類できない",
            f"種別 {show_value(raw_cat)} を分類できません。種別キーを category で指定するか、"
            "市町村独自の種別ならレシピの [[category]] に names として追加してください / "
            f"category {show_value(raw_cat)} is not in the taxonomy; give the category key "
            "(category) or add it as the municipality's own category (a [[category]] entry "
            "with names in the recipe)",
        )
    return result.keys, None


#: characters without which no status word (休止, 廃止, 休業) can be there, even after NFKC
_MAYBE_INACTIVE = re.compile("[休廃\u3241\u32a1]")


def _inactive_problem(name: str, raw_cat: str) -> tuple[str, str] | None:
    """The problem of a row whose name or category says 休止・廃止・休業, else ``None``."""
    words = list(dict.fromkeys([*inactive_words(name), *inactive_words(raw_cat)]))
    if not words:
        return None
    shown = "・".join(words)
    return (
        "休止・廃止",
        f"名称または種別に「{shown}」とあるので、運営していない資源として数えていません"
        f"（数えるときは include_inactive=True）/ the name or category says {shown} "
        "(suspended or closed): not counted; pass include_inactive=True to count it",
    )


# --- one file -------------------------------------------------------------------------------------
def _datum_shift(
    rows: _FileRows, found: dict[str, str | None], from_columns: bool, file: str
) -> str | None:
    """Move rows whose coordinates are in 日本測地系 (Tokyo Datum) to JGD2011; the warning.

    A coordinate header that names the old datum (「緯度（日本測地系）」) marks every row, a datum
    column (「測地系」) the rows whose value names it. Coordinates from a vector file's geometry
    are left to its CRS. See :mod:`chiikimap.io._datum` for the transformation.
    """
    if not from_columns:
        return None
    headers = [c for c in (found["lat"], found["lon"], found.get("location")) if c]
    marked = [c for c in headers if names_tokyo_datum(c)]
    column = found.get("datum")
    if marked:
        chosen = np.arange(len(rows))
    elif column is not None:
        j = rows.table.columns.index(column)
        distinct, codes = _codes(_take(rows.table.text_column(j), rows.at))
        values = distinct.to_pylist()
        hit = np.array([names_tokyo_datum(v) for v in values], dtype=bool)
        chosen = np.flatnonzero(hit[codes]) if len(hit) else np.zeros(0, dtype=np.intp)
    else:
        return None
    if not len(chosen):
        return None
    lon, lat, operation = tokyo_to_jgd2011(rows.lon[chosen], rows.lat[chosen])
    rows.lon[chosen], rows.lat[chosen] = lon, lat
    why = f"列名 {marked[0]!r}" if marked else f"列 {column!r} の値"
    why_en = f"header {marked[0]!r}" if marked else f"column {column!r}"
    return (
        f"{file}: 座標は日本測地系（旧測地系・Tokyo Datum, EPSG:4301）です（{why}）。{len(chosen)} 行を "
        f"JGD2011 (EPSG:6668) に変換しました（約 400–500 m 動きます。変換: {operation}）/ "
        f"coordinates are in the Tokyo Datum ({why_en}); {len(chosen)} rows transformed to JGD2011 "
        f"with {operation}"
    )


#: a kept row is built as the record that duplicate merging works on
_Kept = _identity.Record


class _RowValues(Mapping[str, str]):
    """The raw values of one row by column name, sharing the row instead of copying it."""

    __slots__ = ("_index", "_row")

    def __init__(self, index: dict[str, int], row: list[str]) -> None:
        self._index = index
        self._row = row

    def __getitem__(self, key: str) -> str:
        return self._row[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _records(rows: _FileRows, positions: Sequence[int]) -> list[_Kept]:
    """The identity layer's records of the kept rows at ``positions`` (in that order)."""
    table = rows.table
    index = {c: j for j, c in enumerate(table.columns)}
    cells = table.rows_at([int(rows.good[k]) for k in positions])
    at = pa.array(np.asarray(positions, dtype=np.intp))
    names = rows.names.take(at).to_pylist()
    address = rows.address.take(at).to_pylist()
    rid = rows.rid.take(at).to_pylist()
    keys = rows.categories.keys
    out: list[_Kept] = []
    for n, k in enumerate(positions):
        i = int(rows.good[k])
        record = _Kept(
            file=table.where(i),
            row=table.row_numbers[i],
            name=names[n],
            categories=keys[rows.categories.code[k]],
            capacity=float(rows.capacity[k]),
            address=address[n],
            rid=rid[n],
            lon=float(rows.lon[k]),
            lat=float(rows.lat[k]),
            values=_RowValues(index, cells[n]),
            report=rows.report,
        )
        hit = rows.geocoded.get(i)
        if rows.geocoded:
            record.extra = {
                "geocode_level": hit.level if hit is not None else None,
                "geocode_match": hit.matched if hit is not None else None,
            }
        out.append(record)
    return out


@dataclass
class _Columns:
    """Which column of one file plays which role."""

    found: dict[str, str | None]
    idx: dict[str, int]
    layout: str
    #: coordinates from latitude/longitude columns (else a location column or the geometry)
    use_xy: bool
    #: the ``category=`` given to every row of a file without a category column
    given: str | None


@dataclass
class _Tally:
    """What the rows of one file had in common, for the summary messages."""

    swapped: list[int] = field(default_factory=list)
    bad_capacity: list[int] = field(default_factory=list)
    zero_capacity: list[int] = field(default_factory=list)
    unclassified: dict[str, None] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    n_located: int = 0


class _Classifier:
    """Classifies category cells once per distinct cell value.

    A cell is classified without its row's context first; only a cell with a name that this
    leaves undecided (「短期入所」 alone) is classified again with the row's name and the file's
    domain, which can only decide such names.
    """

    def __init__(self, context: _ClassifyContext) -> None:
        self.context = context
        self.cache: dict[str, Classification] = {}

    def __call__(self, raw: str, name: str) -> Classification:
        """The classification of one cell in a row named ``name``."""
        context = self.context
        hit = self.cache.get(raw)
        if hit is None:
            hit = context.taxonomy.classify_cell(raw, domain=context.domain)
            self.cache[raw] = hit
        if not hit.ambiguous:
            return hit
        return context.taxonomy.classify_cell(
            raw, domain=context.domain, row_text=name, file_domain=context.file_domain
        )


def _match_columns(
    table: T.Table, cols: dict[str, str | None], category: str | None, geocoding: bool = False
) -> _Columns:
    """Find the column of every role; raise :class:`ColumnNotFoundError` for a missing one."""
    found = {role: _find(table, role, cols.get(role)) for role in _CANDIDATES}
    layout = _detect_layout(table, found["address"])
    if layout == "hirakata_fukushi_map" and cols.get("category") is None:
        found["category"] = _find(table, "category", "service_type")
    if found["name"] is None:
        raise _missing("name", table)
    use_xy = found["lat"] is not None and found["lon"] is not None
    no_address = not geocoding or found["address"] is None
    if not use_xy and table.points is None and found["location"] is None and no_address:
        role = "lat" if found["lat"] is None else "lon"
        raise _missing(
            role,
            table,
            extra=" (or one 'lat,lon' column such as location) / 緯度・経度の列、または location 列",
        )
    if category is None and found["category"] is None:
        raise _missing(
            "category",
            table,
            extra=", or category='kayoi_no_ba' to give every row one category / すべての行を同じ"
            "種別にするときは category='kayoi_no_ba'（コマンドでは map・priorities の --category "
            'kayoi_no_ba、レシピでは category = "kayoi_no_ba"）のように指定してください',
        )
    # category= fills a list without a type column; a file with its own column keeps it
    given = category if found["category"] is None else None
    idx = {role: table.columns.index(c) for role, c in found.items() if c is not None}
    return _Columns(found=found, idx=idx, layout=layout, use_xy=use_xy, given=given)


def _start_report(
    table: T.Table, spec: _Columns, category: str | None, source: S.Source | str | None
) -> tuple[S.ReadReport, list[str]]:
    """The file's report with what was recognised, and the messages to warn about."""
    path = table.path
    messages: list[str] = []
    found = spec.found
    if category is not None and spec.given is None:
        messages.append(
            f"{path.name}: 種別の列「{found['category']}」があるので、その列で分類しました"
            f"（category={category!r} は種別の列がないファイルだけに使います）/ the file has its "
            f"own category column {found['category']!r}, which is used; category={category!r} "
            "applies only to files without one"
        )
    report = S.ReadReport(
        file=path.name,
        layout=spec.layout,
        columns={role: c for role, c in found.items() if c is not None},
        sources=[_source_for(spec.layout, path, source).to_dict()],
    )
    if table.encoding:
        report.columns["encoding"] = table.encoding
    if table.sheet:
        report.columns["sheet"] = table.sheet
    if table.header_row > 1:
        report.columns["header_row"] = str(table.header_row)
    if spec.given is not None:
        report.columns["category"] = f"category={spec.given!r}"
    if not spec.use_xy and table.points is not None:
        report.columns["coordinates"] = "geometry"
    report.warnings.extend(_layout_notes(table))
    messages.extend(_sheet_notes(table))
    return report, messages


def _layout_notes(table: T.Table) -> list[str]:
    """Title rows above the header and notes beside the table (not data)."""
    name = table.path.name
    notes: list[str] = []
    if table.above:
        shown = "; ".join(f"行 {n}: {show_value(text[:60])}" for n, text in table.above[:3])
        notes.append(
            f"{name}: 見出しは {table.header_row} 行目です。その上の {len(table.above)} 行"
            f"（{shown}）は表題としてデータに数えていません / the header is row "
            f"{table.header_row}; {len(table.above)} rows above it (titles) are not data"
        )
    for letter, cells in table.untitled.items():
        shown = ", ".join(f"行 {n}: {show_value(value)}" for n, value in cells[:3])
        more = " …" if len(cells) > 3 else ""
        notes.append(
            f"{name}: 見出しが空の列 {letter} にある値 {len(cells)} 件（{shown}{more}）は"
            f"使っていません / {len(cells)} values in column {letter}, which has no header, "
            "are ignored"
        )
    return notes


def _sheet_notes(table: T.Table) -> list[str]:
    """One message per sheet of a workbook that was not read, and for several sheets read."""
    name = table.path.name
    notes: list[str] = []
    if table.row_sheets is not None:
        notes.append(
            f"{name}: 見出しが同じシート {table.sheet} をまとめて読みました（行番号は各シートの"
            f"ものです）/ read the sheets {table.sheet}, which share one header; row numbers are "
            "each sheet's own"
        )
    for sheet, why in table.skipped_sheets:
        if why.startswith("空"):
            continue
        notes.append(
            f"{name}: シート {sheet!r} は読んでいません（{why}）。読むときは sheet={sheet!r} を"
            f"指定してください / sheet {sheet!r} was not read ({why.split(' / ')[-1]}); pass "
            f"sheet={sheet!r} to read it"
        )
    return notes


#: roles whose blank cell rejects a row
_NEEDED_ROLES = ("name", "lat", "lon", "location", "category")


def _formula_problem(table: T.Table, i: int, spec: _Columns) -> tuple[str, str] | None:
    """The problem of a row whose needed cells are formulas without a saved result."""
    cells = table.formulas.get(i)
    if not cells:
        return None
    needed = {spec.found[r] for r in _NEEDED_ROLES if spec.found.get(r) is not None}
    hit = [c for c in cells if c in needed]
    return T.formula_problem(hit) if hit else None


# --- column-wise reading of the rows --------------------------------------------------------------
def _objects(values: Sequence[Any]) -> np.ndarray:
    """A numpy object array of ``values`` (tuples and dicts stay single elements)."""
    out = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):
        out[k] = value
    return out


def _codes(column: Any) -> tuple[Any, np.ndarray]:
    """(distinct values in order of first appearance, each row's position among them).

    The distinct values are a pyarrow array (``.to_pylist()`` for Python strings).
    """
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        if not encoded.num_chunks:
            return pa.array([], type=pa.large_string()), np.zeros(0, dtype=np.intp)
        # the chunks of a chunked column share the one (final) dictionary
        values = encoded.chunk(0).dictionary
        codes = np.concatenate([c.indices.to_numpy() for c in encoded.chunks])
    else:
        values, codes = encoded.dictionary, encoded.indices.to_numpy()
    return values, np.asarray(codes, dtype=np.intp)


def _take(column: Any, at: Any) -> Any:
    """The cells of ``column`` at ``at`` (the whole column when ``at`` is ``None``)."""
    return column if at is None else column.take(at)


def _floats(values: Any) -> np.ndarray:
    """Plain decimal numbers in one C call; anything else is NaN here and parsed row by row.

    Cells that are not ``-?digits[.digits]`` go through ``float()`` the way the row-wise reader
    always read them (numpy first, Python's ``float`` when numpy refuses one of them).
    """
    plain = pc.match_substring_regex(values, r"^-?[0-9]+(\.[0-9]+)?$")
    out = np.array(pc.cast(pc.if_else(plain, values, "0"), pa.float64()).to_numpy(), dtype=float)
    rest = np.flatnonzero(~np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool))
    if len(rest):
        cells = values.take(pa.array(rest)).to_pylist()
        try:
            out[rest] = np.array(cells, dtype=float)
        except ValueError:
            out[rest] = [_float_or_nan(v) for v in cells]
    return out


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _xy_columns(
    table: T.Table, spec: _Columns
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[str, str]]]:
    """Coordinates from the latitude/longitude columns: decimals at once, the rest by row."""
    j_lat, j_lon = spec.idx["lat"], spec.idx["lon"]
    lat_raw, lon_raw = table.text_column(j_lat), table.text_column(j_lon)
    lat = _floats(lat_raw)
    lon = _floats(lon_raw)
    problems: dict[int, tuple[str, str]] = {}
    unsure = np.flatnonzero(~(np.isfinite(lat) & np.isfinite(lon)))
    if len(unsure):
        at = pa.array(unsure)
        cells = zip(lat_raw.take(at).to_pylist(), lon_raw.take(at).to_pylist(), strict=True)
        for i, (raw_lat, raw_lon) in zip(unsure.tolist(), cells, strict=True):
            x, y, problem = _row_coords({j_lat: raw_lat, j_lon: raw_lon}, spec.idx, True)
            if problem is not None or x is None or y is None:
                problems[i] = problem or ("座標なし", "座標がありません / no coordinates")
                lon[i] = lat[i] = math.nan
            else:
                lon[i], lat[i] = x, y
    return lon, lat, problems


def _points_by_row(
    table: T.Table, spec: _Columns
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[str, str]]]:
    """Coordinates of a vector file (its geometry first) or from a ``location`` column."""
    n = len(table.rows)
    lon = np.full(n, math.nan)
    lat = np.full(n, math.nan)
    problems: dict[int, tuple[str, str]] = {}
    needed = [spec.idx[r] for r in ("lat", "lon", "location") if r in spec.idx]
    cells = {j: table.text_column(j).to_pylist() for j in needed}
    for i in range(n):
        point = table.points[i] if table.points is not None else None
        problem: tuple[str, str] | None = None
        x: float | None
        y: float | None
        if isinstance(point, tuple):
            x, y = point
        elif point is not None and not spec.use_xy:
            x = y = None
            problem = ("座標なし", point)
        else:
            row = {j: cells[j][i] for j in needed}
            x, y, problem = _row_coords(row, spec.idx, spec.use_xy)
        if problem is not None or x is None or y is None:
            problems[i] = problem or ("座標なし", "座標がありません / no coordinates")
        else:
            lon[i], lat[i] = x, y
    return lon, lat, problems


def _coordinates(
    table: T.Table, spec: _Columns, tally: _Tally
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[str, str]]]:
    """(lon, lat, problem per row): swapped pairs put right, points outside Japan refused."""
    if table.points is None and spec.use_xy:
        lon, lat, problems = _xy_columns(table, spec)
    else:
        lon, lat, problems = _points_by_row(table, spec)
    located = np.isfinite(lon) & np.isfinite(lat)
    inside = S.in_japan(lon, lat)
    swap = located & ~inside & S.in_japan(lat, lon)
    if swap.any():
        lon[swap], lat[swap] = lat[swap], lon[swap]
        tally.swapped.extend(table.row_numbers[i] for i in np.flatnonzero(swap).tolist())
        inside = S.in_japan(lon, lat)
    tally.n_located += int((located & inside).sum())
    for i in np.flatnonzero(located & ~inside).tolist():
        problems[i] = _outside_problem(float(lon[i]), float(lat[i]))
    return lon, lat, problems


def _outside_problem(lon: float, lat: float) -> tuple[str, str]:
    hint = ""
    if max(abs(lon), abs(lat)) > 1000:
        hint = "（経緯度ではなく平面直角座標などの値のようです / looks like projected metres）"
    return (
        "日本の範囲外",
        f"座標が日本の範囲外です（緯度 {lat}, 経度 {lon}）{hint} / coordinates outside "
        f"Japan (lat {lat}, lon {lon})",
    )


def _blank_category(spec: _Columns) -> tuple[str, str]:
    return (
        "種別なし",
        f"種別（{spec.found['category']}）が空です。category='…' で指定するか列を埋めてください"
        " / the category is blank; fill it or pass category='…'",
    )


def _cell_verdict(
    value: str, spec: _Columns, classify: _Classifier, tally: _Tally
) -> tuple[tuple[str, ...], tuple[str, str] | None] | None:
    """(keys, problem) of a category cell, or ``None`` when its row's name must decide."""
    if not value.strip():
        return (), _blank_category(spec)
    if classify(value, "").ambiguous:
        return None
    return _classify(value, "", classify, tally.unclassified)


def _row_problems(
    table: T.Table,
    i: int,
    spec: _Columns,
    name: str,
    found: tuple[tuple[str, str] | None, list[tuple[str, str]]],
) -> list[tuple[str, str]]:
    """Every problem of row ``i``, in the order they are reported."""
    point, category = found
    problems: list[tuple[str, str]] = []
    if i in table.row_errors:
        problems.append(table.row_errors[i])
    formula = _formula_problem(table, i, spec)
    if formula is not None:
        return [*problems, formula]
    if point is not None:
        problems.append(point)
    if not name:
        problems.append(("名称なし", f"名称（{spec.found['name']}）が空です / the name is blank"))
    return problems + category


@dataclass
class _Categories:
    """The category keys of every row: distinct key tuples and each row's position among them."""

    keys: list[tuple[str, ...]]
    code: np.ndarray
    problems: dict[int, list[tuple[str, str]]]


def _categories(
    table: T.Table, spec: _Columns, names: Any, classify: _Classifier, tally: _Tally
) -> _Categories:
    """The keys and problems of every row, each distinct cell classified once.

    Only a cell whose names the cell alone leaves undecided (「短期入所」) is classified again
    per row, with the row's name. 休止・廃止 rows are problems unless counted.
    """
    n = len(table.rows)
    problems: dict[int, list[tuple[str, str]]] = {}
    if spec.given is not None:
        values, codes = [""], np.zeros(n, dtype=np.intp)
        keys: list[tuple[str, ...]] = [(spec.given,)]
    else:
        distinct, codes = _codes(table.text_column(spec.idx["category"]))
        values = distinct.to_pylist()
        verdicts = [_cell_verdict(value, spec, classify, tally) for value in values]
        keys = [v[0] if v is not None else () for v in verdicts]
        for c, verdict in enumerate(verdicts):
            if verdict is not None and verdict[1] is not None:
                for i in np.flatnonzero(codes == c).tolist():
                    problems[i] = [verdict[1]]
        undecided = [c for c, v in enumerate(verdicts) if v is None]
        if undecided:
            codes = codes.copy()
            by_keys = {k: c for c, k in enumerate(keys)}
            rows = np.flatnonzero(np.isin(codes, undecided))
            row_names = names.take(pa.array(rows)).to_pylist()
            for i, name in zip(rows.tolist(), row_names, strict=True):
                found = _classify(values[codes[i]], name, classify, tally.unclassified)
                codes[i] = by_keys.setdefault(found[0], len(keys))
                if codes[i] == len(keys):
                    keys.append(found[0])
                if found[1] is not None:
                    problems[i] = [found[1]]
    if not classify.context.include_inactive:
        _inactive_rows(names, values, codes, problems)
    return _Categories(keys=keys, code=codes, problems=problems)


def _inactive_rows(
    names: Any, values: list[str], codes: np.ndarray, problems: dict[int, list[tuple[str, str]]]
) -> None:
    """Add the 休止・廃止 problem of rows whose name or category cell says so."""
    pattern = _MAYBE_INACTIVE.pattern
    maybe = np.asarray(pc.match_substring_regex(names, pattern).to_numpy(), dtype=bool)
    in_value = np.array([_MAYBE_INACTIVE.search(v) is not None for v in values], dtype=bool)
    if len(in_value) and in_value.any():
        maybe |= in_value[codes] if len(codes) else maybe
    rows = np.flatnonzero(maybe)
    for i, name in zip(rows.tolist(), names.take(pa.array(rows)).to_pylist(), strict=True):
        inactive = _inactive_problem(name, values[codes[i]])
        if inactive is not None:
            problems.setdefault(i, []).append(inactive)


def _geocode_missing(
    table: T.Table,
    spec: _Columns,
    coords: tuple[np.ndarray, np.ndarray, dict[int, tuple[str, str]]],
    reference: Any,
) -> dict[int, Any]:
    """Geocode the rows without coordinates from their address; update ``coords`` in place."""
    lon, lat, problems = coords
    if reference is None or "address" not in spec.idx:
        return {}
    from chiikimap.geocode import geocode_one

    j = spec.idx["address"]
    done: dict[int, Any] = {}
    for i, problem in list(problems.items()):
        if problem[0] != "座標なし":
            continue
        result = geocode_one(table.cell(i, j), *reference)
        if result.lon is None or result.lat is None:
            problems[i] = ("住所照合不可", f"座標がなく、住所を照合できません: {result.reason}")
            continue
        del problems[i]
        lon[i], lat[i] = result.lon, result.lat
        done[i] = result
    return done


@dataclass
class _FileRows:
    """The kept rows of one file, column by column (``good[k]`` is the table row of kept row k)."""

    table: T.Table
    report: S.ReadReport
    good: np.ndarray
    #: ``good`` as a pyarrow array, ``None`` when every row was kept
    at: Any
    names: Any  # pyarrow strings, stripped
    categories: _Categories  # code per kept row
    capacity: np.ndarray
    capacity_code: np.ndarray
    address: Any  # pyarrow strings
    rid: Any  # pyarrow strings
    lon: np.ndarray
    lat: np.ndarray
    geocoded: dict[int, Any]

    def __len__(self) -> int:
        return len(self.good)

    def file(self, k: int) -> str:
        """The file (and sheet) of kept row ``k``."""
        return self.table.where(int(self.good[k]))

    def row_number(self, k: int) -> int:
        """The file's own number of kept row ``k``."""
        return self.table.row_numbers[int(self.good[k])]


def _read_rows(
    table: T.Table,
    spec: _Columns,
    classify: _Classifier,
    tally: _Tally,
    report: S.ReadReport,
    reference: Any = None,
) -> _FileRows:
    """Every row of ``table`` kept (returned, column by column) or rejected (in ``report``).

    Columns are parsed whole (coordinates, categories, capacities), so a million rows cost a
    few seconds; only rows with a problem are looked at one by one.
    """
    lon, lat, point_problems = _coordinates(table, spec, tally)
    geocoded = _geocode_missing(table, spec, (lon, lat, point_problems), reference)
    names = _columnar.strip(table.text_column(spec.idx["name"]))
    cats = _categories(table, spec, names, classify, tally)
    bad = set(point_problems) | set(cats.problems) | set(table.row_errors)
    bad.update(i for i in table.formulas if _formula_problem(table, i, spec) is not None)
    bad.update(np.flatnonzero(np.asarray(pc.utf8_length(names).to_numpy()) == 0).tolist())
    rejected = sorted(bad)
    bad_names = names.take(pa.array(rejected, type=pa.int64())).to_pylist()
    bad_cells = table.rows_at(rejected)
    for i, name, cells in zip(rejected, bad_names, bad_cells, strict=True):
        found = (point_problems.get(i), cats.problems.get(i, []))
        _reject(table, i, cells, _row_problems(table, i, spec, name, found), tally, report)
    keep = np.ones(len(table.rows), dtype=bool)
    keep[list(bad)] = False
    good = np.flatnonzero(keep)
    at = None if len(good) == len(keep) else pa.array(good)
    capacity, capacity_code = _capacities(table, spec, (good, at), tally)
    address, rid = _address_and_id(table, spec, (good, at))
    return _FileRows(
        table=table,
        report=report,
        good=good,
        names=_take(names, at),
        at=at,
        categories=_Categories(cats.keys, cats.code[good], {}),
        capacity=capacity,
        capacity_code=capacity_code,
        address=address,
        rid=rid,
        lon=lon[good],
        lat=lat[good],
        geocoded=geocoded,
    )


def _reject(
    table: T.Table,
    i: int,
    cells: list[str],
    problems: list[tuple[str, str]],
    tally: _Tally,
    report: S.ReadReport,
) -> None:
    for kind, _ in problems:
        tally.reasons[kind] += 1
    report.rejected.append(
        {
            S.REJECTED_FILE: table.where(i),
            S.REJECTED_ROW: table.row_numbers[i],
            S.REJECTED_REASON: "; ".join(r for _, r in problems),
            S.REJECTED_VALUES: dict(zip(table.columns, cells, strict=True)),
        }
    )


def _capacities(
    table: T.Table, spec: _Columns, kept: tuple[np.ndarray, Any], tally: _Tally
) -> tuple[np.ndarray, np.ndarray]:
    """(capacity, code of the capacity cell) of the kept rows; each distinct cell parsed once."""
    good, at = kept
    n = len(good)
    if "capacity" not in spec.idx:
        return np.full(n, math.nan), np.zeros(n, dtype=np.intp)
    distinct, codes = _codes(_take(table.text_column(spec.idx["capacity"]), at))
    values = distinct.to_pylist()
    parsed = [_parse_capacity(v) for v in values]
    capacity = np.array([p[0] for p in parsed], dtype=float)[codes]
    status = np.array([p[1] for p in parsed], dtype=object)[codes]
    numbers = np.asarray(table.row_numbers)[good]
    tally.bad_capacity.extend(numbers[status == "bad"].tolist())
    tally.zero_capacity.extend(numbers[status == "zero"].tolist())
    return capacity, codes


def _address_and_id(
    table: T.Table, spec: _Columns, kept: tuple[np.ndarray, Any]
) -> tuple[Any, Any]:
    """(address, id) of the kept rows, stripped; a 方書 not in the address is added to it."""
    idx = spec.idx
    good, at = kept
    empty = _constant("", len(good))
    address = empty
    if "address" in idx:
        address = _columnar.strip(_take(table.text_column(idx["address"]), at))
    if "building" in idx:
        building = _columnar.strip(_take(table.text_column(idx["building"]), at))
        has = np.flatnonzero(np.asarray(pc.utf8_length(building).to_numpy()) > 0)
        if len(has):
            texts = address.to_pylist()
            for k, b in zip(has.tolist(), building.take(pa.array(has)).to_pylist(), strict=True):
                if b not in texts[k]:
                    texts[k] = f"{texts[k]} {b}".strip()
            address = pa.chunked_array([pa.array(texts, type=pa.large_string())])
    rid = _columnar.strip(_take(table.text_column(idx["id"]), at)) if "id" in idx else empty
    return address, rid


def _summary(table: T.Table, report: S.ReadReport, tally: _Tally) -> list[str]:
    """The messages that sum up one file's rows (rejected, swapped, unclassified, capacity)."""
    name = table.path.name
    messages: list[str] = []
    if table.n_blank:
        report.warnings.append(
            f"{name}: 空行 {table.n_blank} 行を読み飛ばしました / skipped {table.n_blank} blank rows"
        )
    if report.rejected:
        n = len(report.rejected)
        summary = "、".join(f"{k} {v}" for k, v in tally.reasons.most_common())
        messages.append(
            f"{name}: {n} 行を取り込めませんでした（{summary}; 行 "
            f"{_rows_text([r[S.REJECTED_ROW] for r in report.rejected])}）。"
            "chiikimap.rejected_rows(gdf) で行番号・理由・元の値を確認できます / "
            f"{n} rows rejected; see chiikimap.rejected_rows(gdf) for rows, reasons and values"
        )
    if tally.swapped:
        swapped = tally.swapped
        whole = len(swapped) == tally.n_located and tally.n_located > 1
        scope = "ファイル全体で" if whole else f"{len(swapped)} 行（行 {_rows_text(swapped)}）で"
        messages.append(
            f"{name}: {scope}緯度と経度が入れ替わっていたので入れ替えて読みました / latitude "
            f"and longitude were swapped in {len(swapped)} rows"
            f"{' (the whole file)' if whole else ''}; read them the right way round"
        )
    if tally.unclassified:
        names = ", ".join(repr(u) for u in tally.unclassified)
        report.unclassified = list(tally.unclassified)
        messages.append(
            f"{name}: 分類表にない種別 {len(tally.unclassified)} 種類: {names}。その部分は使って"
            "いません（Taxonomy.extend で追加できます）/ unclassified service names (ignored): "
            f"{names}"
        )
    messages.extend(_capacity_notes(name, report, tally))
    return messages


def _capacity_notes(name: str, report: S.ReadReport, tally: _Tally) -> list[str]:
    messages: list[str] = []
    bad, zero = tally.bad_capacity, tally.zero_capacity
    if bad:
        messages.append(
            f"{name}: 定員を数値にできない {len(bad)} 行（行 {_rows_text(bad)}）"
            f"は定員不明 (NaN) にしました / capacity is not a number in {len(bad)} rows; "
            "set to NaN"
        )
    if zero:
        report.warnings.append(
            f"{name}: 定員 0 の {len(zero)} 行は定員不明 (NaN) として扱いました "
            f"（行 {_rows_text(zero)}）/ capacity 0 read as unknown in {len(zero)} rows"
        )
    return messages


def _file_context(classifier: _ClassifyContext, table: T.Table, spec: _Columns) -> _ClassifyContext:
    """The classify context of one file: its layout's domain and the only domain of its cells."""
    file_domain = None
    if spec.given is None:
        values = pc.unique(table.text_column(spec.idx["category"])).to_pylist()
        file_domain = classifier.taxonomy.sole_domain(dict.fromkeys(values))
    return replace(
        classifier,
        domain=classifier.domain or _LAYOUT_DOMAIN.get(spec.layout),
        file_domain=file_domain,
    )


def _read_one(  # noqa: PLR0913  (keyword-only options passed through from read_resources)
    path: Path,
    *,
    category: str | None,
    cols: dict[str, str | None],
    encoding: str | None,
    sheet: str | int | None,
    header_row: int | None,
    classifier: _ClassifyContext,
    source: S.Source | str | None,
    reference: Any = None,
) -> tuple[_FileRows, list[str]]:
    """Read one file: its table, the columns of each role, every row kept or rejected."""
    table = _load(path, encoding, sheet, cols, header_row)
    spec = _match_columns(table, cols, category, geocoding=reference is not None)
    report, messages = _start_report(table, spec, category, source)
    report.n_read = len(table.rows)
    classify = _Classifier(_file_context(classifier, table, spec))
    tally = _Tally()
    rows = _read_rows(table, spec, classify, tally, report, reference)
    if rows.geocoded:  # positions taken from the reference files: credit them as their terms ask
        report.sources += [c for c in reference[0].credits if c not in report.sources]
    datum_message = _datum_shift(rows, spec.found, table.points is None, path.name)
    if datum_message is not None:
        report.columns["datum"] = "日本測地系 → JGD2011"
        messages.append(datum_message)
    messages.extend(_summary(table, report, tally))
    report.warnings.extend(messages)
    return rows, messages


# --- one resource per registered service, on columns ---------------------------------------------
def _office_numbers(rows: _FileRows) -> Any:
    """The 事業所番号 of every kept row (pyarrow strings), ``None`` when the file has none."""
    column = rows.report.columns.get("id")
    if not _identity.is_office_number_column(column):
        return None
    rid = rows.rid
    simple = pc.and_(pc.string_is_ascii(rid), pc.utf8_is_alnum(rid))
    other = np.flatnonzero(~np.asarray(simple.to_numpy(zero_copy_only=False), dtype=bool))
    if not len(other):
        return rid
    texts = rid.to_pylist()
    for k in other.tolist():
        texts[k] = _identity.office_number_of(column, texts[k])
    return pa.chunked_array([pa.array(texts, type=pa.large_string())])


def _repeated(codes: np.ndarray) -> np.ndarray:
    """Whether each row's code is shared with another row."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    return np.asarray(np.bincount(codes)[codes] > 1, dtype=bool)


def _duplicate_positions(rows: _FileRows, numbers: Any) -> np.ndarray:
    """Positions of the kept rows that share their key with another kept row (rule 1).

    The key is the 事業所番号 when there is one, else the file (sheet), the point rounded to
    7 decimals and every cell of the row (:func:`chiikimap._identity.merge_rows`).
    """
    n = len(rows)
    dup = np.zeros(n, dtype=bool)
    numbered = np.zeros(n, dtype=bool)
    if numbers is not None:
        numbered = np.asarray(pc.utf8_length(numbers).to_numpy(), dtype=np.int64) > 0
        dup = numbered & _repeated(_codes(numbers)[1])
    rest = np.flatnonzero(~numbered)
    if len(rest) < 2:
        return np.flatnonzero(dup)
    table = rows.table
    at = pa.array(rows.good[rest])
    keys = [
        np.unique([round(v, 7) for v in rows.lon[rest].tolist()], return_inverse=True)[1],
        np.unique([round(v, 7) for v in rows.lat[rest].tolist()], return_inverse=True)[1],
    ]
    if table.row_sheets is not None:
        keys.append(
            np.unique([table.row_sheets[i] for i in rows.good[rest]], return_inverse=True)[1]
        )
    # a column name given twice is one key of the row's values: its last column
    for j in {c: j for j, c in enumerate(table.columns)}.values():
        keys.append(_codes(table.text_column(j).take(at))[1])
    row_key = np.unique(np.column_stack(keys), axis=0, return_inverse=True)[1].ravel()
    dup[rest] = _repeated(row_key)
    return np.flatnonzero(dup)


def _merge_file(rows: _FileRows) -> tuple[np.ndarray, dict[int, _Kept], Any, list[str]]:
    """(positions of the resources, merged records by position, 事業所番号, messages).

    Only the rows that share a key become records for :func:`_identity.merge_rows`; every
    other kept row is a resource as it is.
    """
    numbers = _office_numbers(rows)
    positions = _duplicate_positions(rows, numbers)
    if not len(positions):
        return np.arange(len(rows)), {}, numbers, []
    records = _records(rows, positions.tolist())
    extent = (
        float(rows.lon.min()),
        float(rows.lat.min()),
        float(rows.lon.max()),
        float(rows.lat.max()),
    )
    position = {id(r): int(k) for r, k in zip(records, positions, strict=True)}
    out, messages = _identity.merge_rows(records, extent)
    merged = {position[id(r)]: r for r in out}
    keep = np.ones(len(rows), dtype=bool)
    keep[positions] = False
    keep[list(merged)] = True
    return np.flatnonzero(keep), merged, numbers, messages


# --- the layer ------------------------------------------------------------------------------------
def _text(values: Any) -> pd.Series:
    """Text cells as pandas' string column (pyarrow strings are used without a copy)."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(list(values), type=pa.large_string())
    series: pd.Series = values.to_pandas()
    return series


def _constant(value: str, n: int) -> Any:
    """``n`` times the same text, as pyarrow strings."""
    return pc.if_else(pa.array(np.ones(n, dtype=bool)), value, value)


def _frame(columns: dict[str, Any], lon: np.ndarray, lat: np.ndarray) -> gpd.GeoDataFrame:
    """The resources layer from its columns (text as pandas strings) and the points."""
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if name in (S.CATEGORIES, S.CAPACITIES):
            data[name] = pd.Series(values, dtype=object)
        elif name == S.CAPACITY:
            data[name] = np.asarray(values, dtype=float)
        else:
            data[name] = _text(values)
    return gpd.GeoDataFrame(
        data,
        geometry=shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)),
        crs=S.STORAGE_CRS,
    )


def _file_layer(
    rows: _FileRows, final: np.ndarray, merged: dict[int, _Kept], numbers: Any
) -> gpd.GeoDataFrame:
    """The resources of one file: kept rows as they are, merged ones with their union."""
    n = len(final)
    at = None if n == len(rows) else pa.array(final)
    keys = list(rows.categories.keys)
    code = rows.categories.code[final].copy()
    capacity = rows.capacity[final].copy()
    by_keys = {k: c for c, k in enumerate(keys)}
    where = {k: m for m, k in enumerate(final.tolist()) if k in merged}
    for k, m in where.items():
        rec = merged[k]
        code[m] = by_keys.setdefault(rec.categories, len(keys))
        if code[m] == len(keys):
            keys.append(rec.categories)
        capacity[m] = rec.capacity
    capacities = _shared_capacities(keys, code, rows.capacity[final], rows.capacity_code[final])
    for k, m in where.items():
        capacities[m] = merged[k].capacities
    single = rows.table.row_sheets is None
    sources = _constant(rows.table.path.name, n) if single else [rows.file(k) for k in final]
    columns = {
        S.RESOURCE_ID: _file_ids(rows, final),
        S.NAME: _take(rows.names, at),
        S.CATEGORY: pa.DictionaryArray.from_arrays(
            pa.array(code, type=pa.int32()), pa.array([k[0] if k else "" for k in keys])
        ).cast(pa.large_string()),
        S.CATEGORIES: _objects(keys)[code],
        S.CAPACITY: capacity,
        S.CAPACITIES: capacities,
        S.ADDRESS: _take(rows.address, at),
        S.SOURCE: sources,
        S.OFFICE_NUMBER: _take(numbers, at) if numbers is not None else _constant("", n),
        **_file_contact(rows, final),
    }
    gdf = _frame(columns, rows.lon[final], rows.lat[final])
    if rows.geocoded:
        hits = [rows.geocoded.get(int(rows.good[k])) for k in final]
        _add_geocode_columns(gdf, hits)
    return gdf


def _shared_capacities(
    keys: list[tuple[str, ...]], code: np.ndarray, capacity: np.ndarray, cap_code: np.ndarray
) -> np.ndarray:
    """Each row's ``capacities`` dict, one per distinct (categories, capacity cell) pair.

    ``capacity`` is each row's parsed capacity cell (one value per ``cap_code``).
    """
    if not len(code):
        return _objects([])
    combo = code.astype(np.int64) * (int(cap_code.max(initial=0)) + 1) + cap_code
    _, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    dicts = [
        {} if math.isnan(capacity[f]) else dict.fromkeys(keys[code[f]], float(capacity[f]))
        for f in first.tolist()
    ]
    out: np.ndarray = _objects(dicts)[inverse.ravel()]
    return out


def _file_ids(rows: _FileRows, final: np.ndarray) -> Any:
    """The file's own ids where present and unique, else ``<stem>-<row>``."""
    rid = _take(rows.rid, None if len(final) == len(rows) else pa.array(final))
    n = len(final)
    if n and pc.min(pc.utf8_length(rid)).as_py() > 0 and len(_codes(rid)[0]) == n:
        return rid
    return _resource_ids(
        rid.to_pylist(), [rows.file(k) for k in final], [rows.row_number(k) for k in final]
    )


def _resource_ids(rids: list[str], files: list[str], numbers: list[int]) -> list[str]:
    """The file's own ids where they are present and unique, else ``<stem>-<row>``."""
    if all(rids) and len(set(rids)) == len(rids):
        return rids
    counts = Counter(r for r in rids if r)
    ids: list[str] = []
    seen: set[str] = set()
    stems: dict[str, str] = {}
    for rid, file, number in zip(rids, files, numbers, strict=True):
        stem = stems.get(file)
        if stem is None:
            stem = stems[file] = Path(_file_name(file)).stem
        out = rid if rid and counts[rid] == 1 else ""
        if not out:
            out = f"{stem}-{number}"
        while out in seen:
            out = f"{out}-{number}"
        seen.add(out)
        ids.append(out)
    return ids


#: ``" ".join(text.split())`` on pyarrow strings: runs of Python white space
_SPACE_RUN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _columnar.SPACES) + "]+"


def _squeeze(column: Any) -> Any:
    """``" ".join(text.split())`` of every cell (the column itself when none has white space)."""
    if not pc.any(pc.match_substring_regex(column, _SPACE_RUN)).as_py():
        return column
    return pc.replace_substring_regex(_columnar.strip(column), _SPACE_RUN, " ")


def _file_contact(rows: _FileRows, final: np.ndarray) -> dict[str, Any]:
    """The contact columns (phone, fax, hours, url, operator) of the resources of one file."""
    roles = ("phone", "fax", "url", "operator", *_CONTACT_PARTS)
    found = rows.report.columns
    index = {c: j for j, c in enumerate(rows.table.columns)}
    n = len(final)
    at = None if rows.at is None and n == len(rows) else pa.array(rows.good[final])
    cells = {
        r: _squeeze(_take(rows.table.text_column(index[found[r]]), at))
        for r in roles
        if r in found and found[r] in index
    }
    hours: Any = _constant("", n)
    parts = [r for r in _CONTACT_PARTS if r in cells]
    if parts:
        lists = {r: cells[r].to_pylist() for r in parts}
        hours = [_hours_text({r: lists[r][k] for r in parts if lists[r][k]}) for k in range(n)]
    return dict(
        zip(
            S.CONTACT_COLUMNS,
            [
                cells.get("phone", _constant("", n)),
                cells.get("fax", _constant("", n)),
                hours,
                cells.get("url", _constant("", n)),
                cells.get("operator", _constant("", n)),
            ],
            strict=True,
        )
    )


def _records_layer(unique: list[_Kept]) -> gpd.GeoDataFrame:
    """The resources layer from merged records (several files read together)."""
    columns = {
        S.RESOURCE_ID: _resource_ids(
            [k.rid for k in unique], [k.file for k in unique], [k.row for k in unique]
        ),
        S.NAME: [k.name for k in unique],
        S.CATEGORY: [k.categories[0] for k in unique],
        S.CATEGORIES: _objects([k.categories for k in unique]),
        S.CAPACITY: [k.capacity for k in unique],
        S.CAPACITIES: _objects([k.capacities for k in unique]),
        S.ADDRESS: [k.address for k in unique],
        S.SOURCE: [k.file for k in unique],
        S.OFFICE_NUMBER: [k.office_number for k in unique],
        **_contact_columns(unique),
    }
    gdf = _frame(columns, np.array([k.lon for k in unique]), np.array([k.lat for k in unique]))
    if any(k.extra for k in unique):
        hits = [_GeocodeHit(k.extra) for k in unique]
        _add_geocode_columns(gdf, hits)
    return gdf


# --- public ---------------------------------------------------------------------------------------
@reads_files
def read_resources(  # noqa: PLR0913  (keyword-only column and file options are the documented API)
    path: PathArg | Sequence[PathArg],
    *,
    category: str | None = None,
    name_col: str | None = None,
    lat_col: str | None = None,
    lon_col: str | None = None,
    address_col: str | None = None,
    category_col: str | None = None,
    capacity_col: str | None = None,
    id_col: str | None = None,
    phone_col: str | None = None,
    fax_col: str | None = None,
    hours_col: str | None = None,
    url_col: str | None = None,
    operator_col: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    taxonomy: Taxonomy | None = None,
    source: S.Source | str | None = None,
    include_inactive: bool = False,
    domain: str | None = None,
    within_m: float = 50.0,
    geocode: Reference | PathLike[str] | str | Sequence[PathLike[str] | str] | None = None,
    address_aliases: AliasArg | None = None,
    geocode_municipality: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a list of resources (care offices, 通いの場, 配食 …) into the ``resources`` layer.

    Parameters
    ----------
    path
        A CSV (UTF-8, UTF-8 with BOM or cp932; detected by strict decoding), xlsx, GeoJSON or
        GeoPackage file, or a list of such files (read alike and concatenated).
    category
        One taxonomy key for every row of a file that has no category column (e.g.
        ``"kayoi_no_ba"`` for a list of サロン). A file that has its own category column (found by
        name or given as ``category_col``) is classified from that column with ``taxonomy``, and a
        :class:`chiikimap.ChiikimapWarning` says that ``category`` was not used for it: reading a
        訪問介護 list together with a サロン list keeps the 訪問介護 offices as 訪問介護.
    name_col, lat_col, lon_col, address_col, category_col, capacity_col, id_col
        Column names, when the usual names (名称/事業所名/施設名/施設・事業所名/name, 緯度/lat/
        latitude/y, 経度/lon/lng/longitude/x, 住所/所在地/address, サービスの種類/サービス種別/種別/
        category/service, 定員/capacity, 事業所番号/id) are not used. A usual name followed by a
        note in brackets matches too: 「緯度（世界測地系）」, 「経度(度)」, 「住所[所在地]」 (a note
        naming a reading such as （カナ） does not). A single ``location`` column holding
        ``"lat,lon"`` is read when there are no latitude/longitude columns. Coordinates whose
        header names the old Japanese datum (「緯度（日本測地系）」, 旧日本測地系, Tokyo Datum), or
        rows whose 測地系/datum column does, are transformed from EPSG:4301 to JGD2011 with
        pyproj (the TKY2JGD grid when installed, else EPSG's Tokyo→JGD2000 geocentric
        translation; see ``chiikimap.io._datum``) and a warning names the operation used.
    phone_col, fax_col, hours_col, url_col, operator_col
        Contact columns, kept when present and never required: 電話番号/事業所電話番号/tel/
        telephoneNumber, FAX番号, 開館時間/開所時間/営業時間/利用時間/利用可能な時間帯, URL/
        事業所URL/ホームページ, 法人の名称/運営法人/団体名. The ``hours`` column of the layer joins
        利用可能曜日 (開館日, availableDate), the time (or 開始時間〜終了時間, startTime〜endTime),
        定休日/休館日 and 利用可能曜日特記事項 (availableDateNote) into one text.
    encoding
        Text encoding of a CSV file; detected when omitted.
    sheet
        Sheet of an xlsx file (name or 0-based position), or layer of a GeoPackage. By default
        the first sheet whose header row is recognised (name and coordinate columns), else the
        first sheet; the sheet read is ``columns["sheet"]`` in the report.
    header_row
        1-based row number (as the file numbers it) of the column names in a CSV or xlsx file.
        By default the first of the first 10 non-blank rows that holds the name and the
        coordinate columns (else the first non-blank row), so that title rows such as
        「介護サービス事業所一覧（令和6年4月1日現在）」 above the table are skipped; they are listed
        in the report's warnings and are not data. Row numbers in the report are the file's own.
    taxonomy
        Classifier of service names; default :func:`chiikimap.default_taxonomy`.
    source
        The data source to credit (a :class:`chiikimap.Source` or its title); by default it is
        derived from the recognised layout, else the file name.
    include_inactive
        Count rows whose name or category says 休止, 休止中, 廃止, 廃止予定 or 休業 (by default
        they are rejected with that reason).
    domain
        The field of welfare (``"kaigo"`` 介護保険, ``"shogai"`` 障害福祉, ``"jido"`` 障害児・児童 …,
        a domain key of ``taxonomy``) that decides service names used in several fields
        (「短期入所」, 「居宅介護」, 「グループホーム」). By default the file's layout (an MHLW
        介護サービス file is 介護保険), the other services in the same cell, a 障害/児童 keyword in
        the row or the only field of the file's other rows decide; a row none decides is
        rejected with that reason (:meth:`chiikimap.Taxonomy.classify_cell`).
    within_m
        With several files: a resource of one file and one of another are the same facility
        when they lie within this many metres and their names or addresses agree (the rule of
        :func:`chiikimap.merge_resources`); default 50.
    geocode
        Address reference file(s) (or a :class:`chiikimap.io.reference.Reference`) to place the
        rows that have no coordinates from their address offline (:func:`chiikimap.geocode.geocode`);
        a list without coordinate columns then needs only an address column. Rows that have
        coordinates keep them; a row whose address matches only the municipality, or nothing, is
        rejected with the reason (never placed at the city centre). The layer then has the
        columns ``geocode_level`` (街区/町丁目/大字, None for rows with their own coordinates) and
        ``geocode_match`` (the reference name matched).
    address_aliases
        The municipality's own spellings for ``geocode``: a mapping ``{"招堤": "招提"}`` or the
        path of a two-column table (CSV or xlsx: the spelling as written, the reference's
        spelling; :func:`chiikimap.io.aliases.read_aliases`). Ignored without ``geocode``.
    geocode_municipality
        The municipality (``"高松市"``) of the addresses that name none (「番町1-8-15」 in a list
        kept by the city) for ``geocode``; addresses that name a municipality of the reference
        are read there as usual. By default an address naming none is read in the reference's
        only municipality; with a reference of several it is rejected (市区町村が参照データに
        ありません). Ignored without ``geocode``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``resource_id`` (the 事業所番号 or the file's own id where unique, else
        ``<stem>-<row>``), ``name``, ``category`` (first key), ``categories`` (tuple of all keys),
        ``capacity`` (float, the first category's; NaN when unknown or 0), ``capacities`` (dict
        key → capacity of that category), ``address``, ``source`` (file name), ``office_number``
        (事業所番号, "" when the file has none), ``phone``, ``fax``, ``hours``, ``url``,
        ``operator`` (contact fields, "" when the file has none), ``geometry`` (Point) in
        EPSG:6668. The text columns are pandas string columns (``str``, held by pyarrow);
        ``categories`` and ``capacities`` hold Python tuples and dicts, one object shared by
        the rows with the same values (read them, do not change them in place).

        A large plain CSV file (UTF-8, no quotes, every line as wide as the header) is parsed
        column-wise by pyarrow; any other file by the row-by-row parser. Both give the same
        layer, row numbers and messages (1,000,000 rows: about 0.9 GB and a few seconds).

        Rows without usable coordinates, name or category are rejected, not dropped:
        :func:`chiikimap.rejected_rows` returns them with the 1-based row number (the file's own
        row for CSV/xlsx, counting the header and any title rows; feature number for vector
        files), reason and raw values, and a :class:`chiikimap.ChiikimapWarning` says how many.

        One resource per registered service: rows that share a 事業所番号 (in one file or
        several, e.g. the MHLW 福祉用具貸与 and 特定福祉用具販売 files) are one resource with the
        union of their categories, each category keeping its capacity (the sum of the 定員 of
        the rows of that category); the first row's point is used and a warning names a
        事業所 whose rows lie more than 200 m apart. Rows without a number are merged only when
        identical in every field. Rows with different 事業所番号 stay distinct, even at one
        point (a 特養 and its short stay). With several files, resources of different files
        judged the same facility (``within_m``) are merged too. Each merge is a row of
        :func:`chiikimap.rejected_rows` whose reason starts with 「重複」 (``duplicates`` in the
        report), so rows read = resources + rejected + merged.
        In an xlsx file, values in columns without a header (a note typed beside the table) are
        ignored and listed in the report's warnings.

    Raises
    ------
    chiikimap.ColumnNotFoundError
        A needed column (name, coordinates, category unless ``category=``) was not found.
    chiikimap.EncodingError
        The text could not be decoded, or decoded into U+FFFD mojibake.
    chiikimap.InputFileError
        Empty file, no data rows, unknown sheet, ``header_row`` outside the file or blank,
        unknown file type.
    chiikimap.UnknownCategoryError
        ``category`` is not a key of the taxonomy.
    """
    tax = taxonomy if taxonomy is not None else default_taxonomy()
    if category is not None:
        tax.check_keys([category])
    if domain is not None:
        check_choice("domain", domain, tax.domain_keys)
    within_m = _identity.check_within_m(within_m)
    reference = _reference(geocode, address_aliases, geocode_municipality)
    paths = [Path(path)] if isinstance(path, (str, PathLike)) else [Path(p) for p in path]
    if not paths:
        raise InputFileError("ファイルが指定されていません / no file given")
    given = [name_col, lat_col, lon_col, address_col, category_col, capacity_col, id_col]
    given += [phone_col, fax_col, hours_col, url_col, operator_col]
    cols: dict[str, str | None] = dict(zip(_COL_ROLES, given, strict=True))
    with T.bulk():  # no cycle-collector passes while a million rows are built
        files: list[_FileRows] = []
        messages: list[str] = []
        for p in paths:
            rows, msgs = _read_one(
                p,
                category=category,
                cols=cols,
                encoding=encoding,
                sheet=sheet,
                header_row=header_row,
                classifier=_ClassifyContext(tax, include_inactive=include_inactive, domain=domain),
                source=source,
                reference=reference,
            )
            files.append(rows)
            messages.extend(msgs)
        reports = [f.report for f in files]
        if len(files) == 1:
            gdf = _one_file(files.pop(), messages)
        else:
            gdf = _several_files(files, paths, within_m, messages)
        if reference is not None and "geocode_level" not in gdf.columns:
            _add_geocode_columns(gdf, [None] * len(gdf))
        if len(reports) == 1:
            S.attach_report(gdf, reports[0])
        else:
            gdf.attrs[S.ATTRS_KEY] = [r.to_attrs() for r in reports]
    for message in messages:
        warnings.warn(message, ChiikimapWarning, stacklevel=2)
    return gdf


def _one_file(rows: _FileRows, messages: list[str]) -> gpd.GeoDataFrame:
    """The layer of one file: duplicate rows merged on columns, the rest as they are."""
    final, merged, numbers, dup_messages = _merge_file(rows)
    messages.extend(dup_messages)
    _release_columns(rows)
    return _file_layer(rows, final, merged, numbers)


def _release_columns(rows: _FileRows) -> None:
    """Let the file's columns go that building the layer does not read (a million rows)."""
    arrow = rows.table.arrow
    if arrow is None:
        return
    found = rows.report.columns
    contact = {found[r] for r in ("phone", "fax", "url", "operator", *_CONTACT_PARTS) if r in found}
    for j, name in enumerate(rows.table.columns):
        if name not in contact:
            arrow[j] = None


def _several_files(
    files: list[_FileRows], paths: list[Path], within_m: float, messages: list[str]
) -> gpd.GeoDataFrame:
    """The layer of several files: every kept row a record, merged within and across files."""
    kept: list[_Kept] = []
    for rows in files:
        kept.extend(_records(rows, range(len(rows))))
    unique, dup_messages = _identity.merge_rows(kept)
    messages.extend(dup_messages)
    file_number = {p.name: i for i, p in enumerate(paths)}
    unique, _, merge_messages = _identity.merge_sources(
        unique,
        [file_number.get(_file_name(r.file), 0) for r in unique],
        within_m=within_m,
    )
    messages.extend(merge_messages)
    return _records_layer(unique)


class _GeocodeHit:
    """The geocoding result kept in a merged record's ``extra``."""

    def __init__(self, extra: Mapping[str, Any]) -> None:
        self.level = extra.get("geocode_level")
        self.matched = extra.get("geocode_match")


def _add_geocode_columns(gdf: gpd.GeoDataFrame, hits: Sequence[Any]) -> None:
    """``geocode_level`` and ``geocode_match`` of each resource (None: its own coordinates)."""
    levels = [h.level if h is not None else None for h in hits]
    matches = [h.matched if h is not None else None for h in hits]
    for column, values in (("geocode_level", levels), ("geocode_match", matches)):
        gdf.insert(len(gdf.columns) - 1, column, pd.Series(values, dtype=object))


def _reference(
    geocode: Reference | PathLike[str] | str | Sequence[PathLike[str] | str] | None,
    aliases: AliasArg | None = None,
    municipality: str | None = None,
) -> tuple[Reference, dict[str, str] | None, Any] | None:
    """The reference, aliases and default municipality of ``read_resources(geocode=...)``."""
    if geocode is None:
        return None
    from chiikimap.geocode import _default_index

    if isinstance(geocode, Reference):
        ref = geocode
    else:  # the municipality also names a renamed Geolonia town file or a block dictionary
        ref = read_reference(geocode, municipality=municipality)
    try:
        default = _default_index(ref, municipality)
    except ChiikimapError as exc:
        exc.param, exc.params = "geocode_municipality", ("geocode_municipality",)
        raise
    return ref, resolve_aliases(aliases), default


def _file_name(where: str) -> str:
    """The file name of a record's ``file`` (``"book.xlsx [北区]"`` → ``"book.xlsx"``)."""
    if where.endswith("]") and " [" in where:
        return where.rsplit(" [", 1)[0]
    return where


def _hours_text(part: Mapping[str, str]) -> str:
    """One text from the parts of the opening hours: days, time, closed days, notes.

    >>> _hours_text({"days": "月火水木金", "start": "9:00", "end": "17:00", "closed": "土日祝"})
    '月火水木金 9:00〜17:00 定休日: 土日祝'
    """
    time = part.get("hours", "")
    if not time and (part.get("start") or part.get("end")):
        time = f"{part.get('start', '')}〜{part.get('end', '')}"
    pieces = [part.get("days", ""), time]
    if part.get("closed"):
        pieces.append(f"定休日: {part['closed']}")
    if part.get("hours_note"):
        pieces.append(f"（{part['hours_note']}）")
    return " ".join(p for p in pieces if p)


def _contact_of(k: _identity.Record, columns: dict[str, str]) -> list[str]:
    values = k.values
    cells = {role: " ".join(values.get(c, "").split()) for role, c in columns.items()}
    return [
        cells.get("phone", ""),
        cells.get("fax", ""),
        _hours_text({r: cells[r] for r in _CONTACT_PARTS if cells.get(r)}),
        cells.get("url", ""),
        cells.get("operator", ""),
    ]


def _contact_columns(unique: list[_identity.Record]) -> dict[str, pd.Series]:
    """The contact columns (phone, fax, hours, url, operator) from each resource's own row."""
    roles = ("phone", "fax", "url", "operator", *_CONTACT_PARTS)
    by_report: dict[int, dict[str, str]] = {}
    out: list[list[str]] = []
    for k in unique:
        report = k.report
        columns = by_report.get(id(report))
        if columns is None:
            found = report.columns if report is not None else {}
            columns = {r: found[r] for r in roles if r in found}
            by_report[id(report)] = columns
        out.append(_contact_of(k, columns) if columns else ["", "", "", "", ""])
    return {
        name: pd.Series([row[j] for row in out], dtype=object)
        for j, name in enumerate(S.CONTACT_COLUMNS)
    }
