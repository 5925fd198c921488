"""Print map: Japanese glyphs, hatching, symbols, scale bar, footer; PNG and PDF files."""

from __future__ import annotations

import dataclasses
import io
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from chiikimap import ChiikimapWarning, ParameterError
from chiikimap import _schema as S
from chiikimap._style import EMPTY_COLOUR
from chiikimap.maps.static import _nice_length, save_static, static_map
from chiikimap.result import Coverage
from tests.fakes import fake_coverage, grid_resources

_DPI = 60  # small PNGs keep the tests fast; the size check below scales with it


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_missing_glyph_check_detects_fallback():
    # negative control: Japanese drawn with DejaVu Sans does raise matplotlib's glyph warning,
    # so the absence of that warning below really means the Japanese font was used
    fig = Figure()
    fig.text(0.5, 0.5, "空白", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=20)
    assert _glyph_warnings(caught)


@pytest.mark.parametrize("category", [None, "kayoi_no_ba", "haishoku"])
def test_png_renders_every_japanese_string(tmp_path, category):
    cov = fake_coverage(
        ["ふれあいサロン中央（旧・第一集会所）", "配食みどり", "サロン東", "配食ひかり"]
    )
    path = tmp_path / "map.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_static(cov, path, dpi=_DPI, category=category)
    assert _glyph_warnings(caught) == []
    # A3 landscape is 420 × 297 mm
    assert _png_size(path.read_bytes()) == (int(420 / 25.4 * _DPI), int(297 / 25.4 * _DPI))


def test_a4_portrait_size(tmp_path):
    path = tmp_path / "a4.png"
    save_static(fake_coverage(), path, dpi=_DPI, paper="A4", orientation="portrait")
    assert _png_size(path.read_bytes()) == (int(210 / 25.4 * _DPI), int(297 / 25.4 * _DPI))


def test_pdf_embeds_the_japanese_font(tmp_path):
    path = tmp_path / "map.pdf"
    save_static(fake_coverage(), path, paper="A4")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"IPAexGothic" in data


def test_rcparams_untouched():
    before = (list(mpl.rcParams["font.family"]), list(mpl.rcParams["font.sans-serif"]))
    static_map(fake_coverage())
    assert (list(mpl.rcParams["font.family"]), list(mpl.rcParams["font.sans-serif"])) == before


def _hatched_counts(fig: Figure) -> dict[str, int]:
    ax = fig.axes[0]
    out: dict[str, int] = {}
    for coll in ax.collections:
        hatch = coll.get_hatch()
        if hatch and not isinstance(coll, PathCollection):
            out[hatch] = out.get(hatch, 0) + len(coll.get_paths())
    return out


def test_none_areas_are_hatched():
    cov = fake_coverage()
    # 通いの場 is 空白 in A00, A01, A02, A10, A20 and 不足 in A21, A22 (see tests/fakes.py)
    assert _hatched_counts(static_map(cov, category="kayoi_no_ba")) == {"xxx": 5, "..": 2}
    # 配食 has no 空白 and one 不足 (A20)
    assert _hatched_counts(static_map(cov, category="haishoku")) == {"..": 1}
    # overview: areas with at least one 空白 category, i.e. the five 通いの場 空白 areas
    assert _hatched_counts(static_map(cov)) == {"xxx": 5}


def test_resource_symbols_in_metric_crs():
    cov = fake_coverage()
    fig = static_map(cov, category="kayoi_no_ba")
    scat = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    assert len(scat) == 1
    # the two 通いの場 sit at (1500, 1500) and (2500, 1500) m from the grid origin in EPSG:6690
    xy = sorted(map(tuple, scat[0].get_offsets().round(0).tolist()))
    assert xy == [(561500.0, 3851500.0), (562500.0, 3851500.0)]


def test_texts_name_areas_and_credit_the_source():
    fig = static_map(fake_coverage(), category="kayoi_no_ba")
    texts = "\n".join(_texts(fig))
    for i in range(1, 10):
        assert f"第{i}区" in texts
    assert "通いの場のカバー率（半径800 m・目標80%）" in texts
    assert "テスト用の架空データ（chiikimap）" in texts
    assert "データ時点: 2026-01-01" in texts
    assert "N" in _texts(fig)
    # scale bar: the map spans 3 km plus 6 % margins = 3.36 km; a fifth of that rounds down to 500 m
    assert {"0", "250 m", "500 m"} <= set(_texts(fig))


def test_nice_length():
    assert _nice_length(3360) == 500
    assert _nice_length(10_000) == 2000
    assert _nice_length(25_000) == 5000
    assert _nice_length(5_000) == 1000


def test_english_labels():
    texts = "\n".join(_texts(static_map(fake_coverage(), lang="en")))
    assert "Missing services per area" in texts
    assert "source: テスト用の架空データ（chiikimap）" in texts


def test_bad_arguments(tmp_path):
    cov = fake_coverage()
    with pytest.raises(ValueError, match="png"):
        save_static(cov, tmp_path / "map.svg")
    with pytest.raises(ValueError, match="A4"):
        static_map(cov, paper="B5")
    with pytest.raises(ValueError, match="kaigo"):
        static_map(cov, category="kaigo")


# --- legends inside the page, overview classes, resources, 対象なし ------------------------------


def _many_categories(n: int) -> Coverage:
    """The 3×3 grid with the first ``n`` categories of the default taxonomy and long credits.

    Category ``i`` is 空白 in area ``j`` (row-major) when ``(i + j) % 5 == 0``, 不足 when it is 1;
    each category has three resources, so the resource legend has ``n`` entries.
    """
    base = fake_coverage()
    keys = [c.key for c in base.taxonomy.categories][:n]
    assert len(keys) == n
    rows = []
    for j, aid in enumerate(base.areas[S.AREA_ID]):
        for i, key in enumerate(keys):
            st = {0: S.STATUS_NONE, 1: S.STATUS_GAP}.get((i + j) % 5, S.STATUS_OK)
            cov = {S.STATUS_NONE: 0.0, S.STATUS_GAP: 0.5}.get(st, 1.0)
            rows.append(
                {
                    S.AREA_ID: aid,
                    S.AREA_NAME: f"第{j + 1}区",
                    S.CATEGORY: key,
                    S.CATEGORY_LABEL: base.taxonomy.label(key),
                    S.N_RESOURCES: 1,
                    S.CAPACITY: np.nan,
                    S.WEIGHT: 1e6,
                    S.PER_1000: np.nan,
                    S.COVERED: cov * 1e6,
                    S.COVERAGE: cov,
                    S.UNCOVERED: (1 - cov) * 1e6,
                    S.NEAREST_M: 100.0,
                    S.STATUS: st,
                }
            )
    specs = [
        (100.0 + 90 * i + 300 * k, 200.0 + 900 * k, (key,))
        for i, key in enumerate(keys)
        for k in range(3)
    ]
    sources = tuple(
        S.Source(
            f"とても長い名前の出典データその{k}（架空・テスト用）",
            f"架空の提供者{k}",
            "2026-01-01",
            "CC BY 4.0",
        )
        for k in range(12)
    )
    info = dataclasses.replace(
        base.info,
        categories=tuple(keys),
        sources=sources,
        rules={k: {"radius_m": 800.0, "target": 0.8} for k in keys},
    )
    return dataclasses.replace(
        base,
        table=pd.DataFrame(rows, columns=list(S.TABLE_COLUMNS)),
        resources=grid_resources(specs),
        info=info,
    )


def _outside(fig: Figure) -> list[str]:
    """Legends, texts and colour bars of ``fig`` whose drawn extent leaves the page."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    out = []
    for artist in [*fig.legends, *fig.texts, *fig.axes[1:]]:
        # legends and texts: their window extent; colour bars: with ticks and labels
        bb = (
            artist.get_window_extent(renderer)
            if isinstance(artist, Legend | Text)
            else artist.get_tightbbox(renderer)
        )
        if (
            bb.x0 < page.x0 - 0.5
            or bb.y0 < page.y0 - 0.5
            or bb.x1 > page.x1 + 0.5
            or bb.y1 > page.y1 + 0.5
        ):
            out.append(f"{type(artist).__name__} {bb.bounds} outside {page.bounds}")
    return out


def test_outside_check_detects_a_cut_off_legend():
    # negative control: the old layout put a long two-column legend right of the axes
    fig = Figure(figsize=(8, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="a long label such as a care-home category (61)")
    fig.legend(loc="upper left", bbox_to_anchor=(0.9, 0.9))
    assert _outside(fig)


@pytest.mark.parametrize("n", [15, 25])
@pytest.mark.parametrize("paper", ["A3", "A4"])
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_every_legend_inside_the_page(n, paper, orientation):
    cov = _many_categories(n)
    fig = static_map(cov, paper=paper, orientation=orientation)
    assert len(fig.legends) == 2
    assert _outside(fig) == []
    labels = [t.get_text() for t in fig.legends[1].get_texts()]
    assert len(labels) == n
    assert any(lab.startswith("入所施設（特養・老健・介護医療院）") for lab in labels)
    # the footer was wrapped to the page, and still names every source
    footer = next(t.get_text() for t in fig.texts if t.get_text().startswith("データ時点"))
    assert footer.count("\n") >= 2
    assert footer.replace("\n", "").count("架空の提供者") == 12


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_category_view_inside_the_page(orientation):
    fig = static_map(_many_categories(25), category="kyoten", paper="A4", orientation=orientation)
    assert _outside(fig) == []
    assert len(fig.axes) == 2  # the map and the colour bar


def _area_fills(fig: Figure, cov: Coverage) -> dict[str, tuple[tuple[float, ...], str]]:
    """Face colour and hatch of each area polygon, by area id (polygons drawn per hatch group)."""
    ax = fig.axes[0]
    polys = [c for c in ax.collections if not isinstance(c, PathCollection)]
    out: dict[str, tuple[tuple[float, ...], str]] = {}
    ids = list(cov.areas[S.AREA_ID])
    bounds = cov.areas.to_crs(cov.info.metric_crs).bounds.round(0).to_numpy().tolist()
    for coll in polys:
        for path, colour in zip(coll.get_paths(), coll.get_facecolors(), strict=True):
            ext = path.get_extents()
            key = [round(ext.x0), round(ext.y0), round(ext.x1), round(ext.y1)]
            aid = ids[bounds.index(key)]
            out[aid] = (tuple(np.round(colour, 3)), coll.get_hatch() or "")
    return out


def _rgba(colour: str) -> tuple[float, ...]:
    return tuple(np.round(to_rgba(colour), 3))


def test_overview_classes():
    cov = fake_coverage()
    fig = static_map(cov)
    # two categories: classes 0, 1, 2 (the HTML map's bins), then the hatch entry
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["0", "1", "2", "空白を含む圏域"]
    assert fig.legends[0].get_title().get_text() == "空白・不足の種別数（全2種別中）"
    fills = _area_fills(fig, cov)
    # counts by hand from tests/fakes.py: A20 lacks both, A11/A12 none, the rest one
    assert fills["A20"] == (_rgba("#7f0000"), "xxx")
    assert fills["A11"] == (_rgba("#e5f5e0"), "")
    assert fills["A21"] == (_rgba("#fdd49e"), "")
    assert fills["A00"] == (_rgba("#fdd49e"), "xxx")
    # fifteen categories: 0, then four classes up to 15
    labels = [t.get_text() for t in static_map(_many_categories(15)).legends[0].get_texts()]
    assert labels == ["0", "1〜4", "5〜8", "9〜12", "13〜15", "空白を含む圏域"]


def _with_empty_area(cov: Coverage, aid: str) -> Coverage:
    t = cov.table.copy()
    rows = t[S.AREA_ID] == aid
    t.loc[rows, S.STATUS] = S.STATUS_EMPTY
    t.loc[rows, [S.COVERAGE, S.WEIGHT, S.COVERED, S.UNCOVERED, S.NEAREST_M]] = [
        np.nan,
        0.0,
        0.0,
        0.0,
        np.nan,
    ]
    return dataclasses.replace(cov, table=t)


@pytest.mark.parametrize("category", [None, "kayoi_no_ba"])
def test_empty_areas_are_grey_and_in_the_legend(category):
    cov = _with_empty_area(fake_coverage(), "A11")
    fig = static_map(cov, category=category)
    fills = _area_fills(fig, cov)
    assert fills["A11"] == (_rgba(EMPTY_COLOUR), "")
    assert sum(1 for colour, _ in fills.values() if colour == _rgba(EMPTY_COLOUR)) == 1
    assert "対象なし" in [t.get_text() for t in fig.legends[0].get_texts()]
    # and no 対象なし entry when no area is empty
    plain = static_map(fake_coverage(), category=category)
    assert "対象なし" not in [t.get_text() for t in plain.legends[0].get_texts()]


def _scatters(fig: Figure) -> list[PathCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]


def test_overview_resources_are_light_and_names_on_top():
    cov = fake_coverage()
    light = _scatters(static_map(cov))
    strong = _scatters(static_map(cov, resources=True))
    assert len(light) == len(strong) == 2  # 通いの場 and 配食 (the 見守り one shows as 配食)
    assert all(c.get_alpha() is not None and c.get_alpha() < 1 for c in light)
    assert max(s for c in light for s in c.get_sizes()) < min(
        s for c in strong for s in c.get_sizes()
    )
    fig = static_map(cov)
    names = [t for t in fig.axes[0].texts if t.get_text().startswith("第")]
    assert len(names) == 9
    top = max(c.get_zorder() for c in _scatters(fig))
    assert all(t.get_zorder() > top and t.get_path_effects() for t in names)


def test_resources_option():
    cov = fake_coverage()
    fig = static_map(cov, resources=False)
    assert _scatters(fig) == []
    assert len(fig.legends) == 1  # no resource legend
    # a single category stays prominent under "auto"
    (scat,) = _scatters(static_map(cov, category="kayoi_no_ba"))
    assert scat.get_alpha() is None
    assert min(scat.get_sizes()) >= 60
    with pytest.raises(ValueError, match="resources"):
        static_map(cov, resources="some")  # type: ignore[arg-type]


def _dollar_coverage(text: str) -> Coverage:
    """The fake coverage with ``text`` in an area name, the source credit and a category label."""
    from chiikimap.taxonomy import Taxonomy

    cov = fake_coverage()
    areas = cov.areas.copy()
    areas.loc[0, S.AREA_NAME] = f"{text} 区"
    table = cov.table.copy()
    table.loc[table[S.AREA_ID] == areas.loc[0, S.AREA_ID], S.AREA_NAME] = f"{text} 区"
    cats = tuple(
        dataclasses.replace(c, label=f"{text} 通い", label_en=f"{text} salon")
        if c.key == "kayoi_no_ba"
        else c
        for c in cov.taxonomy
    )
    info = dataclasses.replace(cov.info, sources=(S.Source(f"{text} 出典", "市"),))
    return dataclasses.replace(
        cov, areas=areas, table=table, info=info, taxonomy=Taxonomy(cats, name=cov.taxonomy.name)
    )


@pytest.mark.parametrize("category", [None, "kayoi_no_ba"])
def test_dollar_signs_in_data_do_not_reach_mathtext(tmp_path, category):
    # an unknown TeX command between dollars made mathtext raise ParseFatalException
    cov = _dollar_coverage(r"$\undefinedcmd$")
    save_static(cov, tmp_path / "map.png", dpi=_DPI, category=category)
    save_static(cov, tmp_path / "map.pdf", category=category, title=r"$\undefinedcmd$ 題")
    assert (tmp_path / "map.png").stat().st_size > 0


@pytest.mark.parametrize("category", [None, "kayoi_no_ba"])
def test_dollar_signs_in_data_are_drawn_literally(category):
    fig = static_map(_dollar_coverage("$x$"), category=category, title="$x$ 題")
    dollar = [t for t in fig.findobj(Text) if "$x$" in t.get_text()]
    texts = "\n".join(t.get_text() for t in dollar)
    # area name, title, source credit and (in the legend or the title) the category label
    for s in ("$x$ 区", "$x$ 題", "$x$ 出典", "$x$ 通い"):
        assert s in texts
    assert all(not t.get_parse_math() for t in dollar)
    # drawn literally, the name is wider than the same text read as maths (an italic x)
    fig.canvas.draw()
    name = next(t for t in dollar if t.get_text() == "$x$ 区")
    maths = Text(0, 0, "$x$ 区", fontsize=name.get_fontsize(), figure=fig)
    renderer = fig.canvas.get_renderer()
    assert name.get_window_extent(renderer).width > maths.get_window_extent(renderer).width


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_footer_shows_population_outside_every_area(lang):
    from tests.fakes import OUTSIDE_LINE, outside_coverage

    texts = "\n".join(_texts(static_map(outside_coverage(), lang=lang)))
    if lang == "ja":
        # the footer wraps at the page width: compare without the line breaks
        assert OUTSIDE_LINE in texts.replace("\n", "")
    else:
        assert "outside every area: 549 (0.5%)" in texts.replace("\n", " ")
    assert "圏域外" not in "\n".join(_texts(static_map(outside_coverage(outside=0.0))))


# --- characters the print font lacks, invalid choices, imports ---------------------------------

#: 𠮷 (no print font has it), an emoji only the fallback font has, a zero-width space, a
#: right-to-left override and its pop, and an escape
_HOSTILE = "𠮷田\U0001f600\u200b\u202eRTL\u202c\x1b"


def _hostile_coverage() -> Coverage:
    return _dollar_coverage(_HOSTILE)


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_characters_the_font_lacks_are_replaced_with_one_warning(tmp_path, suffix):
    # before: "RuntimeError: No glyphs have been loaded" from the title, names and credits
    cov = _hostile_coverage()
    path = tmp_path / f"map{suffix}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_static(cov, path, dpi=_DPI, category="kayoi_no_ba", title=f"{_HOSTILE} 題")
    assert _glyph_warnings(caught) == []  # matplotlib never met a glyph it could not draw
    ours = [w for w in caught if issubclass(w.category, ChiikimapWarning)]
    assert len(ours) == 1
    message = str(ours[0].message)
    for code in ("U+20BB7", "U+202E", "U+202C", "U+001B"):
        assert code in message
    assert "U+200B" not in message  # a zero-width space is dropped without a word
    for place in ("title", "area names", "footer/credits", "category labels"):
        assert place in message
    assert ours[0].filename == __file__
    assert path.stat().st_size > 0


def test_replaced_text_keeps_what_the_fonts_can_draw():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        fig = static_map(_hostile_coverage(), title=f"{_HOSTILE} 題")
    texts = "\n".join(_texts(fig))
    # 𠮷 → 〓; the emoji is drawn by the fallback font; the invisible controls are gone
    assert "〓田\U0001f600RTL 題" in texts
    assert "〓田\U0001f600RTL 区" in texts
    assert "〓田\U0001f600RTL 出典" in texts.replace("\n", "")
    assert not any(ch in texts for ch in "\u200b\u202e\u202c\x1b𠮷")


def test_plain_text_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        static_map(fake_coverage(["Café ①", "配食みどり", "髙﨑サロン", "配食ひかり"]))


def test_invalid_choices_name_their_parameter():
    cov = fake_coverage()
    # before: lang="fr" silently drew Japanese
    cases = {
        "lang": {"lang": "fr"},
        "paper": {"paper": "B5"},
        "orientation": {"orientation": "sideways"},
        "resources": {"resources": "some"},
        "category": {"category": "kaigo"},
    }
    for param, kwargs in cases.items():
        with pytest.raises(ParameterError) as info:
            static_map(cov, **kwargs)
        assert info.value.param == param
        assert param in str(info.value)
    # lower case paper names are read as upper case
    assert static_map(cov, paper="a4").get_size_inches()[0] == pytest.approx(297 / 25.4)


def test_drawing_a_png_does_not_import_folium(tmp_path):
    code = (
        "import sys, chiikimap\n"
        "from tests.fakes import fake_coverage\n"
        f"fake_coverage().save_static({str(tmp_path / 'map.png')!r}, dpi=20)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('folium', 'branca')))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "map.png").stat().st_size > 0


def test_print_text_rules_by_hand():
    from chiikimap.maps.static import _PrintText

    clean = _PrintText()
    # kept: Japanese, Latin with accents, an emoji of the fallback font, line breaks
    assert clean("髙﨑 Café ①\U0001f600\n2行目", "t") == "髙﨑 Café ①\U0001f600\n2行目"
    assert clean.changed == {}
    # dropped silently: zero-width space and joiner, soft hyphen, byte-order mark
    assert clean("a\u200bb\u200dc\u00add\ufeff", "t") == "abcd"
    assert clean.changed == {}
    # tab → space; controls and bidi overrides removed; 𠮷 and a private-use character → 〓;
    # an ideographic variation selector removed (the base character stays)
    assert clean("a\tb\x1bc\u202ed\U00020bb7\ue000葛\U000e0100", "t") == "a bcd〓〓葛"
    assert set(clean.changed) == {"\x1b", "\u202e", "\U00020bb7", "\ue000", "\U000e0100"}
