//! What every HTTP surface of the simulator shares with the REST API: Jira's error answers,
//! request parameters as Jira reads them, and opaque page tokens.
//!
//! The design decision: these are a module of their own, below the REST API, the Connect and
//! Forge hosts, the gate and the response pages, so each of those can use them without
//! depending on another.

pub mod error;
pub mod params;
pub mod token;
