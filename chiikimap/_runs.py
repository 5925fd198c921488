"""A ``chiikimap run`` output folder read back as a :class:`~chiikimap.Coverage` (for comparisons).

``chiikimap run`` writes ``run.json`` (version, recipe, inputs' hashes, sources, totals) beside
its outputs. With the GeoPackage among them, the folder holds everything
:func:`chiikimap.compare` needs: the areas (polygons), the resources (points, 事業所番号,
categories) and the area × category table (layer ``gaps``). :func:`load_run` rebuilds a
:class:`~chiikimap.Coverage` from them; nothing is recomputed.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _schema as S
from ._errors import ChiikimapError, InputFileError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from .result import Coverage
    from .taxonomy import Taxonomy

__all__ = ["RUN_FILE", "RunFolderError", "is_run_folder", "load_run"]

#: the record ``chiikimap run`` writes beside its outputs
RUN_FILE = "run.json"


class RunFolderError(InputFileError):
    """A folder given as a run is not a usable output folder of ``chiikimap run``.

    ``path`` is the folder (or its ``run.json``); ``param`` the argument (``before``/``after``,
    in the command line ``OLD``/``NEW``).
    """


def is_run_folder(value: object) -> bool:
    """Whether ``value`` is a path (text or :class:`os.PathLike`), i.e. meant as a run folder."""
    return isinstance(value, (str, PathLike))


def _folder(path: str | PathLike[str], param: str) -> Path:
    folder = Path(path)
    if folder.is_file() and folder.name == RUN_FILE:
        folder = folder.parent
    if not folder.exists():
        raise RunFolderError(
            "フォルダがありません。chiikimap run の出力フォルダ（run.json のあるフォルダ）を指定して"
            "ください / no such folder; give the output folder of chiikimap run (the one with "
            "run.json)",
            path=folder,
            param=param,
        )
    if not folder.is_dir():
        raise RunFolderError(
            "フォルダではありません。chiikimap run の出力フォルダを指定してください / not a "
            "folder; give the output folder of chiikimap run",
            path=folder,
            param=param,
        )
    if not (folder / RUN_FILE).is_file():
        raise RunFolderError(
            f"{RUN_FILE} がありません: chiikimap run の出力フォルダではありません。レシピを "
            f"chiikimap run で実行したフォルダを指定してください / no {RUN_FILE}: not an output "
            "folder of chiikimap run",
            path=folder,
            param=param,
        )
    return folder


def _record(folder: Path, param: str) -> dict[str, Any]:
    path = folder / RUN_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(
            f"{RUN_FILE} を読めません（壊れています）: {exc} / {RUN_FILE} is not valid JSON",
            path=path,
            param=param,
        ) from None
    if not isinstance(record, dict) or not {"outputs", "totals"} <= set(record):
        raise RunFolderError(
            f"chiikimap run の {RUN_FILE} ではありません（outputs・totals がありません） / not a "
            f"{RUN_FILE} of chiikimap run (no outputs/totals)",
            path=path,
            param=param,
        )
    return record


def _geopackage(folder: Path, record: dict[str, Any], param: str) -> Path:
    names = [str(n) for n in record.get("outputs", []) if str(n).lower().endswith(".gpkg")]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    missing = f"（{names[0]} が見つかりません）" if names else ""
    raise RunFolderError(
        f"GeoPackage がありません{missing}。比較には圏域・資源・表が必要です: レシピの [output] "
        'formats に "gpkg" を加えて chiikimap run をやり直してください / the run wrote no '
        'GeoPackage (or it was removed); add "gpkg" to [output] formats and run again',
        path=folder,
        param=param,
    )


def _text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))


def _read_layers(gpkg: Path, param: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    import geopandas as gpd
    import pyogrio

    try:
        layers = {name for name, _ in pyogrio.list_layers(gpkg)}
        missing = {"areas", "resources", "gaps"} - layers
        if missing:
            raise RunFolderError(
                f"GeoPackage にレイヤー {sorted(missing)} がありません / the GeoPackage lacks the "
                f"layers {sorted(missing)}",
                path=gpkg,
                param=param,
            )
        areas = gpd.read_file(gpkg, layer="areas")
        resources = gpd.read_file(gpkg, layer="resources")
        gaps = pd.DataFrame(pyogrio.read_dataframe(gpkg, layer="gaps", read_geometry=False))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise RunFolderError(
            f"GeoPackage を読めません: {exc} / cannot read the GeoPackage", path=gpkg, param=param
        ) from None
    return areas, resources, gaps


def _unreachable_back(table: pd.DataFrame, resources: gpd.GeoDataFrame) -> None:
    """``nearest_m`` NULL back to ``inf`` where the run had an infinite distance.

    The GeoPackage stores no ``inf``. ``nearest_m`` is NaN only for an area with nobody in it
    (status 対象なし) and for a category no resource has; any other NULL was an area whose
    people reach no resource on foot (``inf``).
    """
    if S.NEAREST_M not in table.columns:
        return
    present = {k for cs in resources[S.CATEGORIES] for k in cs}
    unreachable = (
        table[S.NEAREST_M].isna()
        & (table[S.STATUS] != S.STATUS_EMPTY)
        & table[S.CATEGORY].isin(present)
    )
    table.loc[unreachable, S.NEAREST_M] = np.inf


def _taxonomy(folder: Path, record: dict[str, Any]) -> Taxonomy:
    """The run's taxonomy: the bundled one with the recipe's own [[category]] tables."""
    from .recipe import Recipe, _taxonomy
    from .taxonomy import default_taxonomy

    data = record.get("recipe")
    if not isinstance(data, dict):
        return default_taxonomy()
    try:
        tax: Taxonomy = _taxonomy(
            Recipe(folder / str(record.get("recipe_file", "recipe.toml")), data)
        )
    except (ChiikimapError, OSError):  # a taxonomy file beside the recipe, not in the folder
        return default_taxonomy()
    return tax


def load_run(path: str | PathLike[str], *, param: str = "path") -> Coverage:
    """Read a ``chiikimap run`` output folder back as a :class:`~chiikimap.Coverage`.

    Parameters
    ----------
    path
        The output folder (or its ``run.json``). It must hold the GeoPackage of the run
        (format ``gpkg``, written by default).
    param
        Name of the argument, for the error (``"before"``, ``"after"``).

    Returns
    -------
    chiikimap.Coverage
        The run's table, areas and resources as written (no population layer; no rejected rows);
        ``info`` quotes the run's weight, rules, sources and date from ``run.json``.

    Raises
    ------
    RunFolderError
        No such folder, no ``run.json``, no GeoPackage, or a broken one.
    """
    from .coverage import WEIGHT_LABELS
    from .result import Coverage, RunInfo

    folder = _folder(path, param)
    record = _record(folder, param)
    areas, resources, gaps = _read_layers(_geopackage(folder, record, param), param)
    areas = areas[[c for c in S.AREA_COLUMNS if c in areas.columns]].copy()
    areas[S.AREA_ID] = _text(areas[S.AREA_ID])
    for col in resources.columns:
        if col != resources.geometry.name and resources[col].dtype == object:
            resources[col] = _text(resources[col])
    resources[S.CATEGORIES] = [
        tuple(c for c in str(v).split("; ") if c) for v in resources[S.CATEGORIES]
    ]
    resources[S.AREA_ID] = resources[S.AREA_ID].replace("", None)
    table = gaps[[c for c in S.TABLE_COLUMNS if c in gaps.columns]].copy()
    table[S.AREA_ID] = _text(table[S.AREA_ID])
    _unreachable_back(table, resources)
    totals = record.get("totals", {})
    summary = {str(r.get(S.CATEGORY)): r for r in totals.get("categories", [])}
    categories = tuple(dict.fromkeys(str(c) for c in table[S.CATEGORY]))
    rules = {
        k: {
            "radius_m": float(summary.get(k, {}).get("radius_m") or float("nan")),
            "target": float(summary.get(k, {}).get("target") or float("nan")),
        }
        for k in categories
    }
    weight = str(totals.get("weight", S.POP_65PLUS))
    info = RunInfo(
        basis="area" if totals.get("basis") == "area" else "population",
        weight=weight,
        weight_label=WEIGHT_LABELS.get(weight, weight),
        rules=rules,
        categories=categories,
        storage_crs=S.STORAGE_CRS,
        metric_crs=S.metric_crs_for(areas).to_string(),
        sources=tuple(S.Source.from_dict(s) for s in record.get("sources", [])),
        version=str(record.get("chiikimap_version", "")),
        created=str(record.get("created", "")),
        weight_inside=float(totals.get("weight_inside") or float("nan")),
        weight_outside=float(totals.get("weight_outside") or 0.0),
    )
    return Coverage(
        table=table.reset_index(drop=True),
        areas=areas.reset_index(drop=True),
        resources=resources,
        population=None,
        unassigned=resources[resources[S.AREA_ID].isna()],
        rejected=pd.DataFrame(columns=list(S.REJECTED_COLUMNS)),
        info=info,
        taxonomy=_taxonomy(folder, record),
    )
