//! The editor's "Rows" section: grouping (and what a group's row shows: the sum, or the mean
//! or median per issue), the sort, and the filters applied after Jira's search.
//!
//! The key decision: the sort select offers the sorts a person picks (none, key, total) and
//! shows any other sort the JSON set as it is, so opening a report never changes its sort.

use config::{Filter, FilterOp, FilterValue, SortDirection};
use leptos::prelude::*;

use crate::components::{Form, message_list, select_field, unique_id};
use crate::view::editor::{
    FILTER_OPS, GROUP_BY, GROUP_VALUES, filter_op_from_slug, filter_op_slug, format_filter_value,
    group_value, parse_filter_value, set_group_value, set_sort_choice, set_sort_direction,
    sort_choice, sort_direction,
};

#[component]
pub fn Rows(form: Form) -> impl IntoView {
    let filters = Memo::new(move |_| form.config.with(|c| c.filters.len()));
    let sort_value = move || form.config.with(sort_choice);
    view! {
        <fieldset class="section">
            <legend>"Rows"</legend>
            {form
                .text(
                    "Group by",
                    Some(
                        "Field ids, outermost first: project, assignee. Empty: one row per issue.",
                    ),
                    GROUP_BY,
                    1,
                )}
            <div class="field-row">
                {form.select("Each group's row shows", &GROUP_VALUES, group_value, set_group_value)}
                {form
                    .checkbox(
                        "List the issues under each group",
                        |c| c.rows.show_issues,
                        |c, v| c.rows.show_issues = v,
                    )}
            </div>
            <div class="field-row">
                {select_field(
                    "sort",
                    "Sort by",
                    None,
                    move |v| form.config.update(|c| set_sort_choice(c, &v)),
                    view! {
                        {[("none", "Jira's order"), ("key", "Issue key"), ("total", "Total")]
                            .into_iter()
                            .map(|(value, label)| {
                                view! {
                                    <option value=value selected=move || sort_value() == value>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
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
                    },
                )}
                {select_field(
                    "direction",
                    "Direction",
                    Some(Signal::derive(move || form.config.with(|c| c.sort.is_empty()))),
                    move |v| {
                        let direction = if v == "desc" {
                            SortDirection::Desc
                        } else {
                            SortDirection::Asc
                        };
                        form.config.update(|c| set_sort_direction(c, direction));
                    },
                    [
                        (SortDirection::Asc, "asc", "Ascending"),
                        (SortDirection::Desc, "desc", "Descending"),
                    ]
                        .into_iter()
                        .map(|(direction, value, label)| {
                            view! {
                                <option
                                    value=value
                                    selected=move || form.config.with(sort_direction) == direction
                                >
                                    {label}
                                </option>
                            }
                        })
                        .collect_view(),
                )}
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
    let (field_id, value_id) = (unique_id("filter-field"), unique_id("filter-value"));
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
            {select_field(
                "filter-op",
                "Condition",
                None,
                move |v| {
                    if let Some(op) = filter_op_from_slug(&v) {
                        let value = parse_filter_value(op, &value_text.get_untracked());
                        edit(
                            Box::new(move |x| {
                                x.op = op;
                                x.value = value;
                            }),
                        );
                    }
                },
                FILTER_OPS
                    .iter()
                    .map(|(_, slug, label)| {
                        let selected = *slug == filter_op_slug(filter.op);
                        view! {
                            <option value=*slug selected=selected>
                                {*label}
                            </option>
                        }
                    })
                    .collect_view(),
            )}
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
            {message_list(
                "field-problems",
                None,
                Signal::derive(move || {
                    field_error.get().into_iter().chain(problems.get()).collect()
                }),
            )}
        </li>
    }
    .into_any()
}
