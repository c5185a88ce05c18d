"""Name keys: one key for the spellings of one name across outlets and transliterations.

كيم جونغ أون / كيم جونج أون / كيم جونغ اون, بيونغ يانغ / بيونج يانج / بيونغيانغ, ترمب / ترامب,
نتنياهو / نتانياهو must meet. The key is deliberately lossy: it is only ever compared together with
the entity type and, for short names, the entities an article co-mentions (see ``marsad.enrich.entities``).
Hand-written because the folds are Arabic transliteration habits no library encodes.

Steps (each a small function, composed in ``name_key``):
1. hamza carriers ؤ ئ to bare hamza, then match-normalize (diacritics, tatweel, alef/yeh/ة folds,
   digits, punctuation);
2. drop the ال prefix of each word (الكرملين = كرملين), also inside a joined عبد ال name (عبدالفتاح = عبد الفتاح),
   and standalone hamza;
3. join the words (بيونغ يانغ = بيونغيانغ, عبد الله = عبدالله);
4. fold the letters used for a hard g — ج غ ك ق گ — to one letter (جونغ = جونج);
5. drop the long-vowel letters ا و ي after the first letter (ترامب = ترمب, نتانياهو = نتنياهو) — unless
   that leaves fewer than four letters: short names differ by their vowels (علي/علا, عمر/عمرو, سوريا/روسيا);
6. collapse doubled letters.

Two more keys serve entity resolution (``marsad.ingestion.pipeline.resolve_entities``), which decides by evidence
rather than by spelling alone:
- ``spelling_key``: one spelling up to script noise (hamza carriers, alef forms, ة/ه, ى/ي, diacritics, tatweel,
  the article ال — not أل, a name's own letters — word joins, doubled letters). Two names with one ``name_key``
  but different spellings (ميركل / ماركل, كونتي / كانتي, محمود عباس / محمد عباس) are the same entity only when the
  articles' co-mentioned entities agree.
- ``loose_key``: folds further, for transliterated names: ش ص ث ز ذ ظ → س (a Portuguese s written ش or س),
  ط → ت, ض → د, a word-initial ي → ج (a Korean name written يونغ or جونغ), final يه → ي, تش → س, and every long
  vowel after the first letter. Two names with one loose key are the same only with evidence.
Latin names: lower-case ASCII letters only, words joined (Kim Jong-un = kim jong un = kimjongun).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from marsad.text.normalize import MATCH

_HAMZA_CARRIERS = str.maketrans({"ؤ": "ء", "ئ": "ء"})  # مسؤول = مسئول: the carrier is spelling, not sound
_G_LETTERS = str.maketrans({"غ": "ج", "ك": "ج", "ق": "ج", "گ": "ج", "ڨ": "ج", "ء": None})
_LONG_VOWELS = re.compile("(?<!^)[اوي]")
_DOUBLED = re.compile(r"(.)\1+")
_NON_LETTERS = re.compile(r"[^\w]+")
_LATIN = re.compile(r"[^a-z]+")
_ARABIC = re.compile("[\u0600-\u06ff]")
_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
_LOOSE = str.maketrans({"ش": "س", "ص": "س", "ث": "س", "ز": "س", "ذ": "س", "ظ": "س", "ط": "ت", "ض": "د"})
_ALL_LONG_VOWELS = re.compile("(?<!^)[اوي]")


def strip_article(word: str) -> str:
    """Drop a leading ال from a (match-normalized) word of more than two letters after it."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def _split_abd(word: str) -> str:
    """عبدالفتاح → عبد فتاح (the article inside a joined عبد ال name dropped, as in the spaced عبد الفتاح)."""
    return "عبد" + strip_article(word[3:]) if word.startswith("عبدال") else word


def fold_hard_g(key: str) -> str:
    """ج غ ك ق گ → ج; standalone hamza removed."""
    return key.translate(_G_LETTERS)


def drop_long_vowels(key: str) -> str:
    """Remove ا و ي after the first letter (transliterations add and drop them freely)."""
    return _LONG_VOWELS.sub("", key)


def collapse_doubles(key: str) -> str:
    """Collapse runs of one letter."""
    return _DOUBLED.sub(r"\1", key)


def latin_key(name: str) -> str:
    """Key of a Latin-script name: ASCII letters only, lower case, words joined."""
    ascii_form = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return _LATIN.sub("", ascii_form)


def is_arabic(name: str) -> bool:
    """True when the name has Arabic letters."""
    return _ARABIC.search(name) is not None


@lru_cache(maxsize=1 << 16)  # names repeat across articles; the keys are pure functions
def name_key(name: str) -> str:
    """The spelling-variant key of a name (Arabic or Latin)."""
    if not is_arabic(name):
        return latin_key(name)
    words = [strip_article(_split_abd(w)) for w in _NON_LETTERS.split(MATCH(name.translate(_HAMZA_CARRIERS))) if w]
    key = fold_hard_g("".join(words))
    short = collapse_doubles(drop_long_vowels(key))
    return short if len(short) >= 4 else collapse_doubles(key)


def word_keys(name: str) -> list[str]:
    """Keys of each word of a name (for matching a bare family or given name to a full name)."""
    return [k for k in (name_key(w) for w in name.split()) if k]


def _article_words(name: str) -> list[str]:
    """Match-normalized words of an Arabic name; only a bare ال is dropped as the article (أل is the name's own)."""
    out = []
    for raw in name.translate(_HAMZA_CARRIERS).split():
        article = _DIACRITICS.sub("", raw).startswith("ال")
        for i, word in enumerate(w for w in _NON_LETTERS.split(MATCH(raw)) if w):
            out.append(strip_article(word) if i == 0 and article else _split_abd(word))
    return out


@lru_cache(maxsize=1 << 16)
def spelling_key(name: str) -> str:
    """One spelling of a name up to script noise: vowels and g-letters kept (ترامب ≠ ترمب, جونغ ≠ جونج)."""
    if not is_arabic(name):
        return latin_key(name)
    return collapse_doubles("".join(_article_words(name)).replace("ء", ""))


def _loose_word(word: str) -> str:
    """One word's transliteration folds: initial ي → ج, final يه → ي (جيه = جي), تش → س."""
    if word.startswith("ي") and len(word) > 2:
        word = "ج" + word[1:]
    if word.endswith("يه") and len(word) > 2:
        word = word[:-1]
    return word.replace("تش", "س")


@lru_cache(maxsize=1 << 16)
def sound_key(name: str) -> str:
    """``name_key`` with the consonants transliterations swap folded too (ش = تش = س, ز = س, ط = ت, خ = ج for a
    Spanish j, initial ي = ج): شول / تشول, غوتيريش / غوتيريس, سيرخيو / سيرجيو. A hint that needs evidence."""
    if not is_arabic(name):
        return ""
    key = fold_hard_g("".join(_loose_word(w) for w in _article_words(name)).translate(_LOOSE).replace("خ", "ج"))
    short = collapse_doubles(drop_long_vowels(key))
    return short if len(short) >= 4 else collapse_doubles(key)


@lru_cache(maxsize=1 << 16)
def loose_key(name: str) -> str:
    """A looser key for transliterated names (ش = س, يونغ = جونغ, every long vowel dropped): a hint, never proof.

    Two names with one loose key are the same only when other evidence agrees; keys shorter than four
    letters are too loose to use (``""`` is returned).
    """
    if not is_arabic(name):
        return ""
    key = fold_hard_g("".join(_loose_word(w) for w in _article_words(name)).translate(_LOOSE))
    key = collapse_doubles(_ALL_LONG_VOWELS.sub("", key))
    return key if len(key) >= 4 else ""


def spelling_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace a letter) between two names' spellings, the g-letters folded (ترامب/ترمب: 1)."""
    x, y = fold_hard_g(spelling_key(a)), fold_hard_g(spelling_key(b))
    if _DIACRITICS.sub("", a).startswith(("ال", "أل")) or _DIACRITICS.sub("", b).startswith(("ال", "أل")):
        return min(_edits(x, y), _edits(fold_hard_g(_written(a)), fold_hard_g(_written(b))))  # المانيا / ألمانيا
    return _edits(x, y)


def _written(name: str) -> str:
    """The spelling key with the article kept (ال and أل alike)."""
    return collapse_doubles("".join(_NON_LETTERS.split(MATCH(name.translate(_HAMZA_CARRIERS)))).replace("ء", ""))


def _edits(x: str, y: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(y) + 1))
    for i, cx in enumerate(x, 1):
        prev, row[0] = row[0], i
        for j, cy in enumerate(y, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (cx != cy))
    return row[-1]


def one_vowel_apart(a: str, b: str) -> bool:
    """True when two spellings are the same up to the g-letters and one long vowel added inside the name
    (تورونتو / تورنتو, ديمتري / ديميتري) or swapped with its neighbour (أمريكا / أميركا): the commonest
    transliteration variants. Near the end a vowel is grammar (الناصرية / الناصرة), not spelling."""
    x, y = fold_hard_g(spelling_key(a)), fold_hard_g(spelling_key(b))
    if x == y or fold_hard_g(_written(a)) == fold_hard_g(_written(b)):
        return True
    if len(x) < len(y):
        x, y = y, x
    if len(x) == len(y):
        return any(x[i] != y[i] and x[i] == y[i + 1] and x[i + 1] == y[i] and x[:i] == y[:i]
                   and x[i + 2:] == y[i + 2:] and "اوي".find(x[i]) + "اوي".find(x[i + 1]) > -2
                   for i in range(len(x) - 1))
    return len(x) == len(y) + 1 and any(x[i] in "اوي" and x[:i] + x[i + 1:] == y for i in range(1, len(x) - 2))
