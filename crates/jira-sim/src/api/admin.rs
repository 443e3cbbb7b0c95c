//! The simulator's own endpoints under `/_sim/` (no authentication; bind to loopback):
//! counters, the run-time knobs, the data set's shape, and the Connect install flow.
//!
//! - `GET /_sim/stats`, `POST /_sim/stats/reset`
//! - `GET /_sim/config`, `PUT /_sim/config` (`{"faults": {...}, "rateLimit": {...}|null}`)
//! - `GET /_sim/info`: flavour, issue count, seed, data end, users and their credentials
//! - `POST /_sim/connect/install` (`{"appUrl": "http://127.0.0.1:8080"}`),
//!   `POST /_sim/connect/uninstall` (`{"appKey": "..."}`), `GET /_sim/connect/apps`
//! - `POST /_sim/accounts` (`{"closed": [ids], "updated": [ids]}`), `GET /_sim/accounts/reported`:
//!   the personal data reporting API's answers and what apps reported ([`super::privacy`])

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::connect::{ConnectHost, install};
use crate::http::error::JiraError;
use crate::state::{AppState, Faults, RateLimit, Stats};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/_sim")
            .route("/stats", web::get().to(stats))
            .route("/stats/reset", web::post().to(reset))
            .route("/config", web::get().to(get_config))
            .route("/config", web::put().to(put_config))
            .route("/info", web::get().to(info))
            .route("/connect/install", web::post().to(connect_install))
            .route("/connect/uninstall", web::post().to(connect_uninstall))
            .route("/connect/apps", web::get().to(connect_apps))
            .route("/accounts", web::post().to(super::privacy::set_statuses))
            .route(
                "/accounts/reported",
                web::get().to(super::privacy::reported),
            ),
    );
}

async fn stats(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.stats())
}

async fn reset(state: web::Data<AppState>) -> HttpResponse {
    state.with_stats(|s| *s = Stats::default());
    HttpResponse::NoContent().finish()
}

/// The knobs that can change while the simulator runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Knobs {
    #[serde(default)]
    pub faults: Option<Faults>,
    /// `null` turns rate limiting off; absent leaves it as it is.
    #[serde(default, with = "double_option")]
    pub rate_limit: Option<Option<RateLimit>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

async fn get_config(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"faults": state.faults(), "rateLimit": state.rate_limit()}))
}

async fn put_config(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, JiraError> {
    let knobs: Knobs = serde_json::from_slice(&body)
        .map_err(|e| JiraError::bad_request(format!("not a jira-sim config: {e}")))?;
    if let Some(f) = knobs.faults {
        for (name, share) in [
            ("errorRate", f.error_rate),
            ("slowRate", f.slow_rate),
            ("dropRate", f.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(JiraError::bad_request(format!(
                    "{name} must be between 0 and 1"
                )));
            }
        }
        if let Ok(mut cur) = state.faults.write() {
            *cur = f;
        }
    }
    if let Some(limit) = knobs.rate_limit {
        if limit.is_some_and(|l| l.per_second == 0) {
            return Err(JiraError::bad_request(
                "rateLimit.perSecond must be at least 1",
            ));
        }
        state.set_rate_limit(limit);
    }
    Ok(get_config(state).await)
}

async fn info(state: web::Data<AppState>, connect: web::Data<ConnectHost>) -> HttpResponse {
    let data = &state.data;
    let users: Vec<_> = data
        .site
        .users
        .iter()
        .map(|u| {
            json!({
                "login": u.login,
                "accountId": u.account_id,
                "displayName": u.display_name,
                "email": u.email,
                "groups": u.groups,
                "timeZone": u.time_zone,
                "bearer": format!("{}-{}", state.settings.api_token, u.login),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "flavor": state.settings.flavor,
        "baseUrl": state.settings.base_url,
        "issues": data.issues.len(),
        "histories": data.histories.len(),
        "seed": data.spec.seed,
        "dataEnd": data.spec.end.to_string(),
        "canary": data.spec.canary,
        "apiToken": state.settings.api_token,
        "users": users,
        "connect": {
            "clientKey": connect.client_key,
            "installKeyId": connect.key.kid,
            "installKeysUrl": format!("{}/connect-install-keys", state.settings.base_url),
            "allJs": format!("{}{}", state.settings.base_url, connect.all_js_path),
        },
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstallBody {
    app_url: String,
}

async fn connect_install(
    body: web::Bytes,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
) -> Result<HttpResponse, JiraError> {
    let b: InstallBody = serde_json::from_slice(&body)
        .map_err(|e| JiraError::bad_request(format!("expected {{\"appUrl\": ...}}: {e}")))?;
    let inst = install::install(&state, &connect, &b.app_url)
        .await
        .map_err(|e| JiraError::new(actix_web::http::StatusCode::BAD_GATEWAY, format!("{e:#}")))?;
    Ok(HttpResponse::Ok().json(inst))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UninstallBody {
    app_key: String,
}

async fn connect_uninstall(
    body: web::Bytes,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
) -> Result<HttpResponse, JiraError> {
    let b: UninstallBody = serde_json::from_slice(&body)
        .map_err(|e| JiraError::bad_request(format!("expected {{\"appKey\": ...}}: {e}")))?;
    install::uninstall(&state, &connect, &b.app_key)
        .await
        .map_err(|e| JiraError::new(actix_web::http::StatusCode::BAD_GATEWAY, format!("{e:#}")))?;
    Ok(HttpResponse::NoContent().finish())
}

async fn connect_apps(connect: web::Data<ConnectHost>) -> HttpResponse {
    HttpResponse::Ok().json(connect.installations())
}
