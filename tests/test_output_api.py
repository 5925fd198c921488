"""One style for every renderer, and Coverage output methods with the renderers' real signatures."""

from __future__ import annotations

import dataclasses
import inspect
import re

import numpy as np
import pytest
from matplotlib.colors import to_hex

from chiikimap import ParameterError, _style
from chiikimap import _schema as S
from chiikimap.export import STATUS_FILLS, to_excel, to_geopackage
from chiikimap.maps.interactive import gap_map, save_html
from chiikimap.maps.static import save_static, static_map
from chiikimap.notebook import coverage_html
from chiikimap.result import Coverage
from tests.fakes import fake_coverage

# --- one style ------------------------------------------------------------------------------------


def _empty_area(cov: Coverage, aid: str) -> Coverage:
    t = cov.table.copy()
    rows = t[S.AREA_ID] == aid
    t.loc[rows, S.STATUS] = S.STATUS_EMPTY
    t.loc[rows, [S.COVERAGE, S.WEIGHT, S.COVERED, S.UNCOVERED]] = [np.nan, 0.0, 0.0, 0.0]
    return dataclasses.replace(cov, table=t)


def test_an_empty_area_has_the_same_grey_in_every_renderer():
    # before: #cfcfcf on the interactive map, #bdbdbd on the PNG and D9D9D9 in Excel
    cov = _empty_area(fake_coverage(), "A11")
    grey = _style.EMPTY_COLOUR
    html = gap_map(cov).get_root().render()
    assert f'"emptyColor":"{grey}"' in html
    fig = static_map(cov)
    legend = {
        t.get_text(): p
        for t, p in zip(fig.legends[0].get_texts(), fig.legends[0].get_patches(), strict=True)
    }
    assert to_hex(legend["対象なし"].get_facecolor()) == grey
    assert STATUS_FILLS[S.STATUS_EMPTY] == grey.lstrip("#").upper()
    assert f"background:{grey}'>対象なし<" in coverage_html(cov)


def test_status_colours_agree_between_excel_and_the_notebook():
    html = coverage_html(fake_coverage())
    for status, colour in _style.STATUS_COLOURS.items():
        assert STATUS_FILLS[status] == colour.lstrip("#").upper()
        if status != S.STATUS_EMPTY:  # the fake coverage has no empty area
            assert f"background:{colour}'>{S.STATUS_LABELS[status][0]}<" in html


def test_overview_classes_by_hand():
    assert _style.overview_bins(0) == [(0, 0, _style.OVERVIEW_ZERO)]
    reds = _style.OVERVIEW_REDS
    # 3 categories: one class each, the reds spread lightest, middle-dark, darkest
    assert _style.overview_bins(3)[1:] == [(1, 1, reds[0]), (2, 2, reds[2]), (3, 3, reds[3])]
    # 10 categories: 1–3, 4–6, 7–8, 9–10 (the first classes take the remainder)
    assert [(lo, hi) for lo, hi, _ in _style.overview_bins(10)[1:]] == [
        (1, 3),
        (4, 6),
        (7, 8),
        (9, 10),
    ]


def test_the_print_map_uses_the_interactive_coverage_classes():
    fig = static_map(fake_coverage(), category="kayoi_no_ba")
    colours = {to_hex(c) for coll in fig.axes[0].collections for c in coll.get_facecolors()}
    # 通いの場 shares in tests/fakes.py: 0 (five areas), 0.3 and 0.5 (gap), 1.0 (ok)
    ramp = dict(_style.COVERAGE_RAMP)
    assert {ramp[0], ramp[20], ramp[40], ramp[80]} <= colours


def test_renderers_share_no_private_helpers():
    import chiikimap.maps.static as static
    import chiikimap.notebook as notebook

    for module in (static, notebook):
        source = inspect.getsource(module)
        assert "interactive" not in re.findall(r"^from \S+ import|^import \S+", source, re.M)
        assert "from .interactive" not in source
        assert "maps._escape" not in source


# --- Coverage output methods ---------------------------------------------------------------------

_METHODS = {
    "map": gap_map,
    "save_html": save_html,
    "static_map": static_map,
    "save_static": save_static,
    "to_excel": to_excel,
    "to_geopackage": to_geopackage,
}


@pytest.mark.parametrize("name", sorted(_METHODS))
def test_output_methods_have_the_renderers_signatures(name):
    method = inspect.signature(getattr(Coverage, name))
    function = inspect.signature(_METHODS[name])
    kinds = {p.kind for p in method.parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds  # help(cov.map) lists every option
    assert inspect.Parameter.VAR_POSITIONAL not in kinds

    def described(sig: inspect.Signature, skip: str) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in sig.parameters.values() if p.name != skip]

    assert described(method, "self") == described(function, "coverage")
    doc = inspect.getdoc(getattr(Coverage, name)) or ""
    assert "Parameters\n----------" in doc
    for param in method.parameters:
        if param != "self":
            assert re.search(rf"^{param}\b|, {param}\b|{param},", doc, re.M), (name, param)


def test_an_unknown_option_fails_at_the_method(tmp_path):
    cov = fake_coverage()
    with pytest.raises(TypeError, match=r"to_excel\(\) got an unexpected keyword argument 'sheet'"):
        cov.to_excel(tmp_path / "k.xlsx", sheet="a")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"map\(\) got an unexpected keyword argument 'colour'"):
        cov.map(colour="red")  # type: ignore[call-arg]
    assert list(tmp_path.iterdir()) == []


def test_the_methods_pass_their_options_on(tmp_path):
    cov = fake_coverage()
    fig = cov.static_map(lang="en", paper="A4", orientation="portrait", resources=False)
    assert "Missing services per area" in "\n".join(t.get_text() for t in fig.texts)
    assert fig.get_size_inches()[0] < fig.get_size_inches()[1]
    html = cov.map(category="kayoi_no_ba", tiles=None, lang="en", title="T-題").get_root().render()
    assert "<title>T-題</title>" in html
    cov.save_html(tmp_path / "m.html", tiles=None, lang="en")
    assert '"tile":null' in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_views_refuse_an_unknown_language():
    # before: gap_matrix(labels="fr") gave English statuses under Japanese column labels
    cov = fake_coverage()
    with pytest.raises(ParameterError) as info:
        cov.gap_matrix(labels="fr")  # type: ignore[arg-type]
    assert info.value.param == "labels"
    assert "'fr'" in str(info.value)
    with pytest.raises(ParameterError) as info:
        cov.missing("A00", lang="fr")  # type: ignore[arg-type]
    assert info.value.param == "lang"
