"""The yearly county scoring is the evaluation (年终考核); "assessment" means only 自评."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="AssessmentCriterion", new_name="EvaluationCriterion"),
    ]
