"""Build src/marsad/data/name-links.tsv.gz: Latin name key -> (type, Arabic name key, Arabic form).

Sources (credit): ANETAC English-Arabic named-entity pairs (Hadj Ameur et al.) and ArabNamer
English->Arabic personal names (CC BY 4.0). Run: python scripts/build_name_links.py
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.text.names import latin_key, name_key  # noqa: E402

TYPES = {"PERSON": "PERS", "LOCATION": "LOC", "ORGANIZATION": "ORG"}


def main() -> None:
    gaz = data_dir() / "gazetteers"
    pairs: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    with open(gaz / "anetac-en-ar-entities.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            t = TYPES.get(row["type"])
            lk, ar = latin_key(row["latin"]), row["arabic"].replace("ـ", "").strip()
            if t and lk and ar:
                pairs[(lk, t)][(name_key(ar), ar)] += 1
    names = json.loads((gaz / "arabnamer-en-ar-names.json").read_text(encoding="utf-8"))
    for latin, ar in names.items():
        lk = latin_key(latin)
        if lk and ar:
            pairs[(lk, "PERS")][(name_key(ar), ar)] += 1
    out = REPO / "src" / "marsad" / "data" / "name-links.tsv.gz"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# latin_key\ttype\tarabic_key\tarabic_form  (ANETAC, Hadj Ameur et al.; ArabNamer CC BY 4.0)\n")
        for (lk, t), counter in sorted(pairs.items()):
            (akey, form), _ = counter.most_common(1)[0]
            fh.write(f"{lk}\t{t}\t{akey}\t{form}\n")
    print(f"wrote {out} ({len(pairs)} links, {out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
