"""``chiikimap priorities``: areas ranked by at-risk people out of reach (need × gap).

Reads the areas, resources and population with the options of ``chiikimap map``, an indicator
table per area (:func:`chiikimap.read_indicators`), runs :func:`chiikimap.analyze` with it and
writes the priority view of one share indicator × one category: the map (HTML, online or
offline), the print map (PNG/PDF) and the 圏域カルテ with the sheet 「優先圏域」 (xlsx) — the same
files as a recipe's ``[priorities]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PRIORITY_OUTPUTS", "add_priorities_parser", "run_priorities"]

#: Output kind → (file name pattern, Japanese description); ``{stem}`` is
#: ``chiikimap_priority_<category>``, the name a recipe's ``[priorities]`` gives.
PRIORITY_OUTPUTS: dict[str, tuple[str, str]] = {
    "html": ("{stem}.html", "優先圏域の地図 (HTML)"),
    "png": ("{stem}.png", "優先圏域の印刷用地図 (PNG)"),
    "pdf": ("{stem}.pdf", "優先圏域の印刷用地図 (PDF)"),
    "xlsx": ("{stem}.xlsx", "圏域カルテ（優先圏域シート付き）"),
}

#: rows of the ranking printed on the terminal (the workbook has them all)
_SHOWN = 10


def add_priorities_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``priorities`` sub-command to the ``chiikimap`` parser."""
    from .cli import _add_analysis_options, _add_input_options

    pp = sub.add_parser(
        "priorities",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="ニーズ×不足で圏域に優先順位を付ける / areas ranked by need × gap",
        description="圏域・資源・人口 (chiikimap map と同じ指定) と圏域ごとの指標の表 (ニーズ調査の"
        "割合など) から、指標の該当者のうち種別の資源に届かない人の推計で圏域に順位を付け、"
        "優先圏域の地図・印刷用地図・カルテを書き出します。\nRanks the areas by the people "
        "at risk (an indicator's share) out of reach of a category, and writes the priority "
        "map, print map and workbook.",
        epilog="例 / example:\n  chiikimap priorities --areas 圏域.geojson --resources 通いの場.xlsx "
        "\\\n      --population 人口.xlsx --indicators ニーズ調査_圏域別.csv \\\n"
        "      --indicator 閉じこもり傾向 --category kayoi_no_ba --out 優先圏域",
    )
    _add_input_options(pp)
    pp.add_argument(
        "--category",
        required=True,
        metavar="KEY",
        help="順位を付ける種別キー (例 kayoi_no_ba)。種別の列がない資源一覧もこの種別として"
        "読みます / category whose gaps are ranked; resource lists without a type column are "
        "read as this category",
    )
    _add_indicator_options(pp)
    _add_analysis_options(pp)
    pp.add_argument(
        "--out",
        default="chiikimap_priorities",
        metavar="DIR",
        help="出力フォルダ (既定: chiikimap_priorities) / output folder",
    )
    pp.add_argument("--title", metavar="TEXT", help="地図の題名 / map title")
    group = pp.add_argument_group("出力 (指定がなければすべて) / outputs (all when none is given)")
    for kind, (pattern, what) in PRIORITY_OUTPUTS.items():
        name = pattern.format(stem="chiikimap_priority_<KEY>")
        group.add_argument(
            f"--{kind}", dest="out_" + kind, action="store_true", help=f"{what}: {name}"
        )
    group.add_argument(
        "--offline",
        action="store_true",
        help="HTML をオフライン版 (1ファイルでネットなしで開ける) で書く / write the HTML in its "
        "self-contained offline version: chiikimap_priority_<KEY>_offline.html",
    )
    pp.set_defaults(func=run_priorities, usage_parser=pp)


def _add_indicator_options(pp: argparse.ArgumentParser) -> None:
    """--indicators FILE, --indicator NAME and the options of :func:`chiikimap.read_indicators`."""
    from .cli import _positive_int

    group = pp.add_argument_group("指標 / indicators")
    group.add_argument(
        "--indicators",
        required=True,
        metavar="FILE",
        help="圏域ごとの指標の表 (CSV/Excel: 1行1圏域、ニーズ調査の割合など) / table of "
        "indicators per area (one row per area)",
    )
    group.add_argument(
        "--indicator",
        required=True,
        metavar="NAME",
        help="割合の指標の列名 (例 閉じこもり傾向) / the share indicator column to rank by",
    )
    group.add_argument(
        "--indicator-id-col",
        metavar="C",
        help="指標の表の圏域IDの列名 (圏域ファイルの圏域IDと照合) / area id column of the table",
    )
    group.add_argument(
        "--indicator-name-col",
        metavar="C",
        help="指標の表の圏域名の列名 (既定: 圏域・地区・校区などを含む列) / area name column",
    )
    group.add_argument(
        "--indicator-sheet",
        metavar="NAME",
        help="指標の表の Excel シート名 (または 0 から数えた番号) / sheet (name or 0-based position)",
    )
    group.add_argument(
        "--indicator-header-row",
        type=_positive_int,
        metavar="N",
        help="指標の表の見出しの行番号 (1 から) / row number of the column names",
    )
    group.add_argument(
        "--indicator-source",
        metavar="TEXT",
        help="指標の出典 (例 介護予防・日常生活圏域ニーズ調査（○○市）、既定: ファイル名) / "
        "source to credit (default: the file name)",
    )
    group.add_argument(
        "--indicator-date",
        metavar="DATE",
        help="指標の調査年・日付 (例 2022、--indicator-source と使う) / survey year or date "
        "(with --indicator-source)",
    )


def _read_indicator_table(args: argparse.Namespace) -> pd.DataFrame:
    import chiikimap

    from ._errors import check_choice
    from .cli import _progress, _require_file, _sheet_value, _show_warnings, _stage
    from .needs import SHARE, indicator_kinds

    _require_file(args.indicators)
    kw: dict[str, Any] = {}
    for attr, keyword in (
        ("indicator_id_col", "id_col"),
        ("indicator_name_col", "name_col"),
        ("indicator_header_row", "header_row"),
    ):
        if getattr(args, attr) is not None:
            kw[keyword] = getattr(args, attr)
    if args.indicator_sheet is not None:
        kw["sheet"] = _sheet_value(args.indicator_sheet)
    if args.indicator_source or args.indicator_date:
        title = args.indicator_source or f"指標（{Path(args.indicators).name}）"
        kw["source"] = chiikimap.Source(title=title, date=args.indicator_date or "")
    with _show_warnings("indicators"), _stage("indicators"):
        _progress(f"指標を読み込み中 / reading indicators: {args.indicators}")
        table = chiikimap.read_indicators(args.indicators, **kw)
    shares = [k for k, v in indicator_kinds(table).items() if v["kind"] == SHARE]
    with _stage("priorities"):
        check_choice("indicator", args.indicator, shares)
    return table


def _analyse(args: argparse.Namespace) -> Any:
    """The Coverage of the inputs with the indicators, its priorities checked."""
    import chiikimap

    from .cli import _analysis_kw, _progress, _read_map_inputs, _show_warnings, _stage

    indicators = _read_indicator_table(args)  # first: a wrong --indicator fails at once
    areas, resources, population = _read_map_inputs(args)
    with _show_warnings("analyze"), _stage("analyze"):
        options = _analysis_kw(args, areas)
        # the ranked category is shown even when no resource has it (then 空白 everywhere)
        options["categories"] = list(dict.fromkeys([*options.get("categories", []), args.category]))
        _progress("計算中 / analysing")
        coverage = chiikimap.analyze(areas, resources, population, indicators=indicators, **options)
    with _show_warnings("priorities"), _stage("priorities"):
        coverage.priorities(args.indicator, args.category)  # a wrong name fails before writing
    return coverage


def run_priorities(args: argparse.Namespace) -> int:
    """Run ``chiikimap priorities``; returns the exit code."""
    from .cli import _check_out_dir, _print_written, _show_warnings

    _check_out_dir(args.out)
    coverage = _analyse(args)
    _print_ranking(coverage.priorities(args.indicator, args.category), coverage, args)
    kinds = [k for k in PRIORITY_OUTPUTS if getattr(args, "out_" + k)]
    if not kinds:
        kinds = list(PRIORITY_OUTPUTS)
    elif args.offline and "html" not in kinds:  # --offline asks for the HTML
        kinds.insert(0, "html")
    with _show_warnings("outputs"):
        written = _write(coverage, args, kinds)
    _print_written(written, sys.stdout)
    return 0


def _write(coverage: Any, args: argparse.Namespace, kinds: list[str]) -> list[Path]:
    from ._errors import file_errors
    from .cli import _progress, _stage
    from .maps.needs import save_priority_html, save_priority_static
    from .needs import priority_to_excel

    out = Path(args.out)
    with _stage("outputs"), file_errors(out, writing=True, param="out"):
        out.mkdir(parents=True, exist_ok=True)
    stem = f"chiikimap_priority_{args.category}"
    titled: dict[str, Any] = {"title": args.title} if args.title else {}
    pair = (args.indicator, args.category)
    written: list[Path] = []
    for kind in kinds:
        pattern, what = PRIORITY_OUTPUTS[kind]
        offline = kind == "html" and args.offline
        path = out / pattern.format(stem=stem + ("_offline" if offline else ""))
        _progress(f"書き出し中 / writing {what}: {path}")
        with _stage("outputs"), file_errors(path, writing=True, param="out"):
            if kind == "html":
                save_priority_html(coverage, path, *pair, offline=offline, **titled)
            elif kind == "xlsx":
                priority_to_excel(coverage, path, *pair)
            else:
                save_priority_static(coverage, path, *pair, **titled)
        written.append(path)
    return written


def _print_ranking(table: pd.DataFrame, coverage: Any, args: argparse.Namespace) -> None:
    label = coverage.taxonomy.label(args.category)
    unit = "人" if coverage.info.basis == "population" else "m²"
    print(
        f"優先圏域 / priorities: {args.indicator} × {label}（基準 {coverage.info.weight_label}、"
        f"高ニーズ＝中央値 {table.attrs.get('median_share', float('nan')):.1%} 以上）"
    )
    for rec in table.head(_SHOWN).to_dict("records"):
        share, reach = float(rec["share"]), float(rec["at_risk_uncovered"])
        print(
            f"{int(rec['rank']):>3}. {rec['area_name']}  {rec['quadrant']}  {args.indicator} "
            f"{'—' if np.isnan(share) else f'{share:.1%}'}  届かない該当者 "
            f"{'—' if np.isnan(reach) else f'{reach:,.0f}'} {unit}"
        )
    if len(table) > _SHOWN:
        print(
            f"  … 他 {len(table) - _SHOWN} 圏域 (Excel の「優先圏域」シート) / more in the workbook"
        )
