//! Opaque page tokens (`nextPageToken`): the offset into a result, bound to the request that
//! produced it, so a token replayed with another query is refused instead of silently paging
//! something else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::http::error::JiraError;

/// A fingerprint of what a token pages over.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..6])
}

pub fn encode(offset: usize, fingerprint: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("sim1:{offset}:{fingerprint}"))
}

/// The offset a token stands for, if it belongs to `fingerprint`.
pub fn decode(token: Option<&str>, fingerprint: &str) -> Result<usize, JiraError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let invalid = || JiraError::bad_request("The provided next page token is invalid or expired.");
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let raw = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = raw.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("sim1"), Some(offset), Some(fp), None) if fp == fingerprint => {
            offset.parse().map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}
