//! Who is calling: the [`Authenticator`] trait, its Atlassian Connect implementation, and the
//! [`Caller`] extractor every `/api` handler takes.
//!
//! Architecture invariant: the tenant and the user come from the verified token only. Nothing
//! in a path, body or query can name a tenant, so no handler can reach another tenant's rows.

pub mod connect;
pub mod qsh;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use config::AccountId;
use futures_util::future::LocalBoxFuture;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::TenantId;

/// An installed tenant, with its shared secret opened (kept in memory only).
#[derive(Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub client_key: String,
    pub base_url: String,
    pub display_url: Option<String>,
    pub shared_secret: Vec<u8>,
    pub uninstalled: bool,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant")
            .field("id", &self.id)
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

/// The credential of an API request: `Authorization: JWT <token>`.
pub fn header_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("missing authorization header"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed authorization header"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("JWT") && !token.trim().is_empty() => {
            Ok(token.trim().to_string())
        }
        _ => Err(ApiError::Unauthorized(
            "authorization header must be `JWT <token>`",
        )),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
            return Box::pin(async { Err(ApiError::Internal(anyhow::anyhow!("no app state"))) });
        };
        let token = match header_token(req) {
            Ok(t) => t,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        let verify = state.auth.authenticate(req, token, QshPolicy::AllowContext);
        let req = req.clone();
        Box::pin(async move {
            let caller = verify.await?;
            state.limiter.check(caller.tenant.id)?;
            // Logged by the request logger: which tenant, never who or with what token.
            req.extensions_mut().insert(caller.tenant.id);
            Ok(caller)
        })
    }
}

/// Tenants by client key, with secrets opened, kept briefly so that a request does not cost a
/// database read and a decryption. Lifecycle events, deletions and purges evict entries.
#[derive(Debug)]
pub struct TenantCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, (Instant, Arc<Tenant>)>>,
}

const TENANT_CACHE_MAX: usize = 10_000;

impl TenantCache {
    pub fn new(ttl: Duration) -> Self {
        TenantCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn get(&self, client_key: &str) -> Option<Arc<Tenant>> {
        let entries = self.entries.read().ok()?;
        let (at, tenant) = entries.get(client_key)?;
        (at.elapsed() < self.ttl).then(|| tenant.clone())
    }

    pub fn put(&self, tenant: Arc<Tenant>) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= TENANT_CACHE_MAX {
                entries.clear();
            }
            entries.insert(tenant.client_key.clone(), (Instant::now(), tenant));
        }
    }

    pub fn forget(&self, client_key: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(client_key);
        }
    }

    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}
