//! Dwell's browser client: reaches Jira as the signed-in user, computes time-in-status reports
//! in this tab, and stores only report configuration on Dwell's server.
//!
//! The one design decision to know: issue data flows from Jira into this tab's memory and
//! nowhere else. The fetch [`fetch::planner`] is pure logic that decides which Jira requests a
//! report needs; a [`api::jira::Transport`] sends them (Connect's `AP.request` inside Jira
//! Cloud, or `fetch` with a token for Data Center and jira-sim); the pages go to a Web Worker
//! that runs the engine, and nothing about issues is ever written to storage or sent to the
//! metadata server ([`api::server`] only speaks `config` types).
//!
//! Pure parts (planner, retry policy, routes, view logic, worker messages) build natively and
//! are unit-tested there; the UI ([`app`], `pages`, `components`) and the browser glue build
//! for wasm32 only and are tested in headless Chromium.

pub mod api;
pub mod cancel;
pub mod comments;
pub mod env;
pub mod fetch;
pub mod route;
pub mod view;
pub mod weburl;
pub mod worker_protocol;
pub mod worker_session;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod context;
#[cfg(target_arch = "wasm32")]
pub mod editor_loader;
#[cfg(target_arch = "wasm32")]
pub mod editor_module;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod worker;
#[cfg(target_arch = "wasm32")]
pub mod worker_handle;
