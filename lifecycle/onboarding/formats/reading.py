"""Reading every row of the onboarding files: finding them in a folder, a zip or one CSV file, and checking each cell
on its own and each file on its own (its columns, duplicate keys). Nothing here touches the database."""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .cells import CellError
from .files import KINDS, SPEC_BY_KIND, SPECS, FileSpec
from .problems import ErrorList, LoadError, column_letter

# --- reading -----------------------------------------------------------------------------------------------------


@dataclass
class SourceFile:
    kind: str
    name: str  # as the landlord named it, for messages
    content: bytes


@dataclass
class ParsedFile:
    spec: FileSpec
    name: str
    rows: list[dict] = field(default_factory=list)  # each with "_line"
    headers: list[str] = field(default_factory=list)
    readable: bool = True  # False when the file as a whole could not be read (its rows are then not checked)

    def letter(self, column: str) -> str:
        try:
            return column_letter(self.headers.index(column))
        except ValueError:
            return ""


def kind_of_file_name(name: str) -> str | None:
    """The file kind a name stands for: 'people.csv', or with a prefix such as '2027-04-05_people.csv'."""
    stem = Path(name).name.lower()
    if not stem.endswith(".csv"):
        return None
    stem = stem[:-4]
    matches = [kind for kind in KINDS if stem == kind or re.search(rf"(^|[_\-. ]){kind}$", stem)]
    return max(matches, key=len) if matches else None


def files_from_path(path: str | Path) -> tuple[list[SourceFile], list[LoadError]]:
    """The onboarding files in a directory, a zip or one CSV file."""
    path = Path(path)
    if not path.exists():
        return [], [LoadError(str(path), 0, "", f"There is no file or folder called {path}.")]
    if path.is_dir():
        found = [(p.name, p.read_bytes()) for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() == ".csv"]
        if not found:
            return [], [LoadError(path.name, 0, "", "This folder has no CSV files. Put the onboarding files in it.")]
        return files_from_named(found)
    return files_from_upload(path.name, path.read_bytes())


def files_from_upload(name: str, content: bytes) -> tuple[list[SourceFile], list[LoadError]]:
    """A zip of the files, or one CSV file (the browser upload and the command share this)."""
    if name.lower().endswith(".zip") or content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                members = [
                    (Path(info.filename).name, archive.read(info))
                    for info in archive.infolist()
                    if not info.is_dir() and not Path(info.filename).name.startswith((".", "__"))
                ]
        except zipfile.BadZipFile:
            return [], [LoadError(name, 0, "", "This zip file cannot be opened. Make the zip again and retry.")]
        return files_from_named(m for m in members if m[0].lower().endswith(".csv"))
    return files_from_named([(name, content)])


def files_from_named(named: Iterable[tuple[str, bytes]]) -> tuple[list[SourceFile], list[LoadError]]:
    files, errors, seen = [], [], {}
    for name, content in named:
        kind = kind_of_file_name(name)
        if kind is None:
            errors.append(
                LoadError(
                    name,
                    0,
                    "",
                    f"'{name}' is not one of the onboarding files. Name each file after what it holds: "
                    f"{', '.join(spec.file_name for spec in SPECS)}.",
                )
            )
        elif kind in seen:
            errors.append(LoadError(name, 0, "", f"There are two {kind} files ({seen[kind]} and {name}); send one."))
        else:
            seen[kind] = name
            files.append(SourceFile(kind, name, content))
    if not files and not errors:
        errors.append(LoadError("", 0, "", "No onboarding files were given."))
    files.sort(key=lambda f: KINDS.index(f.kind))
    return files, errors


_MISSING = object()
_SPACES = re.compile(r"\s\s|[\t\n\r]")


def _header_name(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def file_parse(source: SourceFile, errors: ErrorList, progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Reads and checks every row of one file. Rows with errors are still returned (so later checks can name more
    problems), with the bad cells left as None."""
    spec = SPEC_BY_KIND[source.kind]
    parsed = ParsedFile(spec, source.name)
    try:
        text_content = source.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = source.content[: error.start].count(b"\n") + 1
        errors.add(
            LoadError(
                source.name,
                line,
                "",
                "This line is not UTF-8 text. Save the file as 'CSV UTF-8' from your spreadsheet or system.",
            )
        )
        parsed.readable = False
        return parsed
    reader = csv.reader(io.StringIO(text_content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        errors.add(LoadError(source.name, 1, "", f"The header row cannot be read as CSV ({error})."))
        parsed.readable = False
        return parsed
    if not header or not any(h.strip() for h in header):
        errors.add(LoadError(source.name, 1, "", "The file is empty: its first line must name the columns."))
        parsed.readable = False
        return parsed
    headers = [_header_name(h) for h in header]
    parsed.headers = headers
    known = {c.name: c for c in spec.columns}
    bad_header = False
    for index, name in enumerate(headers):
        if name not in known:
            bad_header = True
            errors.add(
                LoadError(
                    source.name,
                    1,
                    name,
                    f"'{header[index].strip()}' is not a column of the {spec.file_name} file. Correct the name or "
                    f"remove the column; the columns are: {', '.join(known)}.",
                    column_letter=column_letter(index),
                )
            )
        elif headers.index(name) != index:
            bad_header = True
            errors.add(
                LoadError(source.name, 1, name, "This column appears twice.", column_letter=column_letter(index))
            )
    for column in spec.columns:
        if column.required and column.name not in headers:
            bad_header = True
            errors.add(
                LoadError(
                    source.name,
                    1,
                    column.name,
                    f"The column {column.name} is missing; every {spec.title} needs it. Add it to the header row.",
                )
            )
    if bad_header:
        parsed.readable = False
        return parsed

    # The hot loop: a plain text cell within its length is kept as it is without a call; a reader's answer for a
    # value seen before (a date, a tenure, an amount) is looked up, not worked out again.
    cells = []
    for index, name in enumerate(headers):
        column = known[name]
        plain = getattr(column.read, "plain_text", None)
        cache = {} if getattr(column.read, "cacheable", False) else None
        keeps_spaces = getattr(column.read, "keeps_spaces", False)
        cells.append((index, name, column.read, column.required, column.default, plain, keeps_spaces, cache))
    absent = [(c.name, c.default) for c in spec.columns if c.name not in headers]
    width = len(headers)
    file_name = source.name
    title = spec.title
    rows = parsed.rows
    line = 1
    count = 0
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) > width and any(v.strip() for v in values[width:]):
                errors.add(
                    LoadError(
                        file_name,
                        start,
                        "",
                        f"This line has {len(values)} values but the header names {width} columns. Check for an "
                        f"unquoted comma in a value (put the value in double quotes).",
                    )
                )
                continue
            row: dict = {"_line": start}
            given = len(values)
            for index, name, read, required, default, plain, keeps_spaces, cache in cells:
                value = values[index].strip() if index < given else ""
                if not value:
                    if required:
                        row.setdefault("_bad", set()).add(name)
                        errors.add(
                            LoadError(
                                file_name,
                                start,
                                name,
                                f"{name} is empty; every {title} needs one.",
                                column_letter=column_letter(index),
                            )
                        )
                        row[name] = None
                    else:
                        row[name] = default
                    continue
                if plain is not None:
                    if len(value) <= plain and (keeps_spaces or not _SPACES.search(value)):
                        row[name] = value
                        continue
                elif cache is not None:
                    found = cache.get(value, _MISSING)
                    if found is not _MISSING:
                        row[name] = found
                        continue
                try:
                    result = read(value)
                except CellError as error:
                    row.setdefault("_bad", set()).add(name)
                    errors.add(LoadError(file_name, start, name, str(error), value[:100], column_letter(index)))
                    row[name] = None
                    continue
                row[name] = result
                if cache is not None and len(cache) < 200_000:
                    cache[value] = result
            for name, default in absent:
                row[name] = default
            rows.append(row)
            count += 1
            if progress is not None and count % 10000 == 0:
                progress(10000)
    except csv.Error as error:
        errors.add(
            LoadError(
                file_name,
                reader.line_num,
                "",
                f"This line cannot be read as CSV ({error}). Check its quotes: a value with a comma or a line "
                f"break must be in double quotes, and a double quote inside it written twice.",
            )
        )
    if progress is not None:
        progress(count % 10000)
    _duplicates_check(parsed, errors)
    return parsed


def _duplicates_check(parsed: ParsedFile, errors: ErrorList) -> None:
    spec = parsed.spec
    first_line: dict[tuple, int] = {}
    for row in parsed.rows:
        key = tuple(row[name] for name in spec.key)
        if None in key:
            continue
        if key in first_line:
            shown = " and ".join(f"{name} {row[name]}" for name in spec.key)
            errors.add(
                LoadError(
                    parsed.name,
                    row["_line"],
                    spec.key[0],
                    f"The {spec.title} with {shown} is also on line {first_line[key]}; each may appear only once. "
                    f"Remove one of the two lines.",
                    str(row[spec.key[0]]),
                    parsed.letter(spec.key[0]),
                )
            )
        else:
            first_line[key] = row["_line"]


def files_parse(
    sources: list[SourceFile], errors: ErrorList, progress: Callable[[int], None] | None = None
) -> dict[str, ParsedFile]:
    return {source.kind: file_parse(source, errors, progress) for source in sources}


def rows_count(sources: list[SourceFile]) -> int:
    """A quick count of data lines (for progress): line breaks less the header."""
    return sum(max(0, source.content.count(b"\n") - 1) for source in sources)
