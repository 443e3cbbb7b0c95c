//! Running a report: fetch its issues from Jira with progress and cancel, then show the result.
//! The data lives in this page's memory only, and is dropped when the page changes.

use config::{DateField, DateRange, Jql, ReportConfig, ReportId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::app::Ctx;
use crate::components::{ErrorPanel, ProgressPanel};
use crate::fetch::driver::Event;
use crate::fetch::{Cancel, Delivery, FetchSpec, Outcome, Planner, Progress, run};
use crate::platform::BrowserClock;
use crate::route::{Overrides, Route};
use crate::view::editor::{KindChoice, parse_date_bound};
use crate::view::thousands;

/// Which configuration to run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSource {
    Saved { id: ReportId, overrides: Overrides },
    Draft,
}

#[component]
pub fn RunPage(source: RunSource) -> impl IntoView {
    let ctx = Ctx::get();
    match source {
        RunSource::Draft => match ctx.draft.get_untracked() {
            Some(config) => view! { <section class="page"><Runner config saved=None /></section> }.into_any(),
            None => view! {
                <section class="page">
                    <h1>"Nothing to run"</h1>
                    <p>"Pick a template or import a configuration on the " <a href="#/">"reports page"</a> "."</p>
                </section>
            }
            .into_any(),
        },
        RunSource::Saved { id, overrides } => {
            let load = LocalResource::new(move || {
                let id = id.clone();
                async move { ctx.server()?.report(&id).await }
            });
            view! {
                <section class="page">
                    <Transition fallback=|| view! { <p class="loading">"Loading the report…"</p> }>
                        {move || {
                            let overrides = overrides.clone();
                            Suspend::new(async move {
                                match load.await {
                                    Ok(record) => match apply_overrides(record.config, &overrides) {
                                        Ok(config) => view! { <Runner config saved=Some(record.id) /> }.into_any(),
                                        Err(e) => view! { <ErrorPanel error=e title="This link's changes do not apply" /> }.into_any(),
                                    },
                                    Err(e) => view! { <ErrorPanel error=e title="Cannot open the report" /> }.into_any(),
                                }
                            })
                        }}
                    </Transition>
                </section>
            }
            .into_any()
        }
    }
}

/// A shared link's changes, applied for this viewing only.
fn apply_overrides(mut config: ReportConfig, o: &Overrides) -> Result<ReportConfig, ClientError> {
    let invalid = |path: &str, message: String| ClientError::Invalid {
        message: "the link's overrides are not valid".into(),
        details: vec![config::ValidationError {
            path: path.into(),
            message,
        }],
    };
    if let Some(jql) = &o.jql {
        config.jql = Jql::parse(jql.clone()).map_err(|e| invalid("jql", e.to_string()))?;
    }
    if o.from.is_some() || o.to.is_some() {
        let from =
            parse_date_bound(o.from.as_deref().unwrap_or("")).map_err(|e| invalid("from", e))?;
        let to = parse_date_bound(o.to.as_deref().unwrap_or("")).map_err(|e| invalid("to", e))?;
        let field = config
            .date_range
            .as_ref()
            .map_or(DateField::Updated, |r| r.field);
        config.date_range = Some(DateRange { field, from, to });
    }
    Ok(config)
}

/// What arrived from Jira, for the summary (the documents themselves go to the engine).
#[derive(Debug, Clone, Default, PartialEq)]
struct Received {
    documents: u64,
    bytes: u64,
    complete_changelogs: u64,
}

#[component]
fn Runner(config: ReportConfig, saved: Option<ReportId>) -> impl IntoView {
    let ctx = Ctx::get();
    let progress = RwSignal::new(Progress::default());
    let running = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let received = RwSignal::new(Received::default());
    let elapsed_ms = RwSignal::new(0.0);
    let cancel = StoredValue::new_local(Cancel::new());
    let config = StoredValue::new(config);

    let start = move || {
        let Some(site) = ctx.jira.get_untracked() else {
            return;
        };
        cancel.get_value().cancel();
        let token = Cancel::new();
        cancel.set_value(token.clone());
        let spec = FetchSpec::for_report(site.flavour, &config.get_value());
        outcome.set(None);
        received.set(Received::default());
        progress.set(Progress::default());
        running.set(true);
        spawn_local(async move {
            let clock = BrowserClock;
            let began = crate::fetch::Clock::now_ms(&clock);
            let mut planner = Planner::new(spec);
            let result = run(
                &mut planner,
                &site.transport,
                &clock,
                &token,
                |event| match event {
                    Event::Progress(p) => progress.set(p),
                    Event::Deliver(d) => received.update(|r| {
                        r.documents += 1;
                        match d {
                            Delivery::ChangelogsComplete(ids) => {
                                r.complete_changelogs += ids.len() as u64
                            }
                            Delivery::Issues(b)
                            | Delivery::Changelogs(b)
                            | Delivery::Statuses(b)
                            | Delivery::Fields(b) => r.bytes += b.len() as u64,
                        }
                    }),
                },
            )
            .await;
            elapsed_ms.set(crate::fetch::Clock::now_ms(&clock) - began);
            running.set(false);
            outcome.set(Some(result));
        });
    };

    // Run as soon as Jira is reachable; stop fetching when the page goes away.
    Effect::new(move |started: Option<bool>| {
        let ready = ctx.jira.with(Option::is_some);
        if ready && started != Some(true) {
            start();
            return true;
        }
        started.unwrap_or(false)
    });
    on_cleanup(move || cancel.get_value().cancel());

    let c = config.get_value();
    let edit_link = match &saved {
        Some(id) => Route::EditReport { id: id.clone() }.to_hash(),
        None => Route::NewReport { template: None }.to_hash(),
    };
    let can_edit = saved.is_none() || ctx.can_edit_reports();
    view! {
        <div class="page-header">
            <div>
                <h1>{c.name.clone()}</h1>
                <p class="muted">{KindChoice::of(&c.kind).label()} " · " <code>{c.jql.as_str().to_string()}</code></p>
            </div>
            <div class="actions">
                <button type="button" class="button" disabled=move || running.get() || ctx.jira.with(Option::is_none) on:click=move |_| start()>
                    "Run again"
                </button>
                <Show when=move || can_edit>
                    <a class="button" href=edit_link.clone()>"Edit"</a>
                </Show>
            </div>
        </div>
        {(!c.description.is_empty()).then(|| view! { <p>{c.description.clone()}</p> })}
        <Show when=move || ctx.jira.with(Option::is_none)>
            <div class="panel panel-info">
                <p>"Dwell needs a Jira connection to run this report. " <a href="#/connection">"Connect to Jira"</a></p>
            </div>
        </Show>
        <Show when=move || running.get() || outcome.with(Option::is_none) && ctx.jira.with(Option::is_some)>
            <ProgressPanel progress=progress running=running on_cancel=Callback::new(move |_| cancel.get_value().cancel()) />
        </Show>
        {move || outcome.get().map(|o| {
            let p = progress.get_untracked();
            let r = received.get_untracked();
            let summary = format!(
                "Read {} issues and {} complete histories with {} requests in {:.1} s.",
                thousands(p.issues_loaded),
                thousands(r.complete_changelogs.max(if p.stats.changelog_pages == 0 { p.changelogs_loaded } else { 0 })),
                thousands(u64::from(p.stats.sent)),
                elapsed_ms.get_untracked() / 1000.0,
            );
            match o {
                Outcome::Complete => view! { <div class="panel panel-success" role="status"><p>{summary}</p></div> }.into_any(),
                Outcome::Partial { reasons } => view! {
                    <div class="panel panel-warning" role="status">
                        <p class="panel-title">"Partial result"</p>
                        <p>{summary}</p>
                        <ul class="problem-list">{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Outcome::Failed(e) => view! { <ErrorPanel error=e title="The report could not run" /> }.into_any(),
            }
        })}
    }
}
