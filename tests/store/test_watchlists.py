"""WatchlistStore: watchlists, matches, the alert outbox and delivery attempts, the same on every backend."""

from __future__ import annotations

import pytest

from marsad.store import Store
from tests.factories import add, article


def _row(name: str = "kim", **kw: object) -> dict[str, object]:
    row: dict[str, object] = {"name": name, "query": "كيم", "entity": None, "sources": ["الجزيرة نت"],
                              "category": None, "min_outlets": None, "webhook": "https://hooks.example/x",
                              "email": None, "digest": None, "secret": "s3cret"}
    row.update(kw)
    return row


def test_add_get_list_remove(store: Store) -> None:
    assert store.list_watchlists() == [] and store.get_watchlist("kim") is None
    assert store.add_watchlist(_row())
    assert not store.add_watchlist(_row(query="other"))             # the name is taken: nothing changes
    got = store.get_watchlist("kim")
    assert got is not None and got["query"] == "كيم" and got["sources"] == ["الجزيرة نت"] and got["secret"] == "s3cret"
    assert store.add_watchlist(_row("a-first", sources=[], digest="daily"))
    listed = store.list_watchlists()
    assert [w["name"] for w in listed] == ["a-first", "kim"]
    assert {k: listed[1][k] for k in ("matches", "pending", "sent", "failed", "last_error")} == {
        "matches": 0, "pending": 0, "sent": 0, "failed": 0, "last_error": None}
    (aid,) = add(store, article("كيم"))
    with store.transaction():
        assert store.add_match("kim", aid)
        assert store.enqueue_alert(key="k1", channel="webhook", watchlist="kim", target="https://hooks.example/x",
                                   body="{}", article_id=aid)
    assert store.remove_watchlist("kim") and not store.remove_watchlist("kim")
    assert [w["name"] for w in store.list_watchlists()] == ["a-first"]
    assert store.due_alerts("9999") == [] and store.watchlist_article_ids("kim") == []


def test_matches_and_outbox_are_idempotent(store: Store) -> None:
    store.add_watchlist(_row())
    a, b = add(store, article("كيم جونغ أون"), article("كيم مرة أخرى", title="ثان"))
    with store.transaction():
        assert store.add_match("kim", a) and not store.add_match("kim", a)
        assert store.add_match("kim", b)
        assert store.enqueue_alert(key="k1", channel="webhook", watchlist="kim", target="https://h/x", body='{"a":1}',
                                   article_id=a, story_id=None)
        assert not store.enqueue_alert(key="k1", channel="webhook", watchlist="kim", target="https://h/x", body="{}")
        assert store.enqueue_alert(key="k1", channel="email", watchlist="kim", target="x@example.org", body="{}")
    assert store.watchlist_article_ids("kim") == [b, a] or store.watchlist_article_ids("kim") == [a, b]
    due = store.due_alerts("9999")
    assert [(d["key"], d["channel"], d["attempts"], d["status"]) for d in due] == [
        ("k1", "webhook", 0, "pending"), ("k1", "email", 0, "pending")]
    assert due[0]["body"] == '{"a":1}' and due[0]["article_id"] == a
    assert store.due_alerts("2000-01-01T00:00:00+00:00") == []             # created now: not due in the past
    assert store.next_alert_due() == min(d["next_attempt_at"] for d in due)
    health = store.list_watchlists()[0]
    assert (health["matches"], health["pending"]) == (2, 2)


def test_attempts_move_an_alert_to_sent_or_failed(store: Store) -> None:
    store.add_watchlist(_row())
    with store.transaction():
        store.enqueue_alert(key="k1", channel="webhook", watchlist="kim", target="https://h/x", body="{}")
        store.enqueue_alert(key="k2", channel="webhook", watchlist="kim", target="https://h/x", body="{}")
    first, second = store.due_alerts("9999")
    store.record_attempt(first["id"], ok=False, status=500, error="HTTP 500", seconds=0.1,
                         next_attempt_at="2999-01-01T00:00:00+00:00")
    assert [d["key"] for d in store.due_alerts("2998")] == ["k2"]           # k1 waits for its next attempt
    store.record_attempt(first["id"], ok=True, status=200, error=None, seconds=0.1, next_attempt_at=None)
    store.record_attempt(second["id"], ok=False, status=None, error="ConnectError", seconds=0.1, next_attempt_at=None)
    rows = {r["key"]: r for r in store.recent_alerts("kim")}
    assert (rows["k1"]["status"], rows["k1"]["attempts"], rows["k1"]["last_error"]) == ("sent", 2, None)
    assert rows["k1"]["sent_at"] is not None
    assert (rows["k2"]["status"], rows["k2"]["attempts"], rows["k2"]["last_error"]) == ("failed", 1, "ConnectError")
    assert store.due_alerts("9999") == [] and store.next_alert_due() is None
    health = store.list_watchlists()[0]
    assert (health["sent"], health["failed"], health["pending"], health["last_error"]) == (1, 1, 0, "ConnectError")
    assert store.table_count("delivery_attempts") == 3
    store.remove_watchlist("kim")                        # removed while a deliverer held one of its alerts
    store.record_attempt(first["id"], ok=True, status=200, error=None, seconds=0.1, next_attempt_at=None)
    assert store.table_count("delivery_attempts") == 0 and store.recent_alerts("kim") == []


def test_digest_windows_and_stories(store: Store) -> None:
    store.add_watchlist(_row(digest="hourly"))
    a, b, c = add(store, article("كيم 1"), article("كيم 2", title="2"), article("كيم 3", title="3"))
    with store.transaction():
        store.set_story(a, 7)
        store.set_story(b, 7)
        store.set_story(c, 8)
        store.add_match("kim", a, digest_window="2025-04-17T09")
        store.add_match("kim", b, digest_window="2025-04-17T10")
        store.add_match("kim", c, digest_window="2025-04-17T11")
    assert store.undigested_matches("kim", before_window="2025-04-17T11") == [("2025-04-17T09", a),
                                                                               ("2025-04-17T10", b)]
    store.mark_digested("kim", [a], "d1")
    assert store.undigested_matches("kim", before_window="2025-04-17T11") == [("2025-04-17T10", b)]
    assert store.article_story_ids([a, c, 999]) == {a: 7, c: 8}
    assert store.matched_stories("kim", [7, 8, 9]) == {7, 8}
    assert store.story_outlets([7, 8]) == {7: {"مثال"}, 8: {"مثال"}}


@pytest.mark.parametrize("table", ["watchlists", "watch_matches", "alert_outbox", "delivery_attempts"])
def test_watchlist_tables_are_copied(store: Store, table: str) -> None:
    assert table in [t.name for t in store.dump_tables()]


def test_match_and_deliver_on_every_backend(store: Store) -> None:
    """The whole path on the backend: matched inside the write transaction, sent once to a local receiver that
    fails first, recorded sent."""
    from marsad.ingestion.alerts import make_watchlist, match_batch
    from marsad.ingestion.deliver import DeliverOptions, deliver, verify
    from tests.unit.test_alerts_delivery import Receiver

    receiver = Receiver(fail=1)
    try:
        row = make_watchlist("kim", entity="كيم جونغ أون", webhook=receiver.url)
        store.add_watchlist(row)
        arts = [article("قال كيم جونج اون إن بلاده مستعدة", title="كيم"), article("خبر عن الطقس", title="طقس")]
        ids = add(store, *arts)
        with store.transaction():
            match_batch(store, list(zip(ids, arts, strict=True)), ids)
        report = deliver(store, DeliverOptions(allow_loopback=True, backoff_base=0.05, max_wait=5.0))
        assert (report.sent, report.failed_attempts) == (1, 1)
        (accepted,) = receiver.accepted()
        assert accepted["article"]["id"] == ids[0]
        assert verify(row["secret"], receiver.requests[-1][1], receiver.requests[-1][0]["x-marsad-signature"])
        (alert,) = store.recent_alerts("kim")
        assert (alert["status"], alert["attempts"]) == ("sent", 2)
    finally:
        receiver.close()
