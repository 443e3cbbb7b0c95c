//! Integration tests of dwell-server: the real app over loopback HTTP, a real SQLite file, and
//! a loopback Jira (install keys, user groups) started by the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attacks;
mod bodies;
mod body_fuzz;
mod concurrency;
mod forge;
mod forge_fit;
mod forge_personal_data;
mod forge_sim;
mod helpers;
mod isolation;
mod jwt_attacks;
mod lifecycle;
mod permissions;
mod process;
mod schemathesis;
mod security;
mod transfer;
