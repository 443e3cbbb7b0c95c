//! The Forge transport: inside a Forge Custom UI (Jira Cloud's page frames Dwell's trunk build
//! from Forge's CDN), Jira is reached with `requestJira` (the Jira page makes the call as the
//! signed-in user, within the manifest's scopes) and Dwell's server with `invokeRemote` to the
//! remote `dwell`, which carries a Forge Invocation Token that the platform adds: this page
//! holds no credential at all. `getContext` tells the site, the user's account id, locale and
//! time zone, for display only (Atlassian: never for authorization).
//!
//! The key design decision: Dwell calls the bridge's one entry point,
//! `globalThis.__bridge.callBridge(command, payload)` (defined by the `global-bridge.js` that
//! Forge puts first in the page's `<head>`), from Rust through wasm-bindgen, instead of bundling
//! the npm package @forge/bridge. Every @forge/bridge function Dwell needs is a thin wrapper that
//! builds one payload and calls `callBridge`; bundling it would add a JavaScript bundler to the
//! trunk build and its modules (with their dependencies) to the page's first download, which
//! has a 400 KB budget, to do what a few lines of Rust do. The price is that the protocol is
//! Dwell's to keep in step, so the payloads are built here by pure functions and a test
//! (`tests/client/forge.rs`) runs @forge/bridge 7.2.0 itself under node against a recording
//! `__bridge` and requires the very same payloads.
//!
//! `invokeRemote`, not `requestRemote`, reaches the server: it goes through the resolver
//! endpoint the manifest already declares (`dwell-ui`), needs no client egress permission and no
//! CORS at the remote, and is the documented, generally available path; `requestRemote` saves a
//! hop but its CORS origin and manifest needs are not confirmed (reference/forge-notes.md §5,
//! §8), and the server is called a few times per page, where the hop does not matter next to
//! Jira's fetch. The bridge drops `signal`, so cancelling cannot abort a call: a cancelled
//! transport issues nothing more and drops the answers still to come. @forge/bridge limits
//! invocations to 500 per 25 s by throwing; Dwell waits for a free slot instead ([`Budget`]).

use serde::Deserialize;
use serde_json::{Value, json};

use super::body::Body;
use super::http::{HttpError, HttpResponse};
use super::jira::{JiraRequest, JiraResponse, TransportError};

/// The remote that Dwell's server is, as `forge/manifest.yml` names it. `invokeRemote` reaches
/// it through the page module's resolver endpoint, so the key is documentation here.
pub const REMOTE_KEY: &str = "dwell";

/// Invocations of a remote allowed per window (@forge/bridge 7.2.0's limiter).
pub const BUDGET_CALLS: usize = 500;
/// The window of [`BUDGET_CALLS`], in milliseconds.
pub const BUDGET_WINDOW_MS: f64 = 25_000.0;

/// The `fetchProduct` payload that @forge/bridge's `requestJira(path, init)` sends for
/// `request`, with `init` = `{method, headers: {Accept, Content-Type for a body}, body}`: the
/// headers as the Fetch API lists them (lower case, sorted), with the `X-Atlassian-Token` the
/// bridge adds, and no body on a `GET`.
pub fn fetch_product_payload(request: &JiraRequest) -> Value {
    let mut headers = vec![json!(["accept", "application/json"])];
    if request.body.is_some() {
        headers.push(json!(["content-type", "application/json"]));
    }
    headers.push(json!(["x-atlassian-token", "no-check"]));
    json!({
        "product": "jira",
        "restPath": request.path,
        "fetchRequestInit": {
            "method": request.method.as_str(),
            "headers": headers,
            "body": request.body,
        },
        "isMultipartFormData": false,
    })
}

/// The `invoke` payload that @forge/bridge's `invokeRemote({path, method, headers, body})`
/// sends: the input as it is, with `invokeType: 'ui-remote-fetch'`. The body is JSON text
/// with its content type; the request's other headers (`If-Match`, which a permissions save
/// needs) go along; no `Authorization` (the platform adds the FIT).
pub fn invoke_remote_payload(
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> Value {
    let mut payload = json!({
        "path": path,
        "method": method,
        "headers": {"Accept": "application/json"},
        "invokeType": "ui-remote-fetch",
    });
    if let Some(body) = body {
        payload["headers"]["Content-Type"] = json!("application/json");
        payload["body"] = json!(body);
    }
    for (name, value) in headers {
        let set_above = ["accept", "content-type", "authorization"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
        if !set_above {
            payload["headers"][*name] = json!(value);
        }
    }
    payload
}

/// The reply to `fetchProduct`, as the host sends it (@forge/bridge makes a `Response` of it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductReply {
    pub status: u16,
    /// Header names as the host wrote them.
    pub headers: Vec<(String, String)>,
    /// The host's string, kept as it is for the worker ([`Body`]).
    pub body: Option<Body>,
}

impl ProductReply {
    /// Jira's answer, any status. A reply without a status is no answer.
    pub fn into_response(self) -> Result<JiraResponse, TransportError> {
        if self.status == 0 {
            return Err(TransportError::Network(
                "Jira's page gave no status for the request".into(),
            ));
        }
        let retry_after = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .map(|(_, v)| v.clone());
        Ok(JiraResponse {
            status: self.status,
            retry_after,
            body: self.body.unwrap_or_default(),
        })
    }
}

/// The reply to `invoke` with `invokeType: 'ui-remote-fetch'`.
#[derive(Debug, Deserialize)]
struct InvokeReply {
    #[serde(default)]
    success: bool,
    payload: Option<InvokePayload>,
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct InvokePayload {
    status: u16,
    #[serde(default)]
    headers: serde_json::Map<String, Value>,
    #[serde(default)]
    body: Value,
}

/// Reads the reply to an `invoke` (as JSON text) into the remote's HTTP answer. Header values
/// come as lists and are joined with `,`, as @forge/bridge does; the host hands a JSON body
/// over parsed, so anything but a string is written back as JSON text (the server answers JSON
/// objects and arrays only). A failed invocation (`success: false`) is no answer.
pub fn read_invoke_reply(text: &str) -> Result<HttpResponse, HttpError> {
    let reply: InvokeReply = serde_json::from_str(text)
        .map_err(|e| HttpError::Network(format!("unreadable answer from Jira's page: {e}")))?;
    let payload = match (reply.success, reply.payload) {
        (true, Some(p)) => p,
        _ => {
            let message = reply
                .error
                .as_ref()
                .and_then(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| "the invocation failed".into());
            return Err(HttpError::Network(message));
        }
    };
    let header = |name: &str| {
        payload
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| match v {
                Value::Array(list) => list
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    let body = match &payload.body {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(HttpResponse {
        status: payload.status,
        retry_after: header("retry-after"),
        etag: header("etag"),
        body: Body::from(body),
    })
}

/// What `getContext` tells the page (the parts Dwell shows). Read leniently: the host adds
/// fields over time.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgeContext {
    #[serde(default)]
    pub site_url: String,
    pub account_id: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub module_key: Option<String>,
    #[serde(default)]
    pub extension: Extension,
}

/// The module's extension: which page, and the project of a project page.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Extension {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub project: Option<ExtensionProject>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExtensionProject {
    pub key: String,
}

impl ForgeContext {
    /// Reads `getContext`'s answer (as JSON text).
    pub fn parse(text: &str) -> Result<ForgeContext, String> {
        let context: ForgeContext =
            serde_json::from_str(text).map_err(|e| format!("unreadable Forge context: {e}"))?;
        if context.site_url.is_empty() {
            return Err("the Forge context names no site".into());
        }
        Ok(context)
    }

    /// The site's address without a trailing slash.
    pub fn site(&self) -> String {
        self.site_url.trim_end_matches('/').to_string()
    }
}

/// The invocation budget: at most `calls` invocations in any `window_ms`, which also keeps
/// @forge/bridge's fixed-window limiter (and the platform's) from refusing one.
#[derive(Debug, Clone)]
pub struct Budget {
    calls: usize,
    window_ms: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            calls: BUDGET_CALLS,
            window_ms: BUDGET_WINDOW_MS,
        }
    }
}

impl Budget {
    pub fn new(calls: usize, window_ms: f64) -> Self {
        Budget {
            calls: calls.max(1),
            window_ms,
        }
    }

    /// Spends one invocation at `now` if the window allows it (`None`, and `spent` records
    /// it), else says how long to wait before asking again. `spent` holds the instants of
    /// earlier invocations, oldest first; those out of the window are forgotten.
    pub fn reserve(&self, spent: &mut Vec<f64>, now: f64) -> Option<f64> {
        let fresh = spent
            .iter()
            .position(|t| now - t < self.window_ms)
            .unwrap_or(spent.len());
        spent.drain(..fresh);
        if spent.len() < self.calls {
            spent.push(now);
            return None;
        }
        let oldest = spent.first().copied().unwrap_or(now);
        Some((oldest + self.window_ms - now).max(1.0))
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{ForgeAuth, ForgeRemote, ForgeTransport, bridge_available, context};

#[cfg(target_arch = "wasm32")]
mod browser {
    use futures::future::{Either, select};
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::*;
    use crate::api::ClientError;
    use crate::api::http::{Http, HttpRequest};
    use crate::api::jira::Transport;
    use crate::api::server::Authenticator;
    use crate::cancel::Cancel;

    /// Where the page's modules (the page and its editor module) share the invocation record.
    const SPENT: &str = "__dwellForgeInvocations";

    fn bridge() -> Option<(JsValue, Function)> {
        let bridge = Reflect::get(&js_sys::global(), &JsValue::from_str("__bridge")).ok()?;
        let call = Reflect::get(&bridge, &JsValue::from_str("callBridge")).ok()?;
        Some((bridge, call.dyn_into().ok()?))
    }

    /// Whether Forge's `global-bridge.js` has defined `__bridge.callBridge` in this page.
    pub fn bridge_available() -> bool {
        bridge().is_some()
    }

    fn message(e: &JsValue) -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "the Forge bridge failed".into())
    }

    /// `callBridge(command, payload)`, started now; its promise.
    fn call(command: &str, payload: Option<&Value>) -> Result<Promise, String> {
        let (bridge, call) =
            bridge().ok_or("Forge's bridge is not loaded: open Dwell from Jira")?;
        let payload = match payload {
            Some(p) => js_sys::JSON::parse(&p.to_string()).map_err(|e| message(&e))?,
            None => JsValue::UNDEFINED,
        };
        let returned = call
            .call2(&bridge, &JsValue::from_str(command), &payload)
            .map_err(|e| message(&e))?;
        Ok(returned
            .dyn_into::<Promise>()
            .unwrap_or_else(|v| Promise::resolve(&v)))
    }

    /// Awaits a bridge call unless `cancel` fires first; then its answer is dropped.
    async fn settle(promise: Promise, cancel: &Cancel) -> Result<JsValue, HttpError> {
        let answer = JsFuture::from(promise);
        match select(Box::pin(answer), Box::pin(cancel.cancelled())).await {
            Either::Left((Ok(v), _)) => Ok(v),
            Either::Left((Err(e), _)) => Err(HttpError::Network(message(&e))),
            Either::Right(_) => Err(HttpError::Cancelled),
        }
    }

    fn json_text(v: &JsValue) -> String {
        js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    /// The page's `getContext`.
    pub async fn context() -> Result<ForgeContext, String> {
        let promise = call("getContext", None)?;
        let value = JsFuture::from(promise).await.map_err(|e| message(&e))?;
        ForgeContext::parse(&json_text(&value))
    }

    /// Jira Cloud through `requestJira`.
    #[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
    pub struct ForgeTransport;

    impl Transport for ForgeTransport {
        async fn send(
            &self,
            request: JiraRequest,
            cancel: &Cancel,
        ) -> Result<JiraResponse, TransportError> {
            if cancel.is_cancelled() {
                return Err(TransportError::Cancelled);
            }
            let promise = call("fetchProduct", Some(&fetch_product_payload(&request)))
                .map_err(TransportError::Unavailable)?;
            let reply = match settle(promise, cancel).await {
                Ok(v) => v,
                Err(HttpError::Cancelled) => return Err(TransportError::Cancelled),
                Err(HttpError::Network(e)) => return Err(TransportError::Network(e)),
            };
            // Read field by field: the body (a page of issues) is not parsed again here.
            let get = |k: &str| Reflect::get(&reply, &JsValue::from_str(k)).ok();
            let mut headers = Vec::new();
            if let Some(h) = get("headers").filter(JsValue::is_object) {
                for key in js_sys::Object::keys(h.unchecked_ref::<js_sys::Object>()).iter() {
                    if let (Some(k), Some(v)) = (
                        key.as_string(),
                        Reflect::get(&h, &key).ok().and_then(|v| v.as_string()),
                    ) {
                        headers.push((k, v));
                    }
                }
            }
            ProductReply {
                status: get("status").and_then(|s| s.as_f64()).unwrap_or(0.0) as u16,
                headers,
                // The string itself goes on to the worker (see `Body`).
                body: get("body")
                    .and_then(|b| b.dyn_into::<js_sys::JsString>().ok())
                    .map(Body::from_js_string),
            }
            .into_response()
        }
    }

    /// Spends one invocation of the page's budget, waiting for a free slot when 500 were
    /// spent in the last 25 s.
    async fn spend(cancel: &Cancel) -> Result<(), HttpError> {
        let budget = Budget::default();
        loop {
            if cancel.is_cancelled() {
                return Err(HttpError::Cancelled);
            }
            let global = js_sys::global();
            let key = JsValue::from_str(SPENT);
            let record = Reflect::get(&global, &key)
                .ok()
                .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
                .unwrap_or_else(|| {
                    let fresh = js_sys::Array::new();
                    let _ = Reflect::set(&global, &key, &fresh);
                    fresh
                });
            let mut spent: Vec<f64> = record.iter().filter_map(|v| v.as_f64()).collect();
            let wait = budget.reserve(&mut spent, crate::platform::now_ms());
            record.set_length(0);
            for t in &spent {
                record.push(&JsValue::from_f64(*t));
            }
            match wait {
                None => return Ok(()),
                Some(ms) => crate::platform::sleep(ms).await,
            }
        }
    }

    /// Dwell's server through `invokeRemote`: a request's URL is its path on the remote.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct ForgeRemote;

    impl Http for ForgeRemote {
        async fn fetch(
            &self,
            request: HttpRequest,
            cancel: &Cancel,
        ) -> Result<HttpResponse, HttpError> {
            spend(cancel).await?;
            let payload = invoke_remote_payload(
                request.method,
                &request.url,
                &request.headers,
                request.body.as_deref(),
            );
            let promise = call("invoke", Some(&payload)).map_err(HttpError::Network)?;
            let reply = settle(promise, cancel).await?;
            read_invoke_reply(&json_text(&reply))
        }
    }

    /// The server's credentials on Forge: none in the page; the platform adds the FIT.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct ForgeAuth;

    impl Authenticator for ForgeAuth {
        async fn authorization(&self) -> Result<Option<String>, ClientError> {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_requests_become_fetch_product_calls() {
        let get = fetch_product_payload(&JiraRequest::get("/rest/api/3/status"));
        assert_eq!(get["restPath"], "/rest/api/3/status");
        assert_eq!(get["fetchRequestInit"]["method"], "GET");
        assert_eq!(get["fetchRequestInit"]["body"], Value::Null);
        let post = fetch_product_payload(&JiraRequest::post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = DW"}),
        ));
        assert_eq!(
            post["fetchRequestInit"]["body"],
            r#"{"jql":"project = DW"}"#
        );
        assert_eq!(
            post["fetchRequestInit"]["headers"][1],
            json!(["content-type", "application/json"])
        );
    }

    #[test]
    fn product_replies_keep_status_retry_after_and_body() {
        let reply = ProductReply {
            status: 429,
            headers: vec![("Retry-After".into(), "3".into())],
            body: None,
        };
        assert_eq!(
            reply.into_response(),
            Ok(JiraResponse {
                status: 429,
                retry_after: Some("3".into()),
                body: Body::default()
            })
        );
        assert!(ProductReply::default().into_response().is_err());
    }

    #[test]
    fn invoke_replies_join_headers_and_write_json_bodies_back() {
        let r = read_invoke_reply(
            r#"{"success":true,"payload":{"status":200,"headers":{"ETag":["\"3\""],"x":["a","b"]},"body":{"id":"rep_1"}}}"#,
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.etag.as_deref(), Some("\"3\""));
        assert_eq!(r.body, Body::from(r#"{"id":"rep_1"}"#));
        let text = read_invoke_reply(
            r#"{"success":true,"payload":{"status":401,"headers":{},"body":"no"}}"#,
        )
        .unwrap();
        assert_eq!((text.status, text.body.as_bytes()), (401, &b"no"[..]));
        assert_eq!(
            read_invoke_reply(r#"{"success":false,"error":{"message":"rate limited"}}"#),
            Err(HttpError::Network("rate limited".into()))
        );
        assert!(read_invoke_reply("not json").is_err());
    }

    #[test]
    fn contexts_need_a_site() {
        let c = ForgeContext::parse(
            r#"{"siteUrl":"https://acme.atlassian.net/","accountId":"5b10","locale":"en-US",
                "timezone":"Europe/Berlin","extension":{"type":"jira:projectPage",
                "project":{"id":"1","key":"DW","type":"software"}},"other":1}"#,
        )
        .unwrap();
        assert_eq!(c.site(), "https://acme.atlassian.net");
        assert_eq!(c.extension.project.map(|p| p.key).as_deref(), Some("DW"));
        assert!(ForgeContext::parse(r#"{"accountId":"x"}"#).is_err());
    }

    #[test]
    fn the_budget_waits_for_the_oldest_call_to_leave_the_window() {
        let budget = Budget::new(3, 1000.0);
        let mut spent = Vec::new();
        for t in [0.0, 10.0, 20.0] {
            assert_eq!(budget.reserve(&mut spent, t), None);
        }
        assert_eq!(budget.reserve(&mut spent, 500.0), Some(500.0));
        assert_eq!(spent.len(), 3, "a refused call spends nothing");
        assert_eq!(budget.reserve(&mut spent, 1000.0), None);
        assert_eq!(spent, vec![10.0, 20.0, 1000.0]);
        assert_eq!(budget.reserve(&mut spent, 1005.0), Some(5.0));
    }
}
