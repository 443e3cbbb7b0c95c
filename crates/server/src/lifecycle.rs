//! The Connect app's descriptor and its signed-install lifecycle (`installed`, `uninstalled`).
//!
//! Lifecycle events are RS256 JWTs signed by Atlassian (`signed-install`). The public key is
//! the install key service's for the token's `kid` ([`crate::install_keys`]: configurable, so
//! tests and the simulator serve their own; cached, and bounded per source). The token's `aud`
//! must be this app's base URL, its `iss` the payload's client key, its `qsh` the request.
//!
//! These routes take no user token, so their cost is bounded per source address: each source
//! has its own small budget of lifecycle calls and of key fetches, under the global fetch
//! budget, so forged calls from one place cannot use up what Atlassian's real installs need.

use actix_web::{HttpRequest, HttpResponse, web};
use jsonwebtoken::Algorithm;
use serde::Deserialize;
use serde_json::json;

use crate::auth::connect_jwt::{Expected, RequestTarget, header_token, precheck, verify};
use crate::auth::{QshPolicy, TenantCache};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::settings::{BODY_LIMIT, Settings};
use crate::state::AppState;
use crate::store::{self, InstallOutcome, Installation};
use crate::urls;

/// `GET /atlassian-connect.json`.
pub async fn descriptor(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(descriptor_json(&state.settings))
}

/// The descriptor: READ scope only, signed installs and context tokens, a general page and a
/// project page that both load the client.
pub fn descriptor_json(s: &Settings) -> serde_json::Value {
    let mut descriptor = json!({
        "key": s.app_key,
        "name": s.app_name,
        "description": "Time in status reports computed in your browser. The app stores report configuration only.",
        "vendor": { "name": "Dwell", "url": s.base_url },
        "baseUrl": s.base_url,
        "authentication": { "type": "jwt" },
        "apiVersion": 1,
        "apiMigrations": { "signed-install": true, "context-qsh": true },
        "scopes": ["READ"],
        "lifecycle": {
            "installed": "/lifecycle/installed",
            "uninstalled": "/lifecycle/uninstalled"
        },
        "modules": {
            "generalPages": [{
                "key": "dwell-reports",
                "name": { "value": "Time in status" },
                "url": "/?view=general",
                "location": "system.top.navigation.bar"
            }],
            "jiraProjectPages": [{
                "key": "dwell-project-reports",
                "name": { "value": "Time in status" },
                "url": "/?view=project&projectKey={project.key}&projectId={project.id}",
                "weight": 100
            }]
        }
    });
    // The operator's vulnerability contact and privacy policy, when published (`links` is the
    // descriptor's map of named links).
    let links: serde_json::Map<String, serde_json::Value> = [
        (
            "self",
            Some(format!("{}/atlassian-connect.json", s.base_url)),
        ),
        ("security", s.security_contact.clone()),
        ("privacy", s.privacy_policy_url.clone()),
    ]
    .into_iter()
    .filter_map(|(name, url)| Some((name.to_string(), json!(url?))))
    .collect();
    descriptor["links"] = serde_json::Value::Object(links);
    descriptor
}

/// `GET /.well-known/security.txt` (RFC 9116): where to report a vulnerability, when the
/// operator published a contact (`--security-contact`); 404 otherwise. `Expires` is a year
/// from now, so the file is always current while the server runs.
pub async fn security_txt(state: web::Data<AppState>) -> HttpResponse {
    let s = &state.settings;
    let Some(contact) = &s.security_contact else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no security contact is published here\n");
    };
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * 365))
        .unwrap_or(jiff::Timestamp::MAX);
    let mut body = format!(
        "Contact: {contact}\nExpires: {}\nPreferred-Languages: en\nCanonical: {}/.well-known/security.txt\n",
        expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        s.base_url
    );
    if let Some(privacy) = &s.privacy_policy_url {
        body.push_str(&format!("# Privacy policy: {privacy}\n"));
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "max-age=86400"))
        .body(body)
}

/// The lifecycle payload. Not strict: Atlassian adds fields over time, and only these are kept.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lifecycle {
    key: String,
    client_key: String,
    /// Wiped from memory once sealed and dropped.
    #[serde(default)]
    shared_secret: Option<zeroize::Zeroizing<String>>,
    base_url: String,
    #[serde(default)]
    display_url: Option<String>,
}

/// Reads and verifies a lifecycle request: the signed token first, then the payload it covers.
async fn verified_lifecycle(
    req: &HttpRequest,
    payload: &mut web::Payload,
    state: &AppState,
) -> Result<Lifecycle, ApiError> {
    let source = req.peer_addr().map(|a| a.ip());
    state.install_keys.admit(source)?;
    let token = header_token(req)?;
    let header = precheck(&token, Algorithm::RS256)?;
    let kid = header
        .kid
        .ok_or(ApiError::Unauthorized("signed install token has no kid"))?;
    let body = read_limited(req, payload, BODY_LIMIT).await?;
    let event: Lifecycle = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("not a lifecycle payload".into()))?;
    let key = state.install_keys.key(&kid, source).await?;
    let expected = Expected {
        alg: Algorithm::RS256,
        issuer: &event.client_key,
        audience: Some(&state.settings.base_url),
        leeway: state.settings.jwt_leeway,
        policy: QshPolicy::RequireRequestHash,
    };
    verify(&token, &key, &expected, &RequestTarget::of(req))?;
    if event.key != state.settings.app_key {
        return Err(ApiError::BadRequest(
            "the payload is for another app key".into(),
        ));
    }
    Ok(event)
}

/// `POST /lifecycle/installed`.
pub async fn installed(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    tenants: web::Data<TenantCache>,
) -> Result<HttpResponse, ApiError> {
    let event = verified_lifecycle(&req, &mut payload, &state).await?;
    // Forge tenants live under `forge:<installationId>` in the same column; a Connect client
    // key never takes that form, and is refused if it does.
    if event.client_key.starts_with("forge:") {
        return Err(ApiError::BadRequest(
            "a Connect clientKey cannot start with `forge:`".into(),
        ));
    }
    let secret = event
        .shared_secret
        .filter(|s| (8..=1024).contains(&s.len()))
        .ok_or_else(|| ApiError::BadRequest("installed needs a sharedSecret".into()))?;
    check_site_url(&event.base_url)?;
    if let Some(d) = &event.display_url {
        urls::check_service_url(d)
            .map_err(|why| ApiError::BadRequest(format!("displayUrl {why}")))?;
    }
    let sealed = state.keys.seal(secret.as_bytes(), &event.client_key)?;
    let installation = Installation {
        client_key: event.client_key.clone(),
        base_url: event.base_url.trim_end_matches('/').to_string(),
        display_url: event
            .display_url
            .map(|d| d.trim_end_matches('/').to_string()),
        sealed_secret: sealed,
    };
    let now = jiff::Timestamp::now();
    let done = state
        .db
        .run(move |conn| Ok(store::install(conn, &installation, now)?))
        .await?;
    // Secrets rotated and installations retired: drop every cached tenant.
    tenants.forget_all();
    match done.outcome {
        InstallOutcome::New => tracing::info!(tenant = %done.tenant, "tenant installed"),
        InstallOutcome::Reinstalled { base_url_changed } => tracing::info!(
            tenant = %done.tenant,
            base_url_changed,
            "tenant reinstalled, shared secret rotated"
        ),
    }
    if done.retired > 0 {
        tracing::info!(
            retired = done.retired,
            "older installations at the same base URL retired"
        );
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /lifecycle/uninstalled`: keeps the data for the grace period, refuses the tenant's
/// tokens from now on.
pub async fn uninstalled(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    tenants: web::Data<TenantCache>,
) -> Result<HttpResponse, ApiError> {
    let event = verified_lifecycle(&req, &mut payload, &state).await?;
    let now = jiff::Timestamp::now();
    let client_key = event.client_key.clone();
    let found = state
        .db
        .run(move |conn| Ok(store::uninstall(conn, &client_key, now)?))
        .await?;
    tenants.forget(&event.client_key).await;
    if found {
        tracing::info!("tenant uninstalled; data kept for the grace period");
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A tenant's site URL, as [`urls::check_site_url`] allows.
fn check_site_url(url: &str) -> Result<(), ApiError> {
    urls::check_site_url(url).map_err(|why| ApiError::BadRequest(format!("baseUrl {why}")))
}
