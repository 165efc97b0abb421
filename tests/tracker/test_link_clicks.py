"""Link tracking in a real browser: outlinks, downloads, ignored and internal links."""

from __future__ import annotations

import pytest

from tests.tracker.harness import Stack

pytestmark = pytest.mark.browser

LINKS = """links => {
    for (const [id, href, cls] of links) {
        const a = document.createElement('a');
        a.id = id;
        a.href = href;
        a.textContent = id;
        if (cls) { a.className = cls; }
        document.body.prepend(a, document.createElement('br'));
    }
}"""


def clicked(stack: Stack, count: int) -> list[tuple[int, str]]:
    rows = stack.wait_actions(count)
    # Sorted: clicks that leave the page go by beacon, and beacons may overtake each other.
    return sorted((r["action_type"], r["url"]) for r in rows if r["action_type"] in (2, 3))


def test_outlink_and_download_clicks_are_tracked_ignored_links_not(stack: Stack) -> None:
    page = stack.open(setup=[["enableLinkTracking"]])
    stack.wait_actions(1)
    for link in ("#outlink", "#download", "#internal", "#ignored"):
        page.click(link)
    assert clicked(stack, 3) == [
        (2, "https://partner.example.org/offer"),
        (3, f"{stack.portal}/files/setup.zip"),
    ]
    # The outlink and the download went by beacon: they survive the page being left.
    assert page.errors == []
    page.context.close()


def test_domains_classes_extensions_and_middle_clicks(stack: Stack) -> None:
    page = stack.open(
        setup=[
            ["setDomains", ["*.portal.example.com"]],
            ["setDownloadClasses", "get-file"],
            ["setLinkClasses", "count-as-outlink"],
            ["addDownloadExtensions", "dwg|step"],
            ["setIgnoreClasses", "no-track"],
            ["enableLinkTracking"],
        ]
    )
    stack.wait_actions(1)
    page.evaluate(
        LINKS,
        [
            ["alias", "https://kb.portal.example.com/howto", ""],
            ["lookalike", "https://portal.example.com.evil.example/", ""],
            ["forced-download", "/report?id=7", "get-file"],
            ["forced-outlink", "/docs/external-view", "count-as-outlink"],
            ["drawing", "https://cdn.portal.example.com/plans/house.DWG", ""],
            ["skipped", "https://partner.example.org/skip", "no-track"],
            ["mail", "mailto:office@portal.example.com", ""],
        ],
    )
    for link in ("alias", "lookalike", "forced-download", "forced-outlink", "drawing", "skipped"):
        page.click(f"#{link}")
    page.click("#mail")
    page.click("#outlink", button="middle")  # opened in a new tab: auxclick
    assert clicked(stack, 6) == sorted(
        [
            (2, "https://partner.example.org/offer"),
            (2, "https://portal.example.com.evil.example/"),
            (2, f"{stack.portal}/docs/external-view"),
            (3, "https://cdn.portal.example.com/plans/house.DWG"),
            (3, f"{stack.portal}/report?id=7"),
        ]
    )
    page.context.close()


def test_link_tracking_can_be_switched_off_and_on_again(stack: Stack) -> None:
    page = stack.open(setup=[["enableLinkTracking"]])
    stack.wait_actions(1)
    page.evaluate("_paq.push(['disableLinkTracking'])")
    page.click("#outlink")
    page.evaluate("_paq.push(['enableLinkTracking']); _paq.push(['enableLinkTracking'])")
    page.click("#download")
    assert clicked(stack, 2) == [(3, f"{stack.portal}/files/setup.zip")]
    page.context.close()


def test_track_link_by_hand(stack: Stack) -> None:
    page = stack.open()
    page.evaluate(
        """() => {
            _paq.push(['trackLink', 'https://partner.example.org/manual', 'link']);
            _paq.push(['trackLink', 'https://files.example.org/manual.pdf', 'download']);
        }"""
    )
    assert clicked(stack, 3) == [
        (2, "https://partner.example.org/manual"),
        (3, "https://files.example.org/manual.pdf"),
    ]
    page.context.close()
