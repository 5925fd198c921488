"""Atomic output files: every writer fills a temporary file in the target folder, then renames it.

A process killed while it writes (Ctrl-C, out of memory, a closed laptop) leaves either the old
file or the complete new one, never a half-written karte or a GeoPackage with some layers
missing: the rename (:func:`os.replace`) is atomic on one file system, and the temporary file
sits in the target's own folder so that it is on the same file system.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path

from ._errors import OutputFileError

__all__ = ["atomic_path", "temporary_name"]


def temporary_name(target: Path) -> Path:
    """A fresh hidden name next to ``target`` that ends in the target's suffix.

    ``map.png`` → ``.map.png.3f9a1c0d.tmp.png``: writers that choose a format by the suffix
    (GDAL, openpyxl) see the right one, and a file left by a killed process is recognisable.
    """
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}")


def _folder_error(target: Path, exc: OSError) -> OutputFileError:
    folder = target.parent
    if isinstance(exc, FileNotFoundError):
        why = (
            f"フォルダ {folder} がありません。先に作成してください / the folder {folder} does "
            "not exist; create it first"
        )
    elif isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EACCES):
        why = (
            f"フォルダ {folder} に書き込めません（読み取り専用か権限がありません）。別の出力先を"
            f"指定してください / cannot write into {folder} (read-only or no permission); "
            "choose another output folder"
        )
    else:
        why = f"書き込めません / cannot write: {exc.strerror or exc}"
    return OutputFileError(why, path=target)


def _reserve(target: Path) -> Path:
    """Prove that the folder is writable by creating (then removing) the temporary file."""
    if target.is_dir():
        raise OutputFileError(
            "同じ名前のフォルダがあります。ファイル名を指定してください / this is a folder; "
            "give a file name",
            path=target,
        )
    tmp = temporary_name(target)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except OSError as exc:
        raise _folder_error(target, exc) from exc
    os.close(fd)
    # writers create the file themselves (GDAL refuses to write into an empty existing file)
    tmp.unlink()
    return tmp


def _fsync(path: Path) -> None:
    """Flush ``path`` to disk so that the rename never exposes an empty file after a crash."""
    with contextlib.suppress(OSError), path.open("rb") as fh:
        os.fsync(fh.fileno())


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextmanager
def atomic_path(path: str | PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one rename.

    Parameters
    ----------
    path
        The file the caller means to write. Its folder must exist and be writable.

    Yields
    ------
    pathlib.Path
        A path in the same folder, ending in the same suffix, that does not exist yet. Write
        the complete output there. When the block ends normally the file is renamed over
        ``path`` (keeping the old file's permission bits); when it raises, the temporary file
        is removed and ``path`` is untouched.

    Raises
    ------
    OutputFileError
        The folder is missing or read-only, ``path`` is a folder, the disk is full, or the
        old file cannot be replaced (on Windows: it is open in another application).
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()  # replace the file the link points to, not the link
    tmp = _reserve(target)
    try:
        yield tmp
    except OSError as exc:
        _discard(tmp)
        raise OutputFileError(
            f"書き込みに失敗しました / writing failed: {exc.strerror or exc}", path=target
        ) from exc
    except BaseException:
        _discard(tmp)
        raise
    if not tmp.exists():
        raise OutputFileError(  # pragma: no cover - a writer that wrote nothing
            "出力が作成されませんでした / the writer produced no file", path=target
        )
    _fsync(tmp)
    try:
        if target.exists():
            tmp.chmod(target.stat().st_mode & 0o7777)
        tmp.replace(target)
    except OSError as exc:
        _discard(tmp)
        raise OutputFileError(
            "ファイルを置き換えられません。ほかのアプリで開いていれば閉じてください / cannot "
            f"replace the file; close it if another application has it open ({exc.strerror or exc})",
            path=target,
        ) from exc
