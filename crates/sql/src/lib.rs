//! The SQL engine: PostgreSQL's dialect executed on an embedded SQLite
//! database, one SQLite file per database.
//!
//! - [`datadir`]: the data directory layout, its creation, and the global
//!   catalog (databases and roles) shared by every database.
//! - [`dialect`]: splitting a query string into statements and rewriting
//!   PostgreSQL syntax that SQLite lacks (with sqlparser's PostgreSQL
//!   dialect), plus the command tag each statement reports.
//! - [`infer`]: PostgreSQL types of expression columns and `$n`
//!   parameters, from the statement and the session's schema.
//! - [`types`]: PostgreSQL type OIDs and how SQLite values are rendered as
//!   PostgreSQL text.
//! - [`utility`]: a keyword parser for the utility statements sqlparser
//!   does not take in PostgreSQL's forms (COPY, VACUUM, TRUNCATE, DROP of
//!   several names, ALTER TABLE ... ADD constraint).
//! - [`catalog`]: pg_catalog and information_schema emulated as temporary
//!   views over SQLite's schema, for psql's `\d` and introspecting drivers.
//! - [`datefmt`]: date/time input and output with DateStyle and TimeZone.
//! - [`ddl`]: CREATE TABLE and CREATE INDEX generated from PostgreSQL's
//!   parse tree.
//! - [`copy`]: COPY's text and CSV record formats.
//! - [`errors`]: SQLite errors turned into PostgreSQL's SQLSTATEs and messages.
//! - [`sequence`]: sequences, outside the database's transactions.
//! - [`portal`]: SQL-level cursors (DECLARE, FETCH, MOVE, CLOSE).
//! - [`session`]: one backend's open database, its transaction state and
//!   session settings.
//!
//! This crate never forks, signals or touches sockets: it is called from a
//! backend, in whatever process or thread that backend runs.

pub mod acl;
pub mod adt;
pub mod analyze;
pub mod array;
pub mod catalog;
pub mod copy;
pub mod datadir;
pub mod datefmt;
pub mod datetime;
pub mod ddl;
pub mod dialect;
pub mod dtformat;
pub mod errors;
pub mod formatting;
pub mod generate;
pub mod infer;
pub mod interval;
pub mod normalize;
pub mod numeric;
pub mod ops;
pub mod ordered_set;
pub mod partition;
pub mod pgparse;
pub mod portal;
pub mod roles;
pub mod sequence;
pub mod session;
pub mod stats;
pub mod timetz;
pub mod types;
pub mod upsert;
pub mod utility;

pub use session::{Column, Interrupts, ResultSink, Session, TransactionStatus};

/// The PostgreSQL version this server reports (server_version, version()).
pub const SERVER_VERSION: &str = "17.0";
/// server_version_num, as clients read it.
pub const SERVER_VERSION_NUM: &str = "170000";
