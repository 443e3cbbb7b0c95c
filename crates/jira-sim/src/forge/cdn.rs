//! The simulated Forge CDN: the app's Custom UI folders served on a loopback origin of their
//! own (a second listener of the simulator), as Forge serves a resource from its CDN origin,
//! apart from the Jira page that frames it.
//!
//! Each resource is served under `/{resourceKey}/` from its `--forge-resource` folder with:
//! - `index.html` as the Forge CLI uploads it: `<script src="{cdn}/global-bridge.js">`
//!   prepended first in `<head>` (the iframe resizer that follows it on Forge is left out);
//! - the policy `@forge/csp` computes for the manifest's permissions ([`super::csp`]), on every
//!   file (a Web Worker runs under its own script's policy), with the Forge CDN replaced by
//!   this origin and violation reports sent to the simulator, which counts them;
//! - `.wasm` as `application/wasm`, so `WebAssembly.instantiateStreaming` works as on Forge.
//!
//! `/global-bridge.js` is the simulator's bridge script (`assets/forge/global-bridge.js`).

use std::path::{Component, Path, PathBuf};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, guard, web};

use super::ForgeHost;
use super::csp;
use crate::state::AppState;

const GLOBAL_BRIDGE_JS: &str = include_str!("../../assets/forge/global-bridge.js");

/// Registers the CDN's routes for requests addressed to `authority` (`127.0.0.1:PORT`); they
/// come first, so nothing else the simulator serves is reachable on the CDN origin.
pub fn configure(cfg: &mut web::ServiceConfig, authority: String) {
    cfg.service(
        web::scope("")
            .guard(guard::fn_guard(move |ctx| {
                ctx.head()
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    == Some(authority.as_str())
            }))
            .route("/global-bridge.js", web::get().to(global_bridge))
            .route("/{resource}/{tail:.*}", web::get().to(resource))
            .default_service(web::to(
                |req: HttpRequest| async move { not_found(req.path()) },
            )),
    );
}

/// The `Content-Type` of a served file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `index.html` with the bridge script first in `<head>` (a `<head>` is made if missing).
pub fn inject_bridge(html: &str, cdn_origin: &str) -> String {
    let tag = format!("<script src=\"{cdn_origin}/global-bridge.js\"></script>");
    let lower = html.to_ascii_lowercase();
    let open_tag = |name: &str| {
        let mut from = 0;
        while let Some(i) = lower[from..].find(&format!("<{name}")) {
            let at = from + i;
            let next = lower[at + name.len() + 1..].chars().next();
            if matches!(next, Some('>') | Some(' ' | '\t' | '\n' | '\r' | '/')) {
                return lower[at..].find('>').map(|gt| at + gt + 1);
            }
            from = at + 1;
        }
        None
    };
    if let Some(end) = open_tag("head") {
        return format!("{}{tag}{}", &html[..end], &html[end..]);
    }
    if let Some(end) = open_tag("html") {
        return format!("{}<head>{tag}</head>{}", &html[..end], &html[end..]);
    }
    format!("<head>{tag}</head>{html}")
}

/// The file `tail` names inside `dir`, refusing anything that leaves it.
fn resolve(dir: &Path, tail: &str) -> Option<PathBuf> {
    let rel = Path::new(tail);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = dir.join(rel);
    if path.is_dir() {
        Some(path.join("index.html"))
    } else {
        Some(path)
    }
}

fn not_found(what: &str) -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body(format!("{what}: not on the simulated Forge CDN"))
}

pub async fn global_bridge(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(GLOBAL_BRIDGE_JS.replace("__JIRA_SIM_HOST_ORIGIN__", &state.settings.base_url))
}

/// `GET /{resourceKey}/{path}` on the CDN origin.
pub async fn resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let Some(host) = forge.as_ref().map(web::Data::get_ref) else {
        return not_found(req.path());
    };
    let key = req.match_info().get("resource").unwrap_or("");
    let tail = req.match_info().get("tail").unwrap_or("");
    let Some(dir) = host.resource_dirs.get(key) else {
        return not_found(&format!("resource {key:?}"));
    };
    let Some(path) = resolve(dir, tail) else {
        return not_found(req.path());
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(_) => return not_found(req.path()),
    };
    // The policy is computed from the resource's index.html, as at deploy.
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap_or_default();
    let directives = match csp::policy(&index, &host.app.permissions, &state.settings.base_url) {
        Ok(d) => d,
        Err(e) => {
            return HttpResponse::build(StatusCode::INTERNAL_SERVER_ERROR)
                .content_type("text/plain; charset=utf-8")
                .body(format!("@forge/csp would refuse this manifest: {e}"));
        }
    };
    let policy = csp::localise(
        &directives,
        &host.cdn_origin,
        &format!("{}/_sim/forge/csp-report", state.settings.base_url),
    );
    let body = if path.file_name().is_some_and(|n| n == "index.html") {
        inject_bridge(&String::from_utf8_lossy(&bytes), &host.cdn_origin).into_bytes()
    } else {
        bytes
    };
    HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header(("Content-Security-Policy", policy))
        .insert_header(("Cache-Control", "no-cache"))
        .body(body)
}
