//! The Jira wire model and the pure report engine (work in progress).
