import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(CELERY_BROKER_URL="")
def test_healthz_without_a_broker_says_not_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_reports_an_unreachable_broker_as_unavailable(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_healthz_reaches_the_configured_broker(client, settings):
    from tests.conftest import skip_or_fail

    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set, so there is no broker to reach")
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response.status_code == 200


def test_healthz_reports_a_database_failure(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
