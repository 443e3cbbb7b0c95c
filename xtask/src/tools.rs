//! Running commands and installing what is missing, once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `cmd` in the workspace root, echoing it, and fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result {
    cmd.current_dir(root());
    eprintln!("$ {}", display(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {}: {e}", display(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(cmd)))
    }
}

/// Runs `cmd` and returns its stdout, or `None` when it cannot start or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.current_dir(root()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn display(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Installs a rustup target unless it is already installed.
pub fn ensure_rust_target(target: &str) -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    if installed.is_some_and(|s| s.lines().any(|l| l.trim() == target)) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", target]))
}

/// Installs a rustup component (clippy, rustfmt) unless present.
pub fn ensure_rust_component(component: &str, probe: &[&str]) -> Result {
    if output(cargo().args(probe)).is_some() {
        return Ok(());
    }
    run(Command::new("rustup").args(["component", "add", component]))
}

/// Where cached tools live (`.tools/` at the root, git-ignored).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// The folder holding binaryen's `wasm-opt` once [`ensure_wasm_opt`] ran.
fn binaryen_bin() -> PathBuf {
    tools_dir().join("binaryen/node_modules/.bin")
}

/// `PATH` with the cached tools first, for trunk (which must find wasm-bindgen and wasm-opt
/// there and never download them).
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![binaryen_bin()];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A command for a tool, found on [`tool_path`].
pub fn tool(name: &str) -> Command {
    let mut cmd = Command::new(name);
    cmd.env("PATH", tool_path());
    cmd
}

/// The version of `package` that Cargo.lock pins (the first entry when there are several).
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let at = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?;
    let rest = &lock[at + needle.len()..];
    rest.split('"')
        .next()
        .map(str::to_string)
        .ok_or_else(|| format!("malformed Cargo.lock entry for {package}"))
}

/// Installs trunk 0.21 with cargo unless a trunk 0.21 is already on the path.
pub fn ensure_trunk() -> Result {
    let found = output(tool("trunk").arg("--version"));
    if found.is_some_and(|v| v.trim().starts_with("trunk 0.21.")) {
        return Ok(());
    }
    run(cargo_install().args(["trunk", "--version", "~0.21", "--locked"]))
}

/// The leptosfmt the fmt step checks with: it formats the `view!` macros that rustfmt leaves
/// alone. Pinned, since a formatter's output is the check's expected value.
pub const LEPTOSFMT: &str = "0.1.33";

/// Installs leptosfmt at [`LEPTOSFMT`] with cargo unless that version is on the path.
pub fn ensure_leptosfmt() -> Result {
    let found = output(tool("leptosfmt").arg("--version"));
    if found.is_some_and(|v| v.trim() == format!("leptosfmt {LEPTOSFMT}")) {
        return Ok(());
    }
    let exact = format!("={LEPTOSFMT}");
    run(cargo_install().args(["leptosfmt", "--version", &exact, "--locked"]))
}

/// `cargo install` for the build tools, compiled for a quick install rather than peak speed:
/// trunk's own release profile (fat LTO, one codegen unit, opt-level 3) spends most of a fresh
/// machine's setup compiling, while the tools spend their time waiting on rustc and wasm-opt.
/// Measured on the 2-core machine (docs/PERFORMANCE.md): trunk 11.6 CPU-minutes this way.
fn cargo_install() -> Command {
    let mut cmd = cargo();
    cmd.arg("install")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    cmd
}

/// Installs `wasm-bindgen-cli` at exactly the version of the `wasm-bindgen` crate in Cargo.lock
/// (the CLI and the crate must match), unless that version is already installed.
pub fn ensure_wasm_bindgen() -> Result {
    let version = locked_version("wasm-bindgen")?;
    let found = output(tool("wasm-bindgen").arg("--version"));
    if found.is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str())) {
        return Ok(());
    }
    let exact = format!("={version}");
    let locked = run(cargo_install().args(["wasm-bindgen-cli", "--version", &exact, "--locked"]));
    if locked.is_ok() {
        return locked;
    }
    eprintln!("retrying without --locked");
    run(cargo_install().args(["wasm-bindgen-cli", "--version", &exact]))
}

/// Installs binaryen 132's `wasm-opt` from npm into `.tools/binaryen` unless it is there.
/// (Debian's binaryen is too old for what rustc emits today.)
pub fn ensure_wasm_opt() -> Result {
    let found = output(Command::new(binaryen_bin().join("wasm-opt")).arg("--version"));
    if found.is_some_and(|v| v.contains("version 132")) {
        return Ok(());
    }
    let dir = tools_dir().join("binaryen");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg("binaryen@132"))
}

/// Atlassian's Forge packages the tests run under node, at the versions whose behaviour the code
/// was checked against, installed from npm into `.tools/forge` (never fetched by a test).
/// `tslib` is a dependency @forge/manifest 13.7.0 and @forge/csp 6.3.2 require without
/// declaring it; `cheerio` is the HTML parser @forge/csp takes as a peer (jira-sim's test
/// recomputes the Custom UI policy with it and compares it with jira-sim's own). jira-sim's
/// browser test bundles Atlassian's own client, `@forge/bridge`, with `esbuild` and runs it in
/// the simulator's Forge host page. The server's tests run the app's personal data function
/// (`forge/src/personal-data.js`) under node with Atlassian's `@forge/api`, the package it
/// imports on Forge.
pub const FORGE_NPM: &[(&str, &str)] = &[
    ("@forge/manifest", "13.7.0"),
    ("@forge/csp", "6.3.2"),
    ("@forge/bridge", "7.2.0"),
    ("esbuild", "0.28.2"),
    ("cheerio", "1.2.0"),
    ("tslib", "2.9.1"),
    ("@forge/api", "8.3.0"),
];

/// The `node_modules` folder of [`FORGE_NPM`], for `NODE_PATH`.
pub fn forge_node_modules() -> PathBuf {
    tools_dir().join("forge/node_modules")
}

/// Installs [`FORGE_NPM`] into `.tools/forge` unless every package is there at its version.
pub fn ensure_forge_npm() -> Result {
    ensure_npm_packages(&tools_dir().join("forge"), FORGE_NPM)
}

/// Installs npm `packages` (name, exact version) under `dir` unless each one's `package.json`
/// already names that version.
fn ensure_npm_packages(dir: &Path, packages: &[(&str, &str)]) -> Result {
    let installed = |name: &str, version: &str| {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        std::fs::read_to_string(manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|v| v["version"] == version)
    };
    if packages.iter().all(|(n, v)| installed(n, v)) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut npm = Command::new("npm");
    npm.args([
        "install",
        "--no-audit",
        "--no-fund",
        "--save-exact",
        "--prefix",
    ])
    .arg(dir);
    for (name, version) in packages {
        npm.arg(format!("{name}@{version}"));
    }
    run(&mut npm)
}

/// The Chromium and ChromeDriver the browser tests drive, installed with apt when absent. No
/// tool is ever allowed to download a browser of its own.
pub fn ensure_chromium() -> Result {
    if chromium().is_some() && chromedriver().is_some() {
        return Ok(());
    }
    // A fresh machine's package lists may be empty or stale: update them first.
    let mut update = apt_get();
    run(update.arg("update"))?;
    let mut apt = apt_get();
    run(apt.args(["install", "-y", "chromium", "chromium-driver"]))
}

fn apt_get() -> Command {
    if is_root() {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    }
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = tool_path();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The Chromium binary, when installed.
pub fn chromium() -> Option<PathBuf> {
    which(&["chromium", "chromium-browser"])
}

/// The ChromeDriver binary, when installed.
pub fn chromedriver() -> Option<PathBuf> {
    which(&["chromedriver"])
}

/// Installs Python packages (`pip` names pinned with `==`) unless every module in `modules`
/// already imports. jira-sim's tests run third-party Jira clients written in Python.
pub fn ensure_python_packages(packages: &[&str], modules: &[&str]) -> Result {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = format!("import {}", modules.join(", "));
    if output(Command::new(&python).args(["-c", &probe])).is_some() {
        return Ok(());
    }
    let mut cmd = Command::new(&python);
    cmd.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    cmd.args(packages);
    if run(&mut cmd).is_ok() {
        return Ok(());
    }
    // A distribution's own Python refuses global installs: install for the user instead.
    let mut cmd = Command::new(&python);
    cmd.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--user",
        "--break-system-packages",
    ]);
    cmd.args(packages);
    run(&mut cmd)
}
