"""Load under gunicorn, each endpoint beside a trivial authenticated DRF endpoint of the same
server and the same load generator: `make bench` (after benchmarks/scale.py).

For each database (SQLite in a temporary file; PostgreSQL when DATABASE_URL is set, as
`make bench` does with BENCH_PG_URL) and each size (BENCH_SCALE=quick: 10,000 bills; large:
adds 100,000; full: adds 1,000,000; or BENCH_SIZES, comma-separated), the seeded ledger
(`benchmarks/seed.py`) has its forms stored once (the explicit recompute, as a write would),
then gunicorn serves it (production settings: DEBUG off, LOAD_WORKERS sync workers, default
3) and a threaded keep-alive client (LOAD_CLIENTS connections, default 3) sends, in turn
A B A B ... LOAD_ROUNDS times (default 3) for LOAD_SECONDS each (default 5):

- `GET /api/forms/2025/` (token) beside `GET /bench/trivial/` (token);
- the admin's year-end review of 2025 (session and CSRF cookies, as a browser sends them)
  beside the same trivial endpoint: repeated looks, served as kept (review.page_cache); then,
  from a server that keeps nothing (REVIEW_PAGE_SECONDS=0), the review rendered at every look,
  as the first look after a write is;

reporting throughput (requests a second), its ratio to the trivial endpoint's, and p50/p99 of
the latencies (BENCH_USERS=10 or 100: the size's bills shared among that many users, each
connection a user of its own, the trivial endpoint's too); then LOAD_WRITES (default 200) bills
saved one after another through `POST /api/bills/` (a write batch that refreshes the stored
forms): p50/p99. The JSON report goes to var/bench/load-<database>.json and a Markdown table to
standard output.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.settings")

SCALES = {"quick": [10_000], "large": [10_000, 100_000], "full": [10_000, 100_000, 1_000_000]}
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "3"))
ROUNDS = int(os.environ.get("LOAD_ROUNDS", "3"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "5"))
WRITES = int(os.environ.get("LOAD_WRITES", "200"))
# How many users share each size's bills (benchmarks/scale.py's BENCH_USERS): with several,
# each connection is a user of its own.
USERS = [int(n) for n in os.environ.get("BENCH_USERS", "1").split(",")]
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("LOAD_PORT") or _free_port())
TARGETS = {"form": 0.6, "review": 0.3}  # the throughput ratios to the trivial endpoint


def _server_env(**extra: str) -> dict:
    return {
        **os.environ,
        **extra,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }


def _start_server(**env: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "homeoffice.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_env(**env),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped ({server.returncode}); is port {PORT} free?")
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/bench/trivial/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _load(requests: list[tuple[str, dict]], seconds: float) -> dict:
    """CLIENTS keep-alive connections sending GET for `seconds`, connection i sending
    `requests[i % len(requests)]` (a path and its headers: one user's, or each connection a
    user of its own): requests a second and latency percentiles (ms). Any answer but 200 stops
    the run."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    failures: list[str] = []
    stop = time.perf_counter() + seconds

    def client(mine: list[float], path: str, headers: dict) -> None:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        while time.perf_counter() < stop and not failures:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(f"{path}: {response.status}")
            mine.append(time.perf_counter() - started)
        connection.close()

    threads = [
        threading.Thread(target=client, args=(mine, *requests[n % len(requests)]))
        for n, mine in enumerate(latencies)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(failures[0])
    every = [x for mine in latencies for x in mine]
    return {"rps": len(every) / elapsed, "latencies": every}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _paired(label: str, what: list, trivial: list, target: float) -> dict:
    """What and the trivial endpoint in turn, ROUNDS times each after a short warm-up."""
    _load(what, 1), _load(trivial, 1)
    a, b = [], []
    for _ in range(ROUNDS):
        a.append(_load(what, SECONDS))
        b.append(_load(trivial, SECONDS))

    def summary(runs):
        every = [x for run in runs for x in run["latencies"]]
        return {
            "rps": statistics.median(run["rps"] for run in runs),
            "p50_ms": _percentile(every, 50),
            "p99_ms": _percentile(every, 99),
            "requests": len(every),
        }

    row = {"what": label, **summary(a), "baseline": "trivial DRF endpoint"}
    row.update({f"baseline_{k}": v for k, v in summary(b).items()})
    row["ratio"] = row["rps"] / row["baseline_rps"]
    row["target_ratio"] = target
    return row


def _writes(token: str, home_id: int) -> dict:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    latencies = []
    for n in range(WRITES):
        body = json.dumps(
            {
                "home": home_id,
                "paid_on": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "payee": f"Load {n}",
                "category": "repairs",
                "amount": f"{10 + n % 90}.25",
                "scope": "indirect",
            }
        )
        started = time.perf_counter()
        connection.request("POST", "/api/bills/", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 201:
            raise SystemExit(f"POST /api/bills/: {response.status} {text[:300]!r}")
    connection.close()
    return {
        "what": "API bill saved (POST /api/bills/)",
        "requests": len(latencies),
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
    }


def _user(owner) -> dict:
    """What a client of `owner` sends: the API token, the admin's session and CSRF cookies (a
    browser's, after its first look at the review), the review's path and a home."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from forms8829.filing import chain_recompute
    from ledger.models import Bill, Home, TaxYear
    from review.links import review_url

    Bill.objects.filter(owner=owner, payee__startswith="Load ").delete()
    chain_recompute(owner=owner)  # what any write stores; the seed inserted in bulk
    token = Token.objects.get_or_create(user=owner)[0].key
    client = Client()
    client.force_login(owner)
    review = review_url(TaxYear.objects.get(owner=owner, year=2025).pk)
    client.get(review)  # as a browser's first look: the session's CSRF cookie is set
    cookies = {name: client.cookies[name].value for name in ("sessionid", "csrftoken")}
    return {
        "token": token,
        "api": {"Authorization": f"Token {token}"},
        "admin": {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())},
        "review": review,
        "home": Home.objects.owned_by(owner).order_by("id").first().pk,
    }


def measure_size(bills: int, users: int = 1) -> list[dict]:
    from benchmarks.seed import seed_users
    from ledger.models import Bill

    owners = seed_users(bills, users)
    # Each connection a user of its own when there are several (CLIENTS of them at most).
    clients = [_user(owner) for owner in owners[:CLIENTS]]
    mine = Bill.objects.filter(owner=owners[0]).count()
    forms = [("/api/forms/2025/", c["api"]) for c in clients]
    reviews = [(c["review"], c["admin"]) for c in clients]
    trivial = [("/bench/trivial/", c["api"]) for c in clients]

    server = _start_server()
    try:
        rows = [
            _paired("GET /api/forms/2025/", forms, trivial, TARGETS["form"]),
            _paired("admin year-end review", reviews, trivial, TARGETS["review"]),
        ]
        if mine <= 10_000:  # the write target is at 10,000 bills
            rows.append(_writes(clients[0]["token"], clients[0]["home"]))
    finally:
        server.terminate()
        server.wait()
    # The review as the first look after a write sees it: rendered every time (nothing kept).
    server = _start_server(REVIEW_PAGE_SECONDS="0")
    try:
        label = "admin year-end review, rendered every look"
        rows.append(_paired(label, reviews, trivial, None))
    finally:
        server.terminate()
        server.wait()
    Bill.objects.filter(owner__in=owners[:CLIENTS], payee__startswith="Load ").delete()
    for row in rows:
        row.update(bills=bills, users=users, bills_per_user=mine)
    return rows


def table(rows: list[dict]) -> str:
    from benchmarks.seed import size_label

    lines = [
        "| bills | what | req/s | p50 | p99 | trivial req/s | its p50 | its p99 | ratio (target) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "rps" in r:
            lines.append(
                f"| {size_label(r)} | {r['what']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} ms | "
                f"{r['p99_ms']:.1f} ms | {r['baseline_rps']:,.0f} | "
                f"{r['baseline_p50_ms']:.1f} ms | {r['baseline_p99_ms']:.1f} ms | "
                f"{r['ratio']:.2f}x "
                + (f"(>= {r['target_ratio']}x) |" if r["target_ratio"] else "(p99 < 300 ms) |")
            )
        else:
            lines.append(
                f"| {size_label(r)} | {r['what']}, {r['requests']} in a row | | "
                f"{r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | | | | (p99 < 150 ms) |"
            )
    return "\n".join(lines)


def main() -> None:
    scale = os.environ.get("BENCH_SCALE", "quick")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/load.sqlite3"
    os.environ.setdefault("RECEIPTS_ROOT", tempfile.mkdtemp())
    # One key for this process (which makes the session) and the server (which reads it).
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rows = []
    sizes = os.environ.get("BENCH_SIZES")
    for users in USERS:
        for bills in [int(n) for n in sizes.split(",")] if sizes else SCALES[scale]:
            rows += measure_size(bills, users)
            this = [r for r in rows if (r["bills"], r["users"]) == (bills, users)]
            print(table(this), flush=True)
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} CPUs, {platform.machine()}",
        "database": connection.vendor,
        "scale": sizes or scale,
        "users": USERS,
        "workers": WORKERS,
        "clients": CLIENTS,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "rows": rows,
    }
    target = ROOT / "var" / "bench" / f"load-{connection.vendor}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{report['date']}, {report['machine']}, {connection.vendor}: {target}")


if __name__ == "__main__":
    main()
