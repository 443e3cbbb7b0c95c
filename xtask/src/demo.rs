//! `cargo xtask demo`: runs the product locally.
//!
//! Interim version, until the browser client and the simulator land: generates a sample Jira
//! Cloud dump (search pages, bulk changelog pages, `/status`) with the engine's `synth`
//! example, then prints real reports from it with the `dwell` CLI.

use crate::Result;
use crate::tools::{self, cargo};

/// The instant the generated data ends; reports are computed as of then.
const NOW: &str = "2026-06-01T00:00:00Z";

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("demo takes no options, got {a:?}"));
    }
    let root = tools::root();
    let data = root.join("target/demo-data");
    let data_arg = data.display().to_string();
    eprintln!("== generating a sample Jira dump in {data_arg}");
    tools::run(cargo().args([
        "run",
        "--quiet",
        "-p",
        "engine",
        "--example",
        "synth",
        "--",
        "--issues",
        "400",
        "--seed",
        "7",
        "--out",
        &data_arg,
    ]))?;
    eprintln!("\n== dwell report --config xtask/demo/report.json (CSV)");
    tools::run(cargo().args([
        "run",
        "--quiet",
        "-p",
        "cli",
        "--bin",
        "dwell",
        "--",
        "report",
        "--config",
        "xtask/demo/report.json",
        "--input",
        &data_arg,
        "--now",
        NOW,
    ]))?;
    eprintln!("\n== dwell time-in-status, first issues (hours)");
    let out = tools::output(cargo().args([
        "run",
        "--quiet",
        "-p",
        "cli",
        "--bin",
        "dwell",
        "--",
        "time-in-status",
        "--input",
        &data_arg,
        "--now",
        NOW,
        "--unit",
        "hours",
    ]))
    .ok_or("dwell time-in-status failed")?;
    for line in out.lines().take(11) {
        println!("{line}");
    }
    println!("... ({} issues)", out.lines().count().saturating_sub(1));
    Ok(())
}
