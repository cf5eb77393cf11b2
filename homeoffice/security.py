"""Checks the settings run before the app starts in production (DEBUG off).

Imported by `homeoffice.settings`, so it must not import Django's apps, models or settings.
"""

from __future__ import annotations

# Keys that have been published (this project's local default, Django's placeholder, examples).
KNOWN_KEYS = frozenset(
    {
        "dev-only-insecure-key-homeoffice-change-me",
        "change-me",
        "changeme",
        "secret",
        "secret-key",
        "your-secret-key",
    }
)
# Django's placeholder, this project's local default, the README's example.
PUBLISHED_PREFIXES = ("django-insecure", "dev-only-insecure", "replace-me")
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign production sessions and tokens, or None when it can.

    The rule is Django's own `check --deploy` rule (security.W009), made an error: at least 50
    characters, at least 5 different ones, not a `django-insecure-` key; and not a published one.
    """
    if not key:
        return "SECRET_KEY is not set"
    if key in KNOWN_KEYS or key.lower().startswith(PUBLISHED_PREFIXES):
        return "SECRET_KEY is a published default key"
    if len(key) < MIN_LENGTH:
        return f"SECRET_KEY has {len(key)} characters; it needs at least {MIN_LENGTH}"
    if len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return f"SECRET_KEY needs at least {MIN_UNIQUE_CHARACTERS} different characters"
    return None
