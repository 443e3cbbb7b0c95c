//! The calls the demo makes as a user of the site and of Dwell, as the client would: on
//! Connect, a context token minted by the simulated site, then Dwell's `/api/v1` with that
//! token; on Forge, `invokeRemote` through the simulated Jira page's bridge, which mints a Forge
//! Invocation Token for the signed-in user and calls Dwell's server, the app's remote.

use serde_json::{Value, json};

use crate::Result;

use super::http::{Http, text};

/// A context token for `user`, minted by the simulated site as all.js's
/// `AP.context.getToken()` gets one: open the app's page (which signs the user in), then ask
/// the site for a token with that session.
pub(super) fn context_token(
    http: &Http,
    sim: &str,
    app_key: &str,
    module: &str,
    user: &str,
) -> Result<String> {
    let page = http.send(
        "GET",
        &format!("{sim}/plugins/servlet/ac/{app_key}/{module}?user={user}"),
        &[],
        None,
    )?;
    if page.status != 200 {
        return Err(format!(
            "jira-sim would not show Dwell's page to {user:?} ({}): {}",
            page.status, page.body
        ));
    }
    let cookie = page
        .set_cookie
        .as_deref()
        .and_then(|c| c.split(';').next())
        .ok_or("jira-sim's page opened no session")?
        .to_string();
    let answer = http.send(
        "GET",
        &format!("{sim}/plugins/servlet/ac-token/{app_key}"),
        &[("Cookie", &cookie)],
        None,
    )?;
    let token: Value = serde_json::from_str(&answer.body)
        .map_err(|_| format!("jira-sim gave no context token: {}", answer.body))?;
    text(&token["token"], "the context token")
}

/// The session cookie of `user` on the simulated site, from opening `page` as them.
pub(super) fn site_session(http: &Http, page: &str, user: &str) -> Result<String> {
    let answer = http.send("GET", &format!("{page}?user={user}"), &[], None)?;
    if answer.status != 200 {
        return Err(format!(
            "jira-sim would not show Dwell's page to {user:?} ({}): {}",
            answer.status, answer.body
        ));
    }
    answer
        .set_cookie
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| "jira-sim's page opened no session".into())
}

/// How the demo reaches Dwell's API.
pub(super) enum Channel {
    /// `/api/v1` at the server's address, with a Connect context token.
    Connect { base: String, authorization: String },
    /// `invokeRemote` through the simulated Jira page of `module`, signed in by `cookie`.
    Forge {
        sim: String,
        module: String,
        cookie: String,
    },
}

/// Dwell's API as the demo user.
pub(super) struct Api<'a> {
    pub(super) http: &'a Http,
    pub(super) channel: Channel,
}

impl Api<'_> {
    pub(super) fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        match &self.channel {
            Channel::Connect {
                base,
                authorization,
            } => self
                .http
                .json(method, &format!("{base}{path}"), Some(authorization), body),
            Channel::Forge {
                sim,
                module,
                cookie,
            } => {
                let mut payload = json!({
                    "path": format!("/api/v1{path}"),
                    "method": method,
                    "headers": {"Accept": "application/json"},
                    "invokeType": "ui-remote-fetch",
                });
                if let Some(body) = body {
                    payload["headers"]["Content-Type"] = json!("application/json");
                    payload["body"] = json!(body.to_string());
                }
                let url = format!("{sim}/_sim/forge/bridge/invoke");
                let answer = self.http.send(
                    "POST",
                    &url,
                    &[("Cookie", cookie)],
                    Some(&json!({"moduleKey": module, "payload": payload})),
                )?;
                let reply: Value = serde_json::from_str(&answer.body)
                    .map_err(|e| format!("{url}: not JSON ({e}): {}", answer.body))?;
                let status = reply["payload"]["status"].as_u64();
                match status {
                    Some(200 | 201 | 204) if reply["success"] == true => {
                        Ok(reply["payload"]["body"].clone())
                    }
                    _ => Err(format!("invokeRemote {method} {path} failed: {reply}")),
                }
            }
        }
    }

    /// Creates each of `wanted` whose name is not saved yet; returns every name's id.
    pub(super) fn ensure_named(
        &self,
        path: &str,
        field: &str,
        wanted: Vec<Value>,
    ) -> Result<Vec<(String, String)>> {
        let listed = self.call("GET", path, None)?;
        let mut ids: Vec<(String, String)> = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r.get(field)?.get("name")?.as_str()?.to_string(),
                    r.get("id")?.as_str()?.to_string(),
                ))
            })
            .collect();
        for body in wanted {
            let name = text(&body["name"], "a name")?;
            if ids.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let created = self.call("POST", path, Some(&body))?;
            ids.push((name, text(&created["id"], "the new id")?));
        }
        Ok(ids)
    }
}

pub(super) fn id_of(ids: &[(String, String)], name: &str) -> Result<String> {
    ids.iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| id.clone())
        .ok_or_else(|| format!("{name:?} was not saved"))
}
