"""What the Python driver programs share: the values of every listed type
(and what the server gives back), the table that holds them, and the
check/report helpers."""

import datetime as dt
import decimal
import sys
import uuid

failures = []


def check(what, got, expected):
    if got != expected:
        failures.append(f"{what}: expected {expected!r}, got {got!r}")


def check_float4(what, got, expected):
    if not isinstance(got, float) or abs(got - expected) > 1e-6:
        failures.append(f"{what}: expected {expected!r}, got {got!r}")


VALUES = {
    "b": True,
    "i2": -12345,
    "i4": 2_000_000_000,
    "i8": -9_000_000_000_000,
    "f4": 1.5,
    "f8": -2.25e-10,
    "n": decimal.Decimal("12345.6789"),
    "t": "héllo 'world'",
    "vc": "varchar",
    "c": "ab",
    "by": b"\x00\x01\x02\xfe\xff",
    "d": dt.date(2024, 2, 29),
    "tm": dt.time(13, 45, 7, 250000),
    "ts": dt.datetime(2024, 2, 29, 13, 45, 7, 250000),
    "tz": dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=dt.timezone.utc),
    "iv": dt.timedelta(days=3, hours=4, seconds=5),
    "u": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    "j": {"k": [1, 2, "x"]},
    "jb": {"a": None, "b": True},
}
# char(5) comes back blank-padded.
EXPECTED = dict(VALUES, c="ab   ")
COLUMNS = list(VALUES)


def create_table(name):
    """CREATE TABLE with a column of each type, named as in VALUES."""
    return (
        f"CREATE TABLE {name} (id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, "
        "f4 float4, f8 float8, n numeric, t text, vc varchar(20), c char(5), by bytea, "
        "d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)"
    )


def report(driver):
    """Prints the failures and exits 1, or prints "OK <driver>"."""
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"OK {driver}")
