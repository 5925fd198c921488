"""``python -m chiikimap`` runs the command line (same as the ``chiikimap`` command)."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
