//! Personal data reporting on Forge, end to end over loopback HTTP: the app's real function
//! (`forge/src/personal-data.js`) runs under node with Atlassian's real `@forge/api`, its
//! runtime's network pointed at jira-sim (`xtask/forge/run-scheduled.cjs`), against the real
//! server and its SQLite file. jira-sim fires the manifest's (daily) scheduled trigger, carries
//! the function's `invokeRemote` calls to the server with a Forge Invocation Token naming no
//! user, and answers `privacy.reportPersonalData` from its list of closed accounts, recording
//! each batch. The server reports a site once a cycle (7 days here): a run within the cycle
//! reports nothing, a run after it or after a failed one reports. A user's token, sent through the Custom UI's `invokeRemote`, is refused on both
//! routes, and a report Atlassian keeps refusing erases nothing. The routes' own checks
//! (a UI context without a principal, bad bodies) are sent with tokens signed here.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jira_sim::RunningSim;
use serde_json::{Value, json};

use crate::forge::{
    ADA, BEN, CLOUD_ID, UUID, bearer, fit_claims, forge_app, installation, lifecycle,
};
use crate::forge_fit::{KID, jwk, serve_jwks, sign};
use crate::forge_sim::{
    create_report, development, forge_sim, get_json, invoke, manifest, merged_jwks, post_json,
    sign_in,
};
use crate::helpers::*;

const TRIGGER: &str = "dwell-personal-data-daily";
/// The report cycle the site's server runs with (`--accounts-report-days 7`, the default).
const CYCLE: Duration = Duration::from_secs(7 * 86_400);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What the function's run printed, and whether it succeeded.
struct Ran {
    ok: bool,
    output: String,
}

impl Ran {
    /// The summary the function answered the platform with, `{statusCode: 200, body}`.
    fn summary(&self) -> Value {
        assert!(self.ok, "the function failed:\n{}", self.output);
        let last = self.output.trim().lines().last().unwrap_or_default();
        let answer: Value = serde_json::from_str(last).expect(&self.output);
        assert_eq!(answer["statusCode"], 200, "{}", self.output);
        serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
    }
}

/// Fires the scheduled trigger on `sim` and runs the app's function under node.
async fn run_function(sim: &RunningSim) -> Ran {
    let modules = root().join(".tools/forge/node_modules");
    assert!(
        modules.join("@forge/api/package.json").is_file(),
        "@forge/api is not installed in {}: run `cargo xtask test --only setup`",
        modules.display()
    );
    let script = root().join("xtask/forge/run-scheduled.cjs");
    let app = root().join("forge");
    let sim_url = sim.base_url.clone();
    let out = actix_web::rt::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(app)
            .arg(sim_url)
            .arg(TRIGGER)
            .env("NODE_PATH", modules)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs (the Forge tests need node)");
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Ran {
        ok: out.status.success(),
        output,
    }
}

/// The database file and its WAL, as bytes.
fn stored_bytes(server: &TestApp) -> Vec<u8> {
    let mut bytes = std::fs::read(&server.db_path).unwrap();
    let wal = server.db_path.with_extension("sqlite3-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn holds(bytes: &[u8], id: &str) -> bool {
    bytes.windows(id.len()).any(|w| w == id.as_bytes())
}

async fn sim_json(sim: &RunningSim, path: &str) -> Value {
    get_json(&sim.url(path)).await
}

/// A site on jira-sim with the app installed by ada, whose data names ben (granted the
/// edit-reports right, an editor of ada's report, the creator of his own), chloe (a viewer)
/// and 99 more granted accounts: 102 accounts, more than one report batch.
struct Site {
    server: TestApp,
    sim: RunningSim,
    ada: String,
    ben: String,
    chloe: String,
    ada_cookie: String,
}

async fn site() -> Site {
    let app_id = manifest().id.clone();
    let upstream = Arc::new(Mutex::new(String::new()));
    let jwks_url = merged_jwks(upstream.clone()).await;
    let server = TestApp::spawn_with(|s| {
        s.forge = Some(development(&app_id, jwks_url));
        s.accounts_report_cycle = Some(CYCLE);
    });
    let sim = forge_sim(&server, &upstream);
    let (status, inst) = post_json(&sim.url("/_sim/forge/install"), None, json!({})).await;
    assert_eq!(status, 200, "{inst:?}");
    let users = &sim.data.site.users;
    let (ada, ben, chloe) = (
        users[0].account_id.clone(),
        users[1].account_id.clone(),
        users[2].account_id.clone(),
    );
    let ada_cookie = sign_in(&sim, "ada").await;
    let mut grants = vec![json!({"type": "user", "accountId": ben})];
    grants.extend((0..99).map(
        |n| json!({"type": "user", "accountId": format!("557058:00000000-0000-4000-8000-{n:012}")}),
    ));
    let (_, reply) = post_json(
        &sim.url("/_sim/forge/bridge/invoke"),
        Some(&ada_cookie),
        json!({"moduleKey": "dwell-global", "payload": {
            "path": "/api/v1/permissions",
            "method": "PUT",
            "headers": {"Content-Type": "application/json", "If-Match": "\"0\""},
            "body": {"editReports": grants},
            "invokeType": "ui-remote-fetch"
        }}),
    )
    .await;
    assert_eq!(reply["payload"]["status"], 200, "{reply:?}");
    let mut shared = report("Shared with ben and chloe");
    shared["access"] = json!({
        "editors": [{"type": "user", "accountId": ben}],
        "viewers": [{"type": "user", "accountId": chloe}],
    });
    let created = invoke(&sim, &ada_cookie, "POST", "/api/v1/reports", Some(shared)).await;
    assert_eq!(created["status"], 201, "{created:?}");
    let ben_cookie = sign_in(&sim, "ben").await;
    let own = create_report(&sim, &ben_cookie, "Ben's own").await;
    assert_eq!(own["status"], 201, "{own:?}");
    assert_eq!(own["body"]["createdBy"], ben.as_str());
    Site {
        server,
        sim,
        ada,
        ben,
        chloe,
        ada_cookie,
    }
}

async fn close_accounts(sim: &RunningSim, knob: Value) {
    let (status, reply) = post_json(&sim.url("/_sim/accounts"), None, knob).await;
    assert_eq!(status, 204, "{reply:?}");
}

fn reported_at(server: &TestApp) -> Option<i64> {
    server
        .db()
        .query_row("SELECT accounts_reported_at FROM tenants", [], |r| r.get(0))
        .unwrap()
}

/// Sets when the site was last reported, `ago` before now, as a report then would have.
fn set_reported_ago(server: &TestApp, ago: Duration) {
    let at = jiff::Timestamp::now() - jiff::SignedDuration::try_from(ago).unwrap();
    let conn = rusqlite::Connection::open(&server.db_path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let changed = conn
        .execute(
            "UPDATE tenants SET accounts_reported_at = ?1",
            [at.as_millisecond()],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

async fn reported_batches(sim: &RunningSim) -> Vec<Value> {
    let reported = sim_json(sim, "/_sim/accounts/reported").await;
    reported["batches"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn the_scheduled_function_reports_the_sites_accounts_and_the_closed_one_is_erased() {
    let Site {
        server,
        sim,
        ada,
        ben,
        chloe,
        ..
    } = site().await;
    close_accounts(&sim, json!({"closed": [ben]})).await;
    assert!(holds(&stored_bytes(&server), &ben), "ben is stored before");
    assert_eq!(reported_at(&server), None);

    let ran = run_function(&sim).await;
    assert_eq!(
        ran.summary(),
        json!({"due": true, "reported": 102, "closed": 1, "erased": 1, "updated": 0}),
        "{}",
        ran.output
    );

    // jira-sim received every stored account once, at most 90 a request, from the app.
    let reported = sim_json(&sim, "/_sim/accounts/reported").await;
    let batches = reported["batches"].as_array().unwrap();
    let sizes: Vec<usize> = batches
        .iter()
        .map(|b| b["accounts"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [90, 12], "{reported}");
    assert!(
        batches
            .iter()
            .all(|b| b["appKey"] == manifest().id.as_str())
    );
    let mut ids: Vec<&str> = batches
        .iter()
        .flat_map(|b| b["accounts"].as_array().unwrap())
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 102);
    for id in [&ada, &ben, &chloe] {
        assert!(ids.contains(&id.as_str()), "{id} reported");
    }

    // Ben is gone from the database file and its WAL; ada and chloe remain.
    let bytes = stored_bytes(&server);
    assert!(!holds(&bytes, &ben), "the closed account is erased");
    assert!(
        holds(&bytes, &ada) && holds(&bytes, &chloe),
        "the others remain"
    );
    let mut creators: Vec<String> = server
        .db()
        .prepare("SELECT created_by FROM reports")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    creators.sort_unstable();
    let mut expected = vec![ada.clone(), "closed-account".to_string()];
    expected.sort_unstable();
    assert_eq!(creators, expected);
    let reported = reported_at(&server);
    assert!(reported.is_some(), "the site is reported");

    // The trigger runs daily (and Forge may run a function twice): right after a report the
    // site is not due, and the run reports nothing and erases nothing.
    close_accounts(&sim, json!({"closed": [chloe]})).await;
    let again = run_function(&sim).await;
    assert_eq!(again.summary(), json!({"due": false}), "{}", again.output);
    assert_eq!(reported_batches(&sim).await.len(), 2, "no new report");
    assert!(holds(&stored_bytes(&server), &chloe), "nothing erased");
    assert_eq!(reported_at(&server), reported, "still reported then");
}

#[actix_web::test]
async fn a_reported_site_is_due_again_once_its_cycle_has_passed() {
    let Site {
        server, sim, ben, ..
    } = site().await;
    close_accounts(&sim, json!({"closed": [ben]})).await;
    // Reported six days ago: within the cycle, not due.
    set_reported_ago(&server, CYCLE - Duration::from_secs(86_400));
    let ran = run_function(&sim).await;
    assert_eq!(ran.summary(), json!({"due": false}), "{}", ran.output);
    assert_eq!(reported_batches(&sim).await, Vec::<Value>::new());
    assert!(holds(&stored_bytes(&server), &ben), "nothing erased");

    // Reported a cycle and a minute ago: due, reported and erased, and reported now.
    set_reported_ago(&server, CYCLE + Duration::from_secs(60));
    let before = jiff::Timestamp::now().as_millisecond();
    let ran = run_function(&sim).await;
    assert_eq!(
        ran.summary(),
        json!({"due": true, "reported": 102, "closed": 1, "erased": 1, "updated": 0}),
        "{}",
        ran.output
    );
    assert_eq!(reported_batches(&sim).await.len(), 2);
    assert!(
        !holds(&stored_bytes(&server), &ben),
        "the closed account is erased"
    );
    assert!(
        reported_at(&server).unwrap() >= before,
        "reported again now"
    );
}

#[actix_web::test]
async fn a_users_token_can_neither_list_nor_erase_accounts() {
    let site = site().await;
    let (sim, cookie) = (&site.sim, &site.ada_cookie);
    // Ada, the site's admin, calls the routes from the Custom UI: her FIT names her.
    let listed = invoke(sim, cookie, "GET", "/forge/personal-data/accounts", None).await;
    assert_eq!(listed["status"], 403, "{listed:?}");
    let erase = invoke(
        sim,
        cookie,
        "POST",
        "/forge/personal-data/closed",
        Some(json!({"closed": [site.ben]})),
    )
    .await;
    assert_eq!(erase["status"], 403, "{erase:?}");
    // No token at all.
    let res = awc::Client::default()
        .get(format!("{}/forge/personal-data/accounts", site.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(
        holds(&stored_bytes(&site.server), &site.ben),
        "nothing erased"
    );
    assert_eq!(reported_at(&site.server), None);
}

#[actix_web::test]
async fn a_report_atlassian_keeps_refusing_erases_nothing_and_leaves_the_site_due() {
    let site = site().await;
    // Every report is answered 429: the function waits out Retry-After three times, then fails.
    close_accounts(&site.sim, json!({"closed": [site.ben], "throttle": 1000})).await;
    let ran = run_function(&site.sim).await;
    assert!(!ran.ok, "the function should fail:\n{}", ran.output);
    assert!(ran.output.contains("answered 429"), "{}", ran.output);
    let reported = sim_json(&site.sim, "/_sim/accounts/reported").await;
    assert_eq!(
        reported["throttled"], 4,
        "one try and three waits: {reported}"
    );
    assert_eq!(reported["batches"], json!([]));
    assert!(
        holds(&stored_bytes(&site.server), &site.ben),
        "nothing erased"
    );
    assert_eq!(reported_at(&site.server), None, "the site stays due");

    // Once Atlassian answers, the next day's run finds the site still due and reports it.
    close_accounts(&site.sim, json!({"closed": [site.ben]})).await;
    let ran = run_function(&site.sim).await;
    assert_eq!(
        ran.summary(),
        json!({"due": true, "reported": 102, "closed": 1, "erased": 1, "updated": 0}),
        "{}",
        ran.output
    );
    assert_eq!(reported_batches(&site.sim).await.len(), 2);
    assert!(!holds(&stored_bytes(&site.server), &site.ben));
    assert!(reported_at(&site.server).is_some());
}

const ACCOUNTS: &str = "/forge/personal-data/accounts";
const CLOSED: &str = "/forge/personal-data/closed";

#[actix_web::test]
async fn the_routes_take_a_backend_token_only_and_refuse_bad_bodies_with_a_reason() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);
    let inst = installation(UUID);
    // A function's invocation: no principal, no UI context.
    let backend = || {
        let mut c = fit_claims(&inst, None);
        c["app"]["module"] = json!({"type": "core:scheduledTrigger", "key": TRIGGER});
        c["context"] = json!({"cloudId": CLOUD_ID, "moduleKey": TRIGGER});
        sign(&c, "install-key.pem", KID)
    };
    // This server reports no site (`--accounts-report-days 0`): never due, no list.
    let listed = bearer(&app, &backend(), "GET", ACCOUNTS, None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body, json!({"due": false}));

    // A UI module's context without a principal is still a UI call: refused.
    let mut ui = fit_claims(&inst, Some(BEN));
    ui.as_object_mut().unwrap().remove("principal");
    let refused = bearer(
        &app,
        &sign(&ui, "install-key.pem", KID),
        "GET",
        ACCOUNTS,
        None,
    )
    .await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);

    // Bad bodies: each refused with a 400 and a reason, nothing erased.
    let too_many: Vec<&str> = vec!["x"; 10_001];
    for body in [
        json!({"closed": ADA}),
        json!({"closed": ["not an id"]}),
        json!({"closed": [ADA], "more": 1}),
        json!([ADA]),
        json!({"closed": too_many}),
    ] {
        let res = bearer(&app, &backend(), "POST", CLOSED, Some(body.clone())).await;
        assert_eq!(res.status, 400, "{body}: {:?}", res.body);
        assert!(
            !res.body["message"].as_str().unwrap_or("").is_empty(),
            "{:?}",
            res.body
        );
    }
    let admins = || -> i64 {
        app.db()
            .query_row("SELECT count(*) FROM tenant_admins", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(admins(), 1);
    // An id the site does not store has nothing to erase; a stored one is erased.
    let res = bearer(
        &app,
        &backend(),
        "POST",
        CLOSED,
        Some(json!({"closed": [BEN]})),
    )
    .await;
    assert_eq!(res.body, json!({"erased": 0}), "{:?}", res.body);
    let res = bearer(
        &app,
        &backend(),
        "POST",
        CLOSED,
        Some(json!({"closed": [ADA]})),
    )
    .await;
    assert_eq!(res.body, json!({"erased": 1}), "{:?}", res.body);
    assert_eq!(admins(), 0);
}
