//! The fetch planner and driver against the scripted Jira: request counts, ordering, retries,
//! cancellation and partial results.

use std::collections::HashSet;

use client::api::ClientError;
use client::api::jira::Flavour;
use client::cancel::Cancel;
use client::fetch::driver::Event;
use client::fetch::planner::WorklogWindow;
use client::fetch::{Delivery, FetchSpec, Outcome, Planner, Progress, run};
use serde_json::Value;

use crate::scripted::{Fault, ScriptedJira, Seen, SharedClock};

struct Ran {
    outcome: Outcome,
    /// Issues delivered in issue pages.
    issues: usize,
    /// Their ids, in delivery order.
    issue_ids: Vec<String>,
    /// Issue ids declared complete, in order.
    complete: Vec<String>,
    progress: Vec<Progress>,
    changelog_pages: usize,
}

fn spec(flavour: Flavour) -> FetchSpec {
    let config = client::view::templates::template("time-in-status", "UTC").unwrap();
    FetchSpec::for_report(flavour, &config)
}

fn drive(jira: &ScriptedJira, spec: FetchSpec, cancel: &Cancel) -> Ran {
    let mut planner = Planner::new(spec);
    let mut ran = Ran {
        outcome: Outcome::Complete,
        issues: 0,
        issue_ids: Vec::new(),
        complete: Vec::new(),
        progress: Vec::new(),
        changelog_pages: 0,
    };
    let clock = SharedClock(&jira.clock);
    let outcome = futures::executor::block_on(run(&mut planner, jira, &clock, cancel, |e| {
        match e {
            Event::Progress(p) => ran.progress.push(p),
            Event::Deliver(Delivery::Issues(body)) => {
                let v: Value = serde_json::from_slice(body.as_bytes()).unwrap();
                for issue in v["issues"].as_array().unwrap() {
                    ran.issues += 1;
                    ran.issue_ids
                        .push(issue["id"].as_str().unwrap_or_default().to_string());
                }
            }
            Event::Deliver(Delivery::Changelogs(_)) => ran.changelog_pages += 1,
            Event::Deliver(Delivery::ChangelogsComplete(ids)) => ran.complete.extend(ids),
            Event::Deliver(_) => {}
        }
        Ok(())
    }));
    ran.outcome = outcome;
    ran
}

fn check_all_issues(ran: &Ran, n: usize) {
    assert_eq!(ran.outcome, Outcome::Complete);
    assert_eq!(ran.issues, n, "every issue's fields arrive once");
    assert_eq!(ran.complete.len(), n, "every changelog completes once");
    let unique: HashSet<&String> = ran.complete.iter().collect();
    assert_eq!(unique.len(), n);
}

#[test]
fn ten_thousand_issues_cost_n_over_100_plus_n_over_1000_requests() {
    let jira = ScriptedJira::new(10_000, 4);
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    check_all_issues(&ran, 10_000);
    assert_eq!(jira.count("/search/jql"), 2, "5000 ids a page");
    assert_eq!(jira.count("/issue/bulkfetch"), 100, "100 issues a call");
    assert_eq!(
        jira.count("/changelog/bulkfetch"),
        10,
        "1000 issues a call, one page each"
    );
    assert_eq!(jira.count("/approximate-count"), 1);
    assert_eq!(jira.count("/status"), 1);
    assert_eq!(jira.seen.borrow().len(), 114);
    let last = ran.progress.last().unwrap();
    assert_eq!(last.stats.sent, 114);
    assert_eq!((last.total, last.total_is_exact), (Some(10_000), true));
    assert_eq!(last.fraction(), Some(1.0));
    assert!(
        ran.progress.iter().all(|p| p.in_flight <= 6),
        "never more than the concurrency limit in flight"
    );
}

#[test]
fn the_search_chain_goes_first_and_asks_only_for_what_the_report_needs() {
    let jira = ScriptedJira::new(12_000, 1);
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    check_all_issues(&ran, 12_000);
    let seen = jira.seen.borrow();
    assert!(
        seen[0].path.ends_with("/search/jql"),
        "the critical path starts first"
    );
    assert_eq!(seen[0].body["fields"], serde_json::json!(["id"]));
    assert_eq!(seen[0].body["maxResults"], 5000);
    let bulk = seen
        .iter()
        .find(|s| s.path.ends_with("/issue/bulkfetch"))
        .unwrap();
    assert_eq!(
        bulk.body["fields"],
        serde_json::json!([
            "status",
            "created",
            "updated",
            "resolutiondate",
            "issuetype"
        ])
    );
    let changelog = seen
        .iter()
        .find(|s| s.path.ends_with("/changelog/bulkfetch"))
        .unwrap();
    assert_eq!(changelog.body["fieldIds"], serde_json::json!(["status"]));
    // The second id page went out before the first page's 50 issue batches.
    let second_page = seen
        .iter()
        .position(|s| s.path.ends_with("/search/jql") && s.body.get("nextPageToken").is_some())
        .unwrap();
    let batches_before = seen[..second_page]
        .iter()
        .filter(|s| s.path.ends_with("/issue/bulkfetch"))
        .count();
    assert!(
        batches_before < 6,
        "{batches_before} batches jumped the queue"
    );
}

#[test]
fn changelog_pages_are_followed_and_completion_waits_for_the_last() {
    let mut jira = ScriptedJira::new(2500, 7);
    jira.changelog_cap = 2000;
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    check_all_issues(&ran, 2500);
    // Batches of 1000, 1000 and 500 issues hold 7000, 7000 and 3500 histories: 4 + 4 + 2 pages.
    assert_eq!(jira.count("/changelog/bulkfetch"), 10);
    assert_eq!(ran.changelog_pages, 10);
    let tokens = jira
        .seen
        .borrow()
        .iter()
        .filter(|s| s.path.ends_with("/changelog/bulkfetch"))
        .filter(|s| s.body.get("nextPageToken").is_some())
        .count();
    assert_eq!(
        tokens, 7,
        "every page after a batch's first carries the token"
    );
}

#[test]
fn a_rate_limit_pauses_every_request_until_retry_after_has_passed() {
    let jira = ScriptedJira::new(3000, 2).with_fault(Fault {
        path: "/issue/bulkfetch",
        body_contains: "",
        status: 429,
        body: "",
        retry_after: Some("10"),
        times: 2,
    });
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    check_all_issues(&ran, 3000);
    let seen = jira.seen.borrow();
    let first_429 = seen
        .iter()
        .find(|s| s.path.ends_with("/issue/bulkfetch"))
        .unwrap()
        .at;
    let sent_during_pause = seen
        .iter()
        .filter(|s| s.at > first_429 && s.at < first_429 + 10_000.0)
        .count();

    assert_eq!(
        sent_during_pause, 0,
        "nothing is sent while Jira asks to wait"
    );
    assert!(
        ran.progress
            .iter()
            .any(|p| p.rate_limit_wait_ms.is_some_and(|w| w > 9_000.0)),
        "the wait is shown"
    );
    assert_eq!(ran.progress.last().unwrap().stats.retries, 2);
}

#[test]
fn a_bad_query_fails_with_jiras_own_message() {
    let jira = ScriptedJira::new(10, 1).with_fault(Fault {
        path: "/search/jql",
        body_contains: "",
        status: 400,
        body: r#"{"errorMessages":["The value 'NOPE' does not exist for the field 'project'."],"errors":{}}"#,
        retry_after: None,
        times: 1,
    });
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    assert_eq!(
        ran.outcome,
        Outcome::Failed(ClientError::JiraQuery {
            messages: vec!["The value 'NOPE' does not exist for the field 'project'.".into()]
        })
    );
    assert_eq!(jira.count("/bulkfetch"), 0);
}

#[test]
fn an_expired_sign_in_stops_the_run() {
    let jira = ScriptedJira::new(3000, 1).with_fault(Fault {
        path: "/changelog/bulkfetch",
        body_contains: "",
        status: 401,
        body: "",
        retry_after: None,
        times: 99,
    });
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    assert_eq!(ran.outcome, Outcome::Failed(ClientError::JiraUnauthorized));
}

#[test]
fn forbidden_changelogs_give_a_partial_result_naming_the_permission() {
    let jira = ScriptedJira::new(1500, 1).with_fault(Fault {
        path: "/changelog/bulkfetch",
        body_contains: "",
        status: 403,
        body: r#"{"errorMessages":["You do not have permission"]}"#,
        retry_after: None,
        times: 1,
    });
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    let Outcome::Partial { reasons } = &ran.outcome else {
        panic!("expected a partial result, got {:?}", ran.outcome);
    };
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].contains("1000 issues"), "{reasons:?}");
    assert!(reasons[0].contains("Browse projects"), "{reasons:?}");
    assert_eq!(ran.issues, 1500, "the issues themselves all arrived");
    assert_eq!(ran.complete.len(), 500, "the other batch is complete");
}

#[test]
fn server_errors_are_retried_then_reported() {
    let jira = ScriptedJira::new(300, 1).with_fault(Fault {
        path: "/issue/bulkfetch",
        body_contains: "\"10000\"",
        status: 502,
        body: "<html>bad gateway</html>",
        retry_after: None,
        times: 4,
    });
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    let Outcome::Partial { reasons } = &ran.outcome else {
        panic!("expected a partial result, got {:?}", ran.outcome);
    };
    assert_eq!(
        reasons,
        &["100 issues could not be read (Jira failed reading issues (HTTP 502))"]
    );
    assert_eq!(ran.issues, 200);
}

#[test]
fn cancelling_stops_at_once_and_flags_the_result() {
    let cancel = Cancel::new();
    let mut jira = ScriptedJira::new(10_000, 1);
    jira.cancel_after = Some((20, cancel.clone()));
    let ran = drive(&jira, spec(Flavour::Cloud), &cancel);
    let Outcome::Partial { reasons } = &ran.outcome else {
        panic!("expected a partial result, got {:?}", ran.outcome);
    };
    assert!(
        reasons[0].starts_with("you cancelled the run"),
        "{reasons:?}"
    );
    assert_eq!(
        jira.seen.borrow().len(),
        20,
        "nothing is sent after the cancel"
    );
    assert!(ran.issues < 10_000);
}

#[test]
fn nothing_found_is_complete_after_one_page() {
    let jira = ScriptedJira::new(0, 0);
    let ran = drive(&jira, spec(Flavour::Cloud), &Cancel::new());
    check_all_issues(&ran, 0);
    assert_eq!(jira.seen.borrow().len(), 3, "ids page, count and statuses");
    assert_eq!(ran.progress.last().unwrap().fraction(), Some(1.0));
}

#[test]
fn data_center_reads_the_first_page_then_the_rest_in_parallel() {
    let mut jira = ScriptedJira::new(2500, 0);
    jira.dc_cap = 500;
    let ran = drive(&jira, spec(Flavour::DataCenter), &Cancel::new());
    assert_eq!(ran.outcome, Outcome::Complete);
    assert_eq!(ran.issues, 2500);
    let seen = jira.seen.borrow();
    let starts: Vec<u64> = seen
        .iter()
        .filter(|s| s.path == "/rest/api/2/search")
        .map(|s| s.body["startAt"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, vec![0, 500, 1000, 1500, 2000]);
    assert_eq!(seen[0].body["expand"], serde_json::json!(["changelog"]));
    assert_eq!(jira.count("/rest/api/2/status"), 1);
    assert_eq!(
        jira.count("/rest/api/3"),
        0,
        "no Cloud endpoint on Data Center"
    );
    let max_in_flight = ran.progress.iter().map(|p| p.in_flight).max().unwrap();
    assert!(
        max_in_flight >= 4,
        "the later pages go out together ({max_in_flight})"
    );
}

/// Past the result window the query is read by id range: every issue once, no page beyond
/// the window, and the ranges in parallel. Half the ids are 100 apart and half consecutive, so
/// some equal-width ranges hold far more than a window and must split again.
#[test]
fn data_center_reads_past_its_result_window_by_id_range() {
    for uneven in [false, true] {
        let mut jira = ScriptedJira::new(25_000, 0);
        jira.dc_uneven_ids = uneven;
        let ran = drive(&jira, spec(Flavour::DataCenter), &Cancel::new());
        assert_eq!(ran.outcome, Outcome::Complete, "uneven ids: {uneven}");
        let ids = &ran.issue_ids;
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), 25_000, "uneven ids: {uneven}: each issue once");
        assert_eq!(unique.len(), 25_000);
        let seen = jira.seen.borrow();
        let searches: Vec<&Seen> = seen
            .iter()
            .filter(|s| s.path == "/rest/api/2/search")
            .collect();
        assert!(
            searches
                .iter()
                .all(|s| s.body["startAt"].as_u64().unwrap() < 10_000),
            "no page starts past the window"
        );
        let probes = searches
            .iter()
            .filter(|s| s.body["maxResults"] == 1)
            .count();
        assert_eq!(probes, 2, "the span's two ends");
        // First page, two probes, 25 pages of 1000; uneven ids cost a few more first pages.
        let extra = searches.len() - 28;
        assert!(
            if uneven {
                (1..=12).contains(&extra)
            } else {
                extra == 0
            },
            "uneven ids: {uneven}: {} search pages",
            searches.len()
        );
        let max_in_flight = ran.progress.iter().map(|p| p.in_flight).max().unwrap();
        assert!(
            max_in_flight >= 6,
            "ranges go out together ({max_in_flight})"
        );
        let last = ran.progress.last().unwrap();
        assert_eq!(last.total, Some(25_000));
        assert_eq!(last.fraction(), Some(1.0));
    }
}

/// A timesheet run reads no change histories, and pages the worklogs of exactly the issues
/// that embed only some of theirs (every tenth here: 45 worklogs against Jira's 20), in the
/// report's window, following `total` when Jira serves fewer than asked.
#[test]
fn a_timesheet_pages_the_worklogs_of_issues_that_embed_only_some() {
    // The scripted worklogs carry no `created`: nothing says which the feed would cover, so
    // the plan pages each issue.
    let window = WorklogWindow {
        after_ms: 1_767_222_000_000,
        before_ms: 1_769_900_400_000,
        now_ms: Some(1_769_900_400_000),
    };
    for flavour in [Flavour::Cloud, Flavour::DataCenter] {
        let mut jira = ScriptedJira::new(1000, 0);
        jira.worklog_cap = 30;
        let mut spec = spec(flavour).for_worklogs(window);
        spec.fields.push("worklog".into());
        let mut worklog_pages: Vec<(String, u64)> = Vec::new();
        let mut bar: Vec<f64> = Vec::new();
        let mut planner = Planner::new(spec);
        let clock = SharedClock(&jira.clock);
        let outcome =
            futures::executor::block_on(run(&mut planner, &jira, &clock, &Cancel::new(), |e| {
                match e {
                    Event::Deliver(Delivery::Worklogs { issue, body }) => {
                        let v: Value = serde_json::from_slice(body.as_bytes()).unwrap();
                        worklog_pages.push((issue, v["startAt"].as_u64().unwrap()));
                    }
                    Event::Progress(p) => bar.extend(p.fraction()),
                    Event::Deliver(_) => {}
                }
                Ok(())
            }));
        assert_eq!(outcome, Outcome::Complete, "{flavour:?}");
        assert_eq!(jira.count("changelog"), 0, "{flavour:?}: no histories");
        let seen = jira.seen.borrow();
        assert!(
            seen.iter()
                .filter(|s| s.path == "/rest/api/2/search")
                .all(|s| s.body.get("expand").is_none()),
            "{flavour:?}: no expand=changelog"
        );
        let worklog_requests: Vec<&Seen> = seen
            .iter()
            .filter(|s| s.path.contains("/worklog?"))
            .collect();
        assert!(
            worklog_requests.iter().all(|s| s.path.contains(&format!(
                "startedAfter={}&startedBefore={}",
                window.after_ms, window.before_ms
            ))),
            "{flavour:?}: the window is asked for"
        );
        // 100 issues with 45 worklogs, 30 a page: two pages each, nothing for the others.
        assert_eq!(worklog_pages.len(), 200, "{flavour:?}");
        let issues: HashSet<&String> = worklog_pages.iter().map(|(i, _)| i).collect();
        assert_eq!(issues.len(), 100, "{flavour:?}");
        let starts: HashSet<u64> = worklog_pages.iter().map(|(_, s)| *s).collect();
        assert_eq!(starts, HashSet::from([0, 30]), "{flavour:?}");
        let last = planner.progress(jira.clock.now.get());
        assert_eq!(last.stats.worklog_pages, 200);
        assert_eq!(
            (last.stats.worklog_feed_pages, last.stats.worklog_lists),
            (0, 0)
        );
        assert_eq!(last.fraction(), Some(1.0), "{flavour:?}");
        assert_eq!(last.worklog_requests, 200, "{flavour:?}");
        // Regression: the bar counted issues only, and stood still while the worklogs came.
        let during = bar.iter().filter(|&&f| f > 0.5 && f < 1.0).count();
        assert!(
            during >= 50,
            "{flavour:?}: the bar moves while the worklogs are read ({during} steps)"
        );
        assert!(
            bar.windows(2).all(|w| w[0] <= w[1]),
            "{flavour:?}: the bar never goes back"
        );
    }
}

/// Regression: the page used to drop a document the worker could not take, and showed a
/// report missing its issues as if it were complete.
#[test]
fn a_document_that_cannot_be_passed_on_fails_the_run_and_stops_fetching() {
    let jira = ScriptedJira::new(10_000, 4);
    let lost = ClientError::Network {
        service: "Dwell's worker",
        detail: "a page of Jira's answer was lost: the worker stopped".into(),
    };
    let mut planner = Planner::new(spec(Flavour::Cloud));
    let clock = SharedClock(&jira.clock);
    let cancel = Cancel::new();
    let mut issue_pages = 0;
    let outcome =
        futures::executor::block_on(run(&mut planner, &jira, &clock, &cancel, |e| match e {
            Event::Deliver(Delivery::Issues(_)) => {
                issue_pages += 1;
                Err(lost.clone())
            }
            _ => Ok(()),
        }));
    assert_eq!(outcome, Outcome::Failed(lost));
    assert_eq!(issue_pages, 1, "nothing is delivered after the first loss");
    assert!(
        jira.seen.borrow().len() < 114,
        "the run stops asking Jira (a complete run sends 114 requests)"
    );
    assert!(cancel.is_cancelled(), "requests in flight are aborted");
}
