"""The cross-municipality summary of a batch run: a workbook and a map of municipalities (第1層).

Each municipality × category row counts its 圏域 by status and sums its table; the share of
圏域 with 空白 or 不足 colours the municipality on the map, one layer per category, and each
municipality links to its own map (relative links, so the output folder can be moved).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import geopandas as gpd
import pandas as pd

from . import _schema as S
from . import _style
from ._html import esc

if TYPE_CHECKING:
    from .batch import BatchResult, MunicipalityResult
    from .recipe import Recipe

__all__ = ["SUMMARY_COLUMNS", "summary_rows", "write_summary"]

#: summary column → Japanese header of the workbook
SUMMARY_COLUMNS: dict[str, str] = {
    "municipality_code": "市町村コード",
    "municipality_name": "市町村名",
    "category": "種別キー",
    "category_label": "種別",
    "n_areas": "圏域数",
    "n_none": "空白の圏域数",
    "n_gap": "不足の圏域数",
    "n_ok": "充足の圏域数",
    "n_empty": "対象なしの圏域数",
    "share_lacking": "空白・不足の圏域の割合",
    "n_resources": "資源数",
    "weight": "基準値",
    "covered": "圏内",
    "coverage": "カバー率",
}

_STATUS_COLUMNS = {
    "n_none": S.STATUS_NONE,
    "n_gap": S.STATUS_GAP,
    "n_ok": S.STATUS_OK,
    "n_empty": S.STATUS_EMPTY,
}

_MUNICIPALITY_COLUMNS = {
    "municipality_code": "市町村コード",
    "municipality_name": "市町村名",
    "status": "状態",
    "error": "エラー",
    "n_areas": "圏域数",
    "seconds": "処理時間（秒）",
    "folder": "フォルダ",
    "warnings": "注意",
}

_STATUS_JA = {"ok": "完了", "skipped": "前回のまま（入力が同じ）", "error": "エラー"}


def summary_rows(table: pd.DataFrame, taxonomy: Any) -> list[dict[str, Any]]:
    """One summary row per category of a municipality's ``Coverage.table``.

    ``share_lacking`` = (空白 + 不足 圏域) / 圏域数; ``coverage`` = Σ covered / Σ weight (NaN when
    the weight is 0).
    """
    rows = []
    for key, group in table.groupby(S.CATEGORY, sort=False):
        status = group[S.STATUS].astype(str)
        counts = {col: int((status == st).sum()) for col, st in _STATUS_COLUMNS.items()}
        weight = float(group[S.WEIGHT].sum())
        covered = float(group[S.COVERED].sum())
        rows.append(
            {
                "category": str(key),
                "category_label": str(group[S.CATEGORY_LABEL].iloc[0]),
                "n_areas": len(group),
                **counts,
                "share_lacking": (counts["n_none"] + counts["n_gap"]) / len(group),
                "n_resources": int(group[S.N_RESOURCES].sum()),
                "weight": weight,
                "covered": covered,
                "coverage": covered / weight if weight > 0 else math.nan,
            }
        )
    return rows


def _summary_frame(results: Sequence[MunicipalityResult]) -> pd.DataFrame:
    rows = [
        {"municipality_code": r.code, "municipality_name": r.name, **row}
        for r in results
        for row in r.summary
    ]
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return frame.astype({"municipality_code": str, "municipality_name": str})


def _municipality_frame(results: Sequence[MunicipalityResult]) -> pd.DataFrame:
    rows = [
        {
            "municipality_code": r.code,
            "municipality_name": r.name,
            "status": r.status,
            "error": r.error,
            "n_areas": max((int(s["n_areas"]) for s in r.summary), default=None),
            "seconds": round(r.seconds, 2),
            "folder": r.folder,
            "warnings": "\n".join(r.warnings),
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=list(_MUNICIPALITY_COLUMNS))


def _rejected(layers: Mapping[str, Any]) -> pd.DataFrame:
    frames = []
    for name, layer in layers.items():
        if layer is None:
            continue
        rej = S.rejected_rows(layer)
        if len(rej):
            frames.append(rej.assign(layer=name))
    if not frames:
        return pd.DataFrame(columns=["layer", "file", "row", "reason"])
    out = pd.concat(frames, ignore_index=True)
    out["values"] = out["values"].map(lambda v: json.dumps(v, ensure_ascii=False, default=str))
    return out[["layer", *[c for c in out.columns if c != "layer"]]]


def _put_frame(ws: Any, frame: pd.DataFrame, headers: Sequence[str]) -> None:
    from openpyxl.styles import Font

    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):  # control characters Excel cannot store
        return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
    return value


def _tagged_sources(layers: Mapping[str, Any]) -> tuple[S.Source, ...]:
    """Every source of the layers, tagged with its layer as in a single run's outputs."""
    from .coverage import _layer_sources

    return _layer_sources(layers["areas"], layers.get("resources"), layers.get("population"), ())


def _write_workbook(
    path: Path,
    rec: Recipe,
    layers: Mapping[str, Any],
    summary: pd.DataFrame,
    municipalities: pd.DataFrame,
) -> None:
    from openpyxl import Workbook

    from . import _version
    from ._atomic import atomic_path

    wb = Workbook()
    ws = wb.active
    ws.title = "市町村別"
    shown = municipalities.assign(status=municipalities["status"].map(_STATUS_JA))
    _put_frame(ws, shown, list(_MUNICIPALITY_COLUMNS.values()))
    _put_frame(wb.create_sheet("種別ごと"), summary, list(SUMMARY_COLUMNS.values()))
    rej = _rejected(layers)
    _put_frame(wb.create_sheet("除外行"), rej, ["層", *rej.columns[1:]])
    ws = wb.create_sheet("出典・条件")
    ws.append(["名称", "提供者", "データ時点", "利用条件", "URL", "クレジット表記", "層"])
    for src in _tagged_sources(layers):
        values = (src.title, src.publisher, src.date, src.license, src.url, src.attribution)
        ws.append([_cell(v) for v in (*values, src.layer_label)])
    ws.append([])
    ws.append(["レシピ", rec.path.name])
    ws.append(["chiikimap バージョン", _version.version()])
    ws.append(["空白・不足の圏域の割合", "（空白 + 不足 の圏域数）÷ 圏域数（対象なしを含む）"])
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _lacking_colour(share: float) -> str:
    if not math.isfinite(share):
        return _style.EMPTY_COLOUR
    if share <= 0:
        return _style.OVERVIEW_ZERO
    reds = _style.OVERVIEW_REDS
    return reds[min(math.ceil(share * len(reds)) - 1, len(reds) - 1)]


def _link(result: MunicipalityResult, root: Path, stem: str, kinds: Sequence[str]) -> str:
    """A relative link to the municipality's map (else its workbook, else its folder)."""
    names = [f"{stem}.html", f"{stem}_offline.html", f"{stem}_karte.xlsx"]
    wanted = [n for n, k in zip(names, ("html", "offline_html", "xlsx"), strict=True) if k in kinds]
    target = next((n for n in wanted if (root / result.folder / n).is_file()), "")
    href = quote(f"{result.folder}/{target}" if target else f"{result.folder}/")
    return f'<a href="{esc(href)}" target="_blank" rel="noopener">{esc(result.name or result.code)}</a>'


def _municipality_shapes(areas: gpd.GeoDataFrame, codes: Sequence[str]) -> gpd.GeoDataFrame:
    own = areas[areas[S.MUNICIPALITY_CODE].astype(str).isin(codes)]
    shapes = own[[S.MUNICIPALITY_CODE, own.geometry.name]].dissolve(by=S.MUNICIPALITY_CODE)
    return shapes.to_crs(S.STORAGE_CRS)


def _write_map(
    path: Path,
    rec: Recipe,
    layers: Mapping[str, Any],
    results: Sequence[MunicipalityResult],
    summary: pd.DataFrame,
    kinds: Sequence[str],
) -> None:
    import folium

    from ._atomic import atomic_path
    from .maps._element import MetricScale
    from .maps._offline import CSS_ASSETS, JS_ASSETS, inline_assets

    root = path.parent
    stem = str(rec.data.get("output", {}).get("stem", "chiikimap"))
    shapes = _municipality_shapes(layers["areas"], [r.code for r in results])
    by_code = {r.code: r for r in results}
    minx, miny, maxx, maxy = shapes.total_bounds
    fmap = folium.Map(tiles=None, control_scale=False)  # metric scale only, added below
    # only Leaflet, inlined below: the summary opens with no internet (background tiles aside)
    fmap.default_js = [("leaflet", JS_ASSETS["leaflet"][0])]
    fmap.default_css = [("leaflet_css", CSS_ASSETS["leaflet_css"][0])]
    folium.TileLayer(
        "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
        attr='<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
        name="地理院タイル（淡色）",
        control=False,  # always shown: the categories are the choices
    ).add_to(fmap)
    categories = list(dict.fromkeys(summary["category"])) if len(summary) else []
    for i, key in enumerate(categories or [""]):
        rows = summary[summary["category"] == key].set_index("municipality_code")
        label = str(rows["category_label"].iloc[0]) if len(rows) else "（結果なし）"
        features = []
        for code, geom in zip(shapes.index.astype(str), shapes.geometry, strict=True):
            result = by_code[code]
            share = float(rows.loc[code, "share_lacking"]) if code in rows.index else math.nan
            state = (
                f"エラー: {result.error}"
                if result.status == "error"
                else (f"空白・不足の圏域 {share:.0%}" if math.isfinite(share) else "")
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": shapely_mapping(geom),
                    "properties": {
                        "name": _link(result, root, stem, kinds),
                        "code": esc(code),
                        "state": esc(state),
                        "colour": _lacking_colour(share),
                    },
                }
            )
        layer = folium.FeatureGroup(name=esc(label), overlay=False, show=i == 0)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=_style_feature,
            tooltip=folium.GeoJsonTooltip(["code", "state"], labels=False),
            popup=folium.GeoJsonPopup(["name", "state"], labels=False),
        ).add_to(layer)
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root_element: Any = fmap.get_root()
    root_element.html.add_child(folium.Element(_legend_html(rec)))
    root_element.html.add_child(folium.Element(_sources_html(rec, layers)))
    MetricScale().add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    html = inline_assets(fmap.get_root().render())
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def shapely_mapping(geom: Any) -> dict[str, Any]:
    """GeoJSON geometry of a shapely geometry."""
    import shapely.geometry

    return dict(shapely.geometry.mapping(geom))


def _style_feature(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["colour"],
        "color": "#555555",
        "weight": 1,
        "fillOpacity": 0.7,
    }


def _legend_html(rec: Recipe) -> str:
    steps = [
        (_style.OVERVIEW_ZERO, "0%"),
        *[
            (c, f"〜{(i + 1) * 100 // len(_style.OVERVIEW_REDS)}%")
            for i, c in enumerate(_style.OVERVIEW_REDS)
        ],
        (_style.EMPTY_COLOUR, "エラー・結果なし"),
    ]
    items = "".join(
        f'<div><span style="background:{c};display:inline-block;width:14px;height:10px;'
        f'margin-right:4px;border:1px solid #555"></span>{esc(t)}</div>'
        for c, t in steps
    )
    title = esc(rec.title or "市町村別 空白・不足")
    return (
        '<div style="position:fixed;bottom:60px;left:10px;z-index:1000;background:white;'
        'padding:6px 8px;border:1px solid #888;font:12px/1.45 sans-serif">'
        f"<b>{title}</b><br>空白・不足の圏域の割合（第1層）/ share of 圏域 with 空白 or 不足"
        f"{items}<div>市町村をクリックすると各市町村の地図へ / click a municipality for its map"
        "</div></div>"
    )


def _sources_html(rec: Recipe, layers: Mapping[str, Any]) -> str:
    """The sources box of the summary map (the same lines as each municipality's map)."""
    from .maps.interactive import _TEXT, sources_box_html

    lang = str(rec.data.get("output", {}).get("lang", "ja"))
    sources = _tagged_sources(layers)
    box = sources_box_html(S.source_lines(sources), S.data_dates(sources), _TEXT[lang])
    return (
        '<div class="ckm-info" style="position:fixed;bottom:24px;right:10px;z-index:1000;'
        "background:rgba(255,255,255,.94);padding:8px 10px;border-radius:5px;"
        "box-shadow:0 1px 4px rgba(0,0,0,.35);font:11px/1.45 sans-serif;max-width:300px;"
        f'max-height:40vh;overflow:auto">{box}</div>'
    )


def write_summary(
    root: Path,
    rec: Recipe,
    taxonomy: Any,
    layers: Mapping[str, Any],
    results: Sequence[MunicipalityResult],
    kinds: Sequence[str],
) -> BatchResult:
    """Write ``summary.xlsx`` and ``summary.html`` in ``root`` and return the batch result."""
    from .batch import BatchResult

    del taxonomy  # labels come from the tables
    summary = _summary_frame(results)
    workbook = root / "summary.xlsx"
    _write_workbook(workbook, rec, layers, summary, _municipality_frame(results))
    page = root / "summary.html"
    _write_map(page, rec, layers, results, summary, kinds)
    return BatchResult(root, list(results), summary, workbook, page)
