//! COPY's text and CSV formats: what a COPY statement asks for
//! ([`CopySpec`]), records read from CopyData chunks that need not end at
//! line boundaries ([`CopyReader`]), and rows written out ([`write_row`]).
//! Pure byte work; the session does the inserting and the backend the
//! messages.

use pm_elog::{sqlstate as code, PgError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CopyFormat {
    #[default]
    Text,
    Csv,
}

/// A COPY statement's target and options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopySpec {
    /// The table (empty for `COPY (query) TO`).
    pub table: String,
    /// Named columns; empty means all, in table order.
    pub columns: Vec<String>,
    /// `COPY (query) TO STDOUT`.
    pub query: Option<String>,
    /// FROM STDIN (true) or TO STDOUT.
    pub from: bool,
    pub format: CopyFormat,
    pub delimiter: Option<u8>,
    pub null: Option<String>,
    pub header: bool,
    pub quote: Option<u8>,
    pub escape: Option<u8>,
}

impl CopySpec {
    pub fn delimiter(&self) -> u8 {
        self.delimiter.unwrap_or(match self.format {
            CopyFormat::Text => b'\t',
            CopyFormat::Csv => b',',
        })
    }

    pub fn null_string(&self) -> &str {
        self.null.as_deref().unwrap_or(match self.format {
            CopyFormat::Text => "\\N",
            CopyFormat::Csv => "",
        })
    }

    fn quote(&self) -> u8 {
        self.quote.unwrap_or(b'"')
    }

    fn escape(&self) -> u8 {
        self.escape.unwrap_or(self.quote())
    }

    /// PostgreSQL's checks on option combinations.
    pub fn check(&self) -> Result<(), PgError> {
        let unsupported = |m: &str| Err(PgError::error(code::FEATURE_NOT_SUPPORTED, m));
        if self.format == CopyFormat::Text {
            if self.quote.is_some() {
                return unsupported("COPY quote available only in CSV mode");
            }
            if self.escape.is_some() {
                return unsupported("COPY escape available only in CSV mode");
            }
        }
        let d = self.delimiter();
        if d == b'\n' || d == b'\r' {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if self.format == CopyFormat::Text && (d == b'\\' || d.is_ascii_alphanumeric()) {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("COPY delimiter cannot be \"{}\"", d as char),
            ));
        }
        if self.format == CopyFormat::Csv && d == self.quote() {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                "COPY delimiter and quote must be different",
            ));
        }
        if self.null_string().as_bytes().contains(&d) {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                "COPY delimiter character must not appear in the NULL specification",
            ));
        }
        Ok(())
    }
}

/// One input record: its fields (None = NULL) and its line number.
pub type Record = Vec<Option<String>>;

/// Splits COPY input into records as CopyData chunks arrive.
pub struct CopyReader {
    spec: CopySpec,
    buf: Vec<u8>,
    pos: usize,
    /// Line number of the last record returned (1-based, header included).
    pub line: u64,
    /// `\.` was seen: everything after it is ignored.
    pub finished: bool,
    skip_header: bool,
}

impl CopyReader {
    pub fn new(spec: &CopySpec) -> Self {
        CopyReader {
            spec: spec.clone(),
            buf: Vec::new(),
            pos: 0,
            line: 0,
            finished: false,
            skip_header: spec.header,
        }
    }

    pub fn feed(&mut self, data: &[u8]) {
        if self.finished {
            return;
        }
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 64 * 1024 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next whole record, or None when more input is needed (or, with
    /// `at_end`, when the input is exhausted).
    pub fn next_record(&mut self, at_end: bool) -> Option<Result<Record, PgError>> {
        loop {
            if self.finished {
                return None;
            }
            let (raw_end, next) = match self.spec.format {
                CopyFormat::Text => self.find_line_end(false),
                CopyFormat::Csv => self.find_line_end(true),
            }
            .or_else(|| {
                (at_end && self.pos < self.buf.len()).then_some((self.buf.len(), self.buf.len()))
            })?;
            let mut line = &self.buf[self.pos..raw_end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let line = line.to_vec();
            self.pos = next;
            self.line += 1;
            if line == b"\\." {
                self.finished = true;
                return None;
            }
            if self.skip_header {
                self.skip_header = false;
                continue;
            }
            if at_end && next == self.buf.len() && self.spec.format == CopyFormat::Csv {
                if let Err(e) = self.csv_complete(&line) {
                    return Some(Err(e));
                }
            }
            return Some(match self.spec.format {
                CopyFormat::Text => self.text_fields(&line),
                CopyFormat::Csv => self.csv_fields(&line),
            });
        }
    }

    /// End of the current record: (end of its text, start of the next).
    /// CSV newlines inside quotes do not end a record.
    fn find_line_end(&self, csv: bool) -> Option<(usize, usize)> {
        let bytes = &self.buf[self.pos..];
        if !csv {
            return bytes
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| (self.pos + p, self.pos + p + 1));
        }
        let (quote, escape) = (self.spec.quote(), self.spec.escape());
        let mut in_quotes = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if in_quotes {
                if b == escape && escape != quote && bytes.get(i + 1) == Some(&quote) {
                    i += 1;
                } else if b == quote {
                    in_quotes = false;
                }
            } else if b == quote {
                in_quotes = true;
            } else if b == b'\n' {
                return Some((self.pos + i, self.pos + i + 1));
            }
            i += 1;
        }
        None
    }

    fn csv_complete(&self, line: &[u8]) -> Result<(), PgError> {
        let (quote, escape) = (self.spec.quote(), self.spec.escape());
        let mut in_quotes = false;
        let mut i = 0;
        while i < line.len() {
            if in_quotes && line[i] == escape && line.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            if line[i] == quote {
                in_quotes = !in_quotes;
            }
            i += 1;
        }
        if in_quotes {
            return Err(PgError::error(
                code::BAD_COPY_FILE_FORMAT,
                "unterminated CSV quoted field",
            ));
        }
        Ok(())
    }

    fn text_fields(&self, line: &[u8]) -> Result<Record, PgError> {
        let delim = self.spec.delimiter();
        let null = self.spec.null_string().as_bytes();
        let mut fields = Vec::new();
        let mut i = 0;
        loop {
            let start = i;
            let mut value = Vec::new();
            while i < line.len() && line[i] != delim {
                if line[i] == b'\\' && i + 1 < line.len() {
                    i += 1;
                    let c = line[i];
                    match c {
                        b'b' => value.push(8),
                        b'f' => value.push(12),
                        b'n' => value.push(b'\n'),
                        b'r' => value.push(b'\r'),
                        b't' => value.push(b'\t'),
                        b'v' => value.push(11),
                        b'0'..=b'7' => {
                            let mut v: u32 = (c - b'0') as u32;
                            for _ in 0..2 {
                                match line.get(i + 1) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            value.push((v & 0xff) as u8);
                        }
                        b'x' if line.get(i + 1).is_some_and(u8::is_ascii_hexdigit) => {
                            let mut v = 0u8;
                            for _ in 0..2 {
                                match line.get(i + 1).and_then(|d| (*d as char).to_digit(16)) {
                                    Some(d) => {
                                        v = v.wrapping_mul(16) + d as u8;
                                        i += 1;
                                    }
                                    None => break,
                                }
                            }
                            value.push(v);
                        }
                        other => value.push(other),
                    }
                    i += 1;
                } else {
                    value.push(line[i]);
                    i += 1;
                }
            }
            if &line[start..i] == null {
                fields.push(None);
            } else {
                fields.push(Some(utf8(value)?));
            }
            if i >= line.len() {
                break;
            }
            i += 1; // the delimiter
        }
        Ok(fields)
    }

    fn csv_fields(&self, line: &[u8]) -> Result<Record, PgError> {
        let (delim, quote, escape) = (self.spec.delimiter(), self.spec.quote(), self.spec.escape());
        let null = self.spec.null_string().as_bytes();
        let mut fields = Vec::new();
        let mut i = 0;
        loop {
            let start = i;
            let mut value = Vec::new();
            let mut quoted = false;
            while i < line.len() && line[i] != delim {
                if line[i] == quote {
                    quoted = true;
                    i += 1;
                    loop {
                        match line.get(i) {
                            None => {
                                return Err(PgError::error(
                                    code::BAD_COPY_FILE_FORMAT,
                                    "unterminated CSV quoted field",
                                ))
                            }
                            Some(&b) if b == escape && line.get(i + 1) == Some(&quote) => {
                                value.push(quote);
                                i += 2;
                            }
                            Some(&b) if b == quote => {
                                i += 1;
                                break;
                            }
                            Some(&b) => {
                                value.push(b);
                                i += 1;
                            }
                        }
                    }
                } else {
                    value.push(line[i]);
                    i += 1;
                }
            }
            if !quoted && &line[start..i] == null {
                fields.push(None);
            } else {
                fields.push(Some(utf8(value)?));
            }
            if i >= line.len() {
                break;
            }
            i += 1;
        }
        Ok(fields)
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, PgError> {
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.as_bytes()[e.utf8_error().valid_up_to()];
        PgError::error(
            code::CHARACTER_NOT_IN_REPERTOIRE,
            format!("invalid byte sequence for encoding \"UTF8\": 0x{bad:02x}"),
        )
    })
}

/// Appends one output row (fields as PostgreSQL text, None = NULL) and its newline.
pub fn write_row(out: &mut Vec<u8>, spec: &CopySpec, fields: &[Option<&[u8]>]) {
    let delim = spec.delimiter();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(delim);
        }
        match (field, spec.format) {
            (None, _) => out.extend_from_slice(spec.null_string().as_bytes()),
            (Some(v), CopyFormat::Text) => {
                for &b in *v {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        8 => out.extend_from_slice(b"\\b"),
                        12 => out.extend_from_slice(b"\\f"),
                        11 => out.extend_from_slice(b"\\v"),
                        b if b == delim => {
                            out.push(b'\\');
                            out.push(b);
                        }
                        b => out.push(b),
                    }
                }
            }
            (Some(v), CopyFormat::Csv) => {
                let (quote, escape) = (spec.quote(), spec.escape());
                let needs_quotes = v.is_empty()
                    || *v == spec.null_string().as_bytes()
                    || v.starts_with(b"\\.")
                    || v.iter()
                        .any(|&b| b == delim || b == quote || b == b'\n' || b == b'\r');
                if needs_quotes {
                    out.push(quote);
                    for &b in *v {
                        if b == quote || b == escape {
                            out.push(escape);
                        }
                        out.push(b);
                    }
                    out.push(quote);
                } else {
                    out.extend_from_slice(v);
                }
            }
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(spec: &CopySpec, chunks: &[&[u8]]) -> Vec<Result<Record, String>> {
        let mut r = CopyReader::new(spec);
        let mut out = Vec::new();
        for c in chunks {
            r.feed(c);
            while let Some(rec) = r.next_record(false) {
                out.push(rec.map_err(|e| e.message));
            }
        }
        while let Some(rec) = r.next_record(true) {
            out.push(rec.map_err(|e| e.message));
        }
        out
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn text_records_across_chunks_with_escapes_and_nulls() {
        let spec = CopySpec::default();
        let rows = read_all(
            &spec,
            &[b"1\ta\\tb\t\\N\n2\t", b"x\\\\y\\ny\t\\101\n3\t\\x41\t"],
        );
        assert_eq!(
            rows,
            vec![
                Ok(vec![s("1"), s("a\tb"), None]),
                Ok(vec![s("2"), s("x\\y\ny"), s("A")]),
                Ok(vec![s("3"), s("A"), s("")]),
            ]
        );
        let rows = read_all(&spec, &[b"1\r\n\\.\nignored\n"]);
        assert_eq!(rows, vec![Ok(vec![s("1")])]);
        let rows = read_all(&spec, &[b"\xff\n"]);
        assert_eq!(
            rows,
            vec![Err(
                "invalid byte sequence for encoding \"UTF8\": 0xff".to_string()
            )]
        );
    }

    #[test]
    fn csv_quotes_newlines_header_and_nulls() {
        let spec = CopySpec {
            format: CopyFormat::Csv,
            header: true,
            ..Default::default()
        };
        let rows = read_all(
            &spec,
            &[b"a,b,c\n1,\"x,\"\"y\"\"\",\n2,\"multi\nli", b"ne\",\"\"\n"],
        );
        assert_eq!(
            rows,
            vec![
                Ok(vec![s("1"), s("x,\"y\""), None]),
                Ok(vec![s("2"), s("multi\nline"), s("")]),
            ]
        );
        let rows = read_all(&spec, &[b"h\n1,\"open"]);
        assert_eq!(rows, vec![Err("unterminated CSV quoted field".to_string())]);
    }

    #[test]
    fn rows_are_written_as_postgresql_does() {
        let text = CopySpec::default();
        let mut out = Vec::new();
        write_row(&mut out, &text, &[Some(b"a\tb\\c\nd"), None, Some(b"")]);
        assert_eq!(out, b"a\\tb\\\\c\\nd\t\\N\t\n");
        let csv = CopySpec {
            format: CopyFormat::Csv,
            ..Default::default()
        };
        let mut out = Vec::new();
        write_row(
            &mut out,
            &csv,
            &[Some(b"plain"), Some(b"a,\"b\""), None, Some(b"")],
        );
        assert_eq!(out, b"plain,\"a,\"\"b\"\"\",,\"\"\n");
        // What is written reads back the same.
        let rows = read_all(&csv, &[&out]);
        assert_eq!(rows, vec![Ok(vec![s("plain"), s("a,\"b\""), None, s("")])]);
    }
}
