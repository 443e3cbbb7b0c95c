//! The Jira side of a Forge Custom UI: the page per page module that frames the app's resource
//! from the simulated CDN, and the bridge commands that need the server (remote invocations).
//!
//! Pages, as Jira's URLs: `GET /jira/apps/{appId}/{envId}` for the `jira:globalPage` and
//! `GET /jira/software/projects/{projectKey}/apps/{appId}/{envId}` for the `jira:projectPage`
//! (`?user=LOGIN` signs in, as on the Connect host page). The iframe is sandboxed with the
//! tokens of the policy Forge serves the resource with. `assets/forge/host.js` answers the
//! bridge: `getContext`, `fetchProduct` (a same-origin fetch as the signed-in user, so it
//! passes the REST gate: latency, faults, rate limits), `invoke` and `fetchRemote` (here: a
//! FIT minted for the user, 25 s timeout, 500 invocations per 25 s), `navigate`, `getUrl`,
//! `enableTheming`, `showFlag`; an unknown command fails in the app and is counted in
//! `/_sim/stats`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::fit::Invocation;
use super::manifest::{PageKind, PageModule};
use super::{ForgeHost, ForgeInstallation};
use crate::connect::ConnectHost;
use crate::connect::host::{
    SESSION_COOKIE, chrome, html_escape, new_session, page, page_user, script_json, session_user,
};
use crate::http::params::Query;
use crate::state::AppState;

const HOST_JS: &str = include_str!("../../assets/forge/host.js");
/// How long a remote has to answer an invocation from the UI.
pub const REMOTE_TIMEOUT: Duration = Duration::from_secs(25);
/// The iframe's sandbox: the tokens of the `sandbox` directive Forge's policy carries.
pub const SANDBOX: &str = "allow-popups allow-popups-to-escape-sandbox allow-downloads allow-forms allow-modals allow-pointer-lock allow-same-origin allow-scripts";

pub async fn host_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(HOST_JS)
}

fn text(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(body + "\n")
}

/// `GET /jira/apps/{appId}/{envId}`.
pub async fn global_page(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let (app, env) = path.into_inner();
    let hosts = (connect.get_ref(), forge.as_ref().map(web::Data::get_ref));
    render(&req, &state, hosts, PageKind::Global, &app, &env, None)
}

/// `GET /jira/software/projects/{projectKey}/apps/{appId}/{envId}`.
pub async fn project_page(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
    forge: Option<web::Data<ForgeHost>>,
) -> HttpResponse {
    let (project, app, env) = path.into_inner();
    let hosts = (connect.get_ref(), forge.as_ref().map(web::Data::get_ref));
    render(
        &req,
        &state,
        hosts,
        PageKind::Project,
        &app,
        &env,
        Some(&project),
    )
}

/// The local id of a module's extension, as Forge names it.
fn local_id(host: &ForgeHost, module: &PageModule) -> String {
    format!(
        "ari:cloud:ecosystem::extension/{}/{}/static/{}",
        host.app.uuid(),
        host.environment_id,
        module.key
    )
}

/// A page for `kind`; `hosts` are the Connect host (whose default user signs in when the URL
/// names none) and the Forge host, if any.
fn render(
    req: &HttpRequest,
    state: &AppState,
    (connect, forge): (&ConnectHost, Option<&ForgeHost>),
    kind: PageKind,
    app: &str,
    env: &str,
    project: Option<&str>,
) -> HttpResponse {
    use actix_web::http::StatusCode as S;
    let Some(host) = forge else {
        return text(
            S::NOT_FOUND,
            "no Forge app: start jira-sim with --forge-manifest PATH".into(),
        );
    };
    if app != host.app.uuid() || env != host.environment_id {
        return text(
            S::NOT_FOUND,
            format!(
                "no app {app}/{env} here; the app is /jira/apps/{}/{}",
                host.app.uuid(),
                host.environment_id
            ),
        );
    }
    let Some(module) = host.app.pages.iter().find(|p| p.kind == kind) else {
        return text(
            S::NOT_FOUND,
            format!("the app has no {} module", kind.module_type()),
        );
    };
    if host.current().is_none() {
        return text(
            S::NOT_FOUND,
            "the app is not installed: POST /_sim/forge/install (or start with --forge-install)"
                .into(),
        );
    }
    if !host.resource_dirs.contains_key(&module.resource) {
        return text(
            S::NOT_FOUND,
            format!(
                "the resource {:?} has no folder: start with --forge-resource {}=DIR",
                module.resource, module.resource
            ),
        );
    }
    let site = &state.data.site;
    let project = match project {
        Some(k) => match site.projects.iter().find(|p| p.key.eq_ignore_ascii_case(k)) {
            Some(p) => Some(p),
            None => return text(S::NOT_FOUND, format!("no project {k:?}")),
        },
        None => None,
    };
    let q = Query::parse(req.query_string());
    let Some(user) = page_user(state, connect, &q) else {
        return text(S::NOT_FOUND, "no such user".into());
    };
    let u = &site.users[usize::from(user)];
    let mut extension = json!({"type": kind.module_type()});
    if let Some(p) = project {
        extension["project"] = json!({"id": p.id.to_string(), "key": p.key, "type": "software"});
    }
    let context = json!({
        "accountId": u.account_id,
        "accountType": "licensed",
        "cloudId": host.cloud_id,
        "siteUrl": state.settings.base_url,
        "environmentId": host.environment_id,
        "environmentType": host.environment_type,
        "moduleKey": module.key,
        "localId": local_id(host, module),
        "locale": "en-US",
        "timezone": u.time_zone,
        "extension": extension,
        "license": Value::Null,
        "theme": {"colorMode": "light"},
    });
    let src = format!("{}/{}/index.html", host.cdn_origin, module.resource);
    let cfg = json!({
        "cdnOrigin": host.cdn_origin,
        "moduleKey": module.key,
        "context": context,
    });
    let body = format!(
        r#"{}<div id="flags" aria-live="polite"></div>
<iframe id="forge-app" src="{}" title="{}" sandbox="{SANDBOX}" allow="clipboard-write"></iframe>
<script type="application/json" id="jira-sim-forge">{}</script>
<script src="/_sim/forge/host.js"></script>"#,
        chrome(
            state,
            user,
            &format!("<span>{}</span>", html_escape(&module.title))
        ),
        html_escape(&src),
        html_escape(&module.title),
        script_json(&cfg)
    );
    let session = new_session(state, user);
    let mut res = page(&format!("{} - Jira", module.title), &body);
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// A bridge call the host page forwards: the module it came from and the app's payload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Forwarded {
    module_key: String,
    payload: Value,
}

fn refuse(status: actix_web::http::StatusCode, message: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": message.into()}))
}

/// Spends one invocation of the user's budget; false when 500 were spent in the last 25 s.
fn spend(host: &ForgeHost, user: u8) -> bool {
    let Ok(mut budgets) = host.budgets.lock() else {
        return false;
    };
    let now = Instant::now();
    let spent = budgets.entry(user).or_insert_with(VecDeque::new);
    while spent
        .front()
        .is_some_and(|t| now.duration_since(*t) >= host.invoke_budget.window)
    {
        spent.pop_front();
    }
    if spent.len() >= host.invoke_budget.calls {
        return false;
    }
    spent.push_back(now);
    true
}

/// What a UI call needs: the user, the installation and the module, or the refusal.
#[allow(clippy::result_large_err)]
fn caller<'a>(
    req: &HttpRequest,
    state: &AppState,
    forge: Option<&'a ForgeHost>,
    module_key: &str,
) -> Result<(&'a ForgeHost, u8, ForgeInstallation, &'a PageModule), HttpResponse> {
    use actix_web::http::StatusCode as S;
    let host = forge.ok_or_else(|| refuse(S::NOT_FOUND, "no Forge app"))?;
    let user = session_user(req, state)
        .ok_or_else(|| refuse(S::UNAUTHORIZED, "no session: open the app's page first"))?;
    let inst = host
        .current()
        .ok_or_else(|| refuse(S::CONFLICT, "the app is not installed"))?;
    let module = host
        .app
        .page(module_key)
        .ok_or_else(|| refuse(S::BAD_REQUEST, format!("no page module {module_key:?}")))?;
    Ok((host, user, inst, module))
}

fn ui_invocation(state: &AppState, host: &ForgeHost, user: u8, module: &PageModule) -> Invocation {
    let u = &state.data.site.users[usize::from(user)];
    Invocation {
        module_type: module.kind.module_type().into(),
        module_key: module.key.clone(),
        context: Some(json!({
            "cloudId": host.cloud_id,
            "siteUrl": state.settings.base_url,
            "moduleKey": module.key,
            "localId": local_id(host, module),
            "extension": {"type": module.kind.module_type()},
            "accountId": u.account_id,
        })),
        principal: Some(u.account_id.clone()),
    }
}

/// The outcome of one call to a remote.
pub(crate) struct Answered {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub(crate) async fn call_remote(
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: Option<Vec<u8>>,
    fit: &str,
) -> Result<Answered, String> {
    let method = actix_web::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("bad method {method:?}"))?;
    let client = awc::Client::builder().timeout(REMOTE_TIMEOUT).finish();
    let mut r = client.request(method, url);
    for (k, v) in headers {
        let lower = k.to_ascii_lowercase();
        if ![
            "authorization",
            "host",
            "content-length",
            "connection",
            "cookie",
        ]
        .contains(&lower.as_str())
        {
            r = r.insert_header((k.as_str(), v.as_str()));
        }
    }
    r = r.insert_header(("Authorization", format!("Bearer {fit}")));
    let mut res = match body {
        Some(b) => r.send_body(b).await,
        None => r.send().await,
    }
    .map_err(|e| e.to_string())?;
    let bytes = res
        .body()
        .limit(8 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Answered {
        status: res.status().as_u16(),
        reason: res.status().canonical_reason().unwrap_or("").to_string(),
        headers: res
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        body: bytes.to_vec(),
    })
}

/// `POST /_sim/forge/bridge/invoke`: `invokeRemote` (`invokeType: 'ui-remote-fetch'`) to the
/// module's resolver endpoint; the reply is `{success, payload: {status, headers: {k: [v]},
/// body}}` or `{success: false, error}`.
pub async fn invoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
    body: web::Json<Forwarded>,
) -> HttpResponse {
    let (host, user, inst, module) = match caller(
        &req,
        &state,
        forge.as_ref().map(web::Data::get_ref),
        &body.module_key,
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = &body.payload;
    let fail = |message: String| {
        HttpResponse::Ok().json(json!({"success": false, "error": {"message": message}}))
    };
    if p.get("invokeType").and_then(Value::as_str) != Some("ui-remote-fetch") {
        return fail(format!(
            "jira-sim invokes remotes only (invokeType 'ui-remote-fetch'), not {}",
            p.get("invokeType").unwrap_or(&Value::Null)
        ));
    }
    let Some(endpoint) = module
        .resolver_endpoint
        .as_deref()
        .and_then(|e| host.app.endpoint(e))
    else {
        return fail(format!(
            "the module {:?} has no resolver endpoint",
            module.key
        ));
    };
    let Some(remote) = host.app.remote(&endpoint.remote) else {
        return fail(format!("no remote {:?}", endpoint.remote));
    };
    if !spend(host, user) {
        return fail(format!(
            "Remote invocation calls are rate limited at {}/{}s",
            host.invoke_budget.calls,
            host.invoke_budget.window.as_secs()
        ));
    }
    let path = p.get("path").and_then(Value::as_str).unwrap_or("/");
    let url = format!(
        "{}{}{}",
        remote.base_url,
        endpoint.route.as_deref().unwrap_or(""),
        path
    );
    let method = p.get("method").and_then(Value::as_str).unwrap_or("GET");
    let mut headers: Vec<(String, String)> = p
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    // A string body goes as it is; anything else as JSON (@forge/bridge passes it through).
    let payload_body = match p.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone().into_bytes()),
        Some(v) => {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            Some(v.to_string().into_bytes())
        }
    };
    let fit = match host.mint(
        &inst,
        &state.settings.base_url,
        &ui_invocation(&state, host, user, module),
    ) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot mint a FIT: {e}")),
    };
    match call_remote(&url, method, &headers, payload_body, &fit).await {
        Ok(a) => {
            let mut hs: Map<String, Value> = Map::new();
            for (k, v) in a.headers {
                if let Value::Array(list) = hs.entry(k).or_insert_with(|| json!([])) {
                    list.push(json!(v));
                }
            }
            let text = String::from_utf8_lossy(&a.body).into_owned();
            let body = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
            HttpResponse::Ok().json(json!({"success": true, "payload": {"status": a.status, "headers": hs, "body": body}}))
        }
        Err(e) => fail(format!("the remote did not answer: {e}")),
    }
}

/// `POST /_sim/forge/bridge/fetch-remote`: `requestRemote(remoteKey, init)`; the reply is
/// `{status, statusText, headers, body}` as `fetchProduct`'s.
pub async fn fetch_remote(
    req: HttpRequest,
    state: web::Data<AppState>,
    forge: Option<web::Data<ForgeHost>>,
    body: web::Json<Forwarded>,
) -> HttpResponse {
    use actix_web::http::StatusCode as S;
    let (host, user, inst, module) = match caller(
        &req,
        &state,
        forge.as_ref().map(web::Data::get_ref),
        &body.module_key,
    ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = &body.payload;
    let key = p.get("remoteKey").and_then(Value::as_str).unwrap_or("");
    let Some(remote) = host.app.remote(key) else {
        return refuse(
            S::BAD_REQUEST,
            format!("the manifest has no remote {key:?}"),
        );
    };
    if !spend(host, user) {
        return refuse(
            S::TOO_MANY_REQUESTS,
            format!(
                "rate limited at {}/{}s",
                host.invoke_budget.calls,
                host.invoke_budget.window.as_secs()
            ),
        );
    }
    let init = p.get("fetchRequestInit").cloned().unwrap_or(Value::Null);
    let path = init.get("path").and_then(Value::as_str).unwrap_or("/");
    let method = init.get("method").and_then(Value::as_str).unwrap_or("GET");
    let headers: Vec<(String, String)> = init
        .get("headers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|kv| {
                    Some((
                        kv.get(0)?.as_str()?.to_string(),
                        kv.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let payload_body = init
        .get("body")
        .and_then(Value::as_str)
        .map(|s| s.as_bytes().to_vec());
    let fit = match host.mint(
        &inst,
        &state.settings.base_url,
        &ui_invocation(&state, host, user, module),
    ) {
        Ok(t) => t,
        Err(e) => return refuse(S::INTERNAL_SERVER_ERROR, format!("cannot mint a FIT: {e}")),
    };
    match call_remote(
        &format!("{}{path}", remote.base_url),
        method,
        &headers,
        payload_body,
        &fit,
    )
    .await
    {
        Ok(a) => {
            let mut hs = Map::new();
            for (k, v) in a.headers {
                hs.insert(k, json!(v));
            }
            HttpResponse::Ok().json(json!({
                "status": a.status,
                "statusText": a.reason,
                "headers": hs,
                "body": String::from_utf8_lossy(&a.body),
            }))
        }
        Err(e) => refuse(S::BAD_GATEWAY, format!("the remote did not answer: {e}")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    command: String,
}

/// `POST /_sim/forge/bridge/unknown`: a command the simulator does not answer, counted.
pub async fn unknown(state: web::Data<AppState>, body: web::Json<Unknown>) -> HttpResponse {
    let command: String = body.command.chars().take(100).collect();
    tracing::warn!("Forge bridge: unknown command {command:?}");
    state.with_stats(|s| *s.forge_unknown_bridge_commands.entry(command).or_default() += 1);
    HttpResponse::Ok().json(json!({}))
}
