//! The browser side of the Connect host: the install-key endpoint, the host page that embeds an
//! app's page module the way Jira does, the all.js emulation, and context tokens.
//!
//! Host page: `GET /plugins/servlet/ac/{appKey}/{moduleKey}[?user=LOGIN&project.key=K&...]`.
//! It signs the user in (session cookie `jira-sim.session`), and embeds
//! `{app baseUrl}{module url}?xdm_e=<site>&xdm_c=...&cp=&lic=none&cv=...&jwt=<HS256>` in an
//! iframe, with `{project.key}`-style placeholders of the module URL filled from the page's
//! query and the page's `ac.*` parameters passed on as they are (Connect's app-specific
//! parameters). The iframe's `qsh` covers the module path and every query parameter but `jwt`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{ConnectHost, Installation, context_token, iframe_token, qsh};
use crate::http::params::Query;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "jira-sim.session";
pub const ALL_JS: &str = include_str!("../../assets/all.js");
const HOST_JS: &str = include_str!("../../assets/host.js");

/// `GET /connect-install-keys/{kid}`: the public key, PEM, like Atlassian's key service.
pub async fn install_key(path: web::Path<String>, connect: web::Data<ConnectHost>) -> HttpResponse {
    if *path == connect.key.kid {
        HttpResponse::Ok()
            .content_type("application/x-pem-file")
            .body(connect.key.public_pem.clone())
    } else {
        HttpResponse::NotFound()
            .content_type("text/plain")
            .body("no such key\n")
    }
}

pub async fn all_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header(("Cache-Control", "no-cache"))
        .body(ALL_JS)
}

pub async fn host_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(HOST_JS)
}

/// Finds a module by key in any module list of the descriptor.
pub fn find_module<'a>(descriptor: &'a Value, module_key: &str) -> Option<&'a Value> {
    let modules = descriptor.get("modules")?.as_object()?;
    modules.values().find_map(|m| match m {
        Value::Array(list) => list
            .iter()
            .find(|x| x.get("key").and_then(Value::as_str) == Some(module_key)),
        Value::Object(_) if m.get("key").and_then(Value::as_str) == Some(module_key) => Some(m),
        _ => None,
    })
}

/// Fills `{name}` placeholders from `context`; unknown ones become empty.
fn fill(template: &str, context: &Query) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                let name = &rest[start + 1..start + end];
                let v = context.get(name).unwrap_or("");
                out.push_str(&percent_encoding::utf8_percent_encode(v, QUERY_VALUE).to_string());
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The iframe URL for a module: app base, module path and query, Jira's parameters, `jwt`.
pub fn iframe_url(
    state: &AppState,
    connect: &ConnectHost,
    inst: &Installation,
    module_url: &str,
    context: &Query,
    account_id: &str,
) -> anyhow::Result<String> {
    let filled = fill(module_url, context);
    let (path, query) = filled.split_once('?').unwrap_or((filled.as_str(), ""));
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let base = &state.settings.base_url;
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    // Like Jira, the page's own `ac.*` parameters go to the app unchanged (a shared link
    // carries the app's route in one), covered by the token's `qsh` like the others.
    for (k, v) in context.0.iter().filter(|(k, _)| k.starts_with("ac.")) {
        params.push(format!("{}={}", enc(k), enc(v)));
    }
    for (k, v) in [
        ("xdm_e", base.as_str()),
        ("xdm_c", "channel-jira-sim"),
        ("cp", ""),
        ("xdm_deprecated_addon_key_do_not_use", inst.key.as_str()),
        ("lic", "none"),
        ("cv", "1001.0.0-SNAPSHOT"),
    ] {
        params.push(format!("{}={}", enc(k), enc(v)));
    }
    let query = params.join("&");
    let token = iframe_token(connect, inst, account_id, "GET", &path, &query)?;
    Ok(format!("{}{path}?{query}&jwt={token}", inst.base_url))
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// JSON safe to put inside a `<script>` element.
pub(crate) fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The signed-in user for a host page request: `?user=LOGIN` or the default user.
pub(crate) fn page_user(state: &AppState, connect: &ConnectHost, q: &Query) -> Option<u8> {
    let login = q.get("user").unwrap_or(&connect.default_user);
    state.data.site.user_by_login(login).map(|u| u as u8)
}

pub(crate) fn new_session(state: &AppState, user: u8) -> String {
    use rsa::rand_core::{OsRng, RngCore};
    let mut b = [0u8; 24];
    OsRng.fill_bytes(&mut b);
    let id = hex::encode(b);
    if let Ok(mut s) = state.sessions.lock() {
        if s.len() > 10_000 {
            s.clear();
        }
        s.insert(id.clone(), user);
    }
    id
}

fn context_of(state: &AppState, q: &Query) -> Value {
    let site = &state.data.site;
    let project = q
        .get("project.key")
        .and_then(|k| site.projects.iter().find(|p| p.key.eq_ignore_ascii_case(k)));
    let mut jira = json!({});
    if let Some(p) = project {
        jira["project"] = json!({"id": p.id.to_string(), "key": p.key});
    }
    json!({
        "jira": jira,
        "license": {"active": false},
        "url": {"displayUrl": state.settings.base_url, "displayUrlServicedeskHelpCenter": state.settings.base_url},
    })
}

pub(crate) fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body {{ margin: 0; font: 14px/1.4 -apple-system, "Segoe UI", Roboto, sans-serif; color: #172b4d; }}
 header {{ height: 56px; display: flex; align-items: center; gap: 16px; padding: 0 16px;
   background: #0052cc; color: #fff; box-sizing: border-box; }}
 header .logo {{ font-weight: 600; font-size: 16px; }}
 header .spacer {{ flex: 1; }}
 header .user {{ background: rgba(255,255,255,.16); border-radius: 16px; padding: 4px 12px; }}
 main {{ padding: 16px 24px; }}
 iframe {{ display: block; width: 100%; height: calc(100vh - 56px); border: 0; }}
 a {{ color: #0052cc; }}
 small {{ color: #5e6c84; }}
</style></head><body>{body}</body></html>"#
        ))
}

pub(crate) fn chrome(state: &AppState, user: u8, extra: &str) -> String {
    let u = &state.data.site.users[usize::from(user)];
    format!(
        r#"<header><span class="logo">Jira</span><small style="color:#deebff">simulated by jira-sim</small>{extra}<span class="spacer"></span><span class="user" title="{}">{}</span></header>"#,
        html_escape(&u.account_id),
        html_escape(&u.display_name)
    )
}

/// `GET /plugins/servlet/ac/{appKey}/{moduleKey}`: the page that embeds an app module.
pub async fn host_page(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
) -> HttpResponse {
    let (app_key, module_key) = path.into_inner();
    let q = Query::parse(req.query_string());
    let Some(user) = page_user(&state, &connect, &q) else {
        return HttpResponse::NotFound().body("no such user\n");
    };
    let Some(inst) = connect.installation(&app_key) else {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body(format!(
                "the app {app_key:?} is not installed on this site\n"
            ));
    };
    let Some(module_url) = find_module(&inst.descriptor, &module_key)
        .and_then(|m| m.get("url"))
        .and_then(Value::as_str)
    else {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body(format!(
                "the app {app_key:?} has no module {module_key:?}\n"
            ));
    };
    let account = state.data.site.users[usize::from(user)].account_id.clone();
    let src = match iframe_url(&state, &connect, &inst, module_url, &q, &account) {
        Ok(u) => u,
        Err(e) => return HttpResponse::InternalServerError().body(format!("{e:#}\n")),
    };
    let app_origin = origin_of(&inst.base_url);
    let mut token_url = format!("/plugins/servlet/ac-token/{}", enc(&app_key));
    if let Some(k) = q.get("project.key") {
        token_url.push_str(&format!("?project.key={}", enc(k)));
    }
    let cfg = json!({
        "appKey": app_key,
        "moduleKey": module_key,
        "appOrigin": app_origin,
        "base": state.settings.base_url,
        "tokenUrl": token_url,
        "context": context_of(&state, &q),
        "user": {"accountId": account, "displayName": state.data.site.users[usize::from(user)].display_name},
    });
    let body = format!(
        r#"{}<iframe id="app-frame" src="{}" title="{}"></iframe>
<script type="application/json" id="jira-sim-host">{}</script>
<script src="/atlassian-connect/host.js"></script>"#,
        chrome(
            &state,
            user,
            &format!(
                r#"<span>{}</span><small id="host-status" style="color:#deebff">loading app…</small>"#,
                html_escape(&inst.name)
            )
        ),
        html_escape(&src),
        html_escape(&inst.name),
        script_json(&cfg)
    );
    let session = new_session(&state, user);
    let mut res = page(&format!("{} - Jira", inst.name), &body);
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

fn origin_of(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(i) => url[..scheme_end + i].to_string(),
        None => url.to_string(),
    }
}

/// The session's user, from the cookie.
pub fn session_user(req: &HttpRequest, state: &AppState) -> Option<u8> {
    let header = req.headers().get(header::COOKIE)?.to_str().ok()?;
    let value = header.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == SESSION_COOKIE).then_some(v)
    })?;
    state.sessions.lock().ok()?.get(value).copied()
}

/// `GET /plugins/servlet/ac-token/{appKey}`: a fresh context token for the session's user.
pub async fn context_token_endpoint(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    connect: web::Data<ConnectHost>,
) -> HttpResponse {
    let Some(user) = session_user(&req, &state) else {
        return HttpResponse::Unauthorized()
            .json(json!({"errorMessages": ["no session"], "errors": {}}));
    };
    let Some(inst) = connect.installation(&path) else {
        return HttpResponse::NotFound()
            .json(json!({"errorMessages": ["app not installed"], "errors": {}}));
    };
    let q = Query::parse(req.query_string());
    let account = &state.data.site.users[usize::from(user)].account_id;
    match context_token(&connect, &inst, account, context_of(&state, &q)) {
        Ok(token) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({"token": token})),
        Err(e) => HttpResponse::InternalServerError().body(format!("{e:#}")),
    }
}

/// `GET /`: what this simulator serves, and links to the installed apps' pages.
pub async fn index(state: web::Data<AppState>, connect: web::Data<ConnectHost>) -> HttpResponse {
    let site = &state.data.site;
    let mut apps = String::new();
    for inst in connect.installations() {
        apps.push_str(&format!(
            "<li><b>{}</b> <small>{}</small><ul>",
            html_escape(&inst.name),
            html_escape(&inst.base_url)
        ));
        if let Some(modules) = inst.descriptor.get("modules").and_then(Value::as_object) {
            for list in modules.values() {
                for m in list.as_array().into_iter().flatten() {
                    if let (Some(k), Some(_)) = (m.get("key").and_then(Value::as_str), m.get("url"))
                    {
                        let mut href = format!("/plugins/servlet/ac/{}/{}", enc(&inst.key), enc(k));
                        if m.get("url")
                            .and_then(Value::as_str)
                            .is_some_and(|u| u.contains("{project."))
                        {
                            href.push_str(&format!("?project.key={}", enc(&site.projects[0].key)));
                        }
                        let users: Vec<String> = site
                            .users
                            .iter()
                            .take(4)
                            .map(|u| {
                                let sep = if href.contains('?') { '&' } else { '?' };
                                format!(
                                    r#"<a href="{}{sep}user={}">{}</a>"#,
                                    html_escape(&href),
                                    u.login,
                                    html_escape(&u.display_name)
                                )
                            })
                            .collect();
                        apps.push_str(&format!(
                            "<li>{} — open as {}</li>",
                            html_escape(k),
                            users.join(", ")
                        ));
                    }
                }
            }
        }
        apps.push_str("</ul></li>");
    }
    if apps.is_empty() {
        apps = "<li>none yet: <code>jira-sim install --sim URL --app APP_URL</code></li>".into();
    }
    let body = format!(
        r#"{}<main><h1>jira-sim</h1>
<p>A simulated Jira {} site with {} generated issues (seed {}).</p>
<h2>Installed Connect apps</h2><ul>{apps}</ul>
<h2>Endpoints</h2><ul>
<li><code>/rest/api/3/…</code> and <code>/rest/api/2/…</code>: the REST API (Basic <code>EMAIL:TOKEN</code> or Bearer)</li>
<li><code>/_sim/stats</code>, <code>/_sim/config</code>: counters and knobs</li>
<li><code>{}</code>: the all.js emulation</li>
<li><code>/connect-install-keys/{}</code>: the install key</li></ul></main>"#,
        chrome(&state, 0, ""),
        match state.settings.flavor {
            crate::site::Flavor::Cloud => "Cloud",
            crate::site::Flavor::Dc => "Data Center",
        },
        state.data.issues.len(),
        state.data.spec.seed,
        html_escape(&connect.all_js_path),
        html_escape(&connect.key.kid),
    );
    page("jira-sim", &body)
}

/// The canonical request of an iframe URL, for tests that check the token.
pub fn canonical_of_iframe(url: &str, app_base: &str) -> Option<String> {
    let rest = url.strip_prefix(app_base.trim_end_matches('/'))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Some(qsh::canonical("GET", path, query))
}
