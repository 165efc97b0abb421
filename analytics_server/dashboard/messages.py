"""Every English message the dashboard shows: gathered from the templates (`_()` calls) and
from the menu's titles, so a test can check that each has a Russian translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from analytics_server.dashboard import maps, menu, row_evolution, visit_pages, visits
from analytics_server.kit.periods import PERIOD_KINDS
from analytics_server.templating import TEMPLATES

# Messages built at run time: period names, and the errors sign-in shows.
DYNAMIC = (
    *(kind.capitalize() for kind in PERIOD_KINDS),
    "Wrong login or password.",
    "Too many failed sign-ins. Wait 15 minutes, then try again.",
    "The form expired. Please sign in again.",
    "You have no access to this site.",
    "You have no access to any site yet. Ask an administrator.",
    "This site does not exist.",
    "There is no such page.",
    "No report matches this search.",
    "Move up",
    "Move down",
    "Move left",
    "Move right",
    "Remove",
    # Visits log, profile, real-time, map and row evolution.
    *visits.MESSAGES,
    *visit_pages.MESSAGES,
    *maps.MESSAGES,
    *row_evolution.MESSAGES,
    *visits.KIND_TITLES.values(),
    "Content impression",
    "Content interaction",
    "Subtotal",
    "Tax",
    "Shipping",
    "Discount",
    "Time on page",
    "Page load time",
    "Product",
    "Category",
    "No results",
    "Results",
    "Interaction",
    "Revenue",
    "%(days)s days ago",
    "today",
    "yesterday",
    "Visitor profile",
    "Row evolution",
)


def template_messages(folder: Path = TEMPLATES / "dashboard") -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.html"):
        for _line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords={"_": None}
        ):
            if isinstance(message, str):
                found.add(message)
            elif message:
                found.update(m for m in message if m)
    return found


def menu_messages() -> set[str]:
    found = {title for _, title in menu.SECTIONS}
    found |= {column.title for column in menu.COLUMNS.values()}
    for page in menu.STATIC_PAGES:
        found.add(page.title)
        found |= {widget.title for widget in page.widgets}
    return found


def all_messages() -> set[str]:
    return template_messages() | menu_messages() | set(DYNAMIC)
