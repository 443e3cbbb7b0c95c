//! The configuration editor (report editor and administration) as a module loaded when first
//! needed. Its views are about as large as the rest of the page put together, and most visits
//! only list and run reports, so the page's first download leaves them out.
//!
//! Trunk builds the editor as a second wasm-bindgen module (`bin/editor.rs`: `editor.js` and
//! `editor_bg.wasm`); the page imports it on the first editor or admin route and mounts it into
//! a container with [`EditorProps`]. The editor runs its own copy of the UI runtime and talks
//! back through the page's address (it sets the fragment to navigate) and two host callbacks:
//! a notice to show, and the Direct-mode draft configuration to run.

use std::cell::RefCell;
use std::rc::Rc;

use config::ReportConfig;
use config::api::EffectiveRights;
use js_sys::{Function, Object, Promise, Reflect};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::ClientError;
use crate::app::Ctx;
use crate::components::ErrorPanel;

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    fn import_module(url: &str) -> Promise;
}

/// What the page tells the editor when mounting it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EditorProps {
    pub rights: Option<EffectiveRights>,
    pub draft: Option<ReportConfig>,
    pub jira: Option<JiraProps>,
}

/// The Jira connection, so the editor can check JQL and list statuses.
#[derive(Clone, Serialize, Deserialize)]
pub struct JiraProps {
    pub cloud: bool,
    pub site: String,
    pub user: Option<String>,
    /// Direct mode's connection (`None` in Connect).
    pub direct: Option<DirectProps>,
}

impl std::fmt::Debug for JiraProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraProps")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// Direct-mode credentials, handed from one module of this page to the other in memory.
#[derive(Clone, Serialize, Deserialize)]
pub struct DirectProps {
    pub base: String,
    pub token: Option<String>,
    pub user: Option<String>,
    pub secret: Option<String>,
}

/// The loaded module: its `mount` function.
type Module = Rc<RefCell<Option<JsValue>>>;

thread_local! {
    static MODULE: Module = Rc::new(RefCell::new(None));
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "cannot load the editor".into())
}

/// Imports `editor.js` and initialises its wasm, once.
async fn load() -> Result<JsValue, String> {
    if let Some(m) = MODULE.with(|m| m.borrow().clone()) {
        return Ok(m);
    }
    let base = crate::platform::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    let url = |file: &str| {
        web_sys::Url::new_with_base(file, &base)
            .map(|u| u.href())
            .map_err(js_error)
    };
    let module = JsFuture::from(import_module(&url("./editor.js")?))
        .await
        .map_err(js_error)?;
    let init: Function = Reflect::get(&module, &"default".into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the editor module has no initialiser".to_string())?;
    let options = Object::new();
    Reflect::set(
        &options,
        &"module_or_path".into(),
        &url("./editor_bg.wasm")?.into(),
    )
    .map_err(js_error)?;
    let started = init.call1(&JsValue::NULL, &options).map_err(js_error)?;
    JsFuture::from(Promise::resolve(&started))
        .await
        .map_err(js_error)?;
    MODULE.with(|m| *m.borrow_mut() = Some(module.clone()));
    Ok(module)
}

fn props(ctx: Ctx) -> EditorProps {
    use crate::app::JiraTransport;
    EditorProps {
        rights: ctx.rights.get_untracked(),
        draft: ctx.draft.get_untracked(),
        jira: ctx.jira.get_untracked().map(|site| JiraProps {
            cloud: site.flavour == crate::api::jira::Flavour::Cloud,
            site: site.site.clone(),
            user: site.user.clone(),
            direct: match &site.transport {
                JiraTransport::Connect(_) => None,
                JiraTransport::Direct(t) => Some(direct_props(t)),
            },
        }),
    }
}

fn direct_props(
    t: &crate::api::direct::DirectTransport<crate::api::http::BrowserHttp>,
) -> DirectProps {
    use crate::api::direct::Credentials;
    let (token, user, secret) = match t.credentials() {
        Credentials::Token(t) => (Some(t.clone()), None, None),
        Credentials::Basic { user, secret } => (None, Some(user.clone()), Some(secret.clone())),
        Credentials::Anonymous => (None, None, None),
    };
    DirectProps {
        base: t.base_url().to_string(),
        token,
        user,
        secret,
    }
}

/// Where the editor module is mounted, for the routes it serves.
#[component]
pub fn EditorHost() -> impl IntoView {
    let ctx = Ctx::get();
    let container = NodeRef::<html::Div>::new();
    let failure = RwSignal::new(None::<ClientError>);
    let loading = RwSignal::new(true);
    let mounted = StoredValue::new_local(None::<JsValue>);
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        // Re-mount when the connection or the rights change (they are part of the props).
        ctx.jira.track();
        ctx.rights.track();
        spawn_local(async move {
            let module = match load().await {
                Ok(m) => m,
                Err(detail) => {
                    loading.set(false);
                    failure.set(Some(ClientError::Network {
                        service: "Dwell's editor",
                        detail,
                    }));
                    return;
                }
            };
            loading.set(false);
            let Ok(mount) =
                Reflect::get(&module, &"mount".into()).and_then(|f| f.dyn_into::<Function>())
            else {
                failure.set(Some(ClientError::Network {
                    service: "Dwell's editor",
                    detail: "the module has no mount function".into(),
                }));
                return;
            };
            let props = serde_json::to_value(props(ctx))
                .map(|v| v.to_string())
                .unwrap_or_default();
            let host = host_callbacks(ctx);
            if let Some(old) = mounted.get_value() {
                unmount(&old);
            }
            match mount.call3(&JsValue::NULL, &element, &props.into(), &host) {
                Ok(handle) => mounted.set_value(Some(handle)),
                Err(e) => failure.set(Some(ClientError::Network {
                    service: "Dwell's editor",
                    detail: js_error(e),
                })),
            }
        });
    });
    on_cleanup(move || {
        if let Some(handle) = mounted.get_value() {
            unmount(&handle);
        }
    });
    view! {
        <Show when=move || loading.get()>
            <p class="loading">"Loading the editor…"</p>
        </Show>
        {move || failure.get().map(|e| view! { <ErrorPanel error=e title="The editor could not load" /> })}
        <div node_ref=container></div>
    }
}

fn unmount(handle: &JsValue) {
    if let Ok(f) = Reflect::get(handle, &"unmount".into()).and_then(|f| f.dyn_into::<Function>()) {
        let _ = f.call0(handle);
    }
}

/// `{ notice(text), draft(json) }`: how the editor reaches back into the page.
fn host_callbacks(ctx: Ctx) -> JsValue {
    let host = Object::new();
    let notice = Closure::<dyn Fn(String)>::new(move |text: String| ctx.notice.set(Some(text)));
    let draft = Closure::<dyn Fn(String)>::new(move |json: String| {
        if let Ok(config) = serde_json::from_str::<ReportConfig>(&json) {
            ctx.draft.set(Some(config));
        }
    });
    let _ = Reflect::set(&host, &"notice".into(), notice.as_ref());
    let _ = Reflect::set(&host, &"draft".into(), draft.as_ref());
    // The page and the editor live as long as the tab.
    notice.forget();
    draft.forget();
    host.into()
}
