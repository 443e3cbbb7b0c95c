//! The problems no control of the editor shows: rules about the whole document, and parts
//! without a control of their own (the sort, the duration format, the calendar, the options).
//!
//! The key decision: a problem is shown here when no section claims its JSON path, so the
//! worker's check can never find a problem the page does not show.

use leptos::prelude::*;

use crate::components::Form;

/// Problems no control shows (rules about the whole document).
#[component]
pub fn OtherProblems(form: Form) -> impl IntoView {
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
