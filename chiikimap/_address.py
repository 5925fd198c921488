"""Normalisation of Japanese addresses for offline geocoding.

One folding function, :func:`fold`, is applied alike to the town names of a reference file and to
the addresses being geocoded, so that both sides meet in the same spelling: NFKC, 旧字体 folded
(髙→高, 﨑→崎 …), ヶ/ケ/が/ガ and 之/ノ/の folded, 大字/字 prefixes dropped, kanji numerals before
丁目/番/号/の and after 第 written in Arabic digits, every dash variant after a digit written ``-``
and white space removed.

:func:`split_numbers` reads the number chain that follows a town name (``3丁目30番1号``,
``1-24-34``, ``乙8番地``, ``47の1``); the first number of a hyphen chain may be the 丁目.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from ._names import OLD_FORMS, kanji_to_int

__all__ = ["NumberChain", "fold", "kanji_to_int", "split_numbers", "strip_prefecture"]

_KANJI_NUM = "〇零一二三四五六七八九十百千"

# the shared 旧字体 folds plus the kana and の spellings addresses vary in
_VARIANTS = str.maketrans(
    {
        **OLD_FORMS,
        "ヶ": "ケ",
        "ヵ": "ケ",
        "が": "ケ",
        "ガ": "ケ",
        "之": "の",
        "ノ": "の",
        "乃": "の",
    }
)
_DASH_AFTER_DIGIT = re.compile(r"(?<=\d)\s*[-‐‑‒–—―−ーｰ─━~〜]\s*(?=\d)")
_SPACE = re.compile(r"\s+")
_KANJI_BEFORE = re.compile(
    rf"([{_KANJI_NUM}]+)(?=丁目|丁|番地|番|号|の\d|の[{_KANJI_NUM}]|-|地割|条|線)"
)
_KANJI_AFTER_DAI = re.compile(rf"(?<=第)([{_KANJI_NUM}]+)")
_OAZA = re.compile(r"(?:^|(?<=[市区町村郡]))(?:大字|字)")
_PREF = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|[^\d\s]{2,3}?県)")
_NUMBER_TOKEN = re.compile(r"(?:の|-)?([甲乙丙丁]?)(\d+)(丁目|丁|番地|番|号|-|の|地割)?")


def _kanji_sub(match: re.Match[str]) -> str:
    try:
        return str(kanji_to_int(match.group(1)))
    except ValueError:  # not a numeral as written (「二三十」): leave the text as it is
        return match.group(0)


def fold(text: str, aliases: Mapping[str, str] | None = None) -> str:
    """Fold an address (or a reference town name) to the spelling used for matching.

    Parameters
    ----------
    text
        An address or a town name, as written.
    aliases
        Optional spelling variants of the municipality, ``{"招堤": "招提"}``; each key found in the
        folded text is replaced by its value (keys and values are folded first).

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold("大阪府枚方市津田北町３丁目３０番１号")
    '大阪府枚方市津田北町3丁目30番1号'
    >>> fold("香川県高松市朝日町二丁目２番７号　Ｌ−ビル")
    '香川県高松市朝日町2丁目2番7号L−ビル'
    >>> fold("星ヶ丘四丁目"), fold("大字尊延寺"), fold("髙松町１−２")
    ('星ケ丘4丁目', '尊延寺', '高松町1-2')
    """
    text = unicodedata.normalize("NFKC", text).translate(_VARIANTS)
    text = _SPACE.sub("", text)
    text = _DASH_AFTER_DIGIT.sub("-", text)
    text = _KANJI_AFTER_DAI.sub(_kanji_sub, text)
    text = _KANJI_BEFORE.sub(_kanji_sub, text)
    text = _OAZA.sub("", text)
    if aliases:
        for key, value in aliases.items():
            text = text.replace(fold(key), fold(value))
    return text


def strip_prefecture(text: str) -> str:
    """Drop a leading prefecture name from a folded address.

    Examples
    --------
    >>> strip_prefecture("大阪府枚方市新町2丁目"), strip_prefecture("香川県高松市"), strip_prefecture("高松市")
    ('枚方市新町2丁目', '高松市', '高松市')
    """
    return _PREF.sub("", text, count=1)


class NumberChain:
    """The numbers following a town name: ``values``, and whether the first was written 丁目.

    Examples
    --------
    >>> c = split_numbers("3丁目30番1号"); c.values, c.chome
    ([3, 30, 1], True)
    >>> c = split_numbers("1-24-34Aビル2階"); c.values, c.chome
    ([1, 24, 34], False)
    >>> split_numbers("乙8番地").values, split_numbers("251番地の3").values, split_numbers("").values
    ([8], [251, 3], [])
    """

    __slots__ = ("chome", "values")

    def __init__(self, values: list[int], chome: bool) -> None:
        self.values = values
        self.chome = chome


def split_numbers(rest: str) -> NumberChain:
    """Read the number chain at the start of ``rest`` (a folded address after the town name)."""
    values: list[int] = []
    chome = False
    pos = 0
    while True:
        match = _NUMBER_TOKEN.match(rest, pos)
        if match is None:
            break
        values.append(int(match.group(2)))
        if len(values) == 1 and match.group(3) in ("丁目", "丁"):
            chome = True
        pos = match.end()
        if match.group(3) is None or match.group(3) == "号":
            break
    return NumberChain(values, chome)
