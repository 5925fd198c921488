"""The error contract: every mistake a user can make ends as a ChiikimapError that names the
parameter (``param``) or the file, and says how to fix it."""

from __future__ import annotations

import pytest

from chiikimap import analyze
from chiikimap._errors import ChiikimapError, ParameterError, UnknownCategoryError
from chiikimap.taxonomy import default_taxonomy
from tests.fakes import grid_areas, grid_resources


@pytest.fixture(scope="module")
def layers():
    return grid_areas(2), grid_resources([(250, 250, ("kayoi_no_ba",))])


@pytest.mark.parametrize(
    ("option", "value", "shown"),
    [
        ("radius_m", {"kayoi_no_ba": "abc"}, "'abc'"),
        ("radius_m", {"kayoi_no_ba": None}, "None"),
        ("radius_m", "800m", "'800m' (all categories)"),
        ("target", {"kayoi_no_ba": [0.5]}, "[0.5]"),
        ("target", 1.5, "1.5 (all categories)"),
    ],
)
def test_a_value_that_is_not_a_number_names_the_parameter_and_the_key(layers, option, value, shown):
    with pytest.raises(ParameterError) as err:
        analyze(*layers, **{option: value})
    assert err.value.param == option
    message = str(err.value)
    assert f"invalid {option} {shown}" in message
    assert "kayoi_no_ba" in message or "all categories" in message
    assert "need a number" in message


def test_categories_given_as_one_string_is_one_key(layers):
    cov = analyze(*layers, categories="haishoku")
    assert "haishoku" in cov.categories
    assert "kayoi_no_ba" in cov.categories


def test_an_unknown_key_names_the_parameter_it_was_given_as(layers):
    for option, value in (
        ("categories", ["salon"]),
        ("radius_m", {"salon": 500.0}),
        ("target", {"salon": 0.5}),
    ):
        with pytest.raises(UnknownCategoryError, match=r"known keys: .*houkatsu") as err:
            analyze(*layers, **{option: value})
        assert err.value.param == option
        assert f"{option}: unknown category key 'salon'" in str(err.value)


def test_rules_is_the_deprecated_name_of_taxonomy(layers):
    tax = default_taxonomy().with_rules(radius_m={"kayoi_no_ba": 123.0})
    new = analyze(*layers, taxonomy=tax)
    assert new.info.rules["kayoi_no_ba"]["radius_m"] == 123.0
    with pytest.warns(DeprecationWarning, match="taxonomy=") as caught:
        old = analyze(*layers, rules=tax)
    assert caught[0].filename == __file__  # the warning points at the caller
    assert old.info.rules == new.info.rules
    with pytest.raises(ParameterError, match="pass taxonomy= only") as err:
        analyze(*layers, taxonomy=tax, rules=tax)
    assert err.value.param == "rules"
    assert isinstance(err.value, ChiikimapError)


# --- readers: a file they cannot open is an InputFileError naming it --------------------------

_BROKEN = {
    "broken.geojson": b'{"type": "FeatureCollection", "features": [',
    "broken.xlsx": b"PK\x03\x04 not really a zip",
    "broken.shp": b"\x00\x00\x27\x0a not a shapefile",
}


@pytest.mark.parametrize("name", list(_BROKEN))
@pytest.mark.parametrize("reader", ["read_districts", "read_resources", "read_population"])
def test_a_reader_on_a_broken_file_raises_an_input_file_error(tmp_path, name, reader):
    import chiikimap

    path = tmp_path / name
    path.write_bytes(_BROKEN[name])
    with pytest.raises(chiikimap.InputFileError) as err:
        getattr(chiikimap, reader)(path)
    assert str(err.value).startswith(str(path))


def test_a_missing_file_is_an_input_file_error(tmp_path):
    import chiikimap

    with pytest.raises(chiikimap.InputFileError, match="ファイルがありません") as err:
        chiikimap.read_population(tmp_path / "nothere.csv")
    assert "nothere.csv" in str(err.value)


def test_file_errors_leave_programming_errors_alone(tmp_path):
    from chiikimap._errors import OutputFileError, file_errors

    with pytest.raises(KeyError), file_errors(tmp_path / "x.csv"):
        raise KeyError("a bug stays a bug")
    with (
        pytest.raises(OutputFileError, match="could not write") as err,
        file_errors(tmp_path / "x.gpkg", writing=True, param="path"),
    ):
        raise PermissionError(13, "Permission denied")
    assert err.value.param == "path"
    assert "Permission denied" in str(err.value)


def test_encoding_errors_name_the_encoding_parameter():
    from chiikimap._errors import EncodingError

    assert EncodingError("x").param == "encoding"
    assert EncodingError("x", param=("encoding", "sheet")).params == ("encoding", "sheet")


# --- the CLI: hints from parameters, bugs without a traceback ---------------------------------


def test_a_warning_with_a_parameter_gets_the_option_hint(capsys):
    import warnings

    from chiikimap._errors import ChiikimapWarning
    from chiikimap.cli import _show_warnings

    with _show_warnings("resources"):
        warnings.warn(ChiikimapWarning("シートを選びました", param="sheet"), stacklevel=1)
        warnings.warn(ChiikimapWarning("no parameter"), stacklevel=1)
    err = capsys.readouterr().err
    assert "注意 / warning: シートを選びました\n  → コマンドでは --sheet で指定します" in err
    assert "注意 / warning: no parameter\n" in err


def test_a_bug_is_an_internal_error_without_traceback(monkeypatch, tmp_path, capsys):
    import chiikimap
    from chiikimap.cli import main

    def broken(*args, **kwargs):
        raise KeyError("area_id")

    monkeypatch.setattr(chiikimap, "load_sample", broken)
    assert main(["demo", "--out", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert "内部エラー / internal error: KeyError: 'area_id'" in err
    assert "Traceback" not in err
    assert main(["demo", "--debug", "--out", str(tmp_path / "d")]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_in_process_exits_130(monkeypatch, tmp_path, capsys):
    import chiikimap
    from chiikimap.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(chiikimap, "load_sample", interrupted)
    assert main(["demo", "--out", str(tmp_path / "d")]) == 130
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "中断しました / interrupted"
    assert "Traceback" not in err
