"""``chiikimap geocode``: place a list that has only addresses, offline, for checking in Excel."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_geocode_parser"]


def add_geocode_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``geocode`` sub-command to the ``chiikimap`` parser."""
    gp = sub.add_parser(
        "geocode",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="住所から位置を付ける (オフライン) / geocode a list offline from its addresses",
        description="座標のない行に、住所と参照データ (位置参照情報・アドレス・ベース・レジストリ・"
        "Geolonia 住所データ) から経度・緯度を付け、照合の水準 (住居/地番/街区/近隣番地/町丁目/大字) と"
        "理由の列を足した CSV を書き出します。市区町村までしか一致しない行は位置を付けません。"
        "住所と緯度・経度を持つ一覧 (市のオープンデータの AED・公園の一覧、確かめて直した "
        "LIST_geocoded.csv など) も参照データにでき、同じ番地・近い番地の位置を使います。\n"
        "Fills longitude/latitude of rows without coordinates from their address and a reference "
        "file, adding the match level and reason; a municipality-only match is left unplaced.",
    )
    gp.add_argument("file", metavar="LIST", help="資源の一覧 (CSV/xlsx) / the list")
    gp.add_argument(
        "--reference",
        required=True,
        nargs="+",
        metavar="FILE",
        help="参照データ (JSON/CSV/ZIP/xlsx、複数可。住所と緯度・経度の一覧も可) / reference "
        "file(s), including lists with addresses and coordinates",
    )
    gp.add_argument("--out", metavar="CSV", help="出力 CSV (既定 LIST_geocoded.csv) / output CSV")
    gp.add_argument("--address-col", metavar="C", help="住所の列名 / address column")
    gp.add_argument(
        "--municipality",
        metavar="NAME",
        help="参照ファイルが市区町村名を持たないとき (街区辞書など) の市区町村名。市区町村名を書いて"
        "いない住所もこの市区町村で照合します / municipality of the reference, also used for "
        "addresses that name no municipality",
    )
    gp.add_argument("--sheet", metavar="NAME", help="Excel のシート名 / sheet of an xlsx list")
    gp.add_argument(
        "--aliases",
        metavar="CSV",
        help="住所の別表記の表 (CSV/xlsx; 1列目: 一覧での表記、2列目: 参照データの表記) / "
        "table of the municipality's address spellings (as written, as in the reference)",
    )
    gp.add_argument(
        "--cache",
        action="store_true",
        help="参照データの索引を参照ファイルの隣に保存して次回から再利用 / keep the reference "
        "index next to the reference file and reuse it while the file is unchanged",
    )
    gp.set_defaults(func=_cmd_geocode)


def _cmd_geocode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .geocode import geocode_file
    from .io.aliases import resolve_aliases
    from .io.reference import read_reference

    path = Path(args.file)
    out = Path(args.out) if args.out else path.with_name(f"{path.stem}_geocoded.csv")
    ref = read_reference(args.reference, municipality=args.municipality, cache=args.cache)
    table = geocode_file(
        path,
        ref,
        out,
        address_col=args.address_col,
        sheet=args.sheet,
        municipality=args.municipality,
        aliases=resolve_aliases(args.aliases),
    )
    levels = table["geocode_level"].replace("", "未照合 / not placed").value_counts()
    print(f"{out} を書き出しました / written ({len(table)} 行 / rows)", file=sys.stdout)
    for level, count in levels.items():
        print(f"  {level}: {count}", file=sys.stdout)
    for line in _point_summary(ref):
        print(line, file=sys.stdout)
    if ref.point_rejects:
        unused = out.with_name(f"{out.stem}_unused_points.csv")
        _write_point_rejects(ref.point_rejects, unused)
        print(f"  使わなかった行の一覧 / every row not used: {unused}", file=sys.stdout)
    return 0


def _write_point_rejects(rows: list[tuple[str, int, str, str]], path: Any) -> None:
    """Every row of the point lists not used as a known point, with its file, row and reason."""
    import pandas as pd

    from ._atomic import atomic_path

    table = pd.DataFrame(rows, columns=["ファイル", "行", "住所", "理由"])
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")


def _point_summary(ref: Any) -> list[str]:
    """What the point lists among the references gave: known points used, rows not used and why."""
    used = sum(len(n) for index in ref.municipalities.values() for n, _ in index.known.values())
    if not used and not ref.point_rejects:
        return []
    lines = [
        f"既知地点（住所と緯度・経度の一覧）: {used} 行を使用、{len(ref.point_rejects)} 行は"
        f"使いません / known points: {used} used, {len(ref.point_rejects)} not used"
    ]
    import re

    reasons: dict[str, list[tuple[str, int, str]]] = {}
    for source, row, address, reason in ref.point_rejects:
        # one line per kind of reason: distances and municipality names vary row by row
        kind = re.sub(r"[\d,]+ m", "… m", reason)
        kind = re.sub(r"^\S+ は参照データの市区町村ではありません", "他の市区町村の行です", kind)
        reasons.setdefault(kind, []).append((source, row, address))
    for reason, rows in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        examples = "、".join(f"{s} {r} 行目「{a}」" for s, r, a in rows[:2])
        lines.append(f"  {len(rows)} 行: {reason}（例: {examples}）")
    return lines
