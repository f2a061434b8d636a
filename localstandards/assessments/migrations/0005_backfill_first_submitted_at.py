# The models of a migration are historical: read through their default manager, whatever it is named today.
# Returns submitted before first_submitted_at existed: their (only known) submission is their first.

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    Assessment = apps.get_model('assessments', 'Assessment')
    Assessment._default_manager.filter(first_submitted_at=None, submitted_at__isnull=False).update(
        first_submitted_at=F('submitted_at')
    )


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0004_notice_moved_to_notices'),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
