"""Finding a firm by part of its name at any size.

``name__icontains`` compares ``UPPER(name::text) LIKE UPPER('%…%')``. On PostgreSQL two GIN
indexes serve it: ``pg_trgm`` trigrams (migration 0007) for three characters or more, and for
two, which no trigram covers and which is the commonest search in Chinese (龙口, 福山), the
column ``name_pairs`` that PostgreSQL generates from the name (migration 0011; the models do
not name it). The lookup ``name__includes`` is ``icontains``, except that a 2-character search
on PostgreSQL asks ``name_pairs`` for the pair."""

from __future__ import annotations

from django.db.models.lookups import IContains, Lookup

PAIRS_COLUMN = "name_pairs"


class Includes(Lookup):
    lookup_name = "includes"

    def as_sql(self, compiler, connection):
        return compiler.compile(IContains(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        if not (isinstance(self.rhs, str) and len(self.rhs) == 2):
            return self.as_sql(compiler, connection)
        # The name holds the two characters exactly when its pairs hold them as one pair.
        qn = compiler.quote_name_unless_alias
        column = f"{qn(self.lhs.alias)}.{qn(PAIRS_COLUMN)}"
        return f"{column} @> ARRAY[UPPER(%s)]::text[]", (self.rhs,)
