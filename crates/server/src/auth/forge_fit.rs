//! Forge Invocation Tokens (FIT): how dwell-server, as a Forge app's remote, knows which
//! installation and which user a request comes from.
//!
//! Forge sends `Authorization: Bearer <FIT>` with every `invokeRemote` call and lifecycle
//! event: an RS256 JWT whose keys Atlassian publishes as a JWKS, `iss` =
//! `forge/invocation-token`, `aud` = the app's id, `exp` = `iat` + 25 s, a `jti`, the
//! installation (`app.installationId`, the documented storage key), and for calls from a UI
//! module the user (`principal`) and the site (`context.cloudId`, `context.siteUrl`).
//!
//! The design decision: everything about the token is checked before it names a tenant. The
//! algorithm is fixed (RS256, never read from the token), the key is looked up by `kid` in the
//! configured JWKS only (cached; an unknown `kid` refetches the set at a bounded rate, and a
//! `kid` still unknown after a refetch is remembered as unknown for a while, so a flood of
//! forged `kid`s costs at most a few outbound calls), the claims are checked with at most 10 s
//! of leeway, `app.id` must equal `aud`, the environment must be the configured one, and a
//! `jti` is accepted once. The FIT carries no token that could read Jira: the manifest
//! declares no `auth`, so none is ever sent.
//!
//! [`ForgeAuthenticator`] is the `Authorization: Bearer` authenticator of the API: a verified
//! FIT names the tenant by `app.installationId` (looked up among Forge installations only) and
//! the user by `principal`; a token without a principal (a lifecycle event's) is refused on the
//! API, whose every route acts for a user.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use config::AccountId;
use futures_util::future::LocalBoxFuture;
use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::{Authenticator, Caller, QshPolicy, Tenant, TenantCache};
use crate::cache::TtlCache;
use crate::error::ApiError;
use crate::store::{self, Db, Platform};

/// The `Authorization` scheme of Forge Invocation Tokens: `Authorization: Bearer <FIT>`.
pub const SCHEME: &str = "Bearer";

/// `iss` of every Forge Invocation Token.
pub const FIT_ISSUER: &str = "forge/invocation-token";

/// Atlassian's production JWKS for Forge Invocation Tokens.
pub const ATLASSIAN_FIT_JWKS: &str =
    "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json";

/// The most clock skew tolerated on `exp`, `nbf` and `iat`.
pub const MAX_LEEWAY: Duration = Duration::from_secs(10);

/// Tokens longer than this are refused unread.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// How long fetched keys are trusted before the JWKS is read again.
const KEYS_TTL: Duration = Duration::from_secs(60 * 60);

/// How long a `kid` the JWKS did not hold is refused without asking again.
const UNKNOWN_KID_TTL: Duration = Duration::from_secs(60);

/// A FIT lives 25 s; a `jti` is remembered a little longer than any token that carries it.
const JTI_TTL: Duration = Duration::from_secs(25 + 2 * 10 + 5);

/// What this deployment accepts: the app's id and the Forge environment it serves.
#[derive(Debug, Clone)]
pub struct ForgeApp {
    /// The manifest's `app.id`, `ari:cloud:ecosystem::app/<uuid>`: every token's `aud`.
    pub app_id: String,
    /// The environment served: a type (`PRODUCTION`, `STAGING`, `DEVELOPMENT`) or an
    /// environment id (`ari:cloud:ecosystem::environment/...`). Tokens of any other environment
    /// are refused.
    pub environment: String,
    /// Where the token keys are published ([`ATLASSIAN_FIT_JWKS`] in production).
    pub jwks_url: String,
    /// Clock skew tolerated, capped at [`MAX_LEEWAY`].
    pub leeway: Duration,
    /// How long the JWKS fetch may take.
    pub timeout: Duration,
}

/// A verified invocation: who called, for which installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `app.installationId`: the tenant.
    pub installation_id: String,
    /// The user of a UI call (`principal`); `None` for lifecycle events and other backend
    /// invocations.
    pub principal: Option<AccountId>,
    /// The Jira site's cloud id and address, when the token says (UI calls).
    pub cloud_id: Option<String>,
    pub site_url: Option<String>,
    /// `app.module.type`: `core:endpoint` for UI calls, `core:trigger` for events.
    pub module_type: String,
    /// Whether `context` is a UI module's (it has `localId` or `extension`): a call from a
    /// Custom UI, never from a function or a trigger.
    pub ui_context: bool,
}

/// The claims Dwell reads. Unknown ones are ignored: Atlassian adds claims over time.
#[derive(Debug, Deserialize)]
struct Claims {
    #[serde(default)]
    iat: Option<u64>,
    jti: String,
    app: AppClaim,
    #[serde(default)]
    context: Option<ContextClaim>,
    #[serde(default)]
    principal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppClaim {
    id: String,
    installation_id: String,
    environment: EnvironmentClaim,
    #[serde(default)]
    module: Option<ModuleClaim>,
}

#[derive(Debug, Deserialize)]
struct EnvironmentClaim {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Debug, Deserialize)]
struct ModuleClaim {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextClaim {
    #[serde(default)]
    cloud_id: Option<String>,
    #[serde(default)]
    site_url: Option<String>,
    #[serde(default)]
    local_id: Option<serde_json::Value>,
    #[serde(default)]
    extension: Option<serde_json::Value>,
}

type FetchLimiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

/// Verifies Forge Invocation Tokens against one app's settings.
pub struct FitVerifier {
    app: ForgeApp,
    keys: TtlCache<String, Arc<DecodingKey>>,
    unknown_kids: TtlCache<String, ()>,
    seen_jtis: TtlCache<String, ()>,
    /// JWKS fetches on a `kid` not in the cache: a forged `kid` cannot make many.
    fetches: FetchLimiter,
}

impl std::fmt::Debug for FitVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitVerifier")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl FitVerifier {
    pub fn new(mut app: ForgeApp) -> Self {
        app.leeway = app.leeway.min(MAX_LEEWAY);
        let per_minute = NonZeroU32::new(6).unwrap_or(NonZeroU32::MIN);
        FitVerifier {
            app,
            keys: TtlCache::new(64, Some(KEYS_TTL)),
            unknown_kids: TtlCache::new(10_000, Some(UNKNOWN_KID_TTL)),
            seen_jtis: TtlCache::new(1_000_000, Some(JTI_TTL)),
            fetches: RateLimiter::direct(Quota::per_minute(per_minute)),
        }
    }

    /// Verifies `token`; `now` is unix seconds (an input, so tests can pin it).
    pub async fn verify(&self, token: &str, now: u64) -> Result<Invocation, ApiError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::Unauthorized("token too long"));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| ApiError::Unauthorized("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(ApiError::Unauthorized("token algorithm must be RS256"));
        }
        let kid = header
            .kid
            .filter(|k| valid_kid(k))
            .ok_or(ApiError::Unauthorized("token has no usable key id"))?;
        let key = self.key(&kid).await?;

        let claims = self.decode(token, &key, now)?;
        if claims.app.id != self.app.app_id {
            return Err(ApiError::Unauthorized("token is for another app"));
        }
        let env = &claims.app.environment;
        if env.kind != self.app.environment && env.id != self.app.environment {
            return Err(ApiError::Unauthorized("token is for another environment"));
        }
        let leeway = self.app.leeway.as_secs();
        if claims.iat.is_some_and(|iat| iat > now + leeway) {
            return Err(ApiError::Unauthorized("token issued in the future"));
        }
        if claims.app.installation_id.trim().is_empty() {
            return Err(ApiError::Unauthorized("token names no installation"));
        }
        let principal = match claims.principal {
            Some(p) => Some(
                AccountId::parse(&p)
                    .map_err(|_| ApiError::Unauthorized("token names a malformed user"))?,
            ),
            None => None,
        };
        if claims.jti.is_empty() || claims.jti.len() > 128 {
            return Err(ApiError::Unauthorized("token has no usable id"));
        }
        // Last, so that a refused token does not use up its id.
        if !self.seen_jtis.insert_new(claims.jti, ()).await {
            return Err(ApiError::Unauthorized("token already used"));
        }
        let context = claims.context;
        let ui_context = context
            .as_ref()
            .is_some_and(|c| c.local_id.is_some() || c.extension.is_some());
        Ok(Invocation {
            installation_id: claims.app.installation_id,
            principal,
            cloud_id: context.as_ref().and_then(|c| c.cloud_id.clone()),
            site_url: context.and_then(|c| c.site_url),
            module_type: claims.app.module.map(|m| m.kind).unwrap_or_default(),
            ui_context,
        })
    }

    fn decode(&self, token: &str, key: &DecodingKey, now: u64) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.app.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[FIT_ISSUER]);
        validation.set_audience(&[self.app.app_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        // jsonwebtoken checks exp/nbf against the system clock; `now` is checked here too, so a
        // pinned `now` in tests and the real clock agree.
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, key, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                ApiError::Unauthorized(match e.kind() {
                    ErrorKind::ExpiredSignature => "token expired",
                    ErrorKind::ImmatureSignature => "token not valid yet",
                    ErrorKind::InvalidIssuer => "token has the wrong issuer",
                    ErrorKind::InvalidAudience => "token is for another app",
                    ErrorKind::InvalidSignature => "token signature does not verify",
                    ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
                    _ => "malformed token",
                })
            })?;
        let leeway = self.app.leeway.as_secs();
        let number = |name: &str| data.claims.get(name).and_then(serde_json::Value::as_u64);
        if number("exp").is_none_or(|exp| exp + leeway < now) {
            return Err(ApiError::Unauthorized("token expired"));
        }
        if number("nbf").is_none_or(|nbf| nbf > now + leeway) {
            return Err(ApiError::Unauthorized("token not valid yet"));
        }
        serde_json::from_value(data.claims)
            .map_err(|_| ApiError::Unauthorized("token lacks a required claim"))
    }

    /// The key for `kid`: cached, or fetched with the whole JWKS at a bounded rate.
    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, ApiError> {
        if self.unknown_kids.contains(&kid.to_string()).await {
            return Err(ApiError::Unauthorized("unknown token key"));
        }
        if let Some(key) = self.keys.get(&kid.to_string()).await {
            return Ok(key);
        }
        if self.fetches.check().is_err() {
            return Err(ApiError::Unauthorized("unknown token key"));
        }
        let set = self.fetch_jwks().await?;
        for jwk in &set.keys {
            let Some(id) = jwk.common.key_id.as_deref() else {
                continue;
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                self.keys.insert(id.to_string(), Arc::new(key)).await;
            }
        }
        match self.keys.get(&kid.to_string()).await {
            Some(key) => Ok(key),
            None => {
                self.unknown_kids.insert_new(kid.to_string(), ()).await;
                Err(ApiError::Unauthorized("unknown token key"))
            }
        }
    }

    async fn fetch_jwks(&self) -> Result<JwkSet, ApiError> {
        let mut response = crate::outbound::client()
            .get(&self.app.jwks_url)
            .timeout(self.app.timeout)
            .send()
            .await
            .map_err(|e| {
                ApiError::JiraUnavailable(format!("the Forge key set did not answer: {e}"))
            })?;
        if !response.status().is_success() {
            return Err(ApiError::JiraUnavailable(format!(
                "the Forge key set answered HTTP {}",
                response.status().as_u16()
            )));
        }
        let body = response.body().limit(256 * 1024).await.map_err(|e| {
            ApiError::JiraUnavailable(format!("the Forge key set could not be read: {e}"))
        })?;
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::JiraUnavailable(format!("the Forge key set is not a JWKS: {e}")))
    }
}

/// The current time as [`FitVerifier::verify`] takes it.
pub fn unix_now() -> u64 {
    u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0)
}

/// Whether a FIT's installation id and a lifecycle payload's `id` name the same installation:
/// the token carries the ARI (`ari:cloud:ecosystem::installation/<uuid>`), Atlassian's
/// documented payload the bare uuid; either form is accepted, nothing else.
pub fn same_installation(token_installation: &str, payload_id: &str) -> bool {
    let bare = |s: &str| {
        s.strip_prefix("ari:cloud:ecosystem::installation/")
            .unwrap_or(s)
            .to_string()
    };
    !payload_id.is_empty() && bare(token_installation) == bare(payload_id)
}

/// Verifies FITs on API routes: the tenant is the Forge installation the token names, the user
/// its `principal`.
pub struct ForgeAuthenticator {
    pub verifier: Arc<FitVerifier>,
    pub db: Db,
    pub tenants: Arc<TenantCache>,
}

/// The Forge tenant of `installation_id`, from `cache` or the database. An installation that
/// never sent `installed` is refused as an unknown tenant, and remembered as unknown until it
/// installs (see [`TenantCache`]).
pub async fn load_forge_tenant(
    db: &Db,
    cache: &TenantCache,
    installation_id: &str,
) -> Result<Arc<Tenant>, ApiError> {
    let id = installation_id.to_string();
    let load = async move {
        let Some(row) = db
            .run(move |conn| Ok(store::tenant_by_forge_installation(conn, &id)?))
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Arc::new(Tenant {
            id: row.id,
            platform: row.platform,
            client_key: row.client_key,
            base_url: row.site_url.unwrap_or_default(),
            display_url: None,
            shared_secret: Default::default(),
            uninstalled: row.uninstalled_at.is_some(),
        })))
    };
    cache
        .get_or_load(store::forge_client_key(installation_id), load)
        .await?
        .ok_or(ApiError::Unauthorized("unknown Forge installation"))
}

impl Authenticator for ForgeAuthenticator {
    fn authenticate(
        &self,
        _req: &HttpRequest,
        token: String,
        _policy: QshPolicy,
    ) -> LocalBoxFuture<'static, Result<Caller, ApiError>> {
        let verifier = self.verifier.clone();
        let db = self.db.clone();
        let cache = self.tenants.clone();
        Box::pin(async move {
            let invocation = verifier.verify(&token, unix_now()).await?;
            let account = invocation
                .principal
                .ok_or(ApiError::Unauthorized("the token names no user"))?;
            let tenant = load_forge_tenant(&db, &cache, &invocation.installation_id).await?;
            if tenant.platform != Platform::Forge {
                return Err(ApiError::Unauthorized("unknown Forge installation"));
            }
            if tenant.uninstalled {
                return Err(ApiError::Unauthorized(
                    "the app is uninstalled on this site",
                ));
            }
            // The lifecycle token names the site's cloudId only; the first UI call says where
            // the site is. Stored for display and support, never called: Forge gives the
            // server no token for the site.
            if let Some(site) = invocation
                .site_url
                .as_deref()
                .map(|s| s.trim_end_matches('/'))
                && site != tenant.base_url
                && crate::urls::check_site_url(site).is_ok()
            {
                let (id, site, cloud) = (tenant.id, site.to_string(), invocation.cloud_id.clone());
                db.run(move |conn| Ok(store::forge_site(id, conn, cloud.as_deref(), &site)?))
                    .await?;
                cache
                    .forget(&store::forge_client_key(&invocation.installation_id))
                    .await;
            }
            Ok(Caller { tenant, account })
        })
    }
}

/// A `kid` as Forge writes them (`forge/invocation-token/wf-<uuid>`): short, printable ASCII.
fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= 200
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':'))
}
