//! The client's integration tests: the fetch planner and driver natively, against a scripted
//! Jira on a virtual clock; the Forge bridge protocol against Atlassian's package under node;
//! components and transports in headless Chromium (`cargo xtask test --only browser`).

#![allow(clippy::unwrap_used)]

#[cfg(not(target_arch = "wasm32"))]
mod forge;
#[cfg(not(target_arch = "wasm32"))]
mod planner;
#[cfg(not(target_arch = "wasm32"))]
mod scripted;
#[cfg(not(target_arch = "wasm32"))]
mod sim;

#[cfg(target_arch = "wasm32")]
mod browser;
