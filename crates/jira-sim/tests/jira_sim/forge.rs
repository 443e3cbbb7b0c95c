//! The Forge host: the manifest is read strictly, lifecycle events reach a real remote over
//! loopback with a FIT that the remote verifies against the simulator's JWKS (with
//! jsonwebtoken, as a Rust remote would), before and after a key rotation, and deliveries are
//! retried and timed out as Forge does.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jira_sim::forge::ForgeSpec;
use jira_sim::forge::manifest::ForgeApp;
use jira_sim::{Flavor, RunningSim, SimConfig};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use crate::support::*;

const FIXTURE: &str = include_str!("fixtures/manifest.yml");
pub(crate) const APP_ID: &str = "ari:cloud:ecosystem::app/0b9d3c1e-5f7a-4c2b-9e8d-1a2b3c4d5e6f";

#[test]
fn the_fixture_manifest_is_read_with_every_part() {
    let app = ForgeApp::parse(FIXTURE).unwrap();
    assert_eq!(app.id, APP_ID);
    let pages: Vec<(&str, &str, Option<&str>)> = app
        .pages
        .iter()
        .map(|p| {
            (
                p.kind.module_type(),
                p.key.as_str(),
                p.resolver_endpoint.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("jira:globalPage", "tis-global", Some("ui-remote")),
            ("jira:projectPage", "tis-project", Some("ui-remote"))
        ]
    );
    assert_eq!(
        app.endpoint("lifecycle-remote").unwrap().route.as_deref(),
        Some("/forge/lifecycle")
    );
    assert_eq!(app.triggers[0].events.len(), 3);
    assert_eq!(
        app.remote("config-api").unwrap().base_url,
        "https://tis-config.example.com"
    );
    assert_eq!(app.resources[0].path, "dist");
    assert_eq!(app.permissions.scripts, ["unsafe-eval"]);
    assert_eq!(app.permissions.scopes, ["read:jira-work", "read:jira-user"]);

    let mut app = app;
    app.override_remote("config-api", "http://127.0.0.1:9/")
        .unwrap();
    assert_eq!(
        app.remote("config-api").unwrap().base_url,
        "http://127.0.0.1:9"
    );
    let e = app
        .override_remote("nope", "http://127.0.0.1:9")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no remote \"nope\""), "{e}");
}

/// Manifests jira-sim must refuse, each with words its error must contain.
#[test]
fn manifests_it_cannot_play_are_refused_with_the_reason() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "id: ari:cloud:ecosystem::app/0b9d3c1e-5f7a-4c2b-9e8d-1a2b3c4d5e6f",
            "id: my-app",
            "app.id",
        ),
        (
            "    - key: tis-project",
            "    - key: tis-global",
            "used twice",
        ),
        (
            "  jira:projectPage:",
            "  jira:issuePanel:",
            "modules.jira:issuePanel",
        ),
        (
            "        endpoint: ui-remote\n      title: Time in Status\n      layout",
            "        function: resolver\n      title: Time in Status\n      layout",
            "function resolvers",
        ),
        (
            "      - unsafe-eval",
            "      - wasm-unsafe-eval",
            "'wasm-unsafe-eval'",
        ),
        ("        path: /forge/lifecycle\n", "", "route.path"),
        (
            "        - avi:forge:upgraded:app",
            "        - avi:jira:created:issue",
            "avi:jira:created:issue",
        ),
        ("    storage:\n      inScopeEUD: false\n", "", "inScopeEUD"),
        (
            "      remote: config-api\n    - key: lifecycle",
            "      remote: other-api\n    - key: lifecycle",
            "no remote \"other-api\"",
        ),
        (
            "      layout: blank",
            "      layout: blank\n      pages: []",
            "pages",
        ),
        (
            "    path: dist",
            "    path: dist\n    bundler: webpack",
            "UI Kit",
        ),
        ("  scopes:", "  scope:", "scope"),
        ("app:\n", "app:\n  connect:\n    key: dwell\n", "connect"),
        (
            "    baseUrl: https://tis-config.example.com",
            "    baseUrl: tis-config.example.com",
            "not an http(s) URL",
        ),
        (
            "      resource: main\n      resolver:\n        endpoint: ui-remote\n      title: Time in Status\n      layout",
            "      resource: other\n      resolver:\n        endpoint: ui-remote\n      title: Time in Status\n      layout",
            "no resource \"other\"",
        ),
    ];
    for (from, to, expect) in cases {
        assert!(FIXTURE.contains(from), "fixture lacks {from:?}");
        let text = FIXTURE.replacen(from, to, 1);
        let e = ForgeApp::parse(&text).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains(expect), "{from:?} -> {to:?}: {e}");
    }
    let e = ForgeApp::parse("app: [1, 2").unwrap_err().to_string();
    assert!(e.starts_with("manifest.yml:"), "{e}");
}

/// Dwell's own manifest (`forge/manifest.yml`, validated by Atlassian's @forge/manifest in
/// `cargo xtask test`) is one the simulator plays.
#[test]
fn dwells_own_manifest_is_played() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forge/manifest.yml");
    let app = ForgeApp::from_file(&path).unwrap();
    assert_eq!(app.pages.len(), 2);
    assert!(
        app.triggers[0]
            .events
            .iter()
            .any(|e| e == "avi:forge:installed:app")
    );
    assert_eq!(app.permissions.scripts, ["unsafe-eval"]);
    // The personal data function, run daily by its scheduled trigger.
    let daily = app.scheduled_trigger("dwell-personal-data-daily").unwrap();
    assert_eq!(daily.interval, "day");
    assert_eq!(
        app.function(&daily.function).unwrap().handler,
        "personal-data.run"
    );
    assert!(
        app.permissions
            .scopes
            .iter()
            .any(|s| s == "report:personal-data")
    );
    // Its parts are checked as Forge's linter checks them.
    let text = std::fs::read_to_string(&path).unwrap();
    for (from, to, expect) in [
        (
            "interval: day",
            "interval: fortnight",
            "not one of fiveMinute",
        ),
        (
            "      function: dwell-personal-data\n",
            "      function: gone\n",
            "no function module \"gone\"",
        ),
        (
            "handler: personal-data.run",
            "handler: personal-data",
            "not <file>.<export>",
        ),
    ] {
        assert!(text.contains(from), "the manifest lacks {from:?}");
        let e = ForgeApp::parse(&text.replacen(from, to, 1))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(e.contains(expect), "{from:?} -> {to:?}: {e}");
    }
}

#[test]
fn the_binary_refuses_a_bad_manifest_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.yml");
    std::fs::write(
        &path,
        FIXTURE.replace("      - unsafe-eval", "      - wasm-unsafe-eval"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jira-sim"))
        .args(["--port", "0", "--issues", "10", "--forge-manifest"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wasm-unsafe-eval") && stderr.contains("manifest.yml"),
        "{stderr}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jira-sim"))
        .args(["--port", "0", "--issues", "10", "--forge-manifest"])
        .arg(dir.path().join("missing.yml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yml"));
}

/// What the test remote saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) path: String,
    pub(crate) kid: String,
    /// The verified claims, or why verification failed.
    pub(crate) claims: Result<Value, String>,
    pub(crate) body: Value,
}

/// How the remote answers its n-th request (0-based): after a pause, with a status.
pub(crate) type Script = Arc<dyn Fn(usize) -> (Duration, u16) + Send + Sync>;

pub(crate) struct Remote {
    url: String,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
    /// Where it fetches the JWKS (the simulator's, set once it runs).
    jwks_url: Arc<Mutex<String>>,
    /// How often it fetched the JWKS.
    fetches: Arc<Mutex<usize>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Remote {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

struct RemoteState {
    seen: Arc<Mutex<Vec<Seen>>>,
    jwks_url: Arc<Mutex<String>>,
    fetches: Arc<Mutex<usize>>,
    cache: Mutex<HashMap<String, DecodingKey>>,
    script: Script,
}

/// Verifies a FIT as a Forge remote should: RS256 only, key by `kid` from the JWKS (fetched
/// again when the kid is unknown), issuer and audience checked, expiry enforced.
fn verify(state: &RemoteState, token: &str) -> Result<(String, Value), String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    let kid = header.kid.ok_or("no kid")?;
    let known = state.cache.lock().unwrap().contains_key(&kid);
    if !known {
        let url = state.jwks_url.lock().unwrap().clone();
        let mut res = agent().get(&url).call().map_err(|e| e.to_string())?;
        let set: JwkSet = res.body_mut().read_json().map_err(|e| e.to_string())?;
        *state.fetches.lock().unwrap() += 1;
        let mut cache = state.cache.lock().unwrap();
        for jwk in &set.keys {
            if let Some(k) = &jwk.common.key_id {
                cache.insert(
                    k.clone(),
                    DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?,
                );
            }
        }
    }
    let cache = state.cache.lock().unwrap();
    let key = cache.get(&kid).ok_or(format!("unknown kid {kid}"))?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[APP_ID]);
    v.set_issuer(&["forge/invocation-token"]);
    v.set_required_spec_claims(&["exp", "nbf", "aud", "iss"]);
    v.validate_nbf = true;
    v.leeway = 0;
    let data = jsonwebtoken::decode::<Value>(token, key, &v).map_err(|e| e.to_string())?;
    Ok((kid, data.claims))
}

async fn remote_handler(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<RemoteState>,
) -> HttpResponse {
    let n = state.seen.lock().unwrap().len();
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let s = state.clone();
    let verified = web::block(move || verify(&s, &token)).await.unwrap();
    let (kid, claims) = match verified {
        Ok((kid, c)) => (kid, Ok(c)),
        Err(e) => (String::new(), Err(e)),
    };
    let ok = claims.is_ok();
    state.seen.lock().unwrap().push(Seen {
        path: req.path().to_string(),
        kid,
        claims,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    if !ok {
        return HttpResponse::Unauthorized().finish();
    }
    let (pause, status) = (state.script)(n);
    actix_web::rt::time::sleep(pause).await;
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({}))
}

pub(crate) fn remote(script: Script) -> Remote {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let jwks_url = Arc::new(Mutex::new(String::new()));
    let fetches = Arc::new(Mutex::new(0));
    let state = web::Data::new(RemoteState {
        seen: seen.clone(),
        jwks_url: jwks_url.clone(),
        fetches: fetches.clone(),
        cache: Mutex::new(HashMap::new()),
        script,
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(state.clone())
                    .default_service(web::to(remote_handler))
            })
            .workers(2)
            .listen(listener)
            .unwrap()
            .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
        })
    });
    Remote {
        url,
        seen,
        jwks_url,
        fetches,
        handle: rx.recv().unwrap(),
    }
}

fn forge_sim(remote: &Remote) -> RunningSim {
    forge_sim_with(remote, Default::default())
}

/// A simulator playing the fixture app, its remote pointed at `remote`.
pub(crate) fn forge_sim_with(
    remote: &Remote,
    resource_dirs: std::collections::BTreeMap<String, std::path::PathBuf>,
) -> RunningSim {
    forge_sim_budget(remote, resource_dirs, Default::default())
}

/// [`forge_sim_with`], with a remote invocation budget of its own.
pub(crate) fn forge_sim_budget(
    remote: &Remote,
    resource_dirs: std::collections::BTreeMap<String, std::path::PathBuf>,
    invoke_budget: jira_sim::forge::InvokeBudget,
) -> RunningSim {
    let mut app = ForgeApp::parse(FIXTURE).unwrap();
    app.override_remote("config-api", &remote.url).unwrap();
    let sim = sim_with(
        200,
        SimConfig {
            flavor: Flavor::Cloud,
            forge: Some(ForgeSpec {
                app,
                resource_dirs,
                install_at_start: false,
                invoke_budget,
            }),
            ..SimConfig::default()
        },
    );
    *remote.jwks_url.lock().unwrap() = sim.url("/.well-known/jwks.json");
    sim
}

pub(crate) fn admin(sim: &RunningSim, path: &str, body: Value) -> Res {
    let mut r = agent()
        .post(sim.url(path))
        .send_json(body)
        .expect("request completes");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Res {
        status,
        headers: Vec::new(),
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

fn statuses(delivery: &Value) -> Vec<Option<u64>> {
    delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64())
        .collect()
}

#[test]
fn lifecycle_events_carry_a_fit_the_remote_verifies_with_the_jwks_across_a_rotation() {
    let remote = remote(Arc::new(|_| (Duration::ZERO, 200)));
    let sim = forge_sim(&remote);
    let ada = sim.data.site.users[0].account_id.clone();

    let inst = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(inst.status, 200, "{}", inst.text);
    assert_eq!(statuses(&inst.json["deliveries"][0]), [Some(200)]);
    let again = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(again.status, 409, "{}", again.text);

    let seen = remote.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let first = &seen[0];
    assert_eq!(first.path, "/forge/lifecycle");
    assert!(
        first.kid.starts_with("forge/invocation-token/"),
        "{}",
        first.kid
    );
    let c = first.claims.clone().unwrap();
    let iat = c["iat"].as_i64().unwrap();
    assert_eq!(c["exp"].as_i64().unwrap() - iat, 25);
    assert_eq!(c["nbf"].as_i64().unwrap(), iat);
    let jti = c["jti"].as_str().unwrap();
    assert!(
        jti.len() == 40 && jti.bytes().all(|b| b.is_ascii_hexdigit()),
        "{jti}"
    );
    assert_eq!(c["app"]["id"], APP_ID);
    assert_eq!(
        c["app"]["module"],
        json!({"type": "core:trigger", "key": "lifecycle-trigger"})
    );
    assert_eq!(c["app"]["appVersion"], "1.0.0");
    assert_eq!(c["app"]["environment"]["type"], "DEVELOPMENT");
    assert!(
        c.get("principal").is_none(),
        "a trigger has no principal: {c}"
    );
    let installation_id = c["app"]["installationId"].as_str().unwrap();
    assert_eq!(
        installation_id,
        format!(
            "ari:cloud:ecosystem::installation/{}",
            first.body["id"].as_str().unwrap()
        )
    );
    assert_eq!(c["app"]["installation"]["id"], installation_id);
    assert_eq!(first.body["eventType"], "avi:forge:installed:app");
    assert_eq!(first.body["installerAccountId"], ada);
    assert_eq!(first.body["app"], json!({"id": APP_ID, "version": "1.0.0"}));
    assert_eq!(*remote.fetches.lock().unwrap(), 1);

    // Rotation: a new kid signs; the old one stays published.
    let rotated = admin(&sim, "/_sim/forge/rotate", json!({}));
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.json["retiredKid"], first.kid.as_str());
    let new_kid = rotated.json["kid"].as_str().unwrap().to_string();
    assert_ne!(new_kid, first.kid);
    let jwks = get(&sim, "/.well-known/jwks.json").json;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.as_str(), first.kid.as_str()]);

    let up = admin(&sim, "/_sim/forge/upgrade", json!({"user": "ben"}));
    assert_eq!(up.status, 200, "{}", up.text);
    let seen = remote.seen.lock().unwrap().clone();
    let upgraded = &seen[1];
    assert_eq!(upgraded.kid, new_kid, "signed with the new key");
    let c = upgraded.claims.clone().unwrap();
    assert_eq!(c["app"]["appVersion"], "2.0.0");
    assert_eq!(c["app"]["installationId"], installation_id);
    assert_eq!(upgraded.body["eventType"], "avi:forge:upgraded:app");
    assert_eq!(
        upgraded.body["upgraderAccountId"],
        sim.data.site.users[1].account_id.as_str()
    );
    assert_eq!(
        *remote.fetches.lock().unwrap(),
        2,
        "refetched once for the unknown kid"
    );

    let un = admin(&sim, "/_sim/forge/uninstall", json!({}));
    assert_eq!(un.status, 200, "{}", un.text);
    assert_eq!(un.json["status"], "uninstalled");
    let seen = remote.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.claims.is_ok()));
    assert_eq!(seen[2].body["eventType"], "avi:forge:uninstalled:app");
    assert_eq!(admin(&sim, "/_sim/forge/uninstall", json!({})).status, 409);

    let apps = get(&sim, "/_sim/forge/apps").json;
    assert_eq!(apps["app"]["id"], APP_ID);
    let list = apps["installations"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "uninstalled");
    assert_eq!(list[0]["deliveries"].as_array().unwrap().len(), 3);

    // Reinstalling makes a new installation.
    let re = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(re.status, 200, "{}", re.text);
    assert_ne!(re.json["installationId"], installation_id);
}

#[test]
fn a_failing_remote_is_retried_four_times_and_the_install_stands() {
    // 500, 503, then 200.
    let remote = remote(Arc::new(|n| (Duration::ZERO, [500, 503, 200][n.min(2)])));
    let sim = forge_sim(&remote);
    let inst = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(inst.status, 200, "{}", inst.text);
    assert_eq!(
        statuses(&inst.json["deliveries"][0]),
        [Some(500), Some(503), Some(200)]
    );
    assert_eq!(inst.json["deliveries"][0]["delivered"], true);
    let seen = remote.seen.lock().unwrap().clone();
    let jtis: std::collections::BTreeSet<&str> = seen
        .iter()
        .map(|s| s.claims.as_ref().unwrap()["jti"].as_str().unwrap())
        .collect();
    assert_eq!(jtis.len(), 3, "a fresh token for each attempt");
    drop(seen);

    let down = self::remote(Arc::new(|_| (Duration::ZERO, 500)));
    let sim = forge_sim(&down);
    let inst = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(inst.status, 200, "{}", inst.text);
    assert_eq!(statuses(&inst.json["deliveries"][0]), vec![Some(500); 5]);
    assert_eq!(inst.json["deliveries"][0]["delivered"], false);
    assert_eq!(down.seen.lock().unwrap().len(), 5);
    assert_eq!(
        get(&sim, "/_sim/forge/apps").json["installations"][0]["status"],
        "installed"
    );
}

#[test]
fn a_remote_slower_than_five_seconds_times_out_and_is_retried() {
    let remote = remote(Arc::new(|n| {
        (
            if n == 0 {
                Duration::from_secs(7)
            } else {
                Duration::ZERO
            },
            200,
        )
    }));
    let sim = forge_sim(&remote);
    let inst = admin(&sim, "/_sim/forge/install", json!({}));
    assert_eq!(inst.status, 200, "{}", inst.text);
    let attempts = inst.json["deliveries"][0]["attempts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts[0]["status"].is_null(), "{attempts:?}");
    let waited = attempts[0]["millis"].as_u64().unwrap();
    assert!(
        (5000..6500).contains(&waited),
        "timed out after {waited} ms"
    );
    assert_eq!(attempts[1]["status"], 200);
}

#[test]
fn without_a_manifest_the_forge_endpoints_say_so() {
    let sim = sim(200, Flavor::Cloud);
    let r = get(&sim, "/_sim/forge/apps");
    assert_eq!(r.status, 404);
    assert!(r.text.contains("--forge-manifest"), "{}", r.text);
    assert_eq!(get(&sim, "/.well-known/jwks.json").status, 404);
}
