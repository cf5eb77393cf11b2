from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    """The edges: the admin, the REST API, the receipt download and the management commands."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interface"
    verbose_name = "Interface"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        post_migrate.connect(_owner_group, sender=self)
        user_logged_in.connect(_time_zone_at_login, dispatch_uid="time-zone-at-login")


def _owner_group(**kwargs):
    # After every migrate (the permissions exist by then): the ledger owners' group, exactly.
    from interface.accounts import owner_group_sync

    owner_group_sync()


def _time_zone_at_login(sender, request, user, **kwargs):
    # The person's time zone, kept in the session for the rest of it (no query per request).
    from interface.admin_account import remember_time_zone
    from interface.models import account_of

    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, account_of(user))
