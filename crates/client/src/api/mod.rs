//! The client's two outside worlds: Jira ([`jira`], through a [`jira::Transport`]) and Dwell's
//! metadata server ([`server`]). Both return [`ClientError`], written for the person reading it.

pub mod body;
pub mod direct;
pub mod forge;
pub mod http;
pub mod jira;
pub mod server;

#[cfg(target_arch = "wasm32")]
pub mod connect;

use config::ValidationError;

use self::jira::TransportError;

/// Everything that can go wrong talking to Jira or the metadata server, each with a message
/// that says what happened and, through [`ClientError::hint`], what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The request got no answer at all.
    #[error("cannot reach {service}: {detail}")]
    Network {
        service: &'static str,
        detail: String,
    },
    #[error("cancelled")]
    Cancelled,
    /// Jira refused the JQL; its own messages, verbatim.
    #[error("Jira cannot run this query: {}", messages.join(" "))]
    JiraQuery { messages: Vec<String> },
    #[error("Jira did not accept your sign-in")]
    JiraUnauthorized,
    #[error("Jira refused {doing}: this needs {needs}{}", suffix(message))]
    JiraForbidden {
        doing: &'static str,
        needs: &'static str,
        message: String,
    },
    #[error("Jira has no such resource when {doing}{}", suffix(message))]
    JiraNotFound {
        doing: &'static str,
        message: String,
    },
    #[error("Jira kept asking to slow down, and Dwell gave up waiting")]
    JiraRateLimited,
    #[error("Jira failed {doing} (HTTP {status}){}", suffix(message))]
    JiraFailed {
        status: u16,
        doing: &'static str,
        message: String,
    },
    /// A response that is not the JSON it should be.
    #[error("unreadable answer when {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    /// The metadata server does not recognise the session (expired or missing token).
    #[error("your session has expired")]
    SessionExpired,
    #[error("you are not allowed to do this: {message}")]
    Forbidden { message: String },
    #[error("not found: {message}")]
    NotFound { message: String },
    /// The record changed (or is in use) since it was read.
    #[error("this changed on the server since you opened it: {message}")]
    Stale { message: String },
    /// The server refused a configuration; `details` carry JSON paths.
    #[error("{message}")]
    Invalid {
        message: String,
        details: Vec<ValidationError>,
    },
    #[error("the server is busy: try again in {retry_after_seconds} s")]
    ServerBusy { retry_after_seconds: u64 },
    #[error("the server failed (HTTP {status}): {message}")]
    ServerFailed { status: u16, message: String },
    /// There is no metadata server session in this mode (Direct mode has no Connect token).
    #[error(
        "saved reports need Dwell installed in Jira Cloud; here you can run templates and imported configurations"
    )]
    NoServer,
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" ({message})")
    }
}

impl ClientError {
    /// A transport failure talking to Jira.
    pub fn from_transport(e: TransportError) -> Self {
        match e {
            TransportError::Cancelled => ClientError::Cancelled,
            TransportError::Network(detail) | TransportError::Unavailable(detail) => {
                ClientError::Network {
                    service: "Jira",
                    detail,
                }
            }
        }
    }

    /// What the person can do about it, when there is something.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            ClientError::Network {
                service: "Jira", ..
            } => {
                "Check your connection. For Jira Data Center, an administrator must add this \
                 app's address to Jira's CORS allowlist."
            }
            ClientError::Network { .. } => "Check your connection and try again.",
            ClientError::JiraQuery { .. } => "Fix the JQL: the message above is Jira's own.",
            ClientError::JiraUnauthorized => {
                "Sign in to Jira again, or check the personal access token."
            }
            ClientError::JiraForbidden { .. } => {
                "Ask a Jira administrator for the permission named above, or narrow the query \
                 to projects you can browse."
            }
            ClientError::JiraNotFound { .. } => {
                "Check the Jira address; Data Center and Cloud sites offer different APIs."
            }
            ClientError::JiraRateLimited => "Wait a minute and run the report again.",
            ClientError::SessionExpired => "Reload the page from Jira to start a new session.",
            ClientError::Forbidden { .. } => {
                "Ask a Dwell administrator of this site to grant you the right."
            }
            ClientError::Invalid { .. } => "Correct the fields marked below and save again.",
            ClientError::Stale { .. } => "Reload to see the current version, then redo the change.",
            ClientError::ServerBusy { .. } => "Wait a moment and try again.",
            ClientError::NoServer => {
                "Open Dwell from Jira Cloud to save reports, or export this configuration as JSON."
            }
            _ => return None,
        })
    }
}
