//! Concurrent edits: a stale version is a conflict (409 with the current record, or 412 for
//! If-Match), never a silent overwrite; references keep calendars and groups in place.

use serde_json::json;

use crate::helpers::*;

async fn setup() -> (TestApp, User, User) {
    let app = TestApp::spawn();
    let tenant = app.install("site").await;
    app.grant_admin(&tenant, "ann");
    app.grant_admin(&tenant, "bob");
    (app, tenant.user("ann"), tenant.user("bob"))
}

fn edit(record: &serde_json::Value, version: u64, description: &str) -> serde_json::Value {
    let mut config = record["config"].clone();
    config["description"] = json!(description);
    json!({"version": version, "config": config})
}

#[actix_web::test]
async fn the_second_of_two_edits_from_one_version_gets_the_current_record() {
    let (app, ann, bob) = setup().await;
    let created = app
        .api(&ann, "POST", "/api/v1/reports", Some(report("Shared")))
        .await;
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/reports/{id}");

    let first = app
        .api(&ann, "PUT", &path, Some(edit(&created.body, 1, "ann's")))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["version"], 2);
    assert_eq!(first.header("etag").as_deref(), Some("\"2\""));

    let second = app
        .api(&bob, "PUT", &path, Some(edit(&created.body, 1, "bob's")))
        .await;
    assert_eq!(second.status, 409);
    assert_eq!(second.body["version"], 2, "the body is the current record");
    assert_eq!(second.body["config"]["description"], "ann's");
    assert_eq!(second.body["updatedBy"], "ann");

    let retry = app
        .api(&bob, "PUT", &path, Some(edit(&second.body, 2, "bob's")))
        .await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.body["version"], 3);
    assert_eq!(retry.body["updatedBy"], "bob");
    assert_eq!(retry.body["createdBy"], "ann");
}

#[actix_web::test]
async fn if_match_guards_updates_and_deletes() {
    let (app, ann, _) = setup().await;
    let created = app
        .api(&ann, "POST", "/api/v1/reports", Some(report("R")))
        .await
        .body;
    let path = format!("/api/v1/reports/{}", created["id"].as_str().unwrap());
    let res = app
        .api_with(
            &ann,
            "PUT",
            &path,
            Some(edit(&created, 1, "x")),
            &[("If-Match", "\"7\"".into())],
        )
        .await;
    assert_eq!(res.status, 412);
    let res = app
        .api_with(&ann, "DELETE", &path, None, &[("If-Match", "\"7\"".into())])
        .await;
    assert_eq!(res.status, 412);
    let res = app
        .api_with(
            &ann,
            "DELETE",
            &path,
            None,
            &[("If-Match", "nonsense".into())],
        )
        .await;
    assert_eq!(res.status, 400);
    let res = app
        .api_with(&ann, "DELETE", &path, None, &[("If-Match", "\"1\"".into())])
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(app.api(&ann, "GET", &path, None).await.status, 404);
}

#[actix_web::test]
async fn of_many_simultaneous_edits_from_one_version_exactly_one_wins() {
    let (app, ann, _) = setup().await;
    let created = app
        .api(&ann, "POST", "/api/v1/reports", Some(report("Hot")))
        .await
        .body;
    let path = format!("/api/v1/reports/{}", created["id"].as_str().unwrap());
    let edits = (0..8).map(|i| {
        let body = edit(&created, 1, &format!("writer {i}"));
        let (app, ann, path) = (&app, &ann, &path);
        async move { app.api(ann, "PUT", path, Some(body)).await }
    });
    let results = futures_util::future::join_all(edits).await;
    let wins: Vec<_> = results.iter().filter(|r| r.status == 200).collect();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        wins.len(),
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(conflicts, 7);
    let now = app.api(&ann, "GET", &path, None).await.body;
    assert_eq!(now["version"], 2);
    assert_eq!(
        now["config"]["description"],
        wins[0].body["config"]["description"]
    );
}

#[actix_web::test]
async fn calendars_and_groups_in_use_cannot_be_deleted() {
    let (app, ann, bob) = setup().await;
    let cal = app
        .api(&ann, "POST", "/api/v1/calendars", Some(calendar("Office")))
        .await
        .body;
    let group = app
        .api(
            &ann,
            "POST",
            "/api/v1/status-groups",
            Some(status_group("Cycle")),
        )
        .await
        .body;
    let cal_path = format!("/api/v1/calendars/{}", cal["id"].as_str().unwrap());
    let group_path = format!("/api/v1/status-groups/{}", group["id"].as_str().unwrap());

    let mut body = report("Uses them");
    body["config"]["calendar"] = json!({"type": "saved", "id": "cal_missing"});
    let res = app
        .api(&ann, "POST", "/api/v1/reports", Some(body.clone()))
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.body["details"][0]["path"], "config.calendar.id");

    body["config"]["calendar"] = json!({"type": "saved", "id": cal["id"]});
    body["config"]["columns"] = json!({"metrics": [{"type": "group", "group": group["id"]}]});
    let rep = app.api(&ann, "POST", "/api/v1/reports", Some(body)).await;
    assert_eq!(rep.status, 201);
    let rep_id = rep.body["id"].as_str().unwrap();

    for path in [&cal_path, &group_path] {
        let res = app.api(&bob, "DELETE", path, None).await;
        assert_eq!(res.status, 409, "{path}");
        assert_eq!(res.code(), "in_use");
        assert!(res.body["message"].as_str().unwrap().contains(rep_id));
    }
    // Once the report lets go, they can go.
    let res = app
        .api(
            &ann,
            "PUT",
            &format!("/api/v1/reports/{rep_id}"),
            Some(json!({"version": 1, "config": report("Plain")["config"]})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.api(&bob, "DELETE", &cal_path, None).await.status, 204);
    assert_eq!(app.api(&bob, "DELETE", &group_path, None).await.status, 204);
}

#[actix_web::test]
async fn calendar_edits_are_versioned_too() {
    let (app, ann, bob) = setup().await;
    let cal = app
        .api(&ann, "POST", "/api/v1/calendars", Some(calendar("Office")))
        .await
        .body;
    let path = format!("/api/v1/calendars/{}", cal["id"].as_str().unwrap());
    let res = app
        .api(
            &ann,
            "PUT",
            &path,
            Some(json!({"version": 1, "calendar": calendar("Ann's")})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["version"], 2);
    let res = app
        .api(
            &bob,
            "PUT",
            &path,
            Some(json!({"version": 1, "calendar": calendar("Bob's")})),
        )
        .await;
    assert_eq!(res.status, 409);
    assert_eq!(res.body["calendar"]["name"], "Ann's");
    let got = app.api(&bob, "GET", &path, None).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"2\""));
}
