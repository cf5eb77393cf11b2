from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The year-end review: its page data, PDF, charts and support ZIP (presentation)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Year-end review"
