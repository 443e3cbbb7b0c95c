//! Atlassian Connect JWTs: the HS256 tokens of API calls and page loads, and the verification
//! the lifecycle module uses for RS256 signed installs.
//!
//! API calls carry HS256 tokens signed with the tenant's shared secret: `iss` is the tenant's
//! client key, `sub` the user's account id, `exp` and `iat` are checked with a small leeway,
//! and `qsh` must match the request (or be `context-qsh` where the route allows it). The
//! algorithm is fixed per use, never taken from the token: HS256 here, RS256 for lifecycle
//! events, so `alg: none` and algorithm confusion are refused before any key is touched.

use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use config::AccountId;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::qsh::{self, CONTEXT_QSH};
use super::{Authenticator, Caller, QshPolicy, Tenant, TenantCache, authorization};
use crate::crypto::KeyRing;
use crate::error::ApiError;
use crate::store::{self, Db, Platform};

/// The `Authorization` scheme of Connect tokens: `Authorization: JWT <token>`.
pub const SCHEME: &str = "JWT";

/// What a request without a Connect token in its `Authorization` header is told.
pub const SCHEME_REFUSAL: &str = "authorization header must be `JWT <token>`";

/// The Connect token of a request's `Authorization: JWT <token>` header (lifecycle events,
/// which only Connect sends).
pub fn header_token(req: &HttpRequest) -> Result<String, ApiError> {
    match authorization(req)? {
        (scheme, token) if scheme.eq_ignore_ascii_case(SCHEME) && !token.is_empty() => Ok(token),
        _ => Err(ApiError::Unauthorized(SCHEME_REFUSAL)),
    }
}

/// Tokens longer than this are refused unread.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims Dwell reads. Others (`context`, `aud` of API tokens) are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    pub iss: String,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub qsh: Option<String>,
}

#[derive(Deserialize)]
struct Issuer {
    iss: String,
}

/// The method, path and query a token's `qsh` must match.
#[derive(Debug, Clone)]
pub struct RequestTarget {
    pub method: String,
    pub path: String,
    pub query: String,
}

impl RequestTarget {
    pub fn of(req: &HttpRequest) -> Self {
        RequestTarget {
            method: req.method().as_str().to_string(),
            path: req.path().to_string(),
            query: req.query_string().to_string(),
        }
    }

    fn qsh(&self) -> String {
        qsh::qsh(&self.method, &self.path, &self.query)
    }
}

/// Refuses what is wrong with a token before any key is looked up: size, shape, algorithm.
pub fn precheck(token: &str, expected: Algorithm) -> Result<jsonwebtoken::Header, ApiError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(ApiError::Unauthorized("token too long"));
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| ApiError::Unauthorized("malformed token"))?;
    if header.alg != expected {
        return Err(match expected {
            Algorithm::HS256 => ApiError::Unauthorized("token algorithm must be HS256"),
            _ => ApiError::Unauthorized("token algorithm must be RS256"),
        });
    }
    Ok(header)
}

/// The unverified issuer, to find the key that verifies the token.
pub fn unverified_issuer(token: &str) -> Result<String, ApiError> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Issuer>(token)
        .map(|c| c.iss)
        .map_err(|_| ApiError::Unauthorized("token has no issuer"))
}

/// What a token must say to be accepted.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub alg: Algorithm,
    pub issuer: &'a str,
    /// Checked when given (signed installs); API tokens carry no audience to check.
    pub audience: Option<&'a str>,
    pub leeway: Duration,
    pub policy: QshPolicy,
}

/// Verifies signature, `exp`, `nbf`, `iat`, `iss` and (optionally) `aud`, then `qsh`.
pub fn verify(
    token: &str,
    key: &DecodingKey,
    expected: &Expected<'_>,
    target: &RequestTarget,
) -> Result<Claims, ApiError> {
    let Expected {
        alg,
        issuer,
        audience,
        leeway,
        policy,
    } = *expected;
    let mut validation = Validation::new(alg);
    validation.leeway = leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    match audience {
        // Required, not only compared: jsonwebtoken skips the comparison when `aud` is absent
        // or not a string or list of strings.
        Some(aud) => {
            validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            validation.set_audience(&[aud]);
        }
        None => {
            validation.set_required_spec_claims(&["exp", "iss"]);
            validation.validate_aud = false;
        }
    }
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map_err(|e| {
            ApiError::Unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => "token expired",
                ErrorKind::ImmatureSignature => "token not valid yet",
                ErrorKind::InvalidSignature => "invalid token signature",
                ErrorKind::InvalidIssuer => "token issuer does not match",
                ErrorKind::InvalidAudience => "token audience does not match",
                ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
                ErrorKind::InvalidAlgorithm => "token algorithm not accepted",
                _ => "invalid token",
            })
        })?
        .claims;
    let iat = claims
        .iat
        .ok_or(ApiError::Unauthorized("token lacks a required claim"))?;
    let now = jiff::Timestamp::now().as_second();
    let leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
    if iat > now.saturating_add(leeway) {
        return Err(ApiError::Unauthorized("token not valid yet"));
    }
    match claims.qsh.as_deref() {
        None => return Err(ApiError::Unauthorized("token lacks a required claim")),
        Some(CONTEXT_QSH) => {
            if policy != QshPolicy::AllowContext {
                return Err(ApiError::Unauthorized(
                    "this request needs a token bound to it, not a context token",
                ));
            }
        }
        Some(q) => {
            if q != target.qsh() {
                return Err(ApiError::Unauthorized(
                    "query string hash does not match the request",
                ));
            }
        }
    }
    Ok(claims)
}

/// Verifies HS256 Connect tokens against the tenant named by their (unverified) `iss`.
pub struct ConnectAuthenticator {
    pub db: Db,
    pub keys: KeyRing,
    pub tenants: Arc<TenantCache>,
    pub leeway: Duration,
}

/// The tenant with `client_key`, from `cache` or the database, with its secret opened. A
/// client key no installation has is refused as an unknown tenant, and remembered as unknown
/// (see [`TenantCache`]).
pub async fn load_tenant(
    db: &Db,
    keys: &KeyRing,
    cache: &TenantCache,
    client_key: String,
) -> Result<Arc<Tenant>, ApiError> {
    let load = async {
        let key = client_key.clone();
        let Some(row) = db
            .run(move |conn| Ok(store::tenant_by_client_key(conn, &key)?))
            .await?
        else {
            return Ok(None);
        };
        let secret = keys
            .open(&row.sealed_secret, &row.client_key)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("tenant {}: {e}", row.id)))?;
        Ok(Some(Arc::new(Tenant {
            id: row.id,
            platform: row.platform,
            client_key: row.client_key,
            base_url: row.base_url,
            display_url: row.display_url,
            shared_secret: secret,
            uninstalled: row.uninstalled_at.is_some(),
        })))
    };
    cache
        .get_or_load(client_key.clone(), load)
        .await?
        .ok_or(ApiError::Unauthorized("unknown tenant"))
}

impl Authenticator for ConnectAuthenticator {
    fn authenticate(
        &self,
        req: &HttpRequest,
        token: String,
        policy: QshPolicy,
    ) -> LocalBoxFuture<'static, Result<Caller, ApiError>> {
        let target = RequestTarget::of(req);
        let db = self.db.clone();
        let keys = self.keys.clone();
        let cache = self.tenants.clone();
        let leeway = self.leeway;
        Box::pin(async move {
            precheck(&token, Algorithm::HS256)?;
            let issuer = unverified_issuer(&token)?;
            let tenant = load_tenant(&db, &keys, &cache, issuer).await?;
            // The store never gives a Forge row to a client key lookup; this holds even if a
            // Forge tenant sat in the shared cache under a key a token names: a Forge tenant
            // has no shared secret, so no HS256 token may ever name it.
            if tenant.platform != Platform::Connect || tenant.shared_secret.is_empty() {
                return Err(ApiError::Unauthorized("unknown tenant"));
            }
            if tenant.uninstalled {
                return Err(ApiError::Unauthorized(
                    "the app is uninstalled on this site",
                ));
            }
            let key = DecodingKey::from_secret(&tenant.shared_secret);
            let expected = Expected {
                alg: Algorithm::HS256,
                issuer: &tenant.client_key,
                audience: None,
                leeway,
                policy,
            };
            let claims = verify(&token, &key, &expected, &target)?;
            let account = claims
                .sub
                .as_deref()
                .and_then(|s| AccountId::parse(s).ok())
                .ok_or(ApiError::Unauthorized("token has no valid subject"))?;
            Ok(Caller { tenant, account })
        })
    }
}
