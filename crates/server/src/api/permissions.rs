//! The caller's effective rights, and the tenant's grants.

use actix_web::{HttpRequest, HttpResponse, web};
use config::api::Permissions;

use super::{Access, forge_refuses_groups, if_match, require, with_etag};
use crate::auth::Caller;
use crate::body::StrictJson;
use crate::error::ApiError;
use crate::rights::{self, Right};
use crate::state::AppState;
use crate::store::{self, WriteOutcome};

/// `GET /api/v1/me`: what the caller may do, for the UI to show and hide controls.
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let access = Access::of(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(access.subject.rights(&access.permissions)))
}

const REFUSAL: &str = "you may not manage permissions";

/// `GET /api/v1/permissions`, with the version as ETag.
pub async fn get_permissions(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let access = require(&state, &caller, Right::ManagePermissions, REFUSAL).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        access.version,
        &access.permissions,
    ))
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
    require(&state, &caller, Right::ManagePermissions, REFUSAL).await?;
    forge_refuses_groups(&caller, rights::permission_lists("", &body.0))?;
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
        WriteOutcome::Done((permissions, version)) => {
            Ok(with_etag(HttpResponse::Ok(), version, &permissions))
        }
        _ => Err(ApiError::PreconditionFailed),
    }
}
