//! The query string hash (`qsh`) of Atlassian Connect JWTs: SHA-256 of the canonical request
//! `METHOD&path&query`, binding a token to one method, path and query.
//!
//! Canonical path: the request path relative to the base URL, `/` when empty, no trailing `/`,
//! `&` written `%26`. Canonical query: every parameter but `jwt`, names and values
//! percent-encoded per RFC 3986 (space as `%20`, `*` as `%2A`, `~` kept), sorted by name, the
//! values of a repeated name sorted and joined with `,`, pairs joined with `&`.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The fixed `qsh` of tokens from `AP.context.getToken()`, not bound to a request.
pub const CONTEXT_QSH: &str = "context-qsh";

/// Everything but RFC 3986's unreserved characters is encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The canonical request string.
pub fn canonical_request(method: &str, path: &str, query: &str) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        canonical_path(path),
        canonical_query(query)
    )
}

/// The hex SHA-256 of the canonical request.
pub fn qsh(method: &str, path: &str, query: &str) -> String {
    hex::encode(Sha256::digest(
        canonical_request(method, path, query).as_bytes(),
    ))
}

fn canonical_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        let p = trimmed.replace('&', "%26");
        if p.starts_with('/') {
            p
        } else {
            format!("/{p}")
        }
    }
}

fn canonical_query(query: &str) -> String {
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name);
        if name == "jwt" {
            continue;
        }
        params
            .entry(encode(&name))
            .or_default()
            .push(encode(&decode(value)));
    }
    let mut out = String::new();
    for (name, mut values) in params {
        values.sort();
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&name);
        out.push('=');
        out.push_str(&values.join(","));
    }
    out
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-encodes a query component the way the canonical query writes it (RFC 3986), so that
/// a URL built with it is already canonical.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atlassian_documented_examples() {
        // From Atlassian's description of the canonical request.
        assert_eq!(
            canonical_request("get", "/", "param=foo"),
            "GET&/&param=foo"
        );
        assert_eq!(canonical_request("POST", "/user", ""), "POST&/user&");
        assert_eq!(
            canonical_request(
                "GET",
                "/path/to/service",
                "zee_last=param&repeated=parameter%201&first=param&repeated=parameter+2"
            ),
            "GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param"
        );
        // SHA-256 of "foo", the documented hashing example, through the same hex encoding.
        assert_eq!(
            hex::encode(Sha256::digest(b"foo")),
            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
        );
    }

    #[test]
    fn the_jwt_parameter_and_trailing_slashes_are_ignored() {
        assert_eq!(
            canonical_request("GET", "/reports/", "b=2&jwt=abc.def.ghi&a=1"),
            "GET&/reports&a=1&b=2"
        );
        assert_eq!(canonical_request("GET", "", ""), "GET&/&");
    }

    #[test]
    fn reserved_characters_are_encoded_rfc3986_style() {
        assert_eq!(
            canonical_request("GET", "/a&b", "q=a*b~c%2Cd&x=%E2%82%AC"),
            "GET&/a%26b&q=a%2Ab~c%2Cd&x=%E2%82%AC"
        );
    }
}
