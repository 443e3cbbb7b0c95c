//! How long the page thread spends reading Jira's answers during a run: the fetch planner's
//! `on_answer` (next-page tokens, ids, counts, errors; the documents themselves go to the
//! worker unread), timed over the pages of a whole Jira Cloud run.
//!
//! The pages are real answers of jira-sim over loopback HTTP, recorded once; the planner then
//! replays the run from them several times (it is deterministic, so every replay asks for the
//! same pages) and only `on_answer` is timed. docs/PERFORMANCE.md has the figures.
//!
//! ```text
//! cargo run --release -p client --example page_reading -- [issues] [replays]
//! ```
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use client::api::direct::Credentials;
use client::api::jira::{Flavour, JiraResponse};
use client::fetch::{FetchSpec, Planner};
use config::{Jql, ReportConfig};
use jira_sim::{DataSpec, Flavor, RunningSim, SimConfig};

const JQL: &str = "project in (PLAT, WEB, DATA, MOB) ORDER BY key";

/// A request as the page would send it: method, path and body.
type Key = (String, String, Option<String>);

fn main() {
    let mut args = std::env::args().skip(1);
    let issues: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let replays: usize = args.next().map_or(5, |a| a.parse().unwrap());
    let sim = RunningSim::start(SimConfig {
        data: DataSpec {
            issues,
            seed: 7,
            ..DataSpec::default()
        },
        flavor: Flavor::Cloud,
        ..SimConfig::default()
    })
    .unwrap();
    let config = ReportConfig::time_in_status("pages", Jql::parse(JQL).unwrap());
    let spec = FetchSpec::for_report(Flavour::Cloud, &config);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = Credentials::Basic {
        user: "ada@dwell.example".into(),
        secret: "sim-token".into(),
    }
    .authorization()
    .unwrap();
    let mut pages: HashMap<Key, String> = HashMap::new();
    let fetch = |key: &Key| -> String {
        let url = sim.url(&key.1);
        let answer = match &key.2 {
            None => agent
                .get(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .call(),
            Some(body) => agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(body.as_str()),
        };
        let mut response = answer.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{key:?}");
        response.body_mut().read_to_string().unwrap()
    };
    let mut timings = Vec::new();
    let mut bytes = 0;
    let mut answers = 0;
    for _ in 0..=replays {
        let mut planner = Planner::new(spec.clone());
        let (mut reading, mut read_bytes, mut read_pages) = (Duration::ZERO, 0, 0);
        while !planner.is_done() {
            let mut out = Vec::new();
            while let Some(o) = planner.next_request(0.0) {
                out.push(o);
            }
            assert!(!out.is_empty(), "the planner waits for nothing");
            for o in out {
                let key = (
                    o.request.method.as_str().to_string(),
                    o.request.path.clone(),
                    o.request.body.clone(),
                );
                let body = pages.entry(key).or_insert_with_key(fetch).clone();
                read_bytes += body.len();
                read_pages += 1;
                let answer = Ok(JiraResponse {
                    status: 200,
                    retry_after: None,
                    body: body.into(),
                });
                let started = Instant::now();
                let delivered = planner.on_answer(o.id, answer, 0.0, 0.5);
                reading += started.elapsed();
                drop(delivered);
            }
        }
        assert_eq!(planner.progress(0.0).issues_loaded, issues as u64);
        timings.push(reading);
        (bytes, answers) = (read_bytes, read_pages);
    }
    // The first pass fetched over HTTP (cold caches); the replays are the measurement.
    let mut replayed = timings.split_off(1);
    replayed.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{issues} issues, {answers} Jira answers, {:.1} MB: page thread reads them in \
         {:.1} ms (median of {replays}; min {:.1}, max {:.1})",
        bytes as f64 / 1e6,
        ms(replayed[replayed.len() / 2]),
        ms(replayed[0]),
        ms(replayed[replayed.len() - 1]),
    );
}
