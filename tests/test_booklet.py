"""資源マップ booklet (issue 17): numbers agree with the table, pages never cut a row, PDF and HTML."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import pytest

import chiikimap
from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, ParameterError
from chiikimap.booklet import NEARBY_HEADING, booklet_data, municipality_of

pypdf = pytest.importorskip("pypdf")

ODD_NAME = "𠮷田ふれあいサロン"  # 𠮷 (U+20BB7) is in neither print font: drawn as 〓


def _quiet_analyze(
    areas: gpd.GeoDataFrame, resources: gpd.GeoDataFrame, sources: object = ()
) -> chiikimap.Coverage:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        return chiikimap.analyze(areas, resources, sources=sources)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hirakata() -> chiikimap.Coverage:
    s = chiikimap.load_sample("hirakata")
    return _quiet_analyze(s.areas, s.resources)


@pytest.fixture(scope="module")
def merged() -> chiikimap.Coverage:
    """枚方 with areas 1–7 joined into one area "A" (over 120 resources), and an odd name."""
    s = chiikimap.load_sample("hirakata")
    areas = s.areas.copy()
    areas[S.AREA_ID] = [
        "A" if i in {"1", "2", "3", "4", "5", "6", "7"} else i for i in areas[S.AREA_ID].astype(str)
    ]
    areas = areas.dissolve(by=S.AREA_ID, as_index=False, aggfunc="first")
    areas.loc[areas[S.AREA_ID] == "A", S.AREA_NAME] = "北部（1〜7 圏域）"
    res = s.resources.copy()
    north = areas[areas[S.AREA_ID] == "A"].to_crs(res.crs).geometry.iloc[0]
    res.loc[res.index[res.within(north)][0], S.NAME] = ODD_NAME
    return _quiet_analyze(areas, res, s.sources)


def test_numbers_agree_with_table(hirakata: chiikimap.Coverage) -> None:
    books = booklet_data(hirakata)
    assert len(books) == 13
    table = hirakata.table.set_index([S.AREA_ID, S.CATEGORY])[S.N_RESOURCES]
    for book in books:
        for key in hirakata.categories:
            listed = len(book.groups.get(key, []))
            assert listed == table[(book.area_id, key)], (book.area_id, key)
        numbers = [e.number for e in book.entries]
        assert numbers == list(range(1, len(numbers) + 1))
        inside = {e.number for g in book.groups.values() for e in g}
        outside = {e.number for g in book.nearby.values() for e in g}
        assert not inside & outside
        # the numbers of the area's own resources come first, then the nearby ones
        assert not outside or min(outside) > max(inside, default=0)


def test_nearby_are_unassigned_and_within_radius(hirakata: chiikimap.Coverage) -> None:
    res = hirakata.resources
    unassigned = set(res.loc[res[S.AREA_ID].isna(), S.RESOURCE_ID])
    books = booklet_data(hirakata)
    nearby = [(b, k, e) for b in books for k, g in b.nearby.items() for e in g]
    assert nearby, "the sample has resources in no area near the border"
    for book, key, entry in nearby:
        assert entry.resource_id in unassigned
        area = hirakata.areas[hirakata.areas[S.AREA_ID].astype(str) == book.area_id]
        point = res[res[S.RESOURCE_ID] == entry.resource_id].to_crs(book.metric_crs)
        distance = float(
            point.geometry.iloc[0].distance(area.to_crs(book.metric_crs).iloc[0].geometry)
        )
        assert distance <= hirakata.info.rules[key]["radius_m"]


def test_selection_is_checked(hirakata: chiikimap.Coverage, tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as info:
        hirakata.to_booklet(tmp_path / "b.pdf", areas=["99"])
    assert "areas" in info.value.params
    with pytest.raises(ParameterError):
        hirakata.to_booklet(tmp_path / "b.docx")
    assert municipality_of(hirakata) == "大阪府枚方市"


def _pages_text(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_pdf_long_list_spans_pages_without_cutting_rows(
    merged: chiikimap.Coverage, tmp_path: Path
) -> None:
    from chiikimap import _booklet_pdf as P

    book = booklet_data(merged, areas=["A"])[0]
    n_rows = sum(len(g) for g in book.groups.values())
    assert len(book.entries) > 120
    path = tmp_path / "booklet.pdf"
    with pytest.warns(ChiikimapWarning, match="U\\+20BB7"):
        merged.to_booklet(path, areas=["A"])
    pages = _pages_text(path)
    text = "\n".join(pages)
    # cover: municipality, sources; contents; the area
    assert "大阪府枚方市 地域資源マップ" in pages[0]
    assert "介護サービス情報公表システム" in pages[0]
    assert "目次" in pages[1]
    assert "北部（1〜7 圏域）" in pages[1]
    assert "この圏域で足りないもの" in pages[2]
    lists = [p for p in pages if "資源一覧" in p]
    assert len(lists) >= 4
    assert all(f"（{k}/{len(lists)}）" in p for k, p in enumerate(lists, start=1))
    assert "〓田ふれあいサロン" in text
    assert ODD_NAME not in text
    # every category heading shows the table's count
    table = merged.table[merged.table[S.AREA_ID] == "A"].set_index(S.CATEGORY)
    for key, group in book.groups.items():
        label = merged.taxonomy.label(key)
        assert f"■ {label}（{int(table.loc[key, S.N_RESOURCES])} か所）" in text
        assert len(group) == table.loc[key, S.N_RESOURCES]
    # every listed row is on the page as a whole: its phone is on the page that starts it
    doc = P._Doc(width=595.3, height=841.9, body=8.5, large=False)
    widths = P.list_widths(doc, book)
    laid = P._paginate(doc, P._items(doc, merged, book, widths))
    assert len(laid) == len(lists)
    assert sum(1 for page in laid for item in page if item.kind == "row") == n_rows + sum(
        len(g) for g in book.nearby.values()
    )
    for page in laid:
        assert P._list_top(doc) + sum(i.height(doc) for i in page) <= P._list_bottom(doc)
        assert page[-1].kind == "row"
    for page_items, page_text in zip(laid, lists, strict=True):
        for item in page_items:
            if item.kind == "row" and item.cells[4][0]:  # the phone column
                assert item.cells[4][0] in page_text


def _font_sizes(path: Path, page: int) -> list[float]:
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.append(round(size * abs(tm[3] or tm[0]), 1))

    pypdf.PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return sizes


def test_large_print(hirakata: chiikimap.Coverage, tmp_path: Path) -> None:
    path = tmp_path / "large.pdf"
    hirakata.to_booklet(path, areas=["10"], large_print=True, municipality="枚方市")
    pages = _pages_text(path)
    assert "枚方市 地域資源マップ" in pages[0]
    list_page = next(i for i, p in enumerate(pages) if "資源一覧" in p)
    sizes = _font_sizes(path, list_page)
    assert sizes
    assert min(sizes) >= 14.0
    normal = tmp_path / "normal.pdf"
    hirakata.to_booklet(normal, areas=["10"])
    assert len(_pages_text(path)) > len(_pages_text(normal))


def test_html_is_escaped_and_complete(hirakata: chiikimap.Coverage, tmp_path: Path) -> None:
    s = chiikimap.load_sample("hirakata")
    res = s.resources.copy()
    inside = hirakata.resources[hirakata.resources[S.AREA_ID] == "10"][S.RESOURCE_ID].iloc[0]
    res.loc[res[S.RESOURCE_ID] == inside, S.NAME] = "<script>alert(1)</script>&サロン"
    cov = _quiet_analyze(s.areas, res)
    path = tmp_path / "booklet.html"
    cov.to_booklet(path, areas=["10"])
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;サロン" in html
    assert "page-break-after: always" in html
    assert "break-inside: avoid" in html
    assert "http://" not in html.split("<body>")[0]  # nothing fetched: no external style or script
    book = booklet_data(cov, areas=["10"])[0]
    for key, group in book.groups.items():
        assert f"■ {cov.taxonomy.label(key)}（{len(group)} か所）" in html
    rows = re.findall(r'<td class="num">(\d+)</td>', html)
    assert sorted(set(map(int, rows))) == [e.number for e in book.entries]
    assert NEARBY_HEADING not in html or book.nearby
