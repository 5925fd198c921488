"""The municipality's own address spellings: a two-column table a coordinator edits in Excel.

An alias table maps a spelling found in the lists to the spelling of the reference data
(「招堤」→「招提」, 「楠葉」→「樟葉」). It is a CSV (UTF-8, UTF-8 with BOM or cp932) or xlsx file
whose first two columns are the spelling as written and the reference spelling; a first row
naming them (表記 / 正しい表記, alias / canonical …) is a header. Blank rows and rows whose first
cell starts with ``#`` are notes. Example (``aliases.csv``)::

    表記,正しい表記
    招堤,招提
    楠葉,樟葉
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from .._errors import InputFileError, ParameterError
from ._table import cell_text, read_records
from ._text import BOM

__all__ = ["AliasArg", "read_aliases", "resolve_aliases"]

#: what ``address_aliases=`` accepts: a mapping, or the path of an alias table
AliasArg = Mapping[str, str] | str | PathLike[str]

#: first-row cells that make the first row a header (compared lower-cased, NFKC not needed)
_HEADER_WORDS = ("表記", "別表記", "誤記", "alias", "variant", "正しい表記", "正式", "canonical")


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """The table's non-blank rows as (row number, text cells), read by the shared reader.

    CSV files are decoded as every list is (:func:`chiikimap.io._table.read_records`: UTF-8
    with or without BOM, cp932; broken or EUC-JP text is an error); xlsx: the first sheet.
    """
    if path.is_file() and not path.read_bytes().removeprefix(BOM).strip():
        return []  # an empty table: no aliases
    try:
        records = read_records(path)[0]
    except InputFileError as exc:
        exc.params, exc.param = ("address_aliases",), "address_aliases"
        raise
    return [
        (number, [cell_text(c) for c in row])
        for number, row in zip(records.numbers, records.rows, strict=True)
    ]


def _is_header(cells: list[str]) -> bool:
    return any(w in c.strip().lower() for c in cells[:2] for w in _HEADER_WORDS)


def read_aliases(path: str | PathLike[str]) -> dict[str, str]:
    """Read an alias table (spelling as written → spelling of the reference).

    Parameters
    ----------
    path
        A CSV or xlsx file: first column the spelling found in the lists, second column the
        spelling used by the reference data; an optional header row.

    Returns
    -------
    dict
        ``{as written: reference spelling}`` in the table's order.

    Raises
    ------
    chiikimap.InputFileError
        The file cannot be read, or a row has only one of the two spellings (its row number is
        given, counting the header as row 1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "aliases.csv"
    >>> _ = p.write_text("表記,正しい表記\\n招堤,招提\\n# 楠葉 は 樟葉\\n楠葉,樟葉\\n", encoding="utf-8")
    >>> read_aliases(p)
    {'招堤': '招提', '楠葉': '樟葉'}
    """
    p = Path(path)
    out: dict[str, str] = {}
    for number, cells in _rows(p):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and _is_header(cells):
            continue
        written = cells[0]
        canonical = cells[1] if len(cells) > 1 else ""
        if not written or not canonical:
            raise InputFileError(
                "表記と正しい表記の両方が必要です（1列目: 一覧での表記、2列目: 参照データの表記） / "
                "a row needs both spellings (column 1 as written, column 2 as in the reference)",
                path=p,
                row=number,
                param="address_aliases",
            )
        out[written] = canonical
    return out


def resolve_aliases(
    aliases: AliasArg | None, base: str | PathLike[str] | None = None
) -> dict[str, str] | None:
    """The alias mapping of an ``address_aliases=`` value: a mapping, or a table's path.

    Parameters
    ----------
    aliases
        ``None``, a mapping ``{as written: reference spelling}`` or the path of an alias table
        (:func:`read_aliases`).
    base
        Folder a relative path is taken from (a recipe's folder); default the current one.

    Returns
    -------
    dict or None
        The mapping, or ``None`` when no aliases were given.

    Raises
    ------
    chiikimap.ParameterError
        A mapping whose keys or values are not text.
    """
    if aliases is None:
        return None
    if isinstance(aliases, Mapping):
        bad = [k for k, v in aliases.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise ParameterError(
                f"住所の別表記は 文字列 = 文字列 で書きます: {bad[0]!r} / address aliases map text "
                f"to text; got {bad[0]!r}",
                param="address_aliases",
            )
        return dict(aliases)
    path = Path(aliases)
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    return read_aliases(path)
