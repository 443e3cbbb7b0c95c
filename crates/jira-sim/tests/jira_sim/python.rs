//! Third-party clients no one here wrote, run against the simulator: Python's `jira` library and
//! `atlassian-python-api` (installed by `cargo xtask test`'s setup step).

use std::path::Path;
use std::process::Command;

use jira_sim::{Flavor, RunningSim};
use serde_json::Value;

use crate::support::*;

const N: usize = 230;

fn run(script: &str, args: &[&str]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/jira_sim/python")
        .join(script);
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python}: {e}; install Python 3 (cargo xtask test does)")
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "the Python clients are missing: run `cargo xtask test --only setup` (or pip install jira atlassian-python-api)\n{stderr}"
    );
    assert!(out.status.success(), "{script} failed:\n{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn email(sim: &RunningSim) -> String {
    sim.data.site.users[0].email.clone()
}

#[test]
fn python_jira_pages_through_every_issue_with_changelogs() {
    let sim = sim(N, Flavor::Cloud);
    let r = run(
        "jira_enhanced_search.py",
        &[&sim.base_url, &email(&sim), "sim-token"],
    );
    assert_eq!(r["count"], N);
    assert_eq!(r["unique"], N);
    assert_eq!(r["with_status"], N);
    assert_eq!(r["approximate"], N);
    // Cloud's embedded changelog is truncated, and the library sees that it is.
    assert_eq!(r["max_histories"], 40);
    assert!(r["truncated"].as_u64().unwrap() > 0);
    assert!(sim.stats().by_route["GET /rest/api/2/search/jql"] >= (N / 50) as u64);
}

#[test]
fn atlassian_python_api_on_cloud_sees_every_issue_and_history() {
    let sim = sim(N, Flavor::Cloud);
    let r = run(
        "atlassian_cloud.py",
        &[&sim.base_url, &email(&sim), "sim-token"],
    );
    assert_eq!(r["count"], N);
    assert_eq!(r["unique"], N);
    assert_eq!(r["histories"], sim.data.histories.len());
}

#[test]
fn atlassian_python_api_on_data_center_sees_every_issue_and_history() {
    let sim = sim(N, Flavor::Dc);
    let r = run("atlassian_dc.py", &[&sim.base_url, "sim-token-ada"]);
    assert_eq!(r["count"], N);
    assert_eq!(r["unique"], N);
    assert_eq!(r["complete_changelogs"], N);
    assert_eq!(r["histories"], sim.data.histories.len());
}

/// The heaviest issue's key and the worklogs of it `login` may see, from the model.
fn heaviest_visible(
    sim: &RunningSim,
    login: &str,
) -> (String, Vec<jira_sim::data::worklog::Worklog>) {
    let data = &sim.data;
    let i = (0..data.issues.len())
        .max_by_key(|&i| data.worklogs.of(i).len())
        .unwrap();
    let u = data.site.user_by_login(login).unwrap() as u8;
    let visible = data
        .worklogs
        .of(i)
        .iter()
        .filter(|w| {
            jira_sim::data::worklog::visible(
                &data.site,
                &data.issues,
                w,
                jira_sim::data::worklog::Viewer::User(u),
            )
        })
        .copied()
        .collect();
    (data.key(&data.issues[i]), visible)
}

/// The issues with a worklog by `login` that `login` may see.
fn logged_by(sim: &RunningSim, login: &str) -> usize {
    let data = &sim.data;
    let u = data.site.user_by_login(login).unwrap() as u8;
    let issues: std::collections::HashSet<u32> = data
        .worklogs
        .all
        .iter()
        .filter(|w| {
            w.author == u
                && jira_sim::data::worklog::visible(
                    &data.site,
                    &data.issues,
                    w,
                    jira_sim::data::worklog::Viewer::User(u),
                )
        })
        .map(|w| w.issue)
        .collect();
    issues.len()
}

fn check_worklogs(sim: &RunningSim, r: &Value, login: &str) {
    let (_, visible) = heaviest_visible(sim, login);
    let ids: Vec<String> = visible.iter().map(|w| w.id.to_string()).collect();
    assert_eq!(r["ids"], serde_json::json!(ids));
    let seconds: u64 = visible.iter().map(|w| u64::from(w.seconds)).sum();
    assert_eq!(r["seconds"], seconds);
    assert_eq!(
        r["with_comment"],
        visible.iter().filter(|w| w.comment.is_some()).count()
    );
    assert!(r["authors"].as_array().unwrap().len() >= 3);
    assert_eq!(
        r["restricted"],
        visible.iter().filter(|w| w.restriction.is_some()).count()
    );
    assert_eq!(r["embedded_total"], visible.len());
    assert_eq!(r["embedded"], 20);
    assert_eq!(r["mine"], logged_by(sim, login));
}

#[test]
fn python_jira_reads_worklogs_on_cloud() {
    let sim = sim(N, Flavor::Cloud);
    let (key, _) = heaviest_visible(&sim, "ben");
    let email = sim.data.site.users[1].email.clone();
    let r = run(
        "jira_worklogs.py",
        &["cloud", &sim.base_url, &email, "sim-token", &key],
    );
    check_worklogs(&sim, &r, "ben");
    assert!(sim.stats().by_route["GET /rest/api/2/issue/{key}/worklog"] >= 1);
}

#[test]
fn python_jira_reads_worklogs_on_data_center() {
    let sim = sim(N, Flavor::Dc);
    let (key, _) = heaviest_visible(&sim, "ben");
    let r = run(
        "jira_worklogs.py",
        &["dc", &sim.base_url, "sim-token-ben", &key],
    );
    check_worklogs(&sim, &r, "ben");
}
