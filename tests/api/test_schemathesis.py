"""schemathesis with all its checks against the app, as CI runs it: 0 failures.

The app runs as in production (gunicorn, 4 workers) on a migrated SQLite database holding a
small ledger (a home, its office, bills with a receipt, a tax year); schemathesis's own command
runs every phase (examples, coverage, fuzzing, stateful) and every check
against `/api/schema/`, with the settings of `schemathesis.toml` at the root of the repository
(a fixed seed, deterministic data), the file a developer's `st run` reads too
(docs/production.md, "The API's contract"). Slow (a few minutes): `make test-slow`, run once
by CI."""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.test_two_servers import free_port, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SETUP = (
    "from django.contrib.auth.models import User;"
    "from rest_framework.authtoken.models import Token;"
    "from interface.accounts import account_make_owner;"
    "from tests.api.conftest import make_ledger;"
    f"u = User.objects.create_user('alice', password='{secrets.token_urlsafe(16)}');"
    "account_make_owner(u); make_ledger(u);"
    "print(Token.objects.create(user=u).key)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under gunicorn with alice's ledger; (base URL, alice's token)."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DEBUG="true",
        RECEIPTS_ROOT=str(tmp / "receipts"),
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    setup = [*manage, "shell", "-c", SETUP]
    out = subprocess.run(setup, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    token = out.stdout.split()[-1]
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "homeoffice.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "4", "--timeout", "60"),
            # gunicorn's own limit on a URL (4 KB by default) answers 414 in HTML before the
            # app sees the request; 8 KB is its largest, as common proxies allow.
            *("--limit-request-line", "8190"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/admin/login/")
        yield url, token
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gunicorn.kill()


def test_schemathesis_all_checks_find_nothing(server):
    url, token = server
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(
        [
            *(str(st), "--config-file", str(ROOT / "schemathesis.toml"), "--no-color"),
            # Every check is on in schemathesis.toml (`--checks all` would override its
            # per-operation settings).
            *("run", f"{url}/api/schema/?format=json"),
            *("--header", f"Authorization: Token {token}"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    summary = run.stdout[run.stdout.find("SUMMARY") :]
    print(summary)
    assert "SUMMARY" in run.stdout, run.stdout[-20000:] + run.stderr[-5000:]
    assert "Failures:" not in summary, run.stdout[-20000:]
    # Left (issue 10): schemathesis 4.32.5's coverage phase crashes inside itself on one
    # operation ("SystemError: AST constructor recursion depth mismatch", CPython 3.11's ast);
    # that error, and only that one, is not the API's.
    # Any other error (a failed health check included) fails the test.
    # It strikes once or twice a run, depending on the order hypothesis draws in: every runtime
    # error must be that crash.
    if run.returncode != 0:
        errors = summary[summary.find("Errors:") : summary.find("Warnings:")].splitlines()[1:]
        listed = [line.strip() for line in errors if line.strip()]
        assert len(listed) == 1 and listed[0].startswith("🚫 Runtime Error: "), run.stdout[-20000:]
        count = int(listed[0].rsplit(":", 1)[1])
        crashes = run.stdout.count("SystemError: AST constructor recursion depth mismatch")
        assert 1 <= count <= crashes, run.stdout[-20000:]
