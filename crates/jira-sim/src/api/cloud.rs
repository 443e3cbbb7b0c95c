//! Cloud's issue resources: enhanced search, the approximate count, bulk fetches of issues and
//! changelogs, one issue and its changelog pages.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{compile, principal, renderer};
use crate::data::{Dataset, Issue};
use crate::gate::Principal;
use crate::http::error::{ApiResult, JiraError};
use crate::http::params::{Query, StringList, json_body};
use crate::http::token;
use crate::jql::{Compiled, DefaultOrder};
use crate::pages;
use crate::render::{ChangelogLimit, Expand, FieldSel};
use crate::site::Flavor;
use crate::state::AppState;

/// Cloud's embedded changelogs (search and issue bulk fetch) hold at most this many histories.
pub const EMBEDDED_CHANGELOG_MAX: usize = 40;
/// Cloud pages up to 5000 issues when only ids (or keys) are asked for...
pub const SEARCH_MAX_IDS: usize = 5000;
/// ...up to 100 with a few fields...
pub const SEARCH_MAX_FIELDS: usize = 100;
/// ...and up to 50 with many fields (10 or more, `*all`, `*navigable`) or changelogs.
pub const SEARCH_MAX_HEAVY: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SearchBody {
    jql: Option<String>,
    next_page_token: Option<String>,
    max_results: Option<i64>,
    fields: StringList,
    expand: StringList,
}

/// `GET`/`POST /rest/api/{2,3}/search/jql`.
pub async fn search_jql(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> ApiResult {
    let who = principal(&req)?;
    let q = Query::parse(req.query_string());
    let b: SearchBody = if req.method() == actix_web::http::Method::POST {
        json_body(&body)?
    } else {
        SearchBody {
            jql: q.get("jql").map(str::to_string),
            next_page_token: q.get("nextPageToken").map(str::to_string),
            max_results: q.int("maxResults")?,
            fields: StringList::Many(q.all("fields")),
            expand: StringList::Many(q.all("expand")),
        }
    };
    let jql = b.jql.unwrap_or_default();
    let compiled = compile_bounded(&state, &jql, &who)?;
    let max_results = b.max_results.unwrap_or(50);
    JiraError::bad_request_unless(
        (1..=5000).contains(&max_results),
        "The max results parameter has to be between 1 and 5,000.",
    )?;
    let data = &state.data;
    let sel = FieldSel::parse(data, &b.fields.into_vec(), "id");
    let expand = Expand::parse(
        &b.expand.into_vec(),
        ChangelogLimit::NewestFirst(EMBEDDED_CHANGELOG_MAX),
    );
    let cap = if sel.ids_only() && expand.changelog.is_none() {
        SEARCH_MAX_IDS
    } else if sel.fields.len() >= 10 || expand.changelog.is_some() {
        SEARCH_MAX_HEAVY
    } else {
        SEARCH_MAX_FIELDS
    };
    let page = (max_results as usize).min(cap);
    let fp = token::fingerprint(&["search/jql", &jql]);
    let offset = token::decode(b.next_page_token.as_deref(), &fp)?;
    let hits = compiled.run(data, DefaultOrder::CreatedDesc);
    let r = renderer(&state, &req);
    Ok(HttpResponse::Ok().json(pages::search_jql(
        &r, &hits, offset, page, &sel, &expand, &fp,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CountBody {
    jql: Option<String>,
}

/// `POST /rest/api/{2,3}/search/approximate-count`. jira-sim's count is exact.
pub async fn approximate_count(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> ApiResult {
    let who = principal(&req)?;
    let b: CountBody = json_body(&body)?;
    let compiled = compile_bounded(&state, b.jql.as_deref().unwrap_or(""), &who)?;
    let count = state
        .data
        .issues
        .iter()
        .filter(|i| compiled.matches(&state.data, i))
        .count();
    Ok(HttpResponse::Ok().json(json!({"count": count})))
}

/// The query compiled for `who`; refused, as Cloud's searches do, when it has no search
/// restriction.
fn compile_bounded(state: &AppState, jql: &str, who: &Principal) -> ApiResult<Compiled> {
    let compiled = compile(state, jql, who)?;
    JiraError::bad_request_unless(
        compiled.is_bounded(),
        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
    )?;
    Ok(compiled)
}

/// The issues a bulk fetch names by id or key, in request order, each once; unknown ones are
/// left out, as Jira does for issues the caller cannot see. Refused unless it names 1 to `max`.
fn named_issues<'d>(
    data: &'d Dataset,
    ids_or_keys: &[String],
    max: usize,
) -> ApiResult<Vec<&'d Issue>> {
    JiraError::bad_request_unless(
        (1..=max).contains(&ids_or_keys.len()),
        &format!("issueIdsOrKeys must contain between 1 and {max} issue ids or keys."),
    )?;
    let mut seen = std::collections::HashSet::new();
    Ok(ids_or_keys
        .iter()
        .filter_map(|k| data.find(k))
        .filter(|i| seen.insert(i.id))
        .collect())
}

/// `/rest/api/{2,3}/search` on Cloud: removed in favour of `search/jql`.
pub async fn search_removed() -> ApiResult {
    Err(JiraError::new(
        actix_web::http::StatusCode::GONE,
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.",
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct BulkIssuesBody {
    issue_ids_or_keys: Vec<String>,
    fields: StringList,
    expand: StringList,
}

/// `POST /rest/api/{2,3}/issue/bulkfetch`: up to 100 issues by id or key, in request order;
/// unknown ones are left out, as Jira does for issues the caller cannot see.
pub async fn bulk_issues(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> ApiResult {
    principal(&req)?;
    let b: BulkIssuesBody = json_body(&body)?;
    let data = &state.data;
    let issues = named_issues(data, &b.issue_ids_or_keys, 100)?;
    let sel = FieldSel::parse(data, &b.fields.into_vec(), "*navigable");
    let expand = Expand::parse(
        &b.expand.into_vec(),
        ChangelogLimit::NewestFirst(EMBEDDED_CHANGELOG_MAX),
    );
    let r = renderer(&state, &req);
    let issues: Vec<Value> = issues
        .into_iter()
        .map(|i| r.issue(i, &sel, &expand))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"issues": issues, "issueErrors": []})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct BulkChangelogBody {
    issue_ids_or_keys: Vec<String>,
    field_ids: Vec<String>,
    max_results: Option<i64>,
    next_page_token: Option<String>,
}

/// `POST /rest/api/{2,3}/changelog/bulkfetch`: the histories of up to 1000 issues, ordered by
/// date, then issue id, then history id, and paged by history, so one issue's histories can
/// continue on the next page. With `fieldIds`, only those items (and histories with any).
pub async fn bulk_changelog(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> ApiResult {
    principal(&req)?;
    let b: BulkChangelogBody = json_body(&body)?;
    let data = &state.data;
    let issues = named_issues(data, &b.issue_ids_or_keys, 1000)?;
    JiraError::bad_request_unless(
        b.field_ids.len() <= 10,
        "fieldIds must contain at most 10 field ids.",
    )?;
    let max_results = b.max_results.unwrap_or(1000);
    JiraError::bad_request_unless(
        (1..=10_000).contains(&max_results),
        "maxResults must be between 1 and 10000.",
    )?;
    let only = (!b.field_ids.is_empty()).then_some(b.field_ids.as_slice());
    let r = renderer(&state, &req);
    let entries = pages::bulk_changelog_entries(&r, &issues, only);
    let fp = pages::bulk_changelog_fingerprint(&issues, &b.field_ids);
    let offset = token::decode(b.next_page_token.as_deref(), &fp)?;
    Ok(HttpResponse::Ok().json(pages::bulk_changelog(
        &r,
        &issues,
        &entries,
        only,
        offset,
        max_results as usize,
        &fp,
    )))
}

/// The issue a path names by id or key, for a signed-in caller.
fn named_issue<'d>(req: &HttpRequest, data: &'d Dataset, id_or_key: &str) -> ApiResult<&'d Issue> {
    principal(req)?;
    data.find(id_or_key).ok_or_else(JiraError::issue_not_found)
}

/// `GET /rest/api/{2,3}/issue/{key}`: fields default to `*all`; `expand=changelog` gives the
/// newest 100 histories newest first on Cloud, every history oldest first on Data Center.
pub async fn issue(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> ApiResult {
    let data = &state.data;
    let issue = named_issue(&req, data, &path)?;
    let q = Query::parse(req.query_string());
    let sel = FieldSel::parse(data, &q.all("fields"), "*all");
    let limit = match state.settings.flavor {
        Flavor::Cloud => ChangelogLimit::NewestFirst(100),
        Flavor::Dc => ChangelogLimit::All,
    };
    let expand = Expand::parse(&q.all("expand"), limit);
    Ok(HttpResponse::Ok().json(renderer(&state, &req).issue(issue, &sel, &expand)))
}

/// `GET /rest/api/{2,3}/issue/{key}/changelog`: oldest first, `startAt`/`maxResults` (at most
/// 100), `total`, `isLast`.
pub async fn issue_changelog(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> ApiResult {
    let data = &state.data;
    let issue = named_issue(&req, data, &path)?;
    let q = Query::parse(req.query_string());
    let start = q.int("startAt")?.unwrap_or(0).max(0) as usize;
    let max = q.int("maxResults")?.unwrap_or(100).clamp(1, 100) as usize;
    let hs = data.histories_of(issue);
    let end = (start + max).min(hs.len());
    let r = renderer(&state, &req);
    let values: Vec<Value> = hs
        .get(start.min(hs.len())..end)
        .unwrap_or_default()
        .iter()
        .map(|h| r.history(h, None))
        .collect();
    let base = format!(
        "{}/rest/api/{}/issue/{}/changelog",
        state.settings.base_url,
        super::api_version(&req),
        issue.id
    );
    let is_last = end >= hs.len();
    let mut out = json!({
        "self": format!("{base}?maxResults={max}&startAt={start}"),
        "maxResults": max,
        "startAt": start,
        "total": hs.len(),
        "isLast": is_last,
        "values": values,
    });
    if !is_last {
        out["nextPage"] = json!(format!("{base}?maxResults={max}&startAt={end}"));
    }
    Ok(HttpResponse::Ok().json(out))
}
