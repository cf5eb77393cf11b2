"""Production settings: `check --deploy` is clean with the README's environment, a weak secret
key refuses to start, and the pages carry the security headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from homeoffice.security import secret_key_problem

ROOT = Path(__file__).resolve().parents[2]


def readme_production_env() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- production-env.*?-->\s*```sh\n(.*?)```", text, re.S).group(1)
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def manage(env: dict[str, str], *args) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in ("DATABASE_URL", "CACHE_URL", "DEBUG", "SECRET_KEY", "RECEIPTS_S3_BUCKET"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_readme_environment():
    env = readme_production_env()
    assert env["DEBUG"] == "false"
    assert secret_key_problem(env["SECRET_KEY"]) is not None  # the placeholder itself is refused
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # as the README says to make it
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_short_secret_key_refuses_to_start():
    env = {**readme_production_env(), "SECRET_KEY": "short"}
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY has 5 characters; it needs at least 50" in result.stderr


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "not set"),
        ("short", "5 characters"),
        ("dev-only-insecure-key-homeoffice-change-me", "published"),
        ("django-insecure-" + "x1y2z3" * 10, "published"),
        ("replace-me-with-the-output-of-python-c-import-secrets-print", "published"),
        ("ab" * 30, "5 different"),
        ("k7Qm2-Zp9vX4wR8tL1nB6yH3cF0dJ5sG-aE2uK8iO4pT7qW1zM9xV3bN6hY0", None),
    ],
)
def test_secret_key_problem(key, problem):
    found = secret_key_problem(key)
    assert (found is None) if problem is None else (problem in found)


def test_pages_carry_the_security_headers_in_production(settings, db):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()
    assert client.get("/admin/login/").status_code == 301  # plain HTTP is sent to HTTPS
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["httponly"]
