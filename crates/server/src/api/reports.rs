//! Reports: list, get, create, update, delete, duplicate.
//!
//! A report the caller may not view answers 404, as if it did not exist. Updates name the
//! version they are based on; a stale one gets 409 with the current record.

use actix_web::{HttpRequest, HttpResponse, web};
use config::api::{NewReport, ReportAccess, ReportRecord, ReportSummary, ReportUpdate};
use config::{Limits, ReportConfig, ReportId};

use super::{
    Access, created, deleted, forge_refuses_groups, if_match, new_id, outcome, require, subject,
    with_etag,
};
use crate::auth::Caller;
use crate::body::StrictJson;
use crate::error::ApiError;
use crate::rights::{self, Right};
use crate::state::AppState;
use crate::store;

fn report_id(raw: &str) -> Result<ReportId, ApiError> {
    ReportId::parse(raw).map_err(|_| ApiError::NotFound("report"))
}

/// `GET /api/v1/reports`: the reports the caller may see, by id.
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let Access {
        subject,
        permissions,
        ..
    } = Access::of(&state, &caller).await?;
    let tenant = caller.tenant.id;
    let reports = state
        .db
        .run(move |c| Ok(store::reports(tenant, c)?))
        .await?;
    let list: Vec<ReportSummary> = reports
        .into_iter()
        .filter(|r| subject.can_view(r))
        .map(|r| ReportSummary {
            can_edit: subject.can_edit(&permissions, &r),
            id: r.id,
            version: r.version,
            name: r.config.name,
            description: r.config.description,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// The report `id` if the caller may see it.
async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &ReportId,
) -> Result<ReportRecord, ApiError> {
    let tenant = caller.tenant.id;
    let key = id.clone();
    let found = state
        .db
        .run(move |c| Ok(store::report(tenant, c, &key)?))
        .await?
        .ok_or(ApiError::NotFound("report"))?;
    // Unrestricted reports need no group lookup to be read.
    if found.access.viewers.is_empty() || subject(state, caller).await?.can_view(&found) {
        Ok(found)
    } else {
        Err(ApiError::NotFound("report"))
    }
}

/// `GET /api/v1/reports/{id}`.
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = report_id(&path)?;
    let report = visible(&state, &caller, &id).await?;
    Ok(with_etag(HttpResponse::Ok(), report.version, &report))
}

/// `POST /api/v1/reports`: needs the edit-reports right.
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: StrictJson<NewReport>,
) -> Result<HttpResponse, ApiError> {
    require(
        &state,
        &caller,
        Right::EditReports,
        "you may not create reports",
    )
    .await?;
    let NewReport { config, access } = body.0;
    forge_refuses_groups(&caller, rights::access_lists("/access", &access))?;
    insert_new(&state, &caller, config, access).await
}

/// Stores a new report owned by the caller, and answers 201 with it.
async fn insert_new(
    state: &AppState,
    caller: &Caller,
    config: ReportConfig,
    access: ReportAccess,
) -> Result<HttpResponse, ApiError> {
    let tenant = caller.tenant.id;
    let now = jiff::Timestamp::now();
    let record = ReportRecord {
        id: ReportId::parse(new_id("rep")?).map_err(anyhow::Error::from)?,
        version: 1,
        config,
        access,
        created_at: now,
        updated_at: now,
        created_by: caller.account.clone(),
        updated_by: caller.account.clone(),
    };
    let written = state
        .db
        .run(move |c| Ok(store::insert_report(tenant, c, &record)?))
        .await?;
    let record = outcome(written, "report")?;
    Ok(created(
        format!("/api/v1/reports/{}", record.id),
        record.version,
        &record,
    ))
}

/// `PUT /api/v1/reports/{id}`: the whole new state and the version it is based on.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: StrictJson<ReportUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = report_id(&path)?;
    let current = visible(&state, &caller, &id).await?;
    let access = Access::of(&state, &caller).await?;
    if !access.subject.can_edit(&access.permissions, &current) {
        return Err(ApiError::Forbidden("you may not edit this report"));
    }
    let tenant = caller.tenant.id;
    if if_match(&req)?.is_some_and(|v| v != current.version) {
        return Err(ApiError::PreconditionFailed);
    }
    let ReportUpdate {
        version,
        config,
        access,
    } = body.0;
    forge_refuses_groups(&caller, rights::access_lists("/access", &access))?;
    let now = jiff::Timestamp::now();
    let actor = caller.account.clone();
    let written = state
        .db
        .run(move |c| {
            Ok(store::update_report(
                tenant, c, &id, version, config, access, now, &actor,
            )?)
        })
        .await?;
    let record = outcome(written, "report")?;
    Ok(with_etag(HttpResponse::Ok(), record.version, &record))
}

/// `DELETE /api/v1/reports/{id}`, optionally `If-Match: "<version>"`.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = report_id(&path)?;
    let expected = if_match(&req)?;
    let current = visible(&state, &caller, &id).await?;
    let access = Access::of(&state, &caller).await?;
    if !access.subject.can_edit(&access.permissions, &current) {
        return Err(ApiError::Forbidden("you may not delete this report"));
    }
    let tenant = caller.tenant.id;
    let written = state
        .db
        .run(move |c| Ok(store::delete_report(tenant, c, &id, expected)?))
        .await?;
    deleted(written, "report")
}

/// `POST /api/v1/reports/{id}/duplicate`: a copy owned by the caller, named "Copy of ...".
pub async fn duplicate(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = report_id(&path)?;
    let source = visible(&state, &caller, &id).await?;
    require(
        &state,
        &caller,
        Right::EditReports,
        "you may not create reports",
    )
    .await?;
    let mut config = source.config;
    config.name = copy_name(&config.name);
    insert_new(&state, &caller, config, source.access).await
}

/// "Copy of <name>", cut to the name limit.
fn copy_name(name: &str) -> String {
    format!("Copy of {name}")
        .chars()
        .take(Limits::NAME_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_names_stay_within_the_limit() {
        let long = "x".repeat(config::Limits::NAME_CHARS);
        assert_eq!(
            super::copy_name(&long).chars().count(),
            config::Limits::NAME_CHARS
        );
        assert_eq!(super::copy_name("Cycle"), "Copy of Cycle");
    }
}
