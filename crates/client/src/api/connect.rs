//! The Connect transport: inside Jira Cloud's iframe, requests go through `AP.request` from
//! Atlassian's all.js, which performs them in the Jira page as the signed-in user (no CORS, no
//! token in this page). The metadata server is reached with `AP.context.getToken()`.
//!
//! Both calling conventions of all.js are supported: the callback form (`success`/`error`),
//! and the promise form (`{body, xhr}` / `{err, xhr}`) of newer versions; whichever answers
//! first wins.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{Either, select};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::ClientError;
use super::body::Body;
use super::jira::{JiraRequest, JiraResponse, Transport, TransportError};
use super::server::Authenticator;
use crate::cancel::Cancel;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AP, js_name = request, catch)]
    fn ap_request(options: &Object) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["AP", "context"], js_name = getToken, catch)]
    fn ap_get_token(callback: &JsValue) -> Result<JsValue, JsValue>;
}

/// Whether all.js has defined `AP` in this page.
pub fn ap_available() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("AP"))
        .map(|ap| ap.is_object())
        .unwrap_or(false)
}

/// Jira Cloud through `AP.request`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct ConnectTransport;

type Answer = Result<JiraResponse, TransportError>;

/// Delivers the first answer; later ones (the other convention) are ignored.
#[derive(Clone)]
struct Once(Rc<RefCell<Option<oneshot::Sender<Answer>>>>);

impl Once {
    fn send(&self, answer: Answer) {
        if let Some(tx) = self.0.borrow_mut().take() {
            let _ = tx.send(answer);
        }
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Reads status, `Retry-After` and body from all.js's xhr-like object.
fn from_xhr(xhr: &JsValue, fallback_body: &JsValue, fallback_status: u16) -> JiraResponse {
    let status = get(xhr, "status")
        .as_f64()
        .map(|s| s as u16)
        .filter(|s| *s > 0)
        .unwrap_or(fallback_status);
    let retry_after = get(xhr, "getResponseHeader")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call1(xhr, &JsValue::from_str("Retry-After")).ok())
        .and_then(|v| v.as_string());
    // The string itself goes on to the worker (see `Body`).
    let text = |v: JsValue| v.dyn_into::<js_sys::JsString>().ok();
    let body = text(get(xhr, "responseText"))
        .or_else(|| text(fallback_body.clone()))
        .map(Body::from_js_string)
        .unwrap_or_default();
    JiraResponse {
        status,
        retry_after,
        body,
    }
}

fn error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "AP.request failed".to_string())
}

impl Transport for ConnectTransport {
    async fn send(&self, request: JiraRequest, cancel: &Cancel) -> Answer {
        if cancel.is_cancelled() {
            return Err(TransportError::Cancelled);
        }
        if !ap_available() {
            return Err(TransportError::Unavailable(
                "Atlassian's all.js is not loaded: open Dwell from Jira".into(),
            ));
        }
        let (tx, rx) = oneshot::channel();
        let once = Once(Rc::new(RefCell::new(Some(tx))));

        let options = Object::new();
        set(&options, "url", &JsValue::from_str(&request.path));
        set(
            &options,
            "type",
            &JsValue::from_str(request.method.as_str()),
        );
        let headers = Object::new();
        set(&headers, "Accept", &JsValue::from_str("application/json"));
        set(&options, "headers", &headers);
        if let Some(body) = &request.body {
            set(
                &options,
                "contentType",
                &JsValue::from_str("application/json"),
            );
            set(&options, "data", &JsValue::from_str(body));
        }
        let ok = once.clone();
        let success =
            Closure::once_into_js(move |text: JsValue, _status: JsValue, xhr: JsValue| {
                ok.send(Ok(from_xhr(&xhr, &text, 200)));
            });
        let failed = once.clone();
        let error = Closure::once_into_js(move |xhr: JsValue, status: JsValue, thrown: JsValue| {
            let response = from_xhr(&xhr, &JsValue::UNDEFINED, 0);
            if response.status == 0 {
                let why = status.as_string().or_else(|| thrown.as_string());
                failed.send(Err(TransportError::Network(
                    why.unwrap_or_else(|| "Jira did not answer".into()),
                )));
            } else {
                failed.send(Ok(response));
            }
        });
        set(&options, "success", &success);
        set(&options, "error", &error);

        match ap_request(&options) {
            Err(e) => return Err(TransportError::Unavailable(error_text(&e))),
            Ok(returned) => {
                if let Ok(promise) = returned.dyn_into::<js_sys::Promise>() {
                    let settled = once.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = match JsFuture::from(promise).await {
                            Ok(v) => Ok(from_xhr(&get(&v, "xhr"), &get(&v, "body"), 200)),
                            Err(v) => {
                                let response = from_xhr(&get(&v, "xhr"), &JsValue::UNDEFINED, 0);
                                if response.status == 0 {
                                    Err(TransportError::Network(error_text(&get(&v, "err"))))
                                } else {
                                    Ok(response)
                                }
                            }
                        };
                        settled.send(answer);
                    });
                }
            }
        }
        // AP.request cannot be aborted: on cancel its answer is simply dropped.
        match select(rx, Box::pin(cancel.cancelled())).await {
            Either::Left((Ok(answer), _)) => answer,
            Either::Left((Err(_), _)) => {
                Err(TransportError::Network("AP.request gave no answer".into()))
            }
            Either::Right(_) => Err(TransportError::Cancelled),
        }
    }
}

/// The metadata server's credentials in Connect: a fresh `AP.context.getToken()` JWT per call.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectAuth;

impl Authenticator for ConnectAuth {
    async fn authorization(&self) -> Result<Option<String>, ClientError> {
        if !ap_available() {
            return Err(ClientError::NoServer);
        }
        let (tx, rx) = oneshot::channel::<Option<String>>();
        let once = Rc::new(RefCell::new(Some(tx)));
        let deliver = move |token: Option<String>| {
            if let Some(tx) = once.borrow_mut().take() {
                let _ = tx.send(token);
            }
        };
        let by_callback = deliver.clone();
        let callback = Closure::once_into_js(move |token: JsValue| by_callback(token.as_string()));
        match ap_get_token(&callback) {
            Err(_) => return Err(ClientError::SessionExpired),
            Ok(returned) => {
                if let Ok(promise) = returned.dyn_into::<js_sys::Promise>() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let token = JsFuture::from(promise)
                            .await
                            .ok()
                            .and_then(|t| t.as_string());
                        deliver(token);
                    });
                }
            }
        }
        match rx.await {
            Ok(Some(token)) if !token.is_empty() => Ok(Some(format!("JWT {token}"))),
            _ => Err(ClientError::SessionExpired),
        }
    }
}
