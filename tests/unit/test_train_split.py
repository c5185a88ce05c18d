"""Training code stays out of the run time: the tagger and classifier load without marsad.train,
and the category model (about 1 s to load) is read on first use, not at import."""

from __future__ import annotations

import subprocess
import sys


def test_runtime_modules_import_without_training_code_or_model() -> None:
    code = (
        "import sys; import marsad.enrich.ner, marsad.enrich.category, marsad.enrich.analyze; "
        "bad = sorted(m for m in sys.modules if m.startswith(('marsad.train', 'sklearn', 'joblib'))); "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
