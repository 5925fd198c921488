"""Normalisation of Japanese place names (町丁・字) for joining tables to boundaries.

「１丁目」, 「一丁目」 and 「1丁目」 must compare equal, as must 「緑ヶ丘」 and 「緑ケ丘」. Only the number
directly in front of 丁目 / 丁 / 番町 / 条 / 線 / 区 is converted, so that names that merely contain a
kanji numeral (「一宮町」, 「三谷町」, 「十川東町」) are left alone.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["OLD_FORMS", "kanji_to_int", "normalize_town_name"]

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

#: 旧字体 / 異体字 seen in municipal lists and area names, folded to the form reference files use
#: (shared by address matching and area-name matching).
OLD_FORMS: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "邊": "辺",
    "邉": "辺",
    "濵": "浜",
    "濱": "浜",
    "齋": "斎",
    "齊": "斉",
    "澤": "沢",
    "櫻": "桜",
    "國": "国",
    "實": "実",
    "廣": "広",
    "嶋": "島",
    "嶌": "島",
    "與": "与",
    "學": "学",
    "關": "関",
    "龍": "竜",
    "團": "団",
    "鐵": "鉄",
    "驛": "駅",
    "條": "条",
    "藏": "蔵",
    "縣": "県",
    "區": "区",
    "臺": "台",
    "寳": "宝",
    "寶": "宝",
    "舊": "旧",
    "靜": "静",
    "眞": "真",
    "德": "徳",
    "惠": "恵",
    "淺": "浅",
    "萬": "万",
    "豐": "豊",
    "黑": "黒",
    "榮": "栄",
    "曾": "曽",
    "圓": "円",
    "鹽": "塩",
    "檜": "桧",
}


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
