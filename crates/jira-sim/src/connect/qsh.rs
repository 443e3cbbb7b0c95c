//! The query string hash of Atlassian Connect JWTs, written from Atlassian's description
//! (independently of the server's copy, so the two check each other in the end-to-end tests).
//!
//! `qsh` = hex SHA-256 of `METHOD&path&query`: the method upper-cased; the path relative to the
//! base URL, `/` when empty, without a trailing `/`, with `&` written `%26`; the query without
//! `jwt`, parameters sorted by encoded name, a repeated name's values sorted and joined with
//! `,`, names and values percent-encoded per RFC 3986 (space as `%20`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The `qsh` of tokens from `AP.context.getToken()`.
pub const CONTEXT_QSH: &str = "context-qsh";

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

fn dec(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The canonical request string.
pub fn canonical(method: &str, path: &str, raw_query: &str) -> String {
    let path = path.trim_end_matches('/').replace('&', "%26");
    let path = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (enc(&dec(k)), enc(&dec(v)))
        })
        .filter(|(k, _)| k != "jwt")
        .collect();
    pairs.sort();
    let mut query: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let name = pairs[i].0.clone();
        let mut values = Vec::new();
        while i < pairs.len() && pairs[i].0 == name {
            values.push(pairs[i].1.clone());
            i += 1;
        }
        query.push(format!("{name}={}", values.join(",")));
    }
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        path,
        query.join("&")
    )
}

pub fn qsh(method: &str, path: &str, raw_query: &str) -> String {
    hex::encode(Sha256::digest(
        canonical(method, path, raw_query).as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_sorts_encodes_and_drops_jwt() {
        assert_eq!(
            canonical(
                "get",
                "/rest/api/3/user/groups/",
                "b=2&a=x%20y&a=1&jwt=abc&c=*"
            ),
            "GET&/rest/api/3/user/groups&a=1,x%20y&b=2&c=%2A"
        );
        assert_eq!(canonical("POST", "", ""), "POST&/&");
        assert_eq!(canonical("GET", "/a&b", "q=a+b"), "GET&/a%26b&q=a%20b");
    }

    #[test]
    fn hash_is_the_hex_sha256_of_the_canonical_form() {
        // sha256("GET&/&") computed independently
        assert_eq!(
            qsh("GET", "/", ""),
            "c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239"
        );
    }
}
