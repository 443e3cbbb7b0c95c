//! Data Center's search: `startAt`/`maxResults`/`total` paging, full `expand=changelog`, and
//! the 10,000-result window.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{compile, principal, renderer};
use crate::http::error::{ApiResult, JiraError};
use crate::http::params::{Query, StringList, json_body};
use crate::jql::DefaultOrder;
use crate::pages;
use crate::render::{ChangelogLimit, Expand, FieldSel};
use crate::state::AppState;

/// Data Center's default `jira.search.views.default.max`.
pub const SEARCH_MAX: usize = 1000;
/// No result past this index is served.
pub const RESULT_WINDOW: usize = 10_000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchBody {
    jql: Option<String>,
    start_at: Option<i64>,
    max_results: Option<i64>,
    fields: StringList,
    expand: StringList,
}

/// `GET`/`POST /rest/api/2/search`.
pub async fn search(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> ApiResult {
    let who = principal(&req)?;
    let q = Query::parse(req.query_string());
    let b: SearchBody = if req.method() == actix_web::http::Method::POST {
        json_body(&body)?
    } else {
        SearchBody {
            jql: q.get("jql").map(str::to_string),
            start_at: q.int("startAt")?,
            max_results: q.int("maxResults")?,
            fields: StringList::Many(q.all("fields")),
            expand: StringList::Many(q.all("expand")),
        }
    };
    let jql = b.jql.unwrap_or_default();
    let compiled = compile(&state, &jql, &who)?;
    let start = b.start_at.unwrap_or(0).max(0) as usize;
    if start >= RESULT_WINDOW {
        return Err(JiraError::bad_request(format!(
            "Retrieving results beyond the first {RESULT_WINDOW} is not supported (startAt {start}). Narrow the query, for example with a created date range, and search again."
        )));
    }
    let max = (b.max_results.unwrap_or(50).max(0) as usize)
        .min(SEARCH_MAX)
        .min(RESULT_WINDOW - start);
    let data = &state.data;
    let sel = FieldSel::parse(data, &b.fields.into_vec(), "*navigable");
    let expand = Expand::parse(&b.expand.into_vec(), ChangelogLimit::All);
    let hits = compiled.run(data, DefaultOrder::KeyAsc);
    let r = renderer(&state, &req);
    Ok(HttpResponse::Ok().json(pages::dc_search(&r, &hits, start, max, &sel, &expand)))
}
