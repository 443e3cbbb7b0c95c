//! The page's side of the editor module: the rest of the UI (report editor, administration,
//! charts) as a module loaded when first needed. Those views are about as large as the rest of the page put together, and a visit
//! starts with listing and running reports, so the page's first download leaves them out.
//!
//! Trunk builds the module from `bin/extra.rs` (`extra.js` and `extra_bg.wasm`). The page
//! imports it on the first editor or admin route, or while a report's data is being fetched
//! (for the charts), and mounts a [`Mount`] into a container (`crate::editor_module` is the
//! module's side). The module runs its own copy of
//! the UI runtime and talks back through the page's address (it sets the fragment to
//! navigate) and two host callbacks: a notice to show, and the Direct-mode draft to run.

use std::cell::RefCell;
use std::rc::Rc;

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
use crate::components::ErrorPanel;
use crate::context::{Ctx, JiraSite};

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    fn import_module(url: &str) -> Promise;
}

/// What to mount, with everything it needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(
    tag = "what",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Mount {
    /// The report editor or an admin page, for the page's current route.
    Editor(EditorProps),
    /// A report's charts: [`crate::worker_session::Charts`] as JSON, read by the module.
    Charts {
        charts: String,
        columns: Vec<String>,
    },
}

/// What the page tells the editor when mounting it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EditorProps {
    pub rights: Option<EffectiveRights>,
    /// The Direct-mode draft configuration, as JSON.
    pub draft: Option<String>,
    /// The Jira connection, so the editor can check JQL and list statuses.
    pub jira: Option<JiraSite>,
}

/// The loaded module: its `mount` function.
type Module = Rc<RefCell<Option<JsValue>>>;

thread_local! {
    static MODULE: Module = Rc::new(RefCell::new(None));
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "cannot load the rest of Dwell".into())
}

/// Imports `extra.js` and initialises its wasm, once.
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
    let module = JsFuture::from(import_module(&url("./extra.js")?))
        .await
        .map_err(js_error)?;
    let init: Function = Reflect::get(&module, &"default".into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the module has no initialiser".to_string())?;
    let options = Object::new();
    Reflect::set(
        &options,
        &"module_or_path".into(),
        &url("./extra_bg.wasm")?.into(),
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
    EditorProps {
        rights: ctx.rights.get(),
        draft: ctx.draft.get_untracked(),
        jira: ctx.jira.get(),
    }
}

/// Starts loading the module in the background (a report run will want the charts).
pub fn preload() {
    spawn_local(async {
        let _ = load().await;
    });
}

/// Mounts `what` into `element` once the module is loaded, unless `still_wanted` says a newer
/// mount superseded this one meanwhile (`Ok(None)`); the handle unmounts it.
async fn mount_into(
    element: &web_sys::HtmlElement,
    what: &Mount,
    host: &JsValue,
    still_wanted: impl Fn() -> bool,
) -> Result<Option<JsValue>, String> {
    let module = load().await?;
    if !still_wanted() {
        return Ok(None);
    }
    let mount: Function = Reflect::get(&module, &"mount".into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the module has no mount function".to_string())?;
    let json = crate::view::compact_json(what);
    mount
        .call3(&JsValue::NULL, element, &json.into(), host)
        .map(Some)
        .map_err(js_error)
}

/// A container the module fills, for as long as this component lives.
#[component]
fn Host(
    what: Signal<Mount>,
    #[prop(into)] loading: String,
    #[prop(into)] failing: String,
) -> impl IntoView {
    let ctx = Ctx::get();
    let container = NodeRef::<html::Div>::new();
    let failure = RwSignal::new(None::<ClientError>);
    let busy = RwSignal::new(true);
    let mounted = StoredValue::new_local(None::<JsValue>);
    // Props change while the module loads (the rights arrive after the page): only the newest
    // mount may land, whichever load finishes last.
    let latest = StoredValue::new(crate::view::latest::Latest::default());
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        let what = what.get();
        let host = host_callbacks(ctx);
        let ticket = latest.try_update_value(|l| l.start());
        let still_wanted = move || ticket.is_some_and(|t| latest.with_value(|l| l.is_current(t)));
        spawn_local(async move {
            let result = mount_into(&element, &what, &host, still_wanted).await;
            match result {
                Ok(None) => {}
                Ok(Some(handle)) => {
                    busy.set(false);
                    if let Some(old) = mounted.get_value() {
                        unmount(&old);
                    }
                    mounted.set_value(Some(handle));
                }
                Err(detail) => {
                    busy.set(false);
                    failure.set(Some(ClientError::Network {
                        service: "the rest of Dwell",
                        detail,
                    }))
                }
            }
        });
    });
    on_cleanup(move || {
        if let Some(handle) = mounted.get_value() {
            unmount(&handle);
        }
    });
    view! {
        <Show when=move || busy.get()>
            <p class="loading">{loading.clone()}</p>
        </Show>
        {move || failure.get().map(|e| view! { <ErrorPanel error=e title=failing.clone() /> })}
        <div node_ref=container></div>
    }
}

/// The report editor or an admin page (the page's current route), from the module.
#[component]
pub fn EditorHost() -> impl IntoView {
    let ctx = Ctx::get();
    // Re-mounts when the connection or the rights change (they are part of the props).
    let what = Signal::derive(move || Mount::Editor(props(ctx)));
    view! { <Host what loading="Loading the editor…" failing="The editor could not load" /> }
}

/// A report's charts, from the module.
#[component]
pub fn ChartsHost(charts: String, columns: Vec<String>) -> impl IntoView {
    let what = Signal::derive(move || Mount::Charts {
        charts: charts.clone(),
        columns: columns.clone(),
    });
    view! { <Host what loading="Drawing the charts…" failing="The charts could not load" /> }
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
    let draft = Closure::<dyn Fn(String)>::new(move |json: String| ctx.draft.set(Some(json)));
    let _ = Reflect::set(&host, &"notice".into(), notice.as_ref());
    let _ = Reflect::set(&host, &"draft".into(), draft.as_ref());
    // The page and the editor live as long as the tab.
    notice.forget();
    draft.forget();
    host.into()
}
