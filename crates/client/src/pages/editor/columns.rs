//! The editor's "Columns" section: the metric columns (a status, a group of statuses typed
//! here, or a saved status group), the hidden statuses, the extra fields beside the key.
//!
//! The key decision: each column is edited in place by its index, and the list is rebuilt
//! only when the number of columns changes, so typing in one column never rebuilds another.

use config::api::StatusGroupRecord;
use config::{ColumnSpec, StatusRef};
use leptos::prelude::*;

use super::lists::{SavedList, load_failure, loaded};
use crate::components::{Form, unique_id};
use crate::view::editor::{EXTRA_FIELDS, HIDDEN_STATUSES, format_statuses, parse_statuses};

#[component]
pub fn Columns(form: Form, groups: SavedList<StatusGroupRecord>) -> impl IntoView {
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
                    HIDDEN_STATUSES,
                    1,
                )}
            {form
                .text(
                    "Extra fields",
                    Some(
                        "Jira field ids shown beside the key: summary, assignee, customfield_10016.",
                    ),
                    EXTRA_FIELDS,
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
        ColumnSpec::Status { status } => column_input(
            id,
            format!("Column {}: status", index + 1),
            "In Progress, or a status id",
            format_statuses(std::slice::from_ref(&status)),
            move |v| {
                let status = parse_statuses(&v)
                    .into_iter()
                    .next()
                    .unwrap_or(StatusRef::Name {
                        name: String::new(),
                    });
                update(Box::new(move |s| *s = ColumnSpec::Status { status }));
            },
        )
        .into_any(),
        ColumnSpec::InlineGroup { name, statuses } => {
            let name_id = unique_id("group-name");
            let name_box = column_input(
                name_id,
                format!("Column {}: group name", index + 1),
                "Cycle time",
                name,
                move |v| {
                    update(Box::new(move |s| {
                        if let ColumnSpec::InlineGroup { name, .. } = s {
                            *name = v;
                        }
                    }))
                },
            );
            let statuses_box = column_input(
                id,
                "Statuses in the group".to_string(),
                "In Progress, Review, QA",
                format_statuses(&statuses),
                move |v| {
                    let v = parse_statuses(&v);
                    update(Box::new(move |s| {
                        if let ColumnSpec::InlineGroup { statuses, .. } = s {
                            *statuses = v;
                        }
                    }))
                },
            );
            view! {
                {name_box}
                {statuses_box}
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

/// A labelled one-line box of a metric column, showing `text`; `on_input` gets each input.
fn column_input(
    id: String,
    label: String,
    placeholder: &'static str,
    text: String,
    on_input: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label for=id.clone()>{label}</label>
        <input
            id=id
            type="text"
            placeholder=placeholder
            prop:value=text
            on:input=move |ev| on_input(event_target_value(&ev))
        />
    }
}
