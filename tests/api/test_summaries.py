"""Story summaries where they are shown (issue 20, item 4): the API, `marsad stories --json` and the story page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
from click.testing import CliRunner
from fastapi.testclient import TestClient

from marsad.cli.main import cli
from marsad.stories.summary import SummaryOptions, sentence_similarity


def _check_summary(story: dict[str, Any], sample_store: Any) -> None:
    members = {m["id"]: m for m in story["members"]}
    originals = [m for m in story["members"] if not m["duplicate_of"]]
    # three to five; fewer only when one article (its copies aside) has fewer sentences to give
    assert 3 <= len(story["summary"]) <= 5 or (len(originals) == 1 and story["summary"]), story["summary"]
    for s in story["summary"] + story["whats_new"]:
        assert s["article_id"] in members and s["url"] == members[s["article_id"]]["url"]
        assert s["source"] == members[s["article_id"]]["source"]
        assert s["text"] in sample_store.get_article(s["article_id"])["text"]
    texts = [s["text"] for s in story["summary"]]
    ceiling = SummaryOptions().redundant
    assert all(sentence_similarity(a, b) < ceiling for i, a in enumerate(texts) for b in texts[i + 1:])
    assert isinstance(story["whats_new"], list) and isinstance(story["lead"], str) and story["lead"]


def test_api_story_has_summary_whats_new_and_lead(client: TestClient, sample_store: Any) -> None:
    sid = sample_store.get_article(35)["story_id"]
    story = client.get(f"/api/stories/{sid}").json()
    _check_summary(story, sample_store)
    outlets = {m["source"] for m in story["members"] if not m["duplicate_of"]}
    assert len({s["source"] for s in story["summary"]}) >= min(3, len(outlets))
    assert story["lead"] == sample_store.get_story(sid)["summary"]         # the stored lead, under its own name
    rows = client.get("/api/stories", params={"limit": 5}).json()["items"]
    assert all(isinstance(r["summary"], str) and r["lead"] == r["summary"] for r in rows)   # list rows unchanged


def test_cli_stories_json_has_summary_and_whats_new(sample_db: Path, sample_store: Any) -> None:
    result = CliRunner().invoke(cli, ["stories", "--db", str(sample_db), "--min-size", "3", "--json"])
    assert result.exit_code == 0, result.output
    stories = json.loads(result.output)["stories"]
    assert stories
    for story in stories:
        _check_summary(story, sample_store)


def test_story_page_shows_the_summary_linked_to_articles(client: TestClient, sample_store: Any) -> None:
    sid = sample_store.get_article(35)["story_id"]
    api = client.get(f"/api/stories/{sid}").json()
    doc = lxml.html.fromstring(client.get(f"/stories/{sid}").text)
    items = doc.xpath('//section[@class="story-summary"]/ol[@class="sentences"]/li')
    assert len(items) == len(api["summary"]) >= 3
    assert all(li.text_content().strip().startswith(s["text"]) for li, s in zip(items, api["summary"], strict=True))
    assert [li.xpath('a[@class="from"]/@href')[0] for li in items] == [f"/articles/{s['article_id']}"
                                                                     for s in api["summary"]]
    new = doc.xpath('//section[@class="whats-new"]//li')
    assert len(new) == len(api["whats_new"])
