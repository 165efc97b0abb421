"""The tracker script is served by us, cached well, and its committed build is current."""

from __future__ import annotations

import gzip
import hashlib

from starlette.testclient import TestClient

from analytics_server.tracking.script import BUILT, SOURCE


def test_script_is_served_under_every_matomo_name(client: TestClient) -> None:
    for path in ("/matomo.js", "/piwik.js", "/tracker.js", "/js/"):
        answer = client.get(path, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("application/javascript")
        assert b"_paq" in answer.content


def test_etag_revalidation_and_gzip(client: TestClient) -> None:
    first = client.get("/matomo.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert "max-age" in first.headers["cache-control"]
    again = client.get("/matomo.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_committed_build_matches_the_source_and_is_small() -> None:
    header = BUILT.read_text(encoding="utf-8").splitlines()[0]
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert digest in header, "tracker_js/dist is older than src: run `make tracker`"
    assert len(gzip.compress(BUILT.read_bytes(), 9)) < 12 * 1024


def test_opt_out_script_keeps_its_parameters_inert(client: TestClient) -> None:
    answer = client.get('/optout.js?divId=x";alert(1);//&language=ru')
    assert answer.status_code == 200
    assert "alert(1)" not in answer.text  # an unsafe id falls back to the default one
    assert '"analytics-opt-out"' in answer.text
    assert "Учитывать" in answer.text
