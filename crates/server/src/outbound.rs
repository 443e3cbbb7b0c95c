//! The HTTP client of the server's four outbound calls: a user's groups from a Connect site's
//! Jira (`jira.rs`), the personal data report to it (`personal_data.rs`), an install key for a
//! signed lifecycle event (`lifecycle.rs`) and Forge's JWKS (`auth/forge_fit.rs`).
//!
//! The design decision: one awc client per worker thread, reused for every call, so calls to
//! the same host share pooled keep-alive connections instead of a new connection (and TLS
//! handshake) each. awc's `Client` is `!Send` (its pool belongs to the thread's runtime), so
//! it lives in a thread-local, built on the worker thread's first outbound call; timeouts are
//! set per request.

thread_local! {
    static CLIENT: awc::Client = awc::Client::default();
}

/// This worker thread's client: a cheap handle to the one client of the thread.
pub fn client() -> awc::Client {
    CLIENT.with(Clone::clone)
}
