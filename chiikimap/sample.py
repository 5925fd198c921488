"""Bundled sample data, read through the same public readers a user calls.

Two samples travel with the package (inside the wheel as ``chiikimap/sample_data``; in a source
checkout as the top-level ``sample_data/`` folder):

``"hirakata"``
    大阪府枚方市: 13 日常生活圏域 (地域包括支援センター areas), 779 介護サービス事業所 and the 13
    地域包括支援センター. No population layer (coverage is on a land-area basis).
``"ikoma"``
    奈良県生駒市: 国土数値情報 A32 中学校区 (2023) and the 2020 census 町丁・字 areas with their
    population (``pop_total``). No resource list.
``"takamatsu"``
    香川県高松市 open data: 地域・年齢別人口 per 町丁 (points, with 65+ and 75+), the 地域包括支援センター,
    コミュニティセンター and 老人福祉施設. The city publishes its school districts only as PDF, so the
    areas are *reference areas*: Voronoi cells of the 22 municipal junior high schools (高松市立, without the two 分校), clipped to the extent of
    the population points plus 1 km. They are not the real 学区.

Examples
--------
>>> import chiikimap
>>> s = chiikimap.load_sample("hirakata")
>>> len(s.areas), s.population is None
(13, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources as _resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import _schema as S
from ._errors import ChiikimapError
from ._schema import Source

__all__ = ["SAMPLES", "Sample", "load_sample", "sample_path"]

#: Sample names and what they contain.
SAMPLES = {
    "hirakata": "大阪府枚方市 13 日常生活圏域・介護サービス事業所・地域包括支援センター",
    "ikoma": "奈良県生駒市 中学校区（国土数値情報 A32, 2023）・国勢調査 町丁・字 人口（2020）",
    "takamatsu": "香川県高松市 地域・年齢別人口（2026-02-01）・地域包括支援センター・コミュニティセンター・"
    "老人福祉施設; 圏域は中学校からの参考圏域（実際の学区ではありません）",
}


#: Credits that the sample files do not carry themselves (see sample_data/*/README.md).
_SAMPLE_SOURCES: dict[str, list[Source]] = {
    "hirakata": [
        Source(
            "介護サービス情報公表システム オープンデータ",
            "厚生労働省",
            "",
            "CC BY 4.0",
            "https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html",
            layer="resources",
        ),
        Source("介護サービス事業所一覧", "枚方市", "", "CC BY 2.1 JP", layer="resources"),
        Source(
            "国土数値情報（小学校区データ）",
            "国土交通省",
            "",
            "国土数値情報利用約款",
            layer="areas",
        ),
        Source("位置参照情報", "国土交通省", "", "出典の明示", layer="resources"),
        Source(
            "枚方市 福祉マップ データ（aikautau/fukushi_map, commit 5b2788d）",
            "",
            "",
            "MIT",
            "https://github.com/aikautau/fukushi_map",
        ),
    ],
}


@dataclass
class Sample:
    """One bundled sample: the layers and the sources to credit.

    Attributes
    ----------
    name
        Sample name (``"hirakata"`` or ``"ikoma"``).
    areas
        第2層 areas (``areas`` schema).
    resources
        Resources (``resources`` schema), or ``None`` when the sample has none.
    population
        Population (``population`` schema), or ``None`` when the sample has none.
    sources
        Every data source with its credit line and date.
    description
        One line in Japanese.
    """

    name: str
    areas: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame | None
    population: gpd.GeoDataFrame | None
    sources: list[Source] = field(default_factory=list)
    description: str = ""

    @property
    def attribution(self) -> str:
        """All credit lines joined with ``" / "``."""
        return " / ".join(dict.fromkeys(s.attribution for s in self.sources))


def sample_path(name: str) -> Path:
    """Folder of sample ``name``, inside the installed package or the source checkout."""
    if name not in SAMPLES:
        raise ChiikimapError(
            f"サンプル {name!r} はありません / unknown sample {name!r}; choose one of {list(SAMPLES)}"
        )
    packaged = _resources.files("chiikimap").joinpath("sample_data").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "sample_data" / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"サンプルデータ {name!r} が見つかりません / sample data {name!r} not found in the package "
        "or next to it; reinstall chiikimap"
    )


def load_sample(name: str) -> Sample:
    """Load a bundled sample through the public readers.

    Parameters
    ----------
    name
        ``"hirakata"`` or ``"ikoma"``.

    Returns
    -------
    Sample
        ``areas``, ``resources`` and ``population`` (``None`` where the sample has none) and
        ``sources``.
    """
    from .io.districts import read_districts
    from .io.population import read_population
    from .io.resources import read_resources

    root = sample_path(name)
    resources: gpd.GeoDataFrame | None = None
    population: gpd.GeoDataFrame | None = None
    if name == "hirakata":
        areas = read_districts(
            root / "chiiki_houkatsu.geojson", id_col="area_id", name_col="center_name"
        )
        areas[S.MUNICIPALITY_CODE] = "27210"
        offices = read_resources(root / "jigyosho.geojson")
        centers = read_resources(
            root / "houkatsu_centers.geojson",
            category="houkatsu",
            name_col="center_name",
            id_col="area_id",
        )
        resources = _concat_resources([offices, centers], prefixes=("", "houkatsu-"))
    elif name == "ikoma":
        areas = read_districts(root / "A32-23_29209.geojson")
        population = read_population(root / "r2ka29209.topojson")
    else:
        population = read_population(root / "population_0066_202602.xlsx")
        schools = read_resources(root / "middle_school.xlsx", category="kyoten")
        # 学区 exist for the city's own schools; national, prefectural and private schools and the
        # two 分校 (branch schools inside another school's 学区) get no area.
        names = schools[S.NAME].astype(str)
        schools = schools[names.str.startswith("高松市立") & ~names.str.contains("分校")]
        areas = _reference_areas(schools, population)
        parts = [
            read_resources(
                root / "regional_comprehensive_support_center.xlsx", category="houkatsu"
            ),
            read_resources(root / "community_center.xlsx", category="kyoten"),
            read_resources(root / "elderly_welfare_facility.csv"),
        ]
        resources = _concat_resources(parts, prefixes=("houkatsu-", "center-", "facility-"))
    if name in _SAMPLE_SOURCES:
        # The files carry no credit of their own: the README's list replaces the readers' guess,
        # in the layers' reports too, so that analyze() and every output quote the right lines.
        for layer in (areas, resources, population):
            if layer is not None:
                _replace_sources(layer, [])
        _replace_sources(areas, _SAMPLE_SOURCES[name])
    sources = S.sources_of(areas, resources, population)
    return Sample(
        name=name,
        areas=areas,
        resources=resources,
        population=population,
        sources=sources,
        description=SAMPLES[name],
    )


def _replace_sources(layer: gpd.GeoDataFrame, sources: list[Source]) -> None:
    """Set the sources recorded in ``layer``'s reader reports (the first report gets them all)."""
    reports = S.read_reports(layer)
    if not reports:
        reports = [S.ReadReport().to_attrs()]
    reports = [{**rep, "sources": []} for rep in reports]
    reports[0]["sources"] = [src.to_dict() for src in sources]
    layer.attrs[S.ATTRS_KEY] = reports


def _reference_areas(schools: gpd.GeoDataFrame, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Voronoi cells of ``schools`` clipped to the population extent plus 1 km (reference only)."""
    import shapely

    metric = S.metric_crs_for(population)
    pts = schools.to_crs(metric)
    clip = shapely.convex_hull(shapely.union_all(population.to_crs(metric).geometry.values))
    clip = shapely.buffer(clip, 1000.0)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(pts.geometry.values), extend_to=clip)
    )
    tree = shapely.STRtree(cells)
    geoms = []
    for point in pts.geometry.values:
        (idx,) = tree.query(point, predicate="within")[:1]
        geoms.append(shapely.intersection(cells[idx], clip))
    names = [str(n).replace("高松市立", "").strip() + "区（参考）" for n in schools[S.NAME]]
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: [f"T{i + 1:02d}" for i in range(len(pts))],
            S.AREA_NAME: names,
            S.MUNICIPALITY_CODE: "37201",
        },
        geometry=gpd.GeoSeries(geoms, crs=metric).to_crs(S.STORAGE_CRS).values,
        crs=S.STORAGE_CRS,
    )
    areas.attrs[S.ATTRS_KEY] = [
        S.ReadReport(
            file="middle_school.xlsx",
            layout="reference areas: Voronoi cells of schools",
            n_read=len(areas),
            sources=[
                Source(
                    "高松市オープンデータ 市立中学校（参考圏域はボロノイ分割、実際の学区ではない）",
                    "高松市",
                    "",
                    "CC BY 4.0",
                ).to_dict()
            ],
        ).to_attrs()
    ]
    return areas


def _concat_resources(
    frames: list[gpd.GeoDataFrame], prefixes: tuple[str, ...]
) -> gpd.GeoDataFrame:
    """Concatenate resource layers keeping ids unique and every reader report."""
    parts = []
    for frame, prefix in zip(frames, prefixes, strict=True):
        part = frame.copy()
        part[S.RESOURCE_ID] = prefix + part[S.RESOURCE_ID].astype(str)
        part.attrs = {}
        parts.append(part)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=frames[0].crs)
    out.attrs[S.ATTRS_KEY] = S.merge_reports(frames)
    return out
