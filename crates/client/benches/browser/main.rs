//! The browser benchmark, and the end-to-end smoke check of the built client.
//!
//! Serves the trunk build (`dist/`, built by `cargo xtask test --only client`) as static
//! files (or from Dwell's real server with `--dwell-server`), starts jira-sim with N issues and an added latency, and drives headless
//! Chromium through ChromeDriver (WebDriver over loopback HTTP): connect to the simulator in
//! Direct mode, import a time-in-status configuration, and wait for the table. It reports the
//! time from "run" to the finished table (and its parts, from the page's performance marks),
//! the number of Jira requests (counted by the simulator), the peak JS heap of the page, and
//! the engine's time in the worker (wasm) against the same engine natively on the same data.
//!
//! ```text
//! cargo test -p client --bench browser                    # smoke: 300 issues, asserts
//! cargo bench -p client --bench browser                   # 10k and 50k, 0 and 50 ms
//! cargo bench -p client --bench browser -- --issues 10000 --latency 50
//! ```
#![allow(clippy::unwrap_used)]

// Native only: `cargo clippy --target wasm32-unknown-unknown --all-targets` still sees this
// target, and its dependencies (jira-sim, the server, ureq) do not exist for wasm32.
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}
