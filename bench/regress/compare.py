#!/usr/bin/env python3
"""Statement-by-statement comparison of two servers on PostgreSQL's
regression SQL files (driven by bench/regress.sh; see its header).

Side A is the reference (PostgreSQL 15), side B the server under test.
For every file: a fresh database regress_<file> on each side, the shared
setup (test_setup.sql and create_index.sql's btree indexes on its tables, with COPY ... FROM 'file' sent from the client as
COPY ... FROM STDIN; its outcome is not counted), then every statement of
the file on both sides, split the way psql splits them. One connection per
side, autocommit, the simple query protocol (as psql), results in text.

An outcome is the SQLSTATE on error, otherwise the command tag, the column
names and type OIDs and the rows as text (in order when the statement's top
level has ORDER BY, or it is EXPLAIN/SHOW; otherwise as a sorted multiset).

Needs psycopg 3 (its libpq wrapper, psycopg.pq, is all it uses).
"""
import argparse
import os
import re
import select
import sys
import time
from collections import Counter

import psycopg.pq as pq

ES = pq.ExecStatus
DF = pq.DiagnosticField

# ---------------------------------------------------------------------------
# psql's statement splitter (a subset of src/bin/psql/psqlscanslash.l and
# src/fe_utils/psqlscan.l: quotes, dollar quotes, comments, parentheses,
# CREATE FUNCTION ... BEGIN ATOMIC ... END, :variables, meta-commands).

IDENT_START = re.compile(r"[A-Za-z_\x80-\U0010ffff]")
IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\x80-\U0010ffff]")
DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
VARREF = re.compile(r":(?:'([A-Za-z0-9_]+)'|\"([A-Za-z0-9_]+)\"|([A-Za-z0-9_]+))")
COPY_STDIN = re.compile(r"(?is)^\s*copy\b.*\bfrom\s+std(in|out)\b")  # FROM STDOUT reads the client too
COPY_FILE = re.compile(r"(?is)^(\s*copy\s+.*?\bfrom\s+)'((?:[^']|'')*)'(.*)$")
SETUP_INDEX = re.compile(r"(?is)^create\s+index\s+\w+\s+on\s+(onek2?|tenk[12]|road|ihighway|shighway)\s+(using\s+btree\s*)?\(")
# Meta-commands that send the query buffer.
SENDERS = {"g", "gx", "gset", "gexec", "gdesc", "crosstabview"}


class Stmt:
    def __init__(self, sql, line, copy_data=None, meta=None):
        self.sql = sql
        self.line = line
        self.copy_data = copy_data  # bytes for COPY FROM STDIN
        self.meta = meta            # the sending meta-command (gset, ...)


def quote_literal(s):
    if "\\" in s:
        return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + s.replace("'", "''") + "'"


def quote_ident(s):
    return '"' + s.replace('"', '""') + '"'


class Script:
    """Iterates over a psql script, yielding Stmt objects and handling the
    meta-commands it needs (\\set, \\unset, \\getenv, COPY data, \\c)."""

    def __init__(self, text, variables, env):
        self.text = text
        self.vars = variables
        self.env = env
        self.skipped_meta = 0

    def meta_args(self, rest):
        """psql's argument lexing for meta-commands, simplified: words,
        'quoted' (with '' and backslash escapes), :var, :'var'; adjacent
        pieces concatenate."""
        args, i, n = [], 0, len(rest)
        while i < n:
            while i < n and rest[i] in " \t":
                i += 1
            if i >= n:
                break
            piece = []
            while i < n and rest[i] not in " \t":
                c = rest[i]
                if c == "'":
                    i += 1
                    while i < n:
                        if rest[i] == "'" and i + 1 < n and rest[i + 1] == "'":
                            piece.append("'"); i += 2
                        elif rest[i] == "'":
                            i += 1; break
                        elif rest[i] == "\\" and i + 1 < n:
                            piece.append({"n": "\n", "t": "\t"}.get(rest[i + 1], rest[i + 1])); i += 2
                        else:
                            piece.append(rest[i]); i += 1
                elif c == ":":
                    m = VARREF.match(rest, i)
                    if m and (m.group(1) or m.group(2) or m.group(3)) in self.vars:
                        v = self.vars[m.group(1) or m.group(2) or m.group(3)]
                        piece.append(quote_literal(v) if m.group(1) else quote_ident(v) if m.group(2) else v)
                        i = m.end()
                    else:
                        piece.append(c); i += 1
                elif c == "\\":
                    break
                else:
                    piece.append(c); i += 1
            args.append("".join(piece))
            if i < n and rest[i] == "\\":
                break
        return args

    def __iter__(self):
        t = self.text
        n = len(t)
        i = 0
        buf = []
        start_line = None
        paren = 0
        begin_depth = 0
        ident_count = 0
        idents = [""] * 4
        line = 1

        def reset():
            nonlocal buf, start_line, paren, begin_depth, ident_count, idents
            buf, start_line, paren, begin_depth, ident_count = [], None, 0, 0, 0
            idents = [""] * 4

        def add(s):
            nonlocal start_line
            if start_line is None:
                start_line = line
            buf.append(s)

        def finish(meta=None):
            """The statement in buf is sent; returns a Stmt (or None)."""
            nonlocal i, line
            sql = "".join(buf).strip()
            sline = start_line
            reset()
            if not sql:
                return None
            copy_data = None
            if COPY_STDIN.match(sql):
                # Data: the lines after this one, up to a line "\.".
                eol = t.find("\n", i)
                j = n if eol < 0 else eol + 1
                lines = []
                while j < n:
                    e = t.find("\n", j)
                    ln = t[j:] if e < 0 else t[j:e]
                    j = n if e < 0 else e + 1
                    if ln.rstrip("\r") == "\\.":
                        break
                    lines.append(ln)
                line += t.count("\n", i, j)
                i = j
                copy_data = "".join(l + "\n" for l in lines).encode()
            else:
                m = COPY_FILE.match(sql)
                if m:
                    path = m.group(2).replace("''", "'")
                    if os.path.isfile(path):
                        with open(path, "rb") as f:
                            copy_data = f.read()
                        sql = m.group(1) + "STDIN" + m.group(3)
            return Stmt(sql, sline, copy_data, meta)

        while i < n:
            c = t[i]
            if c == "\n":
                line += 1
            if c in " \t\r\n\f":
                if buf:
                    add(c)
                i += 1
                continue
            if t.startswith("--", i):
                e = t.find("\n", i)
                e = n if e < 0 else e
                if buf:
                    add(t[i:e])
                i = e
                continue
            if t.startswith("/*", i):
                depth, j = 1, i + 2
                while j < n and depth:
                    if t.startswith("/*", j):
                        depth += 1; j += 2
                    elif t.startswith("*/", j):
                        depth -= 1; j += 2
                    else:
                        j += 1
                add(t[i:j]); line += t.count("\n", i, j); i = j
                continue
            if c == "'":
                esc = bool(buf) and buf[-1] in ("e", "E")  # E'...' (the word rule adds "E" whole)
                j = i + 1
                while j < n:
                    if esc and t[j] == "\\":
                        j += 2
                    elif t[j] == "'":
                        if j + 1 < n and t[j + 1] == "'":
                            j += 2
                        else:
                            j += 1
                            break
                    else:
                        j += 1
                add(t[i:j]); line += t.count("\n", i, j); i = j
                continue
            if c == '"':
                j = i + 1
                while j < n:
                    if t[j] == '"':
                        if j + 1 < n and t[j + 1] == '"':
                            j += 2
                        else:
                            j += 1
                            break
                    else:
                        j += 1
                add(t[i:j]); line += t.count("\n", i, j); i = j
                continue
            if c == "$" and not (buf and IDENT_CHAR.match(buf[-1][-1:] or " ")):
                m = DOLLAR_TAG.match(t, i)
                if m:
                    tag = m.group(0)
                    e = t.find(tag, m.end())
                    j = n if e < 0 else e + len(tag)
                    add(t[i:j]); line += t.count("\n", i, j); i = j
                    continue
            if c == "(":
                paren += 1; add(c); i += 1
                continue
            if c == ")":
                paren = max(0, paren - 1); add(c); i += 1
                continue
            if c == ";":
                if paren == 0 and begin_depth == 0:
                    i += 1
                    s = finish()
                    if s:
                        yield s
                else:
                    add(c); i += 1
                continue
            if c == ":":
                if t.startswith("::", i):
                    add("::"); i += 2
                    continue
                m = VARREF.match(t, i)
                name = m and (m.group(1) or m.group(2) or m.group(3))
                if name and name in self.vars:
                    v = self.vars[name]
                    add(quote_literal(v) if m.group(1) else quote_ident(v) if m.group(2) else v)
                    i = m.end()
                    continue
                add(c); i += 1
                continue
            if c == "\\":
                e = t.find("\n", i)
                e = n if e < 0 else e
                m = re.match(r"\\([A-Za-z]+[+S]*|.)", t[i:e])
                cmd = m.group(1) if m else ""
                rest = t[i + len(cmd) + 1:e]
                if cmd == ";":
                    add(";"); i += 2
                    continue
                if cmd == "\\":
                    i += 2
                    continue
                i = e
                base = cmd.rstrip("+S") if cmd[:1].isalpha() else cmd
                if base in SENDERS:
                    s = finish(base)
                    if s:
                        yield s
                    continue
                args = self.meta_args(rest)
                if base == "set" and args:
                    self.vars[args[0]] = "".join(args[1:])
                elif base == "unset" and args:
                    self.vars.pop(args[0], None)
                elif base == "getenv" and len(args) == 2:
                    if args[1] in self.env:
                        self.vars[args[0]] = self.env[args[1]]
                elif base in ("c", "connect") and (not args or args[0] == "-") and len(args) <= 1:
                    s = finish()
                    if s:
                        yield s
                    yield Stmt(None, line, meta="reconnect")
                else:
                    self.skipped_meta += 1
                continue
            if IDENT_START.match(c):
                j = i + 1
                while j < n and IDENT_CHAR.match(t[j]):
                    j += 1
                word = t[i:j].lower()
                if ident_count == 0:
                    idents = [""] * 4
                if word in ("create", "function", "procedure", "or", "replace") and ident_count < 4:
                    idents[ident_count] = word[0]
                ident_count += 1
                if idents[0] == "c" and (idents[1] in ("f", "p") or (
                        idents[1] == "o" and idents[2] == "r" and idents[3] in ("f", "p"))) and paren == 0:
                    if word == "begin":
                        begin_depth += 1
                    elif word == "case":
                        if begin_depth >= 1:
                            begin_depth += 1
                    elif word == "end":
                        if begin_depth > 0:
                            begin_depth -= 1
                add(t[i:j]); i = j
                continue
            if c.isdigit():
                # A number: keeps "1e" or "x1" from reading as E'' or an identifier.
                j = i + 1
                while j < n and (t[j].isalnum() or t[j] in "._"):
                    j += 1
                add(t[i:j]); i = j
                continue
            add(c); i += 1
        s = finish()
        if s:
            yield s


def top_level_words(sql):
    """Lowercased words of sql outside strings, comments and parentheses."""
    words, i, n, depth = [], 0, len(sql), 0
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            e = sql.find("\n", i); i = n if e < 0 else e
        elif sql.startswith("/*", i):
            e = sql.find("*/", i + 2); i = n if e < 0 else e + 2
        elif c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2; continue
                    break
                if c == "'" and sql[j] == "\\":
                    j += 1
                j += 1
            i = j + 1
        elif c == "$" and DOLLAR_TAG.match(sql, i):
            tag = DOLLAR_TAG.match(sql, i).group(0)
            e = sql.find(tag, i + len(tag)); i = n if e < 0 else e + len(tag)
        elif c == "(":
            depth += 1; i += 1
        elif c == ")":
            depth -= 1; i += 1
        elif IDENT_START.match(c):
            j = i + 1
            while j < n and IDENT_CHAR.match(sql[j]):
                j += 1
            if depth == 0:
                words.append(sql[i:j].lower())
            i = j
        else:
            i += 1
    return words


def is_ordered(sql):
    w = top_level_words(sql)
    if w and w[0] in ("explain", "show"):
        return True
    return any(a == "order" and b == "by" for a, b in zip(w, w[1:]))


# ---------------------------------------------------------------------------
# A connection with a client-side guard, on psycopg's libpq wrapper.

class Lost(Exception):
    pass


class Conn:
    def __init__(self, host, port, dbname, user, settings, guard):
        self.info = "host=%s port=%s dbname=%s user=%s connect_timeout=10 client_encoding=UTF8" % (
            host, port, dbname, user)
        self.settings = settings
        self.guard = guard
        self.pg = None
        self.connect()

    def connect(self):
        self.close()
        pg = pq.PGconn.connect(self.info.encode())
        if pg.status != pq.ConnStatus.OK:
            msg = pg.get_error_message() if hasattr(pg, "get_error_message") else pg.error_message
            pg.finish()
            raise Lost(msg.decode(errors="replace").strip())
        pg.notice_handler = lambda res: None
        pg.nonblocking = 1
        self.pg = pg
        self.setting_errors = []
        for s in self.settings:
            o = summarize(self.run(s))
            if o[0] == "error":
                self.setting_errors.append("%s: %s" % (s, show(o, 0)))

    def close(self):
        if self.pg is not None:
            try:
                self.pg.finish()
            except Exception:
                pass
            self.pg = None

    def _wait(self, deadline, write=False):
        """Waits for the socket; on the deadline, cancels once and waits 2 s
        more, then gives up (the connection is dropped)."""
        pg = self.pg
        while True:
            left = deadline[0] - time.monotonic()
            if left <= 0:
                if not deadline[1]:
                    deadline[1] = True
                    deadline[0] = time.monotonic() + 2
                    try:
                        pg.get_cancel().cancel()
                    except Exception:
                        pass
                    continue
                raise Lost("TIMEOUT")
            r, w, _ = select.select([pg.socket], [pg.socket] if write else [], [], left)
            if r or w:
                return bool(r)

    def _flush(self, deadline):
        while self.pg.flush() == 1:
            if self._wait(deadline, write=True):
                self.pg.consume_input()

    def run(self, sql, copy_data=None):
        """Runs sql with the simple protocol; returns a list of results:
        ("error", sqlstate, message) or ("ok", tag, columns, rows)."""
        if self.pg is None:
            raise Lost("not connected")
        pg = self.pg
        deadline = [time.monotonic() + self.guard, False]
        out = []
        try:
            pg.send_query(sql.encode())  # raises on failure
            self._flush(deadline)
            while True:
                pg.consume_input()
                while pg.is_busy():
                    self._wait(deadline)
                    pg.consume_input()
                res = pg.get_result()
                if res is None:
                    break
                st = res.status
                if st == ES.COPY_IN:
                    data = copy_data or b""
                    for k in range(0, len(data), 65536):
                        while pg.put_copy_data(data[k:k + 65536]) == 0:
                            self._wait(deadline, write=True)
                        self._flush(deadline)
                    while pg.put_copy_end() == 0:
                        self._wait(deadline, write=True)
                    self._flush(deadline)
                    copy_data = None
                elif st == ES.COPY_OUT:
                    rows = []
                    while True:
                        nb, data = pg.get_copy_data(1)
                        if nb == 0:
                            self._wait(deadline)
                            pg.consume_input()
                        elif nb < 0:
                            break
                        else:
                            rows.append((bytes(data),))
                    out.append(("copyout", rows))
                elif st == ES.TUPLES_OK:
                    cols = tuple((res.fname(k).decode(errors="replace"), res.ftype(k)) for k in range(res.nfields))
                    rows = [tuple(res.get_value(r, k) for k in range(res.nfields)) for r in range(res.ntuples)]
                    out.append(("ok", (res.command_status or b"").decode(), cols, rows))
                elif st in (ES.COMMAND_OK, ES.EMPTY_QUERY):
                    out.append(("ok", (res.command_status or b"").decode(), None, None))
                elif st in (ES.FATAL_ERROR, ES.NONFATAL_ERROR, ES.BAD_RESPONSE):
                    state = res.error_field(DF.SQLSTATE)
                    msg = res.error_field(DF.MESSAGE_PRIMARY) or res.error_message or b""
                    out.append(("error", state.decode() if state else "?????", msg.decode(errors="replace").strip()))
                else:
                    out.append(("ok", "status %s" % st.name, None, None))
        except Exception as e:
            reason = str(e) if isinstance(e, Lost) else "%s: %s" % (type(e).__name__, e)
            self.close()
            raise Lost(reason)
        if pg.status != pq.ConnStatus.OK:
            self.close()
            raise Lost("connection lost")
        # Merge a COPY TO STDOUT's data with its tag.
        merged = []
        for r in out:
            if merged and merged[-1][0] == "copyout" and r[0] == "ok":
                merged[-1] = ("ok", r[1], (("copy", 0),), merged[-1][1])
            else:
                merged.append(r)
        return merged


# ---------------------------------------------------------------------------
# Outcomes.

def summarize(results):
    """An outcome: ("error", sqlstate, message) or ("ok", [(tag, cols, rows)])."""
    for r in results:
        if r[0] == "error":
            return r
    return ("ok", [r[1:] for r in results if r[0] == "ok"])


def compare(a, b, ordered):
    if a[0] == "error" or b[0] == "error":
        if a[0] == "error" and b[0] == "error":
            return "same" if a[1] == b[1] else "err_both"
        return "err_ours" if b[0] == "error" else "err_pg"
    if len(a[1]) != len(b[1]):
        return "wrong"
    key = lambda row: tuple((v is None, v or b"") for v in row)
    for (ta, ca, ra), (tb, cb, rb) in zip(a[1], b[1]):
        if ta != tb or ca != cb:
            return "wrong"
        if ra is None or rb is None:
            if ra != rb:
                return "wrong"
            continue
        if ordered:
            if ra != rb:
                return "wrong"
        elif sorted(ra, key=key) != sorted(rb, key=key):
            return "wrong"
    return "same"


def show(o, maxrows):
    if o[0] == "error":
        return "ERROR %s: %s" % (o[1], o[2])
    parts = []
    for tag, cols, rows in o[1]:
        s = tag or "(empty)"
        if cols is not None:
            s += "; columns " + ", ".join("%s(%d)" % c for c in cols)
            for row in rows[:maxrows]:
                s += "\n      | " + fmt_row(row)
            if len(rows) > maxrows:
                s += "\n      | ... %d rows" % len(rows)
        parts.append(s)
    return "\n    ".join(parts)


def fmt_row(row):
    return " | ".join("<null>" if v is None else v.decode(errors="replace") for v in row)


def row_diff(a, b, maxrows):
    """For two successful one-result outcomes with the same columns: the
    rows only one side has (as multisets), else ""."""
    if a[0] != "ok" or b[0] != "ok" or len(a[1]) != 1 or len(b[1]) != 1:
        return ""
    (_, ca, ra), (_, cb, rb) = a[1][0], b[1][0]
    if ra is None or rb is None or ca != cb:
        return ""
    ma, mb = Counter(ra), Counter(rb)
    out = []
    for label, extra in (("only in %s" % A_NAME[0], ma - mb), ("only in %s" % A_NAME[1], mb - ma)):
        rows = list(extra.elements())
        if rows:
            out.append("  -- %s (%d rows):" % (label, len(rows)))
            out += ["      | " + fmt_row(r) for r in rows[:maxrows]]
            if len(rows) > maxrows:
                out.append("      | ...")
    if not out:
        out.append("  -- the same rows in another order")
    return "\n".join(out) + "\n"


A_NAME = ["a", "b"]
CLASSES = ("same", "err_ours", "err_pg", "err_both", "wrong")
LABELS = {"err_ours": "we error, PG succeeds", "err_pg": "we succeed, PG errors",
          "err_both": "different SQLSTATE", "wrong": "silent wrong answer"}


# ---------------------------------------------------------------------------

class Side:
    def __init__(self, name, host, port, user, db_suffix, settings, guard):
        self.name, self.host, self.port, self.user = name, host, port, user
        self.suffix, self.settings, self.guard = db_suffix, settings, guard
        self.conn = None
        self.db = None

    def admin(self, sql):
        c = Conn(self.host, self.port, "postgres", self.user, [], self.guard * 2)
        try:
            return summarize(c.run(sql))
        finally:
            c.close()

    def open(self, name):
        self.db = "regress_%s%s" % (name, self.suffix)
        self.admin('DROP DATABASE IF EXISTS "%s"' % self.db)
        o = self.admin('CREATE DATABASE "%s"' % self.db)
        if o[0] == "error":
            raise Lost("CREATE DATABASE %s: %s %s" % (self.db, o[1], o[2]))
        self.conn = Conn(self.host, self.port, self.db, self.user, self.settings, self.guard)

    def run(self, stmt):
        """The statement's outcome; a lost connection is an error outcome
        (and the connection is made again)."""
        try:
            if self.conn.pg is None:
                self.conn.connect()
            return summarize(self.conn.run(stmt.sql, stmt.copy_data))
        except Lost as e:
            state = "TIMEOUT" if str(e) == "TIMEOUT" else "CONNLOST"
            try:
                self.conn.connect()
            except Lost:
                pass
            return ("error", state, str(e))

    def reconnect(self):
        try:
            self.conn.connect()
        except Lost:
            pass

    def close(self, drop):
        if self.conn:
            self.conn.close()
            self.conn = None
        if drop and self.db:
            try:
                self.admin('DROP DATABASE IF EXISTS "%s"' % self.db)
            except Lost:
                pass


def run_file(name, args, a, b, env, setup):
    path = os.path.join(args.sql_dir, name + ".sql")
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    counts = dict.fromkeys(CLASSES, 0)
    details = []
    for side in (a, b):
        side.open(name)
    # Setup: not counted; its failures are noted in the details.
    setup_fail = {a.name: 0, b.name: 0}
    setup_errors = []
    if setup is not None:
        for s in setup:
            for side in (a, b):
                if s.meta == "reconnect":
                    side.reconnect()
                else:
                    o = side.run(s)
                    if o[0] == "error":
                        setup_fail[side.name] += 1
                        setup_errors.append("  %s, %s:%d: %s\n    %s" % (
                            side.name, s.src, s.line, s.sql.split("\n")[0][:100], show(o, 0)))
    t0 = time.monotonic()
    n = 0
    variables = {}
    script = Script(text, variables, env)
    for s in script:
        if s.meta == "reconnect":
            a.reconnect(); b.reconnect()
            continue
        if s.meta == "gdesc":
            continue
        n += 1
        if time.monotonic() - t0 > args.file_budget:
            oa, ob = ("ok", []), ("error", "NOTRUN", "file budget of %ds exceeded" % args.file_budget)
            cls = "err_ours"
        else:
            oa = a.run(s)
            ob = b.run(s)
            cls = compare(oa, ob, is_ordered(s.sql))
            if s.meta == "gset" and oa[0] == "ok" and oa[1] and oa[1][-1][1]:
                tag, cols, rows = oa[1][-1]
                if len(rows) == 1:
                    for (cname, _), v in zip(cols, rows[0]):
                        if v is not None:
                            variables[cname] = v.decode(errors="replace")
        counts[cls] += 1
        if cls != "same" and args.out:
            details.append("== #%d line %d [%s]\n%s\n  -- %s:\n    %s\n  -- %s:\n    %s\n%s" % (
                n, s.line, LABELS[cls], s.sql, a.name, show(oa, args.rows), b.name, show(ob, args.rows),
                row_diff(oa, ob, args.rows) if cls == "wrong" else ""))
    a.setting_errors, b.setting_errors = a.conn.setting_errors, b.conn.setting_errors
    drop = not args.keep
    a.close(drop)
    b.close(drop)
    if args.out:
        with open(os.path.join(args.out, name + ".txt"), "w") as f:
            f.write("%s: %d statements, %d not the same (setup errors: %s %d, %s %d; %d meta-commands skipped)\n\n" % (
                name, n, n - counts["same"], a.name, setup_fail[a.name], b.name, setup_fail[b.name],
                script.skipped_meta))
            for side in (a, b):
                for e in side.setting_errors:
                    f.write("session setting failed on %s: %s\n" % (side.name, e))
            if setup_errors:
                f.write("setup statements that failed:\n%s\n\n" % "\n".join(setup_errors))
            f.write("\n".join(details))
    return n, counts, time.monotonic() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sql-dir", required=True, help="src/test/regress/sql")
    p.add_argument("--data-dir", required=True, help="src/test/regress/data")
    p.add_argument("--a", required=True, help="reference HOST:PORT (PostgreSQL 15)")
    p.add_argument("--b", required=True, help="server under test HOST:PORT")
    p.add_argument("--a-name", default="postgres15")
    p.add_argument("--b-name", default="postmaster")
    p.add_argument("--user", default="postgres")
    p.add_argument("--timeout", type=float, default=5, help="statement_timeout, s (guard: +5 s)")
    p.add_argument("--file-budget", type=int, default=300, help="seconds per file; the rest count as errors")
    p.add_argument("--out", help="directory for per-file details of the statements not the same")
    p.add_argument("--rows", type=int, default=5, help="rows shown per result in the details")
    p.add_argument("--no-indexes", dest="indexes", action="store_false",
                   help="setup without create_index.sql's indexes on the setup tables")
    p.add_argument("--keep", action="store_true", help="keep the regress_* databases")
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    if args.out:
        os.makedirs(args.out, exist_ok=True)

    settings = ["SET TimeZone = 'PST8PDT'", "SET DateStyle = 'Postgres, MDY'",
                "SET statement_timeout = '%ds'" % args.timeout]
    ha, pa = args.a.rsplit(":", 1)
    hb, pb = args.b.rsplit(":", 1)
    same_server = (ha, pa) == (hb, pb)
    A_NAME[:] = [args.a_name, args.b_name]
    a = Side(args.a_name, ha, pa, args.user, "", settings, args.timeout + 5)
    b = Side(args.b_name, hb, pb, args.user, "_b" if same_server else "", settings, args.timeout + 5)
    srcdir = os.path.dirname(os.path.abspath(args.data_dir.rstrip("/")))
    env = {"PG_ABS_SRCDIR": srcdir, "PG_ABS_BUILDDIR": srcdir, "PG_LIBDIR": "/nonexistent", "PG_DLSUFFIX": ".so"}
    with open(os.path.join(args.sql_dir, "test_setup.sql"), encoding="utf-8") as f:
        setup = list(Script(f.read(), {}, env))
    for s in setup:
        s.src = "test_setup.sql"
    # The schedule runs create_index before most files: its btree indexes on
    # test_setup's tables join the setup.
    if args.indexes:
        with open(os.path.join(args.sql_dir, "create_index.sql"), encoding="utf-8") as f:
            for s in Script(f.read(), {}, env):
                if s.sql and SETUP_INDEX.match(s.sql):
                    s.src = "create_index.sql"
                    setup.append(s)

    hdr = "%-20s %6s %6s %9s %8s %8s %8s %6s %7s %6s" % (
        "file", "stmts", "same", "diff-err", "we-err", "pg-err", "sqlstate", "wrong", "%same", "secs")
    print(hdr)
    print("-" * len(hdr))
    tot_n, tot = 0, dict.fromkeys(CLASSES, 0)
    for name in args.files:
        if not os.path.isfile(os.path.join(args.sql_dir, name + ".sql")):
            print("%-20s (no such file)" % name)
            continue
        try:
            n, c, secs = run_file(name, args, a, b, env, setup if name != "test_setup" else None)
        except Lost as e:
            print("%-20s could not run: %s" % (name, e))
            continue
        tot_n += n
        for k in CLASSES:
            tot[k] += c[k]
        line(name, n, c, secs)
    print("-" * len(hdr))
    line("TOTAL", tot_n, tot, None)
    print("diff-err = we-err (we error, PG succeeds) + pg-err (we succeed, PG errors) + sqlstate (both error, different SQLSTATE); wrong = both succeed, results differ")


def line(name, n, c, secs):
    diff = c["err_ours"] + c["err_pg"] + c["err_both"]
    pct = 100.0 * c["same"] / n if n else 0.0
    print("%-20s %6d %6d %9d %8d %8d %8d %6d %6.1f%% %6s" % (
        name, n, c["same"], diff, c["err_ours"], c["err_pg"], c["err_both"], c["wrong"], pct,
        "" if secs is None else "%.0f" % secs), flush=True)


if __name__ == "__main__":
    main()
