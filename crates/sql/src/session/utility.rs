//! Running utility statements ([`Utility`]) on SQLite: DROP of several
//! names, TRUNCATE, VACUUM/ANALYZE, ALTER TABLE ... ADD constraint, and
//! COPY FROM STDIN / TO STDOUT. Messages and SQLSTATEs are PostgreSQL's.
//!
//! What each maps to:
//! - TRUNCATE: `DELETE FROM` each table in one savepoint (SQLite's
//!   truncate optimisation makes it cheap).
//! - VACUUM FULL: SQLite's VACUUM (rewrites the file, like PostgreSQL's
//!   FULL). Plain VACUUM: a passive WAL checkpoint; SQLite already reuses
//!   freed pages, which is what plain VACUUM gives PostgreSQL.
//! - ANALYZE: SQLite's ANALYZE (planner statistics).
//! - ADD PRIMARY KEY / UNIQUE: a unique index named as PostgreSQL names the
//!   constraint (`t_pkey`, `t_a_b_key`); the catalog reads `_pkey` indexes
//!   as primary keys.
//! - ADD FOREIGN KEY / CHECK: SQLite cannot add them with ALTER TABLE; the
//!   constraint is appended to the table's definition in sqlite_schema
//!   (SQLite's documented writable_schema procedure, in a savepoint with a
//!   schema version bump), then existing rows are checked against it.

use std::sync::OnceLock;

use pm_elog::{sqlstate as code, PgError, Severity};
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::{bind_value, describe_columns, Interrupts, SchemaCatalog, Session, TransactionStatus};
use crate::copy::{write_row, CopyReader, CopySpec};
use crate::dialect::{self, Command, Tag};
use crate::infer::Catalog;
use crate::types;
use crate::utility::{ClauseKind, NewConstraint, ObjectKind, Utility};
use crate::ResultSink;
use crate::{datadir, errors};

/// How long DROP DATABASE waits for other sessions to leave.
const DROP_DATABASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Rows between interrupt checks during COPY.
const COPY_INTERRUPT_CHECK_ROWS: u64 = 1024;

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn undefined_relation(name: &str) -> PgError {
    PgError::error(
        code::UNDEFINED_TABLE,
        format!("relation \"{name}\" does not exist"),
    )
}

impl Session {
    pub(super) fn run_utility(
        &mut self,
        u: &Utility,
        tag: &Tag,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        match u {
            Utility::Drop {
                kind,
                names,
                missing_ok,
            } => {
                self.drop_objects(*kind, names, *missing_ok, sink)?;
                Ok(tag.render(0))
            }
            Utility::Truncate { tables } => {
                self.in_savepoint(|s| {
                    for t in tables {
                        s.require_table(t)?;
                    }
                    for t in tables {
                        s.batch(&format!("DELETE FROM {}", quote_ident(t)))?;
                    }
                    Ok(())
                })?;
                Ok(tag.render(0))
            }
            Utility::Maintain {
                vacuum,
                full,
                analyze,
                tables,
            } => {
                if *vacuum && self.status != TransactionStatus::Idle {
                    return Err(PgError::error(
                        code::ACTIVE_SQL_TRANSACTION,
                        "VACUUM cannot run inside a transaction block",
                    ));
                }
                for t in tables {
                    self.require_table(t)?;
                }
                if *vacuum {
                    if *full {
                        self.batch("VACUUM")?;
                    } else {
                        self.batch("PRAGMA wal_checkpoint(PASSIVE)")?;
                    }
                }
                if *analyze {
                    if tables.is_empty() {
                        self.batch("ANALYZE")?;
                    }
                    for t in tables {
                        self.batch(&format!("ANALYZE {}", quote_ident(t)))?;
                    }
                }
                Ok(tag.render(0))
            }
            Utility::AddConstraint {
                table,
                missing_ok,
                name,
                constraint,
            } => {
                if self.relation_type(table).is_none() && *missing_ok {
                    sink.notice(PgError::new(
                        Severity::Notice,
                        code::SUCCESSFUL_COMPLETION,
                        format!("relation \"{table}\" does not exist, skipping"),
                    ));
                    return Ok(tag.render(0));
                }
                self.require_table(table)?;
                self.in_savepoint(|s| s.add_constraint(table, name.as_deref(), constraint))?;
                Ok(tag.render(0))
            }
            Utility::CreateDatabase { name } => {
                self.database_statement("CREATE DATABASE", "create database")?;
                let owner = self
                    .identity
                    .borrow()
                    .now
                    .role
                    .as_ref()
                    .unwrap_or(&self.identity.borrow().now.session)
                    .0;
                datadir::create_database(&self.data_dir, name, owner)?;
                self.interrupts.catalog_changed();
                Ok(tag.render(0))
            }
            Utility::DropDatabase {
                name,
                missing_ok,
                force,
            } => {
                self.database_statement("DROP DATABASE", "drop database")?;
                self.drop_database(name, *missing_ok, *force, sink)?;
                Ok(tag.render(0))
            }
            Utility::Copy(spec) if spec.from => self.copy_from(spec, sink),
            Utility::Copy(spec) => self.copy_to(spec, sink),
        }
    }

    /// CREATE/DROP DATABASE: superusers only, never in a transaction block.
    fn database_statement(&self, statement: &str, what: &str) -> Result<(), PgError> {
        if self.status != TransactionStatus::Idle {
            return Err(PgError::error(
                code::ACTIVE_SQL_TRANSACTION,
                format!("{statement} cannot run inside a transaction block"),
            ));
        }
        self.require_superuser(what)
    }

    fn drop_database(
        &mut self,
        name: &str,
        missing_ok: bool,
        force: bool,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let Some(oid) = datadir::database_oid(&self.data_dir, name)? else {
            if missing_ok {
                sink.notice(PgError::new(
                    Severity::Notice,
                    code::SUCCESSFUL_COMPLETION,
                    format!("database \"{name}\" does not exist, skipping"),
                ));
                return Ok(());
            }
            return Err(PgError::error(
                code::INVALID_CATALOG_NAME,
                format!("database \"{name}\" does not exist"),
            ));
        };
        if oid == self.database_oid {
            return Err(PgError::error(
                code::OBJECT_IN_USE,
                "cannot drop the currently open database",
            ));
        }
        let others = || -> Vec<i32> {
            self.interrupts
                .database_users(oid)
                .into_iter()
                .filter(|p| *p != self.backend_pid)
                .collect()
        };
        if force {
            for pid in others() {
                self.interrupts.signal_backend(pid, true);
            }
        }
        // Sessions that are leaving get a few seconds, as PostgreSQL waits
        // in CountOtherDBBackends.
        let deadline = std::time::Instant::now() + DROP_DATABASE_WAIT;
        let mut users = others();
        while !users.is_empty() && std::time::Instant::now() < deadline {
            if self.interrupts.pending() {
                if let Some(e) = self.interrupts.take() {
                    return Err(e);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            users = others();
        }
        if !users.is_empty() {
            let n = users.len();
            return Err(PgError::error(
                code::OBJECT_IN_USE,
                format!("database \"{name}\" is being accessed by other users"),
            )
            .with_detail(if n == 1 {
                "There is 1 other session using the database.".to_string()
            } else {
                format!("There are {n} other sessions using the database.")
            }));
        }
        datadir::drop_database(&self.data_dir, oid)?;
        self.interrupts.catalog_changed();
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<(), PgError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| self.interrupt_or(errors::from_sqlite(&e)))
    }

    /// Runs `f` in a savepoint: all of it happens or none of it.
    pub(super) fn in_savepoint<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        self.batch("SAVEPOINT pm_utility")?;
        match f(self) {
            Ok(v) => {
                self.batch("RELEASE pm_utility")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO pm_utility; RELEASE pm_utility");
                Err(e)
            }
        }
    }

    /// sqlite_schema's type of a relation (`table`, `view`, `index`).
    fn relation_type(&self, name: &str) -> Option<String> {
        self.conn
            .query_row(
                // A partitioned table is a view with its `pm$` table.
                // Temporary relations (and their indexes) are in temp.
                "SELECT CASE WHEN type = 'view' AND EXISTS (SELECT 1 FROM sqlite_schema p \
                   WHERE p.type = 'table' AND p.name = 'pm$' || s.name) THEN 'table' ELSE type END \
                 FROM (SELECT type, name FROM temp.sqlite_schema UNION ALL \
                       SELECT type, name FROM main.sqlite_schema) s \
                 WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view', 'index')",
                [name],
                |r| r.get(0),
            )
            .ok()
    }

    fn require_table(&self, name: &str) -> Result<(), PgError> {
        match self.relation_type(name).as_deref() {
            Some("table") => Ok(()),
            Some(_) => Err(PgError::error(
                code::WRONG_OBJECT_TYPE,
                format!("\"{name}\" is not a table"),
            )),
            None => Err(undefined_relation(name)),
        }
    }

    fn drop_objects(
        &mut self,
        kind: ObjectKind,
        names: &[String],
        missing_ok: bool,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let word = kind.word();
        let mut present = Vec::new();
        // Every name is checked before anything is dropped.
        for name in names {
            match self.relation_type(name) {
                Some(t) if t == kind.sqlite_type() => present.push(name),
                Some(_) => {
                    return Err(PgError::error(
                        code::WRONG_OBJECT_TYPE,
                        format!(
                            "\"{name}\" is not a{} {word}",
                            if kind == ObjectKind::Index { "n" } else { "" }
                        ),
                    )
                    .with_hint(format!("Use DROP {} to remove it.", self.drop_hint(name))))
                }
                None if missing_ok => sink.notice(PgError::new(
                    Severity::Notice,
                    code::SUCCESSFUL_COMPLETION,
                    format!("{word} \"{name}\" does not exist, skipping"),
                )),
                None => {
                    let sqlstate = if kind == ObjectKind::Index {
                        code::UNDEFINED_OBJECT
                    } else {
                        code::UNDEFINED_TABLE
                    };
                    return Err(PgError::error(
                        sqlstate,
                        format!("{word} \"{name}\" does not exist"),
                    ));
                }
            }
        }
        self.in_savepoint(|s| {
            for name in present {
                if kind == ObjectKind::Table
                    && crate::partition::drop_table(&s.conn, &super::SchemaCatalog(&s.conn), name)?
                {
                    continue;
                }
                s.batch(&format!(
                    "DROP {} {}",
                    kind.sqlite_type().to_ascii_uppercase(),
                    quote_ident(name)
                ))?;
                if kind == ObjectKind::View {
                    // The table that types its columns (ddl::create_view).
                    let shape = format!("{}{name}", crate::ddl::VIEW_SHAPE);
                    s.batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(&shape)))?;
                }
            }
            Ok(())
        })?;
        if kind == ObjectKind::Table {
            for name in names {
                self.drop_owned_sequences(name)?;
            }
        }
        Ok(())
    }

    fn drop_hint(&self, name: &str) -> &'static str {
        match self.relation_type(name).as_deref() {
            Some("view") => "VIEW",
            Some("index") => "INDEX",
            _ => "TABLE",
        }
    }

    fn add_constraint(
        &mut self,
        table: &str,
        name: Option<&str>,
        constraint: &NewConstraint,
    ) -> Result<(), PgError> {
        let columns: Vec<String> = SchemaCatalog(&self.conn)
            .columns(table)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        match constraint {
            NewConstraint::Unique {
                primary,
                columns: keys,
            } => {
                for k in keys {
                    if !columns.iter().any(|c| c.eq_ignore_ascii_case(k)) {
                        return Err(PgError::error(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{k}\" named in key does not exist"),
                        ));
                    }
                }
                let index = match name {
                    Some(n) => n.to_string(),
                    None if *primary => format!("{table}_pkey"),
                    None => format!("{table}_{}_key", keys.join("_")),
                };
                if *primary {
                    if self.has_primary_key(table)? {
                        return Err(PgError::error(
                            code::INVALID_TABLE_DEFINITION,
                            format!("multiple primary keys for table \"{table}\" are not allowed"),
                        ));
                    }
                    for k in keys {
                        let has_null: bool = self
                            .conn
                            .query_row(
                                &format!(
                                    "SELECT EXISTS (SELECT 1 FROM {} WHERE {} IS NULL)",
                                    quote_ident(table),
                                    quote_ident(k)
                                ),
                                [],
                                |r| r.get(0),
                            )
                            .map_err(|e| errors::from_sqlite(&e))?;
                        if has_null {
                            return Err(PgError::error(
                                code::NOT_NULL_VIOLATION,
                                format!(
                                    "column \"{k}\" of relation \"{table}\" contains null values"
                                ),
                            ));
                        }
                    }
                }
                if self.relation_type(&index).is_some() {
                    return Err(PgError::error(
                        code::DUPLICATE_TABLE,
                        format!("relation \"{index}\" already exists"),
                    ));
                }
                let cols: Vec<String> = keys.iter().map(|k| quote_ident(k)).collect();
                self.batch(&format!(
                    "CREATE UNIQUE INDEX {} ON {} ({})",
                    quote_ident(&index),
                    quote_ident(table),
                    cols.join(", ")
                ))
                .map_err(|e| {
                    if e.code == code::UNIQUE_VIOLATION {
                        PgError::error(
                            code::UNIQUE_VIOLATION,
                            format!("could not create unique index \"{index}\""),
                        )
                        .with_detail("Key values are duplicated.")
                    } else {
                        e
                    }
                })
            }
            NewConstraint::Clause { kind, text } => {
                let name = match name {
                    Some(n) => n.to_string(),
                    None => match kind {
                        ClauseKind::Check => format!("{table}_check"),
                        ClauseKind::ForeignKey => {
                            let cols = text
                                .split_once('(')
                                .and_then(|(_, r)| r.split_once(')'))
                                .map(|(c, _)| {
                                    c.split(',')
                                        .map(|x| x.trim().trim_matches('"'))
                                        .collect::<Vec<_>>()
                                        .join("_")
                                })
                                .unwrap_or_default();
                            format!("{table}_{cols}_fkey")
                        }
                    },
                };
                self.append_table_constraint(
                    table,
                    &format!("CONSTRAINT {} {text}", quote_ident(&name)),
                )?;
                match kind {
                    ClauseKind::ForeignKey => {
                        let violated: bool = self
                            .conn
                            .query_row(
                                "SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_check(?1))",
                                [table],
                                |r| r.get(0),
                            )
                            .map_err(|e| errors::from_sqlite(&e))?;
                        if violated {
                            return Err(PgError::error(
                                code::FOREIGN_KEY_VIOLATION,
                                format!("insert or update on table \"{table}\" violates foreign key constraint \"{name}\""),
                            ));
                        }
                    }
                    ClauseKind::Check => {
                        let expr = text
                            .find('(')
                            .zip(text.rfind(')'))
                            .map(|(a, b)| &text[a..=b])
                            .unwrap_or("(1)");
                        let violated: bool = self
                            .conn
                            .query_row(
                                &format!(
                                    "SELECT EXISTS (SELECT 1 FROM {} WHERE NOT {expr})",
                                    quote_ident(table)
                                ),
                                [],
                                |r| r.get(0),
                            )
                            .map_err(|e| errors::from_sqlite(&e))?;
                        if violated {
                            return Err(PgError::error(
                                code::CHECK_VIOLATION,
                                format!("check constraint \"{name}\" of relation \"{table}\" is violated by some row"),
                            ));
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn has_primary_key(&self, table: &str) -> Result<bool, PgError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE pk > 0) \
                 OR EXISTS (SELECT 1 FROM pragma_index_list(?1) WHERE name LIKE '%\\_pkey' ESCAPE '\\')",
                [table],
                |r| r.get(0),
            )
            .map_err(|e| errors::from_sqlite(&e))
    }

    /// Appends a table constraint to a table's stored definition.
    fn append_table_constraint(&mut self, table: &str, clause: &str) -> Result<(), PgError> {
        self.rewrite_definition(table, "invalid constraint definition", |sql| {
            let close = sql.rfind(')')?;
            Some(format!("{}, {clause}{}", &sql[..close], &sql[close..]))
        })
    }

    /// ALTER COLUMN SET / DROP DEFAULT: the column's DEFAULT clause in the
    /// table's stored definition.
    pub(super) fn set_column_default(
        &mut self,
        table: &str,
        column: &str,
        default: Option<&str>,
    ) -> Result<(), PgError> {
        self.rewrite_definition(table, "invalid default", |sql| {
            crate::ddl::with_column_default(sql, column, default)
        })
    }

    /// Rewrites a table's definition in sqlite_schema (SQLite's documented
    /// writable_schema procedure for changes that leave the stored rows as
    /// they are), with a schema version bump so every connection reloads it.
    fn rewrite_definition(
        &mut self,
        table: &str,
        invalid: &str,
        edit: impl FnOnce(&str) -> Option<String>,
    ) -> Result<(), PgError> {
        let sqlite = |e: rusqlite::Error| errors::from_sqlite(&e);
        let sql: String = self
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                [table],
                |r| r.get(0),
            )
            .map_err(sqlite)?;
        let new_sql = edit(&sql).ok_or_else(|| {
            PgError::error(
                code::INTERNAL_ERROR,
                format!("cannot alter table \"{table}\""),
            )
        })?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA schema_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        self.batch("PRAGMA writable_schema = ON")?;
        let updated = self.conn.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2 COLLATE NOCASE",
            [&new_sql, table],
        );
        let bumped = self.batch(&format!("PRAGMA schema_version = {}", version + 1));
        self.batch("PRAGMA writable_schema = OFF")?;
        updated.map_err(sqlite)?;
        bumped?;
        // The new definition must parse: reading the schema proves it.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| PgError::error(code::SYNTAX_ERROR, invalid).with_detail(e.to_string()))?;
        Ok(())
    }

    /// The columns a COPY reads or writes, with their types.
    fn copy_columns(&self, spec: &CopySpec) -> Result<Vec<(String, u32)>, PgError> {
        self.require_table(&spec.table)?;
        let all = SchemaCatalog(&self.conn).columns(&spec.table);
        if spec.columns.is_empty() {
            return Ok(all);
        }
        let mut chosen: Vec<(String, u32)> = Vec::new();
        for c in &spec.columns {
            let Some(found) = all.iter().find(|(n, _)| n.eq_ignore_ascii_case(c)) else {
                return Err(PgError::error(
                    code::UNDEFINED_COLUMN,
                    format!(
                        "column \"{c}\" of relation \"{}\" does not exist",
                        spec.table
                    ),
                ));
            };
            if chosen.iter().any(|(n, _)| n.eq_ignore_ascii_case(c)) {
                return Err(PgError::error(
                    code::DUPLICATE_COLUMN,
                    format!("column \"{c}\" specified more than once"),
                ));
            }
            chosen.push(found.clone());
        }
        Ok(chosen)
    }

    fn copy_from(&mut self, spec: &CopySpec, sink: &mut dyn ResultSink) -> Result<String, PgError> {
        let columns = self.copy_columns(spec)?;
        let own_transaction = self.status == TransactionStatus::Idle;
        if own_transaction {
            self.batch("BEGIN")?;
        }
        let result = self.copy_rows_in(spec, &columns, sink);
        if own_transaction {
            match &result {
                Ok(_) => {
                    if let Err(e) = self.batch("COMMIT") {
                        self.rollback_sqlite();
                        return Err(e);
                    }
                }
                Err(_) => self.rollback_sqlite(),
            }
        }
        result.map(|n| format!("COPY {n}"))
    }

    fn copy_rows_in(
        &mut self,
        spec: &CopySpec,
        columns: &[(String, u32)],
        sink: &mut dyn ResultSink,
    ) -> Result<u64, PgError> {
        let names: Vec<String> = columns.iter().map(|(n, _)| quote_ident(n)).collect();
        let slots: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote_ident(&spec.table),
            names.join(", "),
            slots.join(", ")
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| errors::from_sqlite(&e))?;
        // Typmods of the columns, so that COPY applies varchar(n),
        // numeric(p,s), ... as INSERT does.
        let typmods: Vec<i32> = {
            let defs = crate::analyze::Schema::relation(&SchemaCatalog(&self.conn), &spec.table)
                .unwrap_or_default();
            columns
                .iter()
                .map(|(n, _)| {
                    defs.iter()
                        .find(|d| d.name.eq_ignore_ascii_case(n))
                        .map_or(-1, |d| d.typmod)
                })
                .collect()
        };
        sink.copy_in_start(columns.len())?;
        let mut reader = CopyReader::new(spec);
        let mut count: u64 = 0;
        let mut at_end = false;
        let context = |line: u64| format!("COPY {}, line {line}", spec.table);
        loop {
            while let Some(record) = reader.next_record(at_end) {
                let line = reader.line;
                let record = record.map_err(|e| e.with_context(context(line)))?;
                if record.len() < columns.len() {
                    return Err(PgError::error(
                        code::BAD_COPY_FILE_FORMAT,
                        format!("missing data for column \"{}\"", columns[record.len()].0),
                    )
                    .with_context(context(line)));
                }
                if record.len() > columns.len() {
                    return Err(PgError::error(
                        code::BAD_COPY_FILE_FORMAT,
                        "extra data after last expected column",
                    )
                    .with_context(context(line)));
                }
                for (i, (field, (name, oid))) in record.iter().zip(columns).enumerate() {
                    let value = match field {
                        Some(text) => copy_value(*oid, typmods[i], text).map_err(|e| {
                            e.with_context(format!("{}, column {name}: \"{text}\"", context(line)))
                        })?,
                        None => ToSqlOutput::Borrowed(ValueRef::Null),
                    };
                    stmt.raw_bind_parameter(i + 1, value)
                        .map_err(|e| errors::from_sqlite(&e))?;
                }
                stmt.raw_execute()
                    .map_err(|e| errors::from_sqlite(&e).with_context(context(line)))?;
                count += 1;
                if count.is_multiple_of(COPY_INTERRUPT_CHECK_ROWS) && self.interrupts.pending() {
                    if let Some(e) = self.interrupts.take() {
                        return Err(e.with_context(context(line)));
                    }
                }
            }
            if at_end || reader.finished {
                break;
            }
            match sink.copy_in_chunk()? {
                Some(data) => reader.feed(&data),
                None => at_end = true,
            }
        }
        // After `\.` the client still ends with CopyDone: read up to it.
        if reader.finished && !at_end {
            while sink.copy_in_chunk()?.is_some() {}
        }
        Ok(count)
    }

    fn copy_to(&mut self, spec: &CopySpec, sink: &mut dyn ResultSink) -> Result<String, PgError> {
        let (sql, column_types, column_names, ast) = match &spec.query {
            Some(q) => match dialect::translate(q)?.command {
                Command::Sql {
                    sql,
                    column_types,
                    column_names,
                    ast,
                    catalogs,
                    ..
                } => {
                    self.ensure_catalogs(&catalogs)?;
                    (sql, column_types, column_names, ast)
                }
                _ => {
                    return Err(PgError::error(
                        code::FEATURE_NOT_SUPPORTED,
                        "COPY query must be a SELECT or VALUES query",
                    ))
                }
            },
            None => {
                let columns = self.copy_columns(spec)?;
                let names: Vec<String> = columns.iter().map(|(n, _)| quote_ident(n)).collect();
                (
                    format!(
                        "SELECT {} FROM {}",
                        names.join(", "),
                        quote_ident(&spec.table)
                    ),
                    Vec::new(),
                    Vec::new(),
                    None,
                )
            }
        };
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| self.interrupt_or(errors::from_sqlite(&e)))?;
        if stmt.column_count() == 0 {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "COPY query must have a RETURNING clause",
            ));
        }
        let (columns, _) = describe_columns(
            &self.conn,
            &stmt,
            &column_types,
            &column_names,
            &ast,
            &OnceLock::new(),
        );
        sink.copy_out_start(columns.len())?;
        let mut out = Vec::new();
        if spec.header {
            let names: Vec<Option<&[u8]>> =
                columns.iter().map(|c| Some(c.name.as_bytes())).collect();
            write_row(&mut out, spec, &names);
            sink.copy_out_data(&out)?;
        }
        let mut rows = stmt.raw_query();
        let mut count: u64 = 0;
        loop {
            let row = match rows.next() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => return Err(self.interrupt_or(errors::from_sqlite(&e))),
            };
            let mut texts = Vec::with_capacity(columns.len());
            for (i, c) in columns.iter().enumerate() {
                let v = row.get_ref(i).map_err(|e| errors::from_sqlite(&e))?;
                texts.push(types::format_text(c.type_oid, v));
            }
            let fields: Vec<Option<&[u8]>> = texts
                .iter()
                .map(|t| t.as_deref().map(str::as_bytes))
                .collect();
            out.clear();
            write_row(&mut out, spec, &fields);
            sink.copy_out_data(&out)?;
            count += 1;
        }
        sink.copy_out_done()?;
        Ok(format!("COPY {count}"))
    }
}

/// A COPY field as the column stores it: the type's input function (the
/// types the analyzer knows) and the column's typmod, as INSERT applies
/// them; other types as parameters are bound.
fn copy_value(oid: u32, typmod: i32, text: &str) -> Result<ToSqlOutput<'_>, PgError> {
    use types::*;
    if matches!(
        oid,
        BOOL | INT2
            | INT4
            | INT8
            | FLOAT4
            | FLOAT8
            | NUMERIC
            | DATE
            | TIMESTAMP
            | TIMESTAMPTZ
            | TIME
            | INTERVAL
            | CHAR
            | VARCHAR
            | BPCHAR
            | TEXT
            | NAME
    ) {
        let v = crate::adt::input(oid, text)?;
        let v = crate::adt::apply_typmod(oid, typmod, v, false)?;
        return Ok(ToSqlOutput::Owned(v));
    }
    bind_value(oid, text)
}
