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
//! ```
//!
//! `--timesheet` runs a timesheet instead (hours per person and month over the data's whole
//! year, so every worklog counts) on data with five times the usual worklogs (`worklog_scale`
//! 5: about 200,000 on 10,000 issues); the native figure fetches with the same narrowed plan.
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
        "{:>7} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10} {:>9} {:>9}",
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
        "longtask"
    );
    for (issues, latency) in cases {
        let figures = case(&driver, &dist, flavour, issues, latency, quick)?;
        println!(
            "{:>7} {:>6}ms {:>8.0}ms {:>7.0}ms {:>7.0}ms {:>7.1}ms {:>7.1}ms {:>6.1}ms {:>8} {:>10.1} {:>9.2} {:>7.0}ms",
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
        &server.url,
        &sim_url,
        &sim,
        flavour,
        issues,
        quick,
    );
    session.close();
    let (page, requests) = outcome?;
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

fn drive(
    s: &WebDriver,
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
    s.script(
        "window.__dwellLongTasks = [];
         new PerformanceObserver(l => l.getEntries().forEach(e => window.__dwellLongTasks.push(e.duration)))
             .observe({entryTypes: ['longtask']});
         performance.clearMarks(); performance.clearMeasures();
         const t = document.querySelector('textarea'); t.value = arguments[0];
         t.dispatchEvent(new Event('input', {bubbles: true}));
         [...document.querySelectorAll('button')].find(b => b.textContent.includes('Check and use')).click();",
        json!([config.to_string()]),
    )?;
    // Wait for the first rows of the table, sampling the page's heap.
    let started = Instant::now();
    let mut peak_heap = 0u64;
    loop {
        let v = s.script(
            "const m = performance.memory ? performance.memory.usedJSHeapSize : 0;
             const done = performance.getEntriesByName('dwell:table').length > 0;
             const err = document.querySelector('.panel-error');
             return [m, done, err ? err.textContent : null];",
            json!([]),
        )?;
        peak_heap = peak_heap.max(v[0].as_u64().unwrap_or(0));
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
    let t = s.script(
        "const at = n => (performance.getEntriesByName(n)[0] || {startTime: NaN}).startTime;
         const took = n => (performance.getEntriesByName(n)[0] || {duration: NaN}).duration;
         return [at('dwell:run'), at('dwell:fetched'), at('dwell:table'), took('dwell:engine'),
                 took('dwell:ingest'), (document.querySelector('.toolbar .count')||{}).textContent,
                 Math.max(0, ...window.__dwellLongTasks)];",
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
                .read_to_string()
                .map_err(|e| HttpError::Network(e.to_string()))?,
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
