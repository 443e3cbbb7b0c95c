//! The server's call to a tenant's Jira for a user's groups, for permissions (its other call
//! to Jira, the personal data report, is [`crate::personal_data`]; both sign with [`app_token`]).
//!
//! A Connect token carries no group membership, so the server asks Jira as the app:
//! `GET {baseUrl}/rest/api/3/user/groups?accountId=...` with `Authorization: JWT <token>`, an
//! HS256 token signed with the tenant's shared secret (`iss` = the app key, `qsh` of that very
//! request, valid for three minutes). Answers are cached briefly per tenant and user, and
//! loaded single-flight: concurrent requests of one user make one call. Nothing but the
//! account id goes out; nothing but group names comes back.

use std::sync::Arc;
use std::time::Duration;

use config::AccountId;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::auth::Tenant;
use crate::auth::qsh;
use crate::cache::TtlCache;
use crate::error::ApiError;
use crate::store::TenantId;

/// The path of Jira's user groups resource, relative to the site's base URL.
pub const USER_GROUPS_PATH: &str = "/rest/api/3/user/groups";

/// Where a user's group memberships come from.
pub trait Directory: Send + Sync {
    fn groups(
        &self,
        tenant: &Tenant,
        account: &AccountId,
    ) -> LocalBoxFuture<'static, Result<Arc<Vec<String>>, ApiError>>;
}

/// Users' groups by tenant and account.
type GroupsCache = TtlCache<(TenantId, AccountId), Arc<Vec<String>>>;

/// Asks the tenant's Jira, as the app, and caches the answer.
pub struct JiraDirectory {
    app_key: String,
    timeout: Duration,
    cache: Arc<GroupsCache>,
}

const GROUPS_CACHE_MAX: u64 = 50_000;
const GROUPS_BODY_LIMIT: usize = 1024 * 1024;

impl JiraDirectory {
    pub fn new(app_key: String, timeout: Duration, ttl: Duration) -> Self {
        JiraDirectory {
            app_key,
            timeout,
            cache: Arc::new(TtlCache::new(GROUPS_CACHE_MAX, Some(ttl))),
        }
    }
}

#[derive(Serialize)]
struct AppClaims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
    qsh: String,
}

#[derive(Deserialize)]
struct GroupName {
    name: String,
}

/// The signed request for `account`'s groups: its URL and `Authorization` value.
pub fn signed_groups_request(
    app_key: &str,
    tenant: &Tenant,
    account: &AccountId,
) -> anyhow::Result<(String, String)> {
    let query = format!("accountId={}", qsh::encode(account.as_str()));
    let token = app_token(app_key, tenant, "GET", USER_GROUPS_PATH, &query)?;
    let base = tenant.base_url.trim_end_matches('/');
    Ok((
        format!("{base}{USER_GROUPS_PATH}?{query}"),
        format!("JWT {token}"),
    ))
}

/// A token for the app's own request `method path?query` to `tenant`'s Jira: HS256 with the
/// tenant's shared secret, `iss` = the app key, the request's `qsh`, valid for three minutes.
/// `path` is relative to the base URL, so a context path such as `/jira` stays out of the hash.
pub fn app_token(
    app_key: &str,
    tenant: &Tenant,
    method: &str,
    path: &str,
    query: &str,
) -> anyhow::Result<String> {
    let now = jiff::Timestamp::now().as_second();
    let claims = AppClaims {
        iss: app_key,
        iat: now,
        exp: now + 180,
        qsh: qsh::qsh(method, path, query),
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&tenant.shared_secret),
    )?)
}

impl Directory for JiraDirectory {
    fn groups(
        &self,
        tenant: &Tenant,
        account: &AccountId,
    ) -> LocalBoxFuture<'static, Result<Arc<Vec<String>>, ApiError>> {
        let key = (tenant.id, account.clone());
        let request = signed_groups_request(&self.app_key, tenant, account);
        let cache = self.cache.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            cache
                .get_or_load(key, async move {
                    let (url, authorization) = request?;
                    fetch_groups(url, authorization, timeout)
                        .await
                        .map(Arc::new)
                })
                .await
        })
    }
}

/// `GET` the signed groups URL with this worker's client; a user Jira does not know has none.
async fn fetch_groups(
    url: String,
    authorization: String,
    timeout: Duration,
) -> Result<Vec<String>, ApiError> {
    let mut response = crate::outbound::client()
        .get(url)
        .timeout(timeout)
        .insert_header(("Authorization", authorization))
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .map_err(|e| {
            ApiError::JiraUnavailable(format!("jira did not answer the groups request: {e}"))
        })?;
    let status = response.status();
    if status.as_u16() == 404 {
        // Jira does not know the user (deleted or never on this site): no groups.
        return Ok(Vec::new());
    }
    if !status.is_success() {
        return Err(ApiError::JiraUnavailable(format!(
            "jira answered the groups request with {status}"
        )));
    }
    let body = response
        .body()
        .limit(GROUPS_BODY_LIMIT)
        .await
        .map_err(|e| ApiError::JiraUnavailable(format!("jira's groups answer broke off: {e}")))?;
    let groups = serde_json::from_slice::<Vec<GroupName>>(&body).map_err(|_| {
        ApiError::JiraUnavailable("jira's groups answer is not a list of groups".into())
    })?;
    Ok(groups.into_iter().map(|g| g.name).collect())
}
