//! The editor's "Numbers" section: which calendar time is measured on, how durations are
//! written, and the statistics under the table.
//!
//! The key decision: the calendar picker lists the tenant's saved calendars and says when
//! they could not load; an inline calendar (from the JSON) is shown as such and kept.

use config::api::CalendarRecord;
use leptos::prelude::*;

use super::lists::{SavedList, load_failure, loaded};
use crate::components::{Form, checkbox, select_field};
use crate::view::editor::{
    AGGREGATES, FormatChoice, PERCENTILES, calendar_choice, set_calendar_choice, toggle_aggregate,
};

#[component]
pub fn Numbers(form: Form, calendars: SavedList<CalendarRecord>) -> impl IntoView {
    let calendar_value = move || form.config.with(calendar_choice);
    view! {
        <fieldset class="section">
            <legend>"Numbers"</legend>
            {load_failure(calendars, "The saved calendars could not load")}
            <div class="field-row">
                {select_field(
                    "calendar",
                    "Measure time on",
                    None,
                    move |v| form.config.update(|c| set_calendar_choice(c, &v)),
                    view! {
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
                    },
                )}
                {select_field(
                    "format",
                    "Show durations as",
                    None,
                    move |v| {
                        if let Some(f) = FormatChoice::from_slug(&v) {
                            form.config
                                .update(|c| {
                                    c.duration_format = f.to_format(&c.duration_format);
                                });
                        }
                    },
                    FormatChoice::ALL
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
                        .collect_view(),
                )}
            </div>
            <fieldset class="field">
                <legend>"Statistics under the table"</legend>
                <div class="checks">
                    {AGGREGATES
                        .iter()
                        .map(|(f, label)| {
                            let f = *f;
                            view! {
                                <span class="check">
                                    {checkbox(
                                        "agg",
                                        label,
                                        move || {
                                            form.config.with(|c| c.aggregation.functions.contains(&f))
                                        },
                                        move |on| {
                                            form.config
                                                .update(|c| {
                                                    c.aggregation.functions = toggle_aggregate(
                                                        &c.aggregation.functions,
                                                        f,
                                                        on,
                                                    );
                                                })
                                        },
                                    )}
                                </span>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            {form.text("Percentiles", Some("Comma-separated, e.g. 85, 95."), PERCENTILES, 1)}
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
