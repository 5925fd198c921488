"""Medical facilities: 医療情報ネット (ナビイ) open data and municipal 医療機関 lists.

:func:`read_medical` reads

- the 医療情報ネット（ナビイ） open-data 施設票 of 病院 (``01-1_hospital_facility_info_*.csv``),
  診療所 (``02-1_…``) and 歯科診療所 (``03-1_…``), as downloaded from 厚生労働省: one row per
  facility with ``ID``, ``正式名称``, ``機関区分`` (1 病院, 2 診療所, 3 歯科診療所), ``所在地`` and
  ``所在地座標（緯度）/（経度）``; with their 診療科目・診療時間 files (``01-2_…_speciality_hours``:
  one row per facility × 診療科目 × 時間帯, ``ID`` and ``診療科目名``) given as ``subjects=``;
- a municipality's own 医療機関 list (高松市 ``alternativeName`` 病院/有床診療所/無床診療所/歯科 with
  ``medicalSubjects``), or any list :func:`chiikimap.read_resources` reads, with a 診療科目 column
  when it has one.

Every facility gets the categories of the 医療 group: 病院 (``byoin``), 診療所 (``shinryojo``),
歯科 (``shika``); 在宅療養支援診療所・病院 (``zaitaku_shien``) when the file says so (a column or a
kind naming 在宅療養支援診療所/病院, 在支診/在支病), and 訪問診療 (``homon_shinryo``) when a 診療科目
or a kind lists 訪問診療 or 往診. These categories are outside elderly care: ``analyze`` shows them
only when named (``categories=["byoin", "zaitaku_shien"]``).
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import _schema as S
from .._errors import ColumnNotFoundError, InputFileError, file_errors

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
#: the hidden columns of the normalised table
_KIND, _ID, _SUBJECTS = "_chiikimap_kind", "_chiikimap_id", "_chiikimap_subjects"


def _norm(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def _read_table(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8, UTF-8 with BOM, cp932) or xlsx as text cells; empty cells are ""."""
    suffix = path.suffix.lower()
    with file_errors(path, param="path"):
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        if suffix in (".geojson", ".json", ".gpkg"):
            frame = gpd.read_file(path)
            out = pd.DataFrame(frame.drop(columns="geometry")).astype(str)
            out = out.replace({"None": "", "nan": ""})
            out["経度"] = [f"{g.x:.7f}" if g is not None else "" for g in frame.geometry]
            out["緯度"] = [f"{g.y:.7f}" if g is not None else "" for g in frame.geometry]
            return out
        data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    raise InputFileError(
        "文字コードが分かりません (UTF-8/cp932) / unknown text encoding", path=path, param="path"
    )


def _column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    found = {_norm(c): str(c) for c in frame.columns}
    return next((found[_norm(n)] for n in names if _norm(n) in found), None)


def _is_navii(frame: pd.DataFrame) -> bool:
    return all(_column(frame, (n,)) is not None for n in _NAVII_FACILITY)


def _subjects_by_id(paths: Sequence[Path]) -> dict[str, str]:
    """ID → its 診療科目 in first-seen order, joined with 「、」 (from 診療科目・時間 files)."""
    out: dict[str, dict[str, None]] = {}
    for path in paths:
        frame = _read_table(path)
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


def _normalised(
    frame: pd.DataFrame, subjects: dict[str, str], stem: str, kind_col: str | None
) -> pd.DataFrame:
    """The list with hidden columns: every kind of a row, its 診療科目 and a unique id."""
    out = frame.copy()
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
    id_col = _column(frame, ("ID", "#property", "事業所番号", "resource_id", "施設id", "id"))
    ids = (
        out[id_col].astype(str).str.strip()
        if id_col is not None
        else pd.Series([f"{stem}-{i + 2}" for i in range(len(out))], index=out.index)
    )
    subject_col = _column(frame, _SUBJECT_HEADERS)
    listed = out[subject_col] if subject_col is not None else ids.map(lambda i: subjects.get(i, ""))
    kinds, listed = kinds.rename("_kind"), listed.astype(str).rename("_subjects")
    out[_KIND] = (kinds + _flags(out, kinds, listed)).str.lstrip("; ")
    out[_ID] = ids
    out[_SUBJECTS] = listed
    return out


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
        ``02-1``, 歯科 ``03-1``), a municipality's 医療機関 list (CSV, xlsx) or any resource
        list with a kind column (病院 / 診療所 / 歯科 …) and, optionally, a 診療科目 column.
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
        rows with the file's row number, counted from its header row) plus ``subjects``
        (診療科目, 「、」-separated; "" when not given). Categories: ``byoin``, ``shinryojo``,
        ``shika`` from the kind; ``zaitaku_shien`` when a column or the kind names 在宅療養支援
        診療所/病院 (a yes/no column headed 在宅療養支援… counts 1, ○, 有, あり as yes);
        ``homon_shinryo`` when the kind or a 診療科目 lists 訪問診療 or 往診.

    Raises
    ------
    chiikimap.InputFileError
        A file cannot be read, or a 診療科目 file has no ``ID``/``診療科目名`` column; and every
        error of :func:`chiikimap.read_resources`.

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
    from .resources import read_resources

    paths = [Path(path)] if isinstance(path, (str, PathLike)) else [Path(p) for p in path]
    extra = [] if subjects is None else subjects
    subject_paths = (
        [Path(extra)] if isinstance(extra, (str, PathLike)) else [Path(p) for p in extra]
    )
    by_id = _subjects_by_id(subject_paths)
    with tempfile.TemporaryDirectory(prefix="chiikimap-medical-") as tmp:
        files: list[Path] = []
        names: dict[str, str] = {}
        listed: dict[str, str] = {}
        navii, has_kind = False, True
        for n, p in enumerate(paths):
            if not p.exists():
                raise InputFileError("ファイルがありません / no such file", path=p, param="path")
            frame = _read_table(p)
            navii = navii or _is_navii(frame)
            # the same file name (as CSV) in a folder of its own: reports and sources name it
            target = Path(tmp) / str(n) / f"{p.stem}.csv"
            target.parent.mkdir()
            table = _normalised(frame, by_id, p.stem, options.get("category_col"))
            table.to_csv(target, index=False, encoding="utf-8-sig")
            listed.update(zip(table[_ID], table[_SUBJECTS], strict=True))
            has_kind = has_kind and bool(table[_KIND].str.strip().all())
            files.append(target)
            names[target.name] = p.name
        options.setdefault("id_col", _ID)
        if (has_kind and "category" not in options) or "category_col" in options:
            options["category_col"] = _KIND
        if navii and "source" not in options:
            options["source"] = _NAVII_SOURCE
        layer = read_resources(files[0] if len(files) == 1 else files, **options)
    return _finish(layer, names, listed)


def _finish(
    layer: gpd.GeoDataFrame, names: dict[str, str], subjects: dict[str, str]
) -> gpd.GeoDataFrame:
    """The 診療科目 column; file names and raw values as the user's files have them."""
    hidden = (_KIND, _ID, _SUBJECTS)
    for report in S.read_reports(layer):
        report["file"] = _rename(str(report.get("file", "")), names)
        for row in (*(report.get("rejected") or []), *(report.get("duplicates") or [])):
            if "file" in row:
                row["file"] = _rename(str(row["file"]), names)
            values = row.get("values")
            if isinstance(values, dict):
                for key in hidden:
                    values.pop(key, None)
        columns = report.get("columns")
        if isinstance(columns, dict):
            for role in [r for r, c in columns.items() if c in hidden]:
                columns.pop(role)
        for source in report.get("sources") or []:
            if isinstance(source, dict) and "title" in source:
                source["title"] = _rename(str(source["title"]), names)
    layer[S.SOURCE] = layer[S.SOURCE].map(lambda s: _rename(str(s), names))
    listed = [subjects.get(str(i), "") for i in layer[S.RESOURCE_ID]]
    layer.insert(len(layer.columns) - 1, SUBJECTS, pd.Series(listed, index=layer.index))
    return layer


def _rename(where: str, names: dict[str, str]) -> str:
    """A normalised file's name (``x.csv [sheet]``) as the user's file names it."""
    for tmp, real in names.items():
        if where.startswith(tmp):
            return real + where[len(tmp) :]
    return where
