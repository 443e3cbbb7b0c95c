//! Who is calling: the [`Authenticator`] trait, the [`Authenticators`] that pick one by the
//! request's authorization scheme, and the [`Caller`] extractor every `/api` handler takes.
//!
//! Architecture invariant: the tenant and the user come from the verified token only. Nothing
//! in a path, body or query can name a tenant, so no handler can reach another tenant's rows.
//!
//! The design decision: this module knows no application state. What the extractor needs is
//! registered as app data of its own (`web::Data<Authenticators>`, `web::Data<TenantLimiter>`),
//! and each authenticator holds its own dependencies (Connect's: the database, the key ring,
//! the [`TenantCache`]). So a second authenticator (Forge Invocation Tokens under `Bearer`)
//! registers beside Connect's (`JWT`) without touching a handler.

pub mod connect_jwt;
pub mod forge_fit;
pub mod qsh;

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use config::AccountId;
use futures_util::future::LocalBoxFuture;

use crate::cache::TtlCache;
use crate::error::ApiError;
use crate::ratelimit::TenantLimiter;
use crate::store::{Platform, TenantId};

/// An installed tenant, with its shared secret opened (kept in memory only).
#[derive(Clone)]
pub struct Tenant {
    pub id: TenantId,
    /// Connect or Forge: which authenticator may name this tenant, and whether the server can
    /// ask the site's Jira anything (Connect) or nothing at all (Forge).
    pub platform: Platform,
    /// Connect: the client key; Forge: `forge:<installationId>` ([`crate::store::forge_client_key`]).
    pub client_key: String,
    pub base_url: String,
    pub display_url: Option<String>,
    /// Connect only; empty for Forge, which shares no secret with the app. Wiped from memory
    /// when the last holder drops the tenant (the [`TenantCache`] entry expires after a minute).
    pub shared_secret: zeroize::Zeroizing<Vec<u8>>,
    pub uninstalled: bool,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant")
            .field("id", &self.id)
            .field("platform", &self.platform)
            .field("client_key", &self.client_key)
            .field("base_url", &self.base_url)
            .field("uninstalled", &self.uninstalled)
            .finish_non_exhaustive()
    }
}

/// Whether a route accepts context tokens (`qsh = "context-qsh"`, from `AP.context.getToken()`)
/// or only tokens bound to the exact request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QshPolicy {
    AllowContext,
    RequireRequestHash,
}

/// A verified caller: the tenant and the user acting in it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: Arc<Tenant>,
    pub account: AccountId,
}

/// Verifies a request's credentials. Atlassian Connect JWTs are the first implementation;
/// Forge Invocation Tokens can be a second without touching the handlers.
pub trait Authenticator: Send + Sync {
    /// The verified caller of `req`, or why the request is refused. `token` is the credential
    /// as the transport carried it (header or page query).
    fn authenticate(
        &self,
        req: &HttpRequest,
        token: String,
        policy: QshPolicy,
    ) -> LocalBoxFuture<'static, Result<Caller, ApiError>>;
}

/// The authenticators of the app, each under the `Authorization` scheme it verifies.
pub struct Authenticators {
    by_scheme: Vec<(&'static str, Arc<dyn Authenticator>)>,
    /// What a request with no registered scheme is told, such as "authorization header must
    /// be `JWT <token>`".
    refusal: &'static str,
}

impl std::fmt::Debug for Authenticators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let schemes: Vec<&str> = self.by_scheme.iter().map(|(s, _)| *s).collect();
        f.debug_struct("Authenticators")
            .field("schemes", &schemes)
            .finish_non_exhaustive()
    }
}

impl Authenticators {
    /// No authenticator yet; `refusal` is what a request with another scheme is told.
    pub fn new(refusal: &'static str) -> Self {
        Authenticators {
            by_scheme: Vec::new(),
            refusal,
        }
    }

    /// Registers `authenticator` for `Authorization: <scheme> <token>` (scheme compared
    /// case-insensitively).
    pub fn with(mut self, scheme: &'static str, authenticator: Arc<dyn Authenticator>) -> Self {
        self.by_scheme.push((scheme, authenticator));
        self
    }

    /// The authenticator registered for `scheme`.
    pub fn for_scheme(&self, scheme: &str) -> Option<&Arc<dyn Authenticator>> {
        self.by_scheme
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(scheme))
            .map(|(_, a)| a)
    }

    /// Verifies the credential of `req`'s `Authorization` header with the authenticator of its
    /// scheme.
    pub fn authenticate(
        &self,
        req: &HttpRequest,
        policy: QshPolicy,
    ) -> LocalBoxFuture<'static, Result<Caller, ApiError>> {
        let found = authorization(req).and_then(|(scheme, token)| {
            self.for_scheme(&scheme)
                .filter(|_| !token.is_empty())
                .map(|a| (a.clone(), token))
                .ok_or(ApiError::Unauthorized(self.refusal))
        });
        match found {
            Ok((authenticator, token)) => authenticator.authenticate(req, token, policy),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

/// The `Authorization` header as its scheme and its (trimmed) credential.
pub fn authorization(req: &HttpRequest) -> Result<(String, String), ApiError> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("missing authorization header"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed authorization header"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    Ok((scheme.to_string(), token.trim().to_string()))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (Some(authenticators), Some(limiter)) = (
            req.app_data::<web::Data<Authenticators>>(),
            req.app_data::<web::Data<TenantLimiter>>().cloned(),
        ) else {
            return Box::pin(async {
                Err(ApiError::Internal(anyhow::anyhow!(
                    "no authenticators or rate limiter registered"
                )))
            });
        };
        let verify = authenticators.authenticate(req, QshPolicy::AllowContext);
        let req = req.clone();
        Box::pin(async move {
            let caller = verify.await?;
            limiter.check(caller.tenant.id)?;
            // Logged by the request logger: which tenant, never who or with what token.
            req.extensions_mut().insert(caller.tenant.id);
            Ok(caller)
        })
    }
}

/// Tenants by client key (Forge ones under `forge:<installationId>`), with secrets opened, kept briefly so that a request does not cost a
/// database read and a decryption. Lifecycle events, deletions and purges evict entries.
///
/// A key no installation has is cached too, as `None` (a negative entry): a flood of tokens
/// naming made-up client keys or installations costs one database lookup per key and TTL,
/// not one per request. Every install forgets the key's entry, so a new site is never
/// refused for having been probed before it installed.
pub type TenantCache = TtlCache<String, Option<Arc<Tenant>>>;

/// How many opened tenants stay in memory at most.
pub const TENANT_CACHE_MAX: u64 = 10_000;
