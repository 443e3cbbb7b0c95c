//! The engine's tests: fixtures (Jira JSON in, hand-worked report out), real Jira samples,
//! property tests (histories and timesheets), worklog intake, malformed input, and the wire
//! parser fuzzed from real pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod fixtures;
mod props;
mod samples;
mod timesheet_props;
mod wire_fuzz;
mod worklogs;
