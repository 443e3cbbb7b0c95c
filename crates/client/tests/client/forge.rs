//! The Forge bridge protocol, pinned to Atlassian's package: `forge/bridge.cjs` runs
//! @forge/bridge 7.2.0's own `requestJira`, `invokeRemote` and `view.getContext` under node
//! against a recording `__bridge`, and the payloads the client builds for the same calls must
//! be the ones the package sent, and the client must read the same answers from the same replies.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use client::api::body::Body;
use client::api::forge::{
    ProductReply, fetch_product_payload, invoke_remote_payload, read_invoke_reply,
};
use client::api::jira::JiraRequest;
use serde_json::{Value, json};

/// `.tools/forge/node_modules`, where `cargo xtask test`'s setup installs the pinned packages.
fn forge_npm() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap();
    let modules = root.join(".tools/forge/node_modules");
    let version: Value = serde_json::from_str(
        &std::fs::read_to_string(modules.join("@forge/bridge/package.json")).unwrap_or_else(|e| {
            panic!(
                "@forge/bridge is missing from {}: run `cargo xtask test --only setup` ({e})",
                modules.display()
            )
        }),
    )
    .unwrap();
    assert_eq!(
        version["version"], "7.2.0",
        "the protocol is pinned to 7.2.0"
    );
    modules
}

/// Runs the package on `input`; its output.
fn run_package(input: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/client/forge/bridge.cjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(forge_npm())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.to_string().as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn as_input(r: &JiraRequest) -> Value {
    json!({"method": r.method.as_str(), "path": r.path, "body": r.body})
}

#[test]
fn the_client_speaks_forge_bridge_7_2_0() {
    let jira = [
        JiraRequest::get("/rest/api/3/status"),
        JiraRequest::get("/rest/api/3/issue/DW-1/changelog?startAt=100&maxResults=100"),
        JiraRequest::post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = \"DW\" ORDER BY id", "fields": ["id"], "maxResults": 5000}),
        ),
        JiraRequest::post(
            "/rest/api/3/changelog/bulkfetch",
            &json!({"issueIdsOrKeys": ["10001", "10002"], "fieldIds": ["status", "assignee"]}),
        ),
    ];
    let remote = [
        ("GET", "/api/v1/me", None, None),
        (
            "PUT",
            "/api/v1/reports/rep_1",
            Some(r#"{"version":3,"name":"é \"q\""}"#),
            None,
        ),
        ("DELETE", "/api/v1/reports/rep_1", None, None),
        (
            "PUT",
            "/api/v1/permissions",
            Some(r#"{"editReports":[]}"#),
            Some("\"3\""),
        ),
    ];
    let product_reply = json!({
        "status": 429, "statusText": "Too Many Requests",
        "headers": {"retry-after": "7", "content-type": "application/json"},
        "body": "{\"errorMessages\":[\"slow down\"]}"
    });
    let invoke_reply = json!({
        "success": true,
        "payload": {"status": 200, "headers": {"etag": ["\"4\""], "vary": ["a", "b"]}, "body": {"id": "rep_1", "n": [1, 2]}}
    });
    let out = run_package(&json!({
        "jira": jira.iter().map(as_input).collect::<Vec<_>>(),
        "remote": remote.iter().map(|(m, p, b, i)| json!({"method": m, "path": p, "body": b, "ifMatch": i})).collect::<Vec<_>>(),
        "productReply": product_reply,
        "invokeReply": invoke_reply,
    }));

    let calls = out["calls"].as_array().unwrap();
    assert_eq!(calls.len(), jira.len() + remote.len() + 1);
    for (request, call) in jira.iter().zip(calls) {
        assert_eq!(call["command"], "fetchProduct");
        assert_eq!(
            call["payload"],
            fetch_product_payload(request),
            "{request:?}"
        );
    }
    for ((method, path, body, if_match), call) in remote.iter().zip(&calls[jira.len()..]) {
        assert_eq!(call["command"], "invoke");
        // The server client's headers: Accept, Content-Type with a body, If-Match when given.
        let mut headers = vec![("Accept", "application/json".to_string())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        if let Some(v) = if_match {
            headers.push(("If-Match", v.to_string()));
        }
        assert_eq!(
            call["payload"],
            invoke_remote_payload(method, path, &headers, *body),
            "{method} {path}"
        );
    }
    assert_eq!(
        calls[jira.len() + remote.len()],
        json!({"command": "getContext", "payload": null})
    );

    // The same replies read the same way.
    let ours = ProductReply {
        status: 429,
        headers: product_reply["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect(),
        body: product_reply["body"].as_str().map(Body::from),
    }
    .into_response()
    .unwrap();
    let theirs = &out["jiraAnswers"][0];
    assert_eq!(json!(ours.status), theirs["status"]);
    assert_eq!(json!(ours.retry_after), theirs["retryAfter"]);
    assert_eq!(json!(ours.body.text_lossy()), theirs["body"]);

    let ours = read_invoke_reply(&invoke_reply.to_string()).unwrap();
    let theirs = &out["remoteAnswers"][0];
    assert_eq!(json!(ours.status), theirs["status"]);
    assert_eq!(json!(ours.etag), theirs["headers"]["etag"]);
    assert_eq!(
        serde_json::from_slice::<Value>(ours.body.as_bytes()).unwrap(),
        theirs["body"]
    );
}
