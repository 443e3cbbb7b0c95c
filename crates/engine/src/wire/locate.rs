//! Error location: when a document does not parse, it is re-read loosely and each issue (and
//! each history) is tried alone, so the message names the issue and history at fault. This is
//! the slow path, taken only on failure.

use serde::Deserialize;

use super::WireError;
use super::shapes::{WireHistory, WireIssue, WireIssueChangeLog};

/// Parses `json` as `T`; on failure, finds the issue (and history) at fault for the message.
pub(super) fn parse<'a, T: Deserialize<'a>>(json: &'a [u8]) -> Result<T, WireError> {
    serde_json::from_slice(json).map_err(|e| locate(json, &e))
}

fn json_error(e: &serde_json::Error) -> WireError {
    WireError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// The slow path of an error: re-reads the document loosely and retries each issue alone, so
/// the message can say which issue (and history) holds the bad value.
pub(super) fn locate(json: &[u8], err: &serde_json::Error) -> WireError {
    use serde_json::Value;
    let Ok(doc) = serde_json::from_slice::<Value>(json) else {
        return json_error(err);
    };
    let label = |v: &Value, keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| match v.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "(unnamed)".into())
    };
    let in_histories = |histories: Option<&Value>| -> Option<String> {
        histories?.as_array()?.iter().find_map(|h| {
            WireHistory::deserialize(h)
                .err()
                .map(|e| format!("history {}: {e}", label(h, &["id"])))
        })
    };
    if let Some(issues) = doc.get("issues").and_then(Value::as_array) {
        for issue in issues {
            if let Err(e) = WireIssue::deserialize(issue) {
                let message = in_histories(issue.pointer("/changelog/histories"))
                    .unwrap_or_else(|| e.to_string());
                return WireError::Issue {
                    issue: label(issue, &["key", "id"]),
                    message,
                };
            }
        }
    }
    if let Some(logs) = doc.get("issueChangeLogs").and_then(Value::as_array) {
        for log in logs {
            if let Err(e) = WireIssueChangeLog::deserialize(log) {
                let message =
                    in_histories(log.get("changeHistories")).unwrap_or_else(|| e.to_string());
                return WireError::Issue {
                    issue: label(log, &["issueId"]),
                    message,
                };
            }
        }
    }
    if doc.get("fields").is_some() || doc.get("changelog").is_some() {
        let message = in_histories(doc.pointer("/changelog/histories"));
        if let Some(message) = message {
            return WireError::Issue {
                issue: label(&doc, &["key", "id"]),
                message,
            };
        }
    }
    if let Some(message) = in_histories(doc.get("values")) {
        return WireError::Shape(format!("changelog page: {message}"));
    }
    match doc {
        Value::Object(_) | Value::Array(_) => json_error(err),
        _ => WireError::Shape("expected a JSON object or list".into()),
    }
}
