//! The drill-down from a timesheet cell: a dialog listing the worklogs behind it (issue,
//! author, started in the timesheet's zone, duration, comment), their sum, and which issues
//! were read only in part. The list comes from the worker; comments come from Jira by worklog
//! id, already flattened to text, and are shown as text only. The page passes them in, so
//! this component fetches nothing.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::worker_session::CellWorklogs;

/// What the dialog shows: nothing yet, the worker's answer, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Drill {
    Loading(String),
    Ready(Box<CellWorklogs>),
    Failed(String),
}

/// Comments by worklog id; `Err` when Jira's answer could not be had.
pub type Comments = Option<Result<HashMap<String, String>, String>>;

#[component]
pub fn WorklogPanel(
    drill: Drill,
    #[prop(into)] comments: Signal<Comments>,
    /// `https://site/browse/` for issue links.
    browse: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let heading = crate::components::unique_id("drill");
    let close = NodeRef::<leptos::html::Button>::new();
    // Keyboard users land in the dialog; Escape closes it.
    Effect::new(move |_| {
        if let Some(b) = close.get() {
            let _ = b.focus();
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    };
    let body = match drill {
        Drill::Loading(title) => view! {
            <h2 id=heading.clone()>{title}</h2>
            <p class="loading" role="status">
                "Listing the worklogs…"
            </p>
        }
        .into_any(),
        Drill::Failed(e) => view! {
            <h2 id=heading.clone()>"Worklogs"</h2>
            <p class="error" role="alert">
                {format!("The worklogs could not be listed: {e}")}
            </p>
        }
        .into_any(),
        Drill::Ready(cell) => {
            let cell = *cell;
            let count = cell.worklogs.len() + cell.more;
            let summary = format!(
                "{} totalling {}",
                crate::view::plural(count as u64, "worklog", "worklogs"),
                cell.total_text
            );
            let partial = (!cell.partial.is_empty()).then(|| {
                view! {
                    <p class="panel panel-warning partial" role="status">
                        {format!(
                            "Some worklogs of {} could not be read: the time here may be short.",
                            cell.partial.join(", "),
                        )}
                    </p>
                }
            });
            let more = (cell.more > 0).then(|| {
                view! {
                    <p class="muted">
                        {format!(
                            "The earliest {} are listed; {} more are counted in the total.",
                            cell.worklogs.len(),
                            cell.more,
                        )}
                    </p>
                }
            });
            let comment_note = move || match comments.get() {
                None => Some("Reading comments from Jira…".to_string()),
                Some(Err(e)) => Some(format!("The comments could not be read: {e}")),
                Some(Ok(_)) => None,
            };
            let rows = cell
                .worklogs
                .into_iter()
                .map(|w| {
                    let id = w.id.clone().unwrap_or_default();
                    let comment = move || {
                        comments.with(|c| match c {
                            Some(Ok(m)) => m.get(&id).cloned().unwrap_or_default(),
                            _ => String::new(),
                        })
                    };
                    let issue_href = format!("{browse}{}", w.issue);
                    let flag = w.partial.then(|| {
                        view! {
                            <span
                                class="flag"
                                title="some worklogs of this issue could not be read"
                                role="img"
                                aria-label="some worklogs of this issue could not be read"
                            >
                                " ⚠"
                            </span>
                        }
                    });
                    view! {
                        <tr data-worklog=w.id.clone().unwrap_or_default()>
                            <th scope="row">
                                <a href=issue_href target="_blank" rel="noopener noreferrer">
                                    {w.issue.clone()}
                                </a>
                                {flag}
                            </th>
                            <td class="author">{w.author.clone()}</td>
                            <td class="started">{w.started.clone()}</td>
                            <td class="num duration" data-seconds=w.seconds.to_string()>
                                {w.duration.clone()}
                            </td>
                            <td class="comment">{comment}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h2 id=heading.clone()>{cell.title.clone()}</h2>
                <p class="drill-summary" data-seconds=cell.total_seconds.to_string()>
                    {summary}
                </p>
                {partial}
                <p class="muted" role="status">
                    {comment_note}
                </p>
                <table class="worklogs">
                    <thead>
                        <tr>
                            <th scope="col">"Issue"</th>
                            <th scope="col">"Author"</th>
                            <th scope="col">{format!("Started ({})", cell.time_zone)}</th>
                            <th scope="col" class="num">
                                "Duration"
                            </th>
                            <th scope="col">"Comment"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                {more}
            }
            .into_any()
        }
    };
    view! {
        <section
            class="panel drill-down"
            role="dialog"
            aria-labelledby=heading.clone()
            on:keydown=on_key
        >
            <div class="drill-head">{body}</div>
            <button type="button" class="button" node_ref=close on:click=move |_| on_close.run(())>
                "Close"
            </button>
        </section>
    }
}
