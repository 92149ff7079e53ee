"""A ministry target's achieved count (dashboards.selectors.progress): the active titles of a kind announced
by a date, over the whole country, from an index range that holds exactly them. register_kind_level has
the level between the kind and the date, so such a count read every title of the kind (60,000 index
entries of 100,000 titles for factories, 45 ms on PostgreSQL); this index reads those it counts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0001_initial"),
        ("register", "0011_pgsearch_ordered_fulltext"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registerentry",
            index=models.Index(fields=["status", "kind", "announced_on"], name="register_kind_announced"),
        ),
    ]
