//! Writes a synthetic Jira Cloud dump (search pages, bulk changelog pages, `/status`) to a
//! directory, for the `measure` example and the CLI timings of docs/PERFORMANCE.md:
//!
//! ```sh
//! cargo run --release -p engine --example synth -- --issues 100000 --seed 1 --out /tmp/dwell-100k
//! cargo run --release -p engine --example synth -- --issues 10000 --worklogs 200000 --out /tmp/dwell-wl
//! ```
//!
//! With `--worklogs N`, it writes a timesheet dump instead: search pages with each issue's
//! `worklog` field and full worklog pages where an issue has more than 20.

#![allow(clippy::print_stdout)]

#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut issues = 1000usize;
    let mut changes = 10usize;
    let mut seed = 1u64;
    let mut worklogs: Option<usize> = None;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next();
        let parsed = match (a.as_str(), value.as_deref()) {
            ("--issues", Some(v)) => v.parse().map(|v| issues = v).is_ok(),
            ("--changes", Some(v)) => v.parse().map(|v| changes = v).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|v| seed = v).is_ok(),
            ("--worklogs", Some(v)) => v.parse().map(|v| worklogs = Some(v)).is_ok(),
            ("--out", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !parsed {
            eprintln!(
                "usage: synth --out DIR [--issues N] [--changes N] [--worklogs N] [--seed S]"
            );
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("usage: synth --out DIR [--issues N] [--changes N] [--seed S]");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("synth: {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let mut bytes = 0;
    let files = match worklogs {
        Some(w) => synth::worklog_dataset(issues, w, seed),
        None => synth::dataset(issues, changes, seed),
    };
    for f in &files {
        bytes += f.bytes.len();
        if let Err(e) = std::fs::write(out.join(&f.name), &f.bytes) {
            eprintln!("synth: {}: {e}", f.name);
            return ExitCode::FAILURE;
        }
    }
    println!(
        "wrote {} files, {} issues, {:.1} MB to {} (report time: {})",
        files.len(),
        issues,
        bytes as f64 / 1e6,
        out.display(),
        synth::NOW
    );
    ExitCode::SUCCESS
}
