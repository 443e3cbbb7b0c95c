//! Dwell end to end: the harness behind `cargo test -p e2e`, the browser flows and the
//! privacy proof.
//!
//! It runs the real programs as a user's site would: `jira-sim` (the Jira Cloud site and its
//! Connect host page), `dwell-server` (the metadata server, serving the trunk build in
//! `dist/`) and headless Chromium driven through chromedriver, all on loopback with ports
//! picked by the system. The design decision a reader must know: **everything that reaches
//! the server passes through a recording proxy** ([`proxy`]). The server's `--base-url` is
//! the proxy's address, so the Connect descriptor, the app's iframe, every API call from the
//! browser and the simulator's lifecycle calls go through it, and the privacy proof can look
//! at every byte the server received. The harness depends on no Dwell crate: it sees the
//! product from outside, and reads exports back with independent readers.

pub mod bins;
pub mod browser;
pub mod proc;
pub mod proxy;
pub mod static_host;
pub mod table;
pub mod world;

pub use browser::{Browser, ChromeDriver};
pub use world::{App, World, WorldSpec};

/// The harness's result type: failures carry their context as text.
pub type Result<T = ()> = anyhow::Result<T>;
