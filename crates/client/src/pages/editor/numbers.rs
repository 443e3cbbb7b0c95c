//! The editor's "Numbers" section: which calendar time is measured on, how durations are
//! written, and the statistics under the table.
//!
//! The key decision: the calendar picker lists the tenant's saved calendars and says when
//! they could not load; an inline calendar (from the JSON) is shown as such and kept.

use config::api::CalendarRecord;
use leptos::prelude::*;

use super::lists::{SavedList, load_failure, loaded};
use crate::components::{Form, unique_id};
use crate::view::editor::{
    AGGREGATES, FormatChoice, PERCENTILES, calendar_choice, set_calendar_choice, toggle_aggregate,
};

#[component]
pub fn Numbers(form: Form, calendars: SavedList<CalendarRecord>) -> impl IntoView {
    let calendar_id = unique_id("calendar");
    let format_id = unique_id("format");
    let calendar_value = move || form.config.with(calendar_choice);
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
                            form.config.update(|c| set_calendar_choice(c, &v));
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
