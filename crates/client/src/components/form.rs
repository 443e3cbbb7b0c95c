//! Labelled controls: every input has a visible label, its hint and its problems tied to it
//! with `aria-describedby`, and `aria-invalid` when it has problems.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;

use super::Problems;

static NEXT_ID: AtomicU32 = AtomicU32::new(0);
static NAMESPACE: OnceLock<&'static str> = OnceLock::new();

/// Sets a prefix for this module's ids: the editor module shares the page with the main one,
/// and each counts from zero.
pub fn set_id_namespace(namespace: &'static str) {
    let _ = NAMESPACE.set(namespace);
}

/// A page-unique element id, for `for`/`aria-describedby` pairs.
pub fn unique_id(prefix: &str) -> String {
    let namespace = NAMESPACE.get().copied().unwrap_or("");
    format!(
        "{namespace}{prefix}-{}",
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}

/// A label, a control and the control's hint and problems. `control` receives the control's
/// id and the id list for `aria-describedby`.
#[component]
pub fn Field<F, IV>(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] problems: Option<Signal<Vec<String>>>,
    control: F,
) -> impl IntoView
where
    F: FnOnce(String, String) -> IV + 'static,
    IV: IntoView + 'static,
{
    // The generic part stays this small: one copy of the layout serves every control.
    field(
        label,
        hint,
        problems,
        Box::new(move |id, described| control(id, described).into_any()),
    )
}

type Control = Box<dyn FnOnce(String, String) -> AnyView>;

fn field(
    label: String,
    hint: Option<String>,
    problems: Option<Signal<Vec<String>>>,
    control: Control,
) -> AnyView {
    let hint = hint.filter(|h| !h.is_empty());
    let id = unique_id("field");
    let hint_id = format!("{id}-hint");
    let problems_id = format!("{id}-problems");
    let described = match &hint {
        Some(_) => format!("{hint_id} {problems_id}"),
        None => problems_id.clone(),
    };
    let problems = problems.unwrap_or_else(|| Signal::derive(Vec::new));
    view! {
        <div class="field" class:field-invalid=move || !problems.get().is_empty()>
            <label for=id.clone()>{label}</label>
            {control(id, described)}
            {hint
                .map(|h| {
                    view! {
                        <p class="field-hint" id=hint_id>
                            {h}
                        </p>
                    }
                })}
            <Problems messages=problems id=problems_id />
        </div>
    }
    .into_any()
}

/// A one-line text box with its label (and hint), bound to `value`.
#[component]
pub fn TextInput(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    value: RwSignal<String>,
) -> impl IntoView {
    field(
        label,
        hint,
        None,
        Box::new(move |id, described| {
            view! {
                <input
                    id=id
                    type="text"
                    aria-describedby=described
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            }
            .into_any()
        }),
    )
}
