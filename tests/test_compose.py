"""docker-compose.yml, read as docker compose reads it: Docker does not run here, so these checks
keep the file in step with the code (settings it names exist, commands parse, the services
have what "answered means on disk" and the health checks need)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from analytics_server.cli.main import _parser
from analytics_server.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = [
    name for name, service in SERVICES.items() if service.get("image", "").startswith("analytics")
]
# Set or shown commented out: a user uncomments the latter, so they must be right too.
NAMED_SETTINGS = sorted(set(re.findall(r"\b(ANALYTICS_[A-Z0-9_]+)\s*:", COMPOSE_TEXT)))


def setting_field(variable: str) -> bool:
    """Whether an environment variable names a setting (the settings ignore unknown ones, so a
    misspelt variable would be dropped without a word)."""
    model: type[BaseModel] = Settings
    parts = variable.removeprefix("ANALYTICS_").lower().split("__")
    for n, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if n < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def test_the_file_names_our_services_and_settings() -> None:
    assert {"mariadb", "redis", "web", "worker", "beat", "migrate"} <= set(SERVICES)
    assert set(OURS) == {"migrate", "web", "worker", "beat"}
    assert len(NAMED_SETTINGS) >= 10


@pytest.mark.parametrize("variable", NAMED_SETTINGS)
def test_every_variable_is_a_setting_and_documented(variable: str) -> None:
    assert setting_field(variable), f"{variable} is not a setting"
    readme = (ROOT / "README.md").read_text()
    group = variable.rsplit("__", 1)[0] + "__*"
    assert variable in readme or group in readme, f"{variable} is not in README"


def test_a_misspelt_variable_is_caught() -> None:
    assert setting_field("ANALYTICS_INGEST__REDIS_URL")
    assert not setting_field("ANALYTICS_INGEST__REDIS_URI")
    assert not setting_field("ANALYTICS_SALT__X")


@pytest.mark.parametrize("name", OURS)
def test_our_commands_parse(name: str) -> None:
    command = SERVICES[name]["command"]
    assert command[0] == "analytics-server"
    _parser().parse_args(command[1:])  # SystemExit on an unknown command or option


def test_every_process_gets_the_same_settings() -> None:
    environments = [SERVICES[name]["environment"] for name in OURS]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["ANALYTICS_INGEST__BACKEND"] == "redis"
    assert env["ANALYTICS_DATABASE__URL"].startswith("mysql+pymysql://")
    assert "@mariadb:3306/" in env["ANALYTICS_DATABASE__URL"]
    assert env["ANALYTICS_INGEST__REDIS_URL"].startswith("redis://redis:6379/")


def test_redis_writes_every_queued_hit_to_disk() -> None:
    redis = SERVICES["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_data_outlives_the_containers() -> None:
    for service, path in (("mariadb", "/var/lib/mysql"), ("redis", "/data")):
        (volume,) = [v for v in SERVICES[service]["volumes"] if v.endswith(f":{path}")]
        assert volume.split(":")[0] in COMPOSE["volumes"]


@pytest.mark.parametrize("name", ["mariadb", "redis", "web", "worker"])
def test_long_running_services_have_health_checks(name: str) -> None:
    check = SERVICES[name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert check["interval"]
    assert check["retries"]


def test_each_worker_container_pings_its_own_worker() -> None:
    """With `--scale worker=3` a bare `inspect ping` passes while any one worker answers."""
    kind, command = SERVICES["worker"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    words = shlex.split(command)
    assert words[words.index("-d") + 1] == "celery@$$HOSTNAME"  # compose turns $$ into $


def test_services_start_in_order() -> None:
    assert SERVICES["migrate"]["depends_on"]["mariadb"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_image_holds_what_the_server_reads_at_run_time() -> None:
    dockerfile = (ROOT / SERVICES["migrate"]["build"]["dockerfile"]).read_text()
    copied = " ".join(line for line in dockerfile.splitlines() if line.startswith("COPY"))
    # templates/ and tracker_js/ are read from beside the package (an editable install)
    for needed in ("alembic.ini", "analytics_server", "migrations", "templates", "tracker_js"):
        assert needed in copied, f"the image lacks {needed}"
    assert "pip install --no-cache-dir -e ." in dockerfile
