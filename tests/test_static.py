"""Print map: Japanese glyphs, hatching, symbols, scale bar, footer; PNG and PDF files."""

from __future__ import annotations

import io
import struct
import warnings

import matplotlib as mpl
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from chiikimap.maps.static import _nice_length, save_static, static_map
from tests.fakes import fake_coverage

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
    cov = fake_coverage(["ふれあいサロン中央（旧・第一集会所）", "配食みどり", "サロン東", "配食ひかり"])
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
