"""The opt-out widget a portal embeds (/optout.js): a checkbox that stops tracking a visitor."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from analytics_server.tracking.script import ROOT

TEXTS = {
    "en": {
        "in": "This site measures how its pages are used, to make them better. Your visits are "
        "counted anonymously unless you opt out here.",
        "out": "You have opted out: your visits to this site are no longer measured.",
        "boxIn": "Count my visits (uncheck to opt out)",
        "boxOut": "Check to have your visits counted again",
    },
    "ru": {
        "in": "Этот сайт измеряет, как используются его страницы, чтобы сделать их лучше. "
        "Ваши посещения учитываются анонимно, если вы не откажетесь здесь.",
        "out": "Вы отказались: ваши посещения этого сайта больше не учитываются.",
        "boxIn": "Учитывать мои посещения (снимите флажок, чтобы отказаться)",
        "boxOut": "Отметьте, чтобы ваши посещения снова учитывались",
    },
}
_DIV_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


@lru_cache(maxsize=1)
def _template() -> str:
    return (ROOT / "src" / "optout.js").read_text(encoding="utf-8")


def _language(request: Request) -> str:
    wanted = request.query_params.get("language", "auto").lower()
    if wanted == "auto":
        wanted = request.headers.get("accept-language", "en")[:2].lower()
    return wanted if wanted in TEXTS else "en"


async def optout_endpoint(request: Request) -> Response:
    div_id = request.query_params.get("divId", "analytics-opt-out")
    if not _DIV_ID.match(div_id):
        div_id = "analytics-opt-out"  # the id is written into a script: only a safe name
    # json.dumps plus escaping "<" keeps the values inert inside a script.
    texts = json.dumps(TEXTS[_language(request)], ensure_ascii=False).replace("<", "\\u003c")
    body = _template().replace("__TEXTS__", texts).replace("__DIV_ID__", json.dumps(div_id))
    return Response(
        body,
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
