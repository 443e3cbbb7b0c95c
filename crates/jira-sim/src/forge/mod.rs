//! Forge host emulation: jira-sim plays Jira Cloud and the Forge platform for one Forge app
//! read from its real `manifest.yml` ([`manifest`]), so the app's remote and its Custom UI
//! run on one machine as they would on Atlassian's.
//!
//! - Forge Invocation Tokens ([`fit`]): RS256, minted with the simulated platform's own keys,
//!   published as a JWKS at `/.well-known/jwks.json`; `POST /_sim/forge/rotate` rotates them.
//! - Custom UI ([`cdn`]): `--forge-resource KEY=DIR` folders served on a loopback origin of
//!   their own, with the bridge script prepended and the policy `@forge/csp` computes
//!   ([`csp`]).
//! - Jira's pages ([`host`]): `/jira/apps/{appId}/{envId}` and the project page frame the
//!   resource in a sandboxed iframe; `assets/forge/host.js` answers `@forge/bridge`'s commands.
//! - Lifecycle ([`lifecycle`]): `POST /_sim/forge/install`, `/upgrade` and `/uninstall` send
//!   `avi:forge:{installed,upgraded,uninstalled}:app` to each trigger's endpoint route on its
//!   remote, with a FIT, a 5-second timeout and up to 4 retries; `GET /_sim/forge/apps` lists
//!   the installations and every delivery attempt.
//! - Functions ([`runtime`]): `POST /_sim/forge/scheduled/{key}` fires a `scheduledTrigger`;
//!   its function, run under node, reaches Atlassian's API (`/app/report-accounts`) and the
//!   app's remotes (`invokeRemote`, with a FIT naming no user) through the simulator.
//!
//! The design decision a reader must know: the simulator plays **one** app, given at start,
//! as a developer's `forge tunnel` does, and refuses any manifest part it cannot play
//! faithfully rather than approximate it.

pub mod admin;
pub mod cdn;
pub mod csp;
pub mod fit;
pub mod host;
pub mod lifecycle;
pub mod manifest;
pub mod runtime;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

use fit::{AppFacts, Invocation, KeyRing};
use manifest::ForgeApp;

/// How a simulator plays a Forge app: the checked manifest (remote overrides applied) and
/// the Custom UI folders of its resources.
#[derive(Debug, Clone)]
pub struct ForgeSpec {
    pub app: ForgeApp,
    /// Resource key to the folder served for it (`--forge-resource KEY=DIR`).
    pub resource_dirs: BTreeMap<String, PathBuf>,
    /// Install the app when the simulator starts (deliveries retried as Forge does).
    pub install_at_start: bool,
    /// Remote invocations a user may make from the UI per window.
    pub invoke_budget: InvokeBudget,
}

/// How many remote invocations (`invokeRemote`, `requestRemote`) a user may make per window:
/// Forge's 500 per 25 s by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvokeBudget {
    pub calls: usize,
    pub window: std::time::Duration,
}

impl Default for InvokeBudget {
    fn default() -> Self {
        InvokeBudget {
            calls: 500,
            window: std::time::Duration::from_secs(25),
        }
    }
}

/// One lifecycle event's delivery to one trigger.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event: String,
    pub trigger: String,
    pub url: String,
    /// Each attempt: the status the remote answered, or why there was none.
    pub attempts: Vec<Attempt>,
    pub delivered: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub millis: u64,
}

/// An installation of the app on the simulated site.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgeInstallation {
    /// The installation's uuid (the lifecycle payload's `id`).
    pub id: String,
    /// `ari:cloud:ecosystem::installation/<uuid>` (the FIT's `app.installationId`).
    pub installation_id: String,
    pub app_version: String,
    pub installer_account_id: String,
    pub installed_at: String,
    /// `installed` or `uninstalled`.
    pub status: String,
    pub deliveries: Vec<Delivery>,
}

/// The Forge host's state.
#[derive(Debug)]
pub struct ForgeHost {
    pub app: ForgeApp,
    pub resource_dirs: BTreeMap<String, PathBuf>,
    /// The simulated Forge CDN's origin (`http://127.0.0.1:PORT`, a listener of its own).
    pub cdn_origin: String,
    pub keys: KeyRing,
    /// The site's seed, from which its ids are made.
    pub seed: u64,
    /// The site's cloudId (fixed per seed).
    pub cloud_id: String,
    /// The app's environment (a development environment, as `forge tunnel` uses).
    pub environment_id: String,
    pub environment_type: &'static str,
    /// Every installation, the current one last.
    pub installations: Mutex<Vec<ForgeInstallation>>,
    /// The app's major version; an upgrade raises it.
    pub major_version: Mutex<u32>,
    /// Serialises lifecycle operations (one install, upgrade or uninstall at a time).
    pub lifecycle_lock: tokio::sync::Mutex<()>,
    pub invoke_budget: InvokeBudget,
    /// Each user's remote invocations within the budget's window.
    pub budgets: Mutex<HashMap<u8, VecDeque<Instant>>>,
    /// Function runs scheduled triggers opened, by their token ([`runtime`]).
    pub runs: Mutex<HashMap<String, runtime::Run>>,
}

/// A uuid made from the seed, so a site keeps its cloudId (and the app its installations'
/// ids) across runs. Salts: 1 the cloudId, 2 the environment, [`INSTALLATION_SALT`] + n the
/// n-th installation.
/// The salt of the first installation's id; the n-th (from 0) uses this + n.
const INSTALLATION_SALT: u64 = 0x1000;

fn seeded_uuid(seed: u64, salt: u64) -> String {
    let a = seed ^ 0x5eed_c10d_0000_0000;
    let b = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        (b >> 48) as u16 & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

impl ForgeHost {
    /// The host for `spec`; generates the first signing key (blocking).
    pub fn new(spec: ForgeSpec, seed: u64, cdn_origin: String) -> anyhow::Result<ForgeHost> {
        Ok(ForgeHost {
            app: spec.app,
            resource_dirs: spec.resource_dirs,
            cdn_origin,
            keys: KeyRing::generated(fit::RETIRED_KEY_GRACE)?,
            seed,
            cloud_id: seeded_uuid(seed, 1),
            environment_id: seeded_uuid(seed, 2),
            environment_type: "DEVELOPMENT",
            installations: Mutex::new(Vec::new()),
            major_version: Mutex::new(1),
            lifecycle_lock: tokio::sync::Mutex::new(()),
            invoke_budget: spec.invoke_budget,
            budgets: Mutex::new(HashMap::new()),
            runs: Mutex::new(HashMap::new()),
        })
    }

    pub fn site_ari(&self) -> String {
        format!("ari:cloud:jira::site/{}", self.cloud_id)
    }

    pub fn environment_ari(&self) -> String {
        format!(
            "ari:cloud:ecosystem::environment/{}/{}",
            self.app.uuid(),
            self.environment_id
        )
    }

    /// The current installation, if the app is installed.
    pub fn current(&self) -> Option<ForgeInstallation> {
        self.installations
            .lock()
            .ok()?
            .last()
            .filter(|i| i.status == "installed")
            .cloned()
    }

    pub fn all_installations(&self) -> Vec<ForgeInstallation> {
        self.installations
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Mints a FIT for `inv` under installation `inst`.
    pub fn mint(
        &self,
        inst: &ForgeInstallation,
        api_base_url: &str,
        inv: &Invocation,
    ) -> anyhow::Result<String> {
        let env_ari = self.environment_ari();
        let site_ari = self.site_ari();
        let facts = AppFacts {
            app_id: &self.app.id,
            installation_id: &inst.installation_id,
            app_version: &inst.app_version,
            environment_type: self.environment_type,
            environment_ari: &env_ari,
            api_base_url,
            site_ari: &site_ari,
        };
        let claims = fit::claims(&facts, inv, jiff::Timestamp::now().as_second());
        self.keys.sign(&claims)
    }

    /// What `GET /_sim/forge/apps` shows.
    pub fn describe(&self) -> Value {
        json!({
            "app": self.app,
            "cloudId": self.cloud_id,
            "environment": {"id": self.environment_id, "type": self.environment_type},
            "signingKeyId": self.keys.current_kid(),
            "cdn": self.cdn_origin,
            "resourceDirs": self.resource_dirs,
            "installations": self.all_installations(),
        })
    }
}
