//! jira-sim's tests, over real loopback HTTP against simulators the tests start themselves.
#![allow(clippy::unwrap_used)]

mod openapi;
mod support;
mod jql;
mod paging;
