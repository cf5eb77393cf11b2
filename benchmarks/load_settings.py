"""The project's settings with one more URL for the load benchmark (benchmarks/load.py): a
trivial authenticated DRF endpoint, `/bench/trivial/`, served by the same gunicorn."""

from homeoffice.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
