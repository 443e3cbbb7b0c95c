//! Loopback load benchmark of dwell-server: authenticated report reads, then writes.
//!
//! `cargo bench -p server --bench load` runs 60 s of reads and 20 s of writes and prints
//! throughput, latency percentiles and errors (docs/PERFORMANCE.md records the figures). Run
//! without `--bench` (as `cargo test --bench load` does) it is a 2-second smoke run that fails
//! on any error. `--seconds N` sets the read phase; `--connections N` the concurrency.
//!
//! The server is the real `Application` on 127.0.0.1 port 0 with a real SQLite file, logging
//! to a sink at info level as in production. The generator is awc on one thread, so server and
//! generator share the machine's cores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use server::crypto::KeyRing;
use server::settings::Settings;
use server::store::{self, Db, Installation};

const TENANTS: usize = 4;
const REPORTS_PER_TENANT: usize = 50;

struct Options {
    read_seconds: u64,
    write_seconds: u64,
    connections: usize,
    full: bool,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let read_seconds = value("--seconds").unwrap_or(if full { 60 } else { 2 });
    Options {
        read_seconds,
        write_seconds: if full { 20 } else { 1 },
        connections: value("--connections").map_or(32, |c| c as usize),
        full,
    }
}

fn token(client_key: &str, secret: &str, account: &str) -> String {
    let now = jiff::Timestamp::now().as_second();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": client_key, "sub": account, "iat": now, "exp": now + 3600, "qsh": "context-qsh"}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: usize,
}

fn main() {
    let opts = options();
    tracing_subscriber::fmt()
        .with_writer(std::io::sink)
        .with_env_filter("info")
        .init();
    let dir = tempfile::tempdir().unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    let keys = KeyRing::parse(&key).unwrap();
    let db_path = dir.path().join("bench.sqlite3");

    // Tenants installed straight into the store (the lifecycle has its own tests).
    let db = Db::open(&db_path, 1).unwrap();
    let tenants: Vec<(String, String)> = (0..TENANTS)
        .map(|i| {
            (
                format!("bench-{i}"),
                format!("bench-secret-{i}-0123456789abcdef"),
            )
        })
        .collect();
    for (client_key, secret) in &tenants {
        let installation = Installation {
            client_key: client_key.clone(),
            base_url: format!("https://{client_key}.atlassian.test"),
            display_url: None,
            sealed_secret: keys.seal(secret.as_bytes(), client_key).unwrap(),
        };
        let mut conn = db.conn().unwrap();
        store::install(&mut conn, &installation, jiff::Timestamp::now()).unwrap();
        // The benchmark's user is an admin of every site, one grant per site.
        store::grant_admin(
            &conn,
            &installation.client_key,
            "bench-user",
            jiff::Timestamp::now(),
        )
        .unwrap();
    }
    drop(db);

    let mut settings = Settings::for_database(&db_path, keys);
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.workers = 2;
    settings.purge_interval = None;
    settings.rate_limit_per_second = 1_000_000;
    settings.rate_limit_burst = 1_000_000;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = server::Application::build(settings).await.unwrap();
            tx.send(app.port()).unwrap();
            app.run_until_stopped().await.unwrap();
        })
    });
    let port = rx.recv().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let tokens: Vec<String> = tenants
        .iter()
        .map(|(k, s)| token(k, s, "bench-user"))
        .collect();

    actix_web::rt::System::new().block_on(async move {
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(10))
            .finish();
        // Writes to set up: reports for every tenant.
        let mut reports: Vec<(usize, String)> = Vec::new();
        for (t, tok) in tokens.iter().enumerate() {
            for i in 0..REPORTS_PER_TENANT {
                let body = json!({"config": {"schemaVersion": 1, "name": format!("Report {i}"),
                    "description": "a benchmark report", "jql": "project = BENCH ORDER BY created",
                    "kind": {"type": "timeInStatus"}}});
                let mut res = client
                    .post(format!("{base}/api/v1/reports"))
                    .insert_header(("Authorization", format!("JWT {tok}")))
                    .send_json(&body)
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 201);
                let v: Value = res.json().await.unwrap();
                reports.push((t, v["id"].as_str().unwrap().to_string()));
            }
        }
        let reports = Rc::new(reports);
        let tokens = Rc::new(tokens);

        println!(
            "dwell-server load: {} tenants x {} reports, {} connections, {} s reads, {} s writes{}",
            TENANTS,
            REPORTS_PER_TENANT,
            opts.connections,
            opts.read_seconds,
            opts.write_seconds,
            if opts.full { "" } else { " (smoke run)" }
        );
        // Warm-up, not measured.
        run_phase(
            &client,
            &base,
            &tokens,
            &reports,
            opts.connections,
            Duration::from_millis(500),
            false,
        )
        .await;
        let reads = run_phase(
            &client,
            &base,
            &tokens,
            &reports,
            opts.connections,
            Duration::from_secs(opts.read_seconds),
            false,
        )
        .await;
        report("reads  GET /api/v1/reports/{id}", &reads, opts.read_seconds);
        let writes = run_phase(
            &client,
            &base,
            &tokens,
            &reports,
            opts.connections.min(8),
            Duration::from_secs(opts.write_seconds),
            true,
        )
        .await;
        report(
            "writes PUT /api/v1/reports/{id}",
            &writes,
            opts.write_seconds,
        );
        assert_eq!(reads.errors, 0, "read errors");
        assert_eq!(writes.errors, 0, "write errors");
    });
}

/// `connections` loops for `length`: reads of random reports, or updates of each loop's own
/// report (so writes do not conflict with each other).
async fn run_phase(
    client: &awc::Client,
    base: &str,
    tokens: &Rc<Vec<String>>,
    reports: &Rc<Vec<(usize, String)>>,
    connections: usize,
    length: Duration,
    write: bool,
) -> Tally {
    let tally = Rc::new(RefCell::new(Tally::default()));
    let deadline = Instant::now() + length;
    let loops = (0..connections).map(|c| {
        let (client, tally, tokens, reports) = (
            client.clone(),
            tally.clone(),
            tokens.clone(),
            reports.clone(),
        );
        let base = base.to_string();
        async move {
            let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (c as u64 + 1);
            let mut version: Option<u64> = None;
            while Instant::now() < deadline {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let (tenant, id) = if write {
                    &reports[c % reports.len()]
                } else {
                    &reports[(seed % reports.len() as u64) as usize]
                };
                let auth = format!("JWT {}", tokens[*tenant]);
                let url = format!("{base}/api/v1/reports/{id}");
                let started = Instant::now();
                let ok = if write {
                    let current = match version {
                        Some(v) => v,
                        None => {
                            let mut res = client
                                .get(&url)
                                .insert_header(("Authorization", auth.clone()))
                                .send()
                                .await
                                .unwrap();
                            let v: Value = res.json().await.unwrap();
                            v["version"].as_u64().unwrap()
                        }
                    };
                    let body = json!({"version": current, "config": {"schemaVersion": 1,
                        "name": format!("Report updated {seed}"), "jql": "project = BENCH",
                        "kind": {"type": "timeInStatus"}}});
                    match client
                        .put(&url)
                        .insert_header(("Authorization", auth))
                        .send_json(&body)
                        .await
                    {
                        Ok(mut res) if res.status().as_u16() == 200 => {
                            let v: Value = res.json().await.unwrap();
                            version = v["version"].as_u64();
                            true
                        }
                        _ => false,
                    }
                } else {
                    match client
                        .get(&url)
                        .insert_header(("Authorization", auth))
                        .send()
                        .await
                    {
                        Ok(mut res) => res.status().as_u16() == 200 && res.body().await.is_ok(),
                        Err(_) => false,
                    }
                };
                let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                let mut t = tally.borrow_mut();
                t.latencies_us.push(us);
                if !ok {
                    t.errors += 1;
                }
            }
        }
    });
    futures_util::future::join_all(loops).await;
    Rc::try_unwrap(tally).ok().unwrap().into_inner()
}

fn report(what: &str, tally: &Tally, seconds: u64) {
    let mut l = tally.latencies_us.clone();
    l.sort_unstable();
    let pct = |p: f64| {
        if l.is_empty() {
            0.0
        } else {
            l[((l.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0
        }
    };
    println!(
        "{what}: {} requests, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms, errors {}",
        l.len(),
        l.len() as f64 / seconds.max(1) as f64,
        pct(0.50),
        pct(0.99),
        pct(0.999),
        l.last().copied().unwrap_or(0) as f64 / 1000.0,
        tally.errors
    );
}
