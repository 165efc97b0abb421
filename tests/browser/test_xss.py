"""Stored XSS in the browser: visitor-sent strings with script payloads, sent through the real
tracking endpoint and archived, are shown as text on every page and never run.

Pages are opened with the Content-Security-Policy bypassed, so that escaping alone must keep
the payloads inert (the policy would otherwise hide a slip), and every page is searched for
what a payload would have added: inline scripts, event-handler attributes, `javascript:`
links, the `<img src=x>`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from analytics_server.archiving import tasks
from analytics_server.dashboard import menu
from tests.browser.harness import Demo, local_today, screenshot

pytestmark = pytest.mark.browser
SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '"><img src=x onerror="window.__xss=1">'
LINK = "javascript:window.__xss=1"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"
VISITOR = "5c1e2b3a4d5e6f70"
INJECTED = """() => ({
  xss: typeof window.__xss,
  inline: document.querySelectorAll("script:not([src])").length,
  handlers: Array.from(document.querySelectorAll("*")).flatMap((e) => Array.from(e.attributes))
    .filter((a) => a.name.toLowerCase().startsWith("on")).map((a) => a.name),
  javascript: Array.from(document.querySelectorAll("[href], [src], [action]"))
    .map((e) => e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action"))
    .filter((v) => v.trim().toLowerCase().startsWith("javascript:")),
  images: document.querySelectorAll("img[src=x]").length,
})"""
CLEAN = {"xss": "undefined", "inline": 0, "handlers": [], "javascript": [], "images": 0}


def hits(demo: Demo, user: str = IMAGE) -> list[dict[str, str]]:
    """One visit with a payload in every visitor-sent string the reports show."""
    dims = {d.scope: d.iddimension for d in demo.xss_site.dimensions.values()}
    base = {"idsite": str(demo.xss_site.idsite), "rec": "1", "send_image": "0", "_id": VISITOR}
    base |= {"ua": UA, "uid": user, f"dimension{dims['visit']}": SCRIPT, "res": "1920x1080"}
    page = {"url": f"http://127.0.0.1/{SCRIPT}", "action_name": SCRIPT}
    page |= {"urlref": f"http://evil.example/{IMAGE}", f"dimension{dims['action']}": IMAGE}
    item = [IMAGE, SCRIPT, LINK, 10, 1]
    found = [
        page,
        {"url": f"http://127.0.0.1/?ref={IMAGE}", "action_name": IMAGE},
        {"url": LINK, "action_name": LINK},
        {"url": "http://127.0.0.1/", "e_c": SCRIPT, "e_a": IMAGE, "e_n": LINK, "e_v": "1"},
        {"url": "http://127.0.0.1/", "search": SCRIPT, "search_cat": IMAGE, "search_count": "0"},
        {"url": "http://127.0.0.1/", "download": f"http://127.0.0.1/{SCRIPT}.zip"},
        {"url": "http://127.0.0.1/", "link": LINK},
        {"url": "http://127.0.0.1/", "c_n": SCRIPT, "c_p": IMAGE, "c_t": LINK},
        {"url": "http://127.0.0.1/", "idgoal": "1"},
        {"url": "http://127.0.0.1/", "_pks": IMAGE, "_pkn": SCRIPT, "_pkc": LINK, "_pkp": "10"},
        {"url": "http://127.0.0.1/", "idgoal": "0", "ec_id": SCRIPT, "revenue": "10"}
        | {"ec_items": json.dumps([item])},
    ]
    return [{**base, **hit, "r": secrets.token_hex(8)} for hit in found]  # `r`: no resends


def send(demo: Demo, batch: list[dict[str, str]]) -> None:
    for hit in batch:
        answer = httpx.post(f"{demo.server}/matomo.php", data=hit, timeout=10)
        assert answer.status_code == 204, answer.text


def wait_for_visit(demo: Demo, user: str, actions: int) -> dict[str, Any]:
    """The user's visit once the ingest queue has written all its actions."""
    deadline = time.monotonic() + 10
    while True:
        found = demo.api(
            "Live.getLastVisitsDetails",
            idSite=str(demo.xss_site.idsite),
            period="",
            date="",
            segment=f"userId=={quote(user, safe='')}",
        )
        if found and len(found[0]["actionDetails"]) >= actions:
            assert len(found) == 1
            assert len(found[0]["actionDetails"]) == actions
            return dict(found[0])
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def stored(demo: Demo) -> dict[str, Any]:
    batch = hits(demo)
    send(demo, batch)
    visit = wait_for_visit(demo, IMAGE, len(batch))
    tasks.archive_due(demo.factory, idsite=demo.xss_site.idsite)
    return visit


@pytest.fixture
def unsafe(demo: Demo) -> Iterator[Any]:
    """A signed-in page that obeys no Content-Security-Policy."""
    context = demo.context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert dialogs == []


def addresses(demo: Demo, visit: dict[str, Any]) -> list[str]:
    site, day = demo.xss_site, str(local_today(demo.xss_site))
    found = [demo.url(p.path, site, period="day", date=day) for p in menu.pages(site)]
    found += [
        demo.url("dashboard", site, period="day", date=day),
        f"{demo.server}/sites?period=day&date={day}",
        demo.url(f"visitor/{visit['visitorId']}", site, period="day", date=day),
        demo.url("visitors/log", site, period="day", date=day, segment=f"userId=={IMAGE}"),
    ]
    for wid, label in (("page-titles", SCRIPT), ("event-names", LINK), ("user-ids", IMAGE)):
        found.append(
            demo.url("row-evolution", site, period="day", date=day, widget=wid, label=label)
        )
    return found


def test_payloads_are_stored_as_sent(demo: Demo, stored: dict[str, Any]) -> None:
    """The payloads reached the reports unchanged (so the pages below really show them)."""
    assert stored["userId"] == IMAGE
    titles = [a.get("pageTitle") for a in stored["actionDetails"] if a["type"] == "action"]
    assert titles == [SCRIPT, IMAGE, LINK, None]  # the last: a product page without a title
    events = demo.api(
        "Events.getName", idSite=str(demo.xss_site.idsite), period="day", date="today"
    )
    assert [e["label"] for e in events] == [LINK]


# Where each payload is shown as a label or a value: (page, texts that must be visible).
SHOWN = {
    "behaviour/page-titles": (IMAGE, LINK),  # titles with "/" are split into a tree
    "behaviour/events": (SCRIPT, IMAGE, LINK),
    "behaviour/site-search": (SCRIPT, IMAGE),
    "behaviour/contents": (SCRIPT, IMAGE),
    "visitors/user-ids": (IMAGE,),
    "visitors/log": (SCRIPT, IMAGE, LINK),
    "ecommerce/products": (SCRIPT, IMAGE, LINK),
}


def test_no_payload_runs_on_any_page_and_each_is_shown_as_text(
    demo: Demo, stored: dict[str, Any], unsafe: Any
) -> None:
    dims = {d.scope: d.iddimension for d in demo.xss_site.dimensions.values()}
    shown = {
        **SHOWN,
        f"visitors/dimension-{dims['visit']}": (SCRIPT,),
        f"behaviour/dimension-{dims['action']}": (IMAGE,),
        f"visitor/{stored['visitorId']}": (SCRIPT, IMAGE),
    }
    seen = set()
    for address in addresses(demo, stored):
        unsafe.goto(address)
        unsafe.wait_for_load_state("load")
        assert unsafe.evaluate(INJECTED) == CLEAN, address
        path = address.split("/site/", 1)[-1].split("?")[0].split("/", 1)[-1]
        for text in shown.get(path, ()):
            assert unsafe.get_by_text(text, exact=False).first.is_visible(), (address, text)
            seen.add(path)
        if path in SHOWN:
            screenshot(unsafe, "xss-" + path.replace("/", "-"))
    assert seen == set(shown)


@pytest.mark.usefixtures("stored")
def test_the_real_time_view_refreshed_with_a_new_payload_visit_stays_inert(
    demo: Demo, unsafe: Any
) -> None:
    site = demo.xss_site
    unsafe.goto(demo.url("visitors/realtime", site, period="day", date="today"))
    assert unsafe.evaluate(INJECTED) == CLEAN
    user = f"{SCRIPT} 2"  # another user: another visit
    send(demo, hits(demo, user=user)[:2])
    visit = wait_for_visit(demo, user, 2)
    # realtime.js puts the fragment in place every 15 s
    unsafe.wait_for_selector("[data-realtime-src][data-refreshed]", timeout=40_000)
    box = unsafe.locator("[data-realtime-src]")
    assert box.locator(f"article.visit[data-visit-id='{visit['idVisit']}']").count() == 1
    assert unsafe.evaluate(INJECTED) == CLEAN
    assert box.get_by_text(IMAGE, exact=False).first.is_visible()
