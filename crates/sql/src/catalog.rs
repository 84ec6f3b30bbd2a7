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
        "SELECT CAST(11 AS INTEGER) AS oid, 'pg_catalog' AS nspname, CAST(10 AS INTEGER) AS nspowner, \
                pm_acl_out('10=UC/10,0=U/10') AS nspacl \
         UNION ALL SELECT 2200, 'public', \
                coalesce((SELECT a.owner FROM \"pm$acl\" a WHERE a.name = 'public' AND a.relkind = 'n'), 6171), \
                pm_acl_out(coalesce((SELECT a.acl FROM \"pm$acl\" a WHERE a.name = 'public' AND a.relkind = 'n'), \
                                    '6171=UC/6171,0=U/6171')) \
         UNION ALL SELECT 13000, 'information_schema', 10, pm_acl_out('10=UC/10,0=U/10')",
    ),
    (
        "pm_relations",
        &[],
        "SELECT CAST(16384 + s.rowid AS INTEGER) AS oid, s.name AS relname, \
                CASE WHEN s.type = 'table' THEN 'r' \
                     WHEN EXISTS (SELECT 1 FROM main.sqlite_schema p \
                                  WHERE p.type = 'table' AND p.name = 'pm$' || s.name) THEN 'p' \
                     ELSE 'v' END AS relkind, s.name AS tablename, \
                0 AS isunique, 0 AS isprimary, s.sql AS definition, 0 AS isconstraint, \
                NULL AS indcols, s.rowid AS pm_rowid, \
                CASE WHEN s.type = 'view' AND EXISTS (SELECT 1 FROM main.sqlite_schema v \
                  WHERE v.type = 'table' AND v.name = 'pm$view$' || s.name) \
                  THEN 'pm$view$' || s.name ELSE s.name END AS attsource, \
                CASE WHEN s.type = 'view' THEN pm_view_query(s.sql) END AS viewdef \
         FROM main.sqlite_schema s \
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND s.name NOT LIKE 'pm$%' AND s.name <> 'pm_partition' \
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
                  (SELECT group_concat(ii.name, ', ') FROM pragma_index_info(il.name) ii) || ')', \
                il.origin IN ('pk', 'u') OR (il.\"unique\" AND (il.name LIKE '%\\_pkey' ESCAPE '\\' \
                  OR il.name LIKE '%\\_key' ESCAPE '\\')), \
                (SELECT group_concat(ii.name, ', ') FROM pragma_index_info(il.name) ii), i.rowid, \
                il.name, NULL \
         FROM main.sqlite_schema t JOIN pragma_index_list(t.name) il \
              JOIN main.sqlite_schema i ON i.name = il.name AND i.type = 'index' \
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND t.name NOT LIKE 'pm$%' AND t.name <> 'pm_partition' \
         UNION ALL \
         SELECT CAST(1000000 + t.rowid AS INTEGER), t.name || '_pkey', 'i', t.name, 1, 1, \
                'CREATE UNIQUE INDEX ' || t.name || '_pkey ON public.' || t.name || ' USING btree (' || \
                (SELECT p.name FROM pragma_table_info(t.name) p WHERE p.pk = 1) || ')', 1, \
                (SELECT p.name FROM pragma_table_info(t.name) p WHERE p.pk = 1), t.rowid, \
                t.name || '_pkey', NULL \
         FROM main.sqlite_schema t \
         WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND t.name NOT LIKE 'pm$%' AND t.name <> 'pm_partition' \
           AND (SELECT count(*) FROM pragma_table_info(t.name) p WHERE p.pk > 0) = 1 \
           AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) p WHERE p.pk = 1 AND upper(p.type) = 'INTEGER')",
    ),
    (
        "pg_constraint",
        &["pm_relations"],
        // Primary keys and unique constraints are their indexes; CHECK and
        // FOREIGN KEY constraints are read from the table's definition.
        "SELECT CAST(i.oid + 4000000 AS INTEGER) AS oid, \
                CASE WHEN i.isprimary THEN t.relname || '_pkey' ELSE i.relname END AS conname, \
                CAST(2200 AS INTEGER) AS connamespace, \
                CASE WHEN i.isprimary THEN 'p' ELSE 'u' END AS contype, \
                0 AS condeferrable, 0 AS condeferred, 1 AS convalidated, \
                t.oid AS conrelid, CAST(0 AS INTEGER) AS contypid, i.oid AS conindid, \
                CAST(0 AS INTEGER) AS conparentid, CAST(0 AS INTEGER) AS confrelid, \
                ' ' AS confupdtype, ' ' AS confdeltype, ' ' AS confmatchtype, 1 AS conislocal, \
                CAST(0 AS INTEGER) AS coninhcount, 1 AS connoinherit, NULL AS conkey, \
                NULL AS confkey, NULL AS conbin, \
                CASE WHEN i.isprimary THEN 'PRIMARY KEY (' ELSE 'UNIQUE (' END || i.indcols || ')' \
                  AS pm_def \
         FROM pm_relations i JOIN pm_relations t ON t.relname = i.tablename AND t.relkind = 'r' \
         WHERE i.relkind = 'i' AND i.isconstraint \
         UNION ALL \
         SELECT CAST(5000000 + t.pm_rowid * 100 + c.key AS INTEGER), \
                json_extract(c.value, '$.name'), 2200, json_extract(c.value, '$.type'), \
                0, 0, 1, t.oid, 0, 0, 0, \
                coalesce((SELECT r.oid FROM pm_relations r \
                          WHERE r.relkind = 'r' AND r.relname = json_extract(c.value, '$.references')), 0), \
                json_extract(c.value, '$.on_update'), json_extract(c.value, '$.on_delete'), 's', \
                1, 0, 0, NULL, NULL, NULL, json_extract(c.value, '$.def') \
         FROM pm_relations t JOIN json_each(pm_table_constraints(t.definition)) c \
         WHERE t.relkind = 'r'",
    ),
    (
        "pg_class",
        &["pm_relations", "pg_constraint"],
        "SELECT r.oid AS oid, r.relname AS relname, CAST(2200 AS INTEGER) AS relnamespace, \
                r.relkind AS relkind, \
                CAST(coalesce((SELECT a.owner FROM \"pm$acl\" a WHERE a.name = r.relname), 10) AS INTEGER) \
                  AS relowner, \
                CAST(CASE r.relkind WHEN 'r' THEN 2 WHEN 'i' THEN 403 ELSE 0 END AS INTEGER) AS relam, \
                CAST(0 AS INTEGER) AS reltype, CAST(0 AS INTEGER) AS reloftype, \
                CAST(0 AS INTEGER) AS reltablespace, CAST(0 AS INTEGER) AS reltoastrelid, \
                CAST(-1 AS REAL) AS reltuples, CAST(0 AS INTEGER) AS relpages, \
                (r.relkind = 'r' AND EXISTS (SELECT 1 FROM pm_relations x WHERE x.relkind = 'i' AND x.tablename = r.relname)) AS relhasindex, \
                0 AS relisshared, 'p' AS relpersistence, \
                CAST((SELECT count(*) FROM pragma_table_info(r.attsource)) AS INTEGER) AS relnatts, \
                CAST((SELECT count(*) FROM pg_constraint k \
                      WHERE k.conrelid = r.oid AND k.contype = 'c') AS INTEGER) AS relchecks, \
                0 AS relhasrules, \
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' \
                        AND (k.conrelid = r.oid OR k.confrelid = r.oid)) AS relhastriggers, \
                0 AS relhassubclass, 0 AS relrowsecurity, 0 AS relforcerowsecurity, \
                1 AS relispopulated, 'd' AS relreplident, 0 AS relispartition, \
                pm_acl_out((SELECT a.acl FROM \"pm$acl\" a WHERE a.name = r.relname)) AS relacl, \
                NULL AS reloptions, NULL AS relpartbound \
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
                pm_acl_out((SELECT a.acl FROM \"pm$acl\" a \
                            WHERE a.name = r.relname || char(31) || p.name AND a.relkind = 'c')) AS attacl, \
                NULL AS attoptions, -1 AS attstattarget, \
                CASE WHEN pg_type_oid(p.type) = 1700 THEN 'm' \
                     WHEN pg_type_len(pg_type_oid(p.type)) = -1 THEN 'x' ELSE 'p' END AS attstorage, \
                '' AS attcompression \
         FROM pm_relations r JOIN pragma_table_info(r.attsource) p WHERE r.relkind IN ('r', 'v')",
    ),
    (
        "pg_attrdef",
        &["pm_relations"],
        "SELECT CAST(r.oid * 1000 + p.cid AS INTEGER) AS oid, r.oid AS adrelid, \
                CAST(p.cid + 1 AS INTEGER) AS adnum, \
                pm_default_text(p.dflt_value, p.type) AS adbin \
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
                json_extract(value, '$.super') AS rolsuper, \
                json_extract(value, '$.inherit') AS rolinherit, \
                json_extract(value, '$.createrole') AS rolcreaterole, \
                json_extract(value, '$.createdb') AS rolcreatedb, \
                json_extract(value, '$.login') AS rolcanlogin, \
                json_extract(value, '$.replication') AS rolreplication, \
                json_extract(value, '$.bypassrls') AS rolbypassrls, \
                CAST(json_extract(value, '$.connlimit') AS INTEGER) AS rolconnlimit, \
                '********' AS rolpassword, \
                json_extract(value, '$.validuntil') AS rolvaliduntil, NULL AS rolconfig \
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
        "SELECT CAST(json_extract(value, '$.role') * 65536 + json_extract(value, '$.member') AS INTEGER) AS oid, \
                CAST(json_extract(value, '$.role') AS INTEGER) AS roleid, \
                CAST(json_extract(value, '$.member') AS INTEGER) AS member, \
                CAST(json_extract(value, '$.grantor') AS INTEGER) AS grantor, \
                json_extract(value, '$.admin') AS admin_option, \
                1 AS inherit_option, 1 AS set_option \
         FROM json_each(pm_global_catalog('memberships'))",
    ),
    (
        "pg_default_acl",
        &[],
        "SELECT CAST(rowid AS INTEGER) AS oid, CAST(role AS INTEGER) AS defaclrole, \
                CAST(CASE WHEN schema = 'public' THEN 2200 ELSE 0 END AS INTEGER) AS defaclnamespace, \
                objtype AS defaclobjtype, pm_acl_out(acl) AS defaclacl \
         FROM \"pm$default_acl\"",
    ),
    (
        "pg_database",
        &[],
        "SELECT CAST(json_extract(value, '$.oid') AS INTEGER) AS oid, \
                json_extract(value, '$.name') AS datname, \
                CAST(json_extract(value, '$.owner') AS INTEGER) AS datdba, \
                CAST(6 AS INTEGER) AS encoding, 'c' AS datlocprovider, 0 AS datistemplate, \
                1 AS datallowconn, CAST(-1 AS INTEGER) AS datconnlimit, 'C' AS datcollate, \
                'C' AS datctype, NULL AS daticulocale, pm_acl_out(json_extract(value, '$.acl')) AS datacl, \
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
        "pg_cursors",
        &[],
        "SELECT json_extract(c.value, '$[0]') AS name, json_extract(c.value, '$[1]') AS statement, \
                json_extract(c.value, '$[2]') AS is_holdable, json_extract(c.value, '$[3]') AS is_binary, \
                json_extract(c.value, '$[4]') AS is_scrollable, json_extract(c.value, '$[5]') AS creation_time \
         FROM json_each(pm_cursors()) c",
    ),
    (
        "pg_stat_activity",
        &["pg_database", "pg_roles"],
        "SELECT CAST(nullif(json_extract(a.value, '$.datid'), 0) AS INTEGER) AS datid, \
                d.datname AS datname, CAST(json_extract(a.value, '$.pid') AS INTEGER) AS pid, \
                NULL AS leader_pid, r.oid AS usesysid, \
                nullif(json_extract(a.value, '$.usename'), '') AS usename, \
                json_extract(a.value, '$.application_name') AS application_name, \
                nullif(json_extract(a.value, '$.client_addr'), '') AS client_addr, \
                NULL AS client_hostname, \
                CAST(nullif(json_extract(a.value, '$.client_port'), 0) AS INTEGER) AS client_port, \
                json_extract(a.value, '$.backend_start') AS backend_start, \
                json_extract(a.value, '$.xact_start') AS xact_start, \
                json_extract(a.value, '$.query_start') AS query_start, \
                json_extract(a.value, '$.state_change') AS state_change, \
                json_extract(a.value, '$.wait_event_type') AS wait_event_type, \
                json_extract(a.value, '$.wait_event') AS wait_event, \
                json_extract(a.value, '$.state') AS state, NULL AS backend_xid, \
                NULL AS backend_xmin, NULL AS query_id, json_extract(a.value, '$.query') AS query, \
                json_extract(a.value, '$.backend_type') AS backend_type \
         FROM json_each(pm_stat_activity()) a \
              LEFT JOIN pg_database d ON d.oid = json_extract(a.value, '$.datid') \
              LEFT JOIN pg_roles r ON r.rolname = json_extract(a.value, '$.usename')",
    ),
    (
        "pg_stat_database",
        &["pg_database"],
        "SELECT d.oid AS datid, d.datname AS datname, \
                CAST(pm_stat_database(d.oid, 'numbackends') AS INTEGER) AS numbackends, \
                CAST(pm_stat_database(d.oid, 'xact_commit') AS INTEGER) AS xact_commit, \
                CAST(pm_stat_database(d.oid, 'xact_rollback') AS INTEGER) AS xact_rollback, \
                CAST(0 AS INTEGER) AS blks_read, CAST(0 AS INTEGER) AS blks_hit, \
                CAST(0 AS INTEGER) AS tup_returned, CAST(0 AS INTEGER) AS tup_fetched, \
                CAST(0 AS INTEGER) AS tup_inserted, CAST(0 AS INTEGER) AS tup_updated, \
                CAST(0 AS INTEGER) AS tup_deleted, CAST(0 AS INTEGER) AS conflicts, \
                CAST(0 AS INTEGER) AS temp_files, CAST(0 AS INTEGER) AS temp_bytes, \
                CAST(0 AS INTEGER) AS deadlocks, NULL AS stats_reset \
         FROM pg_database d",
    ),
    (
        "pg_collation",
        &[],
        "SELECT CAST(100 AS INTEGER) AS oid, 'default' AS collname, \
                CAST(11 AS INTEGER) AS collnamespace, CAST(10 AS INTEGER) AS collowner, \
                'd' AS collprovider, 1 AS collisdeterministic, CAST(-1 AS INTEGER) AS collencoding, \
                NULL AS collcollate, NULL AS collctype \
         UNION ALL SELECT 950, 'C', 11, 10, 'c', 1, -1, 'C', 'C'",
    ),
    (
        "pg_range",
        &[],
        "SELECT CAST(0 AS INTEGER) AS rngtypid, CAST(0 AS INTEGER) AS rngsubtype, \
                CAST(0 AS INTEGER) AS rngmultitypid, CAST(0 AS INTEGER) AS rngcollation, \
                CAST(0 AS INTEGER) AS rngsubopc, '-' AS rngcanonical, '-' AS rngsubdiff WHERE 0",
    ),
    (
        "pg_policy",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, '' AS polname, CAST(0 AS INTEGER) AS polrelid, \
                '' AS polcmd, 1 AS polpermissive, '{0}' AS polroles, NULL AS polqual, \
                NULL AS polwithcheck WHERE 0",
    ),
    (
        "pg_trigger",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, CAST(0 AS INTEGER) AS tgrelid, \
                CAST(0 AS INTEGER) AS tgparentid, '' AS tgname, CAST(0 AS INTEGER) AS tgfoid, \
                CAST(0 AS INTEGER) AS tgtype, 'O' AS tgenabled, 0 AS tgisinternal, \
                CAST(0 AS INTEGER) AS tgconstrrelid, CAST(0 AS INTEGER) AS tgconstrindid, \
                CAST(0 AS INTEGER) AS tgconstraint WHERE 0",
    ),
    (
        "pg_statistic_ext",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, CAST(0 AS INTEGER) AS stxrelid, '' AS stxname, \
                CAST(0 AS INTEGER) AS stxnamespace, CAST(10 AS INTEGER) AS stxowner, \
                CAST(-1 AS INTEGER) AS stxstattarget, '' AS stxkeys, '{}' AS stxkind, \
                NULL AS stxexprs WHERE 0",
    ),
    (
        "pg_publication",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, '' AS pubname, CAST(10 AS INTEGER) AS pubowner, \
                0 AS puballtables, 1 AS pubinsert, 1 AS pubupdate, 1 AS pubdelete, \
                1 AS pubtruncate, 0 AS pubviaroot WHERE 0",
    ),
    (
        "pg_publication_namespace",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, CAST(0 AS INTEGER) AS pnpubid, \
                CAST(0 AS INTEGER) AS pnnspid WHERE 0",
    ),
    (
        "pg_publication_rel",
        &[],
        "SELECT CAST(0 AS INTEGER) AS oid, CAST(0 AS INTEGER) AS prpubid, \
                CAST(0 AS INTEGER) AS prrelid, NULL AS prqual, NULL AS prattrs WHERE 0",
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
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND s.name NOT LIKE 'pm$%'",
    ),
    (
        "information_schema_columns",
        &[],
        "SELECT current_database() AS table_catalog, 'public' AS table_schema, s.name AS table_name, \
                p.name AS column_name, CAST(p.cid + 1 AS INTEGER) AS ordinal_position, \
                pm_default_text(p.dflt_value, p.type) AS column_default, \
                CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 'NO' ELSE 'YES' END AS is_nullable, \
                pg_sql_type_name(p.type) AS data_type, \
                CAST(pg_char_length(p.type) AS INTEGER) AS character_maximum_length, \
                current_database() AS udt_catalog, 'pg_catalog' AS udt_schema, \
                pg_type_name(pg_type_oid(p.type)) AS udt_name, \
                'NO' AS is_identity, 'NEVER' AS is_generated, \
                CASE s.type WHEN 'table' THEN 'YES' ELSE 'NO' END AS is_updatable \
         FROM main.sqlite_schema s JOIN pragma_table_info(CASE WHEN s.type = 'view' AND EXISTS \
                (SELECT 1 FROM main.sqlite_schema v WHERE v.type = 'table' AND v.name = 'pm$view$' || s.name) \
                THEN 'pm$view$' || s.name ELSE s.name END) p \
         WHERE s.type IN ('table', 'view') AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND s.name NOT LIKE 'pm$%'",
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
    inhdetachpending condeferrable condeferred convalidated conislocal connoinherit \
    collisdeterministic polpermissive tgisinternal puballtables pubinsert pubupdate pubdelete \
    pubtruncate pubviaroot is_holdable is_binary is_scrollable";
const OID_COLUMNS: &str = "oid relnamespace relowner relam reltype reloftype reltablespace \
    reltoastrelid indexrelid indrelid attrelid atttypid attcollation adrelid nspowner \
    typnamespace typowner typrelid typelem typarray typbasetype typcollation datdba \
    dattablespace roleid member grantor objoid classoid inhrelid inhparent partrelid usesysid \
    datid usesysid connamespace conrelid contypid conindid conparentid confrelid collnamespace collowner \
    polrelid tgrelid tgparentid tgfoid tgconstrrelid tgconstrindid tgconstraint stxrelid \
    stxnamespace stxowner pubowner pnpubid pnnspid prpubid prrelid";
const INT2_COLUMNS: &str =
    "attnum attlen adnum relnatts relchecks indnatts typlen partnatts tgtype";
const INT8_COLUMNS: &str = "xact_commit xact_rollback blks_read blks_hit tup_returned \
    tup_fetched tup_inserted tup_updated tup_deleted conflicts temp_files temp_bytes deadlocks";
const TIMESTAMPTZ_COLUMNS: &str =
    "backend_start xact_start query_start state_change stats_reset creation_time";
const INT4_COLUMNS: &str = "pid leader_pid client_port numbackends atttypmod attinhcount rolconnlimit encoding datconnlimit typtypmod \
    typndims inhseqno objsubid attstattarget ordinal_position character_maximum_length relpages \
    coninhcount collencoding stxstattarget";

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
    } else if has(INT8_COLUMNS) {
        Some(types::INT8)
    } else if has(TIMESTAMPTZ_COLUMNS) {
        Some(types::TIMESTAMPTZ)
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

/// The emulated catalog relations' names.
pub fn names() -> impl Iterator<Item = &'static str> {
    VIEWS.iter().map(|(n, _, _)| *n)
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
        type_statements(out);
        TYPE_VIEW.to_string()
    } else {
        body.to_string()
    };
    out.push(format!("CREATE TEMP VIEW IF NOT EXISTS {name} AS {body}"));
}

/// pg_type's rows, from the types this server knows.
/// pg_type: the view over a temporary table of the known types, so that
/// its columns carry PostgreSQL's declared types (`oid`, `name`, `"char"`)
/// through views, subqueries and CTEs that select them.
fn type_statements(out: &mut Vec<String>) {
    let rows: Vec<String> = crate::types::CATALOG
        .iter()
        .map(|t| {
            format!(
                "({}, '{}', {}, '{}', {}, {})",
                t.oid, t.name, t.len, t.category, t.element, t.array
            )
        })
        .collect();
    out.push(
        "CREATE TEMP TABLE IF NOT EXISTS pm_types (oid oid PRIMARY KEY, typname name, \
         typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype \"char\", \
         typcategory \"char\", typdelim \"char\", typrelid oid, typelem oid, typarray oid, \
         typbasetype oid, typtypmod int4, typndims int4, typcollation oid)"
            .to_string(),
    );
    out.push(format!(
        "INSERT INTO pm_types SELECT column1, column2, 11, 10, column3, column3 > 0, 'b', \
                column4, ',', 0, column5, column6, 0, -1, 0, 0 \
         FROM (VALUES {}) WHERE NOT EXISTS (SELECT 1 FROM pm_types)",
        rows.join(", ")
    ));
}

const TYPE_VIEW: &str = "SELECT oid, typname, typnamespace, typowner, typlen, typbyval, typtype, \
        typcategory, 0 AS typispreferred, 1 AS typisdefined, typdelim, typrelid, typelem, \
        typarray, typname || 'in' AS typinput, typname || 'out' AS typoutput, \
        typname || 'recv' AS typreceive, typname || 'send' AS typsend, typbasetype, typtypmod, \
        typndims, typcollation, 0 AS typnotnull, NULL AS typdefault \
        FROM pm_types";

/// The SQL functions the views and psql's queries call.
pub fn register_functions(conn: &Connection, data_dir: PathBuf) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let dir = data_dir.clone();
    conn.create_scalar_function("pm_acl_out", 1, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let Some(stored) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let Some(items) = crate::acl::parse_acl(&stored) else {
            return Ok(None);
        };
        let snapshot = crate::datadir::CatalogSnapshot::load(&dir, 0)
            .map_err(|e| rusqlite::Error::UserFunctionError(e.message.into()))?;
        let namer = crate::acl::role_namer(&snapshot);
        let shown = crate::acl::display_acl(&items, &namer);
        Ok(Some(shown))
    })?;
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
    conn.create_scalar_function("pm_default_text", 2, det, |ctx| {
        let (Some(stored), declared) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        Ok(Some(default_text(
            &stored,
            declared.as_deref().unwrap_or(""),
        )))
    })?;
    conn.create_scalar_function("pm_view_query", 1, det, |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .and_then(|sql| crate::ddl::view_query_text(&sql)))
    })?;
    // COMMENT ON is not supported, so no object has a description.
    for (name, n) in [
        ("col_description", 2),
        ("obj_description", 1),
        ("obj_description", 2),
        ("shobj_description", 2),
    ] {
        conn.create_scalar_function(name, n, det, |_| Ok(None::<String>))?;
    }
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
        Ok(Some(array_elements(&array).join(&sep)))
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
    // 'public."My Table"' -> 'My Table': the relation name in a regclass literal.
    conn.create_scalar_function("pm_unqualify", 1, det, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|n| {
            let last = n.rsplit('.').next().unwrap_or(&n);
            match last.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                Some(quoted) => quoted.to_string(),
                None => last.to_ascii_lowercase(),
            }
        }))
    })?;
    conn.create_scalar_function("pm_regtype_oid", 1, det, |ctx| {
        Ok(match ctx.get_raw(0) {
            rusqlite::types::ValueRef::Integer(i) => Some(i),
            rusqlite::types::ValueRef::Null => None,
            _ => {
                let t: String = ctx.get(0)?;
                Some(match t.trim().parse::<i64>() {
                    Ok(oid) => oid,
                    Err(_) => types::oid_for_type_name(t.rsplit('.').next().unwrap_or(&t)) as i64,
                })
            }
        })
    })?;
    conn.create_scalar_function("pm_table_constraints", 1, det, |ctx| {
        Ok(table_constraints_json(
            &ctx.get::<Option<String>>(0)?.unwrap_or_default(),
        ))
    })?;
    // A table that is not partitioned is its own only ancestor.
    conn.create_scalar_function("pg_partition_ancestors", 1, det, |ctx| {
        Ok(text_arg(ctx, 0).and_then(|t| t.trim().parse::<i64>().ok()))
    })?;
    conn.create_scalar_function("pg_relation_is_publishable", 1, det, |_| Ok(false))?;
    // No triggers and no extended statistics exist: never called on a row.
    conn.create_scalar_function("pg_get_triggerdef", 2, det, |_| Ok(None::<String>))?;
    conn.create_scalar_function("pg_get_statisticsobjdef_columns", 1, det, |_| {
        Ok(None::<String>)
    })?;
    conn.create_scalar_function("array_upper", 2, det, |ctx| {
        Ok(text_arg(ctx, 0)
            .map(|a| array_elements(&a).len() as i64)
            .filter(|n| *n > 0))
    })?;
    conn.create_scalar_function("pm_array_get", 2, det, |ctx| {
        let (Some(array), Some(i)) = (
            text_arg(ctx, 0),
            text_arg(ctx, 1).and_then(|i| i.parse::<i64>().ok()),
        ) else {
            return Ok(None);
        };
        let elements = array_elements(&array);
        Ok(usize::try_from(i - 1)
            .ok()
            .and_then(|i| elements.get(i).cloned())
            .filter(|e| e != "NULL"))
    })?;
    conn.create_aggregate_function("array_agg", 1, FunctionFlags::SQLITE_UTF8, ArrayAgg)?;
    conn.create_scalar_function("pm_array_contains", 2, det, |ctx| {
        let (Some(array), Some(value)) = (text_arg(ctx, 0), text_arg(ctx, 1)) else {
            return Ok(None);
        };
        Ok(Some(array_elements(&array).contains(&value)))
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

/// array_agg(x): the values in PostgreSQL's array text form (NULL when
/// there are no rows, as PostgreSQL's).
struct ArrayAgg;

impl rusqlite::functions::Aggregate<Vec<Option<String>>, Option<String>> for ArrayAgg {
    fn init(
        &self,
        _: &mut rusqlite::functions::Context<'_>,
    ) -> rusqlite::Result<Vec<Option<String>>> {
        Ok(Vec::new())
    }

    fn step(
        &self,
        ctx: &mut rusqlite::functions::Context<'_>,
        acc: &mut Vec<Option<String>>,
    ) -> rusqlite::Result<()> {
        acc.push(text_arg(ctx, 0));
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut rusqlite::functions::Context<'_>,
        acc: Option<Vec<Option<String>>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.map(|values| crate::types::array_text(&values)))
    }
}

/// A function argument of any storage class as text (None for NULL).
fn text_arg(ctx: &rusqlite::functions::Context<'_>, i: usize) -> Option<String> {
    use rusqlite::types::ValueRef;
    match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// The elements of a one-dimensional array in PostgreSQL's text form
/// (`{a,"b c",NULL}`), unquoted.
pub fn array_elements(text: &str) -> Vec<String> {
    let inner = text.trim();
    let inner = inner.strip_prefix('{').unwrap_or(inner);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = inner.chars();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if any {
        out.push(current);
    }
    out
}

/// The CHECK and FOREIGN KEY constraints of a `CREATE TABLE` text as a JSON
/// array of `{name, type, def, references, on_update, on_delete}`, named as
/// PostgreSQL names them when the statement did not (`t_a_check`,
/// `t_a_fkey`), with the definition `pg_get_constraintdef` prints.
fn table_constraints_json(sql: &str) -> String {
    use sqlparser::ast::{
        CheckConstraint, ColumnOption, ForeignKeyConstraint, ReferentialAction, Statement,
        TableConstraint,
    };
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(mut statements) = sqlparser::parser::Parser::parse_sql(&dialect, sql) else {
        return "[]".to_string();
    };
    let Some(Statement::CreateTable(ct)) = statements.pop() else {
        return "[]".to_string();
    };
    let table = ct
        .name
        .0
        .last()
        .map(|p| p.to_string().trim_matches('"').to_string())
        .unwrap_or_default();
    let action = |a: &Option<ReferentialAction>| match a {
        None | Some(ReferentialAction::NoAction) => "a",
        Some(ReferentialAction::Restrict) => "r",
        Some(ReferentialAction::Cascade) => "c",
        Some(ReferentialAction::SetNull) => "n",
        Some(ReferentialAction::SetDefault) => "d",
    };
    let idents = |list: &[sqlparser::ast::Ident]| {
        list.iter()
            .map(|i| i.value.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    let check = |out: &mut Vec<serde_json::Value>, c: &CheckConstraint, name: Option<String>| {
        let column = first_column(&c.expr);
        let name = name.unwrap_or_else(|| match column {
            Some(col) => format!("{table}_{col}_check"),
            None => format!("{table}_check"),
        });
        out.push(serde_json::json!({
            "name": name, "type": "c", "def": format!("CHECK ({})", display_expr(&c.expr.to_string())),
            "on_update": " ", "on_delete": " ",
        }));
    };
    let foreign = |out: &mut Vec<serde_json::Value>,
                   f: &ForeignKeyConstraint,
                   columns: &str,
                   name: Option<String>| {
        let referenced = f
            .foreign_table
            .0
            .last()
            .map(|p| p.to_string().trim_matches('"').to_string())
            .unwrap_or_default();
        let mut def = format!("FOREIGN KEY ({columns}) REFERENCES {referenced}");
        if !f.referred_columns.is_empty() {
            def.push_str(&format!("({})", idents(&f.referred_columns)));
        }
        if let Some(a) = &f.on_update {
            def.push_str(&format!(" ON UPDATE {a}"));
        }
        if let Some(a) = &f.on_delete {
            def.push_str(&format!(" ON DELETE {a}"));
        }
        let name = name.unwrap_or_else(|| format!("{table}_{}_fkey", columns.replace(", ", "_")));
        out.push(serde_json::json!({
            "name": name, "type": "f", "def": def, "references": referenced,
            "on_update": action(&f.on_update), "on_delete": action(&f.on_delete),
        }));
    };
    for column in &ct.columns {
        for option in &column.options {
            let named = |own: &Option<sqlparser::ast::Ident>| {
                own.as_ref()
                    .or(option.name.as_ref())
                    .map(|i| i.value.clone())
            };
            match &option.option {
                ColumnOption::Check(c) => {
                    let name = named(&c.name)
                        .unwrap_or_else(|| format!("{table}_{}_check", column.name.value));
                    check(&mut out, c, Some(name));
                }
                ColumnOption::ForeignKey(f) => {
                    foreign(&mut out, f, &column.name.value, named(&f.name));
                }
                _ => {}
            }
        }
    }
    for constraint in &ct.constraints {
        match constraint {
            TableConstraint::Check(c) => {
                check(&mut out, c, c.name.as_ref().map(|i| i.value.clone()))
            }
            TableConstraint::ForeignKey(f) => foreign(
                &mut out,
                f,
                &idents(&f.columns),
                f.name.as_ref().map(|i| i.value.clone()),
            ),
            _ => {}
        }
    }
    serde_json::Value::Array(out).to_string()
}

/// A generated expression ([`crate::ddl`] writes `(("tag" <> ''))`) as
/// psql shows a constraint: the outer parentheses and the quotes of plain
/// lowercase names dropped (`tag <> ''`).
fn display_expr(generated: &str) -> String {
    let mut e = generated.trim();
    while e.starts_with('(') && e.ends_with(')') && wraps(e) {
        e = e[1..e.len() - 1].trim();
    }
    let mut out = String::with_capacity(e.len());
    let mut rest = e;
    while let Some(i) = rest.find(['"', '\'']) {
        out.push_str(&rest[..i]);
        let quote = rest.as_bytes()[i] as char;
        let tail = &rest[i + 1..];
        let end = tail.find(quote).map_or(tail.len(), |j| j);
        let inner = &tail[..end];
        let plain = quote == '"'
            && !inner.is_empty()
            && inner.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain {
            out.push_str(inner);
        } else {
            out.push(quote);
            out.push_str(inner);
            if end < tail.len() {
                out.push(quote);
            }
        }
        rest = if end < tail.len() {
            &tail[end + 1..]
        } else {
            ""
        };
    }
    out.push_str(rest);
    out
}

/// Whether the parenthesis opening `e` closes at its last character.
fn wraps(e: &str) -> bool {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in e.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 && i != e.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// The first column an expression names (PostgreSQL names a table CHECK
/// constraint after it).
fn first_column(expr: &sqlparser::ast::Expr) -> Option<String> {
    use sqlparser::ast::Expr;
    let mut found = None;
    let _ = sqlparser::ast::visit_expressions(expr, |e| {
        if let Expr::Identifier(i) = e {
            found = Some(i.value.clone());
            return std::ops::ControlFlow::Break(());
        }
        std::ops::ControlFlow::Continue(())
    });
    found
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
                    "inherit": r.inherit as i64, "createrole": r.create_role as i64,
                    "createdb": r.create_db as i64, "replication": r.replication as i64,
                    "bypassrls": r.bypass_rls as i64, "connlimit": r.connection_limit,
                    "validuntil": r.valid_until,
                })
            })
            .collect(),
        "memberships" => snapshot
            .memberships
            .iter()
            .map(|m| {
                serde_json::json!({
                    "role": m.role, "member": m.member, "grantor": m.grantor,
                    "admin": m.admin as i64,
                })
            })
            .collect(),
        _ => snapshot
            .databases
            .iter()
            .map(|(name, oid)| {
                serde_json::json!({
                    "oid": oid,
                    "name": name,
                    "owner": snapshot.database_owner(*oid),
                    "acl": snapshot.database_acls.iter().find(|(d, _)| d == oid).map(|(_, a)| a),
                })
            })
            .collect(),
    };
    Ok(serde_json::Value::Array(rows).to_string())
}

/// A column default as pg_get_expr shows it: PostgreSQL's text kept in the
/// stored default (`(generated SQL /*pg:text:pg*/)`, see ddl.rs), a quoted
/// literal with its type (`'new'::text`), else the stored text.
pub fn default_text(stored: &str, declared: &str) -> String {
    let shown = match (
        stored.find(crate::ddl::PG_TEXT_OPEN),
        stored.rfind(crate::ddl::PG_TEXT_CLOSE),
    ) {
        (Some(a), Some(b)) if b > a => {
            stored[a + crate::ddl::PG_TEXT_OPEN.len()..b].replace("* /", "*/")
        }
        _ => stored.to_string(),
    };
    if shown.starts_with('\'') {
        let oid = types::oid_for_type_name(declared);
        format!("{shown}::{}", types::format_type(oid, -1))
    } else {
        shown
    }
}
