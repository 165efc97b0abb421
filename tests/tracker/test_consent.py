"""Privacy in a real browser: consent, cookie consent, cookieless mode, Do-Not-Track, opt-out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tracker.harness import Stack

pytestmark = pytest.mark.browser

DNT = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});"


def tracker_cookies(page: Any) -> list[str]:
    return [c["name"] for c in page.context.cookies() if c["name"].startswith(("_pk_", "mtm_"))]


def nothing_sent(stack: Stack, page: Any) -> bool:
    stack.pause(1.0)  # long enough for a hit to leave and be stored
    return page.sent.hits == [] and stack.visits() == []


def test_consent_required_then_given(stack: Stack) -> None:
    page = stack.open(setup=[["requireConsent"]])
    page.evaluate("_paq.push(['trackEvent', 'Before', 'consent'])")
    assert nothing_sent(stack, page)
    assert tracker_cookies(page) == []
    assert page.evaluate("Matomo.getAsyncTracker().isConsentRequired()") is True
    page.evaluate("_paq.push(['rememberConsentGiven'])")
    # The hits made before consent leave now, in order, in the visit of the ones after it.
    page.evaluate("_paq.push(['trackEvent', 'After', 'consent'])")
    rows = stack.wait_actions(3)
    assert [r["category"] for r in rows] == [None, "Before", "After"]
    assert all(h["consent"] == "1" for h in page.sent.hits)
    [visit] = stack.visits()
    assert visit["idvisitor"].hex() == page.sent.hits[0]["_id"]
    assert {"mtm_consent", "_pk_id", "_pk_ses"} <= {n.split(".")[0] for n in tracker_cookies(page)}
    # Remembered: the next page needs no new consent.
    again = stack.open(context=page.context, setup=[["requireConsent"]])
    stack.wait_actions(4)
    again.evaluate("_paq.push(['forgetConsentGiven'])")
    assert [n for n in tracker_cookies(page) if n.startswith(("_pk_id", "mtm_consent"))] == []
    page.context.close()


def test_cookie_consent_tracks_without_cookies_until_given(stack: Stack) -> None:
    page = stack.open(setup=[["requireCookieConsent"]])
    stack.wait_actions(1)
    first = page.sent.hits[0]
    assert "_id" not in first  # no random id per page: the server recognises the device
    assert first["cookie"] == "0"
    assert tracker_cookies(page) == []
    page.evaluate("_paq.push(['rememberCookieConsentGiven'])")
    page.evaluate("_paq.push(['trackEvent', 'With', 'cookies'])")
    stack.wait_actions(2)
    assert page.sent.hits[1]["cookie"] == "1"
    assert any(n.startswith("_pk_id.1.") for n in tracker_cookies(page))
    page.context.close()


def test_cookieless_mode_tracks_without_cookies(stack: Stack) -> None:
    page = stack.open(setup=[["disableCookies"]])
    stack.wait_actions(1)
    second = stack.open(context=page.context, setup=[["disableCookies"]])
    stack.wait_actions(2)
    assert tracker_cookies(page) == []
    assert page.evaluate("Object.keys(localStorage)") == []  # nothing stored for visitors
    assert all("_id" not in h for h in page.sent.hits + second.sent.hits)
    [visit] = stack.visits()  # one visit all the same: the server's daily fingerprint
    assert not visit["config_cookie"]
    assert visit["visit_total_actions"] == 2
    page.context.close()


def test_do_not_track_is_honoured_when_the_portal_asks(stack: Stack) -> None:
    page = stack.open(setup=[["setDoNotTrack", True], ["enableLinkTracking"]], init=DNT)
    page.click("#outlink")
    assert nothing_sent(stack, page)
    assert tracker_cookies(page) == []
    page.context.close()
    page = stack.open(init=DNT)  # the portal did not ask to honour DNT: tracked
    stack.wait_actions(1)
    page.context.close()


def test_opt_out_stops_every_hit_and_can_be_undone(stack: Stack) -> None:
    page = stack.open()
    stack.wait_actions(1)
    page.evaluate("_paq.push(['optUserOut'])")
    assert page.evaluate("Matomo.getAsyncTracker().isUserOptedOut()") is True
    assert not any(n.startswith("_pk_id") for n in tracker_cookies(page))
    page.evaluate("_paq.push(['trackEvent', 'After', 'opt-out'])")
    stack.pause(1.0)
    assert len(page.sent.hits) == 1
    page.evaluate("_paq.push(['forgetUserOptOut']); _paq.push(['trackEvent', 'After', 'undo'])")
    assert [r["category"] for r in stack.wait_actions(2)] == [None, "After"]
    page.context.close()


def test_opt_out_widget_stops_and_resumes_tracking(stack: Stack) -> None:
    page = stack.open()
    stack.wait_actions(1)
    box = page.locator("#analytics-opt-out-checkbox")
    box.wait_for()
    assert box.is_checked()
    box.uncheck()
    assert "no longer measured" in page.inner_text("#analytics-opt-out")
    page.evaluate("_paq.push(['trackEvent', 'After', 'opt-out'])")
    stack.pause(1.0)
    assert len(page.sent.hits) == 1  # opted out: nothing left the browser
    page.locator("#analytics-opt-out-checkbox").check()
    page.evaluate("_paq.push(['trackEvent', 'After', 'opt-in'])")
    stack.wait_for(lambda: len(stack.actions()) == 2)
    page.context.close()


def test_opt_out_widget_speaks_russian(stack: Stack) -> None:
    page = stack.open(extra="&lang=ru")
    page.locator("#analytics-opt-out-checkbox").wait_for()
    assert "Учитывать мои посещения" in page.inner_text("#analytics-opt-out")
    page.context.close()
