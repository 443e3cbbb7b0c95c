//! The pieces every list table shares: a caption for screen readers with the column headings,
//! and the buttons of a row's actions.
//!
//! The key decision: the markup lives here once, so every list (reports, calendars, status
//! groups, conflicts, left-out grants) is read the same way by screen readers and by the
//! tests that find its rows.

use leptos::prelude::*;

/// A table's hidden caption and its header row; with `actions`, a last column for the row's
/// buttons, named for screen readers only.
pub fn table_head(
    caption: &'static str,
    columns: impl IntoIterator<Item = &'static str>,
    actions: bool,
) -> impl IntoView {
    let columns: Vec<&'static str> = columns.into_iter().collect();
    view! {
        <caption class="visually-hidden">{caption}</caption>
        <thead>
            <tr>
                {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                {actions
                    .then(|| {
                        view! {
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        }
                    })}
            </tr>
        </thead>
    }
}

/// One of a row's action buttons (Edit, Duplicate, Delete); `danger` for the ones that delete.
pub fn row_button(
    label: &'static str,
    danger: bool,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let class = if danger {
        "button button-subtle button-danger"
    } else {
        "button button-subtle"
    };
    view! {
        <button type="button" class=class on:click=move |_| on_click()>
            {label}
        </button>
    }
}
