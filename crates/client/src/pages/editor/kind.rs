//! The editor's "Report" section: which kind of report, and the options of that kind (how
//! visits count, the start and stop statuses, the days, the period, a timesheet's rows,
//! columns, dates and time zone).
//!
//! The key decision: switching kinds keeps what carries over (`ReportKind::switched_to`), and
//! only the chosen kind's options are built, each bound to a named part of
//! `view::editor`, so a control can only edit its own kind.

use config::KindTag;
use leptos::prelude::*;

use crate::components::{Form, unique_id};
use crate::view::editor::switch_kind;
use crate::view::editor::{
    DONE_IN, FIRST_DAY, LAST_DAY, MULTI_VISIT, PAUSE_STATUSES, PERIODS, START_STATUSES,
    STOP_STATUSES, TIME_ZONE, TIMESHEET_COLUMNS, TIMESHEET_ROWS, WORK_STARTS, WORKLOG_DATES,
    multi_visit, set_multi_visit, set_throughput_period, set_timesheet_columns, set_timesheet_rows,
    throughput_period, timesheet_columns, timesheet_rows,
};

#[component]
pub fn Kind(form: Form) -> impl IntoView {
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
                            let zone = crate::pages::user_time_zone();
                            form.config.update(|c| switch_kind(c, k, &zone));
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
        KindTag::TimeInStatus => form.select(
            "When an issue entered a status several times, count",
            &MULTI_VISIT,
            multi_visit,
            set_multi_visit,
        ),
        KindTag::TimeBetween => view! {
            <div class="field-row">
                {form
                    .text(
                        "Start statuses",
                        Some("Names or ids, comma-separated."),
                        START_STATUSES,
                        1,
                    )} {form.text("Stop statuses", None, STOP_STATUSES, 1)}
                {form
                    .text(
                        "Paused in",
                        Some("Time in these statuses is not counted."),
                        PAUSE_STATUSES,
                        1,
                    )}
            </div>
        }
        .into_any(),
        KindTag::StatusPerDay => view! {
            <div class="field-row">
                {form.text("First day", Some("Empty: from the first change."), FIRST_DAY, 1)}
                {form.text("Last day", Some("Empty: today."), LAST_DAY, 1)}
            </div>
        }
        .into_any(),
        KindTag::Throughput => view! {
            <div class="field-row">
                {form.select("Per", &PERIODS, throughput_period, set_throughput_period)}
                {form
                    .text(
                        "Work starts in",
                        Some("Empty: when the issue was created."),
                        WORK_STARTS,
                        1,
                    )} {form.text("Done in", None, DONE_IN, 1)}
            </div>
        }
        .into_any(),
        KindTag::Timesheet | KindTag::Capacity => worklog_options(form, choice),
        _ => view! { <span></span> }.into_any(),
    }
}

/// A timesheet's or capacity report's dates and zone, and a timesheet's rows and columns.
fn worklog_options(form: Form, choice: KindTag) -> AnyView {
    let timesheet = (choice == KindTag::Timesheet).then(|| {
        view! {
            <div class="field-row">
                {form.select("Rows", &TIMESHEET_ROWS, timesheet_rows, set_timesheet_rows)}
                {form
                    .select(
                        "Columns",
                        &TIMESHEET_COLUMNS,
                        timesheet_columns,
                        set_timesheet_columns,
                    )}
            </div>
        }
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
                    WORKLOG_DATES,
                    1,
                )}
            {form
                .text(
                    "Time zone",
                    Some("Days are cut at midnight here: UTC, Europe/Berlin."),
                    TIME_ZONE,
                    1,
                )}
        </div>
    }
    .into_any()
}
