"""The `analytics-server` command manages sites, users, tokens, goals and dimensions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics_server.cli.main import main
from analytics_server.config import get_settings


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("ANALYTICS_DATABASE__URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    assert main(["migrate"]) == 0
    yield path
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_db")
def test_site_user_token_goal_and_dimension_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(
            [
                "site",
                "add",
                "--name",
                "Portal",
                "--url",
                "https://p.example",
                "--timezone",
                "Europe/Moscow",
            ]
        )
        == 0
    )
    assert main(["site", "list"]) == 0
    assert "Portal\thttps://p.example\twebsite\tEurope/Moscow" in capsys.readouterr().out
    assert main(["user", "add", "--login", "anna", "--superuser"]) == 0
    assert "password: " in capsys.readouterr().out
    assert main(["token", "create", "--login", "anna"]) == 0
    assert len(capsys.readouterr().out.strip()) == 32
    assert (
        main(
            [
                "goal",
                "add",
                "--site",
                "1",
                "--name",
                "Signup",
                "--match",
                "url",
                "--pattern",
                "/welcome",
            ]
        )
        == 0
    )
    assert "goal 1 added" in capsys.readouterr().out
    assert main(["dimension", "add", "--site", "1", "--name", "Company"]) == 0
    assert "dimension1" in capsys.readouterr().out
    assert main(["failures"]) == 0
    assert "no tracking failures" in capsys.readouterr().out


@pytest.mark.usefixtures("cli_db")
def test_bad_input_is_a_clear_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(
            ["site", "add", "--name", "X", "--url", "https://x.example", "--timezone", "Mars/Base"]
        )
        == 2
    )
    assert "unknown time zone" in capsys.readouterr().err
    assert main(["token", "create", "--login", "nobody"]) == 2
    assert "does not exist" in capsys.readouterr().err
