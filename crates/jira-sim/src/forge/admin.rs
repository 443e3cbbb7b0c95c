//! The Forge host's HTTP surface outside the app's pages: the JWKS and the admin endpoints
//! (`/_sim/forge/...`: apps, install, upgrade, uninstall, rotate). Without `--forge-manifest`
//! they answer 404 with a message that says so.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use serde::Deserialize;
use serde_json::json;

use super::ForgeHost;
use super::lifecycle::{self, LifecycleError};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Registered before the `/_sim` scope of the other admin endpoints, which would take it.
    cfg.route("/.well-known/jwks.json", web::get().to(jwks))
        .service(
            web::scope("/_sim/forge")
                .route("/apps", web::get().to(apps))
                .route("/install", web::post().to(install))
                .route("/upgrade", web::post().to(upgrade))
                .route("/uninstall", web::post().to(uninstall))
                .route("/rotate", web::post().to(rotate))
                .route("/csp-report", web::post().to(csp_report))
                .route("/host.js", web::get().to(super::host::host_js))
                .route("/bridge/invoke", web::post().to(super::host::invoke))
                .route(
                    "/bridge/fetch-remote",
                    web::post().to(super::host::fetch_remote),
                )
                .route("/bridge/unknown", web::post().to(super::host::unknown)),
        );
}

/// A refused admin request: a status and a message, rendered as `{"error": ...}`.
#[derive(Debug, thiserror::Error)]
#[error("{1}")]
struct Refusal(StatusCode, String);

impl ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        self.0
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.0).json(json!({"error": self.1}))
    }
}

type Answer = Result<HttpResponse, Refusal>;

fn host(forge: Option<&web::Data<ForgeHost>>) -> Result<&web::Data<ForgeHost>, Refusal> {
    forge.ok_or_else(|| {
        Refusal(
            StatusCode::NOT_FOUND,
            "this simulator plays no Forge app: start it with --forge-manifest PATH".into(),
        )
    })
}

/// Who performs a lifecycle operation (`{"user": LOGIN}`, ada by default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Actor {
    #[serde(default)]
    user: Option<String>,
}

fn actor(body: &web::Bytes) -> Result<String, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok("ada".into());
    }
    let a: Actor = serde_json::from_slice(body).map_err(|e| {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"user\": LOGIN}}: {e}"),
        )
    })?;
    Ok(a.user.unwrap_or_else(|| "ada".into()))
}

async fn jwks(forge: Option<web::Data<ForgeHost>>) -> Answer {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "max-age=60"))
        .json(host(forge.as_ref())?.keys.jwks()))
}

async fn apps(forge: Option<web::Data<ForgeHost>>) -> Answer {
    Ok(HttpResponse::Ok().json(host(forge.as_ref())?.describe()))
}

fn answer(r: Result<super::ForgeInstallation, LifecycleError>) -> Answer {
    let status = match r {
        Ok(inst) => return Ok(HttpResponse::Ok().json(inst)),
        Err(LifecycleError::AlreadyInstalled(_) | LifecycleError::NotInstalled) => {
            StatusCode::CONFLICT
        }
        Err(LifecycleError::NoSuchUser(_)) => StatusCode::BAD_REQUEST,
        Err(LifecycleError::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    Err(Refusal(
        status,
        r.err().map(|e| e.to_string()).unwrap_or_default(),
    ))
}

async fn install(
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
    body: web::Bytes,
) -> Answer {
    let (h, login) = (host(forge.as_ref())?, actor(&body)?);
    answer(lifecycle::install(&state, h, &login).await)
}

async fn upgrade(
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
    body: web::Bytes,
) -> Answer {
    let (h, login) = (host(forge.as_ref())?, actor(&body)?);
    answer(lifecycle::upgrade(&state, h, &login).await)
}

async fn uninstall(
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
    body: web::Bytes,
) -> Answer {
    let (h, login) = (host(forge.as_ref())?, actor(&body)?);
    answer(lifecycle::uninstall(&state, h, &login).await)
}

/// A browser's report of a Custom UI policy violation: counted in `/_sim/stats` and logged,
/// so tests can assert that an app runs under Forge's policy without violating it.
async fn csp_report(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    state.with_stats(|s| s.forge_csp_violations += 1);
    tracing::warn!(
        "Forge CSP violation: {}",
        String::from_utf8_lossy(&body[..body.len().min(2000)])
    );
    HttpResponse::NoContent().finish()
}

/// A new signing key; the old one stays in the JWKS for a while.
async fn rotate(forge: Option<web::Data<ForgeHost>>) -> Answer {
    let h = host(forge.as_ref())?.clone();
    let rotated = web::block(move || h.keys.rotate())
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
        .map_err(|e| Refusal(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let (kid, retired) = rotated;
    Ok(HttpResponse::Ok().json(json!({
        "kid": kid,
        "retiredKid": retired,
        "retiredKeyPublishedForSeconds": super::fit::RETIRED_KEY_GRACE.as_secs(),
    })))
}
