//! The Connect host: signed install to a tiny app started here (which verifies the RS256 token
//! with the key jira-sim serves), the host page's iframe token, context tokens, app-to-Jira
//! calls with the app's own JWT, and uninstall.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jira_sim::{Flavor, RunningSim, SimConfig};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::*;

/// One lifecycle call the app received.
#[derive(Debug, Clone)]
struct Call {
    path: String,
    authorization: String,
    body: Value,
}

/// A minimal Connect app: a descriptor and lifecycle endpoints that record what they get.
struct TestApp {
    base: String,
    calls: Arc<Mutex<Vec<Call>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

fn start_app() -> TestApp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let calls = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let (c, b) = (calls.clone(), base.clone());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let descriptor = json!({
                    "key": "dwell-test",
                    "name": "Dwell (test)",
                    "baseUrl": b,
                    "authentication": {"type": "jwt"},
                    "apiMigrations": {"signed-install": true, "context-qsh": true},
                    "scopes": ["READ"],
                    "lifecycle": {"installed": "/lifecycle/installed", "uninstalled": "/lifecycle/uninstalled"},
                    "modules": {
                        "generalPages": [{"key": "reports", "name": {"value": "Reports"}, "url": "/?view=general"}],
                        "jiraProjectPages": [{"key": "project-reports", "name": {"value": "Reports"}, "url": "/app?view=project&projectKey={project.key}"}]
                    }
                });
                let c = c.clone();
                App::new()
                    .route("/atlassian-connect.json", web::get().to(move || {
                        let d = descriptor.clone();
                        async move { HttpResponse::Ok().json(d) }
                    }))
                    .default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                        let c = c.clone();
                        async move {
                            c.lock().unwrap().push(Call {
                                path: req.path().to_string(),
                                authorization: req.headers().get("authorization").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default(),
                                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                            });
                            HttpResponse::NoContent().finish()
                        }
                    }))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
        })
    });
    TestApp {
        base,
        calls,
        handle: rx.recv().unwrap(),
    }
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[derive(Debug, serde::Deserialize)]
struct Claims {
    iss: String,
    sub: Option<String>,
    iat: i64,
    exp: i64,
    qsh: String,
    aud: Option<Value>,
}

fn install(sim: &RunningSim, app: &TestApp) -> Value {
    let mut r = agent()
        .post(sim.url("/_sim/connect/install"))
        .send_json(json!({"appUrl": app.base}))
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.body_mut().read_json().unwrap()
}

/// Verifies a lifecycle call the way an app must: the key by `kid` from jira-sim's key
/// service, RS256 only, `aud` = the app's base URL, `iss` = the payload's clientKey, `qsh`.
fn verify_lifecycle(sim: &RunningSim, app: &TestApp, call: &Call) -> Claims {
    let token = call
        .authorization
        .strip_prefix("JWT ")
        .expect("a JWT authorization");
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid");
    let mut key = agent()
        .get(sim.url(&format!("/connect-install-keys/{kid}")))
        .call()
        .unwrap();
    assert_eq!(key.status().as_u16(), 200);
    let pem = key.body_mut().read_to_string().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[&app.base]);
    v.set_issuer(&[call.body["clientKey"].as_str().unwrap()]);
    let claims = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        &v,
    )
    .expect("the signature verifies with the served key")
    .claims;
    assert_eq!(claims.qsh, sha256_hex(&format!("POST&{}&", call.path)));
    assert!(claims.exp > claims.iat);
    assert_eq!(claims.aud, Some(json!(app.base)));
    // A key id jira-sim does not have is not served.
    assert_eq!(
        agent()
            .get(sim.url("/connect-install-keys/other"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    claims
}

/// Signs a token as the app would, for an app-to-Jira call.
fn app_token(key: &str, secret: &str, qsh: &str) -> String {
    let now = jiff::Timestamp::now().as_second();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": key, "iat": now, "exp": now + 60, "qsh": qsh}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[test]
fn signed_install_tokens_and_uninstall() {
    let app = start_app();
    let sim = sim(40, Flavor::Cloud);
    let installed = install(&sim, &app);
    assert_eq!(installed["key"], "dwell-test");

    let calls = app.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.path, "/lifecycle/installed");
    let claims = verify_lifecycle(&sim, &app, call);
    let p = &call.body;
    assert_eq!(p["key"], "dwell-test");
    assert_eq!(p["eventType"], "installed");
    assert_eq!(p["productType"], "jira");
    assert_eq!(p["baseUrl"], sim.base_url.as_str());
    assert_eq!(claims.iss, p["clientKey"].as_str().unwrap());
    let secret = p["sharedSecret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 32);

    // The host page embeds the module with Jira's parameters and a token bound to its URL.
    let r = agent()
        .get(sim.url("/plugins/servlet/ac/dwell-test/project-reports?project.key=PLAT&user=ben"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut r = r;
    let html = r.body_mut().read_to_string().unwrap();
    assert!(html.contains("<iframe") && html.contains("/atlassian-connect/host.js"));
    let src = iframe_src(&html);
    let prefix = format!("{}/app?", app.base);
    assert!(src.starts_with(&prefix), "{src}");
    let query = &src[prefix.len()..];
    let mut params = query_params(query);
    let jwt = take_jwt(&mut params);
    let get_param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get_param("projectKey").as_deref(), Some("PLAT"));
    assert_eq!(get_param("lic").as_deref(), Some("none"));
    assert_eq!(get_param("cp").as_deref(), Some(""));
    assert_eq!(get_param("xdm_e").unwrap(), enc(&sim.base_url));
    let canonical = canonical_get("/app", &params);
    let claims: Claims = verified(&jwt, &secret);
    assert_eq!(claims.iss, p["clientKey"].as_str().unwrap());
    assert_eq!(
        claims.sub.as_deref(),
        Some(sim.data.site.users[1].account_id.as_str())
    );
    assert_eq!(claims.qsh, sha256_hex(&canonical), "qsh of {canonical}");

    // The session the page opened: REST calls as the user (what AP.request does) and
    // context tokens.
    let me = agent()
        .get(sim.url("/rest/api/3/myself"))
        .header("Cookie", &cookie)
        .call()
        .unwrap()
        .body_mut()
        .read_json::<Value>()
        .unwrap();
    assert_eq!(me["displayName"], "Ben Builder");
    let t: Value = agent()
        .get(sim.url("/plugins/servlet/ac-token/dwell-test?project.key=PLAT"))
        .header("Cookie", &cookie)
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let ctx: Value = verified(t["token"].as_str().unwrap(), &secret);
    assert_eq!(ctx["qsh"], "context-qsh");
    assert_eq!(ctx["sub"], sim.data.site.users[1].account_id.as_str());
    assert_eq!(
        ctx["exp"].as_i64().unwrap() - ctx["iat"].as_i64().unwrap(),
        900
    );
    assert_eq!(ctx["context"]["jira"]["project"]["key"], "PLAT");
    assert_eq!(
        agent()
            .get(sim.url("/plugins/servlet/ac-token/dwell-test"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        401
    );

    // The app asks Jira for a user's groups with its own token.
    let groups_of = |account: &str, token: &str| {
        let mut r = agent()
            .get(sim.url(&format!("/rest/api/3/user/groups?accountId={account}")))
            .header("Authorization", &format!("JWT {token}"))
            .call()
            .unwrap();
        (
            r.status().as_u16(),
            r.body_mut().read_json::<Value>().unwrap_or(Value::Null),
        )
    };
    let ada = sim.data.site.users[0].account_id.clone();
    let qsh = sha256_hex(&format!("GET&/rest/api/3/user/groups&accountId={ada}"));
    let (status, groups) = groups_of(&ada, &app_token("dwell-test", &secret, &qsh));
    assert_eq!(status, 200);
    let names = group_names(&groups);
    assert_eq!(
        names,
        vec!["site-admins", "jira-administrators", "jira-software-users"]
    );
    let ben = sim.data.site.users[1].account_id.clone();
    let qsh_ben = sha256_hex(&format!("GET&/rest/api/3/user/groups&accountId={ben}"));
    let (_, groups) = groups_of(&ben, &app_token("dwell-test", &secret, &qsh_ben));
    let names = group_names(&groups);
    assert_eq!(names, vec!["jira-software-users", "team-platform"]);
    // Forged tokens: another request's qsh, the wrong secret, alg none.
    assert_eq!(
        groups_of(&ben, &app_token("dwell-test", &secret, &qsh)).0,
        401
    );
    assert_eq!(
        groups_of(&ada, &app_token("dwell-test", "not-the-secret", &qsh)).0,
        401
    );
    assert_eq!(
        groups_of(&ada, &app_token("another-app", &secret, &qsh)).0,
        401
    );
    let none = format!(
        "eyJhbGciOiJub25lIn0.{}.",
        base64_url(&json!({"iss": "dwell-test", "qsh": qsh, "exp": 9_999_999_999i64}).to_string())
    );
    assert_eq!(groups_of(&ada, &none).0, 401);

    // Uninstall: a signed `uninstalled` event, then the app's tokens stop working.
    let r = agent()
        .post(sim.url("/_sim/connect/uninstall"))
        .send_json(json!({"appKey": "dwell-test"}))
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let calls = app.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].path, "/lifecycle/uninstalled");
    assert_eq!(calls[1].body["eventType"], "uninstalled");
    verify_lifecycle(&sim, &app, &calls[1]);
    assert_eq!(
        groups_of(&ada, &app_token("dwell-test", &secret, &qsh)).0,
        401
    );
}

/// Regression: the host page dropped the page's `ac.*` parameters, so a shared link (which
/// carries the app's route as `ac.route`) opened the app's home page instead.
#[test]
fn ac_parameters_reach_the_app_signed() {
    let app = start_app();
    let sim = sim(20, Flavor::Cloud);
    let installed = install(&sim, &app);
    let secret = app.calls.lock().unwrap()[0].body["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(installed["key"], "dwell-test");
    let html = agent()
        .get(sim.url(
            "/plugins/servlet/ac/dwell-test/reports?user=ben&ac.route=%23%2Freports%2Frep_1&other=x",
        ))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let src = iframe_src(&html);
    let query = src.split_once('?').unwrap().1;
    let mut params = query_params(query);
    assert!(
        params
            .iter()
            .any(|(k, v)| k == "ac.route" && v == "%23%2Freports%2Frep_1"),
        "{src}"
    );
    assert!(
        !params.iter().any(|(k, _)| k == "other" || k == "user"),
        "only ac.* parameters pass: {src}"
    );
    let jwt = take_jwt(&mut params);
    let canonical = canonical_get("/", &params);
    let claims: Claims = verified(&jwt, &secret);
    assert_eq!(claims.qsh, sha256_hex(&canonical), "qsh of {canonical}");
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn install_at_start_and_all_js_where_configured() {
    let app = start_app();
    let sim = sim_with(
        20,
        SimConfig {
            install_app: Some(app.base.clone()),
            all_js_path: "/connect/all.js".into(),
            ..SimConfig::default()
        },
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.connect().installation("dwell-test").is_none() {
        assert!(std::time::Instant::now() < deadline, "installed at start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut r = agent().get(sim.url("/connect/all.js")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    let js = r.body_mut().read_to_string().unwrap();
    for api in [
        "request:",
        "getToken",
        "getContext",
        "getCurrentUser",
        "sizeToParent",
        "xdm_e",
    ] {
        assert!(js.contains(api), "all.js provides {api}");
    }
    // A module that does not exist, an app that is not installed.
    assert_eq!(
        agent()
            .get(sim.url("/plugins/servlet/ac/dwell-test/nope"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        agent()
            .get(sim.url("/plugins/servlet/ac/other/reports"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    // An app that refuses the install is not installed.
    let mut r = agent()
        .post(sim.url("/_sim/connect/install"))
        .send_json(json!({"appUrl": "http://127.0.0.1:9"}))
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        502,
        "{}",
        r.body_mut().read_to_string().unwrap()
    );
}

/// The witness behind the privacy proof's check of the server's own calls: what jira-sim
/// served to an app's server is counted by route with the canary markers it carried, and
/// what it served to a person counts the markers by kind.
#[test]
fn the_witness_counts_what_an_app_was_served_and_which_markers_it_carried() {
    let app = start_app();
    let data = Arc::new(jira_sim::Dataset::generate(jira_sim::DataSpec {
        issues: 20,
        seed: 3,
        canary: true,
        ..jira_sim::DataSpec::default()
    }));
    let sim = RunningSim::start_with(SimConfig::default(), data).unwrap();
    install(&sim, &app);
    let secret = app.calls.lock().unwrap()[0].body["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let as_app = |path: &str, query: &str| {
        let qsh = sha256_hex(&format!("GET&{path}&{query}"));
        let url = if query.is_empty() {
            sim.url(path)
        } else {
            sim.url(&format!("{path}?{query}"))
        };
        agent()
            .get(url)
            .header(
                "Authorization",
                &format!("JWT {}", app_token("dwell-test", &secret, &qsh)),
            )
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    let ada = sim.data.site.users[0].account_id.clone();
    assert_eq!(
        as_app("/rest/api/3/user/groups", &format!("accountId={ada}")),
        200
    );
    assert_eq!(as_app("/rest/api/3/issue/10001", ""), 200);
    // A person reads the same issue.
    let r = agent()
        .get(sim.url("/rest/api/3/issue/10001"))
        .header("Authorization", "Bearer sim-token-ben")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let stats = serde_json::to_value(sim.stats()).unwrap();
    let served = &stats["servedToApps"];
    assert_eq!(
        served["GET /rest/api/3/user/groups"],
        json!({"requests": 1, "canary": []}),
        "group names carry no issue content"
    );
    let issue = &served["GET /rest/api/3/issue/{key}"];
    assert_eq!(issue["requests"], 1);
    for marker in [
        "ZZCANARYKEY",
        "ZZCANARYSUMMARY",
        "ZZCANARYPERSON",
        "ZZCANARYSTATUS",
    ] {
        assert!(
            issue["canary"].as_array().unwrap().contains(&json!(marker)),
            "an issue read as the app carries {marker}: {issue}"
        );
    }
    assert_eq!(
        served.as_object().unwrap().len(),
        2,
        "the person's read is not the app's: {served}"
    );
    assert_eq!(stats["canaryServedToPeople"]["ZZCANARYSUMMARY"], 1);
}

/// The personal data reporting API answers the app, not users: 204 when no reported account
/// needs action, the closed and updated ones otherwise, 400 past 90 accounts or for a time
/// that is not ISO 8601 UTC; every batch is recorded for tests.
#[test]
fn the_personal_data_reporting_api_answers_apps_about_closed_and_updated_accounts() {
    let app = start_app();
    let sim = RunningSim::start(SimConfig::default()).unwrap();
    install(&sim, &app);
    let secret = app.calls.lock().unwrap()[0].body["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let path = "/rest/atlassian-connect/latest/report-accounts";
    let report = |auth: &str, accounts: Value| {
        let mut r = agent()
            .post(sim.url(path))
            .header("Authorization", auth)
            .send_json(json!({ "accounts": accounts }))
            .unwrap();
        (
            r.status().as_u16(),
            r.body_mut().read_json::<Value>().unwrap_or(Value::Null),
        )
    };
    let as_app = format!(
        "JWT {}",
        app_token("dwell-test", &secret, &sha256_hex(&format!("POST&{path}&")))
    );
    let account = |id: &str| json!({"accountId": id, "updatedAt": "2026-11-30T10:00:00.000Z"});
    let (ada, ben, chloe) = (
        sim.data.site.users[0].account_id.clone(),
        sim.data.site.users[1].account_id.clone(),
        sim.data.site.users[2].account_id.clone(),
    );

    assert_eq!(report(&as_app, json!([account(&ada)])).0, 204);
    let r = agent()
        .post(sim.url("/_sim/accounts"))
        .send_json(json!({"closed": [ben], "updated": [chloe]}))
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, body) = report(
        &as_app,
        json!([account(&ada), account(&ben), account(&chloe)]),
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"accounts": [
            {"accountId": ben, "status": "closed"},
            {"accountId": chloe, "status": "updated"},
        ]})
    );

    let too_many: Vec<Value> = (0..91).map(|n| account(&format!("acc-{n}"))).collect();
    assert_eq!(report(&as_app, json!(too_many)).0, 400);
    assert_eq!(report(&as_app, json!([])).0, 400);
    let local_time = json!([{"accountId": ada, "updatedAt": "2026-11-30T10:00:00"}]);
    assert_eq!(report(&as_app, local_time).0, 400);
    assert_eq!(
        report(&sim.basic_auth("ada"), json!([account(&ada)])).0,
        403,
        "a user may not report accounts"
    );

    let reported: Value = agent()
        .get(sim.url("/_sim/accounts/reported"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let batches = reported["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 2, "only the accepted reports are recorded");
    assert_eq!(batches[1]["appKey"], "dwell-test");
    assert_eq!(batches[1]["accounts"].as_array().unwrap().len(), 3);
}

/// The `src` of the page's iframe, its `&amp;`s unescaped.
fn iframe_src(html: &str) -> String {
    let quoted = html.split("src=\"").nth(1).unwrap();
    quoted.split('"').next().unwrap().replace("&amp;", "&")
}

/// A query string's parameters, in order, as written (not decoded).
fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Takes the `jwt` parameter out of `params` and returns it.
fn take_jwt(params: &mut Vec<(String, String)>) -> String {
    let jwt = params.iter().find(|(k, _)| k == "jwt").unwrap().1.clone();
    params.retain(|(k, _)| k != "jwt");
    jwt
}

/// Connect's canonical request for `GET path` with `params`: sorted by name (the values here
/// need no re-encoding).
fn canonical_get(path: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let query: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("GET&{path}&{}", query.join("&"))
}

/// The claims of a token the host signed, which must verify with the installation's shared
/// secret.
fn verified<C: serde::de::DeserializeOwned>(jwt: &str, secret: &str) -> C {
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_aud = false;
    jsonwebtoken::decode::<C>(jwt, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .expect("the token verifies with the shared secret")
        .claims
}

/// The names of the groups in an answer of `/user/groups`.
fn group_names(groups: &Value) -> Vec<&str> {
    let list = groups
        .as_array()
        .unwrap_or_else(|| panic!("a list: {groups}"));
    list.iter().map(|g| g["name"].as_str().unwrap()).collect()
}
