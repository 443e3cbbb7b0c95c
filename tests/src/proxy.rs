//! The recording proxy: a reverse proxy on a loopback port that forwards every request to
//! dwell-server unchanged and keeps a copy of both directions, for the privacy proof.
//!
//! It is the server's public address (`--base-url`), so nothing can reach the server around
//! it in the tests: the browser, the app's iframe and jira-sim's lifecycle calls all use it.
//! Bodies are buffered whole (the server caps them, and tests send small ones); hop-by-hop
//! headers are dropped as HTTP requires, everything else passes byte for byte, including the
//! path and query the JWT's `qsh` covers. A request is recorded before it is forwarded, so
//! one that kills or resets the server is still searched (its status stays 0).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use crate::Result;

/// One request the server received and its answer, as they crossed the proxy.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// Path and query string, as sent.
    pub target: String,
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub request_body: Bytes,
    /// The answer's status; 0 when none came (the server failed or is still answering).
    pub status: u16,
    pub response_headers: Vec<(String, Vec<u8>)>,
    pub response_body: Bytes,
}

impl Exchange {
    /// Every byte of the request the server received: request line, headers and body.
    pub fn request_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {}\n", self.method, self.target).into_bytes();
        for (k, v) in &self.request_headers {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.request_body);
        out.push(b'\n');
        out.extend_from_slice(&self.decoded_request_body());
        out
    }

    /// The request body with its `Content-Encoding` (gzip, deflate, br, zstd, in the order
    /// applied) undone; the raw body when there is none or it does not decode.
    pub fn decoded_request_body(&self) -> Vec<u8> {
        let mut body = self.request_body.to_vec();
        let Some(encodings) = self.request_header("content-encoding") else {
            return body;
        };
        for coding in encodings.rsplit(',').map(str::trim) {
            match decode(coding, &body) {
                Some(plain) => body = plain,
                None => return self.request_body.to_vec(),
            }
        }
        body
    }

    pub fn request_header(&self, name: &str) -> Option<String> {
        self.request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// A running proxy.
#[derive(Debug, Clone)]
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    upstream: Arc<OnceLock<SocketAddr>>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Proxy {
    /// Listens on a free loopback port. Requests wait for [`Proxy::set_upstream`]: the
    /// server's address is known only after it started with this proxy as its base URL.
    pub async fn start() -> Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let proxy = Proxy {
            url: format!("http://{addr}"),
            upstream: Arc::new(OnceLock::new()),
            log: Arc::new(Mutex::new(Vec::new())),
        };
        // A new upstream connection per request: a pooled one may be closed by dwell-server's
        // keep-alive timer just as a request is written on it, and that request would fail
        // with nothing to retry it (a browser retries such a request; this proxy must not
        // guess which requests may be repeated). The proxy is loopback-only, so a connection
        // per request costs nothing that matters.
        let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http();
        let shared = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let p = shared.clone();
                let client = client.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let p = p.clone();
                        let client = client.clone();
                        async move { Ok::<_, Infallible>(p.forward(&client, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(proxy)
    }

    pub fn set_upstream(&self, addr: SocketAddr) {
        let _ = self.upstream.set(addr);
    }

    /// Everything recorded so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many exchanges are recorded: a mark to look only at later ones.
    pub fn mark(&self) -> usize {
        self.log.lock().map(|l| l.len()).unwrap_or(0)
    }

    /// The exchanges recorded after `mark`.
    pub fn since(&self, mark: usize) -> Vec<Exchange> {
        self.log
            .lock()
            .map(|l| l.get(mark..).map(<[Exchange]>::to_vec).unwrap_or_default())
            .unwrap_or_default()
    }

    async fn forward(
        &self,
        client: &Client<HttpConnector, Full<Bytes>>,
        req: Request<Incoming>,
    ) -> Response<Full<Bytes>> {
        match self.try_forward(client, req).await {
            Ok(r) => r,
            Err(e) => {
                let mut r = Response::new(Full::new(Bytes::from(format!("proxy: {e:#}\n"))));
                *r.status_mut() = StatusCode::BAD_GATEWAY;
                r
            }
        }
    }

    async fn try_forward(
        &self,
        client: &Client<HttpConnector, Full<Bytes>>,
        req: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>> {
        let upstream = loop {
            if let Some(a) = self.upstream.get() {
                break *a;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .context("reading the request")?
            .to_bytes();
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
        let slot = self.record(Exchange {
            method: parts.method.to_string(),
            target: target.clone(),
            request_headers: pairs(&parts.headers),
            request_body: body.clone(),
            status: 0,
            response_headers: Vec::new(),
            response_body: Bytes::new(),
        });
        let mut out = Request::builder()
            .method(parts.method.clone())
            .uri(format!("http://{upstream}{target}"))
            .body(Full::new(body.clone()))?;
        copy_headers(&parts.headers, out.headers_mut());
        let answer = client
            .request(out)
            .await
            .context("forwarding to dwell-server")?;
        let (rparts, rbody) = answer.into_parts();
        let rbody = rbody
            .collect()
            .await
            .context("reading the answer")?
            .to_bytes();
        let mut back = Response::new(Full::new(rbody.clone()));
        *back.status_mut() = rparts.status;
        copy_headers(&rparts.headers, back.headers_mut());
        if let Ok(mut log) = self.log.lock()
            && let Some(e) = log.get_mut(slot)
        {
            e.status = rparts.status.as_u16();
            e.response_headers = pairs(&rparts.headers);
            e.response_body = rbody;
        }
        Ok(back)
    }

    /// Keeps `exchange` in the log; its index there.
    fn record(&self, exchange: Exchange) -> usize {
        match self.log.lock() {
            Ok(mut log) => {
                log.push(exchange);
                log.len() - 1
            }
            Err(_) => usize::MAX,
        }
    }
}

/// One content coding undone; `None` for an unknown coding or a body that does not decode.
fn decode(coding: &str, body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    let read = match coding.to_ascii_lowercase().as_str() {
        "identity" | "" => return Some(body.to_vec()),
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(body).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(body).read_to_end(&mut out),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out),
        "zstd" => return zstd::decode_all(body).ok(),
        _ => return None,
    };
    read.ok().map(|_| out)
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) and the framing the proxy redoes.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "content-length"
    )
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (k, v) in from {
        if !hop_by_hop(k) {
            to.append(k.clone(), v.clone());
        }
    }
}

fn pairs(h: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    h.iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use tokio::io::AsyncWriteExt;

    use super::*;

    /// An upstream that reads the request and resets the connection: the request must still
    /// be in the log, body decoded, for the privacy proof to search it.
    #[tokio::test]
    async fn a_request_that_kills_the_server_is_recorded_with_its_body_decoded() -> Result<()> {
        let upstream = TcpListener::bind("127.0.0.1:0").await?;
        let addr = upstream.local_addr()?;
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = upstream.accept().await {
                let mut buf = [0u8; 1024];
                let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
                let _ = stream.shutdown().await;
            }
        });
        let proxy = Proxy::start().await?;
        proxy.set_upstream(addr);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"summary\":\"CANARY-proxy-7\"}")?;
        let gzipped = gz.finish()?;
        let url = format!("{}/api/reports", proxy.url);
        let status = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            agent
                .post(&url)
                .header("Content-Encoding", "gzip")
                .send(&gzipped[..])
                .map(|r| r.status().as_u16())
        })
        .await??;
        assert_eq!(status, 502, "the proxy says the server failed");
        let log = proxy.exchanges();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, 0, "no answer came");
        let seen = String::from_utf8_lossy(&log[0].request_bytes()).into_owned();
        assert!(seen.contains("CANARY-proxy-7"), "{seen}");
        assert!(
            !String::from_utf8_lossy(&log[0].request_body).contains("CANARY"),
            "the raw body is compressed: only decoding finds the canary"
        );
        Ok(())
    }

    /// An upstream that answers the first request of a connection and closes the connection
    /// when a second one arrives on it, as a server whose keep-alive timer fires just as a
    /// reused connection is written to: every request through the proxy is still answered.
    #[tokio::test]
    async fn a_keep_alive_closed_by_the_server_fails_no_request() -> Result<()> {
        let upstream = TcpListener::bind("127.0.0.1:0").await?;
        let addr = upstream.local_addr()?;
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = upstream.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                    let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        let proxy = Proxy::start().await?;
        proxy.set_upstream(addr);
        let url = format!("{}/client.wasm", proxy.url);
        let statuses = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            (0..3)
                .map(|_| agent.get(&url).call().map(|r| r.status().as_u16()))
                .collect::<std::result::Result<Vec<_>, _>>()
        })
        .await??;
        assert_eq!(
            statuses,
            [200, 200, 200],
            "no request fails on a closed connection"
        );
        Ok(())
    }

    #[test]
    fn every_content_coding_a_client_may_send_is_undone() -> Result<()> {
        let plain = b"CANARY-coding".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain)?;
        let gzip = gz.finish()?;
        let mut zl = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        zl.write_all(&plain)?;
        let deflate = zl.finish()?;
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 5, 22).write_all(&plain)?;
        let zstd = zstd::encode_all(&plain[..], 3)?;
        let mut gzip_then_br = Vec::new();
        brotli::CompressorWriter::new(&mut gzip_then_br, 4096, 5, 22).write_all(&gzip)?;
        for (coding, body) in [
            ("gzip", gzip.clone()),
            ("deflate", deflate),
            ("br", br),
            ("zstd", zstd),
            ("gzip, br", gzip_then_br),
        ] {
            let e = Exchange {
                method: "POST".into(),
                target: "/".into(),
                request_headers: vec![("content-encoding".into(), coding.as_bytes().to_vec())],
                request_body: Bytes::from(body),
                status: 200,
                response_headers: Vec::new(),
                response_body: Bytes::new(),
            };
            assert_eq!(e.decoded_request_body(), plain, "{coding}");
        }
        Ok(())
    }
}
