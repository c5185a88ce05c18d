"""Evaluation pairs for the near-duplicate detector, and the harness that scores a detector on them.

    python bench/neardup_pairs.py [--data DIR] [--n 300] [--seed 13] [--split dev]
    python bench/neardup_pairs.py --mine OUT.tsv [--seed 13]   # a stratified sample of candidate pairs to label

Three sources of pairs, all built from ``../shared/data`` (only urls and labels are kept in the repo):

* **saudi-*** real SaudiNewsNet pairs (different outlets, within 3 days) labelled by reading, from
  ``tests/quality/gold/saudinewsnet-neardup.tsv`` (rules in ``README-neardup.md`` beside it). The kind is the
  overlap band of the pair, computed from the texts: ``saudi-high`` (word-5-gram Jaccard >= 0.7),
  ``saudi-mid`` (0.3-0.7), ``saudi-low`` (< 0.3, sharing a run of 8 words), ``saudi-topic`` (same day, same
  subject, no shared run of 8 words).
* **syn-*** synthetic edits of SaudiNewsNet articles (at least 80 words), seeded: positives (``syn-boilerplate``,
  ``syn-lead``, ``syn-spelling``, ``syn-cut``, ``syn-combo``) and negatives that change one fact
  (``syn-fact-number``, ``syn-fact-negation``, ``syn-fact-name``; half of them also carry a harmless edit, so
  that the fact is the only thing that decides) or pair two articles of one outlet and day
  (``syn-same-source-day``).
* **ans-*** ANS headline pairs (Khouja 2020): ``disagree`` (a changed fact) and ``agree`` (a paraphrase: same
  story, not a copy) are both negatives; ``other`` rows are left out.

Label True means near-duplicate: the same copy, edited.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path[:0] = [str(REPO), str(REPO / "src")]

from marsad.config import data_dir  # noqa: E402
from marsad.text.tokenize import match_words  # noqa: E402

GOLD_TSV = REPO / "tests" / "quality" / "gold" / "saudinewsnet-neardup.tsv"
SAUDI_FILE = "saudinewsnet.jsonl.gz"
ANS_DIR = "ans-headline-pairs"
MIN_WORDS = 80

POSITIVE_KINDS = ("syn-boilerplate", "syn-lead", "syn-spelling", "syn-cut", "syn-combo")
NEGATIVE_KINDS = ("syn-fact-number", "syn-fact-negation", "syn-fact-name", "syn-same-source-day")
SAUDI_KINDS = ("saudi-high", "saudi-mid", "saudi-low", "saudi-topic")
ANS_KINDS = ("ans-agree", "ans-disagree")


@dataclass(frozen=True, slots=True)
class Doc:
    """One side of a pair: what a detector sees (title, body, outlet, date) and where it came from (ref)."""

    title: str
    text: str
    source: str
    date: str | None
    ref: str


@dataclass(frozen=True, slots=True)
class Pair:
    """Two documents, whether they are near-duplicates (the same copy, edited), and the kind of pair."""

    a: Doc
    b: Doc
    label: bool
    kind: str


# ---------------------------------------------------------------------------------------------------------------
# SaudiNewsNet loading and overlap measures


@lru_cache(maxsize=2)
def _saudi_rows(path: Path) -> tuple[dict[str, str], ...]:
    """All SaudiNewsNet records (cached: the file takes a few seconds to read)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; pass --data or set MARSAD_DATA to the shared data folder")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh)


def _doc(row: dict[str, str]) -> Doc:
    """A Doc of a SaudiNewsNet record (the date is the extraction time, ISO)."""
    date = row.get("date_extracted") or None
    return Doc(
        title=row["title"].strip(),
        text=row["content"].strip(),
        source=row["source"],
        date=date.replace(" ", "T") if date else None,
        ref=row["url"],
    )


def _day(row: dict[str, str]) -> int:
    return datetime.fromisoformat(row["date_extracted"]).toordinal()


def shingles(words: Sequence[str], k: int) -> set[tuple[str, ...]]:
    """The set of word k-grams of ``words`` (one shingle of the whole text when it is shorter than k)."""
    if len(words) < k:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[Any], b: set[Any]) -> float:
    """|a & b| / |a | b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(a: set[Any], b: set[Any]) -> float:
    """|a & b| / min(|a|, |b|): how much of the smaller set the other one holds."""
    small = min(len(a), len(b))
    return len(a & b) / small if small else 0.0


def saudi_kind(a: Doc, b: Doc) -> str:
    """The overlap band of a real pair (see the module docstring)."""
    wa, wb = match_words(a.text), match_words(b.text)
    if not shingles(wa, 8) & shingles(wb, 8):
        return "saudi-topic"
    j5 = jaccard(shingles(wa, 5), shingles(wb, 5))
    if j5 >= 0.7:
        return "saudi-high"
    return "saudi-mid" if j5 >= 0.3 else "saudi-low"


# ---------------------------------------------------------------------------------------------------------------
# Candidate mining (for labelling by reading)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate real pair with the overlap figures used to stratify the sample."""

    i: int
    j: int
    shared8: int      # distinct shared runs of 8 words
    j5: float         # word-5-gram Jaccard
    c5: float         # word-5-gram containment of the smaller text
    stratum: str


BANDS: tuple[tuple[str, float, float, int], ...] = (
    # name, lowest j5, highest j5 (exclusive), pairs to sample
    ("j5-0.9+", 0.9, 1.01, 20),
    ("j5-0.7", 0.7, 0.9, 22),
    ("j5-0.5", 0.5, 0.7, 24),
    ("j5-0.3", 0.3, 0.5, 26),
    ("j5-0.15", 0.15, 0.3, 26),
    ("j5-0.05", 0.05, 0.15, 24),
    ("j5-0", 0.0, 0.05, 20),
)
TOPIC_SAMPLE = 40
_MAX_SHINGLE_DF = 50          # a run of 8 words found in more documents is a formula, not shared copy
_TITLE_STOP = set(
    "في من على الى عن مع بعد قبل خلال بين الي ان او ما لا لم لن هذا هذه التي الذي تم اليوم امس حول عند".split()
)


def mine_candidates(data: Path) -> list[Candidate]:
    """Cross-outlet pairs within 3 days sharing a run of 8 match-normalized words, plus same-day same-subject
    pairs (different outlets, at least 2 shared title words, title-word Jaccard >= 0.3) sharing no such run."""
    rows = _saudi_rows(data / SAUDI_FILE)
    words = [match_words(r["content"]) for r in rows]
    days = [_day(r) for r in rows]
    postings: dict[int, list[int]] = defaultdict(list)  # hash() of a run: collisions are negligible at 64 bits
    for i, ws in enumerate(words):
        for h in {hash(s) for s in shingles(ws, 8)}:
            postings[h].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for docs in postings.values():
        if len(docs) < 2 or len(docs) > _MAX_SHINGLE_DF:
            continue
        for x, i in enumerate(docs):
            for j in docs[x + 1 :]:
                if rows[i]["source"] != rows[j]["source"] and abs(days[i] - days[j]) <= 3:
                    shared[(i, j)] += 1
    del postings
    s5 = [shingles(ws, 5) for ws in words]
    out: list[Candidate] = []
    for (i, j), n in sorted(shared.items()):
        j5 = jaccard(s5[i], s5[j])
        band = next(name for name, lo, hi, _ in BANDS if lo <= j5 < hi)
        out.append(Candidate(i, j, n, j5, containment(s5[i], s5[j]), band))
    # same day, same subject, little shared text
    titles = [{w for w in match_words(r["title"]) if len(w) >= 3 and w not in _TITLE_STOP} for r in rows]
    by_day: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        if len(words[i]) >= MIN_WORDS:
            by_day[days[i]].append(i)
    for day in sorted(by_day):
        index: dict[str, list[int]] = defaultdict(list)
        for i in by_day[day]:
            for w in titles[i]:
                index[w].append(i)
        common: Counter[tuple[int, int]] = Counter()
        for docs in index.values():
            if len(docs) > 60:
                continue
            for x, i in enumerate(docs):
                for j in docs[x + 1 :]:
                    if rows[i]["source"] != rows[j]["source"]:
                        common[(i, j)] += 1
        for (i, j), n in sorted(common.items()):
            if n >= 2 and (i, j) not in shared and jaccard(titles[i], titles[j]) >= 0.3:
                j5 = jaccard(s5[i], s5[j])
                if j5 < 0.05 and not shingles(words[i], 8) & shingles(words[j], 8):
                    out.append(Candidate(i, j, 0, j5, containment(s5[i], s5[j]), "topic"))
    return out


def sample_candidates(cands: Sequence[Candidate], seed: int = 13) -> list[Candidate]:
    """A stratified sample (see BANDS and TOPIC_SAMPLE), no article used twice."""
    rng = random.Random(seed)
    used: set[int] = set()
    picked: list[Candidate] = []
    quotas = {name: k for name, _, _, k in BANDS} | {"topic": TOPIC_SAMPLE}
    for stratum, quota in quotas.items():
        pool = [c for c in cands if c.stratum == stratum]
        rng.shuffle(pool)
        got = 0
        for c in pool:
            if got == quota:
                break
            if c.i in used or c.j in used:
                continue
            used.update((c.i, c.j))
            picked.append(c)
            got += 1
    return picked


def write_candidates(data: Path, out: Path, seed: int = 13) -> int:
    """Mine, sample and write candidates (url_a, url_b, stratum, figures) for labelling; return the count."""
    rows = _saudi_rows(data / SAUDI_FILE)
    picked = sample_candidates(mine_candidates(data), seed)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["url_a", "url_b", "stratum", "shared8", "j5", "c5"])
        for c in picked:
            w.writerow([rows[c.i]["url"], rows[c.j]["url"], c.stratum, c.shared8, f"{c.j5:.3f}", f"{c.c5:.3f}"])
    return len(picked)


# ---------------------------------------------------------------------------------------------------------------
# Real pairs labelled by reading


def read_gold(path: Path = GOLD_TSV) -> list[dict[str, str]]:
    """The rows of the gold TSV (url_a, url_b, label, note); labels are ``dup`` or ``not``."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    bad = [r for r in rows if r.get("label") not in ("dup", "not")]
    if bad:
        raise ValueError(f"{path}: label must be 'dup' or 'not'; first bad row: {bad[0]}")
    return rows


def saudi_gold_pairs(data: Path, gold: Path = GOLD_TSV) -> list[Pair]:
    """Real SaudiNewsNet pairs labelled by reading; texts loaded by url from the shared data file."""
    by_url = {r["url"]: r for r in _saudi_rows(data / SAUDI_FILE)}
    rows = read_gold(gold)
    missing = sorted({u for r in rows for u in (r["url_a"], r["url_b"]) if u not in by_url})
    if missing:
        raise KeyError(f"{len(missing)} gold urls are not in {data / SAUDI_FILE}, e.g. {missing[:3]}")
    pairs = []
    for r in rows:
        a, b = _doc(by_url[r["url_a"]]), _doc(by_url[r["url_b"]])
        pairs.append(Pair(a, b, r["label"] == "dup", saudi_kind(a, b)))
    return pairs


# ---------------------------------------------------------------------------------------------------------------
# Synthetic edits (character data kept here as tables, applied by small functions)

OUTLET_NAMES = {
    "alriyadh": "الرياض", "aljazirah": "الجزيرة", "okaz": "عكاظ", "alyaum": "اليوم", "almadina": "المدينة",
    "alwatan": "الوطن", "sabq": "سبق", "aawsat": "الشرق الأوسط", "aleqtisadiya": "الاقتصادية",
    "alweeam": "الوئام", "3alyoum": "عين اليوم", "was": "واس",
}
# Names that are also common words are left out: الخبر (the news), ينبع (springs), حائل (barrier), تعز, عمان.
SAUDI_PLACES = ("الرياض", "جدة", "مكة المكرمة", "المدينة المنورة", "الدمام", "أبها", "تبوك", "نجران", "جازان",
                "الطائف", "الأحساء", "القصيم", "بريدة", "الجوف", "الباحة", "القطيف", "الجبيل", "عرعر")
COUNTRIES = ("اليمن", "مصر", "سوريا", "العراق", "الكويت", "البحرين", "قطر", "الإمارات", "الأردن", "لبنان",
             "إيران", "تركيا", "فرنسا", "بريطانيا", "ألمانيا", "روسيا", "الصين", "اليابان", "المغرب", "السودان")
CITIES = ("عدن", "صنعاء", "القاهرة", "بغداد", "دمشق", "بيروت", "طهران", "أنقرة", "واشنطن", "لندن",
          "باريس", "موسكو", "المنامة", "الدوحة", "أبوظبي", "دبي")
SAUDI_PERSONS = ("محمد بن نايف", "محمد بن سلمان", "خالد الفيصل", "فيصل بن خالد", "عادل الجبير", "توفيق الربيعة",
                 "عزام الدخيل", "بندر حجار", "أحمد عسيري", "منصور التركي", "عادل الطريفي", "خالد الفالح")
FOREIGN_PERSONS = ("عبدربه منصور هادي", "خالد بحاح", "بشار الأسد", "حسن روحاني", "باراك أوباما", "جون كيري",
                   "عبدالفتاح السيسي", "رجب طيب أردوغان", "فلاديمير بوتين", "بان كي مون", "ديفيد كاميرون",
                   "فرانسوا هولاند")
PERSONS = SAUDI_PERSONS + FOREIGN_PERSONS
NAME_GROUPS = (SAUDI_PLACES, COUNTRIES, CITIES, SAUDI_PERSONS, FOREIGN_PERSONS)
NEGATIONS = {
    "تم": "لم يتم", "سيتم": "لن يتم", "يتم": "لا يتم", "يمكن": "لا يمكن", "كان": "لم يكن", "كانت": "لم تكن",
    "سيكون": "لن يكون", "ستكون": "لن تكون", "يوجد": "لا يوجد", "توجد": "لا توجد", "وافق": "لم يوافق",
    "وافقت": "لم توافق", "أعلن": "لم يعلن", "أعلنت": "لم تعلن", "قرر": "لم يقرر", "قررت": "لم تقرر",
    "فاز": "لم يفز", "تمكن": "لم يتمكن", "تمكنت": "لم تتمكن", "يجب": "لا يجب", "سوف": "لن", "يشمل": "لا يشمل",
    "تشمل": "لا تشمل", "يحق": "لا يحق", "شارك": "لم يشارك", "شاركت": "لم تشارك",
}
SPELLING_VARIANTS = (
    ("عبدالله", "عبد الله"), ("عبدالعزيز", "عبد العزيز"), ("عبدالرحمن", "عبد الرحمن"), ("ترامب", "ترمب"),
    ("أمريكا", "أميركا"), ("الأمريكية", "الأميركية"), ("الأمريكي", "الأميركي"), ("بوينغ", "بوينج"),
    ("جوجل", "غوغل"), ("فيسبوك", "فيس بوك"), ("الإنترنت", "الانترنت"), ("في المائة", "%"), ("بالمئة", "في المئة"),
    ("الدكتور", "د."), ("المهندس", "م."), ("مسؤول", "مسئول"), ("إسرائيل", "اسرائيل"), ("يوليو", "تموز"),
)
BOILER_PREFIX = (
    "{city} - واس", "{city} – «{outlet}»", "شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك", "سبق- {city}:",
    "عين اليوم – {city}", "{city} 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس",
)
BOILER_SUFFIX = (
    "تابعونا على تويتر: @{handle}", "اقرأ أيضاً: {other}", "رابط الخبر بصحيفة الوئام: {title}",
    "سمات {tags}", "// انتهى // 14:05 ت م", "جميع الحقوق محفوظة لصحيفة {outlet} © 2015", "(واس)", "...المزيد",
)
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ASCII = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
# a number standing alone: not glued to letters (م3), not part of a date, time or range (10/12, 7:30, 1436-1437)
_NUMBER = re.compile(r"(?<![\w.,/:\-])([0-9٠-٩]+(?:[.,][0-9٠-٩]+)?)(?![\w/:\-]|[.,][0-9٠-٩])")
_NEGATABLE = re.compile(
    r"(?<!\w)(?P<pre>[وف]?)(?P<w>" + "|".join(sorted(NEGATIONS, key=len, reverse=True)) + r")(?!\w)"
)
_TATWEEL_SPOT = re.compile(r"(?<!\w)\w([بتثجحخسشصضطظعغفقكلمنهي])(?=[\u0628-\u064a]{2})")
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")


def _name_pattern(name: str, person: bool) -> re.Pattern[str]:
    """A whole-word pattern for ``name`` tolerant to hamza/teh-marbuta/yeh spelling, with a clitic prefix."""
    body = "".join(
        "[اأإآ]" if ch in "اأإآ" else "[ةه]" if ch == "ة" else "[يى]" if ch in "يى" else re.escape(ch) for ch in name
    )
    pre = "و?" if person else "[وفبلك]?"
    return re.compile(rf"(?<!\w)(?<!بن )(?P<pre>{pre}){body}(?!\w)")


_NAME_PATTERNS = {n: _name_pattern(n, n in PERSONS) for g in NAME_GROUPS for n in g}


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _wc(text: str) -> int:
    return len(match_words(text))


def edit_boilerplate(doc: Doc, rng: random.Random, other_title: str) -> Doc:
    """Add outlet boilerplate: a dateline or share line at the start and/or a footer at the end."""
    fill = {
        "city": rng.choice(SAUDI_PLACES[:6]), "outlet": rng.choice(sorted(set(OUTLET_NAMES.values()))),
        "handle": rng.choice(("SPAregions", "sabqorg", "okaz_online", "Alyaum")), "other": other_title,
        "title": doc.title, "tags": " ".join(match_words(doc.title)[:4]),
    }
    text = doc.text
    where = rng.choice(("start", "end", "both"))
    if where in ("start", "both"):
        text = rng.choice(BOILER_PREFIX).format(**fill) + rng.choice((" ", "\n")) + text
    if where in ("end", "both"):
        for tail in rng.sample(BOILER_SUFFIX, rng.choice((1, 2))):
            text = text + rng.choice((" ", "\n")) + tail.format(**fill)
    return replace(doc, text=text)


def edit_lead(doc: Doc, rng: random.Random) -> Doc | None:
    """Drop the first sentence, replace it with a lead made from the title, or put such a lead before it."""
    sents = _sentences(doc.text)
    if len(sents) < 3 or _wc(sents[0]) > 0.4 * _wc(doc.text):
        return None
    title = doc.title.strip(" .!؟?…:")
    how = rng.choice(("drop", "replace", "prepend"))
    if how == "drop":
        out = sents[1:]
    elif how == "replace":
        out = [f"{title}، بحسب ما أُعلن رسمياً.", *sents[1:]]
    else:
        out = [f"{title}، وفق ما أفادت مصادر رسمية.", *sents]
    text = " ".join(out)
    if rng.random() < 0.5:
        text = re.sub(r"(?<!\w)اليوم(?!\w)", "أمس", text, count=1)
    return replace(doc, text=text)


def _hamza_drop(word: str) -> str:
    return "ا" + word[1:] if word[:1] in "أإآ" else word


def edit_spelling(doc: Doc, rng: random.Random) -> Doc | None:
    """Apply two or more spelling-variant edits (hamza, ة/ه, ى/ي, Indic digits, name variants, tatweel)."""
    text = doc.text
    steps = rng.sample(("hamza", "teh", "yeh", "digits", "variants", "tatweel"), rng.choice((2, 3, 4)))
    for step in steps:
        if step == "hamza":
            text = re.sub(r"(?<!\w)[أإآ]\w+", lambda m: _hamza_drop(m.group()) if rng.random() < 0.6 else m.group(),
                          text)
        elif step == "teh":
            text = re.sub(r"ة(?!\w)", lambda m: "ه" if rng.random() < 0.4 else m.group(), text)
        elif step == "yeh":
            text = re.sub(r"ى(?!\w)", lambda m: "ي" if rng.random() < 0.6 else m.group(), text)
        elif step == "digits":
            text = text.translate(INDIC)
        elif step == "variants":
            for x, y in SPELLING_VARIANTS:
                a, b = (x, y) if rng.random() < 0.5 else (y, x)
                text = re.sub(rf"(?<!\w){re.escape(a)}(?!\w)", b, text)
        else:
            # tatweel after a letter that joins the next one (not after ا د ذ ر ز و ة)
            spots = [m.end(1) for m in _TATWEEL_SPOT.finditer(text)][:60]
            for at in sorted(rng.sample(spots, min(3, len(spots))), reverse=True):
                text = text[:at] + "\u0640" + text[at:]
    return None if text == doc.text else replace(doc, text=text)


def edit_cut(doc: Doc, rng: random.Random) -> Doc | None:
    """Cut the last paragraph (or, in one-paragraph texts, the last sentences): 10-40% of the words."""
    total = _wc(doc.text)
    paras = [p for p in doc.text.split("\n") if p.strip()]
    if len(paras) >= 2 and 0.1 <= _wc(paras[-1]) / total <= 0.4:
        return replace(doc, text="\n".join(paras[:-1]))
    sents = _sentences(doc.text)
    for k in range(1, len(sents) - 1):
        cut = _wc(" ".join(sents[-k:])) / total
        if cut > 0.4:
            break
        if cut >= 0.1:
            return replace(doc, text=" ".join(sents[:-k]))
    return None


def _is_year(num: str) -> bool:
    """Hijri or Gregorian years are left alone (changing them rarely changes a reported fact)."""
    plain = num.translate(ASCII)
    return plain.isdigit() and len(plain) == 4 and (1300 <= int(plain) <= 1500 or 1900 <= int(plain) <= 2100)


def _other_number(num: str, rng: random.Random) -> str:
    """A different number in the same digit script (and same decimal separator)."""
    indic = any("٠" <= c <= "٩" for c in num)
    plain = num.translate(ASCII)
    head, sep, tail = plain.partition("." if "." in plain else ",")
    n = int(head)
    new = n + rng.choice((1, 2, 3)) if n <= 10 else max(1, round(n * rng.choice((0.5, 0.6, 0.75, 1.3, 1.5, 2))))
    if new == n:
        new = n + 1
    out = str(new) + (sep + tail if sep else "")
    return out.translate(INDIC) if indic else out


def edit_fact_number(doc: Doc, rng: random.Random) -> Doc | None:
    """Change one number (every occurrence of it, title included); years are left alone."""
    nums = sorted({m.group(1) for m in _NUMBER.finditer(doc.text)})
    nums = [n for n in nums if n.translate(ASCII).replace(",", "").replace(".", "").strip("0") and not _is_year(n)]
    if not nums:
        return None
    old = rng.choice(nums)
    new = _other_number(old, rng)
    pat = re.compile(rf"(?<![0-9٠-٩.,]){re.escape(old)}(?![0-9٠-٩]|[.,][0-9٠-٩])")
    return replace(doc, title=pat.sub(new, doc.title), text=pat.sub(new, doc.text))


def edit_fact_negation(doc: Doc, rng: random.Random) -> Doc | None:
    """Negate one verb (تم → لم يتم, سيتم → لن يتم, يمكن → لا يمكن, ...)."""
    found = list(_NEGATABLE.finditer(doc.text))
    if not found:
        return None
    m = rng.choice(found)
    text = doc.text[: m.start()] + m.group("pre") + NEGATIONS[m.group("w")] + doc.text[m.end() :]
    return replace(doc, text=text)


def edit_fact_name(doc: Doc, rng: random.Random) -> Doc | None:
    """Swap a named place or person (every occurrence) for another of the same kind absent from the text."""
    present = [(n, g) for g in NAME_GROUPS for n in g if _NAME_PATTERNS[n].search(doc.text)]
    if not present:
        return None
    name, group = rng.choice(present)
    others = [n for n in group if n != name and not _NAME_PATTERNS[n].search(doc.text + " " + doc.title)]
    new = rng.choice(others)

    def sub(s: str) -> str:
        return _NAME_PATTERNS[name].sub(lambda m: m.group("pre") + new, s)

    return replace(doc, title=sub(doc.title), text=sub(doc.text))


POSITIVE_EDITS: dict[str, Callable[[Doc, random.Random, str], Doc | None]] = {
    "syn-boilerplate": edit_boilerplate,
    "syn-lead": lambda d, r, _o: edit_lead(d, r),
    "syn-spelling": lambda d, r, _o: edit_spelling(d, r),
    "syn-cut": lambda d, r, _o: edit_cut(d, r),
}
FACT_EDITS: dict[str, Callable[[Doc, random.Random], Doc | None]] = {
    "syn-fact-number": edit_fact_number,
    "syn-fact-negation": edit_fact_negation,
    "syn-fact-name": edit_fact_name,
}


def _combo(doc: Doc, rng: random.Random, other: str) -> Doc | None:
    """Two or three positive edits in a row (a combination, as real republication does)."""
    out: Doc | None = doc
    for kind in rng.sample(sorted(POSITIVE_EDITS), rng.choice((2, 3))):
        assert out is not None
        out = POSITIVE_EDITS[kind](out, rng, other)
        if out is None:
            return None
    return out


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _republished(doc: Doc, edited: Doc, rng: random.Random, kind: str) -> Doc:
    """The edited copy as another outlet's document."""
    source = rng.choice([s for s in sorted(OUTLET_NAMES) if s != doc.source])
    return replace(edited, source=source, ref=f"{doc.ref}#{kind}")


def synthetic_pairs(data: Path, n: int = 300, seed: int = 13) -> list[Pair]:
    """Seeded synthetic pairs from SaudiNewsNet articles of at least 80 words: half positives (harmless edits),
    half negatives (one fact changed, or two articles of one outlet and day)."""
    if n < len(POSITIVE_KINDS) + len(NEGATIVE_KINDS):
        raise ValueError(f"n={n} is too small: every one of the {len(POSITIVE_KINDS) + len(NEGATIVE_KINDS)} kinds "
                         "needs at least one pair")
    rows = _saudi_rows(data / SAUDI_FILE)
    rng = random.Random(seed)
    order = sorted(range(len(rows)), key=lambda i: rows[i]["url"])
    rng.shuffle(order)
    titles = [rows[i]["title"].strip() for i in order[:500]]
    pool = iter(order)
    used: set[int] = set()

    def next_doc() -> Doc:
        for i in pool:
            if i not in used and len(rows[i]["content"].split()) >= MIN_WORDS and _wc(rows[i]["content"]) >= MIN_WORDS:
                used.add(i)
                return _doc(rows[i])
        raise RuntimeError("ran out of SaudiNewsNet articles for synthetic pairs; lower n")

    pairs: list[Pair] = []
    pos_counts = _split(n // 2, len(POSITIVE_KINDS))
    neg_counts = _split(n - n // 2, len(NEGATIVE_KINDS))
    for kind, count in zip(POSITIVE_KINDS, pos_counts, strict=True):
        edit = _combo if kind == "syn-combo" else POSITIVE_EDITS[kind]
        while sum(p.kind == kind for p in pairs) < count:
            doc = next_doc()
            edited = edit(doc, rng, rng.choice(titles))
            if edited is not None and edited.text != doc.text:
                pairs.append(Pair(doc, _republished(doc, edited, rng, kind), True, kind))
    for kind, count in zip(NEGATIVE_KINDS[:-1], neg_counts[:-1], strict=True):
        while sum(p.kind == kind for p in pairs) < count:
            doc = next_doc()
            changed = FACT_EDITS[kind](doc, rng)
            if changed is None or changed.text == doc.text:
                continue
            if rng.random() < 0.5:  # a harmless edit too, so that the fact alone must decide
                changed = edit_boilerplate(changed, rng, rng.choice(titles)) if rng.random() < 0.5 else (
                    edit_spelling(changed, rng) or changed)
            pairs.append(Pair(doc, _republished(doc, changed, rng, kind), False, kind))
    pairs.extend(_same_source_day(rows, neg_counts[-1], rng, used))
    return pairs


def _same_source_day(rows: Sequence[dict[str, str]], count: int, rng: random.Random, used: set[int]) -> list[Pair]:
    """Two different articles of one outlet and day, as alike in vocabulary as possible but not copies
    (word-5-gram Jaccard < 0.1 and containment < 0.2: outlets do republish their own items)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if i not in used and len(r["content"].split()) >= MIN_WORDS:
            groups[(r["source"], r["date_extracted"][:10])].append(i)
    keys = sorted(k for k, v in groups.items() if len(v) >= 2)
    rng.shuffle(keys)
    out: list[Pair] = []
    for key in keys:
        if len(out) == count:
            break
        members = sorted(groups[key], key=lambda i: rows[i]["url"])[:60]
        words = {i: match_words(rows[i]["content"]) for i in members}
        members = [i for i in members if len(words[i]) >= MIN_WORDS]
        vocab = {i: {w for w in words[i] if len(w) >= 4} for i in members}
        best: tuple[float, int, int] | None = None
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                sim = jaccard(vocab[i], vocab[j])
                if best is None or sim > best[0]:
                    s5i, s5j = shingles(words[i], 5), shingles(words[j], 5)
                    if jaccard(s5i, s5j) < 0.1 and containment(s5i, s5j) < 0.2:
                        best = (sim, i, j)
        if best is not None:
            used.update(best[1:])
            out.append(Pair(_doc(rows[best[1]]), _doc(rows[best[2]]), False, "syn-same-source-day"))
    return out


# ---------------------------------------------------------------------------------------------------------------
# ANS headline pairs


def ans_pairs(data: Path, split: str = "dev") -> list[Pair]:
    """ANS headline pairs as hard negatives: ``disagree`` (a changed fact) and ``agree`` (a paraphrase)."""
    if split not in ("dev", "train"):
        raise ValueError(f"split must be 'dev' or 'train' (the test split is not shared), not {split!r}")
    path = data / ANS_DIR / f"{split}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; pass --data or set MARSAD_DATA to the shared data folder")
    pairs = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if row["stance"] not in ("agree", "disagree"):
                continue
            a = Doc("", row["s1"].strip(), "ans", None, f"ans-{split}-{i}-s1")
            b = Doc("", row["s2"].strip(), "ans", None, f"ans-{split}-{i}-s2")
            pairs.append(Pair(a, b, False, f"ans-{row['stance']}"))
    return pairs


# ---------------------------------------------------------------------------------------------------------------
# Harness


def _scores(tp: int, fp: int, fn: int, tn: int) -> dict[str, Any]:
    """Counts and rates; a rate is None when its denominator is zero."""
    return {
        "n": tp + fp + fn + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else None,
        "fpr": fp / (fp + tn) if fp + tn else None,
    }


def evaluate(pairs: Iterable[Pair], is_dup: Callable[[Pair], bool]) -> dict[str, Any]:
    """Score ``is_dup`` on ``pairs``: ``{"overall": scores, "per_kind": {kind: scores}}`` where scores hold
    n/tp/fp/fn/tn, precision, recall, f1 (2tp / (2tp+fp+fn)) and fpr (false positives / negatives)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for pair in pairs:
        guess = bool(is_dup(pair))
        cell = ("tp" if guess else "fn") if pair.label else ("fp" if guess else "tn")
        counts[pair.kind][cell] += 1
        counts["\0overall"][cell] += 1
    total = counts.pop("\0overall", Counter())
    return {
        "overall": _scores(total["tp"], total["fp"], total["fn"], total["tn"]),
        "per_kind": {k: _scores(c["tp"], c["fp"], c["fn"], c["tn"]) for k, c in sorted(counts.items())},
    }


def jaccard3_baseline(threshold: float = 0.5) -> Callable[[Pair], bool]:
    """The reference detector: word-3-gram Jaccard of the match-normalized bodies >= threshold."""

    def is_dup(pair: Pair) -> bool:
        return jaccard(shingles(match_words(pair.a.text), 3), shingles(match_words(pair.b.text), 3)) >= threshold

    return is_dup


def all_pairs(data: Path, n: int = 300, seed: int = 13, split: str = "dev") -> list[Pair]:
    """Every pair: real SaudiNewsNet, synthetic, ANS."""
    return saudi_gold_pairs(data) + synthetic_pairs(data, n, seed) + ans_pairs(data, split)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def count_table(pairs: Sequence[Pair]) -> str:
    """A markdown table of pair counts per kind and label."""
    lines = ["| kind | dup | not | total |", "|---|---:|---:|---:|"]
    kinds: dict[str, Counter[bool]] = defaultdict(Counter)
    for p in pairs:
        kinds[p.kind][p.label] += 1
    for kind, c in sorted(kinds.items()):
        lines.append(f"| {kind} | {c[True]} | {c[False]} | {c[True] + c[False]} |")
    pos = sum(p.label for p in pairs)
    lines.append(f"| **all** | {pos} | {len(pairs) - pos} | {len(pairs)} |")
    return "\n".join(lines)


def score_table(result: dict[str, Any]) -> str:
    """A markdown table of an ``evaluate`` result, one row per kind and one overall."""
    lines = ["| kind | n | tp | fp | fn | tn | precision | recall | F1 | FPR |", "|---|" + "---:|" * 9]
    rows = [*result["per_kind"].items(), ("**all**", result["overall"])]
    for kind, s in rows:
        lines.append(f"| {kind} | {s['n']} | {s['tp']} | {s['fp']} | {s['fn']} | {s['tn']} | {_fmt(s['precision'])} "
                     f"| {_fmt(s['recall'])} | {_fmt(s['f1'])} | {_fmt(s['fpr'])} |")
    return "\n".join(lines)


def main() -> None:
    """Print pair counts and the baseline's figures (or, with --mine, write candidate pairs to label)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=data_dir(), help="the shared data folder")
    ap.add_argument("--n", type=int, default=300, help="synthetic pairs")
    ap.add_argument("--seed", type=int, default=13, help="seed of the synthetic pairs and of --mine's sample")
    ap.add_argument("--split", default="dev", choices=("dev", "train"), help="ANS split")
    ap.add_argument("--threshold", type=float, default=0.5, help="baseline's word-3-gram Jaccard threshold")
    ap.add_argument("--mine", type=Path, help="write a stratified sample of candidate real pairs to this TSV")
    args = ap.parse_args()
    if args.mine:
        print(f"wrote {write_candidates(args.data, args.mine, args.seed)} candidate pairs to {args.mine}")
        return
    pairs = all_pairs(args.data, args.n, args.seed, args.split)
    print(count_table(pairs))
    print()
    print(f"baseline: word-3-gram Jaccard >= {args.threshold} over match_words(text)")
    print(score_table(evaluate(pairs, jaccard3_baseline(args.threshold))))


if __name__ == "__main__":
    main()
