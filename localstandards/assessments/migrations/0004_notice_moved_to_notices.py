# Notice now belongs to notices (its migration 0002 adopted and renamed the table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0003_move_quality_flag_here'),
        ('notices', '0002_notice_moved_here_and_outbox'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='Notice')]),
    ]
