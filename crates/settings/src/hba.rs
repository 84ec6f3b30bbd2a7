//! `pg_hba.conf`: which authentication method applies to a connection,
//! by connection type, database, user and client address. PostgreSQL's
//! format and rules: the first line that matches decides; no matching line
//! means the connection is refused.
//!
//! ```text
//! # TYPE     DATABASE  USER   ADDRESS        METHOD
//! local      all       all                   trust
//! host       all       all    127.0.0.1/32   trust
//! hostssl    app       +app   10.0.0.0/8     scram-sha-256
//! host       all       all    10.1.0.0 255.255.0.0  md5
//! ```
//!
//! The supervisor parses the file at start (an error stops the start) and
//! at SIGHUP (an error keeps the old rules); children receive the parsed
//! rules, so every launch mode authenticates with the same ones.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// The file the server writes into a new data directory, like initdb's:
/// trust over the Unix socket and loopback, scram-sha-256 from anywhere
/// else.
pub const DEFAULT_HBA_CONF: &str = "\
# pg_hba.conf: client authentication (PostgreSQL's format).
# TYPE  DATABASE        USER            ADDRESS                 METHOD
#
# The first line matching the connection type, database, user and client
# address decides the method: trust, reject, password, md5, scram-sha-256.
# Types: local (Unix socket), host (TCP, with or without SSL), hostssl,
# hostnossl. Re-read on SIGHUP (pg_ctl reload, SELECT pg_reload_conf()).

# Connections from this machine are trusted: change this before letting
# anyone else log in to it.
local   all             all                                     trust
host    all             all             127.0.0.1/32            trust
host    all             all             ::1/128                 trust
# Everyone else needs a password.
host    all             all             0.0.0.0/0               scram-sha-256
host    all             all             ::/0                    scram-sha-256
";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnType {
    Local,
    Host,
    HostSsl,
    HostNoSsl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    Trust,
    Reject,
    Password,
    Md5,
    ScramSha256,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Trust => "trust",
            AuthMethod::Reject => "reject",
            AuthMethod::Password => "password",
            AuthMethod::Md5 => "md5",
            AuthMethod::ScramSha256 => "scram-sha-256",
        }
    }
}

/// A database or user field entry; a quoted `"all"` is a name, not the
/// keyword.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub text: String,
    pub quoted: bool,
}

impl Token {
    fn is_keyword(&self, word: &str) -> bool {
        !self.quoted && self.text == word
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Address {
    All,
    /// Any of the server's own addresses (the one the client connected to).
    SameHost,
    Cidr {
        network: IpAddr,
        prefix: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HbaLine {
    pub line_number: usize,
    pub conn_type: ConnType,
    pub databases: Vec<Token>,
    pub users: Vec<Token>,
    /// None for `local` lines.
    pub address: Option<Address>,
    pub method: AuthMethod,
    /// The line as written (for the log).
    pub text: String,
}

/// The parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HbaRules {
    pub lines: Vec<HbaLine>,
}

/// What a connection offers for matching.
pub struct Connection<'a> {
    /// Over a Unix socket.
    pub local: bool,
    pub ssl: bool,
    pub client_addr: Option<IpAddr>,
    /// The server address the client connected to.
    pub server_addr: Option<IpAddr>,
    pub database: &'a str,
    pub user: &'a str,
}

impl HbaRules {
    /// Parses the text of a pg_hba.conf. An error is PostgreSQL's message
    /// plus the line it is on (`line 3 of configuration file "..."`).
    pub fn parse(text: &str, file_name: &str) -> Result<HbaRules, String> {
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_number = i + 1;
            let fields = split_fields(raw).map_err(|e| at_line(e, line_number, file_name))?;
            if fields.is_empty() {
                continue;
            }
            let mut line =
                parse_line(&fields, line_number).map_err(|e| at_line(e, line_number, file_name))?;
            line.text = raw.split('#').next().unwrap_or(raw).trim().to_string();
            lines.push(line);
        }
        Ok(HbaRules { lines })
    }

    /// The first line that matches, or None (the connection is refused).
    pub fn find(&self, c: &Connection<'_>) -> Option<&HbaLine> {
        self.lines.iter().find(|line| line.matches(c))
    }
}

fn at_line(message: String, line: usize, file_name: &str) -> String {
    format!("{message}\nCONTEXT:  line {line} of configuration file \"{file_name}\"")
}

impl HbaLine {
    fn matches(&self, c: &Connection<'_>) -> bool {
        let type_ok = match self.conn_type {
            ConnType::Local => c.local,
            ConnType::Host => !c.local,
            ConnType::HostSsl => !c.local && c.ssl,
            ConnType::HostNoSsl => !c.local && !c.ssl,
        };
        if !type_ok {
            return false;
        }
        if let Some(address) = &self.address {
            let Some(client) = c.client_addr else {
                return false;
            };
            let address_ok = match address {
                Address::All => true,
                Address::SameHost => c.server_addr == Some(client),
                Address::Cidr { network, prefix } => in_network(client, *network, *prefix),
            };
            if !address_ok {
                return false;
            }
        }
        let database_ok = self.databases.iter().any(|d| {
            if d.is_keyword("all") {
                true
            } else if d.is_keyword("sameuser") || d.is_keyword("samerole") {
                // A role is a member of itself; there are no other memberships.
                c.database == c.user
            } else if d.is_keyword("replication") {
                false
            } else {
                d.text == c.database
            }
        });
        database_ok
            && self.users.iter().any(|u| {
                if u.is_keyword("all") {
                    true
                } else if let Some(group) = u.text.strip_prefix('+').filter(|_| !u.quoted) {
                    // Members of the group: here, the role itself.
                    group == c.user
                } else {
                    u.text == c.user
                }
            })
    }
}

fn in_network(addr: IpAddr, network: IpAddr, prefix: u8) -> bool {
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    };
    match (addr, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - prefix as u32).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - prefix as u32).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// One field: its comma-separated entries, each with whether it was quoted.
type Field = Vec<Token>;

/// Splits a line into whitespace-separated fields of comma lists, with
/// `"..."` quoting and `#` comments.
fn split_fields(raw: &str) -> Result<Vec<Field>, String> {
    let mut fields: Vec<Field> = Vec::new();
    let mut chars = raw.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.peek() {
            None | Some('#') => break,
            _ => {}
        }
        let mut field = Vec::new();
        loop {
            let mut token = Token {
                text: String::new(),
                quoted: false,
            };
            let mut in_quotes = false;
            while let Some(&c) = chars.peek() {
                if in_quotes {
                    chars.next();
                    if c == '"' {
                        in_quotes = false;
                    } else {
                        token.text.push(c);
                    }
                } else if c == '"' {
                    chars.next();
                    in_quotes = true;
                    token.quoted = true;
                } else if c.is_whitespace() || c == ',' || c == '#' {
                    break;
                } else {
                    chars.next();
                    token.text.push(c);
                }
            }
            if in_quotes {
                return Err("unterminated quoted string".to_string());
            }
            field.push(token);
            if chars.peek() == Some(&',') {
                chars.next();
                continue;
            }
            break;
        }
        fields.push(field);
    }
    Ok(fields)
}

fn single<'a>(field: &'a Field, what: &str) -> Result<&'a Token, String> {
    match field.as_slice() {
        [t] => Ok(t),
        _ => Err(format!("multiple values specified for {what}")),
    }
}

fn parse_line(fields: &[Field], line_number: usize) -> Result<HbaLine, String> {
    let conn_type = match single(&fields[0], "connection type")?.text.as_str() {
        "local" => ConnType::Local,
        "host" => ConnType::Host,
        "hostssl" => ConnType::HostSsl,
        "hostnossl" => ConnType::HostNoSsl,
        "hostgssenc" | "hostnogssenc" => {
            return Err("GSSAPI encryption is not supported by this build".to_string())
        }
        other => return Err(format!("invalid connection type \"{other}\"")),
    };
    let mut rest = fields[1..].iter();
    let databases = rest
        .next()
        .ok_or_else(|| "end-of-line before database specification".to_string())?
        .clone();
    let users = rest
        .next()
        .ok_or_else(|| "end-of-line before role specification".to_string())?
        .clone();
    for t in databases.iter().chain(&users) {
        if t.text.starts_with('@') && !t.quoted {
            return Err(format!(
                "included files (\"{}\") are not supported in pg_hba.conf",
                t.text
            ));
        }
    }
    let address = if conn_type == ConnType::Local {
        None
    } else {
        let field = rest
            .next()
            .ok_or_else(|| "end-of-line before IP address specification".to_string())?;
        let token = single(field, "IP address")?;
        Some(match token.text.as_str() {
            "all" => Address::All,
            "samehost" => Address::SameHost,
            "samenet" => return Err("samenet is not supported by this server".to_string()),
            text => match text.split_once('/') {
                Some((ip, bits)) => {
                    let network: IpAddr = ip
                        .parse()
                        .map_err(|_| format!("invalid IP address \"{ip}\""))?;
                    let max = if network.is_ipv4() { 32 } else { 128 };
                    let prefix: u8 = bits
                        .parse()
                        .ok()
                        .filter(|p| *p <= max)
                        .ok_or_else(|| format!("invalid CIDR mask in address \"{text}\""))?;
                    Address::Cidr { network, prefix }
                }
                None => {
                    let network: IpAddr = text.parse().map_err(|_| {
                        format!(
                            "invalid IP address \"{text}\" (host names are not supported by this server)"
                        )
                    })?;
                    // An address without a mask: the mask is the next field.
                    let mask_field = rest
                        .next()
                        .ok_or_else(|| "end-of-line before netmask specification".to_string())?;
                    let mask_text = &single(mask_field, "netmask")?.text;
                    let mask: IpAddr = mask_text
                        .parse()
                        .map_err(|_| format!("invalid IP mask \"{mask_text}\""))?;
                    Address::Cidr {
                        network,
                        prefix: mask_prefix(mask, network)
                            .ok_or_else(|| format!("invalid IP mask \"{mask_text}\""))?,
                    }
                }
            },
        })
    };
    let method_field = rest
        .next()
        .ok_or_else(|| "end-of-line before authentication method".to_string())?;
    let method = match single(method_field, "authentication type")?.text.as_str() {
        "trust" => AuthMethod::Trust,
        "reject" => AuthMethod::Reject,
        "password" => AuthMethod::Password,
        "md5" => AuthMethod::Md5,
        "scram-sha-256" => AuthMethod::ScramSha256,
        m @ ("gss" | "sspi" | "ident" | "peer" | "ldap" | "radius" | "cert" | "pam" | "bsd") => {
            return Err(format!(
                "authentication method \"{m}\" is not supported by this server"
            ))
        }
        other => return Err(format!("invalid authentication method \"{other}\"")),
    };
    if let Some(option) = rest.next() {
        return Err(format!(
            "authentication option \"{}\" is not supported by this server",
            option.first().map(|t| t.text.as_str()).unwrap_or_default()
        ));
    }
    Ok(HbaLine {
        line_number,
        conn_type,
        databases,
        users,
        address,
        method,
        text: String::new(),
    })
}

/// A netmask (`255.255.0.0`) as a prefix length, if its bits are contiguous.
fn mask_prefix(mask: IpAddr, network: IpAddr) -> Option<u8> {
    let (bits, width) = match (mask, network) {
        (IpAddr::V4(m), IpAddr::V4(_)) => (u32::from(m) as u128, 32),
        (IpAddr::V6(m), IpAddr::V6(_)) => (u128::from(m), 128),
        _ => return None,
    };
    let ones = bits.count_ones();
    let expected = if ones == 0 {
        0
    } else {
        (u128::MAX >> (128 - width)) & !((1u128 << (width - ones)) - 1)
    };
    (bits == expected).then_some(ones as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn<'a>(addr: Option<&str>, ssl: bool, database: &'a str, user: &'a str) -> Connection<'a> {
        Connection {
            local: addr.is_none(),
            ssl,
            client_addr: addr.map(|a| a.parse().unwrap()),
            server_addr: Some("127.0.0.1".parse().unwrap()),
            database,
            user,
        }
    }

    #[test]
    fn the_first_matching_line_decides() {
        let rules = HbaRules::parse(
            "# comment\n\
             local all all trust\n\
             hostssl app +app 10.0.0.0/8 scram-sha-256 # trailing\n\
             hostnossl all bob 10.0.0.0 255.0.0.0 reject\n\
             host \"all\",db2 alice,bob 10.1.0.0/16 md5\n\
             host sameuser all ::1/128 password\n\
             host all all samehost trust\n\
             host all all 0.0.0.0/0 scram-sha-256\n",
            "pg_hba.conf",
        )
        .unwrap();
        let method = |c: Connection<'_>| rules.find(&c).map(|l| (l.line_number, l.method));
        assert_eq!(
            method(conn(None, false, "x", "y")),
            Some((2, AuthMethod::Trust))
        );
        assert_eq!(
            method(conn(Some("10.2.3.4"), true, "app", "app")),
            Some((3, AuthMethod::ScramSha256))
        );
        // Not over SSL: line 3 does not apply; bob is rejected by line 4.
        assert_eq!(
            method(conn(Some("10.2.3.4"), false, "app", "bob")),
            Some((4, AuthMethod::Reject))
        );
        // A quoted "all" is a database named all.
        assert_eq!(
            method(conn(Some("10.1.9.9"), false, "all", "alice")),
            Some((5, AuthMethod::Md5))
        );
        assert_eq!(
            method(conn(Some("10.1.9.9"), true, "db2", "alice")),
            Some((5, AuthMethod::Md5))
        );
        assert_eq!(
            method(conn(Some("::1"), false, "carol", "carol")),
            Some((6, AuthMethod::Password))
        );
        assert_eq!(
            method(conn(Some("127.0.0.1"), false, "d", "u")),
            Some((7, AuthMethod::Trust))
        );
        assert_eq!(
            method(conn(Some("192.168.1.1"), false, "d", "u")),
            Some((8, AuthMethod::ScramSha256))
        );
        // IPv6 clients do not match IPv4 lines (but v4-mapped ones do).
        assert_eq!(method(conn(Some("fe80::1"), false, "d", "u")), None);
        assert_eq!(
            method(conn(Some("::ffff:192.168.1.1"), false, "d", "u")),
            Some((8, AuthMethod::ScramSha256))
        );
    }

    #[test]
    fn errors_name_the_line() {
        for (text, message) in [
            ("local all all foo", "invalid authentication method \"foo\""),
            (
                "hots all all 1.2.3.4/32 trust",
                "invalid connection type \"hots\"",
            ),
            (
                "host all all 1.2.3.4/33 trust",
                "invalid CIDR mask in address \"1.2.3.4/33\"",
            ),
            (
                "host all all 1.2.3.4 255.0.255.0 trust",
                "invalid IP mask \"255.0.255.0\"",
            ),
            (
                "host all all",
                "end-of-line before IP address specification",
            ),
            ("local all", "end-of-line before role specification"),
            ("local \"all all trust", "unterminated quoted string"),
            (
                "local all all trust map=x",
                "authentication option \"map=x\" is not supported",
            ),
        ] {
            let err = HbaRules::parse(&format!("# x\n{text}\n"), "/d/pg_hba.conf").unwrap_err();
            assert!(err.starts_with(message), "{text}: {err}");
            assert!(
                err.ends_with("line 2 of configuration file \"/d/pg_hba.conf\""),
                "{err}"
            );
        }
        let default = HbaRules::parse(DEFAULT_HBA_CONF, "pg_hba.conf").unwrap();
        assert_eq!(default.lines.len(), 5);
    }
}
