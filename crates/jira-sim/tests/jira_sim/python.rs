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
