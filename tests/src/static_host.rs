//! A plain static file server on a loopback port: a directory served as any static host
//! would serve the client's build for Direct mode, with the right content types and no
//! security header of its own, so that only the page's own `<meta>` policy protects it.
//!
//! Files under the directory (no `..`); everything else is 404. It answers CORS preflights
//! for any origin and keeps every request it receives ([`StaticHost::requests`]), so that an
//! empty one stands for a Jira a page must not send a credential to.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Result;

/// A running static host.
#[derive(Debug)]
pub struct StaticHost {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

/// A request the host received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Its `Authorization` header, if any.
    pub authorization: Option<String>,
}

impl StaticHost {
    /// Serves `dir` until dropped.
    pub async fn start(dir: &Path) -> Result<StaticHost> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let dir = dir.to_path_buf();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let dir = dir.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let header = |name| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_string)
                        };
                        if let Ok(mut log) = log.lock() {
                            log.push(Seen {
                                method: req.method().to_string(),
                                path: req.uri().path().to_string(),
                                authorization: header(hyper::header::AUTHORIZATION),
                            });
                        }
                        let mut answer = if req.method() == hyper::Method::OPTIONS {
                            let mut res = Response::new(Full::new(Bytes::new()));
                            *res.status_mut() = StatusCode::NO_CONTENT;
                            res
                        } else {
                            serve(&dir, req.uri().path())
                        };
                        let cors = [
                            ("access-control-allow-origin", Some("*".to_string())),
                            (
                                "access-control-allow-methods",
                                Some("GET, POST".to_string()),
                            ),
                            (
                                "access-control-allow-headers",
                                header(hyper::header::ACCESS_CONTROL_REQUEST_HEADERS),
                            ),
                        ];
                        for (name, value) in cors {
                            if let Some(v) = value.and_then(|v| v.parse().ok()) {
                                answer.headers_mut().insert(name, v);
                            }
                        }
                        async move { Ok::<_, Infallible>(answer) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(StaticHost { url, seen, task })
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn serve(dir: &Path, path: &str) -> Response<Full<Bytes>> {
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        name => name,
    };
    let file: Option<PathBuf> = (!name.contains("..") && !name.contains('\\'))
        .then(|| dir.join(name))
        .filter(|p| p.is_file());
    let Some(bytes) = file.and_then(|p| std::fs::read(p).ok()) else {
        let mut res = Response::new(Full::new(Bytes::from_static(b"not found")));
        *res.status_mut() = StatusCode::NOT_FOUND;
        return res;
    };
    let kind = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    let mut res = Response::new(Full::new(Bytes::from(bytes)));
    if let Ok(v) = hyper::header::HeaderValue::from_str(kind) {
        res.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    res
}
