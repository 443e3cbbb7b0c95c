//! The editor module's entry (built from `bin/extra.rs`, loaded by [`crate::editor_loader`]):
//! mounts what the page asks for into the page's container: the report editor or an admin
//! page (with a [`Ctx`] built from the page's [`EditorProps`]), or a report's charts.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::context::Ctx;
use crate::editor_loader::{EditorProps, Mount};
use crate::pages;
use crate::platform;
use crate::route::Route;

thread_local! {
    /// Mounted editors by handle number; dropping one unmounts it.
    static MOUNTED: RefCell<HashMap<u32, Box<dyn Any>>> = RefCell::new(HashMap::new());
    static NEXT: RefCell<u32> = const { RefCell::new(0) };
}

fn call(host: &JsValue, name: &str, arg: &str) {
    if let Ok(f) = Reflect::get(host, &name.into()).and_then(|f| f.dyn_into::<Function>()) {
        let _ = f.call1(host, &JsValue::from_str(arg));
    }
}

/// Mounts `what` (a [`Mount`] as JSON) into `container`. Returns a handle object with an
/// `unmount()` method.
pub fn mount(
    container: web_sys::HtmlElement,
    what: &str,
    host: JsValue,
) -> Result<JsValue, JsValue> {
    crate::components::set_id_namespace("extra-");
    let what: Mount = serde_json::from_str(what).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let handle: Box<dyn Any> = match what {
        Mount::Editor(props) => Box::new(mount_editor(container, props, host)),
        Mount::Charts { charts, columns } => {
            let charts: crate::worker_session::Charts =
                serde_json::from_str(&charts).map_err(|e| JsValue::from_str(&e.to_string()))?;
            Box::new(leptos::mount::mount_to(container, move || {
                view! { <crate::components::ReportCharts charts columns /> }
            }))
        }
    };
    let id = NEXT.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    MOUNTED.with(|m| m.borrow_mut().insert(id, handle));
    let unmount = Closure::<dyn Fn()>::new(move || {
        MOUNTED.with(|m| m.borrow_mut().remove(&id));
    });
    let handle = js_sys::Object::new();
    Reflect::set(&handle, &"unmount".into(), unmount.as_ref())?;
    unmount.forget();
    Ok(handle.into())
}

fn mount_editor(container: web_sys::HtmlElement, props: EditorProps, host: JsValue) -> impl Any {
    let env = crate::context::page_environment();
    let route = Route::parse(&platform::location_hash());
    leptos::mount::mount_to(container, move || {
        let ctx = Ctx::new(env, route.clone(), props.jira, props.rights, props.draft);
        provide_context(ctx);
        let host = StoredValue::new_local(host);
        // Notices and the draft go back to the page.
        Effect::new(move |_| {
            if let Some(text) = ctx.notice.get() {
                host.with_value(|h| call(h, "notice", &text));
            }
        });
        Effect::new(move |previous: Option<()>| {
            let draft = ctx.draft.get();
            if previous.is_some()
                && let Some(json) = draft
            {
                host.with_value(|h| call(h, "draft", &json));
            }
        });
        match route {
            Route::NewReport { template } => view! {
                <pages::editor::EditorPage source=pages::editor::Source::New {
                    template,
                } />
            }
            .into_any(),
            Route::EditReport { id } => {
                view! { <pages::editor::EditorPage source=pages::editor::Source::Saved { id } /> }
                    .into_any()
            }
            Route::Admin(which) => view! { <pages::admin::AdminPage which /> }.into_any(),
            _ => view! { <span></span> }.into_any(),
        }
    })
}
