//! The permissions matrix: who may do what, with groups resolved by signed calls to the
//! loopback Jira.

use serde_json::{Value, json};

use crate::helpers::*;

/// The tenant's cast. Groups come from Jira; grants from the tenant's permissions.
const SITE_ADMIN: &str = "site-admin";
const CONFIGURED_ADMIN: &str = "configured-admin";
const EDITOR: &str = "editor";
const CALENDAR_MANAGER: &str = "cal-manager";
const PERMISSION_MANAGER: &str = "perm-manager";
const PLAIN: &str = "plain";
const AUDITOR: &str = "auditor";
const NAMED_EDITOR: &str = "named-editor";

async fn setup() -> (TestApp, Tenant) {
    let app = TestApp::spawn();
    app.jira
        .set_groups(SITE_ADMIN, &["site-admins", "jira-software-users"]);
    app.jira.set_groups(EDITOR, &["Team-Falcon"]);
    app.jira.set_groups(AUDITOR, &["auditors"]);
    let tenant = app.install("site").await;
    app.grant_admin(&tenant, CONFIGURED_ADMIN);
    let grants = json!({
        "editReports": [{"type": "group", "name": "team-falcon"}],
        "manageCalendars": [{"type": "user", "accountId": CALENDAR_MANAGER}],
        "managePermissions": [{"type": "user", "accountId": PERMISSION_MANAGER}]
    });
    let res = app.put_grants(&tenant.user(SITE_ADMIN), grants, 0).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    (app, tenant)
}

#[actix_web::test]
async fn tenant_rights_follow_admin_groups_the_admin_list_and_grants() {
    let (app, tenant) = setup().await;
    let everyone = [
        SITE_ADMIN,
        CONFIGURED_ADMIN,
        EDITOR,
        CALENDAR_MANAGER,
        PERMISSION_MANAGER,
        PLAIN,
    ];
    // (account, isAdmin, editReports, manageCalendars, managePermissions)
    let expected = [
        (SITE_ADMIN, true, true, true, true),
        (CONFIGURED_ADMIN, true, true, true, true),
        (EDITOR, false, true, false, false),
        (CALENDAR_MANAGER, false, false, true, false),
        (PERMISSION_MANAGER, false, false, false, true),
        (PLAIN, false, false, false, false),
    ];
    for (account, admin, edit, cal, perm) in expected {
        let me = app
            .api(&tenant.user(account), "GET", "/api/v1/me", None)
            .await;
        assert_eq!(me.status, 200);
        assert_eq!(
            me.body,
            json!({"accountId": account, "isAdmin": admin, "editReports": edit,
                   "manageCalendars": cal, "managePermissions": perm}),
            "{account}"
        );
    }

    let status =
        |want: &[&str], account: &str, ok: u16| if want.contains(&account) { ok } else { 403 };
    let editors = [SITE_ADMIN, CONFIGURED_ADMIN, EDITOR];
    let calendar_managers = [SITE_ADMIN, CONFIGURED_ADMIN, CALENDAR_MANAGER];
    let permission_managers = [SITE_ADMIN, CONFIGURED_ADMIN, PERMISSION_MANAGER];
    let admins = [SITE_ADMIN, CONFIGURED_ADMIN];
    for account in everyone {
        let u = tenant.user(account);
        // (request, who may, their status)
        for (request, allowed, ok) in [
            ("POST /api/v1/reports", &editors[..], 201),
            ("POST /api/v1/calendars", &calendar_managers[..], 201),
            ("POST /api/v1/status-groups", &calendar_managers[..], 201),
            ("GET /api/v1/permissions", &permission_managers[..], 200),
            ("GET /api/v1/export", &admins[..], 200),
        ] {
            let (method, path) = request.split_once(' ').unwrap();
            let body = match path {
                "/api/v1/reports" => Some(report("R")),
                "/api/v1/calendars" => Some(calendar("C")),
                "/api/v1/status-groups" => Some(status_group("G")),
                _ => None,
            };
            let res = app.api(&u, method, path, body).await;
            let want = status(allowed, account, ok);
            assert_eq!(res.status, want, "{request} as {account}");
        }
        let doc = app
            .api(&tenant.user(SITE_ADMIN), "GET", "/api/v1/export", None)
            .await
            .body;
        let res = app
            .api(&u, "POST", "/api/v1/import?dryRun=true", Some(doc))
            .await;
        assert_eq!(
            res.status,
            status(&admins, account, 200),
            "import as {account}"
        );
        // Everyone may read what reports need.
        for path in [
            "/api/v1/reports",
            "/api/v1/calendars",
            "/api/v1/status-groups",
        ] {
            assert_eq!(
                app.api(&u, "GET", path, None).await.status,
                200,
                "{path} as {account}"
            );
        }
    }
    assert!(app.jira.group_calls() > 0);
    assert_eq!(
        app.jira.rejected_group_calls(),
        0,
        "every groups call was signed correctly"
    );

    // Deleting the tenant's data: refused to all but admins (a permission manager too), then
    // total, while the installation stays and the app keeps working.
    for account in [EDITOR, CALENDAR_MANAGER, PERMISSION_MANAGER, PLAIN] {
        let res = app
            .api(&tenant.user(account), "DELETE", "/api/v1/tenant", None)
            .await;
        assert_eq!(res.status, 403, "delete tenant as {account}");
    }
    let res = app
        .api(
            &tenant.user(CONFIGURED_ADMIN),
            "DELETE",
            "/api/v1/tenant",
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let db = app.db();
    // Every table that holds a tenant's rows, read from the schema, so a table added later
    // cannot escape the deletion unnoticed.
    let tables: Vec<String> = db
        .prepare(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 6, "tables with tenant rows: {tables:?}");
    // The site's named admins belong to the installation, which stays (as on Forge).
    for table in tables.iter().filter(|t| *t != "tenant_admins") {
        let n: i64 = db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table} still holds rows");
    }
    let installations: i64 = db
        .query_row(
            "SELECT count(*) FROM tenants WHERE uninstalled_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(installations, 1, "the installation stays");
    let named: i64 = db
        .query_row("SELECT count(*) FROM tenant_admins", [], |r| r.get(0))
        .unwrap();
    assert_eq!(named, 1, "with its operator-made admin");
    let res = app
        .api(&tenant.user(SITE_ADMIN), "GET", "/api/v1/me", None)
        .await;
    assert_eq!(res.status, 200, "the app still works on the site");
    let res = app
        .api(&tenant.user(PERMISSION_MANAGER), "GET", "/api/v1/me", None)
        .await;
    assert_eq!(
        res.body["managePermissions"], false,
        "the grants went with the data"
    );
}

/// An operator-made admin (issue 13: `--admin-accounts` once made an account an admin of
/// every site) holds the rights on the site named and on no other.
#[actix_web::test]
async fn an_operator_made_admin_is_admin_of_the_one_site_named() {
    let app = TestApp::spawn();
    let mine = app.install_admin("site-a", "ops").await;
    let other = app.install("site-b").await.user("ops");
    let me = app.api(&mine, "GET", "/api/v1/me", None).await;
    assert_eq!(me.body["isAdmin"], true, "{:?}", me.body);
    assert_eq!(
        app.api(&mine, "GET", "/api/v1/export", None).await.status,
        200
    );

    let me = app.api(&other, "GET", "/api/v1/me", None).await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.body,
        json!({"accountId": "ops", "isAdmin": false, "editReports": false,
               "manageCalendars": false, "managePermissions": false})
    );
    for (method, path, body) in [
        ("GET", "/api/v1/export", None),
        ("PUT", "/api/v1/permissions", Some(json!({}))),
        ("POST", "/api/v1/calendars", Some(calendar("C"))),
        ("DELETE", "/api/v1/tenant", None),
    ] {
        let res = app
            .api_with(&other, method, path, body, &[("If-Match", "\"0\"".into())])
            .await;
        assert_eq!(res.status, 403, "{method} {path}: {:?}", res.body);
    }
}

#[actix_web::test]
async fn grants_change_only_with_the_current_version() {
    let (app, tenant) = setup().await;
    let u = tenant.user(PERMISSION_MANAGER);
    let res = app
        .api(&u, "PUT", "/api/v1/permissions", Some(json!({})))
        .await;
    assert_eq!(res.status, 428, "no If-Match, no change");
    let res = app.put_grants(&u, json!({}), 0).await;
    assert_eq!(res.status, 412, "stale If-Match");
    let res = app
        .put_grants(
            &u,
            json!({"editReports": [{"type": "user", "accountId": PLAIN}]}),
            1,
        )
        .await;
    assert_eq!(res.status, 200);
    // The manager gave away nothing they held: grants are not admin rights.
    let me = app
        .api(&tenant.user(PLAIN), "GET", "/api/v1/me", None)
        .await;
    assert_eq!(me.body["editReports"], true);
    assert_eq!(me.body["isAdmin"], false);
}

async fn create_report(app: &TestApp, as_user: &User, name: &str, access: Value) -> String {
    let mut body = report(name);
    body["access"] = access;
    let res = app
        .api(as_user, "POST", "/api/v1/reports", Some(body))
        .await;
    assert_eq!(res.status, 201, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

/// `editor` changes the description of `report`, as `reader` (who sees it) has it now.
async fn edit(app: &TestApp, (reader, editor): (&User, &User), report: &str) -> Response {
    let path = format!("/api/v1/reports/{report}");
    let current = app.api(reader, "GET", &path, None).await.body;
    let mut config = current["config"].clone();
    config["description"] = json!("changed");
    let body =
        json!({"version": current["version"], "config": config, "access": current["access"]});
    app.api(editor, "PUT", &path, Some(body)).await
}

#[actix_web::test]
async fn restricted_reports_are_seen_and_edited_only_by_whom_they_name() {
    let (app, tenant) = setup().await;
    let admin = tenant.user(SITE_ADMIN);
    let restricted = create_report(
        &app,
        &admin,
        "Restricted",
        json!({"viewers": [{"type": "group", "name": "auditors"}],
               "editors": [{"type": "user", "accountId": NAMED_EDITOR}]}),
    )
    .await;
    let open = create_report(&app, &tenant.user(EDITOR), "Open", json!({})).await;

    // (account, sees restricted, may edit restricted, may edit open)
    let expected = [
        (SITE_ADMIN, true, true, true),
        (AUDITOR, true, false, false),
        (NAMED_EDITOR, true, true, false),
        (EDITOR, false, false, true),
        (PLAIN, false, false, false),
    ];
    for (account, sees, edits_restricted, edits_open) in expected {
        let u = tenant.user(account);
        let list = app.api(&u, "GET", "/api/v1/reports", None).await;
        let ids: Vec<&str> = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids.contains(&restricted.as_str()),
            sees,
            "{account} lists restricted"
        );
        assert!(ids.contains(&open.as_str()), "{account} lists open");
        let got = app
            .api(&u, "GET", &format!("/api/v1/reports/{restricted}"), None)
            .await;
        assert_eq!(
            got.status,
            if sees { 200 } else { 404 },
            "{account} reads restricted"
        );
        let can_edit = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == open.as_str())
            .unwrap()["canEdit"]
            .clone();
        assert_eq!(can_edit, json!(edits_open), "{account} canEdit open");

        let res = edit(&app, (&admin, &u), &restricted).await;
        let want = match (sees, edits_restricted) {
            (false, _) => 404,
            (true, true) => 200,
            (true, false) => 403,
        };
        assert_eq!(res.status, want, "{account} edits restricted");
        let res = edit(&app, (&admin, &u), &open).await;
        assert_eq!(
            res.status,
            if edits_open { 200 } else { 403 },
            "{account} edits open"
        );
    }

    // Duplicating needs the right to create; the copy belongs to whoever made it.
    let res = app
        .api(&tenant.user(EDITOR), "POST", &duplicate(&open), None)
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(res.body["config"]["name"], "Copy of Open");
    assert_eq!(res.body["createdBy"], EDITOR);
    assert_ne!(res.body["id"], json!(open));
    let restricted_path = format!("/api/v1/reports/{restricted}");
    for (account, method, path, want) in [
        (PLAIN, "POST", duplicate(&open), 403),
        // What one cannot see cannot be copied.
        (EDITOR, "POST", duplicate(&restricted), 404),
        // Deleting follows editing.
        (AUDITOR, "DELETE", restricted_path.clone(), 403),
        (NAMED_EDITOR, "DELETE", restricted_path, 204),
    ] {
        let res = app.api(&tenant.user(account), method, &path, None).await;
        assert_eq!(res.status, want, "{account} {method} {path}");
    }
}

/// Where a report is duplicated.
fn duplicate(report: &str) -> String {
    format!("/api/v1/reports/{report}/duplicate")
}

#[actix_web::test]
async fn groups_are_asked_once_and_cached_briefly() {
    let (app, tenant) = setup().await;
    let u = tenant.user(EDITOR);
    app.api(&u, "GET", "/api/v1/me", None).await;
    let after_first = app.jira.group_calls();
    for _ in 0..5 {
        assert_eq!(app.api(&u, "GET", "/api/v1/me", None).await.status, 200);
    }
    assert_eq!(app.jira.group_calls(), after_first);
}

#[actix_web::test]
async fn without_jira_there_are_no_rights_to_resolve() {
    let app = TestApp::spawn();
    let tenant = app.install("site").await;
    // The loopback Jira forgets the secret: it now refuses the app's calls.
    app.jira.state.lock().unwrap().secrets.clear();
    let res = app
        .api(&tenant.user(PLAIN), "GET", "/api/v1/me", None)
        .await;
    assert_eq!(res.status, 503);
    assert_eq!(res.code(), "jira_unavailable");
    assert_eq!(
        res.body["message"], "jira is unavailable, try again shortly",
        "what Jira answered stays in the logs"
    );
    assert!(res.header("retry-after").is_some());
}

/// Regression: a page load sends several API requests at once, and each one that missed the
/// groups cache asked Jira again. Now they wait for the first one's answer.
#[actix_web::test]
async fn concurrent_requests_of_one_user_make_one_groups_call() {
    let (app, tenant) = setup().await;
    let u = tenant.user(EDITOR);
    let before = app.jira.group_calls();
    // Were each request to call Jira, the eight calls would all arrive while the first waits.
    app.jira.hold_groups_until(before + 8);
    let answers =
        futures_util::future::join_all((0..8).map(|_| app.api(&u, "GET", "/api/v1/me", None)))
            .await;
    for res in &answers {
        assert_eq!(res.status, 200, "{:?}", res.body);
        assert_eq!(res.body["editReports"], true);
    }
    assert_eq!(app.jira.group_calls(), before + 1);
}

/// Regression: every groups call built a new HTTP client, so each one opened a new connection
/// (and, to a real Jira, a new TLS handshake). Each worker now keeps one client.
#[actix_web::test]
async fn groups_calls_reuse_the_workers_connections() {
    let (app, tenant) = setup().await;
    for i in 0..6 {
        let u = tenant.user(&format!("reader-{i}"));
        assert_eq!(app.api(&u, "GET", "/api/v1/me", None).await.status, 200);
    }
    assert!(app.jira.group_calls() >= 6);
    // The test app runs two workers: at most one connection each.
    assert!(
        app.jira.group_connections() <= 2,
        "{} connections for {} calls",
        app.jira.group_connections(),
        app.jira.group_calls()
    );
}
