"""The Coverage views (gap matrix, summary, missing) on a hand-made coverage."""

from __future__ import annotations

import copy

import pytest

from chiikimap import _schema as S
from chiikimap.taxonomy import default_taxonomy
from tests.fakes import fake_coverage


def test_gap_matrix_labels():
    cov = fake_coverage()
    gm = cov.gap_matrix()
    assert gm.shape == (9, 2)
    assert list(gm.columns) == ["通いの場", "配食"]
    assert gm.loc["第1区", "通いの場"] == "空白"
    assert gm.loc["第8区", "通いの場"] == "不足"
    assert gm.loc["第5区", "通いの場"] == "充足"
    assert cov.gap_matrix(labels="key").loc["A20", "haishoku"] == "gap"


def test_summary_figures():
    s = fake_coverage().summary().set_index("category")
    # 通いの場: covered 1 + 1 + 0.3 + 0.5 km² of 9 km²
    assert s.loc["kayoi_no_ba", "coverage"] == pytest.approx(2.8 / 9)
    assert s.loc["kayoi_no_ba", "n_none"] == 5
    assert s.loc["kayoi_no_ba", "n_gap"] == 2
    assert s.loc["kayoi_no_ba", "n_ok"] == 2
    assert s.loc["haishoku", "n_resources"] == 2
    assert s.loc["haishoku", "radius_m"] == 3000.0


def test_missing_orders_none_before_gap():
    cov = fake_coverage()
    assert cov.missing("A20") == ["通いの場", "配食"]
    assert cov.missing("第9区") == ["通いの場"]
    assert cov.missing("A11") == []
    bare = copy.copy(cov)
    bare.table = cov.table[cov.table[S.AREA_ID] != "A11"]  # no category measured there
    assert bare.missing("A11") == []
    with pytest.raises(ValueError, match="no area"):
        cov.missing("nowhere")


def test_taxonomy_splits_and_classifies_mhlw_names():
    tax = default_taxonomy()
    assert tax.classify("訪問介護（ホームヘルプ）; 通所介護") == ("houmon_kaigo", "tsusho_kaigo")
    assert tax.classify("短期入所療養介護（介護老人保健施設）") == ("tanki_nyusho",)
    assert tax.unclassified("訪問介護、宇宙旅行") == ["宇宙旅行"]


def test_repr_is_one_line_summary():
    text = repr(fake_coverage())
    # 18 rows: 通いの場 5 none, 2 gap, 2 ok; 配食 1 gap, 8 ok
    assert text == (
        "<Coverage: 9 圏域 × 2 種別, 基準 面積(m²) (area); 空白 5, 不足 3, 充足 10; "
        "未割当 0・除外行 0>"
    )
