from django.apps import AppConfig


class Forms8829Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forms8829"
    verbose_name = "Form 8829"

    def ready(self):
        from forms8829.served import connect_signals

        connect_signals()
