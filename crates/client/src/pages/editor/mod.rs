//! The report editor: every part of a configuration as labelled controls, checked as you type
//! (by the worker, exactly as the server checks), the JQL checked by Jira itself, and saving
//! with version conflicts shown side by side.
//!
//! This module is the page: it loads the configuration (saved, a template, or the draft),
//! holds the one [`Form`] every section edits, and wires the checks and the actions. Each
//! section of the form is a file of its own (`about.rs` to `sharing.rs`, `advanced.rs` for
//! the JSON, `problems.rs` for what no control shows); what a control edits is a named
//! accessor in `crate::view::editor`, and the controls themselves are `components::Form`'s.

mod about;
mod advanced;
mod columns;
mod issues;
mod kind;
mod lists;
mod numbers;
mod problems;
mod rows;
mod save;
mod sharing;

use config::api::{CalendarRecord, StatusGroupRecord};
use config::{Jql, ReportConfig, ReportId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::components::{ErrorPanel, Form};
use crate::context::Ctx;
use crate::route::Route;
use crate::view::editor::slugify;
use crate::view::errors::FieldErrors;
use crate::view::templates::template;
use crate::worker_protocol::DocumentKind;

use about::About;
use advanced::Advanced;
use columns::Columns;
use issues::Issues;
use kind::Kind;
use numbers::Numbers;
use problems::OtherProblems;
use rows::Rows;
use save::{SavedMeta, Saving};
use sharing::Sharing;

/// Where the edited configuration comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    New { template: Option<String> },
    Saved { id: ReportId },
}

#[component]
pub fn EditorPage(source: Source) -> impl IntoView {
    let ctx = Ctx::get();
    let load = LocalResource::new(move || {
        let source = source.clone();
        async move {
            match source {
                Source::Saved { id } => {
                    let record = ctx.server()?.report(&id).await?;
                    Ok::<_, ClientError>((record.config.clone(), Some(SavedMeta::of(&record))))
                }
                Source::New {
                    template: Some(slug),
                } => Ok((
                    template(&slug, &ctx.time_zone()).unwrap_or_else(blank),
                    None,
                )),
                Source::New { template: None } => Ok((
                    ctx.draft
                        .get_untracked()
                        .filter(|_| !ctx.in_jira())
                        // Checked by the worker when it was imported or run.
                        .and_then(|json| serde_json::from_str(&json).ok())
                        .unwrap_or_else(blank),
                    None,
                )),
            }
        }
    });
    view! {
        <section class="page">
            <Transition fallback=|| {
                view! { <p class="loading">"Loading the report…"</p> }
            }>
                {move || Suspend::new(async move {
                    match load.await {
                        Ok((config, saved)) => view! { <ReportForm config saved /> }.into_any(),
                        Err(e) => {
                            view! { <ErrorPanel error=e title="Cannot open the report" /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

fn blank() -> ReportConfig {
    ReportConfig::time_in_status("New report", Jql::default())
}

/// Checks the whole document in the worker a moment after each change; the problems land on
/// the controls by JSON path.
fn check_as_you_type(ctx: Ctx, form: Form) {
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let json = form.config.with(crate::view::compact_json);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            crate::platform::sleep(300.0).await;
            // `try_`: the editor may be gone by now (the user saved and left), and a
            // disposed value is no longer there to read or set.
            if generation.try_get_value() != Some(mine) {
                return;
            }
            if let Ok(problems) = ctx.worker().validate(DocumentKind::Report, json).await
                && generation.try_get_value() == Some(mine)
            {
                form.problems.try_set(FieldErrors(problems));
            }
        });
    });
}

#[component]
fn ReportForm(config: ReportConfig, saved: Option<SavedMeta>) -> impl IntoView {
    let ctx = Ctx::get();
    let form = Form::new(config);
    let saving = Saving::new(saved);
    let saved = saving.saved;
    let failure = saving.failure;
    // Replacing the whole configuration (JSON, the saved version) rebuilds the controls.
    let revision = RwSignal::new(0u32);
    let jql_check = issues::check_jql_as_you_type(ctx, form);
    let calendars = lists::saved::<CalendarRecord>(ctx);
    let groups = lists::saved::<StatusGroupRecord>(ctx);
    check_as_you_type(ctx, form);

    let use_here = move || {
        ctx.draft.set(Some(crate::view::compact_json(
            &form.config.get_untracked(),
        )));
        ctx.go(Route::Draft);
    };
    let download = move || {
        let config = form.config.get_untracked();
        let json = crate::view::pretty_json(&config);
        let name = format!("{}.dwell.json", slugify(&config.name));
        if let Err(e) = crate::platform::download(&name, "application/json", &json) {
            failure.set(Some(ClientError::Malformed {
                what: "building the file",
                detail: e,
            }));
        }
    };

    let title = move || {
        if saved.with(Option::is_some) {
            format!(
                "Edit \u{201c}{}\u{201d}",
                form.config.with(|c| c.name.clone())
            )
        } else {
            "New report".to_string()
        }
    };
    let run_link = move || {
        saved.with(|s| {
            s.as_ref().map(|m| {
                Route::Report {
                    id: m.id.clone(),
                    overrides: Default::default(),
                }
                .to_hash()
            })
        })
    };

    view! {
        <div class="page-header">
            <h1>{title}</h1>
            {move || {
                run_link()
                    .map(|href| {
                        view! {
                            <a class="button" href=href>
                                "Run"
                            </a>
                        }
                    })
            }}
        </div>
        {save::conflict_panel(ctx, form, saving, revision)}
        {save::discarded_version(saving)}
        {move || failure.get().map(|e| view! { <ErrorPanel error=e title="Not saved" /> })}
        <form
            class="editor"
            on:submit=move |ev| {
                ev.prevent_default();
                saving.save(ctx, form, None);
            }
        >
            {move || {
                revision.get();
                view! {
                    <About form />
                    <Issues form jql_check />
                    <Kind form />
                    <Columns form groups=groups />
                    <Rows form />
                    <Numbers form calendars=calendars />
                    {move || saved.get().map(|meta| view! { <Sharing saved meta /> })}
                    <Advanced form revision />
                }
            }}
            <OtherProblems form />
            <div class="actions sticky-actions">
                {move || {
                    if ctx.in_jira() {
                        view! {
                            <button
                                type="submit"
                                class="button button-primary"
                                disabled=move || saving.saving.get() || !ctx.can_edit_reports()
                            >
                                {move || if saving.saving.get() { "Saving…" } else { "Save" }}
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="button button-primary"
                                on:click=move |_| use_here()
                            >
                                "Run this configuration"
                            </button>
                        }
                            .into_any()
                    }
                }} <button type="button" class="button" on:click=move |_| download()>
                    "Download as JSON"
                </button> <a class="button button-subtle" href="#/">
                    "Cancel"
                </a>
            </div>
        </form>
    }
}
