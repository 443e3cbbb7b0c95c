//! Running a report: fetch its issues from Jira with progress and cancel, hand every page to
//! the worker as it arrives, then show the engine's result as a table and charts, with
//! exports and a shareable link. Issue data lives in the worker's memory and this page's,
//! and is dropped when the page changes.

use std::cell::Cell;

use config::ReportId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::cancel::Cancel;
use crate::components::{
    BusyPanel, Comments, Drill, ErrorPanel, ProgressPanel, ResultsTable, WorklogPanel,
};
use crate::context::Ctx;
use crate::fetch::driver::{BrowserClock, Event};
use crate::fetch::{Clock, Outcome, Planner, Progress};
use crate::route::{Overrides, Route};
use crate::view::header::ConfigHeader;
use crate::view::table::Window;
use crate::view::{plural, thousands};
use crate::worker_protocol::{ComputeContext, ConfigSource, ExportFormat, RunPlan};
use crate::worker_session::{ReportSummary, RowView, SortBy};

/// Which configuration to run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSource {
    Saved { id: ReportId, overrides: Overrides },
    Draft,
}

thread_local! {
    static NEXT_RUN: Cell<u32> = const { Cell::new(0) };
}

fn next_run() -> u32 {
    NEXT_RUN.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

#[component]
pub fn RunPage(source: RunSource) -> impl IntoView {
    let ctx = Ctx::get();
    match source {
        RunSource::Draft => match ctx.draft.get_untracked() {
            Some(json) => match ConfigHeader::read(&json) {
                Some(header) => view! {
                    <section class="page">
                        <Runner
                            source=ConfigSource::Config(json)
                            header
                            saved=None
                            overrides=Overrides::default()
                        />
                    </section>
                }
                .into_any(),
                None => view! {
                    <section class="page">
                        <ErrorPanel error=ClientError::Invalid {
                            message: "this is not a report configuration".into(),
                            details: Vec::new(),
                        } />
                    </section>
                }
                .into_any(),
            },
            None => view! {
                <section class="page">
                    <h1>"Nothing to run"</h1>
                    <p>
                        "Pick a template or import a configuration on the "
                        <a href="#/">"reports page"</a> "."
                    </p>
                </section>
            }
            .into_any(),
        },
        RunSource::Saved { id, overrides } => {
            let path = format!("/reports/{}", crate::env::percent_encode(id.as_str()));
            let load = LocalResource::new(move || {
                let path = path.clone();
                async move { ctx.server()?.get_text(&path).await }
            });
            view! {
                <section class="page">
                    <Transition fallback=|| {
                        view! { <p class="loading">"Loading the report…"</p> }
                    }>
                        {move || {
                            let overrides = overrides.clone();
                            let id = id.clone();
                            Suspend::new(async move {
                                match load.await {
                                    Ok(json) => {
                                        match serde_json::from_str::<RecordHeader>(&json) {
                                            Ok(record) => {
                                                view! {
                                                    <Runner
                                                        source=ConfigSource::Record(json)
                                                        header=record.config
                                                        saved=Some(id)
                                                        overrides
                                                    />
                                                }
                                                    .into_any()
                                            }
                                            Err(e) => {
                                                view! {
                                                    <ErrorPanel error=ClientError::Malformed {
                                                        what: "reading the report",
                                                        detail: e.to_string(),
                                                    } />
                                                }
                                                    .into_any()
                                            }
                                        }
                                    }
                                    Err(e) => {
                                        view! {
                                            <ErrorPanel error=e title="Cannot open the report" />
                                        }
                                            .into_any()
                                    }
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

/// A saved report, read only as far as the page shows it.
#[derive(serde::Deserialize)]
struct RecordHeader {
    config: ConfigHeader,
}

fn field_label(id: &str) -> String {
    match id {
        "status" => "Status".into(),
        "issuetype" => "Issue type".into(),
        "assignee" => "Assignee".into(),
        "project" => "Project".into(),
        "priority" => "Priority".into(),
        "reporter" => "Reporter".into(),
        "components" => "Components".into(),
        "labels" => "Labels".into(),
        other => other.to_string(),
    }
}

/// What the page knows of a finished run.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Fetching,
    Computing,
    Ready(Box<ReportSummary>),
    Failed(ClientError),
}

#[component]
fn Runner(
    source: ConfigSource,
    header: ConfigHeader,
    saved: Option<ReportId>,
    overrides: Overrides,
) -> impl IntoView {
    let ctx = Ctx::get();
    let progress = RwSignal::new(Progress::default());
    let running = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let stage = RwSignal::new(Stage::Fetching);
    let elapsed_ms = RwSignal::new(0.0);
    let cancel = StoredValue::new_local(Cancel::new());
    let run_id = StoredValue::new(0u32);
    let source = StoredValue::new(source);
    let link_overrides = StoredValue::new(overrides);
    // The grouping shown: chosen in the toolbar, else the link's, else the configuration's.
    let group = RwSignal::new(None::<String>);
    let plan = RwSignal::new(None::<RunPlan>);
    let sort = RwSignal::new(None::<SortBy>);
    let window = RwSignal::new(Window::default());
    let rows = RwSignal::new((0usize, Vec::<RowView>::new()));
    let notice = RwSignal::new(None::<String>);
    // A timesheet's drill-down: the worklogs behind the cell last clicked, and their comments.
    let drill = RwSignal::new(None::<Drill>);
    let comments = RwSignal::new(Comments::None);
    let drilled = StoredValue::new(crate::view::latest::Latest::default());

    let compute = move || {
        let run = run_id.get_value();
        drill.set(None);
        comments.set(None);
        stage.set(Stage::Computing);
        spawn_local(async move {
            let context = context(ctx, link_overrides.get_value().as_of).await;
            let result = ctx
                .worker()
                .compute(run, group.get_untracked(), context)
                .await;
            if run_id.get_value() != run {
                return;
            }
            match result {
                Ok((summary, timings)) => {
                    crate::platform::mark("dwell:computed");
                    crate::platform::measure("dwell:engine", timings.compute_ms);
                    crate::platform::measure("dwell:ingest", timings.ingest_ms);
                    sort.set(None);
                    rows.set((0, Vec::new()));
                    stage.set(Stage::Ready(Box::new(summary)));
                }
                Err(e) => stage.set(Stage::Failed(ClientError::Malformed {
                    what: "computing the report",
                    detail: e,
                })),
            }
        });
    };

    let start = move || {
        let Some(site) = ctx.jira.get_untracked() else {
            return;
        };
        cancel.get_value().cancel();
        let token = Cancel::new();
        cancel.set_value(token.clone());
        let previous = run_id.get_value();
        if previous != 0 {
            ctx.worker().end(previous);
        }
        let run = next_run();
        run_id.set_value(run);
        let worker = ctx.worker();
        outcome.set(None);
        stage.set(Stage::Fetching);
        progress.set(Progress::default());
        running.set(true);
        // The charts' module loads while Jira answers.
        crate::editor_loader::preload();
        crate::platform::mark("dwell:run");
        spawn_local(async move {
            let planned = worker
                .begin(
                    run,
                    site.flavour,
                    source.get_value(),
                    link_overrides.get_value(),
                )
                .await;
            let spec = match planned {
                Ok(p) => {
                    let spec = p.spec(site.flavour);
                    plan.set(Some(p));
                    spec
                }
                Err(e) => {
                    running.set(false);
                    stage.set(Stage::Failed(ClientError::Invalid {
                        message: e,
                        details: Vec::new(),
                    }));
                    return;
                }
            };
            let clock = BrowserClock;
            let began = clock.now_ms();
            let mut planner = Planner::new(spec);
            let result =
                crate::fetch::run(&mut planner, &site.transport, &clock, &token, |event| {
                    match event {
                        Event::Progress(p) => progress.set(p),
                        // A page the worker never got would make every number wrong:
                        // the run fails, saying why.
                        Event::Deliver(d) => {
                            worker
                                .deliver(run, d)
                                .map_err(|detail| ClientError::Network {
                                    service: "Dwell's worker",
                                    detail: format!("a page of Jira's answer was lost: {detail}"),
                                })?
                        }
                    }
                    Ok(())
                })
                .await;
            if run_id.get_value() != run {
                return;
            }
            elapsed_ms.set(clock.now_ms() - began);
            crate::platform::mark("dwell:fetched");
            running.set(false);
            let failed = match &result {
                Outcome::Failed(e) => Some(e.clone()),
                _ => None,
            };
            outcome.set(Some(result));
            match failed {
                Some(e) => stage.set(Stage::Failed(e)),
                None => compute(),
            }
        });
    };

    // Ask the worker for the rows on screen whenever the window or the sort changes.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let w = window.get();
        let s = sort.get();
        if !matches!(stage.get(), Stage::Ready(_)) || w.count == 0 {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let run = run_id.get_value();
        spawn_local(async move {
            if let Ok(list) = ctx.worker().rows(run, s, w.start, w.count).await
                && generation.get_value() == mine
            {
                rows.set((w.start, list));
                crate::platform::mark("dwell:table");
            }
        });
    });

    // Run as soon as Jira is reachable; stop fetching and drop the data when the page goes.
    Effect::new(move |started: Option<bool>| {
        let ready = ctx.jira.with(Option::is_some);
        if ready && started != Some(true) {
            start();
            return true;
        }
        started.unwrap_or(false)
    });
    on_cleanup(move || {
        cancel.get_value().cancel();
        let run = run_id.get_value();
        if run != 0 {
            ctx.worker().end(run);
        }
    });

    // Lists a cell's worklogs (from the worker), then reads their comments from Jira by id;
    // the worker flattens them to text. Only the newest click's answers land.
    let open_cell = move |(row, column): (Option<usize>, Option<usize>)| {
        let run = run_id.get_value();
        let Some(ticket) = drilled.try_update_value(|l| l.start()) else {
            return;
        };
        let current = move || drilled.with_value(|l| l.is_current(ticket));
        drill.set(Some(Drill::Loading("Worklogs".into())));
        comments.set(None);
        spawn_local(async move {
            let listed = ctx.worker().worklogs(run, row, column).await;
            if !current() {
                return;
            }
            let cell = match listed {
                Ok(cell) => cell,
                Err(e) => {
                    drill.set(Some(Drill::Failed(e)));
                    return;
                }
            };
            let ids: Vec<String> = cell.worklogs.iter().filter_map(|w| w.id.clone()).collect();
            drill.set(Some(Drill::Ready(Box::new(cell))));
            let read = read_comments(ctx, ids).await;
            if current() {
                comments.set(Some(read));
            }
        });
    };

    let title = StoredValue::new(header.name.clone());
    let export = move |format: ExportFormat| {
        let run = run_id.get_value();
        let name = format!("{}.{}", file_stem(&title.get_value()), format.extension());
        notice.set(Some(format!(
            "Preparing {}…",
            format.extension().to_uppercase()
        )));
        spawn_local(async move {
            let made = match ctx.worker().export(run, format).await {
                Ok(crate::worker_handle::ExportFile::Text(t)) => {
                    crate::platform::download(&name, format.mime(), &t)
                }
                Ok(crate::worker_handle::ExportFile::Bytes(b)) => {
                    crate::platform::download_bytes(&name, format.mime(), &b)
                }
                Err(e) => Err(e),
            };
            notice.set(Some(match made {
                Ok(()) => format!("Downloaded {name}."),
                Err(e) => format!("The export failed: {e}"),
            }));
        });
    };

    let share = {
        let saved = saved.clone();
        move || {
            let Some(id) = saved.clone() else { return };
            let mut o = link_overrides.get_value();
            if let Some(g) = group.get_untracked() {
                o.group = Some(g);
            }
            let route = Route::Report { id, overrides: o };
            spawn_local(async move {
                let link = ctx.share_link(&route).await;
                let copied = crate::platform::copy_text(&link).await;
                notice.set(Some(match copied {
                    Ok(()) => "Link copied.".to_string(),
                    Err(e) => format!("{e}: {link}"),
                }));
            });
        }
    };

    let edit_link = match &saved {
        Some(id) => Route::EditReport { id: id.clone() }.to_hash(),
        None => Route::NewReport { template: None }.to_hash(),
    };
    // Reactive: inside Jira the user's rights may arrive after the report itself.
    let is_draft = saved.is_none();
    let can_edit = move || is_draft || ctx.can_edit_reports();
    let can_share = saved.is_some();
    let browse = move || {
        ctx.jira
            .get()
            .map(|s| format!("{}/browse/", s.site.trim_end_matches('/')))
    };
    let group_choice = move || {
        group.get().unwrap_or_else(|| {
            plan.with(|p| {
                p.as_ref()
                    .and_then(|p| p.group_by.first().cloned())
                    .unwrap_or_else(|| "none".to_string())
            })
        })
    };
    view! {
        <div class="page-header">
            <div>
                <h1>{header.name.clone()}</h1>
                <p class="muted">
                    {header.kind_label()} " · "
                    <code>
                        {move || {
                            plan.with(|p| p.as_ref().map(|p| p.jql.clone()))
                                .unwrap_or_else(|| header.jql.clone())
                        }}
                    </code>
                    {link_overrides
                        .get_value()
                        .as_of
                        .map(|t| {
                            view! {
                                " · as of "
                                <time class="as-of">{t}</time>
                            }
                        })}
                </p>
            </div>
            <div class="actions">
                <button
                    type="button"
                    class="button"
                    disabled=move || running.get() || ctx.jira.with(Option::is_none)
                    on:click=move |_| start()
                >
                    "Run again"
                </button>
                <Show when=can_edit>
                    <a class="button" href=edit_link.clone()>
                        "Edit"
                    </a>
                </Show>
            </div>
        </div>
        {(!header.description.is_empty()).then(|| view! { <p>{header.description.clone()}</p> })}
        <Show when=move || ctx.jira.with(Option::is_none)>
            <div class="panel panel-info">
                <p>
                    "Dwell needs a Jira connection to run this report. "
                    <a href="#/connection">"Connect to Jira"</a>
                </p>
            </div>
        </Show>
        <Show when=move || running.get()>
            <ProgressPanel
                progress=progress
                running=running
                on_cancel=Callback::new(move |_| cancel.get_value().cancel())
            />
        </Show>
        {move || {
            outcome
                .get()
                .map(|o| {
                    let p = progress.get_untracked();
                    let summary = format!(
                        "Read {} issues with {} requests to Jira in {:.1} s.",
                        thousands(p.issues_loaded.max(p.changelogs_loaded)),
                        thousands(u64::from(p.stats.sent)),
                        elapsed_ms.get_untracked() / 1000.0,
                    );
                    match o {
                        Outcome::Complete => {
                            view! {
                                <p class="muted" role="status">
                                    {summary}
                                </p>
                            }
                                .into_any()
                        }
                        Outcome::Partial { reasons } => {
                            view! {
                                <div class="panel panel-warning" role="status">
                                    <p class="panel-title">
                                        "Partial result: some data is missing"
                                    </p>
                                    <p>{summary}</p>
                                    <ul class="problem-list">
                                        {reasons
                                            .into_iter()
                                            .map(|r| view! { <li>{r}</li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                                .into_any()
                        }
                        Outcome::Failed(_) => view! { <span></span> }.into_any(),
                    }
                })
        }}
        {move || match stage.get() {
            Stage::Fetching => view! { <span></span> }.into_any(),
            Stage::Computing => view! { <BusyPanel label="Computing the report…" /> }.into_any(),
            Stage::Failed(e) => {
                view! { <ErrorPanel error=e title="The report could not run" /> }.into_any()
            }
            Stage::Ready(summary) => {
                let summary = *summary;
                let timesheet = summary.kind == "timesheet";
                let parts = summary.columns.len().saturating_sub(usize::from(summary.total_column));
                let columns: Vec<String> = summary
                    .columns
                    .iter()
                    .take(parts)
                    .map(|c| c.name.clone())
                    .collect();
                let charts = summary.charts.clone();
                let warnings = summary.warnings.clone();
                let group_id = crate::components::unique_id("group-by");
                let options: Vec<String> = plan
                    .with_untracked(|p| {
                        p.as_ref()
                            .map(|p| {
                                p.fields
                                    .iter()
                                    .filter(|f| {
                                        !matches!(
                                            f.as_str(),
                                            "created" | "updated" | "resolutiondate"
                                        )
                                    })
                                    .cloned()
                                    .collect()
                            })
                            .unwrap_or_default()
                    });
                // The stacked chart's parts: a timesheet's own Total is their sum, not a part.
                view! {
                    {(!warnings.is_empty())
                        .then(|| {
                            view! {
                                <details class="panel panel-warning">
                                    <summary>
                                        {plural(
                                            warnings.len() as u64,
                                            "thing to know about these numbers",
                                            "things to know about these numbers",
                                        )}
                                    </summary>
                                    <ul>
                                        {warnings
                                            .into_iter()
                                            .map(|w| view! { <li>{w}</li> })
                                            .collect_view()}
                                    </ul>
                                </details>
                            }
                        })}
                    <div class="toolbar">
                        <p class="count">
                            {format!("{} issues", thousands(u64::from(summary.issue_count)))}
                        </p>
                        <div class="field inline">
                            <label for=group_id.clone()>"Group rows by"</label>
                            <select
                                id=group_id
                                on:change=move |ev| {
                                    group.set(Some(event_target_value(&ev)));
                                    compute();
                                }
                            >
                                <option value="none" selected=move || group_choice() == "none">
                                    "Nothing (one row per issue)"
                                </option>
                                {options
                                    .into_iter()
                                    .map(|f| {
                                        let label = field_label(&f);
                                        let value = f.clone();
                                        view! {
                                            <option value=value selected=move || group_choice() == f>
                                                {label}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="actions">
                            <button
                                type="button"
                                class="button"
                                on:click=move |_| export(ExportFormat::Csv)
                            >
                                "Export CSV"
                            </button>
                            <button
                                type="button"
                                class="button"
                                on:click=move |_| export(ExportFormat::Xlsx)
                            >
                                "Export XLSX"
                            </button>
                            {can_share
                                .then(|| {
                                    let share = share.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="button"
                                            on:click=move |_| share()
                                        >
                                            "Copy link"
                                        </button>
                                    }
                                })}
                        </div>
                    </div>
                    <p class="notice-line" role="status" aria-live="polite">
                        {move || notice.get()}
                    </p>
                    {if timesheet {
                        view! {
                            <ResultsTable
                                summary=summary
                                sort
                                window
                                rows=Signal::from(rows)
                                browse=browse().unwrap_or_default()
                                on_cell=Callback::new(open_cell)
                            />
                        }
                            .into_any()
                    } else {
                        view! {
                            <ResultsTable
                                summary=summary
                                sort
                                window
                                rows=Signal::from(rows)
                                browse=browse().unwrap_or_default()
                            />
                        }
                            .into_any()
                    }}
                    {move || {
                        drill
                            .get()
                            .map(|d| {
                                view! {
                                    <WorklogPanel
                                        drill=d
                                        comments
                                        browse=browse().unwrap_or_default()
                                        on_close=Callback::new(move |_| {
                                            drilled
                                                .update_value(|l| {
                                                    l.start();
                                                });
                                            drill.set(None);
                                            comments.set(None);
                                        })
                                    />
                                }
                            })
                    }}
                    <crate::editor_loader::ChartsHost charts columns />
                }
                    .into_any()
            }
        }}
    }
}

/// The comments of worklogs `ids` (at most [`crate::worker_session::CELL_WORKLOGS`]), from
/// Jira's `worklog/list`, flattened to text by the worker. Nothing is kept after the dialog.
async fn read_comments(
    ctx: Ctx,
    ids: Vec<String>,
) -> Result<std::collections::HashMap<String, String>, String> {
    use crate::api::jira::{JiraRequest, Purpose, Transport, api_root, classify_failure};
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let site = ctx.jira.get_untracked().ok_or("no Jira connection")?;
    // Jira takes worklog ids as numbers.
    let ids: Vec<i64> = ids.iter().filter_map(|i| i.parse().ok()).collect();
    let request = JiraRequest::post(
        format!("{}/worklog/list", api_root(site.flavour)),
        &serde_json::json!({ "ids": ids }),
    );
    let response = site
        .transport
        .send(request, &Cancel::new())
        .await
        .map_err(|e| e.to_string())?;
    if !response.is_success() {
        return Err(classify_failure(Purpose::Worklogs, &response).to_string());
    }
    let comments = ctx.worker().comments(response.body).await?;
    Ok(comments.into_iter().collect())
}

fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "report".into() } else { s }
}

/// The engine's context: now (or the link's fixed instant), the user's time zone (their Jira
/// zone on Forge, else the browser's), and the site's saved calendars and status groups as
/// the server wrote them (Direct mode has none).
async fn context(ctx: Ctx, as_of: Option<String>) -> ComputeContext {
    let (calendars, status_groups) = match ctx.server() {
        Ok(server) => (
            server.get_text("/calendars").await.ok(),
            server.get_text("/status-groups").await.ok(),
        ),
        Err(_) => (None, None),
    };
    ComputeContext {
        now_ms: js_sys::Date::now() as i64,
        as_of,
        time_zone: ctx.time_zone(),
        calendars,
        status_groups,
    }
}
