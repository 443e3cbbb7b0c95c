//! The `jira-sim` command line: `serve` (the default), `dump`, `install`, `uninstall`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use jiff::Timestamp;

use crate::data::DataSpec;
use crate::dump::{DumpSpec, dump};
use crate::forge::ForgeSpec;
use crate::forge::manifest::ForgeApp;
use crate::server::{DEFAULT_ALL_JS_PATH, DEFAULT_API_TOKEN, SimConfig, run};
use crate::site::Flavor;
use crate::state::{Faults, RateLimit};

#[derive(Debug, Parser)]
#[command(
    name = "jira-sim",
    version,
    about = "A Jira Cloud / Data Center REST simulator with generated data",
    long_about = "A Jira Cloud / Data Center REST simulator with generated, deterministic data, for \
Dwell's demo, tests and benchmarks. Without a subcommand it serves (see `jira-sim serve --help`).\n\n\
Demo users: ada (admin), ben, chloe, dev, eve, femi, gus, hana, ivan, jo; e-mail LOGIN@dwell.example. \
Authenticate with Basic EMAIL:API_TOKEN or Bearer API_TOKEN-LOGIN (Bearer API_TOKEN alone is ada).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the REST API, the admin endpoints and the Connect host (the default).
    Serve(Box<ServeArgs>),
    /// Write the generated data as API response pages (search and changelog pages) to a
    /// directory, for the dwell CLI.
    Dump(DumpArgs),
    /// Ask a running simulator to install a Connect app (signed `installed` lifecycle call).
    Install(InstallArgs),
    /// Ask a running simulator to uninstall a Connect app.
    Uninstall(UninstallArgs),
}

/// The generated data.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// How many issues to generate.
    #[arg(long, default_value_t = 5000, env = "JIRA_SIM_ISSUES")]
    pub issues: usize,
    /// The seed: the same seed and issue count give the same data.
    #[arg(long, default_value_t = 1, env = "JIRA_SIM_SEED")]
    pub seed: u64,
    /// Where the year of data ends: YYYY-MM-DD, an RFC 3339 instant, or `today` (UTC midnight).
    /// The default is fixed so data never changes by itself.
    #[arg(long, default_value = "2026-11-01")]
    pub data_end: String,
    /// Mark every kind of issue content with a marker of its own, all starting ZZCANARY (keys
    /// ZZCANARYKEY, summaries ZZCANARYSUMMARY, worklog comments ZZCANARYWORKLOG, ...), and add a
    /// text and a select custom field that carry one (privacy tests).
    #[arg(long)]
    pub canary: bool,
    /// Multiply the worklogs of ordinary issues by this (1: a handful each; about 5 gives
    /// 200,000 worklogs on 10,000 issues).
    #[arg(long, default_value_t = 1)]
    pub worklog_scale: u32,
}

impl DataArgs {
    pub fn spec(&self) -> anyhow::Result<DataSpec> {
        Ok(DataSpec {
            issues: self.issues,
            seed: self.seed,
            end: parse_end(&self.data_end)?,
            canary: self.canary,
            worklog_scale: self.worklog_scale,
        })
    }
}

fn parse_end(s: &str) -> anyhow::Result<Timestamp> {
    if s == "today" {
        let now = Timestamp::now().as_second();
        return Ok(Timestamp::from_second(now - now.rem_euclid(86_400))?);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s
        .parse()
        .with_context(|| format!("--data-end {s:?}: expected YYYY-MM-DD, RFC 3339 or today"))?;
    Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8081, env = "JIRA_SIM_PORT")]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The base URL clients use, when it differs from http://HOST:PORT.
    #[arg(long)]
    public_url: Option<String>,
    /// cloud: Cloud's API (search/jql, bulk fetches, accountIds); dc: Data Center's
    /// (/rest/api/2/search with startAt/total, usernames).
    #[arg(long, value_enum, default_value_t = Flavor::Cloud)]
    flavor: Flavor,
    /// The API token: Basic EMAIL:TOKEN for any demo user; Bearer TOKEN-LOGIN (personal
    /// access token).
    #[arg(long, default_value = DEFAULT_API_TOKEN, env = "JIRA_SIM_API_TOKEN")]
    api_token: String,
    /// An origin allowed to call the API from a browser (CORS, preflight included), e.g.
    /// http://127.0.0.1:8080. Repeatable; `*` allows any.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Latency added to every REST response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// A random extra latency of up to this many milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// The share (0 to 1) of REST requests answered 500 or 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// The share (0 to 1) of REST requests slowed down by --slow-ms.
    #[arg(long, default_value_t = 0.0)]
    slow_rate: f64,
    /// How much a slowed-down request is slowed, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    slow_ms: u64,
    /// The share (0 to 1) of REST requests whose connection is cut mid-response.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Seeds the fault draws (same seed and request order, same faults).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Requests per second each credential may make; over budget, 429 with Retry-After and
    /// X-RateLimit-* headers. Off by default.
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<u32>,
    /// The burst a credential may spend at once [default: the --rate-limit value].
    #[arg(long, requires = "rate_limit")]
    rate_burst: Option<u32>,
    /// HTTP worker threads.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Where the all.js emulation for Connect apps is served.
    #[arg(long, default_value = DEFAULT_ALL_JS_PATH)]
    all_js_path: String,
    /// The demo user the Connect host page signs in unless the URL says ?user=LOGIN.
    #[arg(long, default_value = "ada")]
    connect_user: String,
    /// An RSA private key (PEM) for signed installs; a fresh one is generated otherwise.
    #[arg(long, value_name = "PEM")]
    connect_key: Option<PathBuf>,
    /// Install this Connect app at start (its base URL or descriptor URL), retrying until it
    /// answers.
    #[arg(long, value_name = "APP_URL")]
    install_app: Option<String>,
    /// How long --install-app keeps retrying, in seconds.
    #[arg(long, default_value_t = 120)]
    install_patience_secs: u64,
    /// Play the Forge platform for the app of this manifest.yml (its app id, jira:globalPage
    /// and jira:projectPage modules, endpoints, triggers, remotes, resources, permissions).
    /// A manifest with parts the simulator cannot play is refused.
    #[arg(long, value_name = "PATH")]
    forge_manifest: Option<PathBuf>,
    /// Point the manifest's remote KEY at URL instead of its baseUrl (repeatable), e.g.
    /// config-api=http://127.0.0.1:8080.
    #[arg(
        long = "forge-remote",
        value_name = "KEY=URL",
        requires = "forge_manifest"
    )]
    forge_remotes: Vec<String>,
    /// Serve the manifest's resource KEY from DIR (repeatable), e.g. main=dist.
    #[arg(
        long = "forge-resource",
        value_name = "KEY=DIR",
        requires = "forge_manifest"
    )]
    forge_resources: Vec<String>,
    /// Install the Forge app at start (sending avi:forge:installed:app to its trigger).
    #[arg(long, requires = "forge_manifest")]
    forge_install: bool,
}

impl ServeArgs {
    pub fn config(&self) -> anyhow::Result<SimConfig> {
        for (name, share) in [
            ("--error-rate", self.error_rate),
            ("--slow-rate", self.slow_rate),
            ("--drop-rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&share) {
                bail!("{name} must be between 0 and 1");
            }
        }
        if self.rate_limit == Some(0) {
            bail!("--rate-limit must be at least 1");
        }
        Ok(SimConfig {
            data: self.data.spec()?,
            flavor: self.flavor,
            bind: format!("{}:{}", self.host, self.port),
            public_url: self.public_url.clone(),
            api_token: self.api_token.clone(),
            cors_origins: self.cors_origins.clone(),
            faults: Faults {
                latency_ms: self.latency_ms,
                jitter_ms: self.jitter_ms,
                error_rate: self.error_rate,
                slow_rate: self.slow_rate,
                slow_ms: self.slow_ms,
                drop_rate: self.drop_rate,
                seed: self.fault_seed,
            },
            rate_limit: self.rate_limit.map(|per_second| RateLimit {
                per_second,
                burst: self.rate_burst.unwrap_or(per_second),
            }),
            workers: self.workers,
            all_js_path: self.all_js_path.clone(),
            connect_user: self.connect_user.clone(),
            connect_key: self.connect_key.clone(),
            install_app: self.install_app.clone(),
            install_patience: Duration::from_secs(self.install_patience_secs),
            forge: self.forge_spec()?,
        })
    }

    fn forge_spec(&self) -> anyhow::Result<Option<ForgeSpec>> {
        let Some(path) = &self.forge_manifest else {
            return Ok(None);
        };
        let mut app = ForgeApp::from_file(path)?;
        for pair in &self.forge_remotes {
            let (key, url) = pair
                .split_once('=')
                .with_context(|| format!("--forge-remote {pair:?}: expected KEY=URL"))?;
            app.override_remote(key, url)?;
        }
        let mut resource_dirs = BTreeMap::new();
        for pair in &self.forge_resources {
            let (key, dir) = pair
                .split_once('=')
                .with_context(|| format!("--forge-resource {pair:?}: expected KEY=DIR"))?;
            if !app.resources.iter().any(|r| r.key == key) {
                bail!(
                    "--forge-resource {key}: the manifest has no resource {key:?} (it has {:?})",
                    app.resources.iter().map(|r| &r.key).collect::<Vec<_>>()
                );
            }
            let dir = PathBuf::from(dir);
            if !dir.join("index.html").is_file() {
                bail!(
                    "--forge-resource {key}: {} has no index.html (a Custom UI folder, e.g. trunk's dist/)",
                    dir.display()
                );
            }
            resource_dirs.insert(key.to_string(), dir);
        }
        Ok(Some(ForgeSpec {
            app,
            resource_dirs,
            install_at_start: self.forge_install,
            invoke_budget: Default::default(),
        }))
    }
}

#[derive(Debug, Args)]
struct DumpArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The directory to write (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// cloud: search/jql pages + bulk changelog pages; dc: /rest/api/2/search pages with
    /// expand=changelog.
    #[arg(long, value_enum, default_value_t = Flavor::Cloud)]
    flavor: Flavor,
    /// Issues per search page.
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Histories per bulk changelog page (Cloud).
    #[arg(long, default_value_t = 1000)]
    changelog_page_size: usize,
    /// The base URL of `self` links in the files.
    #[arg(long, default_value = "http://jira-sim.invalid")]
    base_url: String,
    /// The demo user the pages are fetched as (timestamps are in their time zone).
    #[arg(long, default_value = "ada")]
    user: String,
    /// Also write the worklogs the user may see: the search pages carry the `worklog` field, and
    /// issues with more than 20 get their `/issue/{id}/worklog` pages (worklog-*.json).
    #[arg(long)]
    worklogs: bool,
}

#[derive(Debug, Args)]
struct InstallArgs {
    /// The running simulator, e.g. http://127.0.0.1:8081.
    #[arg(long, default_value = "http://127.0.0.1:8081")]
    sim: String,
    /// The app's base URL (its descriptor is APP/atlassian-connect.json) or descriptor URL.
    #[arg(long)]
    app: String,
}

#[derive(Debug, Args)]
struct UninstallArgs {
    #[arg(long, default_value = "http://127.0.0.1:8081")]
    sim: String,
    /// The app's key (from its descriptor).
    #[arg(long)]
    app_key: String,
}

async fn admin_post(sim: &str, path: &str, body: serde_json::Value) -> anyhow::Result<String> {
    let url = format!("{}{path}", sim.trim_end_matches('/'));
    let mut res = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish()
        .post(&url)
        .send_json(&body)
        .await
        .map_err(|e| anyhow::anyhow!("POST {url}: {e}"))?;
    let text = res.body().await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).into_owned();
    if !res.status().is_success() {
        bail!("POST {url} answered {}: {text}", res.status());
    }
    Ok(text)
}

/// Runs the command line.
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => run(cli.serve.config()?).await,
        Some(Command::Serve(args)) => run(args.config()?).await,
        Some(Command::Dump(args)) => {
            let spec = DumpSpec {
                data: args.data.spec()?,
                flavor: args.flavor,
                page_size: args.page_size,
                changelog_page_size: args.changelog_page_size,
                base_url: args.base_url,
                user: args.user,
                worklogs: args.worklogs,
            };
            let s = dump(&spec, &args.out)?;
            println!(
                "wrote {} issues ({} histories) to {}: {} search pages, {} changelog pages",
                s.issues,
                s.histories,
                args.out.display(),
                s.search_pages,
                s.changelog_pages
            );
            if spec.worklogs {
                println!(
                    "wrote {} worklogs in {} worklog pages",
                    s.worklogs, s.worklog_pages
                );
            }
            Ok(())
        }
        Some(Command::Install(args)) => {
            let out = admin_post(
                &args.sim,
                "/_sim/connect/install",
                serde_json::json!({"appUrl": args.app}),
            )
            .await?;
            println!("{out}");
            Ok(())
        }
        Some(Command::Uninstall(args)) => {
            admin_post(
                &args.sim,
                "/_sim/connect/uninstall",
                serde_json::json!({"appKey": args.app_key}),
            )
            .await?;
            println!("uninstalled {}", args.app_key);
            Ok(())
        }
    }
}
