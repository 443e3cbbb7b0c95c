//! Configuration: defaults, then a TOML file, then environment variables and flags.
//!
//! Every setting has a flag and a `DWELL_*` environment variable (clap reads both, so
//! `dwell-server --help` documents them all), and the same name in snake_case in the file given
//! by `--config`. Flags and the environment win over the file; the file wins over defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::crypto::KeyRing;

/// Why `admin_accounts` (flag, `DWELL_ADMIN_ACCOUNTS` or file key) stops the server: it made
/// the accounts admins of every site, so a site's operator-made admin could run every other
/// site's Dwell. Refusing it loudly beats ignoring it, which would drop admins silently.
pub const ADMIN_ACCOUNTS_REMOVED: &str = "admin_accounts (--admin-accounts, DWELL_ADMIN_ACCOUNTS) is no longer supported: it made accounts admins of every site. Remove it, and make an account an admin of one site with `dwell-server grant-admin --site <client key or Forge installation id> --account <account id>`";

/// The groups whose members are tenant admins, as Jira names them.
pub const DEFAULT_ADMIN_GROUPS: &[&str] = &["site-admins", "jira-administrators", "administrators"];

/// Atlassian's install key service for signed installs.
pub const ATLASSIAN_INSTALL_KEYS: &str = "https://connect-install-keys.atlassian.com";

/// The host of Atlassian's `all.js`, allowed in the client's `script-src`.
pub const ATLASSIAN_ALL_JS_HOST: &str = "https://connect-cdn.atl-paas.net";

/// The body size cap of every JSON request except imports.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Settings shared by every subcommand. Each field is optional here: what is not given falls
/// back to the file, then to the default.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SettingsArgs {
    /// TOML file with any of the settings below (snake_case names, e.g. `base_url = "..."`).
    #[arg(long, env = "DWELL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "DWELL_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// The app's public base URL: the descriptor's baseUrl and the `aud` of signed installs
    /// [default: http://localhost:8080].
    #[arg(long, env = "DWELL_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// The Connect app key [default: dwell].
    #[arg(long, env = "DWELL_APP_KEY", global = true)]
    pub app_key: Option<String>,
    /// SQLite database file, created with mode 0600 [default: data/dwell.sqlite3].
    #[arg(long, env = "DWELL_DATABASE", global = true)]
    pub database: Option<PathBuf>,
    /// File holding the AES-256-GCM keys that encrypt shared secrets, one base64 key per line,
    /// current key first [default: dwell.key beside the database, created when missing].
    #[arg(long, env = "DWELL_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// The same keys given directly, comma-separated, current key first (wins over the file).
    #[arg(long, env = "DWELL_SECRET_KEYS", hide_env_values = true, global = true)]
    pub secret_keys: Option<String>,
    /// Base URL of the install key service for signed installs; keys are fetched from
    /// `{url}/{kid}` [default: https://connect-install-keys.atlassian.com].
    #[arg(long, env = "DWELL_INSTALL_KEYS_URL", global = true)]
    pub install_keys_url: Option<String>,
    /// Clock leeway for `exp`, `iat` and `nbf` of tokens, in seconds [default: 30].
    #[arg(long, env = "DWELL_JWT_LEEWAY_SECONDS", global = true)]
    pub jwt_leeway_seconds: Option<u64>,
    /// Removed: it made accounts admins of every site. Setting it stops the server with a
    /// message naming `dwell-server grant-admin`, which makes an account an admin of one site.
    #[arg(
        long,
        env = "DWELL_ADMIN_ACCOUNTS",
        value_delimiter = ',',
        global = true,
        hide = true
    )]
    pub admin_accounts: Option<Vec<String>>,
    /// Jira groups whose members are tenant admins, comma-separated
    /// [default: site-admins,jira-administrators,administrators].
    #[arg(long, env = "DWELL_ADMIN_GROUPS", value_delimiter = ',', global = true)]
    pub admin_groups: Option<Vec<String>>,
    /// How long a user's Jira groups are cached, in seconds [default: 60].
    #[arg(long, env = "DWELL_GROUPS_CACHE_SECONDS", global = true)]
    pub groups_cache_seconds: Option<u64>,
    /// Sustained API requests per second allowed per tenant [default: 50].
    #[arg(long, env = "DWELL_RATE_LIMIT_PER_SECOND", global = true)]
    pub rate_limit_per_second: Option<u32>,
    /// Burst of API requests allowed per tenant above the sustained rate [default: 200].
    #[arg(long, env = "DWELL_RATE_LIMIT_BURST", global = true)]
    pub rate_limit_burst: Option<u32>,
    /// Days an uninstalled tenant's data is kept before it is purged [default: 90].
    #[arg(long, env = "DWELL_PURGE_GRACE_DAYS", global = true)]
    pub purge_grace_days: Option<u32>,
    /// Seconds between runs of the in-process purge job; 0 turns it off [default: 3600].
    #[arg(long, env = "DWELL_PURGE_INTERVAL_SECONDS", global = true)]
    pub purge_interval_seconds: Option<u64>,
    /// Days between reports of each Connect site's stored account ids to Atlassian's personal
    /// data reporting API (closed accounts are then erased); 0 turns the job off [default: 7].
    #[arg(long, env = "DWELL_ACCOUNTS_REPORT_DAYS", global = true)]
    pub accounts_report_days: Option<u32>,
    /// Where to report a vulnerability: a `mailto:` or `https:` URI, published in
    /// /.well-known/security.txt and the Connect descriptor [default: unset].
    #[arg(long, env = "DWELL_SECURITY_CONTACT", global = true)]
    pub security_contact: Option<String>,
    /// The vendor's privacy policy (https), published beside the security contact [default: unset].
    #[arg(long, env = "DWELL_PRIVACY_POLICY_URL", global = true)]
    pub privacy_policy_url: Option<String>,
    /// Directory for the daily in-process backups; unset turns them off [default: unset].
    #[arg(long, env = "DWELL_BACKUP_DIR", global = true)]
    pub backup_dir: Option<PathBuf>,
    /// Daily backups kept [default: 8].
    #[arg(long, env = "DWELL_BACKUP_KEEP_DAILY", global = true)]
    pub backup_keep_daily: Option<usize>,
    /// Weekly backups kept, beyond the daily ones [default: 8].
    #[arg(long, env = "DWELL_BACKUP_KEEP_WEEKLY", global = true)]
    pub backup_keep_weekly: Option<usize>,
    /// The built client (trunk's dist/) to serve at `/`; unset serves no client [default: unset].
    #[arg(long, env = "DWELL_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,
    /// PEM certificate chain: with --tls-key, serve HTTPS (TLS 1.2 and 1.3 only) and send HSTS.
    #[arg(long, env = "DWELL_TLS_CERT", global = true, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "DWELL_TLS_KEY", global = true, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Send HSTS without serving TLS, for a TLS-terminating proxy in front [default: false].
    #[arg(long, env = "DWELL_HSTS", global = true)]
    pub hsts: Option<bool>,
    /// Script origins allowed besides 'self' (where all.js comes from), comma-separated
    /// [default: https://connect-cdn.atl-paas.net].
    #[arg(
        long,
        env = "DWELL_CSP_SCRIPT_SRC",
        value_delimiter = ',',
        global = true
    )]
    pub csp_script_src: Option<Vec<String>>,
    /// Extra `connect-src` origins, e.g. a Jira Data Center or simulator the client fetches
    /// from directly, comma-separated [default: none].
    #[arg(
        long,
        env = "DWELL_CSP_CONNECT_SRC",
        value_delimiter = ',',
        global = true
    )]
    pub csp_connect_src: Option<Vec<String>>,
    /// `frame-ancestors` for pages loaded without a tenant's signed page token,
    /// comma-separated [default: 'none'].
    #[arg(
        long,
        env = "DWELL_CSP_FRAME_ANCESTORS",
        value_delimiter = ',',
        global = true
    )]
    pub csp_frame_ancestors: Option<Vec<String>>,
    /// HTTP worker threads [default: the number of CPUs].
    #[arg(long, env = "DWELL_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// SQLite connections in the pool [default: 8].
    #[arg(long, env = "DWELL_POOL_SIZE", global = true)]
    pub pool_size: Option<u32>,
    /// Body size cap of `POST /api/v1/import`, in bytes [default: 4194304].
    #[arg(long, env = "DWELL_IMPORT_LIMIT_BYTES", global = true)]
    pub import_limit_bytes: Option<usize>,
    /// Timeout of the outbound calls (install keys, Forge's JWKS, Jira groups, the personal data
    /// report), in seconds [default: 5].
    #[arg(long, env = "DWELL_OUTBOUND_TIMEOUT_SECONDS", global = true)]
    pub outbound_timeout_seconds: Option<u64>,
    /// How long a request body may take to arrive, in seconds [default: 30].
    #[arg(long, env = "DWELL_BODY_TIMEOUT_SECONDS", global = true)]
    pub body_timeout_seconds: Option<u64>,
    /// Log format: `text` or `json` [default: text]. The level comes from RUST_LOG.
    #[arg(long, env = "DWELL_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
    /// The Forge app's id (`app.id` of forge/manifest.yml, `ari:cloud:ecosystem::app/<uuid>`):
    /// set, the server is also the app's Forge remote and accepts Forge Invocation Tokens
    /// (`Authorization: Bearer`) whose `aud` it is [default: unset, Connect only].
    #[arg(long, env = "DWELL_FORGE_APP_ID", global = true)]
    pub forge_app_id: Option<String>,
    /// The Forge environment served: a type (`PRODUCTION`, `STAGING`, `DEVELOPMENT`) or an
    /// environment id (`ari:cloud:ecosystem::environment/...`) [default: PRODUCTION].
    #[arg(long, env = "DWELL_FORGE_ENVIRONMENT", global = true)]
    pub forge_environment: Option<String>,
    /// Where Forge publishes the keys of its tokens
    /// [default: https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json].
    #[arg(long, env = "DWELL_FORGE_JWKS_URL", global = true)]
    pub forge_jwks_url: Option<String>,
    /// Clock leeway for `exp`, `nbf` and `iat` of Forge tokens, in seconds, at most 10
    /// [default: 10].
    #[arg(long, env = "DWELL_FORGE_LEEWAY_SECONDS", global = true)]
    pub forge_leeway_seconds: Option<u64>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The settings file: the same names as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<SocketAddr>,
    base_url: Option<String>,
    app_key: Option<String>,
    database: Option<PathBuf>,
    secret_key_file: Option<PathBuf>,
    install_keys_url: Option<String>,
    jwt_leeway_seconds: Option<u64>,
    admin_accounts: Option<Vec<String>>,
    admin_groups: Option<Vec<String>>,
    groups_cache_seconds: Option<u64>,
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    purge_grace_days: Option<u32>,
    purge_interval_seconds: Option<u64>,
    accounts_report_days: Option<u32>,
    security_contact: Option<String>,
    privacy_policy_url: Option<String>,
    backup_dir: Option<PathBuf>,
    backup_keep_daily: Option<usize>,
    backup_keep_weekly: Option<usize>,
    static_dir: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    hsts: Option<bool>,
    csp_script_src: Option<Vec<String>>,
    csp_connect_src: Option<Vec<String>>,
    csp_frame_ancestors: Option<Vec<String>>,
    workers: Option<usize>,
    pool_size: Option<u32>,
    import_limit_bytes: Option<usize>,
    outbound_timeout_seconds: Option<u64>,
    body_timeout_seconds: Option<u64>,
    log_format: Option<LogFormat>,
    forge_app_id: Option<String>,
    forge_environment: Option<String>,
    forge_jwks_url: Option<String>,
    forge_leeway_seconds: Option<u64>,
}

/// Where the keys that encrypt shared secrets come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Keys given directly (environment or tests).
    Inline(KeyRing),
    /// A key file; created with one fresh key when `create` is set and it does not exist.
    File { path: PathBuf, create: bool },
}

/// Everything the server needs to run, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// Without a trailing slash.
    pub base_url: String,
    pub app_key: String,
    pub app_name: String,
    pub database: PathBuf,
    pub keys: KeySource,
    /// Without a trailing slash.
    pub install_keys_url: String,
    /// Lifecycle calls one source address may make a minute (not a flag: the default suits
    /// Atlassian's few calls per install; tests that install many sites raise it).
    pub lifecycle_calls_per_source_per_minute: u32,
    /// How long a fetched install key (or the service's "no such key") is trusted before it is
    /// fetched again (not a flag: ten minutes; tests shorten it).
    pub install_keys_ttl: Duration,
    pub jwt_leeway: Duration,
    pub admin_groups: Vec<String>,
    pub groups_cache: Duration,
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    pub purge_grace: Duration,
    /// `None` turns the in-process purge job off.
    pub purge_interval: Option<Duration>,
    /// How often each Connect site's account ids are reported; `None` turns the job off.
    pub accounts_report_cycle: Option<Duration>,
    /// Where to report a vulnerability (`mailto:` or `https:`), when the operator published one.
    pub security_contact: Option<String>,
    /// The vendor's privacy policy, when the operator published one.
    pub privacy_policy_url: Option<String>,
    pub backup: Option<BackupSchedule>,
    pub static_dir: Option<PathBuf>,
    pub tls: Option<TlsFiles>,
    pub hsts: bool,
    pub csp: CspSettings,
    pub workers: usize,
    pub pool_size: u32,
    pub import_limit_bytes: usize,
    pub outbound_timeout: Duration,
    /// How long a request body may take to arrive: a slow sender gets 408, not a worker slot.
    pub body_timeout: Duration,
    pub log_format: LogFormat,
    /// The Forge app this server is the remote of; `None` serves Connect only.
    pub forge: Option<ForgeSettings>,
}

/// What a Forge deployment accepts (see [`crate::auth::forge_fit::ForgeApp`]).
#[derive(Debug, Clone)]
pub struct ForgeSettings {
    /// `ari:cloud:ecosystem::app/<uuid>`: the `aud` of every token.
    pub app_id: String,
    /// An environment type or id; tokens of other environments are refused.
    pub environment: String,
    /// Without a trailing slash.
    pub jwks_url: String,
    /// At most [`crate::auth::forge_fit::MAX_LEEWAY`].
    pub leeway: Duration,
}

impl ForgeSettings {
    /// Production defaults for the app `app_id`: Atlassian's JWKS, 10 s of leeway.
    pub fn production(app_id: impl Into<String>) -> Self {
        ForgeSettings {
            app_id: app_id.into(),
            environment: "PRODUCTION".into(),
            jwks_url: crate::auth::forge_fit::ATLASSIAN_FIT_JWKS.into(),
            leeway: crate::auth::forge_fit::MAX_LEEWAY,
        }
    }
}

/// The in-process backup schedule.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub keep_daily: usize,
    pub keep_weekly: usize,
    /// How often the job checks whether a day has passed since the newest backup.
    pub check_every: Duration,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Origins the client's Content-Security-Policy allows beyond 'self' and the tenant's Jira.
#[derive(Debug, Clone)]
pub struct CspSettings {
    pub script_src: Vec<String>,
    pub connect_src: Vec<String>,
    /// For pages loaded without a signed page token; empty means `'none'`.
    pub frame_ancestors: Vec<String>,
}

impl Settings {
    /// Settings for tests and embedding: defaults, with the database at `database` and a key
    /// ring given directly.
    pub fn for_database(database: impl Into<PathBuf>, keys: KeyRing) -> Self {
        let database = database.into();
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_url: "http://localhost:8080".into(),
            app_key: "dwell".into(),
            app_name: "Dwell".into(),
            database,
            keys: KeySource::Inline(keys),
            install_keys_url: ATLASSIAN_INSTALL_KEYS.into(),
            lifecycle_calls_per_source_per_minute: 60,
            install_keys_ttl: Duration::from_secs(10 * 60),
            jwt_leeway: Duration::from_secs(30),
            admin_groups: DEFAULT_ADMIN_GROUPS.iter().map(|s| s.to_string()).collect(),
            groups_cache: Duration::from_secs(60),
            rate_limit_per_second: 50,
            rate_limit_burst: 200,
            purge_grace: days(90),
            purge_interval: Some(Duration::from_secs(3600)),
            accounts_report_cycle: Some(days(7)),
            security_contact: None,
            privacy_policy_url: None,
            backup: None,
            static_dir: None,
            tls: None,
            hsts: false,
            csp: CspSettings {
                script_src: vec![ATLASSIAN_ALL_JS_HOST.into()],
                connect_src: Vec::new(),
                frame_ancestors: Vec::new(),
            },
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            pool_size: 8,
            import_limit_bytes: 4 * 1024 * 1024,
            outbound_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(30),
            log_format: LogFormat::Text,
            forge: None,
        }
    }

    /// Resolves flags and environment (already merged by clap) over the file over defaults.
    pub fn load(args: &SettingsArgs) -> anyhow::Result<Settings> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read settings file {}", path.display()))?;
                toml::from_str::<FileSettings>(&text)
                    .with_context(|| format!("invalid settings file {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let database = pick(args.database.clone(), file.database, || {
            PathBuf::from("data/dwell.sqlite3")
        });
        let keys = match &args.secret_keys {
            Some(inline) => KeySource::Inline(KeyRing::parse(inline).context("DWELL_SECRET_KEYS")?),
            None => match args.secret_key_file.clone().or(file.secret_key_file) {
                Some(path) => KeySource::File {
                    path,
                    create: false,
                },
                None => KeySource::File {
                    path: default_key_file(&database),
                    create: true,
                },
            },
        };
        let mut s = Settings::for_database(database, KeyRing::empty());
        s.keys = keys;
        s.listen = pick(args.listen, file.listen, || s.listen);
        s.base_url = trim_slash(pick(args.base_url.clone(), file.base_url, || {
            s.base_url.clone()
        }));
        s.app_key = pick(args.app_key.clone(), file.app_key, || s.app_key.clone());
        s.install_keys_url = trim_slash(pick(
            args.install_keys_url.clone(),
            file.install_keys_url,
            || s.install_keys_url.clone(),
        ));
        s.jwt_leeway = Duration::from_secs(pick(
            args.jwt_leeway_seconds,
            file.jwt_leeway_seconds,
            || 30,
        ));
        if args.admin_accounts.is_some() || file.admin_accounts.is_some() {
            bail!("{ADMIN_ACCOUNTS_REMOVED}");
        }
        s.admin_groups = pick(args.admin_groups.clone(), file.admin_groups, || {
            s.admin_groups.clone()
        });
        s.groups_cache = Duration::from_secs(pick(
            args.groups_cache_seconds,
            file.groups_cache_seconds,
            || 60,
        ));
        s.rate_limit_per_second = pick(
            args.rate_limit_per_second,
            file.rate_limit_per_second,
            || s.rate_limit_per_second,
        );
        s.rate_limit_burst = pick(args.rate_limit_burst, file.rate_limit_burst, || {
            s.rate_limit_burst
        });
        s.purge_grace = days(pick(args.purge_grace_days, file.purge_grace_days, || 90));
        let interval = pick(
            args.purge_interval_seconds,
            file.purge_interval_seconds,
            || 3600,
        );
        s.purge_interval = (interval > 0).then(|| Duration::from_secs(interval));
        s.security_contact = args.security_contact.clone().or(file.security_contact);
        s.privacy_policy_url = args.privacy_policy_url.clone().or(file.privacy_policy_url);
        let report_days = pick(args.accounts_report_days, file.accounts_report_days, || 7);
        s.accounts_report_cycle = (report_days > 0).then(|| days(report_days));
        s.backup = args
            .backup_dir
            .clone()
            .or(file.backup_dir)
            .map(|dir| BackupSchedule {
                dir,
                keep_daily: pick(args.backup_keep_daily, file.backup_keep_daily, || 8),
                keep_weekly: pick(args.backup_keep_weekly, file.backup_keep_weekly, || 8),
                check_every: Duration::from_secs(3600),
            });
        s.static_dir = args.static_dir.clone().or(file.static_dir);
        s.tls = match (
            args.tls_cert.clone().or(file.tls_cert),
            args.tls_key.clone().or(file.tls_key),
        ) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => bail!("tls_cert and tls_key go together"),
        };
        s.hsts = pick(args.hsts, file.hsts, || false);
        s.csp.script_src = pick(args.csp_script_src.clone(), file.csp_script_src, || {
            s.csp.script_src.clone()
        });
        s.csp.connect_src = pick(args.csp_connect_src.clone(), file.csp_connect_src, Vec::new);
        s.csp.frame_ancestors = pick(
            args.csp_frame_ancestors.clone(),
            file.csp_frame_ancestors,
            Vec::new,
        );
        s.workers = pick(args.workers, file.workers, || s.workers).max(1);
        s.pool_size = pick(args.pool_size, file.pool_size, || s.pool_size).max(1);
        s.import_limit_bytes = pick(args.import_limit_bytes, file.import_limit_bytes, || {
            s.import_limit_bytes
        });
        s.outbound_timeout = Duration::from_secs(pick(
            args.outbound_timeout_seconds,
            file.outbound_timeout_seconds,
            || 5,
        ));
        s.body_timeout = Duration::from_secs(
            pick(args.body_timeout_seconds, file.body_timeout_seconds, || 30).max(1),
        );
        s.log_format = pick(args.log_format, file.log_format, LogFormat::default);
        s.forge = match args.forge_app_id.clone().or(file.forge_app_id) {
            Some(app_id) => {
                let mut forge = ForgeSettings::production(app_id.trim());
                forge.environment = pick(
                    args.forge_environment.clone(),
                    file.forge_environment,
                    || forge.environment.clone(),
                );
                forge.jwks_url = pick(args.forge_jwks_url.clone(), file.forge_jwks_url, || {
                    forge.jwks_url.clone()
                });
                forge.leeway = Duration::from_secs(pick(
                    args.forge_leeway_seconds,
                    file.forge_leeway_seconds,
                    || forge.leeway.as_secs(),
                ));
                Some(forge)
            }
            None => {
                let stray = [
                    (
                        "forge_environment",
                        args.forge_environment.is_some() || file.forge_environment.is_some(),
                    ),
                    (
                        "forge_jwks_url",
                        args.forge_jwks_url.is_some() || file.forge_jwks_url.is_some(),
                    ),
                    (
                        "forge_leeway_seconds",
                        args.forge_leeway_seconds.is_some() || file.forge_leeway_seconds.is_some(),
                    ),
                ];
                if let Some((name, _)) = stray.iter().find(|(_, given)| *given) {
                    bail!("{name} is set but forge_app_id is not: without the app id Forge is off");
                }
                None
            }
        };
        s.check()?;
        Ok(s)
    }

    /// Refuses settings that would make the server unsafe or broken.
    pub fn check(&self) -> anyhow::Result<()> {
        check_url("base_url", &self.base_url)?;
        check_url("install_keys_url", &self.install_keys_url)?;
        for origin in self
            .csp
            .script_src
            .iter()
            .chain(&self.csp.connect_src)
            .chain(&self.csp.frame_ancestors)
        {
            check_csp_source(origin)?;
        }
        if self.app_key.is_empty() || self.app_key.len() > 64 {
            bail!("app_key must be 1 to 64 characters");
        }
        if self.rate_limit_per_second == 0 || self.rate_limit_burst == 0 {
            bail!("rate limits must be positive");
        }
        if let Some(forge) = &self.forge {
            check_forge(forge)?;
        }
        if let Some(contact) = &self.security_contact {
            let plausible = |m: &str| {
                m.split_once('@')
                    .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                    && !m.chars().any(|c| c.is_whitespace() || c.is_control())
            };
            match contact.strip_prefix("mailto:") {
                Some(m) if plausible(m) => {}
                Some(_) => bail!("security_contact is not a mailto: address: {contact:?}"),
                None => check_url("security_contact", contact)?,
            }
        }
        if let Some(url) = &self.privacy_policy_url {
            check_url("privacy_policy_url", url)?;
        }
        Ok(())
    }

    /// Whether responses carry Strict-Transport-Security.
    pub fn sends_hsts(&self) -> bool {
        self.hsts || self.tls.is_some()
    }
}

fn pick<T>(flag: Option<T>, file: Option<T>, default: impl FnOnce() -> T) -> T {
    flag.or(file).unwrap_or_else(default)
}

fn days(n: u32) -> Duration {
    Duration::from_secs(u64::from(n) * 86_400)
}

fn trim_slash(s: String) -> String {
    s.trim_end_matches('/').to_string()
}

fn default_key_file(database: &Path) -> PathBuf {
    database
        .parent()
        .map(|d| d.join("dwell.key"))
        .unwrap_or_else(|| PathBuf::from("dwell.key"))
}

/// An https URL (http only on loopback) without a query, as [`crate::urls`] allows.
fn check_url(name: &str, url: &str) -> anyhow::Result<()> {
    crate::urls::check_service_url(url).map_err(|why| anyhow::anyhow!("{name} {why}: {url:?}"))
}

/// A Forge app id is an app ARI; the environment a type or an environment ARI; the JWKS an
/// https URL (http on loopback); the leeway at most 10 s.
fn check_forge(f: &ForgeSettings) -> anyhow::Result<()> {
    let uuid = f.app_id.strip_prefix("ari:cloud:ecosystem::app/");
    if !uuid.is_some_and(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    {
        bail!(
            "forge_app_id must be the manifest's app.id, ari:cloud:ecosystem::app/<uuid>: {:?}",
            f.app_id
        );
    }
    let env = f.environment.as_str();
    if !matches!(env, "PRODUCTION" | "STAGING" | "DEVELOPMENT")
        && !env.starts_with("ari:cloud:ecosystem::environment/")
    {
        bail!(
            "forge_environment must be PRODUCTION, STAGING, DEVELOPMENT or an environment id \
             (ari:cloud:ecosystem::environment/...): {env:?}"
        );
    }
    check_url("forge_jwks_url", &f.jwks_url)?;
    let max = crate::auth::forge_fit::MAX_LEEWAY;
    if f.leeway > max {
        bail!(
            "forge_leeway_seconds must be at most {} (Forge tokens live 25 s)",
            max.as_secs()
        );
    }
    Ok(())
}

/// A CSP source must be a plain origin or keyword: nothing that could end the directive.
fn check_csp_source(s: &str) -> anyhow::Result<()> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"'));
    if ok {
        Ok(())
    } else {
        bail!("invalid Content-Security-Policy source {s:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dwell.toml");
        std::fs::write(
            &file,
            "base_url = \"https://file.example\"\napp_key = \"from-file\"\npurge_grace_days = 7\n",
        )
        .unwrap();
        let args = SettingsArgs {
            config: Some(file),
            app_key: Some("from-flag".into()),
            ..SettingsArgs::default()
        };
        let s = Settings::load(&args).unwrap();
        assert_eq!(s.app_key, "from-flag");
        assert_eq!(s.base_url, "https://file.example");
        assert_eq!(s.purge_grace, Duration::from_secs(7 * 86_400));
        assert_eq!(s.rate_limit_burst, 200);
    }

    /// Issue 13: `admin_accounts` made accounts admins of every site. It is refused, from a
    /// flag or the environment and from the file, with a message naming what replaces it.
    #[test]
    fn the_global_admin_accounts_setting_is_refused_with_its_replacement() {
        let args = SettingsArgs {
            admin_accounts: Some(vec!["ops".into()]),
            ..SettingsArgs::default()
        };
        let err = format!("{:#}", Settings::load(&args).unwrap_err());
        assert!(err.contains("dwell-server grant-admin --site"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dwell.toml");
        std::fs::write(&file, "admin_accounts = [\"ops\"]\n").unwrap();
        let args = SettingsArgs {
            config: Some(file),
            ..SettingsArgs::default()
        };
        let err = format!("{:#}", Settings::load(&args).unwrap_err());
        assert!(err.contains("no longer supported"), "{err}");
    }

    /// Issue 13: a vulnerability contact and a privacy policy are published only as a mail
    /// address or a web address; anything else (a script URL, plain http off loopback) stops
    /// the server at start.
    #[test]
    fn the_security_contact_and_privacy_policy_are_checked_uris() {
        let load = |contact: &str, privacy: &str| {
            Settings::load(&SettingsArgs {
                security_contact: Some(contact.into()),
                privacy_policy_url: Some(privacy.into()),
                ..SettingsArgs::default()
            })
        };
        let s = load(
            "mailto:security@dwell.example",
            "https://dwell.example/privacy",
        )
        .unwrap();
        assert_eq!(
            s.security_contact.as_deref(),
            Some("mailto:security@dwell.example")
        );
        assert!(load("https://dwell.example/security", "https://dwell.example/p").is_ok());
        for (contact, privacy) in [
            ("javascript:alert(1)", "https://dwell.example/p"),
            ("mailto:", "https://dwell.example/p"),
            ("mailto:a b@dwell.example", "https://dwell.example/p"),
            ("http://dwell.example/security", "https://dwell.example/p"),
            (
                "mailto:security@dwell.example",
                "http://dwell.example/privacy",
            ),
            ("mailto:security@dwell.example", "data:text/html,hi"),
        ] {
            assert!(load(contact, privacy).is_err(), "{contact} {privacy}");
        }
    }

    #[test]
    fn unknown_settings_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dwell.toml");
        std::fs::write(&file, "base_ulr = \"https://typo.example\"\n").unwrap();
        let args = SettingsArgs {
            config: Some(file),
            ..SettingsArgs::default()
        };
        let err = format!("{:#}", Settings::load(&args).unwrap_err());
        assert!(err.contains("base_ulr"), "{err}");
    }

    #[test]
    fn forge_settings_default_to_atlassian_production_and_refuse_what_is_unsafe() {
        let args = SettingsArgs {
            forge_app_id: Some(
                "ari:cloud:ecosystem::app/7c1e5c41-8b5e-4b0f-9d55-1f1b7f0a9e01".into(),
            ),
            ..SettingsArgs::default()
        };
        let forge = Settings::load(&args).unwrap().forge.unwrap();
        assert_eq!(
            forge.jwks_url,
            "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json"
        );
        assert_eq!(forge.environment, "PRODUCTION");
        assert_eq!(forge.leeway, Duration::from_secs(10));
        assert!(
            Settings::load(&SettingsArgs::default())
                .unwrap()
                .forge
                .is_none()
        );

        let refused = |edit: fn(&mut SettingsArgs)| {
            let mut a = args.clone();
            edit(&mut a);
            format!("{:#}", Settings::load(&a).unwrap_err())
        };
        assert!(refused(|a| a.forge_leeway_seconds = Some(11)).contains("at most 10"));
        assert!(
            refused(|a| a.forge_app_id = Some("dwell".into()))
                .contains("ari:cloud:ecosystem::app/")
        );
        assert!(
            refused(|a| a.forge_environment = Some("prod".into())).contains("forge_environment")
        );
        assert!(
            refused(|a| a.forge_jwks_url = Some("http://keys.example/jwks.json".into()))
                .contains("forge_jwks_url")
        );
        let stray = SettingsArgs {
            forge_jwks_url: Some("https://keys.example/jwks.json".into()),
            ..SettingsArgs::default()
        };
        assert!(format!("{:#}", Settings::load(&stray).unwrap_err()).contains("forge_app_id"));
    }

    #[test]
    fn csp_sources_cannot_inject_directives() {
        assert!(check_csp_source("https://connect-cdn.atl-paas.net").is_ok());
        assert!(check_csp_source("https://x; script-src *").is_err());
        assert!(check_csp_source("").is_err());
    }
}
