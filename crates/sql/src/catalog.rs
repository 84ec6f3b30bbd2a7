//! PostgreSQL's system catalogs, emulated as temporary views over SQLite's
//! schema, for clients that introspect (psql's `\d` family, drivers that
//! look up types).
//!
//! A view is created in the session's `temp` schema the first time a
//! statement names it (`pg_catalog.` prefixes are stripped by the
//! dialect), so sessions that never introspect pay nothing, and a view
//! always reflects the current schema: nothing is copied.
//!
//! OIDs: a relation's oid is 16384 + its rowid in sqlite_schema (stable
//! while the schema is unchanged); an INTEGER PRIMARY KEY (our `serial`)
//! has no index in SQLite, and shows as a `<table>_pkey` index with oid
//! 1000000 + the table's rowid. Roles and databases come from the global
//! catalog through `pm_global_catalog()`, which returns JSON rows.

use std::path::PathBuf;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use crate::types;

/// `name`, the views it needs first, and its body.
const VIEWS: &[(&str, &[&str], &str)] = &[
    (
        "pg_namespace",
        &[],
        "SELECT CAST(11 AS INTEGER) AS oid, 'pg_catalog' AS nspname, CAST(10 AS INTEGER) AS nspowner, NULL AS nspacl \
         UNION ALL SELECT 2200, 'public', 10, NULL \
         UNION ALL SELECT 13000, 'information_schema', 10, NULL",
    ),
    (
        "pm_relations",
        &[],
        "SELECT CAST(16384 + s.rowid AS INTEGER) AS oid, s.name AS relname, \
                CASE s.type WHEN 'table' THEN 'r' ELSE 'v' END AS relkind, s.name AS tablename, \
                0 AS isunique, 0 AS isprimary, s.sql AS definition \
         FROM main.sqlite_schema s \
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         UNION ALL \
         SELECT CAST(16384 + i.rowid AS INTEGER), \
                CASE WHEN il.origin = 'pk' THEN t.name || '_pkey' \
                     WHEN il.origin = 'u' THEN t.name || '_' || \
                          (SELECT group_concat(ii.name, '_') FROM pragma_index_info(il.name) ii) || '_key' \
                     ELSE il.name END, \
                'i', t.name, il.\"unique\", \
                il.origin = 'pk' OR il.name LIKE '%\\_pkey' ESCAPE '\\', \
                'CREATE ' || CASE WHEN il.\"unique\" THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || \
                  CASE WHEN il.origin = 'pk' THEN t.name || '_pkey' ELSE il.name END || \
                  ' ON public.' || t.name || ' USING btree (' || \
                  (SELECT group_concat(ii.name, ', ') FROM pragma_index_info(il.name) ii) || ')' \
         FROM main.sqlite_schema t JOIN pragma_index_list(t.name) il \
              JOIN main.sqlite_schema i ON i.name = il.name AND i.type = 'index' \
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         UNION ALL \
         SELECT CAST(1000000 + t.rowid AS INTEGER), t.name || '_pkey', 'i', t.name, 1, 1, \
                'CREATE UNIQUE INDEX ' || t.name || '_pkey ON public.' || t.name || ' USING btree (' || \
                (SELECT p.name FROM pragma_table_info(t.name) p WHERE p.pk = 1) || ')' \
         FROM main.sqlite_schema t \
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND (SELECT count(*) FROM pragma_table_info(t.name) p WHERE p.pk > 0) = 1 \
           AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) p WHERE p.pk = 1 AND upper(p.type) = 'INTEGER')",
    ),
    (
        "pg_class",
        &["pm_relations"],
        "SELECT r.oid AS oid, r.relname AS relname, CAST(2200 AS INTEGER) AS relnamespace, \
                r.relkind AS relkind, CAST(10 AS INTEGER) AS relowner, \
                CAST(CASE r.relkind WHEN 'r' THEN 2 WHEN 'i' THEN 403 ELSE 0 END AS INTEGER) AS relam, \
                CAST(0 AS INTEGER) AS reltype, CAST(0 AS INTEGER) AS reloftype, \
                CAST(0 AS INTEGER) AS reltablespace, CAST(0 AS INTEGER) AS reltoastrelid, \
                CAST(-1 AS REAL) AS reltuples, CAST(0 AS INTEGER) AS relpages, \
                (r.relkind = 'r' AND EXISTS (SELECT 1 FROM pm_relations x WHERE x.relkind = 'i' AND x.tablename = r.relname)) AS relhasindex, \
                0 AS relisshared, 'p' AS relpersistence, \
                CAST((SELECT count(*) FROM pragma_table_info(r.relname)) AS INTEGER) AS relnatts, \
                CAST(0 AS INTEGER) AS relchecks, 0 AS relhasrules, 0 AS relhastriggers, \
                0 AS relhassubclass, 0 AS relrowsecurity, 0 AS relforcerowsecurity, \
                1 AS relispopulated, 'd' AS relreplident, 0 AS relispartition, \
                NULL AS relacl, NULL AS reloptions, NULL AS relpartbound \
         FROM pm_relations r",
    ),
    (
        "pg_index",
        &["pm_relations"],
        "SELECT i.oid AS indexrelid, t.oid AS indrelid, \
                CAST((SELECT count(*) FROM pragma_index_info(i.relname)) AS INTEGER) AS indnatts, \
                i.isunique AS indisunique, i.isprimary AS indisprimary, 0 AS indisexclusion, \
                1 AS indimmediate, 0 AS indisclustered, 1 AS indisvalid, 1 AS indisready, \
                1 AS indislive, 0 AS indisreplident, '' AS indkey, NULL AS indexprs, NULL AS indpred \
         FROM pm_relations i JOIN pm_relations t ON t.relname = i.tablename AND t.relkind = 'r' \
         WHERE i.relkind = 'i'",
    ),
    (
        "pg_am",
        &[],
        "SELECT CAST(2 AS INTEGER) AS oid, 'heap' AS amname, 't' AS amtype \
         UNION ALL SELECT 403, 'btree', 'i'",
    ),
    (
        "pg_attribute",
        &["pm_relations"],
        "SELECT r.oid AS attrelid, p.name AS attname, \
                CAST(pg_type_oid(p.type) AS INTEGER) AS atttypid, \
                CAST(p.cid + 1 AS INTEGER) AS attnum, \
                CAST(pg_type_len(pg_type_oid(p.type)) AS INTEGER) AS attlen, \
                CAST(pg_type_mod(p.type) AS INTEGER) AS atttypmod, \
                (p.\"notnull\" OR p.pk > 0) AS attnotnull, (p.dflt_value IS NOT NULL) AS atthasdef, \
                0 AS attisdropped, '' AS attidentity, '' AS attgenerated, \
                CAST(0 AS INTEGER) AS attcollation, 1 AS attislocal, CAST(0 AS INTEGER) AS attinhcount, \
                NULL AS attacl, NULL AS attoptions, -1 AS attstattarget \
         FROM pm_relations r JOIN pragma_table_info(r.relname) p WHERE r.relkind IN ('r', 'v')",
    ),
    (
        "pg_attrdef",
        &["pm_relations"],
        "SELECT CAST(r.oid * 1000 + p.cid AS INTEGER) AS oid, r.oid AS adrelid, \
                CAST(p.cid + 1 AS INTEGER) AS adnum, p.dflt_value AS adbin \
         FROM pm_relations r JOIN pragma_table_info(r.relname) p \
         WHERE r.relkind = 'r' AND p.dflt_value IS NOT NULL",
    ),
    (
        "pg_type",
        &[],
        // Filled from types::CATALOG by the session (see type_rows).
        "",
    ),
    (
        "pg_roles",
        &[],
        "SELECT CAST(json_extract(value, '$.oid') AS INTEGER) AS oid, \
                json_extract(value, '$.name') AS rolname, \
                json_extract(value, '$.super') AS rolsuper, 1 AS rolinherit, \
                json_extract(value, '$.super') AS rolcreaterole, \
                json_extract(value, '$.super') AS rolcreatedb, \
                json_extract(value, '$.login') AS rolcanlogin, \
                json_extract(value, '$.super') AS rolreplication, \
                json_extract(value, '$.super') AS rolbypassrls, \
                CAST(-1 AS INTEGER) AS rolconnlimit, '********' AS rolpassword, \
                NULL AS rolvaliduntil, NULL AS rolconfig \
         FROM json_each(pm_global_catalog('roles'))",
    ),
    (
        "pg_user",
        &["pg_roles"],
        "SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, \
                rolsuper AS usesuper, rolreplication AS userepl, rolbypassrls AS usebypassrls, \
                rolpassword AS passwd, rolvaliduntil AS valuntil, rolconfig AS useconfig \
         FROM pg_roles WHERE rolcanlogin",
    ),
    (
        "pg_auth_members",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, CAST(0 AS INTEGER) AS roleid, \
                CAST(0 AS INTEGER) AS member, CAST(0 AS INTEGER) AS grantor, 0 AS admin_option \
         WHERE 0",
    ),
    (
        "pg_database",
        &[],
        "SELECT CAST(json_extract(value, '$.oid') AS INTEGER) AS oid, \
                json_extract(value, '$.name') AS datname, CAST(10 AS INTEGER) AS datdba, \
                CAST(6 AS INTEGER) AS encoding, 'c' AS datlocprovider, 0 AS datistemplate, \
                1 AS datallowconn, CAST(-1 AS INTEGER) AS datconnlimit, 'C' AS datcollate, \
                'C' AS datctype, NULL AS daticulocale, NULL AS datacl, \
                CAST(1663 AS INTEGER) AS dattablespace \
         FROM json_each(pm_global_catalog('databases'))",
    ),
    (
        "pg_description",
        &[],
        "SELECT CAST(0 AS INTEGER) AS objoid, CAST(0 AS INTEGER) AS classoid, \
                CAST(0 AS INTEGER) AS objsubid, '' AS description WHERE 0",
    ),
    (
        "pg_inherits",
        &[],
        "SELECT CAST(0 AS INTEGER) AS inhrelid, CAST(0 AS INTEGER) AS inhparent, \
                CAST(0 AS INTEGER) AS inhseqno, 0 AS inhdetachpending WHERE 0",
    ),
    (
        "pg_partitioned_table",
        &[],
        "SELECT CAST(0 AS INTEGER) AS partrelid, '' AS partstrat, CAST(0 AS INTEGER) AS partnatts WHERE 0",
    ),
    (
        "information_schema_tables",
        &[],
        "SELECT current_database() AS table_catalog, 'public' AS table_schema, s.name AS table_name, \
                CASE s.type WHEN 'table' THEN 'BASE TABLE' ELSE 'VIEW' END AS table_type, \
                NULL AS self_referencing_column_name, NULL AS reference_generation, \
                NULL AS user_defined_type_catalog, NULL AS user_defined_type_schema, \
                NULL AS user_defined_type_name, \
                CASE s.type WHEN 'table' THEN 'YES' ELSE 'NO' END AS is_insertable_into, \
                'NO' AS is_typed, NULL AS commit_action \
         FROM main.sqlite_schema s \
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    ),
    (
        "information_schema_columns",
        &[],
        "SELECT current_database() AS table_catalog, 'public' AS table_schema, s.name AS table_name, \
                p.name AS column_name, CAST(p.cid + 1 AS INTEGER) AS ordinal_position, \
                p.dflt_value AS column_default, \
                CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 'NO' ELSE 'YES' END AS is_nullable, \
                pg_sql_type_name(p.type) AS data_type, \
                CAST(pg_char_length(p.type) AS INTEGER) AS character_maximum_length, \
                current_database() AS udt_catalog, 'pg_catalog' AS udt_schema, \
                pg_type_name(pg_type_oid(p.type)) AS udt_name, \
                'NO' AS is_identity, 'NEVER' AS is_generated, \
                CASE s.type WHEN 'table' THEN 'YES' ELSE 'NO' END AS is_updatable \
         FROM main.sqlite_schema s JOIN pragma_table_info(s.name) p \
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    ),
];

/// Types of the catalog views' non-text columns (SQLite knows no declared
/// type for a view's computed column): booleans must reach clients as
/// `t`/`f`, oids as numbers.
const BOOL_COLUMNS: &str = "relhasindex relisshared relhasrules relhastriggers relhassubclass \
    relrowsecurity relforcerowsecurity relispopulated relispartition indisunique indisprimary \
    indisexclusion indimmediate indisclustered indisvalid indisready indislive indisreplident \
    attnotnull atthasdef attisdropped attislocal rolsuper rolinherit rolcreaterole rolcreatedb \
    rolcanlogin rolreplication rolbypassrls usecreatedb usesuper userepl usebypassrls \
    admin_option datistemplate datallowconn typbyval typispreferred typisdefined typnotnull \
    inhdetachpending";
const OID_COLUMNS: &str = "oid relnamespace relowner relam reltype reloftype reltablespace \
    reltoastrelid indexrelid indrelid attrelid atttypid attcollation adrelid nspowner \
    typnamespace typowner typrelid typelem typarray typbasetype typcollation datdba \
    dattablespace roleid member grantor objoid classoid inhrelid inhparent partrelid usesysid";
const INT2_COLUMNS: &str = "attnum attlen adnum relnatts relchecks indnatts typlen partnatts";
const INT4_COLUMNS: &str = "atttypmod attinhcount rolconnlimit encoding datconnlimit typtypmod \
    typndims inhseqno objsubid attstattarget ordinal_position character_maximum_length relpages";

/// The PostgreSQL type of a catalog view's column, where it is not text.
pub fn column_type(column: &str) -> Option<u32> {
    let has = |list: &str| list.split_whitespace().any(|c| c == column);
    if has(BOOL_COLUMNS) {
        Some(types::BOOL)
    } else if has(OID_COLUMNS) {
        Some(types::OID)
    } else if has(INT2_COLUMNS) {
        Some(types::INT2)
    } else if has(INT4_COLUMNS) {
        Some(types::INT4)
    } else if column == "reltuples" {
        Some(types::FLOAT4)
    } else {
        None
    }
}

/// Whether `name` is an emulated catalog relation.
pub fn is_catalog(name: &str) -> bool {
    VIEWS.iter().any(|(n, _, _)| *n == name)
}

/// The static name of a catalog relation.
pub fn catalog_name(name: &str) -> Option<&'static str> {
    VIEWS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(n, _, _)| *n)
}

/// `CREATE TEMP VIEW` statements for `name` and what it needs, in order.
pub fn view_statements(name: &str, out: &mut Vec<String>) {
    let Some((name, needs, body)) = VIEWS.iter().find(|(n, _, _)| *n == name) else {
        return;
    };
    for n in *needs {
        view_statements(n, out);
    }
    let body = if *name == "pg_type" {
        type_rows()
    } else {
        body.to_string()
    };
    out.push(format!("CREATE TEMP VIEW IF NOT EXISTS {name} AS {body}"));
}

/// pg_type's rows, from the types this server knows.
fn type_rows() -> String {
    let rows: Vec<String> = crate::types::CATALOG
        .iter()
        .map(|t| {
            format!(
                "SELECT CAST({} AS INTEGER), '{}', CAST({} AS INTEGER), '{}', CAST({} AS INTEGER), CAST({} AS INTEGER)",
                t.oid, t.name, t.len, t.category, t.element, t.array
            )
        })
        .collect();
    format!(
        "SELECT column1 AS oid, column2 AS typname, CAST(11 AS INTEGER) AS typnamespace, \
                CAST(10 AS INTEGER) AS typowner, column3 AS typlen, 1 AS typbyval, \
                CASE WHEN column5 <> 0 THEN 'b' ELSE 'b' END AS typtype, column4 AS typcategory, \
                0 AS typispreferred, 1 AS typisdefined, ',' AS typdelim, \
                CAST(0 AS INTEGER) AS typrelid, column5 AS typelem, column6 AS typarray, \
                column2 || 'in' AS typinput, column2 || 'out' AS typoutput, \
                column2 || 'recv' AS typreceive, column2 || 'send' AS typsend, \
                CAST(0 AS INTEGER) AS typbasetype, CAST(-1 AS INTEGER) AS typtypmod, \
                CAST(0 AS INTEGER) AS typndims, CAST(0 AS INTEGER) AS typcollation, \
                0 AS typnotnull, NULL AS typdefault \
         FROM (VALUES {})",
        rows.iter()
            .map(|r| r.trim_start_matches("SELECT ").to_string())
            .map(|r| format!("({r})"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The SQL functions the views and psql's queries call.
pub fn register_functions(conn: &Connection, data_dir: PathBuf) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("pg_type_oid", 1, det, |ctx| {
        Ok(types::oid_for_type_name(&ctx.get::<Option<String>>(0)?.unwrap_or_default()) as i64)
    })?;
    conn.create_scalar_function("pg_type_mod", 1, det, |ctx| {
        Ok(types::type_modifier(&ctx.get::<Option<String>>(0)?.unwrap_or_default()) as i64)
    })?;
    conn.create_scalar_function("pg_type_len", 1, det, |ctx| {
        let oid = ctx.get::<Option<i64>>(0)?.unwrap_or(0) as u32;
        Ok(types::type_info(oid).map(|t| t.len).unwrap_or(-1) as i64)
    })?;
    conn.create_scalar_function("pg_type_name", 1, det, |ctx| {
        let oid = ctx.get::<Option<i64>>(0)?.unwrap_or(0) as u32;
        Ok(types::type_info(oid).map(|t| t.name))
    })?;
    conn.create_scalar_function("pg_sql_type_name", 1, det, |ctx| {
        let declared = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        Ok(types::type_info(types::oid_for_type_name(&declared)).map(|t| t.sql_name))
    })?;
    conn.create_scalar_function("pg_char_length", 1, det, |ctx| {
        let declared = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let m = types::type_modifier(&declared);
        Ok(match types::oid_for_type_name(&declared) {
            types::VARCHAR | types::BPCHAR if m >= 4 => Some(m as i64 - 4),
            _ => None,
        })
    })?;
    conn.create_scalar_function("format_type", 2, det, |ctx| {
        let Some(oid) = ctx.get::<Option<i64>>(0)? else {
            return Ok(None);
        };
        let typmod = ctx.get::<Option<i64>>(1)?.unwrap_or(-1);
        Ok(Some(types::format_type(oid as u32, typmod as i32)))
    })?;
    conn.create_scalar_function("pg_table_is_visible", 1, det, |_| Ok(true))?;
    conn.create_scalar_function("pg_encoding_to_char", 1, det, |_| Ok("UTF8"))?;
    for n in [2, 3] {
        // pg_get_expr(adbin, relid [, pretty]): defaults are stored as text.
        conn.create_scalar_function("pg_get_expr", n, det, |ctx| ctx.get::<Option<String>>(0))?;
    }
    conn.create_scalar_function("array_to_string", 2, det, |ctx| {
        let Some(array) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let sep: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        let inner = array.trim().trim_start_matches('{').trim_end_matches('}');
        Ok(Some(
            inner
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_matches('"'))
                .collect::<Vec<_>>()
                .join(&sep),
        ))
    })?;
    conn.create_scalar_function("pg_regex", 3, det, |ctx| {
        let (Some(text), Some(pattern)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let insensitive = ctx.get::<String>(2)? == "i";
        let re = regex::RegexBuilder::new(&pattern)
            .case_insensitive(insensitive)
            .build()
            .map_err(|e| {
                crate::session::user_error(pm_elog::PgError::error(
                    pm_elog::sqlstate::INVALID_REGULAR_EXPRESSION,
                    format!("invalid regular expression: {e}"),
                ))
            })?;
        Ok(Some(re.is_match(&text)))
    })?;
    conn.create_scalar_function(
        "pm_global_catalog",
        1,
        FunctionFlags::SQLITE_UTF8,
        move |ctx| {
            let what: String = ctx.get(0)?;
            global_catalog_json(&data_dir, &what)
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
        },
    )?;
    Ok(())
}

/// Roles or databases of the global catalog as a JSON array.
fn global_catalog_json(data_dir: &std::path::Path, what: &str) -> Result<String, String> {
    let snapshot = crate::datadir::CatalogSnapshot::load(data_dir, 0).map_err(|e| e.message)?;
    let rows: Vec<serde_json::Value> = match what {
        "roles" => snapshot
            .roles
            .iter()
            .map(|r| {
                serde_json::json!({
                    "oid": r.oid, "name": r.name,
                    "super": r.is_superuser as i64, "login": r.can_login as i64,
                })
            })
            .collect(),
        _ => snapshot
            .databases
            .iter()
            .map(|(name, oid)| serde_json::json!({"oid": oid, "name": name}))
            .collect(),
    };
    Ok(serde_json::Value::Array(rows).to_string())
}
