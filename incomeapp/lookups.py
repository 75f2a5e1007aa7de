"""`field__any=values`: the rows whose field is one of `values`, as `__in` says it, but sent to PostgreSQL as one array
parameter (`field = ANY(%s)`).

An `IN` list of thousands of values is one placeholder per value: Django prepares each, psycopg parses each out of the
query text, and PostgreSQL plans a list that long. The arrears review's queries each named the 5,000 accounts or
tenancies of a chunk, and building those lists cost more than running the queries (docs/benchmarks.md). On other
databases (SQLite in tests) it is `__in`. Pass a set where speed matters: Django looks at each item of a list or
tuple in case it is an expression. Registered for every field and foreign key when incomeapp is ready
(`IncomeAppConfig`).
"""

from django.core.exceptions import EmptyResultSet
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _ArrayParameter:
    lookup_name = "any"

    def get_prep_lookup(self):
        """Whole numbers (ids) are sent as they are: preparing each of thousands one by one was the slow part."""
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            values = [value for value in dict.fromkeys(self.rhs) if value is not None]  # NULL never equals anything
            if {type(value) for value in values} <= {int}:
                return values
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():  # a subquery: as `__in`
            return super().as_sql(compiler, connection)
        values = [value for value in dict.fromkeys(self.rhs) if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if {type(value) for value in values} <= {int}:  # as the text of an array: one string, not a value at a time
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, "{" + ",".join(map(str, values)) + "}")
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


class AnyOf(_ArrayParameter, In):
    pass


class RelatedAnyOf(_ArrayParameter, RelatedIn):
    pass
