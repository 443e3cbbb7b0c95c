//! The Content-Security-Policy `<meta>` of the built page, for static hosts that send no policy
//! of their own (the client opened directly, in Direct mode). Trunk writes the page's loader as
//! an inline module script whose text names the build's hashed file names, so the policy can
//! only be written after trunk: each build hashes its own inline scripts here.
//!
//! The policy allows scripts from the page's own origin and its inline scripts by hash, and
//! connections to the page's origin and to any https Jira (plain http only on loopback, as
//! `api::direct::normalize_base_url` allows). `frame-ancestors` cannot be set from a `<meta>`.
//! dwell-server takes this `<meta>` out and sends its own, narrower policy as a header
//! (`crates/server/src/page.rs`); on Forge's CDN it applies beside Forge's header, which
//! loads Forge's bridge before it (docs/SECURITY.md).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use config::page::inline_scripts;
use sha2::{Digest, Sha256};

use crate::Result;

/// The policy without its script hashes.
const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data:; \
    connect-src 'self' https: http://localhost:* http://127.0.0.1:*; base-uri 'none'; \
    form-action 'none'; object-src 'none'";

/// Adds the policy to `dist/index.html`, first in its `<head>`, so it governs every script.
pub fn add(dist: &Path) -> Result {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let html = with_meta(&html).ok_or_else(|| format!("{} has no <head>", index.display()))?;
    std::fs::write(&index, html).map_err(|e| format!("cannot write {}: {e}", index.display()))
}

/// `html` with the policy's `<meta>` just inside `<head>`; `None` without a `<head>`.
fn with_meta(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let head = lower.find("<head>")? + "<head>".len();
    let hashes: String = inline_scripts(html)
        .into_iter()
        .map(|s| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(s.as_bytes()))
            )
        })
        .collect();
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        POLICY.replace("{hashes}", &hashes)
    );
    Some(format!("{}{meta}{}", &html[..head], &html[head..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_goes_first_in_head_with_each_inline_scripts_hash() {
        let html = "<html><head><meta charset=\"utf-8\">\
                    <script type=\"module\">import init from './a.js';</script>\
                    <script src=\"./b.js\"></script></head><body></body></html>";
        let out = with_meta(html).unwrap();
        let hash = STANDARD.encode(Sha256::digest(b"import init from './a.js';"));
        assert!(
            out.starts_with(
                "<html><head>\n    <meta http-equiv=\"Content-Security-Policy\" \
                 content=\"default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"
            ),
            "{out}"
        );
        assert!(
            out.contains(&format!("'sha256-{hash}'; style-src")),
            "{out}"
        );
        assert_eq!(out.matches("'sha256-").count(), 1, "{out}");
        assert!(out.ends_with(&html["<html><head>".len()..]));
        assert_eq!(with_meta("<html><body></body></html>"), None);
    }
}
