//! Security headers on every response, the client page's Content-Security-Policy, and the
//! request log.
//!
//! Logging policy: one line per request with method, path (never the query string, which can
//! hold a page token), status, duration and the tenant's internal id. Never bodies, tokens,
//! secrets or account ids.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use crate::auth::Tenant;
use crate::settings::CspSettings;
use crate::settings::Settings;
use crate::store::TenantId;

/// The policy of every response but the client page: nothing may load, nothing may frame it.
pub const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds nosniff, Referrer-Policy, a default CSP (unless the handler set the page's), HSTS
/// when serving TLS, and `no-store` on API answers.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hsts = req
        .app_data::<web::Data<Settings>>()
        .is_some_and(|s| s.sends_hsts());
    let private = {
        let p = req.path();
        p.starts_with("/api/") || p.starts_with("/lifecycle/")
    };
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
    }
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if private && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// One log line per request, per the logging policy above.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let res = next.call(req).await;
    let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    match &res {
        Ok(r) => {
            let tenant = r.request().extensions().get::<TenantId>().map(|t| t.get());
            let status = r.status().as_u16();
            if r.status().is_server_error() {
                tracing::warn!(%method, %path, status, tenant, elapsed_us, "request");
            } else {
                tracing::info!(%method, %path, status, tenant, elapsed_us, "request");
            }
        }
        Err(_) => tracing::warn!(%method, %path, elapsed_us, "request failed"),
    }
    res
}

/// The origin (`scheme://host[:port]`) of a URL, for CSP sources.
pub fn origin(url: &str) -> Option<String> {
    let uri: actix_web::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?;
    Some(format!("{scheme}://{authority}"))
}

/// The client page's policy. Scripts: this origin, WebAssembly compilation, the all.js host
/// and the page's own inline scripts by hash. Fetches: this origin and the tenant's Jira.
/// Framing: the tenant's Jira when the page load carried its signed token.
pub fn page_csp(
    csp: &CspSettings,
    inline_script_hashes: &[String],
    tenant: Option<&Tenant>,
) -> String {
    // The base URL and the display URL, each origin once (they are often the same).
    let mut jira: Vec<String> = Vec::new();
    for url in tenant
        .into_iter()
        .flat_map(|t| std::iter::once(&t.base_url).chain(t.display_url.iter()))
    {
        if let Some(o) = origin(url)
            && !jira.contains(&o)
        {
            jira.push(o);
        }
    }
    let mut script = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script.extend(csp.script_src.iter().cloned());
    script.extend(inline_script_hashes.iter().map(|h| format!("'sha256-{h}'")));
    let mut connect = vec!["'self'".to_string()];
    connect.extend(jira.iter().cloned());
    connect.extend(csp.connect_src.iter().cloned());
    let mut img = vec!["'self'".to_string(), "data:".to_string()];
    img.extend(jira.iter().cloned());
    let ancestors = if !jira.is_empty() {
        jira.join(" ")
    } else if !csp.frame_ancestors.is_empty() {
        csp.frame_ancestors.join(" ")
    } else {
        "'none'".to_string()
    };
    format!(
        "default-src 'none'; script-src {}; style-src 'self' 'unsafe-inline'; img-src {}; \
         font-src 'self' data:; connect-src {}; frame-ancestors {}; base-uri 'none'; \
         form-action 'none'; object-src 'none'",
        script.join(" "),
        img.join(" "),
        connect.join(" "),
        ancestors
    )
}

/// The policy of the client's static files. Browsers apply a worker script's own response
/// policy to the worker, so this is what the report worker runs under: it imports its scripts
/// from this origin, fetches and compiles its wasm, and may reach what the page may reach
/// directly (Direct mode's Jira). Nothing may frame these files.
pub fn static_csp(csp: &CspSettings) -> String {
    let mut script = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script.extend(csp.script_src.iter().cloned());
    let mut connect = vec!["'self'".to_string()];
    connect.extend(csp.connect_src.iter().cloned());
    format!(
        "default-src 'none'; script-src {}; connect-src {}; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'none'",
        script.join(" "),
        connect.join(" ")
    )
}

/// Gives the client's static files [`static_csp`] (the page keeps the policy its handler set).
pub async fn static_files_csp(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let policy = req
        .app_data::<web::Data<Settings>>()
        .map(|s| static_csp(&s.csp));
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    if let Some(policy) = policy
        && !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&policy)
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_drop_paths() {
        assert_eq!(
            origin("https://x.atlassian.net/jira").as_deref(),
            Some("https://x.atlassian.net")
        );
        assert_eq!(
            origin("http://127.0.0.1:9000/t/a").as_deref(),
            Some("http://127.0.0.1:9000")
        );
    }
}
