//! jira-sim's figures: generation time and memory for 100k issues, the cost of the pages a
//! client fetches, and a full dump. Prints a table; run with
//! `cargo bench -p jira-sim --bench sim` (add `-- 20000` for another issue count).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use jira_sim::data::{Change, History, Issue};
use jira_sim::{DataSpec, Dataset, DumpSpec, Flavor, RunningSim, SimConfig, dump_data};
use serde_json::{Value, json};

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    println!("jira-sim bench: {n} issues, seed 1");
    let rss0 = rss_mib();
    let t = Instant::now();
    let data = Arc::new(Dataset::generate(DataSpec {
        issues: n,
        seed: 1,
        ..DataSpec::default()
    }));
    let gen_s = t.elapsed().as_secs_f64();
    let wl = &data.worklogs;
    let model_mib = (data.issues.len() * size_of::<Issue>()
        + data.histories.len() * size_of::<History>()
        + data.items.len() * size_of::<Change>()
        + wl.all.len() * size_of::<jira_sim::data::worklog::Worklog>()
        + (wl.start.len() + wl.by_id.len() + wl.by_updated.len()) * size_of::<u32>())
        as f64
        / 1024.0
        / 1024.0;
    println!(
        "generate                 {gen_s:>8.2} s   {} histories, {} items, {} worklogs, model {model_mib:.1} MiB, RSS +{:.1} MiB",
        data.histories.len(),
        data.items.len(),
        wl.all.len(),
        rss_mib() - rss0
    );

    let sim = RunningSim::start_with(SimConfig::default(), data.clone()).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = sim.basic_auth("ada");
    let post = |path: &str, body: &Value| -> (Value, usize) {
        let text = agent
            .post(sim.url(path))
            .header("Authorization", &auth)
            .send_json(body)
            .unwrap()
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .unwrap();
        let len = text.len();
        (serde_json::from_str(&text).unwrap(), len)
    };
    let rss_before = rss_mib();

    // The fast plan: every id, 5000 a page.
    let t = Instant::now();
    let mut ids: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"jql": "created <= now()", "fields": ["id"], "maxResults": 5000});
        if let Some(tk) = &token {
            body["nextPageToken"] = json!(tk);
        }
        let (v, _) = post("/rest/api/3/search/jql", &body);
        pages += 1;
        ids.extend(
            v["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string()),
        );
        match v["nextPageToken"].as_str() {
            Some(tk) => token = Some(tk.to_string()),
            None => break,
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "search/jql ids, 5000/page {:>7.1} ms/page  ({pages} pages, {} ids, {s:.2} s)",
        s * 1000.0 / pages as f64,
        ids.len()
    );

    let t = Instant::now();
    let mut bytes = 0;
    for chunk in ids.chunks(100).take(20) {
        let (_, len) = post(
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": chunk, "fields": ["*navigable"]}),
        );
        bytes += len;
    }
    println!(
        "issue/bulkfetch 100      {:>8.1} ms/call  ({} KiB a call)",
        t.elapsed().as_secs_f64() * 1000.0 / 20.0,
        bytes / 20 / 1024
    );

    let t = Instant::now();
    let mut calls = 0;
    let mut histories = 0;
    let mut bytes = 0;
    for chunk in ids.chunks(1000).take(5) {
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"issueIdsOrKeys": chunk, "fieldIds": ["status", "assignee"], "maxResults": 10000});
            if let Some(tk) = &token {
                body["nextPageToken"] = json!(tk);
            }
            let (v, len) = post("/rest/api/3/changelog/bulkfetch", &body);
            calls += 1;
            bytes += len;
            for log in v["issueChangeLogs"].as_array().unwrap() {
                histories += log["changeHistories"].as_array().unwrap().len();
            }
            match v["nextPageToken"].as_str() {
                Some(tk) => token = Some(tk.to_string()),
                None => break,
            }
        }
    }
    println!(
        "changelog/bulkfetch 1000 {:>8.1} ms/call  ({calls} calls, {histories} histories, {} KiB a call)",
        t.elapsed().as_secs_f64() * 1000.0 / calls as f64,
        bytes / calls / 1024
    );
    // Worklogs in bulk: the first 10 pages of the updated feed, each page's ids listed.
    let t = Instant::now();
    let (mut calls, mut worklogs, mut bytes) = (0, 0, 0);
    let mut since = 0i64;
    for _ in 0..10 {
        let text = agent
            .get(sim.url(&format!("/rest/api/3/worklog/updated?since={since}")))
            .header("Authorization", &auth)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let feed: Value = serde_json::from_str(&text).unwrap();
        let ids: Vec<i64> = feed["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["worklogId"].as_i64().unwrap())
            .collect();
        let (list, len) = post("/rest/api/3/worklog/list", &json!({ "ids": ids }));
        calls += 2;
        bytes += len;
        worklogs += list.as_array().unwrap().len();
        if feed["lastPage"].as_bool().unwrap_or(true) {
            break;
        }
        since = feed["until"].as_i64().unwrap();
    }
    println!(
        "worklog/updated + list   {:>8.1} ms/call  ({calls} calls, {worklogs} worklogs, {} KiB a list)",
        t.elapsed().as_secs_f64() * 1000.0 / calls as f64,
        bytes / (calls / 2).max(1) / 1024
    );
    println!(
        "RSS while serving        {:>8.1} MiB (+{:.1} MiB over the requests above)",
        rss_mib(),
        rss_mib() - rss_before
    );
    drop(sim);

    let dir = std::env::temp_dir().join(format!("jira-sim-bench-{}", std::process::id()));
    let t = Instant::now();
    let summary = dump_data(
        &data,
        &DumpSpec {
            data: data.spec.clone(),
            flavor: Flavor::Cloud,
            page_size: 100,
            changelog_page_size: 1000,
            base_url: "http://jira-sim.invalid".into(),
            user: "ada".into(),
            worklogs: false,
        },
        &dir,
    )
    .unwrap();
    let size: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "dump (cloud)             {:>8.2} s   {} search + {} changelog pages, {:.0} MiB",
        t.elapsed().as_secs_f64(),
        summary.search_pages,
        summary.changelog_pages,
        size as f64 / 1024.0 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
