//! jira-sim: a standalone Jira REST simulator (Cloud and Data Center flavours) with generated,
//! realistic data, for Dwell's demo, tests and benchmarks. It also plays the Jira site of an
//! Atlassian Connect app (signed installs, iframe and context JWTs, a host page and an all.js
//! emulation) and the Forge platform for a Forge app read from its `manifest.yml` (Forge
//! Invocation Tokens, a JWKS, lifecycle events to the app's remote).
//!
//! The design decision a reader must know: **it shares no code with `crates/engine`**. It writes
//! Jira's wire format on its own, from Atlassian's OpenAPI spec and captured samples, so a
//! misreading in the engine's wire model shows up as a failing test instead of being mirrored
//! by a shared type. Data is kept as a compact in-memory model ([`data`]) and rendered to JSON
//! only for the page a request asks for ([`render`], [`pages`]), so 100k issues generate in
//! seconds and each request costs memory in proportion to its page, not to the data set.
//!
//! # Starting one in a test or benchmark
//!
//! ```no_run
//! use jira_sim::{DataSpec, RunningSim, SimConfig};
//!
//! let sim = RunningSim::start(SimConfig {
//!     data: DataSpec { issues: 500, seed: 7, ..DataSpec::default() },
//!     ..SimConfig::default() // Cloud, 127.0.0.1:0, no faults, no rate limit
//! })?;
//! let url = sim.url("/rest/api/3/search/jql?jql=project%20%3D%20PLAT");
//! let auth = sim.basic_auth("ada"); // "Basic ..." for ada@dwell.example:sim-token
//! // ... make requests; sim.stats() counts them; dropping `sim` stops it.
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! [`RunningSim::start`] runs the server on its own thread and actix runtime, so it works
//! from plain `#[test]`s, any async runtime, and criterion. [`RunningSim::start_with`] shares
//! one generated [`Dataset`] between several simulators.
//!
//! # Modules
//! - [`site`]: the fixed catalogue (projects, workflow, users, groups, fields).
//! - [`data`]: deterministic generation and the compact model, with [`data::worklog`], the time
//!   logged.
//! - [`jql`]: the JQL subset's parser and evaluator.
//! - [`render`], [`pages`]: Jira's JSON shapes and response pages.
//! - [`api`]: the REST handlers; [`gate`]: latency, faults, auth, rate limits, counters.
//! - [`connect`]: the Connect host; [`forge`]: the Forge host; [`dump`]: page files for the CLI; [`cli`]: the binary.

pub mod api;
pub mod cli;
pub mod connect;
pub mod data;
pub mod dump;
pub mod forge;
pub mod gate;
pub mod http;
pub mod jql;
pub mod pages;
pub mod render;
pub mod server;
pub mod site;
pub mod state;

pub use data::{DataSpec, Dataset};
pub use dump::{DumpSpec, DumpSummary, dump, dump_data};
pub use server::{RunningSim, SimConfig};
pub use site::Flavor;
pub use site::{CANARY, Canary};
pub use state::{Faults, RateLimit, Stats};
