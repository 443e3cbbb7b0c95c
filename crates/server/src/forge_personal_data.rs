//! Personal data reporting on Forge: the two remote routes the app's own function calls
//! (`forge/src/personal-data.js`, run daily by the manifest's `scheduledTrigger`).
//!
//! On Forge the server cannot report account ids itself: Atlassian's reporting API takes an
//! app token that could also read Jira, which Dwell's server must never hold. So the Forge
//! function, with only the `report:personal-data` scope, does the reporting: it asks
//! `GET /forge/personal-data/accounts` whether the site is due and, if it is, for the account
//! ids the site stores, each with the last time a row naming it was written, calls
//! `privacy.reportPersonalData` from `@forge/api`, and sends the ids Atlassian answered
//! `closed` to `POST /forge/personal-data/closed`, which erases them with the Connect path's
//! code ([`crate::store::erase_account`]) and records the site as reported.
//!
//! The trigger runs every day but the site is reported once a cycle: the server decides when
//! it is due, with the setting Connect's job uses (`--accounts-report-days`, 7 by default; 0
//! turns reporting off, and the site is never due). Forge does not retry a function that
//! throws, so a failed report never reaches the second route: nothing is erased, the site
//! stays due, and the next day's run reports it.
//!
//! The design decision: only a backend invocation of the app may call these routes, never a
//! user. Both take a Forge Invocation Token, verified as every FIT is; the tenant is its
//! `app.installationId`. A token from a user's Custom UI (`invokeRemote` or `requestRemote`,
//! whose path the page chooses) names the user in `principal` and carries the UI module's
//! context (`context.localId`, `context.extension`); a function's `invokeRemote` names no
//! principal (scheduled triggers run without a user) and no UI context. Any token with
//! either is refused with 403, so a signed-in user cannot list or erase accounts. Dwell's
//! manifest allows no anonymous access (no `unlicensedAccess`), so every UI token names a
//! user. Only ids the site stores are erased: an erasure rewrites text, and an id that is
//! not stored has nothing to erase.

use std::collections::BTreeSet;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use config::AccountId;
use serde::{Deserialize, Serialize};

use crate::auth::forge_fit::{self, Invocation, load_forge_tenant, unix_now};
use crate::auth::{Tenant, TenantCache, authorization};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::settings::BODY_LIMIT;
use crate::state::AppState;
use crate::store::{self, Platform};

/// `GET`: the account ids the site stores.
pub const ACCOUNTS_ROUTE: &str = "/forge/personal-data/accounts";
/// `POST`: the ids Atlassian answered `closed`, to erase; the site is then reported.
pub const CLOSED_ROUTE: &str = "/forge/personal-data/closed";

/// The most ids one erasure request may name (a site stores far fewer).
pub const MAX_CLOSED: usize = 10_000;

/// How much earlier than a whole cycle after its last report a site is due again. A daily
/// trigger fires at about, not exactly, the same time each day: without this, a run a few
/// seconds earlier than the last one would find the site not yet due and put the report off
/// by a whole day (8 days instead of 7).
pub const DUE_EARLY: Duration = Duration::from_secs(3600);

/// One stored account as `privacy.reportPersonalData` takes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    account_id: String,
    updated_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Closed {
    closed: Vec<String>,
}

/// Whether a verified token comes from a backend invocation (a function or a trigger) rather
/// than from a user's UI: no `principal` and no UI module context.
pub fn is_backend(invocation: &Invocation) -> bool {
    invocation.principal.is_none() && !invocation.ui_context
}

/// The Forge tenant of a backend invocation's token, or the refusal.
async fn backend_tenant(
    req: &HttpRequest,
    state: &AppState,
    tenants: &TenantCache,
) -> Result<std::sync::Arc<Tenant>, ApiError> {
    let Some(verifier) = state.forge.clone() else {
        return Err(ApiError::NotFound("Forge (no --forge-app-id)"));
    };
    let token = match authorization(req)? {
        (scheme, token) if scheme.eq_ignore_ascii_case(forge_fit::SCHEME) && !token.is_empty() => {
            token
        }
        _ => return Err(ApiError::Unauthorized("personal data needs `Bearer <FIT>`")),
    };
    let invocation = verifier.verify(&token, unix_now()).await?;
    if !is_backend(&invocation) {
        return Err(ApiError::Forbidden(
            "personal data reporting is the app's scheduled function's, not a user's call",
        ));
    }
    let tenant = load_forge_tenant(&state.db, tenants, &invocation.installation_id).await?;
    if tenant.platform != Platform::Forge || tenant.uninstalled {
        return Err(ApiError::Unauthorized("unknown Forge installation"));
    }
    Ok(tenant)
}

/// `GET /forge/personal-data/accounts`: `{"due": false}` when the site was reported within
/// the cycle (less [`DUE_EARLY`]) or reporting is off, else
/// `{"due": true, "accounts": [{accountId, updatedAt}]}`.
pub async fn accounts(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenants: web::Data<TenantCache>,
) -> Result<HttpResponse, ApiError> {
    let tenant = backend_tenant(&req, &state, &tenants).await?;
    let not_due = || HttpResponse::Ok().json(serde_json::json!({ "due": false }));
    let Some(cycle) = state.settings.accounts_report_cycle else {
        return Ok(not_due());
    };
    let before = jiff::SignedDuration::try_from(cycle.saturating_sub(DUE_EARLY))
        .ok()
        .and_then(|early| jiff::Timestamp::now().checked_sub(early).ok())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the reporting cycle is too long")))?;
    let id = tenant.id;
    let stored = state
        .db
        .run(move |conn| {
            if !store::accounts_report_is_due(conn, id, before)? {
                return Ok(None);
            }
            Ok(Some(store::stored_accounts(conn, id)?))
        })
        .await?;
    let Some(stored) = stored else {
        return Ok(not_due());
    };
    let accounts: Vec<Stored> = stored
        .into_iter()
        .map(|(account_id, at)| Stored {
            account_id,
            updated_at: at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "due": true, "accounts": accounts })))
}

/// `POST /forge/personal-data/closed` with `{"closed": [ids]}`: erases each stored one and
/// records the site as reported; answers `{"erased": n}`.
pub async fn closed(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    tenants: web::Data<TenantCache>,
) -> Result<HttpResponse, ApiError> {
    let tenant = backend_tenant(&req, &state, &tenants).await?;
    let body = read_limited(&req, &mut payload, BODY_LIMIT).await?;
    let closed: Closed = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("expected {\"closed\": [account ids]}".into()))?;
    if closed.closed.len() > MAX_CLOSED {
        return Err(ApiError::BadRequest(format!(
            "at most {MAX_CLOSED} account ids at a time"
        )));
    }
    let ids = closed
        .closed
        .iter()
        .map(|a| {
            AccountId::parse(a)
                .map(|a| a.as_str().to_string())
                .map_err(|_| ApiError::BadRequest("a closed account is not an account id".into()))
        })
        .collect::<Result<BTreeSet<String>, ApiError>>()?;
    let id = tenant.id;
    let erased = state
        .db
        .run(move |conn| {
            let stored = store::stored_accounts(conn, id)?;
            let mut erased = 0;
            for account in ids.iter().filter(|a| stored.contains_key(*a)) {
                store::erase_account(conn, id, account, jiff::Timestamp::now())?;
                erased += 1;
            }
            store::accounts_reported(conn, id, jiff::Timestamp::now())?;
            Ok(erased)
        })
        .await?;
    if erased > 0 {
        tracing::info!(tenant = %id, erased, "closed accounts erased (Forge report)");
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "erased": erased })))
}
