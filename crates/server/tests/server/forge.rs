//! Dwell as a Forge remote: the real server over loopback HTTP with a real SQLite file, Forge
//! Invocation Tokens signed here with the fixture key and published by a loopback JWKS.
//! Lifecycle (install, upgrade, uninstall, restore, purge), the API as a Forge user, rights by
//! account id, and Connect and Forge tenants side by side without ever mixing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use server::settings::ForgeSettings;

use crate::forge_fit::{APP_ID, Jwks, KID, jwk, serve_jwks, sign};
use crate::helpers::*;

pub(crate) const UUID: &str = "0b4b0d1e-5a1c-4f5e-8a31-9f7d2d6c1a10";
pub(crate) const CLOUD_ID: &str = "5f0c1e2d-aaaa-4bbb-8ccc-0123456789ab";
pub(crate) const ADA: &str = "5b10ac8d82e05b22cc7d4ef5";
pub(crate) const BEN: &str = "5b10ac8d82e05b22cc7d4ef6";

pub(crate) fn installation(uuid: &str) -> String {
    format!("ari:cloud:ecosystem::installation/{uuid}")
}

/// A fresh `jti` for every token of the run.
fn jti() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{:040x}", N.fetch_add(1, Ordering::SeqCst) + 1)
}

/// The claims Forge puts in a FIT for `installation`: a UI call when `principal` is given
/// (module `core:endpoint`, with the site), otherwise a lifecycle trigger.
pub(crate) fn fit_claims(installation: &str, principal: Option<&str>) -> Value {
    let now = now();
    let mut c = json!({
        "iss": "forge/invocation-token",
        "aud": APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 25,
        "jti": jti(),
        "app": {
            "id": APP_ID,
            "installationId": installation,
            "apiBaseUrl": format!("https://api.atlassian.com/ex/jira/{CLOUD_ID}"),
            "appVersion": "1.0.0",
            "environment": {"type": "PRODUCTION", "id": "ari:cloud:ecosystem::environment/x/prod"},
            "module": {"type": "core:trigger", "key": "dwell-lifecycle-events"}
        },
        "context": {"cloudId": CLOUD_ID, "moduleKey": "dwell-lifecycle-events"}
    });
    if let Some(p) = principal {
        c["principal"] = json!(p);
        c["app"]["module"] = json!({"type": "core:endpoint", "key": "dwell-ui"});
        c["context"] = json!({
            "cloudId": CLOUD_ID,
            "siteUrl": "https://acme.atlassian.net",
            "moduleKey": "dwell-global",
            "localId": "local-1"
        });
    }
    c
}

pub(crate) fn fit(installation: &str, principal: Option<&str>) -> String {
    sign(&fit_claims(installation, principal), "install-key.pem", KID)
}

/// The app with Forge on, trusting `jwks`.
pub(crate) fn forge_app(jwks: &Jwks) -> TestApp {
    let url = jwks.url.clone();
    TestApp::spawn_with(move |s| {
        s.forge = Some(ForgeSettings {
            jwks_url: url,
            ..ForgeSettings::production(APP_ID)
        });
    })
}

pub(crate) async fn bearer(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Response {
    let body = body.map(|b| ("application/json", serde_json::to_vec(&b).unwrap()));
    app.send(
        method,
        path,
        &[("Authorization", format!("Bearer {token}"))],
        body,
    )
    .await
}

/// A user's UI call through `invokeRemote`, with a fresh token.
pub(crate) async fn as_user(
    app: &TestApp,
    uuid: &str,
    account: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Response {
    bearer(
        app,
        &fit(&installation(uuid), Some(account)),
        method,
        path,
        body,
    )
    .await
}

/// Posts the lifecycle `event` with `token`, as an installation's trigger does.
pub(crate) async fn post_event(app: &TestApp, token: &str, event: Value) -> Response {
    bearer(app, token, "POST", "/forge/lifecycle", Some(event)).await
}

pub(crate) fn event(kind: &str, uuid: &str, actor: &str) -> Value {
    let mut e = json!({
        "eventType": format!("avi:forge:{kind}:app"),
        "id": uuid,
        "app": {"id": APP_ID, "version": "1.0.0"},
        "environment": {"id": "ari:cloud:ecosystem::environment/x/prod"},
        "context": format!("ari:cloud:jira::site/{CLOUD_ID}")
    });
    match kind {
        "installed" => e["installerAccountId"] = json!(actor),
        "upgraded" => {
            e["upgraderAccountId"] = json!(actor);
            e["app"]["version"] = json!("2.0.0");
        }
        _ => {}
    }
    e
}

/// `account`, a user of installation [`UUID`], creates the report `name`.
async fn create_report(app: &TestApp, account: &str, name: &str) -> Response {
    as_user(
        app,
        UUID,
        account,
        "POST",
        "/api/v1/reports",
        Some(report(name)),
    )
    .await
}

/// Sends a lifecycle event for `uuid` with a trigger token of that installation.
pub(crate) async fn lifecycle(app: &TestApp, kind: &str, uuid: &str, actor: &str) -> Response {
    post_event(
        app,
        &fit(&installation(uuid), None),
        event(kind, uuid, actor),
    )
    .await
}

fn names(list: &Response) -> Vec<String> {
    list.body
        .as_array()
        .unwrap_or_else(|| panic!("a list: {:?}", list.body))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn the_installer_is_the_first_admin_and_grants_others_by_account_id() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    let res = lifecycle(&app, "installed", UUID, ADA).await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let (platform, inst, cloud, secret): (String, String, String, Vec<u8>) = app
        .db()
        .query_row(
            "SELECT platform, forge_installation_id, cloud_id, shared_secret FROM tenants",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (platform.as_str(), inst.as_str(), cloud.as_str()),
        ("forge", installation(UUID).as_str(), CLOUD_ID)
    );
    assert!(secret.is_empty(), "a Forge tenant holds no secret");

    let me = as_user(&app, UUID, ADA, "GET", "/api/v1/me", None).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["isAdmin"], true);
    assert_eq!(me.body["accountId"], ADA);
    let created = create_report(&app, ADA, "Flow").await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let list = as_user(&app, UUID, ADA, "GET", "/api/v1/reports", None).await;
    assert_eq!(names(&list), ["Flow"]);
    // The site the UI token names is stored beside the installation.
    let site: Option<String> = app
        .db()
        .query_row("SELECT site_url FROM tenants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(site.as_deref(), Some("https://acme.atlassian.net"));

    // Ben is no admin and holds no grant: he reads, he may not write.
    let me = as_user(&app, UUID, BEN, "GET", "/api/v1/me", None).await;
    assert_eq!(me.body["isAdmin"], false, "{:?}", me.body);
    let refused = create_report(&app, BEN, "X").await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);

    // A group grant is refused on Forge, with where it is and why.
    let groups = json!({"editReports": [
        {"type": "user", "accountId": BEN},
        {"type": "group", "name": "jira-software-users"}
    ]});
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            app.send(
                "PUT",
                "/api/v1/permissions",
                &[
                    ("Authorization", format!("Bearer {token}")),
                    ("If-Match", "\"0\"".into()),
                ],
                Some(("application/json", serde_json::to_vec(&body).unwrap())),
            )
            .await
        }
    };
    let res = put(fit(&installation(UUID), Some(ADA)), groups).await;
    assert_eq!(res.status, 422, "{:?}", res.body);
    assert_eq!(res.body["details"][0]["path"], "/editReports/1");
    assert!(
        res.body["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Forge cannot check Jira group membership"),
        "{:?}",
        res.body
    );
    let restricted = json!({
        "config": report("Team only")["config"],
        "access": {"viewers": [{"type": "group", "name": "devs"}]}
    });
    let res = as_user(&app, UUID, ADA, "POST", "/api/v1/reports", Some(restricted)).await;
    assert_eq!(res.status, 422, "{:?}", res.body);
    assert_eq!(res.body["details"][0]["path"], "/access/viewers/0");

    // By account id the grant works.
    let res = put(
        fit(&installation(UUID), Some(ADA)),
        json!({"editReports": [{"type": "user", "accountId": BEN}]}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let created = create_report(&app, BEN, "Ben's").await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    // Ben may edit reports, not grant rights: he is no admin.
    let res = put(
        fit(&installation(UUID), Some(BEN)),
        json!({"managePermissions": [{"type": "user", "accountId": BEN}]}),
    )
    .await;
    assert_eq!(res.status, 403, "{:?}", res.body);
}

#[actix_web::test]
async fn connect_and_forge_tenants_share_the_server_and_never_mix() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    let connect = app.install("acme-connect").await;
    let admin = connect.user("connect-admin");
    app.jira.set_groups("connect-admin", &["site-admins"]);
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);
    assert_eq!(app.tenant_count(), 2);

    let res = app
        .api(&admin, "POST", "/api/v1/reports", Some(report("Connect's")))
        .await;
    assert_eq!(res.status, 201, "{:?}", res.body);
    let res = create_report(&app, ADA, "Forge's").await;
    assert_eq!(res.status, 201, "{:?}", res.body);
    let connect_list = app.api(&admin, "GET", "/api/v1/reports", None).await;
    assert_eq!(names(&connect_list), ["Connect's"]);
    let forge_list = as_user(&app, UUID, ADA, "GET", "/api/v1/reports", None).await;
    assert_eq!(names(&forge_list), ["Forge's"]);
    let per_tenant: Vec<(String, i64)> = {
        let db = app.db();
        let mut stmt = db
            .prepare(
                "SELECT t.platform, count(r.id) FROM tenants t JOIN reports r ON r.tenant_id = t.id
                 GROUP BY t.platform ORDER BY t.platform",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        per_tenant,
        [("connect".to_string(), 1), ("forge".to_string(), 1)]
    );

    // A Connect JWT naming the Forge tenant, keyed with its (empty) secret, after the Forge
    // tenant was loaded into the shared tenant cache by the call above.
    let forge_key = format!("forge:{}", installation(UUID));
    for iss in [forge_key.as_str(), installation(UUID).as_str(), UUID] {
        let token = hs256(
            b"",
            &json!({"iss": iss, "sub": ADA, "iat": now(), "exp": now() + 60,
                    "qsh": qsh("GET", "/api/v1/reports", "")}),
        );
        let res = app.with_token(&token, "GET", "/api/v1/reports").await;
        assert_eq!(res.status, 401, "Connect JWT as {iss}: {:?}", res.body);
    }
    // A FIT naming the Connect tenant's client key as its installation.
    let res = bearer(
        &app,
        &fit("acme-connect", Some(ADA)),
        "GET",
        "/api/v1/reports",
        None,
    )
    .await;
    assert_eq!(res.status, 401, "{:?}", res.body);
    // Each credential under the other's scheme.
    let fit_as_jwt = fit(&installation(UUID), Some(ADA));
    let res = app.with_token(&fit_as_jwt, "GET", "/api/v1/reports").await;
    assert_eq!(res.status, 401, "{:?}", res.body);
    let jwt_as_bearer = admin.context_token();
    let res = bearer(&app, &jwt_as_bearer, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401, "{:?}", res.body);
    // The refusals say nothing about why.
    assert_eq!(res.body["message"], "authentication failed");

    // A Connect install cannot take the form Forge tenants are kept under.
    let squatter = crate::helpers::Tenant {
        client_key: forge_key.clone(),
        secret: "a-secret-of-the-squatter-0123456789".into(),
        base_url: format!("{}/t/squatter", app.jira.url),
    };
    let res = app.signed_install(&squatter).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(app.tenant_count(), 2);

    // Connect's group grants keep working beside Forge.
    let res = app
        .put_grants(
            &admin,
            json!({"editReports": [{"type": "group", "name": "devs"}]}),
            0,
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

#[actix_web::test]
async fn lifecycle_events_only_come_from_the_installations_own_trigger() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    const OTHER: &str = "99999999-5a1c-4f5e-8a31-9f7d2d6c1a10";

    // A trigger token of one installation, an event naming another.
    let res = post_event(
        &app,
        &fit(&installation(UUID), None),
        event("installed", OTHER, ADA),
    )
    .await;
    assert_eq!(res.status, 403, "{:?}", res.body);
    // A user's UI token (invokeRemote can reach any path of the remote).
    let res = post_event(
        &app,
        &fit(&installation(UUID), Some(BEN)),
        event("installed", UUID, BEN),
    )
    .await;
    assert_eq!(res.status, 403, "{:?}", res.body);
    // No token, or a forged one.
    let res = app
        .send(
            "POST",
            "/forge/lifecycle",
            &[],
            Some((
                "application/json",
                event("installed", UUID, ADA).to_string().into(),
            )),
        )
        .await;
    assert_eq!(res.status, 401);
    let forged = sign(
        &fit_claims(&installation(UUID), None),
        "attacker-key.pem",
        KID,
    );
    let res = post_event(&app, &forged, event("installed", UUID, ADA)).await;
    assert_eq!(res.status, 401);
    assert_eq!(app.tenant_count(), 0, "nothing was installed");

    // The installation's own trigger installs; an event for another app is refused.
    let mut other_app = event("upgraded", UUID, ADA);
    other_app["app"]["id"] = json!("ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000");
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);
    let res = post_event(&app, &fit(&installation(UUID), None), other_app).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    let res = post_event(
        &app,
        &fit(&installation(UUID), None),
        json!({"eventType": "avi:forge:bogus:app", "id": UUID}),
    )
    .await;
    assert_eq!(res.status, 400, "{:?}", res.body);
}

#[actix_web::test]
async fn a_ui_route_needs_a_user_and_an_installation_and_a_token_counts_once() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);

    // A trigger token (no principal) on the API.
    let res = bearer(
        &app,
        &fit(&installation(UUID), None),
        "GET",
        "/api/v1/reports",
        None,
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "authentication failed");
    let mut no_installation = fit_claims(&installation(UUID), Some(ADA));
    no_installation["app"]
        .as_object_mut()
        .unwrap()
        .remove("installationId");
    let token = sign(&no_installation, "install-key.pem", KID);
    let res = bearer(&app, &token, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "authentication failed");
    // An installation that never installed.
    let res = as_user(
        &app,
        "77777777-5a1c-4f5e-8a31-9f7d2d6c1a10",
        ADA,
        "GET",
        "/api/v1/reports",
        None,
    )
    .await;
    assert_eq!(res.status, 401);
    // A replayed token.
    let once = fit(&installation(UUID), Some(ADA));
    assert_eq!(
        bearer(&app, &once, "GET", "/api/v1/reports", None)
            .await
            .status,
        200
    );
    let res = bearer(&app, &once, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401, "a replay: {:?}", res.body);
}

#[actix_web::test]
async fn uninstall_keeps_the_data_for_the_grace_period_reinstall_restores_it_and_purge_ends_it() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);
    let res = create_report(&app, ADA, "Kept").await;
    assert_eq!(res.status, 201, "{:?}", res.body);

    assert_eq!(lifecycle(&app, "upgraded", UUID, BEN).await.status, 204);
    let version: String = app
        .db()
        .query_row("SELECT app_version FROM tenants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, "2.0.0");
    let res = lifecycle(
        &app,
        "upgraded",
        "12121212-5a1c-4f5e-8a31-9f7d2d6c1a10",
        BEN,
    )
    .await;
    assert_eq!(res.status, 404, "an upgrade of an unknown installation");

    assert_eq!(lifecycle(&app, "uninstalled", UUID, ADA).await.status, 204);
    let res = as_user(&app, UUID, ADA, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401, "an uninstalled site's tokens are refused");

    // Reinstalled by someone else: the data is back, and both installers are admins.
    assert_eq!(lifecycle(&app, "installed", UUID, BEN).await.status, 204);
    let list = as_user(&app, UUID, BEN, "GET", "/api/v1/reports", None).await;
    assert_eq!(names(&list), ["Kept"]);
    for who in [ADA, BEN] {
        let me = as_user(&app, UUID, who, "GET", "/api/v1/me", None).await;
        assert_eq!(me.body["isAdmin"], true, "{who}");
    }

    // Uninstalled past the grace period: the purge Connect tenants get removes everything.
    assert_eq!(lifecycle(&app, "uninstalled", UUID, ADA).await.status, 204);
    let db = server::store::Db::open(&app.db_path, 1).unwrap();
    let kept =
        server::jobs::purge_once(&db, Duration::from_secs(86_400), jiff::Timestamp::now()).unwrap();
    assert!(kept.is_empty(), "within the grace period nothing goes");
    let purged = server::jobs::purge_once(
        &db,
        Duration::from_secs(86_400),
        jiff::Timestamp::now() + jiff::SignedDuration::from_hours(25),
    )
    .unwrap();
    assert_eq!(purged.len(), 1);
    for table in ["tenants", "reports", "tenant_admins"] {
        let n: i64 = app
            .db()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table} purged");
    }
}

/// The operator recovers a Forge site whose installer has left by naming that installation:
/// the account is an admin there, not on another installation nor a Connect site of the same
/// key, and a revoke takes it back.
#[actix_web::test]
async fn an_operator_grant_names_one_forge_installation() {
    const OTHER: &str = "22222222-5a1c-4f5e-8a31-9f7d2d6c1a10";
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let app = forge_app(&jwks);
    assert_eq!(lifecycle(&app, "installed", UUID, ADA).await.status, 204);
    assert_eq!(lifecycle(&app, "installed", OTHER, ADA).await.status, 204);
    let conn = rusqlite::Connection::open(&app.db_path).unwrap();
    let now = jiff::Timestamp::now();
    let granted = server::store::grant_admin(&conn, &installation(UUID), BEN, now).unwrap();
    assert!(granted.is_some());
    let unknown = server::store::grant_admin(&conn, &installation("nope"), BEN, now).unwrap();
    assert!(unknown.is_none(), "an unknown installation is no site");
    let admin = |uuid: &'static str| {
        let app = &app;
        async move {
            let me = as_user(app, uuid, BEN, "GET", "/api/v1/me", None).await;
            assert_eq!(me.status, 200, "{:?}", me.body);
            me.body["isAdmin"].as_bool().unwrap()
        }
    };
    assert!(admin(UUID).await);
    assert!(!admin(OTHER).await, "another installation is not named");

    assert!(server::store::revoke_admin(&conn, &installation(UUID), BEN).unwrap());
    assert!(!admin(UUID).await, "revoked");
}

#[actix_web::test]
async fn without_a_forge_app_id_forge_is_off() {
    let app = TestApp::spawn();
    let token = fit(&installation(UUID), None);
    let res = post_event(&app, &token, event("installed", UUID, ADA)).await;
    assert_eq!(res.status, 404, "{:?}", res.body);
    let res = bearer(
        &app,
        &fit(&installation(UUID), Some(ADA)),
        "GET",
        "/api/v1/reports",
        None,
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(app.tenant_count(), 0);
}
