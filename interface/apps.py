from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    """The edges: the admin, the REST API, the receipt download and the management commands."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interface"
    verbose_name = "Interface"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_owner_group, sender=self)


def _owner_group(**kwargs):
    # After every migrate (the permissions exist by then): the ledger owners' group, exactly.
    from interface.accounts import owner_group_sync

    owner_group_sync()
