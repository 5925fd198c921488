"""The bundled taxonomy: every MHLW サービスの種類, 高松市 facility types, splitting and extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiikimap._errors import ChiikimapError, UnknownCategoryError
from chiikimap.taxonomy import Category, default_taxonomy, load_taxonomy, split_services

# サービスの種類 as named in the 介護サービス情報公表システム open data (one CSV per service code,
# 厚生労働省 https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html), the 介護予防 variants the
# system also publishes, and the 総合事業 services; the key is what a coordinator would file it under.
MHLW_SERVICES = {
    # 訪問系
    "訪問介護": "houmon_kaigo",  # 110
    "訪問入浴介護": "houmon_nyuyoku",  # 120
    "訪問看護": "houmon_kango",  # 130
    "訪問リハビリテーション": "houmon_reha",  # 140
    "夜間対応型訪問介護": "teiki_junkai",  # 710
    "定期巡回・随時対応型訪問介護看護": "teiki_junkai",  # 760
    # 通所系
    "通所介護": "tsusho_kaigo",  # 150
    "通所介護（療養通所介護）": "tsusho_kaigo",  # 155
    "療養通所介護": "tsusho_kaigo",
    "通所リハビリテーション": "tsusho_reha",  # 160
    "認知症対応型通所介護": "tsusho_kaigo",  # 720
    "地域密着型通所介護": "tsusho_kaigo",  # 780
    # 短期入所
    "短期入所生活介護": "tanki_nyusho",  # 210
    "短期入所療養介護（介護老人保健施設）": "tanki_nyusho",  # 220
    "短期入所療養介護（介護療養型医療施設）": "tanki_nyusho",  # 230
    "短期入所療養介護（療養病床を有する病院等）": "tanki_nyusho",
    "短期入所療養介護（介護医療院）": "tanki_nyusho",  # 551
    # 居住系・多機能
    "認知症対応型共同生活介護": "group_home",  # 320
    "小規模多機能型居宅介護": "shokibo_takino",  # 730
    "看護小規模多機能型居宅介護": "shokibo_takino",  # 770
    "看護小規模多機能型居宅介護（複合型サービス）": "shokibo_takino",
    "特定施設入居者生活介護（有料老人ホーム）": "tokutei_shisetsu",  # 331
    "特定施設入居者生活介護（軽費老人ホーム）": "tokutei_shisetsu",  # 332
    "特定施設入居者生活介護（サービス付き高齢者向け住宅）": "tokutei_shisetsu",  # 334
    "特定施設入居者生活介護（有料老人ホーム・外部サービス利用型）": "tokutei_shisetsu",  # 335
    "特定施設入居者生活介護（軽費老人ホーム・外部サービス利用型）": "tokutei_shisetsu",  # 336
    "特定施設入居者生活介護（サービス付き高齢者向け住宅・外部サービス利用型）": "tokutei_shisetsu",  # 337
    "地域密着型特定施設入居者生活介護（有料老人ホーム）": "tokutei_shisetsu",  # 361
    "地域密着型特定施設入居者生活介護（軽費老人ホーム）": "tokutei_shisetsu",  # 362
    "地域密着型特定施設入居者生活介護（サービス付き高齢者向け住宅）": "tokutei_shisetsu",  # 364
    # 施設
    "介護老人福祉施設": "shisetsu",  # 510
    "介護老人保健施設": "shisetsu",  # 520
    "介護療養型医療施設": "shisetsu",  # 530
    "地域密着型介護老人福祉施設入所者生活介護": "shisetsu",  # 540
    "地域密着型介護老人福祉施設入居者生活介護": "shisetsu",
    "介護医療院": "shisetsu",  # 550
    # 福祉用具・ケアマネジメント
    "福祉用具貸与": "fukushi_yogu",  # 170
    "特定福祉用具販売": "fukushi_yogu",  # 410
    "居宅介護支援": "kyotaku_shien",  # 430
    # 介護予防
    "介護予防訪問入浴介護": "houmon_nyuyoku",
    "介護予防訪問看護": "houmon_kango",
    "介護予防訪問リハビリテーション": "houmon_reha",
    "介護予防通所リハビリテーション": "tsusho_reha",
    "介護予防短期入所生活介護": "tanki_nyusho",
    "介護予防短期入所療養介護（介護老人保健施設）": "tanki_nyusho",
    "介護予防短期入所療養介護（介護療養型医療施設）": "tanki_nyusho",
    "介護予防短期入所療養介護（介護医療院）": "tanki_nyusho",
    "介護予防特定施設入居者生活介護": "tokutei_shisetsu",
    "介護予防福祉用具貸与": "fukushi_yogu",
    "特定介護予防福祉用具販売": "fukushi_yogu",
    "介護予防認知症対応型通所介護": "tsusho_kaigo",
    "介護予防小規模多機能型居宅介護": "shokibo_takino",
    "介護予防認知症対応型共同生活介護": "group_home",
    "介護予防支援": "kyotaku_shien",
    # 総合事業 (介護予防・日常生活支援総合事業) and the services it replaced
    "介護予防訪問介護": "sogo_houmon",
    "介護予防通所介護": "sogo_tsusho",
    "訪問型サービス（独自）": "sogo_houmon",
    "訪問型サービス（独自／定率）": "sogo_houmon",
    "訪問型サービス（独自／定額）": "sogo_houmon",
    "通所型サービス（独自）": "sogo_tsusho",
    "通所型サービス（独自／定率）": "sogo_tsusho",
    "通所型サービス（独自／定額）": "sogo_tsusho",
    "介護予防訪問介護相当サービス": "sogo_houmon",
    "介護予防通所介護相当サービス": "sogo_tsusho",
    "第一号訪問事業": "sogo_houmon",
    "第１号通所事業": "sogo_tsusho",
    "訪問型サービスＡ": "sogo_houmon",
    "通所型サービスＣ": "sogo_tsusho",
    # 相談
    "地域包括支援センター": "houkatsu",
}

# Facility and service types of the 高松市 open data (takamatsu-city/opendata): the `service`
# values, and the kind of place each service-less file lists (by a typical name in it).
TAKAMATSU_TYPES = {
    "介護老人福祉施設（特別養護老人ホーム）": "shisetsu",
    "地域密着型介護老人福祉施設入所者生活介護（地域密着型特別養護老人ホーム）": "shisetsu",
    "地域密着型介護老人福祉施設入所者生活介護\n（地域密着型特別養護老人ホーム）": "shisetsu",
    "軽費老人ホーム": "tokutei_shisetsu",
    "養護老人ホーム": "shisetsu",
    "小規模多機能型居宅介護": "shokibo_takino",
    "認知症対応型共同生活介護": "group_home",
    "老人いこいの家": "kyoten",
    "老人福祉センター": "kyoten",
    "コミュニティセンター": "kyoten",
    "香南ふれあい館": "kyoten",
    "香南地域ふれあいセンター": "kyoten",
    "地域包括支援センターサブセンター仏生山（仏生山交流センター内）": "houkatsu",
    "社会福祉法人　高松市社会福祉協議会": "shakyo",
    "公益社団法人高松市シルバー人材センター": "kaji_enjo",
    "高松市老人クラブ連合会事務局": "kayoi_no_ba",
}


@pytest.mark.parametrize(("name", "key"), sorted(MHLW_SERVICES.items()))
def test_every_mhlw_service_type_has_a_key(name: str, key: str):
    tax = default_taxonomy()
    assert tax.classify(name) == (key,)
    assert tax.unclassified(name) == []


def test_mhlw_list_is_complete_enough():
    # the open data has 35 service codes; with the 介護予防 and 総合事業 names ~50 distinct kinds
    assert len(MHLW_SERVICES) >= 50
    keys = set(MHLW_SERVICES.values())
    assert keys <= set(default_taxonomy().keys)


@pytest.mark.parametrize(("name", "key"), sorted(TAKAMATSU_TYPES.items()))
def test_takamatsu_types(name: str, key: str):
    assert default_taxonomy().classify(name) == (key,)


def test_split_services_keeps_parentheses_whole():
    assert split_services("訪問介護; 通所介護") == ["訪問介護", "通所介護"]
    assert split_services("特定施設入居者生活介護（有料老人ホーム・軽費老人ホーム等、外部）") == [
        "特定施設入居者生活介護（有料老人ホーム・軽費老人ホーム等、外部）"
    ]
    assert split_services(
        "地域密着型介護老人福祉施設入所者生活介護\n（地域密着型特別養護老人ホーム）"
    ) == ["地域密着型介護老人福祉施設入所者生活介護（地域密着型特別養護老人ホーム）"]
    assert split_services("訪問介護／通所介護｜居宅介護支援、 ,") == [
        "訪問介護",
        "通所介護",
        "居宅介護支援",
    ]
    assert split_services("") == []


def test_name_outside_parentheses_decides():
    tax = default_taxonomy()
    # the note names a care home, but the service is a short stay
    assert tax.classify_one("介護予防短期入所療養介護（介護老人保健施設）") == "tanki_nyusho"
    # with no service in the name, the note is used
    assert tax.classify_one("ひまわり（特別養護老人ホーム）") == "shisetsu"
    # longest substring wins over a shorter one of another category
    assert tax.classify_one("訪問介護相当サービス（市独自）") == "sogo_houmon"


def test_several_services_and_unclassified_parts():
    tax = default_taxonomy()
    text = "訪問介護（ホームヘルプ）; 通所介護、囲碁; 訪問介護"
    assert tax.classify(text) == ("houmon_kaigo", "tsusho_kaigo")
    assert tax.unclassified(text) == ["囲碁"]
    assert tax.classify("囲碁") == ()
    assert tax.classify_one("   ") is None


def test_extend_and_with_rules_keep_working(tmp_path: Path):
    tax = default_taxonomy()
    more = tax.extend(
        {"key": "igo", "label": "囲碁クラブ", "radius_m": 1000, "target": 0.5, "names": ["囲碁"]}
    )
    assert more.classify("囲碁") == ("igo",)
    assert "igo" not in tax
    assert isinstance(more["igo"], Category)
    ruled = tax.with_rules(radius_m={"kayoi_no_ba": 500}, target={"haishoku": 0.9})
    assert ruled["kayoi_no_ba"].radius_m == 500.0
    assert ruled["haishoku"].target == 0.9
    with pytest.raises(UnknownCategoryError, match="nope"):
        tax.with_rules(radius_m={"nope": 1})
    toml = tmp_path / "mine.toml"
    toml.write_text(
        '[meta]\nname = "市独自"\n\n[[category]]\nkey = "salon"\nlabel = "サロン"\n'
        'radius_m = 600\ntarget = 0.7\nnames = ["ふれあいサロン"]\n',
        encoding="utf-8",
    )
    mine = load_taxonomy(toml)
    assert mine.name == "市独自"
    assert mine.classify("ふれあいサロン") == ("salon",)
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(ChiikimapError, match="no \\[\\[category\\]\\]"):
        load_taxonomy(bad)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("訪問介護・通所介護", ("houmon_kaigo", "tsusho_kaigo")),
        ("訪問介護 通所介護", ("houmon_kaigo", "tsusho_kaigo")),
        ("訪問介護及び通所介護", ("houmon_kaigo", "tsusho_kaigo")),
        ("訪問介護＆通所介護", ("houmon_kaigo", "tsusho_kaigo")),
        ("居宅介護支援（ケアプラン）・訪問介護", ("kyotaku_shien", "houmon_kaigo")),
        ("配食・見守りサービス", ("haishoku", "mimamori")),
        # a known name with ・ stays whole; a ・ inside a note does not split
        ("定期巡回・随時対応型訪問介護看護", ("teiki_junkai",)),
        ("特定施設入居者生活介護（有料老人ホーム・軽費老人ホーム等）", ("tokutei_shisetsu",)),
        # split only when every piece is recognised: otherwise the whole part decides
        ("いきいき サロン", ("kayoi_no_ba",)),
        ("家事・買い物支援", ("kaimono",)),
    ],
)
def test_services_joined_inside_one_part_are_all_kept(text, keys):
    tax = default_taxonomy()
    assert tax.classify(text) == keys
    assert tax.unclassified(text) == []
