"""The chiikimap version, also when chiikimap runs from a source tree without being installed.

The installed distribution's metadata is used when there is one; otherwise the ``version`` of the
``[project]`` table of the ``pyproject.toml`` next to the package (a checkout run with
``PYTHONPATH``); ``0.0.0+unknown`` only when neither is there.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["UNKNOWN_VERSION", "version"]

#: the version reported when neither the metadata nor a pyproject.toml gives one
UNKNOWN_VERSION = "0.0.0+unknown"

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def version() -> str:
    """Return the version of chiikimap: installed metadata, else ``pyproject.toml``, else unknown.

    Returns
    -------
    str
        A version string such as ``"0.1.0"``, or :data:`UNKNOWN_VERSION`.
    """
    try:
        return metadata.version("chiikimap")
    except metadata.PackageNotFoundError:
        pass
    return _from_pyproject(_PYPROJECT) or UNKNOWN_VERSION


def _from_pyproject(path: Path) -> str | None:
    """``version`` of the ``[project]`` table when that project is chiikimap, else ``None``."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    project = data.get("project")
    if not isinstance(project, dict) or project.get("name") != "chiikimap":
        return None
    value = project.get("version")
    return value if isinstance(value, str) else None
