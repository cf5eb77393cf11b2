"""The database cache's table (settings.CACHES), made by `migrate` so that nothing else must run.

`createcachetable` makes the table of each database cache in settings and skips those that exist
(and any cache that is not a database cache, such as Redis); undoing it leaves the table.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
