"""Reader of 中学校区 / 小学校区 / 圏域 polygons, and the merge of districts into 日常生活圏域.

:func:`read_districts` turns the files people have (国土数値情報 A32 中学校区 in every edition, A27
小学校区, or any polygon file with an id and a name column) into the ``areas`` layer of DESIGN.md;
:func:`merge_areas` builds 日常生活圏域 from such districts and a table 圏域 → school names or codes.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .. import _schema as S
from .._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ColumnNotFoundError,
    EncodingError,
    InputFileError,
    UnknownLayoutError,
    reads_files,
)
from ._archive import extract_dataset
from ._text import decode_text

__all__ = ["OVERLAP_TOLERANCE_M2", "merge_areas", "read_districts"]

#: Overlaps between two districts smaller than this (m², measured in the metric CRS) are treated as
#: digitising noise: they are still resolved but neither reported nor warned about.
OVERLAP_TOLERANCE_M2 = 1.0

_KSJ_PUBLISHER = "国土交通省"
_KSJ_TERMS = "国土数値情報利用約款 (CC BY 4.0 一部制限; 市区町村ごとの条件あり)"
_KSJ_URL = "https://nlftp.mlit.go.jp/ksj/"

#: 学校コード of 文部科学省 (A32-21 and later, A27-21 and later): a letter and twelve digits.
_SCHOOL_CODE = re.compile(r"[A-Z]\d{12}")
#: Year of a KSJ file name such as ``A32-23_29.shp`` or ``A27-16_25.geojson``.
_KSJ_YEAR = re.compile(r"A(?:32|27)P?-(\d{2})")
_PREFECTURE = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}県)(?=.)")
_DISTRICT_TOWN = re.compile(r".+?郡(.+[町村])")
_SCHOOL_SUFFIXES = ("義務教育学校", "小中学校", "中学校", "小学校", "学校", "校")
_LIST_SEPARATORS = re.compile(r"[,、，;；\n]+")


@dataclass(frozen=True)
class _Layout:
    """Where one known file layout keeps the municipality code, its name, the key and the name."""

    key: str
    label: str
    code_col: str | None
    municipality_col: str | None
    id_col: str | None  # school code column; None → key on municipality code + name
    name_col: str | None
    title: str = ""
    year: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        cols = (self.code_col, self.municipality_col, self.id_col, self.name_col)
        return tuple(c for c in cols if c)


_A32 = "国土数値情報（中学校区データ）"
_A27 = "国土数値情報（小学校区データ）"
_A32_V3 = _Layout(
    "A32-21/23",
    "国土数値情報 A32 中学校区 (A32-21/23, 製品仕様書 第3.x版)",
    "A32_001",
    "A32_002",
    "A32_003",
    "A32_004",
    _A32,
    "",
)
_A32_V2 = _Layout(
    "A32-16",
    "国土数値情報 A32 中学校区 (A32-16, 製品仕様書 第2.0版)",
    "A32_006",
    "A32_007",
    None,
    "A32_008",
    _A32,
    "2016",
)
_A32_V1 = _Layout(
    "A32-13",
    "国土数値情報 A32 中学校区 (A32-13, 製品仕様書 第1.1版)",
    "A32_001",
    "A32_002",
    None,
    "A32_003",
    _A32,
    "2013",
)
_A27_V3 = _Layout(
    "A27-21/23",
    "国土数値情報 A27 小学校区 (A27-21/23, 製品仕様書 第3.x版)",
    "A27_001",
    "A27_002",
    "A27_003",
    "A27_004",
    _A27,
    "",
)


# --- public API -----------------------------------------------------------------------------------


@reads_files
def read_districts(
    path: str | PathLike[str],
    *,
    municipality: str | int | None = None,
    id_col: str | None = None,
    name_col: str | None = None,
    encoding: str | None = None,
    crs: Any = None,
    keep_overlaps: bool = False,
) -> gpd.GeoDataFrame:
    """Read school districts or 圏域 polygons into the ``areas`` layer (EPSG:6668).

    Recognised layouts (detected from the columns, not from the file name):

    * 国土数値情報 A32 中学校区 A32-21/23 (製品仕様書 第3.x版): ``A32_001`` municipality code,
      ``A32_002`` municipality, ``A32_003`` 学校コード (the key), ``A32_004`` school name;
    * A32-16 (第2.0版): ``A32_006`` code, ``A32_007`` municipality, ``A32_008`` name;
    * A32-13 (第1.1版): ``A32_001`` code, ``A32_002`` municipality, ``A32_003`` name;
    * A27 小学校区 A27-21/23: ``A27_001`` code, ``A27_002`` 設置者 (``生駒市立``), ``A27_003``
      学校コード, ``A27_004`` name;
    * any other polygon file when ``id_col`` (and optionally ``name_col``) is given.

    Each format may come as shapefile, GeoJSON or anything else GDAL reads. A shapefile without a
    ``.cpg`` has its DBF bytes decoded as UTF-8, then cp932 (Shift_JIS); an encoding that gives
    broken text (U+FFFD) is rejected, never guessed.

    Rows are keyed on the school code when the edition has one, otherwise on municipality code +
    name (``"29363_北中学校"``; the same school name exists in different towns). The parts of one
    school are dissolved into one area; invalid polygons are repaired with ``make_valid`` keeping
    only polygonal parts. Every area is a MultiPolygon.

    **Overlaps.** Pairs of districts that overlap by more than :data:`OVERLAP_TOLERANCE_M2` (area
    measured in the JGD2011 UTM zone of the data) are reported with a :class:`ChiikimapWarning` and
    in the report (``gdf.attrs["chiikimap"]["overlaps"]``). Unless ``keep_overlaps=True`` they are
    resolved so that every place belongs to exactly one area: **a place covered by several
    districts goes to the smallest of them** (by its area before resolution; ties go to the
    smaller ``area_id``). A district nested inside a larger one thus keeps all its area and the
    larger one gets a hole; no district is erased by a larger neighbour, and the union of all areas
    is unchanged.

    Parameters
    ----------
    path
        The file (``.shp``, ``.geojson``, ``.gpkg`` …), or the ``.zip`` as 国土数値情報
        distributes it (the shapefile inside is read).
    municipality
        Keep only one municipality: its 5-digit 行政区域コード (``"29209"`` or ``29209``; a 6-digit
        全国地方公共団体コード is cut to 5 digits) or its name (``"生駒市"``; compared after NFKC,
        a leading prefecture and a ``…郡`` prefix are ignored).
    id_col, name_col
        Columns of the area id and name for layouts that are not recognised (or to override the
        recognised ones). ``name_col`` defaults to ``id_col``.
    encoding
        Text encoding of the attribute table when the file does not declare it correctly.
    crs
        CRS of the coordinates (``"EPSG:6677"``) when the file has none or declares a wrong one.
        Without it, a file with no CRS is taken as EPSG:6668 (with a warning) only when its
        coordinates lie inside Japan; otherwise it is a :class:`CRSError`.
    keep_overlaps
        Report overlaps but leave the polygons as they are.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``area_id``, ``area_name``, ``municipality_code`` (5-digit str, None when the
        layout has none) and ``geometry`` in EPSG:6668, one row per area in file order. The
        :class:`~chiikimap._schema.ReadReport` in ``attrs["chiikimap"]`` gives the detected
        ``layout``, the ``columns`` used, ``n_read`` (rows considered after the municipality
        filter; ``n_read`` = areas + rejected rows + ``duplicates``, the parts of multi-part areas
        dissolved into their first row), the ``rejected`` rows with their reason, ``overlaps`` and
        the ``sources`` to credit.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file; no polygon in it; no row of the requested municipality;
        one id shared by polygons with different names (the message names both rows).
    UnknownLayoutError
        The columns match no known layout and ``id_col`` was not given.
    EncodingError
        The attribute text cannot be decoded without U+FFFD.
    CRSError
        No CRS and coordinates that are not lon/lat inside Japan.
    """
    p = Path(path)
    where = str(path)
    if p.suffix.lower() == ".zip" and p.is_file():
        with tempfile.TemporaryDirectory(prefix="chiikimap-zip-") as tmp:
            inner = extract_dataset(p, Path(tmp))
            gdf, detected_encoding = _read_file(inner, encoding=encoding)
    else:
        gdf, detected_encoding = _read_file(p, encoding=encoding)
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    gdf = S.ensure_crs(gdf, what="校区ポリゴン / districts", path=where)
    if len(gdf) == 0:
        raise InputFileError("地物が1件もありません / the file has no features", path=where)

    layout = _choose_layout(gdf, p, id_col=id_col, name_col=name_col)
    report = S.ReadReport(file=p.name, layout=layout.label)
    if detected_encoding:
        report.layout += f" [DBF encoding: {detected_encoding}]"
    report.columns = {
        role: col
        for role, col in (
            (S.AREA_ID, layout.id_col or f"{layout.code_col}+{layout.name_col}"),
            (S.AREA_NAME, layout.name_col),
            (S.MUNICIPALITY_CODE, layout.code_col),
            ("municipality_name", layout.municipality_col),
        )
        if col
    }
    if layout.title:
        report.sources.append(
            S.Source(
                title=layout.title,
                publisher=_KSJ_PUBLISHER,
                date=layout.year,
                license=_KSJ_TERMS,
                url=_KSJ_URL,
            ).to_dict()
        )

    gdf = gdf.reset_index(drop=True)
    gdf["_row"] = range(1, len(gdf) + 1)  # 1-based feature number in the file
    if municipality is not None:
        gdf = _filter_municipality(gdf, municipality, layout, where)
    report.n_read = len(gdf)
    names = _municipality_names(gdf, layout)

    # rejected rows name the file as the other readers do (its name); messages keep the path
    parts = _clean_rows(gdf, layout, p.name, report)
    kinds = sorted(set(gdf.geom_type.dropna()))
    if not parts and report.rejected and {"Polygon", "MultiPolygon"} & set(kinds):
        raise _all_rejected(report.rejected, where)  # polygons, but no row usable: say why
    if not parts:
        raise InputFileError(
            f"ポリゴンがありません (ジオメトリの種類: {kinds or 'なし'}) / no usable polygon in "
            f"the file; geometry types found: {kinds or 'none'}. 校区・圏域のポリゴンのファイルを"
            "指定してください / pass a file of district polygons",
            path=where,
        )
    if report.rejected:
        warnings.warn(
            f"{where}: {len(report.rejected)} 行を読み込めませんでした (rejected_rows() で確認できます) / "
            f"{len(report.rejected)} rows rejected; see chiikimap.rejected_rows(areas)",
            ChiikimapWarning,
            stacklevel=2,
        )
    areas, first_rows = _dissolve(parts, report, p.name, where)
    areas, overlap_msg = _handle_overlaps(
        areas, report, keep=keep_overlaps, where=where, file_name=p.name, rows=first_rows
    )
    if overlap_msg:
        warnings.warn(overlap_msg, ChiikimapWarning, stacklevel=2)
    S.validate_areas(areas)
    if names:  # code → name of the municipalities, for folders of a batch run
        areas.attrs[MUNICIPALITY_NAMES] = names
    return S.attach_report(areas, report)


def merge_areas(
    districts: gpd.GeoDataFrame,
    mapping: Mapping[Hashable, Any] | pd.DataFrame,
    *,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Merge districts into larger areas (日常生活圏域) following a table 圏域 → schools.

    Parameters
    ----------
    districts
        An ``areas`` layer, e.g. from :func:`read_districts`.
    mapping
        ``{圏域名: [school names or area ids]}`` (a value may also be one string listing the schools
        separated by ``,``/``、``/``;``), or a DataFrame of exactly two columns: 圏域名 and school
        (one school per row, or a separated list as in 枚方市's ``school_districts`` column).
        A school matches a district by its ``area_id`` (the school code) or by its name, compared
        after NFKC with blanks and a trailing 中学校/小学校/学校/校 removed (``"樟葉"`` matches
        ``"樟葉小学校"``).
    name
        What the merged areas are called in the report and messages (default ``"日常生活圏域"``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per 圏域 in the order of ``mapping``: ``area_id`` and ``area_name`` are the 圏域 name,
        ``municipality_code`` is the code shared by all its districts (None if they differ), the
        geometry is the union of its districts (MultiPolygon), CRS as ``districts``.
        Districts used by no 圏域 are left out with a :class:`ChiikimapWarning` that lists them and
        are recorded as rejected rows (see :func:`chiikimap.rejected_rows`).

    Raises
    ------
    ChiikimapError
        A school that matches no district (the message lists them and the available names), a
        name that matches several districts, a district given to two 圏域, or an empty mapping.
    """
    S.validate_areas(districts)
    label = name or "日常生活圏域"
    groups = _parse_mapping(mapping, label)
    owner, members = _match_schools(districts, groups, label)
    report = S.ReadReport(
        file="",
        layout=f"merge_areas: {label} ({len(groups)}) ← {len(districts)} districts",
        columns={S.AREA_ID: "mapping key", S.AREA_NAME: "mapping key"},
        n_read=len(districts),
    )
    for rep in S.read_reports(districts):
        report.sources.extend(s for s in rep.get("sources", []) if s not in report.sources)
    msg = _report_unused(districts, owner, label, report)
    if msg:
        warnings.warn(msg, ChiikimapWarning, stacklevel=2)

    empty = [area for area, idx in members.items() if not idx]
    if empty:
        raise ChiikimapError(
            f"校区が1つもない{label}があります: {empty} / areas with no district: {empty}"
        )
    rows = []
    codes = (
        districts[S.MUNICIPALITY_CODE]
        if S.MUNICIPALITY_CODE in districts.columns
        else pd.Series([None] * len(districts))
    )
    for area, idx in members.items():
        geom = _as_multipolygon(shapely.union_all(districts.geometry.iloc[idx].to_numpy()))
        area_codes = {codes.iloc[i] for i in idx}
        code = area_codes.pop() if len(area_codes) == 1 else None
        rows.append(
            {S.AREA_ID: area, S.AREA_NAME: area, S.MUNICIPALITY_CODE: code, S.GEOMETRY: geom}
        )
    merged = gpd.GeoDataFrame(
        rows, columns=list(S.AREA_COLUMNS), geometry=S.GEOMETRY, crs=districts.crs
    )
    return S.attach_report(merged, report)


def _match_schools(
    districts: gpd.GeoDataFrame, groups: Mapping[str, Sequence[str]], label: str
) -> tuple[dict[int, str], dict[str, list[int]]]:
    """Match each 圏域's school tokens to district rows: (row → 圏域, 圏域 → rows).

    Every problem of the mapping is raised at once per kind: tokens matching no district, names
    matching several, districts given to two 圏域.
    """
    by_id: dict[str, int] = {str(v).strip(): i for i, v in enumerate(districts[S.AREA_ID])}
    by_name: dict[str, list[int]] = {}
    for i, v in enumerate(districts[S.AREA_NAME]):
        by_name.setdefault(_school_key(str(v)), []).append(i)

    unmatched: list[str] = []
    ambiguous: list[str] = []
    owner: dict[int, str] = {}
    twice: list[str] = []
    members: dict[str, list[int]] = {}
    for area, tokens in groups.items():
        members[area] = []
        for token in tokens:
            hits = [by_id[token]] if token in by_id else by_name.get(_school_key(token), [])
            if not hits:
                unmatched.append(f"{area}: {token}")
                continue
            if len(hits) > 1:
                ids = [str(districts[S.AREA_ID].iloc[h]) for h in hits]
                ambiguous.append(f"{area}: {token} → {ids}")
                continue
            hit = hits[0]
            if hit in owner and owner[hit] != area:
                twice.append(f"{token} ({owner[hit]}, {area})")
                continue
            owner[hit] = area
            if hit not in members[area]:
                members[area].append(hit)
    _raise_mapping_problems(districts, label, unmatched, ambiguous, twice)
    return owner, members


def _raise_mapping_problems(
    districts: gpd.GeoDataFrame,
    label: str,
    unmatched: list[str],
    ambiguous: list[str],
    twice: list[str],
) -> None:
    available = ", ".join(str(v) for v in districts[S.AREA_NAME])
    if unmatched:
        raise ChiikimapError(
            f"{label}の対応表に、校区と一致しない学校名があります: {unmatched}. 使える校区名: {available} / "
            f"{len(unmatched)} school names in the mapping match no district: {unmatched}; "
            "fix the spelling or use the area_id (school code)",
            param="mapping",
        )
    if ambiguous:
        raise ChiikimapError(
            f"{label}の対応表の学校名が複数の校区に一致します: {ambiguous}. area_id (学校コード) で"
            f"指定してください / names matching several districts: {ambiguous}; use the area_id",
            param="mapping",
        )
    if twice:
        raise ChiikimapError(
            f"同じ校区が2つの{label}に割り当てられています: {twice} / a district is assigned to two "
            f"areas: {twice}; each district must belong to one area",
            param="mapping",
        )


def _report_unused(
    districts: gpd.GeoDataFrame, owner: Mapping[int, str], label: str, report: S.ReadReport
) -> str:
    """Record the districts no 圏域 uses as rejected rows; return the warning text ('' if none)."""
    unused = [i for i in range(len(districts)) if i not in owner]
    if not unused:
        return ""
    listed = [f"{districts[S.AREA_ID].iloc[i]} {districts[S.AREA_NAME].iloc[i]}" for i in unused]
    for i, text in zip(unused, listed, strict=True):
        report.rejected.append(
            {
                S.REJECTED_FILE: "",
                S.REJECTED_ROW: i + 1,
                S.REJECTED_REASON: f"どの{label}にも含まれていません / in no area of the mapping",
                S.REJECTED_VALUES: {"district": text},
            }
        )
    msg = (
        f"{len(unused)} 校区がどの{label}にも含まれていません: {listed} / {len(unused)} districts "
        f"are used by no area and were left out: {listed}"
    )
    report.warnings.append(msg)
    return msg


# --- reading --------------------------------------------------------------------------------------


def _read_file(path: Path, *, encoding: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """Read ``path`` with pyogrio; returns the frame and the DBF encoding detected ('' if none)."""
    where = str(path)
    if not path.exists():
        raise InputFileError(
            "ファイルが見つかりません。パスを確認してください / file not found; check the path",
            path=where,
        )
    if path.is_dir():
        raise InputFileError(
            "フォルダーではなくファイル (.shp, .geojson …) を指定してください / this is a folder; "
            "pass the file itself (.shp, .geojson …)",
            path=where,
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            "ファイルが空です (0 バイト) / the file is empty (0 bytes)", path=where
        )
    detected = ""
    if encoding is None and path.suffix.lower() in (".shp", ".dbf"):
        dbf = _sidecar(path, ".dbf")
        if dbf is not None and _sidecar(path, ".cpg") is None:
            encoding = detected = _dbf_encoding(dbf)
    try:
        gdf = gpd.read_file(path, encoding=encoding) if encoding else gpd.read_file(path)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"属性表の文字を {encoding or 'UTF-8'} として読めません ({exc}) / cannot decode the "
            "attribute text; pass the right encoding, e.g. encoding='cp932' (Shift_JIS)",
            path=where,
        ) from exc
    except Exception as exc:  # pyogrio raises several types (DataSourceError, CPLE_*)
        raise InputFileError(
            f"ファイルを読み込めません ({type(exc).__name__}: {exc}). 形式が shapefile / GeoJSON / "
            f"GeoPackage か確認してください / cannot read the file as a vector data set",
            path=where,
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        # e.g. a CSV list: pyogrio returns a plain table without geometry
        raise UnknownLayoutError(
            "図形（ポリゴン）のないファイルです。圏域は shapefile / GeoJSON / GeoPackage で指定して"
            "ください / the file has no geometry; areas must be polygons (shapefile, GeoJSON, "
            f"GeoPackage), got a table with columns {', '.join(map(str, list(gdf.columns)[:8]))}",
            path=where,
        )
    for col in gdf.columns:
        if col == gdf.geometry.name or gdf[col].dtype.kind not in "OSUT":
            continue
        bad = gdf[col].map(lambda v: isinstance(v, str) and "\ufffd" in v)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            raise EncodingError(
                f"列 {col!r} の文字が化けています (U+FFFD) / column {col!r} holds broken text "
                f"(U+FFFD), e.g. {gdf[col].iloc[row - 1]!r}; pass encoding='cp932' or 'utf-8'",
                path=where,
                row=row,
            )
    return gdf, detected


def _sidecar(path: Path, ext: str) -> Path | None:
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def _dbf_encoding(dbf: Path) -> str:
    """Decode the raw records of a DBF as UTF-8, then cp932 (the shared strict detector)."""
    data = dbf.read_bytes()
    header_len = int.from_bytes(data[8:10], "little") if len(data) >= 32 else len(data)
    body = data[header_len:].rstrip(b"\x1a")
    _, used = decode_text(dbf, body, None)
    return "cp932" if used == "cp932" else "utf-8"


def _choose_layout(
    gdf: gpd.GeoDataFrame, path: Path, *, id_col: str | None, name_col: str | None
) -> _Layout:
    found = [c for c in gdf.columns if c != gdf.geometry.name]
    detected = _detect_layout(gdf)
    for param, col in (("id_col", id_col), ("name_col", name_col)):
        if col is not None and col not in found:
            raise ColumnNotFoundError(
                f"{param}={col!r} の列がありません / no column {col!r}; columns found: {found}",
                path=str(path),
                param=param,
            )
    if detected is not None:
        year = _ksj_year(path) or detected.year
        if id_col is None and name_col is None:
            return _Layout(
                detected.key,
                detected.label,
                detected.code_col,
                detected.municipality_col,
                detected.id_col,
                detected.name_col,
                detected.title,
                year,
            )
        return _Layout(
            detected.key,
            f"{detected.label} (列指定あり / user columns)",
            detected.code_col,
            detected.municipality_col,
            id_col or detected.id_col,
            name_col or id_col or detected.name_col,
            detected.title,
            year,
        )
    if id_col is None:
        raise UnknownLayoutError(
            f"校区ファイルの形式を判定できません。見つかった列: {found}. 国土数値情報 A32 "
            "(A32-13/16/21/23) か A27 ではありません。区域の ID と名称の列を "
            "id_col・name_col で指定してください / unknown layout; "
            f"columns found: {found}; pass id_col='…' and name_col='…'",
            path=str(path),
            param=("id_col", "name_col"),
        )
    return _Layout(
        "user",
        f"列指定 (id_col={id_col!r}, name_col={name_col or id_col!r})",
        None,
        None,
        id_col,
        name_col or id_col,
    )


def _detect_layout(gdf: gpd.GeoDataFrame) -> _Layout | None:
    cols = set(gdf.columns)

    def school_codes(col: str) -> bool:
        values = [str(v).strip() for v in gdf[col] if isinstance(v, str) and v.strip()]
        return bool(values) and all(_SCHOOL_CODE.fullmatch(v) for v in values)

    if {"A27_001", "A27_002", "A27_003", "A27_004"} <= cols and school_codes("A27_003"):
        return _A27_V3
    if {"A32_001", "A32_002", "A32_003", "A32_004"} <= cols and school_codes("A32_003"):
        return _A32_V3
    if {"A32_006", "A32_007", "A32_008"} <= cols and "A32_001" not in cols:
        return _A32_V2
    if {"A32_001", "A32_002", "A32_003"} <= cols and not school_codes("A32_003"):
        return _A32_V1
    return None


def _ksj_year(path: Path) -> str:
    m = _KSJ_YEAR.search(path.name)
    return f"20{m.group(1)}" if m else ""


# --- municipality filter --------------------------------------------------------------------------


def _norm_code(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) < 5 else text


#: ``attrs`` key of the areas: {municipality code: name as the file writes it}
MUNICIPALITY_NAMES = "chiikimap_municipality_names"


def _municipality_names(gdf: gpd.GeoDataFrame, layout: _Layout) -> dict[str, str]:
    """{code: name} of the municipalities in a file with code and name columns (first name)."""
    if not (layout.code_col and layout.municipality_col) or gdf.empty:
        return {}
    out: dict[str, str] = {}
    for code, name in zip(gdf[layout.code_col], gdf[layout.municipality_col], strict=True):
        key = _norm_code(code)
        if key and key not in out:
            out[key] = _text(name)
    return out


def _norm_municipality(value: Any) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))
    text = _PREFECTURE.sub("", text)
    m = _DISTRICT_TOWN.fullmatch(text)
    if m:
        text = m.group(1)
    return text[:-1] if text.endswith(("市立", "町立", "村立", "区立")) else text


def _filter_municipality(
    gdf: gpd.GeoDataFrame, municipality: str | int, layout: _Layout, where: str
) -> gpd.GeoDataFrame:
    if layout.code_col is None:
        raise UnknownLayoutError(
            "このファイルには市区町村コードの列がないので municipality= で絞り込めません / this "
            "layout has no municipality column; filter the frame yourself instead",
            path=where,
            param="municipality",
        )
    query = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(municipality)))
    codes = gdf[layout.code_col].map(_norm_code)
    if query.isdigit():
        code = query[:5] if len(query) == 6 else query.zfill(5)
        mask = codes == code
    else:
        names = (
            gdf[layout.municipality_col].map(_norm_municipality)
            if layout.municipality_col
            else pd.Series("", index=gdf.index)
        )
        mask = names == _norm_municipality(query)
    if not mask.any():
        pairs = sorted(
            {
                f"{c} {gdf[layout.municipality_col].iloc[i] if layout.municipality_col else ''}".strip()
                for i, c in enumerate(codes)
            }
        )
        raise InputFileError(
            f"municipality={municipality!r} に一致する行がありません。このファイルの市区町村: "
            f"{', '.join(pairs)} / no row of municipality {municipality!r}; available: "
            f"{', '.join(pairs)}",
            path=where,
        )
    return gdf[mask.to_numpy()]


# --- geometry -------------------------------------------------------------------------------------


def _polygon_parts(geom: BaseGeometry | None) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def _as_multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    parts = _polygon_parts(geom)
    if not parts:
        return None
    if len(parts) > 1:
        parts = _polygon_parts(shapely.union_all(parts))
    return MultiPolygon(parts)


def _repair(geom: BaseGeometry) -> MultiPolygon | None:
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return _as_multipolygon(geom)


def _all_rejected(rejected: list[dict[str, Any]], where: str) -> InputFileError:
    """The error for a file whose every row was rejected: the reasons, counted."""
    counts: dict[str, int] = {}
    for r in rejected:
        counts[str(r.get("reason", ""))] = counts.get(str(r.get("reason", "")), 0) + 1
    reasons = "; ".join(f"{n} × {reason}" for reason, n in counts.items())
    return InputFileError(
        f"すべての行 ({len(rejected)} 行) を除外しました: {reasons}。ID・名称が別の列にあるなら "
        f"id_col= / name_col= で指定してください / all {len(rejected)} rows were rejected: "
        f"{reasons}; pass id_col= / name_col= if the ids or names are in other columns",
        path=where,
        param=("id_col", "name_col"),
    )


def _clean_rows(
    gdf: gpd.GeoDataFrame, layout: _Layout, where: str, report: S.ReadReport
) -> list[dict[str, Any]]:
    """One dict per usable row (key, name, code, repaired geometry); rejects the others."""
    parts: list[dict[str, Any]] = []
    n_repaired = 0
    attrs = [c for c in gdf.columns if c not in (gdf.geometry.name, "_row")]
    for rec, geom in zip(gdf.itertuples(index=False), gdf.geometry, strict=True):
        row = dict(zip(gdf.columns, rec, strict=True))
        code = _norm_code(row[layout.code_col]) if layout.code_col else ""
        name = _text(row[layout.name_col]) if layout.name_col else ""
        if layout.id_col:
            key = _text(row[layout.id_col])
        else:
            key = f"{code}_{name}" if code and name else ""
        reason = ""
        if not key:
            reason = f"ID の列 {report.columns.get(S.AREA_ID)} が空です / empty id"
        elif not name:
            reason = f"名称の列 {layout.name_col} が空です / empty name"
        elif geom is None or geom.is_empty:
            reason = "ジオメトリがありません / no geometry"
        clean = None
        if not reason:
            clean = _repair(geom)
            if clean is None:
                reason = f"ポリゴンではありません ({geom.geom_type}) / not a polygon"
            elif not geom.is_valid:
                n_repaired += 1
        if reason or clean is None:
            report.rejected.append(
                {
                    S.REJECTED_FILE: where,
                    S.REJECTED_ROW: int(row["_row"]),
                    S.REJECTED_REASON: reason,
                    S.REJECTED_VALUES: {c: _plain(row[c]) for c in attrs},
                }
            )
            continue
        parts.append(
            {
                S.AREA_ID: key,
                S.AREA_NAME: name,
                S.MUNICIPALITY_CODE: code or None,
                S.GEOMETRY: clean,
                "_row": int(row["_row"]),
            }
        )
    if n_repaired:
        report.warnings.append(
            f"{n_repaired} 件の不正なポリゴンを修復しました (make_valid) / repaired {n_repaired} "
            "invalid polygons with make_valid, keeping polygonal parts"
        )
    return parts


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _same_name(a: str, b: str) -> bool:
    return _school_key(a) == _school_key(b)


def _check_shared_ids(order: dict[str, list[dict[str, Any]]], where: str) -> None:
    """An id shared by polygons with different names is two places under one id: an error."""
    for key, group in order.items():
        first = group[0]
        for part in group[1:]:
            if not _same_name(first[S.AREA_NAME], part[S.AREA_NAME]):
                raise InputFileError(
                    f"ID {key!r} が名称の違う 2 つの区域に使われています: 行 {first['_row']} "
                    f"「{first[S.AREA_NAME]}」と 行 {part['_row']} 「{part[S.AREA_NAME]}」。同じ校区の"
                    "飛び地なら名称を揃え、別の校区なら ID を分けてください（id_col= で別の列も指定でき"
                    f"ます） / id {key!r} is shared by differently named polygons: row {first['_row']} "
                    f"{first[S.AREA_NAME]!r} and row {part['_row']} {part[S.AREA_NAME]!r}",
                    path=where,
                    row=int(part["_row"]),
                    param="id_col",
                )


def _dissolve(
    parts: list[dict[str, Any]], report: S.ReadReport, file_name: str, where: str
) -> tuple[gpd.GeoDataFrame, list[int]]:
    """One area per key, in order of first appearance, and the file row of each first part.

    The parts after the first (飛び地 of one school) are recorded in ``report.duplicates`` so that
    rows read = areas + rejected + merged parts.
    """
    order: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        order.setdefault(part[S.AREA_ID], []).append(part)
    _check_shared_ids(order, where)
    rows = []
    multi: list[str] = []
    for key, group in order.items():
        geom = (
            group[0][S.GEOMETRY]
            if len(group) == 1
            else _as_multipolygon(shapely.union_all([g[S.GEOMETRY] for g in group]))
        )
        if len(group) > 1:
            multi.append(f"{group[0][S.AREA_NAME]} ({len(group)})")
        report.duplicates.extend(
            {
                S.REJECTED_FILE: file_name,
                S.REJECTED_ROW: int(g["_row"]),
                "kept_row": int(group[0]["_row"]),
                "name": group[0][S.AREA_NAME],
                S.REJECTED_VALUES: {S.AREA_ID: key, S.AREA_NAME: g[S.AREA_NAME]},
                S.REJECTED_REASON: f"同じ ID {key} の部分（飛び地）として 行 {group[0]['_row']} に統合 / "
                f"part of area {key}, dissolved into row {group[0]['_row']}",
            }
            for g in group[1:]
        )
        rows.append(
            {
                S.AREA_ID: key,
                S.AREA_NAME: group[0][S.AREA_NAME],
                S.MUNICIPALITY_CODE: group[0][S.MUNICIPALITY_CODE],
                S.GEOMETRY: geom,
            }
        )
    if multi:
        n = len(parts) - len(order)
        report.warnings.append(
            f"{len(multi)} 区域が複数の部分（飛び地）からなり、{n} 行を 1 つにまとめました: "
            f"{', '.join(multi)} / {len(multi)} areas come in several parts; {n} rows dissolved"
        )
    areas = gpd.GeoDataFrame(
        rows, columns=list(S.AREA_COLUMNS), geometry=S.GEOMETRY, crs=S.STORAGE_CRS
    )
    return areas, [group[0]["_row"] for group in order.values()]


def _overlapping_pairs(areas: gpd.GeoDataFrame) -> tuple[list[tuple[int, int, float]], Any]:
    """Pairs (i, j, m²) with i < j whose interiors overlap, and the metric areas of all rows."""
    metric = areas.geometry.to_crs(S.metric_crs_for(areas))
    left, right = metric.sindex.query(metric.to_numpy(), predicate="intersects")
    pairs = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            m2 = float(metric.iloc[i].intersection(metric.iloc[j]).area)
            if m2 > 0:
                pairs.append((i, j, m2))
    return pairs, metric.area.to_numpy()


def _handle_overlaps(
    areas: gpd.GeoDataFrame,
    report: S.ReadReport,
    *,
    keep: bool,
    where: str,
    file_name: str,
    rows: list[int],
) -> tuple[gpd.GeoDataFrame, str]:
    """Report overlapping pairs and (unless ``keep``) give each overlap to the smaller area.

    ``rows`` is the 1-based file row of the first feature of each area; an area covered whole by
    smaller ones is rejected at that row of ``file_name``. ``where`` (the path) is for messages.
    """
    if len(areas) < 2:
        return areas, ""
    pairs, size_m2 = _overlapping_pairs(areas)
    if not pairs:
        return areas, ""
    ids = areas[S.AREA_ID].tolist()
    names = areas[S.AREA_NAME].tolist()
    rank = {
        i: r for r, i in enumerate(sorted(range(len(areas)), key=lambda k: (size_m2[k], ids[k])))
    }
    shown = [(i, j, m2) for i, j, m2 in pairs if m2 > OVERLAP_TOLERANCE_M2]
    for i, j, m2 in shown:
        winner = i if rank[i] < rank[j] else j
        report.overlaps.append(
            {
                "area_id_1": ids[i],
                "area_name_1": names[i],
                "area_id_2": ids[j],
                "area_name_2": names[j],
                "overlap_m2": round(m2, 1),
                "assigned_to": "" if keep else ids[winner],
            }
        )
    if not keep:
        geoms = list(areas.geometry)
        smaller: dict[int, list[int]] = {}
        for i, j, _ in pairs:
            lo, hi = (i, j) if rank[i] < rank[j] else (j, i)
            smaller.setdefault(hi, []).append(lo)
        resolved = list(geoms)
        for hi, los in smaller.items():
            cut = shapely.union_all([geoms[k] for k in los])
            resolved[hi] = _as_multipolygon(geoms[hi].difference(cut))
        erased = [k for k, g in enumerate(resolved) if g is None]
        for k in erased:
            report.rejected.append(
                {
                    S.REJECTED_FILE: file_name,
                    S.REJECTED_ROW: rows[k],
                    S.REJECTED_REASON: "より小さい校区に完全に覆われています / entirely covered by smaller districts",
                    S.REJECTED_VALUES: {S.AREA_ID: ids[k], S.AREA_NAME: names[k]},
                }
            )
        areas = areas.copy()
        areas[S.GEOMETRY] = gpd.GeoSeries(resolved, index=areas.index, crs=areas.crs)
        if erased:
            areas = areas.drop(index=areas.index[erased]).reset_index(drop=True)
    if not shown:
        return areas, ""
    listed = ", ".join(f"{names[i]}×{names[j]} {m2:,.0f} m²" for i, j, m2 in shown)
    how = (
        "重なりはそのままです (keep_overlaps=True) / kept as they are"
        if keep
        else "重なった部分は面積の小さい校区に含めました / each overlap was given to the smaller district"
    )
    msg = (
        f"{where}: {len(shown)} 組の校区が重なっています: {listed}. {how} / {len(shown)} pairs "
        f"of districts overlap"
    )
    report.warnings.append(msg)
    return areas, msg


# --- merge_areas helpers --------------------------------------------------------------------------


def _school_key(name: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    for suffix in _SCHOOL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _tokens(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [t.strip() for t in _LIST_SEPARATORS.split(value) if t.strip()]
    if isinstance(value, Iterable):
        return [t for v in value for t in _tokens(v)]
    return [_text(value)] if _text(value) else []


def _parse_mapping(
    mapping: Mapping[Hashable, Any] | pd.DataFrame, label: str
) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    if isinstance(mapping, pd.DataFrame):
        cols = [
            c for c in mapping.columns if not isinstance(mapping[c].dtype, gpd.array.GeometryDtype)
        ]
        if len(cols) != 2:
            raise ChiikimapError(
                f"対応表は2列 ({label}名, 学校名またはコード) にしてください。列: {list(mapping.columns)} / "
                f"the mapping table needs exactly two columns (area, school); got {list(mapping.columns)}"
            )
        for area, schools in zip(mapping[cols[0]], mapping[cols[1]], strict=True):
            groups.setdefault(_text(area), []).extend(_tokens(schools))
    elif isinstance(mapping, Mapping):
        for area, schools in mapping.items():
            groups.setdefault(_text(area), []).extend(_tokens(schools))
    else:
        raise ChiikimapError(
            f"対応表は dict か DataFrame で渡してください / mapping must be a dict or a DataFrame, "
            f"got {type(mapping).__name__}"
        )
    if "" in groups:
        raise ChiikimapError(f"{label}名が空の行があります / a row has an empty area name")
    if not groups:
        raise ChiikimapError("対応表が空です / the mapping is empty")
    return groups
