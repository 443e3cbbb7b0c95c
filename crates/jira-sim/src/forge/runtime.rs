//! The Forge runtime's network side for an app's functions: what a `scheduledTrigger`'s function
//! reaches through `@forge/api`, which sends every call through the runtime's global
//! `__forge_fetch__(target, path, init)`.
//!
//! - `POST /_sim/forge/scheduled/{key}` fires the scheduled trigger `key`: it opens a run of
//!   its function for the current installation and answers what the runtime hands the
//!   function (the event `{context: {cloudId, moduleKey}, contextToken}` and the context
//!   `{installContext, installation}`, no `principal`: scheduled triggers run without a user),
//!   the function's `handler`, and the run's token. A runner (`xtask/forge/run-scheduled.cjs`)
//!   then runs the app's real JS under node, its `__forge_fetch__` sending each call here with
//!   `Authorization: Bearer <run token>`, the stand-in for the real runtime's own credential.
//! - `POST /app/report-accounts`: `privacy.reportPersonalData` (target `{type: 'fpp',
//!   provider: 'app', remote: 'stargate'}`, Atlassian's API gateway), answered by
//!   [`crate::api::privacy::answer`] when the manifest has the `report:personal-data` scope.
//! - `/_sim/forge/runtime/remote/{remoteKey}/{path}`: `invokeRemote(remoteKey, {path})`
//!   (target `{type: 'frc', remote}`), forwarded to the remote's base URL with a Forge
//!   Invocation Token of the run: no `principal`, no UI context, `app.module` the scheduled
//!   trigger (`core:scheduledTrigger`; what real tokens of a function's call carry there is
//!   not documented (?), so the app's remote must not rely on it).
//!
//! The design decision: the simulator plays the runtime's network, not the runtime. The app's
//! function and Atlassian's `@forge/api` run unchanged under node; only the one global the
//! package calls is provided, so what reaches the network is what the package sends.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::fit::{Invocation, uuid_v4};
use super::{ForgeHost, ForgeInstallation};
use crate::state::AppState;

/// How long a run's token is good for: the longest a Forge function may run (900 s).
pub const RUN_LIFETIME: Duration = Duration::from_secs(900);

/// The scope `privacy.reportPersonalData` needs.
pub const REPORT_SCOPE: &str = "report:personal-data";

/// A function run a scheduled trigger opened.
#[derive(Debug, Clone)]
pub struct Run {
    pub trigger: String,
    pub installation: ForgeInstallation,
    pub started: Instant,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/app/report-accounts", web::post().to(report_accounts))
        .route(
            "/_sim/forge/scheduled/{key}",
            web::post().to(fire_scheduled),
        )
        .route(
            "/_sim/forge/runtime/remote/{remote}/{tail:.*}",
            web::route().to(invoke_remote),
        );
}

fn refuse(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json(json!({"message": message.into()}))
}

#[allow(clippy::result_large_err)]
fn host(forge: Option<&web::Data<ForgeHost>>) -> Result<&ForgeHost, HttpResponse> {
    forge.map(web::Data::get_ref).ok_or_else(|| {
        refuse(
            StatusCode::NOT_FOUND,
            "this simulator plays no Forge app: start it with --forge-manifest PATH",
        )
    })
}

/// The open run `req`'s `Authorization: Bearer` names, or the refusal.
#[allow(clippy::result_large_err)]
fn run_of(req: &HttpRequest, host: &ForgeHost) -> Result<Run, HttpResponse> {
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            refuse(
                StatusCode::UNAUTHORIZED,
                "only a function the Forge runtime runs may call this",
            )
        })?;
    let mut runs = host
        .runs
        .lock()
        .map_err(|_| refuse(StatusCode::INTERNAL_SERVER_ERROR, "runs poisoned"))?;
    runs.retain(|_, r| r.started.elapsed() < RUN_LIFETIME);
    let run = runs
        .get(token)
        .cloned()
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "no such function run"))?;
    if host.current().map(|i| i.id) != Some(run.installation.id.clone()) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "the app was uninstalled since the run started",
        ));
    }
    Ok(run)
}

/// `POST /_sim/forge/scheduled/{key}`.
async fn fire_scheduled(
    path: web::Path<String>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let host = match host(forge.as_ref()) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let key = path.into_inner();
    let Some(trigger) = host.app.scheduled_trigger(&key) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("the manifest has no scheduledTrigger {key:?}"),
        );
    };
    let Some(function) = host.app.function(&trigger.function) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("no function {:?}", trigger.function),
        );
    };
    let Some(installation) = host.current() else {
        return refuse(StatusCode::CONFLICT, "the app is not installed");
    };
    let token = format!("{}{}", uuid_v4(), uuid_v4()).replace('-', "");
    let answer = json!({
        "trigger": trigger.key,
        "interval": trigger.interval,
        "function": {"key": function.key, "handler": function.handler},
        "token": token,
        "event": {
            "context": {"cloudId": host.cloud_id, "moduleKey": trigger.key},
            "contextToken": uuid_v4(),
        },
        "context": {
            "installContext": host.site_ari(),
            "installation": {
                "ari": {"installationId": installation.id},
                "contexts": [host.site_ari()],
            },
        },
    });
    match host.runs.lock() {
        Ok(mut runs) => {
            runs.insert(
                token,
                Run {
                    trigger: trigger.key.clone(),
                    installation,
                    started: Instant::now(),
                },
            );
        }
        Err(_) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "runs poisoned"),
    }
    HttpResponse::Ok().json(answer)
}

/// `POST /app/report-accounts`: `privacy.reportPersonalData`, as the app.
async fn report_accounts(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let host = match host(forge.as_ref()) {
        Ok(h) => h,
        Err(r) => return r,
    };
    if let Err(r) = run_of(&req, host) {
        return r;
    }
    if !host
        .app
        .permissions
        .scopes
        .iter()
        .any(|s| s == REPORT_SCOPE)
    {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("the app's manifest does not declare the scope {REPORT_SCOPE}"),
        );
    }
    match crate::api::privacy::answer(&state, host.app.id.clone(), &body) {
        Ok(r) => r,
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}

/// `/_sim/forge/runtime/remote/{remoteKey}/{path}`: `invokeRemote` from a function.
async fn invoke_remote(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let host = match host(forge.as_ref()) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let run = match run_of(&req, host) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (key, tail) = path.into_inner();
    // As @forge/api's own check: an unknown remote is the proxy's INVALID_REMOTE.
    let Some(remote) = host.app.remote(&key) else {
        return HttpResponse::BadRequest()
            .insert_header(("forge-proxy-error", "INVALID_REMOTE"))
            .json(json!({"message": format!("the manifest has no remote {key:?}")}));
    };
    if !remote.operations.iter().any(|o| o == "compute") {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("remote {key:?} lacks `compute` in its operations: functions cannot invoke it"),
        );
    }
    let mut url = format!("{}/{tail}", remote.base_url);
    if !req.query_string().is_empty() {
        url.push('?');
        url.push_str(req.query_string());
    }
    let inv = Invocation {
        module_type: "core:scheduledTrigger".into(),
        module_key: run.trigger.clone(),
        context: Some(json!({"cloudId": host.cloud_id, "moduleKey": run.trigger})),
        principal: None,
    };
    let fit = match host.mint(&run.installation, &state.settings.base_url, &inv) {
        Ok(t) => t,
        Err(e) => {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot mint a FIT: {e}"),
            );
        }
    };
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "content-type" | "accept" | "accept-language" | "x-request-id"
            )
        })
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let payload = (!body.is_empty()).then(|| body.to_vec());
    match super::host::call_remote(&url, req.method().as_str(), &headers, payload, &fit).await {
        Ok(a) => {
            let mut res = HttpResponse::build(
                StatusCode::from_u16(a.status).unwrap_or(StatusCode::BAD_GATEWAY),
            );
            for (k, v) in &a.headers {
                if k.eq_ignore_ascii_case("content-type") {
                    res.insert_header((k.as_str(), v.as_str()));
                }
            }
            res.body(a.body)
        }
        Err(e) => HttpResponse::BadGateway()
            .insert_header(("forge-proxy-error", "REMOTE_UNREACHABLE"))
            .json(json!({"message": format!("the remote did not answer: {e}")})),
    }
}
