"""Resources placed only at a town's point, as the outputs say it.

A list read with ``read_resources(geocode=...)`` places a row at 街区 level when the reference
has blocks, else at the representative point of its 町丁目 or 大字. Such a point can lie several
hundred metres from the building, so every output that draws or counts them says so: hollow
markers on the maps with 「位置は町丁目の代表点（概略）」, the count per category
(``n_approx``), and the sentence of :func:`approx_note` in the notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _schema as S

if TYPE_CHECKING:  # pragma: no cover
    from .result import Coverage

__all__ = ["approx_count", "approx_note"]


def approx_count(coverage: Coverage) -> int:
    """How many resources of ``coverage`` lie only at a town's point (町丁目/大字 level)."""
    return int(S.approximate(coverage.resources).sum())


def _near_count(coverage: Coverage) -> int:
    res = coverage.resources
    if res is None or S.GEOCODE_LEVEL not in res.columns:
        return 0
    return int((res[S.GEOCODE_LEVEL] == "近隣番地").sum())


def _mixed_note(town: int, near: int, lang: str) -> str:
    """The note when some positions come from the known point of a nearby 番地."""
    if lang == "en":
        parts = [f"{near} resources placed at the known point of a nearby address number"]
        if town:
            parts.append(f"{town} at their town's representative point")
        return (
            " and ".join(parts) + " (approximate): a radius such as 800 m around such a point, "
            "and the distances to it, are rough figures"
        )
    parts = [f"近くの番地の地点から推定した資源 {near} 件"]
    if town:
        parts.append(f"町丁目の代表点に置いた資源 {town} 件")
    return (
        "・".join(parts)
        + "は、住所から推定した概略の位置です。その点から測った半径（800 m など）の"
        "圏内・最寄り距離は概算です（実際の建物から数百 m ずれることがあります）"
    )


def approx_note(coverage: Coverage, *, lang: str = "ja") -> str:
    """The note every output gives when some resources lie only at a town's point.

    Returns ``""`` when there are none. The text is plain (not escaped).
    """
    n = approx_count(coverage)
    if not n:
        return ""
    near = _near_count(coverage)
    if near:
        return _mixed_note(n - near, near, lang)
    if lang == "en":
        return (
            f"{n} resources placed at their town's representative point from the address "
            "(approximate): a radius such as 800 m around such a point, and the distances to "
            "it, are rough figures"
        )
    return (
        f"{S.APPROX_NOTE_JA}の資源 {n} 件: 住所から町丁目・大字の代表点に置いたため、その点から"
        "測った半径（800 m など）の圏内・最寄り距離は概算です（実際の建物から数百 m ずれることが"
        "あります）"
    )
