//! The Forge host checked against Atlassian's own client: a Custom UI bundling the real
//! `@forge/bridge` 7.2.0 (esbuild 0.28.2; both installed into `.tools/forge` by `cargo xtask
//! test`'s setup, never fetched here) runs `view.getContext`, `requestJira`, `invokeRemote` and
//! `requestRemote` in the simulator's host page, in headless Chromium driven over WebDriver.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::forge::{APP_ID, admin, forge_sim_with, remote};
use crate::support::*;

fn forge_modules() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let modules = root.join(".tools/forge/node_modules");
    assert!(
        modules.join("@forge/bridge/package.json").is_file()
            && modules.join(".bin/esbuild").is_file(),
        "@forge/bridge and esbuild are missing from {}: run `cargo xtask test --only setup`",
        modules.display()
    );
    modules
}

/// The test Custom UI: index.html and the bundle of `bridge-app/app.js`.
fn build_app(dist: &Path) {
    let modules = forge_modules();
    let entry = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jira_sim/bridge-app/app.js");
    let out = Command::new(modules.join(".bin/esbuild"))
        .env("NODE_PATH", &modules)
        .arg(&entry)
        .args([
            "--bundle",
            "--format=iife",
            "--platform=browser",
            "--log-level=warning",
        ])
        .arg("--define:process.env.NODE_ENV=\"production\"")
        .arg(format!("--outfile={}", dist.join("app.js").display()))
        .output()
        .expect("esbuild runs");
    assert!(
        out.status.success(),
        "esbuild: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>bridge test</title></head>\
         <body><script src=\"app.js\"></script></body></html>",
    )
    .unwrap();
}

/// chromedriver on a free port; killed when dropped.
struct Driver {
    url: String,
    child: Child,
    _profile: tempfile::TempDir,
    session: Option<String>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(s) = &self.session {
            let _ = agent().delete(format!("{}/session/{s}", self.url)).call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wd(url: &str, body: Value) -> Value {
    let mut r = agent()
        .post(url)
        .send_json(body)
        .expect("chromedriver answers");
    let v: Value = r.body_mut().read_json().expect("chromedriver speaks JSON");
    assert!(v["value"].get("error").is_none(), "{url}: {v}");
    v["value"].clone()
}

fn browser() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e} (`cargo xtask test --only setup` installs it)"));
    let profile = tempfile::tempdir().unwrap();
    let mut d = Driver {
        url: format!("http://127.0.0.1:{port}"),
        child,
        _profile: profile,
        session: None,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = agent()
            .get(format!("{}/status", d.url))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
            .is_some_and(|v| v["value"]["ready"] == true);
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let session = wd(
        &format!("{}/session", d.url),
        json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     format!("--user-data-dir={}", d._profile.path().display())],
        }}}}),
    );
    d.session = Some(session["sessionId"].as_str().unwrap().to_string());
    d
}

impl Driver {
    fn at(&self, path: &str) -> String {
        format!(
            "{}/session/{}{path}",
            self.url,
            self.session.as_deref().unwrap_or("")
        )
    }

    /// Polls `script` in the page until it returns something other than null, with a deadline.
    fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let v = wd(
                &self.at("/execute/sync"),
                json!({"script": script, "args": []}),
            );
            if !v.is_null() {
                return v;
            }
            assert!(Instant::now() < deadline, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn atlassians_forge_bridge_runs_in_the_host_page() {
    let dist = tempfile::tempdir().unwrap();
    build_app(dist.path());
    let remote = remote(Arc::new(|_| (Duration::ZERO, 200)));
    let sim = forge_sim_with(
        &remote,
        [("main".to_string(), dist.path().to_path_buf())].into(),
    );
    assert_eq!(admin(&sim, "/_sim/forge/install", json!({})).status, 200);
    let apps = get(&sim, "/_sim/forge/apps").json;
    let env = apps["environment"]["id"].as_str().unwrap();
    let uuid = APP_ID.rsplit('/').next().unwrap();

    let b = browser();
    wd(
        &b.at("/url"),
        json!({"url": sim.url(&format!("/jira/apps/{uuid}/{env}?user=ben"))}),
    );
    let text = b.wait_for(
        "the app's report flag",
        "var e = document.querySelector('[data-flag-id=\"bridge-test\"]'); return e ? e.textContent : null;",
    );
    let text = text.as_str().unwrap();
    let report: Value = serde_json::from_str(text.strip_prefix("bridge-test: ").unwrap_or(text))
        .unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(report.get("error").is_none(), "{report:#}");

    let ben = &sim.data.site.users[1];
    assert_eq!(
        report["context"],
        json!({"accountId": ben.account_id, "moduleKey": "tis-global", "timezone": "Asia/Kolkata",
               "extensionType": "jira:globalPage", "cloudId": apps["cloudId"]})
    );
    // requestJira as the signed-in user, timestamps in their zone.
    assert_eq!(
        report["jira"],
        json!({"status": 200, "accountId": ben.account_id})
    );
    assert_eq!(report["search"]["status"], 200);
    assert!(
        report["search"]["created"]
            .as_str()
            .unwrap()
            .ends_with("+0530"),
        "{report}"
    );
    // invokeRemote: @forge/bridge returned the payload, headers joined.
    assert_eq!(report["invoke"]["status"], 200, "{report}");
    assert_eq!(report["invoke"]["body"], json!({}));
    assert!(
        report["invoke"]["headers"]["content-type"].is_string(),
        "{report}"
    );
    assert_eq!(report["remote"], json!({"status": 200, "body": "{}"}));
    assert!(
        report["unknown"]
            .as_str()
            .unwrap()
            .contains("unknown bridge command \"notACommand\""),
        "{report}"
    );

    // The remote saw both calls with a FIT for Ben, verified against the JWKS.
    let seen = remote.seen.lock().unwrap().clone();
    let calls: Vec<(&str, Option<&str>)> = seen
        .iter()
        .filter(|s| s.path.starts_with("/api/"))
        .map(|s| {
            (
                s.path.as_str(),
                s.claims.as_ref().ok().and_then(|c| c["principal"].as_str()),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("/api/echo", Some(ben.account_id.as_str())),
            ("/api/remote", Some(ben.account_id.as_str()))
        ]
    );
    assert_eq!(
        seen.iter().find(|s| s.path == "/api/echo").unwrap().body,
        json!({"hello": "forge"})
    );
    let stats = sim.stats();
    assert_eq!(
        stats.forge_unknown_bridge_commands.get("notACommand"),
        Some(&1)
    );
    assert_eq!(
        stats
            .by_route
            .get("GET /rest/api/{v}/myself")
            .copied()
            .unwrap_or(0)
            + stats
                .by_route
                .get("GET /rest/api/3/myself")
                .copied()
                .unwrap_or(0),
        1,
        "{stats:?}"
    );
    assert_eq!(
        stats.forge_csp_violations, 0,
        "the app ran under Forge's policy without violations"
    );
}
