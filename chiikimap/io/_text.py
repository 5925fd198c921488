"""Decoding of text files as Japanese municipalities publish them (UTF-8, UTF-8 with BOM, cp932).

Every reader decodes through :func:`decode_text`, so a file is detected the same way whichever
reader opens it: strict decoding (never a blind guess), broken text (U+FFFD) is an error, and the
two classic mojibake cases (UTF-8 with a few bad bytes read as cp932, EUC-JP read as cp932) are
caught instead of being read as garbage.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .._errors import EncodingError, InputFileError

__all__ = ["BOM", "check_replacement", "decode_text"]

#: UTF-8 byte order mark.
BOM = b"\xef\xbb\xbf"
#: every character but half-width katakana (U+FF61–U+FF9F)
_NOT_HALF_KANA = re.compile("[^\uff61-\uff9f]+")


def decode_text(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode ``data`` strictly: ``encoding`` if given, else UTF-8 (with or without BOM), then cp932.

    Returns the text (without a BOM) and the encoding used; raises :class:`EncodingError` with
    the line and a fix when the bytes do not decode or decode into broken text.
    """
    if encoding:
        try:
            if _is_legacy_japanese(encoding):
                # a UTF-8 BOM in front of Shift_JIS text (written by some converters) is not text
                data = data.removeprefix(BOM)
            text = data.decode(encoding)
        except LookupError:
            raise InputFileError(
                f"文字コード {encoding!r} は Python で使えません / unknown encoding {encoding!r}; "
                "use e.g. encoding='utf-8' or encoding='cp932'",
                path=path,
            ) from None
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"encoding={encoding!r} では読めません（{exc.start} バイト目）。"
                "encoding を省略すると UTF-8 と cp932 (Shift_JIS) を自動で試します / "
                f"cannot decode with encoding={encoding!r} at byte {exc.start}; omit encoding= to "
                "detect UTF-8/cp932, or pass the right one",
                path=path,
            ) from None
        check_replacement(path, text, encoding)
        return text.removeprefix("\ufeff"), encoding
    for enc in ("utf-8-sig", "cp932"):
        if enc == "cp932":
            data = data.removeprefix(BOM)
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        check_replacement(path, text, enc)
        if enc == "cp932" and _looks_like_broken_utf8(data):
            line = data[: _first_bad_utf8(data)].count(b"\n") + 1
            raise EncodingError(
                f"UTF-8 のファイルに UTF-8 として壊れたバイトがあります（{line} 行目）。cp932 として"
                "読むと文字化けするので読みません。元のファイルを入手し直すか、正しい文字コードを"
                f"encoding='…' で指定してください / the file is UTF-8 with invalid bytes (line "
                f"{line}); reading it as cp932 would be mojibake; pass encoding='...' if it is "
                "another encoding",
                path=path,
            )
        if enc == "cp932" and _looks_like_euc_jp(text, data):
            raise EncodingError(
                "cp932 (Shift_JIS) として読むと半角カナばかりの文字化けになります。EUC-JP の"
                "ファイルのようです: encoding='euc_jp' を指定してください / read as cp932 the text "
                "is half-width katakana mojibake; the file looks like EUC-JP: pass encoding='euc_jp'",
                path=path,
            )
        if enc == "utf-8-sig":
            enc = "utf-8-sig" if data.startswith(BOM) else "utf-8"
        return text, enc
    raise EncodingError(
        "文字コードを判定できません。UTF-8（BOM 付き・なし）でも cp932 (Shift_JIS) でも読めません。"
        "ファイルの文字コードを確かめて encoding='euc_jp' のように指定してください / could not "
        "decode the file as UTF-8 or cp932; pass encoding='...' (e.g. encoding='euc_jp')",
        path=path,
    )


def _is_legacy_japanese(encoding: str) -> bool:
    """cp932, Shift_JIS or EUC-JP (any spelling Python accepts); raises LookupError if unknown."""
    name = codecs.lookup(encoding).name
    return name == "cp932" or name.startswith(("shift_jis", "euc_j", "euc-j"))


def _looks_like_broken_utf8(data: bytes) -> bool:
    """Mostly valid UTF-8 multibyte text with a few bad bytes (cp932 rarely looks like that)."""
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = _non_ascii(lenient) - bad
    return good > bad


def _non_ascii(text: str) -> int:
    """How many characters of ``text`` are not ASCII (counted in C, not one by one)."""
    return len(text) - len(text.encode("ascii", errors="ignore"))


def _first_bad_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


def _looks_like_euc_jp(text: str, data: bytes) -> bool:
    """EUC-JP bytes decode as cp932 half-width katakana; flag text that is mostly that."""
    # counted without a list of characters: a million-row file has tens of millions of them
    kana = len(_NOT_HALF_KANA.sub("", text))
    if kana < 4 or kana * 2 < _non_ascii(text):
        return False
    try:
        data.decode("euc_jp")
    except UnicodeDecodeError:
        return False
    return True


def check_replacement(path: Path, text: str, encoding: str) -> None:
    """Raise :class:`EncodingError` when ``text`` holds U+FFFD replacement characters."""
    pos = text.find("\ufffd")
    if pos < 0:
        return
    line = text.count("\n", 0, pos) + 1
    raise EncodingError(
        f"文字化けした文字 (U+FFFD) が {text.count(chr(0xFFFD))} 個あります（{line} 行目から）。"
        f"{encoding} で読みましたが、元の文字が失われています。元のファイルを入手し直すか、"
        "正しい文字コードを encoding='…' で指定してください / the text contains U+FFFD "
        f"replacement characters (first on line {line}) when read as {encoding}: the file is "
        "mojibake or has another encoding; pass encoding='...'",
        path=path,
    )
