"""Each bill stores its duplicate key (`ledger.models.duplicate_key`: home, paid date, payee in
any case, amount), indexed with its owner, so a repeat check looks up the candidate keys only.
The existing bills' keys are filled here, before the index is built."""

from django.conf import settings
from django.db import migrations, models

from ledger.models import duplicate_key

CHUNK = 2_000


def fill_keys(apps, schema_editor):
    Bill = apps.get_model("ledger", "Bill")
    rows = (
        Bill.objects.order_by("id")
        .values_list("id", "home_id", "paid_on", "payee", "amount")
        .iterator(chunk_size=CHUNK)
    )
    table = schema_editor.quote_name(Bill._meta.db_table)
    sql = f"UPDATE {table} SET duplicate_key = %s WHERE id = %s"
    with schema_editor.connection.cursor() as cursor:
        batch = []
        for pk, home_id, paid_on, payee, amount in rows:
            batch.append((duplicate_key(home_id, paid_on, payee, amount), pk))
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_worksheet_line_11"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bill",
            name="duplicate_key",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="bill",
            index=models.Index(fields=["owner", "duplicate_key"], name="bill_owner_duplicate_key"),
        ),
    ]
