//! The REST API: routes for each flavour and the helpers the handlers share.
//!
//! Cloud serves `/rest/api/3/...` and `/rest/api/2/...` (the same resources; v3 writes
//! descriptions as ADF) with `search/jql`, bulk fetches and the approximate count; the old
//! `/search` answers 410 as on Cloud today. Data Center serves `/rest/api/2/...` with
//! `/search` (`startAt`/`total`) and no Cloud-only resources. Both serve worklogs
//! ([`worklog`]).

pub mod admin;
pub mod cloud;
pub mod dc;
pub mod meta;
pub mod privacy;
pub mod worklog;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

use crate::data::worklog::Viewer;
use crate::gate::Principal;
use crate::http::error::{ApiResult, JiraError};
use crate::jql::{self, Compiled};
use crate::render::Renderer;
use crate::site::Flavor;
use crate::state::AppState;

/// Registers the REST API of `flavor`.
pub fn configure(cfg: &mut web::ServiceConfig, flavor: Flavor) {
    let versions: &[&str] = match flavor {
        Flavor::Cloud => &["3", "2"],
        Flavor::Dc => &["2"],
    };
    for v in versions {
        // Flavour routes first: a request the gate answers itself (a 429, a 401) never reaches
        // the router, and the counters then file it under the first pattern its path matches,
        // whatever the method. `POST /issue/bulkfetch` must not be taken for `GET /issue/{key}`.
        let scope = match flavor {
            Flavor::Cloud => web::scope(&format!("/rest/api/{v}"))
                .route("/search/jql", web::get().to(cloud::search_jql))
                .route("/search/jql", web::post().to(cloud::search_jql))
                .route(
                    "/search/approximate-count",
                    web::post().to(cloud::approximate_count),
                )
                .route(
                    "/changelog/bulkfetch",
                    web::post().to(cloud::bulk_changelog),
                )
                .route("/issue/bulkfetch", web::post().to(cloud::bulk_issues))
                .route("/search", web::route().to(cloud::search_removed)),
            Flavor::Dc => web::scope(&format!("/rest/api/{v}"))
                .route("/search", web::get().to(dc::search))
                .route("/search", web::post().to(dc::search)),
        };
        let scope = scope
            .route(
                "/issue/{key}/changelog",
                web::get().to(cloud::issue_changelog),
            )
            .route(
                "/issue/{key}/worklog",
                web::get().to(worklog::issue_worklogs),
            )
            .route("/issue/{key}/worklog/{id}", web::get().to(worklog::one))
            .route("/issue/{key}", web::get().to(cloud::issue))
            .route("/worklog/updated", web::get().to(worklog::updated))
            .route("/worklog/list", web::post().to(worklog::list))
            .route("/status", web::get().to(meta::statuses))
            .route("/statuscategory", web::get().to(meta::status_categories))
            .route("/field", web::get().to(meta::fields))
            .route("/myself", web::get().to(meta::myself))
            .route("/serverInfo", web::get().to(meta::server_info))
            .route("/project/search", web::get().to(meta::project_search))
            .route("/project", web::get().to(meta::projects))
            .route("/priority", web::get().to(meta::priorities))
            .route("/issuetype", web::get().to(meta::issue_types))
            .route("/resolution", web::get().to(meta::resolutions))
            .route("/user/groups", web::get().to(meta::user_groups));
        cfg.service(scope.default_service(web::to(not_found)));
    }
    if flavor == Flavor::Cloud {
        privacy::configure(cfg);
    }
}

async fn not_found() -> HttpResponse {
    JiraError::not_found("null for uri: the resource does not exist in jira-sim")
        .error_response_json()
}

impl JiraError {
    fn error_response_json(&self) -> HttpResponse {
        actix_web::ResponseError::error_response(self)
    }
}

/// The caller the gate authenticated.
pub fn principal(req: &HttpRequest) -> ApiResult<Principal> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(JiraError::unauthorized)
}

/// 2 or 3, from the path.
pub fn api_version(req: &HttpRequest) -> u8 {
    if req.path().starts_with("/rest/api/2/") {
        2
    } else {
        3
    }
}

/// The renderer for this request, writing timestamps in the caller's time zone.
pub fn renderer<'a>(state: &'a AppState, req: &HttpRequest) -> Renderer<'a> {
    let site = &state.data.site;
    let tz = match req.extensions().get::<Principal>() {
        Some(Principal::User(u)) => &site.users[usize::from(*u)].tz,
        _ => &site.default_tz,
    };
    Renderer {
        data: &state.data,
        base: &state.settings.base_url,
        api: api_version(req),
        flavor: state.settings.flavor,
        tz,
        viewer: match req.extensions().get::<Principal>() {
            Some(Principal::User(u)) => Viewer::User(*u),
            _ => Viewer::App,
        },
    }
}

/// Compiles a JQL for `who`, with the clock read now (relative dates are relative to now).
pub fn compile(state: &AppState, jql_text: &str, who: &Principal) -> ApiResult<Compiled> {
    let env = jql::Env {
        now_ms: jiff::Timestamp::now().as_millisecond(),
        flavor: state.settings.flavor,
        current_user: match who {
            Principal::User(u) => Some(*u),
            Principal::App(_) => None,
        },
    };
    Compiled::new(jql_text, &state.data, env).map_err(|e| JiraError {
        status: actix_web::http::StatusCode::BAD_REQUEST,
        messages: e.0,
    })
}
