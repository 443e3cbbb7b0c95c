//! The editor's "Edit as JSON" section: the whole configuration as text, for what the form
//! does not cover (inline calendars, sorts by column or field).
//!
//! The key decision: the text replaces the configuration only once the worker's check (the
//! server's own rules) finds nothing, and then every control is rebuilt from it.

use config::ReportConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{Form, TextArea};
use crate::context::Ctx;
use crate::worker_protocol::DocumentKind;

/// The whole configuration as JSON, for what the form does not cover (inline calendars).
#[component]
pub fn Advanced(form: Form, revision: RwSignal<u32>) -> impl IntoView {
    let ctx = Ctx::get();
    let text = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let refresh = move || text.set(crate::view::pretty_json(&form.config.get_untracked()));
    let apply = move || {
        let json = text.get_untracked();
        spawn_local(async move {
            match ctx
                .worker()
                .validate(DocumentKind::Report, json.clone())
                .await
            {
                Err(e) => problems.set(vec![e]),
                Ok(list) if !list.is_empty() => problems.set(
                    list.into_iter()
                        .map(|p| format!("{}: {}", p.path, p.message))
                        .collect(),
                ),
                Ok(_) => match serde_json::from_str::<ReportConfig>(&json) {
                    Ok(c) => {
                        problems.set(Vec::new());
                        form.replace(c);
                        revision.update(|r| *r += 1);
                    }
                    Err(e) => problems.set(vec![e.to_string()]),
                },
            }
        });
    };
    view! {
        <details class="section" on:toggle=move |_| refresh()>
            <summary>"Edit as JSON"</summary>
            <TextArea label="Configuration" problems=problems rows=16 code=true value=text />
            <button type="button" class="button" on:click=move |_| apply()>
                "Check and apply"
            </button>
        </details>
    }
}
