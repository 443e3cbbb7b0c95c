//! The signed-install lifecycle, as Jira performs it: descriptor, `installed`, `uninstalled`.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use rsa::rand_core::{OsRng, RngCore};
use serde_json::{Value, json};

use super::{ConnectHost, Installation, now_s, qsh};
use crate::state::AppState;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The descriptor URL for an app URL: the URL itself when it names a `.json`, else
/// `{url}/atlassian-connect.json`.
pub fn descriptor_url(app_url: &str) -> String {
    let u = app_url.trim_end_matches('/');
    if u.ends_with(".json") {
        u.to_string()
    } else {
        format!("{u}/atlassian-connect.json")
    }
}

async fn fetch_descriptor(app_url: &str) -> anyhow::Result<Value> {
    let url = descriptor_url(app_url);
    let client = awc::Client::builder().timeout(TIMEOUT).finish();
    let mut res = client
        .get(&url)
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .map_err(|e| anyhow!("cannot fetch the app descriptor {url}: {e}"))?;
    if !res.status().is_success() {
        bail!("the app descriptor {url} answered {}", res.status());
    }
    let body = res
        .body()
        .limit(1024 * 1024)
        .await
        .map_err(|e| anyhow!("cannot read the app descriptor {url}: {e}"))?;
    serde_json::from_slice(&body).with_context(|| format!("the app descriptor {url} is not JSON"))
}

fn text<'a>(v: &'a Value, field: &str) -> anyhow::Result<&'a str> {
    v.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| anyhow!("the app descriptor has no `{field}`"))
}

/// The lifecycle request's URL and the path its `qsh` covers (relative to the app's baseUrl).
fn lifecycle_target(app_base: &str, path: &str) -> (String, String) {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    (format!("{}{path}", app_base.trim_end_matches('/')), path)
}

fn payload(state: &AppState, connect: &ConnectHost, inst: &Installation, event: &str) -> Value {
    let base = &state.settings.base_url;
    let mut p = json!({
        "key": inst.key,
        "clientKey": connect.client_key,
        "baseUrl": base,
        "displayUrl": base,
        "productType": "jira",
        "description": format!("Atlassian JIRA at {base}"),
        "serverVersion": "100284",
        "pluginsVersion": "1001.0.0-SNAPSHOT",
        "eventType": event,
    });
    if event == "installed" {
        p["sharedSecret"] = json!(inst.shared_secret);
    }
    p
}

async fn post_lifecycle(
    state: &AppState,
    connect: &ConnectHost,
    inst: &Installation,
    event: &str,
) -> anyhow::Result<Option<u16>> {
    let Some(path) = inst
        .descriptor
        .pointer(&format!("/lifecycle/{event}"))
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    let (url, qsh_path) = lifecycle_target(&inst.base_url, path);
    let now = now_s();
    let token = connect.key.sign(&json!({
        "iss": connect.client_key,
        "aud": inst.base_url,
        "iat": now,
        "exp": now + 180,
        "qsh": qsh::qsh("POST", &qsh_path, ""),
        "context": {},
    }))?;
    let body = serde_json::to_vec(&payload(state, connect, inst, event))?;
    let client = awc::Client::builder().timeout(TIMEOUT).finish();
    let mut res = client
        .post(&url)
        .insert_header(("Authorization", format!("JWT {token}")))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Accept", "application/json"))
        .send_body(body)
        .await
        .map_err(|e| anyhow!("POST {url}: {e}"))?;
    let status = res.status();
    if !status.is_success() {
        let text = res.body().limit(4096).await.unwrap_or_default();
        bail!(
            "the app refused the {event} event: POST {url} answered {status}: {}",
            String::from_utf8_lossy(&text)
        );
    }
    Ok(Some(status.as_u16()))
}

/// Installs the app at `app_url` on this site: reads its descriptor, sends the signed
/// `installed` event with a fresh shared secret, and keeps the installation when the app
/// accepts it.
pub async fn install(
    state: &AppState,
    connect: &ConnectHost,
    app_url: &str,
) -> anyhow::Result<Installation> {
    let descriptor = fetch_descriptor(app_url).await?;
    let key = text(&descriptor, "key")?.to_string();
    let base_url = text(&descriptor, "baseUrl")?
        .trim_end_matches('/')
        .to_string();
    let name = descriptor
        .pointer("/name")
        .and_then(Value::as_str)
        .unwrap_or(&key)
        .to_string();
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let inst = Installation {
        key: key.clone(),
        name,
        base_url,
        shared_secret: hex::encode(secret),
        descriptor,
    };
    post_lifecycle(state, connect, &inst, "installed").await?;
    if let Ok(mut m) = connect.installs.lock() {
        m.insert(key, inst.clone());
    }
    tracing::info!(app = %inst.key, base_url = %inst.base_url, "app installed");
    Ok(inst)
}

/// Uninstalls `app_key`: the signed `uninstalled` event, then the installation is forgotten
/// (even when the app fails to answer, as Jira does).
pub async fn uninstall(
    state: &AppState,
    connect: &ConnectHost,
    app_key: &str,
) -> anyhow::Result<()> {
    let inst = connect
        .installs
        .lock()
        .ok()
        .and_then(|mut m| m.remove(app_key))
        .ok_or_else(|| anyhow!("no app {app_key:?} is installed"))?;
    post_lifecycle(state, connect, &inst, "uninstalled").await?;
    tracing::info!(app = %inst.key, "app uninstalled");
    Ok(())
}

/// Installs at start-up, retrying while the app is not up yet.
pub async fn install_when_ready(
    state: &AppState,
    connect: &ConnectHost,
    app_url: &str,
    patience: Duration,
) {
    let started = std::time::Instant::now();
    loop {
        match install(state, connect, app_url).await {
            Ok(_) => return,
            Err(e) if started.elapsed() < patience => {
                tracing::debug!("install not done yet: {e:#}");
                actix_web::rt::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => {
                tracing::error!("cannot install {app_url}: {e:#}");
                return;
            }
        }
    }
}
