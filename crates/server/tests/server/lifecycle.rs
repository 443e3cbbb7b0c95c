//! The Connect descriptor and the signed-install lifecycle, against a loopback key service.

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn the_descriptor_asks_for_read_only_signed_installs_and_context_tokens() {
    let app = TestApp::spawn();
    let res = app.send("GET", "/atlassian-connect.json", &[], None).await;
    assert_eq!(res.status, 200);
    let d = &res.body;
    assert_eq!(d["key"], APP_KEY);
    assert_eq!(d["baseUrl"], APP_BASE_URL);
    assert_eq!(d["scopes"], json!(["READ"]));
    assert_eq!(d["authentication"]["type"], "jwt");
    assert_eq!(d["apiMigrations"]["signed-install"], true);
    assert_eq!(d["apiMigrations"]["context-qsh"], true);
    assert_eq!(d["lifecycle"]["installed"], "/lifecycle/installed");
    assert_eq!(d["lifecycle"]["uninstalled"], "/lifecycle/uninstalled");
    assert!(d["modules"]["generalPages"][0]["url"].is_string());
    assert!(d["modules"]["jiraProjectPages"][0]["url"].is_string());
}

/// Issue 13: the operator's vulnerability contact and privacy policy are published in the
/// descriptor's links and in `/.well-known/security.txt` (RFC 9116, with an `Expires` in the
/// future); without them, neither claims one.
#[actix_web::test]
async fn the_security_contact_and_privacy_policy_are_published_when_set() {
    let app = TestApp::spawn_with(|s| {
        s.security_contact = Some("mailto:security@dwell.example".into());
        s.privacy_policy_url = Some("https://dwell.example/privacy".into());
    });
    let d = app
        .send("GET", "/atlassian-connect.json", &[], None)
        .await
        .body;
    assert_eq!(d["links"]["security"], "mailto:security@dwell.example");
    assert_eq!(d["links"]["privacy"], "https://dwell.example/privacy");
    assert_eq!(
        d["links"]["self"],
        format!("{APP_BASE_URL}/atlassian-connect.json")
    );
    let res = app
        .send("GET", "/.well-known/security.txt", &[], None)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let text = String::from_utf8(res.raw).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    };
    assert_eq!(
        field("Contact").as_deref(),
        Some("mailto:security@dwell.example"),
        "{text}"
    );
    assert_eq!(
        field("Canonical"),
        Some(format!("{APP_BASE_URL}/.well-known/security.txt"))
    );
    let expires: jiff::Timestamp = field("Expires").unwrap().parse().unwrap();
    let in_days = (expires - jiff::Timestamp::now()).get_seconds() / 86_400;
    assert!((300..=366).contains(&in_days), "expires in {in_days} days");

    let plain = TestApp::spawn();
    let d = plain
        .send("GET", "/atlassian-connect.json", &[], None)
        .await
        .body;
    assert_eq!(
        d["links"],
        json!({"self": format!("{APP_BASE_URL}/atlassian-connect.json")})
    );
    let res = plain
        .send("GET", "/.well-known/security.txt", &[], None)
        .await;
    assert_eq!(res.status, 404);
}

#[actix_web::test]
async fn a_signed_install_creates_a_tenant_whose_users_can_call_the_api() {
    let app = TestApp::spawn();
    let tenant = app.install("site-a").await;
    app.grant_admin(&tenant, "admin-1");
    let res = app
        .api(&tenant.user("admin-1"), "GET", "/api/v1/me", None)
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["accountId"], "admin-1");
    assert_eq!(res.body["isAdmin"], true);
    // The key was fetched once by kid and cached after.
    app.install_as("site-b", &format!("{}/t/site-b", app.jira.url), 1)
        .await;
    assert_eq!(app.jira.state.lock().unwrap().key_fetches, 1);
    // The secret is stored sealed, never in clear.
    let stored: Vec<u8> = app
        .db()
        .query_row(
            "SELECT shared_secret FROM tenants WHERE client_key = 'site-a'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !stored
            .windows(tenant.secret.len())
            .any(|w| w == tenant.secret.as_bytes())
    );
}

#[actix_web::test]
async fn forged_or_misaddressed_installs_are_refused_and_store_nothing() {
    let app = TestApp::spawn();
    let tenant = Tenant {
        client_key: "evil".into(),
        secret: "attacker-chosen-secret-0123456789".into(),
        base_url: format!("{}/t/evil", app.jira.url),
    };
    let good = install_private_key();
    let attacker = std::fs::read(fixture("attacker-key.pem")).unwrap();
    let path_qsh = qsh("POST", "/lifecycle/installed", "");
    type Case<'a> = (&'a str, Vec<u8>, Option<&'a str>, Option<serde_json::Value>);
    let cases: Vec<Case> = vec![
        (
            "signed with a key the service does not vouch for",
            attacker,
            Some(KID),
            None,
        ),
        ("unknown kid", good.clone(), Some("other-kid"), None),
        ("no kid", good.clone(), None, None),
        (
            "audience is another app",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": "https://other.app", "iat": now(), "exp": now() + 60, "qsh": path_qsh}),
            ),
        ),
        (
            "no audience",
            good.clone(),
            Some(KID),
            Some(json!({"iss": "evil", "iat": now(), "exp": now() + 60, "qsh": path_qsh})),
        ),
        (
            "audience is not a string",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": 42, "iat": now(), "exp": now() + 60, "qsh": path_qsh}),
            ),
        ),
        (
            "audience is an object",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": {"url": APP_BASE_URL}, "iat": now(), "exp": now() + 60, "qsh": path_qsh}),
            ),
        ),
        (
            "issuer is not the payload's client key",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "someone-else", "aud": APP_BASE_URL, "iat": now(), "exp": now() + 60, "qsh": path_qsh}),
            ),
        ),
        (
            "qsh of another request",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": APP_BASE_URL, "iat": now(), "exp": now() + 60, "qsh": qsh("POST", "/lifecycle/uninstalled", "")}),
            ),
        ),
        (
            "context token for a lifecycle event",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": APP_BASE_URL, "iat": now(), "exp": now() + 60, "qsh": "context-qsh"}),
            ),
        ),
        (
            "expired",
            good.clone(),
            Some(KID),
            Some(
                json!({"iss": "evil", "aud": APP_BASE_URL, "iat": now() - 900, "exp": now() - 600, "qsh": path_qsh}),
            ),
        ),
    ];
    for (what, key, kid, claims) in cases {
        let res = app.lifecycle("installed", &tenant, &key, kid, claims).await;
        assert_eq!(res.status, 401, "{what}: {:?}", res.body);
        assert_eq!(res.code(), "unauthorized", "{what}");
    }
    // An HS256 install signed with a secret of the caller's choosing is refused outright.
    let token = hs256(
        tenant.secret.as_bytes(),
        &json!({"iss": "evil", "aud": APP_BASE_URL, "iat": now(), "exp": now() + 60, "qsh": path_qsh}),
    );
    let res = app
        .send(
            "POST",
            "/lifecycle/installed",
            &[("Authorization", format!("JWT {token}"))],
            Some(("application/json", br#"{"key":"dwell","clientKey":"evil","sharedSecret":"attacker-chosen-secret-0123456789","baseUrl":"https://x.test"}"#.to_vec())),
        )
        .await;
    assert_eq!(res.status, 401);
    let n = app.tenant_count();
    assert_eq!(n, 0);
}

#[actix_web::test]
async fn an_install_for_another_app_key_is_refused() {
    let app = TestApp::spawn_with(|s| s.app_key = "not-dwell".into());
    let tenant = Tenant {
        client_key: "site".into(),
        secret: "secret-0123456789abcdef".into(),
        base_url: format!("{}/t/site", app.jira.url),
    };
    let res = app.signed_install(&tenant).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
}

#[actix_web::test]
async fn uninstall_keeps_the_data_and_a_reinstall_brings_it_back_with_a_new_secret() {
    let app = TestApp::spawn();
    let tenant = app.install("site-a").await;
    app.grant_admin(&tenant, "admin-1");
    let admin = tenant.user("admin-1");
    let created = app
        .api(&admin, "POST", "/api/v1/reports", Some(report("Kept")))
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();

    let res = app
        .lifecycle(
            "uninstalled",
            &tenant,
            &install_private_key(),
            Some(KID),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let res = app.api(&admin, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401);
    let uninstalled_at: Option<i64> = app
        .db()
        .query_row(
            "SELECT uninstalled_at FROM tenants WHERE client_key = 'site-a'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(uninstalled_at.is_some());

    let again = app
        .install_as("site-a", &tenant.base_url, 2)
        .await
        .user("admin-1");
    let res = app
        .api(&again, "GET", &format!("/api/v1/reports/{id}"), None)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["config"]["name"], "Kept");
    // The old secret no longer opens anything.
    let res = app.api(&admin, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.status, 401);
}

#[actix_web::test]
async fn a_renamed_site_keeps_its_data_and_a_site_import_starts_afresh() {
    let app = TestApp::spawn();
    let old_url = format!("{}/t/site-a", app.jira.url);
    app.install_as("site-a", &old_url, 1).await;

    // Same client key, new base URL: a rename. The stored URL follows.
    let new_url = format!("{}/t/site-a-renamed", app.jira.url);
    app.install_as("site-a", &new_url, 2).await;
    let (url, uninstalled): (String, Option<i64>) = app
        .db()
        .query_row(
            "SELECT base_url, uninstalled_at FROM tenants WHERE client_key = 'site-a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(url, new_url);
    assert_eq!(uninstalled, None);

    // A new client key at the same base URL: an imported site. The old installation is
    // retired (and will be purged); nothing passes to the new one.
    app.install_as("site-a-imported", &new_url, 1).await;
    let retired: Option<i64> = app
        .db()
        .query_row(
            "SELECT uninstalled_at FROM tenants WHERE client_key = 'site-a'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(retired.is_some());
}

#[actix_web::test]
async fn the_purge_job_removes_uninstalled_tenants_after_the_grace_period() {
    let app = TestApp::spawn_with(|s| {
        s.purge_grace = std::time::Duration::ZERO;
        s.purge_interval = Some(std::time::Duration::from_millis(200));
    });
    let gone = app.install("gone").await;
    let stays = app.install("stays").await;
    for t in [&gone, &stays] {
        app.grant_admin(t, "admin-1");
        let res = app
            .api(
                &t.user("admin-1"),
                "POST",
                "/api/v1/reports",
                Some(report("R")),
            )
            .await;
        assert_eq!(res.status, 201);
    }
    app.lifecycle(
        "uninstalled",
        &gone,
        &install_private_key(),
        Some(KID),
        None,
    )
    .await;
    let remaining: i64 = eventually(
        "the purge of the uninstalled tenant",
        std::time::Duration::from_secs(30),
        || {
            let n: i64 = app
                .db()
                .query_row(
                    "SELECT count(*) FROM tenants WHERE client_key = 'gone'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            (n == 0).then_some(n)
        },
    )
    .await;
    assert_eq!(remaining, 0, "the uninstalled tenant was purged");
    let reports: i64 = app
        .db()
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reports, 1, "only the installed tenant's report is left");
}

#[actix_web::test]
async fn a_tenant_within_the_grace_period_is_not_purged() {
    let app = TestApp::spawn();
    let t = app.install("recent").await;
    app.lifecycle("uninstalled", &t, &install_private_key(), Some(KID), None)
        .await;
    let db = server::store::Db::open(&app.db_path, 1).unwrap();
    let purged = server::jobs::purge_once(
        &db,
        std::time::Duration::from_secs(90 * 86_400),
        jiff::Timestamp::now(),
    )
    .unwrap();
    assert!(purged.is_empty());
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(91 * 24);
    let purged =
        server::jobs::purge_once(&db, std::time::Duration::from_secs(90 * 86_400), later).unwrap();
    assert_eq!(purged, vec!["recent".to_string()]);
}

/// Regression: any http(s) URL was taken as a site's base URL, so a signed install could point
/// the server's signed groups calls at any host, in clear text.
#[actix_web::test]
async fn a_site_must_be_on_an_atlassian_domain_over_https() {
    let app = TestApp::spawn();
    for (i, base_url) in [
        "https://jira.example.com",
        "http://acme.atlassian.net",
        "https://acme.atlassian.net.example.com",
        "http://10.1.2.3:8080",
    ]
    .into_iter()
    .enumerate()
    {
        let tenant = Tenant {
            client_key: format!("refused-{i}"),
            secret: "shared-secret-0123456789abcdef".into(),
            base_url: base_url.into(),
        };
        let res = app.signed_install(&tenant).await;
        assert_eq!(res.status, 400, "{base_url}: {:?}", res.body);
    }
    let n = app.tenant_count();
    assert_eq!(n, 0, "nothing stored");
    // A Cloud site and the loopback simulator are accepted.
    app.install_as("cloud", "https://acme.atlassian.net", 1)
        .await;
    app.install("loopback").await;
}

/// Regression: `--base-url` and `--install-keys-url` took plain http:// to any host.
#[test]
fn plain_http_settings_are_for_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let jira = FakeJira::start();
    let mut s = test_settings(dir.path(), &jira);
    assert!(s.check().is_ok(), "loopback install keys over http");
    s.base_url = "http://dwell.example.com".into();
    assert!(s.check().is_err());
    s.base_url = "https://dwell.example.com".into();
    s.install_keys_url = "http://keys.example.com/connect-install-keys".into();
    assert!(s.check().is_err());
}

/// Regression: every lifecycle call with a `kid` the key service does not know cost one more
/// fetch from the key service, so a flood of forged installs became a flood of fetches.
#[actix_web::test]
async fn an_unknown_key_id_is_fetched_once() {
    let app = TestApp::spawn();
    let tenant = Tenant {
        client_key: "forged".into(),
        secret: "shared-secret-0123456789abcdef".into(),
        base_url: format!("{}/t/forged", app.jira.url),
    };
    for _ in 0..3 {
        let res = app
            .lifecycle(
                "installed",
                &tenant,
                &install_private_key(),
                Some("not-a-real-kid"),
                None,
            )
            .await;
        assert_eq!(res.status, 401, "{:?}", res.body);
    }
    assert_eq!(app.jira.state.lock().unwrap().key_fetches, 1);
    // A known kid still installs.
    app.install("real").await;
    assert_eq!(app.jira.state.lock().unwrap().key_fetches, 2);
}

/// Forged lifecycle calls with made-up key ids from one address spend that address's own
/// budget of key fetches, not the budget Atlassian's real installs need: after 31 of them
/// (more than the global 30 a minute), a real install from another address still fetches its
/// key and succeeds. And one address cannot call the lifecycle routes without bound.
#[actix_web::test]
async fn forged_installs_from_one_source_cannot_starve_real_ones() {
    let app = TestApp::spawn_with(|s| s.lifecycle_calls_per_source_per_minute = 60);
    let attacker: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let atlassian: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    let mut refused = 0;
    for i in 0..31 {
        let forged = Tenant {
            client_key: format!("forged-{i}"),
            secret: "forged-secret-0123456789abcdef0123456789".into(),
            base_url: format!("{}/t/forged-{i}", app.jira.url),
        };
        let res = app
            .lifecycle_from(attacker, "installed", &forged, &format!("made-up-kid-{i}"))
            .await;
        assert!(
            matches!(res.status, 401 | 429),
            "{}: {}",
            res.status,
            res.body
        );
        refused += usize::from(res.status == 429);
    }
    assert!(
        refused >= 25,
        "the source's fetch budget ran out ({refused} refused)"
    );
    let real = Tenant {
        client_key: "real-site".into(),
        secret: "real-secret-0123456789abcdef0123456789".into(),
        base_url: format!("{}/t/real-site", app.jira.url),
    };
    let res = app.lifecycle_from(atlassian, "installed", &real, KID).await;
    assert_eq!(res.status, 204, "{}", res.body);

    let mut limited = false;
    for _ in 0..70 {
        let res = app.lifecycle_from(attacker, "installed", &real, KID).await;
        if res.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(
        limited,
        "60 lifecycle calls a minute from one address at most"
    );
}

/// Regression (issue 13, install keys cached with a TTL): a fetched install key was trusted for
/// the life of the process, so a key Atlassian withdrew kept verifying installs. With the key
/// withdrawn at the service, installs signed with it still pass while the cached key lives,
/// and are refused once it expires and the service says it has no such key.
#[actix_web::test]
async fn a_withdrawn_install_key_is_trusted_only_until_its_cache_entry_expires() {
    let app = TestApp::spawn_with(|s| s.install_keys_ttl = std::time::Duration::from_secs(2));
    let site = app.install("site-a").await;
    app.jira.state.lock().unwrap().key_withdrawn = true;
    let fetches = || app.jira.state.lock().unwrap().key_fetches;
    assert_eq!(fetches(), 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut accepted_while_cached = 0;
    loop {
        let res = app.signed_install(&site).await;
        if res.status == 401 {
            assert_eq!(res.body["message"], "authentication failed");
            break;
        }
        assert_eq!(res.status, 204, "{:?}", res.body);
        accepted_while_cached += 1;
        assert!(
            std::time::Instant::now() < deadline,
            "the withdrawn key is still trusted"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(accepted_while_cached >= 1, "the key was cached at first");
    assert_eq!(fetches(), 2, "one fetch when the entry expired");
}
