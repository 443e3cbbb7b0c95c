//! Plain HTTP, as the Direct transport and the metadata-server client need it: a request in,
//! status, `Retry-After` and body out. The browser implementation is gloo-net's `fetch` with
//! an `AbortController`, reading the body as an `ArrayBuffer` (a [`Body`] the page can hand
//! to its worker without a copy); tests plug in a native client and run the same transport
//! code against real servers on loopback.

use std::future::Future;

use super::body::Body;
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
    pub body: Body,
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
    use gloo_net::http::{Method, RequestBuilder};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortController, RequestCredentials, RequestMode};

    use super::*;

    /// `fetch` through gloo-net, in a page or a worker, with `credentials: "omit"`: the
    /// browser adds no credentials of its own; Jira and the metadata server are reached with
    /// explicit tokens. An `AbortController` tied to the run's [`Cancel`] aborts it.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct BrowserHttp;

    impl Http for BrowserHttp {
        async fn fetch(
            &self,
            request: HttpRequest,
            cancel: &Cancel,
        ) -> Result<HttpResponse, HttpError> {
            if cancel.is_cancelled() {
                return Err(HttpError::Cancelled);
            }
            let network = |e: gloo_net::Error| HttpError::Network(e.to_string());
            let method = Method::from_bytes(request.method.as_bytes())
                .map_err(|e| HttpError::Network(e.to_string()))?;
            let controller = AbortController::new()
                .map_err(|_| HttpError::Network("cannot create an AbortController".into()))?;
            let mut builder = RequestBuilder::new(&request.url)
                .method(method)
                .mode(RequestMode::Cors)
                .credentials(RequestCredentials::Omit)
                .abort_signal(Some(&controller.signal()));
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let built = match request.body {
                Some(body) => builder.body(body),
                None => builder.build(),
            }
            .map_err(network)?;
            let _abort_on_cancel = cancel.on_cancel(move || controller.abort());
            let outcome = async {
                let response = built.send().await.map_err(network)?;
                let headers = response.headers();
                let (status, retry_after, etag) = (
                    response.status(),
                    headers.get("Retry-After"),
                    headers.get("ETag"),
                );
                // The bytes as they came, not a string decoded from them (see `Body`).
                let raw = web_sys::Response::from(response);
                let reading = raw.array_buffer().map_err(|e| js_error(&e))?;
                let buffer = JsFuture::from(reading)
                    .await
                    .map_err(|e| js_error(&e))?
                    .dyn_into::<js_sys::ArrayBuffer>()
                    .map_err(|_| HttpError::Network("the answer's body is no buffer".into()))?;
                Ok(HttpResponse {
                    status,
                    retry_after,
                    etag,
                    body: Body::from_array_buffer(buffer),
                })
            }
            .await;
            match outcome {
                Ok(r) => Ok(r),
                Err(_) if cancel.is_cancelled() => Err(HttpError::Cancelled),
                Err(e) => Err(e),
            }
        }
    }

    fn js_error(e: &wasm_bindgen::JsValue) -> HttpError {
        HttpError::Network(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "the answer's body could not be read".into()),
        )
    }
}
