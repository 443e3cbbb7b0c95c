//! What differs between two versions of a document, field by field, for the 409 screen: the
//! user sees their version and the server's side by side and loses nothing.

use serde_json::Value;

/// One field that differs. `None` means the field is absent on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// JSON path, e.g. `columns.fields[1]`.
    pub path: String,
    pub mine: Option<String>,
    pub theirs: Option<String>,
}

/// Every leaf that differs between `mine` and `theirs`, in document order (mine first, then
/// fields only theirs has).
pub fn differences(mine: &Value, theirs: &Value) -> Vec<Difference> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    flatten(mine, String::new(), &mut a);
    flatten(theirs, String::new(), &mut b);
    let mut out = Vec::new();
    for (path, value) in &a {
        let other = b.iter().find(|(p, _)| p == path).map(|(_, v)| v);
        if other != Some(value) {
            out.push(Difference {
                path: path.clone(),
                mine: Some(value.clone()),
                theirs: other.cloned(),
            });
        }
    }
    for (path, value) in &b {
        if !a.iter().any(|(p, _)| p == path) {
            out.push(Difference {
                path: path.clone(),
                mine: None,
                theirs: Some(value.clone()),
            });
        }
    }
    out
}

fn flatten(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, child, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{path}[{i}]"), out);
            }
        }
        Value::String(s) => out.push((path, s.clone())),
        other => out.push((path, other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_added_and_removed_fields_are_listed() {
        let mine =
            json!({"name": "Cycle", "jql": "project = A", "columns": {"fields": ["summary"]}});
        let theirs = json!({"name": "Cycle time", "jql": "project = A", "columns": {"fields": ["summary", "assignee"]}, "description": "x"});
        let d = differences(&mine, &theirs);
        assert_eq!(
            d,
            vec![
                Difference {
                    path: "name".into(),
                    mine: Some("Cycle".into()),
                    theirs: Some("Cycle time".into())
                },
                Difference {
                    path: "columns.fields[1]".into(),
                    mine: None,
                    theirs: Some("assignee".into())
                },
                Difference {
                    path: "description".into(),
                    mine: None,
                    theirs: Some("x".into())
                },
            ]
        );
        assert!(differences(&mine, &mine).is_empty());
    }
}
