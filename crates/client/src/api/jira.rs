//! Talking to Jira: requests as plain data, the [`Transport`] trait that sends them, and the
//! reading of Jira's answers into errors people can act on.
//!
//! A request is described, not performed, here: the fetch planner builds [`JiraRequest`]s and
//! the transports (Connect's `AP.request`, Forge's `requestJira`, or `fetch` in Direct mode)
//! send them. That keeps the planner pure and lets the same requests run against Jira Cloud,
//! Data Center and jira-sim.

use std::future::Future;

use serde::Deserialize;

use super::ClientError;
use super::body::Body;
use crate::cancel::Cancel;

/// An HTTP method Dwell uses on Jira. Dwell only reads: `POST` is for searches whose
/// parameters do not fit a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request to Jira's REST API. `path` is relative to the site (`/rest/api/3/...`, query
/// string included), because `AP.request` takes site-relative URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct JiraRequest {
    pub method: Method,
    pub path: String,
    /// A JSON body, for `POST`.
    pub body: Option<String>,
}

impl JiraRequest {
    pub fn get(path: impl Into<String>) -> Self {
        JiraRequest {
            method: Method::Get,
            path: path.into(),
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: &serde_json::Value) -> Self {
        JiraRequest {
            method: Method::Post,
            path: path.into(),
            body: Some(body.to_string()),
        }
    }
}

/// Jira's answer: any HTTP status. Transports return this for every status; only a missing
/// answer (network failure, cancellation) is a [`TransportError`].
#[derive(Debug, Clone, PartialEq)]
pub struct JiraResponse {
    pub status: u16,
    /// The `Retry-After` header, when present.
    pub retry_after: Option<String>,
    /// As it arrived: the page reads its bytes and hands the original on ([`Body`]).
    pub body: Body,
}

impl JiraResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The request never completed: offline, DNS, CORS refused, connection reset.
    #[error("{0}")]
    Network(String),
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The transport cannot work in this page (no `AP` object, no `fetch`).
    #[error("{0}")]
    Unavailable(String),
}

/// Sends requests to one Jira site as the signed-in user.
///
/// Implementations: [`crate::api::connect::ConnectTransport`] (inside Jira Cloud's iframe,
/// through `AP.request`) and [`crate::api::direct::DirectTransport`] (`fetch` with a token, for
/// Data Center and jira-sim), and [`crate::api::forge`]'s `ForgeTransport` (`requestJira` in a
/// Forge Custom UI).
pub trait Transport {
    /// Sends `request`. Must give up promptly with [`TransportError::Cancelled`] once `cancel`
    /// fires (aborting the network request where the platform allows it).
    fn send(
        &self,
        request: JiraRequest,
        cancel: &Cancel,
    ) -> impl Future<Output = Result<JiraResponse, TransportError>>;
}

/// Which Jira REST API a site speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Flavour {
    /// Jira Cloud: `/rest/api/3/search/jql` with page tokens, bulk fetches.
    Cloud,
    /// Jira Data Center (and Server): `/rest/api/2/search` with `startAt`/`total`.
    DataCenter,
}

impl Flavour {
    /// From `deploymentType` of `/rest/api/2/serverInfo`.
    pub fn from_deployment_type(deployment: &str) -> Flavour {
        if deployment.eq_ignore_ascii_case("cloud") {
            Flavour::Cloud
        } else {
            Flavour::DataCenter
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flavour::Cloud => "Jira Cloud",
            Flavour::DataCenter => "Jira Data Center",
        }
    }
}

/// What a request was for, so errors can say which permission or step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Search,
    Count,
    Issues,
    Changelogs,
    Worklogs,
    Statuses,
    Fields,
    ServerInfo,
    Myself,
}

impl Purpose {
    /// The Jira permission this request needs, for 403 messages.
    pub fn permission(self) -> &'static str {
        match self {
            Purpose::Search
            | Purpose::Count
            | Purpose::Issues
            | Purpose::Changelogs
            | Purpose::Worklogs => "Browse projects on the projects the query covers",
            Purpose::Statuses | Purpose::Fields | Purpose::ServerInfo | Purpose::Myself => {
                "access to Jira (sign in)"
            }
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Purpose::Search => "searching issues",
            Purpose::Count => "counting issues",
            Purpose::Issues => "reading issues",
            Purpose::Changelogs => "reading change histories",
            Purpose::Worklogs => "reading worklogs",
            Purpose::Statuses => "reading statuses",
            Purpose::Fields => "reading fields",
            Purpose::ServerInfo => "identifying the Jira site",
            Purpose::Myself => "identifying you",
        }
    }
}

/// Jira's error body: `{"errorMessages": [...], "errors": {"field": "message"}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraErrorBody {
    #[serde(default)]
    error_messages: Vec<String>,
    #[serde(default)]
    errors: serde_json::Map<String, serde_json::Value>,
    /// Some gateways answer `{"message": "..."}`.
    #[serde(default)]
    message: Option<String>,
}

/// The messages of a Jira error body, in order; empty when the body is not one.
pub fn error_messages(body: &[u8]) -> Vec<String> {
    let Ok(parsed) = serde_json::from_slice::<JiraErrorBody>(body) else {
        return Vec::new();
    };
    let mut out = parsed.error_messages;
    for (field, value) in parsed.errors {
        match value {
            serde_json::Value::String(s) => out.push(format!("{field}: {s}")),
            other => out.push(format!("{field}: {other}")),
        }
    }
    out.extend(parsed.message);
    out
}

/// Reads a non-success answer to a request made for `purpose` as an error for people.
pub fn classify_failure(purpose: Purpose, response: &JiraResponse) -> ClientError {
    let messages = error_messages(response.body.as_bytes());
    let joined = messages.join("; ");
    match response.status {
        400 if matches!(purpose, Purpose::Search | Purpose::Count) => {
            ClientError::JiraQuery { messages }
        }
        401 => ClientError::JiraUnauthorized,
        403 => ClientError::JiraForbidden {
            doing: purpose.describe(),
            needs: purpose.permission(),
            message: joined,
        },
        404 => ClientError::JiraNotFound {
            doing: purpose.describe(),
            message: joined,
        },
        429 => ClientError::JiraRateLimited,
        status => ClientError::JiraFailed {
            status,
            doing: purpose.describe(),
            message: if joined.is_empty() {
                snippet(&response.body.text_lossy())
            } else {
                joined
            },
        },
    }
}

/// The start of a body that is not a Jira error document (an HTML error page, a proxy's text),
/// short enough for a message.
fn snippet(body: &str) -> String {
    let text = body.trim();
    if text.starts_with('<') {
        return String::new();
    }
    let mut out: String = text.chars().take(160).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// `GET /rest/api/2/serverInfo`: enough to tell Cloud from Data Center.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub deployment_type: String,
    #[serde(default)]
    pub server_title: String,
}

/// `GET /rest/api/2/myself`: who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Myself {
    #[serde(default)]
    pub display_name: String,
    /// Cloud.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Data Center.
    #[serde(default)]
    pub name: Option<String>,
}

impl Myself {
    /// The person's name as Jira shows it; `None` when Jira gave none.
    pub fn name_shown(&self) -> Option<&str> {
        let name = self.display_name.trim();
        (!name.is_empty()).then_some(name)
    }
}

/// A Jira status from `/rest/api/{2,3}/status`, for pickers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraStatus {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub status_category: Option<StatusCategory>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCategory {
    #[serde(default)]
    pub key: String,
}

/// A Jira field from `/rest/api/{2,3}/field`, for pickers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraField {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub custom: bool,
}

/// Sends one request and reads a successful JSON answer as `T`.
pub async fn get_json<T, X>(
    transport: &X,
    purpose: Purpose,
    request: JiraRequest,
) -> Result<T, ClientError>
where
    T: serde::de::DeserializeOwned,
    X: Transport,
{
    let cancel = Cancel::new();
    let response = transport
        .send(request, &cancel)
        .await
        .map_err(ClientError::from_transport)?;
    if !response.is_success() {
        return Err(classify_failure(purpose, &response));
    }
    let bytes = response.body.as_bytes();
    serde_json::from_slice(bytes).map_err(|e| ClientError::Malformed {
        what: purpose.describe(),
        detail: Body::explain(bytes, &e),
    })
}

/// The API version prefix of a flavour.
pub fn api_root(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Cloud => "/rest/api/3",
        Flavour::DataCenter => "/rest/api/2",
    }
}

/// Checks a JQL query with Jira itself: how many issues it matches, or Jira's own error.
///
/// Cloud answers `search/approximate-count`; Data Center a zero-size search with `total`.
pub async fn check_jql<X: Transport>(
    transport: &X,
    flavour: Flavour,
    jql: &str,
) -> Result<u64, ClientError> {
    #[derive(Deserialize)]
    struct Count {
        count: u64,
    }
    #[derive(Deserialize)]
    struct Total {
        total: u64,
    }
    match flavour {
        Flavour::Cloud => {
            let request = JiraRequest::post(
                "/rest/api/3/search/approximate-count",
                &serde_json::json!({ "jql": jql }),
            );
            let c: Count = get_json(transport, Purpose::Count, request).await?;
            Ok(c.count)
        }
        Flavour::DataCenter => {
            let request = JiraRequest::post(
                "/rest/api/2/search",
                &serde_json::json!({ "jql": jql, "maxResults": 0, "fields": ["id"] }),
            );
            let t: Total = get_json(transport, Purpose::Count, request).await?;
            Ok(t.total)
        }
    }
}

/// The site's statuses, for pickers (the names Jira shows today).
pub async fn statuses<X: Transport>(
    transport: &X,
    flavour: Flavour,
) -> Result<Vec<JiraStatus>, ClientError> {
    let path = format!("{}/status", api_root(flavour));
    get_json(transport, Purpose::Statuses, JiraRequest::get(path)).await
}

/// The site's fields, for pickers.
pub async fn fields<X: Transport>(
    transport: &X,
    flavour: Flavour,
) -> Result<Vec<JiraField>, ClientError> {
    let path = format!("{}/field", api_root(flavour));
    get_json(transport, Purpose::Fields, JiraRequest::get(path)).await
}

/// Who the transport's credentials belong to, and which flavour of Jira answers.
pub async fn identify<X: Transport>(transport: &X) -> Result<(ServerInfo, Myself), ClientError> {
    let info: ServerInfo = get_json(
        transport,
        Purpose::ServerInfo,
        JiraRequest::get("/rest/api/2/serverInfo"),
    )
    .await?;
    let me = myself(transport).await?;
    Ok((info, me))
}

/// `GET /rest/api/2/myself`: who the transport's credentials belong to, as Jira shows them.
pub async fn myself<X: Transport>(transport: &X) -> Result<Myself, ClientError> {
    get_json(
        transport,
        Purpose::Myself,
        JiraRequest::get("/rest/api/2/myself"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> JiraResponse {
        JiraResponse {
            status,
            retry_after: None,
            body: body.into(),
        }
    }

    #[test]
    fn a_bad_query_shows_jiras_own_words() {
        let body = r#"{"errorMessages":["Field 'sttaus' does not exist or you do not have permission to view it."],"errors":{}}"#;
        let e = classify_failure(Purpose::Search, &response(400, body));
        assert_eq!(
            e,
            ClientError::JiraQuery {
                messages: vec![
                    "Field 'sttaus' does not exist or you do not have permission to view it."
                        .into()
                ]
            }
        );
    }

    #[test]
    fn forbidden_names_the_permission() {
        let e = classify_failure(Purpose::Changelogs, &response(403, "{}"));
        let text = e.to_string();
        assert!(text.contains("Browse projects"), "{text}");
        assert!(text.contains("change histories"), "{text}");
    }

    #[test]
    fn html_error_pages_are_not_quoted() {
        let e = classify_failure(
            Purpose::Issues,
            &response(502, "<html><body>Bad gateway</body></html>"),
        );
        assert_eq!(
            e,
            ClientError::JiraFailed {
                status: 502,
                doing: "reading issues",
                message: String::new()
            }
        );
    }

    #[test]
    fn field_errors_are_kept_with_their_field() {
        let body = r#"{"errorMessages":[],"errors":{"jql":"The value 'X' does not exist for the field 'project'."}}"#;
        assert_eq!(
            error_messages(body.as_bytes()),
            vec!["jql: The value 'X' does not exist for the field 'project'.".to_string()]
        );
    }
}
