//! `/api/v1`: the versioned JSON API. Every handler takes a verified [`Caller`], so the tenant
//! comes from the token; every handler checks the caller's rights before it reads or writes.
//! One check does it: [`require`] for a tenant-wide [`Right`], [`Access`] for a report's own
//! viewers and editors.

mod permissions;
mod reports;
mod shared;
mod transfer;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use config::api::{Permissions, Principal};
use config::{StatusGroup, ValidationError, WorkCalendar};
use serde::Serialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{self, Right, Subject};
use crate::state::AppState;
use crate::store::{self, Platform, WriteOutcome};

/// Registers every `/api/v1` route on `cfg` (mounted under `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(permissions::me))
        .service(
            web::resource("/reports")
                .route(web::get().to(reports::list))
                .route(web::post().to(reports::create)),
        )
        .service(
            web::resource("/reports/{id}")
                .route(web::get().to(reports::get))
                .route(web::put().to(reports::update))
                .route(web::delete().to(reports::delete)),
        )
        .route(
            "/reports/{id}/duplicate",
            web::post().to(reports::duplicate),
        )
        .service(
            web::resource("/calendars")
                .route(web::get().to(shared::list::<WorkCalendar>))
                .route(web::post().to(shared::create::<WorkCalendar>)),
        )
        .service(
            web::resource("/calendars/{id}")
                .route(web::get().to(shared::get::<WorkCalendar>))
                .route(web::put().to(shared::update::<WorkCalendar>))
                .route(web::delete().to(shared::delete::<WorkCalendar>)),
        )
        .service(
            web::resource("/status-groups")
                .route(web::get().to(shared::list::<StatusGroup>))
                .route(web::post().to(shared::create::<StatusGroup>)),
        )
        .service(
            web::resource("/status-groups/{id}")
                .route(web::get().to(shared::get::<StatusGroup>))
                .route(web::put().to(shared::update::<StatusGroup>))
                .route(web::delete().to(shared::delete::<StatusGroup>)),
        )
        .service(
            web::resource("/permissions")
                .route(web::get().to(permissions::get_permissions))
                .route(web::put().to(permissions::put_permissions)),
        )
        .route("/export", web::get().to(transfer::export))
        .route("/import", web::post().to(transfer::import))
        .route("/tenant", web::delete().to(transfer::delete_tenant));
}

/// The caller as the permission rules see them. The tenant's named admins (`tenant_admins`:
/// on Forge the installer, on both the operator's grants for this one site) need no lookup;
/// on Connect everyone else's groups come from the tenant's Jira (cached). On Forge there is
/// no Jira to ask (see [`crate::rights`]).
pub(crate) async fn subject(state: &AppState, caller: &Caller) -> Result<Subject, ApiError> {
    let tenant = caller.tenant.id;
    let admins = state
        .db
        .run(move |c| Ok(store::tenant_admins(tenant, c)?))
        .await?;
    if caller.tenant.platform == Platform::Forge {
        return Ok(Subject::forge(caller.account.clone(), &admins));
    }
    let groups = if admins.iter().any(|a| a == caller.account.as_str()) {
        Default::default()
    } else {
        state
            .directory
            .groups(&caller.tenant, &caller.account)
            .await?
    };
    Ok(Subject::new(
        caller.account.clone(),
        groups,
        &admins,
        &state.settings.admin_groups,
    ))
}

/// Refuses group grants on a Forge tenant, naming each by its JSON path: the server cannot
/// check group membership there, and a grant that silently matched nobody would mislead.
pub(crate) fn forge_refuses_groups<'a>(
    caller: &Caller,
    lists: impl IntoIterator<Item = (String, &'a [Principal])>,
) -> Result<(), ApiError> {
    if caller.tenant.platform != Platform::Forge {
        return Ok(());
    }
    let found = rights::group_grants(lists);
    if found.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid(
        "group grants are not available on Forge",
        found
            .into_iter()
            .map(|path| ValidationError {
                path,
                message: rights::FORGE_NO_GROUPS.into(),
            })
            .collect(),
    ))
}

/// The caller as the rules see them, with the tenant's grants (and their version).
pub(crate) struct Access {
    pub subject: Subject,
    pub permissions: Permissions,
    pub version: u64,
}

impl Access {
    /// Loads the caller's subject and the tenant's grants.
    pub(crate) async fn of(state: &AppState, caller: &Caller) -> Result<Access, ApiError> {
        let subject = subject(state, caller).await?;
        let tenant = caller.tenant.id;
        let (permissions, version) = state
            .db
            .run(move |c| Ok(store::permissions(tenant, c)?))
            .await?;
        Ok(Access {
            subject,
            permissions,
            version,
        })
    }
}

/// The one rights check: the caller's access if they hold `right`, else 403 with `refusal`.
pub(crate) async fn require(
    state: &AppState,
    caller: &Caller,
    right: Right,
    refusal: &'static str,
) -> Result<Access, ApiError> {
    let access = Access::of(state, caller).await?;
    if access.subject.holds(&access.permissions, right) {
        Ok(access)
    } else {
        Err(ApiError::Forbidden(refusal))
    }
}

/// The strong ETag of a record version: `"3"`.
pub(crate) fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names: `None` without the header or with `*`.
pub(crate) fn if_match(req: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("malformed If-Match header".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("If-Match must be a version ETag such as \"3\"".into()))
}

/// A JSON response with an ETag and no caching.
pub(crate) fn with_etag<T: Serialize>(
    mut builder: actix_web::HttpResponseBuilder,
    version: u64,
    body: &T,
) -> HttpResponse {
    builder.insert_header((header::ETAG, etag(version)));
    builder.json(body)
}

/// Turns a store outcome into the record or the matching error. A version conflict answers
/// 409 with the current record as the body.
pub(crate) fn outcome<T: Serialize>(w: WriteOutcome<T>, what: &'static str) -> Result<T, ApiError> {
    match w {
        WriteOutcome::Done(t) => Ok(t),
        WriteOutcome::NotFound => Err(ApiError::NotFound(what)),
        WriteOutcome::Conflict(current) => Err(ApiError::VersionConflict(
            serde_json::to_value(current).map_err(anyhow::Error::from)?,
        )),
        WriteOutcome::UnknownReference { path, message } => {
            Err(ApiError::invalid_at(path, message))
        }
        WriteOutcome::LimitReached(m) => Err(ApiError::LimitReached(m)),
        WriteOutcome::InUse(reports) => Err(ApiError::InUse(format!(
            "the {what} is used by {} report{}: {}",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
            reports
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A delete's outcome: a stale `If-Match` is 412 rather than 409.
pub(crate) fn deleted(w: WriteOutcome<()>, what: &'static str) -> Result<HttpResponse, ApiError> {
    match w {
        WriteOutcome::Conflict(()) => Err(ApiError::PreconditionFailed),
        other => outcome(other, what).map(|()| HttpResponse::NoContent().finish()),
    }
}

/// A fresh server-assigned id: `prefix_` and 20 hex digits of randomness.
pub(crate) fn new_id(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!("{prefix}_{}", hex::encode(bytes)))
}

pub(crate) fn created<T: Serialize>(location: String, version: u64, body: &T) -> HttpResponse {
    let mut b = HttpResponse::Created();
    if let Ok(v) = HeaderValue::from_str(&location) {
        b.insert_header((header::LOCATION, v));
    }
    with_etag(b, version, body)
}
