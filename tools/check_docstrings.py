"""Validate the numpydoc docstrings of chiikimap's public API.

Checked: every name in ``chiikimap.__all__`` (functions and classes), the public methods and
properties of the public classes, and ``chiikimap.cli.main``. A dataclass may list its fields under
``Attributes`` instead of ``Parameters`` (every field is checked). The check set is osmnx's
(numpydoc's ``all`` minus ES01, EX01, GL08, PR04, SA01) minus three layout rules this project
writes differently: GL01/GL02 (the summary starts on the line of the opening quotes) and SS06
(a summary may wrap).

Usage: ``python tools/check_docstrings.py``; exits 1 and lists ``object: CODE message`` when a
docstring fails.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys

try:
    from numpydoc.docscrape import ClassDoc
    from numpydoc.validate import validate
except ImportError:  # pragma: no cover - a message instead of a traceback
    sys.exit("numpydoc is missing: pip install -e '.[lint]'")

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
EXEMPT: dict[str, str] = {}


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


def _undocumented_fields(name: str) -> set[str] | None:
    """For a dataclass: its constructor fields missing from ``Parameters`` and ``Attributes``.

    A dataclass's fields are both; either section documents them. ``None`` for other objects.
    """
    obj = _resolve(name)
    if not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return None
    documented: set[str] = set()
    doc = ClassDoc(obj)
    for item in [*doc["Parameters"], *doc["Attributes"]]:
        documented.update(part.strip() for part in item.name.split(","))
    return {f.name for f in dataclasses.fields(obj) if f.init} - documented


def _resolve(name: str) -> object:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(name)


def failures(name: str) -> list[tuple[str, str]]:
    """Return the enforced ``(code, message)`` failures of one object's docstring.

    Parameters
    ----------
    name
        The dotted name of the object, e.g. ``chiikimap.analyze``.

    Returns
    -------
    list of tuple of str
        The failing checks that are not in :data:`SKIPPED`. PR01 is not asked of an exception
        class that inherits its base's constructor (the base documents it); a dataclass must
        list every constructor field under ``Parameters`` or ``Attributes`` instead.
    """
    skipped = set(SKIPPED)
    if _inherits_constructor(name):
        skipped.add("PR01")  # the base class documents the parameters
    extra: list[tuple[str, str]] = []
    fields = _undocumented_fields(name)
    if fields is not None:
        skipped.add("PR01")  # a dataclass's parameters are its fields, listed as Attributes
        if fields:
            extra.append(
                ("PR01", f"Dataclass fields {sorted(fields)} not documented as Attributes")
            )
    result = validate(name)
    return [(code, msg) for code, msg in result["errors"] if code not in skipped] + extra


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
            if not errors:  # a stale exemption fails too, so the list stays true
                print(f"{name}: passes now; remove it from EXEMPT")
                bad += 1
            continue
        for code, msg in errors:
            print(f"{name}: {code} {msg}")
        bad += bool(errors)
    passed = len(objects) - bad - exempt
    print(f"numpydoc: {passed} of {len(objects)} public objects pass, {exempt} exempt, {bad} fail")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
