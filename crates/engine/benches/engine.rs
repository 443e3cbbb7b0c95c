//! Parse + compute of synthetic Cloud dumps (10k and 100k issues, about 10 status changes
//! each), and of a timesheet over 10,000 issues with 200,000 worklogs. `cargo bench -p engine`
//! measures; `cargo test -p engine --benches` (no `--bench` flag) runs each once on 1k issues
//! (20,000 worklogs), so CI keeps the bench compiling and working.

#![allow(clippy::unwrap_used)]

#[path = "support/synth.rs"]
#[allow(
    dead_code,
    reason = "the bench keeps files in memory and needs no names"
)]
mod synth;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn parse_and_compute(files: &[synth::File], config: &config::ReportConfig) -> usize {
    // As the CLI does (and the browser, which asks Jira only for these): keep the issue
    // fields the report needs.
    let mut data = engine::Dataset::for_fields(config.needed_fields().iter().map(|f| f.as_str()));
    for f in files {
        data.add_json(&f.bytes).unwrap();
    }
    data.assume_bulk_changelogs_complete();
    let now = synth::NOW.parse().unwrap();
    let report = engine::compute(&data, config, &engine::Context::new(now)).unwrap();
    report.rows.len()
}

fn bench(c: &mut Criterion) {
    let measuring = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if measuring {
        &[10_000, 100_000]
    } else {
        &[1_000]
    };
    let config = config::ReportConfig::time_in_status("bench", config::Jql::default());
    let mut group = c.benchmark_group("parse_and_compute");
    group.sample_size(10);
    for &n in sizes {
        let files = synth::dataset(n, 10, 1);
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &files, |b, files| {
            b.iter(|| {
                let rows = parse_and_compute(files, &config);
                assert_eq!(rows, n);
            })
        });
    }
    group.finish();
}

/// A weekly timesheet per person over the whole generated span (74 weeks), split at
/// midnights in Berlin: every worklog is read, attributed and summed.
fn timesheet(c: &mut Criterion) {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (issues, worklogs) = if measuring {
        (10_000, 200_000)
    } else {
        (1_000, 20_000)
    };
    let config = config::parse_report(
        r#"{"schemaVersion": 1, "name": "bench", "kind": {"type": "timesheet", "rows": "person",
            "columns": "week", "dates": {"type": "fixed", "from": "2025-01-01", "to": "2026-05-31"},
            "timeZone": "Europe/Berlin", "attribution": "splitByDay"},
            "aggregation": {"functions": [{"type": "sum"}]}}"#,
    )
    .unwrap();
    let files = synth::worklog_dataset(issues, worklogs, 1);
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let mut group = c.benchmark_group("timesheet");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_with_input(
        BenchmarkId::from_parameter(format!("{issues}x{worklogs}")),
        &files,
        |b, files| {
            b.iter(|| {
                let mut data =
                    engine::Dataset::for_fields(config.needed_fields().iter().map(|f| f.as_str()));
                for f in files {
                    data.add_json(&f.bytes).unwrap();
                }
                assert_eq!(data.worklog_count(), worklogs);
                let now = synth::NOW.parse().unwrap();
                let report = engine::compute(&data, &config, &engine::Context::new(now)).unwrap();
                // One row per generated author.
                assert_eq!(report.rows.len(), 6);
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench, timesheet);
criterion_main!(benches);
