"""``chiikimap batch``: one recipe over many municipalities, in this process or on Dask."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_batch_parser"]

#: parameters of chiikimap.batch that are options of the command
_OPTIONS = ("municipality", "workers", "scheduler")


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: 1 以上の整数で指定してください / expected a number ≥ 1"
        )
    return value


def add_batch_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``batch`` sub-command to the ``chiikimap`` parser."""
    from .cli import _format_choices

    bp = sub.add_parser(
        "batch",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="レシピを市町村ごとに一括実行 (Dask で並列可) / run a recipe for many municipalities",
        description="圏域ファイルに複数の市町村 (都道府県・全国の A32 など) を含むレシピを、市町村ごとに"
        "実行します。ファイルは一度だけ読み、市町村コードで分けて実行し、<code>_<name>/ に各市町村の"
        "出力と run.json、全体の summary.xlsx と summary.html (第1層の市町村地図) を書きます。入力が"
        "前回と同じ市町村はスキップします。\nRuns a recipe whose areas hold many municipalities: "
        "the files are read once and split by municipality code; each municipality gets its "
        "folder with its pack and run.json, plus summary.xlsx and summary.html. Municipalities "
        "whose inputs are unchanged since the last run are skipped.",
        epilog="例 / examples:\n"
        "  chiikimap batch 奈良県.toml --municipality 29 --out 出力\n"
        "  chiikimap batch 全国.toml --workers 8\n"
        "  chiikimap batch 全国.toml --scheduler tcp://192.168.0.10:8786",
    )
    bp.add_argument("recipe", metavar="RECIPE.toml", help="レシピファイル / the recipe")
    bp.add_argument(
        "--municipality",
        metavar="CODES",
        action="append",
        help="市町村コード (カンマ区切り可)・2桁の都道府県コード・all (既定: all) / municipality "
        "codes (comma-separated), a 2-digit prefecture code, or all",
    )
    engine = bp.add_mutually_exclusive_group()
    engine.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="この PC で N 個のワーカープロセスを起動して並列実行 (Dask LocalCluster) / start a "
        "local Dask cluster of N worker processes",
    )
    engine.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="起動済みの Dask スケジューラ (例 tcp://host:8786) で実行 / run on an existing "
        "Dask cluster",
    )
    bp.add_argument(
        "--out", metavar="DIR", help="出力フォルダ (レシピの [output] dir の代わり) / output folder"
    )
    bp.add_argument(
        "--format",
        action="append",
        choices=_format_choices(),
        help="出力形式 (レシピの [output] formats の代わり、複数可) / output format; repeat",
    )
    bp.set_defaults(func=_cmd_batch)


def _progress(message: str) -> None:
    print(f"[chiikimap] {message}", file=sys.stderr, flush=True)


def _cmd_batch(args: argparse.Namespace) -> int:
    from ._errors import ChiikimapError
    from .batch import batch
    from .cli import _check_out_dir, _CliInputError, _recipe_hint, _require_file, _show_warnings
    from .recipe import load_recipe

    path = _require_file(args.recipe)
    formats = [f.replace("-", "_") for f in args.format] if args.format else None
    with _show_warnings("recipe"):
        try:
            recipe = load_recipe(path)
            if args.out:
                _check_out_dir(args.out)
            done = batch(
                recipe,
                municipality=args.municipality,
                workers=args.workers,
                scheduler=args.scheduler,
                out_dir=args.out,
                formats=formats,
                progress=_progress,
            )
        except ChiikimapError as exc:
            options = [f"--{p}" for p in exc.params if p in _OPTIONS]
            if options:
                hint = f"{exc}\n  → コマンドの {', '.join(options)} を直します / fix {', '.join(options)}"
                raise _CliInputError(hint) from exc
            raise _CliInputError(_recipe_hint(exc)) from exc
    counts = {s: sum(r.status == s for r in done.results) for s in ("ok", "skipped", "error")}
    print(
        f"完了 {counts['ok']}・スキップ {counts['skipped']}・エラー {counts['error']} / "
        f"done {counts['ok']}, skipped {counts['skipped']}, failed {counts['error']}"
    )
    for failed in done.failed:
        print(f"  エラー / error: {failed.code} {failed.name}: {failed.error.splitlines()[0]}")
    for written in (done.workbook, done.map):
        if written is not None:
            print(written)
    return 1 if counts["error"] else 0
