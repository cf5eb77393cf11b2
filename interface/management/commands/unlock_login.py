"""`manage.py unlock_login USERNAME` / `--ip ADDRESS` / `--all`: lift a login lockout now.

django-axes locks a username, or a client address, after too many failed logins (settings);
the lock ends by itself after LOGIN_LOCKOUT_MINUTES, or here.
"""

from axes.utils import reset
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Lift the login lockout of a username, of a client address, or of everyone."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="The username to unlock.")
        parser.add_argument("--ip", help="The client address to unlock.")
        parser.add_argument("--all", action="store_true", help="Unlock every username and address.")

    def handle(self, *args, username=None, ip=None, all=False, **options):
        if not (username or ip or all):
            raise CommandError("Name a USERNAME, an --ip ADDRESS, or --all.")
        if all:
            cleared = reset()
            what = "every username and address"
        else:
            cleared = reset(username=username, ip=ip)
            what = " and ".join(
                part
                for part in (
                    f"username '{username}'" if username else "",
                    f"address {ip}" if ip else "",
                )
                if part
            )
        self.stdout.write(f"Unlocked {what}: {cleared} failed-login record(s) cleared.")
