//! The caller's effective rights, and the tenant's grants.

use actix_web::{HttpRequest, HttpResponse, web};
use config::api::Permissions;

use super::{if_match, subject, with_etag};
use crate::auth::Caller;
use crate::body::StrictJson;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, Write};

/// `GET /api/v1/me`: what the caller may do, for the UI to show and hide controls.
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let subject = subject(&state, &caller).await?;
    let tenant = caller.tenant.id;
    let (permissions, _) = state
        .db
        .run(move |c| Ok(store::permissions(tenant, c)?))
        .await?;
    Ok(HttpResponse::Ok().json(subject.rights(&permissions)))
}

async fn require_permission_manager(
    state: &AppState,
    caller: &Caller,
) -> Result<(Permissions, u64), ApiError> {
    let subject = subject(state, caller).await?;
    let tenant = caller.tenant.id;
    let current = state
        .db
        .run(move |c| Ok(store::permissions(tenant, c)?))
        .await?;
    if subject.rights(&current.0).manage_permissions {
        Ok(current)
    } else {
        Err(ApiError::Forbidden("you may not manage permissions"))
    }
}

/// `GET /api/v1/permissions`, with the version as ETag.
pub async fn get_permissions(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (permissions, version) = require_permission_manager(&state, &caller).await?;
    Ok(with_etag(HttpResponse::Ok(), version, &permissions))
}

/// `PUT /api/v1/permissions` with `If-Match: "<version>"` (required: grants are never
/// overwritten blindly).
pub async fn put_permissions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: StrictJson<Permissions>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?.ok_or(ApiError::PreconditionRequired)?;
    require_permission_manager(&state, &caller).await?;
    let tenant = caller.tenant.id;
    let now = jiff::Timestamp::now();
    let actor = caller.account.clone();
    let new = body.0;
    let written = state
        .db
        .run(move |c| {
            Ok(store::put_permissions(
                tenant, c, &new, expected, now, &actor,
            )?)
        })
        .await?;
    match written {
        Write::Done((permissions, version)) => {
            Ok(with_etag(HttpResponse::Ok(), version, &permissions))
        }
        _ => Err(ApiError::PreconditionFailed),
    }
}
