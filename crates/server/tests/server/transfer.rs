//! Export and import: a round trip gives back the same document, a dry run changes nothing,
//! and a document that cannot be applied is refused whole.

use serde_json::{Value, json};

use crate::helpers::*;

/// Fills a tenant with a calendar, a status group, reports that use them, and grants.
async fn populate(app: &TestApp, admin: &User) {
    let cal = app
        .api(admin, "POST", "/api/v1/calendars", Some(calendar("Office")))
        .await;
    assert_eq!(cal.status, 201);
    let group = app
        .api(
            admin,
            "POST",
            "/api/v1/status-groups",
            Some(status_group("Cycle")),
        )
        .await;
    assert_eq!(group.status, 201);
    let mut uses_both = report("Uses both");
    uses_both["config"]["calendar"] = json!({"type": "saved", "id": cal.body["id"]});
    uses_both["config"]["columns"] =
        json!({"metrics": [{"type": "group", "group": group.body["id"]}]});
    uses_both["access"] = json!({"viewers": [{"type": "group", "name": "auditors"}]});
    assert_eq!(
        app.api(admin, "POST", "/api/v1/reports", Some(uses_both))
            .await
            .status,
        201
    );
    assert_eq!(
        app.api(admin, "POST", "/api/v1/reports", Some(report("Plain")))
            .await
            .status,
        201
    );
    let grants = json!({"editReports": [{"type": "group", "name": "team"}]});
    let res = app.put_grants(admin, grants, 0).await;
    assert_eq!(res.status, 200);
}

fn without_export_time(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("exportedAt");
    doc
}

#[actix_web::test]
async fn an_export_imported_elsewhere_exports_identically() {
    let app = TestApp::spawn();
    let a = app.install_admin("site-a", "admin").await;
    let b = app.install_admin("site-b", "admin").await;
    populate(&app, &a).await;
    let export = app.api(&a, "GET", "/api/v1/export", None).await;
    assert_eq!(export.status, 200);
    let doc = export.body;
    assert_eq!(doc["format"], "dwell-config-export");
    assert_eq!(doc["formatVersion"], 1);
    assert_eq!(doc["reports"].as_array().unwrap().len(), 2);
    let text = String::from_utf8_lossy(&export.raw).to_string();
    assert!(!text.contains("shared-secret"), "no secret in an export");
    assert!(
        !text.contains("site-a"),
        "no installation detail in an export"
    );

    // A dry run says what would happen and does nothing.
    let dry = app
        .api(&b, "POST", "/api/v1/import?dryRun=true", Some(doc.clone()))
        .await;
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    assert_eq!(
        dry.body,
        json!({"dryRun": true,
               "reports": {"created": 2, "updated": 0, "deleted": 0, "unchanged": 0},
               "calendars": {"created": 1, "updated": 0, "deleted": 0, "unchanged": 0},
               "statusGroups": {"created": 1, "updated": 0, "deleted": 0, "unchanged": 0},
               "permissionsChanged": true})
    );
    let empty = app.api(&b, "GET", "/api/v1/export", None).await.body;
    assert_eq!(empty["reports"], json!([]));

    let done = app
        .api(&b, "POST", "/api/v1/import", Some(doc.clone()))
        .await;
    assert_eq!(done.status, 200);
    assert_eq!(done.body["dryRun"], false);
    let copy = app.api(&b, "GET", "/api/v1/export", None).await.body;
    assert_eq!(without_export_time(copy), without_export_time(doc.clone()));

    // Importing the same document again changes nothing.
    let again = app.api(&b, "POST", "/api/v1/import", Some(doc)).await;
    assert_eq!(
        again.body,
        json!({"dryRun": false,
               "reports": {"created": 0, "updated": 0, "deleted": 0, "unchanged": 2},
               "calendars": {"created": 0, "updated": 0, "deleted": 0, "unchanged": 1},
               "statusGroups": {"created": 0, "updated": 0, "deleted": 0, "unchanged": 1},
               "permissionsChanged": false})
    );
}

#[actix_web::test]
async fn export_delete_and_import_back_restores_the_site_without_a_reinstall() {
    let app = TestApp::spawn();
    let tenant = app.install("site-a").await;
    app.grant_admin(&tenant, "admin");
    let admin = tenant.user("admin");
    let other = app.install_admin("site-b", "admin").await;
    populate(&app, &admin).await;
    populate(&app, &other).await;
    let doc = app.api(&admin, "GET", "/api/v1/export", None).await.body;

    let res = app.api(&admin, "DELETE", "/api/v1/tenant", None).await;
    assert_eq!(res.status, 204);
    let empty = app.api(&admin, "GET", "/api/v1/export", None).await;
    assert_eq!(empty.status, 200, "the installation still works");
    assert_eq!(empty.body["reports"], json!([]));
    assert_eq!(empty.body["calendars"], json!([]));
    assert_eq!(empty.body["statusGroups"], json!([]));
    let others = app.api(&other, "GET", "/api/v1/export", None).await.body;
    assert_eq!(
        others["reports"].as_array().unwrap().len(),
        2,
        "another site's data is untouched"
    );

    let res = app
        .api(&admin, "POST", "/api/v1/import", Some(doc.clone()))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["reports"]["created"], 2);
    let back = app.api(&admin, "GET", "/api/v1/export", None).await.body;
    assert_eq!(without_export_time(back), without_export_time(doc));
}

#[actix_web::test]
async fn an_import_replaces_the_configuration_and_bumps_changed_versions() {
    let app = TestApp::spawn();
    let a = app.install_admin("site-a", "admin").await;
    populate(&app, &a).await;
    let mut doc = app.api(&a, "GET", "/api/v1/export", None).await.body;
    let reports = doc["reports"].as_array_mut().unwrap();
    let plain = reports
        .iter()
        .position(|r| r["config"]["name"] == "Plain")
        .unwrap();
    let removed = reports.remove(plain);
    reports[0]["config"]["description"] = json!("edited offline");
    let edited_id = reports[0]["id"].clone();
    let old_version = reports[0]["version"].as_u64().unwrap();

    let res = app.api(&a, "POST", "/api/v1/import", Some(doc)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(
        res.body["reports"],
        json!({"created": 0, "updated": 1, "deleted": 1, "unchanged": 0})
    );
    let gone = app
        .api(
            &a,
            "GET",
            &format!("/api/v1/reports/{}", removed["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    let edited = app
        .api(
            &a,
            "GET",
            &format!("/api/v1/reports/{}", edited_id.as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(edited.body["config"]["description"], "edited offline");
    assert_eq!(
        edited.body["version"],
        json!(old_version + 1),
        "editors holding the old version get a conflict"
    );
}

#[actix_web::test]
async fn a_document_that_cannot_be_applied_changes_nothing() {
    let app = TestApp::spawn();
    let a = app.install_admin("site-a", "admin").await;
    populate(&app, &a).await;
    let before = app.api(&a, "GET", "/api/v1/export", None).await.body;

    // Drop the calendar a report uses, and delete everything else on the way.
    let mut dangling = before.clone();
    dangling["calendars"] = json!([]);
    dangling["statusGroups"] = json!([]);
    let res = app.api(&a, "POST", "/api/v1/import", Some(dangling)).await;
    assert_eq!(res.status, 422);
    let paths = res.detail_paths();
    assert!(
        paths.iter().any(|p| p.ends_with("config.calendar.id")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.contains("config.columns.metrics[0].group")),
        "{paths:?}"
    );

    let mut duplicated = before.clone();
    let first = duplicated["reports"][0].clone();
    duplicated["reports"].as_array_mut().unwrap().push(first);
    let res = app
        .api(&a, "POST", "/api/v1/import", Some(duplicated))
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.body["details"][0]["message"], "duplicate id");

    let mut wrong_format = before.clone();
    wrong_format["formatVersion"] = json!(99);
    let res = app
        .api(&a, "POST", "/api/v1/import", Some(wrong_format))
        .await;
    assert_eq!(res.status, 422);

    let after = app.api(&a, "GET", "/api/v1/export", None).await.body;
    assert_eq!(without_export_time(after), without_export_time(before));
}

#[actix_web::test]
async fn imports_have_their_own_larger_cap() {
    let app = TestApp::spawn_with(|s| {
        s.import_limit_bytes = 200 * 1024;
    });
    let a = app.install_admin("site-a", "admin").await;
    // 100 reports with long descriptions: beyond the 64 KiB body cap, within the import cap.
    let mut doc = app.api(&a, "GET", "/api/v1/export", None).await.body;
    let template = app
        .api(&a, "POST", "/api/v1/reports", Some(report("T")))
        .await
        .body;
    let reports: Vec<Value> = (0..100)
        .map(|i| {
            let mut r = template.clone();
            r["id"] = json!(format!("rep_{i:04}"));
            r["config"]["description"] = json!("d".repeat(1000));
            r
        })
        .collect();
    doc["reports"] = json!(reports);
    let res = app
        .api(&a, "POST", "/api/v1/import", Some(doc.clone()))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["reports"]["created"], 100);
    doc["reports"] = json!(
        (0..300)
            .map(|i| {
                let mut r = template.clone();
                r["id"] = json!(format!("rep_{i:04}"));
                r["config"]["description"] = json!("d".repeat(1000));
                r
            })
            .collect::<Vec<_>>()
    );
    let res = app.api(&a, "POST", "/api/v1/import", Some(doc)).await;
    assert_eq!(res.status, 413);
    assert_eq!(res.code(), "body_too_large");
}

/// Regression: imported reports kept the authors the document named, so a document could make
/// any account the creator of a report (who may always see it) on another site.
#[actix_web::test]
async fn imported_reports_are_authored_by_the_importer() {
    let app = TestApp::spawn();
    let a = app.install_admin("site-a", "admin").await;
    let b = app.install_admin("site-b", "other-admin").await;
    populate(&app, &a).await;
    let mut doc = app.api(&a, "GET", "/api/v1/export", None).await.body;
    doc["reports"][0]["createdBy"] = json!("someone-else");
    let done = app.api(&b, "POST", "/api/v1/import", Some(doc)).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    let copy = app.api(&b, "GET", "/api/v1/export", None).await.body;
    let reports = copy["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    for r in reports {
        assert_eq!(r["createdBy"], "other-admin", "{r}");
        assert_eq!(r["updatedBy"], "other-admin", "{r}");
    }
}

/// Regression (issue 13): export, import and deletion needed only the manage-permissions right,
/// so a permission manager who may not see a report restricted to named viewers read it in the
/// export, and could replace or delete it by import or deletion. They are for admins only now.
#[actix_web::test]
async fn only_admins_move_or_delete_the_sites_data_so_restricted_reports_stay_private() {
    let app = TestApp::spawn();
    let admin = app.install_admin("site-a", "admin").await;
    let manager = admin.tenant.user("perm-manager");
    let grants = json!({"managePermissions": [{"type": "user", "accountId": "perm-manager"}]});
    let res = app.put_grants(&admin, grants, 0).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let mut secret = report("Board only");
    secret["access"] = json!({"viewers": [{"type": "user", "accountId": "admin"}]});
    let created = app
        .api(&admin, "POST", "/api/v1/reports", Some(secret))
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/reports/{id}");
    assert_eq!(app.api(&manager, "GET", &path, None).await.status, 404);

    let export = app.api(&manager, "GET", "/api/v1/export", None).await;
    assert_eq!(export.status, 403, "{:?}", export.body);
    assert!(!export.body.to_string().contains("Board only"));
    let mut doc = app.api(&admin, "GET", "/api/v1/export", None).await.body;
    assert_eq!(doc["reports"][0]["config"]["name"], "Board only");
    doc["reports"] = json!([]);
    for (method, path, body) in [
        ("POST", "/api/v1/import?dryRun=true", Some(doc.clone())),
        ("POST", "/api/v1/import", Some(doc)),
        ("DELETE", "/api/v1/tenant", None),
    ] {
        let res = app.api(&manager, method, path, body).await;
        assert_eq!(res.status, 403, "{method} {path}: {:?}", res.body);
    }
    let kept = app.api(&admin, "GET", &path, None).await;
    assert_eq!(kept.status, 200, "the report survives: {:?}", kept.body);
    assert_eq!(kept.body["config"]["name"], "Board only");
}
