"""The `thai` collation on PostgreSQL (ICU, th-TH); SQLite registers one of the same name on each connection
(localstandards/core/collation.py). CreateCollation does nothing on other databases."""

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = [CreateCollation("thai", provider="icu", locale="th-TH")]
