//! Fetching a report's issues from Jira: the [`planner`] decides what to ask (pure state, no
//! I/O, tested natively) from what [`skim`] reads of Jira's answers (tokens, ids, counts,
//! errors; the documents go to the worker unread), [`keyset`] cuts a Data Center query past its
//! result window into id ranges, [`retry`] decides how long to wait after a
//! refusal (pure), [`pace`] learns the request rate Jira allows from its refusals (pure), and
//! the [`driver`] sends the planner's requests through a [`crate::api::jira::Transport`] with
//! bounded concurrency, at that pace, until the planner is done or the user cancels
//! ([`crate::cancel`]).

pub mod driver;
pub mod keyset;
pub mod pace;
pub mod planner;
pub mod retry;
pub mod skim;

pub use driver::{Clock, run};
pub use planner::{Delivery, FetchSpec, Limits, Outcome, Planner, Progress, RequestStats};
