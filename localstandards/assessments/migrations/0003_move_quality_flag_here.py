# The data-quality flags moved from progress to assessments (the review reads them, the submission writes them):
# the table is kept with its rows, adopted in the state here and renamed; progress 0002 forgets it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0002_first_submitted_at'),
        ('frameworks', '0001_initial'),
        ('progress', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='QualityFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('previous_round', 'Far from the previous round'), ('peer_outlier', 'Far from peers of the same type')], max_length=20)),
                        ('value', models.DecimalField(decimal_places=6, max_digits=20)),
                        ('reference', models.DecimalField(decimal_places=6, max_digits=20)),
                        ('score', models.DecimalField(decimal_places=3, help_text='Relative change, or robust z-score for peers.', max_digits=12)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('checked_at', models.DateTimeField(blank=True, null=True)),
                        ('comment', models.TextField(blank=True)),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quality_flags', to='assessments.assessment')),
                        ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='frameworks.indicator')),
                    ],
                    options={
                        'verbose_name': 'data-quality flag',
                        'verbose_name_plural': 'data-quality flags',
                        'ordering': ['assessment', 'indicator__code', 'kind'],
                        'db_table': 'progress_qualityflag',
                    },
                ),
                migrations.AddConstraint(
                    model_name='qualityflag',
                    constraint=models.UniqueConstraint(fields=('assessment', 'indicator', 'kind'), name='one_flag_per_kind'),
                ),
            ],
        ),
        migrations.AlterModelTable(name='qualityflag', table=None),
    ]
