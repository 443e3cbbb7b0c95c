//! Child processes whose output is kept: every line of stdout and stderr is captured (the
//! privacy proof searches the server's logs), and the process is killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::Result;

/// A running program and everything it printed so far.
#[derive(Debug)]
pub struct Proc {
    pub name: String,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr captured into one buffer, line by line.
    pub fn spawn(name: &str, cmd: &mut Command) -> Result<Proc> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        let output = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            capture(out, output.clone());
        }
        if let Some(err) = child.stderr.take() {
            capture(err, output.clone());
        }
        Ok(Proc {
            name: name.to_string(),
            child,
            output,
        })
    }

    /// Everything printed so far (stdout and stderr, interleaved by line).
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    pub fn output_text(&self) -> String {
        String::from_utf8_lossy(&self.output()).into_owned()
    }

    /// Waits until a printed line satisfies `find`, and returns what it extracted.
    pub fn wait_for<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        find: impl Fn(&str) -> Option<T>,
    ) -> Result<T> {
        let until = Instant::now() + timeout;
        loop {
            if let Some(found) = self.output_text().lines().find_map(&find) {
                return Ok(found);
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited ({status}) before {what}; it printed:\n{}",
                    self.name,
                    self.output_text()
                );
            }
            if Instant::now() > until {
                bail!(
                    "{} did not show {what} within {timeout:?}; it printed:\n{}",
                    self.name,
                    self.output_text()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Stops the program (SIGKILL) and waits for it, so its files are closed.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

fn capture(stream: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            if let Ok(mut o) = into.lock() {
                o.extend_from_slice(&line);
            }
            line.clear();
        }
    });
}

/// Runs a program to completion and returns its stdout, failing with its stderr.
pub fn run(name: &str, cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {name}"))?;
    if !out.status.success() {
        bail!(
            "{name} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
