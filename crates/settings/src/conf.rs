//! `postgresql.conf` reader, following PostgreSQL's guc-file.l.
//!
//! One setting a line: `name = value` or `name value`; `#` starts a comment;
//! a value is a bare word/number (with an optional unit) or a single-quoted
//! string in which `''` and `\'` stand for a quote. `include 'file'`,
//! `include_if_exists 'file'` and `include_dir 'dir'` read other files,
//! relative to the including file's directory. Nesting is bounded.

use std::path::{Path, PathBuf};

/// How deep include directives may nest, as PostgreSQL's CONF_FILE_MAX_DEPTH.
pub const INCLUDE_DEPTH_MAX: usize = 10;

/// One `name = value` line, with where it came from for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfItem {
    pub name: String,
    pub value: String,
    pub file: PathBuf,
    pub line: usize,
}

/// Reads a configuration file and everything it includes, in order.
pub fn read_conf_file(path: &Path) -> Result<Vec<ConfItem>, String> {
    let mut items = Vec::new();
    read_into(path, false, 0, &mut items)?;
    Ok(items)
}

fn read_into(
    path: &Path,
    missing_ok: bool,
    depth: usize,
    items: &mut Vec<ConfItem>,
) -> Result<(), String> {
    if depth > INCLUDE_DEPTH_MAX {
        return Err(format!(
            "could not open configuration file \"{}\": maximum nesting depth exceeded",
            path.display()
        ));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(format!(
                "could not open configuration file \"{}\": {e}",
                path.display()
            ))
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let syntax_error = || {
            format!(
                "syntax error in file \"{}\" line {line}, near \"{}\"",
                path.display(),
                raw.trim()
            )
        };
        let Some((name, value)) = parse_line(raw).map_err(|_| syntax_error())? else {
            continue;
        };
        let relative = |v: &str| {
            let p = Path::new(v);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        match name.as_str() {
            "include" => read_into(&relative(&value), false, depth + 1, items)?,
            "include_if_exists" => read_into(&relative(&value), true, depth + 1, items)?,
            "include_dir" => {
                let dir = relative(&value);
                let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .map_err(|e| {
                        format!(
                            "could not open configuration directory \"{}\": {e}",
                            dir.display()
                        )
                    })?
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "conf")
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect();
                files.sort();
                for file in files {
                    read_into(&file, false, depth + 1, items)?;
                }
            }
            _ => items.push(ConfItem {
                name,
                value,
                file: path.to_path_buf(),
                line,
            }),
        }
    }
    Ok(())
}

/// Parses one line: `Ok(None)` for blank/comment lines.
fn parse_line(raw: &str) -> Result<Option<(String, String)>, ()> {
    let s = raw.trim_start();
    if s.is_empty() || s.starts_with('#') {
        return Ok(None);
    }
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(s.len());
    if name_end == 0 {
        return Err(());
    }
    let name = s[..name_end].to_ascii_lowercase();
    let mut rest = s[name_end..].trim_start();
    if let Some(r) = rest.strip_prefix('=') {
        rest = r.trim_start();
    }
    let (value, after) = if let Some(quoted) = rest.strip_prefix('\'') {
        let mut value = String::new();
        let mut chars = quoted.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        value.push(match next {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    }
                }
                '\'' => {
                    if chars.peek().map(|&(_, c)| c) == Some('\'') {
                        chars.next();
                        value.push('\'');
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                }
                other => value.push(other),
            }
        }
        let end = end.ok_or(())?;
        (value, &quoted[end..])
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '#')
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(());
        }
        (rest[..end].to_string(), &rest[end..])
    };
    let after = after.trim_start();
    if !(after.is_empty() || after.starts_with('#')) {
        return Err(());
    }
    Ok(Some((name, value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_like_guc_file() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("", None),
            ("   # comment", None),
            ("port = 5433", Some(("port", "5433"))),
            ("port 5433", Some(("port", "5433"))),
            (
                "Max_Connections=20   # trailing",
                Some(("max_connections", "20")),
            ),
            ("listen_addresses = '*'", Some(("listen_addresses", "*"))),
            ("x = 'it''s'", Some(("x", "it's"))),
            ("x = 'a\\'b'", Some(("x", "a'b"))),
            (
                "authentication_timeout = 1min",
                Some(("authentication_timeout", "1min")),
            ),
        ];
        for (line, expected) in cases {
            let got = parse_line(line).unwrap();
            let expected = expected.map(|(n, v)| (n.to_string(), v.to_string()));
            assert_eq!(got, expected, "line {line:?}");
        }
        for bad in ["= 3", "port = 'unterminated", "port = 1 2"] {
            assert!(parse_line(bad).is_err(), "{bad:?} should be a syntax error");
        }
    }

    #[test]
    fn includes_are_followed() {
        let dir = std::env::temp_dir().join(format!("pm-conf-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("conf.d")).unwrap();
        std::fs::write(
            dir.join("postgresql.conf"),
            "port = 1\ninclude 'extra.conf'\ninclude_if_exists 'missing.conf'\ninclude_dir 'conf.d'\n",
        )
        .unwrap();
        std::fs::write(dir.join("extra.conf"), "port = 2\n").unwrap();
        std::fs::write(dir.join("conf.d/a.conf"), "port = 3\n").unwrap();
        let items = read_conf_file(&dir.join("postgresql.conf")).unwrap();
        let values: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["1", "2", "3"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
