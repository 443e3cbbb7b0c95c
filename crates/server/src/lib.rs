//! Dwell's metadata server: stores report configuration for many Jira sites (tenants), and
//! nothing else.
//!
//! The one design decision to know: the server cannot hold issue data by construction. Every
//! body is parsed strictly into crates/config's types (unknown fields refused, sizes capped),
//! the crate does not depend on crates/engine, and every request is scoped to the tenant of its
//! verified token. Around that: Atlassian Connect JWTs and lifecycle ([`auth`], [`lifecycle`]),
//! Forge Invocation Tokens, lifecycle and personal data ([`auth::forge_fit`], [`forge_lifecycle`],
//! [`forge_personal_data`]),
//! SQLite with all SQL in [`store`], permissions in [`rights`], the versioned API in [`api`],
//! and maintenance (purge, backups) in [`jobs`].
//!
//! [`Application::build`] binds (port 0 works) and returns a server to run; `main.rs` only
//! parses flags and calls it.

pub mod api;
pub mod auth;
pub mod body;
pub mod cache;
pub mod crypto;
pub mod error;
pub mod forge_lifecycle;
pub mod forge_personal_data;
pub mod headers;
pub mod install_keys;
pub mod jira;
pub mod jobs;
pub mod lifecycle;
pub mod openapi;
pub mod outbound;
pub mod page;
pub mod personal_data;
pub mod ratelimit;
pub mod rights;
pub mod settings;
pub mod state;
pub mod store;
pub mod urls;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;

use crate::crypto::KeyRing;
use crate::settings::{KeySource, Settings, TlsFiles};
use crate::state::{AppState, Services};
use crate::store::Db;

/// Registers every route. `static_dir` is the built client, when one is served.
pub fn configure(cfg: &mut web::ServiceConfig, static_dir: Option<&Path>) {
    cfg.route(
        "/atlassian-connect.json",
        web::get().to(lifecycle::descriptor),
    )
    .route("/lifecycle/installed", web::post().to(lifecycle::installed))
    .route(
        "/lifecycle/uninstalled",
        web::post().to(lifecycle::uninstalled),
    )
    .route(
        forge_lifecycle::ROUTE,
        web::post().to(forge_lifecycle::lifecycle),
    )
    .route(
        forge_personal_data::ACCOUNTS_ROUTE,
        web::get().to(forge_personal_data::accounts),
    )
    .route(
        forge_personal_data::CLOSED_ROUTE,
        web::post().to(forge_personal_data::closed),
    )
    .route(
        "/.well-known/security.txt",
        web::get().to(lifecycle::security_txt),
    )
    .route("/health/live", web::get().to(live))
    .route("/health/ready", web::get().to(ready))
    .service(
        web::scope("/api")
            .route("/openapi.json", web::get().to(openapi::serve))
            .service(web::scope("/v1").configure(api::configure))
            .default_service(web::to(error::not_found)),
    );
    match static_dir {
        Some(dir) => {
            cfg.service(
                web::scope("")
                    .wrap(Compress::default())
                    .wrap(from_fn(headers::static_files_csp))
                    .route("/", web::get().to(page::serve))
                    .route("/index.html", web::get().to(page::serve))
                    .service(page::files(dir)),
            );
        }
        None => {
            cfg.route("/", web::get().to(page::serve));
        }
    }
}

/// `GET /health/live`: the process answers.
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /health/ready`: the database answers and its schema is current.
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    match web::block(move || db.ready()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(Err(e)) => {
            tracing::warn!(error = format!("{e:#}"), "not ready");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
        Err(_) => {
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}

/// Opens the key ring the settings name.
pub fn load_keys(settings: &Settings) -> anyhow::Result<KeyRing> {
    match &settings.keys {
        KeySource::Inline(keys) => Ok(keys.clone()),
        KeySource::File { path, create } => KeyRing::load_file(path, *create),
    }
}

/// The running server: bound, with its state, ready to be awaited.
pub struct Application {
    port: u16,
    server: Server,
    services: Services,
}

impl Application {
    /// Opens the database (creating and migrating it), re-seals secrets under the current key,
    /// binds the listener and builds the server. Bind to port 0 to get a free port.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        settings.check()?;
        let keys = load_keys(&settings)?;
        let db = Db::open(&settings.database, settings.pool_size)?;
        let resealed = jobs::reseal_secrets(&db, &keys)?;
        if resealed > 0 {
            tracing::info!(
                resealed,
                key = keys.current_id().unwrap_or_default(),
                "shared secrets re-sealed under the current key"
            );
        }
        let page = settings
            .static_dir
            .as_deref()
            .map(page::ClientPage::load)
            .transpose()?;
        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let tls = settings.tls.clone();
        let services = Services::new(settings, keys, db, page);
        let data = services.clone();
        let server = HttpServer::new(move || {
            let static_dir = data.page.as_ref().map(|p| p.dir.clone());
            App::new()
                .configure(|cfg| data.register(cfg))
                .wrap(from_fn(headers::security_headers))
                .wrap(from_fn(headers::log_requests))
                .configure(|cfg| configure(cfg, static_dir.as_deref()))
                .default_service(web::to(error::not_found))
        })
        .workers(workers);
        let server = match tls {
            Some(files) => server.listen_rustls_0_23(listener, tls_config(&files)?)?,
            None => server.listen(listener)?,
        }
        .run();
        Ok(Application {
            port,
            server,
            services,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs the server and, beside it, the scheduled purge and backups, until it is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        spawn_jobs(&self.services);
        self.server.await
    }

    /// A handle to stop the server (tests use it).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// How often the server looks for sites whose personal data report is due.
const PERSONAL_DATA_CHECK: std::time::Duration = std::time::Duration::from_secs(3600);

fn spawn_jobs(services: &Services) {
    let tenants = services.tenants.clone();
    actix_web::rt::spawn(async move { tenants.sweep(state::TENANT_CACHE_SWEEP).await });
    let state = services.state.clone().into_inner();
    if let Some(every) = state.settings.purge_interval {
        let state = state.clone();
        let tenants = services.tenants.clone();
        let limiter = services.limiter.clone();
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(every);
            loop {
                tick.tick().await;
                let s = state.clone();
                let grace = s.settings.purge_grace;
                let result =
                    web::block(move || jobs::purge_once(&s.db, grace, jiff::Timestamp::now()))
                        .await;
                match result {
                    Ok(Ok(purged)) => {
                        if !purged.is_empty() {
                            tenants.forget_all();
                            tracing::info!(tenants = purged.len(), "uninstalled tenants purged");
                        }
                    }
                    Ok(Err(e)) => tracing::error!(error = format!("{e:#}"), "purge failed"),
                    Err(e) => tracing::error!(error = %e, "purge failed"),
                }
                limiter.tidy();
                state.install_keys.tidy();
            }
        });
    }
    if let Some(cycle) = state.settings.accounts_report_cycle {
        let state = state.clone();
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(PERSONAL_DATA_CHECK);
            loop {
                tick.tick().await;
                let s = &state.settings;
                match personal_data::report_due(
                    &state.db,
                    &state.keys,
                    &s.app_key,
                    cycle,
                    s.outbound_timeout,
                )
                .await
                {
                    Ok(o) if o.sites > 0 => tracing::info!(
                        sites = o.sites,
                        accounts = o.accounts,
                        closed = o.closed,
                        failed = o.failed,
                        "personal data reported"
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = format!("{e:#}"), "personal data report failed")
                    }
                }
            }
        });
    }
    if let Some(schedule) = state.settings.backup.clone() {
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(schedule.check_every);
            loop {
                tick.tick().await;
                let db = state.db.clone();
                let s = schedule.clone();
                let result = web::block(move || -> anyhow::Result<Option<std::path::PathBuf>> {
                    let now = jiff::Timestamp::now();
                    if !jobs::backup_due(&s.dir, now)? {
                        return Ok(None);
                    }
                    let path = jobs::backup_now(&db, &s.dir, now)?;
                    jobs::prune(&s.dir, s.keep_daily, s.keep_weekly)?;
                    Ok(Some(path))
                })
                .await;
                match result {
                    Ok(Ok(Some(path))) => {
                        tracing::info!(path = %path.display(), "daily backup written")
                    }
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => tracing::error!(error = format!("{e:#}"), "backup failed"),
                    Err(e) => tracing::error!(error = %e, "backup failed"),
                }
            }
        });
    }
}

/// rustls with TLS 1.2 and 1.3 only (rustls has nothing older), ring as the crypto provider.
fn tls_config(files: &TlsFiles) -> anyhow::Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("cannot read {}", files.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("bad certificate in {}", files.cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("cannot read the private key {}", files.key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
    .with_no_client_auth()
    .with_single_cert(certs, key)?;
    Ok(config)
}
