"""A fresh virtual environment made with Python 3.11's own pip (23.2, not upgraded) installs Marsad and runs it.

That pip does not match the ``lxml[html_clean]`` extra that justext (under trafilatura) asks for, so without
``lxml_html_clean`` declared directly `marsad` failed to start. This test installs from the checkout exactly as a
user would (downloads from the package index, or pip's cache) and extracts the seed page.
"""

from __future__ import annotations

import ensurepip
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_python_own_pip_installs_marsad_and_extracts_the_seed(tmp_path: Path, seed_path: Path) -> None:
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the pip in question is the one Python 3.11 ships")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = subprocess.run([python, "-m", "pip", "--version"], check=True, capture_output=True, text=True).stdout
    assert pip.startswith(f"pip {ensurepip.version()} "), pip          # Python's own pip, not upgraded
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(REPO)],
                   check=True, timeout=1800, cwd=tmp_path)
    out = subprocess.run([venv / "bin" / "marsad", "extract", str(seed_path), "--json"], check=True,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path).stdout
    articles = json.loads(out)["articles"]
    assert len(articles) == 2 and all(a["text"] for a in articles)
