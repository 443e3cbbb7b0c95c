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

/// A one-line text box with its label (and hint), bound to `value`. `kind`: the input's type
/// ("password"; "text" when not given); `autocomplete`: the browser's hint.
#[component]
pub fn TextInput(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    value: RwSignal<String>,
) -> impl IntoView {
    let shape = Shape {
        kind: kind.unwrap_or("text"),
        autocomplete,
        ..Shape::LINE
    };
    bound_field(label, hint, None, shape, value)
}

/// A text area of `rows` lines with its label, hint and problems, bound to `value`; `code`
/// for JSON (a fixed-width font).
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] problems: Option<Signal<Vec<String>>>,
    rows: u32,
    #[prop(optional)] code: bool,
    value: RwSignal<String>,
) -> impl IntoView {
    let shape = Shape {
        class: code.then_some("code"),
        ..Shape::area(rows)
    };
    bound_field(label, hint, problems, shape, value)
}

fn bound_field(
    label: String,
    hint: Option<String>,
    problems: Option<Signal<Vec<String>>>,
    shape: Shape,
    value: RwSignal<String>,
) -> AnyView {
    field(
        label,
        hint,
        problems,
        Box::new(move |id, described| {
            text_box(id, described, shape, value.into(), move |v| value.set(v))
        }),
    )
}

/// What a text control is: one line of input of type `kind`, or (`rows` over 1) an area of
/// `rows` lines; `class` and `autocomplete` are its attributes when given.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub rows: u32,
    pub kind: &'static str,
    pub class: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
}

impl Shape {
    /// A one-line text box.
    pub const LINE: Shape = Shape {
        rows: 1,
        kind: "text",
        class: None,
        autocomplete: None,
    };

    /// An area of `rows` lines (a one-line box for 1).
    pub const fn area(rows: u32) -> Shape {
        Shape {
            rows,
            ..Shape::LINE
        }
    }
}

/// The control of a [`Field`] that holds text, shaped by `shape`, showing `value` and handing
/// every input to `on_input`.
pub fn text_box(
    id: String,
    described: String,
    shape: Shape,
    value: Signal<String>,
    on_input: impl Fn(String) + 'static,
) -> AnyView {
    let Shape {
        rows,
        kind,
        class,
        autocomplete,
    } = shape;
    if rows > 1 {
        view! {
            <textarea
                id=id
                class=class
                rows=rows
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| on_input(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id
                type=kind
                class=class
                autocomplete=autocomplete
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| on_input(event_target_value(&ev))
            />
        }
        .into_any()
    }
}

/// A checkbox and its label (ids from `prefix`), ticked while `checked` says so; `on_change`
/// gets every new state.
pub fn checkbox(
    prefix: &str,
    label: &'static str,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    on_change: impl Fn(bool) + 'static,
) -> impl IntoView {
    let id = unique_id(prefix);
    view! {
        <input
            id=id.clone()
            type="checkbox"
            prop:checked=checked
            on:change=move |ev| on_change(event_target_checked(&ev))
        />
        <label for=id>{label}</label>
    }
}

/// A select and its label (ids from `prefix`) in a field, holding `options`; `on_change` gets
/// the value of the option picked. `disabled` while that signal says so.
pub fn select_field(
    prefix: &str,
    label: &'static str,
    disabled: Option<Signal<bool>>,
    on_change: impl Fn(String) + 'static,
    options: impl IntoView + 'static,
) -> impl IntoView {
    let id = unique_id(prefix);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                disabled=move || disabled.is_some_and(|d| d.get())
                on:change=move |ev| on_change(event_target_value(&ev))
            >
                {options}
            </select>
        </div>
    }
}

/// A button that opens a JSON file: `label` on the button; the file's text, or why it could not
/// be read, goes to `on_read`.
pub fn json_file_button(
    label: &'static str,
    on_read: impl Fn(Result<String, String>) + 'static,
) -> impl IntoView {
    let on_read = std::rc::Rc::new(on_read);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            let on_read = on_read.clone();
            leptos::task::spawn_local(async move {
                on_read(crate::platform::read_file(&file).await);
            });
        }
    };
    view! {
        <label class="button">
            {label}
            <input
                type="file"
                accept="application/json,.json"
                class="visually-hidden"
                on:change=on_change
            />
        </label>
    }
}
