"""Reading uploaded CSV files, and writing CSV a line at a time for streamed downloads.

Reading: Python's csv module refuses any field over 128 KiB by default, part-way through
a file; uploads are already capped in size, so a field may be as long as the file (the row's own checks then
report a value that is too long), and any csv.Error left is reported by the importer with its line."""

from __future__ import annotations

import csv
import io

FIELD_LIMIT = 64 * 1024 * 1024  # above every upload limit (accounts: 50 MB)


def reader(text: str):
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    return csv.reader(io.StringIO(text))


def stopped(line: int, error: csv.Error) -> str:
    return f"Stopped at this line, which is not valid CSV ({error}): it and the rows after it were not imported."


class _Line:
    def write(self, value: str) -> str:
        return value


def line_writer():
    """A csv writer whose writerow() returns the line instead of writing it: for StreamingHttpResponse."""
    return csv.writer(_Line())
