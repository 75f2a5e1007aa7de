"""The onboarding files (docs/onboarding.md): which files there are, their columns, and reading every row of them.

Reading checks each cell on its own (type, required, length, allowed values) and each file on its own (its columns,
duplicate keys). Checks that need other files or the database (references, overlapping tenancies, a tenancy's lead
tenant) are in `plan.py`. Nothing here touches the database.

Every problem becomes a `LoadError` with the file, line and column, the value, and what is wrong and what to do, in
plain English. Lines are counted as a spreadsheet shows them: line 1 is the header row.

In its parts: `files` (the file kinds, each file's columns and key: `SPECS`), `cells` (the cell readers and
`CellError`), `reading` (finding the files in a folder, a zip or one CSV, and reading and checking their rows) and
`problems` (`LoadError`, `ErrorList`). The names the rest of the onboarding engine uses are here too.
"""

from .cells import CellError
from .files import (
    CHARGES,
    COUNTS_AS_RENT_BY_DEFAULT,
    DIRECT_DEBITS,
    KINDS,
    OPENING_BALANCES,
    PATCHES,
    PEOPLE,
    PROPERTIES,
    PROPERTY_CHARGES,
    PROVIDERS,
    RENT_FREE_WEEKS,
    SCHEMES,
    SPEC_BY_KIND,
    SPECS,
    TENANCIES,
    TENANTS,
    Column,
    FileSpec,
)
from .problems import MAX_ERRORS_LISTED, ErrorList, LoadError, column_letter
from .reading import (
    ParsedFile,
    SourceFile,
    file_parse,
    files_from_named,
    files_from_path,
    files_from_upload,
    files_parse,
    kind_of_file_name,
    rows_count,
)

__all__ = [
    "CHARGES",
    "COUNTS_AS_RENT_BY_DEFAULT",
    "DIRECT_DEBITS",
    "KINDS",
    "MAX_ERRORS_LISTED",
    "OPENING_BALANCES",
    "PATCHES",
    "PEOPLE",
    "PROPERTIES",
    "PROPERTY_CHARGES",
    "PROVIDERS",
    "RENT_FREE_WEEKS",
    "SCHEMES",
    "SPECS",
    "SPEC_BY_KIND",
    "TENANCIES",
    "TENANTS",
    "CellError",
    "Column",
    "ErrorList",
    "FileSpec",
    "LoadError",
    "ParsedFile",
    "SourceFile",
    "column_letter",
    "file_parse",
    "files_from_named",
    "files_from_path",
    "files_from_upload",
    "files_parse",
    "kind_of_file_name",
    "rows_count",
]
