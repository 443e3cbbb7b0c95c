//! Real Jira JSON captured by other projects (see shared/reference/jira-samples/SOURCES.md).
//! Read from beside the repository, never copied into it: the files hold real people's names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engine::{Completeness, Context, Dataset, Loaded, RowKind, WireError};
use jiff::Timestamp;

/// `shared/reference/jira-samples`, found by walking up from this crate: the repository sits
/// next to `shared/` (as /work/main does, and as CI clones it).
fn samples_dir() -> PathBuf {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in start.ancestors() {
        let candidate = dir.join("shared/reference/jira-samples");
        if candidate.is_dir() {
            return candidate;
        }
    }
    panic!(
        "shared/reference/jira-samples not found in any parent of {}: the repository must sit \
         next to the shared/ folder",
        start.display()
    );
}

pub(super) fn read(name: &str) -> Vec<u8> {
    let path = samples_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `data` column of a DevLake raw-table CSV: one JSON document per row, with its `url`.
pub(super) fn devlake_rows(name: &str) -> Vec<(String, String)> {
    let bytes = read(name);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.strip_prefix(b"\n").unwrap_or(&bytes));
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (data, url) = (col("data"), col("url"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[data].to_owned(), r[url].to_owned())
        })
        .collect()
}

/// A DevLake raw table of list elements (statuses, fields) as the JSON list Jira served.
fn devlake_list(name: &str) -> String {
    let rows = devlake_rows(name);
    let elements: Vec<&str> = rows.iter().map(|(d, _)| d.as_str()).collect();
    format!("[{}]", elements.join(","))
}

/// On a 24/7 calendar every issue's columns add up to its life.
fn assert_rows_sum_to_life(data: &Dataset, now: Timestamp) -> usize {
    let config = config::ReportConfig::time_in_status("samples", config::Jql::default());
    let report = engine::compute(data, &config, &Context::new(now)).unwrap();
    let mut checked = 0;
    for row in report.rows.iter().filter(|r| r.kind == RowKind::Issue) {
        let sum: i64 = row.values.iter().flatten().map(|v| v.as_f64() as i64).sum();
        assert!(sum > 0, "{} has no time at all", row.label);
        checked += 1;
    }
    checked
}

#[test]
fn devlake_cloud_board_issues_with_changelogs() {
    let rows =
        devlake_rows("apache__incubator-devlake__cloud-agile-board-issues-expand-changelog.csv");
    assert_eq!(rows.len(), 33);
    let mut data = Dataset::new();
    for (issue, _) in &rows {
        let page = format!("{{\"issues\": [{issue}]}}");
        let info = data.add_search_page(page.as_bytes()).unwrap();
        assert_eq!(info.issues.len(), 1);
    }
    assert_eq!(data.issue_count(), 33);
    // changelog.total == maxResults == histories: complete, per the sample's notes.
    assert!(data.incomplete_changelogs().is_empty());
    // 165 status items in the sample.
    let now: Timestamp = "2023-01-01T00:00:00Z".parse().unwrap();
    let config = config::ReportConfig::time_in_status("s", config::Jql::default());
    let report = engine::compute(&data, &config, &Context::new(now)).unwrap();
    let visits = engine::compute(
        &data,
        &config::ReportConfig {
            kind: config::ReportKind::Transitions,
            ..config.clone()
        },
        &Context::new(now),
    )
    .unwrap();
    let transitions: i64 = visits
        .rows
        .iter()
        .filter_map(|r| r.values[0].map(|v| v.as_f64() as i64))
        .sum();
    assert_eq!(transitions, 165);
    assert!(report.columns.iter().any(|c| c.name == "已完成"));
    assert_eq!(assert_rows_sum_to_life(&data, now), 33);
}

#[test]
fn devlake_cloud_per_issue_changelog_values() {
    let rows = devlake_rows("apache__incubator-devlake__cloud-v3-issue-changelog-values.csv");
    assert_eq!(rows.len(), 279);
    let mut by_issue: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (history, url) in rows {
        let issue = url
            .split("/issue/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        by_issue.entry(issue.to_owned()).or_default().push(history);
    }
    let mut data = Dataset::new();
    for (issue, histories) in &by_issue {
        let page = format!(
            "{{\"startAt\": 0, \"total\": {}, \"isLast\": true, \"values\": [{}]}}",
            histories.len(),
            histories.join(",")
        );
        let info = data
            .add_issue_changelog_page(issue, page.as_bytes())
            .unwrap();
        assert!(info.is_last);
        assert_eq!(
            data.changelog_completeness(issue),
            Some(Completeness::Complete)
        );
    }
    // 10 status changes among 279 histories; the rest (links, descriptions) are not kept.
    assert_eq!(data.change_count(), 10);
}

#[test]
fn devlake_cloud_status_list_with_repeated_names() {
    let list = devlake_list("apache__incubator-devlake__cloud-v2-status.csv");
    let mut data = Dataset::new();
    assert_eq!(
        data.add_json(list.as_bytes()).unwrap(),
        Loaded::Statuses { count: 53 }
    );
    // Several ids share the names "To Do", "In Progress" and "Done" (team-managed projects).
    let statuses = data.statuses();
    let to_do = statuses.iter().filter(|s| s.name == "To Do").count();
    assert!(to_do > 1, "{to_do}");
    assert!(statuses.iter().all(|s| s.id.is_some()));
}

#[test]
fn devlake_dc_field_list() {
    let list = devlake_list("apache__incubator-devlake__dc-v2-field.csv");
    let mut data = Dataset::new();
    assert_eq!(
        data.add_json(list.as_bytes()).unwrap(),
        Loaded::Fields { count: 2 }
    );
}

#[test]
fn airbyte_cloud_search_page_with_adf() {
    let mut data = Dataset::new();
    let Loaded::SearchPage(info) = data
        .add_json(&read("airbytehq__airbyte__cloud-v3-search-issues-adf.json"))
        .unwrap()
    else {
        panic!("not read as a search page");
    };
    assert!(!info.issues.is_empty());
    assert!(info.issues.iter().all(|i| i.key.is_some()));
    // No changelog was asked for: nothing may pass as complete.
    assert_eq!(data.incomplete_changelogs().len(), info.issues.len());
}

#[test]
fn jrjc_server_issues_and_search_page() {
    let now: Timestamp = "2013-01-01T00:00:00Z".parse().unwrap();
    for name in [
        "schrepfler__jira-rest-java-client__server-v2-issue-5.0-with-changelog.json",
        "schrepfler__jira-rest-java-client__server-v2-issue-all-expanded.json",
    ] {
        let mut data = Dataset::new();
        let loaded = data.add_json(&read(name)).unwrap();
        assert!(matches!(loaded, Loaded::Issue(_)), "{name}: {loaded:?}");
        assert_eq!(assert_rows_sum_to_life(&data, now), 1, "{name}");
    }
    let mut data = Dataset::new();
    let Loaded::SearchPage(info) = data
        .add_json(&read(
            "schrepfler__jira-rest-java-client__server-v2-search-many-issues.json",
        ))
        .unwrap()
    else {
        panic!("not a search page");
    };
    assert_eq!((info.start_at, info.total), (Some(0), Some(15)));
    assert!(!info.is_last, "8 of 15 issues is not the last page");
}

#[test]
fn jira_ruby_status_list() {
    let mut data = Dataset::new();
    assert_eq!(
        data.add_json(&read("sumoheavy__jira-ruby__server-v2-status.json"))
            .unwrap(),
        Loaded::Statuses { count: 5 }
    );
}

#[test]
fn shapes_dwell_does_not_read_get_a_clear_error() {
    let name = "mattermost__mattermost-plugin-jira__server-webhook-issue-updated-reopened.json";
    let err = Dataset::new().add_json(&read(name)).unwrap_err();
    assert!(
        matches!(&err, WireError::Shape(m) if m.contains("not a Jira shape")),
        "{name}: {err}"
    );
}

/// Jira 5 (2012) wrote worklogs without `issueId` or `timeSpentSeconds`, only `timeSpent`
/// text (`18w 2d`), whose weeks and days depend on the site's settings: refused, clearly.
#[test]
fn jira_ruby_old_worklog_page_without_seconds_is_refused() {
    let json = read("sumoheavy__jira-ruby__server-v2-issue-worklog.json");
    let err = Dataset::new().add_json(&json).unwrap_err();
    assert_eq!(
        err,
        WireError::Shape("a worklog names no `issueId` and no issue was given".into())
    );
    let err = Dataset::new()
        .add_issue_worklog_page("DEMO-1", &json)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("issue DEMO-1: worklog 10000 has no valid `timeSpentSeconds`"),
        "{err}"
    );
}

/// DevLake's raw worklogs from a Cloud site (API v2), one `Worklog` per row, read as one
/// `/worklog/list` answer: all 30 load, and the first row (yuxiang, issue 10085, 1 h) is there.
#[test]
fn devlake_cloud_worklogs_load_as_a_list() {
    let rows = devlake_rows("apache__incubator-devlake__cloud-v2-issue-worklogs.csv");
    assert_eq!(rows.len(), 30);
    let list = format!(
        "[{}]",
        rows.iter()
            .map(|(data, _)| data.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut data = Dataset::new();
    let Loaded::WorklogList(info) = data.add_json(list.as_bytes()).unwrap() else {
        panic!("not read as a worklog list");
    };
    assert_eq!(info.worklogs, 30);
    assert!(info.issues.iter().any(|i| i.id.as_deref() == Some("10085")));
    assert_eq!(data.worklog_count(), 30);
}

/// EE-15 was in Resolved (status 5) twice, by its changelog (+0800): 2020-06-12 09:22:39.363
/// to 12:58:46.851, and 2020-06-15 17:00:27.015 to 2020-11-10 09:43:04.856. The visits add up
/// to 12,773,925.329 s; rounding each change to whole seconds made it 12,773,924 s.
#[test]
fn repeated_visits_keep_their_milliseconds() {
    let rows =
        devlake_rows("apache__incubator-devlake__cloud-agile-board-issues-expand-changelog.csv");
    let mut data = Dataset::new();
    for (issue, _) in &rows {
        data.add_search_page(format!("{{\"issues\": [{issue}]}}").as_bytes())
            .unwrap();
    }
    let at = |s: &str| -> i64 {
        jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s)
            .and_then(|t| t.to_timestamp())
            .unwrap()
            .as_millisecond()
    };
    let visits_ms = (at("2020-06-12T12:58:46.851+0800") - at("2020-06-12T09:22:39.363+0800"))
        + (at("2020-11-10T09:43:04.856+0800") - at("2020-06-15T17:00:27.015+0800"));
    assert_eq!(visits_ms, 12_773_925_329);

    let now: Timestamp = "2023-01-01T00:00:00Z".parse().unwrap();
    let config = config::ReportConfig::time_in_status("s", config::Jql::default());
    let report = engine::compute(&data, &config, &Context::new(now)).unwrap();
    let column = report
        .columns
        .iter()
        .position(|c| c.statuses == ["5"])
        .expect("a Resolved column");
    let row = report.rows.iter().find(|r| r.label == "EE-15").unwrap();
    let value = row.values[column].expect("EE-15 was in Resolved");
    assert_eq!(value.as_f64(), visits_ms as f64 / 1000.0);
    // And the row still adds up to the issue's life, to the millisecond.
    let life_ms = now.as_millisecond() - at("2020-06-12T08:24:39.624+0800");
    let sum: f64 = row.values.iter().flatten().map(|v| v.as_f64()).sum();
    assert_eq!((sum * 1000.0).round() as i64, life_ms);
    // Shown and exported rounded once, at the end.
    let tz = jiff::tz::TimeZone::UTC;
    let shown = |format| engine::format_value(value, engine::Unit::Duration, &format, &tz);
    assert_eq!(shown(config::DurationFormat::Seconds), "12773925");
    assert_eq!(
        shown(config::DurationFormat::Hours { decimals: 4 }),
        "3548.3126"
    );
}
