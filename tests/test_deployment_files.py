"""docker-compose.yml, the Dockerfile and README promise the same stack and the same configuration."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
README = (ROOT / "README.md").read_text()
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")


def _configuration_table_variables() -> set[str]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_the_five_services():
    assert set(SERVICES) == {"db", "redis", "web", "worker", "beat"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_web_runs_gunicorn_worker_and_beat_run_celery():
    assert "gunicorn incomeapp.wsgi:application" in _command("web")
    assert "manage.py migrate" in _command("web")
    assert _command("worker").startswith("celery -A incomeapp worker")
    assert _command("beat").startswith("celery -A incomeapp beat")
    assert SERVICES["web"]["ports"] == ["8000:8000"]


def test_app_services_share_the_production_environment_wired_to_db_and_redis():
    for name in APP_SERVICES:
        service = SERVICES[name]
        environment = service["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "incomeapp.settings.prod"
        assert re.fullmatch(r"postgres://\w+:\w+@db:5432/\w+", environment["DATABASE_URL"])
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert "DJANGO_SECRET_KEY" in environment
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert service["build"] == "."


def test_database_credentials_match_the_db_service():
    db = SERVICES["db"]["environment"]
    url = SERVICES["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"


def test_every_variable_in_compose_and_settings_is_in_the_readme_table():
    documented = _configuration_table_variables()
    in_compose = set(SERVICES["web"]["environment"])
    settings_source = "".join(p.read_text() for p in (ROOT / "incomeapp" / "settings").glob("*.py"))
    read_by_settings = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    assert read_by_settings, "found no environment reads in settings"
    assert not (in_compose - documented), f"used by compose, missing from README: {in_compose - documented}"
    assert not (read_by_settings - documented), (
        f"read by settings, missing from README: {read_by_settings - documented}"
    )


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == ["make run", "make test"]


def test_dockerfile_serves_with_gunicorn_on_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=incomeapp.settings.prod" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "incomeapp.wsgi:application"' in dockerfile
    assert re.search(r"^USER \w+", dockerfile, flags=re.MULTILINE), "the container must not run as root"


def test_ci_runs_the_dockerfiles_build_and_serve_commands():
    """These machines have no Docker engine, so `.ci/run` runs the image's own commands on production settings."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    collect = re.search(r"^RUN .*\b(python manage\.py collectstatic[^\n]*)$", dockerfile, flags=re.MULTILINE)
    assert collect, "the Dockerfile no longer collects static files"
    assert f".venv/bin/{collect.group(1)}" in ci
    serve = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.MULTILINE)
    command = json.loads(serve.group(1))
    bind = command.index("--bind") + 1
    expected = r"\s+".join(r"\S+" if i == bind else re.escape(arg) for i, arg in enumerate(command))
    assert re.search(expected, ci.replace("\\\n", " ")), f"CI does not serve with {command}"
    assert "DJANGO_SETTINGS_MODULE=incomeapp.settings.prod DJANGO_DEBUG=false" in ci
