//! Dwell end to end: the real programs, a real browser, as a user inside the (simulated) Jira.
//!
//! Each test starts its own site on loopback (see `e2e::World`): jira-sim, dwell-server behind
//! the recording proxy, the app installed through the signed Connect lifecycle (or, in the
//! Forge tests, as the Forge app of `forge/manifest.yml`, jira-sim playing Forge's host), and
//! headless Chromium opening Jira's page that embeds Dwell. The flows live in `flows`, so the privacy
//! proof (`privacy`) drives the very same ones on canary data.
//!
//! ```text
//! cargo xtask test --only client     # the trunk build in dist/ (once)
//! cargo test -p e2e                  # every flow
//! cargo test -p e2e --test e2e privacy_proof   # the privacy proof alone
//! DWELL_SCREENSHOT=1 cargo test -p e2e -- default_report_matches_the_cli  # and docs/screenshot.png
//! ```
//!
//! The suite changes no file of the repository unless asked: docs/screenshot.png is written
//! only with `DWELL_SCREENSHOT=1`.
#![allow(clippy::unwrap_used)]

mod canary;
mod flows;
mod personal_data;
mod privacy;
mod reports;
mod static_host;
mod support;
