"""One call that enriches a text: entities, keyphrases, category and language (`marsad analyze`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marsad.enrich.entities import group_mentions
from marsad.text.lang import detect_language, script_shares


@dataclass(slots=True)
class Analysis:
    """The enrichment of one article; ``to_dict`` is the stable `marsad analyze --json` shape."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    keyphrases: list[dict[str, Any]] = field(default_factory=list)
    category: dict[str, Any] | None = None
    language: str | None = None
    scripts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"entities": self.entities, "keyphrases": self.keyphrases, "category": self.category,
                "language": self.language, "scripts": self.scripts}


def analyze(text: str, title: str = "") -> Analysis:
    """Entities (canonicalized within the text), keyphrases, category and language of an article."""
    from marsad.enrich.category import default_classifier
    from marsad.enrich.keyphrases import extract_keyphrases
    from marsad.enrich.ner_net import selected_tagger

    body = f"{title}\n\n{text}" if title else text
    ar, lat = script_shares(body)
    result = Analysis(language=detect_language(body), scripts={"arabic": round(ar, 3), "latin": round(lat, 3)})
    if ar > 0:  # the NER model and the keyphrase rules are Arabic; Latin-only text gets language only
        spans = selected_tagger().entities(text)
        result.entities = [m.to_dict() for m in group_mentions(spans, text)]
        result.keyphrases = [{"phrase": k.phrase, "score": round(k.score, 4)}
                             for k in extract_keyphrases(text, title)]
    if body.strip():
        cat = default_classifier().predict(title, text)
        result.category = {"label": cat.label, "confidence": round(cat.confidence, 4)}
    return result
