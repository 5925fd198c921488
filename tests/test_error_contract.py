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


# --- the taxonomy loader rejects what it does not know ----------------------------------------

_CATEGORY = 'key = "salon"\nlabel = "サロン"\nradius_m = 500\ntarget = 0.8\ncolor = "#1f77b4"\n'


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            'colour = "#ff0000"\n',
            "unknown key 'colour' in [[category]] 'salon' (did you mean 'color'?)",
        ),
        (
            "radius = 800\n",
            "unknown key 'radius' in [[category]] 'salon' (did you mean 'radius_m'?)",
        ),
        ('label_english = "Salon"\n', "unknown key 'label_english'"),
    ],
)
def test_a_typo_in_a_category_is_rejected_with_the_known_keys(tmp_path, extra, expected):
    from chiikimap import InputFileError, load_taxonomy

    path = tmp_path / "tax.toml"
    path.write_text("[[category]]\n" + _CATEGORY + extra, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_taxonomy(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "known keys: key, label, label_en, group, radius_m, target, color" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[meta]\nname = "x"\nauthor = "me"\n[[category]]\n' + _CATEGORY,
            "unknown key 'author' in [meta]",
        ),
        (
            "[[categories]]\n" + _CATEGORY,
            "unknown key 'categories' in the taxonomy file (did you mean 'category'?)",
        ),
        (
            '[[domain]]\nkey = "kaigo"\nkeyword = ["高齢"]\n[[category]]\n' + _CATEGORY,
            "unknown key 'keyword' in [[domain]] 'kaigo' (did you mean 'keywords'?)",
        ),
        ("[[category]]\n" + _CATEGORY.replace("#1f77b4", "blue"), "must be a hex colour"),
        (
            "[[category]]\n" + _CATEGORY.replace("500", '"far"'),
            "radius_m of [[category]] 'salon' must be a number",
        ),
        ("[[category]]\n" + _CATEGORY.replace("target = 0.8\n", ""), "lacks the keys ['target']"),
        ("[[category]\n", "not valid TOML"),
    ],
)
def test_taxonomy_file_problems_name_the_file(tmp_path, text, expected):
    from chiikimap import InputFileError, load_taxonomy

    path = tmp_path / "tax.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_taxonomy(path)
    assert str(err.value).startswith(str(path))
    assert expected in str(err.value)


def test_a_valid_file_still_loads(tmp_path):
    from chiikimap import load_taxonomy

    path = tmp_path / "tax.toml"
    path.write_text('[meta]\nname = "mine"\n[[category]]\n' + _CATEGORY, encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.keys == ("salon",) or list(tax.keys) == ["salon"]
    assert tax["salon"].radius_m == 500.0


def test_extend_rejects_a_typo_too():
    with pytest.raises(ChiikimapError, match="did you mean 'color'") as err:
        default_taxonomy().extend(
            {"key": "salon", "label": "サロン", "radius_m": 500, "target": 0.8, "colour": "#f00"}
        )
    assert err.value.param == "categories"


def test_districts_whose_names_are_all_empty_say_so(tmp_path):
    import json

    from chiikimap import InputFileError, read_districts

    def square(x: float) -> list:
        return [[[x, 34.8], [x + 0.01, 34.8], [x + 0.01, 34.81], [x, 34.81], [x, 34.8]]]

    features = [
        {
            "type": "Feature",
            "properties": {"id": i, "name": ""},
            "geometry": {"type": "Polygon", "coordinates": square(135.6 + 0.02 * i)},
        }
        for i in range(3)
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    with pytest.raises(InputFileError) as err:
        read_districts(path, id_col="id", name_col="name")
    message = str(err.value)
    assert "all 3 rows were rejected: 3 × " in message
    assert "empty name" in message
    assert "no usable polygon" not in message
    assert err.value.params == ("id_col", "name_col")
