"""Reader of population layers: where people live, and how many of them are 65+ and 75+.

:func:`read_population` turns the files that municipalities and e-Stat publish into the
``population`` layer of DESIGN.md: ``pop_total``, ``pop_65plus``, ``pop_75plus`` (float, NaN when
unknown) and a geometry (Point or Polygon) in EPSG:6668, plus ``key_code``, ``name`` and ``date``.

Layouts (``kind``):

``"age_table"``
    地域・年齢別人口 (デジタル庁 推奨データセット), with Japanese headers (``65-69歳の男性`` …
    ``85歳以上の女性``) or the English headers 高松市 publishes (``man1`` … ``woman18``: band *k* covers
    ages 5(k−1) … 5k−1, the last band is open, so with 18 bands ``man14`` … ``man18`` are 65+ and
    ``man16`` … ``man18`` are 75+). xlsx or CSV (UTF-8 or cp932). One point per row from ``location``
    (``"lat,lon"``) or 緯度/経度 columns; rows without one are joined to ``boundaries`` by code or by
    normalised 町丁 name.
``"census"``
    e-Stat 国勢調査 小地域 (町丁・字等) boundaries — the r2ka shapefile or CODH's TopoJSON (layer
    ``town``): ``JINKO`` → ``pop_total``. Polygons sharing a ``KEY_CODE`` are merged first.
``"mesh"``
    e-Stat 地域メッシュ統計 text files (cp932 CSV, two header rows, ``KEY_CODE`` mesh codes, ``*`` and
    ``-`` read as unknown) → 1 km / 500 m / 250 m mesh polygons built from the code (JIS X 0410).
``"table"``
    A plain table of counts per 圏域 (``id_col=`` names the id column). With ``boundaries=areas``
    each row gets its area's polygon (and flows through :func:`chiikimap._apportion.apportion` with
    share 1.0); without boundaries the geometry is empty and the rows are assigned by ``area_id``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from .. import _schema as S
from .._errors import (
    ChiikimapWarning,
    ColumnNotFoundError,
    EncodingError,
    InputFileError,
    SchemaError,
    UnknownLayoutError,
    check_choice,
    reads_files,
)
from .._names import normalize_town_name
from . import _ages, _mesh
from ._archive import extract_dataset
from ._table import norm_header as _norm_header
from ._table import read_records

__all__ = ["KEY_CODE", "NAME", "POPULATION_DATE", "PopulationKind", "read_population"]

PopulationKind = Literal["age_table", "census", "mesh", "table"]

#: Identifying columns added by :func:`read_population` besides the population schema.
KEY_CODE = "key_code"
NAME = "name"
POPULATION_DATE = "date"

_VECTOR_SUFFIXES = {".topojson", ".geojson", ".json", ".shp", ".gpkg", ".zip", ".fgb"}
_TOTAL_ROW_NAMES = {
    "合計",
    "総数",
    "計",
    "総計",
    "小計",
    "市計",
    "全市",
    "市全体",
    "全体",
    "町計",
    "村計",
    "区計",
    "total",
    "Total",
    "TOTAL",
}
#: cell texts that float() accepts but that are no count
_NON_FINITE = {"inf", "infinity", "nan"}
_UNKNOWN_CELLS = {"", "*", "-", "－", "—", "‐", "x", "X", "…", "..."}

# Roles of the columns of 地域・年齢別人口 (normalised header → role).
_AGE_TABLE_ROLES = {
    "totalpopulation": "total",
    "総人口": "total",
    "regioncode": "code",
    "地域コード": "code",
    "regionname": "name",
    "地域名": "name",
    "町丁名": "name",
    "町名": "name",
    "町丁目名": "name",
    "町丁目": "name",
    "大字町丁目名": "name",
    "町字名": "name",
    "地区名": "name",
    "name": "name",
    "町丁コード": "code",
    "町丁目コード": "code",
    "key_code": "code",
    "hyosyo": "level",
    "総数": "total",
    "人口総数": "total",
    "総数、年齢「不詳」含む": "total",
    "総数,年齢「不詳」含む": "total",
    "surveydate": "date",
    "調査年月日": "date",
    "location": "location",
    "位置": "location",
    "latitude": "lat",
    "緯度": "lat",
    "longitude": "lon",
    "経度": "lon",
    "cityname": "city",
    "市区町村名": "city",
    "地方公共団体名": "city",
}
_EN_BAND = re.compile(r"^(man|male|men|woman|female|women)(\d+)$")

_TABLE_ROLES = {
    S.POP_TOTAL: (S.POP_TOTAL, "総人口", "人口", "人口総数", "人口(総数)", "総数"),
    S.POP_65PLUS: (
        S.POP_65PLUS,
        "65歳以上",
        "65歳以上人口",
        "高齢者数",
        "高齢者人口",
        "65歳以上人口総数",
    ),
    S.POP_75PLUS: (S.POP_75PLUS, "75歳以上", "75歳以上人口", "後期高齢者数", "75歳以上人口総数"),
}
_NAME_HEADERS = ("area_name", "name", "名称", "圏域名", "地区名", "地域名")


@dataclass
class _Rows:
    """Raw cells of a table file: ``rows[i]`` is file row ``i + 1``."""

    rows: list[list[Any]]
    sheet: str = ""


@dataclass
class _Acc:
    """Accumulates output rows and rejected rows."""

    file: str
    records: list[dict[str, Any]] = field(default_factory=list)
    geoms: list[Any] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, reason: str, values: dict[str, Any]) -> None:
        clean = {
            str(k): (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()
        }
        self.rejected.append(
            {
                S.REJECTED_FILE: self.file,
                S.REJECTED_ROW: row,
                S.REJECTED_REASON: reason,
                S.REJECTED_VALUES: clean,
            }
        )


# --- public entry point ---------------------------------------------------------------------------


@reads_files
def read_population(
    path: str | PathLike[str],
    *,
    kind: PopulationKind | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    join_on: str | None = None,
    id_col: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read a population file into the ``population`` layer.

    Parameters
    ----------
    path
        The file: xlsx/CSV (地域・年齢別人口 or a plain table), a mesh statistics text file, or a
        census boundary file (shapefile, TopoJSON, GeoJSON, GeoPackage).
    kind
        ``"age_table"``, ``"census"``, ``"mesh"`` or ``"table"``; detected from the file when omitted
        (``"table"`` needs ``id_col``).
    boundaries
        The 町丁 polygons (for ``"age_table"`` rows without coordinates) or 圏域 polygons (for
        ``"table"``), any CRS.
    join_on
        Column of ``boundaries`` to match on. For ``"age_table"``: a code column (matched against
        the file's 地域コード / regionCode) or a name column (matched against 地域名 / regionName after
        :func:`chiikimap._names.normalize_town_name`); by default ``KEY_CODE`` and then the first of
        ``S_NAME``, ``area_name``, ``name``, ``町丁名``. For ``"table"``: default ``area_id``.
    id_col
        For ``"table"``: the column holding the area id.
    encoding
        Text encoding of CSV/text files and shapefiles; by default UTF-8, then cp932.
    sheet
        The xlsx sheet name or 0-based index; default the first sheet.
    crs
        CRS of a vector file that has none (CODH TopoJSON is read as EPSG:6668 when not given).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``key_code``, ``name``, ``date`` (ISO date or year as text, ``""`` when unknown),
        ``pop_total``, ``pop_65plus``, ``pop_75plus`` (float, NaN when unknown) and ``geometry`` in
        EPSG:6668 (``"table"`` also has ``area_id``). The :class:`chiikimap._schema.ReadReport` in
        ``.attrs`` lists the layout, the columns used for each count, the rejected rows (also via
        :func:`chiikimap.rejected_rows`) and the source with its credit line and data date.

    Raises
    ------
    EncodingError
        The text cannot be decoded, or decodes to broken text (U+FFFD replacement characters).
    UnknownLayoutError, ColumnNotFoundError
        The layout was not recognised or a required column is missing.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError("ファイルがありません / file not found", path=p)
    if kind is None:
        kind = _detect_kind(p, id_col=id_col, encoding=encoding, sheet=sheet)
    check_choice("kind", kind, ("age_table", "census", "mesh", "table"))
    if kind == "census":
        gdf = _read_census(p, encoding=encoding, crs=crs)
    elif kind == "mesh":
        gdf = _read_mesh(p, _read_rows(p, encoding=encoding, sheet=sheet))
    elif kind == "age_table":
        gdf = _read_age_table(
            p, _read_rows(p, encoding=encoding, sheet=sheet), boundaries=boundaries, join_on=join_on
        )
    elif kind == "table":
        gdf = _read_area_table(
            p,
            _read_rows(p, encoding=encoding, sheet=sheet),
            id_col=id_col,
            boundaries=boundaries,
            join_on=join_on,
        )
    else:
        raise AssertionError(kind)  # unreachable: check_choice raised
    n_rej = len(S.read_reports(gdf)[0]["rejected"]) if S.read_reports(gdf) else 0
    if n_rej:
        warnings.warn(
            f"{p.name}: {n_rej} 行を読み込めませんでした（chiikimap.rejected_rows() で理由を確認できます）"
            f" / {n_rej} rows could not be placed; see chiikimap.rejected_rows()",
            ChiikimapWarning,
            stacklevel=2,
        )
    return gdf


# --- file access ----------------------------------------------------------------------------------


def _detect_kind(
    p: Path, *, id_col: str | None, encoding: str | None, sheet: str | int | None
) -> PopulationKind:
    if p.suffix.lower() in _VECTOR_SUFFIXES:
        return "census"
    rows = _read_rows(p, encoding=encoding, sheet=sheet, quiet=True).rows
    header = [_norm_header(c) for c in rows[0]] if rows else []
    if header and header[0].upper() == "KEY_CODE" and "HYOSYO" not in (h.upper() for h in header):
        return "mesh"
    if id_col is not None:
        return "table"
    if rows and _ages.age_columns(_age_header(rows)[0]):
        return "age_table"
    raise UnknownLayoutError(
        "人口ファイルの形式を判別できません。地域・年齢別人口なら 5歳階級の列（例: 65-69歳の男性, man14）、"
        "メッシュ統計なら先頭列 KEY_CODE が必要です。圏域ごとの人口表なら id_col='圏域ID' のように指定して"
        f"ください / unrecognised population layout; header was {header[:12]}; pass kind=... and id_col=...",
        path=p,
        param=("kind", "id_col"),
    )


def _read_rows(
    p: Path, *, encoding: str | None, sheet: str | int | None, quiet: bool = False
) -> _Rows:
    """Every cell of a CSV/text/xlsx file; raises :class:`EncodingError` on broken text.

    Read through the shared table layer (:func:`chiikimap.io._table.read_records`); blank rows
    come back as empty lists so that ``rows[i]`` stays file row ``i + 1``. A workbook read
    without ``sheet=`` is read from its first sheet, and a warning names every other sheet
    (unless ``quiet``): a population table per sheet is one date or area each, never stacked.
    """
    records = read_records(p, encoding=encoding, sheet=sheet)[0]
    others = [name for name in records.book_sheets if name != records.sheet]
    if others and sheet is None and not quiet:
        warnings.warn(
            f"{p.name}: シート {records.sheet!r} だけを読みました。ほかのシート "
            f"{', '.join(repr(o) for o in others)} は読んでいません（読むときは sheet='…'）/ read "
            f"sheet {records.sheet!r} only; not read: {others}; pass sheet='…' to read another",
            ChiikimapWarning,
            stacklevel=3,
        )
    rows: list[list[Any]] = []
    empty: list[Any] = []
    for row, number in zip(records.rows, records.numbers, strict=True):
        rows.extend([empty] * (number - 1 - len(rows)))
        rows.append(row)
    result = _Rows(rows, records.sheet)
    _check_replacement_chars(result, p)
    return result


def _check_replacement_chars(rows: _Rows, p: Path) -> None:
    broken = [
        (i + 1, j + 1, c)
        for i, row in enumerate(rows.rows)
        for j, c in enumerate(row)
        if isinstance(c, str) and "\ufffd" in c
    ]
    if broken:
        row, col, value = broken[0]
        raise EncodingError(
            f"文字化けしています: {len(broken)} 個のセルに置換文字 U+FFFD（�）があり、元の文字は復元できません"
            f"（最初は 行 {row}・列 {col}: {value!r}）。発行元から文字化けしていない版を入手してください / "
            f"the text is broken: {len(broken)} cells contain U+FFFD replacement characters, the original "
            f"characters cannot be recovered (first at row {row}, column {col}); get an intact copy",
            path=p,
        )


# --- cell parsing ---------------------------------------------------------------------------------


def _blank(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, str) and not v.strip())
        or (isinstance(v, float) and np.isnan(v))
    )


class _BadNumberError(ValueError):
    pass


def _number(v: Any) -> float:
    """A count from a cell: numbers pass, text is parsed, blank/``*``/``-`` are NaN."""
    if isinstance(v, bool):
        raise _BadNumberError(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if v is None:
        return float("nan")
    text = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if text in _UNKNOWN_CELLS:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise _BadNumberError(v) from None


def _date(v: Any) -> str:
    """An ISO date from a datetime, an Excel serial number or text; ``""`` when blank."""
    if _blank(v):
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (int, float)) and 20000 <= v <= 80000:  # Excel 1900 date system serial
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(v))).isoformat()
    text = unicodedata.normalize("NFKC", str(v)).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}", text):
        return _date(int(text))
    return text


def _latlon(location: Any, lat: Any, lon: Any) -> tuple[float, float] | None:
    """(lon, lat) from a ``"lat,lon"`` cell or separate cells; ``None`` when absent or implausible."""
    try:
        if not _blank(location):
            parts = re.split(r"[,\s]+", unicodedata.normalize("NFKC", str(location)).strip())
            if len(parts) != 2:
                return None
            la, lo = float(parts[0]), float(parts[1])
        elif not _blank(lat) and not _blank(lon):
            la, lo = _number(lat), _number(lon)
        else:
            return None
    except (ValueError, _BadNumberError):
        return None
    if not bool(S.in_japan(np.array([lo]), np.array([la]))[0]):
        return None
    return lo, la


# --- 地域・年齢別人口 --------------------------------------------------------------------------------


@dataclass
class _AgeLayout:
    roles: dict[str, int]
    header: list[str]
    plan: _ages.AgePlan
    variant: str
    first_data: int  # index in raw.rows of the first data row


def _age_header(rows: list[list[Any]]) -> tuple[list[str], int]:
    """The header and the index of the first data row: one row, or two (bands over 男/女/計)."""
    one = [_norm_header(h) for h in rows[0]]
    if len(rows) < 2:
        return one, 1
    two = _ages.combine_header_rows(rows[0], rows[1])
    n_one, n_two = len(_ages.age_columns(one)), len(_ages.age_columns(two))
    if n_two > n_one or (_ages.is_sex_row(rows[1]) and n_two >= n_one and n_two > 0):
        return two, 2
    return one, 1


def _age_layout(rows: list[list[Any]], p: Path) -> _AgeLayout:
    header, first_data = _age_header(rows)
    roles: dict[str, int] = {}
    for j, key in enumerate(header):
        role = _AGE_TABLE_ROLES.get(key.lower()) or _AGE_TABLE_ROLES.get(key)
        if role and role not in roles:
            roles[role] = j
    cols = _ages.age_columns(header)
    if not cols:
        raise UnknownLayoutError("5歳階級の列がありません / no 5-year age band columns", path=p)
    unknown = {j: s for j, h in enumerate(header) if (s := _ages.unknown_age_sex(h)) is not None}
    try:
        plan = _ages.plan_counts(cols, unknown)
    except _ages.AgeLayoutError as exc:
        raise UnknownLayoutError(str(exc), path=p) from None
    if "name" not in roles:
        raise ColumnNotFoundError(
            f"地域名の列がありません（探した見出し: 地域名, 町丁名, 地区名, regionName, NAME） / no region "
            f"name column; found {header}",
            path=p,
        )
    english = any(_EN_BAND.match(h.lower()) for h in header)
    variant = (
        "地域・年齢別人口（英語見出し manN/womanN）"
        if english
        else "地域・年齢別人口（日本語見出し）" + ("（2 行見出し）" if first_data == 2 else "")
    )
    return _AgeLayout(roles, header, plan, variant, first_data)


def _is_total_row(name: str, city: str) -> bool:
    """True for a row that sums other rows: 合計, 全体, 「枚方市 計」, 「荒巻（大字計）」, the city itself."""
    key = _norm_header(name)
    if not key:
        return False
    if key in _TOTAL_ROW_NAMES or key == _norm_header(city):
        return True
    bare = re.sub(r"[()（）]", "", key)
    return bare.endswith(("計", "合計", "全体")) or any(w in key for w in ("合計", "総計", "小計"))


class _RowError(ValueError):
    """A cell of a row that cannot be used; ``args[0]`` is the reason."""


def _count(v: Any, label: str) -> float:
    """A count from a cell: NaN for unknown (``*``, ``-``, blank); an error for text, inf, negatives."""
    try:
        x = _number(v)
    except _BadNumberError:
        raise _RowError(
            f"列 {label!r} の値 {v!r} は数値として読めません / {label!r}: {v!r} is not a number"
        ) from None
    if (
        isinstance(v, str)
        and unicodedata.normalize("NFKC", v).strip().lower().lstrip("+-") in _NON_FINITE
    ):
        raise _RowError(
            f"列 {label!r} の値 {v!r} は人数ではありません / {label!r}: {v!r} is not a count"
        )
    if np.isinf(x):
        raise _RowError(f"列 {label!r} の値 {v!r} は無限大です / {label!r}: {v!r} is infinite")
    if x < 0:
        raise _RowError(f"列 {label!r} の値 {v!r} が負の数です / {label!r}: negative count {v!r}")
    return x


def _age_counts(row: list[Any], lay: _AgeLayout) -> dict[str, float]:
    """pop_total, pop_65plus and pop_75plus of one row (raises :class:`_RowError`)."""
    plan, header = lay.plan, lay.header
    needed = {j for start in plan.columns for j in plan.used(start)} | set(plan.unknown)
    if "total" in lay.roles:
        needed.add(lay.roles["total"])
    values = {j: _count(row[j] if j < len(row) else None, header[j]) for j in sorted(needed)}
    if "total" in lay.roles and not np.isnan(values[lay.roles["total"]]):
        total = values[lay.roles["total"]]
    elif 0 in plan.columns:
        total = _sum_known(values[j] for j in [*plan.used(0), *plan.unknown])
    else:
        total = float("nan")
    return {
        S.POP_TOTAL: total,
        S.POP_65PLUS: _sum_known(values[j] for j in plan.used(65)),
        S.POP_75PLUS: _sum_known(values[j] for j in plan.used(75)),
    }


def _subtotal_mismatches(row: list[Any], lay: _AgeLayout) -> list[str]:
    """Labels of the subtotal columns of ``row`` that differ from the sum of the bands used."""
    out = []
    for sub, parts in lay.plan.checks:
        try:
            given = _count(row[sub.index] if sub.index < len(row) else None, sub.label)
            summed = _sum_known(_count(row[j], lay.header[j]) for j in parts)
        except _RowError:
            continue
        if np.isfinite(given) and np.isfinite(summed) and abs(given - summed) > 1e-9:
            out.append(sub.label)
    return out


class _SeenAreas:
    """Detects an area listed twice (same code, or same name without codes)."""

    def __init__(self, p: Path) -> None:
        self.p = p
        self.rows: dict[str, int] = {}

    def check(self, row: int, code: str, name: str, level: str = "") -> None:
        key = f"code:{code}" if code else f"name:{level}:{normalize_town_name(name)}"
        first = self.rows.setdefault(key, row)
        if first != row:
            what = f"地域コード {code!r}" if code else f"地域名 {name!r}"
            raise InputFileError(
                f"{what} が 行 {first} と 行 {row} の 2 回あります。同じ地域を二重に数えないよう、"
                f"どちらかを削除してください / area {code or name!r} is listed twice (rows {first} and "
                f"{row}); remove one",
                path=self.p,
                row=row,
            )


def _read_age_table(
    p: Path, raw: _Rows, *, boundaries: gpd.GeoDataFrame | None, join_on: str | None
) -> gpd.GeoDataFrame:
    if not raw.rows:
        raise UnknownLayoutError("空のファイルです / the file is empty", path=p)
    lay = _age_layout(raw.rows, p)
    names = [h or f"col{j + 1}" for j, h in enumerate(lay.header)]
    matcher = _BoundaryMatcher(boundaries, join_on, p) if boundaries is not None else None
    acc = _Acc(str(p.name))
    seen = _SeenAreas(p)
    children = _parent_codes(raw.rows[lay.first_data :], lay)
    cities: dict[str, int] = {}
    dates: dict[str, int] = {}
    mismatches: dict[str, list[int]] = {}
    for i, row in enumerate(raw.rows[lay.first_data :], start=lay.first_data + 1):
        if all(_blank(c) for c in row):
            continue
        row = row + [None] * (len(names) - len(row))
        values = {names[j]: row[j] for j in range(len(names)) if not _blank(row[j])}
        rec = _age_record(row, lay, children)
        if isinstance(rec, str):
            acc.reject(i, rec, values)
            continue
        lonlat = _latlon(
            _cell(row, lay, "location"), _cell(row, lay, "lat"), _cell(row, lay, "lon")
        )
        geom: Any = Point(*lonlat) if lonlat is not None else None
        if geom is None and matcher is not None:
            geom, why = matcher.match(rec[KEY_CODE], rec[NAME])
        elif geom is None:
            why = (
                "位置（location / 緯度・経度）がなく、境界も渡されていません。boundaries= に町丁の境界を渡してください"
                " / no coordinates and no boundaries= to join to"
            )
        if geom is None:
            acc.reject(i, why, values)
            continue
        seen.check(i, rec[KEY_CODE], rec[NAME], str(_cell(row, lay, "level") or ""))
        if rec[POPULATION_DATE]:
            dates[rec[POPULATION_DATE]] = dates.get(rec[POPULATION_DATE], 0) + 1
        city = _cell(row, lay, "city")
        if not _blank(city):
            cities[str(city)] = cities.get(str(city), 0) + 1
        for label in _subtotal_mismatches(row, lay):
            mismatches.setdefault(label, []).append(i)
        acc.records.append(rec)
        acc.geoms.append(geom)
    report = _age_report(p, raw, lay, names, cities, dates)
    if mismatches:
        listed = "; ".join(f"{k}: 行 {v[:5]}" for k, v in mismatches.items())
        note = (
            f"{p.name}: 小計の列が 5歳階級の合計と一致しない行があります（{listed}）。人数は 5歳階級から"
            f"数えました / subtotal columns differ from the sum of the bands ({listed}); the bands were used"
        )
        report.warnings.append(note)
        warnings.warn(note, ChiikimapWarning, stacklevel=3)
    return _finish(acc, report, p)


def _cell(row: list[Any], lay: _AgeLayout, role: str) -> Any:
    j = lay.roles.get(role)
    return row[j] if j is not None and j < len(row) else None


def _parent_codes(rows: list[list[Any]], lay: _AgeLayout) -> set[str]:
    """Codes of rows that other rows subdivide (e-Stat HYOSYO: a 町 row above its 丁目 rows)."""
    if "level" not in lay.roles or "code" not in lay.roles:
        return set()
    codes = [_code_text(c) for r in rows if not _blank(c := _cell(r, lay, "code"))]
    parents: set[str] = set()
    ordered = sorted(set(codes))
    for a, b in itertools.pairwise(ordered):
        if b.startswith(a) and len(b) > len(a):
            parents.add(a)
    return parents


def _age_record(row: list[Any], lay: _AgeLayout, parents: set[str]) -> dict[str, Any] | str:
    """The output record of one data row, or the reason to reject it."""
    name = "" if _blank(_cell(row, lay, "name")) else str(_cell(row, lay, "name")).strip()
    city = "" if _blank(_cell(row, lay, "city")) else str(_cell(row, lay, "city"))
    code_cell = _cell(row, lay, "code")
    code = "" if _blank(code_cell) else _code_text(code_cell)
    level = _cell(row, lay, "level")
    if _is_total_row(name, city) or (
        not name and (_code_text(level) == "1" if not _blank(level) else False)
    ):
        return (
            f"合計行のため除外しました（{name or city or code}; 二重計上を防ぐため） / total row "
            f"{name or code!r}, skipped to avoid double counting"
        )
    if code and code in parents:
        return (
            f"下位の地域（丁目など）の合計行のため除外しました（コード {code}） / row {code} sums the "
            "rows below it, skipped to avoid double counting"
        )
    try:
        counts = _age_counts(row, lay)
    except _RowError as exc:
        return str(exc.args[0])
    return {
        KEY_CODE: code,
        NAME: name,
        POPULATION_DATE: _date(_cell(row, lay, "date")),
        **counts,
    }


def _age_report(
    p: Path,
    raw: _Rows,
    lay: _AgeLayout,
    names: list[str],
    cities: dict[str, int],
    dates: dict[str, int],
) -> S.ReadReport:
    city = max(cities, key=cities.__getitem__) if cities else ""
    date = max(dates, key=dates.__getitem__) if dates else ""
    source = S.Source(
        title="地域・年齢別人口",
        publisher=city,
        date=date,
        credit=f"{city}「地域・年齢別人口」（{date} 現在）"
        if city
        else f"地域・年齢別人口（{date} 現在）",
    )
    plan = lay.plan

    def joined(start: int) -> str:
        return " + ".join(names[j] for j in plan.used(start))

    total = names[lay.roles["total"]] if "total" in lay.roles else ""
    if not total:
        total = " + ".join(names[j] for j in [*plan.used(0), *plan.unknown]) or "なし / none"
    notes = []
    if plan.subtotals:
        listed = ", ".join(c.label for c in plan.subtotals)
        notes.append(
            f"小計の列（{listed}）は 5歳階級と重ねて足していません / subtotal columns {listed} are "
            "not added to the bands"
        )
    return S.ReadReport(
        file=str(p.name),
        layout=lay.variant + (f" sheet={raw.sheet}" if raw.sheet else ""),
        columns={S.POP_TOTAL: total, S.POP_65PLUS: joined(65), S.POP_75PLUS: joined(75)},
        warnings=notes,
        sources=[source.to_dict()],
    )


def _sum_known(values: Any) -> float:
    vals = list(values)
    if any(np.isnan(v) for v in vals):
        return float("nan")
    return float(sum(vals))


def _code_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFKC", str(v)).strip()


class _BoundaryMatcher:
    """Joins rows to 町丁 polygons by code, then by normalised name."""

    _CODE_COLS = ("KEY_CODE", "key_code")
    _NAME_COLS = ("S_NAME", "area_name", "name", "町丁名", "MOJI", "地域名")

    def __init__(self, boundaries: gpd.GeoDataFrame, join_on: str | None, p: Path) -> None:
        if not isinstance(boundaries, gpd.GeoDataFrame):
            raise SchemaError(
                f"boundaries は GeoDataFrame です / boundaries must be a GeoDataFrame, got {type(boundaries).__name__}",
                param="boundaries",
            )
        b = S.ensure_crs(boundaries, what="boundaries")
        if join_on is not None and join_on not in b.columns:
            raise ColumnNotFoundError(
                f"boundaries に列 {join_on!r} がありません（あるのは {list(b.columns)}） / boundaries has no column {join_on!r}",
                path=p,
                param="join_on",
            )
        cols = (
            [join_on]
            if join_on
            else [c for c in (*self._CODE_COLS, *self._NAME_COLS) if c in b.columns]
        )
        if not cols:
            raise ColumnNotFoundError(
                f"boundaries に照合用の列がありません。join_on= で指定してください（あるのは {list(b.columns)}） / "
                "no column to join on; pass join_on=...",
                path=p,
            )
        self.by_code: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        for col in cols:
            keys = b[col].map(lambda v: "" if _blank(v) else _code_text(v))
            if keys[keys != ""].str.fullmatch(r"\d+").all():
                self.by_code = self.by_code or _dissolve(b.geometry, keys)
            else:
                self.by_name = self.by_name or _dissolve(
                    b.geometry, b[col].map(normalize_town_name)
                )
        self.what = cols

    def match(self, code: str, name: str) -> tuple[Any, str]:
        if code and code in self.by_code:
            return self.by_code[code], ""
        key = normalize_town_name(name)
        if key and key in self.by_name:
            return self.by_name[key], ""
        return None, (
            f"境界（列 {self.what}）に一致する地域がありません: コード {code!r}, 名称 {name!r}（正規化後 {key!r}）"
            f" / no boundary matches code {code!r} or name {name!r}"
        )


def _dissolve(geoms: gpd.GeoSeries, keys: pd.Series) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, idx in keys.groupby(keys).groups.items():
        if key:
            parts = geoms.loc[idx].dropna()
            out[str(key)] = (
                parts.iloc[0] if len(parts) == 1 else shapely.union_all(parts.to_numpy())
            )
    return out


# --- e-Stat 国勢調査 小地域 -------------------------------------------------------------------------------


def _census_frame(p: Path, *, encoding: str | None, crs: Any) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The census boundary file in EPSG:6668 (layer ``town`` of a CODH TopoJSON) and notes.

    A zip (as e-Stat distributes the boundaries) is extracted with the size caps of
    :mod:`chiikimap.io._archive` first; GDAL never reads it in place.
    """
    if p.suffix.lower() == ".zip" and p.is_file():
        with tempfile.TemporaryDirectory(prefix="chiikimap-zip-") as tmp:
            inner = extract_dataset(p, Path(tmp))
            gdf = _census_file(inner, encoding)
        return _census_checked(gdf, p, inner.suffix, crs)
    return _census_checked(_census_file(p, encoding), p, p.suffix, crs)


def _census_file(p: Path, encoding: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    layers = [str(name) for name, _ in pyogrio.list_layers(p)]
    layer = "town" if "town" in layers else None
    kwargs: dict[str, Any] = {"layer": layer} if layer else {}
    if encoding:
        kwargs["encoding"] = encoding
    return gpd.read_file(p, **kwargs)


def _census_checked(
    gdf: gpd.GeoDataFrame, p: Path, suffix: str, crs: Any
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The census frame with its columns checked and its CRS set, and the notes."""
    upper = {str(c).upper() for c in gdf.columns}
    if "KEY_CODE" not in upper or "JINKO" not in upper:
        raise UnknownLayoutError(
            "国勢調査 小地域境界の列 KEY_CODE と JINKO がありません / not an e-Stat small-area boundary "
            f"file: KEY_CODE and JINKO are required; found {list(gdf.columns)[:20]}",
            path=p,
        )
    notes: list[str] = []
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    elif gdf.crs is None and suffix.lower() == ".topojson":
        gdf = gdf.set_crs(S.STORAGE_CRS)
        notes.append(
            "TopoJSON に CRS がないため EPSG:6668 (JGD2011 経緯度) とみなしました / TopoJSON has no CRS; read as EPSG:6668"
        )
    return S.ensure_crs(gdf, what="population", path=str(p)), notes


def _census_rejects(
    gdf: gpd.GeoDataFrame, upper: dict[str, Any], key: pd.Series, acc: _Acc
) -> np.ndarray:
    """Reject features without a code, a geometry or a usable JINKO; returns the mask kept."""
    raw_key = gdf[upper["KEY_CODE"]]
    no_key = raw_key.map(_missing_key).to_numpy(dtype=bool)
    jinko = pd.to_numeric(gdf[upper["JINKO"]], errors="coerce").astype(float)
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    bad = ((jinko < 0) | np.isinf(jinko)).to_numpy()
    name_col = upper.get("S_NAME")
    for i in np.flatnonzero(no_key | empty | bad):
        values = {"KEY_CODE": None if no_key[i] else key.iloc[i]}
        if name_col is not None:
            values["S_NAME"] = _plain_cell(gdf[name_col].iloc[i])
        values["JINKO"] = _plain_cell(gdf[upper["JINKO"]].iloc[i])
        if no_key[i]:
            # without its code a polygon cannot be told apart from the others: never merge them
            reason = (
                f"KEY_CODE が空です（値: {_plain_cell(raw_key.iloc[i])!r}）。この地域は識別できないため"
                "読み込みません / KEY_CODE is missing; the polygon cannot be identified"
            )
        elif empty[i]:
            reason = "ジオメトリがありません / empty geometry"
        else:
            reason = (
                f"JINKO {values['JINKO']!r} は人数ではありません（負の数か無限大） / JINKO "
                f"{values['JINKO']!r} is not a count"
            )
        acc.reject(int(i) + 1, reason, values)
    keep: np.ndarray = ~(no_key | empty | bad)
    return keep


def _census_merge(p: Path, frame: pd.DataFrame, acc: _Acc) -> tuple[list[dict[str, Any]], int]:
    """One record per KEY_CODE (parts merged); returns the merged parts and the repeated counts."""
    merged_parts: list[dict[str, Any]] = []
    repeated = 0
    for code, part in frame.groupby("key", sort=False):
        values = part["jinko"].to_numpy()
        nonzero = values[np.isfinite(values) & (values != 0)]
        if len(nonzero) > 1 and np.all(nonzero == nonzero[0]):
            total = float(nonzero[0])  # the same figure repeated on every part: count it once
            repeated += 1
        else:
            total = float(np.nansum(values)) if np.isfinite(values).any() else float("nan")
        geoms = part["geom"].to_numpy()
        rows = [int(k) + 1 for k in part.index]
        name = part["name"].iloc[0] if "name" in part else ""
        merged_parts.extend(
            {
                S.REJECTED_FILE: str(p.name),
                S.REJECTED_ROW: r,
                "kept_row": rows[0],
                "name": name or str(code),
                S.REJECTED_VALUES: {"KEY_CODE": str(code)},
                S.REJECTED_REASON: f"KEY_CODE {code} の部分ポリゴンとして 行 {rows[0]} に統合 / part of "
                f"KEY_CODE {code}, merged into row {rows[0]}",
            }
            for r in rows[1:]
        )
        acc.records.append(
            {
                KEY_CODE: str(code),
                NAME: name,
                POPULATION_DATE: _census_date(p),
                S.POP_TOTAL: total,
                S.POP_65PLUS: float("nan"),
                S.POP_75PLUS: float("nan"),
            }
        )
        acc.geoms.append(geoms[0] if len(geoms) == 1 else shapely.union_all(geoms))
    return merged_parts, repeated


def _read_census(p: Path, *, encoding: str | None, crs: Any) -> gpd.GeoDataFrame:
    gdf, notes = _census_frame(p, encoding=encoding, crs=crs)
    upper = {str(c).upper(): c for c in gdf.columns}
    key = gdf[upper["KEY_CODE"]].map(lambda v: "" if _missing_key(v) else _code_text(v))
    jinko = pd.to_numeric(gdf[upper["JINKO"]], errors="coerce").astype(float)
    acc = _Acc(str(p.name))
    keep = _census_rejects(gdf, upper, key, acc)
    frame = pd.DataFrame({"key": key, "jinko": jinko, "geom": gdf.geometry.to_numpy()})[keep]
    if "S_NAME" in upper:
        frame["name"] = gdf[upper["S_NAME"]].fillna("").astype(str).to_numpy()[keep]
    merged_parts, repeated = _census_merge(p, frame, acc)
    n_merged = len(frame) - len(acc.records)
    notes.append(
        f"KEY_CODE が同じポリゴン {n_merged} 個を統合しました / merged {n_merged} polygons sharing a KEY_CODE"
    )
    if repeated:
        notes.append(
            f"{repeated} 地域で各部分に同じ人口が入っていたため一度だけ数えました / {repeated} codes repeated JINKO on every part; counted once"
        )
    topo = p.suffix.lower() == ".topojson"
    source = S.Source(
        title="国勢調査 町丁・字等別境界データ",
        publisher="CODH / 総務省統計局 e-Stat" if topo else "総務省統計局 e-Stat",
        date=_census_date(p),
        license="CC BY 4.0",
        url="https://geoshape.ex.nii.ac.jp/ka/" if topo else "https://www.e-stat.go.jp/gis",
        credit="© CODH / e-Stat 国勢調査 CC BY 4.0"
        if topo
        else "出典：政府統計の総合窓口(e-Stat) 国勢調査 町丁・字等別境界データ",
    )
    report = S.ReadReport(
        file=str(p.name),
        layout="国勢調査 小地域境界" + (" (CODH TopoJSON)" if topo else ""),
        columns={S.POP_TOTAL: str(upper["JINKO"])},
        warnings=notes,
        sources=[source.to_dict()],
        duplicates=merged_parts,
    )
    return _finish(acc, report, p)


def _missing_key(v: Any) -> bool:
    """True for a KEY_CODE cell that holds no code (None, NaN, NA or blank text)."""
    if isinstance(v, str):
        return not v.strip()
    return v is None or bool(pd.isna(v))


def _plain_cell(v: Any) -> Any:
    """A cell value for the rejected-row record: missing values become ``None``."""
    if isinstance(v, str):
        return v
    if v is None or bool(pd.isna(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


def _census_date(p: Path) -> str:
    m = re.search(r"(r|h)(\d+)ka", p.name.lower())
    if not m:
        return ""
    year = (2018 if m.group(1) == "r" else 1988) + int(m.group(2))
    return f"{year}-10-01"


# --- e-Stat 地域メッシュ統計 -----------------------------------------------------------------------------


def _mesh_roles(labels: list[str], p: Path) -> dict[str, int]:
    """Columns of the population items in the second header row of a mesh statistics file."""
    roles: dict[str, int] = {}
    for j, lab in enumerate(labels):
        lab = lab.replace("(", "").replace(")", "")
        if lab in {"人口総数", "総人口", "人口"} and S.POP_TOTAL not in roles:
            roles[S.POP_TOTAL] = j
        for age, col in ((65, S.POP_65PLUS), (75, S.POP_75PLUS)):
            if (
                lab in {f"{age}歳以上人口総数", f"{age}歳以上人口", f"{age}歳以上総数"}
                and col not in roles
            ):
                roles[col] = j
    if not roles:
        raise ColumnNotFoundError(
            f"2 行目の見出しに「人口（総数）」「６５歳以上人口　総数」などがありません / no population item "
            f"in the second header row; found {labels[:12]}",
            path=p,
        )
    return roles


def _read_mesh(p: Path, raw: _Rows) -> gpd.GeoDataFrame:
    if len(raw.rows) < 2:
        raise UnknownLayoutError(
            "メッシュ統計は見出しが 2 行必要です / mesh statistics need two header rows", path=p
        )
    codes_row = raw.rows[0]
    roles = _mesh_roles([_norm_header(c) for c in raw.rows[1]], p)
    acc = _Acc(str(p.name))
    names = [_norm_header(c) or f"col{j + 1}" for j, c in enumerate(codes_row)]
    seen: dict[str, int] = {}
    for i, row in enumerate(raw.rows[2:], start=3):
        if all(_blank(c) for c in row):
            continue
        values = {names[j]: row[j] for j in range(min(len(row), len(names))) if not _blank(row[j])}
        code = _code_text(row[0]) if row else ""
        try:
            bounds = _mesh.mesh_bounds(code)
        except _mesh.MeshCodeError as exc:
            acc.reject(
                i, f"メッシュコード {code!r} が正しくありません: {exc} / invalid mesh code", values
            )
            continue
        if code in seen:
            raise InputFileError(
                f"メッシュコード {code} が 行 {seen[code]} と 行 {i} の 2 回あります / mesh code {code} "
                f"is listed twice (rows {seen[code]} and {i})",
                path=p,
                row=i,
            )
        seen[code] = i
        try:
            counts = {
                col: _count(row[j] if j < len(row) else None, names[j] if j < len(names) else "")
                for col, j in roles.items()
            }
        except _RowError as exc:
            acc.reject(i, str(exc.args[0]), values)
            continue
        rec: dict[str, Any] = {KEY_CODE: code, NAME: code, POPULATION_DATE: ""}
        rec.update({c: counts.get(c, float("nan")) for c in S.POPULATION_VALUES})
        acc.records.append(rec)
        acc.geoms.append(shapely.box(*bounds))
    levels = [_mesh.MESH_LEVELS[n][1] for n in sorted({len(r[KEY_CODE]) for r in acc.records})]
    source = S.Source(
        title="国勢調査 地域メッシュ統計",
        publisher="総務省統計局 e-Stat",
        license="政府標準利用規約（第2.0版）",
        url="https://www.e-stat.go.jp/gis",
        credit="出典：政府統計の総合窓口(e-Stat) 地域メッシュ統計",
    )
    report = S.ReadReport(
        file=str(p.name),
        layout=f"地域メッシュ統計 ({', '.join(levels)})",
        columns={c: names[j] for c, j in roles.items()},
        warnings=[
            "「*」（秘匿）と「-」は不明 (NaN) として読みました / '*' and '-' were read as unknown (NaN)"
        ],
        sources=[source.to_dict()],
    )
    return _finish(acc, report, p, crs=S.STORAGE_CRS)


# --- plain table per area -------------------------------------------------------------------------


def _area_polygons(
    boundaries: gpd.GeoDataFrame | None, join_on: str | None, p: Path
) -> dict[str, Any] | None:
    """圏域 id → polygon of ``boundaries`` (``None`` without boundaries)."""
    if boundaries is None:
        return None
    b = S.ensure_crs(boundaries, what="boundaries")
    key_col = join_on or S.AREA_ID
    if key_col not in b.columns:
        raise ColumnNotFoundError(
            f"boundaries に列 {key_col!r} がありません / boundaries has no column {key_col!r}; pass join_on=...",
            path=p,
            param="join_on",
        )
    return _dissolve(b.geometry, b[key_col].map(lambda v: "" if _blank(v) else _code_text(v)))


def _read_area_table(
    p: Path,
    raw: _Rows,
    *,
    id_col: str | None,
    boundaries: gpd.GeoDataFrame | None,
    join_on: str | None,
) -> gpd.GeoDataFrame:
    if not raw.rows:
        raise UnknownLayoutError("空のファイルです / the file is empty", path=p)
    header = [_norm_header(h) for h in raw.rows[0]]
    if id_col is None or _norm_header(id_col) not in header:
        raise ColumnNotFoundError(
            f"圏域IDの列 {id_col!r} がありません。id_col= に列名を指定してください（あるのは {header}） / "
            f"no id column {id_col!r}; pass id_col=... (columns: {header})",
            path=p,
            param="id_col",
        )
    jid = header.index(_norm_header(id_col))
    roles = {
        col: next((j for j, h in enumerate(header) if h in {_norm_header(a) for a in alias}), None)
        for col, alias in _TABLE_ROLES.items()
    }
    if all(j is None for j in roles.values()):
        raise ColumnNotFoundError(
            f"人口の列がありません（例: 総人口, 65歳以上, 75歳以上, pop_65plus）。あるのは {header} / no count column",
            path=p,
        )
    jname = next(
        (header.index(h) for h in _NAME_HEADERS if h in header and header.index(h) != jid), None
    )
    areas = _area_polygons(boundaries, join_on, p)
    acc = _Acc(str(p.name))
    seen = _SeenAreas(p)
    for i, row in enumerate(raw.rows[1:], start=2):
        if all(_blank(c) for c in row):
            continue
        row = row + [None] * (len(header) - len(row))
        values = {
            header[j] or f"col{j + 1}": row[j] for j in range(len(header)) if not _blank(row[j])
        }
        if _blank(row[jid]):
            acc.reject(i, "圏域IDが空です / the area id is empty", values)
            continue
        area_id = _code_text(row[jid])
        name = "" if jname is None or _blank(row[jname]) else str(row[jname])
        if _is_total_row(area_id, "") or _is_total_row(name, ""):
            acc.reject(
                i, f"合計行のため除外しました（{name or area_id}） / total row, skipped", values
            )
            continue
        try:
            counts = {
                col: (_count(row[j], header[j]) if j is not None else float("nan"))
                for col, j in roles.items()
            }
        except _RowError as exc:
            acc.reject(i, str(exc.args[0]), values)
            continue
        seen.check(i, area_id, name)
        geom = None
        if areas is not None:
            geom = areas.get(area_id)
            if geom is None:
                acc.reject(
                    i,
                    f"boundaries に圏域ID {area_id!r} がありません / no area {area_id!r} in boundaries",
                    values,
                )
                continue
        acc.records.append(
            {S.AREA_ID: area_id, KEY_CODE: area_id, NAME: name, POPULATION_DATE: "", **counts}
        )
        acc.geoms.append(geom)
    report = S.ReadReport(
        file=str(p.name),
        layout="圏域別人口表"
        + (
            "（圏域ポリゴン付き）"
            if areas is not None
            else "（ジオメトリなし: area_id で割り当て）"
        ),
        columns={col: header[j] for col, j in roles.items() if j is not None},
        sources=[S.Source(title=f"圏域別人口（{p.name}）").to_dict()],
    )
    return _finish(acc, report, p, crs=S.STORAGE_CRS)


# --- assembling the output ------------------------------------------------------------------------


def _finish(acc: _Acc, report: S.ReadReport, p: Path, crs: Any = S.STORAGE_CRS) -> gpd.GeoDataFrame:
    cols = [KEY_CODE, NAME, POPULATION_DATE, *S.POPULATION_VALUES]
    if acc.records and S.AREA_ID in acc.records[0]:
        cols = [S.AREA_ID, *cols]
    frame = pd.DataFrame(acc.records, columns=cols)
    for c in S.POPULATION_VALUES:
        frame[c] = frame[c].astype(float)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(acc.geoms, crs=crs), crs=crs)
    # every data row of the file is kept, rejected or merged into another (census parts)
    report.n_read = len(gdf) + len(acc.rejected) + len(report.duplicates)
    report.rejected = acc.rejected
    return S.attach_report(gdf, report)
