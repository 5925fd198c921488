"""Normalisation of Japanese place names (町丁・字) for joining tables to boundaries.

「１丁目」, 「一丁目」 and 「1丁目」 must compare equal, as must 「緑ヶ丘」 and 「緑ケ丘」. Only the number
directly in front of 丁目 / 丁 / 番町 / 条 / 線 / 区 is converted, so that names that merely contain a
kanji numeral (「一宮町」, 「三谷町」, 「十川東町」) are left alone.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["kanji_to_int", "normalize_town_name"]

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = "[〇零一二三四五六七八九十百千]+"
_COUNTER = "(?:丁目|丁|番町|条|線|区)"
_NUMBER_BEFORE_COUNTER = re.compile(f"({_KANJI_NUMBER})(?={_COUNTER})")
_KE = str.maketrans({"ヶ": "ケ", "ヵ": "ケ", "ゖ": "ケ", "ｹ": "ケ"})
_SPACES = re.compile(r"\s+")


def kanji_to_int(text: str) -> int:
    """The value of a kanji numeral: 「十二」 → 12, 「二十」 → 20, 「百五」 → 105, 「二〇」 → 20.

    Both the traditional form with 十/百/千 and the positional form written digit by digit are read.

    Raises
    ------
    ValueError
        When ``text`` is empty or holds anything other than kanji digits and 十/百/千.
    """
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"漢数字ではありません / not a kanji numeral: {text!r}")
    if not any(ch in _UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _DIGITS[ch]
        return value
    total = 0
    pending: int | None = None
    for ch in text:
        if ch in _DIGITS:
            if pending is not None:
                raise ValueError(f"漢数字として読めません / malformed kanji numeral: {text!r}")
            pending = _DIGITS[ch]
        else:
            total += (1 if pending is None else pending) * _UNITS[ch]
            pending = None
    return total + (pending or 0)


def normalize_town_name(name: object) -> str:
    """A key under which spellings of the same 町丁 name compare equal.

    NFKC (full-width digits and letters become ASCII), spaces removed, ヶ/ヵ written as ケ, and a
    kanji number directly before 丁目/丁/番町/条/線/区 written in Arabic digits:
    ``normalize_town_name("あすか野北一丁目") == normalize_town_name("あすか野北１丁目") == "あすか野北1丁目"``.
    ``None`` and NaN give ``""``.
    """
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = unicodedata.normalize("NFKC", str(name))
    text = _SPACES.sub("", text).translate(_KE)
    return _NUMBER_BEFORE_COUNTER.sub(lambda m: str(kanji_to_int(m.group(1))), text)
