"""Exception and warning types of chiikimap.

Every error subclasses :class:`ValueError` so that callers who catch ``ValueError`` keep working.
Messages say what was wrong, what was received, where (file, row) and how to fix it; the Japanese
hint comes first because it is what a coordinator reads.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

__all__ = [
    "CRSError",
    "ChiikimapError",
    "ChiikimapWarning",
    "ColumnNotFoundError",
    "EncodingError",
    "InputFileError",
    "OutputFileError",
    "ParameterError",
    "SchemaError",
    "UnknownCategoryError",
    "UnknownLayoutError",
    "check_choice",
    "user_stacklevel",
]


class ChiikimapError(ValueError):
    """Base class of every chiikimap error.

    Parameters
    ----------
    message
        What was wrong, what was received and how to fix it (Japanese first, then English).
    param
        The name of the function parameter (or recipe key) the problem belongs to, when there is
        one. The CLI maps it to its own option name, so no caller ever parses the message text.
    """

    def __init__(self, message: str = "", *, param: str | None = None) -> None:
        self.param = param
        super().__init__(message)


class ChiikimapWarning(UserWarning):
    """Base class of every chiikimap warning (rejected rows, assumed CRS, overlaps …)."""


class InputFileError(ChiikimapError):
    """A problem with one input file, optionally at one row.

    Parameters
    ----------
    message
        What was wrong and how to fix it.
    path
        The file; included at the front of the message.
    row
        1-based row number in the file (header = row 1 for CSV/xlsx), if the problem is one row.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        row: int | None = None,
        param: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        where = ""
        if self.path is not None:
            where = self.path
            if row is not None:
                where += f" (行 {row} / row {row})"
            where += ": "
        super().__init__(where + message, param=param)


class OutputFileError(ChiikimapError):
    """An output file could not be written: missing or read-only folder, full disk, file in use.

    Parameters
    ----------
    message
        What went wrong and what to do (Japanese first, then English).
    path
        The output file; included at the front of the message.
    param
        The parameter that named the file (``"path"`` for every writer).
    """

    def __init__(self, message: str, *, path: str | PathLike[str], param: str = "path") -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}", param=param)


class EncodingError(InputFileError):
    """The file's text could not be decoded, or decoded into broken text (U+FFFD)."""


class ColumnNotFoundError(InputFileError):
    """A required column was not found; the message lists the columns seen and the parameter to pass."""


class UnknownLayoutError(InputFileError):
    """The file's layout (e.g. an A32 edition) was not recognised."""


class SchemaError(ChiikimapError):
    """A GeoDataFrame passed to a public function lacks a documented column or has wrong values."""


class CRSError(ChiikimapError):
    """Missing, mixed or implausible coordinate reference systems."""


class UnknownCategoryError(ChiikimapError):
    """A category key that the taxonomy does not define."""


class ParameterError(ChiikimapError):
    """A function argument (or CLI option, recipe key) has a value the function cannot use.

    ``param`` names the parameter; the message lists the accepted values.
    """


def check_choice(param: str, value: object, choices: Iterable[object]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``choices``.

    The one place where fixed choices (``lang``, ``labels``, ``paper`` …) are validated, so
    every function words the error the same way and names the parameter.

    Examples
    --------
    >>> check_choice("lang", "ja", ("ja", "en"))
    >>> check_choice("lang", "fr", ("ja", "en"))
    Traceback (most recent call last):
    ...
    chiikimap._errors.ParameterError: lang は 'ja', 'en' のいずれかです / lang must be one of 'ja', 'en'; got 'fr'
    """
    options = tuple(choices)
    if value in options:
        return
    listed = ", ".join(repr(c) for c in options)
    raise ParameterError(
        f"{param} は {listed} のいずれかです / {param} must be one of {listed}; got {value!r}",
        param=param,
    )


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside chiikimap.

    Call it in the function that calls :func:`warnings.warn`. A public function can be reached
    directly or through a :class:`~chiikimap.Coverage` method, so a fixed ``stacklevel`` would
    name chiikimap's own code half of the time.
    """
    package = str(Path(__file__).resolve().parent) + os.sep
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
