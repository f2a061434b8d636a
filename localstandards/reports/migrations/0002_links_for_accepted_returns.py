# The models of a migration are historical: read through their default manager, whatever it is named today.
# The public link is now made when a return is accepted (before, on the first GET of its results page):
# accepted returns that never had their page opened get theirs here.

import secrets

from django.db import migrations


def make_links(apps, schema_editor):
    Assessment = apps.get_model('assessments', 'Assessment')
    PublicLink = apps.get_model('reports', 'PublicLink')
    missing = Assessment._default_manager.filter(status='accepted', public_link__isnull=True).values_list('pk', flat=True)
    PublicLink._default_manager.bulk_create(
        [PublicLink(assessment_id=pk, slug=secrets.token_urlsafe(24)) for pk in missing], batch_size=1000
    )


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
        ('assessments', '0005_backfill_first_submitted_at'),
    ]

    operations = [migrations.RunPython(make_links, migrations.RunPython.noop)]
