//! Malformed input is refused with a message that names the issue and history at fault, and
//! loses nothing already loaded.

use engine::{Dataset, WireError};

#[test]
fn bad_timestamp_names_issue_and_history() {
    let page = br#"{"issues": [
        {"id": "1", "key": "DW-1", "fields": {"created": "2026-06-01T00:00:00.000+0000"}},
        {"id": "2", "key": "DW-2", "fields": {"created": "2026-06-01T00:00:00.000+0000"},
         "changelog": {"startAt": 0, "total": 1, "histories": [
           {"id": "77", "created": "yesterday", "items": [{"field": "status", "from": "1", "to": "2"}]}]}}]}"#;
    let mut data = Dataset::new();
    let err = data.add_search_page(page).unwrap_err();
    let WireError::Issue { issue, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(issue, "DW-2");
    assert!(message.contains("history 77"), "{message}");
    assert!(
        message.contains("invalid timestamp \"yesterday\""),
        "{message}"
    );
}

#[test]
fn bad_created_names_the_issue() {
    let page = br#"{"issues": [{"id": "9", "key": "DW-9", "fields": {"created": "2026-02-30T00:00:00.000+0000"}}]}"#;
    let err = Dataset::new().add_search_page(page).unwrap_err();
    assert!(
        err.to_string().starts_with("issue DW-9: invalid timestamp"),
        "{err}"
    );
}

#[test]
fn bulk_page_errors_name_the_issue_id() {
    let page = br#"{"issueChangeLogs": [{"issueId": "10100", "changeHistories": [{"id": "5", "created": true, "items": []}]}]}"#;
    let err = Dataset::new().add_bulk_changelog_page(page).unwrap_err();
    assert!(
        err.to_string().starts_with("issue 10100: history 5"),
        "{err}"
    );
}

#[test]
fn not_json_says_where() {
    let err = Dataset::new().add_json(b"{\"issues\": [").unwrap_err();
    assert!(matches!(err, WireError::Json { line: 1, .. }), "{err:?}");
    let err = Dataset::new().add_json(b"42").unwrap_err();
    assert!(matches!(err, WireError::Shape(_)), "{err:?}");
}

#[test]
fn a_failed_page_keeps_what_was_loaded() {
    let mut data = Dataset::new();
    data.add_search_page(br#"{"issues": [{"id": "1", "key": "DW-1", "fields": {"created": "2026-06-01T00:00:00.000+0000"}}]}"#)
        .unwrap();
    assert!(data.add_search_page(b"not json").is_err());
    assert_eq!(data.issue_count(), 1);
}

#[test]
fn wrong_call_for_the_shape() {
    let err = Dataset::new()
        .add_bulk_changelog_page(br#"{"issues": []}"#)
        .unwrap_err();
    assert!(err.to_string().contains("issueChangeLogs"), "{err}");
}

#[test]
fn timestamps_beyond_year_9999_are_refused() {
    let page = br#"{"issueChangeLogs": [{"issueId": "1", "changeHistories": [{"id": "5", "created": 99999999999999999, "items": [{"field": "status", "from": "1", "to": "2"}]}]}]}"#;
    let err = Dataset::new().add_bulk_changelog_page(page).unwrap_err();
    assert!(err.to_string().contains("invalid timestamp"), "{err}");
}
