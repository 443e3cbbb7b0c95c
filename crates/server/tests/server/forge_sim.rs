//! Dwell's server as the Forge remote of jira-sim, which plays Jira Cloud and the Forge platform
//! for the real `forge/manifest.yml`, all over loopback HTTP: the simulator installs the app
//! (its lifecycle trigger reaches the real server), then a user's `invokeRemote` through the
//! simulated bridge carries a FIT the simulator minted to the real API, which saves and reads a
//! report. Forged tokens go through the server's real routes and are refused.
//!
//! The server reads the simulator's JWKS through a loopback JWKS of the test's own, which also
//! publishes the fixture key: tokens the test signs with a key the server trusts, and with one
//! thing wrong, prove that each claim check (not only the signature) refuses them.

use std::sync::{Arc, Mutex};

use jira_sim::forge::ForgeSpec;
use jira_sim::forge::manifest::ForgeApp;
use jira_sim::{RunningSim, SimConfig};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use server::settings::ForgeSettings;

use crate::forge::BEN;
use crate::forge_fit::{KID, jwk, serve_jwks_from, sign};
use crate::helpers::*;

pub(crate) fn manifest() -> ForgeApp {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forge/manifest.yml");
    ForgeApp::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON at `url`.
pub async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> T {
    awc::Client::default()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .limit(1 << 20)
        .await
        .unwrap()
}

/// A loopback JWKS: the simulator's keys (read from it on every fetch) and the fixture key.
pub(crate) async fn merged_jwks(upstream: Arc<Mutex<String>>) -> String {
    serve_jwks_from(move || {
        let url = upstream.lock().unwrap().clone();
        async move {
            let mut set: JwkSet = get_json(&url).await;
            set.keys.push(jwk("install-key.pem", KID));
            set
        }
    })
}

pub(crate) async fn post_json(url: &str, cookie: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .finish()
        .post(url);
    if let Some(c) = cookie {
        req = req.insert_header(("Cookie", c));
    }
    let mut res = req.send_json(&body).await.unwrap();
    let json = res
        .json::<Value>()
        .limit(1 << 20)
        .await
        .unwrap_or(Value::Null);
    (res.status().as_u16(), json)
}

/// The id of the environment the simulator runs the app in, as it publishes it.
async fn environment_id(sim: &RunningSim) -> String {
    let apps: Value = get_json(&sim.url("/_sim/forge/apps")).await;
    apps["environment"]["id"].as_str().unwrap().to_string()
}

/// Opens the app's global page as `login` and returns the session cookie.
pub(crate) async fn sign_in(sim: &RunningSim, login: &str) -> String {
    let env = environment_id(sim).await;
    let uuid = manifest().uuid().to_string();
    let res = awc::Client::default()
        .get(sim.url(&format!("/jira/apps/{uuid}/{env}?user={login}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "the app's page opens");
    res.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string()
}

/// `invokeRemote({path, method, body})` from the global page as the signed-in user.
pub(crate) async fn invoke(
    sim: &RunningSim,
    cookie: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut payload = json!({"path": path, "method": method, "invokeType": "ui-remote-fetch"});
    if let Some(b) = body {
        payload["body"] = b;
        payload["headers"] = json!({"Content-Type": "application/json"});
    }
    let (status, reply) = post_json(
        &sim.url("/_sim/forge/bridge/invoke"),
        Some(cookie),
        json!({"moduleKey": "dwell-global", "payload": payload}),
    )
    .await;
    assert_eq!(status, 200, "{reply:?}");
    assert_eq!(reply["success"], true, "{reply:?}");
    reply["payload"].clone()
}

/// Forge settings for the app `app_id` in its development environment, trusting `jwks_url`.
pub(crate) fn development(app_id: &str, jwks_url: String) -> ForgeSettings {
    ForgeSettings {
        environment: "DEVELOPMENT".into(),
        jwks_url,
        ..ForgeSettings::production(app_id)
    }
}

/// A simulator of 20 issues (seed 1, as the demo's) whose Forge app has `server` as its
/// remote and serves the client's pages; `upstream` then points at its JWKS. The app is not
/// installed yet.
pub(crate) fn forge_sim(server: &TestApp, upstream: &Mutex<String>) -> RunningSim {
    let mut forge_app = manifest();
    forge_app.override_remote("dwell", &server.url).unwrap();
    let sim = RunningSim::start(SimConfig {
        data: jira_sim::data::DataSpec {
            issues: 20,
            seed: 1,
            ..Default::default()
        },
        forge: Some(ForgeSpec {
            app: forge_app,
            // A Custom UI folder, so that the simulator serves the app's pages.
            resource_dirs: [("client".to_string(), fixture("dist"))].into(),
            install_at_start: false,
            invoke_budget: Default::default(),
        }),
        ..SimConfig::default()
    })
    .unwrap();
    *upstream.lock().unwrap() = sim.url("/.well-known/jwks.json");
    sim
}

/// The signed-in user of `cookie` creates the report `name` through `invokeRemote`.
pub(crate) async fn create_report(sim: &RunningSim, cookie: &str, name: &str) -> Value {
    invoke(sim, cookie, "POST", "/api/v1/reports", Some(report(name))).await
}

#[actix_web::test]
async fn jira_sim_installs_the_app_and_its_users_save_and_read_reports_through_invoke_remote() {
    let app_id = manifest().id.clone();
    let upstream = Arc::new(Mutex::new(String::new()));
    let jwks_url = merged_jwks(upstream.clone()).await;
    let server = TestApp::spawn_with(|s| s.forge = Some(development(&app_id, jwks_url)));
    let sim = forge_sim(&server, &upstream);

    // Installed by ada: the lifecycle event reaches the real server, which answers 204.
    let (status, inst) = post_json(&sim.url("/_sim/forge/install"), None, json!({})).await;
    assert_eq!(status, 200, "{inst:?}");
    let delivery = &inst["deliveries"][0];
    assert_eq!(delivery["delivered"], true, "{inst:?}");
    assert_eq!(delivery["attempts"][0]["status"], 204, "{inst:?}");
    let installation = inst["installationId"].as_str().unwrap().to_string();
    let ada = sim.data.site.users[0].account_id.clone();
    let ben = sim.data.site.users[1].account_id.clone();
    let (platform, stored, admin): (String, String, String) = server
        .db()
        .query_row(
            "SELECT t.platform, t.forge_installation_id, a.account_id
             FROM tenants t JOIN tenant_admins a ON a.tenant_id = t.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (platform.as_str(), stored.as_str(), admin.as_str()),
        ("forge", installation.as_str(), ada.as_str())
    );

    // Ada saves a report through invokeRemote and reads it back.
    let ada_cookie = sign_in(&sim, "ada").await;
    let created = create_report(&sim, &ada_cookie, "Lead time").await;
    assert_eq!(created["status"], 201, "{created:?}");
    let id = created["body"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["body"]["createdBy"], ada.as_str());
    let read = invoke(
        &sim,
        &ada_cookie,
        "GET",
        &format!("/api/v1/reports/{id}"),
        None,
    )
    .await;
    assert_eq!(read["status"], 200, "{read:?}");
    assert_eq!(read["body"]["config"]["name"], "Lead time");
    let me = invoke(&sim, &ada_cookie, "GET", "/api/v1/me", None).await;
    assert_eq!(me["body"]["isAdmin"], true, "{me:?}");
    // The site the UI token named is stored beside the installation.
    let site: Option<String> = server
        .db()
        .query_row("SELECT site_url FROM tenants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(site.as_deref(), Some(sim.base_url.as_str()));

    // Ben, no admin, may read and not write, until ada grants him by account id.
    let ben_cookie = sign_in(&sim, "ben").await;
    let me = invoke(&sim, &ben_cookie, "GET", "/api/v1/me", None).await;
    assert_eq!(me["body"]["accountId"], ben.as_str());
    assert_eq!(me["body"]["isAdmin"], false);
    let refused = create_report(&sim, &ben_cookie, "B").await;
    assert_eq!(refused["status"], 403, "{refused:?}");
    let mut grant = json!({
        "path": "/api/v1/permissions",
        "method": "PUT",
        "headers": {"Content-Type": "application/json", "If-Match": "\"0\""},
        "body": {"editReports": [{"type": "user", "accountId": ben}]},
        "invokeType": "ui-remote-fetch"
    });
    let (_, reply) = post_json(
        &sim.url("/_sim/forge/bridge/invoke"),
        Some(&ada_cookie),
        json!({"moduleKey": "dwell-global", "payload": grant.clone()}),
    )
    .await;
    assert_eq!(reply["payload"]["status"], 200, "{reply:?}");
    let created = create_report(&sim, &ben_cookie, "B").await;
    assert_eq!(created["status"], 201, "{created:?}");
    // A group grant is refused with its reason.
    grant["body"] = json!({"editReports": [{"type": "group", "name": "jira-software-users"}]});
    grant["headers"]["If-Match"] = json!("\"1\"");
    let (_, reply) = post_json(
        &sim.url("/_sim/forge/bridge/invoke"),
        Some(&ada_cookie),
        json!({"moduleKey": "dwell-global", "payload": grant}),
    )
    .await;
    assert_eq!(reply["payload"]["status"], 422, "{reply:?}");

    // Forgeries, each with one thing wrong, to the real server's routes. A token signed with
    // the fixture key (published beside the simulator's) and nothing wrong is accepted, so
    // each refusal below is that claim's.
    let now = now();
    let env_ari = format!(
        "ari:cloud:ecosystem::environment/{}/{}",
        manifest().uuid(),
        environment_id(&sim).await
    );
    let claims = |jti: &str| {
        json!({
            "iss": "forge/invocation-token",
            "aud": app_id,
            "iat": now,
            "nbf": now,
            "exp": now + 25,
            "jti": jti,
            "app": {
                "id": app_id,
                "installationId": installation,
                "environment": {"type": "DEVELOPMENT", "id": env_ari},
                "module": {"type": "jira:globalPage", "key": "dwell-global"}
            },
            "context": {"cloudId": "c", "moduleKey": "dwell-global"},
            "principal": BEN
        })
    };
    let edited = |jti: &str, edit: &dyn Fn(&mut Value)| {
        let mut c = claims(jti);
        edit(&mut c);
        sign(&c, "install-key.pem", KID)
    };
    let list = |token: String| {
        let server = &server;
        async move {
            server
                .send(
                    "GET",
                    "/api/v1/reports",
                    &[("Authorization", format!("Bearer {token}"))],
                    None,
                )
                .await
        }
    };
    let honest = edited("s-honest", &|_| {});
    assert_eq!(list(honest.clone()).await.status, 200, "the control token");

    let b64 = |bytes: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let sim_jwks: JwkSet = get_json(&sim.url("/.well-known/jwks.json")).await;
    let sim_key = &sim_jwks.keys[0];
    let sim_kid = sim_key.common.key_id.clone().unwrap();
    let AlgorithmParameters::RSA(sim_rsa) = &sim_key.algorithm else {
        panic!("the simulator publishes an RSA key: {sim_key:?}");
    };
    let sim_public_n = sim_rsa.n.clone();
    let forgeries: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(json!({"alg": "none", "kid": sim_kid})
                    .to_string()
                    .as_bytes()),
                b64(claims("s-none").to_string().as_bytes())
            ),
        ),
        ("HS256 keyed with the simulator's public key", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(sim_kid.clone());
            jsonwebtoken::encode(
                &h,
                &claims("s-hs"),
                &EncodingKey::from_secret(sim_public_n.as_bytes()),
            )
            .unwrap()
        }),
        (
            "unknown kid",
            sign(
                &claims("s-kid"),
                "install-key.pem",
                "forge/invocation-token/wf-nobody",
            ),
        ),
        (
            "a key outside the JWKS under the simulator's kid",
            sign(&claims("s-outside"), "attacker-key.pem", &sim_kid),
        ),
        (
            "wrong iss",
            edited("s-iss", &|c| c["iss"] = json!("forge/other")),
        ),
        (
            "wrong aud",
            edited("s-aud", &|c| {
                c["aud"] = json!("ari:cloud:ecosystem::app/11111111-0000-4000-8000-000000000000")
            }),
        ),
        (
            "other environment",
            edited(
                "s-env",
                &|c| {
                    c["app"]["environment"] = json!({"type": "PRODUCTION", "id": "ari:cloud:ecosystem::environment/x/prod"})
                },
            ),
        ),
        (
            "expired",
            edited("s-exp", &|c| {
                c["iat"] = json!(now - 100);
                c["nbf"] = json!(now - 100);
                c["exp"] = json!(now - 75);
            }),
        ),
        (
            "nbf in the future",
            edited("s-nbf", &|c| {
                c["nbf"] = json!(now + 60);
                c["exp"] = json!(now + 85);
            }),
        ),
        (
            "missing principal",
            edited("s-principal", &|c| {
                c.as_object_mut().unwrap().remove("principal");
            }),
        ),
        (
            "missing installationId",
            edited("s-inst", &|c| {
                c["app"].as_object_mut().unwrap().remove("installationId");
            }),
        ),
        ("replayed jti", honest),
    ];
    for (what, token) in forgeries {
        let res = list(token).await;
        assert_eq!(res.status, 401, "{what}: {:?}", res.body);
        assert_eq!(res.body["message"], "authentication failed", "{what}");
    }

    // Uninstalled: the server refuses the site's calls; the data waits for the grace period.
    let (status, _) = post_json(&sim.url("/_sim/forge/uninstall"), None, json!({})).await;
    assert_eq!(status, 200);
    let after = edited("s-after-uninstall", &|_| {});
    let res = list(after).await;
    assert_eq!(
        res.status, 401,
        "an uninstalled installation: {:?}",
        res.body
    );
    let uninstalled: Option<i64> = server
        .db()
        .query_row("SELECT uninstalled_at FROM tenants", [], |r| r.get(0))
        .unwrap();
    assert!(
        uninstalled.is_some(),
        "the uninstall event reached the server"
    );
    let reports: i64 = server
        .db()
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reports, 2, "kept for the grace period");
}

/// A server on `dir`'s database, the remote of a simulator (seed 1, as the demo's) that has
/// installed the app: what one run of `cargo xtask demo` starts.
async fn demo_run(dir: Arc<tempfile::TempDir>) -> (TestApp, RunningSim, String) {
    let app_id = manifest().id.clone();
    let upstream = Arc::new(Mutex::new(String::new()));
    let jwks_url = merged_jwks(upstream.clone()).await;
    let jira = FakeJira::start();
    let mut settings = test_settings(dir.path(), &jira);
    settings.forge = Some(development(&app_id, jwks_url));
    let server = TestApp::start(settings, jira, dir);
    let sim = forge_sim(&server, &upstream);
    let (status, inst) = post_json(&sim.url("/_sim/forge/install"), None, json!({})).await;
    assert_eq!(status, 200, "{inst:?}");
    assert_eq!(inst["deliveries"][0]["delivered"], true, "{inst:?}");
    let installation = inst["installationId"].as_str().unwrap().to_string();
    (server, sim, installation)
}

/// The demo restarts jira-sim and dwell-server on the same `data/`: the simulator installs
/// the app as the same Forge installation each time, so the server restores that tenant and
/// the reports saved in the first run are there in the second (not a new, empty tenant).
#[actix_web::test]
async fn a_restarted_demo_site_is_the_same_forge_installation_with_its_reports() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let (server, sim, first) = demo_run(dir.clone()).await;
    let ada = sign_in(&sim, "ada").await;
    let created = create_report(&sim, &ada, "Saved before the restart").await;
    assert_eq!(created["status"], 201, "{created:?}");
    sim.stop();
    drop(server);

    let (server, sim, second) = demo_run(dir).await;
    assert_eq!(
        second, first,
        "the same site installs the app as the same installation"
    );
    let ada = sign_in(&sim, "ada").await;
    let listed = invoke(&sim, &ada, "GET", "/api/v1/reports", None).await;
    assert_eq!(listed["status"], 200, "{listed:?}");
    let names: Vec<&str> = listed["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["Saved before the restart"], "{listed:?}");
    assert_eq!(server.tenant_count(), 1, "one tenant, not one per run");
}
