//! A blocking HTTP client for the demo's loopback calls (ureq, no TLS), with JSON in and out.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use crate::Result;

/// A blocking HTTP client over loopback.
pub(super) struct Http(ureq::Agent);

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) set_cookie: Option<String>,
    pub(super) body: String,
}

impl Http {
    pub(super) fn new() -> Http {
        Http(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
        )
    }

    pub(super) fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer> {
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let sent = match body {
            Some(body) => self.0.run(
                request
                    .header("Content-Type", "application/json")
                    .body(body.to_string())
                    .map_err(|e| format!("{method} {url}: {e}"))?,
            ),
            None => self.0.run(
                request
                    .body(())
                    .map_err(|e| format!("{method} {url}: {e}"))?,
            ),
        };
        let mut response = sent.map_err(|e| format!("{method} {url}: {e}"))?;
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        Ok(Answer {
            status: response.status().as_u16(),
            set_cookie,
            body: text,
        })
    }

    pub(super) fn status(&self, url: &str) -> Option<u16> {
        self.send("GET", url, &[], None).ok().map(|a| a.status)
    }

    /// Sends a request and reads a JSON answer, failing on any status but 200, 201 and 204.
    pub(super) fn json(
        &self,
        method: &str,
        url: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut headers = vec![("Accept", "application/json")];
        if let Some(a) = authorization {
            headers.push(("Authorization", a));
        }
        let answer = self.send(method, url, &headers, body)?;
        if !matches!(answer.status, 200 | 201 | 204) {
            return Err(format!(
                "{method} {url} answered {}: {}",
                answer.status, answer.body
            ));
        }
        if answer.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&answer.body)
            .map_err(|e| format!("{method} {url}: not JSON ({e}): {}", answer.body))
    }
}

pub(super) fn text(v: &Value, what: &str) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what} is missing"))
}
