"""POST /api/v1/loads/: the onboarding files as JSON (docs/api.md, docs/onboarding.md). Each key of the body is one
file kind (`people`, `tenancies`, ...), a list of rows whose keys are that file's columns; each row becomes a line of
the same CSV file the import reads, so every check and message is the import's own.

Only the request's shape is checked here (unknown kinds and columns, a required column left out, the same columns in
every row of a kind, the row cap); what a value means is the onboarding engine's to check.
"""

import csv
import io

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from lifecycle.onboarding.services import KINDS, SPEC_BY_KIND

# A bigger sync is a file: the Data loads page (100 MB) or the import_tenancies command.
MAX_ROWS_PER_REQUEST = 5000
YES, NO = "yes", "no"


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}],
        "nullable": True,
        "description": 'The cell as the CSV file would hold it. null or "" is an empty cell; true/false are '
        'yes/no; money and dates are text ("95.50", "2027-04-05").',
    }
)
class LoadCellField(serializers.Field):
    """One cell: text, a whole number, true/false or null, as the CSV cell text the file readers take."""

    default_error_messages = {
        "fraction": 'Send a number with a fraction as text, like "95.50", so no amount is ever rounded.',
        "invalid": "Send text, a whole number, true or false, or null.",
        "nul": "The text has a NUL character, which no column takes. Remove it.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> str:
        if isinstance(data, bool):
            return YES if data else NO
        if isinstance(data, int):
            return str(data)
        if isinstance(data, float):
            self.fail("fraction")
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            self.fail("nul")
        return data.replace("\r\n", "\n").replace("\r", "\n")

    def to_representation(self, value):
        return value


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


class _LoadRowBase(serializers.Serializer):
    """A row: only the file's columns; a required column must be there (null if it is empty, to be refused with the
    import's own message)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields)
            unknown = [key for key in data if key not in known]
            if unknown:
                spec = SPEC_BY_KIND[self.kind]
                raise serializers.ValidationError(
                    {
                        key: [
                            f"'{key}' is not a column of the {spec.file_name} file. Correct the name or remove it; "
                            f"the columns are: {', '.join(known)}."
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


def _row_serializer(kind: str) -> type[serializers.Serializer]:
    spec = SPEC_BY_KIND[kind]
    fields = {}
    for column in spec.columns:
        help_text = column.help or ""
        if column.required:
            help_text = f"Required. {help_text}".strip()
        fields[column.name] = LoadCellField(
            required=column.required,
            help_text=help_text,
            error_messages={
                "required": f"{column.name} is missing; every {spec.title} needs it, even when only another column "
                f"changed. Add it to every {kind} row."
            },
        )
    name = f"Load{_camel(kind)}RowInSerializer"
    doc = f"One row of {spec.file_name} (a {spec.title}): its columns as docs/onboarding.md describes them."
    return type(name, (_LoadRowBase,), {**fields, "kind": kind, "__doc__": doc, "__module__": __name__})


ROW_SERIALIZERS: dict[str, type[serializers.Serializer]] = {kind: _row_serializer(kind) for kind in KINDS}


class _LoadInBase(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False,
        help_text="true: check everything (the services' own checks too) and say what would change; keep nothing.",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = [key for key in data if key not in self.fields]
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: [f"'{key}' is not something a load takes. Send any of: {', '.join(KINDS)}, and dry_run."]
                        for key in unknown
                    }
                )
            # Counted before each row is read, so a huge body is refused at once.
            total = sum(len(data[kind]) for kind in KINDS if isinstance(data.get(kind), list))
            if total > MAX_ROWS_PER_REQUEST:
                raise serializers.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            f"This request has {total} rows; one request takes at most {MAX_ROWS_PER_REQUEST}. Send "
                            "the rest in further requests (a row may point at rows loaded before), or load a bigger "
                            "sync as files: the Data loads page or the import_tenancies command."
                        ]
                    }
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        kinds = [kind for kind in KINDS if attrs.get(kind)]
        if not kinds:
            raise serializers.ValidationError(
                f"There are no rows to load. Send a list of rows for at least one of: {', '.join(KINDS)}."
            )
        errors = {}
        for kind in kinds:
            rows = attrs[kind]
            first = list(rows[0])
            for index, row in enumerate(rows[1:], start=1):
                if set(row) != set(first):
                    left_out = [name for name in first if name not in row]
                    added = [name for name in row if name not in first]
                    what = "; ".join(
                        part
                        for part in (
                            f"it leaves out {', '.join(left_out)}" if left_out else "",
                            f"it adds {', '.join(added)}" if added else "",
                        )
                        if part
                    )
                    errors.setdefault(kind, {})[index] = [
                        f"Every {kind} row must send the same columns as the first ({what}). A column left out is "
                        "left as it is in Rentwise and a null empties it, so they cannot be mixed in one request: send "
                        "null for an empty cell, or send these rows in another request."
                    ]
        if errors:
            raise serializers.ValidationError(
                {
                    kind: [by_index.get(index, {}) for index in range(len(attrs[kind]))]
                    for kind, by_index in errors.items()
                }
            )
        return attrs


def _load_in_serializer() -> type[serializers.Serializer]:
    fields = {
        kind: ROW_SERIALIZERS[kind](
            many=True,
            required=False,
            help_text=f"Rows of {SPEC_BY_KIND[kind].file_name}.",
        )
        for kind in KINDS
    }
    doc = (
        "The onboarding files as JSON: each key a file kind, each a list of rows keyed by the file's columns. Every "
        "kind is optional; the kinds are loaded in the import's order, and a row may point at rows above it or at "
        "records already in Rentwise."
    )
    return type("LoadInSerializer", (_LoadInBase,), {**fields, "__doc__": doc, "__module__": __name__})


LoadInSerializer = _load_in_serializer()


def rows_csv(kind: str, rows: list[dict]) -> tuple[bytes, dict[int, int]]:
    """The rows as the kind's CSV file (a header of the columns sent), and each row's index by the line it starts on
    (line 1 is the header; a cell with line breaks makes its row span several lines)."""
    columns = list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    index_by_line, line = {}, 2
    for index, row in enumerate(rows):
        index_by_line[line] = index
        before = out.tell()
        writer.writerow([row[name] for name in columns])
        line += out.getvalue()[before:].count("\n")
    return out.getvalue().encode("utf-8"), index_by_line


class LoadCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class LoadProblemRowSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="The row and column in the request, e.g. /people/0/mobile.")
    detail = serializers.CharField(help_text="What is wrong and what to do: the import's own message.")
    value = serializers.CharField(required=False, help_text="The value as read, when the problem is with one cell.")


class LoadOpeningBalancesSerializer(serializers.Serializer):
    posted = serializers.IntegerField(help_text="Opening balances posted to rent accounts.")
    posted_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_in_files = serializers.DecimalField(max_digits=14, decimal_places=2)


class LoadOutSerializer(serializers.Serializer):
    load_id = serializers.IntegerField(
        allow_null=True, help_text="The load as listed on the Data loads page; null for a dry run (nothing is kept)."
    )
    status = serializers.CharField(help_text="completed, or checked for a dry run.")
    dry_run = serializers.BooleanField()
    rows_read = serializers.IntegerField()
    counts = serializers.DictField(
        child=LoadCountsSerializer(),
        help_text="By kind: rows created, updated and unchanged (would be, for a dry run).",
    )
    warning_count = serializers.IntegerField()
    warnings = LoadProblemRowSerializer(
        many=True, help_text="Differences not applied: each says what to do (docs/onboarding.md)."
    )
    opening_balances = LoadOpeningBalancesSerializer()
    accounts_to_review = serializers.IntegerField(help_text="Accounts the load touched, queued for the arrears review.")
