//! Security headers, the client page's CSP, static files, rate limiting, TLS, health, the
//! OpenAPI document, and docs/SECURITY.md held to the schema.

use std::sync::Arc;

use serde_json::json;

use crate::helpers::*;

/// The policy of every answer but the client page and its files, spelled out.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

#[actix_web::test]
async fn api_answers_carry_the_security_headers() {
    let app = TestApp::spawn();
    let admin = app.install_admin("site", "admin").await;
    for res in [
        app.api(&admin, "GET", "/api/v1/reports", None).await,
        app.send("GET", "/api/v1/reports", &[], None).await,
        app.send("GET", "/health/live", &[], None).await,
    ] {
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            res.header("referrer-policy").as_deref(),
            Some("no-referrer")
        );
        assert_eq!(
            res.header("content-security-policy").as_deref(),
            Some(API_CSP)
        );
        assert_eq!(
            res.header("strict-transport-security"),
            None,
            "no HSTS over plain HTTP"
        );
    }
    let res = app.api(&admin, "GET", "/api/v1/reports", None).await;
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        res.header("access-control-allow-origin"),
        None,
        "no CORS: same origin only"
    );

    let behind_proxy = TestApp::spawn_with(|s| s.hsts = true);
    let res = behind_proxy.send("GET", "/health/live", &[], None).await;
    assert_eq!(
        res.header("strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
}

#[actix_web::test]
async fn the_page_may_be_framed_only_by_the_tenant_whose_token_it_carries() {
    let app = TestApp::spawn_with(|s| {
        s.static_dir = Some(fixture("dist"));
        s.csp.connect_src = vec!["http://sim.test:9000".into()];
    });
    let tenant = app.install("site").await;
    let inline =
        "import init from '/client.js'; await init({ module_or_path: '/client_bg.wasm' });";
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(inline.as_bytes()))
    };

    let bare = app.send("GET", "/", &[], None).await;
    assert_eq!(bare.status, 200);
    let bare_html = String::from_utf8_lossy(&bare.raw).into_owned();
    // The build's own policy for static hosts is taken out: the header is the page's policy.
    assert!(bare_html.contains("<title>Dwell</title>"), "{bare_html}");
    assert!(
        !bare_html
            .to_ascii_lowercase()
            .contains("content-security-policy"),
        "{bare_html}"
    );
    // No token, no word for the client that it runs inside a Jira.
    assert!(!bare_html.contains("dwell-connect-site"), "{bare_html}");
    assert_eq!(
        bare.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        bare.header("content-security-policy").unwrap(),
        format!(
            "default-src 'none'; \
             script-src 'self' 'wasm-unsafe-eval' https://connect-cdn.atl-paas.net 'sha256-{hash}'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
             connect-src 'self' http://sim.test:9000; frame-ancestors 'none'; base-uri 'none'; \
             form-action 'none'; object-src 'none'"
        )
    );

    let user = tenant.user("someone");
    let token = user.token("GET", "/", "view=general&xdm_e=x");
    let framed = app
        .send(
            "GET",
            &format!("/?view=general&xdm_e=x&jwt={token}"),
            &[],
            None,
        )
        .await;
    assert_eq!(framed.status, 200);
    // The tenant's base URL and display URL are one origin here, named once.
    let jira = app.jira.url.clone();
    // The page names the site the token verified for, from the installation, once.
    let framed_html = String::from_utf8_lossy(&framed.raw).into_owned();
    assert!(
        framed_html.contains(&format!(
            "<head><meta name=\"dwell-connect-site\" content=\"{jira}/t/site\">"
        )),
        "{framed_html}"
    );
    assert_eq!(
        framed.header("content-security-policy").unwrap(),
        format!(
            "default-src 'none'; \
             script-src 'self' 'wasm-unsafe-eval' https://connect-cdn.atl-paas.net 'sha256-{hash}'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: {jira}; \
             font-src 'self' data:; connect-src 'self' {jira} http://sim.test:9000; \
             frame-ancestors {jira}; base-uri 'none'; form-action 'none'; object-src 'none'"
        )
    );

    let bad = app
        .send(
            "GET",
            &format!(
                "/?view=general&jwt={}",
                user.token("GET", "/", "view=other")
            ),
            &[],
            None,
        )
        .await;
    assert_eq!(bad.status, 401);

    // Regression (issue 13): the server compared raw keys and the client decoded them, so a
    // token spelt `j%77t` was never verified here while the client took the page for a Connect
    // page. One parser: the server verifies it (and refuses this one, bound to another query).
    let spelt = app
        .send(
            "GET",
            &format!(
                "/?view=general&j%77t={}",
                user.token("GET", "/", "view=other")
            ),
            &[],
            None,
        )
        .await;
    assert_eq!(spelt.status, 401);
    // A page parameter named twice means two things to two readers: no page.
    for query in [
        format!("view=general&xdm_e=x&jwt={token}&jwt={token}"),
        format!("view=general&xdm_e=x&jwt={token}&xdm%5Fe=y"),
    ] {
        let twice = app.send("GET", &format!("/?{query}"), &[], None).await;
        assert_eq!(twice.status, 400, "{query}");
    }
}

#[actix_web::test]
async fn static_files_have_their_types_and_are_compressed() {
    let app = TestApp::spawn_with(|s| s.static_dir = Some(fixture("dist")));
    let client = awc::Client::default();
    for (path, mime) in [
        ("/client_bg.wasm", "application/wasm"),
        ("/client.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let res = client
            .get(format!("{}{path}", app.url))
            .insert_header(("Accept-Encoding", "gzip"))
            .no_decompress()
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let ct = res.headers().get("content-type").unwrap().to_str().unwrap();
        assert!(ct.starts_with(mime), "{path}: {ct}");
        assert_eq!(
            res.headers().get("x-content-type-options").unwrap(),
            "nosniff"
        );
        if path == "/client.js" {
            assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
        }
    }
    let res = app.send("GET", "/../Cargo.toml", &[], None).await;
    assert_eq!(res.status, 404);
}

/// Regression: the worker's scripts were served with the API's `default-src 'none'`, and a
/// worker runs under its own script's policy, so the report worker could not fetch its wasm
/// and no report ran.
#[actix_web::test]
async fn the_worker_may_load_and_compile_its_wasm() {
    let app = TestApp::spawn_with(|s| {
        s.static_dir = Some(fixture("dist"));
        s.csp.connect_src = vec!["https://jira.example.com".into()];
    });
    let res = app.send("GET", "/client.js", &[], None).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-security-policy").as_deref(),
        Some(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' \
             https://connect-cdn.atl-paas.net; connect-src 'self' https://jira.example.com; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
    );
    // The page keeps its own policy; the API keeps the strict one.
    let page = app.send("GET", "/", &[], None).await;
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("style-src 'self' 'unsafe-inline'")
    );
    let api = app.send("GET", "/health/live", &[], None).await;
    assert_eq!(
        api.header("content-security-policy").as_deref(),
        Some(API_CSP)
    );
}

#[actix_web::test]
async fn a_tenant_over_its_rate_is_told_to_wait_and_others_are_not() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit_per_second = 1;
        s.rate_limit_burst = 5;
    });
    let busy = app.install_admin("busy", "admin").await;
    let calm = app.install_admin("calm", "admin").await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.api(&busy, "GET", "/api/v1/reports", None).await);
    }
    let limited: Vec<_> = statuses.iter().filter(|r| r.status == 429).collect();
    assert!(
        !limited.is_empty(),
        "{:?}",
        statuses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(limited[0].code(), "rate_limited");
    let wait: u64 = limited[0].header("retry-after").unwrap().parse().unwrap();
    assert!((1..=5).contains(&wait));
    assert_eq!(
        app.api(&calm, "GET", "/api/v1/reports", None).await.status,
        200
    );
}

#[actix_web::test]
async fn tls_serves_only_modern_versions_and_sends_hsts() {
    let app = TestApp::spawn_with(|s| {
        s.tls = Some(server::settings::TlsFiles {
            cert: fixture("tls-cert.pem"),
            key: fixture("tls-key.pem"),
        })
    });
    let https = app.url.replace("http://", "https://");
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(fixture("tls-ca.pem")).unwrap();
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = |versions: &[&'static rustls::SupportedProtocolVersion]| {
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots.clone())
            .with_no_client_auth()
    };
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let client = awc::Client::builder()
            .connector(awc::Connector::new().rustls_0_23(Arc::new(config(&[version]))))
            .finish();
        let res = client
            .get(format!("{https}/health/live"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers().get("strict-transport-security").unwrap(),
            "max-age=31536000; includeSubDomains"
        );
    }
    let plain = awc::Client::default()
        .get(format!("{}/health/live", app.url))
        .send()
        .await;
    assert!(
        plain.is_err() || plain.unwrap().status().as_u16() == 400,
        "no plain HTTP on the TLS port"
    );
}

#[actix_web::test]
async fn health_and_the_api_description_are_public() {
    let app = TestApp::spawn();
    let res = app.send("GET", "/health/live", &[], None).await;
    assert_eq!(res.body, json!({"status": "ok"}));
    let res = app.send("GET", "/health/ready", &[], None).await;
    assert_eq!(res.body, json!({"status": "ready"}));
    let res = app.send("GET", "/api/openapi.json", &[], None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["openapi"], "3.1.0");
    let paths = res.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/me", "get"),
        ("/api/v1/reports", "post"),
        ("/api/v1/reports/{id}", "put"),
        ("/api/v1/reports/{id}/duplicate", "post"),
        ("/api/v1/calendars/{id}", "delete"),
        ("/api/v1/status-groups", "get"),
        ("/api/v1/permissions", "put"),
        ("/api/v1/export", "get"),
        ("/api/v1/import", "post"),
        ("/api/v1/tenant", "delete"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} documented"
        );
    }
}

/// docs/SECURITY.md lists every table and column the server stores, and nothing that is not.
#[test]
fn security_md_lists_exactly_the_stored_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = server::store::Db::open(&dir.path().join("x.sqlite3"), 1).unwrap();
    let schema = server::store::schema_columns(&db.conn().unwrap()).unwrap();
    let doc_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SECURITY.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let mut documented = std::collections::BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cell = line.trim_start_matches("| `");
        if let Some(name) = cell.split('`').next().filter(|n| n.contains('.')) {
            documented.insert(name.to_string());
        }
    }
    let mut stored = std::collections::BTreeSet::new();
    for (table, columns) in &schema {
        for column in columns {
            stored.insert(format!("{table}.{column}"));
        }
    }
    let missing: Vec<_> = stored.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "stored but not in docs/SECURITY.md: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in docs/SECURITY.md but not stored: {extra:?}"
    );
}
