//! `dwell report` on jira-sim's dumps with worklogs: the simulator and the engine share no
//! code, so each checks the other's reading of Jira's worklog shapes.

use std::collections::HashMap;
use std::path::Path;

use jira_sim::Flavor;
use serde_json::Value;

use super::{run, scratch, sim_dump};

/// Seconds logged per author (account id or user name) over every worklog in the dump's
/// files, each id counted once: read here from the raw JSON, not by the engine.
fn logged_in_files(dir: &Path) -> (HashMap<String, i64>, usize) {
    let mut seen = HashMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let v: Value =
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        let mut lists: Vec<&Value> = Vec::new();
        if let Some(issues) = v.get("issues").and_then(Value::as_array) {
            lists.extend(
                issues
                    .iter()
                    .filter_map(|i| i.pointer("/fields/worklog/worklogs")),
            );
        }
        lists.extend(v.get("worklogs"));
        for w in lists.iter().filter_map(|l| l.as_array()).flatten() {
            let author = w["author"]
                .get("accountId")
                .or(w["author"].get("name"))
                .and_then(Value::as_str)
                .unwrap()
                .to_owned();
            let id = w["id"].as_str().unwrap().to_owned();
            seen.insert(id, (author, w["timeSpentSeconds"].as_i64().unwrap()));
        }
    }
    let mut per_author: HashMap<String, i64> = HashMap::new();
    for (author, seconds) in seen.values() {
        *per_author.entry(author.clone()).or_default() += seconds;
    }
    (per_author, seen.len())
}

#[test]
fn a_timesheet_of_a_jira_sim_dump_sums_every_worklog_the_same_on_cloud_and_data_center() {
    let dir = scratch("sim-timesheet");
    let config = dir.join("timesheet.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "All", "kind": {"type": "timesheet",
            "rows": "person", "columns": "total", "timeZone": "UTC",
            "dates": {"type": "fixed", "from": "2024-01-01", "to": "2027-12-31"}},
            "durationFormat": {"type": "seconds"}, "aggregation": {"functions": [{"type": "sum"}]}}"#,
    )
    .unwrap();
    let mut outputs = Vec::new();
    for flavor in [Flavor::Cloud, Flavor::Dc] {
        let data = dir.join(format!("{flavor:?}"));
        sim_dump(&data, flavor, 150, 3, true);
        let (per_author, worklogs) = logged_in_files(&data);
        assert!(worklogs > 100, "{flavor:?}: only {worklogs} worklogs");
        let out = run(vec![
            "report".into(),
            "--config".into(),
            config.display().to_string(),
            "--now".into(),
            "2026-11-01T00:00:00Z".into(),
            "--format".into(),
            "json".into(),
            "--input".into(),
            data.display().to_string(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The dump's pages hold every worklog the field announces: nothing partial.
        assert_eq!(out.status.code(), Some(0), "{flavor:?}: {stderr}");
        let report: engine::Report = serde_json::from_slice(&out.stdout).unwrap();
        let total: f64 = report.totals[0].values[0].unwrap().as_f64();
        assert_eq!(
            total,
            per_author.values().sum::<i64>() as f64,
            "{flavor:?}: the report's total is every worklog in the files"
        );
        let mut rows: Vec<f64> = report
            .rows
            .iter()
            .map(|r| r.values[0].unwrap().as_f64())
            .collect();
        let mut want: Vec<f64> = per_author.values().map(|&s| s as f64).collect();
        rows.sort_by(f64::total_cmp);
        want.sort_by(f64::total_cmp);
        assert_eq!(rows, want, "{flavor:?}: one row per author with their time");
        outputs.push(
            report
                .rows
                .iter()
                .map(|r| (r.label.clone(), r.values.clone()))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(outputs[0], outputs[1], "Cloud and Data Center agree");
    // The dumps are megabytes: leave no copy behind on a shared disk.
    std::fs::remove_dir_all(&dir).unwrap();
}
