//! Times parse and compute of a dump written by the `synth` example, for docs/PERFORMANCE.md.
//! Run it under `/usr/bin/time -v` for peak memory:
//!
//! ```sh
//! cargo build --release -p engine --example measure
//! /usr/bin/time -v target/release/examples/measure /tmp/dwell-100k
//! ```
//!
//! All files are read into memory before the clock starts, so the peak includes the whole
//! input once: peak RSS / input bytes is the ratio the target is about. `--config FILE` runs
//! that report configuration instead of time in status (a timesheet over a `synth --worklogs`
//! dump, say).

#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, config_path) = match args.as_slice() {
        [dir] => (dir.clone(), None),
        [dir, flag, path] if flag == "--config" => (dir.clone(), Some(path.clone())),
        _ => {
            eprintln!("usage: measure DIR [--config CONFIG.json]");
            return ExitCode::from(2);
        }
    };
    let config = match config_path {
        None => config::ReportConfig::time_in_status("bench", config::Jql::default()),
        Some(path) => match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| config::parse_report(&t).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("measure: {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(d) => d.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => {
            eprintln!("measure: {dir}: {e}");
            return ExitCode::FAILURE;
        }
    };
    paths.sort();
    let mut inputs = Vec::new();
    for p in &paths {
        match std::fs::read(p) {
            Ok(b) => inputs.push(b),
            Err(e) => {
                eprintln!("measure: {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let bytes: usize = inputs.iter().map(Vec::len).sum();

    // As the CLI does: keep only the issue fields the report needs.
    let t = Instant::now();
    let mut data = engine::Dataset::for_fields(config.needed_fields().iter().map(|f| f.as_str()));
    for input in &inputs {
        if let Err(e) = data.add_json(input) {
            eprintln!("measure: {e}");
            return ExitCode::FAILURE;
        }
    }
    data.assume_bulk_changelogs_complete();
    let parse = t.elapsed();

    let now: jiff::Timestamp = match "2026-06-01T00:00:00Z".parse() {
        Ok(t) => t,
        Err(_) => return ExitCode::FAILURE,
    };
    let t = Instant::now();
    let report = match engine::compute(&data, &config, &engine::Context::new(now)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("measure: {e}");
            return ExitCode::FAILURE;
        }
    };
    let compute = t.elapsed();
    println!(
        "input {:.1} MB in {} files; {} issues, {} status/assignee changes, {} worklogs",
        bytes as f64 / 1e6,
        inputs.len(),
        data.issue_count(),
        data.change_count(),
        data.worklog_count()
    );
    println!(
        "parse {:.3} s, compute {:.3} s, total {:.3} s; {} rows, {} columns",
        parse.as_secs_f64(),
        compute.as_secs_f64(),
        (parse + compute).as_secs_f64(),
        report.rows.len(),
        report.columns.len()
    );
    ExitCode::SUCCESS
}
