//! `dwell` as scripts use it: the real binary, real files, exit codes and messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jira_sim::Flavor;
use jira_sim::data::DataSpec;
use jira_sim::dump::{DumpSpec, dump};
use serde_json::Value;

mod sim;
mod streaming;

/// A fresh directory under the system temp dir for one test, removed when the test ends
/// (also when it fails).
struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

fn scratch(name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("dwell-cli-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

/// Writes the inputs of an engine fixture as files, one per page, and returns them.
fn fixture_inputs(name: &str, dir: &Path) -> (Vec<PathBuf>, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures")
        .join(name);
    let fixture: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let files = fixture["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let f = dir.join(format!("page-{i}.json"));
            std::fs::write(&f, serde_json::to_vec(input).unwrap()).unwrap();
            f
        })
        .collect();
    (files, fixture)
}

fn dwell(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwell"))
        .args(args)
        .output()
        .unwrap()
}

fn inputs(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .flat_map(|f| ["--input".to_owned(), f.display().to_string()])
        .collect()
}

fn run(args: Vec<String>) -> Output {
    dwell(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// What a run that must succeed wrote: fails the test with the run's stderr unless it exited 0.
#[track_caller]
fn succeeded(out: Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// A jira-sim dump of `issues` generated issues (from `seed`) in `dir`, as `flavor` serves
/// them: 50 issues a search page, 100 changes a changelog page, worklogs when asked.
fn sim_dump(
    dir: &Path,
    flavor: Flavor,
    issues: usize,
    seed: u64,
    worklogs: bool,
) -> jira_sim::dump::DumpSummary {
    let spec = DumpSpec {
        data: DataSpec {
            issues,
            seed,
            ..DataSpec::default()
        },
        flavor,
        page_size: 50,
        changelog_page_size: 100,
        base_url: "https://sim.example".into(),
        user: "ada".into(),
        worklogs,
    };
    dump(&spec, dir).unwrap()
}

#[test]
fn time_in_status_prints_the_csv_the_issue_specifies() {
    let dir = scratch("tis");
    let (files, fixture) = fixture_inputs("bulk-pages-and-clamping.json", &dir);
    let mut args = vec!["time-in-status".to_owned()];
    args.extend(inputs(&files));
    args.extend(
        [
            "--now",
            fixture["now"].as_str().unwrap(),
            "--format",
            "csv",
            "--unit",
            "seconds",
        ]
        .map(String::from),
    );
    let out = run(args);
    assert_eq!(
        succeeded(out),
        "Key,To Do,In Progress,Done\nDW-3,0,7200,7200\nDW-4,3600,10800,\nDW-5,14400,,\n"
    );
}

#[test]
fn one_input_option_takes_a_shell_glob() {
    let dir = scratch("glob");
    let (files, fixture) = fixture_inputs("bulk-pages-and-clamping.json", &dir);
    let mut args = vec!["time-in-status".to_owned(), "--input".to_owned()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend([
        "--now".to_owned(),
        fixture["now"].as_str().unwrap().to_owned(),
    ]);
    let out = run(args);
    assert!(succeeded(out).ends_with("DW-5,14400,,\n"));
}

#[test]
fn a_directory_is_its_json_files() {
    let dir = scratch("dir");
    let (_, fixture) = fixture_inputs("bulk-pages-and-clamping.json", &dir);
    let out = dwell(&[
        "time-in-status",
        "--input",
        dir.to_str().unwrap(),
        "--now",
        fixture["now"].as_str().unwrap(),
        "--unit",
        "hours",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Key,To Do,In Progress,Done\nDW-3,0.00,2.00,2.00\nDW-4,1.00,3.00,\nDW-5,4.00,,\n"
    );
}

#[test]
fn partial_changelogs_exit_6_unless_allowed() {
    let dir = scratch("partial");
    let (files, fixture) = fixture_inputs("truncated-and-missing.json", &dir);
    let mut args = vec!["time-in-status".to_owned()];
    args.extend(inputs(&files));
    args.extend([
        "--now".to_owned(),
        fixture["now"].as_str().unwrap().to_owned(),
    ]);
    let out = run(args.clone());
    assert_eq!(out.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("only part of their changelog") && stderr.contains("DW-6"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no changelog") && stderr.contains("DW-7"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Key,"),
        "the report is still written"
    );
    args.push("--allow-partial".into());
    assert_eq!(run(args).status.code(), Some(0));
}

#[test]
fn a_bad_file_exits_3_naming_file_and_issue() {
    let dir = scratch("bad");
    let bad = dir.join("broken.json");
    std::fs::write(
        &bad,
        r#"{"issues": [{"id": "1", "key": "DW-1", "fields": {"created": "2026-06-01T00:00:00.000+0000"},
            "changelog": {"total": 1, "histories": [{"id": "9", "created": "soon", "items": []}]}}]}"#,
    )
    .unwrap();
    let out = dwell(&[
        "time-in-status",
        "--input",
        bad.to_str().unwrap(),
        "--now",
        "2026-06-02T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert!(
        stderr.contains("issue DW-1: history 9: invalid timestamp \"soon\""),
        "{stderr}"
    );

    let missing = dir.join("nope.json");
    let out = dwell(&["time-in-status", "--input", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn report_runs_a_saved_configuration_with_a_saved_calendar() {
    let dir = scratch("report");
    let (files, fixture) = fixture_inputs("business-calendar-dst.json", &dir);
    let cal = dir.join("berlin.json");
    std::fs::write(&cal, fixture["calendar"].to_string()).unwrap();
    let config = dir.join("report.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "Berlin", "kind": {"type": "timeInStatus"},
            "calendar": {"type": "saved", "id": "berlin"},
            "durationFormat": {"type": "businessDays", "hoursPerDay": 7, "decimals": 2},
            "aggregation": {"functions": []}}"#,
    )
    .unwrap();
    let base = |format: &str| {
        let mut a = vec![
            "report".to_owned(),
            "--config".into(),
            config.display().to_string(),
            "--calendar".into(),
            format!("berlin={}", cal.display()),
            "--now".into(),
            fixture["now"].as_str().unwrap().into(),
            "--format".into(),
            format.into(),
        ];
        a.extend(inputs(&files));
        a
    };
    let out = run(base("csv"));
    assert_eq!(succeeded(out), "Key,To Do,In Progress\nDW-8,1.43,1.57\n");

    let out = run(base("json"));
    let report: engine::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.rows[0].label, "DW-8");

    let xlsx = dir.join("out.xlsx");
    let mut args = base("xlsx");
    args.extend(["--out".to_owned(), xlsx.display().to_string()]);
    assert_eq!(run(args).status.code(), Some(0));
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");

    // xlsx needs a file; a calendar the config names must be given.
    assert_eq!(run(base("xlsx")).status.code(), Some(2));
    let mut no_cal = base("csv");
    no_cal.drain(3..5);
    let out = run(no_cal);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("saved calendar berlin"));
}

#[test]
fn an_invalid_configuration_exits_4_with_its_path() {
    let dir = scratch("config");
    let config = dir.join("bad.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "", "kind": {"type": "nope"}}"#,
    )
    .unwrap();
    let out = dwell(&[
        "report",
        "--config",
        config.to_str().unwrap(),
        "--input",
        config.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(dwell(&["time-in-status"]).status.code(), Some(2));
    assert_eq!(dwell(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn report_runs_a_timesheet_on_worklogs_and_exits_6_for_partial_worklogs() {
    let dir = scratch("timesheet");
    let (files, fixture) = fixture_inputs("timesheet-berlin.json", &dir);
    let config = dir.join("timesheet.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "Team week", "kind": {"type": "timesheet",
            "rows": "person", "columns": "day", "timeZone": "Europe/Berlin",
            "dates": {"type": "fixed", "from": "2026-03-27", "to": "2026-03-31"},
            "authors": {"groups": ["Team Falcon"]}},
            "durationFormat": {"type": "hours", "decimals": 2},
            "aggregation": {"functions": [{"type": "sum"}]}}"#,
    )
    .unwrap();
    let team = dir.join("team.json");
    std::fs::write(&team, r#"["acc-a", "acc-b"]"#).unwrap();
    let mut args = vec![
        "report".to_owned(),
        "--config".into(),
        config.display().to_string(),
        "--group".into(),
        format!("Team Falcon={}", team.display()),
        "--now".into(),
        fixture["now"].as_str().unwrap().into(),
    ];
    args.extend(inputs(&files));
    let out = run(args.clone());
    // Worked by hand in the fixture: Alice 1 h Fri, 20 min Sun, three 20-minute logs Mon (1.00
    // h, not 0.99); Bob 2 h + 2 h Sun, 30 min Tue on DW-3, whose worklogs are partial.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Person,2026-03-27,2026-03-28,2026-03-29,2026-03-30,2026-03-31,Total\n\
         Alice,1.00,,0.33,1.00,,2.33\n\
         Bob,,,4.00,,0.50,4.50\n\
         Sum,1.00,,4.33,1.00,0.50,6.83\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("part of their worklogs") && stderr.contains("DW-3"),
        "{stderr}"
    );
    assert!(stderr.contains("worklogs you may see"), "{stderr}");
    args.push("--allow-partial".into());
    assert_eq!(run(args.clone()).status.code(), Some(0));

    // A group the configuration names must be given.
    args.drain(3..5);
    let out = run(args);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"Team Falcon\""));
}

#[test]
fn worklog_lists_in_a_dump_are_taken_as_every_worklog() {
    // The fixture's DW-5 is completed by its pages; DW-6 is read from a /worklog/list answer,
    // which a dump holds in full: no partial data, exit 0. Eve: 3600 + 1800 s on 1 June, 600 s
    // on 2 June; Frank: 2 h on 2 June.
    let dir = scratch("worklog-list");
    let (files, fixture) = fixture_inputs("worklog-pages.json", &dir);
    let config = dir.join("timesheet.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "Days", "kind": {"type": "timesheet",
            "timeZone": "UTC", "dates": {"type": "fixed", "from": "2026-06-01", "to": "2026-06-02"}},
            "durationFormat": {"type": "seconds"}, "aggregation": {"functions": []}}"#,
    )
    .unwrap();
    let mut args = vec![
        "report".to_owned(),
        "--config".into(),
        config.display().to_string(),
        "--now".into(),
        fixture["now"].as_str().unwrap().into(),
    ];
    args.extend(inputs(&files));
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("part of their worklogs"), "{stderr}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Person,2026-06-01,2026-06-02,Total\nEve,5400,600,6000\nFrank,,7200,7200\n"
    );
}
