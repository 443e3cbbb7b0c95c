//! Validation problems keyed by JSON path, so each control shows the problems of its own part
//! of the document (`columns.fields[2]` under the extra-fields input).

use config::ValidationError;

/// Problems of one document, from the server's `ErrorBody.details` or the worker's check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(pub Vec<ValidationError>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Messages at `path` or below it (`columns` covers `columns.fields[0]`).
    pub fn under(&self, path: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| covers(path, &e.path))
            .map(|e| {
                if e.path == path || e.path.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.path, e.message)
                }
            })
            .collect()
    }

    /// Messages no control claims (none of `claimed` covers them).
    pub fn unclaimed(&self, claimed: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| !claimed.iter().any(|c| covers(c, &e.path)))
            .map(problem_line)
            .collect()
    }
}

/// One problem as a line: `path: message`, or the message alone for the whole document.
pub fn problem_line(e: &ValidationError) -> String {
    if e.path.is_empty() {
        e.message.clone()
    } else {
        format!("{}: {}", e.path, e.message)
    }
}

/// Whether `prefix` is `path` or an ancestor of it.
fn covers(prefix: &str, path: &str) -> bool {
    path == prefix
        || (path.starts_with(prefix)
            && matches!(path.as_bytes().get(prefix.len()), Some(b'.' | b'[')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, message: &str) -> ValidationError {
        ValidationError {
            path: path.into(),
            message: message.into(),
        }
    }

    #[test]
    fn problems_go_to_the_control_that_owns_their_path() {
        let errors = FieldErrors(vec![
            e("name", "must be 1 to 200 characters, got 0"),
            e("columns.fields[1]", "invalid field id"),
            e("columnsX", "unknown field"),
            e("", "a per-day report covers at most ten years"),
        ]);
        assert_eq!(
            errors.under("name"),
            vec!["must be 1 to 200 characters, got 0"]
        );
        assert_eq!(
            errors.under("columns"),
            vec!["columns.fields[1]: invalid field id"]
        );
        assert_eq!(
            errors.unclaimed(&["name", "columns"]),
            vec![
                "columnsX: unknown field".to_string(),
                "a per-day report covers at most ten years".to_string()
            ]
        );
    }
}
