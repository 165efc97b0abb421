"""Reading the dashboard's visit pages in tests: visits, their actions, marked values."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


@dataclass
class ShownVisit:
    id: int
    visitor: str
    html: str

    @property
    def actions(self) -> list[tuple[str, str]]:
        """(type, main text) of each action, in order."""
        found = re.findall(
            r'data-action-type="([^"]+)">.*?<span class="text" data-action-text>(.*?)</span>',
            self.html,
            re.S,
        )
        return [(kind, text(body)) for kind, body in found]

    @property
    def text(self) -> str:
        return text(self.html)


def visits(page: str) -> list[ShownVisit]:
    parts = re.split(r'(?=<article class="visit")', page)[1:]
    found = []
    for part in parts:
        head = re.match(
            r'<article class="visit" data-visit-id="(\d+)" data-visitor-id="(\w*)"', part
        )
        assert head, part[:200]
        found.append(ShownVisit(int(head.group(1)), head.group(2), part.split("</article>")[0]))
    return found


def marked(page: str, attribute: str) -> dict[str, str]:
    """`data-<attribute>="key"` elements' text by key."""
    pattern = rf'data-{attribute}="([^"]+)"[^>]*>(.*?)</'
    return {key: text(body) for key, body in re.findall(pattern, page, re.S)}
