//! Plain HTTP, as the Direct transport and the metadata-server client need it: a request in,
//! status, `Retry-After` and body out. The browser implementation is `fetch` with an
//! `AbortController`; tests plug in a native client and run the same transport code against
//! real servers on loopback.

use std::future::Future;

use crate::cancel::Cancel;

/// One HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

/// One HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    /// The `ETag` header: the metadata server's record version.
    pub etag: Option<String>,
    pub body: String,
}

/// Why no answer arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    Network(String),
    Cancelled,
}

/// Something that performs HTTP requests.
pub trait Http {
    fn fetch(
        &self,
        request: HttpRequest,
        cancel: &Cancel,
    ) -> impl Future<Output = Result<HttpResponse, HttpError>>;
}

#[cfg(target_arch = "wasm32")]
pub use browser::BrowserHttp;

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortController, Headers, RequestInit, RequestMode, Response};

    use super::*;

    /// `fetch`, in a page or a worker, with `credentials: "omit"`: the browser adds no
    /// credentials of its own; Jira and the metadata server are reached with explicit tokens.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct BrowserHttp;

    fn js_error(e: JsValue) -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "the request failed".to_string())
    }

    impl Http for BrowserHttp {
        async fn fetch(
            &self,
            request: HttpRequest,
            cancel: &Cancel,
        ) -> Result<HttpResponse, HttpError> {
            if cancel.is_cancelled() {
                return Err(HttpError::Cancelled);
            }
            let network = |e: JsValue| HttpError::Network(js_error(e));
            let headers = Headers::new().map_err(network)?;
            for (name, value) in &request.headers {
                headers.set(name, value).map_err(network)?;
            }
            let init = RequestInit::new();
            init.set_method(request.method);
            init.set_headers(&headers);
            init.set_mode(RequestMode::Cors);
            init.set_credentials(web_sys::RequestCredentials::Omit);
            if let Some(body) = &request.body {
                init.set_body(&JsValue::from_str(body));
            }
            let controller = AbortController::new().map_err(network)?;
            init.set_signal(Some(&controller.signal()));
            let _abort_on_cancel = {
                let controller = controller.clone();
                cancel.on_cancel(move || controller.abort())
            };
            let promise = crate::platform::fetch_with_init(&request.url, &init)
                .map_err(|e| HttpError::Network(js_error(e)))?;
            let outcome = async {
                let response: Response = JsFuture::from(promise).await?.dyn_into()?;
                let status = response.status();
                let retry_after = response.headers().get("Retry-After").ok().flatten();
                let etag = response.headers().get("ETag").ok().flatten();
                let text = JsFuture::from(response.text()?).await?;
                Ok::<_, JsValue>(HttpResponse {
                    status,
                    retry_after,
                    etag,
                    body: text.as_string().unwrap_or_default(),
                })
            }
            .await;
            match outcome {
                Ok(r) => Ok(r),
                Err(_) if cancel.is_cancelled() => Err(HttpError::Cancelled),
                Err(e) => Err(HttpError::Network(js_error(e))),
            }
        }
    }
}
