"""Column names, CRS policy and validation of the three data layers (areas, resources, population).

This module owns every column name; other modules import the constants instead of spelling them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from ._errors import ChiikimapWarning, CRSError, SchemaError

__all__ = [
    "AREA_COLUMNS",
    "POPULATION_COLUMNS",
    "RESOURCE_COLUMNS",
    "STATUS_LABELS",
    "STORAGE_CRS",
    "TABLE_COLUMNS",
    "Source",
]

# --- CRS ------------------------------------------------------------------------------------------

#: lon/lat CRS in which every layer is stored (JGD2011 geographic).
STORAGE_CRS = "EPSG:6668"

#: Japan's extent in lon/lat with a margin (includes 南鳥島, 与那国, 沖ノ鳥島 and 択捉).
JAPAN_BOUNDS = (122.0, 20.0, 154.5, 46.0)

#: JGD2011 / UTM zone 51N … 55N, keyed by zone number.
_JGD2011_UTM = {51: 6688, 52: 6689, 53: 6690, 54: 6691, 55: 6692}

# --- areas ----------------------------------------------------------------------------------------

AREA_ID = "area_id"
AREA_NAME = "area_name"
MUNICIPALITY_CODE = "municipality_code"
GEOMETRY = "geometry"
AREA_COLUMNS = (AREA_ID, AREA_NAME, MUNICIPALITY_CODE, GEOMETRY)

# --- resources ------------------------------------------------------------------------------------

RESOURCE_ID = "resource_id"
NAME = "name"
CATEGORY = "category"
CATEGORIES = "categories"  # tuple of taxonomy keys
CAPACITY = "capacity"  # capacity of the first category (``category``)
CAPACITIES = "capacities"  # dict: category key → capacity (sum of the 定員 of its input rows)
ADDRESS = "address"
SOURCE = "source"
OFFICE_NUMBER = "office_number"  # 事業所番号 ("" when the source has none)
# contact fields, "" when the source has none (DESIGN.md: kept for the karte and the booklet)
PHONE = "phone"  # 電話番号
FAX = "fax"  # FAX番号
HOURS = "hours"  # 利用可能曜日・開館時間・定休日・特記事項, composed into one text
URL = "url"
OPERATOR = "operator"  # 法人の名称 / 団体名
CONTACT_COLUMNS = (PHONE, FAX, HOURS, URL, OPERATOR)
RESOURCE_COLUMNS = (
    RESOURCE_ID,
    NAME,
    CATEGORY,
    CATEGORIES,
    CAPACITY,
    CAPACITIES,
    ADDRESS,
    SOURCE,
    OFFICE_NUMBER,
    *CONTACT_COLUMNS,
    GEOMETRY,
)

# --- rejected rows (returned by every reader) -----------------------------------------------------

REJECTED_FILE = "file"
REJECTED_ROW = "row"  # 1-based row number in the file; header is row 1 for CSV/xlsx
REJECTED_REASON = "reason"
REJECTED_VALUES = "values"  # dict of the raw values of the row
REJECTED_COLUMNS = (REJECTED_FILE, REJECTED_ROW, REJECTED_REASON, REJECTED_VALUES)
#: extra columns of merged rows (reason 「重複…」): the row kept instead and the distance to it
MERGED_COLUMNS = ("kept_file", "kept_row", "kept_values", "distance_m")

# --- population -----------------------------------------------------------------------------------

POP_TOTAL = "pop_total"
POP_65PLUS = "pop_65plus"
POP_75PLUS = "pop_75plus"
POPULATION_VALUES = (POP_TOTAL, POP_65PLUS, POP_75PLUS)
POPULATION_COLUMNS = (*POPULATION_VALUES, GEOMETRY)

# --- coverage table -------------------------------------------------------------------------------

CATEGORY_LABEL = "category_label"
N_RESOURCES = "n_resources"
WEIGHT = "weight"
PER_1000 = "per_1000"
COVERED = "covered"
COVERAGE = "coverage"
UNCOVERED = "uncovered"
NEAREST_M = "nearest_m"
STATUS = "status"
TABLE_COLUMNS = (
    AREA_ID,
    AREA_NAME,
    CATEGORY,
    CATEGORY_LABEL,
    N_RESOURCES,
    CAPACITY,
    WEIGHT,
    PER_1000,
    COVERED,
    COVERAGE,
    UNCOVERED,
    NEAREST_M,
    STATUS,
)

#: resources of the category in the area placed only at a town's point (geocode level 町丁目/大字):
#: a column of ``analyze``'s table right after ``n_resources`` (not of TABLE_COLUMNS, which a
#: hand-built table may follow without it)
N_APPROX = "n_approx"
#: the column read_resources(geocode=...) gives each resource, and its approximate levels
GEOCODE_LEVEL = "geocode_level"
#: its header in the Excel 資源一覧 sheet (approximate levels there end with 「（概略）」)
GEOCODE_LEVEL_JA = "位置の水準（住所照合）"
APPROX_LEVELS = ("近隣番地", "町丁目", "大字")
#: what an approximate position is, said wherever one is drawn or counted
APPROX_NOTE_JA = "位置は町丁目の代表点（概略）"
APPROX_NOTE_EN = "position is the town's representative point (approximate)"
#: ... and for a position taken from the known point of a nearby 番地 (geocode level 近隣番地)
APPROX_NEAR_NOTE_JA = "位置は近くの番地の地点から推定（概略）"
APPROX_NEAR_NOTE_EN = "position is the known point of a nearby address number (approximate)"
#: ... and for a legend key that stands for both kinds
APPROX_ANY_NOTE_JA = "位置は概略（町丁目の代表点、または近くの番地の地点から推定）"
APPROX_ANY_NOTE_EN = "approximate position (a town's point, or the known point of a nearby address)"


def approx_note_of(level: object, lang: str = "ja") -> str:
    """The note of one approximate position by its geocode level (town point or nearby 番地).

    Examples
    --------
    >>> approx_note_of("町丁目"), approx_note_of("近隣番地", "en")
    ('位置は町丁目の代表点（概略）', 'position is the known point of a nearby address number (approximate)')
    """
    if level == "近隣番地":
        return APPROX_NEAR_NOTE_EN if lang == "en" else APPROX_NEAR_NOTE_JA
    return APPROX_NOTE_EN if lang == "en" else APPROX_NOTE_JA


def approximate(resources: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the resources placed at an approximate point (近隣番地/町丁目/大字 level).

    Examples
    --------
    >>> import pandas as pd
    >>> approximate(pd.DataFrame({"geocode_level": ["街区", "町丁目", None, "大字", "近隣番地"]})).tolist()
    [False, True, False, True, True]
    >>> approximate(pd.DataFrame({"name": ["a"]})).tolist()
    [False]
    """
    if GEOCODE_LEVEL not in resources.columns:
        return np.zeros(len(resources), dtype=bool)
    return np.asarray(resources[GEOCODE_LEVEL].isin(APPROX_LEVELS).to_numpy(), dtype=bool)


STATUS_NONE = "none"
STATUS_GAP = "gap"
STATUS_OK = "ok"
#: an area whose weight is 0 (nobody of the chosen population lives there): coverage is undefined
STATUS_EMPTY = "empty"
#: status key → (Japanese, English) label; the order is worst first, ``empty`` (no weight) last.
STATUS_LABELS = {
    STATUS_NONE: ("空白", "none"),
    STATUS_GAP: ("不足", "gap"),
    STATUS_OK: ("充足", "ok"),
    STATUS_EMPTY: ("対象なし", "no weight"),
}

#: Japanese labels of table columns, used by every renderer (Excel headers, tooltips, notebook).
COLUMN_LABELS_JA = {
    AREA_ID: "圏域ID",
    AREA_NAME: "圏域名",
    MUNICIPALITY_CODE: "市区町村コード",
    CATEGORY: "種別キー",
    CATEGORY_LABEL: "種別",
    N_RESOURCES: "資源数",
    N_APPROX: "うち概略位置の資源数",
    CAPACITY: "定員計",
    WEIGHT: "基準値",
    PER_1000: "千人あたり資源数",
    COVERED: "圏内",
    COVERAGE: "カバー率",
    UNCOVERED: "圏外",
    NEAREST_M: "最寄りまでの距離(m, 中央値)",
    STATUS: "判定",
    RESOURCE_ID: "資源ID",
    NAME: "名称",
    CATEGORIES: "提供サービス",
    CAPACITIES: "種別ごとの定員",
    OFFICE_NUMBER: "事業所番号",
    ADDRESS: "住所",
    SOURCE: "出典",
    PHONE: "電話番号",
    FAX: "FAX",
    HOURS: "利用日・時間",
    URL: "URL",
    OPERATOR: "運営法人・団体",
    POP_TOTAL: "総人口",
    POP_65PLUS: "65歳以上人口",
    POP_75PLUS: "75歳以上人口",
}

#: The key under ``GeoDataFrame.attrs`` where readers put their report (plain JSON-like data).
ATTRS_KEY = "chiikimap"


@dataclass(frozen=True)
class Source:
    """One data source that an output must credit.

    Parameters
    ----------
    title
        What the data is, e.g. ``"国土数値情報（中学校区データ）"``.
    publisher
        Who publishes it, e.g. ``"国土交通省"``.
    date
        Reference date of the data as text (``"2023"``, ``"2026-02-01"``); empty when unknown.
    license
        Licence or terms, e.g. ``"CC BY 4.0"``.
    url
        Where it was published; empty when unknown.
    credit
        The exact attribution line the terms require; defaults to ``"title（publisher）"``.
    layer
        The layer the source gives (``"areas"``, ``"resources"``, ``"population"``); set by
        :func:`chiikimap.analyze` from the layer the reader recorded it in, empty for an extra
        source. Outputs show each source's date with its layer (圏域 2023・資源 2026-05), never
        one layer's date as the date of the whole map.
    """

    title: str
    publisher: str = ""
    date: str = ""
    license: str = ""
    url: str = ""
    credit: str = ""
    layer: str = ""

    @property
    def layer_label(self) -> str:
        """The layer in Japanese (圏域, 資源, 人口), or empty."""
        return LAYER_LABELS.get(self.layer, self.layer)

    @property
    def dated_line(self) -> str:
        """One line for the sources list: layer, credit line, licence and date."""
        head = f"{self.layer_label}: " if self.layer_label else ""
        lic = f"（{self.license}）" if self.license and self.license not in self.attribution else ""
        when = f"（{self.date}）" if self.date else ""
        return f"{head}{self.attribution}{lic}{when}"

    @property
    def attribution(self) -> str:
        """The credit line to print on maps and tables."""
        if self.credit:
            return self.credit
        return f"{self.title}（{self.publisher}）" if self.publisher else self.title

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return cls(**{k: str(v) for k, v in d.items() if k in cls.__dataclass_fields__})


def data_dates(sources: Iterable[Source]) -> list[str]:
    """Distinct reference dates of ``sources``, each with its layer (``"圏域 2023"``)."""
    return list(
        dict.fromkeys(
            f"{s.layer_label} {s.date}" if s.layer_label else s.date for s in sources if s.date
        )
    )


def source_lines(sources: Iterable[Source]) -> list[str]:
    """One line per source: layer, credit line, licence and date (:attr:`Source.dated_line`)."""
    return list(dict.fromkeys(s.dated_line for s in sources))


#: layer key → its Japanese name, for the sources lists of the outputs
LAYER_LABELS: dict[str, str] = {
    "areas": "圏域",
    "resources": "資源",
    "population": "人口",
    "indicators": "指標",
}


@dataclass
class ReadReport:
    """What a reader recognised and rejected; stored as a plain dict in ``gdf.attrs["chiikimap"]``.

    ``rejected`` is a list of ``{"file", "row", "reason", "values"}`` dicts so that the attrs stay
    comparable and cheap to copy (pandas copies ``attrs`` on every operation).
    """

    file: str = ""
    layout: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    n_read: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    unclassified: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    #: overlapping polygons found by a reader, one dict per pair (read_districts fills it).
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    def to_attrs(self) -> dict[str, Any]:
        """The report as a plain dict for ``attrs`` (shallow: the report is not used after)."""
        return _SharedReport({f.name: getattr(self, f.name) for f in fields(self)})


class _SharedReport(dict[str, Any]):
    """A reader report in ``attrs``: pandas deep-copies ``attrs`` on every operation, and a
    report with thousands of rejected or merged rows made each column access cost a copy of
    them. Reports are not changed once attached, so every copy of a frame shares this one."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedReport:
        return self


def attach_report(gdf: gpd.GeoDataFrame, report: ReadReport) -> gpd.GeoDataFrame:
    """Store ``report`` in ``gdf.attrs`` (in place) and return ``gdf``."""
    gdf.attrs[ATTRS_KEY] = report.to_attrs()
    return gdf


def read_reports(obj: pd.DataFrame) -> list[dict[str, Any]]:
    """The reader reports stored in ``obj.attrs`` (a list, as frames can be concatenated)."""
    value = obj.attrs.get(ATTRS_KEY)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def rejected_rows(obj: pd.DataFrame, *, merged: bool = True) -> pd.DataFrame:
    """List the rows that a chiikimap reader rejected while building ``obj``, with the reason.

    Parameters
    ----------
    obj
        A layer returned by :func:`chiikimap.read_resources`, :func:`chiikimap.read_districts` or
        :func:`chiikimap.read_population`.
    merged
        Also list the rows merged into another one (``True``, the default), after the
        rejected rows; ``False`` lists only the rows rejected.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``row`` (1-based row in the file), ``reason`` and ``values`` (the raw
        values as a dict). Empty when nothing was rejected. With ``merged``, the rows merged
        into another one follow: for resources (the same 事業所番号, an identical row, or the
        same facility in another source) with a reason starting with 「重複」; for districts
        and census areas, the further parts of one area (飛び地). Their extra columns are
        ``kept_file``, ``kept_row``, ``kept_values`` (the row kept instead) and ``distance_m``
        (metres between the two points) where known.
    """
    reports = read_reports(obj)
    rows = [r for rep in reports for r in rep.get("rejected", [])]
    merged_rows = [
        {**d, REJECTED_REASON: d.get(REJECTED_REASON) or "重複 / duplicate"}
        for rep in reports
        for d in (rep.get("duplicates") or [] if merged else [])
        if isinstance(d, dict)
    ]
    if not merged_rows:
        return pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))
    return pd.DataFrame(rows + merged_rows, columns=[*REJECTED_COLUMNS, *MERGED_COLUMNS])


def sources_of(*objs: pd.DataFrame | None) -> list[Source]:
    """Every distinct :class:`Source` recorded by the readers of ``objs`` (order kept)."""
    seen: dict[Source, None] = {}
    for obj in objs:
        if obj is None:
            continue
        for rep in read_reports(obj):
            for s in rep.get("sources", []):
                seen.setdefault(Source.from_dict(s), None)
    return list(seen)


def merge_reports(frames: Iterable[pd.DataFrame]) -> list[dict[str, Any]]:
    """Concatenate the reports of several frames (for ``pd.concat`` of several files)."""
    return [rep for f in frames for rep in read_reports(f)]


# --- CRS helpers ----------------------------------------------------------------------------------


def metric_crs_for(gdf: gpd.GeoSeries | gpd.GeoDataFrame) -> pyproj.CRS:
    """The JGD2011 UTM zone (EPSG:6688–6692) containing the centroid of ``gdf``'s extent.

    Zones outside 51–55 are clamped to the nearest JGD2011 zone (Japan spans 51–55 on land).
    """
    if gdf.crs is None:
        raise CRSError("CRS がありません / the layer has no CRS; set it with .set_crs(...)")
    bounds = gdf.to_crs(STORAGE_CRS).total_bounds
    if not np.all(np.isfinite(bounds)):
        raise SchemaError(
            "空のレイヤーです / the layer is empty: no extent to choose a metric CRS from"
        )
    lon = (bounds[0] + bounds[2]) / 2.0
    zone = int((lon + 180.0) // 6.0) + 1
    zone = min(max(zone, 51), 55)
    return pyproj.CRS.from_epsg(_JGD2011_UTM[zone])


def ensure_crs(gdf: gpd.GeoDataFrame, *, what: str, path: str | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` in :data:`STORAGE_CRS`, applying the CRS policy of DESIGN.md.

    A layer with no CRS gets EPSG:6668 with a warning when its coordinates lie inside Japan;
    otherwise it is a :class:`CRSError`.
    """
    where = f"{path}: " if path else ""
    check_crs_units(gdf, what=what, path=path)
    if gdf.crs is None:
        if len(gdf) == 0 or _inside_japan(gdf.total_bounds):
            warnings.warn(
                f"{where}{what} に座標参照系(CRS)の指定がありません。経緯度 JGD2011 (EPSG:6668) と"
                f"みなします / {what} has no CRS; assuming lon/lat EPSG:6668 (pass crs=... to override)",
                ChiikimapWarning,
                stacklevel=3,
            )
            return gdf.set_crs(STORAGE_CRS)
        raise CRSError(
            f"{where}{what} に座標参照系(CRS)の指定がなく、座標が日本の経緯度の範囲外です "
            f"(extent {tuple(round(float(b), 3) for b in gdf.total_bounds)}). "
            "平面直角座標系などの場合は crs='EPSG:6677' のように指定してください / "
            "no CRS and the coordinates are not lon/lat inside Japan; pass crs=...",
            param="crs",
        )
    if pyproj.CRS(gdf.crs) == pyproj.CRS(STORAGE_CRS):
        return gdf
    return gdf.to_crs(STORAGE_CRS)


def check_crs_units(gdf: gpd.GeoDataFrame, *, what: str, path: str | None = None) -> None:
    """Raise :class:`CRSError` when the declared CRS's units contradict the coordinates.

    A CRS in degrees (a ``.prj`` of JGD2011 lon/lat) with coordinates beyond ±180/±90 holds metres
    (plane rectangular or UTM coordinates); a projected CRS in metres whose coordinates all lie
    within Japan's lon/lat extent holds degrees (a layer cannot fit in a 33 m × 26 m box at the
    origin of a metric zone). Either way the file would be drawn and measured in the wrong place,
    so it is refused with the fix: pass ``crs=`` with the CRS of the coordinates.
    """
    if gdf.crs is None or len(gdf) == 0:
        return
    bounds = np.asarray(gdf.total_bounds, dtype=float)
    if not np.all(np.isfinite(bounds)):
        return
    crs = pyproj.CRS(gdf.crs)
    where = f"{path}: " if path else ""
    extent = tuple(round(float(b), 3) for b in bounds)
    if crs.is_geographic and (
        bounds[0] < -180 or bounds[2] > 360 or bounds[1] < -90 or bounds[3] > 90
    ):
        raise CRSError(
            f"{where}{what} の座標参照系 (.prj: {crs.name}) は経緯度（度）ですが、座標 {extent} は度の"
            "範囲を超えています。座標はメートル（平面直角座標系や UTM）のようです。正しい座標系を "
            "crs='EPSG:6674' のように指定してください / the CRS is in degrees but the coordinates are "
            "beyond ±180/±90 (they look like metres); pass crs=... with the CRS of the coordinates",
            param="crs",
        )
    if crs.is_projected and _inside_japan(bounds):
        unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
        raise CRSError(
            f"{where}{what} の座標参照系 (.prj: {crs.name}) の単位は {unit} ですが、座標 {extent} は"
            "日本の経緯度（度）の範囲にあります。.prj が誤っているようです。crs='EPSG:6668' "
            f"（JGD2011 経緯度）を指定してください / the CRS is projected ({unit}) but the coordinates "
            "are lon/lat degrees inside Japan; pass crs='EPSG:6668'",
            param="crs",
        )


def _inside_japan(bounds: np.ndarray) -> bool:
    x0, y0, x1, y1 = (float(b) for b in bounds)
    jx0, jy0, jx1, jy1 = JAPAN_BOUNDS
    return bool(jx0 <= x0 and x1 <= jx1 and jy0 <= y0 and y1 <= jy1)


def in_japan(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Boolean mask: which lon/lat pairs lie inside Japan's extent."""
    jx0, jy0, jx1, jy1 = JAPAN_BOUNDS
    return (lon >= jx0) & (lon <= jx1) & (lat >= jy0) & (lat <= jy1)


# --- validation -----------------------------------------------------------------------------------


def require_columns(gdf: Any, columns: Iterable[str], what: str, hint: str) -> None:
    """Raise unless ``gdf`` is a GeoDataFrame with ``columns`` and a CRS (``what`` names it)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(
            f"{what} は GeoDataFrame である必要があります / {what} must be a GeoDataFrame, "
            f"got {type(gdf).__name__}. {hint}"
        )
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise SchemaError(
            f"{what} に列 {missing} がありません / {what} lacks columns {missing}; "
            f"found {list(gdf.columns)}. {hint}"
        )
    if gdf.crs is None:
        raise CRSError(
            f"{what} に座標参照系(CRS)がありません / {what} has no CRS; "
            "set it with .set_crs('EPSG:6668') (lon/lat) or the CRS of your data"
        )


def validate_areas(gdf: Any) -> None:
    """Raise :class:`SchemaError` unless ``gdf`` follows the ``areas`` schema of DESIGN.md."""
    hint = (
        "chiikimap.read_districts() で読み込むと揃います / read it with chiikimap.read_districts()"
    )
    require_columns(gdf, (AREA_ID, AREA_NAME), "areas", hint)
    if len(gdf) == 0:
        raise SchemaError("areas が空です / areas is empty (0 rows)")
    dup = gdf[AREA_ID][gdf[AREA_ID].duplicated()].unique().tolist()
    if dup:
        raise SchemaError(
            f"areas の area_id が重複しています / duplicate area_id values: {dup[:10]}"
        )
    kinds = set(gdf.geom_type.dropna().unique()) - {"Polygon", "MultiPolygon"}
    if kinds or gdf.geometry.isna().any():
        raise SchemaError(
            f"areas の geometry は Polygon/MultiPolygon のみです / areas must be polygons; found "
            f"{sorted(kinds) or 'missing geometries'}"
        )


def validate_resources(gdf: Any) -> None:
    """Raise :class:`SchemaError` unless ``gdf`` follows the ``resources`` schema of DESIGN.md."""
    hint = (
        "chiikimap.read_resources() で読み込むと揃います / read it with chiikimap.read_resources()"
    )
    require_columns(gdf, (RESOURCE_ID, NAME, CATEGORY, CATEGORIES), "resources", hint)
    dup = gdf[RESOURCE_ID][gdf[RESOURCE_ID].duplicated()].unique().tolist()
    if dup:
        raise SchemaError(
            f"resources の resource_id が重複しています / duplicate resource_id values: {dup[:10]}"
        )
    kinds = set(gdf.geom_type.dropna().unique()) - {"Point"}
    if kinds or gdf.geometry.isna().any():
        raise SchemaError(
            f"resources の geometry は Point のみです / resources must be points; found "
            f"{sorted(kinds) or 'missing geometries'}"
        )


def validate_population(gdf: Any, weight: str | None = None) -> None:
    """Raise :class:`SchemaError` unless ``gdf`` follows the ``population`` schema of DESIGN.md."""
    hint = "chiikimap.read_population() で読み込むと揃います / read it with chiikimap.read_population()"
    cols = [weight] if weight else []
    require_columns(gdf, cols, "population", hint)
    if not any(c in gdf.columns for c in POPULATION_VALUES):
        raise SchemaError(
            f"population に人口の列がありません / population has none of {list(POPULATION_VALUES)}; "
            f"found {list(gdf.columns)}. {hint}"
        )
    kinds = set(gdf.geom_type.dropna().unique()) - {"Point", "Polygon", "MultiPolygon"}
    if kinds:
        raise SchemaError(
            f"population の geometry は Point か Polygon です / population geometries must be "
            f"points or polygons; found {sorted(kinds)}"
        )
