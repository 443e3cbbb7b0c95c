//! What every `/rest/` request passes before a handler sees it, in Jira's order: latency and
//! injected faults, authentication (Basic, Bearer, Connect JWT, the host page's session), the
//! per-credential rate limit. Plus the counters around everything, and a witness of who
//! received which answer (an app's server or a person) and which canary markers it carried.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde_json::json;

use crate::connect;
use crate::http::error::JiraError;
use crate::state::{AppState, Budget};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A site user (index into the site's users).
    User(u8),
    /// An installed Connect app, by app key.
    App(String),
}

impl Principal {
    /// The rate limiter's key: one budget per credential.
    fn budget_key(&self) -> String {
        match self {
            Principal::User(u) => format!("user:{u}"),
            Principal::App(k) => format!("app:{k}"),
        }
    }
}

/// Counts every request (but the admin endpoint's own) by route and status.
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let admin = req.path().starts_with("/_sim/");
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let method = req.method().to_string();
    let res = next.call(req).await?.map_into_boxed_body();
    if let (Some(state), false) = (state, admin) {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_string());
        let status = res.status().as_u16();
        state.with_stats(|s| {
            s.requests += 1;
            *s.by_route.entry(format!("{method} {route}")).or_default() += 1;
            *s.by_status.entry(status).or_default() += 1;
            if preflight {
                s.preflights += 1;
            }
        });
    }
    Ok(res)
}

/// Who received an answer, and which canary markers it carried (`Stats::served_to_apps`,
/// `Stats::canary_served_to_people`). It sits inside compression, so it reads the plain body;
/// answers are buffered only when there is something to record (an app's server is calling,
/// or the site is a canary site).
pub async fn witness(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return pass(req, next).await;
    };
    let principal = req.extensions().get::<Principal>().cloned();
    let key_service =
        req.path().starts_with("/connect-install-keys/") || req.path() == "/.well-known/jwks.json";
    let to_app = key_service || matches!(principal, Some(Principal::App(_)));
    let to_person = matches!(principal, Some(Principal::User(_)));
    let canary = state.data.spec.canary;
    let record = to_app || (canary && to_person);
    if !record {
        return pass(req, next).await;
    }
    let method = req.method().to_string();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_string());
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        actix_web::error::ErrorInternalServerError(e.to_string())
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let markers: Vec<String> = crate::Canary::ALL
        .iter()
        .map(|k| k.marker())
        .filter(|m| text.contains(m))
        .map(str::to_string)
        .collect();
    state.with_stats(|s| {
        if to_app {
            let served = s
                .served_to_apps
                .entry(format!("{method} {route}"))
                .or_default();
            served.requests += 1;
            served.canary.extend(markers.iter().cloned());
        } else {
            for m in &markers {
                *s.canary_served_to_people.entry(m.clone()).or_default() += 1;
            }
        }
    });
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// The next service's answer, untouched: for requests a middleware has nothing to do with.
async fn pass(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Latency, faults, authentication and rate limits for `/rest/` requests.
pub async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return pass(req, next).await;
    };
    // The simulated Forge CDN is another origin: Jira's REST API is not there.
    let on_cdn = state.settings.is_forge_cdn_host(
        req.headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok()),
    );
    if on_cdn
        || !req.path().starts_with("/rest/")
        || req.method() == actix_web::http::Method::OPTIONS
    {
        return pass(req, next).await;
    }
    let faults = state.faults();
    let n = state.next_request_no();
    let mut rng = Pcg64Mcg::seed_from_u64(faults.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut delay = faults.latency_ms;
    if faults.jitter_ms > 0 {
        delay += rng.random_range(0..=faults.jitter_ms);
    }
    let slow: f64 = rng.random();
    if slow < faults.slow_rate {
        delay += faults.slow_ms;
        state.with_stats(|s| s.slowed += 1);
    }
    if delay > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
    }

    let principal = match authenticate(&req, &state) {
        Ok(p) => p,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };

    let mut limit_headers = Vec::new();
    match state.budget(&principal.budget_key()) {
        Budget::Unlimited => {}
        Budget::Allowed { limit, remaining } => {
            limit_headers.push(("X-RateLimit-Limit", limit.to_string()));
            limit_headers.push(("X-RateLimit-Remaining", remaining.to_string()));
            if f64::from(remaining) < f64::from(limit) * 0.2 {
                limit_headers.push(("X-RateLimit-NearLimit", "true".to_string()));
            }
        }
        Budget::Exhausted {
            limit,
            retry_after_ms,
        } => {
            state.with_stats(|s| s.rate_limited += 1);
            let retry_after = retry_after_ms.div_ceil(1000).max(1);
            let reset = jiff::Timestamp::now()
                + jiff::SignedDuration::from_millis(retry_after_ms.try_into().unwrap_or(i64::MAX));
            let res = HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", retry_after.to_string()))
                .insert_header(("X-RateLimit-Limit", limit.to_string()))
                .insert_header(("X-RateLimit-Remaining", "0"))
                .insert_header((
                    "X-RateLimit-Reset",
                    // Jira's documented form, to the minute: `yyyy-MM-ddTHH:mmZ`.
                    reset.strftime("%Y-%m-%dT%H:%MZ").to_string(),
                ))
                .insert_header(("RateLimit-Reason", "jira-burst-based"))
                .json(json!({"errorMessages": ["Rate limit exceeded."], "errors": {}}));
            return Ok(req.into_response(res));
        }
    }

    let roll: f64 = rng.random();
    if roll < faults.error_rate {
        state.with_stats(|s| s.injected_errors += 1);
        let res = if rng.random_bool(0.5) {
            HttpResponse::InternalServerError().json(json!({
                "errorMessages": ["Internal server error (injected by jira-sim)."], "errors": {}
            }))
        } else {
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "1"))
                .json(json!({"errorMessages": ["Service unavailable (injected by jira-sim)."], "errors": {}}))
        };
        return Ok(req.into_response(res));
    }
    let drop = rng.random::<f64>() < faults.drop_rate;

    req.extensions_mut().insert(principal);
    let mut res = next.call(req).await?.map_into_boxed_body();
    for (name, value) in limit_headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut()
                .insert(header::HeaderName::from_static(lower(name)), v);
        }
    }
    if drop {
        state.with_stats(|s| s.dropped += 1);
        let (req, res) = res.into_parts();
        let cut = HttpResponse::build(res.status())
            .content_type("application/json")
            .body(BoxBody::new(Truncated { sent: false }));
        return Ok(ServiceResponse::new(req, cut));
    }
    Ok(res)
}

fn lower(name: &'static str) -> &'static str {
    match name {
        "X-RateLimit-Limit" => "x-ratelimit-limit",
        "X-RateLimit-Remaining" => "x-ratelimit-remaining",
        _ => "x-ratelimit-nearlimit",
    }
}

/// A body that promises more than it sends, then fails: the connection is cut mid-response.
struct Truncated {
    sent: bool,
}

impl MessageBody for Truncated {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(4096)
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.sent {
            Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection dropped by jira-sim fault injection",
            ))))
        } else {
            self.sent = true;
            Poll::Ready(Some(Ok(Bytes::from_static(b"{\"issues\":[{\"id\":\"1"))))
        }
    }
}

/// Basic (e-mail and API token), Bearer (personal access token), `JWT` (an installed Connect
/// app) or the host page's session cookie; anything else is a 401.
pub fn authenticate(req: &ServiceRequest, state: &AppState) -> Result<Principal, JiraError> {
    let site = &state.data.site;
    let token = &state.settings.api_token;
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| JiraError::unauthorized())?;
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD
                .decode(rest)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(JiraError::unauthorized)?;
            let (email, password) = decoded
                .split_once(':')
                .ok_or_else(JiraError::unauthorized)?;
            let user = site
                .user_by_email(email)
                .or_else(|| site.user_by_login(email))
                .ok_or_else(JiraError::unauthorized)?;
            if password == token {
                return Ok(Principal::User(user as u8));
            }
            return Err(JiraError::unauthorized());
        }
        if scheme.eq_ignore_ascii_case("bearer") {
            if rest == token {
                return Ok(Principal::User(0));
            }
            if let Some(login) = rest
                .strip_prefix(token.as_str())
                .and_then(|r| r.strip_prefix('-'))
                && let Some(u) = site.user_by_login(login)
            {
                return Ok(Principal::User(u as u8));
            }
            return Err(JiraError::unauthorized());
        }
        if scheme.eq_ignore_ascii_case("jwt") {
            let host = req
                .app_data::<web::Data<connect::ConnectHost>>()
                .ok_or_else(JiraError::unauthorized)?;
            return connect::verify_app_token(
                host,
                rest,
                req.method().as_str(),
                req.path(),
                req.query_string(),
            )
            .map(Principal::App)
            .map_err(|m| JiraError::new(StatusCode::UNAUTHORIZED, m));
        }
        return Err(JiraError::unauthorized());
    }
    if let Some(u) = connect::host::session_user(req.request(), state) {
        return Ok(Principal::User(u));
    }
    Err(JiraError::unauthorized())
}
