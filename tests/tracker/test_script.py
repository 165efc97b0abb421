"""The tracker script is served by us, cached well, and its committed build is current."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from analytics_server.tracking.script import BUILT, ROOT, SOURCE


def test_script_is_served_under_every_matomo_name(client: TestClient) -> None:
    for path in ("/matomo.js", "/piwik.js", "/tracker.js", "/js/"):
        answer = client.get(path, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("application/javascript")
        assert answer.content == BUILT.read_bytes()
    assert client.head("/matomo.js").status_code == 200


def test_etag_revalidation_and_gzip(client: TestClient) -> None:
    first = client.get("/matomo.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert first.headers["content-encoding"] == "gzip"
    assert first.content == BUILT.read_bytes()  # httpx decoded it
    assert first.headers["vary"] == "Accept-Encoding"
    assert "max-age=3600" in first.headers["cache-control"]
    plain = client.get("/matomo.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] != first.headers["etag"]  # two representations, two ETags
    for etag in (first.headers["etag"], plain.headers["etag"], "W/" + plain.headers["etag"]):
        again = client.get("/matomo.js", headers={"If-None-Match": f'"other", {etag}'})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"]
    changed = client.get("/matomo.js", headers={"If-None-Match": '"an-older-build"'})
    assert changed.status_code == 200


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [("gzip", True), ("br, gzip;q=0.5", True), ("*", True), ("gzip;q=0", False), ("br", False)],
)
def test_gzip_only_when_accepted(client: TestClient, accept: str, gzipped: bool) -> None:
    answer = client.get("/tracker.js", headers={"Accept-Encoding": accept})
    assert (answer.headers.get("content-encoding") == "gzip") is gzipped


def test_committed_build_matches_the_source_and_is_small() -> None:
    header = BUILT.read_text(encoding="utf-8").splitlines()[0]
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert digest in header, "tracker_js/dist is older than src: run `make tracker`"
    assert len(gzip.compress(BUILT.read_bytes(), 9)) < 12 * 1024


def test_committed_build_is_what_terser_makes_of_the_source() -> None:
    if shutil.which("node") is None or not (ROOT / "node_modules" / ".bin" / "terser").exists():
        pytest.skip("terser is not installed in tracker_js/node_modules (make tracker does it)")
    check = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_opt_out_script_keeps_its_parameters_inert(client: TestClient) -> None:
    answer = client.get('/optout.js?divId=x";alert(1);//&language=ru')
    assert answer.status_code == 200
    assert "alert(1)" not in answer.text  # an unsafe id falls back to the default one
    assert '"analytics-opt-out"' in answer.text
    assert "Учитывать" in answer.text
