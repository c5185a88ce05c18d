"""Character maps kept as data (CAMeL Tools style): every Arabic decision is a table here."""

from __future__ import annotations

BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""LRM, RLM, ALM, embeddings/overrides (LRE..RLO) and isolates (LRI..PDI)."""

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
"""ZWSP, ZWNJ, ZWJ, word joiner, BOM/ZWNBSP, soft hyphen, Mongolian vowel separator."""

SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v\f"
"""Unicode space separators (and tabs) that display as a plain space."""

LINE_BREAKS = "\r\u2028\u2029\x85"
"""Line separators other than \\n (\\r\\n is handled before the table)."""

# Arabic harakat (fathatan..sukun), extended marks up to U+065F, superscript alef,
# Quranic annotation signs. These never change which word is meant in news text.
DIACRITICS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))
    + "".join(chr(c) for c in range(0x06DF, 0x06E9))
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
    + "\u08d3\u08d4\u08d5\u08d6\u08d7\u08d8\u08d9\u08da\u08db\u08dc\u08dd\u08de\u08df\u08e0\u08e1"
    + "\u08e3\u08e4\u08e5\u08e6\u08e7\u08e8\u08e9\u08ea\u08eb\u08ec\u08ed\u08ee\u08ef\u08f0\u08f1"
    + "\u08f2\u08f3\u08f4\u08f5\u08f6\u08f7\u08f8\u08f9\u08fa\u08fb\u08fc\u08fd\u08fe\u08ff"
)

TATWEEL = "\u0640"

ALEF_VARIANTS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا"}
"""Hamza/madda/wasla alef forms fold to bare alef (writers drop hamzas freely)."""

YEH_VARIANTS = {"ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي"}
"""Alef maqsura and Persian/other yeh forms fold to Arabic yeh (ى/ي are swapped in Egyptian spelling)."""

TEH_MARBUTA = {"ة": "ه", "ۃ": "ه"}
"""Teh marbuta folds to heh: writers (and OCR) use ة and ه interchangeably at word end."""

HAMZA_CARRIERS = {"ؤ": "و", "ئ": "ي", "ٶ": "و", "ٸ": "ي"}
"""Hamza on waw/yeh: مسؤول / مسئول / مسوول are one word to a reader."""

PERSIAN_LETTERS = {"ک": "ك", "ڪ": "ك", "ۀ": "ه", "ھ": "ه", "ہ": "ه"}
"""Persian/Urdu look-alikes that leak into Arabic text through keyboards."""

DIGITS = {
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic ٠..٩
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended Arabic-Indic (Persian/Urdu) ۰..۹
    "٫": ".",  # Arabic decimal separator
    "٬": ",",  # Arabic thousands separator
    "٪": "%",
}

PUNCTUATION = {
    # double quotes
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "＂": '"', "〝": '"', "〞": '"',
    # single quotes and primes
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "′": "'", "`": "'", "´": "'",
    # dashes and minus
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "﹘": "-", "－": "-",
    # Arabic punctuation
    "،": ",", "؛": ";", "؟": "?", "۔": ".", "…": "...",
    "٭": "*",
}
