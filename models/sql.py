"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL.

SQLite stores dates as ISO text and has no date type; PostgreSQL has one. Each
function here compiles to the form its database understands, so queries and
rollups can group and subtract days in the database instead of in Python.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)


class day_number(FunctionElement):
    """A date as days since 1970-01-01, an integer: Python gets plain numbers
    to index and subtract instead of date objects (SQLite's dates are text
    that SQLAlchemy parses one by one, the largest part of reading a few
    thousand rows)."""

    type = sa.Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"CAST(julianday({day}) - 2440587.5 AS INTEGER)"  # 1970-01-01


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"({day} - DATE '1970-01-01')"


def days_since_epoch(day: date) -> int:
    """Python's side of :class:`day_number`."""
    return (day - EPOCH).days


class month_start(FunctionElement):
    """The first day of a date's month, a date."""

    type = sa.Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', {day}) AS DATE)"


class epoch_seconds(FunctionElement):
    """A stored UTC time as whole seconds since 1970-01-01 00:00 UTC (rounded
    down), an integer: numpy and pandas turn thousands of them into local days
    at once, where SQLAlchemy would parse SQLite's time texts one by one."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler, **kw) -> str:
    # the text without its fraction: strftime rounds to milliseconds, which
    # would date 23:59:59.9996 to the next day
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%s', substr({moment}, 1, 19)) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element: epoch_seconds, compiler, **kw) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {moment})) AS BIGINT)"


class quarter_of_day(FunctionElement):
    """The quarter a date lies in as ``models.config.quarter_of`` labels it
    (``2025Q3``), a text: rows can be summed per quarter in the database."""

    type = sa.String()
    inherit_cache = True
    name = "quarter_of_day"


@compiles(quarter_of_day, "sqlite")
def _quarter_of_day_sqlite(element: quarter_of_day, compiler, **kw) -> str:
    # cut from the stored ISO text: strftime parses every value, twice as slow
    day = compiler.process(element.clauses, **kw)
    return (
        f"(substr({day}, 1, 4) || 'Q' || "
        f"((CAST(substr({day}, 6, 2) AS INTEGER) + 2) / 3))"
    )


@compiles(quarter_of_day, "postgresql")
def _quarter_of_day_postgresql(element: quarter_of_day, compiler, **kw) -> str:
    return f"""to_char({compiler.process(element.clauses, **kw)}, 'YYYY"Q"Q')"""
