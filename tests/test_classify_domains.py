"""Classification across domains: 障害福祉, 障害児・児童, 医療 and 学校 never land in elderly care.

The four misfires of issue 9 are reproduced first (each was an elderly-care key before), then
negative examples for every substring rule that a name of another domain contains, then the
context rules for names used in several domains, status words, and what analyze shows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

import chiikimap
from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, ParameterError
from chiikimap.io.resources import read_resources
from chiikimap.taxonomy import default_taxonomy, inactive_words

# --- the misfires named in issue 9 ----------------------------------------------------------------
#: cell text → (the keys it got before, the keys it must get)
ISSUE_MISFIRES = {
    "放課後等デイサービス": ("tsusho_kaigo", ("houkago_day",)),
    "共同生活援助": ("kaji_enjo", ("shogai_gh",)),
    "居宅介護|重度訪問介護|同行援護": ("houmon_kaigo", ("shogai_houmon",)),
    "生活介護|短期入所|障害者支援施設": (
        "tanki_nyusho",
        ("shogai_nitchu", "shogai_tanki", "shogai_shisetsu"),
    ),
}


@pytest.mark.parametrize(("text", "expected"), ISSUE_MISFIRES.items())
def test_issue_misfires_are_gone(text: str, expected: tuple[str, tuple[str, ...]]):
    old_key, keys = expected
    tax = default_taxonomy()
    result = tax.classify_cell(text)
    assert result.keys == keys
    assert result.ambiguous == ()
    assert old_key not in result.keys
    assert not any(tax.in_overview(k) for k in result.keys)


# --- negative examples: texts of another domain that contain an elderly-care substring ------------
#: text → expected keys; () = not classified (rejected as unknown, never filed under elderly care)
NEGATIVES: dict[str, tuple[str, ...]] = {
    "放課後等デイサービス": ("houkago_day",),  # contains デイサービス (通所介護)
    "児童デイサービス": ("jido_hattatsu",),  # contains デイサービス
    "障害者デイサービス": (),  # デイサービス beside a 障害 keyword: not 通所介護, not guessed
    "共同生活援助（グループホーム）": ("shogai_gh",),  # contains 生活援助 (家事援助)
    "自立生活援助": ("shogai_soudan",),  # contains 生活援助
    "重度訪問介護": ("shogai_houmon",),  # contains 訪問介護
    "重度訪問介護事業所": ("shogai_houmon",),
    "障害者グループホーム": ("shogai_gh",),  # contains グループホーム (認知症)
    "障がい者のショートステイ": ("shogai_tanki",),  # contains ショートステイ
    "福祉型短期入所": ("shogai_tanki",),  # contains 短期入所
    "医療型短期入所": ("shogai_tanki",),
    "精神科デイケア": (),  # contains デイケア (通所リハ)
    "療養介護": ("shogai_nitchu",),
    "障害者福祉センター": (),  # contains 福祉センター (地域の拠点)
    "児童福祉センター": (),
    "障害者家族の会": (),  # contains 家族の会 (介護者支援)
    "要介護者向け配食": ("haishoku",),  # 介護者 inside 要介護者 is no carer support
    "ヘアサロン": (),  # contains サロン (通いの場)
    "ネイルサロン": (),
    "新体操クラブ": (),  # contains 体操
    "動物病院": (),  # contains 病院
    "歯科診療所": ("shika",),  # contains 診療所
    "歯科医院": ("shika",),  # contains 医院
    "大学病院": ("byoin",),  # contains 大学
    "保育所等訪問支援": ("jido_houmon",),  # contains 保育所
    "医療型障害児入所施設": ("jido_nyusho",),
    "特別支援学校": ("gakko",),
    "就労継続支援Ｂ型": ("shogai_shuro",),
    # elderly-care texts that carry another domain's word stay elderly care
    "共生型通所介護": ("tsusho_kaigo",),  # 共生型: a 介護保険 service offered by a 障害 office
    "共生型通所介護（障害福祉サービス事業所）": ("tsusho_kaigo",),
    "共生型短期入所生活介護": ("tanki_nyusho",),
    "共生型短期入所": ("shogai_tanki",),  # the 障害福祉 one offered by a 介護保険 office
    "共生型居宅介護": ("shogai_houmon",),
    "共生型生活介護": ("shogai_nitchu",),
    "短期入所（障害児）": ("shogai_tanki",),
    "民生委員・児童委員の見守り": ("mimamori",),
    "高齢者・障害者の見守り": ("mimamori",),
    "短期入所療養介護（療養病床を有する病院等）": ("tanki_nyusho",),
    "小規模多機能型居宅介護": ("shokibo_takino",),
    "居宅介護支援事業所": ("kyotaku_shien",),
    "訪問介護（ホームヘルプ）": ("houmon_kaigo",),
    "通所介護（デイサービス）": ("tsusho_kaigo",),
    "認知症対応型共同生活介護（グループホーム）": ("group_home",),
    "介護老人福祉施設; 短期入所生活介護（ショートステイ）": ("shisetsu", "tanki_nyusho"),
}


@pytest.mark.parametrize(("text", "keys"), NEGATIVES.items())
def test_negative_examples(text: str, keys: tuple[str, ...]):
    result = default_taxonomy().classify_cell(text)
    assert result.keys == keys
    assert result.ambiguous == ()


# --- names used in several domains ----------------------------------------------------------------
AMBIGUOUS = ["短期入所", "居宅介護", "グループホーム", "ショートステイ", "ホームヘルプ", "移動支援"]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_ambiguous_alone_is_not_guessed(text: str):
    tax = default_taxonomy()
    result = tax.classify_cell(text)
    assert result.keys == ()
    ((piece, cands),) = result.ambiguous
    assert piece == text
    assert {tax[k].domain for k in cands} == {"kaigo", "shogai"}
    assert tax.classify(text) == ()
    assert tax.classify_one(text) is None


def test_context_decides_in_order():
    tax = default_taxonomy()
    cell = tax.classify_cell
    # a keyword in the part itself
    assert cell("短期入所（障害者）").keys == ("shogai_tanki",)
    assert cell("短期入所（高齢者）").keys == ("tanki_nyusho",)
    # the caller's or the layout's domain
    assert cell("短期入所", domain="kaigo").keys == ("tanki_nyusho",)
    assert cell("短期入所", domain="shogai").keys == ("shogai_tanki",)
    # a candidate named again in the cell, then the other services of the cell
    assert cell("居宅介護・重度訪問介護").keys == ("shogai_houmon",)
    assert cell("訪問介護; 居宅介護; 重度訪問介護").keys == ("houmon_kaigo", "shogai_houmon")
    assert cell("訪問介護; 短期入所").keys == ("houmon_kaigo", "tanki_nyusho")
    assert cell("共同生活援助、短期入所").keys == ("shogai_gh", "shogai_tanki")
    # a cell mixing both domains decides nothing by itself: the row's name may
    mixed = "訪問介護、生活介護、短期入所"
    assert cell(mixed).ambiguous == (("短期入所", ("tanki_nyusho", "shogai_tanki")),)
    assert cell(mixed, row_text="障害者支援センターあおば").keys == (
        "houmon_kaigo",
        "shogai_nitchu",
        "shogai_tanki",
    )
    # last, the only domain of the file
    assert cell("短期入所", file_domain="shogai").keys == ("shogai_tanki",)
    assert cell("短期入所", file_domain="iryo").ambiguous != ()


def test_sole_domain_of_a_file():
    tax = default_taxonomy()
    assert tax.sole_domain(["生活介護", "就労継続支援B型", "短期入所"]) == "shogai"
    assert tax.sole_domain(["訪問介護", "短期入所"]) == "kaigo"
    assert tax.sole_domain(["訪問介護", "生活介護", "短期入所"]) is None
    assert tax.sole_domain(["短期入所", "謎"]) is None


def test_ambiguity_reason_names_both_readings():
    tax = default_taxonomy()
    text = tax.ambiguity_reason(tax.classify_cell("短期入所").ambiguous)
    assert text.startswith("種別があいまい")
    assert "障害福祉「障害福祉 短期入所」" in text
    assert "domain=" in text
    assert " / " in text


# --- groups and overview ---------------------------------------------------------------------------
def test_new_groups_are_outside_the_overview():
    tax = default_taxonomy()
    groups = {c.group for c in tax if not tax.in_overview(c.key)}
    assert groups == {"障害福祉", "障害児・児童", "医療", "学校"}
    for key in tax.overview_keys:
        assert tax.domain(key).key == "kaigo"
    assert "houkago_day" not in tax.overview_keys
    assert "tsusho_kaigo" in tax.overview_keys
    assert tax.domain("shogai_tanki").label == "障害福祉"


def test_extend_keeps_domains():
    tax = default_taxonomy().extend({"key": "igo", "label": "囲碁", "radius_m": 800, "target": 0.5})
    assert tax.classify_cell("短期入所").ambiguous != ()
    assert tax.in_overview("igo")
    assert not tax.in_overview("shogai_tanki")


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["名称,種別,緯度,経度"]
    for i, (name, cat) in enumerate(rows):
        lines.append(f"{name},{cat},{34.30 + i * 0.001:.4f},{134.05 + i * 0.001:.4f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read_quiet(path: Path, **kwargs: object) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        return read_resources(path, **kwargs)


# --- the reader ------------------------------------------------------------------------------------
def test_reader_mixed_list_files_other_domains_apart(tmp_path: Path):
    """A 要配慮者利用施設-style list: nothing of another domain becomes 通所介護 or 短期入所."""
    rows = [
        ("あおばデイ", "通所介護"),
        ("ひかり", "放課後等デイサービス"),
        ("みどりホーム", "共同生活援助"),
        ("そよかぜ", "居宅介護|重度訪問介護|同行援護"),
        ("やまびこ園", "生活介護|短期入所|障害者支援施設"),
        ("さくら", "短期入所"),
        ("つばさ学園", "特別支援学校"),
        ("中央病院", "病院"),
    ]
    path = _write(tmp_path / "mixed.csv", rows)
    with pytest.warns(ChiikimapWarning, match="種別があいまい 1"):
        gdf = read_resources(path)
    cats = dict(zip(gdf["name"], gdf["categories"], strict=True))
    assert cats["あおばデイ"] == ("tsusho_kaigo",)
    assert cats["ひかり"] == ("houkago_day",)
    assert cats["みどりホーム"] == ("shogai_gh",)
    assert cats["そよかぜ"] == ("shogai_houmon",)
    assert cats["やまびこ園"] == ("shogai_nitchu", "shogai_tanki", "shogai_shisetsu")
    assert cats["つばさ学園"] == ("gakko",)
    assert cats["中央病院"] == ("byoin",)
    (rej,) = S.rejected_rows(gdf).itertuples()
    assert rej.row == 7
    assert rej.reason.startswith("種別があいまい")
    # the caller decides
    gdf = _read_quiet(path, domain="shogai")
    assert dict(zip(gdf["name"], gdf["categories"], strict=True))["さくら"] == ("shogai_tanki",)
    with pytest.raises(ParameterError, match="domain"):
        read_resources(path, domain="elderly")


def test_reader_file_of_one_domain_decides(tmp_path: Path):
    path = _write(
        tmp_path / "shogai.csv",
        [("A", "生活介護"), ("B", "就労継続支援B型"), ("C", "短期入所"), ("D", "グループホーム")],
    )
    gdf = read_resources(path)
    assert list(gdf["category"]) == ["shogai_nitchu", "shogai_shuro", "shogai_tanki", "shogai_gh"]


def test_analyze_counts_elderly_care_only_unless_asked(tmp_path: Path):
    rows = [("あおばデイ", "通所介護"), ("ひかり", "放課後等デイサービス"), ("中央病院", "病院")]
    res = read_resources(_write(tmp_path / "r.csv", rows))
    area = Polygon([(134.0, 34.2), (134.2, 34.2), (134.2, 34.4), (134.0, 34.4)])
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: ["A"], S.AREA_NAME: ["全域"]}, geometry=[area], crs=S.STORAGE_CRS
    )
    cov = chiikimap.analyze(areas, res)
    assert cov.categories == ("tsusho_kaigo",)
    assert int(cov.table["n_resources"].sum()) == 1
    cov = chiikimap.analyze(areas, res, categories=["houkago_day", "byoin"])
    assert set(cov.categories) == {"tsusho_kaigo", "houkago_day", "byoin"}
    counts = cov.table.set_index("category")["n_resources"]
    assert counts.to_dict() == {"tsusho_kaigo": 1, "houkago_day": 1, "byoin": 1}


# --- status words ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("訪問介護（休止中）", ["休止中"]),
        ("通所介護(廃止)", ["廃止"]),
        ("訪問介護 休止", ["休止"]),
        ("通所介護（令和7年3月廃止予定）", ["廃止予定"]),
        ("いきいきサロン（休業）", ["休業"]),
        ("いきいきサロン（休業日: 日曜）", []),
        ("訪問介護", []),
    ],
)
def test_inactive_words(text: str, words: list[str]):
    assert inactive_words(text) == words


def test_reader_rejects_inactive_rows_unless_asked(tmp_path: Path):
    rows = [
        ("あおば", "訪問介護（休止中）"),
        ("みどり", "通所介護(廃止)"),
        ("ひかり", "訪問介護 休止"),
        ("そよかぜ（休業）", "通いの場"),
        ("やまびこ", "通所介護"),
    ]
    path = _write(tmp_path / "status.csv", rows)
    with pytest.warns(ChiikimapWarning, match="休止・廃止 4"):
        gdf = read_resources(path)
    assert list(gdf["name"]) == ["やまびこ"]
    rej = S.rejected_rows(gdf)
    assert list(rej["row"]) == [2, 3, 4, 5]
    assert "「休止中」" in rej["reason"].iloc[0]
    assert "include_inactive=True" in rej["reason"].iloc[0]
    gdf = read_resources(path, include_inactive=True)
    assert list(gdf["category"]) == [
        "houmon_kaigo",
        "tsusho_kaigo",
        "houmon_kaigo",
        "kayoi_no_ba",
        "tsusho_kaigo",
    ]


# --- the WAM 障害福祉 layout ------------------------------------------------------------------------
RESOURCES = Path(__file__).parent / "data" / "resources"


def test_wam_layout_is_shogai():
    gdf = _read_quiet(RESOURCES / "wam_shogai_chiyoda.csv")
    rep = S.read_reports(gdf)[0]
    assert rep["layout"] == "wam_shogai_kohyo"
    assert rep["columns"]["lat"] == "事業所緯度"
    assert rep["columns"]["id"] == "事業所番号"
    assert set(gdf["category"]) == {"shogai_soudan"}
    assert "WAM NET" in rep["sources"][0]["credit"]


def test_wam_layout_decides_ambiguous_names():
    gdf = read_resources(RESOURCES / "wam_shogai_derived.csv")
    assert list(gdf["categories"]) == [("shogai_tanki",), ("shogai_houmon",)]
    assert len(S.rejected_rows(gdf)) == 0


# --- every 介護保険 サービスの種類 (介護保険法 第8条・第8条の2) ---------------------------------------
#: the kinds of 居宅サービス, 地域密着型サービス, 施設サービス and their 介護予防 counterparts, and
#: care management; 住宅改修 is a benefit without a service office and has no category
KAIGO_HOKEN_KINDS = [
    "訪問介護",
    "訪問入浴介護",
    "訪問看護",
    "訪問リハビリテーション",
    "居宅療養管理指導",
    "通所介護",
    "通所リハビリテーション",
    "短期入所生活介護",
    "短期入所療養介護",
    "特定施設入居者生活介護",
    "福祉用具貸与",
    "特定福祉用具販売",
    "定期巡回・随時対応型訪問介護看護",
    "夜間対応型訪問介護",
    "地域密着型通所介護",
    "認知症対応型通所介護",
    "小規模多機能型居宅介護",
    "認知症対応型共同生活介護",
    "地域密着型特定施設入居者生活介護",
    "地域密着型介護老人福祉施設入所者生活介護",
    "看護小規模多機能型居宅介護",
    "介護老人福祉施設",
    "介護老人保健施設",
    "介護医療院",
    "介護療養型医療施設",
    "介護予防訪問入浴介護",
    "介護予防訪問看護",
    "介護予防訪問リハビリテーション",
    "介護予防居宅療養管理指導",
    "介護予防通所リハビリテーション",
    "介護予防短期入所生活介護",
    "介護予防短期入所療養介護",
    "介護予防特定施設入居者生活介護",
    "介護予防福祉用具貸与",
    "特定介護予防福祉用具販売",
    "介護予防認知症対応型通所介護",
    "介護予防小規模多機能型居宅介護",
    "介護予防認知症対応型共同生活介護",
    "居宅介護支援",
    "介護予防支援",
    "介護予防ケアマネジメント",
]


@pytest.mark.parametrize("kind", KAIGO_HOKEN_KINDS)
def test_every_kaigo_hoken_kind_is_an_elderly_care_key(kind: str):
    tax = default_taxonomy()
    (key,) = tax.classify_cell(kind).keys
    assert tax.in_overview(key)
    # the exact name decides even in a file of another field
    assert tax.classify_cell(kind, domain="shogai").keys == (key,)


# --- real medical lists: read, kept apart, shown only when named -----------------------------------
def test_real_medical_lists_are_read_and_kept_out_of_the_overview():
    takamatsu = read_resources(
        RESOURCES / "takamatsu_hospital_slice.csv", category_col="alternativeName"
    )
    counts = takamatsu["category"].value_counts().to_dict()
    assert counts == {"byoin": 5, "shinryojo": 10, "shika": 5}
    hirakata = read_resources(
        RESOURCES / "hirakata_medical_slice.geojson", category_col="category_label"
    )
    assert hirakata["category"].value_counts().to_dict() == {
        "byoin": 4,
        "shinryojo": 4,
        "shika": 4,
    }
    sample = chiikimap.load_sample("hirakata")
    both = gpd.GeoDataFrame(
        pd.concat([sample.resources, hirakata], ignore_index=True), crs=S.STORAGE_CRS
    )
    default = chiikimap.analyze(sample.areas, both)
    assert not {"byoin", "shinryojo", "shika"} & set(default.categories)
    before = chiikimap.analyze(sample.areas, sample.resources)
    assert default.table.equals(before.table)
    asked = chiikimap.analyze(sample.areas, both, categories=["shika"])
    assert int(asked.table.set_index("category").loc["shika", "n_resources"].sum()) == 4
