# The data-quality flags now belong to assessments (its migration 0003 adopted and renamed the table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0001_initial'),
        ('assessments', '0003_move_quality_flag_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name='qualityflag', name='one_flag_per_kind'),
                migrations.DeleteModel(name='QualityFlag'),
            ],
        ),
    ]
