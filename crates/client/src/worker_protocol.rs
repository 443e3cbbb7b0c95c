//! Messages between the page and its Web Worker, as JSON text, and the work the worker does.
//!
//! The worker holds everything heavy so the page's first download stays small: the
//! configuration checks that need the IANA time-zone database (calendar time zones), and the
//! report engine. The functions here are plain Rust: the worker binary calls them, the page
//! never does (so the linker leaves their weight out of the page), and native tests run them.

use config::ValidationError;
use serde::{Deserialize, Serialize};

/// What the page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ToWorker {
    /// Check a document exactly as the server would (unknown fields, every rule, time zones).
    Validate {
        id: u32,
        kind: DocumentKind,
        json: String,
    },
}

/// Which configuration document a JSON text should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
    Report,
    Calendar,
    StatusGroup,
    /// A whole export (`GET /api/v1/export`), before an import.
    Export,
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FromWorker {
    /// Sent once, when the worker listens: messages sent before are lost.
    Ready,
    /// Every problem of the document; empty when it is valid.
    Validated {
        id: u32,
        problems: Vec<ValidationError>,
    },
    /// A message the worker could not read.
    Unreadable { message: String },
}

/// Checks `json` as a document of `kind`; every problem with its JSON path.
pub fn validate(kind: DocumentKind, json: &str) -> Vec<ValidationError> {
    let result = match kind {
        DocumentKind::Report => config::parse_report(json).map(drop),
        DocumentKind::Calendar => config::parse_calendar(json).map(drop),
        DocumentKind::StatusGroup => config::parse_status_group(json).map(drop),
        DocumentKind::Export => config::parse_strict::<config::api::ExportDocument>(json).map(drop),
    };
    match result {
        Ok(()) => Vec::new(),
        Err(config::ParseError::Invalid(errors)) => errors.0,
        Err(e @ config::ParseError::Json { .. }) => vec![ValidationError {
            path: String::new(),
            message: e.to_string(),
        }],
    }
}

/// Answers one message from the page (the worker's whole job today).
pub fn handle(message: &str) -> FromWorker {
    match serde_json::from_str::<ToWorker>(message) {
        Ok(ToWorker::Validate { id, kind, json }) => FromWorker::Validated {
            id,
            problems: validate(kind, &json),
        },
        Err(e) => FromWorker::Unreadable {
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendars_with_unknown_time_zones_are_refused_in_the_worker() {
        let cal = config::WorkCalendar::office_hours("Berlin office", "Europe/Berlin");
        let ok = serde_json::to_string(&cal).unwrap();
        assert!(validate(DocumentKind::Calendar, &ok).is_empty());
        let bad = ok.replace("Europe/Berlin", "Mars/Olympus_Mons");
        let problems = validate(DocumentKind::Calendar, &bad);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "timeZone");
    }

    #[test]
    fn messages_round_trip_as_json() {
        let ask = ToWorker::Validate {
            id: 7,
            kind: DocumentKind::Report,
            json: "{".into(),
        };
        let text = serde_json::to_string(&ask).unwrap();
        let FromWorker::Validated { id, problems } = handle(&text) else {
            panic!("expected a validation answer");
        };
        assert_eq!(id, 7);
        assert!(
            problems[0].message.starts_with("malformed json"),
            "{problems:?}"
        );
        assert!(matches!(handle("nonsense"), FromWorker::Unreadable { .. }));
    }
}
