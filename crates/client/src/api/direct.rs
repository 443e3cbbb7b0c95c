//! The Direct transport: `fetch` to a Jira base URL with the user's own credentials. For Jira
//! Data Center (an administrator allows this app's origin in Jira's CORS allowlist) and for
//! jira-sim in the demo and the tests.

use base64::Engine;

use super::http::{Http, HttpError, HttpRequest};
use super::jira::{JiraRequest, JiraResponse, Transport, TransportError};
use crate::cancel::Cancel;
use crate::weburl::WebUrl;

/// How the user signs in to Jira in Direct mode. Held in memory only, never stored (it crosses
/// from the page to its editor module as JSON, within the tab).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Credentials {
    /// A personal access token (Data Center), sent as `Bearer`.
    Token(String),
    /// User name (or e-mail) and password (or API token), sent as HTTP Basic.
    Basic { user: String, secret: String },
    /// No credentials (a Jira that allows anonymous reads, or jira-sim's open mode).
    Anonymous,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret, not even in a debug log.
        f.write_str(match self {
            Credentials::Token(_) => "Token(…)",
            Credentials::Basic { .. } => "Basic(…)",
            Credentials::Anonymous => "Anonymous",
        })
    }
}

impl Credentials {
    /// The `Authorization` header value, if any.
    pub fn authorization(&self) -> Option<String> {
        match self {
            Credentials::Token(t) => Some(format!("Bearer {}", t.trim())),
            Credentials::Basic { user, secret } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
            )),
            Credentials::Anonymous => None,
        }
    }
}

/// Why a Jira base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BaseUrlError(&'static str);

/// Normalises a Jira base URL as typed by a person: `https://jira.example.com/jira/` becomes
/// `https://jira.example.com/jira`, as the URL Standard reads it (scheme and host lowercase,
/// no default port). Only http(s) URLs are accepted, and plain http only for loopback
/// addresses (a token must not cross the network in clear text); no user, query or fragment.
pub fn normalize_base_url(input: &str) -> Result<String, BaseUrlError> {
    let url = WebUrl::parse(input.trim())
        .filter(WebUrl::is_http)
        .ok_or(BaseUrlError("the address must start with https://"))?;
    if url.scheme == "http" && !url.is_loopback() {
        return Err(BaseUrlError(
            "use https:// (plain http is only allowed for localhost)",
        ));
    }
    if url.has_userinfo || !url.query.is_empty() || !url.fragment.is_empty() {
        return Err(BaseUrlError(
            "enter the Jira address only, like https://jira.example.com",
        ));
    }
    Ok(format!(
        "{}://{}{}",
        url.scheme,
        url.authority(),
        url.path.trim_end_matches('/')
    ))
}

/// Jira over `fetch`, with explicit credentials. Serialisable (without its HTTP client) so
/// the page can hand the connection to its editor module.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DirectTransport<H> {
    base: String,
    credentials: Credentials,
    #[serde(skip)]
    http: H,
}

impl<H: Http> DirectTransport<H> {
    /// `base` must come from [`normalize_base_url`].
    pub fn new(base: String, credentials: Credentials, http: H) -> Self {
        DirectTransport {
            base,
            credentials,
            http,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

impl<H: Http> Transport for DirectTransport<H> {
    async fn send(
        &self,
        request: JiraRequest,
        cancel: &Cancel,
    ) -> Result<JiraResponse, TransportError> {
        let mut headers = vec![("Accept", "application/json".to_string())];
        if request.body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        if let Some(auth) = self.credentials.authorization() {
            headers.push(("Authorization", auth));
        }
        let http = HttpRequest {
            method: request.method.as_str(),
            url: format!("{}{}", self.base, request.path),
            headers,
            body: request.body,
        };
        match self.http.fetch(http, cancel).await {
            Ok(r) => Ok(JiraResponse {
                status: r.status,
                retry_after: r.retry_after,
                body: r.body,
            }),
            Err(HttpError::Cancelled) => Err(TransportError::Cancelled),
            Err(HttpError::Network(detail)) => Err(TransportError::Network(detail)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised_and_checked() {
        assert_eq!(
            normalize_base_url(" https://jira.example.com/jira/ ").as_deref(),
            Ok("https://jira.example.com/jira")
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert!(normalize_base_url("http://jira.example.com").is_err());
        assert!(normalize_base_url("jira.example.com").is_err());
        assert!(normalize_base_url("https://user:pw@jira.example.com").is_err());
        assert!(normalize_base_url("https://jira.example.com/?x=1").is_err());
        assert!(normalize_base_url("javascript:alert(1)").is_err());
        // Read as a URL, not split: what the splitting refused or let through wrongly.
        assert_eq!(
            normalize_base_url("http://[::1]:8080/").as_deref(),
            Ok("http://[::1]:8080")
        );
        assert_eq!(
            normalize_base_url("HTTPS://Jira.Example.com:443/Jira/").as_deref(),
            Ok("https://jira.example.com/Jira")
        );
        assert!(normalize_base_url("https://jira.example.com#x").is_err());
        assert!(normalize_base_url("https://:pw@jira.example.com").is_err());
        assert!(normalize_base_url("https://").is_err());
    }

    #[test]
    fn credentials_become_headers_and_never_print() {
        let basic = Credentials::Basic {
            user: "ada".into(),
            secret: "s3cret".into(),
        };
        assert_eq!(
            basic.authorization().as_deref(),
            Some("Basic YWRhOnMzY3JldA==")
        );
        assert_eq!(
            Credentials::Token(" abc ".into())
                .authorization()
                .as_deref(),
            Some("Bearer abc")
        );
        assert!(!format!("{basic:?}").contains("s3cret"));
        assert_eq!(Credentials::Anonymous.authorization(), None);
    }
}
