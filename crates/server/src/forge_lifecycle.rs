//! `POST /forge/lifecycle`: the Forge app's lifecycle events, delivered by the manifest's
//! trigger (`dwell-lifecycle-events`) to the endpoint `dwell-lifecycle` on the remote.
//!
//! Forge POSTs `avi:forge:installed:app`, `avi:forge:upgraded:app` and
//! `avi:forge:uninstalled:app` with a Forge Invocation Token; the body is
//! `{eventType, id, installerAccountId | upgraderAccountId, app {id, version}, environment,
//! context}` (forge-notes.md §3). `installed` creates the tenant or restores it (its data kept
//! through the grace period) and makes the installer its first admin; `upgraded` records the
//! version; `uninstalled` starts the same grace period and purge as a Connect uninstall.
//!
//! The design decision: only Forge itself can send an event. The token is verified as every
//! FIT is, and must come from a trigger (`app.module.type` `core:trigger`, no `principal`): a
//! user's UI token cannot be replayed here through `invokeRemote`, whose path the page chooses.
//! The installation the body names must be the token's, so one installation's token cannot
//! install, upgrade or uninstall another.

use actix_web::{HttpRequest, HttpResponse, web};
use config::AccountId;
use serde::Deserialize;

use crate::auth::forge_fit::{self, same_installation, unix_now};
use crate::auth::{TenantCache, authorization};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::settings::BODY_LIMIT;
use crate::state::AppState;
use crate::store::{self, ForgeInstallation, InstallOutcome};

/// The route of the manifest's `dwell-lifecycle` endpoint.
pub const ROUTE: &str = "/forge/lifecycle";

pub const INSTALLED: &str = "avi:forge:installed:app";
pub const UPGRADED: &str = "avi:forge:upgraded:app";
pub const UNINSTALLED: &str = "avi:forge:uninstalled:app";

/// The module type of tokens Forge sends with product and lifecycle events.
const TRIGGER: &str = "core:trigger";

/// The event body. Not strict: Atlassian adds fields over time, and only these are read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    event_type: String,
    id: String,
    #[serde(default)]
    installer_account_id: Option<String>,
    #[serde(default)]
    app: Option<EventApp>,
}

#[derive(Debug, Deserialize)]
struct EventApp {
    id: String,
    #[serde(default)]
    version: Option<String>,
}

/// `POST /forge/lifecycle`.
pub async fn lifecycle(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    tenants: web::Data<TenantCache>,
) -> Result<HttpResponse, ApiError> {
    let Some(verifier) = state.forge.clone() else {
        return Err(ApiError::NotFound("Forge (no --forge-app-id)"));
    };
    let token = match authorization(&req)? {
        (scheme, token) if scheme.eq_ignore_ascii_case(forge_fit::SCHEME) && !token.is_empty() => {
            token
        }
        _ => return Err(ApiError::Unauthorized("lifecycle needs `Bearer <FIT>`")),
    };
    let invocation = verifier.verify(&token, unix_now()).await?;
    if invocation.principal.is_some() || invocation.module_type != TRIGGER {
        return Err(ApiError::Forbidden(
            "lifecycle events come from Forge's trigger, not from a user's call",
        ));
    }
    let body = read_limited(&req, &mut payload, BODY_LIMIT).await?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("not a Forge lifecycle event".into()))?;
    if !same_installation(&invocation.installation_id, &event.id) {
        return Err(ApiError::Forbidden(
            "the event names another installation than its token",
        ));
    }
    let app_id = state
        .settings
        .forge
        .as_ref()
        .map(|f| f.app_id.as_str())
        .unwrap_or_default();
    if event.app.as_ref().is_some_and(|a| a.id != app_id) {
        return Err(ApiError::BadRequest("the event is for another app".into()));
    }
    let installation_id = invocation.installation_id.clone();
    let version = event.app.and_then(|a| a.version);
    let now = jiff::Timestamp::now();
    match event.event_type.as_str() {
        INSTALLED => {
            let installer = event
                .installer_account_id
                .map(|a| {
                    AccountId::parse(&a).map_err(|_| {
                        ApiError::BadRequest("installerAccountId is not an account id".into())
                    })
                })
                .transpose()?;
            let inst = ForgeInstallation {
                installation_id: installation_id.clone(),
                cloud_id: invocation.cloud_id.clone(),
                app_version: version,
                installer: installer.map(|a| a.as_str().to_string()),
            };
            let done = state
                .db
                .run(move |conn| Ok(store::forge_install(conn, &inst, now)?))
                .await?;
            match done.outcome {
                InstallOutcome::New => {
                    tracing::info!(tenant = %done.tenant, "Forge tenant installed")
                }
                InstallOutcome::Reinstalled { .. } => {
                    tracing::info!(tenant = %done.tenant, "Forge tenant reinstalled, data restored")
                }
            }
        }
        UPGRADED => {
            let id = installation_id.clone();
            let found = state
                .db
                .run(move |conn| Ok(store::forge_upgrade(conn, &id, version.as_deref(), now)?))
                .await?;
            if !found {
                return Err(ApiError::NotFound("Forge installation"));
            }
            tracing::info!("Forge tenant upgraded");
        }
        UNINSTALLED => {
            let id = installation_id.clone();
            let found = state
                .db
                .run(move |conn| Ok(store::forge_uninstall(conn, &id, now)?))
                .await?;
            if found {
                tracing::info!("Forge tenant uninstalled; data kept for the grace period");
            }
        }
        _ => {
            return Err(ApiError::BadRequest(
                "unknown lifecycle event: expected avi:forge:installed:app, \
                 avi:forge:upgraded:app or avi:forge:uninstalled:app"
                    .into(),
            ));
        }
    }
    tenants
        .forget(&store::forge_client_key(&installation_id))
        .await;
    Ok(HttpResponse::NoContent().finish())
}
