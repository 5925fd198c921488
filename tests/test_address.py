"""Address normalisation (chiikimap._address) on the address styles of the real lists."""

from __future__ import annotations

import pytest

from chiikimap._address import fold, kanji_to_int, split_numbers, strip_prefecture


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        # 枚方 ナビイ list: full-width digits and dash
        ("大阪府枚方市伊加賀西町４７－１", "大阪府枚方市伊加賀西町47-1"),
        ("大阪府枚方市藤阪東町一丁目２番１号", "大阪府枚方市藤阪東町1丁目2番1号"),
        # 高松 list: 甲/乙 kept for split_numbers, minus sign U+2212, ideographic space + building
        ("香川県高松市新田町乙８番地", "香川県高松市新田町乙8番地"),
        ("香川県高松市伏石町２１３７−２０", "香川県高松市伏石町2137-20"),
        (
            "香川県高松市朝日町二丁目２番７号　Ｌ−ビルディング２階",
            "香川県高松市朝日町2丁目2番7号L−ビルディング2階",
        ),
        ("香川町安原下第３号１６２番地", "香川町安原下第3号162番地"),
        ("塩江町安原下第一号", "塩江町安原下第1号"),
        # ヶ/ケ/が, 之/ノ, 大字, 旧字体, katakana ー inside a name kept
        ("星ヶ丘", "星ケ丘"),
        ("星が丘", "星ケ丘"),
        ("池ノ宮", "池の宮"),
        ("池之宮四丁目", "池の宮4丁目"),
        ("大字尊延寺", "尊延寺"),
        ("生駒市大字小明町", "生駒市小明町"),
        ("髙松", "高松"),
        ("川﨑町", "川崎町"),
        ("センター町1ー2", "センター町1-2"),
        ("十二丁目", "12丁目"),
    ],
)
def test_fold_real_styles(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_aliases() -> None:
    assert fold("枚方市招堤南町", {"招堤": "招提"}) == "枚方市招提南町"


@pytest.mark.parametrize(
    ("kanji", "value"),
    [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("百一", 101), ("二〇", 20)],
)
def test_kanji_to_int(kanji: str, value: int) -> None:
    assert kanji_to_int(kanji) == value


@pytest.mark.parametrize(
    ("rest", "values", "chome"),
    [
        ("3丁目30番1号", [3, 30, 1], True),
        ("1-24-34", [1, 24, 34], False),
        ("47-1", [47, 1], False),
        ("65番1号", [65, 1], False),
        ("乙8番地", [8], False),
        ("420番地1", [420, 1], False),
        ("47の1", [47, 1], False),
        ("251番地の3", [251, 3], False),
        ("甲251番地3", [251, 3], False),
        ("1-2-3-4", [1, 2, 3, 4], False),
        ("2丁目2番7号L-ビル2階", [2, 2, 7], True),
        ("", [], False),
    ],
)
def test_split_numbers(rest: str, values: list[int], chome: bool) -> None:
    chain = split_numbers(rest)
    assert (chain.values, chain.chome) == (values, chome)


def test_strip_prefecture() -> None:
    assert strip_prefecture("大阪府枚方市") == "枚方市"
    assert strip_prefecture("東京都千代田区") == "千代田区"
    assert strip_prefecture("神奈川県横須賀市") == "横須賀市"
    assert strip_prefecture("枚方市") == "枚方市"
