//! What the handlers share, and how the app is wired: [`AppState`] (settings, the database,
//! the key ring, the groups directory, the install keys, the Forge token verifier) and
//! [`Services`], everything registered as app data (also the settings alone, the client page
//! and the OpenAPI document, for the handlers that need nothing else).
//!
//! The design decision: authentication is not part of [`AppState`]. The authenticators, the
//! tenant cache and the rate limiter are app data of their own, so `auth/` depends on none of
//! this: Connect's JWT (`JWT`) and, when a Forge app id is set, Forge's FIT (`Bearer`) are two
//! registrations in [`Services::new`], and the handlers do not know which one verified a call.

use std::sync::Arc;

use actix_web::web;

use crate::auth::connect_jwt::{self, ConnectAuthenticator};
use crate::auth::forge_fit::{self, FitVerifier, ForgeApp, ForgeAuthenticator};
use crate::auth::{Authenticators, TENANT_CACHE_MAX, TenantCache};
use crate::body::BodyTimeout;
use crate::crypto::KeyRing;
use crate::install_keys::InstallKeys;
use crate::jira::{Directory, JiraDirectory};
use crate::openapi::Document;
use crate::page::ClientPage;
use crate::ratelimit::TenantLimiter;
use crate::settings::Settings;
use crate::store::Db;

/// What a request with neither scheme is told when Connect and Forge are both served.
const SCHEMES_REFUSAL: &str = "authorization header must be `JWT <token>` or `Bearer <token>`";

/// How long an opened tenant (and its secret) stays in memory without a database read.
const TENANT_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// How often expired tenants are evicted while the server is idle (see [`crate::cache::TtlCache::sweep`]):
/// an opened secret stays in memory at most this much beyond [`TENANT_CACHE_TTL`].
pub const TENANT_CACHE_SWEEP: std::time::Duration = std::time::Duration::from_secs(5);

pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub keys: KeyRing,
    pub directory: Arc<dyn Directory>,
    pub install_keys: InstallKeys,
    /// Forge Invocation Tokens, when the server is a Forge app's remote: the API's `Bearer`
    /// authenticator and the lifecycle route share it (and so its `jti` replay cache).
    pub forge: Option<Arc<FitVerifier>>,
}

/// Every piece of app data, built once and shared by all workers.
#[derive(Clone)]
pub struct Services {
    pub state: web::Data<AppState>,
    /// The same settings as `state`'s, for what needs nothing else (the page, the headers).
    pub settings: web::Data<Settings>,
    /// The built client's page, when the server serves one.
    pub page: Option<web::Data<ClientPage>>,
    pub openapi: web::Data<Document>,
    pub authenticators: web::Data<Authenticators>,
    pub tenants: web::Data<TenantCache>,
    pub limiter: web::Data<TenantLimiter>,
    pub body_timeout: BodyTimeout,
}

impl Services {
    /// The wiring: Connect JWTs (the tenant's Jira for groups) and, with Forge settings, Forge
    /// Invocation Tokens beside them.
    pub fn new(settings: Settings, keys: KeyRing, db: Db, page: Option<ClientPage>) -> Self {
        let tenants = Arc::new(TenantCache::new(TENANT_CACHE_MAX, Some(TENANT_CACHE_TTL)));
        let connect = ConnectAuthenticator {
            db: db.clone(),
            keys: keys.clone(),
            tenants: tenants.clone(),
            leeway: settings.jwt_leeway,
        };
        let forge = settings.forge.as_ref().map(|f| {
            Arc::new(FitVerifier::new(ForgeApp {
                app_id: f.app_id.clone(),
                environment: f.environment.clone(),
                jwks_url: f.jwks_url.clone(),
                leeway: f.leeway,
                timeout: settings.outbound_timeout,
            }))
        });
        let authenticators = match &forge {
            None => Authenticators::new(connect_jwt::SCHEME_REFUSAL)
                .with(connect_jwt::SCHEME, Arc::new(connect)),
            Some(verifier) => Authenticators::new(SCHEMES_REFUSAL)
                .with(connect_jwt::SCHEME, Arc::new(connect))
                .with(
                    forge_fit::SCHEME,
                    Arc::new(ForgeAuthenticator {
                        verifier: verifier.clone(),
                        db: db.clone(),
                        tenants: tenants.clone(),
                    }),
                ),
        };
        let directory = JiraDirectory::new(
            settings.app_key.clone(),
            settings.outbound_timeout,
            settings.groups_cache,
        );
        let limiter = TenantLimiter::new(settings.rate_limit_per_second, settings.rate_limit_burst);
        let body_timeout = BodyTimeout(settings.body_timeout);
        let openapi = Document(crate::openapi::document(&settings.base_url));
        let state = AppState {
            install_keys: InstallKeys::new(
                settings.install_keys_url.clone(),
                settings.outbound_timeout,
                settings.lifecycle_calls_per_source_per_minute,
                settings.install_keys_ttl,
            ),
            forge,
            settings: Arc::new(settings),
            db,
            keys,
            directory: Arc::new(directory),
        };
        Services {
            settings: web::Data::from(state.settings.clone()),
            page: page.map(web::Data::new),
            openapi: web::Data::new(openapi),
            state: web::Data::new(state),
            authenticators: web::Data::new(authenticators),
            tenants: web::Data::from(tenants),
            limiter: web::Data::new(limiter),
            body_timeout,
        }
    }

    /// Registers every piece as app data of `cfg`.
    pub fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.state.clone())
            .app_data(self.settings.clone())
            .app_data(self.openapi.clone())
            .app_data(self.authenticators.clone())
            .app_data(self.tenants.clone())
            .app_data(self.limiter.clone())
            .app_data(self.body_timeout);
        if let Some(page) = &self.page {
            cfg.app_data(page.clone());
        }
    }
}
