//! Report configuration metadata: everything Dwell's server stores, and nothing else.
//!
//! A report configuration says *what* to compute (base JQL, report kind, columns, grouping,
//! filters, aggregation, calendar, duration format), never *what was computed*. The server, the
//! browser client and the CLI share these types, so a configuration means the same thing
//! everywhere.
//!
//! The one design decision to know: these types are the server's input schema, so they are
//! parsed strictly. Every struct rejects unknown fields, every string has a length cap and a
//! syntax where Jira gives it one, and [`Validate::validate`] reports every problem with its JSON
//! path. Nothing in this crate can hold an issue's summary, key list, field values, changelog
//! or worklogs (timesheets name authors by account id and groups by name, never a worklog or its
//! comment); the only free text is what a user types to describe a report (name, description, JQL,
//! filter values).
//!
//! The crate does no I/O. [`api`] holds the metadata server's request and response bodies, shared
//! with the client so both ends agree on the wire; [`page`] reads the client page's address
//! (Connect's `jwt`, `xdm_e`, `ac.route`) for both ends alike.

pub mod api;
mod calendar;
mod ids;
mod kind;
pub mod page;
mod report;
mod status_group;
mod timesheet;
mod validate;

pub use calendar::{Holiday, TimeRange, WeekSchedule, WorkCalendar};
pub use ids::{
    AccountId, AuthorId, CalendarId, FieldId, GroupName, IdError, Jql, MAX_JQL_BYTES, ReportId,
    StatusGroupId, StatusId,
};
pub use kind::KindTag;
pub use report::{
    AggregateFn, Aggregation, CalendarRef, ColumnSpec, Columns, DateBound, DateField, DateRange,
    DurationFormat, Filter, FilterOp, FilterValue, GroupValue, MultiVisit, ReportConfig,
    ReportKind, ReportOptions, Rows, SortDirection, SortKey, SortTarget, StatusRef,
    ThroughputPeriod, TimeBetween, VisitChoice,
};
pub use status_group::StatusGroup;
pub use timesheet::{
    Attribution, Authors, Capacity, Timesheet, TimesheetColumns, TimesheetRows, WorklogDates,
    week_start,
};
pub use validate::{Errors, Limits, Validate, ValidationError, ValidationErrors};

/// The configuration schema version this build reads and writes.
///
/// A stored document with another version is refused rather than guessed at; a future version
/// adds a migration here.
pub const SCHEMA_VERSION: u32 = 1;

/// Parses a report configuration from JSON and validates it.
///
/// This is the one entry point for untrusted input: unknown fields, wrong types and every
/// validation rule give an error that names the offending path.
pub fn parse_report(json: &str) -> Result<ReportConfig, ParseError> {
    parse_strict(json)
}

/// Parses and validates a work calendar from JSON.
pub fn parse_calendar(json: &str) -> Result<WorkCalendar, ParseError> {
    parse_strict(json)
}

/// Parses and validates a status group from JSON.
pub fn parse_status_group(json: &str) -> Result<StatusGroup, ParseError> {
    parse_strict(json)
}

/// Parses any configuration document strictly: malformed JSON, wrong types, unknown fields
/// anywhere in the tree and broken validation rules are all refused.
///
/// Unknown fields are refused twice over: by serde's `deny_unknown_fields`, and by comparing
/// the input's keys with the parsed value written back out. The second check catches the
/// places where serde is lenient (unit variants of internally tagged enums), so that no
/// document can carry data the types do not describe.
pub fn parse_strict<T>(json: &str) -> Result<T, ParseError>
where
    T: serde::de::DeserializeOwned + serde::Serialize + Validate,
{
    let json_error = |e: serde_json::Error| ParseError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let input: serde_json::Value = serde_json::from_str(json).map_err(json_error)?;
    let value: T = serde_json::from_str(json).map_err(json_error)?;
    let written = serde_json::to_value(&value).map_err(json_error)?;
    let mut unknown = Vec::new();
    unknown_keys(&input, &written, String::new(), &mut unknown);
    if !unknown.is_empty() {
        return Err(ParseError::Invalid(ValidationErrors(unknown)));
    }
    value.validate().map_err(ParseError::Invalid)?;
    Ok(value)
}

/// Records every key of `input` that `written` (the parsed value, serialised) does not have.
fn unknown_keys(
    input: &serde_json::Value,
    written: &serde_json::Value,
    path: String,
    out: &mut Vec<ValidationError>,
) {
    use serde_json::Value;
    match (input, written) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => unknown_keys(v, w, child, out),
                    None => out.push(ValidationError {
                        path: child,
                        message: "unknown field".into(),
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                unknown_keys(v, w, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Why a configuration document was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("malformed json at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Invalid(ValidationErrors),
}
