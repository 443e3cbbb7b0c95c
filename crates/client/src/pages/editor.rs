//! The report editor: every part of a configuration as labelled controls, checked as you type
//! (by the worker, exactly as the server checks), the JQL checked by Jira itself, and saving
//! with version conflicts shown side by side.

use std::collections::BTreeMap;

use config::api::{
    CalendarRecord, NewReport, ReportAccess, ReportRecord, ReportUpdate, StatusGroupRecord,
};
use config::{
    CalendarRef, ColumnSpec, DateField, DateRange, Filter, FilterOp, FilterValue, Jql, KindTag,
    ReportConfig, ReportId, ReportKind, SortDirection, SortKey, SortTarget, StatusRef,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::jira::check_jql;
use crate::api::server::Saved;
use crate::components::{ConflictPanel, ErrorPanel, Field, unique_id};
use crate::context::Ctx;
use crate::route::Route;
use crate::view::editor::{
    AGGREGATES, FILTER_OPS, FormatChoice, MULTI_VISIT, PERIODS, TIMESHEET_COLUMNS, TIMESHEET_ROWS,
    filter_op_from_slug, filter_op_slug, format_date_bound, format_fields, format_filter_value,
    format_percentiles, format_statuses, format_worklog_dates, parse_date_bound, parse_fields,
    parse_filter_value, parse_percentiles, parse_statuses, parse_worklog_dates, toggle_aggregate,
    with_percentiles,
};
use crate::view::errors::FieldErrors;
use crate::view::principals::{format_principals, parse_principals};
use crate::view::templates::template;
use crate::worker_protocol::DocumentKind;

/// Where the edited configuration comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    New { template: Option<String> },
    Saved { id: ReportId },
}

/// What a saved report adds to its configuration.
#[derive(Debug, Clone, PartialEq)]
struct SavedMeta {
    id: ReportId,
    version: u64,
    access: ReportAccess,
}

impl SavedMeta {
    fn of(r: &ReportRecord) -> Self {
        SavedMeta {
            id: r.id.clone(),
            version: r.version,
            access: r.access.clone(),
        }
    }
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
                } => Ok((template(&slug).unwrap_or_else(blank), None)),
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

/// A part of the configuration edited as text: where it is (its JSON path), how it reads as
/// text, and how text becomes it again.
struct Part<T> {
    path: &'static str,
    get: fn(&ReportConfig) -> String,
    parse: fn(&str) -> Result<T, String>,
    set: fn(&mut ReportConfig, T),
}

/// Applies a control's text to the configuration; `Some(problem)` when it does not parse.
type Apply = Box<dyn Fn(&str) -> Option<String>>;

/// The state every control of the form shares. Copy: signals only.
#[derive(Debug, Clone, Copy)]
struct Form {
    config: RwSignal<ReportConfig>,
    /// Problems from the worker's check or the server, by JSON path.
    problems: RwSignal<FieldErrors>,
    /// Text that does not parse yet, by control; saving waits until it does.
    local: RwSignal<BTreeMap<&'static str, String>>,
}

impl Form {
    fn problems_at(self, path: &'static str, key: &'static str) -> Signal<Vec<String>> {
        Signal::derive(move || {
            let mut out: Vec<String> = self
                .local
                .with(|l| l.get(key).cloned())
                .into_iter()
                .collect();
            out.extend(self.problems.with(|p| p.under(path)));
            out
        })
    }

    fn set_local(self, key: &'static str, error: Option<String>) {
        self.local.update(|l| match error {
            Some(e) => {
                l.insert(key, e);
            }
            None => {
                l.remove(key);
            }
        });
    }

    /// A text control whose value parses into `part` of the configuration.
    fn text<T: 'static>(
        self,
        label: &'static str,
        hint: Option<&'static str>,
        part: Part<T>,
        rows: u32,
    ) -> AnyView {
        let Part {
            path,
            get,
            parse,
            set,
        } = part;
        // Only this closure depends on `T`; the control itself is compiled once.
        let apply: Apply = Box::new(move |text| match parse(text) {
            Ok(v) => {
                self.config.update(|c| set(c, v));
                None
            }
            Err(e) => Some(e),
        });
        self.text_control(label, hint, path, get, apply, rows)
    }

    fn text_control(
        self,
        label: &'static str,
        hint: Option<&'static str>,
        path: &'static str,
        get: fn(&ReportConfig) -> String,
        apply: Apply,
        rows: u32,
    ) -> AnyView {
        let text = RwSignal::new(self.config.with_untracked(get));
        let apply = StoredValue::new_local(apply);
        let on_input = move |value: String| {
            text.set(value.clone());
            let error = apply.with_value(|f| f(&value));
            self.set_local(path, error);
        };
        view! {
            <Field
                label=label
                hint=hint.map(str::to_string).unwrap_or_default()
                problems=self.problems_at(path, path)
                control=move |id, described| {
                    if rows > 1 {
                        view! {
                            <textarea
                                id=id
                                rows=rows
                                aria-describedby=described
                                prop:value=move || text.get()
                                on:input=move |ev| on_input(event_target_value(&ev))
                            ></textarea>
                        }
                            .into_any()
                    } else {
                        view! {
                            <input
                                id=id
                                type="text"
                                aria-describedby=described
                                prop:value=move || text.get()
                                on:input=move |ev| on_input(event_target_value(&ev))
                            />
                        }
                            .into_any()
                    }
                }
            />
        }
        .into_any()
    }

    fn checkbox(
        self,
        label: &'static str,
        get: fn(&ReportConfig) -> bool,
        set: fn(&mut ReportConfig, bool),
    ) -> impl IntoView {
        let id = unique_id("check");
        view! {
            <div class="field field-check">
                <input
                    id=id.clone()
                    type="checkbox"
                    prop:checked=move || self.config.with(get)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        self.config.update(|c| set(c, on));
                    }
                />
                <label for=id>{label}</label>
            </div>
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum JqlCheck {
    Idle,
    Checking,
    Matches(u64),
    Refused(ClientError),
}

/// Saved records a picker offers: loaded from the server, or why they could not be.
type SavedList<T> = LocalResource<Result<Vec<T>, ClientError>>;

/// Direct mode has no server, so nothing saved to offer; any other failure is shown.
fn none_without_server<T>(e: ClientError) -> Result<Vec<T>, ClientError> {
    match e {
        ClientError::NoServer => Ok(Vec::new()),
        e => Err(e),
    }
}

/// The records of `list` once loaded: none while loading, and none when loading failed
/// ([`load_failure`] says why beside the picker).
fn loaded<T: Clone + Send + Sync + 'static>(list: SavedList<T>) -> Vec<T> {
    list.get().and_then(Result::ok).unwrap_or_default()
}

/// Why `list` could not load, for as long as that is so.
fn load_failure<T: Clone + Send + Sync + 'static>(
    list: SavedList<T>,
    title: &'static str,
) -> impl IntoView {
    move || {
        list.get()
            .and_then(Result::err)
            .map(|e| view! { <ErrorPanel error=e title=title /> })
    }
}

#[component]
fn ReportForm(config: ReportConfig, saved: Option<SavedMeta>) -> impl IntoView {
    let ctx = Ctx::get();
    let form = Form {
        config: RwSignal::new(config),
        problems: RwSignal::new(FieldErrors::default()),
        local: RwSignal::new(BTreeMap::new()),
    };
    let saved = RwSignal::new(saved);
    // Replacing the whole configuration (JSON, the saved version) rebuilds the controls.
    let revision = RwSignal::new(0u32);
    let conflict = RwSignal::new(None::<ReportRecord>);
    let discarded = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ClientError>);
    let saving = RwSignal::new(false);
    let jql_check = RwSignal::new(JqlCheck::Idle);
    let calendars = LocalResource::new(move || async move {
        match ctx.server() {
            Ok(s) => s.calendars().await,
            Err(e) => none_without_server(e),
        }
    });
    let groups = LocalResource::new(move || async move {
        match ctx.server() {
            Ok(s) => s.status_groups().await,
            Err(e) => none_without_server(e),
        }
    });

    // Check the whole document in the worker a moment after each change.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let json = form.config.with(crate::view::compact_json);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            crate::platform::sleep(300.0).await;
            if generation.get_value() != mine {
                return;
            }
            if let Ok(problems) = ctx.worker().validate(DocumentKind::Report, json).await
                && generation.get_value() == mine
            {
                form.problems.set(FieldErrors(problems));
            }
        });
    });

    // Ask Jira about the JQL a little after typing stops.
    let jql_generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let jql = form.config.with(|c| c.jql.as_str().to_string());
        let Some(site) = ctx.jira.get() else {
            jql_check.set(JqlCheck::Idle);
            return;
        };
        jql_generation.update_value(|g| *g += 1);
        let mine = jql_generation.get_value();
        spawn_local(async move {
            crate::platform::sleep(700.0).await;
            if jql_generation.get_value() != mine {
                return;
            }
            jql_check.set(JqlCheck::Checking);
            let result = check_jql(&site.transport, site.flavour, &jql).await;
            if jql_generation.get_value() == mine {
                jql_check.set(match result {
                    Ok(n) => JqlCheck::Matches(n),
                    Err(e) => JqlCheck::Refused(e),
                });
            }
        });
    });

    let save = move |overwrite_version: Option<u64>| {
        if !form.local.with_untracked(BTreeMap::is_empty) {
            failure.set(Some(ClientError::Invalid {
                message: "some fields do not read as values yet".into(),
                details: Vec::new(),
            }));
            return;
        }
        let config = form.config.get_untracked();
        let meta = saved.get_untracked();
        failure.set(None);
        saving.set(true);
        spawn_local(async move {
            let server = match ctx.server() {
                Ok(s) => s,
                Err(e) => {
                    failure.set(Some(e));
                    saving.set(false);
                    return;
                }
            };
            let outcome = match meta {
                None => server
                    .create_report(&NewReport {
                        config,
                        access: ReportAccess::default(),
                    })
                    .await
                    .map(Saved::Saved),
                Some(meta) => {
                    server
                        .update_report(
                            &meta.id,
                            &ReportUpdate {
                                version: overwrite_version.unwrap_or(meta.version),
                                config,
                                access: meta.access,
                            },
                        )
                        .await
                }
            };
            saving.set(false);
            match outcome {
                Ok(Saved::Saved(record)) => {
                    let was_new = saved.get_untracked().is_none();
                    saved.set(Some(SavedMeta::of(&record)));
                    conflict.set(None);
                    ctx.notice.set(Some(format!(
                        "Saved \u{201c}{}\u{201d}.",
                        record.config.name
                    )));
                    if was_new {
                        ctx.go(Route::EditReport { id: record.id });
                    }
                }
                Ok(Saved::Conflict(current)) => conflict.set(Some(current)),
                Err(ClientError::Invalid { message, details }) => {
                    let details: Vec<_> = details
                        .into_iter()
                        .map(|mut d| {
                            d.path = d
                                .path
                                .strip_prefix("config.")
                                .unwrap_or(&d.path)
                                .to_string();
                            d
                        })
                        .collect();
                    form.problems.set(FieldErrors(details.clone()));
                    failure.set(Some(ClientError::Invalid { message, details }));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };

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
        {move || {
            conflict
                .get()
                .map(|current| {
                    let mine = serde_json::to_value(form.config.get_untracked())
                        .unwrap_or_default();
                    let theirs = serde_json::to_value(&current.config).unwrap_or_default();
                    let by = format!(
                        "Version {} was saved by {} at {}.",
                        current.version,
                        current.updated_by,
                        crate::platform::local_time(&current.updated_at.to_string()),
                    );
                    let version = current.version;
                    let keep = Callback::new(move |_| save(Some(version)));
                    let take = Callback::new(move |_| {
                        let Some(current) = conflict.get_untracked() else { return };
                        discarded.set(Some(crate::view::pretty_json(&form.config.get_untracked())));
                        saved.set(Some(SavedMeta::of(&current)));
                        form.config.set(current.config);
                        form.local.set(BTreeMap::new());
                        conflict.set(None);
                        revision.update(|r| *r += 1);
                    });
                    view! {
                        <ConflictPanel
                            mine
                            theirs
                            saved_by=by
                            on_keep_mine=keep
                            on_take_theirs=take
                        />
                    }
                })
        }}
        {move || {
            discarded
                .get()
                .map(|json| {
                    view! {
                        <details class="panel">
                            <summary>"Your replaced version, as JSON"</summary>
                            <textarea
                                class="code"
                                readonly
                                rows="10"
                                aria-label="Your replaced version"
                            >
                                {json}
                            </textarea>
                        </details>
                    }
                })
        }}
        {move || failure.get().map(|e| view! { <ErrorPanel error=e title="Not saved" /> })}
        <form
            class="editor"
            on:submit=move |ev| {
                ev.prevent_default();
                save(None);
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
                                disabled=move || saving.get() || !ctx.can_edit_reports()
                            >
                                {move || if saving.get() { "Saving…" } else { "Save" }}
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

fn slugify(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "report".into() } else { s }
}

#[component]
fn About(form: Form) -> impl IntoView {
    view! {
        <fieldset class="section">
            <legend>"About"</legend>
            {form
                .text(
                    "Name",
                    None,
                    Part {
                        path: "name",
                        get: |c| c.name.clone(),
                        parse: |s| Ok(s.to_string()),
                        set: |c, v| c.name = v,
                    },
                    1,
                )}
            {form
                .text(
                    "Description",
                    Some("Shown in the report list."),
                    Part {
                        path: "description",
                        get: |c| c.description.clone(),
                        parse: |s| Ok(s.to_string()),
                        set: |c, v| c.description = v,
                    },
                    3,
                )}
        </fieldset>
    }
}

#[component]
fn Issues(form: Form, jql_check: RwSignal<JqlCheck>) -> impl IntoView {
    let ctx = Ctx::get();
    let field_id = unique_id("date-field");
    view! {
        <fieldset class="section">
            <legend>"Issues"</legend>
            {form
                .text(
                    "JQL",
                    Some("Which issues the report covers, in Jira's query language."),
                    Part {
                        path: "jql",
                        get: |c| c.jql.as_str().to_string(),
                        parse: |s| Jql::parse(s).map_err(|e| e.to_string()),
                        set: |c, v| c.jql = v,
                    },
                    3,
                )}
            <div class="jql-check" role="status" aria-live="polite">
                {move || match jql_check.get() {
                    JqlCheck::Idle if ctx.jira.get().is_none() => {
                        view! { <p class="muted">"Connect to Jira to check the query."</p> }
                            .into_any()
                    }
                    JqlCheck::Idle => view! { <span></span> }.into_any(),
                    JqlCheck::Checking => view! { <p class="muted">"Asking Jira…"</p> }.into_any(),
                    JqlCheck::Matches(n) => {
                        view! {
                            <p class="ok">
                                {format!("Jira finds about {} issues.", crate::view::thousands(n))}
                            </p>
                        }
                            .into_any()
                    }
                    JqlCheck::Refused(e) => {
                        view! { <p class="field-problem">{e.to_string()}</p> }.into_any()
                    }
                }}
            </div>
            <div class="field-row">
                <div class="field">
                    <label for=field_id.clone()>"Only issues by date"</label>
                    <select
                        id=field_id
                        on:change=move |ev| {
                            let field = match event_target_value(&ev).as_str() {
                                "created" => Some(DateField::Created),
                                "updated" => Some(DateField::Updated),
                                "resolved" => Some(DateField::Resolved),
                                _ => None,
                            };
                            form.config
                                .update(|c| {
                                    c.date_range = field
                                        .map(|field| {
                                            let old = c.date_range.take();
                                            DateRange {
                                                field,
                                                from: old.as_ref().and_then(|o| o.from.clone()),
                                                to: old.and_then(|o| o.to),
                                            }
                                        })
                                });
                        }
                    >
                        {[
                            ("", "All dates"),
                            ("created", "Created"),
                            ("updated", "Updated"),
                            ("resolved", "Resolved"),
                        ]
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = form
                                    .config
                                    .with_untracked(|c| {
                                        let current = match c.date_range.as_ref().map(|r| r.field) {
                                            Some(DateField::Created) => "created",
                                            Some(DateField::Updated) => "updated",
                                            Some(DateField::Resolved) => "resolved",
                                            None => "",
                                        };
                                        current == value
                                    });
                                view! {
                                    <option value=value selected=selected>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || {
                    form.config.with(|c| c.date_range.is_some())
                }>
                    {form
                        .text(
                            "From",
                            Some("A date (2026-01-31), or -30 for 30 days before the run."),
                            Part {
                                path: "dateRange.from",
                                get: |c| format_date_bound(
                                    &c.date_range.as_ref().and_then(|r| r.from.clone()),
                                ),
                                parse: parse_date_bound,
                                set: |c, v| {
                                    if let Some(r) = c.date_range.as_mut() {
                                        r.from = v;
                                    }
                                },
                            },
                            1,
                        )}
                    {form
                        .text(
                            "To",
                            Some("Inclusive; empty means up to now."),
                            Part {
                                path: "dateRange.to",
                                get: |c| format_date_bound(
                                    &c.date_range.as_ref().and_then(|r| r.to.clone()),
                                ),
                                parse: parse_date_bound,
                                set: |c, v| {
                                    if let Some(r) = c.date_range.as_mut() {
                                        r.to = v;
                                    }
                                },
                            },
                            1,
                        )}
                </Show>
            </div>
        </fieldset>
    }
}

#[component]
fn Kind(form: Form) -> impl IntoView {
    let choice = Memo::new(move |_| form.config.with(|c| c.kind.tag()));
    let id = unique_id("kind");
    view! {
        <fieldset class="section">
            <legend>"Report"</legend>
            <div class="field">
                <label for=id.clone()>"Kind"</label>
                <select
                    id=id
                    on:change=move |ev| {
                        if let Some(k) = KindTag::from_slug(&event_target_value(&ev)) {
                            form.config.update(|c| c.kind = c.kind.switched_to(k));
                        }
                    }
                >
                    {KindTag::ALL
                        .into_iter()
                        .map(|k| {
                            view! {
                                <option value=k.slug() selected=move || choice.get() == k>
                                    {k.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <p class="field-hint">{move || choice.get().describe()}</p>
            </div>
            {move || kind_options(form, choice.get())}
        </fieldset>
    }
}

fn kind_options(form: Form, choice: KindTag) -> AnyView {
    match choice {
        KindTag::TimeInStatus => {
            let id = unique_id("visits");
            view! {
                <div class="field">
                    <label for=id
                        .clone()>"When an issue entered a status several times, count"</label>
                    <select
                        id=id
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((m, ..)) = MULTI_VISIT.iter().find(|(_, s, _)| *s == v) {
                                form.config
                                    .update(|c| {
                                        c.kind = ReportKind::TimeInStatus {
                                            multi_visit: *m,
                                        };
                                    });
                            }
                        }
                    >
                        {MULTI_VISIT
                            .iter()
                            .map(|(m, slug, label)| {
                                let m = *m;
                                let selected = form
                                    .config
                                    .with_untracked(|c| {
                                        matches!(
                                            c.kind,
                                            ReportKind::TimeInStatus { multi_visit }
                                            if multi_visit == m
                                        )
                                    });
                                view! {
                                    <option value=*slug selected=selected>
                                        {*label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
        KindTag::TimeBetween => view! {
            <div class="field-row">
                {form
                    .text(
                        "Start statuses",
                        Some("Names or ids, comma-separated."),
                        Part {
                            path: "kind.start",
                            get: |c| match &c.kind {
                                ReportKind::TimeBetween(t) => format_statuses(&t.start),
                                _ => String::new(),
                            },
                            parse: |s| Ok(parse_statuses(s)),
                            set: |c, v| {
                                if let ReportKind::TimeBetween(t) = &mut c.kind {
                                    t.start = v;
                                }
                            },
                        },
                        1,
                    )}
                {form
                    .text(
                        "Stop statuses",
                        None,
                        Part {
                            path: "kind.stop",
                            get: |c| match &c.kind {
                                ReportKind::TimeBetween(t) => format_statuses(&t.stop),
                                _ => String::new(),
                            },
                            parse: |s| Ok(parse_statuses(s)),
                            set: |c, v| {
                                if let ReportKind::TimeBetween(t) = &mut c.kind {
                                    t.stop = v;
                                }
                            },
                        },
                        1,
                    )}
                {form
                    .text(
                        "Paused in",
                        Some("Time in these statuses is not counted."),
                        Part {
                            path: "kind.pause",
                            get: |c| match &c.kind {
                                ReportKind::TimeBetween(t) => format_statuses(&t.pause),
                                _ => String::new(),
                            },
                            parse: |s| Ok(parse_statuses(s)),
                            set: |c, v| {
                                if let ReportKind::TimeBetween(t) = &mut c.kind {
                                    t.pause = v;
                                }
                            },
                        },
                        1,
                    )}
            </div>
        }
        .into_any(),
        KindTag::StatusPerDay => view! {
            <div class="field-row">
                {form
                    .text(
                        "First day",
                        Some("Empty: from the first change."),
                        Part {
                            path: "kind.from",
                            get: |c| match &c.kind {
                                ReportKind::StatusPerDay { from, .. } => {
                                    from.map(|d| d.to_string()).unwrap_or_default()
                                }
                                _ => String::new(),
                            },
                            parse: parse_optional_date,
                            set: |c, v| {
                                if let ReportKind::StatusPerDay { from, .. } = &mut c.kind {
                                    *from = v;
                                }
                            },
                        },
                        1,
                    )}
                {form
                    .text(
                        "Last day",
                        Some("Empty: today."),
                        Part {
                            path: "kind.to",
                            get: |c| match &c.kind {
                                ReportKind::StatusPerDay { to, .. } => {
                                    to.map(|d| d.to_string()).unwrap_or_default()
                                }
                                _ => String::new(),
                            },
                            parse: parse_optional_date,
                            set: |c, v| {
                                if let ReportKind::StatusPerDay { to, .. } = &mut c.kind {
                                    *to = v;
                                }
                            },
                        },
                        1,
                    )}
            </div>
        }
        .into_any(),
        KindTag::Throughput => {
            let id = unique_id("period");
            view! {
                <div class="field-row">
                    <div class="field">
                        <label for=id.clone()>"Per"</label>
                        <select
                            id=id
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if let Some((p, ..)) = PERIODS.iter().find(|(_, s, _)| *s == v) {
                                    form.config
                                        .update(|c| {
                                            if let ReportKind::Throughput { period, .. } = &mut c.kind {
                                                *period = *p;
                                            }
                                        });
                                }
                            }
                        >
                            {PERIODS
                                .iter()
                                .map(|(p, slug, label)| {
                                    let p = *p;
                                    let selected = form
                                        .config
                                        .with_untracked(|c| {
                                            matches!(
                                                c.kind,
                                                ReportKind::Throughput { period, .. }
                                                if period == p
                                            )
                                        });
                                    view! {
                                        <option value=*slug selected=selected>
                                            {*label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {form
                        .text(
                            "Work starts in",
                            Some("Empty: when the issue was created."),
                            Part {
                                path: "kind.start",
                                get: |c| match &c.kind {
                                    ReportKind::Throughput { start, .. } => format_statuses(start),
                                    _ => String::new(),
                                },
                                parse: |s| Ok(parse_statuses(s)),
                                set: |c, v| {
                                    if let ReportKind::Throughput { start, .. } = &mut c.kind {
                                        *start = v;
                                    }
                                },
                            },
                            1,
                        )}
                    {form
                        .text(
                            "Done in",
                            None,
                            Part {
                                path: "kind.done",
                                get: |c| match &c.kind {
                                    ReportKind::Throughput { done, .. } => format_statuses(done),
                                    _ => String::new(),
                                },
                                parse: |s| Ok(parse_statuses(s)),
                                set: |c, v| {
                                    if let ReportKind::Throughput { done, .. } = &mut c.kind {
                                        *done = v;
                                    }
                                },
                            },
                            1,
                        )}
                </div>
            }
            .into_any()
        }
        KindTag::Timesheet | KindTag::Capacity => worklog_options(form, choice),
        _ => view! { <span></span> }.into_any(),
    }
}

/// A timesheet's or capacity report's dates and zone, and a timesheet's rows and columns.
fn worklog_options(form: Form, choice: KindTag) -> AnyView {
    let rows_id = unique_id("timesheet-rows");
    let columns_id = unique_id("timesheet-columns");
    let timesheet = (choice == KindTag::Timesheet).then(|| view! {
        <div class="field-row">
            <div class="field">
                <label for=rows_id.clone()>"Rows"</label>
                <select
                    id=rows_id
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((r, ..)) = TIMESHEET_ROWS.iter().find(|(_, s, _)| *s == v) {
                            form.config
                                .update(|c| {
                                    if let ReportKind::Timesheet(t) = &mut c.kind {
                                        t.rows = *r;
                                    }
                                });
                        }
                    }
                >
                    {TIMESHEET_ROWS
                        .iter()
                        .map(|(r, slug, label)| {
                            let r = *r;
                            let selected = form
                                .config
                                .with_untracked(|c| {
                                    matches!(&c.kind, ReportKind::Timesheet(t) if t.rows == r)
                                });
                            view! {
                                <option value=*slug selected=selected>
                                    {*label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=columns_id.clone()>"Columns"</label>
                <select
                    id=columns_id
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((k, ..)) = TIMESHEET_COLUMNS.iter().find(|(_, s, _)| *s == v) {
                            form.config
                                .update(|c| {
                                    if let ReportKind::Timesheet(t) = &mut c.kind {
                                        t.columns = *k;
                                    }
                                });
                        }
                    }
                >
                    {TIMESHEET_COLUMNS
                        .iter()
                        .map(|(k, slug, label)| {
                            let k = *k;
                            let selected = form
                                .config
                                .with_untracked(|c| {
                                    matches!(&c.kind, ReportKind::Timesheet(t) if t.columns == k)
                                });
                            view! {
                                <option value=*slug selected=selected>
                                    {*label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </div>
    });
    view! {
        {timesheet}
        <div class="field-row">
            {form
                .text(
                    "Dates",
                    Some(
                        "this week, last week, this month, last month, this quarter, last 14 days, or 2026-10-19..2026-10-25.",
                    ),
                    Part {
                        path: "kind.dates",
                        get: |c| match &c.kind {
                            ReportKind::Timesheet(t) => format_worklog_dates(&t.dates),
                            ReportKind::Capacity(k) => format_worklog_dates(&k.dates),
                            _ => String::new(),
                        },
                        parse: parse_worklog_dates,
                        set: |c, v| match &mut c.kind {
                            ReportKind::Timesheet(t) => t.dates = v,
                            ReportKind::Capacity(k) => k.dates = v,
                            _ => {}
                        },
                    },
                    1,
                )}
            {form
                .text(
                    "Time zone",
                    Some("Days are cut at midnight here: UTC, Europe/Berlin."),
                    Part {
                        path: "kind.timeZone",
                        get: |c| match &c.kind {
                            ReportKind::Timesheet(t) => t.time_zone.clone(),
                            ReportKind::Capacity(k) => k.time_zone.clone(),
                            _ => String::new(),
                        },
                        parse: |s| Ok(s.trim().to_string()),
                        set: |c, v: String| match &mut c.kind {
                            ReportKind::Timesheet(t) => t.time_zone = v,
                            ReportKind::Capacity(k) => k.time_zone = v,
                            _ => {}
                        },
                    },
                    1,
                )}
        </div>
    }
    .into_any()
}

fn parse_optional_date(s: &str) -> Result<Option<jiff::civil::Date>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| format!("{t:?} is not a date like 2026-01-31"))
}

#[component]
fn Columns(form: Form, groups: SavedList<StatusGroupRecord>) -> impl IntoView {
    let count = Memo::new(move |_| form.config.with(|c| c.columns.metrics.len()));
    let add = move |spec: ColumnSpec| form.config.update(|c| c.columns.metrics.push(spec));
    view! {
        <fieldset class="section">
            <legend>"Columns"</legend>
            <p class="field-hint">
                "Without status columns, every status seen gets one, in workflow order."
            </p>
            {load_failure(groups, "The saved status groups could not load")}
            {move || {
                let n = count.get();
                view! {
                    <ol class="column-list">
                        {(0..n)
                            .map(|i| view! { <MetricColumn form index=i groups /> })
                            .collect_view()}
                    </ol>
                }
            }}
            <div class="actions">
                <button
                    type="button"
                    class="button button-subtle"
                    on:click=move |_| add(ColumnSpec::Status {
                        status: StatusRef::Name {
                            name: String::new(),
                        },
                    })
                >
                    "Add a status column"
                </button>
                <button
                    type="button"
                    class="button button-subtle"
                    on:click=move |_| add(ColumnSpec::InlineGroup {
                        name: String::new(),
                        statuses: Vec::new(),
                    })
                >
                    "Add a group of statuses"
                </button>
                <Show when=move || !loaded(groups).is_empty()>
                    <button
                        type="button"
                        class="button button-subtle"
                        on:click=move |_| {
                            if let Some(first) = groups
                                .get_untracked()
                                .and_then(Result::ok)
                                .and_then(|g| g.first().map(|g| g.id.clone()))
                            {
                                add(ColumnSpec::Group { group: first });
                            }
                        }
                    >
                        "Add a saved status group"
                    </button>
                </Show>
            </div>
            {form
                .text(
                    "Hidden statuses",
                    Some("Never shown as columns (their time still counts in groups)."),
                    Part {
                        path: "columns.hidden",
                        get: |c| format_statuses(&c.columns.hidden),
                        parse: |s| Ok(parse_statuses(s)),
                        set: |c, v| c.columns.hidden = v,
                    },
                    1,
                )}
            {form
                .text(
                    "Extra fields",
                    Some(
                        "Jira field ids shown beside the key: summary, assignee, customfield_10016.",
                    ),
                    Part {
                        path: "columns.fields",
                        get: |c| format_fields(&c.columns.fields),
                        parse: parse_fields,
                        set: |c, v| c.columns.fields = v,
                    },
                    1,
                )}
            {form
                .checkbox(
                    "Keep statuses that share a name apart",
                    |c| c.columns.split_same_name,
                    |c, v| c.columns.split_same_name = v,
                )}
        </fieldset>
    }
}

#[component]
fn MetricColumn(form: Form, index: usize, groups: SavedList<StatusGroupRecord>) -> impl IntoView {
    let spec = form
        .config
        .with_untracked(|c| c.columns.metrics.get(index).cloned());
    let Some(spec) = spec else {
        return view! { <li></li> }.into_any();
    };
    let path = format!("columns.metrics[{index}]");
    let problems = Signal::derive({
        let path = path.clone();
        move || form.problems.with(|p| p.under(&path))
    });
    let update = move |f: Box<dyn FnOnce(&mut ColumnSpec)>| {
        form.config.update(|c| {
            if let Some(s) = c.columns.metrics.get_mut(index) {
                f(s)
            }
        })
    };
    let remove = move |_| {
        form.config.update(|c| {
            if index < c.columns.metrics.len() {
                c.columns.metrics.remove(index);
            }
        })
    };
    let id = unique_id("column");
    let body = match spec {
        ColumnSpec::Status { status } => {
            let text = format_statuses(std::slice::from_ref(&status));
            view! {
                <label for=id.clone()>{format!("Column {}: status", index + 1)}</label>
                <input
                    id=id
                    type="text"
                    placeholder="In Progress, or a status id"
                    prop:value=text
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        let status = parse_statuses(&v)
                            .into_iter()
                            .next()
                            .unwrap_or(StatusRef::Name {
                                name: String::new(),
                            });
                        update(Box::new(move |s| *s = ColumnSpec::Status { status }));
                    }
                />
            }
            .into_any()
        }
        ColumnSpec::InlineGroup { name, statuses } => {
            let name_id = unique_id("group-name");
            view! {
                <label for=name_id.clone()>{format!("Column {}: group name", index + 1)}</label>
                <input
                    id=name_id
                    type="text"
                    placeholder="Cycle time"
                    prop:value=name
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        update(
                            Box::new(move |s| {
                                if let ColumnSpec::InlineGroup { name, .. } = s {
                                    *name = v;
                                }
                            }),
                        );
                    }
                />
                <label for=id.clone()>"Statuses in the group"</label>
                <input
                    id=id
                    type="text"
                    placeholder="In Progress, Review, QA"
                    prop:value=format_statuses(&statuses)
                    on:input=move |ev| {
                        let v = parse_statuses(&event_target_value(&ev));
                        update(
                            Box::new(move |s| {
                                if let ColumnSpec::InlineGroup { statuses, .. } = s {
                                    *statuses = v;
                                }
                            }),
                        );
                    }
                />
            }
            .into_any()
        }
        ColumnSpec::Group { group } => view! {
            <label for=id.clone()>{format!("Column {}: saved status group", index + 1)}</label>
            <select
                id=id
                on:change=move |ev| {
                    if let Ok(g) = config::StatusGroupId::parse(event_target_value(&ev)) {
                        update(Box::new(move |s| *s = ColumnSpec::Group { group: g }));
                    }
                }
            >
                {move || {
                    loaded(groups)
                        .into_iter()
                        .map(|g| {
                            let selected = g.id == group;
                            view! {
                                <option value=g.id.to_string() selected=selected>
                                    {g.group.name.clone()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        }
        .into_any(),
    };
    view! {
        <li class="column-item">
            <div class="field">
                {body}
                <crate::components::Problems messages=problems id=unique_id("column-problems") />
            </div>
            <button
                type="button"
                class="button button-subtle"
                on:click=remove
                aria-label=format!("Remove column {}", index + 1)
            >
                "Remove"
            </button>
        </li>
    }
    .into_any()
}

#[component]
fn Rows(form: Form) -> impl IntoView {
    let filters = Memo::new(move |_| form.config.with(|c| c.filters.len()));
    let sort_id = unique_id("sort");
    let dir_id = unique_id("direction");
    let sort_value = move || {
        form.config.with(|c| match c.sort.first().map(|k| &k.by) {
            None => "none".to_string(),
            Some(SortTarget::Key) => "key".into(),
            Some(SortTarget::Total) => "total".into(),
            Some(SortTarget::Column { index }) => format!("column:{index}"),
            Some(SortTarget::Field { field }) => format!("field:{field}"),
        })
    };
    view! {
        <fieldset class="section">
            <legend>"Rows"</legend>
            {form
                .text(
                    "Group by",
                    Some(
                        "Field ids, outermost first: project, assignee. Empty: one row per issue.",
                    ),
                    Part {
                        path: "rows.groupBy",
                        get: |c| format_fields(&c.rows.group_by),
                        parse: parse_fields,
                        set: |c, v| c.rows.group_by = v,
                    },
                    1,
                )}
            {form
                .checkbox(
                    "List the issues under each group",
                    |c| c.rows.show_issues,
                    |c, v| c.rows.show_issues = v,
                )}
            <div class="field-row">
                <div class="field">
                    <label for=sort_id.clone()>"Sort by"</label>
                    <select
                        id=sort_id
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let by = match v.as_str() {
                                "key" => Some(SortTarget::Key),
                                "total" => Some(SortTarget::Total),
                                _ => None,
                            };
                            form.config
                                .update(|c| match by {
                                    None => {
                                        c.sort.clear();
                                    }
                                    Some(by) => {
                                        let direction = c
                                            .sort
                                            .first()
                                            .map(|k| k.direction)
                                            .unwrap_or_default();
                                        if c.sort.is_empty() {
                                            c.sort.push(SortKey { by, direction })
                                        } else {
                                            c.sort[0] = SortKey { by, direction }
                                        }
                                    }
                                });
                        }
                    >
                        <option value="none" selected=move || sort_value() == "none">
                            "Jira's order"
                        </option>
                        <option value="key" selected=move || sort_value() == "key">
                            "Issue key"
                        </option>
                        <option value="total" selected=move || sort_value() == "total">
                            "Total"
                        </option>
                        {move || {
                            let v = sort_value();
                            (v.starts_with("column:") || v.starts_with("field:"))
                                .then(|| {
                                    view! {
                                        <option value=v.clone() selected=true>
                                            {v.clone()}
                                        </option>
                                    }
                                })
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for=dir_id.clone()>"Direction"</label>
                    <select
                        id=dir_id
                        disabled=move || form.config.with(|c| c.sort.is_empty())
                        on:change=move |ev| {
                            let direction = if event_target_value(&ev) == "desc" {
                                SortDirection::Desc
                            } else {
                                SortDirection::Asc
                            };
                            form.config
                                .update(|c| {
                                    if let Some(k) = c.sort.first_mut() {
                                        k.direction = direction;
                                    }
                                });
                        }
                    >
                        <option
                            value="asc"
                            selected=move || {
                                form.config
                                    .with(|c| {
                                        c.sort
                                            .first()
                                            .is_none_or(|k| k.direction == SortDirection::Asc)
                                    })
                            }
                        >
                            "Ascending"
                        </option>
                        <option
                            value="desc"
                            selected=move || {
                                form.config
                                    .with(|c| {
                                        c.sort
                                            .first()
                                            .is_some_and(|k| k.direction == SortDirection::Desc)
                                    })
                            }
                        >
                            "Descending"
                        </option>
                    </select>
                </div>
            </div>
            <h3 class="subheading">"Filters"</h3>
            <p class="field-hint">"Applied after Jira's search; every filter must hold."</p>
            {move || {
                let n = filters.get();
                view! {
                    <ol class="filter-list">
                        {(0..n).map(|i| view! { <FilterRow form index=i /> }).collect_view()}
                    </ol>
                }
            }}
            <button
                type="button"
                class="button button-subtle"
                on:click=move |_| {
                    if let Ok(field) = config::FieldId::parse("issuetype") {
                        form.config
                            .update(|c| {
                                c.filters
                                    .push(Filter {
                                        field,
                                        op: FilterOp::Eq,
                                        value: FilterValue::Text(String::new()),
                                    })
                            });
                    }
                }
            >
                "Add a filter"
            </button>
        </fieldset>
    }
}

#[component]
fn FilterRow(form: Form, index: usize) -> impl IntoView {
    let Some(filter) = form
        .config
        .with_untracked(|c| c.filters.get(index).cloned())
    else {
        return view! { <li></li> }.into_any();
    };
    let path = format!("filters[{index}]");
    let problems = Signal::derive(move || form.problems.with(|p| p.under(&path)));
    let field_error = RwSignal::new(None::<String>);
    let (field_id, op_id, value_id) = (
        unique_id("filter-field"),
        unique_id("filter-op"),
        unique_id("filter-value"),
    );
    let value_text = RwSignal::new(format_filter_value(&filter.value));
    let edit = move |f: Box<dyn FnOnce(&mut Filter)>| {
        form.config.update(|c| {
            if let Some(x) = c.filters.get_mut(index) {
                f(x)
            }
        })
    };
    view! {
        <li class="filter-item">
            <div class="field">
                <label for=field_id.clone()>"Field"</label>
                <input
                    id=field_id
                    type="text"
                    prop:value=filter.field.to_string()
                    on:input=move |ev| {
                        match config::FieldId::parse(event_target_value(&ev)) {
                            Ok(f) => {
                                field_error.set(None);
                                edit(Box::new(move |x| x.field = f));
                            }
                            Err(e) => field_error.set(Some(e.to_string())),
                        }
                    }
                />
            </div>
            <div class="field">
                <label for=op_id.clone()>"Condition"</label>
                <select
                    id=op_id
                    on:change=move |ev| {
                        if let Some(op) = filter_op_from_slug(&event_target_value(&ev)) {
                            let value = parse_filter_value(op, &value_text.get_untracked());
                            edit(
                                Box::new(move |x| {
                                    x.op = op;
                                    x.value = value;
                                }),
                            );
                        }
                    }
                >
                    {FILTER_OPS
                        .iter()
                        .map(|(op, slug, label)| {
                            let selected = *slug == filter_op_slug(filter.op);
                            let _ = op;
                            view! {
                                <option value=*slug selected=selected>
                                    {*label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=value_id.clone()>"Value"</label>
                <input
                    id=value_id
                    type="text"
                    prop:value=move || value_text.get()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        value_text.set(text.clone());
                        edit(Box::new(move |x| x.value = parse_filter_value(x.op, &text)));
                    }
                />
            </div>
            <button
                type="button"
                class="button button-subtle"
                aria-label=format!("Remove filter {}", index + 1)
                on:click=move |_| {
                    form.config
                        .update(|c| {
                            if index < c.filters.len() {
                                c.filters.remove(index);
                            }
                        })
                }
            >
                "Remove"
            </button>
            <ul class="field-problems" aria-live="polite">
                {move || {
                    field_error
                        .get()
                        .into_iter()
                        .chain(problems.get())
                        .map(|m| view! { <li>{m}</li> })
                        .collect_view()
                }}
            </ul>
        </li>
    }
    .into_any()
}

#[component]
fn Numbers(form: Form, calendars: SavedList<CalendarRecord>) -> impl IntoView {
    let calendar_id = unique_id("calendar");
    let format_id = unique_id("format");
    let calendar_value = move || {
        form.config.with(|c| match &c.calendar {
            CalendarRef::AllTime => "allTime".to_string(),
            CalendarRef::Saved { id } => format!("saved:{id}"),
            CalendarRef::Inline { .. } => "inline".to_string(),
        })
    };
    view! {
        <fieldset class="section">
            <legend>"Numbers"</legend>
            {load_failure(calendars, "The saved calendars could not load")}
            <div class="field-row">
                <div class="field">
                    <label for=calendar_id.clone()>"Measure time on"</label>
                    <select
                        id=calendar_id
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if v == "allTime" {
                                form.config.update(|c| c.calendar = CalendarRef::AllTime);
                            } else if let Some(id) = v
                                .strip_prefix("saved:")
                                .and_then(|s| config::CalendarId::parse(s).ok())
                            {
                                form.config.update(|c| c.calendar = CalendarRef::Saved { id });
                            }
                        }
                    >
                        <option value="allTime" selected=move || calendar_value() == "allTime">
                            "Wall-clock time (24/7)"
                        </option>
                        {move || {
                            loaded(calendars)
                                .into_iter()
                                .map(|cal| {
                                    let value = format!("saved:{}", cal.id);
                                    let selected = calendar_value() == value;
                                    view! {
                                        <option value=value selected=selected>
                                            {cal.calendar.name.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                        <Show when=move || calendar_value() == "inline">
                            <option value="inline" selected=true>
                                "The calendar in this report's JSON"
                            </option>
                        </Show>
                    </select>
                </div>
                <div class="field">
                    <label for=format_id.clone()>"Show durations as"</label>
                    <select
                        id=format_id
                        on:change=move |ev| {
                            if let Some(f) = FormatChoice::from_slug(&event_target_value(&ev)) {
                                form.config
                                    .update(|c| {
                                        c.duration_format = f.to_format(&c.duration_format);
                                    });
                            }
                        }
                    >
                        {FormatChoice::ALL
                            .into_iter()
                            .map(|f| {
                                view! {
                                    <option
                                        value=f.slug()
                                        selected=move || {
                                            form.config
                                                .with(|c| FormatChoice::of(&c.duration_format) == f)
                                        }
                                    >
                                        {f.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <fieldset class="field">
                <legend>"Statistics under the table"</legend>
                <div class="checks">
                    {AGGREGATES
                        .iter()
                        .map(|(f, label)| {
                            let f = *f;
                            let id = unique_id("agg");
                            view! {
                                <span class="check">
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || {
                                            form.config.with(|c| c.aggregation.functions.contains(&f))
                                        }
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            form.config
                                                .update(|c| {
                                                    c.aggregation.functions = toggle_aggregate(
                                                        &c.aggregation.functions,
                                                        f,
                                                        on,
                                                    );
                                                });
                                        }
                                    />
                                    <label for=id>{*label}</label>
                                </span>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            {form
                .text(
                    "Percentiles",
                    Some("Comma-separated, e.g. 85, 95."),
                    Part {
                        path: "aggregation.functions",
                        get: |c| format_percentiles(&c.aggregation.functions),
                        parse: parse_percentiles,
                        set: |c, v| {
                            c.aggregation.functions = with_percentiles(
                                &c.aggregation.functions,
                                &v,
                            );
                        },
                    },
                    1,
                )}
            {form
                .checkbox(
                    "Count issues that never entered a status as zero",
                    |c| c.aggregation.count_missing_as_zero,
                    |c, v| c.aggregation.count_missing_as_zero = v,
                )}
            {form
                .checkbox(
                    "Leave out the time in each issue's current status",
                    |c| c.options.exclude_current_status,
                    |c, v| c.options.exclude_current_status = v,
                )}
        </fieldset>
    }
}

/// Who may see and change a saved report.
#[component]
fn Sharing(saved: RwSignal<Option<SavedMeta>>, meta: SavedMeta) -> impl IntoView {
    let grants = Ctx::get().grants();
    let viewers = RwSignal::new(format_principals(&meta.access.viewers));
    let editors = RwSignal::new(format_principals(&meta.access.editors));
    let problems = RwSignal::new(Vec::<String>::new());
    let apply = move || {
        let v = parse_principals(&viewers.get_untracked(), grants);
        let e = parse_principals(&editors.get_untracked(), grants);
        match (v, e) {
            (Ok(v), Ok(e)) => {
                problems.set(Vec::new());
                saved.update(|s| {
                    if let Some(s) = s {
                        s.access = ReportAccess {
                            viewers: v,
                            editors: e,
                        }
                    }
                });
            }
            (v, e) => problems.set(v.err().into_iter().chain(e.err()).flatten().collect()),
        }
    };
    let box_for = move |label: &'static str, value: RwSignal<String>| {
        view! {
            <Field
                label=label
                hint=format!("{} Empty: everyone with access to Dwell.", grants.hint())
                control=move |id, described| {
                    view! {
                        <textarea
                            id=id
                            rows="3"
                            aria-describedby=described
                            prop:value=move || value.get()
                            on:input=move |ev| {
                                value.set(event_target_value(&ev));
                                apply();
                            }
                        ></textarea>
                    }
                }
            />
        }
    };
    view! {
        <fieldset class="section">
            <legend>"Sharing"</legend>
            {box_for("Who may see this report", viewers)}
            {box_for("Who may change it", editors)}
            <ul class="field-problems">
                {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
        </fieldset>
    }
}

/// The whole configuration as JSON, for what the form does not cover (inline calendars).
#[component]
fn Advanced(form: Form, revision: RwSignal<u32>) -> impl IntoView {
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
                        form.config.set(c);
                        form.local.set(BTreeMap::new());
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
            <Field
                label="Configuration"
                problems=Signal::from(problems)
                control=move |id, described| {
                    view! {
                        <textarea
                            id=id
                            class="code"
                            rows="16"
                            aria-describedby=described
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        ></textarea>
                    }
                }
            />
            <button type="button" class="button" on:click=move |_| apply()>
                "Check and apply"
            </button>
        </details>
    }
}

/// Problems no control shows (rules about the whole document).
#[component]
fn OtherProblems(form: Form) -> impl IntoView {
    const CLAIMED: &[&str] = &[
        "name",
        "description",
        "jql",
        "dateRange",
        "kind",
        "columns",
        "rows",
        "sort",
        "filters",
        "aggregation",
        "calendar",
        "durationFormat",
        "options",
    ];
    let others = move || {
        let mut list = form.problems.with(|p| p.unclaimed(CLAIMED));
        list.extend(form.problems.with(|p| {
            ["sort", "durationFormat", "calendar", "options"]
                .iter()
                .flat_map(|k| p.under(k))
                .collect::<Vec<_>>()
        }));
        list
    };
    view! {
        <Show when=move || !others().is_empty()>
            <div class="panel panel-warning" role="status">
                <p class="panel-title">"The configuration still has problems"</p>
                <ul class="problem-list">
                    {move || others().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
