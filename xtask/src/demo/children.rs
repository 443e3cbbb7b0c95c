//! The demo's child processes (dwell-server and jira-sim): started with their output in log
//! files, watched while the demo runs, and stopped on Ctrl-C, on any error, or on drop.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::Result;
use crate::tools::root;

use super::http::Http;

/// Fails unless each port is free, naming the option that picks another.
pub(super) fn ports_free(ports: [(&str, u16); 2]) -> Result {
    for (flag, port) in ports {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            format!(
                "port {port} is not free ({e}): is a demo already running? Pick another with {flag}"
            )
        })?;
    }
    Ok(())
}

/// The demo's child processes. Dropping them stops them, so no error path leaves one behind.
#[derive(Default)]
pub(super) struct Children(Vec<(&'static str, Child, PathBuf)>);

impl Children {
    pub(super) fn spawn(&mut self, name: &'static str, mut cmd: Command, log: &Path) -> Result {
        let file = std::fs::File::create(log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = file
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
        let child = cmd
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        self.0.push((name, child, log.to_path_buf()));
        Ok(())
    }

    /// Fails when a child has exited, with the end of its log.
    pub(super) fn check(&mut self) -> Result {
        for (name, child, log) in &mut self.0 {
            if let Ok(Some(status)) = child.try_wait() {
                let text = std::fs::read_to_string(&*log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                return Err(format!(
                    "{name} stopped ({status}); the end of {}:\n{tail}",
                    log.display()
                ));
            }
        }
        Ok(())
    }

    /// Asks every child to stop (SIGINT, as Ctrl-C does: both servers shut down and close
    /// their files), then kills whichever has not within ten seconds, and reaps them all.
    pub(super) fn stop(&mut self) {
        for (_, child, _) in &self.0 {
            interrupt(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (name, child, _) in &mut self.0 {
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Ok(None) => {
                        eprintln!("{name} did not stop in time: killing it");
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                }
            }
        }
        self.0.clear();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sets `stop` on Ctrl-C (SIGINT), SIGTERM and SIGHUP instead of dying, so the children are
/// stopped first.
#[cfg(unix)]
pub(super) fn catch_stop_signals(stop: &Arc<AtomicBool>) -> Result {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register(signal, stop.clone())
            .map_err(|e| format!("cannot handle signal {signal}: {e}"))?;
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn catch_stop_signals(_stop: &Arc<AtomicBool>) -> Result {
    Ok(())
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    use rustix::process::{Pid, Signal, kill_process};
    // A child already gone (Ctrl-C reached it first) answers ESRCH: nothing to do.
    let _ = kill_process(Pid::from_child(child), Signal::INT);
}

#[cfg(not(unix))]
fn interrupt(_child: &Child) {}

/// Polls an address until it answers 200, while watching the children and Ctrl-C.
pub(super) fn wait_until_ok(
    http: &Http,
    url: &str,
    children: &mut Children,
    stop: &AtomicBool,
) -> Result {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err("interrupted".into());
        }
        children.check()?;
        if http.status(url) == Some(200) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not answer within two minutes"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
