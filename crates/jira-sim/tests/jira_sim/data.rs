//! The generated data: deterministic, and with the quirks of real sites the engine must handle
//! (a renamed status, one name under two ids, items without `fieldId`, reopen loops, issues
//! with hundreds of histories), read back through the API.

use std::collections::{BTreeSet, HashMap};

use jira_sim::{CANARY, Canary, DataSpec, Dataset, Flavor, SimConfig};
use serde_json::{Value, json};

use crate::support::*;

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = Dataset::generate(spec(300));
    let b = Dataset::generate(spec(300));
    let c = Dataset::generate(DataSpec {
        seed: 43,
        ..spec(300)
    });
    let fingerprint = |d: &Dataset| -> Vec<(String, i64, u32, String)> {
        d.issues
            .iter()
            .map(|i| (d.key(i), i.created_ms, i.histories, d.summary(i)))
            .collect()
    };
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_eq!(a.histories.len(), b.histories.len());
    assert_ne!(fingerprint(&a), fingerprint(&c));
}

#[test]
fn histories_are_ordered_and_consistent_with_the_issue() {
    let d = shared_data(2000);
    let end = d.spec.end.as_millisecond();
    let start = end - 365 * 86_400_000;
    for issue in &d.issues {
        assert!((start..end).contains(&issue.created_ms));
        let hs = d.histories_of(issue);
        assert!(hs.windows(2).all(|w| w[0].created_ms < w[1].created_ms));
        assert!(
            hs.iter()
                .all(|h| h.created_ms > issue.created_ms && h.created_ms < end)
        );
        // The last status change lands on the current status.
        let last_status = hs.iter().rev().find_map(|h| {
            d.items_of(h).iter().find_map(|c| match c {
                jira_sim::data::Change::Status { to, .. } => Some(*to),
                _ => None,
            })
        });
        if let Some(s) = last_status {
            assert_eq!(s, issue.status);
        }
        let done =
            d.site.statuses[usize::from(issue.status)].category == jira_sim::site::Category::Done;
        assert_eq!(
            done,
            issue.resolved_ms.is_some(),
            "resolved exactly when done"
        );
    }
    // Ids rise with creation time, and history ids with history time.
    assert!(
        d.issues
            .windows(2)
            .all(|w| w[0].created_ms <= w[1].created_ms && w[0].id < w[1].id)
    );
    let mut hs: Vec<_> = d.histories.iter().map(|h| (h.created_ms, h.id)).collect();
    hs.sort();
    assert!(hs.windows(2).all(|w| w[0].1 < w[1].1));
    let heavy = d.issues.iter().filter(|i| i.histories >= 150).count();
    assert!(
        heavy >= 2,
        "some issues have hundreds of histories ({heavy})"
    );
}

/// Every status item served for `sim`'s issues: `(id, name as written then)`.
fn status_items(sim: &jira_sim::RunningSim) -> (Vec<Value>, Vec<Value>) {
    let ids: Vec<String> = sim.data.issues.iter().map(|i| i.id.to_string()).collect();
    let mut items = Vec::new();
    let mut histories = Vec::new();
    for chunk in ids.chunks(1000) {
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"issueIdsOrKeys": chunk, "maxResults": 10000});
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let r = post(sim, "/rest/api/3/changelog/bulkfetch", &body);
            for log in r.json["issueChangeLogs"].as_array().unwrap() {
                for h in log["changeHistories"].as_array().unwrap() {
                    histories.push(h.clone());
                    items.extend(h["items"].as_array().unwrap().iter().cloned());
                }
            }
            match r.json["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
    }
    (items, histories)
}

#[test]
fn the_site_has_real_sites_quirks() {
    let sim = sim(2000, Flavor::Cloud);
    let statuses = get(&sim, "/rest/api/3/status").json;
    let mut by_name: HashMap<String, BTreeSet<String>> = HashMap::new();
    for s in statuses.as_array().unwrap() {
        by_name
            .entry(s["name"].as_str().unwrap().into())
            .or_default()
            .insert(s["id"].as_str().unwrap().into());
    }
    assert_eq!(
        by_name["To Do"].len(),
        2,
        "one name under two ids: {by_name:?}"
    );
    assert!(
        !by_name.contains_key("Code Review"),
        "/status shows the current name only"
    );
    let (items, histories) = status_items(&sim);
    let status: Vec<&Value> = items.iter().filter(|i| i["field"] == "status").collect();
    let review_names: BTreeSet<&str> = status
        .iter()
        .filter(|i| i["to"] == "10001")
        .map(|i| i["toString"].as_str().unwrap())
        .collect();
    assert_eq!(
        review_names,
        BTreeSet::from(["Code Review", "Review"]),
        "a status renamed during the data's history"
    );
    // Both ids named "To Do" occur in changelogs.
    let todo_ids: BTreeSet<&str> = status
        .iter()
        .filter(|i| i["fromString"] == "To Do")
        .map(|i| i["from"].as_str().unwrap())
        .collect();
    assert_eq!(todo_ids.len(), 2);
    // Old items have no fieldId; newer ones do.
    let without = items.iter().filter(|i| i.get("fieldId").is_none()).count();
    assert!(
        without > 50 && without < items.len() / 2,
        "{without} of {}",
        items.len()
    );
    // Reopen loops: Done to something else.
    assert!(status.iter().any(|i| i["fromString"] == "Done"));
    // Several items in one history (status with resolution or assignee).
    assert!(
        histories
            .iter()
            .any(|h| h["items"].as_array().unwrap().len() > 1)
    );
    for field in [
        "assignee",
        "priority",
        "labels",
        "resolution",
        "Story point estimate",
        "Rank",
    ] {
        assert!(
            items.iter().any(|i| i["field"] == field),
            "changes of {field}"
        );
    }
    // Dwell times in To Do spread over orders of magnitude (log-normal), not a constant.
    let d = &sim.data;
    let mut first_moves: Vec<i64> = d
        .issues
        .iter()
        .filter_map(|i| {
            d.histories_of(i)
                .iter()
                .find(|h| {
                    d.items_of(h)
                        .iter()
                        .any(|c| matches!(c, jira_sim::data::Change::Status { .. }))
                })
                .map(|h| h.created_ms - i.created_ms)
        })
        .collect();
    first_moves.sort();
    let (p10, p90) = (
        first_moves[first_moves.len() / 10],
        first_moves[first_moves.len() * 9 / 10],
    );
    assert!(p90 > 10 * p10, "p10 {p10} ms, p90 {p90} ms");
}

#[test]
fn canary_mode_marks_every_kind_of_content_with_its_own_marker() {
    let data = std::sync::Arc::new(Dataset::generate(DataSpec {
        canary: true,
        ..spec(40)
    }));
    let sim = jira_sim::RunningSim::start_with(SimConfig::default(), data).unwrap();
    let fields = json!([
        "summary",
        "description",
        "labels",
        "components",
        "assignee",
        "reporter",
        "creator",
        "status",
        "issuetype",
        "priority",
        "resolution",
        "project",
        "customfield_10030",
        "customfield_10031",
    ]);
    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": "created <= now()", "fields": fields, "expand": "changelog", "maxResults": 100}),
    );
    let issues = r.json["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 40, "one page holds them all");
    // Each value carries its own kind's marker and no other kind's.
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut check = |kind: Canary, value: &Value| {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        for other in Canary::ALL {
            assert_eq!(
                text.contains(other.marker()),
                other == kind,
                "{kind:?} {text:?} and the marker {}",
                other.marker()
            );
        }
        seen.insert(kind.marker());
    };
    for i in issues {
        let f = &i["fields"];
        check(Canary::Key, &i["key"]);
        check(Canary::Key, &f["project"]["key"]);
        check(Canary::Project, &f["project"]["name"]);
        check(Canary::Summary, &f["summary"]);
        check(Canary::Description, &f["description"]);
        check(Canary::Status, &f["status"]["name"]);
        check(Canary::IssueType, &f["issuetype"]["name"]);
        check(Canary::Priority, &f["priority"]["name"]);
        check(Canary::Person, &f["reporter"]["displayName"]);
        check(Canary::Person, &f["creator"]["displayName"]);
        check(Canary::TextField, &f["customfield_10030"]);
        check(Canary::Option, &f["customfield_10031"]["value"]);
        if !f["assignee"].is_null() {
            check(Canary::Person, &f["assignee"]["displayName"]);
        }
        if !f["resolution"].is_null() {
            check(Canary::Resolution, &f["resolution"]["name"]);
        }
        for l in f["labels"].as_array().unwrap() {
            check(Canary::Label, l);
        }
        for c in f["components"].as_array().unwrap() {
            check(Canary::Component, &c["name"]);
        }
        for h in i["changelog"]["histories"].as_array().unwrap() {
            check(Canary::Person, &h["author"]["displayName"]);
            for item in h["items"].as_array().unwrap() {
                let kind = match item["field"].as_str().unwrap() {
                    "status" => Canary::Status,
                    "assignee" => Canary::Person,
                    "priority" => Canary::Priority,
                    "resolution" => Canary::Resolution,
                    "labels" => Canary::Label,
                    _ => continue,
                };
                for end in ["fromString", "toString"] {
                    if item[end].as_str().is_some_and(|s| !s.is_empty()) {
                        check(kind, &item[end]);
                    }
                }
            }
        }
    }
    assert_eq!(
        seen.len(),
        Canary::ALL.len() - 1,
        "every kind but worklog comments (tested with worklogs) was served: {seen:?}"
    );
    for m in Canary::ALL.map(Canary::marker) {
        assert!(m.starts_with(CANARY), "{m} starts with the common prefix");
    }
    // Without canary mode no marker and no canary field appear anywhere.
    let plain = crate::support::sim(80, Flavor::Cloud);
    let r = post(
        &plain,
        "/rest/api/3/search/jql",
        &json!({"jql": "created <= now()", "fields": ["*all"], "expand": "changelog", "maxResults": 100}),
    );
    assert!(!r.text.contains(CANARY));
    let field_list = get(&plain, "/rest/api/3/field").text;
    assert!(!field_list.contains("customfield_10030") && !field_list.contains("customfield_10031"));
}
