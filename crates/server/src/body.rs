//! Request bodies: JSON only, capped in size, parsed strictly with crates/config's types.
//!
//! Errors are precise: 415 when the body is not declared JSON, 413 past the cap, 400 when it is
//! not JSON at all, 422 when it is JSON of the wrong shape or breaks a rule (with every
//! offending path), 408 when the body does not arrive within the [`BodyTimeout`]. Nothing that
//! the types do not describe can get through, which is what makes issue data unstorable.

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use config::{ParseError, Validate};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::settings::BODY_LIMIT;

/// How long a request body may take to arrive, registered as app data (30 seconds without it).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// A body parsed with [`config::parse_strict`], at most [`BODY_LIMIT`] bytes.
#[derive(Debug)]
pub struct StrictJson<T>(pub T);

impl<T> FromRequest for StrictJson<T>
where
    T: DeserializeOwned + Serialize + Validate + 'static,
{
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = read_limited(&req, &mut payload, BODY_LIMIT).await?;
            Ok(StrictJson(parse_body(&bytes)?))
        })
    }
}

/// Reads a JSON body of at most `limit` bytes, within the app's [`BodyTimeout`].
pub async fn read_limited<S>(
    req: &HttpRequest,
    payload: &mut S,
    limit: usize,
) -> Result<Bytes, ApiError>
where
    S: futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    let timeout = req
        .app_data::<BodyTimeout>()
        .map_or(Duration::from_secs(30), |t| t.0);
    let read = async {
        let mut body = BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::BadRequest("the request body broke off".into()))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::BodyTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    actix_web::rt::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::BodyTimeout)?
}

/// Parses a body strictly: 400 for what is not JSON, 422 for JSON that the type refuses.
pub fn parse_body<T>(bytes: &[u8]) -> Result<T, ApiError>
where
    T: DeserializeOwned + Serialize + Validate,
{
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::MalformedJson("the body is not UTF-8".into()))?;
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(ApiError::MalformedJson(format!(
            "line {}, column {}: {}",
            e.line(),
            e.column(),
            syntax_message(&e)
        )));
    }
    config::parse_strict::<T>(text).map_err(|e| match e {
        ParseError::Json { message, .. } => ApiError::invalid(message, Vec::new()),
        ParseError::Invalid(errors) => {
            let n = errors.0.len();
            let message = if n == 1 {
                "the body breaks a validation rule".to_string()
            } else {
                format!("the body breaks {n} validation rules")
            };
            ApiError::invalid(message, errors.0)
        }
    })
}

/// serde's syntax messages name the problem and its position, never the body's content.
fn syntax_message(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "unexpected end of input",
        Category::Syntax => "invalid json syntax",
        Category::Io | Category::Data => "invalid json",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::api::Permissions;

    #[test]
    fn syntax_errors_are_400_and_shape_errors_are_422() {
        let e = parse_body::<Permissions>(b"{\"editReports\": [").unwrap_err();
        assert_eq!(e.code(), "malformed_json");
        let e = parse_body::<Permissions>(b"{\"editReports\": 3}").unwrap_err();
        assert_eq!(e.code(), "invalid_body");
        let e = parse_body::<Permissions>(b"{\"issues\": []}").unwrap_err();
        assert_eq!(e.code(), "invalid_body");
        assert!(e.to_string().contains("issues"), "{e}");
        assert!(parse_body::<Permissions>(b"{}").is_ok());
    }
}
