"""The HTML booklet: one self-contained file, printable with CSS page breaks.

The map of each area is an inline SVG drawn from the same numbered entries as the PDF (no tiles,
no scripts, nothing fetched); every data value is escaped with :func:`chiikimap._html.esc`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import _schema as S
from ._atomic import atomic_path
from ._html import esc
from .booklet import NEARBY_HEADING, AreaBook, Entry, lack_text, source_lines

if TYPE_CHECKING:  # pragma: no cover
    from .result import Coverage

_CSS = """
@page { size: %(paper)s portrait; margin: 12mm; }
body { font-family: "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif;
       font-size: %(body)spt; line-height: 1.45; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 2em; margin-top: 30mm; }
h2 { font-size: 1.5em; border-bottom: 2px solid #333; }
h3 { font-size: 1.15em; margin: 1em 0 0.3em; }
section.cover, section.contents, section.area { break-after: page; page-break-after: always; }
.map { break-after: page; page-break-after: always; }
svg { display: block; width: 100%%; height: auto; max-height: 165mm; border: 1px solid #ccc; }
.legend { columns: 2; font-size: 0.9em; margin: 4px 0; padding: 0; list-style: none; }
.legend li { break-inside: avoid; }
.dot { display: inline-block; width: 0.8em; height: 0.8em; border: 2px solid; border-radius: 50%%;
       margin-right: 0.3em; vertical-align: middle; }
td.tel { white-space: nowrap; }
table { border-collapse: collapse; width: 100%%; }
th, td { border-bottom: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.lacks { border: 1.5px solid #aa3333; background: #fff7f0; padding: 4px 10px; margin: 8px 0; }
.num { width: 3em; text-align: right; }
"""


def _svg(book: AreaBook, coverage: Coverage) -> str:
    """An SVG of the area's outline and the numbered markers (metric coordinates, y flipped)."""
    areas = coverage.areas.to_crs(book.metric_crs)
    mine = areas[areas[S.AREA_ID].astype(str) == book.area_id]
    x0, y0, x1, y1 = mine.total_bounds
    entries = book.entries
    if entries:
        x0, x1 = min(x0, *(e.x for e in entries)), max(x1, *(e.x for e in entries))
        y0, y1 = min(y0, *(e.y for e in entries)), max(y1, *(e.y for e in entries))
    pad = 0.05 * max(x1 - x0, y1 - y0, 1.0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    scale = 1000.0 / max(x1 - x0, y1 - y0)
    w, h = (x1 - x0) * scale, (y1 - y0) * scale

    def pt(x: float, y: float) -> str:
        return f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}"

    parts = [f'<svg viewBox="0 0 {w:.0f} {h:.0f}" xmlns="http://www.w3.org/2000/svg">']
    for _, row in areas.iterrows():
        is_mine = str(row[S.AREA_ID]) == book.area_id
        geom = row.geometry
        polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        for poly in polys:
            ring = " ".join(pt(x, y) for x, y in poly.exterior.coords)
            fill, stroke = ("#fdfbe6", "#333") if is_mine else ("#eeeeee", "#bbbbbb")
            parts.append(
                f'<polygon points="{ring}" fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
            )
    r = 12 if len(entries) <= 60 else 9
    for e in entries:
        cx, cy = pt(e.x, e.y).split(",")
        shape = (
            f'<rect x="{float(cx) - r:.1f}" y="{float(cy) - r:.1f}" width="{2 * r}" '
            f'height="{2 * r}"'
            if e.outside
            else f'<circle cx="{cx}" cy="{cy}" r="{r}"'
        )
        parts.append(f'{shape} fill="white" stroke="{esc(e.colour)}" stroke-width="3"/>')
        parts.append(
            f'<text x="{cx}" y="{cy}" font-size="{r * 1.1:.0f}" text-anchor="middle" '
            f'dominant-baseline="central">{e.number}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _rows(entries: list[Entry], hours: bool) -> str:
    return "".join(
        f'<tr><td class="num">{e.number}</td><td>{esc(e.name)}</td><td>{esc(e.categories)}</td>'
        f'<td>{esc(e.address)}</td><td class="tel">{esc(e.phone)}</td>'
        + (f"<td>{esc(e.hours)}</td>" if hours else "")
        + "</tr>"
        for e in entries
    )


def _table(entries: list[Entry], hours: bool) -> str:
    heads = ("番号", "名称", "種別", "住所", "電話") + (("利用日・時間",) if hours else ())
    head = "".join(f"<th>{h}</th>" for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{_rows(entries, hours)}</tbody></table>"


def _legend(book: AreaBook, coverage: Coverage) -> str:
    """The marker colours of the map: category label and its count in the area."""
    tax = coverage.taxonomy
    items = "".join(
        f'<li><span class="dot" style="border-color:{esc(g[0].colour)}"></span>'
        f"{esc(tax.label(key))}（{len(g)}）</li>"
        for key, g in book.groups.items()
    )
    if book.nearby:
        items += f"<li>□ {NEARBY_HEADING}</li>"
    return f'<ul class="legend">{items}</ul>'


def _area(book: AreaBook, coverage: Coverage) -> str:
    tax = coverage.taxonomy
    hours = any(e.hours for e in book.entries)
    lacks = (
        "".join(f"<li>{esc(lack_text(x, coverage.info.weight_label))}</li>" for x in book.lacks)
        or "<li>空白・不足の種別はありません。</li>"
    )
    out = [
        f'<section class="area" id="area-{esc(book.area_id)}">',
        f'<div class="map"><h2>{esc(book.area_name)}　地図</h2>{_svg(book, coverage)}',
        _legend(book, coverage),
        f'<div class="lacks"><h3>この圏域で足りないもの（空白・不足）</h3><ul>{lacks}</ul></div>',
        "</div>",
        f"<h2>{esc(book.area_name)}　資源一覧</h2>",
    ]
    for key, entries in book.groups.items():
        out.append(
            f"<h3>■ {esc(tax.label(key))}（{len(entries)} か所）</h3>{_table(entries, hours)}"
        )
    if book.nearby:
        out.append(f"<h3>{NEARBY_HEADING}（圏域の外にあり、半径内に届く資源）</h3>")
        for key, entries in book.nearby.items():
            out.append(
                f"<h3>■ {esc(tax.label(key))}（{len(entries)} か所）</h3>{_table(entries, hours)}"
            )
    if not book.groups and not book.nearby:
        out.append("<p>この圏域にある資源はありません。</p>")
    out.append("</section>")
    return "".join(out)


def write_html(
    coverage: Coverage,
    books: list[AreaBook],
    path: Path,
    *,
    paper: str,
    large_print: bool,
    municipality: str,
) -> None:
    """Write the HTML booklet to ``path`` atomically."""
    info = coverage.info
    title = f"{municipality} 地域資源マップ".strip()
    credits = "".join(f"<li>{esc(c)}</li>" for c in source_lines(coverage)) or "<li>―</li>"
    contents = "".join(
        f'<li><a href="#area-{esc(b.area_id)}">{esc(b.area_name)}</a>'
        f"（資源 {len(b.entries)} か所）</li>"
        for b in books
    )
    css = _CSS % {"paper": paper, "body": 14 if large_print else 10.5}
    body = "".join(_area(b, coverage) for b in books)
    html = (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{css}</style></head><body>"
        f'<section class="cover"><h1>{esc(title)}</h1>'
        f"<p>作成日: {esc(info.created)}　データ時点: {esc('・'.join(info.data_dates) or '―')}</p>"
        "<p>地図の番号は、一覧の番号と同じ資源を指します。</p>"
        f"<h3>出典</h3><ul>{credits}</ul></section>"
        f'<section class="contents"><h2>目次</h2><ol>{contents}</ol></section>'
        f"{body}</body></html>"
    )
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
