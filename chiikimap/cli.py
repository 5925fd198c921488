"""The ``chiikimap`` command: demo, map and inspect.

A thin layer over the public functions (:func:`chiikimap.read_districts`,
:func:`chiikimap.read_resources`, :func:`chiikimap.read_population`, :func:`chiikimap.analyze`,
:func:`chiikimap.load_sample` and the :class:`chiikimap.Coverage` methods).

Exit codes: 0 success, 1 input error (a file that cannot be read or written, a wrong value),
2 usage error, 130 interrupted (Ctrl-C). Errors are one readable message on stderr; ``--debug``
adds the Python traceback. The library's errors name the parameter they belong to
(:attr:`chiikimap.ChiikimapError.param`); :data:`OPTIONS` maps it to the command-line option, so
no message text is ever parsed.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from ._errors import ChiikimapError, InputFileError, file_errors

__all__ = ["DEMO_TITLE", "OPTIONS", "OUTPUT_KINDS", "main"]

#: output kind → (file name pattern, Japanese description)
OUTPUT_KINDS: dict[str, tuple[str, str]] = {
    "html": ("{stem}.html", "地図 (HTML, 背景地図はインターネット経由)"),
    "offline-html": ("{stem}_offline.html", "地図 (HTML, オフラインで開ける1ファイル)"),
    "png": ("{stem}.png", "印刷用地図 (PNG)"),
    "pdf": ("{stem}.pdf", "印刷用地図 (PDF, A3)"),
    "xlsx": ("{stem}_karte.xlsx", "圏域カルテ (Excel)"),
    "gpkg": ("{stem}.gpkg", "GeoPackage (QGIS)"),
}

_WEIGHTS = ("pop_65plus", "pop_75plus", "pop_total", "area")

#: title of the demo's maps (the bundled sample's areas are 枚方市's 13 日常生活圏域)
DEMO_TITLE = "枚方市 日常生活圏域別 介護資源の空白・不足"

_DESCRIPTION = """\
圏域（中学校区など）ごとに、介護・生活支援の資源が届いていない「空白」「不足」を計算し、
協議体で使える地図 (HTML/PNG/PDF)、圏域カルテ (Excel)、GeoPackage を書き出します。

Finds which community-care services each area (e.g. junior-high-school district) lacks and
writes maps (HTML/PNG/PDF), an Excel workbook and a GeoPackage.

終了コード / exit codes: 0 成功 / ok, 1 入力の誤り / input error, 2 使い方の誤り / usage error,
130 中断 / interrupted
"""

_EPILOG = """\
例 / examples:
  chiikimap demo --out demo
  chiikimap map --areas 校区.geojson --resources 事業所.csv --resources 通いの場.xlsx \\
      --population 人口.csv --radius kayoi_no_ba=600 --out 出力
  chiikimap map --areas 圏域.geojson --id-col 圏域ID --resources 事業所.csv \\
      --population 圏域別人口.csv --population-id-col 圏域ID --encoding cp932 --out 出力
  chiikimap inspect 事業所.csv
  chiikimap init 資料フォルダ          # レシピのひな形 / template recipe
  chiikimap run 資料フォルダ/recipe.toml  # レシピ通りに全部作る / the whole pack
  chiikimap batch 県.toml --workers 4     # 市町村ごとに一括 / every municipality
"""


class _UsageError(Exception):
    """A command-line value that does not parse (exit code 2)."""


class _CliInputError(ChiikimapError):
    """An input error whose message names command-line options (exit code 1)."""


class _OutOfRangeError(Exception):
    """A number that parses but is outside the allowed range; the message says which."""


# --- output helpers -------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(f"[chiikimap] {message}", file=sys.stderr, flush=True)


@contextmanager
def _show_warnings(stage: str = "") -> Iterator[None]:
    """Print the library's warnings as one line each on stderr (never a Python warning dump).

    With ``stage`` (areas, resources, population, analyze, outputs) a warning that names its
    parameter is followed by the command-line option that sets it.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    groups = _grouped([(str(w.message), getattr(w.message, "params", ())) for w in caught])
    for texts, params in groups:
        for line in _aggregated_lines(texts):
            print(f"注意 / warning: {line}", file=sys.stderr)
        hint = _option_hint(stage, params)
        if hint:
            print(f"  {hint}", file=sys.stderr)


#: examples shown of a repeated warning (the others are counted)
_EXAMPLES = 3


def _grouped(
    messages: Sequence[tuple[str, Sequence[str]]],
) -> list[tuple[list[str], tuple[str, ...]]]:
    """Distinct messages grouped by parameter and wording (numbers aside), in first-seen order.

    Messages that differ only in their numbers (row numbers, counts) repeat one behaviour: they
    are one group, printed as one line with a count and the first examples.
    """
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for text, params in messages:
        key = (tuple(params), re.sub(r"\d+", "#", text.strip()))
        texts = groups.setdefault(key, [])
        if text.strip() not in texts:
            texts.append(text.strip())
    return [(texts, params) for (params, _), texts in groups.items()]


def _aggregated_lines(texts: Sequence[str]) -> list[str]:
    """One message as is; a repeated one as one line with its count and the first examples."""
    if len(texts) == 1:
        return [texts[0]]
    more = len(texts) - _EXAMPLES
    examples = "\n    ".join(texts[:_EXAMPLES])
    tail = f"\n    … 他 {more} 件 / {more} more" if more > 0 else ""
    return [f"同様の注意 {len(texts)} 件 / {len(texts)} similar warnings:\n    {examples}{tail}"]


def _pair(kind: str, cast: Callable[[str], float]) -> Callable[[str], tuple[str, float]]:
    def parse(text: str) -> tuple[str, float]:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(
                f"{text!r}: 種別キー={kind} の形で指定してください / expected CATEGORY={kind}, "
                f"e.g. kayoi_no_ba=800"
            )
        try:
            number = cast(value.strip())
        except _OutOfRangeError as exc:
            raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r}: {value!r} は数値ではありません / {value!r} is not a number"
            ) from None
        return key.strip(), number

    return parse


def _metres(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise _OutOfRangeError(
            f"半径は 0 より大きいメートルで指定してください（{text} m）/ the radius must be > 0 m, "
            "e.g. kayoi_no_ba=800"
        )
    return value


def _share(text: str) -> float:
    value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    if not 0.0 <= value <= 1.0:
        raise _OutOfRangeError(
            f"目標カバー率は 0–1 または 0–100% で指定してください（{text}）/ the target must be "
            "0–1 or 0–100%, e.g. kayoi_no_ba=0.8 or kayoi_no_ba=80%"
        )
    return value


#: stage → library parameter → the command-line option that sets it. Library errors and warnings
#: carry the parameter (``param``); this table turns it into the option to use.
OPTIONS: dict[str, dict[str, str]] = {
    "areas": {
        "path": "--areas",
        "id_col": "--id-col",
        "name_col": "--name-col",
        "encoding": "--encoding",
        "municipality": "--municipality",
    },
    "resources": {
        "path": "--resources",
        "name_col": "--resource-name-col",
        "lat_col": "--lat-col",
        "lon_col": "--lon-col",
        "category_col": "--category-col",
        "category": "--category",
        "sheet": "--sheet",
        "header_row": "--header-row",
        "encoding": "--encoding",
        "geocode": "--geocode",
        "address_aliases": "--aliases",
        "geocode_municipality": "--geocode-municipality",
    },
    "medical": {
        "path": "--medical",
        "subjects": "--medical-subjects",
        "geocode": "--geocode",
        "address_aliases": "--aliases",
        "geocode_municipality": "--geocode-municipality",
    },
    "population": {
        "path": "--population",
        "id_col": "--population-id-col",
        "encoding": "--encoding",
    },
    "network": {"path": "--network", "bbox": "--network", "clip_to": "--network"},
    "analyze": {
        "network": "--network",
        "population": "--population",
        "weight": "--weight",
        "radius_m": "--radius",
        "target": "--target",
        "categories": "--check",
        "category": "--check",
        "indicators": "--indicators",
    },
    "outputs": {"path": "--out", "out": "--out", "title": "--title"},
    "indicators": {
        "path": "--indicators",
        "id_col": "--indicator-id-col",
        "name_col": "--indicator-name-col",
        "sheet": "--indicator-sheet",
        "header_row": "--indicator-header-row",
        "source": "--indicator-source",
    },
    "priorities": {"indicator": "--indicator", "category": "--category"},
    "compare": {"before": "OLD", "after": "NEW", "category": "--category"},
}


def _option_hint(stage: str, params: Sequence[str]) -> str:
    """The line naming the command-line options for the library ``params`` (empty if none)."""
    if stage == "recipe":  # chiikimap run: the recipe's keys, in the table of the file
        keys = list(dict.fromkeys(p for p in params if p))
        if not keys:
            return ""
        shown = ", ".join(keys)
        return (
            f"→ レシピではそのファイルの表に {shown} を書きます / in the recipe: set {shown} "
            "in the file's table"
        )
    table = OPTIONS.get(stage, {})
    options = list(dict.fromkeys(table[p] for p in params if p in table))
    if not options:
        return ""
    shown = " / ".join(options)
    return f"→ コマンドでは {shown} で指定します / on the command line: {shown}"


def _with_hint(exc: ChiikimapError, stage: str) -> str:
    """The library's message, followed by the option hint of its parameter(s)."""
    hint = _option_hint(stage, exc.params)
    return f"{exc}\n  {hint}" if hint else str(exc)


@contextmanager
def _stage(name: str) -> Iterator[None]:
    """Re-raise a library error with the command-line option of its parameter added."""
    try:
        yield
    except _CliInputError:
        raise
    except ChiikimapError as exc:
        raise _CliInputError(_with_hint(exc, name)) from exc


def _format_choices() -> list[str]:
    """The ``--format`` choices: every recipe format, ``a_b`` also spelt ``a-b``."""
    from chiikimap.recipe import FORMATS

    dashed = [name.replace("_", "-") for name in FORMATS if "_" in name]
    return [*FORMATS, *dashed]


def _require_file(name: str) -> Path:
    path = Path(name)
    if not path.exists():
        raise InputFileError(
            "ファイルがありません。パスと名前を確認してください / no such file; check the path",
            path=path,
        )
    return path


def _write_outputs(
    coverage: Any, out_dir: Path, kinds: Sequence[str], stem: str, title: str | None = None
) -> list[Path]:
    with _stage("outputs"), file_errors(out_dir, writing=True, param="out"):
        out_dir.mkdir(parents=True, exist_ok=True)
    titled: dict[str, Any] = {"title": title} if title else {}
    written: list[Path] = []
    for kind in kinds:
        pattern, what = OUTPUT_KINDS[kind]
        path = out_dir / pattern.format(stem=stem)
        _progress(f"書き出し中 / writing {what}: {path}")
        with _stage("outputs"), file_errors(path, writing=True, param="out"):
            _write_one(coverage, kind, path, titled)
        written.append(path)
    return written


def _write_one(coverage: Any, kind: str, path: Path, titled: dict[str, Any]) -> None:
    if kind == "html":
        coverage.save_html(path, **titled)
    elif kind == "offline-html":
        coverage.save_html(path, offline=True, **titled)
    elif kind in ("png", "pdf"):
        coverage.save_static(path, **titled)
    elif kind == "xlsx":
        coverage.to_excel(path)
    else:
        coverage.to_geopackage(path)


def _print_written(paths: Sequence[Path], out: TextIO) -> None:
    print("書き出したファイル / written:", file=out)
    for p in paths:
        print(f"  {p}", file=out)


def _print_overview(coverage: Any, out: TextIO) -> None:
    """One line per category from the 第1層 summary (no computation here)."""
    summary = coverage.summary()
    print(
        f"圏域 {len(coverage.areas)}・資源 {len(coverage.resources)} 件 / "
        f"{len(coverage.areas)} areas, {len(coverage.resources)} resources",
        file=out,
    )
    print(f"基準 / basis: {coverage.info.weight_label}", file=out)
    for _, row in summary.iterrows():
        print(
            f"  {row['category_label']}: カバー率 {float(row['coverage']):.1%}、"
            f"空白 {int(row['n_none'])}・不足 {int(row['n_gap'])} 圏域",
            file=out,
        )


# --- commands -------------------------------------------------------------------------------------


def _check_out_dir(out: str) -> None:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise _CliInputError(
            f"{path}: 出力フォルダとして指定されましたが、同じ名前のファイルがあります。別の名前の"
            "フォルダを --out で指定してください / --out names an existing file, not a folder; "
            "pass another folder name with --out"
        )


def _resource_options(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """read_resources keywords from the resource options given (and ``names``)."""
    pairs = {
        "resource_name_col": "name_col",
        "lat_col": "lat_col",
        "lon_col": "lon_col",
        "category_col": "category_col",
        "sheet": "sheet",
        "header_row": "header_row",
        "geocode": "geocode",
        "aliases": "address_aliases",
        "geocode_municipality": "geocode_municipality",
    }
    pairs.update({n: n for n in names})
    out: dict[str, Any] = {}
    for attr, keyword in pairs.items():
        value = getattr(args, attr, None)
        if value is not None:
            out[keyword] = _sheet_value(value) if attr == "sheet" else value
    return out


def _sheet_value(text: str) -> str | int:
    """A sheet name, or its 0-based position when given as digits."""
    return int(text) if text.isdigit() else text


def _cmd_demo(args: argparse.Namespace) -> int:
    import chiikimap

    _check_out_dir(args.out)

    _progress("サンプル（枚方市）を読み込み中 / loading the bundled sample (hirakata)")
    with _show_warnings():
        sample = chiikimap.load_sample("hirakata")
        _progress("計算中 / analysing")
        coverage = chiikimap.analyze(sample.areas, sample.resources, sample.population)
    _print_overview(coverage, sys.stdout)
    kinds = [k for k in OUTPUT_KINDS if not (args.offline and k == "html")]
    with _show_warnings():
        written = _write_outputs(coverage, Path(args.out), kinds, "hirakata", DEMO_TITLE)
    _print_written(written, sys.stdout)
    return 0


def _read_map_inputs(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Areas, resources and population (or ``None``) from the input options of ``map``.

    Shared by ``map`` and ``priorities``: the options added by :func:`_add_input_options` and
    ``--category`` (the category of lists without a type column).
    """
    import chiikimap

    district_kw: dict[str, Any] = {}
    for name in ("municipality", "id_col", "name_col"):
        if getattr(args, name) is not None:
            district_kw[name] = getattr(args, name)
    # GeoJSON and GeoPackage carry UTF-8 by definition: the encoding applies to shapefiles only
    if args.encoding is not None and Path(args.areas).suffix.lower() in (".shp", ".dbf"):
        district_kw["encoding"] = args.encoding
    resource_kw = _resource_options(args, "category", "encoding")
    given_files = (*(args.resources or []), *(args.medical or []), *(args.medical_subjects or []))
    for given in (args.areas, *given_files, args.population, args.network):
        if given is not None:
            _require_file(given)
    with _show_warnings("areas"), _stage("areas"):
        _progress(f"圏域を読み込み中 / reading areas: {args.areas}")
        areas = chiikimap.read_districts(args.areas, **district_kw)
    resources = None
    if args.resources:
        with _show_warnings("resources"), _stage("resources"):
            files = list(args.resources)
            _progress(f"資源を読み込み中 / reading resources: {', '.join(files)}")
            resources = chiikimap.read_resources(
                files[0] if len(files) == 1 else files, **resource_kw
            )
    resources = _with_medical(args, resources)
    if len(chiikimap.rejected_rows(resources)):
        medical = "（医療機関の一覧は --medical を付けて）" if args.medical else ""
        _progress(
            f"除外した行は chiikimap inspect ファイル{medical} で行番号・理由とともに確認できます / "
            "chiikimap inspect FILE lists the rejected rows with their reasons"
            + (" (add --medical for a medical list)" if args.medical else "")
        )
    population = None
    with _show_warnings("population"), _stage("population"):
        if args.population:
            _progress(f"人口を読み込み中 / reading population: {args.population}")
            population_kw: dict[str, Any] = {}
            if args.encoding is not None:
                population_kw["encoding"] = args.encoding
            if args.population_id_col is not None:
                # a plain table of counts per area id, joined to the areas just read
                population_kw.update(kind="table", id_col=args.population_id_col, boundaries=areas)
            population = chiikimap.read_population(args.population, **population_kw)
    return areas, resources, population


def _cmd_map(args: argparse.Namespace) -> int:
    import chiikimap

    _check_out_dir(args.out)
    areas, resources, population = _read_map_inputs(args)
    with _show_warnings("analyze"), _stage("analyze"):
        options = _analysis_kw(args, areas)
        _progress("計算中 / analysing")
        coverage = chiikimap.analyze(areas, resources, population, **options)
    _print_overview(coverage, sys.stdout)
    kinds = [k for k in OUTPUT_KINDS if getattr(args, "out_" + k.replace("-", "_"))]
    with _show_warnings():
        written = _write_outputs(
            coverage, Path(args.out), kinds or list(OUTPUT_KINDS), "chiikimap", args.title
        )
    _print_written(written, sys.stdout)
    return 0


def _with_medical(args: argparse.Namespace, resources: Any) -> Any:
    """The resources of ``--resources`` with the medical lists of ``--medical`` merged in."""
    import chiikimap
    from chiikimap.io.medical import read_medical

    if not args.medical:
        return resources
    # the geocoding options serve the medical lists too; their column options do not
    medical_kw = {
        k: v
        for k, v in _resource_options(args).items()
        if k in ("geocode", "address_aliases", "geocode_municipality")
    }
    if args.medical_subjects:
        medical_kw["subjects"] = list(args.medical_subjects)
    with _show_warnings("medical"), _stage("medical"):
        files = list(args.medical)
        _progress(f"医療機関を読み込み中 / reading medical lists: {', '.join(files)}")
        medical = read_medical(files[0] if len(files) == 1 else files, **medical_kw)
        if resources is None:
            return medical
        return chiikimap.merge_resources([resources, medical])


def _analysis_kw(args: argparse.Namespace, areas: Any) -> dict[str, Any]:
    """The keywords of ``analyze`` from --radius, --target, --weight, --check and --network."""
    options: dict[str, Any] = {}
    if args.radius:
        options["radius_m"] = dict(args.radius)
    if args.target:
        options["target"] = dict(args.target)
    if args.weight:
        options["weight"] = args.weight
    checks = list(args.check or [])
    # the category the user gave a list (--category byoin) is measured even when it is one of
    # the categories shown only when named (医療, 障害福祉 …): naming it for the list names it
    own = getattr(args, "category", None)
    if own and own not in checks and _named_only(own):
        checks.append(own)
    if checks:
        options["categories"] = checks
    if args.network:
        options["network"] = _read_network(args.network, areas, options.get("radius_m"))
    return options


def _named_only(key: str) -> bool:
    """True for a category shown only when named (outside the care overview); False when unknown."""
    from chiikimap.taxonomy import default_taxonomy

    tax = default_taxonomy()
    return key in tax.keys and not tax.in_overview(key)


def _read_network(path: str, areas: Any, radius_m: Any) -> Any:
    """The street network of ``--network``, clipped to the areas plus the largest radius, cached.

    The margin is the largest radius of any category (given or default), so no walk within a
    radius leaves the clip. The cache (``<file>.chiikimap-network.npz``, next to the file) makes the next run with the
    same file skip the parsing; it is skipped silently in a read-only folder.
    """
    import chiikimap
    from chiikimap.io.network import CLIP_MARGIN_M
    from chiikimap.taxonomy import default_taxonomy

    radii = [float(c.radius_m) for c in default_taxonomy()]
    radii += list((radius_m or {}).values())
    margin = max([CLIP_MARGIN_M, *radii])
    with _show_warnings("network"), _stage("network"):
        _progress(f"道路網を読み込み中 / reading the street network: {path}")
        return chiikimap.read_network(path, clip_to=areas, margin_m=margin, cache=True)


def _duplicate_text(dup: Any) -> str:
    """One readable line for a merged duplicate row of a reader's report."""
    if not isinstance(dup, dict):
        return str(dup)
    from chiikimap.taxonomy import default_taxonomy

    tax = default_taxonomy()
    added = "、".join(
        tax.label(k) if k in tax else str(k) for k in dup.get("added_categories") or []
    )
    reason = str(dup.get("reason") or "")
    if reason.startswith("重複"):  # resources: the reason says why (事業所番号, same facility …)
        text = f"{dup.get('file', '')} 行 {dup.get('row')}（{dup.get('name', '')}）: {reason}"
        return text + (f"; 種別を追加 / categories added: {added}" if added else "")
    text = (
        f"{dup.get('file', '')} 行 {dup.get('row')} を 行 {dup.get('kept_row')} にまとめました"
        f"（{dup.get('name', '')}）"
    )
    if added:
        text += f"、種別を追加: {added}"
    return f"{text} / row {dup.get('row')} merged into row {dup.get('kept_row')}"


def _describe_report(report: dict[str, Any], n_kept: int, out: TextIO) -> list[str]:
    """Print one reader report; return the notes printed (so that warnings are not repeated)."""
    print(f"  ファイル / file: {report.get('file', '')}", file=out)
    print(f"  形式 / layout: {report.get('layout') or '不明 / unknown'}", file=out)
    columns = report.get("columns") or {}
    if columns:
        print("  認識した列 / columns found:", file=out)
        for role, col in columns.items():
            print(f"    {role} ← {col}", file=out)
    rejected = report.get("rejected") or []
    merged = report.get("duplicates") or []
    n_read = report.get("n_read", n_kept + len(rejected) + len(merged))
    ja_merged = f"・統合 {len(merged)}" if merged else ""
    en_merged = f", merged {len(merged)}" if merged else ""
    print(
        f"  行数 / rows: 読込 {n_read}・採用 {n_kept}・除外 {len(rejected)}{ja_merged} / "
        f"read {n_read}, kept {n_kept}, rejected {len(rejected)}{en_merged}",
        file=out,
    )
    if rejected:
        reasons: dict[str, int] = {}
        for r in rejected:
            reasons[str(r.get("reason", ""))] = reasons.get(str(r.get("reason", "")), 0) + 1
        print("  除外の理由 / rejected because:", file=out)
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"    {n} 行 / rows: {reason}", file=out)
        print("  除外行の例 / examples:", file=out)
        for r in rejected[:5]:
            print(f"    行 / row {r.get('row')}: {r.get('reason')} {r.get('values')}", file=out)
    for w in report.get("duplicates") or []:
        print(f"  重複 / duplicate: {_duplicate_text(w)}", file=out)
    notes = [str(w) for w in report.get("warnings") or []]
    for note in notes:
        print(f"  注意 / note: {note}", file=out)
    for s in report.get("sources") or []:
        print(
            f"  出典 / source: {s.get('credit') or s.get('title', '')} {s.get('date', '')}",
            file=out,
        )
    return notes


def _cmd_inspect(args: argparse.Namespace) -> int:
    import chiikimap
    from chiikimap import _schema as S

    path = _require_file(args.file)
    kw: dict[str, Any] = {"encoding": args.encoding} if args.encoding else {}
    # the resource options (--lat-col, --sheet …) go to read_resources only, the area options
    # (--id-col, --name-col, --municipality) to read_districts, --population-id-col to
    # read_population: every option a message suggests is accepted here
    resource_kw = {**kw, **_resource_options(args)}
    area_kw = {
        **kw,
        **{k: getattr(args, k) for k in ("id_col", "name_col", "municipality") if getattr(args, k)},
    }
    population_kw = {**kw}
    if args.population_id_col:
        population_kw.update(kind="table", id_col=args.population_id_col)
    readers: list[tuple[str, str, Callable[..., Any], dict[str, Any], str]] = [
        ("圏域 / areas", "read_districts", chiikimap.read_districts, area_kw, "areas"),
        (
            "資源一覧 / resources",
            "read_resources",
            chiikimap.read_resources,
            resource_kw,
            "resources",
        ),
        (
            "人口 / population",
            "read_population",
            chiikimap.read_population,
            population_kw,
            "population",
        ),
    ]
    if args.medical:
        readers = [_medical_reader(args, resource_kw)]
    failures: list[tuple[str, str]] = []
    for what, name, reader, reader_kw, stage in readers:
        _progress(f"{name} で読み込みを試行中 / trying {name}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                gdf = reader(str(path), **reader_kw)
            except ChiikimapError as exc:
                hint = _option_hint(stage, [p for p in exc.params if p != "path"])
                failures.append((name, f"{exc} {hint}".strip()))
                continue
            except Exception as exc:  # a reader's bug must not hide the other readers' verdicts
                failures.append((name, f"予期しないエラー / unexpected error: {_message(exc)}"))
                continue
        print(f"{path}: {what} として認識しました / recognised by {name}", file=sys.stdout)
        reports = S.read_reports(gdf)
        if not reports:
            print(f"  {len(gdf)} 行 / rows (読込レポートなし / no read report)", file=sys.stdout)
        shown: set[str] = set()
        for report in reports:
            shown.update(n.strip() for n in _describe_report(report, len(gdf), sys.stdout))
        # a reader warns with the same text it records in its report: print each message once,
        # a repeated one (differing only in numbers) as one line with a count and examples
        fresh = [(str(w.message).strip(), ()) for w in caught]
        for texts, _ in _grouped([(t, p) for t, p in fresh if t not in shown]):
            for line in _aggregated_lines(texts):
                print(f"  注意 / note: {line}", file=sys.stdout)
        for fname, message in failures:
            print(f"  （{fname} では読めませんでした / not {fname}: {message}）", file=sys.stdout)
        return 0
    lines = [f"{path}: どの形式としても読めませんでした / not recognised by any reader"]
    lines += [f"  {name}: {message}" for name, message in failures]
    lines += _geocode_hint(path, resource_kw) if not args.medical else []
    lines += _medical_hint(path) if not args.medical else []
    raise chiikimap.InputFileError("\n".join(lines))


def _medical_reader(
    args: argparse.Namespace, resource_kw: dict[str, Any]
) -> tuple[str, str, Callable[..., Any], dict[str, Any], str]:
    """``inspect --medical``: the file read by read_medical with the geocoding options."""
    from chiikimap.io.medical import read_medical

    keys = ("geocode", "address_aliases", "geocode_municipality")
    medical_kw = {k: v for k, v in resource_kw.items() if k in keys}
    return ("医療機関一覧 / medical list", "read_medical", read_medical, medical_kw, "medical")


def _medical_hint(path: Path) -> list[str]:
    """The hint to read a 届出受理医療機関名簿 with --medical."""
    from chiikimap.io import medical

    try:
        frame, _ = medical._read_table(path)
    except Exception:  # not a table: the failures above say why
        return []
    if not medical._is_meibo(frame):
        return []
    return [
        "  届出受理医療機関名簿です: --medical と --geocode 参照データ で読めます / a "
        "届出受理医療機関名簿: read it with --medical and --geocode REFERENCE"
    ]


def _geocode_hint(path: Path, resource_kw: dict[str, Any]) -> list[str]:
    """The hint to geocode a list that has an address column but no coordinates."""
    from chiikimap import _schema as S
    from chiikimap.io.reference import Reference
    from chiikimap.io.resources import read_resources

    if "geocode" in resource_kw:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # an empty reference: every row unplaced, but the columns found are reported
            layer = read_resources(
                path, **{"category": "kayoi_no_ba", **resource_kw, "geocode": Reference()}
            )
        except Exception:  # not a list with addresses either: the failures above say why
            return []
    reports = S.read_reports(layer)
    columns = (reports[0].get("columns", {}) or {}) if reports else {}
    if "address" not in columns or "lat" in columns:
        return []
    return [
        f"  住所の列があります（{columns['address']}）: --geocode 参照データ で住所から位置を"
        "求められます / there is an address column: --geocode REFERENCE places the rows "
        "from their addresses"
    ]


def _recipe_hint(exc: ChiikimapError) -> str:
    """The recipe key(s) of a recipe run's error, as a line telling where to fix it."""
    keys = [p for p in exc.params if p]
    if not keys:
        return str(exc)
    shown = ", ".join(
        f"[{k.split('.')[0]}] の {k.split('.', 1)[1]}" if "." in k else k for k in keys
    )
    return f"{exc}\n  → レシピの {shown} を直します / fix in the recipe: {', '.join(keys)}"


def _cmd_run(args: argparse.Namespace) -> int:
    from chiikimap.recipe import load_recipe, run_recipe

    path = _require_file(args.recipe)
    formats = [f.replace("-", "_") for f in args.format] if args.format else None
    with _show_warnings("recipe"):
        try:
            recipe = load_recipe(path)
            if args.geocode:  # the references of every list, instead of the recipe's [geocode]
                refs = [str(Path(g).resolve()) for g in args.geocode]
                recipe.data["geocode"] = {**recipe.data.get("geocode", {}), "reference": refs}
            if args.out:
                _check_out_dir(args.out)
            done = run_recipe(recipe, out_dir=args.out, formats=formats, progress=_progress)
        except _CliInputError:
            raise
        except ChiikimapError as exc:
            raise _CliInputError(_recipe_hint(exc)) from exc
    _print_overview(done.coverage, sys.stdout)
    _print_written([*done.outputs, *filter(None, [done.run_json])], sys.stdout)
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from chiikimap.recipe import init_recipe

    _progress(f"フォルダのファイルを調べています / inspecting the files in {args.folder}")
    path, found = init_recipe(args.folder, path=args.recipe, overwrite=args.force)
    labels = {
        "areas": "圏域 / areas",
        "resources": "資源一覧 / resources",
        "population": "人口 / population",
        "indicators": "指標 / indicators",
        "unrecognised": "読めなかった / not recognised",
    }
    for kind, names in found.items():
        if names:
            print(f"{labels[kind]}: {', '.join(names)}", file=sys.stdout)
    print(
        f"レシピを書きました / recipe written: {path}\n"
        f"  出典・日付などを書き足して chiikimap run {path} で実行します / fill in the credits "
        f"and dates, then run: chiikimap run {path}",
        file=sys.stdout,
    )
    return 0


def _add_recipe_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser(
        "run",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="レシピ (TOML) の通りに地図と表を作る / produce the whole pack from a recipe",
        description="レシピファイルに書いた圏域・資源一覧 (複数可、ファイルごとの読み込みオプション"
        "と出典)・人口・計算条件・出力の通りに計算し、出力と run.json を書き出します。\n"
        "Runs a recipe: reads every file with its own options, analyses, and writes the outputs "
        "and run.json (version, recipe, SHA-256 of each input, row counts, totals).",
    )
    run.add_argument("recipe", metavar="RECIPE.toml", help="レシピファイル / the recipe")
    run.add_argument(
        "--out", metavar="DIR", help="出力フォルダ (レシピの [output] dir の代わり) / output folder"
    )
    run.add_argument(
        "--format",
        action="append",
        choices=_format_choices(),
        help="出力形式 (レシピの [output] formats の代わり、複数可) / output format; repeat",
    )
    run.add_argument(
        "--geocode",
        action="append",
        metavar="REFERENCE",
        help="住所から位置を付ける参照データ (レシピの [geocode] reference の代わり、複数回可) / "
        "reference file(s) for the address-only lists, instead of the recipe's [geocode]",
    )
    run.set_defaults(func=_cmd_run)
    ini = sub.add_parser(
        "init",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="フォルダのファイルを調べてレシピのひな形を書く / write a template recipe",
        description="フォルダ内のファイルを圏域・資源一覧・人口として読んでみて、認識したものを書き"
        "込んだ日本語コメント付きのレシピ (recipe.toml) を作ります。\nInspects the files in "
        "FOLDER and writes a commented template recipe with what it recognised.",
    )
    ini.add_argument("folder", metavar="FOLDER", help="ファイルのあるフォルダ / the folder")
    ini.add_argument(
        "--recipe", metavar="FILE", help="書くレシピ (既定 FOLDER/recipe.toml) / recipe to write"
    )
    ini.add_argument(
        "--force", action="store_true", help="既存のレシピを上書き / overwrite an existing recipe"
    )
    ini.set_defaults(func=_cmd_init)


# --- parser -------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An argument parser that takes option names only in full.

    argparse would otherwise take a prefix of an option as the option (``inspect --category``
    silently read as ``--category-col``). Sub-command parsers are made of this class too
    (``add_subparsers`` uses the parser's own class), so every parser of the command has
    ``allow_abbrev=False``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def _build_parser() -> argparse.ArgumentParser:
    debug_help = "エラー時に Python のトレースバックを表示 / show the traceback on errors"
    # the sub-commands accept --debug too; SUPPRESS keeps them from resetting the top-level value
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)

    parser: argparse.ArgumentParser = _Parser(
        prog="chiikimap",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help=debug_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="コマンド / commands")
    _add_demo(sub, common)
    _add_map(sub, common)
    _add_inspect(sub, common)
    _add_recipe_parsers(sub, common)
    return parser


def _add_demo(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    demo = sub.add_parser(
        "demo",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="同梱の枚方市サンプルですべての出力を作る / all outputs for the bundled sample",
        description="同梱の枚方市サンプルを計算し、HTML・PNG・PDF・Excel・GeoPackage を書き出します。\n"
        "Analyses the bundled 枚方市 sample and writes every output.",
    )
    demo.add_argument(
        "--out",
        default="chiikimap_demo",
        metavar="DIR",
        help="出力フォルダ (既定: chiikimap_demo) / output folder",
    )
    demo.add_argument(
        "--offline",
        action="store_true",
        help="HTML はオフライン版だけを書く / write the HTML only in its self-contained offline version",
    )
    demo.set_defaults(func=_cmd_demo)


def _add_map(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    mp = sub.add_parser(
        "map",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="自分のファイルから地図と表を作る / maps and tables from your own files",
        description="圏域・資源・人口のファイルから計算し、地図と表を書き出します。\n"
        "Reads your files, analyses them and writes maps and tables. "
        "Without an output option, every output is written.",
    )
    _add_input_options(mp)
    mp.add_argument(
        "--category",
        metavar="KEY",
        help="種別の列がない資源一覧に使う種別キー (例 kayoi_no_ba)。種別の列がある"
        "ファイルはその列で分類します / category of the resource lists without a "
        "type column; a list with its own type column keeps it",
    )
    _add_analysis_options(mp)
    _add_output_options(mp)
    mp.set_defaults(func=_cmd_map, usage_parser=mp)


def _add_input_options(mp: argparse.ArgumentParser) -> None:
    """The input options of ``map`` (areas, resources, medical lists, population, columns, encoding).

    ``--category`` is added by each command: ``map`` and ``priorities`` give it their own help.
    """
    mp.add_argument(
        "--areas",
        required=True,
        metavar="FILE",
        help="圏域ファイル (A32 中学校区 shp/GeoJSON など) / area polygons",
    )
    mp.add_argument(
        "--resources",
        action="append",
        metavar="FILE",
        help="資源一覧 (CSV/Excel/GeoJSON)、複数可 / resource list; repeat for more",
    )
    _add_medical_options(mp)
    mp.add_argument(
        "--population",
        metavar="FILE",
        help="人口ファイル (地域・年齢別人口、国勢調査 小地域、メッシュ統計、または圏域ごとの"
        "人口表) / population file",
    )
    mp.add_argument(
        "--population-id-col",
        metavar="COL",
        help="人口ファイルが圏域ごとの人口表 (圏域ID と 65歳以上 などの列) のとき、圏域IDの"
        "列名。値は圏域ファイルの圏域IDと同じにします / the population file is a "
        "table of counts per area: name of its area id column (values as the "
        "areas' ids)",
    )
    mp.add_argument(
        "--municipality",
        metavar="CODE",
        help="市区町村コード (5桁) で圏域を絞る / keep areas of this municipality",
    )
    mp.add_argument("--id-col", metavar="C", help="圏域IDの列名 / area id column")
    mp.add_argument("--name-col", metavar="C", help="圏域名の列名 / area name column")
    _add_resource_options(mp)
    mp.add_argument(
        "--encoding",
        metavar="ENC",
        help="文字コード (例 cp932, utf-8)。CSV と shapefile に使います（GeoJSON は常に"
        "UTF-8） / text encoding of CSV files and shapefiles (GeoJSON is always "
        "UTF-8)",
    )


def _add_medical_options(mp: argparse.ArgumentParser) -> None:
    """--medical and --medical-subjects of ``map``."""
    mp.add_argument(
        "--medical",
        action="append",
        metavar="FILE",
        help="医療機関の一覧、複数可: 医療情報ネット（ナビイ）の施設票、地方厚生局の届出受理医療機関"
        "名簿（医科、ダウンロードしたままの Excel。住所だけなので --geocode が必要）、市の医療機関"
        "一覧。種別は 病院 byoin・診療所 shinryojo・歯科 shika・在宅療養支援診療所/病院 "
        "zaitaku_shien・訪問診療 homon_shinryo で、--check で指定したときだけ表と地図に出ます / "
        "medical facility list (ナビイ 施設票, 届出受理医療機関名簿 with --geocode, a city's "
        "list); repeat for more. Its categories are shown when named with --check",
    )
    mp.add_argument(
        "--medical-subjects",
        action="append",
        metavar="FILE",
        help="ナビイの診療科目・診療時間票 (01-2/02-2/03-2)、--medical の施設に ID で結び付けます / "
        "ナビイ 診療科目・診療時間 file joined to the --medical facilities by ID; repeat for more",
    )


def _add_analysis_options(mp: argparse.ArgumentParser) -> None:
    """--check, --radius, --target and --weight of ``map``."""
    mp.add_argument(
        "--check",
        action="append",
        metavar="KEY",
        help="資源が1件もなくても表と地図に出す種別 (例 haishoku)。一覧にない種別は"
        "「空白」と判定されます / category to show even with no resource "
        "(it is then 空白 everywhere); repeat for more",
    )
    mp.add_argument(
        "--radius",
        action="append",
        type=_pair("METRES", _metres),
        metavar="CATEGORY=METRES",
        help="種別ごとの半径 (m) / radius per category",
    )
    mp.add_argument(
        "--target",
        action="append",
        type=_pair("SHARE", _share),
        metavar="CATEGORY=SHARE",
        help="種別ごとの目標カバー率 (0–1 または 80%%) / target share per category",
    )
    mp.add_argument(
        "--weight", choices=_WEIGHTS, help="重み (人口の列、または area) / weight column"
    )
    mp.add_argument(
        "--network",
        metavar="FILE",
        help="OpenStreetMap の道路データ (.osm.pbf / .osm)。距離を道のり（徒歩）で測ります。"
        "解析結果はファイルの隣にキャッシュします / an OpenStreetMap extract: distances are "
        "measured on foot along the streets (cached next to the file)",
    )


def _add_output_options(mp: argparse.ArgumentParser) -> None:
    """--out, --title and the output kinds of ``map``."""
    mp.add_argument(
        "--out",
        default="chiikimap_out",
        metavar="DIR",
        help="出力フォルダ (既定: chiikimap_out) / output folder",
    )
    mp.add_argument(
        "--title",
        metavar="TEXT",
        help="地図の題名 (例: 〇〇市 中学校区別 介護資源の空白・不足) / map title",
    )
    group = mp.add_argument_group("出力 (指定がなければすべて) / outputs (all when none is given)")
    for kind, (pattern, what) in OUTPUT_KINDS.items():
        group.add_argument(
            f"--{kind}",
            dest="out_" + kind.replace("-", "_"),
            action="store_true",
            help=f"{what}: {pattern.format(stem='chiikimap')}",
        )


def _add_inspect(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    ins = sub.add_parser(
        "inspect",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="ファイルが何として読めたかを表示 (計算はしない) / what a file was recognised as",
        description="ファイルを圏域・資源一覧・人口の順に読み込んでみて、認識した形式・列・除外した行と"
        "理由を表示します。計算はしません。\nShows what a file was recognised as, "
        "the columns found and the rows rejected, without computing anything.",
    )
    ins.add_argument("file", metavar="FILE", help="調べるファイル / the file to inspect")
    ins.add_argument("--encoding", metavar="ENC", help="文字コード / text encoding")
    areas_group = ins.add_argument_group("圏域ファイルの列 / area file columns")
    areas_group.add_argument("--id-col", metavar="C", help="圏域IDの列名 / area id column")
    areas_group.add_argument("--name-col", metavar="C", help="圏域名の列名 / area name column")
    areas_group.add_argument(
        "--municipality", metavar="CODE", help="市区町村コード (5桁) / municipality code"
    )
    ins.add_argument(
        "--population-id-col",
        metavar="COL",
        help="圏域ごとの人口表の圏域IDの列名 / area id column of a population table",
    )
    ins.add_argument(
        "--medical",
        action="store_true",
        help="医療機関の一覧として read_medical で読む (ナビイ施設票・届出受理医療機関名簿・市の"
        "医療機関一覧。名簿には --geocode が必要) / read FILE as a medical list with read_medical",
    )
    _add_resource_options(ins)
    ins.set_defaults(func=_cmd_inspect)

    from ._cli_sites import add_sites_parser  # 資源開発: chiikimap sites

    add_sites_parser(sub, common)

    from ._cli_priorities import add_priorities_parser  # 優先圏域: chiikimap priorities

    add_priorities_parser(sub, common)

    from ._cli_compare import add_compare_parser  # 前回との比較: chiikimap compare

    add_compare_parser(sub, common)

    from ._cli_geocode import add_geocode_parser  # 住所から位置: chiikimap geocode

    add_geocode_parser(sub, common)

    from ._cli_batch import add_batch_parser  # 複数市町村: chiikimap batch

    add_batch_parser(sub, common)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: 1 以上の行番号で指定してください / expected a row number ≥ 1"
        )
    return value


def _add_resource_options(parser: argparse.ArgumentParser) -> None:
    """Column, sheet and header-row options of the resource lists."""
    group = parser.add_argument_group(
        "資源一覧の列・シート (自動で見つからないとき) / resource list columns and sheet "
        "(when not found automatically)"
    )
    group.add_argument(
        "--resource-name-col",
        metavar="C",
        help="資源一覧の名称の列名 / name column of the resource lists",
    )
    group.add_argument("--lat-col", metavar="C", help="緯度の列名 / latitude column")
    group.add_argument("--lon-col", metavar="C", help="経度の列名 / longitude column")
    group.add_argument(
        "--category-col", metavar="C", help="種別（サービスの種類）の列名 / category column"
    )
    group.add_argument(
        "--sheet",
        metavar="NAME",
        help="Excel のシート名 (または 0 から数えた番号)。省略時は見出しが見つかる最初の"
        "シート / sheet of an xlsx resource list (name or 0-based position); "
        "default: the first sheet with a recognised header",
    )
    group.add_argument(
        "--header-row",
        type=_positive_int,
        metavar="N",
        help="見出し（列名）の行番号 (1 から)。省略時は表題行を飛ばして自動で探します / "
        "row number of the column names (default: found below title rows)",
    )
    group.add_argument(
        "--geocode",
        action="append",
        metavar="REFERENCE",
        help="座標のない行に住所から位置を付ける参照データ (位置参照情報・アドレス・ベース・"
        "レジストリ・Geolonia、複数回可) / reference file to place rows without coordinates "
        "from their address, offline (repeat for several files)",
    )
    group.add_argument(
        "--aliases",
        metavar="CSV",
        help="住所の別表記の表 (1列目: 一覧での表記、2列目: 参照データの表記; --geocode と使う) / "
        "table of the municipality's address spellings (with --geocode)",
    )
    group.add_argument(
        "--geocode-municipality",
        metavar="NAME",
        help="市区町村名のない住所 (「番町1-8-15」) をこの市区町村で照合する (--geocode と使う) / "
        "municipality of the addresses that name none (with --geocode)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chiikimap`` command line and return its exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        0 on success, 1 for an input or output error, 2 for a usage error, 130 when interrupted
        (Ctrl-C). Errors are printed on stderr as one message, without a traceback unless
        ``--debug`` is given.
    """
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print("\n中断しました / interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    if unknown:
        _unknown_arguments(parser, getattr(args, "command", None), unknown)
        return 2
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    map_like = args.command in ("map", "priorities")  # the same input and analysis options
    if map_like and not args.resources and not args.medical:
        try:  # argparse's own usage error: the usage line, then the message (exit 2)
            args.usage_parser.error(
                "--resources 資源一覧 か --medical 医療機関一覧 を1つ以上指定してください / "
                "give at least one --resources FILE or --medical FILE"
            )
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 2
    if map_like and args.population_id_col and not args.population:
        print(
            "エラー / error: --population-id-col には --population が必要です / "
            "--population-id-col needs --population FILE",
            file=sys.stderr,
        )
        return 2
    problem = _map_usage_problem(args) if map_like else None
    if problem:
        print(f"エラー / error: {problem}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except (ChiikimapError, OSError) as exc:
        _print_error(f"エラー / error: {_message(exc)}", debug=args.debug)
    except Exception as exc:  # a bug: still one message, and how to report it
        _print_error(
            f"内部エラー / internal error: {_message(exc)}\n"
            "  chiikimap の不具合です。--debug を付けた出力を添えて報告してください / this is a bug "
            "in chiikimap; please report it with the output of the same command with --debug",
            debug=args.debug,
        )
    return 1


def _unknown_arguments(
    parser: argparse.ArgumentParser, command: str | None, unknown: list[str]
) -> None:
    """Print the usage and one message for arguments no option takes, naming near options."""
    target = parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            target = action.choices[command]
    known = [o for a in target._actions for o in a.option_strings if o.startswith("--")]
    hints = []
    for word in unknown:
        name = word.split("=", 1)[0]
        near = [k for k in known if k.startswith(name) and name.startswith("--")]
        near = near or difflib.get_close_matches(name, known, n=2, cutoff=0.75)
        if near:
            hints.append(f"{name} → {' / '.join(near)}")
    shown = " ".join(unknown)
    if any(w.startswith("-") for w in unknown):
        ja_fix, en_fix = (
            "オプション名は省略せず正確に書いてください。",
            "write option names in full; ",
        )
    else:  # only stray values: a file name with a space, a value given twice
        ja_fix, en_fix = '値が余っています。空白を含むファイル名は "…" で囲みます。', ""
    text = (
        f"エラー / error: 使えない引数です: {shown}（{ja_fix}使い方は {target.prog} --help）/ "
        f"unrecognized arguments: {shown} ({en_fix}see {target.prog} --help)"
    )
    if hints:
        text += "\n  もしかして / did you mean: " + "; ".join(hints)
    target.print_usage(sys.stderr)
    print(text, file=sys.stderr)


def _print_error(text: str, *, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    print(text, file=sys.stderr)
    if not debug:
        print("（--debug で詳細を表示 / add --debug for the traceback）", file=sys.stderr)


def _map_usage_problem(args: argparse.Namespace) -> str | None:
    """Option combinations ``map`` cannot run with, found before any file is read."""
    from chiikimap.taxonomy import default_taxonomy

    keys = default_taxonomy().keys
    given: list[tuple[str, str]] = [("--category", args.category)] if args.category else []
    for option, pairs in (("--radius", args.radius), ("--target", args.target)):
        given += [(option, key) for key, _ in pairs or []]
    given += [("--check", key) for key in args.check or []]
    unknown = [(option, key) for option, key in given if key not in keys]
    if unknown:
        shown = ", ".join(f"{option} {key}" for option, key in unknown)
        return (
            f"種別キーがありません: {shown}。使える種別キー: {', '.join(keys)} / unknown "
            f"category key ({shown}); valid keys: {', '.join(keys)}"
        )
    if args.medical_subjects and not args.medical:
        return (
            "--medical-subjects は --medical の施設票と一緒に指定します / --medical-subjects "
            "needs --medical"
        )
    if args.weight and args.weight != "area" and not args.population:
        return (
            f"--weight {args.weight} には --population 人口ファイル が必要です。人口がなければ "
            f"--weight area（面積基準）にしてください / --weight {args.weight} needs "
            "--population FILE; without population use --weight area"
        )
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, ChiikimapError):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
