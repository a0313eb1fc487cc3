from django.db import migrations


def seed(apps, schema_editor):
    from enforcement.legal_bases import rows

    LegalBasis = apps.get_model("enforcement", "LegalBasis")
    for row in rows():
        LegalBasis.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
