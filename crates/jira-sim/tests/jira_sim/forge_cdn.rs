//! The simulated Forge CDN: Custom UI folders on an origin of their own, with the bridge
//! script first in `<head>`, the policy Atlassian's @forge/csp computes, and `.wasm` served
//! as WebAssembly.

use std::path::{Path, PathBuf};

use jira_sim::forge::manifest::ForgeApp;
use jira_sim::forge::{ForgeSpec, csp};
use jira_sim::{Flavor, RunningSim, SimConfig};
use serde_json::Value;

use crate::support::*;

const MANIFEST: &str = include_str!("fixtures/manifest.yml");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/jira_sim/fixtures/forge-csp")
        .join(name)
}

/// The fixture manifest with the permissions of `forge-csp/permissions.json` (YAML reads JSON).
fn app_with_fixture_permissions() -> ForgeApp {
    let permissions = std::fs::read_to_string(fixture("permissions.json")).unwrap();
    let head = MANIFEST.split("permissions:").next().unwrap();
    let flat: String = permissions.split_whitespace().collect::<Vec<_>>().join(" ");
    ForgeApp::parse(&format!("{head}permissions: {flat}\n")).unwrap()
}

/// `.tools/forge/node_modules`, where `cargo xtask test`'s setup installs Atlassian's
/// packages (pinned), if it is there and node runs.
fn forge_npm() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)?
        .to_path_buf();
    let modules = root.join(".tools/forge/node_modules");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .ok()?;
    (node.status.success() && modules.join("@forge/csp/package.json").is_file()).then_some(modules)
}

#[test]
fn the_policy_is_atlassians() {
    let pinned: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(fixture("csp-forge-csp-6.3.2.json")).unwrap(),
    )
    .unwrap();
    let index = std::fs::read_to_string(fixture("index.html")).unwrap();
    let app = app_with_fixture_permissions();
    let ours = csp::policy(&index, &app.permissions, "https://jira-sim.invalid").unwrap();
    assert_eq!(ours, pinned);

    // Where the package is installed, it must still compute the pinned policy.
    if let Some(modules) = forge_npm() {
        let version: Value = serde_json::from_str(
            &std::fs::read_to_string(modules.join("@forge/csp/package.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            version["version"], "6.3.2",
            "the fixture is @forge/csp 6.3.2's output"
        );
        let out = std::process::Command::new("node")
            .env("NODE_PATH", &modules)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/forge/csp.js"))
            .arg(fixture("index.html"))
            .arg(fixture("permissions.json"))
            .arg("https://jira-sim.invalid")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            theirs, pinned,
            "@forge/csp's output changed: update the fixture and csp.rs"
        );
    }
}

#[test]
fn fetch_client_objects_are_refused_as_forge_csp_refuses_them() {
    let mut app = app_with_fixture_permissions();
    app.permissions.external.insert(
        "fetch.client".into(),
        vec![serde_json::json!({"remote": "config-api"})],
    );
    assert!(csp::policy("<html></html>", &app.permissions, "https://x").is_err());
}

fn custom_ui(dir: &Path) {
    std::fs::copy(fixture("index.html"), dir.join("index.html")).unwrap();
    std::fs::write(dir.join("client_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::create_dir(dir.join("assets")).unwrap();
    std::fs::write(dir.join("assets/app.css"), "body{}").unwrap();
    std::fs::write(dir.parent().unwrap().join("secret.txt"), "not served").unwrap();
}

fn cdn_sim(dir: &Path) -> (RunningSim, String) {
    let app = ForgeApp::parse(MANIFEST).unwrap();
    let sim = sim_with(
        200,
        SimConfig {
            flavor: Flavor::Cloud,
            forge: Some(ForgeSpec {
                app,
                resource_dirs: [("main".to_string(), dir.to_path_buf())].into(),
                install_at_start: false,
                invoke_budget: Default::default(),
            }),
            ..SimConfig::default()
        },
    );
    let cdn = get(&sim, "/_sim/forge/apps").json["cdn"]
        .as_str()
        .unwrap()
        .to_string();
    (sim, cdn)
}

fn fetch(url: &str) -> Res {
    res(agent().get(url).call().expect("request completes"))
}

fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
    policy
        .split("; ")
        .find_map(|d| d.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
        .split(' ')
        .collect()
}

#[test]
fn a_custom_ui_is_served_on_its_own_origin_with_the_bridge_first_and_forges_policy() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("dist");
    std::fs::create_dir(&dir).unwrap();
    custom_ui(&dir);
    let (sim, cdn) = cdn_sim(&dir);
    assert!(cdn.starts_with("http://127.0.0.1:"), "{cdn}");
    assert_ne!(cdn, sim.base_url, "an origin of its own");

    let index = fetch(&format!("{cdn}/main/"));
    assert_eq!(index.status, 200, "{}", index.text);
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let bridge_tag = format!("<script src=\"{cdn}/global-bridge.js\"></script>");
    let head_at = index.text.find("<head>").unwrap() + "<head>".len();
    assert!(
        index.text[head_at..].starts_with(&bridge_tag),
        "{}",
        index.text
    );
    assert_eq!(
        index.text.replacen(&bridge_tag, "", 1),
        std::fs::read_to_string(dir.join("index.html")).unwrap()
    );

    let policy = index.header("content-security-policy").unwrap().to_string();
    let scripts = directive(&policy, "script-src");
    assert_eq!(&scripts[..2], ["'self'", cdn.as_str()], "{policy}");
    assert!(scripts.contains(&"'unsafe-eval'"));
    // Both inline scripts of the page, by hash (as in the pinned @forge/csp output).
    assert_eq!(
        scripts.iter().filter(|s| s.starts_with("'sha256-")).count(),
        2,
        "{policy}"
    );
    assert!(
        !directive(&policy, "style-src").contains(&"'unsafe-inline'"),
        "{policy}"
    );
    assert!(directive(&policy, "frame-ancestors").contains(&sim.base_url.as_str()));
    assert_eq!(
        directive(&policy, "report-uri"),
        [format!("{}/_sim/forge/csp-report", sim.base_url).as_str()]
    );
    assert!(policy.contains("sandbox allow-popups"), "{policy}");
    assert!(
        !policy.contains("forge.cdn.prod.atlassian-dev.net"),
        "{policy}"
    );

    let wasm = fetch(&format!("{cdn}/main/client_bg.wasm"));
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(
        wasm.header("content-security-policy"),
        Some(policy.as_str())
    );
    assert_eq!(
        fetch(&format!("{cdn}/main/assets/app.css")).header("content-type"),
        Some("text/css; charset=utf-8")
    );

    let bridge = fetch(&format!("{cdn}/global-bridge.js"));
    assert_eq!(bridge.status, 200);
    assert!(
        bridge
            .text
            .contains(&format!("var HOST_ORIGIN = '{}';", sim.base_url)),
        "{}",
        bridge.text
    );

    for refused in [
        format!("{cdn}/main/%2e%2e/secret.txt"),
        format!("{cdn}/other/index.html"),
        format!("{cdn}/rest/api/3/myself"),
        format!("{cdn}/_sim/info"),
    ] {
        assert_eq!(fetch(&refused).status, 404, "{refused}");
    }
    // And the CDN's files are not on the site's origin.
    assert_eq!(get(&sim, "/global-bridge.js").status, 404);

    let report = agent()
        .post(sim.url("/_sim/forge/csp-report"))
        .header("Content-Type", "application/csp-report")
        .send(r#"{"csp-report":{"violated-directive":"style-src-attr"}}"#)
        .unwrap();
    assert_eq!(report.status().as_u16(), 204);
    assert_eq!(sim.stats().forge_csp_violations, 1);
}
