//! The programs under test: `jira-sim`, `dwell-server` and `dwell`, built by cargo into the
//! target directory this test binary lives in, and the client's trunk build in `dist/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, bail};

use crate::Result;

/// Paths of the built programs.
#[derive(Debug, Clone)]
pub struct Bins {
    pub jira_sim: PathBuf,
    pub server: PathBuf,
    pub dwell: PathBuf,
    /// The client's trunk build, served by dwell-server.
    pub dist: PathBuf,
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

impl Bins {
    /// Builds the three programs once per test process (`cargo build`, a no-op when they are
    /// up to date) and finds the client build.
    pub fn get() -> Result<&'static Bins> {
        static BINS: OnceLock<std::result::Result<Bins, String>> = OnceLock::new();
        BINS.get_or_init(|| Bins::build().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn build() -> Result<Bins> {
        // The test binary is `<target>/<profile>/deps/e2e-<hash>`: build the programs with the
        // same profile.
        let exe = std::env::current_exe().context("where is this test binary")?;
        let profile = exe
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("debug")
            .to_string();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(root()).args([
            "build",
            "--bins",
            "-p",
            "jira-sim",
            "-p",
            "server",
            "-p",
            "cli",
            "--message-format=json-render-diagnostics",
        ]);
        if profile != "debug" {
            cmd.args(["--profile", &profile]);
        }
        let out = cmd
            .stderr(std::process::Stdio::inherit())
            .output()
            .context("cannot run cargo build")?;
        if !out.status.success() {
            bail!(
                "cargo build of jira-sim, dwell-server and dwell failed ({})",
                out.status
            );
        }
        // Copies, so that another build into the same target directory cannot swap a program
        // under a running test.
        let keep = std::env::temp_dir().join(format!("dwell-e2e-bins-{}", std::process::id()));
        forget_old_copies();
        std::fs::create_dir_all(&keep)?;
        let mut found = std::collections::BTreeMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let (Some(name), Some(path)) =
                (msg["target"]["name"].as_str(), msg["executable"].as_str())
            {
                let copy = keep.join(name);
                std::fs::copy(path, &copy).with_context(|| format!("copying {path}"))?;
                found.insert(name.to_string(), copy);
            }
        }
        let mut bin = |name: &str| -> Result<PathBuf> {
            found
                .remove(name)
                .with_context(|| format!("cargo build made no {name} program"))
        };
        let dist =
            std::env::var_os("DWELL_DIST").map_or_else(|| root().join("dist"), PathBuf::from);
        if !dist.join("index.html").is_file() || !dist.join("worker_loader.js").is_file() {
            bail!(
                "no client build in {}: run `cargo xtask test --only client` first",
                dist.display()
            );
        }
        Ok(Bins {
            jira_sim: bin("jira-sim")?,
            server: bin("dwell-server")?,
            dwell: bin("dwell")?,
            dist,
        })
    }
}

/// Removes the program copies of test processes that have ended (Linux: `/proc/<pid>`).
fn forget_old_copies() {
    let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("dwell-e2e-bins-") else {
            continue;
        };
        if Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
