//! Worklogs, Cloud (`/rest/api/3` and `/2`) and Data Center (`/rest/api/2`) alike:
//! - `GET /issue/{idOrKey}/worklog`: `PageOfWorklogs`, oldest first, `startAt`, `maxResults`
//!   (default and cap 5000), `startedAfter` (on or after) and `startedBefore` (strictly before)
//!   in epoch milliseconds;
//! - `GET /issue/{idOrKey}/worklog/{id}`: one worklog (where every worklog's `self` points);
//! - `GET /worklog/updated?since=`: the ids of worklogs updated after `since` (epoch ms), 1000
//!   a page, oldest first, `nextPage` and `lastPage`, leaving out the last minute;
//! - `POST /worklog/list` `{"ids": [...]}`: up to 1000 worklogs; more is a 400.
//!
//! Every answer holds only what the caller may see (see [`crate::data::worklog::Restriction`]).
//! Comments are ADF on v3 and text on v2; authors are accountIds on Cloud, username/key on Data
//! Center ([`crate::render::Renderer::worklog`]).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{principal, renderer};
use crate::http::error::{ApiResult, JiraError};
use crate::http::params::{Query, json_body};
use crate::pages;
use crate::state::AppState;

/// The most worklogs one issue page holds (and the default).
pub const ISSUE_WORKLOGS_MAX: i64 = 5000;
/// The most ids `worklog/list` takes.
pub const LIST_MAX: usize = 1000;

/// `GET /rest/api/{2,3}/issue/{idOrKey}/worklog`.
pub async fn issue_worklogs(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> ApiResult {
    principal(&req)?;
    let issue = state
        .data
        .find(&path)
        .ok_or_else(JiraError::issue_not_found)?;
    let q = Query::parse(req.query_string());
    let start = q.int("startAt")?.unwrap_or(0).max(0) as usize;
    let max = q
        .int("maxResults")?
        .unwrap_or(ISSUE_WORKLOGS_MAX)
        .clamp(0, ISSUE_WORKLOGS_MAX) as usize;
    let after = q.int("startedAfter")?;
    let before = q.int("startedBefore")?;
    let r = renderer(&state, &req);
    Ok(HttpResponse::Ok().json(pages::issue_worklogs(&r, issue, start, max, after, before)))
}

/// `GET /rest/api/{2,3}/issue/{idOrKey}/worklog/{id}`: 404 when the issue has no such worklog
/// or the caller may not see it, as Jira answers.
pub async fn one(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> ApiResult {
    principal(&req)?;
    let (key, id) = path.into_inner();
    let data = &state.data;
    let issue = data.find(&key).ok_or_else(JiraError::issue_not_found)?;
    let r = renderer(&state, &req);
    let not_found = || {
        JiraError::not_found(format!(
            "Cannot find worklog with id: '{id}' for the issue '{key}'."
        ))
    };
    let wanted: i64 = id.parse().map_err(|_| not_found())?;
    let w = r
        .visible_worklogs(issue)
        .find(|w| i64::from(w.id) == wanted)
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(r.worklog(w)))
}

/// `GET /rest/api/{2,3}/worklog/updated?since=`.
pub async fn updated(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let q = Query::parse(req.query_string());
    let since = q.int("since")?.unwrap_or(0).max(0);
    let until_cap = jiff::Timestamp::now().as_millisecond() - 60_000;
    let r = renderer(&state, &req);
    Ok(HttpResponse::Ok().json(pages::worklogs_updated(&r, since, until_cap)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListBody {
    ids: Option<Vec<i64>>,
}

/// `POST /rest/api/{2,3}/worklog/list`.
pub async fn list(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let b: ListBody = json_body(&body)?;
    let Some(ids) = b.ids else {
        return Err(JiraError::bad_request("ids: must not be null."));
    };
    if ids.len() > LIST_MAX {
        return Err(JiraError::bad_request(format!(
            "The number of worklog ids must be at most {LIST_MAX}; {} were given.",
            ids.len()
        )));
    }
    let r = renderer(&state, &req);
    Ok(HttpResponse::Ok().json(pages::worklog_list(&r, &ids)))
}
