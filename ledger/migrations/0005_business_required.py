"""Every office area names its business (0004 gave each existing one its user's business).

A migration of its own: PostgreSQL cannot alter a table in the transaction that updated its rows
with deferred foreign-key checks pending."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_businesses")]

    operations = [
        migrations.AlterField(
            model_name="officearea",
            name="business",
            field=models.ForeignKey(
                blank=True,
                help_text="The business that uses this area (blank: your first business).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="office_areas",
                to="ledger.business",
            ),
        ),
    ]
