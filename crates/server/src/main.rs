//! `dwell-server`: runs the metadata server, or one maintenance task, with the settings of
//! `--help` (flags, `DWELL_*` environment variables, or a TOML file given by `--config`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::settings::{LogFormat, Settings, SettingsArgs};
use server::{Application, jobs, store};

/// Dwell's metadata server: stores report configuration for Jira sites, nothing else.
///
/// Every setting is a flag, a DWELL_* environment variable, or a snake_case key in the TOML
/// file given by --config; flags and the environment win over the file. The server calls out
/// only to the install key service (signed installs) and to each site's Jira for a user's
/// groups (GET /rest/api/3/user/groups) and its personal data report (POST
/// /rest/atlassian-connect/latest/report-accounts), both signed as the app.
#[derive(Debug, Parser)]
#[command(name = "dwell-server", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API, the Connect lifecycle and the client (the default).
    Serve,
    /// Delete tenants uninstalled longer ago than the grace period, with all their data.
    Purge,
    /// Copy the database into DIR with SQLite's online backup API (safe while serving).
    Backup {
        /// Directory for the copy, named dwell-<UTC time>.sqlite3.
        #[arg(long)]
        to: PathBuf,
        /// Afterwards, delete copies beyond the retention policy (8 daily + 8 weekly).
        #[arg(long)]
        prune: bool,
    },
    /// Replace the database with a backup, then migrate it. Stop the server first.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Make an account an admin of one site (every right there, nowhere else). Safe while
    /// serving; takes effect on the site's next request.
    GrantAdmin {
        /// The site: its Connect client key or its Forge installation id.
        #[arg(long)]
        site: String,
        /// The Atlassian account id.
        #[arg(long)]
        account: String,
    },
    /// Take a site's admin right from an account (granted by the operator or, on Forge, as the
    /// installer).
    RevokeAdmin {
        /// The site: its Connect client key or its Forge installation id.
        #[arg(long)]
        site: String,
        /// The Atlassian account id.
        #[arg(long)]
        account: String,
    },
    /// Report each Connect site's stored account ids to Atlassian's personal data reporting API
    /// now (the server does it every --accounts-report-days), and erase the closed ones.
    ReportAccounts {
        /// Report every site, not only those whose last report is older than the cycle.
        #[arg(long)]
        all: bool,
    },
    /// Print a new random AES-256 key (base64) for the secret key file.
    Keygen,
    /// Print the OpenAPI document.
    Openapi,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(&cli.settings)?;
    init_logging(settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Purge => {
            let db = store::Db::open(&settings.database, 1)?;
            let purged = jobs::purge_once(&db, settings.purge_grace, jiff::Timestamp::now())?;
            println!("purged {} uninstalled tenant(s)", purged.len());
            Ok(())
        }
        Command::Backup { to, prune } => {
            let db = store::Db::open(&settings.database, 1)?;
            let path = jobs::backup_now(&db, &to, jiff::Timestamp::now())?;
            println!("{}", path.display());
            if prune {
                let daily = settings.backup.as_ref().map_or(8, |b| b.keep_daily);
                let weekly = settings.backup.as_ref().map_or(8, |b| b.keep_weekly);
                for removed in jobs::prune(&to, daily, weekly)? {
                    println!("removed {}", removed.display());
                }
            }
            Ok(())
        }
        Command::Restore { from } => {
            store::restore(&from, &settings.database)?;
            println!(
                "restored {} into {}",
                from.display(),
                settings.database.display()
            );
            Ok(())
        }
        Command::GrantAdmin { site, account } => {
            let account = config::AccountId::parse(&account).context("--account")?;
            let db = store::Db::open(&settings.database, 1)?;
            let conn = db.conn()?;
            match store::grant_admin(&conn, &site, account.as_str(), jiff::Timestamp::now())? {
                Some(tenant) => {
                    println!("{account} is an admin of site {site} (tenant {tenant})");
                    Ok(())
                }
                None => anyhow::bail!("no installation has the key {site:?}"),
            }
        }
        Command::RevokeAdmin { site, account } => {
            let db = store::Db::open(&settings.database, 1)?;
            let conn = db.conn()?;
            if store::revoke_admin(&conn, &site, &account)? {
                println!("{account} is no longer an admin of site {site}");
                Ok(())
            } else {
                anyhow::bail!("{account:?} is not a named admin of a site with the key {site:?}")
            }
        }
        Command::ReportAccounts { all } => report_accounts(settings, all),
        Command::Keygen => {
            println!("{}", server::crypto::generate_key_base64()?);
            Ok(())
        }
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&server::openapi::document(&settings.base_url))?
            );
            Ok(())
        }
    }
}

#[actix_web::main]
async fn report_accounts(settings: Settings, all: bool) -> anyhow::Result<()> {
    let db = store::Db::open(&settings.database, 1)?;
    let keys = server::load_keys(&settings)?;
    let cycle = match settings.accounts_report_cycle {
        Some(cycle) if !all => cycle,
        _ => std::time::Duration::ZERO,
    };
    let o = server::personal_data::report_due(
        &db,
        &keys,
        &settings.app_key,
        cycle,
        settings.outbound_timeout,
    )
    .await?;
    println!(
        "reported {} account(s) of {} site(s) in {} request(s): {} closed and erased, {} updated, {} site(s) failed",
        o.accounts, o.sites, o.requests, o.closed, o.updated, o.failed
    );
    if o.failed > 0 {
        anyhow::bail!("{} site(s) could not be reported; see the log", o.failed);
    }
    Ok(())
}

#[actix_web::main]
async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen;
    let app = Application::build(settings)
        .await
        .context("cannot start the server")?;
    tracing::info!(%listen, port = app.port(), "dwell-server listening");
    app.run_until_stopped().await?;
    Ok(())
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
