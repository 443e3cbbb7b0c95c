//! The client page: serving the built client (trunk's `dist/`), the page with its
//! Content-Security-Policy, and the static files with their MIME types, ETags and gzip. (The
//! server's HTTP client for its outbound calls is [`crate::outbound`].)
//!
//! Inside Jira, the page is loaded with a signed `jwt` query parameter bound to the page URL.
//! When it verifies, the page's CSP lets the tenant's Jira frame it and be fetched from; without
//! it the page may not be framed (unless the settings say otherwise).

use std::path::{Path, PathBuf};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::auth::connect_jwt::SCHEME;
use crate::auth::{Authenticators, Caller, QshPolicy};
use crate::error::ApiError;
use crate::headers::page_csp;
use crate::state::AppState;

/// `index.html`, read once, with the hashes of its inline scripts for the CSP.
#[derive(Debug)]
pub struct ClientPage {
    pub dir: PathBuf,
    pub html: web::Bytes,
    pub inline_script_hashes: Vec<String>,
}

impl ClientPage {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let index = dir.join("index.html");
        let html = std::fs::read_to_string(&index)
            .with_context(|| format!("cannot read the client page {}", index.display()))?;
        Ok(ClientPage {
            dir: dir.to_path_buf(),
            inline_script_hashes: inline_script_hashes(&html),
            html: web::Bytes::from(html),
        })
    }
}

/// Base64 SHA-256 of each inline `<script>`'s text, as CSP `'sha256-...'` sources want them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        let tag = &lower[start..open_end];
        if !tag.contains(" src=") {
            out.push(STANDARD.encode(Sha256::digest(&html.as_bytes()[open_end..close])));
        }
        at = close;
    }
    out
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// `GET /` and `/index.html`: the client page.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    authenticators: web::Data<Authenticators>,
) -> HttpResponse {
    let Some(page) = &state.page else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no client is served here (set --static-dir)");
    };
    let tenant = match query_param(req.query_string(), "jwt") {
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
    let csp = page_csp(
        &state.settings.csp,
        &page.inline_script_hashes,
        tenant.as_deref(),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.html.clone())
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
    fn query_params_are_decoded() {
        assert_eq!(
            query_param("a=1&jwt=x%2Ey&b=2", "jwt").as_deref(),
            Some("x.y")
        );
    }
}
