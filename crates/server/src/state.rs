//! What every handler shares: settings, the database, the key ring, the authenticator, the
//! groups directory, the caches and the rate limiter.

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::auth::TenantCache;
use crate::auth::connect::ConnectAuthenticator;
use crate::client::ClientPage;
use crate::connect::InstallKeys;
use crate::crypto::KeyRing;
use crate::jira::{Directory, JiraDirectory};
use crate::ratelimit::TenantLimiter;
use crate::settings::Settings;
use crate::store::Db;

/// How long an opened tenant (and its secret) stays in memory without a database read.
const TENANT_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub keys: KeyRing,
    pub auth: Arc<dyn Authenticator>,
    pub directory: Arc<dyn Directory>,
    pub tenants: Arc<TenantCache>,
    pub limiter: TenantLimiter,
    pub install_keys: InstallKeys,
    pub page: Option<ClientPage>,
    pub openapi: serde_json::Value,
}

impl AppState {
    /// The Connect wiring: Connect JWTs for authentication, the tenant's Jira for groups.
    pub fn connect(settings: Settings, keys: KeyRing, db: Db, page: Option<ClientPage>) -> Self {
        let tenants = Arc::new(TenantCache::new(TENANT_CACHE_TTL));
        let auth = ConnectAuthenticator {
            db: db.clone(),
            keys: keys.clone(),
            tenants: tenants.clone(),
            leeway: settings.jwt_leeway,
        };
        let directory = JiraDirectory::new(
            settings.app_key.clone(),
            settings.outbound_timeout,
            settings.groups_cache,
        );
        AppState {
            limiter: TenantLimiter::new(settings.rate_limit_per_second, settings.rate_limit_burst),
            install_keys: InstallKeys::new(
                settings.install_keys_url.clone(),
                settings.outbound_timeout,
            ),
            openapi: crate::openapi::document(&settings.base_url),
            settings: Arc::new(settings),
            db,
            keys,
            auth: Arc::new(auth),
            directory: Arc::new(directory),
            tenants,
            page,
        }
    }
}
