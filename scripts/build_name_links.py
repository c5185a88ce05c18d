"""Build src/marsad/data/name-links.tsv.gz: Latin name key -> (type, Arabic name key, Arabic form).

Sources (credit): ANETAC English-Arabic named-entity pairs (Hadj Ameur et al.) and ArabNamer
English->Arabic personal names (CC BY 4.0). Run: python scripts/build_name_links.py

A pair is kept only when the Arabic is a transliteration of the Latin (their consonant skeletons agree, see
``sounds_alike``): ArabNamer also translates words (trump -> ورقة رابحة, waltz -> رقصة الفالس), and a Latin
name must never link to a card game. Among the Arabic forms left for one (Latin key, type), the one written
most often in real news wins (word n-gram counts over the ANT multi-outlet corpus: أوباما, not a stray
واوباما with a conjunction glued on), then the most frequent pair.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.text.names import latin_key, name_key  # noqa: E402

TYPES = {"PERSON": "PERS", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
SIMILAR = 0.55
"""Least similarity (difflib ratio) of the two consonant skeletons for a pair to be a transliteration."""
_LATIN_DIGRAPHS = [("sh", "s"), ("ch", "s"), ("th", "t"), ("ce", "s"), ("ci", "s"), ("cy", "s"), ("c$", "s"),
                   ("ph", "f"), ("kh", "k"), ("gh", "g"), ("ck", "k"), ("qu", "k"), ("dh", "d")]
_LATIN_CLASSES = str.maketrans({"p": "b", "c": "k", "g": "k", "j": "k", "q": "k", "x": "k", "z": "s", "v": "f",
                                **dict.fromkeys("aeiouwy")})
_ARABIC_CLASSES = {**dict.fromkeys("بپ", "b"), **dict.fromkeys("تطث", "t"), **dict.fromkeys("جچخغقكگ", "k"),
                   **dict.fromkeys("حه", "h"), **dict.fromkeys("دض", "d"), **dict.fromkeys("ذزسشصظ", "s"),
                   **dict.fromkeys("فڤ", "f"), "ر": "r", "ل": "l", "م": "m", "ن": "n"}


def latin_skeleton(name: str) -> str:
    """Consonant classes of a Latin name (vowels, w and y dropped; sh/ch/z = s, g/j/k/q/c = k, p = b, v = f)."""
    s = re.sub("[^a-z]", "", name.lower())
    for digraph, sound in _LATIN_DIGRAPHS:
        s = re.sub(digraph, sound, s)
    return re.sub(r"(.)\1+", r"\1", s.translate(_LATIN_CLASSES))


def arabic_skeleton(name: str) -> str:
    """Consonant classes of an Arabic name in the same alphabet (long vowels, hamza, ع, ة dropped; تش = s)."""
    s = "".join(_ARABIC_CLASSES.get(c, "") for c in name.replace("تش", "س"))
    return re.sub(r"(.)\1+", r"\1", s)


def sounds_alike(latin: str, arabic: str) -> bool:
    """True when the Arabic form transliterates the Latin name (trump / ترامب), not translates it (ورقة رابحة)."""
    a, b = latin_skeleton(latin), arabic_skeleton(arabic)
    if not a or not b:
        return a == b
    return difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR


def corpus_counts(forms: set[str]) -> Counter[str]:
    """How often each of ``forms`` (up to three words) is written in the ANT multi-outlet news corpus."""
    counts: Counter[str] = Counter()
    path = data_dir() / "ant-multisource.jsonl.gz"
    if not path.exists():
        print(f"note: {path} not found; forms are chosen by pair counts alone")
        return counts
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            words = re.findall(r"[\u0621-\u064a]+", json.loads(line)["text"])
            for n in (1, 2, 3):
                for i in range(len(words) - n + 1):
                    gram = " ".join(words[i:i + n])
                    if gram in forms:
                        counts[gram] += 1
    return counts


def main() -> None:
    gaz = data_dir() / "gazetteers"
    pairs: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    with open(gaz / "anetac-en-ar-entities.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            t = TYPES.get(row["type"])
            lk, ar = latin_key(row["latin"]), row["arabic"].replace("ـ", "").strip()
            if t and lk and ar and sounds_alike(lk, ar):
                pairs[(lk, t)][(name_key(ar), ar)] += 1
    names = json.loads((gaz / "arabnamer-en-ar-names.json").read_text(encoding="utf-8"))
    for latin, ar in names.items():
        lk = latin_key(latin)
        if lk and ar and sounds_alike(lk, ar):
            pairs[(lk, "PERS")][(name_key(ar), ar)] += 1
    out = REPO / "src" / "marsad" / "data" / "name-links.tsv.gz"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# latin_key\ttype\tarabic_key\tarabic_form  (ANETAC, Hadj Ameur et al.; ArabNamer CC BY 4.0)\n")
        usage = corpus_counts({form for counter in pairs.values() for _, form in counter})
        for (lk, t), counter in sorted(pairs.items()):
            (akey, form), _ = max(counter.items(), key=lambda kv: (usage[kv[0][1]], kv[1], kv[0][1]))
            fh.write(f"{lk}\t{t}\t{akey}\t{form}\n")
    print(f"wrote {out} ({len(pairs)} links, {out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
