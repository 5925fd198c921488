"""Safe extraction of zip members (国土数値情報 and e-Stat distribute their data as zips).

Members are copied to disk in chunks, never read whole into memory; each member and the sum
of them are capped (by the size the zip declares, checked before anything is written, and by
the bytes actually written); member names that could leave the target folder or that name no
file (absolute paths, drive letters, ``..``, ``a./..``) are refused with the zip's name.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .._errors import InputFileError

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "check_member_names",
    "extract_dataset",
    "extract_members",
]

#: the largest member extracted (a nationwide 小地域 shapefile is about 400 MB)
MAX_MEMBER_BYTES = 1 << 30
#: the most bytes extracted from one zip in total
MAX_TOTAL_BYTES = 2 << 30
_CHUNK = 1 << 20


def _odd(name: str) -> bool:
    """A member name that is absolute, climbs out with ``..`` or names no regular file."""
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return True
    # 'a./..' and the like: a component made of dots only climbs out or names a folder
    body = text.rstrip("/")
    return not body or any(p.strip(".") == "" and p != "" for p in body.split("/"))


def check_member_names(archive: Path, names: Sequence[str]) -> None:
    """Raise :class:`InputFileError` naming the zip when a member name is unsafe."""
    odd = [n for n in names if _odd(n)]
    if odd:
        shown = ", ".join(repr(n) for n in odd[:5])
        raise InputFileError(
            f"zip の中に安全でない名前のファイルがあります（{shown}）。展開せずに読むのをやめました。"
            "入手元を確かめ、必要なファイルだけを取り出して指定してください / the zip holds members "
            f"with unsafe names ({shown}: absolute, '..' or dots only); not extracted — extract "
            "the data yourself and pass the file",
            path=archive,
        )


def _too_large(archive: Path, member: str | None, size: int, limit: int) -> InputFileError:
    ja = f"ファイル {member!r} " if member else "中身の合計"
    en = f"member {member!r}" if member else "content in total"
    return InputFileError(
        f"zip の{ja}が大きすぎます（{size:,} バイト、上限 {limit:,} バイト）。展開して中の"
        f"ファイルを直接指定してください / the zip's {en} is too large ({size:,} bytes; the "
        f"limit is {limit:,}); extract it yourself and pass the file",
        path=archive,
    )


def extract_members(archive: Path, zf: zipfile.ZipFile, names: Sequence[str], into: Path) -> None:
    """Copy ``names`` of ``zf`` (already checked by :func:`check_member_names`) into ``into``.

    Each file goes to ``into / <its base name>``; sizes are checked against
    :data:`MAX_MEMBER_BYTES` and :data:`MAX_TOTAL_BYTES` before and while copying.
    """
    infos = [zf.getinfo(n) for n in names]
    total = 0
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise _too_large(archive, info.filename, info.file_size, MAX_MEMBER_BYTES)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _too_large(archive, None, total, MAX_TOTAL_BYTES)
    written = 0
    for info in infos:
        target = into / PurePosixPath(info.filename.replace("\\", "/")).name
        size = 0
        try:
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    written += len(chunk)
                    if size > MAX_MEMBER_BYTES:
                        raise _too_large(archive, info.filename, size, MAX_MEMBER_BYTES)
                    if written > MAX_TOTAL_BYTES:
                        raise _too_large(archive, None, written, MAX_TOTAL_BYTES)
                    dst.write(chunk)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
            raise InputFileError(
                f"zip の中のファイル {info.filename!r} が壊れているか読めません / the zip member "
                f"{info.filename!r} is damaged or cannot be read: {exc}",
                path=archive,
            ) from None


def extract_dataset(archive: Path, into: Path) -> Path:
    """Extract the one vector data set of a zip (as 国土数値情報 distributes it) and return it.

    A shapefile is preferred over a GeoJSON of the same data (KSJ zips hold both); its sidecar
    files (.dbf, .shx, .prj, .cpg) are extracted with it. Several data sets are an error that
    lists them. Every member name is checked and the extraction is capped
    (:func:`extract_members`), so GDAL never opens a zip in place.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise InputFileError(
            "zip ファイルとして開けません / not a readable zip file", path=str(archive)
        ) from exc
    with zf:
        check_member_names(archive, zf.namelist())
        names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
        shp = [n for n in names if n.lower().endswith(".shp")]
        other = [
            n for n in names if n.lower().endswith((".geojson", ".json", ".topojson", ".gpkg"))
        ]
        candidates = shp or other
        if len(candidates) != 1:
            found = ", ".join(candidates) or ", ".join(names[:20])
            raise InputFileError(
                f"zip の中に読み込むデータが {len(candidates)} 個あります ({found})。展開して 1 つの"
                f"ファイルを指定してください / the zip holds {len(candidates)} vector data sets "
                f"({found}); extract it and pass one file",
                path=str(archive),
            )
        chosen = candidates[0]
        stem = chosen[: -len(Path(chosen).suffix)]
        members = [n for n in names if n == chosen or (shp and n.startswith(stem + "."))]
        extract_members(archive, zf, members, into)
    return into / Path(chosen).name
