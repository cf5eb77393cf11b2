from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    """The edges: the admin, the REST API, the receipt download and the management commands."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interface"
    verbose_name = "Interface"
