//! The app's lifecycle as Forge performs it for a remote: `avi:forge:installed:app`,
//! `avi:forge:upgraded:app` and `avi:forge:uninstalled:app` POSTed to the route of each
//! trigger's endpoint on its remote, with a FIT (module type `core:trigger`, no principal),
//! a 5-second timeout and up to 4 retries (Forge's "events invoked by Forge Remote: 5").
//!
//! Payload (developer.atlassian.com, events-reference/life-cycle): `{id, installerAccountId,
//! app {id, version}, environment {id}}`, plus `eventType` and `context` (the site ARI) as
//! delivered events carry them. The installation record changes whether or not the remote
//! answers, as on Forge, where the install does not wait for the app's backend.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::fit::Invocation;
use super::manifest::{INSTALLED, UNINSTALLED, UPGRADED};
use super::{Attempt, Delivery, ForgeHost, ForgeInstallation, INSTALLATION_SALT, seeded_uuid};
use crate::state::AppState;

/// How long a remote has to answer one delivery.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Retries after the first attempt.
pub const RETRIES: usize = 4;
/// The pause before retry n (short: the simulator's clock is the tests' clock).
const BACKOFF_MS: [u64; RETRIES] = [200, 400, 800, 1600];

/// Why a lifecycle operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("the app is already installed (installation {0})")]
    AlreadyInstalled(String),
    #[error("the app is not installed")]
    NotInstalled,
    #[error("no demo user {0:?}")]
    NoSuchUser(String),
    #[error("{0}")]
    Internal(String),
}

fn event_payload(host: &ForgeHost, inst: &ForgeInstallation, event: &str, actor: &str) -> Value {
    let mut p = json!({
        "eventType": event,
        "id": inst.id,
        "app": {"id": host.app.id, "version": inst.app_version},
        "environment": {"id": host.environment_id},
        "context": host.site_ari(),
    });
    match event {
        INSTALLED => p["installerAccountId"] = json!(actor),
        UPGRADED => p["upgraderAccountId"] = json!(actor),
        _ => {}
    }
    p
}

/// Sends `event` to every trigger that listens for it; returns one delivery per trigger.
async fn deliver(
    state: &AppState,
    host: &ForgeHost,
    inst: &ForgeInstallation,
    event: &str,
    actor: &str,
) -> Vec<Delivery> {
    let payload = event_payload(host, inst, event, actor);
    let client = awc::Client::builder().timeout(TIMEOUT).finish();
    let mut out = Vec::new();
    for t in host
        .app
        .triggers
        .iter()
        .filter(|t| t.events.iter().any(|e| e == event))
    {
        let target = host.app.endpoint(&t.endpoint).and_then(|e| {
            let remote = host.app.remote(&e.remote)?;
            Some(format!("{}{}", remote.base_url, e.route.as_deref()?))
        });
        // The manifest check guarantees both; an inconsistent app is reported, not sent.
        let Some(url) = target else {
            out.push(Delivery {
                event: event.into(),
                trigger: t.key.clone(),
                url: String::new(),
                attempts: vec![Attempt {
                    status: None,
                    error: Some("the trigger's endpoint has no route on a remote".into()),
                    millis: 0,
                }],
                delivered: false,
            });
            continue;
        };
        let inv = Invocation {
            module_type: "core:trigger".into(),
            module_key: t.key.clone(),
            context: Some(json!({"cloudId": host.cloud_id, "moduleKey": t.key})),
            principal: None,
        };
        let mut d = Delivery {
            event: event.into(),
            trigger: t.key.clone(),
            url: url.clone(),
            attempts: Vec::new(),
            delivered: false,
        };
        for attempt in 0..=RETRIES {
            if attempt > 0 {
                actix_web::rt::time::sleep(Duration::from_millis(BACKOFF_MS[attempt - 1])).await;
            }
            let started = Instant::now();
            let fit = match host.mint(inst, &state.settings.base_url, &inv) {
                Ok(t) => t,
                Err(e) => {
                    d.attempts.push(Attempt {
                        status: None,
                        error: Some(format!("cannot mint a FIT: {e}")),
                        millis: 0,
                    });
                    break;
                }
            };
            let res = client
                .post(&url)
                .insert_header(("Authorization", format!("Bearer {fit}")))
                .send_json(&payload)
                .await;
            let millis = started.elapsed().as_millis() as u64;
            match res {
                Ok(r) => {
                    let status = r.status();
                    d.attempts.push(Attempt {
                        status: Some(status.as_u16()),
                        error: None,
                        millis,
                    });
                    if status.is_success() {
                        d.delivered = true;
                        break;
                    }
                }
                Err(e) => d.attempts.push(Attempt {
                    status: None,
                    error: Some(e.to_string()),
                    millis,
                }),
            }
        }
        if !d.delivered {
            tracing::warn!(
                "{event} to {url}: not delivered after {} attempts",
                d.attempts.len()
            );
        }
        out.push(d);
    }
    out
}

fn account(state: &AppState, login: &str) -> Result<String, LifecycleError> {
    let site = &state.data.site;
    site.user_by_login(login)
        .map(|u| site.users[u].account_id.clone())
        .ok_or_else(|| LifecycleError::NoSuchUser(login.into()))
}

fn poisoned<T>(_: T) -> LifecycleError {
    LifecycleError::Internal("installation state poisoned".into())
}

/// Installs the app (a new installation id) and sends `avi:forge:installed:app`.
///
/// The id is the n-th installation's of this site (made from the seed), not a random one: a
/// simulator restarted with the same seed installs the app as the same installation, so the
/// app's remote restores that tenant and its saved configuration (the demo's reports outlive
/// a restart), while a reinstall within one run is a new installation, as on Forge.
pub async fn install(
    state: &AppState,
    host: &ForgeHost,
    login: &str,
) -> Result<ForgeInstallation, LifecycleError> {
    let _one_at_a_time = host.lifecycle_lock.lock().await;
    if let Some(current) = host.current() {
        return Err(LifecycleError::AlreadyInstalled(current.id));
    }
    let actor = account(state, login)?;
    let earlier = host.installations.lock().map_err(poisoned)?.len() as u64;
    let id = seeded_uuid(host.seed, INSTALLATION_SALT + earlier);
    let major = *host.major_version.lock().map_err(poisoned)?;
    let mut inst = ForgeInstallation {
        installation_id: format!("ari:cloud:ecosystem::installation/{id}"),
        id,
        app_version: format!("{major}.0.0"),
        installer_account_id: actor.clone(),
        installed_at: jiff::Timestamp::now().to_string(),
        status: "installed".into(),
        deliveries: Vec::new(),
    };
    host.installations
        .lock()
        .map_err(poisoned)?
        .push(inst.clone());
    announce(state, host, &mut inst, (INSTALLED, &actor)).await?;
    Ok(inst)
}

/// Raises the app's major version and sends `avi:forge:upgraded:app`.
pub async fn upgrade(
    state: &AppState,
    host: &ForgeHost,
    login: &str,
) -> Result<ForgeInstallation, LifecycleError> {
    let _one_at_a_time = host.lifecycle_lock.lock().await;
    let mut inst = host.current().ok_or(LifecycleError::NotInstalled)?;
    let actor = account(state, login)?;
    let major = {
        let mut m = host.major_version.lock().map_err(poisoned)?;
        *m += 1;
        *m
    };
    inst.app_version = format!("{major}.0.0");
    record(host, &inst)?;
    announce(state, host, &mut inst, (UPGRADED, &actor)).await?;
    Ok(inst)
}

/// Uninstalls the app and sends `avi:forge:uninstalled:app`.
pub async fn uninstall(
    state: &AppState,
    host: &ForgeHost,
    login: &str,
) -> Result<ForgeInstallation, LifecycleError> {
    let _one_at_a_time = host.lifecycle_lock.lock().await;
    let mut inst = host.current().ok_or(LifecycleError::NotInstalled)?;
    let actor = account(state, login)?;
    inst.status = "uninstalled".into();
    announce(state, host, &mut inst, (UNINSTALLED, &actor)).await?;
    Ok(inst)
}

/// Sends `event` about `inst` on behalf of `actor`, keeps the deliveries with it and stores it.
async fn announce(
    state: &AppState,
    host: &ForgeHost,
    inst: &mut ForgeInstallation,
    (event, actor): (&str, &str),
) -> Result<(), LifecycleError> {
    let mut sent = deliver(state, host, inst, event, actor).await;
    inst.deliveries.append(&mut sent);
    record(host, inst)
}

/// Stores `inst` over the installation with its id.
fn record(host: &ForgeHost, inst: &ForgeInstallation) -> Result<(), LifecycleError> {
    let mut all = host.installations.lock().map_err(poisoned)?;
    if let Some(slot) = all.iter_mut().find(|i| i.id == inst.id) {
        *slot = inst.clone();
    }
    Ok(())
}

/// Installs at start, retrying deliveries as [`install`] does; failures are logged.
pub async fn install_at_start(state: &AppState, host: &ForgeHost) {
    match install(state, host, "ada").await {
        Ok(inst) => tracing::info!(
            "Forge app {} installed as {} ({} lifecycle deliveries)",
            host.app.id,
            inst.installation_id,
            inst.deliveries.len()
        ),
        Err(e) => tracing::error!("cannot install the Forge app: {e}"),
    }
}
