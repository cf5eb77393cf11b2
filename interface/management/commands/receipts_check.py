"""`manage.py receipts_check [--fix] [--grace-minutes N]`: receipt files against their rows.

Lists the stored files no receipt uses (orphans: left by a worker killed in the middle of an
import, say) and the receipts whose file is missing; `--fix` deletes the orphans older than the
grace period (a younger one may belong to a write still running). Missing files cannot be made
again: upload them again or delete those receipts. Exits 1 when anything is wrong after the run.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from ledger.receipt_files import receipt_files_remove, receipt_files_scan


class Command(BaseCommand):
    help = "Find receipt files no receipt uses (and remove them with --fix), and missing files."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Delete the orphan files.")
        parser.add_argument(
            "--grace-minutes",
            type=float,
            default=60,
            help="Leave orphans younger than this alone (default 60).",
        )

    def handle(self, *args, fix=False, grace_minutes=60, **options):
        scan = receipt_files_scan(grace=dt.timedelta(minutes=grace_minutes))
        out = self.stdout
        out.write(f"{scan.stored} stored file(s).")
        for name in scan.orphans:
            out.write(f"orphan: {name}")
        for name in scan.recent_orphans:
            out.write(f"orphan, younger than {grace_minutes:g} minutes (left alone): {name}")
        for missing in scan.missing:
            out.write(
                f"missing: {missing.name} (receipt {missing.receipt_id} of user "
                f"{missing.owner_id}; upload it again or delete the receipt)"
            )
        removed = 0
        if fix and scan.orphans:
            removed = receipt_files_remove(scan.orphans)
            out.write(f"Removed {removed} orphan file(s).")
        left = len(scan.orphans) - removed
        out.write(
            f"{left} orphan(s), {len(scan.recent_orphans)} recent orphan(s), "
            f"{len(scan.missing)} missing file(s)."
        )
        if left or scan.missing:
            raise SystemExit(1)
