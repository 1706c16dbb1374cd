"""Reading a `queue import` CSV: its separator, its columns, and each row with its line number.

The separator is detected (`csv.Sniffer`, among `,` `;` and tab) so a spreadsheet that saves
with semicolons imports as it is; an unknown column (`plat` for `platform`) is refused rather
than silently ignored.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from toolkit.core.errors import InputError

REQUIRED = ("message_id", "at")
OPTIONAL = ("platform", "lang", "account")
COLUMNS = REQUIRED + OPTIONAL


class _Excel(csv.excel):
    """Spreadsheet CSV with the separator the file uses."""


def _dialect(text: str) -> type[csv.Dialect]:
    header = text.splitlines()[0] if text else ""
    try:
        delimiter = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return csv.excel
    return type("Detected", (_Excel,), {"delimiter": delimiter})


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Every data row as `(line, {column: value})`; raises `InputError` for a bad file, header
    or a row with more fields than the header (all such problems listed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    dialect = _dialect(text)
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        return _rows(path, reader, dialect)
    except csv.Error as exc:  # a field over csv's size limit, a stray NUL …
        raise InputError(f"{path}:{reader.line_num}: not a readable CSV row ({exc}); nothing "
                         "imported") from None


def _rows(path: Path, reader: csv.DictReader,
          dialect: type[csv.Dialect]) -> list[tuple[int, dict[str, str]]]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    sep = "" if dialect.delimiter == "," else (
        f" (the file uses {dialect.delimiter!r} as separator)")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path}:1: missing column(s) {', '.join(missing)}{sep} (expected "
                         f"{','.join(COLUMNS)})")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InputError(f"{path}:1: column(s) {', '.join(twice)} given twice; keep one of each")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(f"{path}:1: unknown column(s) {', '.join(unknown)} (known: "
                         f"{', '.join(COLUMNS)})")
    rows, errors = [], []
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append(f"{path}:{line}: more fields than the header's {len(header)} columns")
            continue
        rows.append((line, {(k or "").strip(): (v or "").strip() for k, v in row.items()}))
    if errors:
        raise InputError(f"nothing imported; {len(errors)} bad row(s):\n" + "\n".join(errors))
    return rows
