//! The client page: serving the built client (trunk's `dist/`), the page with its
//! Content-Security-Policy, and the static files with their MIME types, ETags and gzip. (The
//! server's HTTP client for its outbound calls is [`crate::outbound`].)
//!
//! Inside Jira, the page is loaded with a signed `jwt` query parameter bound to the page URL,
//! read by `config::page`, the parser the client reads the same address with. When it
//! verifies, the page's CSP lets the tenant's Jira frame it and be fetched from, and the page
//! names the tenant's Jira in a `<meta name="dwell-connect-site">`: the client runs as a
//! Connect app only on such a page. Without a token the page may not be framed (unless the
//! settings say otherwise); a token that does not verify, or a parameter named twice, gets no
//! page. The build's own CSP `<meta>` (for hosts that send no policy) is taken out: the header
//! is this page's policy.

use std::path::{Path, PathBuf};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use config::page::{PageQuery, inline_scripts};
use sha2::{Digest, Sha256};

use crate::auth::connect_jwt::SCHEME;
use crate::auth::{Authenticators, Caller, QshPolicy, Tenant};
use crate::error::ApiError;
use crate::headers::page_csp;
use crate::settings::Settings;

/// The `<meta name>` that tells the client which Jira the page's token was verified for
/// (`client::env::VERIFIED_SITE_META` reads it).
pub const VERIFIED_SITE_META: &str = "dwell-connect-site";

/// `index.html`, read once, with the hashes of its inline scripts for the CSP.
#[derive(Debug)]
pub struct ClientPage {
    pub dir: PathBuf,
    pub html: web::Bytes,
    pub inline_script_hashes: Vec<String>,
    /// Where the verified site's `<meta>` goes: just inside `<head>`.
    meta_at: usize,
}

impl ClientPage {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let index = dir.join("index.html");
        let html = std::fs::read_to_string(&index)
            .with_context(|| format!("cannot read the client page {}", index.display()))?;
        let html = without_csp_meta(&html);
        let meta_at = head_start(&html)
            .with_context(|| format!("the client page {} has no <head>", index.display()))?;
        Ok(ClientPage {
            dir: dir.to_path_buf(),
            inline_script_hashes: inline_script_hashes(&html),
            html: web::Bytes::from(html),
            meta_at,
        })
    }

    /// The page for a load whose token verified for `tenant`: it names the tenant's Jira
    /// addresses for the client.
    fn verified_for(&self, tenant: &Tenant) -> web::Bytes {
        let mut sites: Vec<&str> = Vec::new();
        for url in std::iter::once(&tenant.base_url).chain(tenant.display_url.iter()) {
            let url = url.trim_end_matches('/');
            if !sites.contains(&url) {
                sites.push(url);
            }
        }
        let meta = format!(
            "<meta name=\"{VERIFIED_SITE_META}\" content=\"{}\">",
            html_escape::encode_double_quoted_attribute(&sites.join(" "))
        );
        let mut out = Vec::with_capacity(self.html.len() + meta.len());
        out.extend_from_slice(&self.html[..self.meta_at]);
        out.extend_from_slice(meta.as_bytes());
        out.extend_from_slice(&self.html[self.meta_at..]);
        web::Bytes::from(out)
    }
}

/// The end of the `<head ...>` tag, where a `<meta>` may go.
fn head_start(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<head").map(|i| at + i) {
        let next = lower.as_bytes().get(i + 5).copied();
        if matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            return lower[i..].find('>').map(|j| i + j + 1);
        }
        at = i + 5;
    }
    None
}

/// `html` without its `<meta http-equiv="Content-Security-Policy">` elements: the policy the
/// build writes for static hosts, which the header replaces here (a `<meta>` policy would
/// also apply, and it cannot know the tenant's Jira or the `--csp-*` sources).
fn without_csp_meta(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(start) = lower[at..].find("<meta").map(|i| at + i) {
        let Some(end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        out.push_str(&html[at..start]);
        let tag: String = lower[start..end].split_whitespace().collect();
        if !tag.contains("http-equiv=\"content-security-policy\"")
            && !tag.contains("http-equiv=content-security-policy")
        {
            out.push_str(&html[start..end]);
        }
        at = end;
    }
    out.push_str(&html[at..]);
    out
}

/// Base64 SHA-256 of each inline `<script>`'s text (as `config::page::inline_scripts` finds
/// them), as CSP `'sha256-...'` sources want them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_scripts(html)
        .into_iter()
        .map(|script| STANDARD.encode(Sha256::digest(script.as_bytes())))
        .collect()
}

/// `GET /` and `/index.html`: the client page.
pub async fn serve(
    req: HttpRequest,
    page: Option<web::Data<ClientPage>>,
    settings: web::Data<Settings>,
    authenticators: web::Data<Authenticators>,
) -> HttpResponse {
    let Some(page) = page else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no client is served here (set --static-dir)");
    };
    let query = match PageQuery::parse(req.query_string()) {
        Ok(query) => query,
        Err(e) => {
            return HttpResponse::BadRequest()
                .content_type("text/plain; charset=utf-8")
                .body(e.to_string());
        }
    };
    let tenant = match query.jwt {
        None => None,
        Some(token) => match verify_page_token(&req, &authenticators, token).await {
            Ok(caller) => Some(caller.tenant),
            Err(_) => {
                return HttpResponse::Unauthorized()
                    .content_type("text/plain; charset=utf-8")
                    .body("the page token did not verify: reload the page from Jira");
            }
        },
    };
    let csp = page_csp(&settings.csp, &page.inline_script_hashes, tenant.as_deref());
    let html = match &tenant {
        Some(tenant) => page.verified_for(tenant),
        None => page.html.clone(),
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// The tenant of a page load's `jwt` query parameter: a Connect token bound to the page URL.
async fn verify_page_token(
    req: &HttpRequest,
    authenticators: &Authenticators,
    token: String,
) -> Result<Caller, ApiError> {
    let connect = authenticators
        .for_scheme(SCHEME)
        .ok_or(ApiError::Unauthorized("no Connect authenticator"))?;
    connect
        .authenticate(req, token, QshPolicy::RequireRequestHash)
        .await
}

/// Static files of the client: MIME types by extension (`.wasm` is `application/wasm`),
/// ETags, and no directory listings.
pub fn files(dir: &Path) -> actix_files::Files {
    actix_files::Files::new("/", dir)
        .use_etag(true)
        .use_last_modified(true)
        .prefer_utf8(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = "<html><script type=\"module\">init()</script>\
                    <SCRIPT src=\"/x.js\"></SCRIPT><script>a</script></html>";
        let hashes = inline_script_hashes(html);
        assert_eq!(
            hashes,
            vec![
                STANDARD.encode(Sha256::digest(b"init()")),
                STANDARD.encode(Sha256::digest(b"a"))
            ]
        );
    }

    #[test]
    fn the_builds_csp_meta_is_taken_out_and_nothing_else() {
        let html = "<html><HEAD lang=en><meta charset=\"utf-8\">\
                    <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\
                    <META HTTP-EQUIV=content-security-policy content=x>\
                    <meta name=\"referrer\" content=\"no-referrer\"></head></html>";
        assert_eq!(
            without_csp_meta(html),
            "<html><HEAD lang=en><meta charset=\"utf-8\">\
             <meta name=\"referrer\" content=\"no-referrer\"></head></html>"
        );
        assert_eq!(without_csp_meta("<p>no meta</p>"), "<p>no meta</p>");
    }

    #[test]
    fn the_site_meta_goes_just_inside_head() {
        let html = "<html><header></header><head data-x=\"1\"><title>t</title></head></html>";
        let at = head_start(html).unwrap();
        assert_eq!(&html[at..at + 7], "<title>");
        assert_eq!(head_start("<html><body></body></html>"), None);
    }
}
