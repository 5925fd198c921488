"""The chiikimap version, also when chiikimap runs from a source tree without being installed.

The installed distribution's metadata is used when there is one; otherwise the ``version`` of the
``[project]`` table of the ``pyproject.toml`` next to the package (a checkout run with
``PYTHONPATH``); ``0.0.0+unknown`` only when neither is there.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

__all__ = ["UNKNOWN_VERSION", "version"]

#: the version reported when neither the metadata nor a pyproject.toml gives one
UNKNOWN_VERSION = "0.0.0+unknown"

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_KEY = re.compile(r"""^(name|version)\s*=\s*["']([^"']+)["']\s*(?:#.*)?$""")


def version() -> str:
    """The version of chiikimap: installed metadata, else ``pyproject.toml``, else unknown."""
    try:
        return metadata.version("chiikimap")
    except metadata.PackageNotFoundError:
        pass
    return _from_pyproject(_PYPROJECT) or UNKNOWN_VERSION


def _from_pyproject(path: Path) -> str | None:
    """``version`` of the ``[project]`` table when that project is chiikimap, else ``None``.

    A line-based read (no TOML parser, which Python 3.10 lacks) of the two plain string keys.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    in_project = False
    keys: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_project = stripped == "[project]"
            continue
        match = _KEY.match(stripped) if in_project else None
        if match is not None:
            keys.setdefault(match.group(1), match.group(2))
    if keys.get("name") != "chiikimap":
        return None
    return keys.get("version")
