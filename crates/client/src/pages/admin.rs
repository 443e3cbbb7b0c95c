//! Administration: work calendars, status groups, permissions, and the tenant's data (export,
//! import with a dry-run preview, permanent deletion). Each page checks the user's rights
//! before offering changes; the server checks them again on every request.

use config::api::{CalendarRecord, ImportSummary, Permissions, StatusGroupRecord};
use config::{StatusGroup, WorkCalendar};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ClientError;
use crate::api::jira::statuses;
use crate::api::server::{Saved, Shared};
use crate::components::{
    ErrorPanel, Field, ProblemList, TextArea, TextInput, json_file_button, row_button, table_head,
    unique_id,
};
use crate::context::Ctx;
use crate::route::{AdminPage as Which, Route};
use crate::view::calendar::{format_holidays, format_ranges, parse_holidays, parse_ranges};
use crate::view::editor::{format_statuses, parse_statuses};
use crate::view::errors::problem_line;
use crate::view::principals::{
    Grants, LeftOut, format_principals, parse_principals, without_group_grants,
};
use crate::worker_protocol::DocumentKind;

#[component]
pub fn AdminPage(which: Which) -> impl IntoView {
    let ctx = Ctx::get();
    let body = move || {
        if !ctx.in_jira() {
            return view! { <ErrorPanel error=ClientError::NoServer title="Administration needs the Dwell server" /> }.into_any();
        }
        let Some(rights) = ctx.rights.get() else {
            return view! { <p class="loading">"Checking your rights…"</p> }.into_any();
        };
        // Export, import and deletion are the site's Dwell admins' alone (the server refuses
        // everyone else): they read and replace reports restricted to named viewers.
        let allowed = match which {
            Which::Calendars | Which::StatusGroups => rights.manage_calendars,
            Which::Permissions => rights.manage_permissions,
            Which::Data => rights.is_admin,
        };
        if !allowed {
            let message = match which {
                Which::Calendars | Which::StatusGroups => {
                    "this page needs the right to manage calendars and status groups"
                }
                Which::Permissions => "this page needs the right to manage permissions",
                Which::Data => "this page is for the site's Dwell admins",
            };
            return view! {
                <ErrorPanel error=ClientError::Forbidden {
                    message: message.to_string(),
                } />
            }
            .into_any();
        }
        match which {
            Which::Calendars => untrack(record_list::<CalendarRecord>).into_any(),
            Which::StatusGroups => untrack(record_list::<StatusGroupRecord>).into_any(),
            Which::Permissions => view! { <PermissionsPage /> }.into_any(),
            Which::Data => view! { <Data /> }.into_any(),
        }
    };
    view! {
        <section class="page">
            <h1>"Administration"</h1>
            <nav class="tabs" aria-label="Administration">
                {Which::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <a
                                href=Route::Admin(p).to_hash()
                                aria-current=move || (p == which).then_some("page")
                            >
                                {p.title()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            {body}
        </section>
    }
}

fn problems_text(list: Vec<config::ValidationError>) -> Vec<String> {
    list.iter().map(problem_line).collect()
}

/// The worker's check of a calendar or status group before it is saved (the server's own
/// rules): `true` when it passes, else its problems are shown.
async fn passes_check<T: serde::Serialize>(
    ctx: Ctx,
    kind: DocumentKind,
    document: &T,
    problems: RwSignal<Vec<String>>,
) -> bool {
    let json = crate::view::compact_json(document);
    match ctx.worker().validate(kind, json).await {
        Err(e) => problems.set(vec![e]),
        Ok(list) if !list.is_empty() => problems.set(problems_text(list)),
        Ok(_) => {
            problems.set(Vec::new());
            return true;
        }
    }
    false
}

/// The end of an administration form: its problems, why it was not saved, and the Save button
/// (and Cancel, with `on_done`).
fn form_end(
    problems: RwSignal<Vec<String>>,
    failure: RwSignal<Option<ClientError>>,
    save: &'static str,
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <ProblemList messages=problems />
        {move || failure.get().map(|e| view! { <ErrorPanel error=e title="Not saved" /> })}
        <div class="actions">
            <button type="submit" class="button button-primary">
                {save}
            </button>
            {on_done
                .map(|done| {
                    view! {
                        <button
                            type="button"
                            class="button button-subtle"
                            on:click=move |_| done.run(())
                        >
                            "Cancel"
                        </button>
                    }
                })}
        </div>
    }
}

// ---------------------------------------------------------------- calendars

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// What a list page's editor edits: a new record, or a saved one at its version.
#[derive(Debug, Clone, PartialEq)]
enum Editing<R> {
    None,
    New,
    Saved(R),
}

/// A kind of record an administration list page lists, edits and deletes. Work calendars and
/// status groups share one page, [`record_list`]; each kind says only what differs.
trait Listed: Shared + Clone + Send + Sync + 'static {
    /// The page's heading and the table's caption.
    const TITLE: &'static str;
    /// The record's noun: "New {noun}" and "Delete the {noun} …?".
    const NOUN: &'static str;
    const HELP: &'static str;
    /// The headings of the columns after "Name", one per [`Listed::cells`].
    const COLUMNS: &'static [&'static str];
    /// What the worker checks the document as before it is saved.
    const KIND: DocumentKind;
    fn name(&self) -> String;
    fn cells(&self) -> Vec<String>;
    fn editor(record: Option<Self>, on_done: Callback<()>) -> AnyView;
}

/// Saves a calendar or status group from its editor: checked by the worker first, then
/// created, or saved over `saved` (its id and version). `None` when it was not sent or the
/// server failed; its problems or the failure are shown.
async fn save_record<R: Listed>(
    ctx: Ctx,
    document: &R::Document,
    saved: Option<(R::Id, u64)>,
    problems: RwSignal<Vec<String>>,
    failure: RwSignal<Option<ClientError>>,
) -> Option<Saved<R>> {
    if !passes_check(ctx, R::KIND, document, problems).await {
        return None;
    }
    let result = match ctx.server() {
        Err(e) => Err(e),
        Ok(server) => match saved {
            None => server.create_shared::<R>(document).await.map(Saved::Saved),
            Some((id, v)) => server.update_shared::<R>(&id, v, document).await,
        },
    };
    result.map_err(|e| failure.set(Some(e))).ok()
}

/// The list page of one kind of record: the table, "New", "Edit" and "Delete" (after a
/// confirmation), the editor above the table and any failure shown, never swallowed.
fn record_list<R: Listed>() -> impl IntoView {
    let ctx = Ctx::get();
    let list = LocalResource::new(move || async move { ctx.server()?.list_shared::<R>().await });
    let editing = RwSignal::new(Editing::<R>::None);
    let failure = RwSignal::new(None::<ClientError>);
    let delete = move |r: R| {
        let question = format!("Delete the {} \u{201c}{}\u{201d}?", R::NOUN, r.name());
        if !crate::platform::confirm(&question) {
            return;
        }
        spawn_local(async move {
            let (id, version) = r.key();
            match ctx.server() {
                Ok(s) => match s.delete_shared::<R>(id, version).await {
                    Ok(()) => list.refetch(),
                    Err(e) => failure.set(Some(e)),
                },
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let done = Callback::new(move |_| {
        editing.set(Editing::None);
        list.refetch();
    });
    view! {
        <div class="page-header">
            <h2>{R::TITLE}</h2>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| editing.set(Editing::New)
            >
                {format!("New {}", R::NOUN)}
            </button>
        </div>
        <p class="muted">{R::HELP}</p>
        {move || failure.get().map(|e| view! { <ErrorPanel error=e /> })}
        {move || match editing.get() {
            Editing::None => view! { <span></span> }.into_any(),
            Editing::New => R::editor(None, done),
            Editing::Saved(r) => R::editor(Some(r), done),
        }}
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    Ok(items) => {
                        view! {
                            <table class="list-table">
                                {table_head(
                                    R::TITLE,
                                    std::iter::once("Name").chain(R::COLUMNS.iter().copied()),
                                    true,
                                )}
                                <tbody>
                                    {items
                                        .into_iter()
                                        .map(|r| {
                                            let (for_edit, for_delete) = (r.clone(), r.clone());
                                            view! {
                                                <tr>
                                                    <td>{r.name()}</td>
                                                    {r
                                                        .cells()
                                                        .into_iter()
                                                        .map(|c| view! { <td>{c}</td> })
                                                        .collect_view()}
                                                    <td class="row-actions">
                                                        {row_button(
                                                            "Edit",
                                                            false,
                                                            move || { editing.set(Editing::Saved(for_edit.clone())) },
                                                        )}
                                                        {row_button(
                                                            "Delete",
                                                            true,
                                                            move || delete(for_delete.clone()),
                                                        )}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

impl Listed for CalendarRecord {
    const TITLE: &'static str = "Work calendars";
    const NOUN: &'static str = "calendar";
    const HELP: &'static str = "Business-time durations skip nights, weekends, breaks and holidays, in the calendar's time zone.";
    const COLUMNS: &'static [&'static str] = &["Time zone", "Working day"];
    const KIND: DocumentKind = DocumentKind::Calendar;
    fn name(&self) -> String {
        self.calendar.name.clone()
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.calendar.time_zone.clone(),
            format!("{} h", self.calendar.hours_per_day()),
        ]
    }
    fn editor(record: Option<Self>, on_done: Callback<()>) -> AnyView {
        view! { <CalendarEditor record=record on_done=on_done /> }.into_any()
    }
}

#[component]
fn CalendarEditor(record: Option<CalendarRecord>, on_done: Callback<()>) -> impl IntoView {
    let ctx = Ctx::get();
    let initial = record
        .as_ref()
        .map(|r| r.calendar.clone())
        .unwrap_or_else(|| WorkCalendar::office_hours("Office hours", ctx.time_zone()));
    let version = RwSignal::new(record.as_ref().map(|r| (r.id.clone(), r.version)));
    let name = RwSignal::new(initial.name.clone());
    let zone = RwSignal::new(initial.time_zone.clone());
    let days: Vec<(&'static str, &'static str, RwSignal<String>)> = DAYS
        .iter()
        .map(|(key, label)| {
            let weekday = match *key {
                "mon" => jiff::civil::Weekday::Monday,
                "tue" => jiff::civil::Weekday::Tuesday,
                "wed" => jiff::civil::Weekday::Wednesday,
                "thu" => jiff::civil::Weekday::Thursday,
                "fri" => jiff::civil::Weekday::Friday,
                "sat" => jiff::civil::Weekday::Saturday,
                _ => jiff::civil::Weekday::Sunday,
            };
            (
                *key,
                *label,
                RwSignal::new(format_ranges(initial.day(weekday))),
            )
        })
        .collect();
    let holidays = RwSignal::new(format_holidays(&initial.holidays));
    let problems = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ClientError>);
    let conflict = RwSignal::new(None::<CalendarRecord>);
    let zones = crate::platform::time_zones();
    let zone_list_id = unique_id("zones");
    let zone_list_for_input = zone_list_id.clone();
    let day_signals = StoredValue::new(days.clone());
    let build = move || -> Result<WorkCalendar, Vec<String>> {
        let mut cal = WorkCalendar::office_hours(name.get_untracked(), zone.get_untracked());
        let mut errors = Vec::new();
        for (key, label, text) in day_signals.get_value() {
            match parse_ranges(&text.get_untracked()) {
                Ok(r) => match key {
                    "mon" => cal.week.mon = r,
                    "tue" => cal.week.tue = r,
                    "wed" => cal.week.wed = r,
                    "thu" => cal.week.thu = r,
                    "fri" => cal.week.fri = r,
                    "sat" => cal.week.sat = r,
                    _ => cal.week.sun = r,
                },
                Err(e) => errors.push(format!("{label}: {e}")),
            }
        }
        match parse_holidays(&holidays.get_untracked()) {
            Ok(h) => cal.holidays = h,
            Err(e) => errors.push(format!("Holidays: {e}")),
        }
        if errors.is_empty() {
            Ok(cal)
        } else {
            Err(errors)
        }
    };
    let save = move |force_version: Option<u64>| {
        let cal = match build() {
            Ok(c) => c,
            Err(e) => {
                problems.set(e);
                return;
            }
        };
        let saved = version
            .get_untracked()
            .map(|(id, v)| (id, force_version.unwrap_or(v)));
        spawn_local(async move {
            match save_record::<CalendarRecord>(ctx, &cal, saved, problems, failure).await {
                Some(Saved::Saved(_)) => {
                    ctx.notice.set(Some(format!(
                        "Saved the calendar \u{201c}{}\u{201d}.",
                        cal.name
                    )));
                    on_done.run(());
                }
                Some(Saved::Conflict(current)) => conflict.set(Some(current)),
                None => {}
            }
        });
    };
    view! {
        <form
            class="panel editor"
            on:submit=move |ev| {
                ev.prevent_default();
                save(None);
            }
        >
            <h3>{if record.is_some() { "Edit calendar" } else { "New calendar" }}</h3>
            {move || {
                conflict
                    .get()
                    .map(|current| {
                        let v = current.version;
                        view! {
                            <crate::components::ConflictPanel
                                mine=serde_json::to_value(build().ok()).unwrap_or_default()
                                theirs=serde_json::to_value(&current.calendar).unwrap_or_default()
                                saved_by=format!(
                                    "Version {v} was saved at {}.",
                                    crate::platform::local_time(&current.updated_at.to_string()),
                                )
                                on_keep_mine=Callback::new(move |_| save(Some(v)))
                                on_take_theirs=Callback::new(move |_| on_done.run(()))
                            />
                        }
                    })
            }}
            <TextInput label="Name" value=name />
            <Field
                label="Time zone"
                hint="An IANA name such as Europe/Berlin."
                control=move |id, described| {
                    view! {
                        <input
                            id=id
                            type="text"
                            list=zone_list_for_input.clone()
                            aria-describedby=described
                            prop:value=move || zone.get()
                            on:input=move |ev| zone.set(event_target_value(&ev))
                        />
                    }
                }
            />
            <datalist id=zone_list_id
                .clone()>
                {zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
            </datalist>
            <fieldset class="field">
                <legend>"Working hours"</legend>
                <p class="field-hint">"Ranges like 09:00-12:00, 13:00-17:00. Empty: a day off."</p>
                <div class="days">
                    {days
                        .into_iter()
                        .map(|(_, label, text)| {
                            view! { <TextInput label=label value=text /> }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <TextArea
                label="Holidays"
                hint="One a line: 2026-12-25 annual Christmas Day. \u{201c}annual\u{201d} repeats it every year."
                rows=5
                value=holidays
            />
            {form_end(problems, failure, "Save calendar", Some(on_done))}
        </form>
    }
}

// ---------------------------------------------------------------- status groups

impl Listed for StatusGroupRecord {
    const TITLE: &'static str = "Status groups";
    const NOUN: &'static str = "status group";
    const HELP: &'static str = "A status group sums the time of several statuses into one column, such as \u{201c}Cycle time\u{201d} = In Progress + Review + QA.";
    const COLUMNS: &'static [&'static str] = &["Statuses"];
    const KIND: DocumentKind = DocumentKind::StatusGroup;
    fn name(&self) -> String {
        self.group.name.clone()
    }
    fn cells(&self) -> Vec<String> {
        vec![format_statuses(&self.group.statuses)]
    }
    fn editor(record: Option<Self>, on_done: Callback<()>) -> AnyView {
        view! { <GroupEditor record=record on_done=on_done /> }.into_any()
    }
}

#[component]
fn GroupEditor(record: Option<StatusGroupRecord>, on_done: Callback<()>) -> impl IntoView {
    let ctx = Ctx::get();
    let version = record.as_ref().map(|r| (r.id.clone(), r.version));
    let name = RwSignal::new(
        record
            .as_ref()
            .map(|r| r.group.name.clone())
            .unwrap_or_default(),
    );
    let list = RwSignal::new(
        record
            .as_ref()
            .map(|r| format_statuses(&r.group.statuses))
            .unwrap_or_default(),
    );
    let problems = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ClientError>);
    let jira_statuses = LocalResource::new(move || async move {
        match ctx.jira.get() {
            Some(site) => statuses(&site.transport, site.flavour)
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        }
    });
    let save = move |_| {
        let group = StatusGroup {
            name: name.get_untracked(),
            statuses: parse_statuses(&list.get_untracked()),
        };
        let version = version.clone();
        spawn_local(async move {
            match save_record::<StatusGroupRecord>(ctx, &group, version, problems, failure).await {
                Some(Saved::Saved(_)) => on_done.run(()),
                Some(Saved::Conflict(current)) => failure.set(Some(ClientError::Stale {
                    message: format!(
                        "version {} is saved now; reopen the group to see it",
                        current.version
                    ),
                })),
                None => {}
            }
        });
    };
    let add = move |status: String| {
        list.update(|l| {
            if !l.split(',').any(|s| s.trim() == status) {
                if !l.trim().is_empty() {
                    l.push_str(", ");
                }
                l.push_str(&status);
            }
        })
    };
    view! {
        <form
            class="panel editor"
            on:submit=move |ev| {
                ev.prevent_default();
                save(());
            }
        >
            <h3>{if record.is_some() { "Edit status group" } else { "New status group" }}</h3>
            <TextInput label="Name" value=name />
            <TextInput
                label="Statuses"
                hint="Names (portable between sites) or ids, comma-separated."
                value=list
            />
            {move || {
                let known = jira_statuses.get().unwrap_or_default();
                (!known.is_empty())
                    .then(|| {
                        view! {
                            <div class="chips" role="group" aria-label="Add a status from Jira">
                                {known
                                    .into_iter()
                                    .map(|s| {
                                        let n = s.name.clone();
                                        view! {
                                            <button
                                                type="button"
                                                class="chip"
                                                on:click=move |_| add(n.clone())
                                            >
                                                {format!("+ {}", s.name)}
                                            </button>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })
            }}
            {form_end(problems, failure, "Save status group", Some(on_done))}
        </form>
    }
}

// ---------------------------------------------------------------- permissions

#[component]
fn PermissionsPage() -> impl IntoView {
    let ctx = Ctx::get();
    let current = LocalResource::new(move || async move { ctx.server()?.permissions().await });
    view! {
        <h2>"Permissions"</h2>
        <p class="muted grants-explained">{ctx.grants().explanation()}</p>
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match current.await {
                    Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    Ok(v) => {
                        view! { <PermissionsForm permissions=v.value version=v.version /> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn PermissionsForm(permissions: Permissions, version: u64) -> impl IntoView {
    let ctx = Ctx::get();
    let grants = ctx.grants();
    let version = RwSignal::new(version);
    let edit = RwSignal::new(format_principals(&permissions.edit_reports));
    let calendars = RwSignal::new(format_principals(&permissions.manage_calendars));
    let manage = RwSignal::new(format_principals(&permissions.manage_permissions));
    let problems = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ClientError>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = (
            parse_principals(&edit.get_untracked(), grants),
            parse_principals(&calendars.get_untracked(), grants),
            parse_principals(&manage.get_untracked(), grants),
        );
        let (Ok(edit_reports), Ok(manage_calendars), Ok(manage_permissions)) = parsed.clone()
        else {
            let (a, b, c) = parsed;
            problems.set(
                [a.err(), b.err(), c.err()]
                    .into_iter()
                    .flatten()
                    .flatten()
                    .collect(),
            );
            return;
        };
        problems.set(Vec::new());
        let p = Permissions {
            edit_reports,
            manage_calendars,
            manage_permissions,
        };
        spawn_local(async move {
            let result = match ctx.server() {
                Ok(s) => s.put_permissions(&p, version.get_untracked()).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(saved) => {
                    version.set(saved.version);
                    failure.set(None);
                    ctx.notice.set(Some("Saved the permissions.".into()));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let area = move |label: &'static str, hint: String, value: RwSignal<String>| {
        view! { <TextArea label=label hint=hint rows=4 value=value /> }
    };
    view! {
        <form class="editor" on:submit=save>
            {area("May create and edit reports", grants.hint().to_string(), edit)}
            {area("May manage calendars and status groups", "Same form.".to_string(), calendars)}
            {area(
                "May manage permissions and the site's data",
                "Same form. Careful: this includes deleting everything.".to_string(),
                manage,
            )}
            {form_end(problems, failure, "Save permissions", None)}
        </form>
    }
}

// ---------------------------------------------------------------- data

#[component]
fn Data() -> impl IntoView {
    let ctx = Ctx::get();
    let failure = RwSignal::new(None::<ClientError>);
    let document = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let preview = RwSignal::new(None::<ImportSummary>);
    let applied = RwSignal::new(None::<ImportSummary>);
    // On Forge, the group grants of a Connect site's export that the import leaves out.
    let left_out = RwSignal::new(Vec::<LeftOut>::new());
    let confirm_text = RwSignal::new(String::new());
    let export = move |_| {
        spawn_local(async move {
            match ctx.server() {
                Ok(s) => match s.export().await {
                    Ok(json) => {
                        let today: String = String::from(js_sys::Date::new_0().to_iso_string())
                            .chars()
                            .take(10)
                            .collect();
                        let name = format!("dwell-export-{today}.json");
                        if let Err(e) = crate::platform::download(&name, "application/json", &json)
                        {
                            failure.set(Some(ClientError::Malformed {
                                what: "building the file",
                                detail: e,
                            }));
                        }
                    }
                    Err(e) => failure.set(Some(e)),
                },
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let import = move |dry_run: bool| {
        let json = document.get_untracked();
        spawn_local(async move {
            match ctx
                .worker()
                .validate(DocumentKind::Export, json.clone())
                .await
            {
                Err(e) => return problems.set(vec![e]),
                Ok(l) if !l.is_empty() => return problems.set(problems_text(l)),
                Ok(_) => problems.set(Vec::new()),
            }
            let result = match ctx.server() {
                Ok(s) => s.import(&json, dry_run).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(summary) if dry_run => preview.set(Some(summary)),
                Ok(summary) => {
                    preview.set(None);
                    applied.set(Some(summary));
                    ctx.notice.set(Some("Imported the configuration.".into()));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let on_read = move |read: Result<String, String>| match read {
        Ok(text) => {
            let importer = ctx.rights.get_untracked().map(|r| r.account_id);
            let moved = match (ctx.grants(), importer) {
                (Grants::AccountsOnly, Some(me)) => without_group_grants(&text, &me),
                _ => None,
            };
            match moved {
                Some((text, out)) => {
                    document.set(text);
                    left_out.set(out);
                }
                None => {
                    document.set(text);
                    left_out.set(Vec::new());
                }
            }
            preview.set(None);
            applied.set(None);
            import(true);
        }
        Err(e) => problems.set(vec![e]),
    };
    const PHRASE: &str = "delete everything";
    let delete_all = move |_| {
        if confirm_text.get_untracked().trim() != PHRASE {
            return;
        }
        spawn_local(async move {
            match ctx.server() {
                Ok(s) => match s.delete_tenant().await {
                    Ok(()) => ctx.notice.set(Some(
                        "Every report, calendar, status group and permission Dwell stored for this site is deleted. Dwell still works here, with nothing saved.".into(),
                    )),
                    Err(e) => failure.set(Some(e)),
                },
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        {move || failure.get().map(|e| view! { <ErrorPanel error=e /> })}
        <h2>"Export"</h2>
        <p>
            "Download every report, calendar, status group and permission of this site as one JSON document. It holds configuration only: no issue data."
        </p>
        <button type="button" class="button" on:click=export>
            "Download the export"
        </button>

        <h2>"Import"</h2>
        <p>"Load an export. You see what would change before anything is written."</p>
        {json_file_button("Choose an export file…", on_read)}
        <ProblemList messages=problems />
        {move || {
            preview
                .get()
                .map(|s| {
                    view! {
                        <div class="panel panel-info">
                            <p class="panel-title">"Importing would change:"</p>
                            <ImportTable summary=s />
                            <LeftOutGrants left_out=left_out.get() />
                            <div class="actions">
                                <button
                                    type="button"
                                    class="button button-primary"
                                    on:click=move |_| import(false)
                                >
                                    {if left_out.with(Vec::is_empty) {
                                        "Import"
                                    } else {
                                        "Import without the group grants"
                                    }}
                                </button>
                                <button
                                    type="button"
                                    class="button button-subtle"
                                    on:click=move |_| preview.set(None)
                                >
                                    "Cancel"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
        {move || {
            applied
                .get()
                .map(|s| {
                    view! {
                        <div class="panel panel-success" role="status">
                            <p class="panel-title">"Imported:"</p>
                            <ImportTable summary=s />
                            <LeftOutGrants left_out=left_out.get() />
                        </div>
                    }
                })
        }}

        <h2>"Delete this site's data"</h2>
        <div class="panel panel-danger">
            <p>
                "Permanently deletes every report, calendar, status group and permission Dwell stores for this site, now. Dwell stays installed and keeps working, with nothing saved: import an export above to bring a configuration back. Backups age out on their retention schedule; the installation itself is deleted when Dwell is uninstalled and the grace period ends."
            </p>
            <TextInput
                label=format!("Type \u{201c}{PHRASE}\u{201d} to confirm")
                autocomplete="off"
                value=confirm_text
            />
            <button
                type="button"
                class="button button-danger"
                disabled=move || confirm_text.get().trim() != PHRASE
                on:click=delete_all
            >
                "Delete everything"
            </button>
        </div>
    }
}

#[component]
fn ImportTable(summary: ImportSummary) -> impl IntoView {
    let rows = [
        ("Reports", summary.reports),
        ("Calendars", summary.calendars),
        ("Status groups", summary.status_groups),
    ];
    view! {
        <table class="list-table compact">
            <thead>
                <tr>
                    <th scope="col">""</th>
                    <th scope="col">"New"</th>
                    <th scope="col">"Changed"</th>
                    <th scope="col">"Deleted"</th>
                    <th scope="col">"Unchanged"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(label, c)| {
                        view! {
                            <tr>
                                <th scope="row">{label}</th>
                                <td>{c.created}</td>
                                <td>{c.updated}</td>
                                <td>{c.deleted}</td>
                                <td>{c.unchanged}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p>
            {if summary.permissions_changed {
                "Permissions would change."
            } else {
                "Permissions stay as they are."
            }}
        </p>
    }
}

/// The group grants an import to Forge leaves out, each with where it was, so an admin can
/// grant the people instead: nothing is dropped unseen.
#[component]
fn LeftOutGrants(left_out: Vec<LeftOut>) -> impl IntoView {
    if left_out.is_empty() {
        return ().into_any();
    }
    let restricted = left_out.iter().any(|l| l.restricted);
    view! {
        <div class="left-out">
            <p>
                {format!(
                    "Forge cannot check Jira groups, so {} group grant{} of this export {} not imported. Account grants are imported as they are; grant the groups' people by account id in Permissions.",
                    left_out.len(),
                    if left_out.len() == 1 { "" } else { "s" },
                    if left_out.len() == 1 { "is" } else { "are" },
                )}
            </p>
            <table class="list-table compact">
                {table_head("Group grants left out", ["Granted in", "Jira group"], false)}
                <tbody>
                    {left_out
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr>
                                    <td>{l.place}</td>
                                    <td>{l.group}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {restricted
                .then(|| {
                    view! {
                        <p>
                            "Where a report was shared with groups only, it is shared with you instead (and, as always, with its creator and the administrators), so that it is not opened to everyone."
                        </p>
                    }
                })}
        </div>
    }
    .into_any()
}
