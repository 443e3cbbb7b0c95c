//! The home page: the site's saved reports (Connect), or templates and imported configurations
//! (Direct mode, where there is no server session).

use config::ReportId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::components::{ErrorPanel, TextArea, json_file_button, row_button, table_head};
use crate::context::Ctx;
use crate::route::Route;
use crate::view::errors::problem_line;
use crate::view::header::{ConfigHeader, ListedId, ListedReport};
use crate::view::templates::{TEMPLATES, template_json};
use crate::worker_protocol::DocumentKind;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <section class="page">
            {move || {
                if ctx.in_jira() {
                    view! { <SavedReports /> }.into_any()
                } else {
                    view! { <DirectHome /> }.into_any()
                }
            }} <Templates />
        </section>
    }
}

/// The server's report list, with the actions the user's rights allow.
#[component]
fn SavedReports() -> impl IntoView {
    let ctx = Ctx::get();
    let reports = LocalResource::new(move || async move {
        ctx.server()?.get_as::<Vec<ListedReport>>("/reports").await
    });
    let failure = RwSignal::new(None::<ClientError>);
    let delete = move |r: ListedReport| {
        let question = format!(
            "Delete the report \u{201c}{}\u{201d}? This cannot be undone.",
            r.name
        );
        if !crate::platform::confirm(&question) {
            return;
        }
        spawn_local(async move {
            let result = match ctx.server() {
                Ok(s) => match ReportId::parse(r.id.as_str()) {
                    Ok(id) => s.delete_report(&id, r.version).await,
                    Err(e) => Err(ClientError::NotFound {
                        message: e.to_string(),
                    }),
                },
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    ctx.notice
                        .set(Some(format!("Deleted \u{201c}{}\u{201d}.", r.name)));
                    reports.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let duplicate = move |r: ListedReport| {
        spawn_local(async move {
            let result = match ctx.server() {
                Ok(s) => {
                    s.post_as::<ListedId>(&format!(
                        "/reports/{}/duplicate",
                        crate::env::percent_encode(&r.id)
                    ))
                    .await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(copy) => match ReportId::parse(copy.id) {
                    Ok(id) => ctx.go(Route::EditReport { id }),
                    Err(e) => failure.set(Some(ClientError::NotFound {
                        message: e.to_string(),
                    })),
                },
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="page-header">
            <h1>"Reports"</h1>
            <Show when=move || ctx.can_edit_reports()>
                <a class="button button-primary" href="#/new">
                    "New report"
                </a>
            </Show>
        </div>
        {move || failure.get().map(|e| view! { <ErrorPanel error=e /> })}
        <Transition fallback=|| {
            view! { <p class="loading">"Loading reports…"</p> }
        }>
            {move || Suspend::new(async move {
                match reports.await {
                    Err(e) => {
                        view! { <ErrorPanel error=e title="Cannot list the reports" /> }.into_any()
                    }
                    Ok(list) if list.is_empty() => {
                        view! {
                            <div class="empty">
                                <p>
                                    "No reports yet. Start from a template below, or create one from scratch."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ReportTable
                                list
                                on_delete=Callback::new(delete)
                                on_duplicate=Callback::new(duplicate)
                            />
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportTable(
    list: Vec<ListedReport>,
    on_delete: Callback<ListedReport>,
    on_duplicate: Callback<ListedReport>,
) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <table class="list-table">
            {table_head("Saved reports", ["Name", "Last changed"], true)}
            <tbody>
                {list
                    .into_iter()
                    .map(|r| {
                        let id = ReportId::parse(r.id.as_str()).ok();
                        let open = id
                            .clone()
                            .map(|id| {
                                Route::Report {
                                    id,
                                    overrides: Default::default(),
                                }
                                    .to_hash()
                            })
                            .unwrap_or_default();
                        let edit = id
                            .map(|id| Route::EditReport { id }.to_hash())
                            .unwrap_or_default();
                        let can_edit = r.can_edit;
                        let (for_delete, for_copy) = (r.clone(), r.clone());
                        view! {
                            <tr>
                                <td>
                                    <a href=open class="report-name">
                                        {r.name.clone()}
                                    </a>
                                    <p class="muted">{r.description.clone()}</p>
                                </td>
                                <td class="muted">{crate::platform::local_time(&r.updated_at)}</td>
                                <td class="row-actions">
                                    <Show when=move || can_edit>
                                        <a class="button button-subtle" href=edit.clone()>
                                            "Edit"
                                        </a>
                                    </Show>
                                    <Show when=move || {
                                        ctx.can_edit_reports()
                                    }>
                                        {
                                            let r = for_copy.clone();
                                            row_button(
                                                "Duplicate",
                                                false,
                                                move || on_duplicate.run(r.clone()),
                                            )
                                        }
                                    </Show>
                                    <Show when=move || {
                                        can_edit
                                    }>
                                        {
                                            let r = for_delete.clone();
                                            row_button("Delete", true, move || on_delete.run(r.clone()))
                                        }
                                    </Show>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Direct mode's home: what works without a server, and the configuration in hand.
#[component]
fn DirectHome() -> impl IntoView {
    let ctx = Ctx::get();
    let json = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let import = move |text: String| {
        busy.set(true);
        spawn_local(async move {
            let checked = ctx
                .worker()
                .validate(DocumentKind::Report, text.clone())
                .await;
            busy.set(false);
            match checked {
                Err(e) => problems.set(vec![e]),
                Ok(list) if !list.is_empty() => {
                    problems.set(list.iter().map(problem_line).collect())
                }
                Ok(_) => {
                    problems.set(Vec::new());
                    ctx.draft.set(Some(text));
                    ctx.go(Route::Draft);
                }
            }
        });
    };
    let on_read = move |read: Result<String, String>| match read {
        Ok(text) => {
            json.set(text.clone());
            import(text);
        }
        Err(e) => problems.set(vec![e]),
    };
    view! {
        <div class="page-header">
            <h1>"Reports"</h1>
        </div>
        <div class="panel panel-info">
            <p class="panel-title">"Running without a Dwell server"</p>
            <p>
                "Saved reports, shared calendars and permissions need Dwell installed in Jira Cloud. Opened directly, Dwell runs the templates below, or a report configuration you import (for example one exported from a Dwell site), against the Jira you connect to."
            </p>
            <Show when=move || ctx.jira.get().is_none()>
                <p>
                    <a class="button button-primary" href="#/connection">
                        "Connect to Jira"
                    </a>
                </p>
            </Show>
        </div>
        {move || {
            ctx.draft
                .get()
                .and_then(|d| ConfigHeader::read(&d))
                .map(|d| {
                    view! {
                        <div class="panel">
                            <p class="panel-title">"Current configuration: " {d.name.clone()}</p>
                            <div class="actions">
                                <a class="button button-primary" href="#/draft">
                                    "Run it"
                                </a>
                                <a class="button" href="#/new">
                                    "Edit it"
                                </a>
                            </div>
                        </div>
                    }
                })
        }}
        <h2>"Import a configuration"</h2>
        <TextArea
            label="Report configuration (JSON)"
            hint="Paste a report configuration, or choose a file."
            problems=problems
            rows=6
            code=true
            value=json
        />
        <div class="actions">
            <button
                type="button"
                class="button"
                disabled=move || busy.get()
                on:click=move |_| import(json.get_untracked())
            >
                "Check and use"
            </button>
            {json_file_button("Choose a file…", on_read)}
        </div>
    }
}

/// The built-in templates.
#[component]
fn Templates() -> impl IntoView {
    let ctx = Ctx::get();
    let run = move |slug: &'static str| {
        if let Some(json) = template_json(slug, &ctx.time_zone()) {
            ctx.draft.set(Some(json));
            ctx.go(Route::Draft);
        }
    };
    view! {
        <h2>"Start from a template"</h2>
        <ul class="cards">
            {TEMPLATES
                .iter()
                .map(|t| {
                    let customise = Route::NewReport {
                        template: Some(t.slug.to_string()),
                    }
                        .to_hash();
                    let slug = t.slug;
                    view! {
                        <li class="card">
                            <h3>{t.title}</h3>
                            <p>{t.description}</p>
                            <div class="actions">
                                <Show when=move || !ctx.in_jira()>
                                    <button
                                        type="button"
                                        class="button button-primary"
                                        on:click=move |_| run(slug)
                                    >
                                        "Run"
                                    </button>
                                </Show>
                                <a class="button" href=customise.clone()>
                                    "Customise"
                                </a>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
