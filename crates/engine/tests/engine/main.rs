//! The engine's tests: fixtures (Jira JSON in, hand-worked report out), real Jira samples,
//! property tests (histories and timesheets), worklog intake, and malformed input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod fixtures;
mod props;
mod samples;
mod timesheet_props;
mod worklogs;
