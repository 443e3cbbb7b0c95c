//! The real binary: a kill -9 during writes loses no acknowledged write, backups restore to an
//! identical export, and the logs hold no bodies, tokens, secrets or query strings.

use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;
use std::rc::Rc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

fn without_export_time(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("exportedAt");
    doc
}

#[actix_web::test]
async fn a_kill_9_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwell.sqlite3");
    let jira = FakeJira::start();
    let mut server = ServerProcess::start(dwell_server(&db, &jira), jira.clone());
    let admin = server.install("site").await.user("admin");
    run_cli(
        dwell_server(&db, &jira),
        &["grant-admin", "--site", "site", "--account", "admin"],
    );
    let unknown = dwell_server(&db, &jira)
        .args([
            "grant-admin",
            "--site",
            "no-such-site",
            "--account",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!unknown.status.success(), "a grant needs an installed site");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no installation has the key"));

    // Four writers create reports as fast as they can; each remembers what was acknowledged.
    let acked: Rc<RefCell<Vec<String>>> = Rc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (acked, url, admin) = (acked.clone(), server.url.clone(), admin.clone());
            actix_web::rt::spawn(async move {
                let client = awc::Client::builder()
                    .timeout(std::time::Duration::from_secs(10))
                    .finish();
                for i in 0.. {
                    let token = admin.token("POST", "/api/v1/reports", "");
                    let body = serde_json::to_vec(&report(&format!("w{w}-{i}"))).unwrap();
                    let res = client
                        .post(format!("{url}/api/v1/reports"))
                        .insert_header(("Authorization", format!("JWT {token}")))
                        .insert_header(("Content-Type", "application/json"))
                        .send_body(body)
                        .await;
                    let Ok(mut res) = res else { break };
                    let Ok(bytes) = res.body().await else { break };
                    if res.status().as_u16() != 201 {
                        break;
                    }
                    let v: Value = serde_json::from_slice(&bytes).unwrap();
                    acked
                        .borrow_mut()
                        .push(v["id"].as_str().unwrap().to_string());
                }
            })
        })
        .collect();
    eventually("150 acknowledged writes", Duration::from_secs(120), || {
        (acked.borrow().len() >= 150).then_some(())
    })
    .await;
    server.kill9();
    for w in writers {
        let _ = w.await;
    }
    let acknowledged = acked.borrow().clone();
    assert!(acknowledged.len() >= 150);

    // Restart on the same file: every acknowledged write is there, and SQLite agrees the file
    // is whole.
    let restarted = ServerProcess::start(dwell_server(&db, &jira), jira.clone());
    let export = restarted.api(&admin, "GET", "/api/v1/export", None).await;
    assert_eq!(export.status, 200);
    let stored: std::collections::HashSet<&str> = export.body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(stored.contains(id.as_str()), "acknowledged {id} was lost");
    }
    drop(restarted);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk: Vec<String> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(fk.is_empty(), "{fk:?}");
}

#[actix_web::test]
async fn a_backup_restores_to_an_identical_export() {
    let app = TestApp::spawn();
    let admin = app.install_admin("site", "admin").await;
    let cal = app
        .api(
            &admin,
            "POST",
            "/api/v1/calendars",
            Some(calendar("Office")),
        )
        .await;
    let mut r = report("With calendar");
    r["config"]["calendar"] = json!({"type": "saved", "id": cal.body["id"]});
    assert_eq!(
        app.api(&admin, "POST", "/api/v1/reports", Some(r))
            .await
            .status,
        201
    );
    let before = app.api(&admin, "GET", "/api/v1/export", None).await.body;

    // An online backup while the server runs.
    let backups = app.dir.path().join("backups");
    let out = run_cli(
        dwell_server(&app.db_path, &app.jira),
        &["backup", "--to", backups.to_str().unwrap()],
    );
    let file = std::path::PathBuf::from(out.trim());
    assert!(file.starts_with(&backups));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Writes after the backup are not in it.
    assert_eq!(
        app.api(&admin, "POST", "/api/v1/reports", Some(report("Later")))
            .await
            .status,
        201
    );

    let restored_db = app.dir.path().join("restored/dwell.sqlite3");
    run_cli(
        dwell_server(&restored_db, &app.jira),
        &["restore", "--from", file.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::metadata(&restored_db)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let mut settings = test_settings(app.dir.path(), &app.jira);
    settings.database = restored_db;
    let restored = TestApp::start(settings, app.jira.clone(), app.dir.clone());
    let after = restored
        .api(&admin, "GET", "/api/v1/export", None)
        .await
        .body;
    assert_eq!(without_export_time(after), without_export_time(before));
}

#[actix_web::test]
async fn the_daily_backup_runs_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let target = backups.clone();
    let app = TestApp::spawn_with(move |s| {
        s.backup = Some(server::settings::BackupSchedule {
            dir: target,
            keep_daily: 8,
            keep_weekly: 8,
            check_every: std::time::Duration::from_millis(100),
        });
    });
    let found = eventually("a backup at start", Duration::from_secs(30), || {
        let found = server::jobs::list_backups(&backups).unwrap();
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(found.len(), 1, "one backup at start");
    // Later checks within the day take none: the check the job runs says so.
    assert!(!server::jobs::backup_due(&backups, jiff::Timestamp::now()).unwrap());
    let conn = rusqlite::Connection::open(&found[0].1).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(
        std::fs::metadata(&backups).unwrap().permissions().mode() & 0o777,
        0o700
    );
    drop(app);
}

#[actix_web::test]
async fn logs_hold_no_bodies_tokens_secrets_or_query_strings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwell.sqlite3");
    let jira = FakeJira::start();
    let dist = fixture("dist");
    let mut cmd = dwell_server(&db, &jira);
    cmd.env("DWELL_STATIC_DIR", &dist).env("RUST_LOG", "debug");
    let server = ServerProcess::start(cmd, jira.clone());
    let tenant = server.install("site").await;
    run_cli(
        dwell_server(&db, &jira),
        &["grant-admin", "--site", "site", "--account", "admin"],
    );
    let admin = tenant.user("admin");
    let plain = tenant.user("someone-plain");

    let mut body = report("BODY-MARKER-name");
    body["config"]["description"] = json!("BODY-MARKER-description");
    let created = server
        .api(&admin, "POST", "/api/v1/reports", Some(body))
        .await;
    assert_eq!(created.status, 201);
    server
        .api(
            &admin,
            "POST",
            "/api/v1/import?dryRun=true",
            Some(json!({"BODY-MARKER": 1})),
        )
        .await;
    server.api(&plain, "GET", "/api/v1/me", None).await;
    let page_token = admin.token("GET", "/", "view=QUERY-MARKER");
    let page = server
        .send(
            "GET",
            &format!("/?view=QUERY-MARKER&jwt={page_token}"),
            &[],
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    let forged = server
        .with_token("forged.token.value", "GET", "/api/v1/reports")
        .await;
    assert_eq!(forged.status, 401);
    let api_token = admin.context_token();
    let last = server
        .with_token(&api_token, "GET", "/api/v1/reports")
        .await;
    assert_eq!(last.status, 200);
    // The last request's line is in, so every earlier one is.
    eventually(
        "the last request's log line",
        Duration::from_secs(30),
        || {
            server
                .logs
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.contains("\"path\":\"/api/v1/reports\"") && l.contains("\"status\":200"))
                .then_some(())
        },
    )
    .await;

    let logs = server.log_text();
    // A refusal's reason is logged, where the caller only learns that it failed.
    assert!(
        logs.lines()
            .any(|l| l.contains("credential refused") && l.contains("malformed token")),
        "the refusal's reason is logged: {logs}"
    );
    for secret in [
        tenant.secret.as_str(),
        "BODY-MARKER",
        "QUERY-MARKER",
        page_token.as_str(),
        api_token.as_str(),
        "forged.token.value",
        "someone-plain",
        "jwt=",
    ] {
        assert!(!logs.contains(secret), "the logs contain {secret:?}");
    }
}
