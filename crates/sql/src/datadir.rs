//! The data directory: layout, creation (our initdb), and the global
//! catalog of databases and roles.
//!
//! ```text
//! DATADIR/PG_VERSION          marks an initialised directory
//! DATADIR/postgresql.conf     settings (see the settings crate)
//! DATADIR/pg_hba.conf         client authentication rules
//! DATADIR/global/catalog.db   pg_database and pg_authid, shared by all databases
//! DATADIR/base/<oid>.db       one SQLite database (WAL mode) per database
//! DATADIR/postmaster.pid      the lock file, while a server runs
//! ```
//!
//! Only the supervisor creates a data directory, and it closes every SQLite
//! connection it opened for that before the first child starts.

use std::path::{Path, PathBuf};

use pm_elog::{sqlstate as code, PgError};
use rusqlite::{Connection, OpenFlags};

/// Written to PG_VERSION; a directory with another value is refused.
pub const CATALOG_VERSION: &str = "17";
/// OID of the `postgres` database, as in PostgreSQL.
pub const POSTGRES_DATABASE_OID: i64 = 5;
/// OID of the bootstrap superuser, as in PostgreSQL.
pub const BOOTSTRAP_SUPERUSER_OID: i64 = 10;

const DEFAULT_CONF: &str = "\
# postgresql.conf for postmaster.
# One setting a line: name = value. The command line's -c name=value wins.

#port = 5432
#listen_addresses = 'localhost'
#unix_socket_directories = '/tmp'
#max_connections = 100
#superuser_reserved_connections = 3
#launch_mode = fork
#authentication_timeout = 1min
#log_connections = off
#log_disconnections = off
";

pub fn version_file(data_dir: &Path) -> PathBuf {
    data_dir.join("PG_VERSION")
}

pub fn hba_path(data_dir: &Path) -> PathBuf {
    data_dir.join("pg_hba.conf")
}

pub fn catalog_path(data_dir: &Path) -> PathBuf {
    data_dir.join("global").join("catalog.db")
}

pub fn database_path(data_dir: &Path, oid: i64) -> PathBuf {
    data_dir.join("base").join(format!("{oid}.db"))
}

/// The database's sequence counters (see [`crate::sequence`]).
pub fn sequence_path(data_dir: &Path, oid: i64) -> PathBuf {
    data_dir.join("base").join(format!("{oid}.seq"))
}

fn catalog_error(e: rusqlite::Error) -> PgError {
    PgError::error(code::INTERNAL_ERROR, "could not update the global catalog")
        .with_detail(e.to_string())
}

/// Attributes CREATE ROLE / ALTER ROLE set; None leaves one as it is (or
/// at its default for a new role). `password: Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleAttributes {
    pub superuser: Option<bool>,
    pub login: Option<bool>,
    /// The stored form: a SCRAM-SHA-256 verifier or an md5 hash.
    pub password: Option<Option<String>>,
    pub inherit: Option<bool>,
    pub create_role: Option<bool>,
    pub create_db: Option<bool>,
    pub replication: Option<bool>,
    pub bypass_rls: Option<bool>,
    pub connection_limit: Option<i64>,
    /// VALID UNTIL as PostgreSQL's timestamptz output; `Some(None)`: none.
    pub valid_until: Option<Option<String>>,
}

/// The columns pg_authid gained after its first layout, with the value
/// they take in a catalog written before (the bootstrap superuser gets
/// every attribute, as initdb gives it).
const AUTHID_ADDED_COLUMNS: &[(&str, &str)] = &[
    ("rolinherit", "INTEGER NOT NULL DEFAULT 1"),
    ("rolcreaterole", "INTEGER NOT NULL DEFAULT 0"),
    ("rolcreatedb", "INTEGER NOT NULL DEFAULT 0"),
    ("rolreplication", "INTEGER NOT NULL DEFAULT 0"),
    ("rolbypassrls", "INTEGER NOT NULL DEFAULT 0"),
    ("rolconnlimit", "INTEGER NOT NULL DEFAULT -1"),
    ("rolvaliduntil", "TEXT"),
];

/// Brings a global catalog written by an earlier version to this
/// layout, in place (new columns with their defaults, pg_auth_members,
/// pg_database.datdba): nothing in it is lost or read differently.
fn upgrade_catalog(catalog: &Connection) -> rusqlite::Result<()> {
    let has = |table: &str, column: &str| -> rusqlite::Result<bool> {
        catalog.query_row(
            "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )
    };
    let tx = catalog.unchecked_transaction()?;
    for (column, decl) in AUTHID_ADDED_COLUMNS {
        if !has("pg_authid", column)? {
            tx.execute_batch(&format!("ALTER TABLE pg_authid ADD COLUMN {column} {decl}"))?;
            if *column != "rolconnlimit" && *column != "rolvaliduntil" {
                tx.execute(
                    &format!("UPDATE pg_authid SET {column} = 1 WHERE oid = ?1"),
                    [BOOTSTRAP_SUPERUSER_OID],
                )?;
            }
        }
    }
    if !has("pg_database", "datacl")? {
        tx.execute_batch("ALTER TABLE pg_database ADD COLUMN datacl TEXT")?;
    }
    if !has("pg_database", "datdba")? {
        tx.execute_batch(&format!(
            "ALTER TABLE pg_database ADD COLUMN datdba INTEGER NOT NULL DEFAULT {BOOTSTRAP_SUPERUSER_OID}"
        ))?;
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS pg_auth_members (
             roleid INTEGER NOT NULL, member INTEGER NOT NULL,
             grantor INTEGER NOT NULL, admin_option INTEGER NOT NULL,
             PRIMARY KEY (roleid, member))",
    )?;
    // PostgreSQL's predefined roles (NOLOGIN, with their oids), and
    // pg_monitor's memberships.
    for (oid, name) in PREDEFINED_ROLES {
        tx.execute(
            "INSERT OR IGNORE INTO pg_authid (oid, rolname, rolsuper, rolcanlogin, rolinherit)
             VALUES (?1, ?2, 0, 0, 1)",
            rusqlite::params![oid, name],
        )?;
    }
    for member_of in [3374, 3375, 3377] {
        tx.execute(
            "INSERT OR IGNORE INTO pg_auth_members (roleid, member, grantor, admin_option)
             VALUES (?1, 3373, ?2, 0)",
            rusqlite::params![member_of, BOOTSTRAP_SUPERUSER_OID],
        )?;
    }
    tx.commit()
}

/// PostgreSQL 15's predefined roles (pg_authid.dat).
pub const PREDEFINED_ROLES: [(i64, &str); 12] = [
    (6171, "pg_database_owner"),
    (6181, "pg_read_all_data"),
    (6182, "pg_write_all_data"),
    (3373, "pg_monitor"),
    (3374, "pg_read_all_settings"),
    (3375, "pg_read_all_stats"),
    (3377, "pg_stat_scan_tables"),
    (4569, "pg_read_server_files"),
    (4570, "pg_write_server_files"),
    (4571, "pg_execute_server_program"),
    (4200, "pg_signal_backend"),
    (4544, "pg_checkpoint"),
];
/// pg_read_all_data / pg_write_all_data.
pub const READ_ALL_DATA_OID: i64 = 6181;
pub const WRITE_ALL_DATA_OID: i64 = 6182;

fn open_catalog_for_update(data_dir: &Path) -> Result<Connection, PgError> {
    let catalog = Connection::open(catalog_path(data_dir)).map_err(catalog_error)?;
    catalog
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(catalog_error)?;
    Ok(catalog)
}

/// GRANT / REVOKE ON DATABASE: its new ACL.
pub fn set_database_acl(data_dir: &Path, oid: i64, acl: &str) -> Result<(), PgError> {
    update_database(
        data_dir,
        oid,
        "datacl",
        rusqlite::types::Value::Text(acl.into()),
    )
}

/// One column of a pg_database row.
fn update_database(
    data_dir: &Path,
    oid: i64,
    column: &str,
    value: rusqlite::types::Value,
) -> Result<(), PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    catalog
        .execute(
            &format!("UPDATE pg_database SET {column} = ?2 WHERE oid = ?1"),
            rusqlite::params![oid, value],
        )
        .map_err(catalog_error)?;
    Ok(())
}

/// Whether a role's VALID UNTIL (as stored: timestamptz output in UTC)
/// has passed: its password no longer authenticates.
pub fn password_expired(valid_until: &str) -> bool {
    match valid_until.trim() {
        "infinity" => false,
        "-infinity" => true,
        t => {
            let t = t.strip_suffix("+00").unwrap_or(t);
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
                .map(|at| at < chrono::Utc::now().naive_utc())
                .unwrap_or(false)
        }
    }
}

/// ALTER DATABASE ... OWNER TO.
pub fn set_database_owner(data_dir: &Path, oid: i64, owner: i64) -> Result<(), PgError> {
    update_database(
        data_dir,
        oid,
        "datdba",
        rusqlite::types::Value::Integer(owner),
    )
}

/// CREATE ROLE: a new row in pg_authid. Returns its oid.
pub fn create_role(data_dir: &Path, name: &str, attrs: &RoleAttributes) -> Result<i64, PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    let inserted = catalog
        .execute(
            "INSERT OR IGNORE INTO pg_authid (oid, rolname, rolsuper, rolcanlogin, rolpassword,
                 rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
                 rolconnlimit, rolvaliduntil)
             SELECT max(max(oid) + 1, 16384), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
             FROM pg_authid",
            rusqlite::params![
                name,
                attrs.superuser.unwrap_or(false),
                attrs.login.unwrap_or(false),
                attrs.password.clone().flatten(),
                attrs.inherit.unwrap_or(true),
                attrs.create_role.unwrap_or(false),
                attrs.create_db.unwrap_or(false),
                attrs.replication.unwrap_or(false),
                attrs.bypass_rls.unwrap_or(false),
                attrs.connection_limit.unwrap_or(-1),
                attrs.valid_until.clone().flatten(),
            ],
        )
        .map_err(catalog_error)?;
    if inserted == 0 {
        return Err(PgError::error(
            code::DUPLICATE_OBJECT,
            format!("role \"{name}\" already exists"),
        ));
    }
    catalog
        .query_row(
            "SELECT oid FROM pg_authid WHERE rolname = ?1",
            [name],
            |r| r.get(0),
        )
        .map_err(catalog_error)
}

/// ALTER ROLE: changes the attributes given. Returns whether the role exists.
pub fn alter_role(data_dir: &Path, name: &str, attrs: &RoleAttributes) -> Result<bool, PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    let n = catalog
        .execute(
            "UPDATE pg_authid SET rolsuper = coalesce(?2, rolsuper),
                 rolcanlogin = coalesce(?3, rolcanlogin),
                 rolpassword = CASE WHEN ?4 THEN ?5 ELSE rolpassword END,
                 rolinherit = coalesce(?6, rolinherit),
                 rolcreaterole = coalesce(?7, rolcreaterole),
                 rolcreatedb = coalesce(?8, rolcreatedb),
                 rolreplication = coalesce(?9, rolreplication),
                 rolbypassrls = coalesce(?10, rolbypassrls),
                 rolconnlimit = coalesce(?11, rolconnlimit),
                 rolvaliduntil = CASE WHEN ?12 THEN ?13 ELSE rolvaliduntil END
             WHERE rolname = ?1",
            rusqlite::params![
                name,
                attrs.superuser,
                attrs.login,
                attrs.password.is_some(),
                attrs.password.clone().flatten(),
                attrs.inherit,
                attrs.create_role,
                attrs.create_db,
                attrs.replication,
                attrs.bypass_rls,
                attrs.connection_limit,
                attrs.valid_until.is_some(),
                attrs.valid_until.clone().flatten(),
            ],
        )
        .map_err(catalog_error)?;
    Ok(n > 0)
}

/// ALTER ROLE ... RENAME TO. Returns whether the role existed.
pub fn rename_role(data_dir: &Path, name: &str, new_name: &str) -> Result<bool, PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    let n = catalog
        .execute(
            "UPDATE pg_authid SET rolname = ?2 WHERE rolname = ?1",
            [name, new_name],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => PgError::error(
                code::DUPLICATE_OBJECT,
                format!("role \"{new_name}\" already exists"),
            ),
            _ => catalog_error(e),
        })?;
    Ok(n > 0)
}

/// GRANT role TO member: a row of pg_auth_members (WITH ADMIN OPTION
/// added to an existing one). Returns false when the membership existed
/// and nothing changed.
pub fn grant_membership(
    data_dir: &Path,
    role: i64,
    member: i64,
    grantor: i64,
    admin: bool,
) -> Result<bool, PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    let existing: Option<bool> = catalog
        .query_row(
            "SELECT admin_option FROM pg_auth_members WHERE roleid = ?1 AND member = ?2",
            [role, member],
            |r| r.get::<_, i64>(0).map(|a| a != 0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(catalog_error)?;
    match existing {
        Some(had) if had || !admin => Ok(false),
        _ => {
            catalog
                .execute(
                    "INSERT OR REPLACE INTO pg_auth_members (roleid, member, grantor, admin_option)
                     VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![role, member, grantor, admin],
                )
                .map_err(catalog_error)?;
            Ok(true)
        }
    }
}

/// REVOKE role FROM member (`admin_only`: REVOKE ADMIN OPTION FOR).
/// Returns whether the membership existed.
pub fn revoke_membership(
    data_dir: &Path,
    role: i64,
    member: i64,
    admin_only: bool,
) -> Result<bool, PgError> {
    let catalog = open_catalog_for_update(data_dir)?;
    let sql = if admin_only {
        "UPDATE pg_auth_members SET admin_option = 0 WHERE roleid = ?1 AND member = ?2"
    } else {
        "DELETE FROM pg_auth_members WHERE roleid = ?1 AND member = ?2"
    };
    let n = catalog
        .execute(sql, [role, member])
        .map_err(catalog_error)?;
    Ok(n > 0)
}

/// DROP ROLE. Returns whether the role existed.
pub fn drop_role(data_dir: &Path, name: &str) -> Result<bool, PgError> {
    let catalog = Connection::open(catalog_path(data_dir)).map_err(catalog_error)?;
    catalog
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(catalog_error)?;
    let n = catalog
        .execute_batch("BEGIN")
        .and_then(|_| {
            catalog.execute(
                "DELETE FROM pg_auth_members WHERE roleid = (SELECT oid FROM pg_authid WHERE rolname = ?1)
                    OR member = (SELECT oid FROM pg_authid WHERE rolname = ?1)",
                [name],
            )?;
            let n = catalog.execute("DELETE FROM pg_authid WHERE rolname = ?1", [name])?;
            catalog.execute_batch("COMMIT")?;
            Ok(n)
        })
        .map_err(catalog_error)?;
    Ok(n > 0)
}

/// CREATE DATABASE: a row in pg_database and a new SQLite file. Returns
/// the new database's oid.
pub fn create_database(data_dir: &Path, name: &str, owner: i64) -> Result<i64, PgError> {
    let catalog = Connection::open(catalog_path(data_dir)).map_err(catalog_error)?;
    catalog
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(catalog_error)?;
    let exists: bool = catalog
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?1)",
            [name],
            |r| r.get(0),
        )
        .map_err(catalog_error)?;
    if exists {
        return Err(PgError::error(
            code::DUPLICATE_DATABASE,
            format!("database \"{name}\" already exists"),
        ));
    }
    let oid: i64 = catalog
        .query_row(
            "SELECT max(coalesce(max(oid), 0) + 1, 16384) FROM pg_database",
            [],
            |r| r.get(0),
        )
        .map_err(catalog_error)?;
    // The file first: a catalog row never names a missing file.
    for suffix in ["", "-wal", "-shm"] {
        for path in [database_path(data_dir, oid), sequence_path(data_dir, oid)] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    create_database_file(data_dir, oid).map_err(catalog_error)?;
    let inserted = catalog
        .execute(
            "INSERT OR IGNORE INTO pg_database (oid, datname, datdba) VALUES (?1, ?2, ?3)",
            rusqlite::params![oid, name, owner],
        )
        .map_err(catalog_error)?;
    if inserted == 0 {
        let _ = std::fs::remove_file(database_path(data_dir, oid));
        return Err(PgError::error(
            code::DUPLICATE_DATABASE,
            format!("database \"{name}\" already exists"),
        ));
    }
    Ok(oid)
}

/// The oid of database `name`, if it exists (read from the catalog file).
pub fn database_oid(data_dir: &Path, name: &str) -> Result<Option<i64>, PgError> {
    let catalog = Connection::open(catalog_path(data_dir)).map_err(catalog_error)?;
    match catalog.query_row(
        "SELECT oid FROM pg_database WHERE datname = ?1",
        [name],
        |r| r.get(0),
    ) {
        Ok(oid) => Ok(Some(oid)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(catalog_error(e)),
    }
}

/// DROP DATABASE: the catalog row, then the files.
pub fn drop_database(data_dir: &Path, oid: i64) -> Result<(), PgError> {
    let catalog = Connection::open(catalog_path(data_dir)).map_err(catalog_error)?;
    catalog
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(catalog_error)?;
    catalog
        .execute("DELETE FROM pg_database WHERE oid = ?1", [oid])
        .map_err(catalog_error)?;
    for suffix in ["", "-wal", "-shm"] {
        for path in [database_path(data_dir, oid), sequence_path(data_dir, oid)] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}

/// The shutdown checkpoint: moves every database's WAL into its main file
/// and truncates the WAL (sessions leave it in place when they close).
/// Run by the supervisor only when no child is left. Returns how many
/// database files were checkpointed.
pub fn checkpoint_all(data_dir: &Path) -> Result<usize, String> {
    let mut files = vec![catalog_path(data_dir)];
    let base = data_dir.join("base");
    for entry in std::fs::read_dir(&base).map_err(|e| format!("{}: {e}", base.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "db") {
            files.push(path);
        }
    }
    for path in &files {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.len())
}

/// Whether `data_dir` holds an initialised data directory.
pub fn is_initialized(data_dir: &Path) -> bool {
    version_file(data_dir).exists()
}

/// Checks that an existing data directory is one we can run on.
pub fn check(data_dir: &Path) -> Result<(), String> {
    let version = std::fs::read_to_string(version_file(data_dir)).map_err(|e| {
        format!(
            "could not open file \"{}\": {e}",
            version_file(data_dir).display()
        )
    })?;
    if version.trim() != CATALOG_VERSION {
        return Err(format!(
            "database files are incompatible with server: The data directory was initialized by version {}, which is not compatible with this version {CATALOG_VERSION}.",
            version.trim()
        ));
    }
    let catalog = Connection::open(catalog_path(data_dir))
        .map_err(|e| format!("could not open the global catalog: {e}"))?;
    upgrade_catalog(&catalog).map_err(|e| format!("could not upgrade the global catalog: {e}"))
}

/// Creates a data directory with the `postgres` database and superuser
/// role (like initdb). `superuser` names the bootstrap role.
pub fn init(data_dir: &Path, superuser: &str) -> Result<(), String> {
    if is_initialized(data_dir) {
        return Err(format!(
            "directory \"{}\" exists but is not empty",
            data_dir.display()
        ));
    }
    let io = |what: &str, p: &Path, e: std::io::Error| {
        format!("could not {what} \"{}\": {e}", p.display())
    };
    for dir in [
        data_dir.to_path_buf(),
        data_dir.join("global"),
        data_dir.join("base"),
    ] {
        std::fs::create_dir_all(&dir).map_err(|e| io("create directory", &dir, e))?;
        set_mode_0700(&dir).map_err(|e| io("change permissions of directory", &dir, e))?;
    }
    let conf = data_dir.join("postgresql.conf");
    if !conf.exists() {
        std::fs::write(&conf, DEFAULT_CONF).map_err(|e| io("write file", &conf, e))?;
    }
    let hba = hba_path(data_dir);
    if !hba.exists() {
        std::fs::write(&hba, pm_settings::hba::DEFAULT_HBA_CONF)
            .map_err(|e| io("write file", &hba, e))?;
    }
    let sql_err = |e: rusqlite::Error| format!("could not create the catalog: {e}");
    {
        let catalog = Connection::open(catalog_path(data_dir)).map_err(sql_err)?;
        catalog
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS pg_database (
                     oid INTEGER PRIMARY KEY, datname TEXT NOT NULL UNIQUE);
                 CREATE TABLE IF NOT EXISTS pg_authid (
                     oid INTEGER PRIMARY KEY, rolname TEXT NOT NULL UNIQUE,
                     rolsuper INTEGER NOT NULL, rolcanlogin INTEGER NOT NULL,
                     rolpassword TEXT);",
            )
            .map_err(sql_err)?;
        upgrade_catalog(&catalog).map_err(sql_err)?;
        catalog
            .execute(
                "INSERT OR IGNORE INTO pg_database (oid, datname) VALUES (?1, 'postgres')",
                [POSTGRES_DATABASE_OID],
            )
            .map_err(sql_err)?;
        catalog
            .execute(
                "INSERT OR IGNORE INTO pg_authid (oid, rolname, rolsuper, rolcanlogin, rolinherit,
                     rolcreaterole, rolcreatedb, rolreplication, rolbypassrls)
                 VALUES (?1, ?2, 1, 1, 1, 1, 1, 1, 1)",
                rusqlite::params![BOOTSTRAP_SUPERUSER_OID, superuser],
            )
            .map_err(sql_err)?;
        create_database_file(data_dir, POSTGRES_DATABASE_OID).map_err(sql_err)?;
    }
    // PG_VERSION last: a directory without it is not initialised.
    let version = version_file(data_dir);
    std::fs::write(&version, format!("{CATALOG_VERSION}\n"))
        .map_err(|e| io("write file", &version, e))?;
    Ok(())
}

fn create_database_file(data_dir: &Path, oid: i64) -> rusqlite::Result<()> {
    let db = Connection::open(database_path(data_dir, oid))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    Ok(())
}

fn set_mode_0700(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// A role as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub oid: i64,
    pub name: String,
    pub is_superuser: bool,
    pub can_login: bool,
    /// SCRAM-SHA-256 verifier or md5 hash; None: no password.
    pub password: Option<String>,
    pub inherit: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub replication: bool,
    pub bypass_rls: bool,
    /// -1: no limit.
    pub connection_limit: i64,
    /// VALID UNTIL, as timestamptz output text.
    pub valid_until: Option<String>,
}

/// A row of pg_auth_members: `member` is a member of `role`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    pub role: i64,
    pub member: i64,
    pub grantor: i64,
    pub admin: bool,
}

/// What login needs from the global catalog: every role and database.
///
/// The supervisor loads it once at start-up, before any child exists, and
/// hands it to every backend, which then needs no SQLite connection to
/// `global/catalog.db` to log in. A backend that changes the catalog must
/// bump the catalog generation in shared memory; a snapshot whose
/// generation is not the current one is not used (the backend reads the
/// catalog file instead).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CatalogSnapshot {
    pub generation: u64,
    pub roles: Vec<Role>,
    /// (datname, oid)
    pub databases: Vec<(String, i64)>,
    pub memberships: Vec<Membership>,
    /// (database oid, owner oid)
    pub database_owners: Vec<(i64, i64)>,
    /// (database oid, datacl as [`crate::acl::format_acl`] writes it), for
    /// the databases whose ACL is not the default.
    #[serde(default)]
    pub database_acls: Vec<(i64, String)>,
}

impl CatalogSnapshot {
    /// Reads the whole login catalog.
    pub fn load(data_dir: &Path, generation: u64) -> Result<CatalogSnapshot, PgError> {
        let internal = |e: rusqlite::Error| {
            PgError::fatal(code::INTERNAL_ERROR, "could not read the global catalog")
                .with_detail(e.to_string())
        };
        let catalog = Connection::open_with_flags(
            catalog_path(data_dir),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(internal)?;
        let roles = catalog
            .prepare(
                "SELECT oid, rolname, rolsuper, rolcanlogin, rolpassword, rolinherit,
                        rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
                        rolconnlimit, rolvaliduntil
                 FROM pg_authid ORDER BY oid",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| {
                    Ok(Role {
                        oid: r.get(0)?,
                        name: r.get(1)?,
                        is_superuser: r.get::<_, i64>(2)? != 0,
                        can_login: r.get::<_, i64>(3)? != 0,
                        password: r.get(4)?,
                        inherit: r.get::<_, i64>(5)? != 0,
                        create_role: r.get::<_, i64>(6)? != 0,
                        create_db: r.get::<_, i64>(7)? != 0,
                        replication: r.get::<_, i64>(8)? != 0,
                        bypass_rls: r.get::<_, i64>(9)? != 0,
                        connection_limit: r.get(10)?,
                        valid_until: r.get(11)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(internal)?;
        let databases = catalog
            .prepare("SELECT datname, oid FROM pg_database")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(internal)?;
        let database_owners = catalog
            .prepare("SELECT oid, datdba FROM pg_database")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(internal)?;
        let database_acls = catalog
            .prepare("SELECT oid, datacl FROM pg_database WHERE datacl IS NOT NULL")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(internal)?;
        let memberships = catalog
            .prepare("SELECT roleid, member, grantor, admin_option FROM pg_auth_members")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| {
                    Ok(Membership {
                        role: r.get(0)?,
                        member: r.get(1)?,
                        grantor: r.get(2)?,
                        admin: r.get::<_, i64>(3)? != 0,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(internal)?;
        Ok(CatalogSnapshot {
            generation,
            roles,
            databases,
            memberships,
            database_owners,
            database_acls,
        })
    }

    /// The oid of the database named `name`.
    pub fn database_oid(&self, name: &str) -> Option<i64> {
        self.databases
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, oid)| *oid)
    }

    /// Database `oid`'s owner and ACL (acldefault when none is stored).
    pub fn database_entry(&self, oid: i64) -> crate::acl::Entry {
        crate::acl::Entry {
            kind: crate::acl::ObjectKind::Database,
            owner: self.database_owner(oid),
            acl: self
                .database_acls
                .iter()
                .find(|(d, _)| *d == oid)
                .and_then(|(_, a)| crate::acl::parse_acl(a)),
        }
    }

    /// A role by name.
    pub fn role(&self, user: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == user)
    }

    /// A role by oid.
    pub fn role_by_oid(&self, oid: i64) -> Option<&Role> {
        self.roles.iter().find(|r| r.oid == oid)
    }

    /// The owner of database `oid`.
    pub fn database_owner(&self, oid: i64) -> i64 {
        self.database_owners
            .iter()
            .find(|(d, _)| *d == oid)
            .map_or(BOOTSTRAP_SUPERUSER_OID, |(_, o)| *o)
    }

    /// The roles whose privileges `role` has (itself, then the roles it
    /// is a member of through roles with INHERIT, as has_privs_of_role),
    /// or, with `all`, every role it is a member of (is_member_of_role:
    /// what SET ROLE may switch to).
    pub fn roles_of(&self, role: i64, all: bool) -> Vec<i64> {
        let mut out = vec![role];
        let mut i = 0;
        while i < out.len() {
            let r = out[i];
            i += 1;
            let inherits = all || self.role_by_oid(r).is_some_and(|r| r.inherit);
            if !inherits {
                continue;
            }
            for m in self.memberships.iter().filter(|m| m.member == r) {
                if !out.contains(&m.role) {
                    out.push(m.role);
                }
            }
        }
        out
    }

    /// Whether `role` holds ADMIN OPTION on `of` (directly or through a
    /// role it is a member of).
    pub fn has_admin(&self, role: i64, of: i64) -> bool {
        let roles = self.roles_of(role, true);
        self.memberships
            .iter()
            .any(|m| m.role == of && m.admin && roles.contains(&m.member))
    }

    /// The role and database named in a startup packet, with PostgreSQL's
    /// errors: FATAL 28000 for a missing role, 3D000 for a missing database
    /// (the role is checked first, as InitPostgres does).
    pub fn lookup_login(&self, user: &str, database: &str) -> Result<(Role, i64), PgError> {
        let role = self
            .roles
            .iter()
            .find(|r| r.name == user)
            .cloned()
            .ok_or_else(|| {
                PgError::fatal(
                    code::INVALID_AUTHORIZATION_SPECIFICATION,
                    format!("role \"{user}\" does not exist"),
                )
            })?;
        if !role.can_login {
            return Err(PgError::fatal(
                code::INVALID_AUTHORIZATION_SPECIFICATION,
                format!("role \"{user}\" is not permitted to log in"),
            ));
        }
        let oid = self.database_oid(database).ok_or_else(|| {
            PgError::fatal(
                code::INVALID_CATALOG_NAME,
                format!("database \"{database}\" does not exist"),
            )
        })?;
        Ok((role, oid))
    }
}

/// Looks up the role and database named in a startup packet, reading the
/// catalog file (see [`CatalogSnapshot::lookup_login`] for the errors).
pub fn lookup_login(data_dir: &Path, user: &str, database: &str) -> Result<(Role, i64), PgError> {
    CatalogSnapshot::load(data_dir, 0)?.lookup_login(user, database)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_until_in_the_past_expires_the_password() {
        assert!(password_expired("2001-01-01 00:00:00+00"));
        assert!(password_expired("-infinity"));
        assert!(!password_expired("infinity"));
        assert!(!password_expired("2999-12-31 23:59:59.5+00"));
    }

    #[test]
    fn init_then_lookup() {
        let dir = std::env::temp_dir().join(format!("pm-datadir-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        init(&dir, "postgres").unwrap();
        assert!(is_initialized(&dir));
        check(&dir).unwrap();
        let (role, oid) = lookup_login(&dir, "postgres", "postgres").unwrap();
        assert!(role.is_superuser);
        assert_eq!(oid, POSTGRES_DATABASE_OID);
        let e = lookup_login(&dir, "postgres", "nosuch").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("3D000", "database \"nosuch\" does not exist")
        );
        let e = lookup_login(&dir, "nobody", "postgres").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("28000", "role \"nobody\" does not exist")
        );
        assert!(init(&dir, "postgres").is_err(), "init twice is refused");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_catalog_of_the_first_layout_is_upgraded_in_place() {
        let dir = std::env::temp_dir().join(format!("pm-datadir-upgrade-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("global")).unwrap();
        std::fs::write(version_file(&dir), format!("{CATALOG_VERSION}\n")).unwrap();
        {
            // The layout before roles had more than these attributes.
            let c = Connection::open(catalog_path(&dir)).unwrap();
            c.execute_batch(
                "CREATE TABLE pg_database (oid INTEGER PRIMARY KEY, datname TEXT NOT NULL UNIQUE);
                 CREATE TABLE pg_authid (oid INTEGER PRIMARY KEY, rolname TEXT NOT NULL UNIQUE,
                     rolsuper INTEGER NOT NULL, rolcanlogin INTEGER NOT NULL, rolpassword TEXT);
                 INSERT INTO pg_database VALUES (5, 'postgres'), (16384, 'app');
                 INSERT INTO pg_authid VALUES (10, 'postgres', 1, 1, NULL),
                     (16384, 'alice', 0, 1, 'md5abc');",
            )
            .unwrap();
        }
        check(&dir).unwrap();
        check(&dir).unwrap(); // twice: nothing left to do
        let snapshot = CatalogSnapshot::load(&dir, 0).unwrap();
        let alice = snapshot.role("alice").unwrap();
        assert_eq!(alice.password.as_deref(), Some("md5abc"));
        assert!(alice.can_login && alice.inherit && !alice.create_role && !alice.is_superuser);
        assert_eq!(alice.connection_limit, -1);
        let postgres = snapshot.role("postgres").unwrap();
        assert!(postgres.create_role && postgres.create_db && postgres.replication);
        assert_eq!(snapshot.database_owner(16384), BOOTSTRAP_SUPERUSER_OID);
        // The predefined roles, and only pg_monitor's memberships.
        assert!(snapshot
            .role("pg_read_all_data")
            .is_some_and(|r| !r.can_login));
        assert!(snapshot.memberships.iter().all(|m| m.member == 3373));
        assert_eq!(snapshot.roles_of(3373, false).len(), 4);
        assert_eq!(snapshot.databases.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
