//! Dwell as a Forge app: `forge/` is the folder a vendor runs `forge deploy` in. Its
//! `manifest.yml` names the client (the trunk build, copied into `forge/static/client`) as a
//! Custom UI resource, dwell-server as the app's remote, and the personal data function
//! (`forge/src/personal-data.js`, run by the server's tests under node against jira-sim).
//!
//! The design decision: the manifest is checked by Atlassian's own validator (@forge/manifest,
//! from npm) and by Dwell's rules (no `auth` anywhere, so the remote never receives a token that
//! can read Jira), and the check is shown to fail on manifests that break each rule, so a
//! validator that silently passes everything would be caught.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::tools::{self, root};

/// The Forge app folder.
pub fn app_dir() -> PathBuf {
    root().join("forge")
}

/// Where the manifest's `client` resource lives (`resources[].path`), inside [`app_dir`].
const RESOURCE_DIR: &str = "static/client";

/// `cargo xtask forge`: builds the client, packages it as the app's resource and checks the
/// manifest; then `forge deploy` can run in `forge/`.
pub fn run(args: &[String]) -> Result {
    if let Some(other) = args.iter().find(|a| *a != "--no-build") {
        return Err(format!(
            "unknown option {other:?} (usage: cargo xtask forge [--no-build])"
        ));
    }
    if !args.iter().any(|a| a == "--no-build") {
        tools::ensure_trunk()?;
        tools::ensure_wasm_bindgen()?;
        tools::ensure_wasm_opt()?;
        crate::client::trunk_build()?;
    }
    tools::ensure_forge_npm()?;
    check()?;
    eprintln!(
        "forge app ready in {}: run `forge register` once, then `forge deploy` and \
         `forge install` there (README: Jira Cloud)",
        app_dir().display()
    );
    Ok(())
}

/// Copies trunk's `dist/` into the resource folder, replacing what was there.
pub fn package() -> Result {
    let dist = root().join("dist");
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: build the client first (cargo xtask test --only client)",
            dist.display()
        ));
    }
    let target = app_dir().join(RESOURCE_DIR);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .map_err(|e| format!("cannot clear {}: {e}", target.display()))?;
    }
    copy_dir(&dist, &target)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The `forge` test step: packages the client and checks the manifest; then checks that the
/// check refuses a manifest that breaks each rule.
pub fn check() -> Result {
    package()?;
    let manifest = app_dir().join("manifest.yml");
    let out = check_manifest(&manifest)?;
    if !out.ok {
        return Err(format!("forge/manifest.yml is refused:\n{}", out.text));
    }
    eprint!("{}", out.text);

    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    for broken in broken_manifests(&text)? {
        let scratch = scratch_app(&broken.text)?;
        let out = check_manifest(&scratch.join("manifest.yml"))?;
        let _ = std::fs::remove_dir_all(&scratch);
        if out.ok || !out.text.contains(broken.expect) {
            return Err(format!(
                "the manifest check passed a manifest that {} (expected an error containing \
                 {:?}); it said:\n{}",
                broken.what, broken.expect, out.text
            ));
        }
    }
    Ok(())
}

/// A manifest broken on purpose, and the error the check must give.
struct Broken {
    what: &'static str,
    text: String,
    expect: &'static str,
}

/// Copies of Dwell's manifest that each break one rule.
fn broken_manifests(text: &str) -> Result<Vec<Broken>> {
    let edit = |what, from: &str, to: &str, expect| -> Result<Broken> {
        if !text.contains(from) {
            return Err(format!(
                "forge/manifest.yml no longer contains {from:?}: update xtask/src/forge.rs"
            ));
        }
        Ok(Broken {
            what,
            text: text.replacen(from, to, 1),
            expect,
        })
    };
    Ok(vec![
        edit(
            "gives the remote an app system token",
            "    - key: dwell-ui\n      remote: dwell\n",
            "    - key: dwell-ui\n      remote: dwell\n      auth:\n        appSystemToken:\n          enabled: true\n",
            "endpoint dwell-ui declares auth",
        )?,
        edit(
            "asks for wasm-unsafe-eval, which Forge refuses",
            "      - unsafe-eval\n",
            "      - wasm-unsafe-eval\n",
            "@forge/manifest: Invalid 'content.scripts' permission",
        )?,
        edit(
            "names a trigger endpoint without a route",
            "      route:\n        path: /forge/lifecycle\n",
            "",
            "@forge/manifest:",
        )?,
        edit(
            "names a function handler with no file",
            "      handler: personal-data.run\n",
            "      handler: personal-data-gone.run\n",
            "@forge/manifest: function handler",
        )?,
        edit(
            "asks for a write scope",
            "    - read:jira-work\n",
            "    - read:jira-work\n    - write:jira-work\n",
            "scope write:jira-work is not read-only",
        )?,
    ])
}

/// A temporary app folder holding `manifest`, the app's functions (`src/`) and a copy of the
/// packaged resource.
fn scratch_app(manifest: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("dwell-forge-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("static"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(dir.join("manifest.yml"), manifest)
        .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    copy_dir(&app_dir().join(RESOURCE_DIR), &dir.join(RESOURCE_DIR))?;
    copy_dir(&app_dir().join("src"), &dir.join("src"))?;
    Ok(dir)
}

struct CheckOutput {
    ok: bool,
    text: String,
}

/// Runs `xtask/forge/check-manifest.cjs` on `manifest` under node.
fn check_manifest(manifest: &Path) -> Result<CheckOutput> {
    let script = root().join("xtask/forge/check-manifest.cjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(manifest)
        .env("NODE_PATH", tools::forge_node_modules())
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(CheckOutput {
        ok: out.status.success(),
        text,
    })
}
