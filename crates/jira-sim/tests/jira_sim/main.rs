//! jira-sim's tests, over real loopback HTTP against simulators the tests start themselves.
#![allow(clippy::unwrap_used)]

mod connect;
mod data;
mod dump;
mod fidelity;
mod forge;
mod forge_browser;
mod forge_cdn;
mod forge_host;
mod jql;
mod limits;
mod openapi;
mod paging;
mod python;
mod support;
mod worklogs;
