"""Medical facilities: 医療情報ネット (ナビイ) open data and municipal 医療機関 lists.

:func:`read_medical` reads

- the 医療情報ネット（ナビイ） open-data 施設票 of 病院 (``01-1_hospital_facility_info_*.csv``),
  診療所 (``02-1_…``) and 歯科診療所 (``03-1_…``), as downloaded from 厚生労働省: one row per
  facility with ``ID``, ``正式名称``, ``機関区分`` (1 病院, 2 診療所, 3 歯科診療所), ``所在地`` and
  ``所在地座標（緯度）/（経度）``; with their 診療科目・診療時間 files (``01-2_…_speciality_hours``:
  one row per facility × 診療科目 × 時間帯, ``ID`` and ``診療科目名``) given as ``subjects=``;
- the 施設基準の届出受理医療機関名簿 of the 地方厚生（支）局 (医科 or 歯科, xlsx or CSV as downloaded:
  a title block, then the header ``医療機関番号``, ``医療機関名称``, ``医療機関所在地（住所）``,
  ``病床数``, ``受理届出名称``, ``受理記号`` … and one row per facility × 届出): its rows are
  gathered into one facility per 医療機関番号, a 病院 when it has 20 beds or more (or a
  在宅療養支援病院 届出), else a 診療所; it has addresses only, so give ``geocode=``;
- a municipality's own 医療機関 list (高松市 ``alternativeName`` 病院/有床診療所/無床診療所/歯科 with
  ``medicalSubjects``), or any list :func:`chiikimap.read_resources` reads, with a 診療科目 column
  when it has one.

Every facility gets the categories of the 医療 group: 病院 (``byoin``), 診療所 (``shinryojo``),
歯科 (``shika``); 在宅療養支援診療所・病院 (``zaitaku_shien``) when the file says so (a column or a
kind naming 在宅療養支援診療所/病院, 在支診/在支病, a 届出 支援診/支援病 in a 名簿), and 訪問診療
(``homon_shinryo``) when a 診療科目 or a kind lists 訪問診療 or 往診, or a 名簿 lists a 届出 of
在宅時医学総合管理料 or 在宅がん医療総合診療料 (both are billed only for patients the facility
visits at home on a schedule). These categories are outside elderly care: ``analyze`` shows them
only when named (``categories=["byoin", "zaitaku_shien"]``).
"""

from __future__ import annotations

import functools
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import _schema as S
from .._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ColumnNotFoundError,
    InputFileError,
    file_errors,
)
from .._identity import merge_layers
from ._table import read_frame

__all__ = ["SUBJECTS", "read_medical"]

#: the layer column of the 診療科目 (「内科、外科、歯科」; "" when the file has none)
SUBJECTS = "subjects"

#: ナビイ 機関区分 → the kind written in the category column
_NAVII_KINDS = {"1": "病院", "2": "診療所", "3": "歯科診療所", "4": "助産所", "5": "薬局"}
_NAVII_FACILITY = ("ID", "正式名称", "機関区分", "所在地")
_NAVII_SOURCE = S.Source(
    title="医療情報ネット（ナビイ）オープンデータ",
    publisher="厚生労働省",
    license="公共データ利用規約 第1.0版（PDL1.0）",
    credit="「医療情報ネット（ナビイ）オープンデータ（厚生労働省）」",
)
#: headers of a 診療科目 column (compared NFKC, lower-case)
_SUBJECT_HEADERS = ("診療科目名", "診療科目", "診療科名", "診療科", "medicalsubjects", "subjects")
#: headers of a column saying the facility is a 在宅療養支援診療所/病院
_SUPPORT_HEADER = re.compile(r"在宅療養支援|在支[診病]")
_SUPPORT_TEXT = re.compile(r"在宅療養支援(?:診療所|病院)|在支[診病]")
_VISIT_TEXT = re.compile(r"訪問診療|往診")
#: cells of a yes/no column that say yes
_YES = {"1", "○", "〇", "◯", "有", "あり", "有り", "はい", "yes", "true", "y", "届出あり", "該当"}
#: kind columns, in order of preference (高松市 alternativeName, the fukushi_map category_label)
_CATEGORY_HEADERS = (
    "種別",
    "施設種別",
    "医療機関種別",
    "category_label",
    "alternativename",
    "区分",
    "category",
)
#: 届出受理医療機関名簿 of the 地方厚生（支）局: its header row (below a title block) has these
_MEIBO_HEADERS = ("医療機関番号", "医療機関名称", "受理記号")
_MEIBO_SOURCE = S.Source(
    title="施設基準の届出受理状況（届出受理医療機関名簿）",
    publisher="地方厚生（支）局",
    license="厚生労働省ホームページ利用規約（政府標準利用規約 第2.0版 準拠、CC BY 4.0 互換）",
    credit="「届出受理医療機関名簿（地方厚生（支）局）」",
)
#: 名簿 届出 that make a facility 在宅療養支援 (受理記号 支援診1–3 / 支援病1–3, or the name)
_MEIBO_SUPPORT_CODE = re.compile(r"^支援[診病]")
_MEIBO_SUPPORT_NAME = re.compile(r"在宅療養支援(?:診療所|病院)")
#: 名簿 届出 billed only for patients the facility visits at home on a schedule (訪問診療)
_MEIBO_VISIT_NAME = re.compile(r"在宅時医学総合管理料|在宅がん医療総合診療料")
#: a 病院 has 20 beds or more (医療法 第1条の5)
_HOSPITAL_BEDS = 20
#: the hidden columns of the normalised table
_KIND, _ID, _SUBJECTS = "_chiikimap_kind", "_chiikimap_id", "_chiikimap_subjects"
#: the file's own row number of each normalised row (its first row for a 名簿 facility)
_ROW = "_chiikimap_row"
_HIDDEN = (_KIND, _ID, _SUBJECTS, _ROW)


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def _read_table(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """A list as text cells ("" when empty), and the file's own row number of each row.

    CSV and xlsx files are read by the shared table reader (:func:`chiikimap.io._table.read_frame`:
    UTF-8/cp932 detection, blank rows skipped, every sheet with the same header); the header is
    the first row, or the row below a title block that names the columns of a ナビイ 施設票, of a
    届出受理医療機関名簿 (``医療機関番号``/``医療機関名称``/``受理記号``, row 4 as downloaded) or a
    kind or 診療科目 column beside a name column.
    """
    if path.suffix.lower() in (".geojson", ".json", ".gpkg"):
        with file_errors(path, param="path"):
            frame = _read_geo(path)
        return frame, list(range(2, len(frame) + 2))
    frame, table = read_frame(path, _looks_like_header)
    return frame, list(table.row_numbers)


def _read_geo(path: Path) -> pd.DataFrame:
    """A GeoJSON/GeoPackage as text cells, with 経度/緯度 columns from its points."""
    frame = gpd.read_file(path)
    out = pd.DataFrame(frame.drop(columns="geometry")).astype(str)
    out = out.replace({"None": "", "nan": ""})
    out["経度"] = [f"{g.x:.7f}" if g is not None else "" for g in frame.geometry]
    out["緯度"] = [f"{g.y:.7f}" if g is not None else "" for g in frame.geometry]
    return out


def _looks_like_header(cells: list[str]) -> bool:
    """The header of a ナビイ 施設票 or 名簿, or one with a kind or 診療科目 and a name column."""
    heads = {_norm(c) for c in cells}
    if all(_norm(n) in heads for n in _NAVII_FACILITY) or all(
        _norm(n) in heads for n in _MEIBO_HEADERS
    ):
        return True
    kinds = {_norm(n) for n in (*_CATEGORY_HEADERS, *_SUBJECT_HEADERS)}
    return bool(heads & kinds) and bool(heads & {"名称", "name", "施設名", "医療機関名"})


def _column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    found = {_norm(c): str(c) for c in frame.columns}
    return next((found[_norm(n)] for n in names if _norm(n) in found), None)


def _is_navii(frame: pd.DataFrame) -> bool:
    return all(_column(frame, (n,)) is not None for n in _NAVII_FACILITY)


def _subjects_by_id(paths: Sequence[Path]) -> dict[str, str]:
    """ID → its 診療科目 in first-seen order, joined with 「、」 (from 診療科目・時間 files)."""
    out: dict[str, dict[str, None]] = {}
    for path in paths:
        frame = _read_table(path)[0]
        id_col = _column(frame, ("ID",))
        subject = _column(frame, _SUBJECT_HEADERS)
        if id_col is None or subject is None:
            raise InputFileError(
                f"診療科目の表に ID と 診療科目名 の列が必要です（列: {list(frame.columns)[:8]}） / "
                "a 診療科目 file needs the columns ID and 診療科目名",
                path=path,
                param="subjects",
            )
        for fid, name in zip(frame[id_col], frame[subject], strict=True):
            if str(name).strip():
                out.setdefault(str(fid).strip(), {})[str(name).strip()] = None
    return {k: "、".join(v) for k, v in out.items()}


def _flags(frame: pd.DataFrame, kinds: pd.Series, subjects: pd.Series) -> pd.Series:
    """Extra kinds of each row: 在宅療養支援診療所/病院 and 訪問診療, when the file says so."""
    support = kinds.str.contains(_SUPPORT_TEXT)
    for col in frame.columns:
        header = str(col)
        if _SUPPORT_HEADER.search(header) and "歯科" not in header:
            cells = frame[col].map(_norm)
            support |= cells.isin(_YES) | cells.str.contains(_SUPPORT_TEXT)
    support &= ~kinds.str.contains("歯科")  # 在宅療養支援歯科診療所 is another standard
    visit = kinds.str.contains(_VISIT_TEXT) | subjects.str.contains(_VISIT_TEXT)
    hospital = kinds.str.contains("病院")
    extra = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    # a 在宅療養支援診療所/病院 is a 診療所/病院 too
    extra[support & hospital] = "; 病院; 在宅療養支援病院"
    extra[support & ~hospital] = "; 診療所; 在宅療養支援診療所"
    extra[visit] = extra[visit] + "; 訪問診療"
    return extra


def _is_meibo(frame: pd.DataFrame) -> bool:
    return all(_column(frame, (n,)) is not None for n in _MEIBO_HEADERS)


def _normalised(
    frame: pd.DataFrame, subjects: dict[str, str], stem: str, kind_col: str | None, rows: list[int]
) -> pd.DataFrame:
    """The list with hidden columns: every kind of a row, its 診療科目, a unique id, its row.

    ``rows`` are the file's row numbers of the frame's rows; a 名簿 becomes one row per facility.
    """
    if kind_col is None and _is_meibo(frame):
        out = _meibo_facilities(frame, rows)
        kinds = out[_KIND]
    else:
        out = frame.copy()
        out[_ROW] = rows
        kinds = _kinds(out, frame, kind_col)
    id_col = _column(frame, ("ID", "#property", "事業所番号", "resource_id", "施設id", "id"))
    if _ID in out.columns:
        ids = out[_ID]
    elif id_col is not None:
        ids = out[id_col].astype(str).str.strip()
    else:
        ids = pd.Series([f"{stem}-{i + 2}" for i in range(len(out))], index=out.index)
    subject_col = _column(frame, _SUBJECT_HEADERS)
    listed = out[subject_col] if subject_col is not None else ids.map(lambda i: subjects.get(i, ""))
    kinds, listed = kinds.rename("_kind"), listed.astype(str).rename("_subjects")
    out[_KIND] = (kinds + _flags(out, kinds, listed)).str.lstrip("; ")
    out[_ID] = ids
    out[_SUBJECTS] = listed
    return out


def _kinds(out: pd.DataFrame, frame: pd.DataFrame, kind_col: str | None) -> pd.Series:
    """The kind of each row (ナビイ 機関区分 as its name); the ナビイ name and URL columns."""
    navii = _is_navii(frame)
    if navii:
        out.insert(0, "名称", out[_column(frame, ("正式名称",))])
        site = _column(frame, ("案内用ホームページアドレス",))
        if site is not None:
            out["URL"] = out[site]
    if kind_col is None:
        kind_col = _column(frame, ("機関区分",) if navii else _CATEGORY_HEADERS)
    elif kind_col not in frame.columns:
        raise ColumnNotFoundError(
            f"列 {kind_col!r} がありません（列: {list(frame.columns)[:8]}） / no column {kind_col!r}",
            param="category_col",
        )
    kinds = out[kind_col].astype(str) if kind_col is not None else pd.Series("", index=out.index)
    if navii:
        kinds = kinds.map(lambda v: _NAVII_KINDS.get(_norm(v), v))
    return kinds


def _meibo_facilities(frame: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """One row per facility of a 届出受理医療機関名簿 (one row per facility × 届出 × note).

    A facility is the rows sharing 都道府県コード, 区分 and 医療機関番号 (consecutive in the
    file); it keeps the row number of its first row. Its id is the 10-digit 医療機関コード
    (都道府県 2 + 点数表 1 (医科 1, 歯科 3) + 番号 7) when the parts have those lengths.
    """
    col = {h: _column(frame, (h,)) for h in ("都道府県コード", "区分", "医療機関番号")}
    cells = frame.astype(str).apply(lambda c: c.str.strip())
    key = pd.Series("", index=frame.index)
    for c in col.values():
        key = key + "\x1f" + (cells[c] if c is not None else "")
    groups = cells.assign(**{_ROW: pd.Series(rows, index=frame.index)}).groupby(
        key.to_numpy(), sort=False
    )
    out: pd.DataFrame = groups.first().reset_index(drop=True)  # each facility's first row
    out[_ROW] = groups[_ROW].min().to_numpy()
    filed = {h: _column(frame, (h,)) for h in ("受理記号", "受理届出名称", "病床数")}
    codes = _filed(groups, filed["受理記号"], len(out))
    names = _filed(groups, filed["受理届出名称"], len(out))
    out.insert(0, "名称", out[_column(frame, ("医療機関名称",))])
    address = _column(frame, ("医療機関所在地（住所）", "医療機関所在地"))
    if address is not None:
        out.insert(1, "住所", out[address])
    if filed["受理記号"] is not None:
        out[filed["受理記号"]] = ["、".join(c) for c in codes]
    beds = out[filed["病床数"]] if filed["病床数"] is not None else pd.Series("", index=out.index)
    dental = (out[col["区分"]] == "歯科") if col["区分"] is not None else False
    out[_KIND] = [
        _meibo_kind(b, c, n, bool(d))
        for b, c, n, d in zip(beds, codes, names, pd.Series(dental, index=out.index), strict=True)
    ]
    out[_ID] = [
        _institution_code(p, k, n)
        for p, k, n in zip(*(out[c] if c else [""] * len(out) for c in col.values()), strict=True)
    ]
    return out


def _filed(groups: Any, column: str | None, n: int) -> list[list[str]]:
    """The non-empty cells of a column in each facility's rows, first-seen order."""
    if column is None:
        return [[] for _ in range(n)]
    return [[c for c in dict.fromkeys(g) if c] for g in groups[column].agg(list)]


def _meibo_kind(beds: str, codes: list[str], names: list[str], dental: bool) -> str:
    """病院/診療所/歯科診療所 of a 名簿 facility, with 在宅療養支援… and 訪問診療 when filed."""
    if dental:
        return "歯科診療所"  # 在宅療養支援歯科診療所 is another standard
    normal = [unicodedata.normalize("NFKC", c) for c in codes]
    support_hospital = any(c.startswith("支援病") for c in normal)
    support = any(_MEIBO_SUPPORT_CODE.match(c) for c in normal) or any(
        _MEIBO_SUPPORT_NAME.search(n) for n in names
    )
    count = sum(int(n) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", beds)))
    hospital = support_hospital or (count >= _HOSPITAL_BEDS and not support)
    kind = "病院" if hospital else "診療所"
    if support:
        kind += "; 在宅療養支援病院" if hospital else "; 在宅療養支援診療所"
    if any(_MEIBO_VISIT_NAME.search(n) for n in names):
        kind += "; 訪問診療"
    return kind


def _institution_code(pref: str, section: str, number: str) -> str:
    """The 10-digit 医療機関コード of a 名簿 row, or its 医療機関番号 when parts are missing."""
    table = {"医科": "1", "歯科": "3"}.get(section)
    if len(pref) == 2 and len(number) == 7 and pref.isdigit() and number.isdigit() and table:
        return f"{pref}{table}{number}"
    return "-".join(p for p in (pref, section, number) if p)


def read_medical(
    path: str | PathLike[str] | Sequence[str | PathLike[str]],
    *,
    subjects: str | PathLike[str] | Sequence[str | PathLike[str]] | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Read medical facility lists into the ``resources`` layer, with their 診療科目.

    Parameters
    ----------
    path
        One or several lists: 医療情報ネット（ナビイ） 施設票 CSVs (病院 ``01-1``, 診療所
        ``02-1``, 歯科 ``03-1``), 届出受理医療機関名簿 of a 地方厚生（支）局 (xlsx/CSV as
        downloaded, title block included; addresses only, so give ``geocode=``), a
        municipality's 医療機関 list (CSV, xlsx) or any resource list with a kind column
        (病院 / 診療所 / 歯科 …) and, optionally, a 診療科目 column.
    subjects
        The ナビイ 診療科目・診療時間 file(s) (``01-2``, ``02-2``, ``03-2``): their
        ``診療科目名`` are joined to the facilities by ``ID``.
    **options
        Any option of :func:`chiikimap.read_resources` (``geocode=``, ``name_col=``,
        ``category=`` for a list without a kind column …).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer of :func:`chiikimap.read_resources` (one resource per facility; rejected
        rows with the file's row number — for a 名簿, the row of the facility's first line,
        and the report's rows read count facilities) plus ``subjects`` (診療科目,
        「、」-separated; "" when not given). Categories: ``byoin``, ``shinryojo``, ``shika``
        from the kind (in a 名簿: 病院 with 20 beds or more or a 支援病 届出, else 診療所);
        ``zaitaku_shien`` when a column or the kind names 在宅療養支援診療所/病院 (a yes/no
        column headed 在宅療養支援… counts 1, ○, 有, あり as yes) or a 名簿 lists a 届出
        支援診1–3/支援病1–3; ``homon_shinryo`` when the kind or a 診療科目 lists 訪問診療 or
        往診, or a 名簿 lists 在宅時医学総合管理料 or 在宅がん医療総合診療料. Given with lists
        that have coordinates, a 名簿 facility whose name agrees with a listed facility within
        3 km of its town point is merged into it (it gains 在宅療養支援/訪問診療 but keeps the
        list's point, id and kind; the merge is a 「重複」 row of ``rejected_rows``).

    Raises
    ------
    chiikimap.InputFileError
        A file cannot be read, a 診療科目 file has no ``ID``/``診療科目名`` column, or a 名簿
        is given without ``geocode=``; and every error of :func:`chiikimap.read_resources`
        (naming the user's file and row).

    Examples
    --------
    >>> from chiikimap.io.medical import read_medical
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "clinics.csv").write_text(
    ...     "名称,種別,診療科目,緯度,経度\\n"
    ...     "A医院,診療所,内科、訪問診療,34.80,135.64\\n"
    ...     "B病院,在宅療養支援病院,内科、外科,34.81,135.65\\n", encoding="utf-8")
    >>> res = read_medical(folder / "clinics.csv")
    >>> [tuple(c) for c in res["categories"]]
    [('shinryojo', 'homon_shinryo'), ('byoin', 'zaitaku_shien')]
    >>> res["subjects"].tolist()
    ['内科、訪問診療', '内科、外科']
    """

    paths = [Path(path)] if isinstance(path, (str, PathLike)) else [Path(p) for p in path]
    extra = [] if subjects is None else subjects
    subject_paths = (
        [Path(extra)] if isinstance(extra, (str, PathLike)) else [Path(p) for p in extra]
    )
    by_id = _subjects_by_id(subject_paths)
    with tempfile.TemporaryDirectory(prefix="chiikimap-medical-") as tmp:
        files, kinds = _normalise_files(paths, by_id, Path(tmp), options.get("category_col"))
        if "meibo" in kinds.sources and options.get("geocode") is None:
            raise InputFileError(
                "届出受理医療機関名簿には座標がなく住所だけです。住所から位置を付ける参照データを "
                "geocode= で指定してください / a 届出受理医療機関名簿 has addresses only: pass "
                "geocode=REFERENCE (位置参照情報, アドレス・ベース・レジストリ, Geolonia)",
                path=kinds.meibo[0],
                param="geocode",
            )
        options.setdefault("id_col", _ID)
        if (kinds.has_kind and "category" not in options) or "category_col" in options:
            options["category_col"] = _KIND
        # the 名簿 are read apart from the lists with coordinates, then merged into them
        meibo = [f for f in files if f.name in kinds.meibo_names]
        groups = [g for g in ([f for f in files if f not in meibo], meibo) if g]
        layers = []
        for group in groups:
            layers.append(_read_group(group, kinds, dict(options)))
    if len(layers) == 1:
        return layers[0]
    merged, messages = merge_layers(layers, within_m=_MERGE_M, approx_within_m=_MEIBO_MATCH_M)
    for message in messages:
        warnings.warn(message, ChiikimapWarning, stacklevel=2)
    return _own_kinds(merged, kinds)


#: straight-line distance of one facility in two lists (as :func:`chiikimap.merge_resources`)
_MERGE_M = 50.0
#: a 名簿 facility placed at its town's point is the facility of a list with coordinates whose
#: name agrees within this distance (高松市: the 地番 towns' points lie a median 551 m from the
#: addresses in them)
_MEIBO_MATCH_M = 3000.0
#: the kinds of facility: a list's own kind stays when a 名簿 facility merges into it
_BASE_KINDS = ("byoin", "shinryojo", "shika")


def _read_group(files: list[Path], done: _Normalised, options: dict[str, Any]) -> gpd.GeoDataFrame:
    """The files of one group (名簿, or the others) read by read_resources, as the user's files."""
    from .resources import read_resources

    sources = {done.kind_of[f.name] for f in files}
    if "source" not in options and len(sources) == 1:
        options["source"] = done.sources[sources.pop()]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            layer = read_resources(files[0] if len(files) == 1 else files, **options)
    except ChiikimapError as exc:
        raise _renamed_error(exc, done) from None
    for w in caught:  # the same warnings, naming the user's files and rows
        message = w.message
        if isinstance(message, ChiikimapWarning):
            message = ChiikimapWarning(_user_text(str(message), done), param=message.params)
        warnings.warn(message, stacklevel=3)
    return _finish(layer, done)


def _own_kinds(merged: gpd.GeoDataFrame, done: _Normalised) -> gpd.GeoDataFrame:
    """A listed facility that took in a 名簿 facility keeps its own kind (病院/診療所/歯科).

    It gains the 名簿's 在宅療養支援 and 訪問診療 only: a 病院 of the city's list that the 名簿
    counts as a 診療所 (fewer than 20 beds filed) is not made both.
    """
    merge = S.read_reports(merged)[-1]
    for dup in merge.get("duplicates") or []:
        index = int(dup["kept_row"]) - 1  # the first layer keeps every row, in order
        _file_rows(dup, done)
        cats = tuple(merged.at[merged.index[index], S.CATEGORIES])
        if not any(c in _BASE_KINDS for c in cats[: len(cats) - len(dup["added_categories"])]):
            continue
        extra = [c for c in dup["added_categories"] if c in _BASE_KINDS]
        merged.at[merged.index[index], S.CATEGORIES] = tuple(c for c in cats if c not in extra)
        dup["added_categories"] = [c for c in dup["added_categories"] if c not in extra]
    return merged


def _file_rows(dup: dict[str, Any], done: _Normalised) -> None:
    """A merge's rows (positions in the merged layers) as the rows of the user's files."""
    rows = []
    for values, key in ((dup.get("values"), "row"), (dup.get("kept_values"), "kept_row")):
        if not isinstance(values, dict):
            continue
        found = done.id_rows.get((str(values.get(S.SOURCE)), str(values.get(S.RESOURCE_ID))))
        if found is not None:
            rows.append((dup[key], found))
            dup[key] = found
    if len(rows) == 2:  # the reason names the kept row: 「… の行 8」 / "row 8"
        old, new = rows[1]
        dup[S.REJECTED_REASON] = re.sub(
            rf"(の行 |row ){old}\b", rf"\g<1>{new}", str(dup[S.REJECTED_REASON])
        )


class _Normalised:
    """What the normalised copies of the user's files need to be reported as the user's files."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # normalised file name → the user's file name
        self.paths: dict[str, str] = {}  # normalised file path → the user's file path
        self.rows: dict[str, dict[int, int]] = {}  # normalised name → its row → the file's row
        self.subjects: dict[str, str] = {}  # resource id → 診療科目
        self.sources: dict[str, S.Source] = {}  # kind of file → its source
        self.added: dict[str, set[str]] = {}  # normalised name → columns not in the user's file
        self.meibo: list[Path] = []  # the user's files that are 届出受理医療機関名簿
        self.meibo_names: set[str] = set()  # their normalised copies' names
        self.kind_of: dict[str, str] = {}  # normalised name → meibo / navii / other
        self.id_rows: dict[tuple[str, str], int] = {}  # (user's file name, id) → its row
        self.has_kind = True


def _normalise_files(
    paths: Sequence[Path], by_id: dict[str, str], tmp: Path, kind_col: str | None
) -> tuple[list[Path], _Normalised]:
    """Each list written as a normalised CSV (its own folder, the same stem) for read_resources."""
    files: list[Path] = []
    done = _Normalised()
    for n, p in enumerate(paths):
        if not p.exists():
            raise InputFileError("ファイルがありません / no such file", path=p, param="path")
        frame, rows = _read_table(p)
        # the same file name (as CSV) in a folder of its own: reports and sources name it
        target = tmp / str(n) / f"{p.stem}.csv"
        if kind_col is None and _is_meibo(frame):
            kind, done.sources["meibo"] = "meibo", _MEIBO_SOURCE
            done.meibo.append(p)
            done.meibo_names.add(target.name)
        elif _is_navii(frame):
            kind, done.sources["navii"] = "navii", _NAVII_SOURCE
        else:
            kind, done.sources["other"] = "other", S.Source(title=p.name)
        done.kind_of[target.name] = kind
        target.parent.mkdir()
        table = _normalised(frame, by_id, p.stem, kind_col, rows)
        table.to_csv(target, index=False, encoding="utf-8-sig")
        done.subjects.update(zip(table[_ID], table[_SUBJECTS], strict=True))
        done.has_kind = done.has_kind and bool(table[_KIND].str.strip().all())
        done.rows[target.name] = {k + 2: int(r) for k, r in enumerate(table[_ROW])}
        done.id_rows.update(
            ((p.name, str(i)), int(r)) for i, r in zip(table[_ID], table[_ROW], strict=True)
        )
        done.added[target.name] = {str(c) for c in table.columns} - {str(c) for c in frame.columns}
        files.append(target)
        done.names[target.name] = p.name
        done.paths[str(target)] = str(p)
    return files, done


def _renamed_error(exc: ChiikimapError, done: _Normalised) -> ChiikimapError:
    """The error of read_resources naming the user's file and row instead of its copy's."""
    exc.args = (_user_text(str(exc), done), *exc.args[1:])
    path = getattr(exc, "path", None)
    if isinstance(path, str):
        exc.path = done.paths.get(path, path)  # type: ignore[attr-defined]
    row = getattr(exc, "row", None)
    if isinstance(row, int) and isinstance(path, str):
        exc.row = done.rows.get(Path(path).name, {}).get(row, row)  # type: ignore[attr-defined]
    return exc


_ROWS_TEXT = re.compile(r"(行 |row )(\d+(?:, \d+)*)")


def _mapped(match: re.Match[str], rows: dict[int, int]) -> str:
    """「行 2, 5」 of a normalised copy as the rows of the user's file."""
    numbers = match.group(2).split(", ")
    return match.group(1) + ", ".join(str(rows.get(int(n), n)) for n in numbers)


def _user_text(text: str, done: _Normalised) -> str:
    """A message of read_resources with the user's file names and row numbers."""
    for tmp_path, real_path in done.paths.items():
        tmp, real = Path(tmp_path).name, Path(real_path).name
        if tmp_path not in text and tmp not in text:
            continue
        rows = done.rows.get(tmp, {})
        text = _ROWS_TEXT.sub(functools.partial(_mapped, rows=rows), text)
        text = text.replace(tmp_path, real_path).replace(tmp, real)
    return re.sub(r", '_chiikimap_[a-z]+'", "", text)  # the hidden columns of the copy


def _finish(layer: gpd.GeoDataFrame, done: _Normalised) -> gpd.GeoDataFrame:
    """The 診療科目 column; file names, rows and raw values as the user's files have them."""
    for report in S.read_reports(layer):
        report["file"] = _rename(str(report.get("file", "")), done.names)
        report["warnings"] = [_user_text(str(t), done) for t in report.get("warnings") or []]
        if not str(report["file"]).lower().endswith((".csv", ".txt")):
            (report.get("columns") or {}).pop("encoding", None)  # of the normalised copy
        for row in (*(report.get("rejected") or []), *(report.get("duplicates") or [])):
            _user_row(row, done, "file", "row", "values")
            _user_row(row, done, "kept_file", "kept_row", "kept_values")
        columns = report.get("columns")
        if isinstance(columns, dict):
            for role in [r for r, c in columns.items() if c in _HIDDEN]:
                columns.pop(role)
        for source in report.get("sources") or []:
            if isinstance(source, dict) and "title" in source:
                source["title"] = _rename(str(source["title"]), done.names)
    layer[S.SOURCE] = layer[S.SOURCE].map(lambda s: _rename(str(s), done.names))
    listed = [done.subjects.get(str(i), "") for i in layer[S.RESOURCE_ID]]
    layer.insert(len(layer.columns) - 1, SUBJECTS, pd.Series(listed, index=layer.index))
    return layer


def _user_row(row: dict[str, Any], done: _Normalised, file: str, number: str, values: str) -> None:
    """One reported row: the user's file name, its row number there, no hidden values."""
    where = str(row.get(file, ""))
    stem = where.split(" [", 1)[0]
    if where:
        if isinstance(row.get(number), int):
            row[number] = done.rows.get(stem, {}).get(row[number], row[number])
        row[file] = _rename(where, done.names)
    cells = row.get(values)
    if isinstance(cells, dict):
        for key in done.added.get(stem, set(_HIDDEN)):
            cells.pop(key, None)


def _rename(where: str, names: dict[str, str]) -> str:
    """A normalised file's name (``x.csv [sheet]``) as the user's file names it."""
    for tmp, real in names.items():
        if where.startswith(tmp):
            return real + where[len(tmp) :]
    return where
