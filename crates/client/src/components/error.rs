//! Errors as people read them: what happened, then what to do.

use leptos::prelude::*;

use crate::api::ClientError;
use crate::view::errors::problem_line;

/// A failure with its hint, announced to screen readers.
#[component]
pub fn ErrorPanel(
    error: ClientError,
    #[prop(optional, into)] title: Option<String>,
) -> impl IntoView {
    let hint = error.hint();
    let details = match &error {
        ClientError::Invalid { details, .. } => details.iter().map(problem_line).collect(),
        ClientError::JiraQuery { messages } if messages.len() > 1 => messages.clone(),
        _ => Vec::new(),
    };
    view! {
        <div class="panel panel-error" role="alert">
            <p class="panel-title">{title.unwrap_or_else(|| "Something went wrong".into())}</p>
            <p>{error.to_string()}</p>
            {(!details.is_empty())
                .then(|| {
                    view! {
                        <ul class="problem-list">
                            {details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}
                        </ul>
                    }
                })}
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
        </div>
    }
}

/// Validation messages under one control.
#[component]
pub fn Problems(#[prop(into)] messages: Signal<Vec<String>>, id: String) -> impl IntoView {
    message_list("field-problems", Some(id), messages)
}

/// A whole form's problems, above its buttons.
#[component]
pub fn ProblemList(#[prop(into)] messages: Signal<Vec<String>>) -> impl IntoView {
    message_list("problem-list", None, messages)
}

/// Messages announced to screen readers as they change.
pub fn message_list(
    class: &'static str,
    id: Option<String>,
    messages: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <ul class=class id=id aria-live="polite">
            {move || { messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view() }}
        </ul>
    }
}

/// A short message at the top of a page (saved, deleted, copied).
#[component]
pub fn Notice(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="notice-slot" role="status" aria-live="polite">
            {move || message.get().map(|m| view! { <p class="notice">{m}</p> })}
        </div>
    }
}
