//! Authentication, per-credential rate limits (429 with `Retry-After` and `X-RateLimit-*`),
//! fault and latency injection, CORS with preflight, and the admin counters.

use std::time::{Duration, Instant};

use jira_sim::{Faults, Flavor, RateLimit, SimConfig};
use serde_json::json;

use crate::support::*;

#[test]
fn only_known_credentials_get_in() {
    let sim = sim(30, Flavor::Cloud);
    let me = |auth: &str| get_as(&sim, "/rest/api/3/myself", auth);
    assert_eq!(me(&sim.basic_auth("eve")).json["displayName"], "Eve Evans");
    assert_eq!(
        me(&sim.bearer_auth("femi")).json["displayName"],
        "Femi Okafor"
    );
    assert_eq!(me("Bearer sim-token").json["displayName"], "Ada Admin");
    for bad in [
        "",
        "Basic ZXZlQGR3ZWxsLmV4YW1wbGU6d3Jvbmc=", // eve@dwell.example:wrong
        "Basic bm9ib2R5QGR3ZWxsLmV4YW1wbGU6c2ltLXRva2Vu", // nobody@dwell.example:sim-token
        "Basic !!!",
        "Bearer sim-token-nobody",
        "Bearer nope",
        "JWT not.a.token",
        "Digest abc",
    ] {
        let r = me(bad);
        assert_eq!(r.status, 401, "{bad:?}");
        assert!(
            r.errors()[0].contains("authenticated") || bad.starts_with("JWT"),
            "{:?}",
            r.errors()
        );
    }
    let r = agent().get(sim.url("/rest/api/3/myself")).call().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
}

#[test]
fn rate_limits_are_per_credential_with_jiras_headers() {
    let sim = sim_with(
        30,
        SimConfig {
            rate_limit: Some(RateLimit {
                per_second: 1,
                burst: 5,
            }),
            ..SimConfig::default()
        },
    );
    let mut limited = Vec::new();
    let mut ok = 0;
    for _ in 0..12 {
        let r = get(&sim, "/rest/api/3/myself");
        match r.status {
            200 => {
                ok += 1;
                assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
                assert!(r.header("x-ratelimit-remaining").is_some());
            }
            429 => limited.push(r),
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    assert!(
        (5..=7).contains(&ok),
        "the burst of 5 (plus refills) passes: {ok}"
    );
    assert!(!limited.is_empty());
    for r in &limited {
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(
            (1..=2).contains(&retry),
            "Retry-After in whole seconds: {retry}"
        );
        assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
        assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
        assert!(
            r.header("x-ratelimit-reset").is_some_and(|v| {
                // Jira's form, to the minute: `yyyy-MM-ddTHH:mmZ`.
                v.len() == "2026-12-06T20:33Z".len() && v.parse::<jiff::Timestamp>().is_ok()
            }),
            "{:?}",
            r.header("x-ratelimit-reset")
        );
        assert_eq!(r.errors(), vec!["Rate limit exceeded.".to_string()]);
    }
    // Another credential has its own budget.
    assert_eq!(
        get_as(&sim, "/rest/api/3/myself", &sim.basic_auth("ben")).status,
        200
    );
    // Honouring Retry-After works.
    let wait: u64 = limited
        .last()
        .unwrap()
        .header("retry-after")
        .unwrap()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_secs(wait));
    assert_eq!(get(&sim, "/rest/api/3/myself").status, 200);
    assert_eq!(sim.stats().rate_limited as usize, limited.len());
    assert_eq!(sim.stats().by_status[&429] as usize, limited.len());
}

/// The gate answers a 429 before the router has matched the request: the counters filed
/// `POST /issue/bulkfetch` refusals under `GET /issue/{key}` (the first pattern the path fits).
#[test]
fn refusals_are_counted_under_the_route_they_were_sent_to() {
    let sim = sim_with(
        30,
        SimConfig {
            rate_limit: Some(RateLimit {
                per_second: 1,
                burst: 1,
            }),
            ..SimConfig::default()
        },
    );
    let body = json!({"issueIdsOrKeys": ["PLAT-1"], "fields": ["status"]});
    let statuses: Vec<u16> = (0..4)
        .map(|_| post(&sim, "/rest/api/3/issue/bulkfetch", &body).status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let stats = sim.stats();
    assert_eq!(
        stats.by_route.get("POST /rest/api/3/issue/bulkfetch"),
        Some(&4),
        "{:?}",
        stats.by_route
    );
    assert_eq!(stats.by_route.len(), 1, "{:?}", stats.by_route);
}

#[test]
fn injected_errors_drops_and_latency_happen() {
    let sim = sim(30, Flavor::Cloud);
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let mut statuses = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let r = get(&sim, "/rest/api/3/myself");
        if r.status == 503 {
            assert_eq!(r.header("retry-after"), Some("1"));
        }
        statuses.insert(r.status);
    }
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), vec![500, 503]);
    assert_eq!(sim.stats().injected_errors, 20);

    sim.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let cut = agent()
        .get(sim.url("/rest/api/3/status"))
        .header("Authorization", &sim.basic_auth("ada"))
        .call()
        .and_then(|mut r| r.body_mut().read_to_string());
    assert!(cut.is_err(), "the connection is cut mid-response: {cut:?}");
    assert_eq!(sim.stats().dropped, 1);

    sim.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let t = Instant::now();
    assert_eq!(get(&sim, "/rest/api/3/myself").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    // The admin endpoint is never slowed or failed.
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        agent()
            .get(sim.url("/_sim/stats"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[test]
fn knobs_turn_at_run_time_through_the_admin_endpoint() {
    let sim = sim(30, Flavor::Cloud);
    let put = |body: serde_json::Value| {
        agent()
            .put(sim.url("/_sim/config"))
            .send_json(&body)
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        put(json!({"faults": {"errorRate": 1.0}, "rateLimit": {"perSecond": 3, "burst": 3}})),
        200
    );
    assert!(get(&sim, "/rest/api/3/myself").status >= 500);
    assert_eq!(put(json!({"faults": {"errorRate": 2.0}})), 400);
    assert_eq!(put(json!({"faults": {"bogus": 1}})), 400);
    assert_eq!(put(json!({"faults": {}, "rateLimit": null})), 200);
    assert_eq!(get(&sim, "/rest/api/3/myself").status, 200);
    let cfg: serde_json::Value = agent()
        .get(sim.url("/_sim/config"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert!(cfg["rateLimit"].is_null());
    sim.reset_stats();
    get(&sim, "/rest/api/3/status");
    post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": "project = PLAT"}),
    );
    let stats: serde_json::Value = agent()
        .get(sim.url("/_sim/stats"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(stats["requests"], 2);
    assert_eq!(stats["byRoute"]["GET /rest/api/3/status"], 1);
    assert_eq!(stats["byRoute"]["POST /rest/api/3/search/jql"], 1);
}

#[test]
fn cors_allows_listed_origins_with_preflight() {
    let app = "http://127.0.0.1:8080";
    let sim = sim_with(
        30,
        SimConfig {
            cors_origins: vec![app.into()],
            rate_limit: Some(RateLimit {
                per_second: 1,
                burst: 1,
            }),
            ..SimConfig::default()
        },
    );
    let preflight = |origin: &str| {
        agent()
            .options(sim.url("/rest/api/3/search/jql"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .call()
            .unwrap()
    };
    let ok = preflight(app);
    assert_eq!(ok.status().as_u16(), 200);
    let h = |r: &ureq::http::Response<ureq::Body>, n: &str| {
        r.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_lowercase())
    };
    assert_eq!(h(&ok, "access-control-allow-origin").as_deref(), Some(app));
    assert!(
        h(&ok, "access-control-allow-methods")
            .unwrap()
            .contains("post")
    );
    assert!(
        h(&ok, "access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    assert_eq!(
        h(&ok, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let refused = preflight("http://evil.example");
    assert!(h(&refused, "access-control-allow-origin").is_none());
    assert_eq!(sim.stats().preflights, 2);
    // Actual requests carry the allow-origin header, 429s included, and expose Retry-After.
    let call = || {
        agent()
            .get(sim.url("/rest/api/3/myself"))
            .header("Origin", app)
            .header("Authorization", &sim.basic_auth("ada"))
            .call()
            .unwrap()
    };
    let first = call();
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(
        h(&first, "access-control-allow-origin").as_deref(),
        Some(app)
    );
    let second = call();
    assert_eq!(second.status().as_u16(), 429);
    assert_eq!(
        h(&second, "access-control-allow-origin").as_deref(),
        Some(app)
    );
    assert!(
        h(&second, "access-control-expose-headers")
            .unwrap()
            .contains("retry-after")
    );
}

#[test]
fn bad_bodies_get_clear_errors() {
    let sim = sim(30, Flavor::Cloud);
    let raw = |path: &str, body: &str| {
        let mut r = agent()
            .post(sim.url(path))
            .header("Authorization", &sim.basic_auth("ada"))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let (status, text) = raw("/rest/api/3/search/jql", "{not json");
    assert_eq!(status, 400);
    assert!(text.contains("Invalid request payload"), "{text}");
    let (status, _) = raw("/rest/api/3/changelog/bulkfetch", "{\"issueIdsOrKeys\": 5}");
    assert_eq!(status, 400);
    let huge = format!("{{\"jql\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let (status, _) = raw("/rest/api/3/search/jql", &huge);
    assert_eq!(status, 413);
}
