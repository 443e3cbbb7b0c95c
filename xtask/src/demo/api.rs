//! The calls the demo makes as a user of the site and of Dwell: a context token minted by the
//! simulated site, then Dwell's `/api/v1` with that token, as the client would.

use serde_json::Value;

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

/// Dwell's API as the demo user.
pub(super) struct Api<'a> {
    pub(super) http: &'a Http,
    pub(super) base: String,
    pub(super) authorization: String,
}

impl Api<'_> {
    pub(super) fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        self.http.json(
            method,
            &format!("{}{path}", self.base),
            Some(&self.authorization),
            body,
        )
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
