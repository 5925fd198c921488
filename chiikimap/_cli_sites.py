"""``chiikimap sites``: where new places of a category reach the most people out of reach.

Reads the areas, the existing resources and the population as ``chiikimap map`` does, runs
:func:`chiikimap.siting.suggest_sites` with the candidate list (or a lattice), prints the ranked
table and writes the plan's map (HTML), print map (PNG), 圏域カルテ with the sheet 「候補地」
(xlsx) and the ranked table (CSV, UTF-8 with BOM for Excel).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._atomic import atomic_path

__all__ = ["add_sites_parser"]

#: Output kind → (file name, Japanese description).
SITE_OUTPUTS = {
    "html": ("sites.html", "候補地の地図"),
    "offline_html": (
        "sites_offline.html",
        "候補地の地図（インターネットなしで開ける版、LGWAN 端末向け）",
    ),
    "png": ("sites.png", "候補地の印刷用地図"),
    "xlsx": ("sites_karte.xlsx", "圏域カルテ（候補地シート付き）"),
    "csv": ("sites.csv", "候補地の順位表"),
}


def add_sites_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``sites`` sub-command to the ``chiikimap`` parser."""
    from .cli import _WEIGHTS, _add_resource_options, _metres, _positive_int

    sp = sub.add_parser(
        "sites",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="新しい場所の候補地を選ぶ (資源開発) / where new places reach the most people",
        description="既存の資源では届かない人に最も多く届く候補地を k か所選び、順位表・地図・"
        "カルテを書き出します。\nChooses the k candidate places that bring the most people "
        "newly within reach of a category, given the existing resources.",
    )
    sp.add_argument("--areas", required=True, metavar="FILE", help="圏域ファイル / area polygons")
    sp.add_argument(
        "--category", required=True, metavar="KEY", help="開設する種別 (例 kayoi_no_ba) / category"
    )
    sp.add_argument(
        "--candidates",
        metavar="FILE",
        help="候補地の一覧 (公民館・集会所など CSV/Excel/GeoJSON)。省略すると圏域内の格子点 / "
        "candidate places; without it a lattice of points inside the areas",
    )
    sp.add_argument("-k", type=_positive_int, default=5, help="選ぶ数 (既定 5) / number of sites")
    sp.add_argument(
        "--method",
        choices=("exact", "greedy"),
        default="exact",
        help="exact: 最適解 (整数計画) / greedy: 貪欲法 (速い)",
    )
    sp.add_argument(
        "--resources",
        action="append",
        default=[],
        metavar="FILE",
        help="既存の資源一覧、複数可 / existing resources; repeat for more",
    )
    sp.add_argument("--population", metavar="FILE", help="人口ファイル / population file")
    sp.add_argument("--weight", choices=_WEIGHTS, help="重み / weight column")
    sp.add_argument("--radius", type=_metres, metavar="METRES", help="半径 (m) / radius")
    sp.add_argument(
        "--max-per-area", type=_positive_int, metavar="N", help="圏域あたり最大 N か所 / at most N"
    )
    sp.add_argument(
        "--only-gaps",
        action="store_true",
        help="空白・不足の圏域だけに置く / only in 空白/不足 areas",
    )
    sp.add_argument("--municipality", metavar="CODE", help="市区町村コード / municipality code")
    sp.add_argument("--id-col", metavar="C", help="圏域IDの列名 / area id column")
    sp.add_argument("--name-col", metavar="C", help="圏域名の列名 / area name column")
    sp.add_argument("--encoding", metavar="ENC", help="文字コード / text encoding")
    _add_resource_options(sp)
    sp.add_argument("--out", default="chiikimap_sites", metavar="DIR", help="出力フォルダ / folder")
    group = sp.add_argument_group("出力 (指定がなければすべて) / outputs (all when none is given)")
    for kind, (name, what) in SITE_OUTPUTS.items():
        group.add_argument(
            f"--{kind.replace('_', '-')}",
            dest="out_" + kind,
            action="store_true",
            help=f"{what}: {name}",
        )
    sp.set_defaults(func=run_sites)


def _read_inputs(args: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    import geopandas as gpd

    import chiikimap

    from . import _schema as S
    from .cli import _progress, _require_file, _resource_options, _show_warnings, _stage

    for given in (args.areas, *args.resources, args.population, args.candidates):
        if given is not None:
            _require_file(given)
    district_kw = {n: getattr(args, n) for n in ("municipality", "id_col", "name_col")}
    district_kw = {k: v for k, v in district_kw.items() if v is not None}
    resource_kw = _resource_options(args, "encoding")
    with _show_warnings("areas"), _stage("areas"):
        _progress(f"圏域を読み込み中 / reading areas: {args.areas}")
        areas = chiikimap.read_districts(args.areas, **district_kw)
    with _show_warnings("resources"), _stage("resources"):
        if args.resources:
            _progress(f"資源を読み込み中 / reading resources: {', '.join(args.resources)}")
            files = list(args.resources)
            resources = chiikimap.read_resources(
                files[0] if len(files) == 1 else files, **resource_kw
            )
        else:
            resources = gpd.GeoDataFrame(  # no existing resources of any kind
                {c: [] for c in S.RESOURCE_COLUMNS if c != S.GEOMETRY},
                geometry=[],
                crs=S.STORAGE_CRS,
            )
        candidates = None
        if args.candidates:
            _progress(f"候補地を読み込み中 / reading candidates: {args.candidates}")
            candidates = chiikimap.read_resources(
                args.candidates, **{**resource_kw, "category": args.category}
            )
    population = None
    with _show_warnings("population"), _stage("population"):
        if args.population:
            _progress(f"人口を読み込み中 / reading population: {args.population}")
            kw = {"encoding": args.encoding} if args.encoding else {}
            population = chiikimap.read_population(args.population, **kw)
    return areas, resources, population, candidates


def run_sites(args: argparse.Namespace) -> int:
    """Run ``chiikimap sites``; returns the exit code."""
    import chiikimap

    from .cli import _check_out_dir, _print_written, _progress, _show_warnings, _stage

    _check_out_dir(args.out)
    areas, resources, population, candidates = _read_inputs(args)
    with _show_warnings("analyze"), _stage("analyze"):
        _progress("計算中 / analysing")
        options: dict[str, Any] = {"categories": [args.category]}
        if args.weight:
            options["weight"] = args.weight
        if args.radius:
            options["radius_m"] = {args.category: args.radius}
        coverage = chiikimap.analyze(areas, resources, population, **options)
        _progress(f"候補地を選択中 / choosing sites ({args.method}, k = {args.k})")
        plan = coverage.suggest_sites(
            candidates,
            args.category,
            k=args.k,
            method=args.method,
            max_per_area=args.max_per_area,
            only_gaps=args.only_gaps,
        )
    _print_plan(plan)
    kinds = [k for k in SITE_OUTPUTS if getattr(args, "out_" + k)] or list(SITE_OUTPUTS)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with _show_warnings():
        for kind in kinds:
            path = out / SITE_OUTPUTS[kind][0]
            _progress(f"書き出し中 / writing {SITE_OUTPUTS[kind][1]}: {path}")
            if kind == "html":
                plan.save_html(path)
            elif kind == "offline_html":
                plan.save_html(path, offline=True)
            elif kind == "png":
                plan.save_static(path)
            elif kind == "xlsx":
                plan.to_excel(path)
            else:
                with atomic_path(path) as tmp:
                    plan.table.to_csv(tmp, index=False, encoding="utf-8-sig")
            written.append(path)
    _print_written(written, sys.stdout)
    return 0


def _print_plan(plan: Any) -> None:
    info = plan.before.info
    label = plan.before.taxonomy.label(plan.category)
    print(
        f"{label}: 候補 {plan.n_candidates} か所から {len(plan.table)} か所 "
        f"（半径 {plan.radius_m:,.0f} m, {plan.method}, 基準 {info.weight_label}）"
    )
    for row in plan.table.itertuples(index=False):
        area = row.area_name if isinstance(row.area_name, str) else "（圏域外）"
        print(
            f"{row.rank:>3}. {row.name}（{area}）  新たに届く {row.new_weight:,.0f}  "
            f"累計 {row.cumulative_weight:,.0f}  全体のカバー率 {row.coverage_after:.1%}"
        )
