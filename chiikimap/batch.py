"""A prefecture or the whole country in one command: one recipe over many municipalities.

:func:`batch` reads the recipe's files once (an A32 prefecture or national file, resource lists
and population covering the municipalities), cuts them into one part per municipality code and
runs each part as :func:`chiikimap.recipe.run_recipe` would run that municipality alone: the same
analysis (each area in the UTM zone of its own centre) and the same outputs, written to
``<out>/<code>_<name>/`` with its ``run.json``. Parts run in this process, or on Dask distributed
(a ``LocalCluster`` of ``workers`` processes, or an existing cluster at ``scheduler``); workers
receive their part and never read the input files. A failing municipality is reported in the
summary and the others complete. A rerun skips the municipalities whose ``run.json`` holds the
same part hash (:func:`part_hash`). The summary workbook and the map of municipalities (第1層)
are written by :mod:`chiikimap._batch_summary`.

A part holds the municipality's areas, the population features that touch them and every
resource that can matter to them: for each category, the resources within ``max(2R + d, R + r)``
of the municipality's centre, where ``R`` is the largest distance from the centre to the
municipality's outline, ``d`` the distance from the centre to the nearest resource of the
category and ``r`` the largest radius of the run (with a 1 % + 200 m margin). By the triangle
inequality every resource nearest to, or within the radius of, a point of the municipality is in
the part, so ``covered``, ``nearest_m`` and every figure of the table equal a single run's.
Two things differ from a single run on the whole files, by design: ``weight_outside`` (圏域外の人口)
counts only the population features of the part that cross the municipality's border, and the
part's reports keep the sources but not the whole files' rejected and merged rows (those are
listed once, in the summary workbook; rejected area rows naming the municipality's code stay).
Districts of two municipalities that overlap are resolved by :func:`read_districts` over the
whole file (the overlap goes to the smaller district); a single run keeps its polygons whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from . import _schema as S
from ._errors import InputFileError, ParameterError
from .recipe import (
    Recipe,
    RecipeError,
    _jsonable,
    _read_all,
    _row_counts,
    _taxonomy,
    analyse_and_write,
    input_entries,
    load_recipe,
    output_plan,
)

__all__ = ["BatchResult", "MunicipalityResult", "batch", "part_hash", "select_municipalities"]

#: mean Earth radius (m), for the conservative sphere distances of the partitioning
_EARTH_M = 6_371_008.8
#: margin of the partition reach: relative (sphere vs. ellipsoid and UTM scale) and absolute (m)
_MARGIN_REL, _MARGIN_M = 0.01, 200.0
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


@dataclass
class Part:
    """One municipality's share of the inputs, as sent to a worker."""

    code: str
    name: str
    folder: str
    areas: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    population: gpd.GeoDataFrame | None
    digest: str = ""


@dataclass
class _Job:
    """What every part shares: the recipe, its taxonomy, the output root and the input records."""

    recipe: Recipe
    taxonomy: Any
    root: str
    formats: list[str]
    inputs: list[dict[str, Any]]
    rows: dict[str, dict[str, int]]
    geocoded: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MunicipalityResult:
    """The outcome of one municipality of a batch run.

    Attributes
    ----------
    code, name
        Municipality code (5 digits) and name.
    folder
        Its output folder, relative to the batch's output folder.
    status
        ``"ok"``, ``"skipped"`` (its ``run.json`` matched: not rerun) or ``"error"``.
    error
        The error message (``""`` unless ``status == "error"``).
    seconds
        Time spent on it (analysis and outputs; 0 when skipped).
    cpu_seconds
        CPU time of the process running it meanwhile (on a worker, that worker's process).
    table
        Its ``Coverage.table`` (``None`` when skipped or after an error).
    summary
        Its rows of the batch summary, one per category (read back from ``run.json`` when
        skipped).
    warnings
        The warnings its run gave (they are recorded here and in ``run.json``, not re-emitted).
    digest
        The part hash (:func:`part_hash`).
    """

    code: str
    name: str
    folder: str
    status: str
    error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    table: pd.DataFrame | None = None
    summary: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    digest: str = ""


@dataclass
class BatchResult:
    """What :func:`batch` produced.

    Attributes
    ----------
    out_dir
        The output folder (one sub-folder per municipality).
    results
        One :class:`MunicipalityResult` per municipality, in code order.
    summary
        Municipality × category: 圏域数, 空白/不足 counts and share, resources, weight, covered.
    workbook, map
        The summary workbook (``summary.xlsx``) and map of municipalities (``summary.html``).
    """

    out_dir: Path
    results: list[MunicipalityResult]
    summary: pd.DataFrame
    workbook: Path | None = None
    map: Path | None = None

    @property
    def failed(self) -> list[MunicipalityResult]:
        """The municipalities whose run failed."""
        return [r for r in self.results if r.status == "error"]


# --- selection and partitioning ---------------------------------------------------------------


def select_municipalities(codes: Iterable[str], wanted: str | Sequence[str] | None) -> list[str]:
    """The municipality codes to run: ``wanted`` codes, 2-digit prefecture codes, or ``"all"``.

    Parameters
    ----------
    codes
        The municipality codes of the areas.
    wanted
        ``None`` or ``"all"`` for every code; else codes separated by commas or given as a list:
        a 5-digit municipality code (a 6-digit one with its check digit is cut to 5) or a 2-digit
        prefecture code (every municipality of the prefecture).

    Returns
    -------
    list of str
        The selected codes, sorted.

    Raises
    ------
    chiikimap.ParameterError
        A value that is no code, or a code with no area (the message lists the codes present).
    """
    present = sorted({str(c) for c in codes if c})
    tokens = [wanted] if isinstance(wanted, str) or wanted is None else list(wanted)
    parts = [t.strip() for tok in tokens if tok is not None for t in str(tok).split(",")]
    parts = [t for t in parts if t]
    if not parts or "all" in [p.lower() for p in parts]:
        return present
    chosen: set[str] = set()
    for token in parts:
        if not token.isdigit() or len(token) not in (2, 5, 6):
            raise ParameterError(
                f"市町村の指定 {token!r} が読めません。5桁の市町村コード・2桁の都道府県コード・all "
                f"で指定してください / {token!r} is not a 5-digit municipality code, a 2-digit "
                "prefecture code or 'all'",
                param="municipality",
            )
        hits = [c for c in present if c.startswith(token[:5])]
        if not hits:
            shown = ", ".join(present[:20]) + (" …" if len(present) > 20 else "")
            raise ParameterError(
                f"{token} の圏域がありません。圏域ファイルの市町村コード: {shown} / no area of "
                f"{token}; the area file has: {shown}",
                param="municipality",
            )
        chosen.update(hits)
    return sorted(chosen)


def _folder_name(code: str, name: str) -> str:
    safe = _UNSAFE.sub("_", name).strip("._")
    return f"{code}_{safe}" if safe else code


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _chord(metres: np.ndarray | float) -> Any:
    return 2.0 * np.sin(np.minimum(np.asarray(metres) / _EARTH_M, np.pi) / 2.0)


def _metres(chord: np.ndarray | float) -> Any:
    return 2.0 * np.arcsin(np.minimum(np.asarray(chord) / 2.0, 1.0)) * _EARTH_M


def _lonlat(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.asarray(shapely.get_coordinates(geoms.to_crs(S.STORAGE_CRS).array), dtype=float)


class _ResourceIndex:
    """Resources by category on the unit sphere: which ones can matter to a municipality."""

    def __init__(self, resources: gpd.GeoDataFrame, taxonomy: Any, radius_m: float) -> None:
        from .coverage import _resource_keys

        xy = _lonlat(resources.geometry) if len(resources) else np.zeros((0, 2))
        self.xyz = _unit(xy[:, 0], xy[:, 1]) if len(xy) else np.zeros((0, 3))
        by_key: dict[str, list[int]] = {}
        keys = _resource_keys(resources, taxonomy) if len(resources) else []
        for i, ks in enumerate(keys):
            for k in ks:
                by_key.setdefault(k, []).append(i)
        self.trees = {
            k: (np.asarray(pos), cKDTree(self.xyz[np.asarray(pos)])) for k, pos in by_key.items()
        }
        self.radius_m = radius_m

    def near(self, outline: np.ndarray) -> np.ndarray:
        """Positions of the resources that can matter to an area with these lon/lat vertices."""
        centre = _unit(*np.array([(outline.min(0) + outline.max(0)) / 2.0]).T)[0]
        spread = float(
            _metres(np.linalg.norm(_unit(outline[:, 0], outline[:, 1]) - centre, axis=1)).max()
        )
        found: list[np.ndarray] = []
        for pos, tree in self.trees.values():
            nearest = float(_metres(tree.query(centre)[0]))
            reach = max(2.0 * spread + nearest, spread + self.radius_m)
            reach = reach * (1.0 + _MARGIN_REL) + _MARGIN_M
            found.append(pos[np.asarray(tree.query_ball_point(centre, float(_chord(reach))), int)])
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=int)


def _largest_radius(taxonomy: Any, analysis: Mapping[str, Any]) -> float:
    radii = [float(c.radius_m) for c in taxonomy.categories]
    given = analysis.get("radius_m")
    if isinstance(given, Mapping):
        radii += [float(v) for v in given.values()]
    elif given is not None:
        radii.append(float(given))
    return max(radii, default=0.0)


def _slim(layer: gpd.GeoDataFrame, keep_rejected: Callable[[dict[str, Any]], bool]) -> None:
    """Keep the sources of a part's reports; rejected rows only when ``keep_rejected`` says so.

    The national lists of rejected and merged rows are written once, in the summary workbook.
    """
    reports = []
    for rep in S.read_reports(layer):
        slim = dict(rep)
        slim["rejected"] = [r for r in rep.get("rejected", []) if keep_rejected(r)]
        slim["duplicates"] = []
        reports.append(slim)
    layer.attrs = {S.ATTRS_KEY: reports} if reports else {}


def _mentions(code: str) -> Callable[[dict[str, Any]], bool]:
    def test(row: dict[str, Any]) -> bool:
        values = row.get(S.REJECTED_VALUES) or {}
        return any(str(v).strip()[:5] == code for v in values.values())

    return test


def _parts(
    layers: Mapping[str, Any], codes: Sequence[str], taxonomy: Any, analysis: Mapping[str, Any]
) -> Iterator[Part]:
    """One :class:`Part` per municipality code, in the order of ``codes``."""
    areas: gpd.GeoDataFrame = layers["areas"]
    resources: gpd.GeoDataFrame = layers["resources"]
    population: gpd.GeoDataFrame | None = layers["population"]
    names = areas.attrs.get("chiikimap_municipality_names", {})
    index = _ResourceIndex(resources, taxonomy, _largest_radius(taxonomy, analysis))
    muni = areas[S.MUNICIPALITY_CODE].astype(str)
    touching: dict[str, np.ndarray] = {}
    if population is not None:
        outlines = areas[muni.isin(codes)].dissolve(by=S.MUNICIPALITY_CODE)
        hits = gpd.sjoin(
            population[[population.geometry.name]].to_crs(outlines.crs).reset_index(drop=True),
            outlines[[outlines.geometry.name]].reset_index(),
            predicate="intersects",
        )
        for code, group in hits.groupby(S.MUNICIPALITY_CODE):
            touching[str(code)] = np.unique(group.index.to_numpy())
    for code in codes:
        own = areas[muni == code].copy()
        _slim(own, _mentions(code))
        res = resources.iloc[index.near(_lonlat(own.geometry))].copy()
        _slim(res, lambda _r: False)
        pop = None
        if population is not None:
            pop = population.iloc[touching.get(code, np.zeros(0, dtype=int))].copy()
            _slim(pop, lambda _r: False)
        name = str(names.get(code, ""))
        yield Part(code, name, _folder_name(code, name), own, res, pop)


# --- hashing and resumption -------------------------------------------------------------------


def _frame_bytes(frame: gpd.GeoDataFrame | None) -> Iterator[bytes]:
    if frame is None:
        yield b"none"
        return
    yield b"".join(shapely.to_wkb(np.asarray(frame.geometry.array), hex=False).tolist())
    attrs = frame.drop(columns=frame.geometry.name)
    yield attrs.to_json(orient="split", default_handler=str).encode()
    yield json.dumps(_jsonable([s.to_dict() for s in S.sources_of(frame)])).encode()


def part_hash(part: Part, recipe: Recipe, formats: Sequence[str]) -> str:
    """SHA-256 of a part's inputs, the recipe's analysis settings and outputs, and the version.

    Parameters
    ----------
    part
        The municipality's areas, resources and population (geometry and every column), with
        the sources credited.
    recipe
        Its ``title``, ``[analysis]``, ``[[category]]``, ``[output]`` (and the taxonomy file's
        bytes when ``[analysis] taxonomy`` names one) enter the hash.
    formats
        The output formats written.

    Returns
    -------
    str
        The hex digest: a rerun skips the municipality when its ``run.json`` holds the same.
    """
    from . import _version

    data = recipe.data
    settings = {
        "version": _version.version(),
        "title": data.get("title"),
        "analysis": data.get("analysis", {}),
        "category": data.get("category", []),
        "output": {k: v for k, v in data.get("output", {}).items() if k != "dir"},
        "formats": list(formats),
    }
    digest = hashlib.sha256(json.dumps(_jsonable(settings), sort_keys=True).encode())
    tax_file = data.get("analysis", {}).get("taxonomy")
    if tax_file:
        digest.update((recipe.base / str(tax_file)).read_bytes())
    for frame in (part.areas, part.resources, part.population):
        for chunk in _frame_bytes(frame):
            digest.update(len(chunk).to_bytes(8, "little"))
            digest.update(chunk)
    return digest.hexdigest()


def _done_before(root: Path, part: Part) -> MunicipalityResult | None:
    """The earlier result of a part whose ``run.json`` holds its hash and whose outputs exist."""
    folder = root / part.folder
    try:
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    info = record.get("batch", {})
    if info.get("hash") != part.digest or not all(
        (folder / name).is_file() for name in record.get("outputs", [])
    ):
        return None
    return MunicipalityResult(
        part.code,
        part.name,
        part.folder,
        "skipped",
        summary=list(info.get("summary", [])),
        warnings=list(record.get("warnings", [])),
        digest=part.digest,
    )


# --- one municipality ---------------------------------------------------------------------------


def _part_recipe(rec: Recipe, name: str) -> Recipe:
    """The recipe with the municipality's name before its title (「生駒市 — …」) for its maps."""
    from .maps.interactive import _TEXT

    lang = str(rec.data.get("output", {}).get("lang", "ja"))
    base = rec.title or _TEXT.get(lang, _TEXT["ja"])["default_title"]
    return replace(rec, data={**rec.data, "title": f"{name} — {base}"})


def run_part(job: _Job, part: Part) -> MunicipalityResult:
    """Analyse one municipality's part and write its outputs and ``run.json`` (runs on a worker).

    Any exception is caught and returned as ``status="error"`` with its message, so that one
    municipality cannot stop the others. Warnings are recorded (in ``run.json`` and the
    summary), not emitted.
    """
    from ._batch_summary import summary_rows

    start, cpu = time.perf_counter(), time.process_time()
    head: dict[str, Any] = {
        "code": part.code,
        "name": part.name,
        "folder": part.folder,
        "digest": part.digest,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            layers = {"areas": part.areas, "resources": part.resources}
            done = analyse_and_write(
                _part_recipe(job.recipe, part.name or part.code),
                job.taxonomy,
                {**layers, "population": part.population},
                job.inputs,
                Path(job.root) / part.folder,
                job.formats,
                lambda _text: None,
                job.geocoded,
            )
            rows = summary_rows(done.coverage.table, job.taxonomy)
            said = list(dict.fromkeys(str(w.message) for w in caught))
            _rewrite_run_json(done.run_json, done.record, job, part, rows, said)
        except Exception as exc:  # one municipality's failure is reported, the others go on
            text = str(exc).strip() or type(exc).__name__
            return MunicipalityResult(
                **head,
                status="error",
                error=f"{type(exc).__name__}: {text}",
                seconds=time.perf_counter() - start,
                cpu_seconds=time.process_time() - cpu,
                warnings=list(dict.fromkeys(str(w.message) for w in caught)),
            )
    return MunicipalityResult(
        **head,
        status="ok",
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu,
        table=done.coverage.table,
        summary=rows,
        warnings=said,
    )


def _rewrite_run_json(
    path: Path | None,
    record: dict[str, Any],
    job: _Job,
    part: Part,
    rows: list[dict[str, Any]],
    said: list[str],
) -> None:
    """Add the national row counts, the part, its hash and its summary rows to ``run.json``."""
    assert path is not None
    record["rows"] = job.rows
    record["warnings"] = said
    # the recipe as written (its maps' title carries the municipality's name: 「生駒市 — …」)
    record["recipe"] = _jsonable(job.recipe.data)
    record["batch"] = _jsonable(
        {
            "municipality_code": part.code,
            "municipality_name": part.name,
            "hash": part.digest,
            "part_rows": {
                "areas": len(part.areas),
                "resources": len(part.resources),
                "population": None if part.population is None else len(part.population),
            },
            "summary": rows,
        }
    )
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


# --- execution ------------------------------------------------------------------------------------


def _run_local(
    job: _Job, parts: list[Part], done: Callable[[MunicipalityResult], None]
) -> list[MunicipalityResult]:
    results = []
    for part in parts:
        results.append(run_part(job, part))
        done(results[-1])
    return results


def _run_dask(
    job: _Job,
    parts: list[Part],
    done: Callable[[MunicipalityResult], None],
    *,
    workers: int | None,
    scheduler: str | None,
) -> list[MunicipalityResult]:
    """Run the parts on a Dask cluster: a ``LocalCluster`` of processes, or ``scheduler``'s."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            # no dashboard; its HTTP server (metrics) on a free port, never a busy :8787
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:  # type: ignore[no-untyped-call]
            shared = client.scatter(job, broadcast=True)
            futures = {}
            # the largest municipalities first, so that none of them starts last and runs alone
            for part in sorted(parts, key=lambda p: -len(p.areas)):
                # each part is sent once, to the worker that runs it: no worker reads the files
                data = client.scatter(part)
                futures[client.submit(run_part, shared, data, key=f"chiikimap-{part.digest}")] = (
                    part
                )
            results: dict[str, MunicipalityResult] = {}
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                part = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a worker lost, or an unpicklable result
                    result = MunicipalityResult(
                        part.code,
                        part.name,
                        part.folder,
                        "error",
                        error=f"{type(exc).__name__}: {exc}",
                        digest=part.digest,
                    )
                results[part.code] = result
                done(result)
    finally:  # the client is closed first (above), then the cluster and its workers
        if cluster is not None:
            with _quiet_nanny():
                cluster.close()
    return [results[p.code] for p in parts]


@contextmanager
def _quiet_nanny() -> Iterator[None]:
    """Silence ``distributed.nanny``'s warnings while the LocalCluster closes, and only then.

    Closing the cluster stops each worker process through its nanny, which waits 4 s
    (0.8 × its fixed 5 s close timeout, which ``LocalCluster.close`` does not pass on) before
    killing the process and logging 「Worker process still alive after 4.0 seconds, killing」.
    On a loaded machine a worker can take longer to exit. By then every result is back and
    every municipality's folder written, so the kill loses nothing and the warning is noise to
    the person running the batch. Errors are still shown; the level is restored afterwards.
    """
    nanny = logging.getLogger("distributed.nanny")
    level = nanny.level
    nanny.setLevel(logging.ERROR)
    try:
        yield
    finally:
        nanny.setLevel(level)


def _check_engine(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        raise ParameterError(
            "workers と scheduler は同時に指定できません / give either workers or scheduler",
            param=("workers", "scheduler"),
        )
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise ParameterError(
            f"workers は 1 以上にしてください / workers must be ≥ 1 (got {workers!r})",
            param="workers",
        )


def _national_rows(layers: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    return {name: _row_counts(layer) for name, layer in layers.items() if layer is not None}


def batch(
    recipe: Recipe | str | Path,
    *,
    municipality: str | Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    formats: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Run a recipe for every municipality of its areas file, one folder each, plus a summary.

    Parameters
    ----------
    recipe
        A :class:`chiikimap.recipe.Recipe` or a recipe file whose areas hold many municipalities
        (an A32 prefecture or national file) and whose resources and population cover them.
    municipality
        Which municipalities: ``None``/``"all"`` (every one), municipality codes, 2-digit
        prefecture codes, as a list or separated by commas (:func:`select_municipalities`).
    workers
        Run on a Dask ``LocalCluster`` of this many worker processes (one thread each).
    scheduler
        Run on the existing Dask cluster at this address (``tcp://host:8786``). Without
        ``workers`` and ``scheduler`` everything runs in this process, one municipality after
        the other.
    out_dir
        Output folder (default: the recipe's ``[output] dir``). Each municipality writes
        ``<code>_<name>/`` there; workers must see the same folder (a shared file system).
    formats
        Output formats of every municipality instead of the recipe's ``[output] formats``.
    progress
        Called with one line of text per stage and per municipality done (``[k/N] …``).

    Returns
    -------
    BatchResult
        The result per municipality, the summary table, and the summary workbook and map.

    Raises
    ------
    chiikimap.ChiikimapError
        A recipe or input problem found while reading the files (before any municipality runs),
        or a wrong ``municipality``/``workers``/``scheduler``. An error inside one municipality
        is not raised: it is its ``status="error"`` with the message, in the summary.
    """
    from ._batch_summary import write_summary

    _check_engine(workers, scheduler)
    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    say = progress or (lambda _text: None)
    root, kinds = output_plan(rec, out_dir, formats)
    if "network" in rec.data.get("analysis", {}):
        # a part holds the resources that can be nearest in a straight line; on foot a farther
        # one can be nearer, and each worker would read the street network itself
        raise RecipeError(
            "batch は道路網 ([analysis] network) にまだ対応していません。chiikimap run で市町村ごとに"
            "実行してください / batch does not support [analysis] network yet; run the "
            "municipalities one by one with chiikimap run",
            path=rec.path,
            param="analysis.network",
        )
    if "indicators" in rec.data:
        # indicators are joined to areas by name or id per run: not yet split by municipality
        raise RecipeError(
            "batch は圏域ごとの指標 ([indicators]・[priorities]) にまだ対応していません。chiikimap run "
            "で市町村ごとに実行してください / batch does not support [indicators] and [priorities] "
            "yet; run the municipalities one by one with chiikimap run",
            path=rec.path,
            param="indicators",
        )
    tax = _taxonomy(rec)
    say("ファイルを読み込み中 / reading the files (once, for every municipality)")
    geocoded: list[dict[str, Any]] = []
    layers, inputs = _read_all(rec, tax, geocoded)
    present = layers["areas"][S.MUNICIPALITY_CODE].dropna()
    if present.empty:
        raise InputFileError(
            "圏域に市町村コードがありません。batch には市町村コードの列がある圏域ファイル (国土数値情報 "
            "A32 など) が必要です / the areas have no municipality code; batch needs an area file "
            "with a municipality code column (such as KSJ A32)",
            path=rec.path,
            param="areas.path",
        )
    codes = select_municipalities(present, municipality)
    job = _Job(rec, tax, str(root.resolve()), kinds, input_entries(rec, inputs), {}, geocoded)
    job.rows = _national_rows(layers)
    root.mkdir(parents=True, exist_ok=True)
    say(f"市町村ごとに分割中 / partitioning {len(codes)} municipalities")
    todo, results = [], {}
    for part in _parts(layers, codes, tax, rec.data.get("analysis", {})):
        part.digest = part_hash(part, rec, kinds)
        earlier = _done_before(root, part)
        if earlier is None:
            todo.append(part)
        else:
            results[part.code] = earlier
    parts = todo
    say(
        f"実行: {len(parts)} 市町村、スキップ（前回と同じ入力）: {len(results)} / running "
        f"{len(parts)}, skipping {len(results)} unchanged"
    )
    count = [len(results)]

    def done(result: MunicipalityResult) -> None:
        count[0] += 1
        state = {"ok": "完了 / done", "error": "エラー / error"}.get(result.status, result.status)
        say(f"[{count[0]}/{len(codes)}] {result.code} {result.name}: {state}")

    if workers is None and scheduler is None:
        ran = _run_local(job, parts, done)
    else:
        ran = _run_dask(job, parts, done, workers=workers, scheduler=scheduler)
    results.update({r.code: r for r in ran})
    ordered = [results[c] for c in codes]
    say("集計を書き出し中 / writing the summary")
    return write_summary(root, rec, tax, layers, ordered, kinds)
