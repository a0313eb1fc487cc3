"""A 2-character search by name served by an index on PostgreSQL (``enterprises/search.py``).

A trigram index (0007) cannot serve ``LIKE '%龙口%'``: two characters make no trigram, so the
search walked the name index through most of 200,000 firms (500 ms a page). The table gains a
column the models do not name, ``name_pairs``: the upper-cased name's character pairs, generated
by PostgreSQL on every insert and rename (COPY and the ORM alike; 11 µs a name), under a GIN
index. Stored, not an index on the expression: a bitmap scan re-checks every row it finds, and
computing the pairs again there cost 7 µs a row (150 ms for 20,000 firms named 龙口…).
SQLite has no such column: there the migration does nothing and the search scans.

A later change of the ``name`` column's type must drop and re-add ``name_pairs`` around it."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION enterprise_name_pairs(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i)
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "ALTER TABLE enterprises_enterprise ADD COLUMN name_pairs text[] "
        "GENERATED ALWAYS AS (enterprise_name_pairs(UPPER(name::text))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX enterprise_name_pairs ON enterprises_enterprise USING gin (name_pairs)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE enterprises_enterprise DROP COLUMN name_pairs")
    schema_editor.execute("DROP FUNCTION enterprise_name_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_open_firms_by_name"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
