//! The results table: sortable headers, group rows with their subtotals and statistics, the
//! report's statistics in the footer, and virtual scrolling, so fifty thousand rows scroll as
//! smoothly as fifty. The table asks for the rows it shows (`window`) and renders what it is
//! given (`rows`); where the rows come from is the page's business (the worker, or a test).

use leptos::prelude::*;

use crate::view::table::{ROW_HEIGHT, VISIBLE, Window, next_sort, sort_state};
use crate::worker_session::{ReportSummary, RowKindView, RowView, SortBy};

#[component]
pub fn ResultsTable(
    summary: ReportSummary,
    sort: RwSignal<Option<SortBy>>,
    window: RwSignal<Window>,
    /// The rows the page has for the current window: `(start, rows)`.
    #[prop(into)]
    rows: Signal<(usize, Vec<RowView>)>,
    /// `https://site/browse/` for issue links, when known.
    #[prop(optional)]
    browse: Option<String>,
    /// A timesheet's cells are buttons that call this with `(row, column)`: the row's index in
    /// the report (`None` for the footer's `Sum`) and the column's (the last is the `Total`).
    #[prop(optional)]
    on_cell: Option<Callback<(Option<usize>, Option<usize>)>>,
) -> impl IntoView {
    let total = summary.row_count;
    // Room for the header, the visible rows and every totals row (sticky at the bottom), plus
    // a little for borders, so a short table shows whole instead of scrolling inside itself.
    let fixed_rows = 1 + summary.totals.len();
    let height = (total.min(VISIBLE) + fixed_rows) as f64 * ROW_HEIGHT + 4.0;
    let scroller = NodeRef::<leptos::html::Div>::new();
    window.set(Window::for_scroll(0.0, height, total));
    let on_scroll = move |_| {
        if let Some(el) = scroller.get() {
            let w = Window::for_scroll(
                f64::from(el.scroll_top()),
                f64::from(el.client_height()),
                total,
            );
            if w != window.get_untracked() {
                window.set(w);
            }
        }
    };
    let header = move |label: String, by: SortBy, numeric: bool, off: bool| {
        view! {
            <th
                scope="col"
                class:num=numeric
                class:off=off
                aria-sort=move || sort_state(sort.get(), by).unwrap_or("none")
            >
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| sort.set(Some(next_sort(sort.get_untracked(), by)))
                >
                    {label}
                    <span aria-hidden="true" class="sort-mark">
                        {move || match sort_state(sort.get(), by) {
                            Some("ascending") => " ▲",
                            Some(_) => " ▼",
                            None => "",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    let first_label = summary.row_label.clone();
    let columns = summary.columns.clone();
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let body_names = names.clone();
    // Weekends and holidays of a timesheet, shaded by the stylesheet's `.off`.
    let off: Vec<bool> = columns.iter().map(|c| c.off).collect();
    let body_off = off.clone();
    let fields = summary.field_names.clone();
    let has_total = summary.has_total;
    // What a group row's numbers are when they are not sums, said on every group row.
    let group_note = summary.group_note.clone();
    let n_fields = fields.len();
    let n_cols = columns.len();
    let span = 1 + n_fields + n_cols + usize::from(has_total);
    let body = move || {
        let (start, list) = rows.get();
        let before = start as f64 * ROW_HEIGHT;
        let after = total.saturating_sub(start + list.len()) as f64 * ROW_HEIGHT;
        let browse = browse.clone();
        let off = body_off.clone();
        let names = body_names.clone();
        let note = group_note.clone();
        view! {
            <tr class="spacer" aria-hidden="true">
                <td colspan=span style:height=format!("{before}px")></td>
            </tr>
            {list
                .into_iter()
                .map(|r| {
                    let shape = RowShape {
                        n_fields,
                        off: &off,
                        has_total,
                        names: &names,
                        group_note: &note,
                    };
                    row_view(r, shape, browse.as_deref(), on_cell)
                })
                .collect_view()}
            <tr class="spacer" aria-hidden="true">
                <td colspan=span style:height=format!("{after}px")></td>
            </tr>
        }
    };
    view! {
        <div
            class="table-scroll"
            node_ref=scroller
            tabindex="0"
            role="region"
            aria-label="Report table"
            style:max-height=format!("{height}px")
            on:scroll=on_scroll
        >
            <table class="results" aria-rowcount=total + 1 + summary.totals.len()>
                <thead>
                    <tr aria-rowindex="1">
                        {header(first_label, SortBy::Label { descending: false }, false, false)}
                        {fields
                            .iter()
                            .enumerate()
                            .map(|(i, f)| header(
                                f.clone(),
                                SortBy::Field {
                                    index: i,
                                    descending: false,
                                },
                                false,
                                false,
                            ))
                            .collect_view()}
                        {columns
                            .iter()
                            .enumerate()
                            .map(|(i, c)| header(
                                c.name.clone(),
                                SortBy::Column {
                                    index: i,
                                    descending: true,
                                },
                                true,
                                c.off,
                            ))
                            .collect_view()}
                        {has_total
                            .then(|| header(
                                "Total".to_string(),
                                SortBy::Total { descending: true },
                                true,
                                false,
                            ))}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
                <tfoot>
                    {summary
                        .totals
                        .iter()
                        .map(|s| {
                            view! {
                                <tr>
                                    <th scope="row">{s.label.clone()}</th>
                                    {(0..n_fields).map(|_| view! { <td></td> }).collect_view()}
                                    {s
                                        .text
                                        .iter()
                                        .enumerate()
                                        .map(|(i, t)| {
                                            let drill = on_cell.filter(|_| s.label == "Sum");
                                            let label = format!(
                                                "All rows · {}",
                                                names.get(i).map_or("", String::as_str),
                                            );
                                            view! {
                                                <td
                                                    class="num"
                                                    class:off=off.get(i).copied().unwrap_or(false)
                                                >
                                                    {cell(t.clone(), label, drill, None, i)}
                                                </td>
                                            }
                                        })
                                        .collect_view()}
                                    {has_total.then(|| view! { <td></td> })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tfoot>
            </table>
        </div>
    }
}

/// A cell's text; a button listing its worklogs when the table drills down and it has a value.
fn cell(
    text: String,
    label: String,
    drill: Option<Callback<(Option<usize>, Option<usize>)>>,
    row: Option<usize>,
    column: usize,
) -> AnyView {
    match drill {
        Some(f) if !text.is_empty() => view! {
            <button
                type="button"
                class="cell"
                aria-label=format!("{label}: {text}, list the worklogs")
                on:click=move |_| f.run((row, Some(column)))
            >
                {text.clone()}
            </button>
        }
        .into_any(),
        _ => text.into_any(),
    }
}

/// What every row of the table shares: its columns, and what group rows' numbers are.
struct RowShape<'a> {
    n_fields: usize,
    off: &'a [bool],
    has_total: bool,
    names: &'a [String],
    /// `mean per issue`, `median per issue`, or empty for sums.
    group_note: &'a str,
}

fn row_view(
    r: RowView,
    shape: RowShape<'_>,
    browse: Option<&str>,
    on_cell: Option<Callback<(Option<usize>, Option<usize>)>>,
) -> impl IntoView {
    let RowShape {
        n_fields,
        off,
        has_total,
        names,
        group_note,
    } = shape;
    let indent = format!("{}px", 8 + 16 * usize::from(r.depth));
    let label = match (r.kind, browse) {
        (RowKindView::Issue, Some(base)) => view! {
            <a href=format!("{base}{}", r.label) target="_blank" rel="noopener noreferrer">
                {r.label.clone()}
            </a>
        }
        .into_any(),
        (RowKindView::Group, _) => view! {
            <span>{if r.label.is_empty() { "(none)".to_string() } else { r.label.clone() }}</span>
            <span class="muted">
                {format!(" · {} issues", crate::view::thousands(u64::from(r.issues)))}
                {(!group_note.is_empty()).then(|| format!(" · {group_note}"))}
            </span>
        }
        .into_any(),
        _ => view! { <span>{r.label.clone()}</span> }.into_any(),
    };
    let flags = (!r.flags.is_empty()).then(|| {
        let why = r.flags.join("; ");
        view! {
            <span class="flag" title=why.clone() role="img" aria-label=format!("uncertain: {why}")>
                " ⚠"
            </span>
        }
    });
    let mut fields = r.fields.clone();
    fields.resize(n_fields, String::new());
    let mut text = r.text.clone();
    text.resize(off.len(), String::new());
    view! {
        <tr class:group-row=r.kind == RowKindView::Group aria-rowindex=r.index + 2>
            <th scope="row" style:padding-left=indent>
                {label}
                {flags}
            </th>
            {fields.into_iter().map(|f| view! { <td>{f}</td> }).collect_view()}
            {text
                .into_iter()
                .zip(off.iter().copied())
                .enumerate()
                .map(|(i, (t, off))| {
                    let label = format!(
                        "{} · {}",
                        r.label,
                        names.get(i).map_or("", String::as_str),
                    );
                    view! {
                        <td class="num" class:off=off>
                            {cell(t, label, on_cell, Some(r.index), i)}
                        </td>
                    }
                })
                .collect_view()}
            {has_total.then(|| view! { <td class="num total">{r.total_text.clone()}</td> })}
        </tr>
    }
}
