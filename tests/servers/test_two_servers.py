"""Two app servers (gunicorn, 2 workers each) sharing one database and one S3 bucket (a local
moto server): a receipt uploaded through one is downloaded through the other and deleted from
the bucket; the token throttle and the login lockout hold across both, whatever X-Forwarded-For
says; a worker killed in the middle of an archive import leaves orphans that `receipts_check
--fix` removes from the bucket. Slow (about 30 s): `make test-slow`, run once by CI."""

import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.api.conftest import pdf_bytes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "homeoffice-receipts"
PASSWORD = "a-long-password-for-alice"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def call(method, url, *, body=None, headers=None, content_type=None):
    """(status, headers, body bytes) of a request to a local test server."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A moto S3 server, a migrated SQLite database, alice with a home and a bill, and two
    gunicorn servers configured as in production (but plain HTTP)."""
    tmp = tmp_path_factory.mktemp("deployment")
    processes = []
    s3_port = free_port()
    processes.append(
        subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    endpoint = f"http://127.0.0.1:{s3_port}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        RECEIPTS_S3_BUCKET=BUCKET,
        RECEIPTS_S3_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AUTH_TOKEN_RATE="8/minute",
        LOGIN_FAILURE_LIMIT="5",
        RECEIPTS_ROOT=str(tmp / "no-local-receipts"),
    )
    try:
        wait_for(endpoint)
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
        setup = (
            "from django.contrib.auth.models import User;"
            "from rest_framework.authtoken.models import Token;"
            "from tests.factories import BillFactory, HomeFactory;"
            f"u = User.objects.create_user('alice', password='{PASSWORD}', is_staff=True);"
            "from interface.accounts import account_make_owner; account_make_owner(u);"
            "b = BillFactory(home=HomeFactory(owner=u));"
            "print(Token.objects.create(user=u).key, b.pk)"
        )
        out = subprocess.run(
            [*manage, "shell", "-c", setup],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        ).stdout.split()
        token, bill_id = out[-2], int(out[-1])
        servers = []
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "homeoffice.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--timeout",
                        "60",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers.append(f"http://127.0.0.1:{port}")
        for server in servers:
            wait_for(f"{server}/admin/login/")
        yield {
            "servers": servers,
            "token": token,
            "bill": bill_id,
            "s3": s3,
            "env": env,
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def objects(s3) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_receipt_uploaded_through_one_server_downloads_through_the_other(deployment):
    one, other = deployment["servers"]
    auth = {"Authorization": f"Token {deployment['token']}"}
    content = pdf_bytes("two servers")
    body, content_type = multipart({"bill": deployment["bill"]}, {"file": ("r.pdf", content)})
    status, _, answer = call(
        "POST", f"{one}/api/receipts/", body=body, headers=auth, content_type=content_type
    )
    assert status == 201, answer
    receipt = json.loads(answer)
    assert any(key.startswith("receipts/") for key in objects(deployment["s3"]))

    status, headers, downloaded = call(
        "GET", f"{other}/api/receipts/{receipt['id']}/download/", headers=auth
    )
    assert status == 200 and downloaded == content
    assert headers["Content-Type"] == "application/pdf"

    status, _, _ = call("DELETE", f"{other}/api/receipts/{receipt['id']}/", headers=auth)
    assert status == 204
    assert objects(deployment["s3"]) == []  # the file followed its row, from the bucket


def test_the_token_throttle_holds_across_servers_and_forwarded_for(deployment):
    servers = deployment["servers"]
    statuses = []
    for n in range(10):
        status, _, _ = call(
            "POST",
            f"{servers[n % 2]}/api/auth/token/",
            body=json.dumps({"username": "alice", "password": PASSWORD}).encode(),
            headers={"X-Forwarded-For": f"10.0.{n}.1"},
            content_type="application/json",
        )
        statuses.append(status)
    assert statuses == [200] * 8 + [429, 429]  # 8/minute for both servers together


def test_the_admin_lockout_holds_across_servers(deployment):
    servers = deployment["servers"]
    for n in range(5):
        status, _, _ = admin_login(servers[n % 2], "alice", "wrong")
    status, _, page = admin_login(servers[1], "alice", PASSWORD)
    assert status == 429
    assert b"Too many failed logins (5)" in page
    subprocess.run(
        [sys.executable, "manage.py", "unlock_login", "alice"],
        cwd=ROOT,
        env=deployment["env"],
        check=True,
        timeout=60,
        capture_output=True,
    )
    status, headers, _ = admin_login(servers[0], "alice", PASSWORD)
    assert status == 302 and headers["Location"] == "/admin/"


def admin_login(server, username, password):
    """A login through the form, with its CSRF cookie and token, as a browser sends it."""
    import http.cookiejar

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{server}/admin/login/", timeout=30).read().decode()
    csrf = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    data = f"csrfmiddlewaretoken={csrf}&username={username}&password={password}&next=/admin/"
    request = urllib.request.Request(
        f"{server}/admin/login/",
        data=data.encode(),
        headers={"Referer": f"{server}/admin/login/"},
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


KILLED_IMPORT = """
import os, signal
from ledger import storage
from forms8829.filing import ledger_archive_restore
from django.contrib.auth.models import User
saved = []
real = storage.ReceiptStorage.save
def save(self, name, content, max_length=None):
    name = real(self, name, content, max_length)
    saved.append(name)
    if len(saved) == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies in the middle of the import
    return name
storage.ReceiptStorage.save = save
ledger_archive_restore(owner=User.objects.get(username="bob"), data=open(ARCHIVE, "rb").read())
"""


def test_a_killed_import_leaves_orphans_that_receipts_check_removes(deployment, tmp_path):
    env = deployment["env"]
    archive = tmp_path / "ledger.zip"
    archive.write_bytes(ledger_archive(5))
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.contrib.auth.models import User;User.objects.create_user('bob')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    before = set(objects(deployment["s3"]))
    killed = subprocess.run(
        [*manage, "shell", "-c", KILLED_IMPORT.replace("ARCHIVE", repr(str(archive)))],
        cwd=ROOT,
        env=env,
        timeout=120,
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    orphans = set(objects(deployment["s3"])) - before
    assert len(orphans) == 3  # written before the kill, their rows never committed

    check = subprocess.run(
        [*manage, "receipts_check", "--fix", "--grace-minutes", "0"],
        cwd=ROOT,
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "Removed 3 orphan file(s)." in check.stdout, check.stdout + check.stderr
    assert set(objects(deployment["s3"])) == before


def ledger_archive(receipts: int) -> bytes:
    """A ledger archive of one home, one bill per receipt (as export_ledger --archive writes)."""
    import hashlib

    files, bills = {}, []
    for n in range(receipts):
        content = pdf_bytes(f"receipt {n}")
        sha = hashlib.sha256(content).hexdigest()
        files[f"receipts/{sha}.pdf"] = content
        bills.append(
            {
                "home": "elm",
                "paid_on": f"2024-01-{n + 1:02d}",
                "payee": f"P{n}",
                "category": "utilities",
                "amount": "10.00",
                "receipts": [
                    {
                        "file": f"receipts/{sha}.pdf",
                        "name": f"{n}.pdf",
                        "sha256": sha,
                        "content_type": "application/pdf",
                        "size": len(content),
                    }
                ],
            }
        )
    document = {
        "format": "homeoffice-ledger/1",
        "homes": [
            {
                "key": "elm",
                "name": "12 Elm St",
                "total_area": "2000",
                "area_method": "square_feet",
                "ownership": "rent",
                "office_areas": [],
                "improvements": [],
            }
        ],
        "bills": bills,
        "tax_years": [],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ledger.json", json.dumps(document))
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
