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
