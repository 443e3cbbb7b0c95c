//! Site metadata: statuses, categories, fields, projects, priorities, issue types,
//! resolutions, the caller, server info, and a user's groups.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{principal, renderer};
use crate::gate::Principal;
use crate::http::error::{ApiResult, JiraError};
use crate::http::params::Query;
use crate::site::Category;
use crate::site::Flavor;
use crate::state::AppState;

pub async fn statuses(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    Ok(HttpResponse::Ok().json(renderer(&state, &req).statuses()))
}

pub async fn status_categories(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let mut list = vec![r.undefined_category()];
    list.extend(Category::ALL.iter().map(|c| r.status_category(*c)));
    Ok(HttpResponse::Ok().json(list))
}

pub async fn fields(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    Ok(HttpResponse::Ok().json(renderer(&state, &req).fields()))
}

pub async fn priorities(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let list: Vec<Value> = (0..state.data.site.priorities.len() as u8)
        .map(|p| r.priority(p))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

pub async fn issue_types(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let list: Vec<Value> = (0..state.data.site.issue_types.len() as u8)
        .map(|t| r.issue_type(t))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

pub async fn resolutions(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let list: Vec<Value> = (0..state.data.site.resolutions.len() as u8)
        .map(|x| r.resolution(x))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

pub async fn myself(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    let who = principal(&req)?;
    let r = renderer(&state, &req);
    let mut me = match who {
        Principal::User(u) => r.user(u),
        Principal::App(key) => json!({
            "self": format!("{}/rest/api/3/user?accountId=app-{key}", state.settings.base_url),
            "accountId": format!("app-{key}"),
            "accountType": "app",
            "displayName": key,
            "active": true,
            "timeZone": "UTC",
        }),
    };
    me["locale"] = json!("en_US");
    Ok(HttpResponse::Ok().json(me))
}

pub async fn server_info(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let now = crate::data::jira_time(jiff::Timestamp::now().as_millisecond(), r.tz);
    let base = &state.settings.base_url;
    let (version, numbers, deployment) = match state.settings.flavor {
        Flavor::Cloud => ("1001.0.0-SNAPSHOT", [1001, 0, 0], "Cloud"),
        Flavor::Dc => ("10.3.4", [10, 3, 4], "Server"),
    };
    Ok(HttpResponse::Ok().json(json!({
        "baseUrl": base,
        "displayUrl": base,
        "version": version,
        "versionNumbers": numbers,
        "deploymentType": deployment,
        "buildNumber": 100284,
        "buildDate": "2026-11-01T00:00:00.000+0000",
        "serverTime": now,
        "scmInfo": "jira-sim",
        "serverTitle": "jira-sim",
        "serverTimeZone": "UTC",
    })))
}

pub async fn projects(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let r = renderer(&state, &req);
    let list: Vec<Value> = (0..state.data.site.projects.len() as u8)
        .map(|p| r.project(p))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// `GET /project/search`: `startAt`/`maxResults` (at most 100), `query`, `keys`.
pub async fn project_search(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    principal(&req)?;
    let q = Query::parse(req.query_string());
    let start = q.int("startAt")?.unwrap_or(0).max(0) as usize;
    let max = q.int("maxResults")?.unwrap_or(50).clamp(1, 100) as usize;
    let text = q.get("query").unwrap_or("").to_lowercase();
    let keys = q.all("keys");
    let site = &state.data.site;
    let mut matching: Vec<u8> = (0..site.projects.len() as u8)
        .filter(|&p| {
            let proj = &site.projects[usize::from(p)];
            (text.is_empty()
                || proj.key.to_lowercase().contains(&text)
                || proj.name.to_lowercase().contains(&text))
                && (keys.is_empty() || keys.iter().any(|k| k.eq_ignore_ascii_case(&proj.key)))
        })
        .collect();
    matching.sort_by(|a, b| {
        site.projects[usize::from(*a)]
            .key
            .cmp(&site.projects[usize::from(*b)].key)
    });
    let r = renderer(&state, &req);
    let end = (start + max).min(matching.len());
    let values: Vec<Value> = matching
        .get(start.min(matching.len())..end)
        .unwrap_or_default()
        .iter()
        .map(|&p| r.project_full(p))
        .collect();
    let base = format!(
        "{}/rest/api/{}/project/search",
        state.settings.base_url,
        super::api_version(&req)
    );
    let mut out = json!({
        "self": format!("{base}?maxResults={max}&startAt={start}"),
        "maxResults": max,
        "startAt": start,
        "total": matching.len(),
        "isLast": end >= matching.len(),
        "values": values,
    });
    if end < matching.len() {
        out["nextPage"] = json!(format!("{base}?maxResults={max}&startAt={end}"));
    }
    Ok(HttpResponse::Ok().json(out))
}

/// `GET /user/groups?accountId=...` (or `username=` on Data Center): the groups of a user.
/// Users may ask about themselves; an installed Connect app about anyone.
pub async fn user_groups(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    let who = principal(&req)?;
    let q = Query::parse(req.query_string());
    let site = &state.data.site;
    let user = q
        .get("accountId")
        .and_then(|a| site.user_by_account(a))
        .or_else(|| q.get("username").and_then(|u| site.user_by_login(u)))
        .or_else(|| q.get("key").and_then(|u| site.user_by_login(u)))
        .ok_or_else(|| {
            JiraError::not_found(
                "Specified user does not exist or you do not have required permissions",
            )
        })?;
    let allowed = match who {
        Principal::App(_) => true,
        Principal::User(u) => {
            usize::from(u) == user || site.users[usize::from(u)].groups.contains(&"site-admins")
        }
    };
    if !allowed {
        return Err(JiraError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "You do not have the permission to see the specified user's groups.",
        ));
    }
    let base = &state.settings.base_url;
    let groups: Vec<Value> = site.users[user]
        .groups
        .iter()
        .map(|g| {
            let n = crate::site::GROUPS.iter().position(|x| x == g).unwrap_or(0);
            let id = crate::site::group_id(n);
            json!({
                "name": g,
                "groupId": id,
                "self": format!("{base}/rest/api/3/group?groupId={id}"),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(groups))
}
