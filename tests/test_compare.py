"""compare(before, after) on the 枚方市 sample with a simulated year (issue 14)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import chiikimap
from chiikimap.compare import compare, resource_changes

CLOSED = [0, 5, 40, 41, 300, 781]  # positions of the resources that close (781: a 包括 centre)
RENUMBERED = [10, 11]  # listed again without their 事業所番号 (matched by the same-facility rule)


@pytest.fixture(scope="module")
def year() -> tuple[chiikimap.Coverage, chiikimap.Coverage, gpd.GeoDataFrame]:
    s = chiikimap.load_sample("hirakata")
    res = s.resources.reset_index(drop=True)
    after = res.drop(index=CLOSED).copy()
    after.loc[RENUMBERED, "office_number"] = ""
    new = res.iloc[[100, 200, 400]].copy()  # three offices open 150 m east of existing ones
    new["resource_id"] = ["N1", "N2", "N3"]
    new["office_number"] = ["9990000001", "9990000002", "9990000003"]
    new["name"] = ["新規事業所A", "新規事業所B", "新規事業所C"]
    new = new.set_geometry(new.geometry.to_crs(6690).translate(150, 0).to_crs(res.crs))
    after = pd.concat([after, new], ignore_index=True)
    after = gpd.GeoDataFrame(after, geometry="geometry", crs=res.crs)
    cats = sorted({c for cs in res["categories"] for c in cs})
    before_cov = chiikimap.analyze(s.areas, res, categories=cats)
    after_cov = chiikimap.analyze(s.areas, after, categories=cats)
    return before_cov, after_cov, new


def test_every_resource_is_kept_opened_or_closed(year) -> None:  # type: ignore[no-untyped-def]
    before, after, _new = year
    ch = resource_changes(before, after)
    assert (ch["change"] == "closed").sum() == len(CLOSED)
    assert sorted(ch.loc[ch["change"] == "opened", "resource_id_after"]) == ["N1", "N2", "N3"]
    kept = ch[ch["change"] == "kept"]
    assert len(kept) == len(before.resources) - len(CLOSED)
    assert len(kept) + (ch["change"] == "opened").sum() == len(after.resources)
    same = kept[kept["matched_by"] == "same_facility"]
    res = before.resources.reset_index(drop=True)
    ids = res["resource_id"]
    # the renumbered ones and the 包括 centres, which have no 事業所番号 in either year
    unnumbered = res.index[(res["office_number"].fillna("") == "")].difference(CLOSED)
    expected = sorted([*ids.iloc[RENUMBERED], *ids.iloc[unnumbered]])
    assert len(unnumbered) > 0
    assert sorted(same["resource_id_before"]) == expected
    closed = ch.loc[ch["change"] == "closed", "resource_id_before"]
    assert sorted(closed) == sorted(ids.iloc[CLOSED])


def test_compare_accounts_for_every_change(year) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = year
    cmp = compare(before, after)
    assert len(cmp) == len(before.table) == len(after.table)
    assert not cmp["boundary_changed"].any()
    # every change in n_resources is an opened or closed resource, nothing else
    assert (cmp["n_resources_change"] == cmp["n_opened"] - cmp["n_closed"]).all()
    assert (cmp["n_other"] == 0).all()
    ch = resource_changes(before, after)
    opened = ch[(ch["change"] == "opened") & ch["area_id_after"].notna()]
    assert cmp["n_opened"].sum() == sum(len(c) for c in opened["categories_after"])
    closed = ch[(ch["change"] == "closed") & ch["area_id_before"].notna()]
    assert cmp["n_closed"].sum() == sum(len(c) for c in closed["categories_before"])
    # rows without any change are 'unchanged'; status moves are named
    quiet = (cmp["n_resources_change"] == 0) & (cmp["coverage_change"].abs() < 1e-12)
    assert (cmp.loc[quiet, "trend"] == "unchanged").all()
    moved = cmp[cmp["status_before"] != cmp["status_after"]]
    for r in moved.itertuples():
        assert "→" in r.status_change
    down = cmp[cmp["coverage_change"] < -1e-9]
    assert len(down) > 0  # the closures lose coverage somewhere
    same_status = down["status_before"] == down["status_after"]
    assert (down.loc[same_status, "trend"] == "worse").all()
    assert (cmp.loc[cmp["n_opened"] > cmp["n_closed"], "trend"] != "worse").all()


def test_a_changed_boundary_is_flagged_not_compared(year) -> None:  # type: ignore[no-untyped-def]
    before, after, _ = year
    areas = after.areas.copy()
    first = areas.index[0]
    areas.loc[first, "geometry"] = shapely.affinity.scale(areas.loc[first, "geometry"], 1.01, 1.01)
    moved = after.__class__(**{**after.__dict__, "areas": areas})
    cmp = compare(before, moved)
    aid = areas.loc[first, "area_id"]
    flagged = cmp[cmp["area_id"] == aid]
    assert flagged["boundary_changed"].all()
    assert (flagged["trend"] == "boundary_changed").all()
    assert flagged["coverage_change"].isna().all()
    assert not cmp.loc[cmp["area_id"] != aid, "boundary_changed"].any()


def test_same_run_has_no_change(year) -> None:  # type: ignore[no-untyped-def]
    before, _, _ = year
    cmp = compare(before, before)
    assert (cmp["trend"] == "unchanged").all()
    assert (cmp[["n_opened", "n_closed", "n_other"]] == 0).all().all()
