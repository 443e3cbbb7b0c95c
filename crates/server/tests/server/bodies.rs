//! Oversized, malformed and unexpected bodies get precise JSON errors and store nothing.
//! Nothing shaped like issue data gets through.

use serde_json::json;

use crate::helpers::*;

async fn setup() -> (TestApp, User) {
    let app = TestApp::spawn();
    let user = app.install_admin("site", "admin").await;
    (app, user)
}

async fn post_raw(app: &TestApp, user: &User, content_type: &str, body: Vec<u8>) -> Response {
    let token = user.token("POST", "/api/v1/reports", "");
    app.send(
        "POST",
        "/api/v1/reports",
        &[("Authorization", format!("JWT {token}"))],
        Some((content_type, body)),
    )
    .await
}

fn report_count(app: &TestApp) -> i64 {
    app.db()
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .unwrap()
}

#[actix_web::test]
async fn oversized_bodies_are_413() {
    let (app, user) = setup().await;
    let mut body = report("Big");
    body["config"]["description"] = json!("x".repeat(70 * 1024));
    let res = app.api(&user, "POST", "/api/v1/reports", Some(body)).await;
    assert_eq!(res.status, 413);
    assert_eq!(res.code(), "body_too_large");
    assert_eq!(
        res.body["message"],
        "request body is larger than 65536 bytes"
    );

    // Without a Content-Length, the cap holds while reading.
    let token = user.token("POST", "/api/v1/reports", "");
    let client = awc::Client::default();
    let chunk = actix_web::web::Bytes::from(vec![b' '; 16 * 1024]);
    let chunks: Vec<Result<actix_web::web::Bytes, actix_web::Error>> =
        (0..8).map(|_| Ok(chunk.clone())).collect();
    let mut res = client
        .post(format!("{}/api/v1/reports", app.url))
        .insert_header(("Authorization", format!("JWT {token}")))
        .insert_header(("Content-Type", "application/json"))
        .send_stream(futures_util::stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(body["error"], "body_too_large");
    assert_eq!(report_count(&app), 0);
}

#[actix_web::test]
async fn malformed_json_is_400_with_its_position() {
    let (app, user) = setup().await;
    let res = post_raw(
        &app,
        &user,
        "application/json",
        b"{\"config\": {\n  \"name\": ".to_vec(),
    )
    .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "malformed_json");
    assert!(
        res.body["message"].as_str().unwrap().contains("line 2"),
        "{:?}",
        res.body
    );
    let res = post_raw(&app, &user, "application/json", vec![0xff, 0xfe, b'{']).await;
    assert_eq!(res.status, 400);
    let res = post_raw(&app, &user, "text/plain", b"{}".to_vec()).await;
    assert_eq!(res.status, 415);
    assert_eq!(res.code(), "unsupported_media_type");
    let res = post_raw(&app, &user, "application/json", Vec::new()).await;
    assert_eq!(res.status, 400);
    assert_eq!(report_count(&app), 0);
}

#[actix_web::test]
async fn unknown_fields_anywhere_are_422_so_issue_data_has_nowhere_to_go() {
    let (app, user) = setup().await;
    let mut with_issues = report("Sneaky");
    with_issues["issues"] = json!([{"key": "DW-1", "fields": {"summary": "a real issue"}}]);
    let mut nested = report("Sneaky");
    nested["config"]["kind"]["changelog"] = json!([{"from": "1", "to": "2"}]);
    let mut in_access = report("Sneaky");
    in_access["access"] = json!({"viewers": [{"type": "user", "accountId": "a", "summary": "x"}]});
    for (what, body) in [
        ("top level", with_issues),
        ("in the kind", nested),
        ("in a principal", in_access),
    ] {
        let res = app.api(&user, "POST", "/api/v1/reports", Some(body)).await;
        assert_eq!(res.status, 422, "{what}: {:?}", res.body);
        assert_eq!(res.code(), "invalid_body");
        let text = res.body.to_string();
        assert!(text.contains("unknown field"), "{what}: {text}");
    }
    assert_eq!(report_count(&app), 0);
}

#[actix_web::test]
async fn broken_rules_are_422_with_every_path() {
    let (app, user) = setup().await;
    let mut body = report("");
    body["config"]["jql"] = json!("x".repeat(9000));
    body["config"]["sort"] = json!([{"by": {"type": "column", "index": 1}}]);
    let res = app.api(&user, "POST", "/api/v1/reports", Some(body)).await;
    assert_eq!(res.status, 422, "{:?}", res.body);
    // The JQL cap is a type rule (refused while parsing); the name is a validation rule.
    let mut blank = report("");
    blank["config"]["description"] = json!("d".repeat(3000));
    let res = app.api(&user, "POST", "/api/v1/reports", Some(blank)).await;
    assert_eq!(res.status, 422);
    let paths = res.detail_paths();
    assert!(paths.contains(&"config.name"), "{paths:?}");
    assert!(paths.contains(&"config.description"), "{paths:?}");
    assert_eq!(report_count(&app), 0);
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_without_a_body_parse() {
    let (app, user) = setup().await;
    let res = app.api(&user, "GET", "/api/v1/issues", None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");
    let res = app.api(&user, "PATCH", "/api/v1/reports", None).await;
    assert_eq!(res.status, 405);
    let res = app
        .api(&user, "GET", "/api/v1/reports/not%20an%20id", None)
        .await;
    assert_eq!(res.status, 404);
}

/// Regression: a body read had no deadline, so a sender that declared a body and then sent it
/// slowly (or never) held the request open for as long as it liked, before any credential was
/// checked against a key.
#[actix_web::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    use actix_web::rt::net::TcpStream;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_with(|s| s.body_timeout = std::time::Duration::from_secs(1));
    let claims = json!({
        "iss": "slow", "aud": APP_BASE_URL, "iat": now(), "exp": now() + 60,
        "qsh": qsh("POST", "/lifecycle/installed", ""),
    });
    let token = rs256(&install_private_key(), Some(KID), &claims);
    let addr = app.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /lifecycle/installed HTTP/1.1\r\nHost: {addr}\r\nAuthorization: JWT {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"key\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The rest of the body never comes; the answer must, within the deadline and some slack.
    let read_answer = async {
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&answer).contains("body_timeout") {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&answer).into_owned()
    };
    let answer = actix_web::rt::time::timeout(std::time::Duration::from_secs(20), read_answer)
        .await
        .expect("an answer before the client gives up");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
}
