//! `dwell report` reads a dump one file at a time, frees the issues once the report is
//! computed and streams CSV and JSON out line by line. These tests hold that path to the
//! in-memory one the browser takes (every page in memory, one data set keeping every field,
//! `engine::compute`, then the whole export built as one value) on a real jira-sim dump: the
//! bytes must be identical.

use std::path::Path;

use jira_sim::Flavor;

use super::{run, scratch, sim_dump};

const NOW: &str = "2026-11-01T00:00:00Z";

/// Reports of several kinds, grouped and not, with statistics: what the CLI streams.
const CONFIGS: [&str; 4] = [
    r#"{"schemaVersion": 1, "name": "tis", "kind": {"type": "timeInStatus"},
        "aggregation": {"functions": [{"type": "count"}, {"type": "mean"}, {"type": "median"}]}}"#,
    r#"{"schemaVersion": 1, "name": "grouped", "kind": {"type": "timeInStatus"},
        "rows": {"groupBy": ["issuetype"], "showIssues": true},
        "columns": {"fields": ["priority"]},
        "sort": [{"by": {"type": "column", "index": 0}, "direction": "desc"}],
        "aggregation": {"functions": [{"type": "mean"}, {"type": "max"}]}}"#,
    r#"{"schemaVersion": 1, "name": "visits", "kind": {"type": "statusVisits"},
        "durationFormat": {"type": "hours", "decimals": 1}}"#,
    r#"{"schemaVersion": 1, "name": "entries", "kind": {"type": "entryDates"},
        "aggregation": {"functions": [{"type": "min"}]}}"#,
];

/// The report the browser would show: every file in memory at once, then compute and export.
fn in_memory(dir: &Path, config: &str, format: &str) -> Vec<u8> {
    let config = config::parse_report(config).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let pages: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut data = engine::Dataset::new();
    for page in &pages {
        data.add_json(page).unwrap();
    }
    data.assume_bulk_changelogs_complete();
    let ctx = engine::Context::new(NOW.parse().unwrap());
    let report = engine::compute(&data, &config, &ctx).unwrap();
    match format {
        "csv" => engine::export::to_csv(&report).unwrap().into_bytes(),
        _ => serde_json::to_vec_pretty(&report).unwrap(),
    }
}

#[test]
fn a_streamed_report_of_a_jira_sim_dump_is_the_in_memory_one_byte_for_byte() {
    let dir = scratch("streaming");
    for flavor in [Flavor::Cloud, Flavor::Dc] {
        let data = dir.join(format!("{flavor:?}"));
        // Small pages, so one issue's histories span two changelog pages.
        let summary = sim_dump(&data, flavor, 400, 7, false);
        assert!(summary.histories > 1000, "{flavor:?}: {summary:?}");
        for (n, config) in CONFIGS.iter().enumerate() {
            let path = dir.join(format!("config-{n}.json"));
            std::fs::write(&path, config).unwrap();
            for format in ["csv", "json"] {
                let out_file = dir.join(format!("out-{flavor:?}-{n}.{format}"));
                let out = run(vec![
                    "report".into(),
                    "--config".into(),
                    path.display().to_string(),
                    "--now".into(),
                    NOW.into(),
                    "--format".into(),
                    format.into(),
                    "--input".into(),
                    data.display().to_string(),
                    "--out".into(),
                    out_file.display().to_string(),
                ]);
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{flavor:?} {n} {format}: {stderr}"
                );
                let streamed = std::fs::read(&out_file).unwrap();
                let want = in_memory(&data, config, format);
                assert!(
                    want.len() > 2000,
                    "{flavor:?} {n} {format}: a report of every issue"
                );
                assert!(
                    streamed == want,
                    "{flavor:?} {n} {format}: the streamed report differs from the in-memory \
                     one\n--- streamed\n{}\n--- in memory\n{}",
                    String::from_utf8_lossy(&streamed),
                    String::from_utf8_lossy(&want)
                );
            }
        }
    }
    // The dumps are megabytes: leave no copy behind on a shared disk.
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_refused_configuration_leaves_the_output_alone_and_an_unwritable_output_exits_5() {
    let dir = scratch("streaming-output");
    let (files, fixture) = super::fixture_inputs("bulk-pages-and-clamping.json", &dir);
    let config = dir.join("saved-calendar.json");
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "x", "kind": {"type": "timeInStatus"},
            "calendar": {"type": "saved", "id": "berlin"}}"#,
    )
    .unwrap();
    let report = |config: &Path, out: &Path| {
        let mut args = vec![
            "report".to_owned(),
            "--config".into(),
            config.display().to_string(),
            "--now".into(),
            fixture["now"].as_str().unwrap().to_owned(),
            "--out".into(),
            out.display().to_string(),
        ];
        args.extend(super::inputs(&files));
        run(args)
    };

    // The engine refuses the configuration (its saved calendar was not given) before any
    // row exists: the file the output would replace keeps yesterday's report.
    let kept = dir.join("report.csv");
    std::fs::write(&kept, "yesterday's report\n").unwrap();
    let out = report(&config, &kept);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        "yesterday's report\n"
    );

    // A CSV that cannot be created: exit 5, naming where.
    std::fs::write(
        &config,
        r#"{"schemaVersion": 1, "name": "x", "kind": {"type": "timeInStatus"}}"#,
    )
    .unwrap();
    let nowhere = dir.join("no-such-directory").join("report.csv");
    let out = report(&config, &nowhere);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("no-such-directory"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
