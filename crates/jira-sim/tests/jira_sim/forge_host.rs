//! Jira's pages for a Forge app and the bridge commands the server answers: the page frames the
//! resource from the CDN origin in a sandboxed iframe with the user's context, and `invoke`
//! and `fetchRemote` reach the remote with a FIT for the signed-in user.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::forge::{APP_ID, admin, forge_sim_budget, forge_sim_with, remote};
use crate::support::*;

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><html><head></head><body>app</body></html>",
    )
    .unwrap();
    dir
}

/// The page's config block and the session cookie it set.
fn open_page(sim: &jira_sim::RunningSim, path: &str) -> (Res, Value, String) {
    let mut r = agent().get(sim.url(path)).call().unwrap();
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap_or_default();
    let text = r.body_mut().read_to_string().unwrap();
    let cfg = text
        .split(r#"<script type="application/json" id="jira-sim-forge">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .map(|j| serde_json::from_str(j).unwrap())
        .unwrap_or(Value::Null);
    (
        Res {
            status,
            headers: Vec::new(),
            json: Value::Null,
            text,
        },
        cfg,
        cookie,
    )
}

fn bridge(sim: &jira_sim::RunningSim, cookie: &str, call: &str, body: Value) -> Res {
    res(agent()
        .post(sim.url(&format!("/_sim/forge/bridge/{call}")))
        .header("Cookie", cookie)
        .send_json(body)
        .expect("request completes"))
}

#[test]
fn pages_frame_the_resource_with_the_users_context_and_the_bridge_reaches_the_remote() {
    let remote = remote(Arc::new(|_| (Duration::ZERO, 200)));
    let dir = dist();
    let sim = forge_sim_with(
        &remote,
        [("main".to_string(), dir.path().to_path_buf())].into(),
    );
    let apps = get(&sim, "/_sim/forge/apps").json;
    let (cdn, env) = (
        apps["cdn"].as_str().unwrap().to_string(),
        apps["environment"]["id"].as_str().unwrap().to_string(),
    );
    let uuid = APP_ID.rsplit('/').next().unwrap();
    let page = format!("/jira/apps/{uuid}/{env}?user=ben");

    let (r, _, _) = open_page(&sim, &page);
    assert_eq!(r.status, 404, "not installed yet: {}", r.text);
    assert!(r.text.contains("/_sim/forge/install"), "{}", r.text);
    assert_eq!(admin(&sim, "/_sim/forge/install", json!({})).status, 200);

    let (r, cfg, cookie) = open_page(&sim, &page);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.contains(&format!(
            r#"<iframe id="forge-app" src="{cdn}/main/index.html" title="Time in Status" sandbox="allow-popups allow-popups-to-escape-sandbox allow-downloads allow-forms allow-modals allow-pointer-lock allow-same-origin allow-scripts""#
        )),
        "{}",
        r.text
    );
    let ben = &sim.data.site.users[1];
    let ctx = &cfg["context"];
    assert_eq!(ctx["accountId"], ben.account_id.as_str());
    assert_eq!(ctx["timezone"], "Asia/Kolkata");
    assert_eq!(ctx["moduleKey"], "tis-global");
    assert_eq!(ctx["siteUrl"], sim.base_url.as_str());
    assert_eq!(ctx["environmentId"], env.as_str());
    assert_eq!(ctx["extension"], json!({"type": "jira:globalPage"}));
    assert_eq!(cfg["cdnOrigin"], cdn.as_str());
    assert!(cookie.starts_with("jira-sim.session="), "{cookie}");

    let (r, cfg, _) = open_page(
        &sim,
        &format!("/jira/software/projects/WEB/apps/{uuid}/{env}"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(cfg["context"]["extension"]["type"], "jira:projectPage");
    assert_eq!(cfg["context"]["extension"]["project"]["key"], "WEB");
    assert_eq!(
        cfg["context"]["accountId"],
        sim.data.site.users[0].account_id.as_str(),
        "ada by default"
    );
    assert_eq!(
        open_page(&sim, &format!("/jira/apps/{uuid}/other-env"))
            .0
            .status,
        404
    );

    // invokeRemote, as @forge/bridge 7.2.0 sends it.
    let r = bridge(
        &sim,
        &cookie,
        "invoke",
        json!({"moduleKey": "tis-global", "payload": {"path": "/api/v1/reports", "method": "POST", "headers": {"X-Test": "1"}, "body": {"name": "r"}, "invokeType": "ui-remote-fetch"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], true, "{}", r.text);
    assert_eq!(r.json["payload"]["status"], 200);
    assert!(
        r.json["payload"]["headers"]["content-type"].is_array(),
        "{}",
        r.text
    );
    let seen = remote.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.path, "/api/v1/reports");
    assert_eq!(seen.body, json!({"name": "r"}));
    let c = seen.claims.unwrap();
    assert_eq!(c["principal"], ben.account_id.as_str());
    assert_eq!(
        c["app"]["module"],
        json!({"type": "jira:globalPage", "key": "tis-global"})
    );
    assert_eq!(c["context"]["moduleKey"], "tis-global");
    assert_eq!(c["context"]["siteUrl"], sim.base_url.as_str());

    let r = bridge(
        &sim,
        &cookie,
        "invoke",
        json!({"moduleKey": "tis-global", "payload": {"functionKey": "resolver", "payload": {}}}),
    );
    assert_eq!(r.json["success"], false, "{}", r.text);

    // requestRemote.
    let r = bridge(
        &sim,
        &cookie,
        "fetch-remote",
        json!({"moduleKey": "tis-global", "payload": {"remoteKey": "config-api", "fetchRequestInit": {"path": "/api/v1/me", "method": "GET", "body": null, "headers": [["accept", "application/json"]]}, "isMultipartFormData": false}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], 200);
    assert_eq!(r.json["body"], "{}");
    let seen = remote.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.path, "/api/v1/me");
    assert_eq!(seen.claims.unwrap()["principal"], ben.account_id.as_str());

    // Without the page's session, nothing.
    assert_eq!(
        bridge(
            &sim,
            "",
            "invoke",
            json!({"moduleKey": "tis-global", "payload": {}})
        )
        .status,
        401
    );

    // Unknown commands are counted.
    assert_eq!(
        bridge(&sim, &cookie, "unknown", json!({"command": "openModal"})).status,
        200
    );
    assert_eq!(
        sim.stats().forge_unknown_bridge_commands.get("openModal"),
        Some(&1)
    );

    // The host page's script is served.
    let js = get(&sim, "/_sim/forge/host.js");
    assert!(
        js.text.contains("event.origin !== cfg.cdnOrigin"),
        "{}",
        js.text
    );
}

/// The budget is a sliding window per user (Forge's is 500 calls per 25 s; a small one here, so
/// the test does not depend on how fast a loaded machine makes 500 calls).
#[test]
fn a_user_gets_a_budget_of_remote_invocations_per_window() {
    let remote = remote(Arc::new(|_| (Duration::ZERO, 200)));
    let dir = dist();
    let budget = jira_sim::forge::InvokeBudget {
        calls: 5,
        window: Duration::from_secs(600),
    };
    assert_eq!(
        jira_sim::forge::InvokeBudget::default(),
        jira_sim::forge::InvokeBudget {
            calls: 500,
            window: Duration::from_secs(25)
        }
    );
    let sim = forge_sim_budget(
        &remote,
        [("main".to_string(), dir.path().to_path_buf())].into(),
        budget,
    );
    assert_eq!(admin(&sim, "/_sim/forge/install", json!({})).status, 200);
    let apps = get(&sim, "/_sim/forge/apps").json;
    let env = apps["environment"]["id"].as_str().unwrap();
    let uuid = APP_ID.rsplit('/').next().unwrap();
    let (_, _, cookie) = open_page(&sim, &format!("/jira/apps/{uuid}/{env}?user=chloe"));
    let call = json!({"moduleKey": "tis-global", "payload": {"path": "/api/x", "method": "GET", "invokeType": "ui-remote-fetch"}});
    for n in 0..4 {
        let r = bridge(&sim, &cookie, "invoke", call.clone());
        assert_eq!(r.json["success"], true, "call {n}: {}", r.text);
    }
    let fetch = json!({"moduleKey": "tis-global", "payload": {"remoteKey": "config-api", "fetchRequestInit": {"path": "/api/y", "method": "GET", "headers": []}}});
    assert_eq!(
        bridge(&sim, &cookie, "fetch-remote", fetch.clone()).status,
        200,
        "the fifth, by requestRemote"
    );
    let r = bridge(&sim, &cookie, "invoke", call.clone());
    assert_eq!(r.json["success"], false, "{}", r.text);
    assert!(r.text.contains("rate limited at 5/600s"), "{}", r.text);
    assert_eq!(bridge(&sim, &cookie, "fetch-remote", fetch).status, 429);
    assert_eq!(
        remote
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path.starts_with("/api/"))
            .count(),
        5,
        "refused calls never reach the remote"
    );
    // Another user has a budget of their own.
    let (_, _, other) = open_page(&sim, &format!("/jira/apps/{uuid}/{env}?user=dev"));
    assert_eq!(bridge(&sim, &other, "invoke", call).json["success"], true);
}
