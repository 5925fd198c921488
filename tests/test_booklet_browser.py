"""The HTML booklet printed to PDF by headless Chromium with every network request blocked."""

from __future__ import annotations

import subprocess
import tempfile
import unicodedata
import warnings
from pathlib import Path

import pytest

import chiikimap
from chiikimap._errors import ChiikimapWarning
from chiikimap.booklet import booklet_data
from tests._maps_helpers import _FLAGS, _font_env, require_chromium

pytestmark = pytest.mark.browser
pypdf = pytest.importorskip("pypdf")


def _print_to_pdf(page: Path, out: Path) -> None:
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="ckm-chromium-") as tmp:
        work = Path(tmp)
        proc = subprocess.run(
            [
                binary,
                *_FLAGS,
                f"--user-data-dir={work / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=_font_env(work),
            check=False,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_html_booklet_prints_with_page_breaks(tmp_path: Path) -> None:
    s = chiikimap.load_sample("hirakata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        cov = chiikimap.analyze(s.areas, s.resources, sources=s.sources)
    html = tmp_path / "booklet.html"
    cov.to_booklet(html, areas=["10"])
    out = tmp_path / "booklet.pdf"
    _print_to_pdf(html, out)
    # Chromium's PDF maps some glyphs to Kangxi radicals (⽬ for 目): compare after NFKC
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in pypdf.PdfReader(out).pages]
    # cover, contents and the map each end their page; the list follows the map page
    assert "地域資源マップ" in pages[0]
    assert "目次" not in pages[0]
    assert "目次" in pages[1]
    assert "地図" in pages[2]
    assert "この圏域で足りないもの" in pages[2]
    assert "資源一覧" not in pages[2]
    rest = "\n".join(pages[3:])
    assert "資源一覧" in rest
    book = booklet_data(cov, areas=["10"])[0]
    for key, group in book.groups.items():
        heading = f"{cov.taxonomy.label(key)}（{len(group)} か所）"
        assert unicodedata.normalize("NFKC", heading) in rest
    phones = [e.phone for e in book.entries if e.phone]
    assert phones
    assert all(p in rest for p in phones)
