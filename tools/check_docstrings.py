"""Validate the numpydoc docstrings of chiikimap's public API.

Checked: every name in ``chiikimap.__all__`` (functions and classes), the public methods and
properties of the public classes, and ``chiikimap.cli.main``. The check set is osmnx's
(numpydoc's ``all`` minus ES01, EX01, GL08, PR04, SA01) minus three layout rules this project
writes differently: GL01/GL02 (the summary starts on the line of the opening quotes) and SS06
(a summary may wrap).

Usage: ``python tools/check_docstrings.py``; exits 1 and lists ``object: CODE message`` when a
docstring fails.
"""

from __future__ import annotations

import inspect
import sys

from numpydoc.validate import validate

import chiikimap

#: numpydoc checks that are not enforced, with the reason
SKIPPED = {
    "ES01": "an extended summary is optional",
    "EX01": "examples are optional (the doctests cover the pipeline)",
    "GL01": "the summary starts on the line of the opening quotes",
    "GL02": "the closing quotes follow the last line (ruff format's layout)",
    "GL08": "objects without a docstring are caught by their own tests",
    "PR04": "parameter types live in the signature, not the docstring",
    "SA01": "a See Also section is optional",
    "SS06": "a summary may wrap onto a second line",
}

#: objects allowed to fail, each with the reason (named exemptions; keep this short)
EXEMPT: dict[str, str] = {
    "chiikimap.Coverage": "dataclass fields are documented under Attributes; result.py move in progress",
    "chiikimap.RunInfo": "dataclass fields are documented under Attributes; result.py move in progress",
    "chiikimap.Coverage.gap_matrix": "Coverage methods get full docstrings with the output-method rewrite",
    "chiikimap.Coverage.summary": "Coverage methods get full docstrings with the output-method rewrite",
    "chiikimap.Coverage.missing": "Coverage methods get full docstrings with the output-method rewrite",
    "chiikimap.Category": "taxonomy docstrings are being rewritten",
    "chiikimap.Category.display": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.label": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.classify_one": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.classify": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.unclassified": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.extend": "taxonomy docstrings are being rewritten",
    "chiikimap.Taxonomy.with_rules": "taxonomy docstrings are being rewritten",
    "chiikimap.Sample": "dataclass fields are documented under Attributes",
    "chiikimap.read_population": "population reader docstring is being rewritten",
    "chiikimap.rejected_rows": "summary wording",
}


def public_objects() -> list[str]:
    """List the dotted names of the public API whose docstrings are validated.

    Returns
    -------
    list of str
        ``chiikimap.<name>`` for every name in ``__all__`` except ``__version__``, the
        public methods and properties of the public classes that are not exceptions or
        warnings, and ``chiikimap.cli.main``.
    """
    names: list[str] = []
    for name in chiikimap.__all__:
        obj = getattr(chiikimap, name)
        if name.startswith("__"):
            continue
        names.append(f"chiikimap.{name}")
        if not inspect.isclass(obj) or issubclass(obj, Exception | Warning):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_") or not _is_routine(member):
                continue
            names.append(f"chiikimap.{name}.{attr}")
    names.append("chiikimap.cli.main")
    return names


def _is_routine(member: object) -> bool:
    """Tell whether a class member is a method or property worth validating."""
    return isinstance(member, property | staticmethod | classmethod) or inspect.isfunction(member)


def _inherits_constructor(name: str) -> bool:
    """Tell whether ``name`` is an exception class whose constructor is its base's."""
    obj = getattr(chiikimap, name.removeprefix("chiikimap."), None)
    return (
        inspect.isclass(obj)
        and issubclass(obj, Exception)
        and "__init__" not in vars(obj)
        and obj.__mro__[1] is not Exception
    )


def failures(name: str) -> list[tuple[str, str]]:
    """Return the enforced ``(code, message)`` failures of one object's docstring.

    Parameters
    ----------
    name
        The dotted name of the object, e.g. ``chiikimap.analyze``.

    Returns
    -------
    list of tuple of str
        The failing checks that are not in :data:`SKIPPED` (nor PR01 for an exception class
        that inherits its base's constructor, which the base documents).
    """
    skipped = set(SKIPPED)
    if _inherits_constructor(name):
        skipped.add("PR01")  # the base class documents the parameters
    result = validate(name)
    return [(code, msg) for code, msg in result["errors"] if code not in skipped]


def main() -> int:
    """Validate every public docstring and print the failures.

    Returns
    -------
    int
        0 when every non-exempt docstring passes, 1 otherwise.
    """
    objects = public_objects()
    bad = exempt = 0
    for name in objects:
        errors = failures(name)
        if name in EXEMPT:
            exempt += bool(errors)
            if not errors:
                print(f"note: {name} passes now; remove it from EXEMPT")
            continue
        for code, msg in errors:
            print(f"{name}: {code} {msg}")
        bad += bool(errors)
    passed = len(objects) - bad - exempt
    print(f"numpydoc: {passed} of {len(objects)} public objects pass, {exempt} exempt, {bad} fail")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
