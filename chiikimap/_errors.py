"""Exception and warning types of chiikimap.

Every error subclasses :class:`ValueError` so that callers who catch ``ValueError`` keep working.
Messages say what was wrong, what was received, where (file, row) and how to fix it; the Japanese
hint comes first because it is what a coordinator reads.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import ParamSpec, TypeVar

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
    "file_errors",
    "reads_files",
    "show_value",
    "user_stacklevel",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class ChiikimapError(ValueError):
    """Base class of every chiikimap error.

    Parameters
    ----------
    message
        What was wrong, what was received and how to fix it (Japanese first, then English).
    param
        The name of the function parameter (or recipe key) the problem belongs to, when there is
        one, or several names when the fix is to pass one of them (``("id_col", "name_col")``).
        The CLI maps them to its own option names, so no caller ever parses the message text.

    Attributes
    ----------
    param : str or None
        The (first) parameter the problem belongs to.
    params : tuple of str
        Every parameter named by ``param``.
    """

    def __init__(self, message: str = "", *, param: str | Sequence[str] | None = None) -> None:
        self.params: tuple[str, ...] = _names(param)
        self.param: str | None = self.params[0] if self.params else None
        super().__init__(message)


class ChiikimapWarning(UserWarning):
    """Base class of every chiikimap warning (rejected rows, assumed CRS, overlaps …).

    Parameters
    ----------
    message
        What was noticed and what was done about it.
    param
        The parameter (or parameters) that would change the outcome, as for
        :class:`ChiikimapError`; warn with an instance to set it:
        ``warnings.warn(ChiikimapWarning(text, param="crs"), stacklevel=2)``.
    """

    def __init__(self, message: str = "", *, param: str | Sequence[str] | None = None) -> None:
        self.params: tuple[str, ...] = _names(param)
        self.param: str | None = self.params[0] if self.params else None
        super().__init__(message)


def _names(param: str | Sequence[str] | None) -> tuple[str, ...]:
    if param is None:
        return ()
    return (param,) if isinstance(param, str) else tuple(param)


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
    param
        The reader parameter that fixes the problem (``"lat_col"``, ``"encoding"`` …), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        row: int | None = None,
        param: str | Sequence[str] | None = None,
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
    """The file's text could not be decoded, or decoded into broken text (U+FFFD).

    Parameters
    ----------
    message
        What was wrong and which encoding to pass.
    path
        The file; included at the front of the message.
    row
        1-based row number in the file, if the problem is one row.
    param
        The parameter that fixes it: ``"encoding"`` unless another is given.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        row: int | None = None,
        param: str | Sequence[str] | None = "encoding",
    ) -> None:
        super().__init__(message, path=path, row=row, param=param)


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


def show_value(value: object) -> str:
    """A cell's value quoted for a message, its line breaks shown as ⏎ (never a literal ``\\n``).

    >>> show_value("通所介護\n（休止中）")
    "'通所介護⏎（休止中）'"
    """
    if isinstance(value, str):
        return repr(value.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎"))
    return repr(value)


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


#: modules whose exceptions mean "this file cannot be read or written as that format"
_FILE_ERROR_MODULES = (
    "pyogrio",
    "openpyxl",
    "zipfile",
    "xml.",
    "lxml",
    "pandas.errors",
    "json",
    "sqlite3",
    "shapely.errors",
)


def _is_file_problem(exc: BaseException) -> bool:
    """Whether ``exc`` is a file-level failure (not a chiikimap error, not a programming error)."""
    if isinstance(exc, ChiikimapError):
        return False
    if isinstance(exc, OSError | UnicodeError | EOFError):
        return True
    module = type(exc).__module__ or ""
    return module.startswith(_FILE_ERROR_MODULES)


def _reason(exc: BaseException) -> str:
    """A one-line description of a low-level failure, without the temporary paths it may name."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    # pyogrio appends "; It might help to specify the correct driver …": the first clause is enough
    text = " ".join(str(exc).split(";")[0].split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:200]}"


@contextmanager
def file_errors(
    path: str | PathLike[str] | None, *, writing: bool = False, param: str | None = None
) -> Iterator[None]:
    """Turn a low-level failure to read or write ``path`` into a chiikimap error naming it.

    OS errors (missing file, permission, read-only folder, full disk) and the exceptions of the
    file libraries (pyogrio, openpyxl, zipfile, XML, pandas' parser, SQLite) become an
    :class:`InputFileError` (reading) or an :class:`OutputFileError` (writing) with the fix;
    chiikimap errors and programming errors pass through unchanged.

    Parameters
    ----------
    path
        The file being read or written.
    writing
        ``True`` for an output file.
    param
        The parameter that names the file (for the CLI's option hint).

    Yields
    ------
    None
        The body runs inside the translation.
    """
    try:
        yield
    except Exception as exc:
        if not _is_file_problem(exc):
            raise
        reason = _reason(exc)
        if writing:
            raise OutputFileError(
                f"書き出せませんでした（{reason}）。書き込めるフォルダか、開いていないファイルを"
                f"指定してください / could not write the file ({reason}); choose a folder you can "
                "write to, and close the file if another program has it open",
                path="" if path is None else path,
                param=param or "path",
            ) from exc
        if isinstance(exc, FileNotFoundError):
            raise InputFileError(
                "ファイルがありません。パスと名前を確認してください / no such file; check the path",
                path=getattr(exc, "filename", None) or path,
                param=param,
            ) from exc
        raise InputFileError(
            f"このファイルを読めません（{reason}）。壊れていないか、拡張子（.csv/.xlsx/.geojson/"
            f".shp など）が中身と合っているか確認してください / cannot read the file ({reason}); "
            "check that it is complete and that its extension matches its content",
            path=path,
            param=param,
        ) from exc


def reads_files(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate a public reader so that a file it cannot open ends as an :class:`InputFileError`.

    The first argument (or ``path=``) is the file, or a list of files; see :func:`file_errors`.

    Parameters
    ----------
    func
        The reader.

    Returns
    -------
    callable
        The reader with the same signature and docstring.
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        given = args[0] if args else kwargs.get("path")
        shown: str | None = None
        if isinstance(given, str | PathLike):
            shown = str(os.fspath(given))
        elif isinstance(given, Sequence) and given:
            shown = ", ".join(str(p) for p in given)
        with file_errors(shown, param="path"):
            return func(*args, **kwargs)

    return wrapper
