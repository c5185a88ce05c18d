"""Story summaries read from the store: the member articles' texts handed to ``stories.summary.summarize``.

What the CLI (``marsad stories --json``), the API (``/api/stories/{id}``), the story page and the feeds show.
"""

from __future__ import annotations

from typing import Any, Protocol

from marsad.stories.summary import StorySummary, SummaryOptions, summarize

MAX_ARTICLES = 60
"""Articles read for one summary: the earliest ``MAX_ARTICLES // 3`` and the latest others of a larger story."""


class SummaryStore(Protocol):
    """What a summary reads: whole articles by id."""

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        """One article as article JSON, or None."""


def summary_articles(store: SummaryStore, members: list[dict[str, Any]],
                     limit: int = MAX_ARTICLES) -> list[dict[str, Any]]:
    """The member articles a summary reads, texts included: originals only (a copy repeats its original),
    the earliest and the latest of a story larger than ``limit``."""
    originals = [m for m in members if m.get("duplicate_of") is None]
    if len(originals) > limit:            # members come in time order
        head = limit // 3
        originals = originals[:head] + originals[len(originals) - (limit - head):]
    arts = [store.get_article(int(m["id"])) for m in originals]
    return [a for a in arts if a is not None]


def story_summary(store: SummaryStore, story: dict[str, Any], options: SummaryOptions | None = None) -> StorySummary:
    """The summary and "what's new" of a story row read with its members."""
    return summarize(summary_articles(store, story.get("members") or []), options)


def with_summary(store: SummaryStore, story: dict[str, Any], options: SummaryOptions | None = None) -> dict[str, Any]:
    """The story row with ``summary`` (linked sentences), ``whats_new`` and ``lead`` (the stored lead text that
    ``summary`` held before)."""
    result = story_summary(store, story, options).to_dict()
    lead = story.get("lead") if "lead" in story else story.get("summary")
    return {**story, "lead": lead or "", "summary": result["summary"],
            "whats_new": result["whats_new"]}
