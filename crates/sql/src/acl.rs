//! Ownership and privileges as PostgreSQL has them (acl.c, aclchk.c).
//!
//! Every relation (table, view, sequence) and the `public` schema has an
//! owner and an access-control list, kept per database in the table
//! `pm$acl` (name, relkind, owner oid, acl), written in the same SQLite
//! transaction as the DDL or GRANT that changes them (so a rollback
//! undoes them too). A relation without a row there is owned by the
//! bootstrap superuser with the default ACL (what every relation made
//! before this module existed gets: as PostgreSQL's objects created by
//! initdb's superuser). The acl column holds aclitems as PostgreSQL
//! writes them, with role oids for names (`10=arwdDxt/10,0=r/10`, 0 being
//! PUBLIC); NULL is acldefault's list.
//!
//! Checks (`pg_class_aclcheck`) run before a statement touches storage:
//! the analyzer lists the relations a statement reads and writes with the
//! privilege each needs ([`Access`]), the session checks them for the
//! current role (superusers pass, as in PostgreSQL); the sequence
//! functions check theirs when called.

use std::collections::HashMap;

use pm_elog::{sqlstate as code, PgError};
use rusqlite::Connection;

use crate::datadir::{
    CatalogSnapshot, BOOTSTRAP_SUPERUSER_OID, READ_ALL_DATA_OID, WRITE_ALL_DATA_OID,
};

/// PUBLIC as a grantee.
pub const PUBLIC: i64 = 0;
/// pg_database_owner: whoever owns the current database.
pub const DATABASE_OWNER: i64 = 6171;

pub const INSERT: u16 = 1 << 0;
pub const SELECT: u16 = 1 << 1;
pub const UPDATE: u16 = 1 << 2;
pub const DELETE: u16 = 1 << 3;
pub const TRUNCATE: u16 = 1 << 4;
pub const REFERENCES: u16 = 1 << 5;
pub const TRIGGER: u16 = 1 << 6;
pub const EXECUTE: u16 = 1 << 7;
pub const USAGE: u16 = 1 << 8;
pub const CREATE: u16 = 1 << 9;
pub const TEMPORARY: u16 = 1 << 10;
pub const CONNECT: u16 = 1 << 11;

/// The letters of aclitem's text form, in PostgreSQL's order
/// (ACL_ALL_RIGHTS_STR).
const LETTERS: [(u16, char); 12] = [
    (INSERT, 'a'),
    (SELECT, 'r'),
    (UPDATE, 'w'),
    (DELETE, 'd'),
    (TRUNCATE, 'D'),
    (REFERENCES, 'x'),
    (TRIGGER, 't'),
    (EXECUTE, 'X'),
    (USAGE, 'U'),
    (CREATE, 'C'),
    (TEMPORARY, 'T'),
    (CONNECT, 'c'),
];

/// The privilege keywords of GRANT / REVOKE.
const NAMES: [(u16, &str); 12] = [
    (INSERT, "INSERT"),
    (SELECT, "SELECT"),
    (UPDATE, "UPDATE"),
    (DELETE, "DELETE"),
    (TRUNCATE, "TRUNCATE"),
    (REFERENCES, "REFERENCES"),
    (TRIGGER, "TRIGGER"),
    (EXECUTE, "EXECUTE"),
    (USAGE, "USAGE"),
    (CREATE, "CREATE"),
    (TEMPORARY, "TEMPORARY"),
    (CONNECT, "CONNECT"),
];

/// What kind of object an ACL belongs to: which privileges it can have
/// and how PostgreSQL names it in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Table,
    View,
    Sequence,
    Schema,
    /// A column of a table or view (pg_attribute.attacl): its entry's
    /// name is [`column_key`], its owner the relation's.
    Column,
    /// A database (pg_database.datacl, in the global catalog).
    Database,
}

impl ObjectKind {
    /// ACL_ALL_RIGHTS_RELATION and friends.
    pub fn all_rights(self) -> u16 {
        match self {
            ObjectKind::Table | ObjectKind::View => {
                INSERT | SELECT | UPDATE | DELETE | TRUNCATE | REFERENCES | TRIGGER
            }
            ObjectKind::Sequence => USAGE | SELECT | UPDATE,
            ObjectKind::Schema => USAGE | CREATE,
            ObjectKind::Column => INSERT | SELECT | UPDATE | REFERENCES,
            ObjectKind::Database => CREATE | TEMPORARY | CONNECT,
        }
    }

    /// The word of `permission denied for table t`.
    pub fn word(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Schema => "schema",
            ObjectKind::Column => "column",
            ObjectKind::Database => "database",
        }
    }

    fn code(self) -> &'static str {
        match self {
            ObjectKind::Table => "r",
            ObjectKind::View => "v",
            ObjectKind::Sequence => "S",
            ObjectKind::Schema => "n",
            ObjectKind::Column => "c",
            ObjectKind::Database => "d",
        }
    }

    fn from_code(code: &str) -> ObjectKind {
        match code {
            "v" => ObjectKind::View,
            "S" => ObjectKind::Sequence,
            "n" => ObjectKind::Schema,
            "c" => ObjectKind::Column,
            "d" => ObjectKind::Database,
            _ => ObjectKind::Table,
        }
    }
}

/// One aclitem: `grantee=privs/grantor`, with grant options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclItem {
    pub grantee: i64,
    pub grantor: i64,
    pub privileges: u16,
    pub grant_options: u16,
}

/// The owner and ACL of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: ObjectKind,
    pub owner: i64,
    /// None: the default (acldefault).
    pub acl: Option<Vec<AclItem>>,
}

impl Entry {
    /// acldefault: the owner holds every privilege (with grant option,
    /// implicitly: an owner may always grant); for the public schema
    /// PostgreSQL 15's `{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}`.
    pub fn items(&self) -> Vec<AclItem> {
        if let Some(acl) = &self.acl {
            return acl.clone();
        }
        // A column's default ACL is empty (its table's privileges cover it).
        if self.kind == ObjectKind::Column {
            return Vec::new();
        }
        let mut items = vec![AclItem {
            grantee: self.owner,
            grantor: self.owner,
            privileges: self.kind.all_rights(),
            grant_options: 0,
        }];
        if self.kind == ObjectKind::Schema {
            items.push(AclItem {
                grantee: PUBLIC,
                grantor: self.owner,
                privileges: USAGE,
                grant_options: 0,
            });
        }
        // A database: TEMPORARY and CONNECT for PUBLIC.
        if self.kind == ObjectKind::Database {
            items.insert(
                0,
                AclItem {
                    grantee: PUBLIC,
                    grantor: self.owner,
                    privileges: TEMPORARY | CONNECT,
                    grant_options: 0,
                },
            );
        }
        items
    }
}

/// A relation's entry, or the default one (owned by the bootstrap
/// superuser) when none is stored.
pub fn default_entry(kind: ObjectKind) -> Entry {
    Entry {
        kind,
        owner: if kind == ObjectKind::Schema {
            DATABASE_OWNER
        } else {
            BOOTSTRAP_SUPERUSER_OID
        },
        acl: None,
    }
}

/// The stored text of an ACL (`10=arwdDxt/10,0=r*/10`).
pub fn format_acl(items: &[AclItem]) -> String {
    items
        .iter()
        .map(|i| format!("{}={}/{}", i.grantee, letters(i), i.grantor))
        .collect::<Vec<_>>()
        .join(",")
}

fn letters(i: &AclItem) -> String {
    let mut s = String::new();
    for (bit, c) in LETTERS {
        if i.privileges & bit != 0 {
            s.push(c);
            if i.grant_options & bit != 0 {
                s.push('*');
            }
        }
    }
    s
}

/// Reads [`format_acl`]'s text (None: not ours).
pub fn parse_acl(text: &str) -> Option<Vec<AclItem>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',')
        .map(|item| {
            let (grantee, rest) = item.split_once('=')?;
            let (privs, grantor) = rest.rsplit_once('/')?;
            let mut out = AclItem {
                grantee: grantee.parse().ok()?,
                grantor: grantor.parse().ok()?,
                privileges: 0,
                grant_options: 0,
            };
            let mut last = 0;
            for c in privs.chars() {
                if c == '*' {
                    out.grant_options |= last;
                    continue;
                }
                last = LETTERS.iter().find(|(_, l)| *l == c)?.0;
                out.privileges |= last;
            }
            Some(out)
        })
        .collect()
}

/// aclitemout: the ACL as PostgreSQL shows it (`{postgres=arwdDxt/postgres,=r/postgres}`).
pub fn display_acl(items: &[AclItem], name_of: &dyn Fn(i64) -> String) -> String {
    let shown: Vec<String> = items
        .iter()
        .map(|i| {
            let who = if i.grantee == PUBLIC {
                String::new()
            } else {
                quote_role(&name_of(i.grantee))
            };
            format!("{who}={}/{}", letters(i), quote_role(&name_of(i.grantor)))
        })
        .collect();
    format!("{{{}}}", shown.join(","))
}

/// putid: a role name double-quoted when it is not all lower-case
/// letters, digits and underscores.
fn quote_role(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The name of a column's entry in `pm$acl`: the relation's name, U+001F,
/// the column's (no identifier of a PostgreSQL client holds U+001F).
pub fn column_key(relation: &str, column: &str) -> String {
    format!("{relation}\u{1f}{column}")
}

/// The privileges a statement needs on one relation (ANY of
/// `privileges` for sequence functions, ALL of them otherwise), and the
/// columns it reads (SELECT), writes (INSERT, UPDATE) with the privilege
/// each needs: without the table-level privilege, each of those columns
/// must have it (`*`: every column of the relation), and with no column
/// listed for a privilege, some column must (ExecCheckPermissions).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Access {
    pub relation: String,
    pub privileges: u16,
    pub columns: Vec<(String, u16)>,
}

impl Access {
    pub fn new(relation: impl Into<String>, privileges: u16) -> Access {
        Access {
            relation: relation.into(),
            privileges,
            columns: Vec::new(),
        }
    }

    /// Column `name` needs `privilege` (also at table level).
    pub fn add_column(&mut self, name: &str, privilege: u16) {
        self.privileges |= privilege;
        match self.columns.iter_mut().find(|(c, _)| c == name) {
            Some((_, p)) => *p |= privilege,
            None => self.columns.push((name.to_string(), privilege)),
        }
    }
}

/// Who runs the statement: the current role and every role whose
/// privileges it has (itself, PUBLIC, inherited memberships,
/// pg_database_owner when it owns the database).
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub current: i64,
    pub current_name: String,
    pub session: i64,
    pub session_name: String,
    pub superuser: bool,
    pub privileges_of: Vec<i64>,
}

impl Who {
    pub fn new(
        catalog: &CatalogSnapshot,
        session: (i64, &str),
        current: (i64, &str),
        database: i64,
    ) -> Who {
        let mut privileges_of = catalog.roles_of(current.0, false);
        if privileges_of.contains(&catalog.database_owner(database)) {
            privileges_of.push(DATABASE_OWNER);
        }
        privileges_of.push(PUBLIC);
        Who {
            current: current.0,
            current_name: current.1.to_string(),
            session: session.0,
            session_name: session.1.to_string(),
            superuser: catalog
                .role_by_oid(current.0)
                .is_some_and(|r| r.is_superuser),
            privileges_of,
        }
    }

    /// Role `oid` itself as the one who runs (session and current role);
    /// one that does not exist holds only PUBLIC's privileges.
    pub fn of_role(catalog: &CatalogSnapshot, oid: i64, database: i64) -> Who {
        match catalog.role_by_oid(oid) {
            Some(r) => Who::new(catalog, (r.oid, &r.name), (r.oid, &r.name), database),
            None => Who {
                current: oid,
                session: oid,
                privileges_of: vec![oid, PUBLIC],
                ..Default::default()
            },
        }
    }

    /// The privileges of `entry` this role holds (aclmask).
    pub fn mask(&self, entry: &Entry) -> u16 {
        if self.superuser {
            return entry.kind.all_rights();
        }
        let mut mask = entry
            .items()
            .iter()
            .filter(|i| self.privileges_of.contains(&i.grantee))
            .fold(0, |m, i| m | i.privileges);
        // pg_read_all_data / pg_write_all_data (pg_class_aclmask,
        // pg_namespace_aclmask).
        let (read, write) = (
            self.privileges_of.contains(&READ_ALL_DATA_OID),
            self.privileges_of.contains(&WRITE_ALL_DATA_OID),
        );
        match entry.kind {
            ObjectKind::Schema if read || write => mask |= USAGE,
            ObjectKind::Schema | ObjectKind::Database => {}
            kind => {
                if read {
                    mask |= SELECT & kind.all_rights();
                }
                if write {
                    mask |= (INSERT | UPDATE | DELETE) & kind.all_rights();
                }
            }
        }
        mask
    }

    /// The privileges of `entry` this role may grant (an owner: all).
    pub fn grant_options(&self, entry: &Entry) -> u16 {
        if self.owns(entry) {
            return entry.kind.all_rights();
        }
        entry
            .items()
            .iter()
            .filter(|i| self.privileges_of.contains(&i.grantee))
            .fold(0, |m, i| m | i.grant_options)
    }

    /// Whether the role owns `entry` (or is a member of its owner).
    pub fn owns(&self, entry: &Entry) -> bool {
        self.superuser || self.privileges_of.contains(&entry.owner)
    }
}

/// The `pm$acl` table.
pub const TABLE: &str = "pm$acl";

fn sql_error(e: rusqlite::Error) -> PgError {
    crate::errors::from_sqlite(&e)
}

/// Creates `pm$acl` if it is missing (a session does at start, so that
/// the catalogs can read it; a database it cannot write to yet is left
/// alone: the first GRANT or CREATE makes it).
pub fn ensure_table(conn: &Connection) {
    if conn
        .prepare("SELECT 1 FROM \"pm$default_acl\" LIMIT 0")
        .is_err()
    {
        let _ = create_table(conn);
    }
}

fn create_table(conn: &Connection) -> Result<(), PgError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS \"pm$acl\" (
             name TEXT PRIMARY KEY, relkind TEXT NOT NULL, owner INTEGER NOT NULL, acl TEXT);
         CREATE TABLE IF NOT EXISTS \"pm$default_acl\" (
             role INTEGER NOT NULL, schema TEXT NOT NULL, objtype TEXT NOT NULL,
             acl TEXT NOT NULL, PRIMARY KEY (role, schema, objtype));
         CREATE TABLE IF NOT EXISTS \"pm$view_reads\" (
             view TEXT NOT NULL, relation TEXT NOT NULL, privileges INTEGER NOT NULL,
             columns TEXT NOT NULL, PRIMARY KEY (view, relation))",
    )
    .map_err(sql_error)
}

/// What a view's query reads ([`Access`] lists, by relation), kept in
/// `pm$view_reads` and checked against the view's owner when a statement
/// uses the view (PostgreSQL checks a view's relations as its owner).
pub const VIEW_READS: &str = "pm$view_reads";

/// CREATE [OR REPLACE] VIEW: what the view reads now.
pub fn store_view_reads(conn: &Connection, view: &str, reads: &[Access]) -> Result<(), PgError> {
    create_table(conn)?;
    conn.execute("DELETE FROM \"pm$view_reads\" WHERE view = ?1", [view])
        .map_err(sql_error)?;
    // (A row with no relation marks the view's reads as recorded, also
    // when it reads nothing.)
    let marker = Access::new("", 0);
    for a in reads.iter().chain([&marker]) {
        conn.execute(
            "INSERT OR REPLACE INTO \"pm$view_reads\" (view, relation, privileges, columns) \
             VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                view,
                a.relation,
                a.privileges,
                serde_json::to_string(&a.columns).unwrap_or_else(|_| "[]".into())
            ],
        )
        .map_err(sql_error)?;
    }
    Ok(())
}

/// What view `view` reads (None: made before this was recorded).
pub fn view_reads(conn: &Connection, view: &str) -> Result<Option<Vec<Access>>, PgError> {
    let Ok(mut stmt) = conn.prepare_cached(
        "SELECT relation, privileges, columns FROM \"pm$view_reads\" WHERE view = ?1",
    ) else {
        return Ok(None);
    };
    let rows = stmt
        .query_map([view], |r| {
            let columns: String = r.get(2)?;
            Ok(Access {
                relation: r.get(0)?,
                privileges: r.get(1)?,
                columns: serde_json::from_str(&columns).unwrap_or_default(),
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Access>>>())
        .map_err(sql_error)?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        rows.into_iter()
            .filter(|a| !a.relation.is_empty())
            .collect(),
    ))
}

/// Every stored entry, by name (an empty map when the table is missing).
pub fn load(conn: &Connection) -> Result<HashMap<String, Entry>, PgError> {
    let mut stmt = match conn.prepare_cached("SELECT name, relkind, owner, acl FROM \"pm$acl\"") {
        Ok(s) => s,
        Err(_) => return Ok(HashMap::new()),
    };
    let rows = stmt
        .query_map([], |r| {
            let acl: Option<String> = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                Entry {
                    kind: ObjectKind::from_code(&r.get::<_, String>(1)?),
                    owner: r.get(2)?,
                    acl: acl.and_then(|a| parse_acl(&a)),
                },
            ))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
        .map_err(sql_error)?;
    Ok(rows)
}

/// A new object: owned by `owner`, default ACL (any earlier entry of a
/// dropped object of that name is gone).
pub fn record_owner(
    conn: &Connection,
    name: &str,
    kind: ObjectKind,
    owner: i64,
) -> Result<(), PgError> {
    create_table(conn)?;
    // ALTER DEFAULT PRIVILEGES of the owner (every schema's, then
    // public's), when they make the ACL other than acldefault.
    let acl = match kind {
        ObjectKind::Table | ObjectKind::View | ObjectKind::Sequence => {
            let objtype = if kind == ObjectKind::Sequence {
                "S"
            } else {
                "r"
            };
            let defaults = entry_defaults(conn, owner, objtype)?;
            let base = Entry {
                kind,
                owner,
                acl: None,
            };
            let mut items = defaults
                .iter()
                .find(|(schema, _)| schema.is_empty())
                .map_or_else(|| base.items(), |(_, a)| a.clone());
            for (_, extra) in defaults.iter().filter(|(schema, _)| !schema.is_empty()) {
                for i in extra {
                    apply(
                        &mut items,
                        i.grantee,
                        i.grantor,
                        i.privileges,
                        true,
                        false,
                        false,
                    );
                    apply(
                        &mut items,
                        i.grantee,
                        i.grantor,
                        i.grant_options,
                        true,
                        true,
                        false,
                    );
                }
            }
            (items != base.items()).then(|| format_acl(&items))
        }
        _ => None,
    };
    conn.execute(
        "INSERT OR REPLACE INTO \"pm$acl\" (name, relkind, owner, acl) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![name, kind.code(), owner, acl],
    )
    .map_err(sql_error)?;
    Ok(())
}

/// A role's default ACLs for `objtype` (`r`, `S`): (schema, items), the
/// schema empty for every schema's.
pub fn entry_defaults(
    conn: &Connection,
    role: i64,
    objtype: &str,
) -> Result<Vec<(String, Vec<AclItem>)>, PgError> {
    let Ok(mut stmt) = conn.prepare_cached(
        "SELECT schema, acl FROM \"pm$default_acl\" WHERE role = ?1 AND objtype = ?2 ORDER BY schema",
    ) else {
        return Ok(Vec::new());
    };
    let rows = stmt
        .query_map(rusqlite::params![role, objtype], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql_error)?;
    Ok(rows
        .into_iter()
        .map(|(schema, acl)| (schema, parse_acl(&acl).unwrap_or_default()))
        .collect())
}

/// ALTER DEFAULT PRIVILEGES: stores (None: removes) one default ACL.
pub fn store_default(
    conn: &Connection,
    role: i64,
    schema: &str,
    objtype: &str,
    items: Option<&[AclItem]>,
) -> Result<(), PgError> {
    create_table(conn)?;
    match items {
        Some(items) => conn.execute(
            "INSERT OR REPLACE INTO \"pm$default_acl\" (role, schema, objtype, acl) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![role, schema, objtype, format_acl(items)],
        ),
        None => conn.execute(
            "DELETE FROM \"pm$default_acl\" WHERE role = ?1 AND schema = ?2 AND objtype = ?3",
            rusqlite::params![role, schema, objtype],
        ),
    }
    .map_err(sql_error)?;
    Ok(())
}

/// A dropped object's entry goes with it.
pub fn forget(conn: &Connection, name: &str) -> Result<(), PgError> {
    if conn
        .prepare_cached("SELECT 1 FROM \"pm$acl\" LIMIT 0")
        .is_err()
    {
        return Ok(());
    }
    conn.execute(
        "DELETE FROM \"pm$acl\" WHERE name = ?1 \
         OR (relkind = 'c' AND substr(name, 1, length(?1) + 1) = ?1 || char(31))",
        [name],
    )
    .map_err(sql_error)?;
    if conn
        .prepare_cached("SELECT 1 FROM \"pm$view_reads\" LIMIT 0")
        .is_ok()
    {
        conn.execute("DELETE FROM \"pm$view_reads\" WHERE view = ?1", [name])
            .map_err(sql_error)?;
    }
    Ok(())
}

/// ALTER ... RENAME: the entry follows the object.
pub fn rename(conn: &Connection, name: &str, new_name: &str) -> Result<(), PgError> {
    if conn
        .prepare_cached("SELECT 1 FROM \"pm$acl\" LIMIT 0")
        .is_err()
    {
        return Ok(());
    }
    conn.execute(
        "UPDATE \"pm$acl\" SET name = ?2 WHERE name = ?1",
        [name, new_name],
    )
    .map_err(sql_error)?;
    conn.execute(
        "UPDATE \"pm$acl\" SET name = ?2 || substr(name, length(?1) + 1) \
         WHERE relkind = 'c' AND substr(name, 1, length(?1) + 1) = ?1 || char(31)",
        [name, new_name],
    )
    .map_err(sql_error)?;
    // The views reading it (SQLite rewrote their SQL) and its own reads.
    if conn
        .prepare_cached("SELECT 1 FROM \"pm$view_reads\" LIMIT 0")
        .is_ok()
    {
        conn.execute(
            "UPDATE OR REPLACE \"pm$view_reads\" SET relation = ?2 WHERE relation = ?1",
            [name, new_name],
        )
        .map_err(sql_error)?;
        conn.execute(
            "UPDATE OR REPLACE \"pm$view_reads\" SET view = ?2 WHERE view = ?1",
            [name, new_name],
        )
        .map_err(sql_error)?;
    }
    Ok(())
}

/// Writes an object's entry.
pub fn store(conn: &Connection, name: &str, entry: &Entry) -> Result<(), PgError> {
    create_table(conn)?;
    // A column left with no privileges has none stored (attacl NULL).
    if entry.kind == ObjectKind::Column && entry.acl.as_ref().is_some_and(|a| a.is_empty()) {
        conn.execute("DELETE FROM \"pm$acl\" WHERE name = ?1", [name])
            .map_err(sql_error)?;
        return Ok(());
    }
    conn.execute(
        "INSERT OR REPLACE INTO \"pm$acl\" (name, relkind, owner, acl) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![
            name,
            entry.kind.code(),
            entry.owner,
            entry.acl.as_ref().map(|a| format_acl(a))
        ],
    )
    .map_err(sql_error)?;
    Ok(())
}

/// 42501 `permission denied for table t`.
pub fn denied(kind: ObjectKind, name: &str) -> PgError {
    PgError::error(
        code::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for {} {name}", kind.word()),
    )
}

/// 42501 `permission denied for database d` (and other words).
pub fn denied_for(word: &str, name: &str) -> PgError {
    PgError::error(
        code::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for {word} {name}"),
    )
}

/// 42501 `must be owner of database d` (and other words).
pub fn not_owner_of(word: &str, name: &str) -> PgError {
    PgError::error(
        code::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of {word} {name}"),
    )
}

/// 42501 `must be owner of table t`.
pub fn not_owner(kind: ObjectKind, name: &str) -> PgError {
    PgError::error(
        code::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of {} {name}", kind.word()),
    )
}

/// The privilege bits of GRANT's keywords (`ALL` is None: every one the
/// object has); 0A000 / 42601 as PostgreSQL for others.
pub fn privilege_bits(name: &str) -> Option<u16> {
    let upper = name.to_ascii_uppercase();
    let upper = if upper == "TEMP" {
        "TEMPORARY".into()
    } else {
        upper
    };
    NAMES.iter().find(|(_, n)| *n == upper).map(|(b, _)| *b)
}

/// The keyword of one privilege bit (`SELECT`).
pub fn privilege_name(bit: u16) -> &'static str {
    NAMES
        .iter()
        .find(|(b, _)| *b == bit)
        .map_or("?", |(_, n)| n)
}

/// merge_acl_with_grant: adds (grant) or removes (revoke) `privileges`
/// (and their grant options) of `grantee` given by `grantor`.
/// `grant_option_only`: REVOKE GRANT OPTION FOR.
pub fn apply(
    items: &mut Vec<AclItem>,
    grantee: i64,
    grantor: i64,
    privileges: u16,
    grant: bool,
    with_grant_option: bool,
    grant_option_only: bool,
) {
    let pos = items
        .iter()
        .position(|i| i.grantee == grantee && i.grantor == grantor);
    if grant {
        let item = match pos {
            Some(p) => &mut items[p],
            None => {
                items.push(AclItem {
                    grantee,
                    grantor,
                    privileges: 0,
                    grant_options: 0,
                });
                items.last_mut().expect("just pushed")
            }
        };
        item.privileges |= privileges;
        if with_grant_option {
            item.grant_options |= privileges;
        }
    } else if let Some(p) = pos {
        let item = &mut items[p];
        item.grant_options &= !privileges;
        if !grant_option_only {
            item.privileges &= !privileges;
        }
        if item.privileges == 0 {
            items.remove(p);
        }
    }
}

/// aclnewowner: the old owner's items become the new owner's (as grantee
/// and as grantor), merged with what the new owner already held.
pub fn new_owner(items: &[AclItem], old: i64, new: i64) -> Vec<AclItem> {
    let mut out: Vec<AclItem> = Vec::new();
    for i in items {
        let mut i = i.clone();
        if i.grantee == old {
            i.grantee = new;
        }
        if i.grantor == old {
            i.grantor = new;
        }
        match out
            .iter_mut()
            .find(|o| o.grantee == i.grantee && o.grantor == i.grantor)
        {
            Some(o) => {
                o.privileges |= i.privileges;
                o.grant_options |= i.grant_options;
            }
            None => out.push(i),
        }
    }
    out
}

/// Revoking a grant option from `grantee` takes away what it granted
/// with it, recursively (REVOKE ... CASCADE, recursive_revoke). Returns
/// whether something depended on it (RESTRICT refuses then).
pub fn revoke_dependents(
    items: &mut Vec<AclItem>,
    grantee: i64,
    privileges: u16,
    owner: i64,
) -> bool {
    let mut found = false;
    let mut queue = vec![grantee];
    while let Some(g) = queue.pop() {
        // What g may still grant (the owner always may).
        let still: u16 = if g == owner {
            u16::MAX
        } else {
            items
                .iter()
                .filter(|i| i.grantee == g)
                .fold(0, |m, i| m | i.grant_options)
        };
        let lost = privileges & !still;
        if lost == 0 {
            continue;
        }
        let dependents: Vec<i64> = items
            .iter()
            .filter(|i| i.grantor == g && i.privileges & lost != 0)
            .map(|i| i.grantee)
            .collect();
        for d in dependents {
            found = true;
            apply(items, d, g, lost, false, false, false);
            queue.push(d);
        }
    }
    found
}

/// Role names for display (an unknown oid as its number, as PostgreSQL
/// shows a dropped role's leftovers).
pub fn role_namer(catalog: &CatalogSnapshot) -> impl Fn(i64) -> String + '_ {
    move |oid| match oid {
        PUBLIC => "public".to_string(),
        DATABASE_OWNER => "pg_database_owner".to_string(),
        _ => catalog
            .role_by_oid(oid)
            .map_or_else(|| oid.to_string(), |r| r.name.clone()),
    }
}

/// What a statement needs, worked out from its parse tree when it is
/// translated and checked each time it runs (a REVOKE takes effect at the
/// next statement of every session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Privileges on relations (ALL of each list's bits).
    pub access: Vec<Access>,
    /// Relations the role must own (DROP, ALTER, CREATE INDEX, ...).
    pub owns: Vec<String>,
    /// Relations the statement creates in the public schema (CREATE on
    /// it), owned by the current role once made.
    pub creates: Vec<(String, ObjectKind)>,
    /// Relations it drops: their entries go with them.
    pub drops: Vec<String>,
    /// ALTER ... RENAME of a relation.
    pub rename: Option<(String, String)>,
    /// It calls has_table_privilege and friends.
    pub inquiry: bool,
}

/// The privilege state shared with the SQL functions that check their
/// own (nextval, currval, setval, lastval) and that show who runs
/// (current_user, session_user).
#[derive(Debug, Default)]
pub struct State {
    pub who: Who,
    /// The database's stored entries, read at the start of each statement
    /// of a role that is not a superuser (empty for superusers), and of a
    /// statement that calls the has_*_privilege functions.
    pub entries: HashMap<String, Entry>,
    /// For has_*_privilege: the login catalog, the database, and the kind
    /// of every relation, read before such a statement runs.
    pub inquiry: Option<Inquiry>,
}

/// What the privilege inquiry functions read (see [`State::inquire`]).
#[derive(Debug, Clone)]
pub struct Inquiry {
    pub catalog: std::sync::Arc<CatalogSnapshot>,
    pub database: i64,
    pub kinds: HashMap<String, ObjectKind>,
    /// The columns of every table and view (has_column_privilege).
    pub columns: HashMap<String, Vec<String>>,
}

impl State {
    /// A relation's entry (the default one when none is stored).
    pub fn entry(&self, name: &str, kind: ObjectKind) -> Entry {
        self.entries
            .get(name)
            .cloned()
            .unwrap_or_else(|| default_entry(kind))
    }

    /// Whether the current role holds ANY of `privileges` on sequence
    /// `name` (42501 `permission denied for sequence s` if not).
    pub fn check_sequence(&self, name: &str, privileges: u16) -> Result<(), PgError> {
        if self.who.superuser {
            return Ok(());
        }
        let entry = self.entry(name, ObjectKind::Sequence);
        if self.who.mask(&entry) & privileges == 0 {
            return Err(denied(ObjectKind::Sequence, name));
        }
        Ok(())
    }
}

impl State {
    /// has_table_privilege / has_sequence_privilege / has_schema_privilege
    /// (`kind` t, s, n): whether `role` (None: the current one) holds ANY
    /// of the privileges listed (`SELECT, INSERT`, `UPDATE WITH GRANT
    /// OPTION`) on `object`, with PostgreSQL's errors.
    pub fn inquire(
        &self,
        kind: &str,
        role: Option<RoleArg<'_>>,
        object: &str,
        privileges: &str,
    ) -> Result<bool, PgError> {
        let Some(inq) = &self.inquiry else {
            return Err(PgError::error(
                code::INTERNAL_ERROR,
                "privilege inquiry without its catalog",
            ));
        };
        let who = match role {
            None => self.who.clone(),
            // A role's oid (has_table_privilege(oid, ...)): one that does
            // not exist holds only PUBLIC's privileges.
            Some(RoleArg::Oid(oid)) => Who::of_role(&inq.catalog, oid, inq.database),
            Some(RoleArg::Name(name)) => {
                let r = inq.catalog.role(name).ok_or_else(|| {
                    PgError::error(
                        code::UNDEFINED_OBJECT,
                        format!("role \"{name}\" does not exist"),
                    )
                })?;
                Who::new(
                    &inq.catalog,
                    (r.oid, &r.name),
                    (r.oid, &r.name),
                    inq.database,
                )
            }
        };
        // pg_has_role: MEMBER (is_member_of_role), USAGE (has_privs_of_role),
        // either WITH ADMIN OPTION (is_admin_of_role).
        if kind == "r" {
            let target = inq.catalog.role(object).ok_or_else(|| {
                PgError::error(
                    code::UNDEFINED_OBJECT,
                    format!("role \"{object}\" does not exist"),
                )
            })?;
            let mut answer = false;
            for part in privileges.split(',') {
                let (word, admin) = privilege_word(part, "ADMIN");
                let word = word.as_str();
                if word != "MEMBER" && word != "USAGE" {
                    return Err(PgError::error(
                        code::INVALID_PARAMETER_VALUE,
                        format!("unrecognized privilege type: \"{}\"", part.trim()),
                    ));
                }
                answer |= if who.superuser {
                    true
                } else if admin {
                    inq.catalog.has_admin(who.current, target.oid)
                } else {
                    inq.catalog
                        .roles_of(who.current, word == "MEMBER")
                        .contains(&target.oid)
                };
            }
            return Ok(answer);
        }
        // has_column_privilege: `relation U+001F column`.
        let (object, column) = match object.split_once('\u{1f}') {
            Some((o, c)) if kind == "c" => (o, Some(c)),
            _ => (object, None),
        };
        let kind = if kind == "c" { "t" } else { kind };
        let name = object.strip_prefix("public.").unwrap_or(object);
        // The system catalogs (pg_catalog first in every search path):
        // owned by the bootstrap superuser, SELECT for PUBLIC but
        // pg_authid's (its passwords).
        let catalog_name = name.strip_prefix("pg_catalog.").unwrap_or(name);
        let catalog = kind == "t"
            && (crate::catalog::is_catalog(catalog_name) || catalog_name == "pg_authid");
        let database = if kind == "d" {
            let oid = inq.catalog.database_oid(object).ok_or_else(|| {
                PgError::error(
                    code::INVALID_CATALOG_NAME,
                    format!("database \"{object}\" does not exist"),
                )
            })?;
            Some(oid)
        } else {
            None
        };
        let object_kind = if database.is_some() {
            ObjectKind::Database
        } else if kind == "n" {
            if name != "public" {
                return Err(PgError::error(
                    code::INVALID_SCHEMA_NAME,
                    format!("schema \"{name}\" does not exist"),
                ));
            }
            ObjectKind::Schema
        } else {
            let found = if catalog {
                Some(ObjectKind::Table)
            } else {
                inq.kinds.get(name).copied()
            };
            let found = found.ok_or_else(|| {
                PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{object}\" does not exist"),
                )
            })?;
            if kind == "s" && found != ObjectKind::Sequence {
                return Err(PgError::error(
                    code::WRONG_OBJECT_TYPE,
                    format!("\"{object}\" is not a sequence"),
                ));
            }
            found
        };
        let mut wanted = 0u16;
        let mut with_option = 0u16;
        for part in privileges.split(',') {
            let (word, option) = privilege_word(part, "GRANT");
            let word = word.as_str();
            let rights = if column.is_some() {
                ObjectKind::Column.all_rights()
            } else {
                object_kind.all_rights()
            };
            let bit = privilege_bits(word)
                .filter(|b| rights & b != 0 || kind == "t" && column.is_none() && word == "USAGE")
                .ok_or_else(|| {
                    PgError::error(
                        code::INVALID_PARAMETER_VALUE,
                        format!("unrecognized privilege type: \"{}\"", part.trim()),
                    )
                })?;
            if option {
                with_option |= bit;
            } else {
                wanted |= bit;
            }
        }
        let entry = if let Some(oid) = database {
            inq.catalog.database_entry(oid)
        } else if object_kind == ObjectKind::Schema {
            self.entry("public", ObjectKind::Schema)
        } else if catalog {
            let mut acl = default_entry(ObjectKind::Table).items();
            if catalog_name != "pg_authid" {
                acl.push(AclItem {
                    grantee: PUBLIC,
                    grantor: BOOTSTRAP_SUPERUSER_OID,
                    privileges: SELECT,
                    grant_options: 0,
                });
            }
            Entry {
                kind: ObjectKind::Table,
                owner: BOOTSTRAP_SUPERUSER_OID,
                acl: Some(acl),
            }
        } else {
            let mut e = self.entry(name, object_kind);
            e.kind = object_kind;
            e
        };
        let mut column_entry = None;
        if let Some(column) = column {
            if !catalog
                && !inq
                    .columns
                    .get(name)
                    .is_some_and(|cols| cols.iter().any(|c| c == column))
            {
                return Err(PgError::error(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{column}\" of relation \"{object}\" does not exist"),
                ));
            }
            column_entry = self.entries.get(&column_key(name, column)).map(|e| Entry {
                kind: ObjectKind::Column,
                owner: entry.owner,
                acl: e.acl.clone(),
            });
        }
        if who.superuser {
            return Ok(true);
        }
        let mut mask = who.mask(&entry);
        let mut options = who.grant_options(&entry);
        if let Some(e) = &column_entry {
            mask |= who.mask(e);
            // (The table's owner has every option already.)
            options |= e
                .items()
                .iter()
                .filter(|i| who.privileges_of.contains(&i.grantee))
                .fold(0, |m, i| m | i.grant_options);
        }
        Ok(mask & wanted != 0 || options & with_option != 0)
    }
}

/// One item of an inquiry function's privilege list: its keyword (upper
/// case; empty when malformed) and whether `WITH <option> OPTION` follows.
fn privilege_word(part: &str, option: &str) -> (String, bool) {
    let words: Vec<String> = part
        .split_whitespace()
        .map(|w| w.to_ascii_uppercase())
        .collect();
    match words.as_slice() {
        [w] => (w.clone(), false),
        [w, a, b, c] if a == "WITH" && b == option && c == "OPTION" => (w.clone(), true),
        _ => (String::new(), false),
    }
}

/// The role argument of the privilege inquiry functions.
#[derive(Debug, Clone, Copy)]
pub enum RoleArg<'a> {
    Name(&'a str),
    Oid(i64),
}

pub type Shared = std::sync::Arc<std::sync::Mutex<State>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_text_round_trips() {
        let items = vec![
            AclItem {
                grantee: 10,
                grantor: 10,
                privileges: ObjectKind::Table.all_rights(),
                grant_options: 0,
            },
            AclItem {
                grantee: 0,
                grantor: 10,
                privileges: SELECT | UPDATE,
                grant_options: SELECT,
            },
        ];
        let text = format_acl(&items);
        assert_eq!(text, "10=arwdDxt/10,0=r*w/10");
        assert_eq!(parse_acl(&text).unwrap(), items);
        let names = |oid: i64| {
            if oid == 10 {
                "postgres".into()
            } else {
                "Bob".into()
            }
        };
        assert_eq!(
            display_acl(&items, &names),
            "{postgres=arwdDxt/postgres,=r*w/postgres}"
        );
    }

    #[test]
    fn revoking_a_grant_option_cascades() {
        let mut items = Vec::new();
        apply(&mut items, 20, 10, SELECT, true, true, false);
        apply(&mut items, 30, 20, SELECT, true, false, false);
        assert_eq!(items.len(), 2);
        apply(&mut items, 20, 10, SELECT, false, false, true);
        assert!(revoke_dependents(&mut items, 20, SELECT, 10));
        assert_eq!(
            items,
            vec![AclItem {
                grantee: 20,
                grantor: 10,
                privileges: SELECT,
                grant_options: 0
            }]
        );
    }
}
