//! SQLSTATE codes used by the server, named as in PostgreSQL's errcodes.txt.

pub const SUCCESSFUL_COMPLETION: &str = "00000";
pub const WARNING: &str = "01000";
pub const CONNECTION_EXCEPTION: &str = "08000";
pub const PROTOCOL_VIOLATION: &str = "08P01";
pub const INVALID_ARGUMENT_FOR_POWER_FUNCTION: &str = "2201F";
pub const SUBSTRING_ERROR: &str = "22011";
pub const INVALID_ARGUMENT_FOR_LOG: &str = "2201E";
pub const INVALID_ROW_COUNT_IN_LIMIT_CLAUSE: &str = "2201W";
pub const INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE: &str = "2201X";
pub const GROUPING_ERROR: &str = "42803";
pub const AMBIGUOUS_FUNCTION: &str = "42725";
pub const CANNOT_COERCE: &str = "42846";
pub const INDETERMINATE_DATATYPE: &str = "42P18";
pub const UNDEFINED_PARAMETER: &str = "42P02";
pub const DUPLICATE_ALIAS: &str = "42712";
pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
pub const INVALID_AUTHORIZATION_SPECIFICATION: &str = "28000";
pub const INVALID_PASSWORD: &str = "28P01";
pub const INVALID_CATALOG_NAME: &str = "3D000";
pub const INVALID_TRANSACTION_STATE: &str = "25000";
pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
pub const INVALID_SQL_STATEMENT_NAME: &str = "26000";
pub const DUPLICATE_PSTATEMENT: &str = "42P05";
pub const INVALID_CURSOR_NAME: &str = "34000";
pub const DUPLICATE_CURSOR: &str = "42P03";
pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
pub const DUPLICATE_PREPARED_STATEMENT: &str = "42P05";
pub const SYNTAX_ERROR: &str = "42601";
pub const UNDEFINED_TABLE: &str = "42P01";
pub const UNDEFINED_COLUMN: &str = "42703";
pub const UNDEFINED_FUNCTION: &str = "42883";
pub const UNDEFINED_OBJECT: &str = "42704";
pub const DUPLICATE_TABLE: &str = "42P07";
pub const DUPLICATE_COLUMN: &str = "42701";
pub const DUPLICATE_DATABASE: &str = "42P04";
pub const DUPLICATE_OBJECT: &str = "42710";
pub const AMBIGUOUS_COLUMN: &str = "42702";
pub const DATATYPE_MISMATCH: &str = "42804";
pub const WRONG_OBJECT_TYPE: &str = "42809";
pub const INVALID_TABLE_DEFINITION: &str = "42P16";
pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
pub const INVALID_DATETIME_FORMAT: &str = "22007";
pub const BAD_COPY_FILE_FORMAT: &str = "22P04";
pub const INVALID_PARAMETER_VALUE: &str = "22023";
pub const DIVISION_BY_ZERO: &str = "22012";
pub const INVALID_REGULAR_EXPRESSION: &str = "2201B";
pub const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";
pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
pub const INTERVAL_FIELD_OVERFLOW: &str = "22015";
pub const INTEGRITY_CONSTRAINT_VIOLATION: &str = "23000";
pub const NOT_NULL_VIOLATION: &str = "23502";
pub const FOREIGN_KEY_VIOLATION: &str = "23503";
pub const UNIQUE_VIOLATION: &str = "23505";
pub const CHECK_VIOLATION: &str = "23514";
pub const SERIALIZATION_FAILURE: &str = "40001";
pub const DEADLOCK_DETECTED: &str = "40P01";
pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
pub const TOO_MANY_CONNECTIONS: &str = "53300";
pub const OUT_OF_MEMORY: &str = "53200";
pub const DISK_FULL: &str = "53100";
pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
pub const OBJECT_IN_USE: &str = "55006";
pub const CANT_CHANGE_RUNTIME_PARAM: &str = "55P02";
pub const QUERY_CANCELED: &str = "57014";
pub const ADMIN_SHUTDOWN: &str = "57P01";
pub const CRASH_SHUTDOWN: &str = "57P02";
pub const CANNOT_CONNECT_NOW: &str = "57P03";
pub const IO_ERROR: &str = "58030";
pub const INTERNAL_ERROR: &str = "XX000";
pub const DATA_CORRUPTED: &str = "XX001";
pub const INSUFFICIENT_RESOURCES: &str = "53000";
pub const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";
pub const LOCK_NOT_AVAILABLE: &str = "55P03";
pub const GENERATED_ALWAYS: &str = "428C9";
pub const SEQUENCE_GENERATOR_LIMIT_EXCEEDED: &str = "2200H";
pub const CONFIGURATION_LIMIT_EXCEEDED: &str = "53400";

/// Every code above (keep in step), for turning a code back into its constant.
const ALL: &[&str] = &[
    CONFIGURATION_LIMIT_EXCEEDED,
    LOCK_NOT_AVAILABLE,
    SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
    GENERATED_ALWAYS,
    SUCCESSFUL_COMPLETION,
    WARNING,
    CONNECTION_EXCEPTION,
    PROTOCOL_VIOLATION,
    FEATURE_NOT_SUPPORTED,
    INVALID_AUTHORIZATION_SPECIFICATION,
    INVALID_PASSWORD,
    INVALID_CATALOG_NAME,
    INVALID_TRANSACTION_STATE,
    ACTIVE_SQL_TRANSACTION,
    NO_ACTIVE_SQL_TRANSACTION,
    IN_FAILED_SQL_TRANSACTION,
    INVALID_SQL_STATEMENT_NAME,
    DUPLICATE_PSTATEMENT,
    INVALID_CURSOR_NAME,
    DUPLICATE_CURSOR,
    NULL_VALUE_NOT_ALLOWED,
    DUPLICATE_PREPARED_STATEMENT,
    SYNTAX_ERROR,
    UNDEFINED_TABLE,
    UNDEFINED_COLUMN,
    UNDEFINED_FUNCTION,
    UNDEFINED_OBJECT,
    DUPLICATE_TABLE,
    DUPLICATE_COLUMN,
    DUPLICATE_DATABASE,
    DUPLICATE_OBJECT,
    AMBIGUOUS_COLUMN,
    DATATYPE_MISMATCH,
    WRONG_OBJECT_TYPE,
    INVALID_TABLE_DEFINITION,
    INVALID_COLUMN_REFERENCE,
    INVALID_TEXT_REPRESENTATION,
    INVALID_DATETIME_FORMAT,
    BAD_COPY_FILE_FORMAT,
    INVALID_PARAMETER_VALUE,
    DIVISION_BY_ZERO,
    INVALID_REGULAR_EXPRESSION,
    CHARACTER_NOT_IN_REPERTOIRE,
    NUMERIC_VALUE_OUT_OF_RANGE,
    STRING_DATA_RIGHT_TRUNCATION,
    DATETIME_FIELD_OVERFLOW,
    INTERVAL_FIELD_OVERFLOW,
    INVALID_ARGUMENT_FOR_POWER_FUNCTION,
    SUBSTRING_ERROR,
    INVALID_ARGUMENT_FOR_LOG,
    INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
    INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
    GROUPING_ERROR,
    AMBIGUOUS_FUNCTION,
    CANNOT_COERCE,
    INDETERMINATE_DATATYPE,
    UNDEFINED_PARAMETER,
    DUPLICATE_ALIAS,
    INTEGRITY_CONSTRAINT_VIOLATION,
    NOT_NULL_VIOLATION,
    FOREIGN_KEY_VIOLATION,
    UNIQUE_VIOLATION,
    CHECK_VIOLATION,
    SERIALIZATION_FAILURE,
    DEADLOCK_DETECTED,
    INSUFFICIENT_PRIVILEGE,
    TOO_MANY_CONNECTIONS,
    OUT_OF_MEMORY,
    DISK_FULL,
    PROGRAM_LIMIT_EXCEEDED,
    OBJECT_IN_USE,
    CANT_CHANGE_RUNTIME_PARAM,
    QUERY_CANCELED,
    ADMIN_SHUTDOWN,
    CRASH_SHUTDOWN,
    CANNOT_CONNECT_NOW,
    IO_ERROR,
    INTERNAL_ERROR,
    DATA_CORRUPTED,
    INSUFFICIENT_RESOURCES,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
];

/// The constant for a code text (an error reported across a process
/// boundary as text), if the server knows it.
pub fn by_code(code: &str) -> Option<&'static str> {
    ALL.iter().copied().find(|c| *c == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_is_listed() {
        let source = include_str!("sqlstate.rs");
        for line in source.lines().filter(|l| l.starts_with("pub const ")) {
            let value = line.split('"').nth(1).unwrap();
            assert_eq!(
                super::by_code(value),
                Some(value),
                "{line} is missing from ALL"
            );
        }
    }
}
