"""Delivery in a real browser: hits kept while the server is unreachable arrive later, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from analytics_server.cli.quickstart import running_server
from tests.tracker.harness import RETRY_WAIT_SECONDS, Stack, live_settings

pytestmark = pytest.mark.browser

# How many hits each queue in the portal's localStorage keeps (one queue per tab).
KEPT = (
    "Object.keys(localStorage).filter(k => k.startsWith('_pk_queue_'))"
    ".map(k => JSON.parse(localStorage[k]).items.length).sort()"
)


def events(page: Any, category: str, count: int) -> None:
    for n in range(count):
        page.evaluate(f"n => _paq.push(['trackEvent', '{category}', 'click', 'hit ' + n])", n)


def names(rows: list[dict[str, Any]], category: str) -> list[str]:
    return [r["name"] for r in rows if r["category"] == category]


def test_a_burst_of_hits_arrives_in_the_order_it_was_made(stack: Stack) -> None:
    page = stack.open(track=[])
    page.evaluate(
        """() => {
            _paq.push(['trackPageView']);
            for (let n = 0; n < 12; n++) { _paq.push(['trackEvent', 'Burst', 'n', 'hit ' + n]); }
            _paq.push(['trackSiteSearch', 'last']);
        }"""
    )
    rows = stack.wait_actions(14)
    assert names(rows, "Burst") == [f"hit {n}" for n in range(12)]
    assert (rows[0]["action_type"], rows[-1]["action_type"]) == (1, 8)
    assert page.sent.bulks == 1  # made in one task, sent in one request
    page.context.close()


def test_hits_kept_while_the_network_is_down_arrive_once(stack: Stack) -> None:
    page = stack.open()
    stack.wait_actions(1)
    page.context.route("**/matomo.php*", lambda route: route.abort())  # network down
    events(page, "Offline", 3)
    stack.pause(1.0)
    assert len(stack.actions()) == 1
    assert page.evaluate(KEPT) == [3]
    back_online = datetime.now(UTC)
    page.context.unroute("**/matomo.php*")
    rows = stack.wait_actions(4, timeout=RETRY_WAIT_SECONDS)  # retried every few seconds
    stack.pause(6.0)  # another retry round must not send them again
    assert names(stack.actions(), "Offline") == ["hit 0", "hit 1", "hit 2"]
    assert page.evaluate(KEPT) == []
    # Sent again with the same identity, saying how late they are, and dated by it.
    attempts = [h for h in page.sent.hits if h.get("e_c") == "Offline"]
    assert len({h["r"] for h in attempts}) == 3
    resent = [h for h in attempts if "cdo" in h]
    assert len(resent) == 3
    assert all(int(h["cdo"]) >= 1 for h in resent)
    assert all(row["server_time"] < back_online for row in rows[1:])
    page.context.close()


def test_hits_kept_by_a_page_that_was_left_are_sent_by_the_next_one(stack: Stack) -> None:
    page = stack.open()
    stack.wait_actions(1)
    page.context.route("**/matomo.php*", lambda route: route.abort())
    events(page, "Left behind", 2)
    stack.pause(1.0)
    page.context.unroute("**/matomo.php*")
    page.goto(page.url)  # the visitor moves on; the new page adopts the old page's queue
    rows = stack.wait_actions(4)  # sooner than a retry round: adopted at once
    assert names(rows, "Left behind") == ["hit 0", "hit 1"]
    assert page.evaluate(KEPT) == []
    page.context.close()


def test_a_503_answer_keeps_the_hit_for_later(stack: Stack) -> None:
    page = stack.open(track=[])
    page.context.route("**/matomo.php*", lambda route: route.fulfill(status=503, body="busy"))
    page.evaluate("_paq.push(['trackEvent', 'Busy', 'retry'])")
    stack.pause(1.0)
    assert page.evaluate(KEPT) == [1]
    page.context.unroute("**/matomo.php*")
    [row] = stack.wait_actions(1, timeout=RETRY_WAIT_SECONDS)
    assert row["category"] == "Busy"
    page.context.close()


def test_hits_kept_by_two_tabs_are_sent_once(stack: Stack) -> None:
    first = stack.open()
    second = stack.open(context=first.context)
    stack.wait_actions(2)
    first.context.route("**/matomo.php*", lambda route: route.abort())
    events(first, "First tab", 3)
    events(second, "Second tab", 3)
    stack.pause(1.0)
    assert first.evaluate(KEPT) == [3, 3]  # each tab writes only its own queue
    first.context.unroute("**/matomo.php*")
    stack.wait_actions(8, timeout=RETRY_WAIT_SECONDS)
    stack.pause(6.0)  # both tabs retry every 5 s; the queue must leave once
    rows = stack.actions()
    assert names(rows, "First tab") == ["hit 0", "hit 1", "hit 2"]
    assert names(rows, "Second tab") == ["hit 0", "hit 1", "hit 2"]
    assert len(rows) == 8
    first.context.close()


def test_hits_made_while_the_server_is_stopped_arrive_after_its_restart(stack: Stack) -> None:
    database = Path(str(stack.engine.url.database))
    settings = live_settings(database.parent / "second-server", str(stack.engine.url))
    other = f"http://127.0.0.1:{settings.port}"
    with running_server(settings):
        page = stack.open(server=other)  # the page loads the tracker from it and tracks to it
        stack.wait_actions(1)
    # The server is down now: the tracker keeps what it cannot send.
    events(page, "Stopped", 3)
    stack.pause(2.0)
    assert page.evaluate(KEPT) == [3]
    with running_server(settings):
        stack.wait_actions(4, timeout=RETRY_WAIT_SECONDS)
        stack.pause(6.0)  # a later retry round must not send them again
        assert names(stack.actions(), "Stopped") == ["hit 0", "hit 1", "hit 2"]
    page.context.close()
