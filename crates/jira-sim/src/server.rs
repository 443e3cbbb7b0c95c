//! Starting the simulator: in the foreground (the binary) or on its own thread with its own
//! runtime (tests and benchmarks, [`RunningSim`]), on any address including port 0.
//!
//! Every app gets three pieces of app data: the shared `AppState`, the Connect host and, when
//! a Forge app is played, the Forge host. Each host's handlers ask for the pieces they use, so
//! `state` knows neither host.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::ServerHandle;
use actix_web::http::header;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::{Context, bail};
use base64::Engine;

use crate::connect::{ConnectHost, InstallKey, host, install};
use crate::data::{DataSpec, Dataset};
use crate::forge::{self, ForgeHost, ForgeSpec};
use crate::site::Flavor;
use crate::state::{AppState, Faults, RateLimit, Settings, Stats};
use crate::{api, gate};

/// Everything a simulator needs to start. `Default` is a small Cloud site on a free loopback
/// port, without faults or rate limits.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub data: DataSpec,
    pub flavor: Flavor,
    /// `host:port`; port 0 picks a free port.
    pub bind: String,
    /// The base URL clients use, when it is not `http://{bind}` (e.g. behind a proxy).
    pub public_url: Option<String>,
    /// The API token (Basic `email:TOKEN`) and the Bearer token prefix (`TOKEN-login`).
    pub api_token: String,
    /// Origins allowed by CORS (`*` for any). The simulator's own origin is always allowed.
    pub cors_origins: Vec<String>,
    pub faults: Faults,
    pub rate_limit: Option<RateLimit>,
    pub workers: usize,
    /// Where the all.js emulation is served.
    pub all_js_path: String,
    /// The login the Connect host page signs in when the URL names none.
    pub connect_user: String,
    /// A PEM RSA private key for signed installs; generated when absent.
    pub connect_key: Option<PathBuf>,
    /// An app to install at start (its base URL or descriptor URL), retried until it answers.
    pub install_app: Option<String>,
    /// How long to keep retrying `install_app`.
    pub install_patience: Duration,
    /// The Forge app to play (`--forge-manifest` and friends).
    pub forge: Option<ForgeSpec>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            data: DataSpec::default(),
            flavor: Flavor::Cloud,
            bind: "127.0.0.1:0".into(),
            public_url: None,
            api_token: DEFAULT_API_TOKEN.into(),
            cors_origins: Vec::new(),
            faults: Faults::default(),
            rate_limit: None,
            workers: 2,
            all_js_path: DEFAULT_ALL_JS_PATH.into(),
            connect_user: "ada".into(),
            connect_key: None,
            install_app: None,
            install_patience: Duration::from_secs(120),
            forge: None,
        }
    }
}

pub const DEFAULT_API_TOKEN: &str = "sim-token";
pub const DEFAULT_ALL_JS_PATH: &str = "/atlassian-connect/all.js";

/// A validated origin: `scheme://host[:port]`.
fn check_origin(o: &str) -> anyhow::Result<()> {
    if o == "*" {
        return Ok(());
    }
    let uri: actix_web::http::Uri = o.parse().with_context(|| format!("CORS origin {o:?}"))?;
    let ok = matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.host().is_some()
        && uri
            .path_and_query()
            .is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty())
        && !o.ends_with('/');
    if !ok {
        bail!("CORS origin {o:?} must look like https://host[:port], without a path");
    }
    Ok(())
}

fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(i) => url[..scheme_end + i].to_string(),
        None => url.to_string(),
    }
}

fn cors(origins: &[String], own: &str) -> Cors {
    let mut c = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("x-atlassian-token"),
            header::HeaderName::from_static("x-requested-with"),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-ratelimit-limit"),
            header::HeaderName::from_static("x-ratelimit-remaining"),
            header::HeaderName::from_static("x-ratelimit-reset"),
            header::HeaderName::from_static("x-ratelimit-nearlimit"),
            header::HeaderName::from_static("ratelimit-reason"),
        ])
        .supports_credentials()
        .max_age(600)
        .block_on_origin_mismatch(false)
        .allowed_origin(own);
    for o in origins {
        c = if o == "*" {
            c.allow_any_origin()
        } else {
            c.allowed_origin(o)
        };
    }
    c
}

/// What a running simulator's handlers share, each piece registered as app data of its own.
#[derive(Clone)]
struct Shared {
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
    /// Absent unless a Forge app is played: the Forge handlers then answer 404.
    forge: Option<web::Data<ForgeHost>>,
}

/// Binds, builds the state, and returns the server (not yet polled) with what it shares.
fn build(
    config: &SimConfig,
    data: Arc<Dataset>,
) -> anyhow::Result<(actix_web::dev::Server, Shared)> {
    for o in &config.cors_origins {
        check_origin(o)?;
    }
    if !config.all_js_path.starts_with('/') {
        bail!("the all.js path must start with '/'");
    }
    if data.site.user_by_login(&config.connect_user).is_none() {
        bail!("no demo user {:?}", config.connect_user);
    }
    let listener = TcpListener::bind(&config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let base_url = config
        .public_url
        .clone()
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{host}:{}", addr.port()));
    let key = match &config.connect_key {
        Some(path) => InstallKey::from_file(path)?,
        None => InstallKey::generated()?,
    };
    let connect = ConnectHost::new(
        key,
        data.spec.seed,
        config.all_js_path.clone(),
        config.connect_user.clone(),
    );
    // The Forge CDN: a second listener, so Custom UI runs on an origin of its own.
    let (forge, cdn_listener) = match &config.forge {
        Some(spec) => {
            let cdn = TcpListener::bind((addr.ip(), 0))
                .context("cannot listen for the simulated Forge CDN")?;
            let cdn_origin = format!("http://{host}:{}", cdn.local_addr()?.port());
            let forge = ForgeHost::new(spec.clone(), data.spec.seed, cdn_origin)?;
            (Some(web::Data::new(forge)), Some(cdn))
        }
        None => (None, None),
    };
    let settings = Settings {
        flavor: config.flavor,
        base_url: base_url.clone(),
        api_token: config.api_token.clone(),
        cors_origins: config.cors_origins.clone(),
        forge_cdn_origin: forge.as_ref().map(|f| f.cdn_origin.clone()),
    };
    let state = web::Data::new(AppState::new(
        data,
        settings,
        config.faults.clone(),
        config.rate_limit,
    ));
    let shared = Shared {
        state,
        connect: web::Data::new(connect),
        forge,
    };
    let s = shared.clone();
    let flavor = config.flavor;
    let all_js = config.all_js_path.clone();
    let own_origin = origin(&base_url);
    let cdn_authority = s
        .forge
        .as_ref()
        .map(|f| f.cdn_origin.trim_start_matches("http://").to_string());
    let server = HttpServer::new(move || {
        let app = App::new()
            .app_data(s.state.clone())
            .app_data(s.connect.clone());
        let app = match &s.forge {
            Some(forge) => app.app_data(forge.clone()),
            None => app,
        };
        app.app_data(web::PayloadConfig::new(1024 * 1024))
            .configure(|c| {
                if let Some(authority) = cdn_authority.clone() {
                    forge::cdn::configure(c, authority);
                }
            })
            .configure(|c| api::configure(c, flavor))
            .configure(forge::runtime::configure)
            .configure(forge::admin::configure)
            .configure(api::admin::configure)
            .route(
                "/connect-install-keys/{kid}",
                web::get().to(host::install_key),
            )
            .route(&all_js, web::get().to(host::all_js))
            .route("/atlassian-connect/host.js", web::get().to(host::host_js))
            .route(
                "/plugins/servlet/ac/{app}/{module}",
                web::get().to(host::host_page),
            )
            .route(
                "/plugins/servlet/ac-token/{app}",
                web::get().to(host::context_token_endpoint),
            )
            .route(
                "/jira/apps/{app}/{env}",
                web::get().to(forge::host::global_page),
            )
            .route(
                "/jira/software/projects/{project}/apps/{app}/{env}",
                web::get().to(forge::host::project_page),
            )
            .route("/", web::get().to(host::index))
            .wrap(from_fn(gate::witness))
            .wrap(Compress::default())
            .wrap(from_fn(gate::gate))
            .wrap(cors(&s.state.settings.cors_origins, &own_origin))
            .wrap(from_fn(gate::count))
    })
    .workers(config.workers.max(1))
    .shutdown_timeout(1)
    .listen(listener)?;
    let server = match cdn_listener {
        Some(cdn) => server.listen(cdn)?,
        None => server,
    }
    .run();
    Ok((server, shared))
}

/// Runs the simulator until it is stopped (Ctrl-C). The caller provides the actix runtime.
pub async fn run(config: SimConfig) -> anyhow::Result<()> {
    let data = Arc::new(Dataset::generate(config.data.clone()));
    let (server, shared) = build(&config, data)?;
    let state = &shared.state;
    tracing::info!(
        "jira-sim ({:?}) serving {} issues at {}",
        config.flavor,
        state.data.issues.len(),
        state.settings.base_url
    );
    println!("jira-sim listening on {}", state.settings.base_url);
    if let Some(f) = shared.forge.as_ref() {
        let (base, app, env) = (&state.settings.base_url, f.app.uuid(), &f.environment_id);
        println!(
            "Forge app {} (Custom UI served from {})",
            f.app.id, f.cdn_origin
        );
        println!("  global page:  {base}/jira/apps/{app}/{env}?user=ada");
        println!("  project page: {base}/jira/software/projects/PLAT/apps/{app}/{env}?user=ada");
    }
    if let Some(app) = config.install_app.clone() {
        let s = shared.clone();
        let patience = config.install_patience;
        actix_web::rt::spawn(async move {
            install::install_when_ready(&s.state, &s.connect, &app, patience).await
        });
    }
    spawn_forge_install(&config, &shared);
    server.await?;
    Ok(())
}

/// Installs the Forge app in the background when its spec asks for it at start.
fn spawn_forge_install(config: &SimConfig, shared: &Shared) {
    if config.forge.as_ref().is_some_and(|f| f.install_at_start) {
        let s = shared.clone();
        actix_web::rt::spawn(async move {
            if let Some(host) = s.forge.as_ref() {
                forge::lifecycle::install_at_start(&s.state, host).await;
            }
        });
    }
}

/// A simulator running on its own thread. Stops when dropped.
pub struct RunningSim {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub data: Arc<Dataset>,
    shared: Shared,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl RunningSim {
    /// Generates the data and starts a simulator on its own thread.
    pub fn start(config: SimConfig) -> anyhow::Result<RunningSim> {
        let data = Arc::new(Dataset::generate(config.data.clone()));
        RunningSim::start_with(config, data)
    }

    /// Starts a simulator over data generated earlier (shared between simulators).
    pub fn start_with(config: SimConfig, data: Arc<Dataset>) -> anyhow::Result<RunningSim> {
        let (tx, rx) = std::sync::mpsc::channel();
        let install_app = config.install_app.clone();
        let patience = config.install_patience;
        let d = data.clone();
        let thread = std::thread::Builder::new()
            .name("jira-sim".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    match build(&config, d) {
                        Ok((server, shared)) => {
                            let _ = tx.send(Ok((server.handle(), shared.clone())));
                            spawn_forge_install(&config, &shared);
                            if let Some(app) = install_app {
                                actix_web::rt::spawn(async move {
                                    let (state, connect) = (&shared.state, &shared.connect);
                                    install::install_when_ready(state, connect, &app, patience)
                                        .await
                                });
                            }
                            if let Err(e) = server.await {
                                tracing::error!("jira-sim stopped: {e}");
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                })
            })?;
        let (handle, shared) = rx
            .recv()
            .context("the simulator thread ended before it started")??;
        Ok(RunningSim {
            base_url: shared.state.settings.base_url.clone(),
            data,
            shared,
            handle,
            thread: Some(thread),
        })
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The `Authorization` header value for a demo user (Basic e-mail and API token).
    pub fn basic_auth(&self, login: &str) -> String {
        let site = &self.data.site;
        let email = site
            .user_by_login(login)
            .map(|u| site.users[u].email.clone())
            .unwrap_or_default();
        let raw = format!("{email}:{}", self.shared.state.settings.api_token);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    /// The `Authorization` header value for a demo user's personal access token.
    pub fn bearer_auth(&self, login: &str) -> String {
        format!("Bearer {}-{login}", self.shared.state.settings.api_token)
    }

    pub fn stats(&self) -> Stats {
        self.shared.state.stats()
    }

    pub fn reset_stats(&self) {
        self.shared.state.with_stats(|s| *s = Stats::default());
    }

    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut f) = self.shared.state.faults.write() {
            *f = faults;
        }
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.shared.state.set_rate_limit(limit);
    }

    /// The Connect host: install key id and PEM, client key, installations.
    pub fn connect(&self) -> &ConnectHost {
        &self.shared.connect
    }

    /// The Forge host, when the simulator plays a Forge app.
    pub fn forge(&self) -> Option<&ForgeHost> {
        self.shared.forge.as_ref().map(web::Data::get_ref)
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.shutdown();
    }
}
