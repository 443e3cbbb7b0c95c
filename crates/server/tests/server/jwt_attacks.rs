//! A token's life beyond its signature: context tokens serve the API but not page loads, an
//! uninstalled site's or a rotated secret's tokens are refused, and an unknown client key is
//! remembered until that site installs. The forgeries themselves are in `attacks.rs`.

use crate::helpers::*;

const PATH: &str = "/api/v1/reports";

#[actix_web::test]
async fn context_tokens_work_for_the_api_but_not_for_page_loads() {
    let app = TestApp::spawn_with(|s| {
        s.static_dir = Some(fixture("dist"));
    });
    let user = app.install_admin("site-a", "admin-1").await;
    let res = app.with_token(&user.context_token(), "GET", PATH).await;
    assert_eq!(res.status, 200);
    let res = app
        .send(
            "GET",
            &format!("/?view=general&jwt={}", user.context_token()),
            &[],
            None,
        )
        .await;
    assert_eq!(
        res.status, 401,
        "a page load needs a token bound to its URL"
    );
    let token = user.token("GET", "/", "view=general");
    let res = app
        .send("GET", &format!("/?view=general&jwt={token}"), &[], None)
        .await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn tokens_of_an_uninstalled_tenant_or_an_old_secret_are_refused() {
    let app = TestApp::spawn();
    let a = app.install("site-a").await;
    app.grant_admin(&a, "admin-1");
    let old = a.user("admin-1").context_token();
    assert_eq!(app.with_token(&old, "GET", PATH).await.status, 200);

    // Reinstall rotates the secret: a token signed with the old one is replayed in vain.
    let rotated = app.install_as("site-a", &a.base_url, 2).await;
    let res = app.with_token(&old, "GET", PATH).await;
    assert_eq!(res.status, 401);
    let fresh = rotated.user("admin-1").context_token();
    assert_eq!(app.with_token(&fresh, "GET", PATH).await.status, 200);

    app.lifecycle(
        "uninstalled",
        &rotated,
        &install_private_key(),
        Some(KID),
        None,
    )
    .await;
    let res = app.with_token(&fresh, "GET", PATH).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "authentication failed");
}

/// A token naming a client key no site has is refused, and the key is remembered as unknown:
/// a row that appears for it behind the server's back (here a copy of another tenant's, whose
/// sealed secret cannot open under another key) is not even read until the entry expires or an
/// install forgets it. Without the negative entry the second call reads the row and fails
/// (500); with it, the answer stays the cheap 401. A real install then works at once.
#[actix_web::test]
async fn an_unknown_client_key_is_remembered_until_that_site_installs() {
    let app = TestApp::spawn();
    let real = app.install("known-site").await;
    let probe = Tenant {
        client_key: "probed-site".into(),
        secret: "probe-secret-0123456789abcdef0123456789".into(),
        base_url: real.base_url.replace("known-site", "probed-site"),
    };
    let user = probe.user("someone");
    let first = app.api(&user, "GET", "/api/v1/reports", None).await;
    assert_eq!(first.status, 401, "{}", first.body);

    let db = rusqlite::Connection::open(&app.db_path).unwrap();
    let columns: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('tenants') WHERE name <> 'id'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let list = columns.join(", ");
    let values = columns
        .iter()
        .map(|c| match c.as_str() {
            "client_key" => "?1".to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    db.execute(
        &format!("INSERT INTO tenants ({list}) SELECT {values} FROM tenants WHERE client_key = ?2"),
        rusqlite::params!["probed-site", "known-site"],
    )
    .unwrap();
    drop(db);
    let again = app.api(&user, "GET", "/api/v1/reports", None).await;
    assert_eq!(again.status, 401, "{}", again.body);

    // The real install of that site forgets the entry: its users are in at once.
    let installed = app
        .install_as("probed-site", &probe.base_url, 2)
        .await
        .user("someone");
    let ok = app.api(&installed, "GET", "/api/v1/reports", None).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}
