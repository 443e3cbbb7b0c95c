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
