//! The query loop (PostgreSQL's PostgresMain): read a message, run it,
//! answer, and send ReadyForQuery with the transaction status whenever the
//! client waits for one.
//!
//! Simple protocol: a Query may hold several statements, run in one
//! implicit transaction; the first error ends the Query.
//! Extended protocol: Parse/Bind/Describe/Execute/Close with named and
//! unnamed statements and portals; after an error every message up to the
//! next Sync is discarded. A portal runs to completion at its first
//! Execute and hands out its rows `max_rows` at a time (PortalSuspended).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::data::{FieldDescription, NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{
    BindComplete, CloseComplete, ParseComplete, PortalSuspended,
};
use pgwire::messages::response::{
    CommandComplete, EmptyQueryResponse, ReadyForQuery, TransactionStatus as WireStatus,
};
use pgwire::messages::startup::ParameterStatus;
use pgwire::messages::{PgWireBackendMessage as B, PgWireFrontendMessage as F};
use pm_elog::{sqlstate as code, PgError};
use pm_sql::dialect::{self, Translated};
use pm_sql::session::Session;
use pm_sql::{types, Column, ResultSink, TransactionStatus};
use rusqlite::types::ValueRef;

use crate::format;
use crate::interrupts::{BackendInterrupts, Interrupt};
use crate::wire::{Incoming, Wire};
use crate::{PsDisplay, EXIT_FATAL, EXIT_NORMAL};

/// Prepared statements and portals a session may hold at once.
const PREPARED_STATEMENTS_MAX: usize = 10_000;

/// A result row already encoded for the wire (None = NULL).
type EncodedRow = Vec<Option<Vec<u8>>>;

struct PreparedStatement {
    translated: Option<Arc<Translated>>,
    param_types: Vec<u32>,
    /// Result columns, described once at Parse (None: no rows); Describe
    /// and every Execute use them as they are.
    columns: Option<Vec<Column>>,
    /// The text as parsed (pg_stat_activity's query).
    query: String,
}

struct Portal {
    statement: Arc<PreparedStatement>,
    params: Vec<Option<String>>,
    result_formats: Vec<i16>,
    /// Rows not yet sent, and the tag, once the portal has run.
    done: Option<(VecDeque<EncodedRow>, String)>,
}

/// Reports this backend's state to its status entry (pg_stat_activity).
pub struct StatusReporter {
    pub shmem: Arc<pm_shmem::Shmem>,
    pub slot: u32,
}

impl StatusReporter {
    fn active(&self, query: &str) {
        self.shmem.status_report(
            self.slot,
            pm_shmem::activity::STATE_ACTIVE,
            Some(query),
            crate::now_us(),
        );
    }

    fn idle(&self, status: TransactionStatus, xact_start_us: i64) {
        use pm_shmem::activity::*;
        let state = match status {
            TransactionStatus::Idle => STATE_IDLE,
            TransactionStatus::InBlock => STATE_IDLE_IN_TRANSACTION,
            TransactionStatus::Failed => STATE_IDLE_IN_TRANSACTION_ABORTED,
        };
        let xact = if status == TransactionStatus::Idle {
            0
        } else {
            xact_start_us
        };
        self.shmem.status_xact_start(self.slot, xact);
        self.shmem
            .status_report(self.slot, state, None, crate::now_us());
    }

    fn waiting_for_client(&self, waiting: bool) {
        let event = if waiting {
            pm_shmem::activity::WAIT_CLIENT_READ
        } else {
            pm_shmem::activity::WAIT_NONE
        };
        self.shmem.status_wait_event(self.slot, event);
    }
}

pub struct PostgresMain {
    status: StatusReporter,
    wire: Wire,
    session: Session,
    interrupts: Arc<BackendInterrupts>,
    statements: HashMap<String, Arc<PreparedStatement>>,
    portals: HashMap<String, Portal>,
    /// After an error in extended protocol: skip until Sync.
    ignore_till_sync: bool,
    /// The statement running, for the STATEMENT line of its error in the log.
    current_statement: Option<String>,
    ps: PsDisplay,
    send_ready_for_query: bool,
}

/// Writes rows straight to the client (simple protocol).
struct StreamSink<'a> {
    wire: &'a mut Wire,
    interrupts: &'a BackendInterrupts,
    formats: &'a [i16],
    describe: bool,
}

/// The COPY sub-protocol on the wire, for both sinks.
macro_rules! copy_protocol {
    () => {
        fn copy_in_start(&mut self, columns: usize) -> Result<(), PgError> {
            send(
                self.wire,
                B::CopyInResponse(CopyInResponse::new(0, columns as i16, vec![0; columns])),
            )?;
            self.wire.flush().map_err(client_gone)
        }

        fn copy_in_chunk(&mut self) -> Result<Option<Vec<u8>>, PgError> {
            copy_in_chunk(self.wire, self.interrupts)
        }

        fn copy_out_start(&mut self, columns: usize) -> Result<(), PgError> {
            send(
                self.wire,
                B::CopyOutResponse(CopyOutResponse::new(0, columns as i16, vec![0; columns])),
            )
        }

        fn copy_out_data(&mut self, data: &[u8]) -> Result<(), PgError> {
            send(self.wire, B::CopyData(CopyData::new(data.to_vec().into())))
        }

        fn copy_out_done(&mut self) -> Result<(), PgError> {
            send(self.wire, B::CopyDone(CopyDone::new()))
        }
    };
}

/// A frontend message's type byte, for error messages.
fn message_type(m: &F) -> u8 {
    let mut buf = bytes::BytesMut::new();
    let _ = m.encode(&mut buf);
    buf.first().copied().unwrap_or(0)
}

/// Reads the client's next COPY message: data, the end (None), or its
/// failure. Flush and Sync are ignored during COPY, as PostgreSQL does.
fn copy_in_chunk(
    wire: &mut Wire,
    interrupts: &BackendInterrupts,
) -> Result<Option<Vec<u8>>, PgError> {
    loop {
        match wire.read_message()? {
            Incoming::Message(F::CopyData(d)) => return Ok(Some(d.data.to_vec())),
            Incoming::Message(F::CopyDone(_)) => return Ok(None),
            Incoming::Message(F::CopyFail(f)) => {
                return Err(PgError::error(
                    code::QUERY_CANCELED,
                    format!("COPY from stdin failed: {}", f.message),
                ))
            }
            Incoming::Message(F::Flush(_)) | Incoming::Message(F::Sync(_)) => {}
            Incoming::Message(other) => {
                return Err(PgError::error(
                    code::PROTOCOL_VIOLATION,
                    format!(
                        "unexpected message type 0x{:02X} during COPY from stdin",
                        message_type(&other)
                    ),
                ))
            }
            Incoming::Eof => {
                return Err(PgError::fatal(
                    code::CONNECTION_EXCEPTION,
                    "unexpected EOF on client connection with an open transaction",
                ))
            }
            Incoming::Interrupted => {
                if let Some(kind) = interrupts.take_kind() {
                    return Err(interrupts.error(kind));
                }
            }
            Incoming::PostmasterDied => {
                return Err(PgError::fatal(
                    code::ADMIN_SHUTDOWN,
                    "terminating connection due to unexpected postmaster exit",
                ))
            }
            Incoming::Timeout => {}
        }
    }
}

impl ResultSink for StreamSink<'_> {
    fn describe(&mut self, columns: &[Column]) -> Result<(), PgError> {
        if self.describe {
            send(self.wire, row_description(columns, self.formats))?;
        }
        Ok(())
    }

    fn row(&mut self, columns: &[Column], values: &[ValueRef<'_>]) -> Result<(), PgError> {
        let encoded = encode_row(columns, values, self.formats)?;
        self.wire
            .send_data_row(encoded.iter().map(|f| f.as_deref()))
            .map_err(client_gone)
    }

    fn notice(&mut self, notice: PgError) {
        let _ = self.wire.send_error(&notice);
    }

    copy_protocol!();
}

/// Collects rows (extended protocol portals).
struct BufferSink<'a> {
    wire: &'a mut Wire,
    interrupts: &'a BackendInterrupts,
    formats: &'a [i16],
    rows: VecDeque<EncodedRow>,
}

impl ResultSink for BufferSink<'_> {
    fn describe(&mut self, _columns: &[Column]) -> Result<(), PgError> {
        Ok(())
    }

    fn row(&mut self, columns: &[Column], values: &[ValueRef<'_>]) -> Result<(), PgError> {
        self.rows
            .push_back(encode_row(columns, values, self.formats)?);
        Ok(())
    }

    fn notice(&mut self, notice: PgError) {
        let _ = self.wire.send_error(&notice);
    }

    copy_protocol!();
}

fn encode_row(
    columns: &[Column],
    values: &[ValueRef<'_>],
    formats: &[i16],
) -> Result<EncodedRow, PgError> {
    // A pure function of the values: a panic in it (a bug) is this
    // statement's error, never a crash of the backend.
    pm_elog::contain_panic(|| encode_row_inner(columns, values, formats)).unwrap_or_else(|m| {
        Err(
            PgError::error(code::INTERNAL_ERROR, "internal error while encoding a row")
                .with_detail(m),
        )
    })
}

fn encode_row_inner(
    columns: &[Column],
    values: &[ValueRef<'_>],
    formats: &[i16],
) -> Result<EncodedRow, PgError> {
    columns
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (c, v))| {
            let mut out = format::encode(c.type_oid, *v, format::format_for(formats, i) == 1)?;
            if c.type_oid == types::BPCHAR {
                if let Some(bytes) = out.as_mut() {
                    pad_bpchar(bytes, c.type_mod);
                }
            }
            Ok(out)
        })
        .collect()
}

/// char(n) values are blank-padded to n characters, as PostgreSQL stores
/// them (text and binary forms are the same bytes).
fn pad_bpchar(bytes: &mut Vec<u8>, type_mod: i32) {
    let Ok(n) = usize::try_from(type_mod - 4) else {
        return;
    };
    let chars = String::from_utf8_lossy(bytes).chars().count();
    if chars < n {
        bytes.resize(bytes.len() + (n - chars), b' ');
    }
}

fn client_gone(e: std::io::Error) -> PgError {
    if e.to_string() == crate::wire::TERMINATED_WHILE_WRITING {
        return PgError::fatal(code::ADMIN_SHUTDOWN, crate::wire::TERMINATED_WHILE_WRITING);
    }
    PgError::fatal(
        code::CONNECTION_EXCEPTION,
        format!("could not send data to client: {e}"),
    )
}

fn send(wire: &mut Wire, m: B) -> Result<(), PgError> {
    wire.send(m).map_err(client_gone)
}

fn row_description(columns: &[Column], formats: &[i16]) -> B {
    B::RowDescription(RowDescription::new(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                FieldDescription::new(
                    c.name.clone(),
                    0,
                    0,
                    c.type_oid,
                    types::type_size(c.type_oid),
                    c.type_mod,
                    format::format_for(formats, i),
                )
            })
            .collect(),
    ))
}

fn wire_status(s: TransactionStatus) -> WireStatus {
    match s {
        TransactionStatus::Idle => WireStatus::Idle,
        TransactionStatus::InBlock => WireStatus::Transaction,
        TransactionStatus::Failed => WireStatus::Error,
    }
}

fn name_of(n: &Option<String>) -> String {
    n.clone().unwrap_or_default()
}

impl PostgresMain {
    pub(crate) fn new(
        wire: Wire,
        session: Session,
        interrupts: Arc<BackendInterrupts>,
        ps: PsDisplay,
        status: StatusReporter,
    ) -> Self {
        PostgresMain {
            status,
            wire,
            session,
            interrupts,
            ps,
            statements: HashMap::new(),
            portals: HashMap::new(),
            ignore_till_sync: false,
            current_statement: None,
            send_ready_for_query: true,
        }
    }

    /// Runs until the client leaves or a FATAL; returns the exit code.
    pub fn run(mut self) -> i32 {
        loop {
            if self.send_ready_for_query {
                self.ps.set(match self.session.status() {
                    TransactionStatus::Idle => "idle",
                    TransactionStatus::InBlock => "idle in transaction",
                    TransactionStatus::Failed => "idle in transaction (aborted)",
                });
                self.status
                    .idle(self.session.status(), self.session.xact_start_us());
                let status = wire_status(self.session.status());
                if send(&mut self.wire, B::ReadyForQuery(ReadyForQuery::new(status))).is_err() {
                    return EXIT_NORMAL;
                }
                self.send_ready_for_query = false;
            }
            self.status.waiting_for_client(true);
            let incoming = self.wire.read_message();
            self.status.waiting_for_client(false);
            let message = match incoming {
                Ok(Incoming::Message(m)) => m,
                Ok(Incoming::Eof) => return EXIT_NORMAL,
                Ok(Incoming::Interrupted) => {
                    // Idle: a cancel has nothing to cancel; a terminate ends us.
                    if let Some(kind @ (Interrupt::Terminate | Interrupt::Quit)) =
                        self.interrupts.take_kind()
                    {
                        return self.fatal(self.interrupts.error(kind));
                    }
                    continue;
                }
                Ok(Incoming::PostmasterDied) => return EXIT_FATAL,
                Ok(Incoming::Timeout) => continue,
                Err(e) => return self.fatal(e),
            };
            if self.ignore_till_sync
                && message.is_extended_query()
                && !matches!(message, F::Sync(_))
            {
                continue;
            }
            let result = match message {
                F::Query(q) => {
                    self.send_ready_for_query = true;
                    self.ps.set_command(&q.query);
                    self.status.active(&q.query);
                    self.simple_query(&q.query)
                }
                F::Parse(m) => self.parse(name_of(&m.name), &m.query, &m.type_oids),
                F::Bind(m) => self.bind(m),
                F::Describe(m) => self.describe(m.target_type, name_of(&m.name)),
                F::Execute(m) => self.execute(name_of(&m.name), m.max_rows),
                F::Close(m) => self.close(m.target_type, name_of(&m.name)),
                F::Sync(_) => {
                    self.ignore_till_sync = false;
                    self.send_ready_for_query = true;
                    Ok(())
                }
                // Whatever is queued goes out now, even when more messages
                // are already buffered (otherwise they would run first).
                F::Flush(_) => self.wire.flush().map_err(client_gone),
                F::Terminate(_) => return EXIT_NORMAL,
                // Copy messages outside COPY are ignored, as PostgreSQL does.
                F::CopyData(_) | F::CopyDone(_) | F::CopyFail(_) => Ok(()),
                other => Err(PgError::fatal(
                    code::PROTOCOL_VIOLATION,
                    format!("unexpected message type in this state: {other:?}")
                        .chars()
                        .take(120)
                        .collect::<String>(),
                )),
            };
            let statement = self.current_statement.take();
            if let Err(e) = result {
                if e.is_fatal() {
                    return self.fatal(e);
                }
                if let Some(s) = &statement {
                    e.log_with_statement(s);
                }
                if self.wire.send_error(&e).is_err() {
                    return EXIT_NORMAL;
                }
                if !self.send_ready_for_query {
                    // An extended-protocol message failed.
                    self.ignore_till_sync = true;
                }
            }
        }
    }

    fn fatal(&mut self, e: PgError) -> i32 {
        let _ = self.wire.send_error(&e);
        let _ = self.wire.flush();
        if e.code != code::CONNECTION_EXCEPTION {
            e.log();
        }
        EXIT_FATAL
    }

    fn check_interrupts(&self) -> Result<(), PgError> {
        match self.interrupts.take_kind() {
            Some(kind) => Err(self.interrupts.error(kind)),
            None => Ok(()),
        }
    }

    fn send_reports(&mut self) -> Result<(), PgError> {
        for (name, value) in self.session.take_reports() {
            send(
                &mut self.wire,
                B::ParameterStatus(ParameterStatus::new(name, value)),
            )?;
        }
        Ok(())
    }

    fn simple_query(&mut self, text: &str) -> Result<(), PgError> {
        // A cancel that arrived while idle must not hit this query.
        if let Some(kind @ (Interrupt::Terminate | Interrupt::Quit)) = self.interrupts.take_kind() {
            return Err(self.interrupts.error(kind));
        }
        self.session.set_query_string(text);
        let statements = dialect::split_statements(text);
        if statements.is_empty() {
            return send(
                &mut self.wire,
                B::EmptyQueryResponse(EmptyQueryResponse::new()),
            );
        }
        if statements.len() > 1 {
            self.session.begin_implicit()?;
        }
        for statement in statements {
            self.current_statement = Some(statement.to_string());
            let outcome = self.check_interrupts().and_then(|_| {
                let t = self.session.translate(statement)?;
                let mut sink = StreamSink {
                    wire: &mut self.wire,
                    interrupts: &self.interrupts,
                    formats: &[],
                    describe: true,
                };
                self.session.execute(&t, &mut sink)
            });
            match outcome {
                Ok(tag) => {
                    send(
                        &mut self.wire,
                        B::CommandComplete(CommandComplete::new(tag)),
                    )?;
                    self.send_reports()?;
                }
                Err(e) => {
                    self.session.end_implicit(false)?;
                    return Err(e);
                }
            }
        }
        self.session.end_implicit(true)
    }

    fn parse(&mut self, name: String, text: &str, type_oids: &[u32]) -> Result<(), PgError> {
        self.current_statement = Some(text.to_string());
        self.session.set_query_string(text);
        if !name.is_empty() && self.statements.contains_key(&name) {
            return Err(PgError::error(
                code::DUPLICATE_PREPARED_STATEMENT,
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        if self.statements.len() >= PREPARED_STATEMENTS_MAX {
            return Err(PgError::error(
                code::PROGRAM_LIMIT_EXCEEDED,
                "too many prepared statements",
            ));
        }
        let statements = dialect::split_statements(text);
        if statements.len() > 1 {
            return Err(PgError::error(
                code::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let translated = match statements.first() {
            Some(s) => Some(self.session.translate(s)?),
            None => None,
        };
        // Declared types win; the rest are inferred from where each
        // parameter is used, and what nothing tells is text.
        let count = type_oids.len().max(dialect::parameter_count(text));
        let inferred = match &translated {
            Some(t) => self.session.parameter_types(t, count),
            None => vec![None; count],
        };
        let param_types = (0..count)
            .map(|i| match type_oids.get(i).copied().unwrap_or(0) {
                0 => inferred[i].unwrap_or(types::TEXT),
                oid => oid,
            })
            .collect();
        // Described now, once: errors (unknown table, syntax) surface at
        // Parse, and Describe/Execute reuse the columns.
        let columns = match &translated {
            Some(t) => self.session.describe(t)?,
            None => None,
        };
        self.statements.insert(
            name,
            Arc::new(PreparedStatement {
                translated,
                param_types,
                columns,
                query: text.to_string(),
            }),
        );
        send(&mut self.wire, B::ParseComplete(ParseComplete::new()))
    }

    fn bind(&mut self, m: pgwire::messages::extendedquery::Bind) -> Result<(), PgError> {
        let statement_name = name_of(&m.statement_name);
        let statement = self
            .statements
            .get(&statement_name)
            .cloned()
            .ok_or_else(|| {
                PgError::error(
                    code::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{statement_name}\" does not exist"),
                )
            })?;
        if m.parameters.len() != statement.param_types.len() {
            return Err(PgError::error(
                code::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{statement_name}\" requires {}",
                    m.parameters.len(),
                    statement.param_types.len()
                ),
            ));
        }
        let params = m
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                None => Ok(None),
                Some(bytes) if format::format_for(&m.parameter_format_codes, i) == 1 => {
                    format::decode_binary_param(statement.param_types[i], bytes).map(Some)
                }
                Some(bytes) => Ok(Some(String::from_utf8_lossy(bytes).into_owned())),
            })
            .collect::<Result<Vec<_>, PgError>>()?;
        self.portals.insert(
            name_of(&m.portal_name),
            Portal {
                statement,
                params,
                result_formats: m.result_column_format_codes.clone(),
                done: None,
            },
        );
        send(&mut self.wire, B::BindComplete(BindComplete::new()))
    }

    fn describe(&mut self, target: u8, name: String) -> Result<(), PgError> {
        if target == b'S' {
            let statement = self.statements.get(&name).cloned().ok_or_else(|| {
                PgError::error(
                    code::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{name}\" does not exist"),
                )
            })?;
            send(
                &mut self.wire,
                B::ParameterDescription(ParameterDescription::new(statement.param_types.clone())),
            )?;
            return match &statement.columns {
                Some(c) => send(&mut self.wire, row_description(c, &[])),
                None => send(&mut self.wire, B::NoData(NoData::new())),
            };
        }
        let portal = self.portals.get(&name).ok_or_else(|| no_portal(&name))?;
        let message = match &portal.statement.columns {
            Some(c) => row_description(c, &portal.result_formats),
            None => B::NoData(NoData::new()),
        };
        send(&mut self.wire, message)
    }

    fn execute(&mut self, name: String, max_rows: i32) -> Result<(), PgError> {
        let portal = self
            .portals
            .get_mut(&name)
            .ok_or_else(|| no_portal(&name))?;
        if portal.done.is_none() {
            let Some(t) = portal.statement.translated.clone() else {
                return send(
                    &mut self.wire,
                    B::EmptyQueryResponse(EmptyQueryResponse::new()),
                );
            };
            let params = portal.params.clone();
            let statement = portal.statement.clone();
            self.current_statement = Some(statement.query.clone());
            self.status.active(&statement.query);
            let formats = portal.result_formats.clone();
            self.check_interrupts()?;
            let mut sink = BufferSink {
                wire: &mut self.wire,
                interrupts: &self.interrupts,
                formats: &formats,
                rows: VecDeque::new(),
            };
            let params = pm_sql::session::Params {
                values: &params,
                types: &statement.param_types,
            };
            let tag = self.session.execute_with_columns(
                &t,
                &params,
                statement.columns.as_deref(),
                &mut sink,
            )?;
            let rows = sink.rows;
            self.send_reports()?;
            let portal = self
                .portals
                .get_mut(&name)
                .ok_or_else(|| no_portal(&name))?;
            portal.done = Some((rows, tag));
        }
        let portal = self
            .portals
            .get_mut(&name)
            .ok_or_else(|| no_portal(&name))?;
        let Some((rows, tag)) = portal.done.as_mut() else {
            return Ok(());
        };
        let limit = if max_rows <= 0 {
            usize::MAX
        } else {
            max_rows as usize
        };
        let mut sent = 0;
        while sent < limit {
            let Some(row) = rows.pop_front() else { break };
            self.wire
                .send_data_row(row.iter().map(|f| f.as_deref()))
                .map_err(client_gone)?;
            sent += 1;
        }
        if !rows.is_empty() {
            return send(&mut self.wire, B::PortalSuspended(PortalSuspended::new()));
        }
        let tag = tag.clone();
        send(
            &mut self.wire,
            B::CommandComplete(CommandComplete::new(tag)),
        )
    }

    fn close(&mut self, target: u8, name: String) -> Result<(), PgError> {
        if target == b'S' {
            self.statements.remove(&name);
        } else {
            self.portals.remove(&name);
        }
        send(&mut self.wire, B::CloseComplete(CloseComplete::new()))
    }
}

fn no_portal(name: &str) -> PgError {
    PgError::error(
        code::INVALID_CURSOR_NAME,
        format!("portal \"{name}\" does not exist"),
    )
}
