"""Speed at every size, each measurement beside its baseline in the same run: `make bench`.

For each database (SQLite in a temporary file; PostgreSQL when BENCH_PG_URL is set) and each
size of seeded ledger (`benchmarks/seed.py`: one user, two homes, 2018-2026, a receipt on one
bill in 50), every measurement and its baseline run in turn, A B A B ..., BENCH_RUNS times
(default 5), and the medians are reported with the query counts:

- ledger file export (`export_ledger --output`), ledger archive export (`--archive`) and the
  bills CSV export (`GET /api/bills/export.csv`, streamed to the end): time and peak RSS of
  the process (VmHWM), beside a bare streamed dump (the bills' rows read with fetchmany, from a
  server-side cursor on PostgreSQL, and written as JSON, in a process of its own likewise);
- one year's forms (`chain.year_forms`), computed and then served from what a write stored,
  beside one bare GROUP BY of the year's bills; the form's SQL for one year (the reads of the
  bills `ledger_inputs` runs), `ledger_inputs` for one year, beside the same GROUP BY, and one
  whole recompute (`chain_recompute`) with the engine's part, beside a GROUP BY of every year;
- imports, beside a bare batched insert of the same rows with their history rows (each run
  rolled back): the whole seeded ledger's file imported into a new user (receipts left out);
  as many bills as the ledger holds in 10 CSV files into the ledger; and the 1st and the 10th
  CSV file of 1,000 bills into the ledger (each sequence of 10 files BENCH_RUNS times);
- the API's bills: first page, last page by number, a page by cursor, beside a trivial
  authenticated DRF endpoint; the admin bill list, its last page and a search, beside the
  admin index.

Each measured call starts with the garbage of those before it collected (not timed), and reports
this process's CPU time beside the wall clock: on SQLite that is the database's work too, and it
moves less than the wall clock with the machine's other load. Each run of an in-process
measurement is called at its own extra call depth, the runs spread over one chunk of CPython
3.11's frame stack, its baseline at the same depth (`DEPTH_PERIOD`: what a page costs depends
on where the chunks' boundaries fall in its calls); the JSON gives each measurement's fastest
and slowest run beside the medians (`seconds_range`).

Sizes: BENCH_SCALE=quick (default: 1,000 and 10,000 bills), large (adds 100,000), full (adds
1,000,000; seeding takes minutes); BENCH_SIZES=1000000 (comma-separated) names the sizes
instead. BENCH_USERS=1,10,100 (default 1) shares each size's bills among that many users in the
same database, a ledger each (`seed.seed_users`), and measures one of them: a typical user
among others, beside baselines over that user's own bills. The imports run up to IMPORTS_UP_TO
bills a user (100,000, the size of the issue's import targets: at a million each import run
takes many minutes). BENCH_ONLY=imports measures the imports only, BENCH_ONLY=forms the form's
SQL and a recompute only, BENCH_ONLY=lists the API's and the admin's bill lists only. The JSON
report goes to var/bench/scale-<database>.json (scale-<database>-<only>.json with BENCH_ONLY) and a
Markdown table to standard output (the README's Speed section shows the last one).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.settings")

SCALES = {
    "quick": [1_000, 10_000],
    "large": [1_000, 10_000, 100_000],
    "full": [10_000, 100_000, 1_000_000],
}
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# How many users share each size's bills (1, 10, 100: a typical user among others).
USERS = [int(n) for n in os.environ.get("BENCH_USERS", "1").split(",")]
IMPORTS_UP_TO = 100_000
ONLY = os.environ.get("BENCH_ONLY", "")  # "imports": the imports alone; "forms": form SQL
if ONLY not in ("", "imports", "forms", "lists"):
    raise SystemExit(
        f"BENCH_ONLY={ONLY}: expected imports, forms or lists (or nothing, for everything)"
    )
PYTHON = sys.executable


# --------------------------------------------------------------------------------------------
# The child: one measurement in its own process, so its peak RSS is its own.


def child(mode: str, username: str, out: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    owner = get_user_model().objects.get(username=username)
    start = time.perf_counter()
    with connection.execute_wrapper(count):
        CHILD_MODES[mode](owner, out)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "queries": queries, "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's peak RSS: VmHWM belongs to the process's own memory since its exec (the
    kernel's ru_maxrss also counts the parent's size at the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_json(owner, out):
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("export_ledger", "--user", owner.username, "--output", out, stdout=quiet)


def _export_archive(owner, out):
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("export_ledger", "--user", owner.username, "--archive", out, stdout=quiet)


def _export_csv(owner, out):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from interface.api.views import BillViewSet

    request = APIRequestFactory().get("/api/bills/export.csv")
    force_authenticate(request, owner)
    response = BillViewSet.as_view({"get": "export_csv"})(request)
    with open(out, "wb") as file:
        for chunk in response.streaming_content:
            file.write(chunk)


def _bare_dump(owner, out):
    """The floor of any export: the bills' columns read in chunks and written as JSON. Read
    as the exports read (`iterator(chunk_size=...)`): from a server-side cursor on PostgreSQL,
    whose rows come 2,000 a round trip (a client-side cursor would hold every row at once:
    313 MiB at a million bills), so that the baseline streams as they do."""
    from django.db import connection

    with connection.chunked_cursor() as cursor, open(out, "w") as file:
        cursor.execute(
            "SELECT paid_on, payee, category, amount, scope, business_use_percent, "
            "service_start, service_end, note, home_id FROM ledger_bill WHERE owner_id = %s "
            "ORDER BY paid_on, payee, amount, id",
            [owner.pk],
        )
        file.write("[")
        while rows := cursor.fetchmany(2000):
            for row in rows:
                file.write(json.dumps([str(v) for v in row], indent=2) + ",\n")
        file.write("]\n")


CHILD_MODES = {
    "export_json": _export_json,
    "export_archive": _export_archive,
    "export_csv": _export_csv,
    "bare_dump": _bare_dump,
}


def run_child(database: str, mode: str, username: str) -> dict:
    """Run one child; its time, queries and peak RSS (MiB)."""
    out = tempfile.mktemp(dir=os.environ["BENCH_TMP"])
    env = {**os.environ, "DATABASE_URL": database}
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, __file__, "child", mode, username, out], env=env, stdout=subprocess.PIPE
    )
    stdout = process.stdout.read()
    status = process.wait()
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{mode} failed ({status})")
    Path(out).unlink(missing_ok=True)
    return {**json.loads(stdout.decode().strip().splitlines()[-1]), "wall": wall}


# --------------------------------------------------------------------------------------------
# In-process measurements


# What a call costs on CPython 3.11 depends on where its frame stack's chunk boundaries fall in
# it, so on how deep it is called from (`homeoffice.frame_stack`, which gives each request room;
# the forms' SQL and the imports timed here are not requests). So each run of a measurement
# is called at another depth, spread over a chunk (`paired`), A and B of a run at the same one,
# and the medians are over depths as well as runs.
DEPTH_PERIOD = 140  # frames of `_at_depth` in a 16 KiB chunk, about (measured: the costs repeat)
_depth = 0


def _at_depth(n: int, fn):
    """`fn()`, called `n` frames deeper than this call."""
    return fn() if n <= 0 else _at_depth(n - 1, fn)


def timed(fn) -> dict:
    """Wall time, this process's CPU time (on SQLite the database's work too, and less moved by
    the machine's other load than the wall clock) and queries of `fn()`, called at this run's
    depth (`_depth`). The garbage of what ran before is collected first, not timed, so that no
    run pays for its predecessors'."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def measured() -> tuple[float, float]:
        gc.collect()
        with connection.execute_wrapper(count):
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            return time.perf_counter() - start, time.process_time() - cpu

    seconds, cpu_seconds = _at_depth(_depth, measured)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "queries": queries}


def paired(label: str, fn_a, fn_b, base_label: str, runs: int = RUNS) -> dict:
    """A and B in turn, `runs` times each after one warm-up of each, each run at its own extra
    call depth (`DEPTH_PERIOD`); medians and ratio, and the fastest and slowest run of each."""
    global _depth
    fn_a(), fn_b()
    a, b = [], []
    try:
        for run in range(runs):
            _depth = run * DEPTH_PERIOD // runs
            a.append(fn_a())
            b.append(fn_b())
    finally:
        _depth = 0

    def median(rows, key):
        return statistics.median(row[key] for row in rows if key in row)

    row = {"what": label, "baseline": base_label}
    for key in ("seconds", "peak_mib"):
        if key in a[0]:
            row[key] = median(a, key)
            row[f"baseline_{key}"] = median(b, key)
    row["seconds_range"] = [min(r["seconds"] for r in a), max(r["seconds"] for r in a)]
    row["baseline_seconds_range"] = [min(r["seconds"] for r in b), max(r["seconds"] for r in b)]
    for key in a[0].keys() - {"seconds", "peak_mib", "queries", "wall"}:
        row[key] = median(a, key)  # A's own parts (`engine_timed`)
    row["queries"] = a[-1]["queries"]
    row["baseline_queries"] = b[-1]["queries"]
    row["ratio"] = row["seconds"] / row["baseline_seconds"] if row["baseline_seconds"] else None
    return row


def measure_size(database: str, bills: int, users: int = 1) -> list[dict]:
    from benchmarks.seed import seed_users
    from forms8829 import chain
    from forms8829.filing import chain_recompute
    from forms8829.models import ServedChain
    from ledger.models import Bill

    owners = seed_users(bills, users)
    owner = owners[0]  # a typical user: each holds as many bills (the first, the rest too)
    _vacuum()  # every measurement reads the tables as autovacuum keeps them, not as seeded
    username = owner.username
    mine = Bill.objects.filter(owner=owner).count()

    def stamped(rows):
        return _stamped(rows, bills, users=users, per_user=mine)

    if ONLY == "imports":
        return stamped(measure_imports(owner, mine))
    if ONLY == "forms":
        return stamped(measure_forms(owner))
    if ONLY == "lists":
        return stamped(measure_lists(owner))
    rows = []

    def child_run(mode):
        return lambda: run_child(database, mode, username)

    bare = child_run("bare_dump")
    for label, mode in [
        ("ledger file export", "export_json"),
        ("ledger archive export", "export_archive"),
        ("bills CSV export (API)", "export_csv"),
    ]:
        rows.append(paired(label, child_run(mode), bare, "bare streamed dump", runs=min(RUNS, 3)))

    # One year's forms beside one GROUP BY of the year's bills.
    def group_by():
        bare_group_by(owner, [2025])

    # Computed from the ledger (the seed wrote in bulk, outside a batch: nothing to serve), then
    # served from what a write stores (forms8829.served).
    ServedChain.objects.filter(owner=owner).delete()
    rows.append(
        paired(
            "one year's forms (2025), computed",
            lambda: timed(lambda: chain.year_forms(owner=owner, year=2025)),
            lambda: timed(group_by),
            "bare GROUP BY",
        )
    )
    chain_recompute(owner=owner)
    rows.append(
        paired(
            "one year's forms (2025), served",
            lambda: timed(lambda: chain.year_forms(owner=owner, year=2025)),
            lambda: timed(group_by),
            "bare GROUP BY",
        )
    )

    rows += measure_lists(owner)
    rows += measure_forms(owner)
    if mine <= IMPORTS_UP_TO:
        rows += measure_imports(owner, mine)
    return stamped(rows)


def measure_lists(owner) -> list[dict]:
    """The API's bills (first page, last page by number, a page by cursor) beside a trivial
    authenticated DRF endpoint; the admin bill list, its last page and a search beside the admin
    index."""
    from django.contrib import admin
    from django.test import Client
    from django.urls import reverse
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate
    from rest_framework.views import APIView

    from interface.api.views import BillViewSet
    from interface.paging import COUNT_CAP
    from ledger.models import Bill

    rows = []
    # The lists are read as a database in use is (autovacuum): with the planner's statistics
    # and a visibility map (index-only reads of a page's keys), not as the seeding left it.
    _vacuum()

    # Lists, beside a trivial authenticated DRF endpoint and the admin index.
    class Trivial(APIView):
        permission_classes = [IsAuthenticated]

        def get(self, request):
            return Response({})

    factory = APIRequestFactory()

    def api(view, url):
        def call():
            request = factory.get(url)
            force_authenticate(request, owner)
            response = view(request)
            response.render()
            assert response.status_code == 200, response.status_code
            return response

        return lambda: timed(call)

    bills_list = BillViewSet.as_view({"get": "list"})
    last_page = max(1, -(-Bill.objects.owned_by(owner).count() // 50))
    trivial = api(Trivial.as_view(), "/api/trivial/")
    first_page = factory.get("/api/bills/?cursor=")
    force_authenticate(first_page, owner)
    following = json.loads(bills_list(first_page).render().content)["next"]
    for label, url in [
        ("API bills, first page", "/api/bills/"),
        ("API bills, last page (?page=N)", f"/api/bills/?page={last_page}"),
        ("API bills, a page by cursor", following),
    ]:
        rows.append(paired(label, api(bills_list, url), trivial, "trivial DRF endpoint"))

    client = Client()
    client.force_login(owner)
    changelist = reverse("admin:ledger_bill_changelist")
    # The admin's last page: pages count from 1 (`?p=1` is the first) up to the capped count.
    per_page = admin.site._registry[Bill].list_per_page
    last_admin = max(1, -(-min(Bill.objects.owned_by(owner).count(), COUNT_CAP) // per_page))

    def page(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return lambda: timed(call)

    index = page(reverse("admin:index"))
    for label, url in [
        ("admin bill list", changelist),
        ("admin bill list, last page", f"{changelist}?p={last_admin}"),
        ("admin bill list, search", f"{changelist}?q=Water"),
    ]:
        rows.append(paired(label, page(url), index, "admin index"))
    return rows


def bare_group_by(owner, years: list[int]) -> None:
    """The floor of the form's SQL: one GROUP BY of the years' bills by home, category and
    scope, summing the amounts."""
    from django.db.models import Sum

    from ledger.models import Bill

    list(
        Bill.objects.owned_by(owner)
        .filter(tax_year__in=years)
        .values("home_id", "category", "scope")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def engine_timed(fn) -> dict:
    """`timed(fn)`, with the time spent in the engine (`forms8829.engine.compute_form`, the
    pure arithmetic every form goes through) as `engine_seconds`."""
    from forms8829 import engine

    compute = engine.compute_form
    spent = 0.0

    def counted(inp):
        nonlocal spent
        start = time.perf_counter()
        try:
            return compute(inp)
        finally:
            spent += time.perf_counter() - start

    engine.compute_form = counted
    try:
        row = timed(fn)
    finally:
        engine.compute_form = compute
    return {**row, "engine_seconds": spent}


def measure_forms(owner) -> list[dict]:
    """The form's SQL and what is around it: the reads of one year's bills that
    `ledger_inputs` runs (`selectors.bill_rows`, each row fetched as the ORM gives it), the
    whole of `ledger_inputs` for that year, and one whole recompute (`chain_recompute`: every
    year computed and stored) with the engine's part of it; each beside a bare GROUP BY of the
    same bills."""
    from forms8829.filing import chain_recompute
    from forms8829.selectors import bill_rows, homes_in_use, ledger_inputs, office_areas_prefetch
    from ledger.models import Home, TaxYear

    homes = Home.objects.owned_by(owner).prefetch_related(office_areas_prefetch())
    in_use = homes_in_use(homes)
    all_years = list(TaxYear.objects.owned_by(owner).values_list("year", flat=True))

    def form_sql():
        bill_rows(owner=owner, years=[2025], in_use=in_use)

    runs = max(RUNS, 9)
    return [
        paired(
            "the form's SQL, one year (2025)",
            lambda: timed(form_sql),
            lambda: timed(lambda: bare_group_by(owner, [2025])),
            "bare GROUP BY",
            runs=runs,
        ),
        paired(
            "ledger_inputs, one year (2025)",
            lambda: timed(lambda: ledger_inputs(owner=owner, years=[2025])),
            lambda: timed(lambda: bare_group_by(owner, [2025])),
            "bare GROUP BY",
            runs=runs,
        ),
        paired(
            "whole recompute (chain_recompute), engine's part",
            lambda: engine_timed(lambda: chain_recompute(owner=owner)),
            lambda: timed(lambda: bare_group_by(owner, all_years)),
            "bare GROUP BY, all years",
        ),
    ]


def _stamped(rows: list[dict], bills: int, *, users: int, per_user: int) -> list[dict]:
    from django.db import connection

    for row in rows:
        row.update(bills=bills, users=users, bills_per_user=per_user, database=connection.vendor)
    return rows


def _vacuum() -> None:
    """On PostgreSQL, VACUUM ANALYZE the bills, their history and the receipts before a run (not
    timed), as autovacuum keeps a database in use: the rows a rolled-back run inserted are dead
    tuples in the table and its indexes until a vacuum, and without one the next run's
    duplicate check walks them (32,742 index entries for 4 days of a 100,000-bill ledger after
    the first runs, against some 120 live bills); and a table never analysed since the seed
    wrote it is planned from no statistics (the receipts of a page's 50 bills, at a million
    bills: a sequential scan of the 20,000 receipts, 3.6 ms, instead of their index, 0.05 ms)."""
    from django.db import connection

    from ledger.models import Bill, Receipt

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = [Bill._meta.db_table, Bill.history.model._meta.db_table, Receipt._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def measure_imports(owner, bills: int) -> list[dict]:
    """The imports beside a bare batched insert of the same rows with their history rows; each
    run (and each sequence of CSV files) in a transaction rolled back, so every run starts from
    the same seeded ledger."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from forms8829.filing import bills_csv_import, ledger_file_import
    from ledger.models import Bill, Home

    home = Home.objects.filter(owner=owner).order_by("id").first()
    rows = []

    def rolled_back(fn):
        def run():
            _vacuum()
            with transaction.atomic():
                result = fn()
                transaction.set_rollback(True)
            return result

        return run

    def bare_insert(made: list) -> dict:
        # A copy each run: bulk_create sets the primary keys it inserted.
        copies = [
            Bill(**{f.attname: getattr(b, f.attname) for f in Bill._meta.concrete_fields})
            for b in made
        ]
        return rolled_back(
            lambda: timed(
                lambda: bulk_create_with_history(copies, Bill, batch_size=1000, default_user=owner)
            )
        )()

    def csv_rows(tag: str, count: int) -> list[tuple]:
        return [
            (f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{tag} {i}", f"{i % 1000}.17")
            for i in range(count)
        ]

    def csv_of(tag: str, count: int) -> str:
        lines = ["home,paid_on,payee,category,amount"]
        lines += [
            f"{home.key},{day},{payee},utilities,{amount}"
            for day, payee, amount in csv_rows(tag, count)
        ]
        return "\n".join(lines)

    def bills_of(tag: str, count: int) -> list:
        return [
            Bill(
                owner=owner,
                home=home,
                paid_on=day,
                tax_year=2026,
                payee=payee,
                category="utilities",
                amount=amount,
            )
            for day, payee, amount in csv_rows(tag, count)
        ]

    def row(label, a: list[dict], b: list[dict], base_label: str, **extra) -> dict:
        seconds = statistics.median(r["seconds"] for r in a)
        base = statistics.median(r["seconds"] for r in b)
        return {
            "what": label,
            "baseline": base_label,
            "seconds": seconds,
            "baseline_seconds": base,
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in a),
            "baseline_cpu_seconds": statistics.median(r["cpu_seconds"] for r in b),
            "each_seconds": [r["seconds"] for r in a],
            "each_cpu_seconds": [r["cpu_seconds"] for r in a],
            "queries": a[-1]["queries"],
            "baseline_queries": b[-1]["queries"],
            "ratio": seconds / base,
            "runs": len(a),
            **extra,
        }

    big_runs = RUNS if bills < 100_000 else min(RUNS, 3)

    # The whole ledger's file (export_ledger's output, parsed once) into a new user, receipts
    # left out; beside the same bills inserted bare for the seeded owner.
    path = tempfile.mktemp(dir=os.environ["BENCH_TMP"], suffix=".json")
    with open(os.devnull, "w") as quiet:
        call_command("export_ledger", "--user", owner.username, "--output", path, stdout=quiet)
    parse_start = time.perf_counter()
    with open(path, "rb") as file:
        data = json.load(file)
    parse_seconds = time.perf_counter() - parse_start
    Path(path).unlink()
    fields = [f.attname for f in Bill._meta.concrete_fields if f.attname != "id"]
    same_bills = [Bill(**row) for row in Bill.objects.filter(owner=owner).values(*fields)]

    def ledger_once(n: int) -> dict:
        def run():
            newcomer = get_user_model().objects.create(username=f"{owner.username}-import-{n}")
            return timed(
                lambda: ledger_file_import(owner=newcomer, data=data, without_receipts=True)
            )

        return rolled_back(run)()

    a, b = [], []
    for n in range(big_runs):
        a.append(ledger_once(n))
        b.append(bare_insert(same_bills))
    rows.append(
        row(
            f"ledger file import, {bills:,} bills",
            a,
            b,
            "bare batched insert with history",
            parse_seconds=parse_seconds,
        )
    )

    # As many bills as the ledger holds, in 10 CSV files, into the ledger.
    per_file = max(1, bills // 10)
    files = [csv_of(f"Big {n}", per_file) for n in range(10)]
    all_bills = [b for n in range(10) for b in bills_of(f"Big {n}", per_file)]

    def ten_files() -> dict:
        def run():
            each = [
                timed(lambda f=f: bills_csv_import(owner=owner, data=f, dry_run=False))
                for f in files
            ]
            return {
                "seconds": sum(r["seconds"] for r in each),
                "cpu_seconds": sum(r["cpu_seconds"] for r in each),
                "queries": sum(r["queries"] for r in each),
                "files": [r["seconds"] for r in each],
            }

        return rolled_back(run)()

    a, b = [], []
    for _ in range(big_runs):
        a.append(ten_files())
        b.append(bare_insert(all_bills))
    rows.append(
        row(
            f"CSV import, {10 * per_file:,} bills in 10 files",
            a,
            b,
            "bare batched insert with history",
            files_seconds=[statistics.median(r["files"][i] for r in a) for i in range(10)],
        )
    )

    # The 1st and the 10th CSV file of 1,000 bills into the ledger, the sequence RUNS times
    # (after one warm-up file), beside a bare insert of 1,000 bills.
    thousand = [csv_of(f"Import {n}", 1000) for n in range(1, 11)]
    rolled_back(lambda: bills_csv_import(owner=owner, data=thousand[0], dry_run=False))()

    def sequence() -> list[dict]:
        return rolled_back(
            lambda: [
                timed(lambda f=f: bills_csv_import(owner=owner, data=f, dry_run=False))
                for f in thousand
            ]
        )()

    firsts, tenths, base = [], [], []
    bare_thousand = bills_of("Bare", 1000)
    for _ in range(RUNS):
        done = sequence()
        firsts.append(done[0])
        tenths.append(done[-1])
        base.append(bare_insert(bare_thousand))
    rows.append(
        row("CSV import, 1st file of 1,000", firsts, base, "bare batched insert with history")
    )
    rows.append(
        row(
            "CSV import, 10th file of 1,000",
            tenths,
            base,
            "bare batched insert with history",
            tenth_over_first=statistics.median(r["seconds"] for r in tenths)
            / statistics.median(r["seconds"] for r in firsts),
            # The fastest of each: the run least slowed by the machine's other load.
            tenth_over_first_min=min(r["seconds"] for r in tenths)
            / min(r["seconds"] for r in firsts),
            tenth_over_first_cpu=statistics.median(r["cpu_seconds"] for r in tenths)
            / statistics.median(r["cpu_seconds"] for r in firsts),
        )
    )
    return rows


def table(rows: list[dict]) -> str:
    from benchmarks.seed import size_label

    lines = [
        "| bills | what | median | peak RSS | queries | baseline | its median | its RSS | ratio |",
        "|---:|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        rss = f"{r['peak_mib']:.0f} MiB" if "peak_mib" in r else ""
        base_rss = f"{r['baseline_peak_mib']:.0f} MiB" if "baseline_peak_mib" in r else ""
        what = r["what"]
        if "engine_seconds" in r:
            what += (
                f": {r['engine_seconds'] * 1000:,.1f} ms, {r['engine_seconds'] / r['seconds']:.0%}"
            )
        lines.append(
            f"| {size_label(r)} | {what} | {r['seconds'] * 1000:,.1f} ms | {rss} | "
            f"{r['queries']} | {r['baseline']} | {r['baseline_seconds'] * 1000:,.1f} ms | "
            f"{base_rss} | {r['ratio']:.2f}x |"
        )
    for r in rows:
        if "tenth_over_first" in r:
            lines.append(
                f"\n{size_label(r)} bills: the 10th CSV file over the 1st: wall "
                f"{r['tenth_over_first']:.2f}x (medians), {r['tenth_over_first_min']:.2f}x "
                f"(fastest runs), CPU of this process {r['tenth_over_first_cpu']:.2f}x"
            )
    return "\n".join(lines)


def main() -> None:
    scale = os.environ.get("BENCH_SCALE", "quick")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/scale.sqlite3"
    database = os.environ["DATABASE_URL"]
    os.environ["BENCH_TMP"] = tempfile.mkdtemp()
    os.environ.setdefault("RECEIPTS_ROOT", tempfile.mkdtemp())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rows = []
    sizes = os.environ.get("BENCH_SIZES")
    for users in USERS:
        for bills in [int(n) for n in sizes.split(",")] if sizes else SCALES[scale]:
            rows += measure_size(database, bills, users)
            this = [r for r in rows if (r["bills"], r["users"]) == (bills, users)]
            print(table(this), flush=True)
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} CPUs, {_memory_gib()} GiB, {platform.machine()}",
        "database": connection.vendor,
        "scale": sizes or scale,
        "users": USERS,
        "runs": RUNS,
        "only": ONLY or None,
        "load_average": os.getloadavg(),
        "rows": rows,
    }
    suffix = f"-{ONLY}" if ONLY else ""
    target = ROOT / "var" / "bench" / f"scale-{connection.vendor}{suffix}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{report['date']}, {report['machine']}, {connection.vendor}: {target}")


def _memory_gib() -> int:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0
    return round(pages / 1024**3)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(*sys.argv[2:5])
    else:
        main()
