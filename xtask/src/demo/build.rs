//! Building what the demo runs: the browser client into `dist/` (skipped when it is newer than
//! its sources) and the two programs, whose paths come from cargo's own build messages.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::SystemTime;

use serde_json::Value;

use crate::Result;
use crate::client;
use crate::tools::{self, cargo, root};

use super::http::text;

/// Installs what the client build needs and builds `dist/` (release), unless `dist/` is newer
/// than every source it is built from.
pub(super) fn build_client() -> Result {
    tools::ensure_rust_target("wasm32-unknown-unknown")?;
    tools::ensure_trunk()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_wasm_opt()?;
    let root = root();
    let built = modified(&root.join("dist/index.html"));
    let sources = [
        "crates/client",
        "crates/config",
        "crates/engine",
        "index.html",
        "Trunk.toml",
        "Cargo.lock",
    ]
    .iter()
    .filter_map(|p| newest(&root.join(p)))
    .max();
    match (built, sources) {
        (Some(built), Some(sources)) if built >= sources => {
            eprintln!("== the client in dist/ is up to date");
            Ok(())
        }
        _ => {
            eprintln!("== building the client (trunk, release)");
            client::trunk_build()
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file or of any file under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}

const PROGRAMS: [(&str, &str); 2] = [("server", "dwell-server"), ("jira-sim", "jira-sim")];

/// Builds dwell-server and jira-sim; returns their paths, as cargo reports them.
pub(super) fn build_programs(release: bool) -> Result<(PathBuf, PathBuf)> {
    eprintln!("== building dwell-server and jira-sim");
    let mut cmd = cargo();
    cmd.args(["build", "--message-format=json-render-diagnostics"]);
    if release {
        cmd.arg("--release");
    }
    for (package, bin) in PROGRAMS {
        cmd.args(["-p", package, "--bin", bin]);
    }
    let out = cmd
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("building dwell-server and jira-sim failed".into());
    }
    let mut found = [None, None];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(name), Some(exe)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) else {
            continue;
        };
        for (i, (_, bin)) in PROGRAMS.iter().enumerate() {
            if name == *bin {
                found[i] = Some(PathBuf::from(exe));
            }
        }
    }
    match found {
        [Some(server), Some(sim)] => Ok((server, sim)),
        _ => Err("cargo built, but did not name both executables".into()),
    }
}

/// The binaries a previous build left in the target directory.
pub(super) fn prebuilt_programs(release: bool) -> Result<(PathBuf, PathBuf)> {
    let metadata = tools::output(cargo().args(["metadata", "--format-version=1", "--no-deps"]))
        .ok_or("cargo metadata failed")?;
    let metadata: Value =
        serde_json::from_str(&metadata).map_err(|e| format!("cargo metadata: {e}"))?;
    let target = PathBuf::from(text(&metadata["target_directory"], "the target directory")?);
    let dir = target.join(if release { "release" } else { "debug" });
    let path = |bin: &str| {
        let p = dir.join(bin);
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "{} is not built: run without --no-build",
                p.display()
            ))
        }
    };
    Ok((path(PROGRAMS[0].1)?, path(PROGRAMS[1].1)?))
}
