"""chiikimap — find the community-care services each 第2層 area (中学校区) lacks.

地域の介護・生活支援資源の「見える化」: 中学校区などの圏域ごとに、通いの場・配食・訪問介護などの
資源がどこで不足しているかを計算し、協議体で使える地図と表にします。

Pipeline: :func:`read_districts` / :func:`read_resources` / :func:`read_population` →
:func:`analyze` → :class:`Coverage` (``.map()``, ``.save_html()``, ``.to_excel()`` …).
"""

from __future__ import annotations

from . import _version
from ._apportion import apportion
from ._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ColumnNotFoundError,
    CRSError,
    EncodingError,
    InputFileError,
    OutputFileError,
    ParameterError,
    SchemaError,
    UnknownCategoryError,
    UnknownLayoutError,
)
from ._identity import merge_resources
from ._network import Network
from ._schema import Source, rejected_rows
from .batch import batch
from .compare import compare
from .coverage import analyze
from .io.districts import merge_areas, read_districts
from .io.medical import read_medical
from .io.network import read_network
from .io.population import read_population
from .io.resources import read_resources
from .needs import read_indicators
from .recipe import init_recipe, load_recipe, run_recipe
from .result import Coverage, RunInfo
from .sample import Sample, load_sample
from .taxonomy import Category, Taxonomy, default_taxonomy, load_taxonomy

__version__ = _version.version()

__all__ = [
    "CRSError",
    "Category",
    "ChiikimapError",
    "ChiikimapWarning",
    "ColumnNotFoundError",
    "Coverage",
    "EncodingError",
    "InputFileError",
    "Network",
    "OutputFileError",
    "ParameterError",
    "RunInfo",
    "Sample",
    "SchemaError",
    "Source",
    "Taxonomy",
    "UnknownCategoryError",
    "UnknownLayoutError",
    "__version__",
    "analyze",
    "apportion",
    "batch",
    "compare",
    "default_taxonomy",
    "init_recipe",
    "load_recipe",
    "load_sample",
    "load_taxonomy",
    "merge_areas",
    "merge_resources",
    "read_districts",
    "read_indicators",
    "read_medical",
    "read_network",
    "read_population",
    "read_resources",
    "rejected_rows",
    "run_recipe",
]
