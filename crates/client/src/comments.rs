//! Worklog comments as plain text, read from Jira's `POST /worklog/list` answer for a
//! timesheet's drill-down. Cloud's v3 API writes comments in the Atlassian Document Format
//! (ADF, a JSON tree), Data Center's v2 as text.
//!
//! The key decision: comments are flattened to text in the browser's worker and shown as text
//! (never as HTML), so nothing a comment holds can run in the page; they are never kept with
//! the report's data nor sent anywhere. Plain Rust over `serde_json::Value`, tested natively.

use serde::Deserialize;
use serde_json::Value;

use crate::api::body::Body;

/// One worklog of a `worklog/list` answer, as far as the drill-down reads it.
#[derive(Debug, Deserialize)]
struct Listed {
    id: Value,
    #[serde(default)]
    comment: Option<Value>,
}

/// `(worklog id, comment text)` for every worklog of a `worklog/list` answer that has a
/// comment. An answer that is not a list of worklogs is an error saying so.
pub fn from_worklog_list(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let listed: Vec<Listed> = serde_json::from_slice(body).map_err(|e| {
        format!(
            "Jira's list of worklogs could not be read: {}",
            Body::explain(body, &e)
        )
    })?;
    Ok(listed
        .into_iter()
        .filter_map(|w| {
            let id = match w.id {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            let text = plain_text(&w.comment?);
            (!text.is_empty()).then_some((id, text))
        })
        .collect())
}

/// A comment as text: a string as it is; an ADF document with its text nodes joined, blocks
/// (paragraphs, headings, list items, code) on lines of their own, hard breaks as line
/// breaks, and mentions, emoji, dates and links by their text.
pub fn plain_text(comment: &Value) -> String {
    match comment {
        Value::String(s) => s.trim().to_string(),
        Value::Object(_) => {
            let mut out = String::new();
            walk(comment, &mut out);
            out.lines()
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => String::new(),
    }
}

fn walk(node: &Value, out: &mut String) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |name: &str| {
        node.get("attrs")
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
    };
    match kind {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        "hardBreak" => out.push('\n'),
        "mention" => out.push_str(attr("text").unwrap_or("@someone")),
        "emoji" => out.push_str(attr("text").or(attr("shortName")).unwrap_or("")),
        "inlineCard" | "blockCard" | "embedCard" => out.push_str(attr("url").unwrap_or("")),
        "status" => out.push_str(attr("text").unwrap_or("")),
        "date" => out.push_str(attr("timestamp").unwrap_or("")),
        _ => {}
    }
    if let Some(children) = node.get("content").and_then(Value::as_array) {
        for (i, child) in children.iter().enumerate() {
            // Cells of a table row read as one line, separated.
            if kind == "tableRow" && i > 0 {
                out.push_str(" | ");
            }
            walk(child, out);
        }
    }
    if matches!(
        kind,
        "paragraph"
            | "heading"
            | "listItem"
            | "codeBlock"
            | "blockquote"
            | "panel"
            | "rule"
            | "tableRow"
            | "mediaSingle"
    ) {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn adf_documents_read_as_lines_of_text() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Done"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Paired with "},
                {"type": "mention", "attrs": {"id": "5b10", "text": "@Ada"}},
                {"type": "text", "text": " on it", "marks": [{"type": "strong"}]},
                {"type": "hardBreak"},
                {"type": "text", "text": "see "},
                {"type": "inlineCard", "attrs": {"url": "https://example.com/x"}},
                {"type": "emoji", "attrs": {"shortName": ":tada:", "text": "🎉"}}
            ]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}
            ]},
            {"type": "codeBlock", "content": [{"type": "text", "text": "<script>x</script>"}]}
        ]});
        assert_eq!(
            plain_text(&doc),
            "Done\nPaired with @Ada on it\nsee https://example.com/x🎉\none\ntwo\n<script>x</script>"
        );
    }

    #[test]
    fn a_worklog_list_gives_each_comment_by_id_in_either_api() {
        let body = json!([
            {"id": "10", "comment": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Tested the fix"}]}]}},
            {"id": 11, "comment": "Reviewed the spec  "},
            {"id": "12"},
            {"id": "13", "comment": {"type": "doc", "version": 1, "content": []}}
        ])
        .to_string();
        assert_eq!(
            from_worklog_list(body.as_bytes()).unwrap(),
            vec![
                ("10".to_string(), "Tested the fix".to_string()),
                ("11".to_string(), "Reviewed the spec".to_string()),
            ]
        );
        let e = from_worklog_list(br#"{"errorMessages": ["no"]}"#).unwrap_err();
        assert!(e.contains("could not be read"), "{e}");
    }
}
