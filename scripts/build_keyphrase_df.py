"""Build the keyphrase statistics table ``src/marsad/data/keyphrase-df.tsv.gz`` from the ANT news corpus.

    python scripts/build_keyphrase_df.py [--corpus PATH] [--out PATH] [--min-df 3]

Source: ANT corpus v2.1 (Chouigui, Ben Khiroun and Elayeb, "ANT corpus: an Arabic news text collection
for textual classification"), multi-outlet Arabic news from 2018 (AlArabiya, BBC Arabic, CNN Arabic,
France24 Arabic, Sky News Arabia), read from ``$MARSAD_DATA/ant-multisource.jsonl.gz``. No text is
kept, only counts over the articles (deduplicated by URL), each at least ``--min-df``:

* ``w``: match-normalized word forms, in how many articles (title + text) they occur;
* ``v``: word forms that behave as verbs (their ـت and ـوا forms, or ي/ت present forms with a plural or
  first-person form, exist in the corpus, and the form takes ال in under 3 % of its uses); these end
  candidate phrases;
* ``s``: light stems of clitic-free word cores, exactly as ``marsad.enrich.keyphrases`` makes them;
* ``t``: the same stems counted in titles only (how "headline-worthy" a word is);
* ``p``: adjacent stem pairs inside candidate phrase runs (``"stem1 stem2"``): known collocations.

Two passes: the word counts decide clitics and verbs, then the tokens of the extractor are counted.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src")]

from marsad.config import data_dir  # noqa: E402
from marsad.enrich import keyphrases as kp  # noqa: E402
from marsad.text.tokenize import match_words  # noqa: E402

HEADER = ("# keyphrase statistics from the ANT corpus v2.1 (Chouigui et al.), built by scripts/build_keyphrase_df.py;"
          " rows: kind\tkey\tdf (w word, v verb form, s stem, t title stem, p stem pair)")


def articles(corpus: Path) -> Iterator[tuple[str, str]]:
    """(title, text) of each article, deduplicated by URL."""
    seen: set[str] = set()
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            url = rec.get("url") or rec.get("docno") or ""
            if url in seen:
                continue
            seen.add(url)
            yield rec.get("title") or "", rec.get("text") or ""


def is_base_verb(word: str, words: Counter[str]) -> bool:
    """A past-tense base (أكد, أصدر, شن): its ـت and ـوا forms exist and it almost never takes ال."""
    return (len(word) >= 2 and words.get("ال" + word, 0) <= 0.03 * words.get(word, 0)
            and words.get(word + "ت", 0) >= 3 and words.get(word + "وا", 0) >= 3)


def is_verb(w: str, df: int, words: Counter[str]) -> bool:
    """Past bases and their ـت/ـوا forms, weak verbs in ى (تلقى: تلقت, تلقوا), present forms in ي/ت with
    a plural or first-person form (يحصد: تحصد, يحصدون) or with their past stem (تهبط: يهبط, هبط)."""
    if words.get("ال" + w, 0) > 0.03 * df:
        return False
    if is_base_verb(w, words):
        return True
    if w.endswith("ت") and w[:-1] in words and is_base_verb(w[:-1], words):
        return True
    if w.endswith("وا") and w[:-2] in words and is_base_verb(w[:-2], words):
        return True
    if (w.endswith("ي") and len(w) >= 4 and w[0] in "ات"     # ألقى, تلقى, اشتكى (not names: فتحي, قدري)
            and words.get(w[:-1] + "ت", 0) >= 3 and words.get(w[:-1] + "وا", 0) >= 3):
        return True
    if w[0] in "يت" and len(w) >= 4:
        rest = w[1:]
        stem = rest[:-2] if rest.endswith(("ون", "ان")) else rest
        if words.get("ي" + stem, 0) < 3 or words.get("ت" + stem, 0) < 3:
            return False
        if any(words.get(f, 0) >= 3 for f in ("ي" + stem + "ون", "ي" + stem + "ان", "ت" + stem + "ون", "ن" + stem)):
            return True
        # يهبط/تهبط with the past هبط; the other person's form is about as common (not تامر, تونس)
        other = ("ت" if w[0] == "ي" else "ي") + rest
        return words.get(stem, 0) >= 3 and 2 * words.get(other, 0) >= df
    return False


def verb_forms(words: Counter[str], min_df: int) -> list[str]:
    """Word forms that inflect as verbs and never take ال (أطلقت, شكلوا, يطلق, تلقى)."""
    return [w for w, df in words.items()
            if df >= min_df and "\u0621" <= w[0] <= "\u064a" and not w.startswith("ال") and is_verb(w, df, words)]


def build(corpus: Path, min_df: int) -> tuple[int, dict[str, Counter[str]]]:
    """All counters of the table, by row kind."""
    kp.set_df_table(kp.DfTable())
    words: Counter[str] = Counter()
    n = 0
    for title, text in articles(corpus):
        n += 1
        words.update(set(match_words(f"{title}\n{text}")))
    words = Counter({w: c for w, c in words.items() if c >= min_df})
    verbs = Counter({v: words[v] for v in verb_forms(words, min_df)})
    kp.set_df_table(kp.DfTable(n=n, words=dict(words), verbs=frozenset(verbs)))
    stems: Counter[str] = Counter()
    title_stems: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for title, text in articles(corpus):
        doc: set[str] = set()
        doc_pairs: set[str] = set()
        head = {tk.stem for tk in kp._tokens(title, kp.default_df_table().verbs) if tk.kind == "word"}
        title_stems.update(head)
        doc |= head
        body = kp._tokens(text, kp.default_df_table().verbs)
        doc.update(tk.stem for tk in body if tk.kind == "word")
        for _, run in kp._runs(body):
            doc_pairs.update(f"{a.stem} {b.stem}" for a, b in itertools.pairwise(run))
        stems.update(doc)
        pairs.update(doc_pairs)
    kp.set_df_table(None)
    return n, {"w": words, "v": verbs, "s": stems, "t": title_stems, "p": pairs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=data_dir() / "ant-multisource.jsonl.gz")
    ap.add_argument("--out", type=Path, default=kp.DF_PATH)
    ap.add_argument("--min-df", type=int, default=3)
    args = ap.parse_args()
    n, tables = build(args.corpus, args.min_df)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = Counter[str]()
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(HEADER + "\n")
        out.write(f"#docs\t{n}\n")
        for kind, counter in tables.items():
            for key, df in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
                if df >= args.min_df and key and "\t" not in key and "\n" not in key:
                    out.write(f"{kind}\t{key}\t{df}\n")
                    rows[kind] += 1
    print(f"{args.out}: {n} articles, rows {dict(rows)}, {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
