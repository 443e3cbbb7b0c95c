//! Worklog intake beyond the fixtures: which issues are partial, the caller's word that they
//! are complete, and worklogs that cannot be read.

use engine::{Completeness, Context, Dataset, WireError};
use jiff::Timestamp;
use serde_json::json;

fn page(total: u64, worklogs: serde_json::Value) -> Vec<u8> {
    json!({"isLast": true, "issues": [
        {"id": "1", "key": "DW-1", "fields": {"created": "2026-06-01T00:00:00.000+0000",
          "worklog": {"startAt": 0, "maxResults": 20, "total": total, "worklogs": worklogs}}}]})
    .to_string()
    .into_bytes()
}

fn one(id: &str, started: serde_json::Value, spent: serde_json::Value) -> serde_json::Value {
    json!({"id": id, "issueId": "1", "author": {"accountId": "a", "displayName": "A"},
           "started": started, "timeSpentSeconds": spent})
}

#[test]
fn an_issue_with_more_worklogs_than_its_field_holds_is_partial_until_marked_complete() {
    let mut data = Dataset::new();
    let w = one("1", json!("2026-06-01T10:00:00.000+0000"), json!(60));
    data.add_search_page(&page(21, json!([w]))).unwrap();
    let incomplete = data.incomplete_worklogs();
    assert_eq!(incomplete.len(), 1);
    assert_eq!(incomplete[0].0.label(), "DW-1");
    assert_eq!(
        incomplete[0].1,
        Completeness::Truncated {
            have: 1,
            total: Some(21)
        }
    );
    // The drill-down from a cell says so beside each of the issue's worklogs.
    let config = config::parse_report(
        r#"{"schemaVersion": 1, "name": "t", "kind": {"type": "timesheet",
            "dates": {"type": "fixed", "from": "2026-06-01", "to": "2026-06-01"},
            "timeZone": "UTC"}}"#,
    )
    .unwrap();
    let now: Timestamp = "2026-06-03T00:00:00Z".parse().unwrap();
    let partial = |data: &Dataset| -> Vec<bool> {
        engine::timesheet_worklogs(data, &config, &Context::new(now))
            .unwrap()
            .iter()
            .map(|w| w.partial)
            .collect()
    };
    assert_eq!(partial(&data), vec![true]);
    data.mark_worklogs_complete(&["DW-1"]);
    assert!(data.incomplete_worklogs().is_empty());
    assert_eq!(data.worklog_count(), 1);
    assert_eq!(partial(&data), vec![false]);
}

#[test]
fn a_worklog_without_start_or_with_negative_time_is_refused_naming_its_issue() {
    let mut data = Dataset::new();
    let no_start = one("7", serde_json::Value::Null, json!(60));
    let err = data
        .add_search_page(&page(1, json!([no_start])))
        .unwrap_err();
    assert_eq!(
        err,
        WireError::Issue {
            issue: "DW-1".into(),
            message: "worklog 7 has no `started`".into()
        }
    );
    let negative = one("8", json!("2026-06-01T10:00:00.000+0000"), json!(-60));
    let err = data
        .add_search_page(&page(1, json!([negative])))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("issue DW-1: worklog 8 has no valid `timeSpentSeconds`"),
        "{err}"
    );
}

#[test]
fn a_group_the_caller_did_not_resolve_is_a_configuration_error() {
    let data = Dataset::new();
    let config = config::parse_report(
        r#"{"schemaVersion": 1, "name": "t", "kind": {"type": "timesheet",
            "dates": {"type": "thisWeek"}, "timeZone": "UTC", "authors": {"groups": ["devs"]}}}"#,
    )
    .unwrap();
    let now: Timestamp = "2026-06-03T00:00:00Z".parse().unwrap();
    let err = engine::compute(&data, &config, &Context::new(now)).unwrap_err();
    assert_eq!(err, engine::ComputeError::UnresolvedGroup("devs".into()));
}

#[test]
fn a_group_read_from_jira_pages_names_members_who_logged_nothing() {
    // Office hours Mon-Fri 09:00-17:00 UTC; 1 and 2 June 2026 are a Monday and a Tuesday, so
    // capacity is 2 × 8 h = 57,600 s. Alice logged 1 h on Monday: 3600 / 57600 = 6.25 %, and
    // Tuesday is missing. Carol and Zoe, known only from the group's pages, logged nothing.
    let mut data = Dataset::new();
    let w = one("1", json!("2026-06-01T10:00:00.000+0000"), json!(3600));
    data.add_search_page(&page(1, json!([w]))).unwrap();
    let first = data
        .add_group_member_page(
            "devs",
            br#"{"startAt": 0, "maxResults": 2, "total": 3, "isLast": false, "values": [
                {"accountId": "a", "displayName": "Alice", "active": true},
                {"accountId": "acc-z", "displayName": "Zoe", "active": true}]}"#,
        )
        .unwrap();
    assert!(!first.is_last);
    let second = data
        .add_group_member_page(
            "devs",
            br#"{"startAt": 2, "maxResults": 2, "total": 3, "values": [
                {"accountId": "acc-c", "displayName": "Carol"}]}"#,
        )
        .unwrap();
    assert_eq!((second.members, second.is_last), (1, true));
    let config = config::parse_report(
        r#"{"schemaVersion": 1, "name": "c", "kind": {"type": "capacity",
            "dates": {"type": "fixed", "from": "2026-06-01", "to": "2026-06-02"},
            "timeZone": "UTC", "authors": {"groups": ["devs"]}},
            "calendar": {"type": "inline", "calendar": {"name": "office", "timeZone": "UTC",
              "week": {"mon": [{"start": "09:00", "end": "17:00"}],
                       "tue": [{"start": "09:00", "end": "17:00"}]}}}}"#,
    )
    .unwrap();
    let now: Timestamp = "2026-06-03T00:00:00Z".parse().unwrap();
    let report = engine::compute(&data, &config, &Context::new(now)).unwrap();
    let rows: Vec<(String, Vec<f64>)> = report
        .rows
        .iter()
        .map(|r| {
            let values = r.values.iter().map(|v| v.unwrap().as_f64()).collect();
            (r.label.clone(), values)
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Alice".to_owned(), vec![3600.0, 57600.0, 6.25, 1.0]),
            ("Carol".to_owned(), vec![0.0, 57600.0, 0.0, 2.0]),
            ("Zoe".to_owned(), vec![0.0, 57600.0, 0.0, 2.0]),
        ]
    );
}

/// The drill-down of the Berlin fixture (see its `why`): split by day, Bob's Sunday 29 March
/// holds #2 (01:30 CET, 2 h) and the first hour of #7 (23:00 CEST); the person × issue matrix's
/// DW-1 × Alice holds #1 (1 h) and #3 (20 min, started in +05:45).
#[test]
fn a_cells_worklogs_are_the_ones_it_counts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/timesheet-berlin.json");
    let fixture: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut data = Dataset::new();
    for input in fixture["inputs"].as_array().unwrap() {
        data.add_json(input.to_string().as_bytes()).unwrap();
    }
    let now: Timestamp = fixture["now"].as_str().unwrap().parse().unwrap();
    let run = |kind: serde_json::Value| {
        let config = config::parse_report(
            &json!({"schemaVersion": 1, "name": "d", "kind": kind}).to_string(),
        )
        .unwrap();
        engine::timesheet_worklogs(&data, &config, &Context::new(now)).unwrap()
    };
    let cell = |all: &[engine::CellWorklog], row: &str, column: &str| {
        let mut got: Vec<(String, f64)> = all
            .iter()
            .filter(|w| w.row == row && w.column == column)
            .map(|w| (w.worklog_id.clone().unwrap(), w.seconds))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        got
    };
    let split = run(
        json!({"type": "timesheet", "rows": "person", "columns": "day",
        "dates": {"type": "fixed", "from": "2026-03-27", "to": "2026-03-31"},
        "timeZone": "Europe/Berlin", "attribution": "splitByDay"}),
    );
    assert_eq!(
        cell(&split, "Bob", "2026-03-29"),
        vec![("2".to_owned(), 7200.0), ("7".to_owned(), 3600.0)]
    );
    assert_eq!(
        cell(&split, "Alice", "2026-03-28"),
        vec![("1".to_owned(), 1800.0)]
    );
    let matrix = run(
        json!({"type": "timesheet", "rows": "issue", "columns": "person",
        "dates": {"type": "fixed", "from": "2026-03-27", "to": "2026-03-31"},
        "timeZone": "Europe/Berlin"}),
    );
    assert_eq!(
        cell(&matrix, "DW-1", "Alice"),
        vec![("1".to_owned(), 3600.0), ("3".to_owned(), 1200.0)]
    );
    // Other kinds have no worklogs to list.
    let tis = config::ReportConfig::time_in_status("t", config::Jql::default());
    assert!(
        engine::timesheet_worklogs(&data, &tis, &Context::new(now))
            .unwrap()
            .is_empty()
    );
}

/// Regression: the drill-down matched a cell's worklogs to its row by the row's label, so two
/// people of one display name shared each other's worklogs. Rows and worklogs now carry the
/// author's account id, and a person column is named by its position.
#[test]
fn two_people_of_one_name_are_two_rows_and_two_columns() {
    let by = |id: &str| json!({"accountId": id, "displayName": "Sam Lee"});
    let log = |id: &str, who: &str, spent: u32| {
        json!({"id": id, "issueId": "1", "author": by(who),
               "started": "2026-06-01T10:00:00.000+0000", "timeSpentSeconds": spent})
    };
    let mut data = Dataset::new();
    data.add_search_page(&page(2, json!([log("1", "a", 60), log("2", "b", 120)])))
        .unwrap();
    let now: Timestamp = "2026-06-03T00:00:00Z".parse().unwrap();
    let run = |rows: &str, columns: &str| {
        let config = config::parse_report(
            &json!({"schemaVersion": 1, "name": "t", "kind": {"type": "timesheet",
                "rows": rows, "columns": columns,
                "dates": {"type": "fixed", "from": "2026-06-01", "to": "2026-06-01"},
                "timeZone": "UTC"}})
            .to_string(),
        )
        .unwrap();
        let ctx = Context::new(now);
        let report = engine::compute(&data, &config, &ctx).unwrap();
        let cells = engine::timesheet_worklogs(&data, &config, &ctx).unwrap();
        (report, cells)
    };

    let (report, cells) = run("person", "day");
    let rows: Vec<(&str, Option<&str>)> = report
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.key.as_deref()))
        .collect();
    assert_eq!(rows, [("Sam Lee", Some("a")), ("Sam Lee", Some("b"))]);
    let mut listed: Vec<(&str, &str, usize)> = cells
        .iter()
        .map(|w| {
            (
                w.row_key.as_str(),
                w.worklog_id.as_deref().unwrap(),
                w.column_index,
            )
        })
        .collect();
    listed.sort();
    assert_eq!(listed, [("a", "1", 0), ("b", "2", 0)]);

    let (report, cells) = run("issue", "person");
    let columns: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["Sam Lee", "Sam Lee", "Total"]);
    assert_eq!(report.rows[0].key.as_deref(), Some("DW-1"));
    // Each worklog sits in its own author's column: the column's value is its time.
    for w in &cells {
        assert_eq!(w.row_key, "DW-1");
        let value = report.rows[0].values[w.column_index].map(|n| n.as_f64());
        assert_eq!(value, Some(w.seconds), "worklog {:?}", w.worklog_id);
    }
    assert_ne!(cells[0].column_index, cells[1].column_index);
}

/// The bulk path lists every worklog of the site: those of issues the report did not load are
/// left out (no row without fields), and the loaded issue is complete once it holds its total.
#[test]
fn a_site_wide_list_keeps_only_the_worklogs_of_loaded_issues() {
    let mut data = Dataset::new();
    let first = one("1", json!("2026-06-01T10:00:00.000+0000"), json!(60));
    data.add_search_page(&page(2, json!([first]))).unwrap();
    let mut other = one("3", json!("2026-06-01T12:00:00.000+0000"), json!(60));
    other["issueId"] = json!("99");
    let list = json!([
        one("2", json!("2026-06-01T11:00:00.000+0000"), json!(120)),
        other
    ]);
    let info = data
        .add_worklog_list_of_loaded(list.to_string().as_bytes())
        .unwrap();
    assert_eq!(info.worklogs, 1);
    assert_eq!(data.issue_count(), 1, "issue 99 was not loaded");
    assert_eq!(data.worklog_count(), 2);
    assert!(data.incomplete_worklogs().is_empty());
    // The plain list adds what it names, loaded or not.
    data.add_worklog_list(list.to_string().as_bytes()).unwrap();
    assert_eq!(data.issue_count(), 2);
}
