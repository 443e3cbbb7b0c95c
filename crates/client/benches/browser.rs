//! The browser benchmark, and the end-to-end smoke check of the built client.
//!
//! Serves the trunk build (`dist/`, built by `cargo xtask test --only client`) as static
//! files (or from Dwell's real server with `--dwell-server`), starts jira-sim with N issues and an added latency, and drives headless
//! Chromium through ChromeDriver (WebDriver over loopback HTTP): connect to the simulator in
//! Direct mode, import a time-in-status configuration, and wait for the table. It reports the
//! time from "run" to the finished table (and its parts, from the page's performance marks),
//! the number of Jira requests (counted by the simulator), the peak JS heap of the page, and
//! the engine's time in the worker (wasm) against the same engine natively on the same data.
//!
//! ```text
//! cargo test -p client --bench browser                    # smoke: 300 issues, asserts
//! cargo bench -p client --bench browser                   # 10k and 50k, 0 and 50 ms
//! cargo bench -p client --bench browser -- --issues 10000 --latency 50
//! cargo bench -p client --bench browser -- --issues 25000 --latency 50 --dc   # Data Center
//! cargo bench -p client --bench browser -- --issues 10000 --latency 50 --timesheet
//! cargo bench -p client --bench browser -- --issues 50000 --rate-limit 10
//! ```
//!
//! `--timesheet` runs a timesheet instead (hours per person and month over the data's whole
//! year, so every worklog counts) on data with five times the usual worklogs (`worklog_scale`
//! 5: about 200,000 on 10,000 issues); the native figure fetches with the same narrowed plan.
//! `--rate-limit N` lets each user send N requests a second (jira-sim's limiter) and reports
//! the 429s and whether the progress showed the wait.
//!
//! "rss MB" is the peak resident memory of the browser's renderer processes (`VmHWM`, summed),
//! where the page and its worker both live: the page's JS heap alone hides the worker.
//! "still" is the longest time the progress bar went without moving during the run, as
//! painted: an animation-frame recorder in the page notes the bar's width at every frame the
//! page renders, so a bar whose value changed while the page thread was too busy to paint it
//! counts as still (an indeterminate bar slides on the compositor, so it counts as moving).
//! On stderr the bench says what the page showed before and after the longest still stretch,
//! what ran inside it, the same measure over the widths as set (painted or not) and as
//! polled through WebDriver, and the bar second by second.
//!
//! Besides the table it prints, on stderr, the requests by route, where the fetch's time went
//! (from the page's resource timings: how long each count of requests was in flight), where
//! the page thread's went (the driver's `dwell:answer` measures by purpose, the long tasks and
//! the answers handled during the longest) and, as "sim CPU", this process's CPU time from run to
//! table: the simulator's own share of the two shared cores, so the product's figure is
//! honest. The native figure fetches without the added latency or rate limit (it times the
//! engine only).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use client::api::direct::{Credentials, DirectTransport};
use client::api::http::{Http, HttpError, HttpRequest, HttpResponse};
use client::api::jira::Flavour;
use client::cancel::Cancel;
use client::fetch::driver::Event;
use client::fetch::{Clock, FetchSpec, Outcome, Planner, run};
use client::worker_session::Session;
use config::{Jql, ReportConfig};
use jira_sim::{DataSpec, Faults, Flavor, RunningSim, SimConfig};
use serde_json::{Value, json};

const JQL: &str = "project in (PLAT, WEB, DATA, MOB) ORDER BY key";

/// The report each case runs: time in status, or (`--timesheet`) a timesheet of the data's
/// year.
fn report_config(timesheet: bool) -> Value {
    if timesheet {
        json!({
            "schemaVersion": 1,
            "name": "Benchmark",
            "jql": JQL,
            "kind": {"type": "timesheet", "rows": "person", "columns": "month",
                     "dates": {"type": "fixed", "from": "2025-11-01", "to": "2026-10-31"},
                     "timeZone": "UTC"},
            "aggregation": {"functions": [{"type": "sum"}]}
        })
    } else {
        json!({
            "schemaVersion": 1,
            "name": "Benchmark",
            "jql": JQL,
            "kind": {"type": "timeInStatus"},
            "aggregation": {"functions": [{"type": "count"}, {"type": "mean"}, {"type": "median"}, {"type": "percentile", "p": 85.0}]}
        })
    }
}

fn timesheet_mode() -> bool {
    std::env::args().any(|a| a == "--timesheet")
}

/// `--rate-limit N`: jira-sim allows each user N requests a second (a burst of N).
fn rate_limit() -> Option<u32> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--rate-limit")?;
    args.get(i + 1)?.parse().ok()
}

type Result<T = ()> = std::result::Result<T, String>;

fn main() {
    if let Err(e) = run_main() {
        eprintln!("browser bench: {e}");
        std::process::exit(1);
    }
}

fn run_main() -> Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --bench browser` (no `--bench` argument) is the smoke check.
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let cases: Vec<(usize, u64)> = match (value("--issues"), value("--latency")) {
        (Some(n), l) => vec![(n as usize, l.unwrap_or(0))],
        (None, Some(l)) => vec![(10_000, l), (50_000, l)],
        (None, None) if quick => vec![(300, 0)],
        (None, None) => vec![(10_000, 0), (10_000, 50), (50_000, 0), (50_000, 50)],
    };
    let flavour = if args.iter().any(|a| a == "--dc") {
        Flavour::DataCenter
    } else {
        Flavour::Cloud
    };
    let dist = dist()?;
    let driver = ChromeDriver::start()?;
    println!(
        "{:>7} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>8} {:>9}",
        "issues",
        "latency",
        "run→table",
        "fetch",
        "ingest",
        "compute",
        "warm",
        "native",
        "requests",
        "heap MB",
        "warm/nat",
        "longtask",
        "sim CPU",
        "rss MB",
        "still"
    );
    for (issues, latency) in cases {
        let figures = case(&driver, &dist, flavour, issues, latency, quick)?;
        println!(
            "{:>7} {:>6}ms {:>8.0}ms {:>7.0}ms {:>7.0}ms {:>7.1}ms {:>7.1}ms {:>6.1}ms {:>8} {:>10.1} {:>9.2} {:>7.0}ms {:>7.0}ms {:>8.1} {:>7.0}ms",
            issues,
            latency,
            figures.run_to_table,
            figures.fetch,
            figures.ingest,
            figures.engine,
            figures.engine_warm,
            figures.native_compute,
            figures.requests,
            figures.peak_heap as f64 / 1e6,
            figures.engine_warm / figures.native_compute.max(0.001),
            figures.longest_task,
            figures.sim_cpu,
            figures.renderer_peak as f64 / 1e6,
            figures.longest_still,
        );
    }
    Ok(())
}

/// The trunk build at the workspace root.
fn dist() -> Result<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dist = root.join("dist");
    if !dist.join("index.html").is_file() || !dist.join("worker_loader.js").is_file() {
        return Err(format!(
            "no client build in {}: run `cargo xtask test --only client` first",
            dist.display()
        ));
    }
    Ok(dist)
}

struct Figures {
    run_to_table: f64,
    fetch: f64,
    engine: f64,
    engine_warm: f64,
    /// The page's longest main-thread task during the run (PerformanceObserver `longtask`).
    longest_task: f64,
    ingest: f64,
    requests: u64,
    peak_heap: u64,
    native_compute: f64,
    /// CPU time of this process (the simulator's threads, nearly all of it) from "run" to the
    /// table, in milliseconds: the simulator's share of the shared cores.
    sim_cpu: f64,
    /// The peak resident memory of the browser's renderer processes (the page and its
    /// workers run there), summed, in bytes: what the page's JS heap alone hides.
    renderer_peak: u64,
    /// The longest time, in milliseconds, between two painted moves of the progress bar (or
    /// from "run" to its first move, or from its last move to the table): [`bar_trace`].
    longest_still: f64,
}

fn case(
    driver: &ChromeDriver,
    dist: &Path,
    flavour: Flavour,
    issues: usize,
    latency: u64,
    quick: bool,
) -> Result<Figures> {
    let sim = RunningSim::start(SimConfig {
        data: DataSpec {
            issues,
            seed: 11,
            worklog_scale: if timesheet_mode() { 5 } else { 1 },
            ..DataSpec::default()
        },
        cors_origins: vec!["*".into()],
        faults: Faults {
            latency_ms: latency,
            ..Faults::default()
        },
        workers: 4,
        rate_limit: rate_limit().map(|n| jira_sim::RateLimit {
            per_second: n,
            burst: n,
        }),
        flavor: match flavour {
            Flavour::Cloud => Flavor::Cloud,
            Flavour::DataCenter => Flavor::Dc,
        },
        ..SimConfig::default()
    })
    .map_err(|e| format!("cannot start jira-sim: {e:#}"))?;
    let sim_url = sim.url("").trim_end_matches('/').to_string();
    let server = if std::env::args().any(|a| a == "--dwell-server") {
        DwellServer::start(dist, &sim_url)?
    } else {
        DwellServer::files(dist)?
    };
    let session = driver.session()?;
    let outcome = drive(
        &session,
        driver,
        &server.url,
        &sim_url,
        &sim,
        flavour,
        issues,
        quick,
    );
    session.close();
    let (page, requests) = outcome?;
    // The native figure times compute only: fetch its data without the added latency.
    sim.set_faults(Faults::default());
    sim.set_rate_limit(None);
    let native_compute = native(&sim_url, flavour, issues)?;
    if quick && !(page.engine_warm.is_finite() && page.run_to_table.is_finite()) {
        return Err("the page's performance marks are missing".into());
    }
    Ok(Figures {
        requests,
        native_compute,
        ..page
    })
}

#[allow(clippy::too_many_arguments)]
fn drive(
    s: &WebDriver,
    driver: &ChromeDriver,
    server: &str,
    sim_url: &str,
    sim: &RunningSim,
    flavour: Flavour,
    issues: usize,
    quick: bool,
) -> Result<(Figures, u64)> {
    let page = format!("{server}/?jira={}#/connection", enc(sim_url));
    s.go(&page)?;
    s.wait(
        "the connection form",
        30,
        "return !!document.querySelector('input[type=password]')",
    )?;
    s.script(
        "const t = document.querySelector('input[type=password]'); t.value = arguments[0];
         t.dispatchEvent(new Event('input', {bubbles: true}));
         // The address came with the link: its host is confirmed before the token goes.
         document.querySelector('input[name=confirm-host]').click();
         document.querySelector('form button[type=submit]').click();",
        json!(["sim-token-ada"]),
    )?;
    s.wait(
        "the Jira connection",
        30,
        &format!(
            "return (document.querySelector('.site')||{{}}).textContent.includes('{}')",
            flavour.label()
        ),
    )?;
    s.script("location.hash = '#/';", json!([]))?;
    s.wait(
        "the import box",
        30,
        "return !!document.querySelector('textarea')",
    )?;
    let config = report_config(timesheet_mode());
    sim.reset_stats();
    let cpu_before = process_cpu_ms();
    s.script(
        "window.__dwellLongTasks = [];
         performance.setResourceTimingBufferSize(100000); performance.clearResourceTimings();
         new PerformanceObserver(l => l.getEntries().forEach(e => window.__dwellLongTasks.push([e.startTime, e.duration])))
             .observe({entryTypes: ['longtask']});
         performance.clearMarks(); performance.clearMeasures();
         window.__dwellBarStop = false;
         window.__dwellBar = []; window.__dwellSet = []; window.__dwellGaps = [];
         window.__dwellFrames = 0;
         // The bar as painted: read at every animation frame, which runs only when the page
         // thread is free to render one; each change is kept with the frame's time.
         const bar = () => {
             const fill = document.querySelector('.progress-fill');
             const head = document.querySelector('.progress-headline');
             return [!fill ? null : fill.classList.contains('indeterminate') ? 'sliding' : fill.style.width,
                     head ? head.textContent : null];
         };
         let seen = null, frameAt = null;
         const frame = () => {
             if (window.__dwellBarStop) return;
             const now = performance.now();
             if (frameAt !== null && now - frameAt > 50) window.__dwellGaps.push([frameAt, now - frameAt]);
             frameAt = now; window.__dwellFrames++;
             const [w, h] = bar();
             const key = w + '|' + h;
             if (key !== seen) { seen = key; window.__dwellBar.push([now, w, h]); }
             requestAnimationFrame(frame);
         };
         requestAnimationFrame(frame);
         // The bar as set: every change of the fill's width or class, when the page made it.
         new MutationObserver(ms => ms.forEach(m => {
             const e = m.target;
             if (e.classList && e.classList.contains('progress-fill'))
                 window.__dwellSet.push([performance.now(),
                     e.classList.contains('indeterminate') ? 'sliding' : e.style.width]);
         })).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['style', 'class']});
         const t = document.querySelector('textarea'); t.value = arguments[0];
         t.dispatchEvent(new Event('input', {bubbles: true}));
         [...document.querySelectorAll('button')].find(b => b.textContent.includes('Check and use')).click();",
        json!([config.to_string()]),
    )?;
    // Wait for the first rows of the table, sampling the page's heap.
    let started = Instant::now();
    let mut peak_heap = 0u64;
    // Polls during which the progress said it was waiting for Jira's rate limit.
    let mut waiting_polls = 0u32;
    // The progress bar's width as last seen, when it last moved, and the longest stillness.
    let mut bar = String::new();
    let mut moved = started;
    let mut longest_still = Duration::ZERO;
    loop {
        let v = s.script(
            "const m = performance.memory ? performance.memory.usedJSHeapSize : 0;
             const done = performance.getEntriesByName('dwell:table').length > 0;
             const err = document.querySelector('.panel-error');
             const wait = document.querySelector('.progress-waiting');
             const fill = document.querySelector('.progress-fill');
             // An indeterminate bar slides (a compositor animation): it moves by itself.
             const width = !fill ? null
                 : fill.classList.contains('indeterminate') ? 'sliding ' + performance.now()
                 : fill.style.width;
             return [m, done, err ? err.textContent : null, wait ? wait.textContent : null,
                     width];",
            json!([]),
        )?;
        peak_heap = peak_heap.max(v[0].as_u64().unwrap_or(0));
        if let Some(width) = v[4].as_str().filter(|w| *w != bar) {
            longest_still = longest_still.max(moved.elapsed());
            moved = Instant::now();
            bar = width.to_string();
        }
        if v[3].as_str().is_some() {
            waiting_polls += 1;
        }
        if let Some(e) = v[2].as_str() {
            return Err(format!("the page shows an error: {e}"));
        }
        if v[1].as_bool() == Some(true) {
            break;
        }
        if started.elapsed()
            > Duration::from_secs(
                std::env::var("DWELL_BENCH_TIMEOUT")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(300),
            )
        {
            let state = s.script(
                "return [location.href, performance.getEntriesByType('mark').map(m => m.name).join(','), document.body.innerText.slice(0, 800)]",
                json!([]),
            )?;
            return Err(format!("no table after 5 minutes: {state}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let sim_cpu = process_cpu_ms() - cpu_before;
    longest_still = longest_still.max(moved.elapsed());
    let stats = sim.stats();
    eprintln!("Jira requests by route: {:?}", stats.by_route);
    if rate_limit().is_some() {
        eprintln!(
            "rate limit: {} of {} requests answered 429 ({:.2} %); the progress showed the wait in {waiting_polls} polls (50 ms apart)",
            stats.rate_limited,
            stats.requests,
            stats.rate_limited as f64 * 100.0 / stats.requests.max(1) as f64
        );
    }
    eprintln!("{}", fetch_timeline(s, sim_url)?);
    eprintln!("{}", page_thread(s)?);
    let (trace, painted_still) = bar_trace(s)?;
    eprintln!("{trace}");
    eprintln!(
        "progress still as polled through WebDriver (each poll waits for the page thread): {:.0} ms",
        longest_still.as_secs_f64() * 1000.0
    );
    let t = s.script(
        "const at = n => (performance.getEntriesByName(n)[0] || {startTime: NaN}).startTime;
         const took = n => (performance.getEntriesByName(n)[0] || {duration: NaN}).duration;
         return [at('dwell:run'), at('dwell:fetched'), at('dwell:table'), took('dwell:engine'),
                 took('dwell:ingest'), (document.querySelector('.toolbar .count')||{}).textContent,
                 Math.max(0, ...window.__dwellLongTasks.map(t => t[1]))];",
        json!([]),
    )?;
    let num = |i: usize| t[i].as_f64().unwrap_or(f64::NAN);
    // The same computation again, warm: V8 compiles wasm lazily, so the first run of the
    // engine's code is partly in the baseline tier.
    s.script(
        "const g = document.querySelector('.toolbar select'); g.value = 'none';
         g.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([]),
    )?;
    s.wait(
        "the second computation",
        120,
        "return performance.getEntriesByName('dwell:engine').length > 1",
    )?;
    let warm = s
        .script(
            "return performance.getEntriesByName('dwell:engine')[1].duration",
            json!([]),
        )?
        .as_f64()
        .unwrap_or(f64::NAN);
    let count = t[5].as_str().unwrap_or("").replace(',', "");
    // A timesheet counts the issues with time logged in its dates, not all of them.
    if !timesheet_mode() && count != format!("{issues} issues") {
        return Err(format!(
            "the table says {count:?}, expected {issues} issues"
        ));
    }
    if quick {
        // The exports run in the worker: both must come back as downloads.
        for (button, file) in [
            ("Export CSV", "Benchmark.csv"),
            ("Export XLSX", "Benchmark.xlsx"),
        ] {
            s.script(
                "[...document.querySelectorAll('button')].find(b => b.textContent === arguments[0]).click();",
                json!([button]),
            )?;
            let wanted = format!("Downloaded {file}.");
            s.wait(
                &format!("the {button} download"),
                60,
                &format!(
                    "return (document.querySelector('.notice-line')||{{}}).textContent === {}",
                    json!(wanted)
                ),
            )?;
        }
        // Sorting asks the worker for rows in a new order.
        s.script(
            "[...document.querySelectorAll('th button.sort')].find(b => b.textContent.startsWith('Total')).click();",
            json!([]),
        )?;
        s.wait(
            "the sorted table",
            30,
            "return document.querySelector('th[aria-sort=descending]') !== null",
        )?;
    }
    let requests = sim.stats().requests;
    let renderer_peak = renderer_peak_rss(driver.child.id());
    Ok((
        Figures {
            run_to_table: num(2) - num(0),
            fetch: num(1) - num(0),
            engine: num(3),
            engine_warm: warm,
            longest_task: num(6),
            ingest: num(4),
            requests,
            peak_heap,
            native_compute: 0.0,
            sim_cpu,
            renderer_peak,
            longest_still: painted_still,
        },
        requests,
    ))
}

/// The engine natively on the same data: fetched with the same planner, computed by the same
/// code, timed around `compute` only (as the worker's figure is).
fn native(sim_url: &str, flavour: Flavour, issues: usize) -> Result<f64> {
    let timesheet = timesheet_mode();
    let config = if timesheet {
        config::parse_report(&report_config(true).to_string()).map_err(|e| e.to_string())?
    } else {
        ReportConfig::time_in_status("Benchmark", Jql::parse(JQL).unwrap())
    };
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let spec = client::worker_protocol::timesheet_spec(
        FetchSpec::for_report(flavour, &config),
        &config,
        Some(now_ms),
    )?;
    let mut session = Session::new(&spec.fields);
    let transport = DirectTransport::new(
        sim_url.to_string(),
        Credentials::Token("sim-token-ada".into()),
        Ureq::new(),
    );
    let mut planner = Planner::new(spec);
    let outcome = futures::executor::block_on(run(
        &mut planner,
        &transport,
        &WallClock(Instant::now()),
        &Cancel::new(),
        |e| {
            if let Event::Deliver(d) = e {
                session.add(&d);
            }
            Ok(())
        },
    ));
    if outcome != Outcome::Complete {
        return Err(format!("the native fetch ended {outcome:?}"));
    }
    if let Some(choice) = planner.worklog_choice() {
        let s = planner.progress(0.0).stats;
        eprintln!(
            "native worklog plan: {choice:?}; made {} issue pages, {} feed pages, {} lists",
            s.worklog_pages, s.worklog_feed_pages, s.worklog_lists
        );
    }
    let mut config = config;
    if !timesheet {
        config.aggregation.functions = vec![
            config::AggregateFn::Count,
            config::AggregateFn::Mean,
            config::AggregateFn::Median,
            config::AggregateFn::Percentile { p: 85.0 },
        ];
    }
    let ctx = engine::Context::new(jiff::Timestamp::now());
    // Twice, keeping the second, as the page's warm figure.
    session.compute(&config, &ctx).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let summary = session.compute(&config, &ctx).map_err(|e| e.to_string())?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if std::env::var_os("DWELL_BENCH_SPLIT").is_some() {
        let t = Instant::now();
        let _ = engine::compute(session.dataset_for_bench(), &config, &ctx);
        eprintln!(
            "native engine::compute alone: {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    if timesheet {
        eprintln!(
            "native timesheet: {} worklogs on {} issues with time, {} rows",
            session.dataset_for_bench().worklog_count(),
            summary.issue_count,
            summary.row_count
        );
    } else if summary.issue_count as usize != issues {
        return Err(format!(
            "native: {} issues, expected {issues}",
            summary.issue_count
        ));
    }
    Ok(ms)
}

/// Where the fetch's time went, from the page's resource timings of its Jira requests (start
/// and end only: the simulator sends no `Timing-Allow-Origin`): how long a request took, and
/// for how long fewer than six (the browser's connections per host over HTTP/1.1) or none
/// were in flight between the first request and the last answer.
fn fetch_timeline(s: &WebDriver, sim_url: &str) -> Result<String> {
    let v = s.script(
        "const run = (performance.getEntriesByName('dwell:run')[0] || {startTime: 0}).startTime;
         return performance.getEntriesByType('resource')
             .filter(e => e.name.startsWith(arguments[0]) && e.startTime >= run)
             .map(e => [e.startTime - run, e.responseEnd - run]);",
        json!([sim_url]),
    )?;
    let spans: Vec<(f64, f64)> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| Some((e[0].as_f64()?, e[1].as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    if spans.is_empty() {
        return Ok("no resource timings of Jira requests".into());
    }
    let mut edges: Vec<(f64, i32)> = spans.iter().flat_map(|&(a, b)| [(a, 1), (b, -1)]).collect();
    edges.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (mut in_flight, mut last, mut under_six, mut idle) = (0, edges[0].0, 0.0, 0.0);
    // Time spent with 0, 1, ..., 5 and 6 or more requests in flight.
    let mut by_count = [0.0f64; 7];
    for (t, d) in edges.iter().copied() {
        if in_flight < 6 {
            under_six += t - last;
        }
        if in_flight == 0 {
            idle += t - last;
        }
        by_count[(in_flight.max(0) as usize).min(6)] += t - last;
        in_flight += d;
        last = t;
    }
    let histogram: Vec<String> = by_count
        .iter()
        .enumerate()
        .map(|(n, ms)| {
            let n = if n == 6 {
                "6+".to_string()
            } else {
                n.to_string()
            };
            format!("{n}: {:.1} s", ms / 1000.0)
        })
        .collect();
    let mut took: Vec<f64> = spans.iter().map(|(a, b)| b - a).collect();
    took.sort_by(f64::total_cmp);
    let first = spans.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let end = spans.iter().map(|s| s.1).fold(0.0, f64::max);
    Ok(format!(
        "{} Jira requests from {first:.0} to {end:.0} ms after run: each took median {:.0} ms, p90 {:.0} ms, max {:.0} ms; fewer than 6 in flight for {under_six:.0} ms, none for {idle:.0} ms\nrequests in flight, time at each count: {}",
        spans.len(),
        took[took.len() / 2],
        took[took.len() * 9 / 10],
        took[took.len() - 1],
        histogram.join(", "),
    ))
}

/// Where the page thread's time went: the fetch driver's handling of each Jira answer (the
/// page's `dwell:answer` measures: the planner reading it, then handing it to the worker),
/// by purpose, and the main thread's long tasks (over 50 ms), with the answers handled
/// during the longest.
fn page_thread(s: &WebDriver) -> Result<String> {
    let v = s.script(
        "const run = (performance.getEntriesByName('dwell:run')[0] || {startTime: 0}).startTime;
         const answers = performance.getEntriesByName('dwell:answer').map(e =>
             [e.startTime - run, e.duration, (e.detail || {}).purpose || '', (e.detail || {}).bytes || 0,
              (e.detail || {}).readMs || 0]);
         const tasks = window.__dwellLongTasks.map(t => [t[0] - run, t[1]]);
         return [answers, tasks];",
        json!([]),
    )?;
    let rows = |i: usize| -> Vec<Vec<Value>> {
        v[i].as_array()
            .map(|a| a.iter().filter_map(|r| r.as_array().cloned()).collect())
            .unwrap_or_default()
    };
    let f = |r: &[Value], i: usize| r.get(i).and_then(Value::as_f64).unwrap_or(0.0);
    let answers = rows(0);
    let tasks = rows(1);
    let mut out = String::new();
    // (purpose, answers, total ms, longest ms, reading ms, megabytes)
    let mut by: Vec<(String, u32, f64, f64, f64, f64)> = Vec::new();
    for a in &answers {
        let purpose = a.get(2).and_then(Value::as_str).unwrap_or("").to_string();
        let i = match by.iter().position(|b| b.0 == purpose) {
            Some(i) => i,
            None => {
                by.push((purpose, 0, 0.0, 0.0, 0.0, 0.0));
                by.len() - 1
            }
        };
        let b = &mut by[i];
        b.1 += 1;
        b.2 += f(a, 1);
        b.3 = b.3.max(f(a, 1));
        b.4 += f(a, 4);
        b.5 += f(a, 3) / 1e6;
    }
    let total: f64 = by.iter().map(|b| b.2).sum();
    out.push_str(&format!(
        "page thread, handling {} Jira answers: {:.0} ms in all",
        answers.len(),
        total
    ));
    for b in &by {
        out.push_str(&format!(
            "\n  {}: {} answers, {:.1} MB, {:.0} ms (of it reading {:.0} ms), longest {:.0} ms",
            if b.0.is_empty() { "other" } else { &b.0 },
            b.1,
            b.5,
            b.2,
            b.4,
            b.3
        ));
    }
    let long: f64 = tasks.iter().map(|t| f(t, 1)).sum();
    out.push_str(&format!(
        "\nlong tasks (over 50 ms) during the run: {}, {:.0} ms in all",
        tasks.len(),
        long
    ));
    let mut sorted = tasks.clone();
    sorted.sort_by(|a, b| f(b, 1).total_cmp(&f(a, 1)));
    for t in sorted.iter().take(3) {
        let (at, took) = (f(t, 0), f(t, 1));
        let inside: Vec<&Vec<Value>> = answers
            .iter()
            .filter(|a| f(a, 0) < at + took && f(a, 0) + f(a, 1) > at)
            .collect();
        let handled: f64 = inside.iter().map(|a| f(a, 1)).sum();
        let biggest = inside
            .iter()
            .max_by(|a, b| f(a, 1).total_cmp(&f(b, 1)))
            .map(|a| {
                format!(
                    "; the longest: {} of {:.2} MB, {:.0} ms (reading {:.0} ms)",
                    a.get(2).and_then(Value::as_str).unwrap_or(""),
                    f(a, 3) / 1e6,
                    f(a, 1),
                    f(a, 4)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "\n  {took:.0} ms at {at:.0} ms after run: {} answers handled in it, {handled:.0} ms{biggest}",
            inside.len()
        ));
    }
    Ok(out)
}

/// The progress bar as the user saw it: the changes the page's animation-frame recorder
/// painted (a frame runs only when the page thread is free to render it), the longest
/// stretch without a painted move between "run" and the table, what the page said before
/// and after it, and what happened inside it (the driver's answers, long tasks, gaps between
/// frames, values the page set but had not painted yet); then the bar second by second.
/// Returns the report and the longest painted stillness in milliseconds. A sliding bar moves
/// by itself (a compositor animation), so its time is never still.
fn bar_trace(s: &WebDriver) -> Result<(String, f64)> {
    let v = s.script(
        "window.__dwellBarStop = true;
         const at = n => (performance.getEntriesByName(n)[0] || {startTime: NaN}).startTime;
         const run = at('dwell:run');
         const answers = performance.getEntriesByName('dwell:answer').map(e =>
             [e.startTime - run, e.duration, (e.detail || {}).purpose || '']);
         return [at('dwell:table') - run,
                 window.__dwellBar.map(b => [b[0] - run, b[1], b[2]]),
                 window.__dwellSet.map(b => [b[0] - run, b[1]]),
                 window.__dwellGaps.map(g => [g[0] - run, g[1]]),
                 window.__dwellLongTasks.map(t => [t[0] - run, t[1]]),
                 answers, window.__dwellFrames];",
        json!([]),
    )?;
    let table = v[0].as_f64().unwrap_or(f64::NAN);
    let rows = |i: usize| -> Vec<Vec<Value>> {
        v[i].as_array()
            .map(|a| a.iter().filter_map(|r| r.as_array().cloned()).collect())
            .unwrap_or_default()
    };
    let f = |r: &[Value], i: usize| r.get(i).and_then(Value::as_f64).unwrap_or(0.0);
    let text = |r: &[Value], i: usize| r.get(i).and_then(Value::as_str).unwrap_or("-").to_string();
    // Painted changes from "run" on (the one before it gives the state at "run").
    let painted = rows(1);
    let (set, gaps, tasks, answers) = (rows(2), rows(3), rows(4), rows(5));
    let width = |r: &[Value]| text(r, 1);
    // The longest still stretch: (from, to, index of the entry before, index after or None
    // for the table).
    let mut best = (0.0, 0.0, None::<usize>, None::<usize>);
    let mut moved = 0.0f64;
    let mut last: Option<usize> = None;
    for (i, r) in painted.iter().enumerate() {
        let t = f(r, 0).max(0.0);
        let changed = last.is_none_or(|j| width(&painted[j]) != width(r));
        if changed {
            let sliding = last.is_some_and(|j| width(&painted[j]) == "sliding");
            if !sliding && t - moved > best.1 - best.0 {
                best = (moved, t, last, Some(i));
            }
            moved = t;
        }
        last = Some(i);
    }
    if last.is_none_or(|j| width(&painted[j]) != "sliding") && table - moved > best.1 - best.0 {
        best = (moved, table, last, None);
    }
    let (from, to) = (best.0, best.1);
    let said = |i: Option<usize>| {
        i.and_then(|i| painted.get(i)).map_or_else(
            || "(the table)".to_string(),
            |r| format!("{} at {:.0} ms, \"{}\"", width(r), f(r, 0), text(r, 2)),
        )
    };
    let inside = |r: &[Value]| f(r, 0) < to && f(r, 0) + f(r, 1) > from;
    let mut by: Vec<(String, u32, f64)> = Vec::new();
    for a in answers.iter().filter(|a| inside(a)) {
        let p = text(a, 2);
        match by.iter_mut().find(|b| b.0 == p) {
            Some(b) => {
                b.1 += 1;
                b.2 += f(a, 1);
            }
            None => by.push((p, 1, f(a, 1))),
        }
    }
    let in_tasks: Vec<&Vec<Value>> = tasks.iter().filter(|t| inside(t)).collect();
    let in_gaps: Vec<&Vec<Value>> = gaps.iter().filter(|g| inside(g)).collect();
    let set_inside: Vec<String> = set
        .iter()
        .filter(|r| f(r, 0) > from && f(r, 0) < to)
        .map(|r| width(r))
        .collect();
    let mut out = format!(
        "progress bar as painted ({} frames; table at {table:.0} ms): longest still {:.0} ms, from {from:.0} to {to:.0} ms after run\n  before: {}\n  after: {}",
        v[6].as_u64().unwrap_or(0),
        to - from,
        said(best.2),
        said(best.3),
    );
    out.push_str(&format!(
        "\n  inside: {} answers handled ({}), {} long tasks ({:.0} ms), {} gaps over 50 ms between frames (longest {:.0} ms), {} widths set by the page ({})",
        by.iter().map(|b| b.1).sum::<u32>(),
        by.iter()
            .map(|b| format!("{} {} in {:.0} ms", b.1, if b.0.is_empty() { "other" } else { &b.0 }, b.2))
            .collect::<Vec<_>>()
            .join(", "),
        in_tasks.len(),
        in_tasks.iter().map(|t| f(t, 1)).sum::<f64>(),
        in_gaps.len(),
        in_gaps.iter().map(|g| f(g, 1)).fold(0.0, f64::max),
        set_inside.len(),
        match set_inside.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., end] => format!("{first} .. {end}"),
        },
    ));
    // The same measure over the values as the page set them, painted or not.
    let mut set_still = 0.0f64;
    let (mut moved, mut prev) = (0.0f64, None::<String>);
    for r in set.iter().filter(|r| f(r, 0) >= 0.0) {
        let w = width(r);
        if prev.as_ref() != Some(&w) {
            if prev.as_deref() != Some("sliding") {
                set_still = set_still.max(f(r, 0) - moved);
            }
            moved = f(r, 0);
            prev = Some(w);
        }
    }
    if prev.as_deref() != Some("sliding") {
        set_still = set_still.max(table - moved);
    }
    out.push_str(&format!(
        "\n  the same over the widths as the page set them: longest still {set_still:.0} ms"
    ));
    out.push_str("\n  the bar second by second (as painted):");
    let mut second = 0.0;
    while second < table {
        if let Some(r) = painted.iter().rev().find(|r| f(r, 0) <= second) {
            out.push_str(&format!(
                "\n    {:>5.1} s  {:>7}  {}",
                second / 1000.0,
                width(r),
                text(r, 2)
            ));
        }
        second += 1000.0;
    }
    Ok((out, to - from))
}

/// User plus system CPU time of this process so far, in milliseconds (Linux's
/// `/proc/self/stat`, in clock ticks of 10 ms); NaN where it cannot be read.
fn process_cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) * 10.0,
        _ => f64::NAN,
    }
}

/// The peak resident set (`VmHWM`) of every Chromium renderer process below `root` (the
/// ChromeDriver this bench started), summed: the page and its dedicated workers live in a
/// renderer, so this is the memory of page plus worker that `usedJSHeapSize` cannot see.
/// 0 where `/proc` cannot be read.
fn renderer_peak_rss(root: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let parents: Vec<(u32, u32)> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = stat.rsplit_once(')')?.1;
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let below_root = |mut pid: u32| {
        for _ in 0..16 {
            let Some(&(_, ppid)) = parents.iter().find(|(p, _)| *p == pid) else {
                return false;
            };
            if ppid == root {
                return true;
            }
            pid = ppid;
        }
        false
    };
    parents
        .iter()
        .filter(|(pid, _)| below_root(*pid))
        .filter(|(pid, _)| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.windows(15).any(|w| w == b"--type=renderer"))
        })
        .filter_map(|(pid, _)| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })
        .sum()
}

fn enc(s: &str) -> String {
    client::env::percent_encode(s)
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// The trunk build served over loopback HTTP, on its own thread: by Dwell's server, or as
/// plain static files (a Direct-mode deployment).
struct DwellServer {
    url: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl DwellServer {
    fn files(dist: &Path) -> Result<DwellServer> {
        let dist = dist.to_path_buf();
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new().service(
                        actix_files::Files::new("/", dist.clone()).index_file("index.html"),
                    )
                })
                .workers(2)
                .listen(listener);
                match server {
                    Ok(s) => {
                        let running = s.run();
                        let _ = tx.send(Ok(running.handle()));
                        let _ = running.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                    }
                }
            })
        });
        let handle = rx
            .recv()
            .map_err(|_| "the file server thread ended".to_string())??;
        Ok(DwellServer {
            url: format!("http://127.0.0.1:{port}"),
            handle,
            thread: Some(thread),
            _dir: None,
        })
    }

    fn start(dist: &Path, sim_url: &str) -> Result<DwellServer> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let keys = server::crypto::KeyRing::generate().map_err(|e| e.to_string())?;
        let mut settings =
            server::settings::Settings::for_database(dir.path().join("db.sqlite3"), keys);
        settings.listen = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
        settings.static_dir = Some(dist.to_path_buf());
        settings.workers = 2;
        settings.purge_interval = None;
        // Direct mode reaches this Jira from the page: the page's CSP must allow it.
        settings.csp.connect_src = vec![sim_url.to_string()];
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match server::Application::build(settings).await {
                    Ok(app) => {
                        let _ = tx.send(Ok((app.port(), app.handle())));
                        let _ = app.run_until_stopped().await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(format!("{e:#}")));
                    }
                }
            })
        });
        let (port, handle) = rx
            .recv()
            .map_err(|_| "the server thread ended".to_string())??;
        Ok(DwellServer {
            url: format!("http://127.0.0.1:{port}"),
            handle,
            thread: Some(thread),
            _dir: Some(dir),
        })
    }
}

impl Drop for DwellServer {
    fn drop(&mut self) {
        let stop = self.handle.stop(false);
        futures::executor::block_on(stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// ChromeDriver on a free loopback port, driving the system's Chromium.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    fn start() -> Result<ChromeDriver> {
        let port = free_port()?;
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {bin}: {e} (cargo xtask test installs it)"))?;
        if let Some(out) = child.stdout.take() {
            // Wait for "ChromeDriver was started successfully".
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if line.contains("started successfully") {
                    break;
                }
            }
        }
        Ok(ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    fn session(&self) -> Result<WebDriver> {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1280,900",
                         "--enable-precise-memory-info"]
            }
        }}});
        let v = post(&format!("{}/session", self.url), &caps)?;
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no WebDriver session: {v}"))?;
        Ok(WebDriver {
            base: format!("{}/session/{id}", self.url),
        })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(url: &str, body: &Value) -> Result<Value> {
    let mut r = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .map_err(|e| e.to_string())?;
    let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
}

/// One WebDriver session.
struct WebDriver {
    base: String,
}

impl WebDriver {
    fn go(&self, url: &str) -> Result {
        post(&format!("{}/url", self.base), &json!({ "url": url })).map(drop)
    }

    fn script(&self, script: &str, args: Value) -> Result<Value> {
        let v = post(
            &format!("{}/execute/sync", self.base),
            &json!({ "script": script, "args": args }),
        )?;
        if v["value"]["error"].is_string() {
            return Err(format!("script failed: {}", v["value"]["message"]));
        }
        Ok(v["value"].clone())
    }

    fn wait(&self, what: &str, seconds: u64, condition: &str) -> Result {
        let until = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < until {
            if self.script(condition, json!([]))?.as_bool() == Some(true) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let body = self
            .script("return document.body.innerText.slice(0, 600)", json!([]))
            .unwrap_or_default();
        Err(format!(
            "timed out waiting for {what}; the page shows: {body}"
        ))
    }

    fn close(&self) {
        let _ = agent().delete(&self.base).call();
    }
}

/// Blocking HTTP for the native run.
struct Ureq(ureq::Agent);

impl Ureq {
    fn new() -> Self {
        Ureq(agent())
    }
}

impl Http for Ureq {
    async fn fetch(
        &self,
        r: HttpRequest,
        cancel: &Cancel,
    ) -> std::result::Result<HttpResponse, HttpError> {
        if cancel.is_cancelled() {
            return Err(HttpError::Cancelled);
        }
        let answer = if r.method == "GET" {
            let mut req = self.0.get(&r.url);
            for (k, v) in &r.headers {
                req = req.header(*k, v);
            }
            req.call()
        } else {
            let mut req = self.0.post(&r.url);
            for (k, v) in &r.headers {
                req = req.header(*k, v);
            }
            req.send(r.body.unwrap_or_default())
        };
        let mut response = answer.map_err(|e| HttpError::Network(e.to_string()))?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(HttpResponse {
            status: response.status().as_u16(),
            retry_after,
            etag: None,
            body: response
                .body_mut()
                .read_to_vec()
                .map_err(|e| HttpError::Network(e.to_string()))?
                .into(),
        })
    }
}

struct WallClock(Instant);

impl Clock for WallClock {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }

    async fn sleep(&self, ms: f64) {
        std::thread::sleep(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }

    fn random(&self) -> f64 {
        0.5
    }
}
