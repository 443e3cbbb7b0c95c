//! Atlassian's personal data reporting API: for Connect apps
//! `POST /rest/atlassian-connect/latest/report-accounts`, as the app (a Connect JWT); for Forge
//! apps `POST /app/report-accounts`, as `@forge/api`'s `privacy.reportPersonalData` sends it
//! through the Forge runtime (served by [`crate::forge::runtime`], answered here).
//!
//! An app reports the account ids it stores, at most 90 a request, each with the time it last
//! refreshed what it holds about the account (`updatedAt`). Jira answers 204 when nothing is to
//! be done, or 200 with the accounts the app must act on: `closed` (erase the account's
//! personal data) or `updated` (refresh what was copied). Which accounts are closed or updated is
//! a knob of the simulator (`POST /_sim/accounts`, which can also refuse the next requests with
//! 429 and `Retry-After: 1`), and every batch received is kept for tests
//! (`GET /_sim/accounts/reported`), so a test sees exactly what an app sent.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::principal;
use crate::gate::Principal;
use crate::http::error::{ApiResult, JiraError};
use crate::state::{AppState, ReportedAccount, ReportedBatch};

/// The most accounts one request may carry.
pub const MAX_ACCOUNTS: usize = 90;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    accounts: Vec<ReportedAccount>,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/rest/atlassian-connect/latest/report-accounts",
        web::post().to(report_accounts),
    )
    .route(
        "/rest/atlassian-connect/latest/report-accounts/",
        web::post().to(report_accounts),
    );
}

async fn report_accounts(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let Principal::App(app_key) = principal(&req)? else {
        return Err(JiraError::new(
            StatusCode::FORBIDDEN,
            "Only apps may report the accounts they store.",
        ));
    };
    answer(&state, app_key, &body)
}

/// Checks a report's body and answers it as Jira does, recording the batch; `app` names the
/// app (a Connect app key, a Forge app id).
pub fn answer(state: &AppState, app_key: String, body: &[u8]) -> ApiResult<HttpResponse> {
    let report: Report = serde_json::from_slice(body)
        .map_err(|e| JiraError::bad_request(format!("Invalid request payload: {e}")))?;
    if report.accounts.is_empty() || report.accounts.len() > MAX_ACCOUNTS {
        return Err(JiraError::bad_request(format!(
            "Between 1 and {MAX_ACCOUNTS} accounts may be reported at a time."
        )));
    }
    if let Some(bad) = report
        .accounts
        .iter()
        .find(|a| !a.updated_at.ends_with('Z') || a.updated_at.parse::<jiff::Timestamp>().is_err())
    {
        return Err(JiraError::bad_request(format!(
            "updatedAt {:?} is not an ISO 8601 UTC time",
            bad.updated_at
        )));
    }
    let mut statuses = state.privacy.lock().unwrap_or_else(|p| p.into_inner());
    if statuses.throttle > 0 {
        statuses.throttle -= 1;
        statuses.throttled += 1;
        return Ok(HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "1"))
            .json(json!({"message": "Rate limit exceeded."})));
    }
    let answer: Vec<_> = report
        .accounts
        .iter()
        .filter_map(|a| {
            if statuses.closed.contains(&a.account_id) {
                Some(json!({"accountId": a.account_id, "status": "closed"}))
            } else if statuses.updated.contains(&a.account_id) {
                Some(json!({"accountId": a.account_id, "status": "updated"}))
            } else {
                None
            }
        })
        .collect();
    statuses.reported.push(ReportedBatch {
        app_key,
        accounts: report.accounts,
    });
    Ok(if answer.is_empty() {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Ok().json(json!({ "accounts": answer }))
    })
}

/// `POST /_sim/accounts`: `{"closed": [ids], "updated": [ids]}` replace the directory's
/// answers; `"throttle": n` refuses the next n reports with 429.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knob {
    #[serde(default)]
    closed: BTreeSet<String>,
    #[serde(default)]
    updated: BTreeSet<String>,
    #[serde(default)]
    throttle: u32,
}

pub async fn set_statuses(knob: web::Json<Knob>, state: web::Data<AppState>) -> HttpResponse {
    let knob = knob.into_inner();
    let mut statuses = state.privacy.lock().unwrap_or_else(|p| p.into_inner());
    statuses.closed = knob.closed;
    statuses.updated = knob.updated;
    statuses.throttle = knob.throttle;
    HttpResponse::NoContent().finish()
}

/// `GET /_sim/accounts/reported`: every batch apps reported, oldest first.
pub async fn reported(state: web::Data<AppState>) -> HttpResponse {
    let statuses = state.privacy.lock().unwrap_or_else(|p| p.into_inner());
    HttpResponse::Ok()
        .json(json!({ "batches": statuses.reported, "throttled": statuses.throttled }))
}
