"""Print maps: area names that never overprint, resources on the priority map, the scale bar.

Real data: the 22 reference areas of 高松市 (tests/data/recipe_takamatsu/参考学区.geojson, the
Voronoi cells of its junior high schools, dense in the city centre), its 認知症グループホーム list
of 2026-08-05 (tests/data/change_takamatsu, 49 homes) and the indicator table of
tests/data/needs; the 奈良県 A32-23 slice (tests/data/districts) for a tall municipality (生駒市)
whose scale bar read 「0 500 m1 km」. Overlaps are checked on the boxes the renderer gives for
the drawn texts, never on pixels.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import chiikimap
from chiikimap import _schema as S
from chiikimap.maps import needs as N
from chiikimap.maps._labels import LABEL_GID, NUMBER_GID, Placement, name_variants, place_labels
from chiikimap.maps.static import SCALE_GID, _draw_scale_bar, static_map

DATA = Path(__file__).parent / "data"
TAKAMATSU = DATA / "recipe_takamatsu" / "参考学区.geojson"
HOMES = DATA / "change_takamatsu" / "group_home_2026-08-05.xlsx"
NEEDS = DATA / "needs" / "takamatsu_needs_r4_pct.csv"
SHARE = "閉じこもり傾向"
#: the names that overprinted each other on the first print maps (「協和中古高松中学校区」)
CENTRE = ["協和中学校区（参考）", "古高松中学校区（参考）", "木太中学校区（参考）"]


@pytest.fixture(scope="module")
def takamatsu() -> chiikimap.Coverage:
    areas = chiikimap.read_districts(TAKAMATSU, id_col="学区ID", name_col="学区名")
    homes = chiikimap.read_resources(HOMES)
    assert (len(areas), len(homes)) == (22, 49)
    # three homes as if the list gave only their town (町丁目): drawn hollow
    homes[S.GEOCODE_LEVEL] = ["町丁目" if i in (0, 10, 20) else "街区" for i in range(len(homes))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)  # unmatched 鬼無中学校区
        indicators = chiikimap.read_indicators(NEEDS)
        return chiikimap.analyze(
            areas, homes, weight="area", radius_m={"group_home": 1000}, indicators=indicators
        )


@pytest.fixture
def closing() -> Iterator[list[Figure]]:
    figs: list[Figure] = []
    yield figs
    for fig in figs:
        plt.close(fig)


def _boxes(fig: Figure, texts: list[Text]) -> list[Bbox]:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return [t.get_window_extent(renderer) for t in texts]


def _overlapping(boxes: list[Bbox]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
        if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
    ]


def _check_labels(fig: Figure, names: list[str], min_fontsize: float) -> int:
    """Every area named once, by its name or a number with a key; no two names overlap.

    Returns how many areas are numbered.
    """
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_gid() == LABEL_GID]
    numbers = [t for t in ax.texts if t.get_gid() == NUMBER_GID]
    scale = [t for t in ax.texts if t.get_gid() == SCALE_GID]
    assert len(labels) + len(numbers) == len(names)
    shown = sorted(t.get_text().replace("\n", "") for t in labels)
    keys = [
        leg for leg in fig.legends if leg.get_title().get_text() in ("番号の圏域", "numbered areas")
    ]
    if numbers:
        (key,) = keys
        keyed = [t.get_text() for t in key.get_texts()]
        assert sorted(int(t.get_text()) for t in numbers) == list(range(1, len(numbers) + 1))
        assert sorted(shown + keyed) == sorted(names)
        assert len(keyed) == len(numbers)
    else:
        assert keys == []
        assert shown == sorted(names)
    assert all(t.get_fontsize() >= min_fontsize for t in labels)
    boxes = _boxes(fig, labels + numbers + scale)
    assert _overlapping(boxes) == []
    # and inside the map
    frame = ax.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in boxes[: len(names)])
    return len(numbers)


def test_name_variants() -> None:
    assert name_variants("古高松中学校区（参考）") == [
        "古高松中学校区（参考）",
        "古高松中学校区\n（参考）",
    ]
    assert name_variants("一宮中") == ["一宮中"]
    assert name_variants("Ikoma Minami Junior High") == [
        "Ikoma Minami Junior High",
        "Ikoma Minami\nJunior High",
    ]


@pytest.mark.parametrize(
    ("paper", "orientation", "min_fs"), [("A3", "landscape", 8.0), ("A4", "portrait", 6.0)]
)
def test_takamatsu_priority_names_do_not_overlap(
    takamatsu: chiikimap.Coverage,
    closing: list[Figure],
    paper: str,
    orientation: str,
    min_fs: float,
) -> None:
    fig = N.priority_static_map(
        takamatsu, SHARE, "group_home", paper=paper, orientation=orientation
    )
    closing.append(fig)
    names = list(takamatsu.areas[S.AREA_NAME])
    numbered = _check_labels(fig, names, min_fs)
    assert numbered < len(names) // 3  # most areas keep their name on the map
    # the names that overprinted each other are there, each once
    texts = [t.get_text().replace("\n", "") for t in fig.axes[0].texts]
    key = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    for name in CENTRE:
        assert (texts + key).count(name) == 1
    # the quadrant legend takes its own room: legends, title and footer inside the page, apart
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [leg.get_window_extent(renderer) for leg in fig.legends if leg.get_visible()]
    boxes += [t.get_window_extent(renderer) for t in fig.texts]
    assert len(boxes) == 4 + (numbered > 0)  # quadrants, resources (, key); title, footer
    assert _overlapping(boxes) == []
    page = fig.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 for b in boxes)


def test_takamatsu_overview_names_do_not_overlap(
    takamatsu: chiikimap.Coverage, closing: list[Figure]
) -> None:
    fig = static_map(takamatsu, paper="A4", orientation="landscape", lang="en")
    closing.append(fig)
    _check_labels(fig, list(takamatsu.areas[S.AREA_NAME]), 6.0)


def _points(fig: Figure) -> tuple[int, int]:
    """Filled and hollow (white-faced) symbols on the map."""
    filled = hollow = 0
    for c in fig.axes[0].collections:
        if not isinstance(c, PathCollection) or not len(c.get_offsets()):
            continue
        white = np.allclose(c.get_facecolor()[:, :3], 1.0)
        hollow += len(c.get_offsets()) if white else 0
        filled += 0 if white else len(c.get_offsets())
    return filled, hollow


def test_priority_print_map_draws_the_category_resources(
    takamatsu: chiikimap.Coverage, closing: list[Figure]
) -> None:
    fig = N.priority_static_map(takamatsu, SHARE, "group_home")
    closing.append(fig)
    # 49 homes in the file, 3 of them placed at a town's point only (see the fixture)
    assert _points(fig) == (46, 3)
    legend = [t.get_text() for leg in fig.legends if leg.get_visible() for t in leg.get_texts()]
    assert "認知症グループホーム（49）" in legend
    assert S.APPROX_NOTE_JA in legend
    # the same symbols as the gap print map of the category
    gap = static_map(takamatsu, category="group_home")
    closing.append(gap)
    assert _points(gap) == (46, 3)
    off = N.priority_static_map(takamatsu, SHARE, "group_home", resources=False)
    closing.append(off)
    assert _points(off) == (0, 0)


# --- scale bar ------------------------------------------------------------------------------------


def _scale_texts(width_in: float, span_m: float) -> tuple[Figure, list[Text]]:
    fig = Figure(figsize=(width_in + 1.0, 4.0))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.5 / (width_in + 1.0), 0.1, width_in / (width_in + 1.0), 0.8))
    ax.set_xlim(500_000.0, 500_000.0 + span_m)
    ax.set_ylim(3_800_000.0, 3_800_000.0 + span_m * 3.2 / width_in)
    ax.set_aspect("equal")
    _draw_scale_bar(ax, "ja")
    return fig, [t for t in ax.texts if t.get_gid() == SCALE_GID]


@pytest.mark.parametrize(
    ("width_in", "span_m", "expected"),
    [
        # 1.5 in for 4 km: 500 m is 0.19 in, too short for 「250 m」 and 「500 m」 side by side
        (1.5, 4000.0, None),
        (0.8, 20_000.0, None),
        # 15 in for 300 m: 50 m with 0, 25 m and 50 m
        (15.0, 300.0, ["0", "25 m", "50 m"]),
        (10.0, 60_000.0, ["0", "5 km", "10 km"]),
    ],
)
def test_scale_bar_labels_never_touch(
    width_in: float, span_m: float, expected: list[str] | None
) -> None:
    fig, texts = _scale_texts(width_in, span_m)
    assert texts[0].get_text() == "0"
    assert len(texts) >= 2
    if expected is not None:
        assert [t.get_text() for t in texts] == expected
    boxes = _boxes(fig, texts)
    assert _overlapping(boxes) == []
    # at least a digit's width between two labels
    gap = min(b.x0 - a.x1 for a, b in itertools.pairwise(boxes))
    assert gap >= 0.5 * boxes[0].width


def test_tall_municipality_scale_bar(closing: list[Figure], tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        areas = chiikimap.read_districts(DATA / "districts" / "A32-23_29.shp", municipality="29209")
    assert len(areas) == 8  # 生駒市
    pts = areas.to_crs(6668).geometry.representative_point()
    csv = tmp_path / "r.csv"
    csv.write_text(
        "名称,種別,緯度,経度\n"
        + "".join(f"r{i},通所介護,{p.y:.6f},{p.x:.6f}\n" for i, p in enumerate(pts)),
        encoding="utf-8",
    )
    cov = chiikimap.analyze(areas, chiikimap.read_resources(csv), weight="area")
    fig = static_map(cov)
    closing.append(fig)
    texts = [t for t in fig.axes[0].texts if t.get_gid() == SCALE_GID]
    assert texts[0].get_text() == "0"
    assert _overlapping(_boxes(fig, texts)) == []
    _check_labels(fig, list(areas[S.AREA_NAME]), 8.0)


# --- the placing rules by hand (display pixels; a character is fontsize wide, 1.2 × high) -------


def _measure(text: str, fontsize: float) -> tuple[float, float]:
    lines = text.split("\n")
    return max(len(line) for line in lines) * fontsize, 1.2 * fontsize * len(lines)


def _place(polys: list[Any], names: list[str], **kw: Any) -> list[Placement]:
    kw.setdefault("fontsizes", (10.0, 8.0))
    kw.setdefault("number_fontsize", 10.0)
    kw.setdefault("number_box", (10.0, 12.0))
    kw.setdefault("frame", (-1000.0, -1000.0, 1000.0, 1000.0))
    kw.setdefault("pad", 0.0)
    return sorted(place_labels(polys, names, measure=_measure, **kw), key=lambda p: p.index)


def test_place_labels_by_hand() -> None:
    square = shapely.box(0, 0, 200, 100)
    # the pole of a 200 × 100 box is its centre; 「第1区」 (30 × 12) fits there at 10 pt
    (p,) = _place([square], ["第1区"])
    assert (p.kind, p.text, p.fontsize) == ("inside", "第1区", 10.0)
    assert (round(p.x), round(p.y)) == (100, 50)
    # a symbol on the centre: the name moves off it, still inside, same size
    (p,) = _place([square], ["第1区"], symbols=[(95, 45, 105, 55)])
    assert (p.kind, p.fontsize) == ("inside", 10.0)
    assert p.x + 15 <= 95 or p.x - 15 >= 105 or p.y + 6 <= 45 or p.y - 6 >= 55
    # symbols everywhere: the name covers some rather than leaving its area
    (p,) = _place([square], ["第1区"], symbols=[(0, 0, 200, 100)])
    assert (p.kind, p.fontsize) == ("inside", 10.0)
    # 40 px wide: 「長い名前の圏域です」 (90 px at 10 pt) fits neither way inside; broken in two
    # (「長い名前の\n圏域です」, 50 × 24 at 10 pt, 40 × 19.2 at 8 pt) it fits at 8 pt
    narrow = shapely.box(0, 0, 42, 100)
    (p,) = _place([narrow], ["長い名前の圏域です"])
    assert (p.kind, p.text, p.fontsize) == ("inside", "長い名前の\n圏域です", 8.0)


def test_crowded_areas_get_numbers_in_area_order() -> None:
    # four 12 × 12 cells side by side: no name fits or spills without covering another
    cells = [shapely.box(12 * i, 0, 12 * i + 12, 12) for i in range(4)]
    names = ["あいうえおかきくけこ"] * 4
    got = _place(cells, names, frame=(-30.0, -30.0, 80.0, 40.0))
    kinds = [p.kind for p in got]
    assert "number" in kinds
    numbers = [int(p.text) for p in got if p.kind == "number"]
    assert numbers == list(range(1, len(numbers) + 1))  # 1, 2 … in the order of the areas
    # forced numbers: every area numbered
    forced = _place(cells, names, numbered=[0, 1, 2, 3])
    assert [p.text for p in forced] == ["1", "2", "3", "4"]
