"""``chiikimap compare OLD NEW --out DIR``: what changed between two runs of a recipe.

OLD and NEW are output folders of ``chiikimap run`` (each with ``run.json`` and the
GeoPackage). The command prints the changes (status per area × category, resources opened and
closed) and writes the change table (xlsx with the sheets 「前回との比較」, 「開設・廃止」,
「出典・条件」, and CSV in UTF-8 with BOM for Excel), the 「変化」 map (HTML, and one
self-contained HTML that works with no network) and the print map (PDF and PNG).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._atomic import atomic_path

__all__ = ["COMPARE_OUTPUTS", "add_compare_parser", "run_compare"]

#: Output kind → (file name, Japanese description).
COMPARE_OUTPUTS = {
    "xlsx": ("compare.xlsx", "前回との比較（表）"),
    "csv": ("compare.csv", "前回との比較（CSV）"),
    "html": ("compare.html", "変化の地図"),
    "offline_html": ("compare_offline.html", "変化の地図（オフライン用）"),
    "pdf": ("compare.pdf", "変化の印刷用地図（PDF）"),
    "png": ("compare.png", "変化の印刷用地図（PNG）"),
}


def add_compare_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``compare`` sub-command to the ``chiikimap`` parser."""
    sp = sub.add_parser(
        "compare",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="前回の実行との比較 (開設・廃止、空白→充足) / compare two runs",
        description="chiikimap run の出力フォルダ 2 つ（前回 OLD と今回 NEW）を比べ、圏域 × 種別ごとの"
        "判定・カバー率・資源数の変化と、開設・廃止した資源を表と地図にします。\nCompares two "
        "output folders of chiikimap run (each with run.json and the GeoPackage).",
    )
    sp.add_argument("old", metavar="OLD", help="前回の出力フォルダ / the earlier run's folder")
    sp.add_argument("new", metavar="NEW", help="今回の出力フォルダ / the later run's folder")
    sp.add_argument(
        "--out", default="chiikimap_compare", metavar="DIR", help="出力フォルダ / output folder"
    )
    sp.add_argument(
        "--category",
        metavar="KEY",
        help="地図に出す種別 (省略時はすべての種別) / category shown on the maps (default: all)",
    )
    group = sp.add_argument_group("出力 (指定がなければすべて) / outputs (all when none is given)")
    for kind, (name, what) in COMPARE_OUTPUTS.items():
        group.add_argument(
            f"--{kind.replace('_', '-')}",
            dest="out_" + kind,
            action="store_true",
            help=f"{what}: {name}",
        )
    sp.set_defaults(func=run_compare)


def _print_changes(changes: Any, moves: Any, after: Any) -> None:
    n = moves["change"].value_counts()
    print(
        f"資源: 開設 {int(n.get('opened', 0))}・廃止 {int(n.get('closed', 0))}・継続 "
        f"{int(n.get('kept', 0))} / resources opened, closed, kept"
    )
    shown = changes[
        (changes["status_change"] != "") | (changes["n_opened"] + changes["n_closed"] > 0)
    ]
    for r in shown.itertuples(index=False):
        label = after.taxonomy.label(r.category) if r.category in after.taxonomy else r.category
        status = r.status_change or "判定は同じ"
        print(
            f"  {r.area_name} × {label}: {status}  資源 {r.n_resources_before:.0f}→"
            f"{r.n_resources_after:.0f}（開設 {r.n_opened}・廃止 {r.n_closed}）"
        )
    flagged = changes.loc[changes["boundary_changed"], "area_name"].unique()
    if len(flagged):
        print(f"境界が変わった圏域（比較していません）: {'、'.join(map(str, flagged))}")


def run_compare(args: argparse.Namespace) -> int:
    """Run ``chiikimap compare``; returns the exit code."""
    from ._errors import check_choice
    from ._needs_excel import compare_to_excel
    from .cli import _check_out_dir, _print_written, _progress, _show_warnings, _stage
    from .compare import comparable_pair, compare, resource_changes
    from .maps.needs import save_change_html, save_change_static

    _check_out_dir(args.out)
    with _show_warnings(), _stage("compare"):
        _progress(f"読み込み中 / reading {args.old} と {args.new}")
        before, after = comparable_pair(_folder(args.old), _folder(args.new, "after"))
        if args.category is not None:
            check_choice("category", args.category, after.categories)
        changes = compare(before, after)
        _print_changes(changes, resource_changes(before, after), after)
    kinds = [k for k in COMPARE_OUTPUTS if getattr(args, "out_" + k)] or list(COMPARE_OUTPUTS)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with _show_warnings():
        for kind in kinds:
            path = out / COMPARE_OUTPUTS[kind][0]
            _progress(f"書き出し中 / writing {COMPARE_OUTPUTS[kind][1]}: {path}")
            if kind == "xlsx":
                compare_to_excel(before, after, path)
            elif kind == "csv":
                with atomic_path(path) as tmp:
                    changes.to_csv(tmp, index=False, encoding="utf-8-sig")
            elif kind in ("html", "offline_html"):
                save_change_html(
                    before, after, path, offline=kind == "offline_html", category=args.category
                )
            else:
                save_change_static(before, after, path, category=args.category)
            written.append(path)
    _print_written(written, sys.stdout)
    return 0


def _folder(path: str, param: str = "before") -> Any:
    from ._runs import load_run

    return load_run(path, param=param)
