"""Arabic keyphrase extraction: grammatical candidate phrases ranked by a small log-linear score.

Hand-written rather than a generic library (YAKE, KeyBERT, pke): none knows Arabic clitics, idafa or
definiteness agreement, and they need models or downloads; this is one pass of rules and a dot product.

How it works
------------
1. **Words.** Tokens are those of :mod:`marsad.text.tokenize` (same pattern, offsets into the display
   text). Each word gets a *core* (match key without clitics: وال/بال/فال/كال/لل/ال always; a lone
   و/ف/ب/ل/ك when the ANT table says the rest is the common word, or else when the rest occurs on its
   own in the same article) and a Light10-style *stem* of the core, so ``الصواريخ``/``صواريخ``/
   ``صواريخه`` and ``والعلاقات``/``علاقة`` count as one word.
2. **Candidates** are word n-grams (1-4) inside one clause. Punctuation, line breaks, numbers, stop
   words (particles, prepositions, conjunctions, pronouns, auxiliaries, reporting verbs, quantifiers,
   time and number words), *verbs* (forms that inflect as verbs and never take ال in ANT; a list in
   the table) and indefinite accusatives (``قرارا``, ``معسكرا``: objects and adverbs) end a phrase.
   Inside a clause, Arabic phrase rules cut further:

   * a word with a conjunction or preposition clitic starts a new phrase (``روسيا | وكوريا الشمالية``);
   * a definite word is followed only by definite words (adjectives: ``الزعيم الكوري الشمالي``), not by
     an indefinite one (``الكرملين | ديمتري بيسكوف``), nor by a feminine adjective after a masculine
     nisba (``ميليشيات الحوثي | الإيرانية``); an indefinite head takes either (idafa and names:
     ``وزارة الدفاع``, ``كوريا الشمالية``, ``كيم جونج أون``);
   * ``باسم``/``ذو`` may sit inside a phrase but never at an edge (``المتحدث باسم الكرملين``); name
     particles (بن، أبو، عبد، آل، أم) may start one (``أبو ظبي``, ``بن لادن``) but never end one;
   * a phrase that in every occurrence ends on an idafa head whose complement follows
     (``محافظة`` before ``الجوف``, ``كوريا`` before ``الشمالية``) is not offered.

   The returned phrase is the text of the first clean occurrence (no clitic on the first word, no
   pronoun suffix at the edges), with a first-word clitic dropped if every occurrence has one
   (``والعلاقات`` → ``العلاقات``, ``للصحفيين`` → ``الصحفيين``), whitespace collapsed.
3. **Score** = logistic(bias + Σ weight × feature) over ``FEATURES``: frequency of the stem sequence
   in the article (title included), title occurrence, lead position, number of words, definite head,
   IDF of the words (mean and minimum), how frequent the words are in the article on their own, how
   often ANT puts the words in titles and the word pair together, and penalties for pronoun suffixes,
   lone adjectives and Latin words. Weights were fit by logistic regression on AKEC-train candidates
   (is the phrase a crowd keyphrase?) and rounded; ``in_title`` was set by hand (AKEC has no titles).
   IDF, title share and pair frequency come from ``marsad/data/keyphrase-df.tsv.gz`` (ANT corpus
   counts, built by ``scripts/build_keyphrase_df.py``); without the file they take neutral constants
   and the extractor still works, a little worse (see ``bench/keyphrase_eval.py --no-df``).
4. **Redundancy rule** (stem keys, whole words). First, a phrase that never occurs outside one longer
   candidate is folded into it (``كيم جونج`` into ``كيم جونج أون``), unless it is a definite phrase
   after an idafa head (``الزعيم الكوري الشمالي`` in ``زيارة الزعيم الكوري الشمالي``). Then, walking
   the ranking:

   * a phrase contained in higher-ranked chosen phrases is dropped unless it occurs at least twice
     outside them (``كيم`` stays beside ``كيم جونج أون`` when the article says ``كيم`` alone often);
   * a phrase containing a chosen one replaces it when the chosen one hardly occurs without it (the
     counts are equal, or differ by one and the longer occurs twice or more); otherwise it is kept
     only if it occurs twice or more, and an idafa head put before a chosen definite phrase
     (``زيارة`` + ``الزعيم الكوري الشمالي``) is dropped when it occurs once;
   * a phrase with the same stems as a chosen one, or a one-off sharing two or more words with a
     chosen one at its edge (``رصد عسكرية شرقي`` after ``نقطة رصد عسكرية``), is dropped.

   If fewer than ``min_k`` remain, dropped phrases are added back in rank order.
"""

from __future__ import annotations

import gzip
import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marsad.text.clitics import ARTICLE_PREFIXES, BARE_PREFIXES, CONJUNCTIONS
from marsad.text.normalize import MATCH
from marsad.text.stem import surface_keys
from marsad.text.tokenize import TOKEN_RE

DF_PATH = Path(__file__).resolve().parents[1] / "data" / "keyphrase-df.tsv.gz"
MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Keyphrase:
    """A keyphrase of a text: its surface form (first clean occurrence) and a 0-1 score."""

    phrase: str     # surface form as it appears in the text (first occurrence), not a stem
    score: float    # 0-1, higher is better; lists are ranked by it, descending


# --- word lists (written in plain Arabic, compared in match form) ----------------------------------

_STOP_TEXT = """
في من إلى الى على عن مع عند لدى حول خلال بين منذ حتى نحو ضد عبر دون بدون قبل بعد فوق تحت أمام وراء خلف
داخل خارج إزاء تجاه حيال ضمن لصالح وفق وفقا طبقا حسب بحسب جراء إثر عقب رغم برغم بالرغم قرب عدا سوى غير
مثل لدي لمدة مدة طوال أثناء اثناء بدلا عوضا إضافة بالإضافة علاوة فضلا وسط بشأن إطار اطار أجل سبيل جانب
مقابل بسبب نتيجة حيث حين بينما عندما كلما مهما أينما كيفما لما لأن لكي كي إذ إذا اذا إذن لو لولا
و ف ب ل ك ثم أو أم بل لكن لكنه لكنها إلا ألا إن أن إنه أنه إنها أنها أنهم إنهم كأن لن لم لا ما ماذا قد لقد سوف
هل أي أية ليس ليست لست كلا بلى نعم إما يا هنا هناك هنالك ذلك تلك هذا هذه هذان هاتان هؤلاء أولئك ذا ذي
هو هي هم هما هن أنا نحن أنت أنتم انتم أنتن إياه إياها إياهم
الذي التي الذين اللذين اللتين اللاتي اللواتي اللذان اللتان اللائي
كان كانت كانوا كانا كنت يكون تكون يكونوا تكونان أصبح أصبحت أضحى أمسى بات باتت ظل ظلت صار صارت
زال يزال تزال مازال مازالت لازال لايزال مايزال عاد عادت يعود تعود
قال قالت قالوا يقول تقول يقولون أكد أكدت أكدوا يؤكد تؤكد أضاف أضافت يضيف تضيف أشار أشارت يشير تشير
أوضح أوضحت يوضح توضح ذكر ذكرت يذكر تذكر أعلن أعلنت يعلن تعلن اعتبر اعتبرت يعتبر تعتبر تابع تابعت
أفاد أفادت يفيد لفت لفتت شدد شددت يشدد أعرب أعربت يعرب أبدى أبدت لافتا مشيرا مضيفا مؤكدا موضحا معتبرا
يمكن يمكنه يمكنها يجب ينبغي تم يتم تمت جرى يجري وجد يوجد توجد كما كذلك أيضا فقط جدا ربما لعل إنما
بعض كل كافة جميع عدة عدد معظم أغلب أكثر أقل كثير كثيرا قليل قليلا نفس ذات ذاته نفسه نفسها أنفسهم
أحد إحدى أول أولى الأول الأولى آخر أخرى الآخر الأخرى آخرون آخرين الآخرين
خاصة خصوصا بشكل بصورة بنحو بطريقة عام عامة حاليا الآن أمس غدا اليوم يوم أيام الأيام يوما سنة سنوات
عاما أعوام الماضي الماضية المقبل المقبلة القادم القادمة الحالي الحالية الجاري الجارية مساء صباح ساعة
ساعات دقيقة دقائق هكذا شاهد أسبوع الأسبوع أسابيع شهر الشهر أشهر شهور مرة مرات المرة ثانية حوالي قرابة نحوا
الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت
يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر
كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين جانفي فيفري أفريل جوان جويلية أوت
واحد واحدة اثنان اثنين اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان ثماني ثمانية تسع تسعة
عشر عشرة عشرات مئة مائة مئات ألف آلاف ألاف مليون ملايين مليار مليارات نصف ربع ثلث
إلخ الخ فيه فيها فيهم منه منها منهم له لها لهم لهما به بها بهم عليه عليها عليهم إليه إليها إليهم عنه عنها
عنهم معه معها معهم لديه لديها لديهم بينهم بينها بينه لنا لي بي عنا منا علينا إلينا فينا بنا معنا
وقد ولا وما وأن وإن ولم ولن وهو وهي وهم وكان وكانت وقال وقالت وأضاف وأكد وأشار وأوضح وذكر وتابع فإن فقد
بأن بأنه بأنها لأنه لأنها كأنه مما ممن عما عمن فيما بما لما كلما إنما طالما ريثما بينما حينما عندما
يذكر شيء أشياء تقريبا فعلا أمر أمور الأمر حال حالة الحالة بصفة وقت الوقت فترة الفترة صفر
تعالى سبحانه وتعالى عز وجل صلى رضي عليهم السلام
"""

# Never at either edge of a phrase, allowed inside ("المتحدث باسم الكرملين").
_BRIDGE_TEXT = "باسم ذو"
# Name particles: may start a phrase ("أبو ظبي", "بن لادن", "عبد الله"), never end one.
_PARTICLE_TEXT = "بن بنت ابن أبو أبي أبا آل عبد أم"

# Verbs that start with ال/أل (form VIII and others): not definite nouns.
_AL_VERBS_TEXT = """
التقى التقت التقوا التزم التزمت التزموا التحق التحقت التمس التمست التف ألغى ألغت ألقى ألقت
ألم ألمح ألمحت ألزم ألزمت اللهم
"""


def _match_set(text: str) -> frozenset[str]:
    return frozenset(MATCH(w) for w in text.split())


_STOP = _match_set(_STOP_TEXT) | _match_set(_AL_VERBS_TEXT)
_BRIDGE = _match_set(_BRIDGE_TEXT)
_PARTICLE = _match_set(_PARTICLE_TEXT) - _STOP
_DEF_PREFIXES = ARTICLE_PREFIXES
_CONJ = CONJUNCTIONS
_SINGLE_PREFIXES = BARE_PREFIXES
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_PRONOUN_SUFFIXES = ("ها", "هم", "هما", "هن", "كم", "كما")
_NISBA = ("ي", "يه", "يين", "يون", "يات", "يان")


def _arabic(ch: str) -> bool:
    return "\u0621" <= ch <= "\u064a"


# --- document-frequency table ---------------------------------------------------------------------


@dataclass(slots=True)
class DfTable:
    """Corpus statistics in match form, from ``scripts/build_keyphrase_df.py`` (ANT news corpus).

    ``words``: document frequency of word forms; ``stems``: of light stems; ``title``: of stems in
    titles; ``pairs``: of adjacent stem pairs inside candidate phrases (``"a b"``); ``verbs``: word forms
    that behave as verbs. ``n`` is the number of documents (0 = no table).
    """

    n: int = 0
    words: dict[str, int] = field(default_factory=dict)
    stems: dict[str, int] = field(default_factory=dict)
    title: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)
    verbs: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return self.n > 0

    def idf(self, stem: str) -> float:
        """IDF of a stem scaled to 0-1 (1 = unseen in the corpus)."""
        if not self.n:
            return _NEUTRAL_IDF
        return math.log((self.n + 1) / (self.stems.get(stem, 0) + 1)) / math.log(self.n + 1)


_NEUTRAL_IDF = 0.6


def load_df_table(path: Path | str | None = None) -> DfTable:
    """Read a table (``#docs\\tN``, then ``kind\\tkey\\tdf`` rows); an empty table if the file is absent or broken."""
    table = DfTable()
    verbs: set[str] = set()
    maps = {"w": table.words, "s": table.stems, "t": table.title, "p": table.pairs}
    p = Path(path) if path is not None else DF_PATH
    try:
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and parts[0] == "#docs":
                    table.n = int(parts[1])
                elif len(parts) == 3:
                    if parts[0] == "v":
                        verbs.add(parts[1])
                    elif parts[0] in maps:
                        maps[parts[0]][parts[1]] = int(parts[2])
    except (OSError, ValueError, EOFError):
        return DfTable()
    table.verbs = frozenset(verbs)
    return table


_TABLE: DfTable | None = None


def default_df_table() -> DfTable:
    """The bundled table, loaded once (an empty table when the file is absent: no IDF, still works)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = load_df_table()
        _clear_caches()
    return _TABLE


def set_df_table(table: DfTable | None) -> None:
    """Use ``table`` from now on (``None``: reload the bundled file lazily). For tests and the table builder."""
    global _TABLE
    _TABLE = table
    _clear_caches()


def _clear_caches() -> None:
    """Forget word analyses made with another table."""
    _analyze.cache_clear()
    _lex.cache_clear()
    _SURFACES.clear()
    _CORPUS_STATS.clear()


# --- word analysis --------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def light_stem(core: str) -> str:
    """Light10-style suffix stripping of a clitic-free match key (keeps at least 3 letters)."""
    if not core or not _arabic(core[0]):
        return core
    for suf in _SUFFIXES:
        if core.endswith(suf) and len(core) - len(suf) >= 3:
            core = core[: -len(suf)]
    return core


@dataclass(frozen=True, slots=True)
class _Word:
    norm: str          # match key of the token
    core: str          # match key without clitics and without ال
    definite: bool     # carried the article ال (possibly after a clitic)
    clitic: str        # "" | "conj" (و/ف first) | "prep" (ب/ل/ك first)
    strip: int         # letters of the token that are clitics to drop from the surface (لل counts 2)
    lil: bool          # the prefix was لل: the surface gets ال back
    split: tuple[tuple[str, str], ...] = ()   # undecided lone clitics (prefix, rest), checked in the article
    accusative: bool = False   # an indefinite accusative noun (قرارا, معسكرا): an object or adverb, not a topic


def _def_split(norm: str) -> tuple[str, str] | None:
    for pre in _DEF_PREFIXES:
        if norm.startswith(pre) and len(norm) - len(pre) >= 2:
            return pre, norm[len(pre):]
    return None


@lru_cache(maxsize=100_000)
def _analyze(norm: str) -> _Word:
    if not norm or not _arabic(norm[0]) or norm in _STOP or norm in _BRIDGE or norm in _PARTICLE:
        return _Word(norm, norm, False, "", 0, False)
    d = _def_split(norm)
    if d is not None:
        pre, rest = d
        clitic = "conj" if pre[0] in _CONJ else ("prep" if pre != "ال" else "")
        if pre.endswith("لل"):
            return _Word(norm, rest, True, clitic, len(pre), True)
        return _Word(norm, rest, True, clitic, len(pre) - 2, False)
    table = _TABLE
    options: list[tuple[str, str]] = []
    for pre in _SINGLE_PREFIXES:
        if not norm.startswith(pre) or len(norm) - len(pre) < 3:
            continue
        rest = norm[len(pre):]
        clitic = "conj" if pre[0] in _CONJ else "prep"
        if rest in _STOP:                               # ولكن, فقد, وهو: a stop word with a clitic
            return _Word(norm, rest, False, clitic, len(pre), False)
        if table:
            df_rest, df_norm = table.words.get(rest, 0), table.words.get(norm, 0)
            if len(pre) == 1 and pre in _CONJ and df_rest > 2 * df_norm + 2:      # وروسيا
                return _Word(norm, rest, False, clitic, 1, False)
            if df_rest >= 30 and 2 * df_rest >= df_norm:                          # بنجاح, لتجنب
                return _Word(norm, rest, False, clitic, len(pre), False)
        options.append((pre, rest))
    accusative = False
    if table and len(norm) >= 4 and norm.endswith("ا"):
        base = norm[:-1]
        known = table.words.get(base, 0) + table.words.get("ال" + base, 0)
        accusative = known >= 10 and known >= 2 * table.words.get(norm, 0)
    return _Word(norm, norm, False, "", 0, False, tuple(options), accusative)


# --- tokens of a text -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    surface: str
    start: int
    end: int
    word: _Word
    core: str
    stem: str
    clitic: str
    strip: int
    kind: str          # "word" | "stop" | "num" | "bridge" (never at an edge) | "particle" (never at the end)
    brk: bool          # punctuation or a line break before this token
    pronoun: bool = False   # an indefinite word with a pronoun suffix (كتبها, عمليتهم)


@lru_cache(maxsize=200_000)
def _lex(surface: str, number: bool) -> tuple[str, _Word, str] | None:
    """Match key, analysis and base kind of a token's surface (cached: articles repeat their words)."""
    norm = surface_keys(surface)[0]     # the key the category model and the search analyzer also read
    if not norm:
        return None
    if number or norm[0].isdigit():
        return norm, _analyze(norm), "num"
    return norm, _analyze(norm), _lex_kind(norm)


def _tokens(text: str, verbs: frozenset[str] = frozenset()) -> list[_Tok]:
    """Tokens of ``text`` (as :func:`marsad.text.tokenize.iter_tokens` finds them) with cores, stems and
    kinds; verbs from the table count as stop words."""
    toks: list[_Tok] = []
    known = _surface_cache(verbs)
    prev_end = -1
    undecided: list[_Tok] = []
    for m in TOKEN_RE.finditer(text):
        surface = m.group()
        entry = known.get(surface)
        if entry is None:
            entry = known[surface] = _entry(surface, m.lastgroup == "num", verbs)
        w, kind, stem, pronoun = entry
        if w is _NO_WORD:
            continue
        start, end = m.span()
        if kind == "num":
            brk = True
        elif prev_end < 0 or start == prev_end or (start == prev_end + 1 and text[prev_end] == " "):
            brk = False                          # the common gaps (none, one space): no break, no slicing
        else:
            gap = text[prev_end:start]
            brk = bool(gap.strip()) or "\n" in gap
        prev_end = end
        tk = _Tok(surface, start, end, w, w.core, stem, w.clitic, w.strip, kind, brk, pronoun)
        toks.append(tk)
        if w.split:
            undecided.append(tk)
    if undecided:
        own = {tk.word.norm for tk in toks}
        for tk in undecided:
            w = tk.word
            for pre, rest in w.split:      # lone clitic: strip it when the rest is used on its own here
                if rest in own:
                    tk.core, tk.strip = rest, len(pre)
                    tk.clitic = "conj" if pre[0] in _CONJ else "prep"
                    tk.kind, tk.stem, tk.pronoun = _post(w, rest, _lex_kind(w.norm), verbs)
                    break
    return toks


_Entry = tuple[_Word, str, str, bool]
_NO_WORD = _Word("", "", False, "", 0, False)
_NO_TOKEN: _Entry = (_NO_WORD, "", "", False)


def _entry(surface: str, number: bool, verbs: frozenset[str]) -> _Entry:
    """(analysis, kind, stem, pronoun suffix) of a token's surface with its own core: a pure function of the
    surface, the table and the verb list, so ``_tokens`` keeps it (``_NO_TOKEN`` when the match key is empty)."""
    lex = _lex(surface, number)
    if lex is None:
        return _NO_TOKEN
    _, w, kind = lex
    return (w, *_post(w, w.core, kind, verbs))


def _lex_kind(norm: str) -> str:
    """The base kind of a word's match key (not a number): stop word, bridge, particle or word."""
    return "stop" if norm in _STOP else "bridge" if norm in _BRIDGE else "particle" if norm in _PARTICLE else "word"


def _post(w: _Word, core: str, kind: str, verbs: frozenset[str]) -> tuple[str, str, bool]:
    """(kind, stem, pronoun suffix) of a token once its core is decided."""
    if kind != "word":
        return kind, core, False
    if core in _STOP or core in verbs or w.norm in verbs or w.accusative:
        kind = "stop"
    return kind, light_stem(core), not w.definite and len(core) >= 5 and core.endswith(_PRONOUN_SUFFIXES)


_SURFACES: dict[str, _Entry] = {}
_SURFACES_VERBS: list[frozenset[str]] = [frozenset()]
_CACHE_MAX = 300_000


def _surface_cache(verbs: frozenset[str]) -> dict[str, _Entry]:
    """The token entries for this verb list (emptied when the list or the table changes, or when it grows big)."""
    if verbs is not _SURFACES_VERBS[0] or len(_SURFACES) > _CACHE_MAX:
        _SURFACES.clear()
        _SURFACES_VERBS[0] = verbs
    return _SURFACES


def _pair_breaks(prev: _Tok, cur: _Tok) -> bool:
    """True when a phrase may not run from ``prev`` into ``cur`` (the Arabic phrase rules)."""
    if cur.brk or cur.kind in ("stop", "num") or prev.kind in ("stop", "num"):
        return True
    if cur.kind in ("bridge", "particle") or prev.kind in ("bridge", "particle"):
        return False
    if cur.clitic:                      # وكوريا, للصحفيين: a conjunction or preposition starts anew
        return True
    if prev.word.definite and cur.word.definite:
        # agreement: a feminine adjective after a masculine nisba belongs to an earlier head
        # (ميليشيات الحوثي | الإيرانية)
        return prev.core.endswith("ي") and cur.core.endswith("ه") and len(cur.core) >= 4
    return prev.word.definite and not cur.word.definite and _arabic(cur.core[0])


def _runs(toks: list[_Tok]) -> Iterator[tuple[int, list[_Tok]]]:
    """Maximal stretches of tokens a phrase may span, with the index of their first token."""
    run: list[_Tok] = []
    start = 0
    prev: _Tok | None = None
    for i, tk in enumerate(toks):
        kind = tk.kind
        # _pair_breaks(prev, tk), its first test inlined: most pairs break on it
        if prev is not None and (tk.brk or kind in _HARD_BREAK or prev.kind in _HARD_BREAK
                                 or _pair_breaks(prev, tk)):
            if run:
                yield start, run
            run = []
        if kind in _PHRASE_KINDS:
            if not run:
                start = i
            run.append(tk)
        prev = tk
    if run:
        yield start, run


_HARD_BREAK = frozenset(("stop", "num"))
_PHRASE_KINDS = frozenset(("word", "bridge", "particle"))


# --- candidates -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cand:
    key: tuple[str, ...]            # stems of the phrase's words (bridges and particles included)
    first: tuple[int, int]          # (stream, token index) of the first occurrence; stream 0 = title, 1 = body
    span: tuple[_Tok, ...]          # the occurrence whose text is returned
    quality: int                    # 0 = clean occurrence; higher = clitic first / pronoun suffix at an edge
    src: int                        # stream of ``span``
    tf: int = 0                     # occurrences in the body
    title_tf: int = 0               # occurrences in the title
    modifier: int = 0               # one-word phrases: occurrences right after another word of the phrase run
    open_end: int = 0               # occurrences ending in an idafa head whose complement follows (محافظة | الجوف)
    score: float = 0.0

    @property
    def count(self) -> int:
        return self.tf + self.title_tf


def _quality(span: tuple[_Tok, ...]) -> int:
    return (1 if span[0].clitic else 0) + (2 if span[0].pronoun or span[-1].pronoun else 0)


def _collect(toks: list[_Tok], stream: int, cands: dict[tuple[str, ...], _Cand]) -> None:
    title = stream == 0
    get = cands.get
    # per-token facts read once for the whole text, not once per n-gram (the n-grams overlap up to MAX_WORDS
    # times); a run is a contiguous stretch of ``toks`` (stop words and numbers always end one), so slices serve
    stems = tuple([tk.stem for tk in toks])
    words = [tk.kind == "word" for tk in toks]
    definite = [tk.word.definite for tk in toks]
    pronoun = [tk.pronoun for tk in toks]
    for start, run in _runs(toks):
        n = len(run)
        end = start + n
        for a in range(start, end):
            tk = toks[a]
            if tk.kind == "bridge":
                continue
            q0 = (1 if tk.clitic else 0) + (2 if tk.pronoun else 0)
            for b in range(a, a + MAX_WORDS if a + MAX_WORDS < end else end):
                if not words[b]:
                    continue
                key = stems[a:b + 1]
                c = get(key)
                if c is None:
                    span = tuple(toks[a:b + 1])
                    c = cands[key] = _Cand(key, (stream, a), span, _quality(span), stream)
                elif c.quality:
                    q = q0 if q0 >= 2 or not pronoun[b] else q0 + 2      # = _quality(toks[a:b + 1])
                    if q < c.quality:
                        c.span, c.quality, c.src = tuple(toks[a:b + 1]), q, stream
                if title:
                    c.title_tf += 1
                else:
                    c.tf += 1
                if a == b and a > start and words[a - 1]:
                    c.modifier += 1
                if b + 1 < end and not definite[b] and definite[b + 1]:
                    c.open_end += 1


def _surface(text: str, span: tuple[_Tok, ...]) -> str:
    first = span[0]
    out = text[first.start:span[-1].end]
    if first.strip:
        # drop ``strip`` letters (and the marks on them) from the start of the surface
        i = seen = 0
        s = first.surface
        while i < len(s) and seen < first.strip:
            i += 1
            seen += 1
            while i < len(s) and not (_arabic(s[i]) or s[i].isalnum()):
                i += 1
        out = out[i:]
        if first.word.lil:
            out = "ال" + out
    return " ".join(out.split())


# --- scoring --------------------------------------------------------------------------------------

FEATURES = (
    "log_tf", "tf_2plus", "in_title", "lead", "rel_pos", "len_2", "len_3", "len_4", "definite",
    "idf_mean", "idf_min", "word_freq", "pronoun", "adjective", "latin", "modifier_share",
    "title_share", "pair_df",
)


@dataclass(frozen=True, slots=True)
class Weights:
    """Log-linear weights, one per name in ``FEATURES`` (fit on AKEC-train by logistic regression,
    rounded; ``in_title`` set by hand). ``score = 1 / (1 + exp(-(bias + Σ w·f)))``."""

    bias: float = -5.43
    values: tuple[float, ...] = (
        0.55, 0.57, 1.5, 1.12, -0.53, 1.47, 1.58, 1.35, 0.9,
        0.67, 0.28, 0.24, -1.31, -0.47, -2.62, -0.53,
        5.66, 1.42,
    )


WEIGHTS = Weights()


def _word_stats(stem: str, table: DfTable, cands: dict[tuple[str, ...], _Cand],
                cache: dict[str, tuple[float, float, float]]) -> tuple[float, float, float]:
    """(IDF, title share in the corpus, log frequency in the article) of one word stem, memoized per article."""
    got = cache.get(stem)
    if got is None:
        one = cands.get((stem,))
        freq = math.log1p(one.count) if one is not None else _LOG2
        idf, share = _corpus_stats(stem, table)
        got = cache[stem] = (idf, share, freq)
    return got


def _corpus_stats(stem: str, table: DfTable) -> tuple[float, float]:
    """(IDF, title share) of a stem in ``table``: the same for every article, so kept across them."""
    memo = _CORPUS_STATS.get(id(table))
    if memo is None or len(memo) > _CACHE_MAX:
        _CORPUS_STATS.clear()        # one table at a time (tests and the table builder swap tables)
        memo = _CORPUS_STATS[id(table)] = {}
    got = memo.get(stem)
    if got is None:
        share = (table.title.get(stem, 0) + 1) / (table.stems.get(stem, 0) + 5) if table else _NEUTRAL_SHARE
        got = memo[stem] = (table.idf(stem), share)
    return got


_CORPUS_STATS: dict[int, dict[str, tuple[float, float]]] = {}
_LOG2 = math.log(2.0)
_NEUTRAL_SHARE = 0.05


def _features(c: _Cand, n_body: int, table: DfTable, cands: dict[tuple[str, ...], _Cand],
              cache: dict[str, tuple[float, float, float]] | None = None) -> tuple[float, ...]:
    """The feature vector of a candidate (order of ``FEATURES``)."""
    if cache is None:
        cache = {}
    n = len(c.key)
    m = 0
    idf_sum = share = freq = 0.0
    idf_min = 1.0
    latin = False
    first = last = None
    for tk in c.span:            # the same sums in the same order as over the list of the phrase's words
        if tk.kind != "word":
            continue
        stats = cache.get(tk.stem)
        if stats is None:
            stats = _word_stats(tk.stem, table, cands, cache)
        idf, sh, fr = stats
        idf_sum += idf
        if idf < idf_min:
            idf_min = idf
        share += sh
        freq += fr
        if not latin and not _arabic(tk.core[0]):
            latin = True
        if first is None:
            first = tk
        last = tk
        m += 1
    assert first is not None and last is not None
    stream, idx = c.first
    rel = 0.0 if stream == 0 else idx / max(1, n_body)
    pair = 0.0
    if n > 1 and table:
        key = c.key
        pairs = table.pairs
        pair = min([pairs.get(f"{key[i]} {key[i + 1]}", 0) for i in range(n - 1)])
        pair = math.log1p(pair) / 10
    count = c.tf + c.title_tf
    return (
        math.log1p(count),
        1.0 if count >= 2 else 0.0,
        1.0 if c.title_tf else 0.0,
        math.exp(-6.0 * rel),
        rel,
        1.0 if n == 2 else 0.0,
        1.0 if n == 3 else 0.0,
        1.0 if n >= 4 else 0.0,
        1.0 if c.span[0].word.definite else 0.0,
        idf_sum / m,
        idf_min,
        freq / m,
        1.0 if first.pronoun or last.pronoun else 0.0,
        1.0 if n == 1 and 2 * c.modifier >= count and _nisba(first) else 0.0,
        1.0 if latin else 0.0,
        c.modifier / max(1, count) if n == 1 else 0.0,
        share / m,
        pair,
    )


def _nisba(tk: _Tok) -> bool:
    return tk.word.definite and len(tk.core) >= 4 and tk.core.endswith(_NISBA)


def _score(features: tuple[float, ...], w: Weights) -> float:
    z = w.bias + sum(map(operator.mul, w.values, features))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i:i + n] == short for i in range(len(long) - n + 1))


def _fold_subphrases(cands: dict[tuple[str, ...], _Cand]) -> None:
    """Fold a phrase that never occurs outside a longer one into it (``كيم جونج`` into ``كيم جونج أون``)."""
    for key in sorted(cands, key=len, reverse=True):
        c = cands.get(key)
        if c is None or len(key) < 2:
            continue
        n = len(key)
        for size in range(n - 1, 0, -1):
            for i in range(n - size + 1):
                sub = cands.get(key[i:i + size])
                if sub is None or sub.count > c.count:
                    continue
                if i > 0 and sub.span[0].word.definite and not c.span[i - 1].word.definite:
                    continue        # a definite NP after an idafa head stays a phrase of its own
                c.score = max(c.score, sub.score)
                del cands[key[i:i + size]]


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Words shared by a suffix of one key and a prefix of the other."""
    best = 0
    for x, y in ((a, b), (b, a)):
        for n in range(min(len(x), len(y)) - 1, 0, -1):
            if x[-n:] == y[:n]:
                best = max(best, n)
                break
    return best


def _idafa_extension(long: _Cand, short: _Cand) -> bool:
    """``long`` is an indefinite head put before the definite phrase ``short`` (زيارة + الزعيم الكوري)."""
    n = len(short.key)
    for i in range(1, len(long.key) - n + 1):
        if long.key[i:i + n] == short.key and not long.span[i - 1].word.definite and short.span[0].word.definite:
            return True
    return False


def _select(ranked: list[_Cand], k: int) -> tuple[list[_Cand], list[_Cand]]:
    """Walk the ranking and keep phrases that add something (the redundancy rule in the module docs)."""
    chosen: list[_Cand] = []
    dropped: list[_Cand] = []
    for c in ranked:
        if len(chosen) >= k:
            break
        outside = c.count
        drop = False
        replace: int | None = None
        for idx, big in enumerate(chosen):
            if len(big.key) > len(c.key) and _contains(big.key, c.key):
                outside -= big.count                         # c inside a better phrase
            elif len(c.key) > len(big.key) and _contains(c.key, big.key):
                if _idafa_extension(c, big) and c.count < 2:
                    drop = True                             # keep الزعيم الكوري الشمالي, not زيارة + it once
                elif replace is None and (big.count == c.count or (c.count >= 2 and big.count - c.count < 2)):
                    replace = idx                           # big hardly occurs without c: c says it better
                elif c.count < 2:
                    drop = True
            elif sorted(big.key) == sorted(c.key) or (c.count < 2 and _overlap(big.key, c.key) >= 2):
                drop = True
        if drop or (outside < c.count and outside < 2):
            dropped.append(c)
        elif replace is not None:
            c.score = max(c.score, chosen[replace].score)
            dropped.append(chosen[replace])
            chosen[replace] = c
        else:
            chosen.append(c)
    return chosen, dropped


def _candidates(text: str, title: str = "") -> tuple[dict[tuple[str, ...], _Cand], dict[int, str], int]:
    """All candidate phrases of an article keyed by stems, the texts of the streams, body length in tokens."""
    table = default_df_table()
    cands: dict[tuple[str, ...], _Cand] = {}
    if title:
        _collect(_tokens(title, table.verbs), 0, cands)
    body = _tokens(text, table.verbs)
    _collect(body, 1, cands)
    return cands, {0: title, 1: text}, len(body)


def extract_keyphrases(text: str, title: str = "", *, k: int = 10, min_k: int = 5) -> list[Keyphrase]:
    """The ``k`` best keyphrases of an Arabic article (``min_k`` or more when the text has that many).

    ``phrase`` is the surface form of the first clean occurrence; ``score`` is in 0-1, sorted
    descending. Empty or phrase-less text gives ``[]``. Titles count as strong evidence.
    """
    if k <= 0 or not (text.strip() or title.strip()):
        return []
    cands, texts, n_body = _candidates(text, title)
    if not cands:
        return []
    table = default_df_table()
    bias, values = WEIGHTS.bias, WEIGHTS.values
    cache: dict[str, tuple[float, float, float]] = {}
    mul, exp = operator.mul, math.exp
    for c in cands.values():     # _score, inlined: the same operations in the same order
        z = bias + sum(map(mul, values, _features(c, n_body, table, cands, cache)))
        c.score = 1.0 / (1.0 + exp(-(60.0 if z > 60.0 else -60.0 if z < -60.0 else z)))
    _fold_subphrases(cands)
    ranked = sorted((c for c in cands.values() if c.open_end < c.count), key=lambda c: (-c.score, c.first))
    chosen, dropped = _select(ranked, k)
    chosen = sorted(chosen + dropped[: max(0, min_k - len(chosen))], key=lambda c: (-c.score, c.first))
    out: list[Keyphrase] = []
    seen: set[str] = set()
    for c in chosen[:k]:
        phrase = _surface(texts[c.src], c.span)
        if phrase and phrase not in seen:
            seen.add(phrase)
            out.append(Keyphrase(phrase, round(c.score, 6)))
    return out


@lru_cache(maxsize=200_000)
def topic_term(norm: str) -> str | None:
    """The light stem of a match-normalized word without its clitics, or None for stop words, particles,
    numbers and one-letter words: the terms of the lexical story vectors (``marsad.stories``)."""
    if len(norm) < 2 or norm[0].isdigit() or norm in _STOP or norm in _BRIDGE or norm in _PARTICLE:
        return None
    word = _analyze(norm)
    if word.core in _STOP or len(word.core) < 2:
        return None
    return light_stem(word.core)
