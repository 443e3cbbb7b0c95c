//! SVG charts of a report: average time per status, stacked bars of the largest rows,
//! cumulative flow, and cycle times (scatter with percentile lines, histogram, throughput).
//! Each chart is an image with a title and a description for screen readers; every number is
//! also in the table. Geometry comes from [`crate::view::chart`].

use leptos::prelude::*;

use crate::view::chart::{
    Scale, TimeUnit, colour, duration_ticks, histogram, short_duration, short_number, short_period,
    stacked_areas, ticks,
};
use crate::worker_session::{Charts, Cycle, Flow, PeriodBars};

const W: f64 = 720.0;
const LEFT: f64 = 160.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 12.0;

/// Values on a duration axis, or a count axis.
#[derive(Debug, Clone, Copy)]
struct Axis {
    unit: Option<TimeUnit>,
}

impl Axis {
    fn of(unit: &str, max: f64) -> (Axis, Vec<f64>, f64) {
        if unit == "duration" {
            let (t, top, u) = duration_ticks(max, 5);
            (Axis { unit: Some(u) }, t, top)
        } else {
            let (t, top) = ticks(max, 5);
            (Axis { unit: None }, t, top)
        }
    }

    fn label(&self, v: f64) -> String {
        match self.unit {
            Some(u) => short_duration(v, u),
            None => short_number(v),
        }
    }

    fn describe(&self) -> &'static str {
        match self.unit {
            Some(u) => u.name(),
            None => "issues",
        }
    }
}

/// All charts that apply to a report.
#[component]
pub fn ReportCharts(charts: Charts, columns: Vec<String>) -> impl IntoView {
    let unit = charts.unit.clone();
    let averages = (!charts.averages.is_empty() && unit != "timestamp").then(|| {
        view! { <AverageBars averages=charts.averages.clone() unit=unit.clone() /> }
    });
    let stacked = (charts.largest.len() > 1).then(|| {
        view! {
            <StackedBars
                rows=charts.largest.clone()
                columns=columns.clone()
                unit=unit.clone()
                note=charts.group_note.clone()
            />
        }
    });
    let periods = charts
        .periods
        .clone()
        .filter(|p| !p.periods.is_empty())
        .map(|bars| view! { <PeriodStacks bars /> });
    let flow = charts
        .flow
        .clone()
        .map(|f| view! { <CumulativeFlow flow=f /> });
    let cycle = charts.cycle.clone().map(|c| {
        view! {
            <CycleScatter cycle=c.clone() />
            <CycleHistogram cycle=c.clone() />
            <Throughput cycle=c />
        }
    });
    view! { <div class="charts">{periods} {averages} {stacked} {flow} {cycle}</div> }
}

fn x_axis(axis: Axis, t: &[f64], x: &Scale, y: f64) -> impl IntoView {
    t.iter()
        .map(|v| {
            let px = x.at(*v);
            view! {
                <g class="tick">
                    <line x1=px x2=px y1=TOP y2=y class="grid"></line>
                    {under(px, y, axis.label(*v))}
                </g>
            }
        })
        .collect_view()
}

fn y_axis(axis: Axis, t: &[f64], y: &Scale, x0: f64, x1: f64) -> impl IntoView {
    t.iter()
        .map(|v| {
            let py = y.at(*v);
            view! {
                <g class="tick">
                    <line x1=x0 x2=x1 y1=py y2=py class="grid"></line>
                    <text x=x0 - 6.0 y=py + 4.0 text-anchor="end">
                        {axis.label(*v)}
                    </text>
                </g>
            }
        })
        .collect_view()
}

/// A chart's frame: its caption, the SVG image (`height` high, `label` read out in its place)
/// holding what is `drawn`, and the legend under it when there is one.
fn chart(
    class: &'static str,
    caption: String,
    height: f64,
    label: String,
    drawn: impl IntoView + 'static,
    legend: Option<Vec<String>>,
) -> impl IntoView {
    view! {
        <figure class=class>
            <figcaption>{caption}</figcaption>
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=label>
                {drawn}
            </svg>
            {legend.map(|names| view! { <Legend names /> })}
        </figure>
    }
}

/// A horizontal bar's row name, left of the bar at `y`, `bar` high.
fn row_label(y: f64, bar: f64, name: &str) -> impl IntoView {
    view! {
        <text x=LEFT - 8.0 y=y + bar / 2.0 + 4.0 text-anchor="end" class="label">
            {truncate(name, 22)}
        </text>
    }
}

/// A label under the chart's bottom line, centred at `x`.
fn under(x: f64, bottom: f64, text: String) -> impl IntoView {
    view! {
        <text x=x y=bottom + 16.0 text-anchor="middle">
            {text}
        </text>
    }
}

/// A vertical bar from `bottom` up to `top` (SVG y grows downwards), with its tooltip.
fn column_bar(
    x: f64,
    width: f64,
    top: f64,
    bottom: f64,
    fill: &'static str,
    title: String,
) -> impl IntoView {
    view! {
        <rect x=x y=top width=width height=bottom - top fill=fill>
            <title>{title}</title>
        </rect>
    }
}

/// The layout of horizontal bars, one a row `pitch` apart from the top: the value axis, its
/// ticks and scale, and the image's height.
struct RowBars {
    axis: Axis,
    ticks: Vec<f64>,
    x: Scale,
    pitch: f64,
    height: f64,
    bottom: f64,
}

impl RowBars {
    fn new(unit: &str, max: f64, rows: usize, pitch: f64) -> RowBars {
        let (axis, ticks, top) = Axis::of(unit, max);
        let height = TOP + rows as f64 * pitch + 28.0;
        RowBars {
            axis,
            ticks,
            x: Scale::new((0.0, top), (LEFT, W - RIGHT)),
            pitch,
            height,
            bottom: height - 28.0,
        }
    }

    /// The top of row `i`.
    fn y(&self, i: usize) -> f64 {
        TOP + i as f64 * self.pitch
    }

    fn x_axis(&self) -> impl IntoView {
        x_axis(self.axis, &self.ticks, &self.x, self.bottom)
    }
}

/// Horizontal bars: the mean per column.
#[component]
fn AverageBars(averages: Vec<(String, f64)>, unit: String) -> impl IntoView {
    let max = averages.iter().map(|a| a.1).fold(0.0, f64::max);
    let bar = 22.0;
    let layout = RowBars::new(&unit, max, averages.len(), bar + 8.0);
    let (axis, x) = (layout.axis, layout.x);
    let title = if unit == "duration" {
        "Average time per status"
    } else {
        "Average per column"
    };
    let desc = averages
        .iter()
        .map(|(n, v)| format!("{n}: {}", axis.label(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    let drawn = view! {
        {layout.x_axis()}
        {averages
            .into_iter()
            .enumerate()
            .map(|(i, (name, v))| {
                let y = layout.y(i);
                let label = axis.label(v);
                view! {
                    <g>
                        {row_label(y, bar, &name)}
                        <rect x=LEFT y=y width=(x.at(v) - LEFT).max(1.0) height=bar fill=colour(i)>
                            <title>{format!("{name}: {label}")}</title>
                        </rect> <text x=x.at(v) + 4.0 y=y + bar / 2.0 + 4.0 class="value">
                            {label.clone()}
                        </text>
                    </g>
                }
            })
            .collect_view()}
    };
    let label = format!("{title}, in {}: {desc}", axis.describe());
    chart(
        "chart",
        title.to_string(),
        layout.height,
        label,
        drawn,
        None,
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// One stacked bar per row (the largest rows), a segment per column. `note` says what group
/// rows' values are when they are not sums (`mean per issue`), so the title says it too.
#[component]
fn StackedBars(
    rows: Vec<(String, Vec<f64>)>,
    columns: Vec<String>,
    unit: String,
    note: String,
) -> impl IntoView {
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let bar = 16.0;
    let layout = RowBars::new(&unit, max, rows.len(), bar + 6.0);
    let (axis, x) = (layout.axis, layout.x);
    let n = rows.len();
    let drawn = view! {
        {layout.x_axis()}
        {rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, values))| {
                let y = layout.y(i);
                let mut at = 0.0;
                let segments = values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(c, v)| {
                        let x0 = x.at(at);
                        at += v;
                        let name = columns.get(c).cloned().unwrap_or_default();
                        view! {
                            <rect x=x0 y=y width=(x.at(at) - x0).max(0.5) height=bar fill=colour(c)>
                                <title>{format!("{label} · {name}: {}", axis.label(*v))}</title>
                            </rect>
                        }
                    })
                    .collect_view();
                view! { <g>{row_label(y, bar, &label)} {segments}</g> }
            })
            .collect_view()}
    };
    let (label, caption) = if note.is_empty() {
        (
            format!(
                "Stacked bars of the {n} rows with the largest totals, in {}; the table has every value",
                axis.describe(),
            ),
            format!("The {n} largest rows, by column"),
        )
    } else {
        (
            format!(
                "Stacked bars of the {n} groups with the largest totals, each the {note}, in {}; the table has every value",
                axis.describe(),
            ),
            format!("The {n} largest groups, {note}, by column"),
        )
    };
    chart("chart", caption, layout.height, label, drawn, Some(columns))
}

/// A timesheet's time per period: one vertical bar per period column, a segment per row
/// (bottom first, as the legend lists them), the period's total above each bar.
#[component]
fn PeriodStacks(bars: PeriodBars) -> impl IntoView {
    let max = bars.totals.iter().copied().fold(0.0, f64::max);
    let (axis, t, top) = Axis::of("duration", max);
    let h = 280.0;
    let bottom = h - 28.0;
    let left = 56.0;
    let n = bars.periods.len().max(1);
    let slot = (W - RIGHT - left) / n as f64;
    let width = (slot * 0.7).max(1.0);
    let y = Scale::new((0.0, top), (bottom, TOP + 12.0));
    let every = (n / 8).max(1);
    let total: f64 = bars.totals.iter().sum();
    let label = format!(
        "Time logged in each of {n} periods, stacked by row; {} in all",
        axis.label(total)
    );
    let legend = bars.rows.clone();
    let drawn = bars
        .periods
        .iter()
        .enumerate()
        .map(|(p, name)| {
            let x0 = left + p as f64 * slot + (slot - width) / 2.0;
            let period_total = bars.totals.get(p).copied().unwrap_or(0.0);
            let mut at = 0.0;
            let segments = bars
                .seconds
                .iter()
                .enumerate()
                .filter_map(|(r, per)| {
                    let v = per.get(p).copied().unwrap_or(0.0);
                    (v > 0.0).then_some((r, v))
                })
                .map(|(r, v)| {
                    let (lo, hi) = (y.at(at), y.at(at + v));
                    at += v;
                    let row = bars.rows.get(r).cloned().unwrap_or_default();
                    view! {
                        <rect
                            class="segment"
                            x=x0
                            y=hi
                            width=width
                            height=(lo - hi).max(0.5)
                            fill=colour(r)
                            data-row=row.clone()
                            data-seconds=v.to_string()
                        >
                            <title>{format!("{name} · {row}: {}", axis.label(v))}</title>
                        </rect>
                    }
                })
                .collect_view();
            view! {
                <g class="period-bar" data-period=name.clone() data-total=period_total.to_string()>
                    {segments}
                    {(period_total > 0.0)
                        .then(|| {
                            view! {
                                <text
                                    class="value"
                                    x=x0 + width / 2.0
                                    y=y.at(period_total) - 4.0
                                    text-anchor="middle"
                                >
                                    {axis.label(period_total)}
                                </text>
                            }
                        })}
                    {(p % every == 0).then(|| under(x0 + width / 2.0, bottom, short_period(name)))}
                </g>
            }
        })
        .collect_view();
    let drawn = view! {
        {y_axis(axis, &t, &y, left, W - RIGHT)}
        {drawn}
    };
    let caption = "Time per period".to_string();
    chart("chart period-chart", caption, h, label, drawn, Some(legend))
}

#[component]
fn Legend(names: Vec<String>) -> impl IntoView {
    view! {
        <ul class="legend">
            {names
                .into_iter()
                .enumerate()
                .map(|(i, n)| {
                    view! {
                        <li>
                            <span class="swatch" style:background=colour(i)></span>
                            {n}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Cumulative flow: issues per status column per day, stacked.
#[component]
fn CumulativeFlow(flow: Flow) -> impl IntoView {
    let days = flow.dates.len();
    let max = (0..days)
        .map(|d| {
            flow.counts
                .iter()
                .map(|s| s.get(d).copied().unwrap_or(0))
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0);
    let (t, top) = ticks(f64::from(max), 5);
    let h = 300.0;
    let bottom = h - 28.0;
    let left = 56.0;
    let x = Scale::new((0.0, (days.max(2) - 1) as f64), (left, W - RIGHT));
    let y = Scale::new((0.0, top), (bottom, TOP));
    let paths = stacked_areas(&flow.counts, &x, &y);
    let every = (days / 6).max(1);
    let first = flow.dates.first().cloned().unwrap_or_default();
    let last = flow.dates.last().cloned().unwrap_or_default();
    let drawn = view! {
        {y_axis(Axis { unit: None }, &t, &y, left, W - RIGHT)}
        {paths
            .into_iter()
            .enumerate()
            .rev()
            .map(|(i, d)| {
                view! {
                    <path d=d fill=colour(i) opacity="0.85">
                        <title>{flow.columns.get(i).cloned().unwrap_or_default()}</title>
                    </path>
                }
            })
            .collect_view()}
        {flow
            .dates
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, date)| under(
                x.at(i as f64),
                bottom,
                date.get(5..).unwrap_or(date).to_string(),
            ))
            .collect_view()}
    };
    let label = format!(
        "Issues in each status per day from {first} to {last}, stacked; at most {max} issues on one day",
    );
    chart(
        "chart",
        "Cumulative flow".to_string(),
        h,
        label,
        drawn,
        Some(flow.columns.clone()),
    )
}

fn percentile_lines(cycle: &Cycle, y: &Scale, x0: f64, x1: f64, axis: Axis) -> impl IntoView {
    cycle
        .percentiles
        .iter()
        .map(|(p, s)| {
            let py = y.at(*s);
            view! {
                <g class="percentile">
                    <line x1=x0 x2=x1 y1=py y2=py></line>
                    <text x=x1 - 4.0 y=py - 4.0 text-anchor="end">
                        {format!("{p}% · {}", axis.label(*s))}
                    </text>
                </g>
            }
        })
        .collect_view()
}

/// Cycle time per finished issue over time, with percentile lines.
#[component]
fn CycleScatter(cycle: Cycle) -> impl IntoView {
    let max = cycle.points.iter().map(|p| p.1).fold(0.0, f64::max);
    let (axis, t, top) = Axis::of("duration", max);
    let (lo, hi) = cycle
        .points
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let h = 300.0;
    let bottom = h - 28.0;
    let left = 56.0;
    let x = Scale::new((lo, hi.max(lo + 1.0)), (left, W - RIGHT));
    let y = Scale::new((0.0, top), (bottom, TOP));
    let summary = cycle
        .percentiles
        .iter()
        .map(|(p, s)| format!("{p}th percentile {}", axis.label(*s)))
        .collect::<Vec<_>>()
        .join(", ");
    let n = cycle.points.len();
    let drawn = view! {
        {y_axis(axis, &t, &y, left, W - RIGHT)}
        {cycle
            .points
            .iter()
            .map(|(at, s, key)| {
                view! {
                    <circle cx=x.at(*at) cy=y.at(*s) r="3" class="dot">
                        <title>{format!("{key}: {}", axis.label(*s))}</title>
                    </circle>
                }
            })
            .collect_view()}
        {percentile_lines(&cycle, &y, left, W - RIGHT, axis)}
    };
    let label = format!("Scatter of {n} finished issues by finish date and cycle time; {summary}");
    chart(
        "chart",
        "Cycle time of finished issues".to_string(),
        h,
        label,
        drawn,
        None,
    )
}

/// How many finished issues took how long, with percentile lines.
#[component]
fn CycleHistogram(cycle: Cycle) -> impl IntoView {
    let values: Vec<f64> = cycle.points.iter().map(|p| p.1).collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let (axis, _, top) = Axis::of("duration", max);
    let bins = histogram(&values, 20, top);
    let most = bins.iter().map(|b| b.2).max().unwrap_or(0);
    let (t, count_top) = ticks(f64::from(most), 4);
    let h = 240.0;
    let bottom = h - 28.0;
    let left = 56.0;
    let x = Scale::new((0.0, top), (left, W - RIGHT));
    let y = Scale::new((0.0, count_top), (bottom, TOP));
    let (xt, _, _) = duration_ticks(top, 5);
    let drawn = view! {
        {y_axis(Axis { unit: None }, &t, &y, left, W - RIGHT)}
        {bins
            .iter()
            .map(|(a, b, c)| {
                column_bar(
                    x.at(*a) + 1.0,
                    (x.at(*b) - x.at(*a) - 2.0).max(0.5),
                    y.at(f64::from(*c)),
                    bottom,
                    colour(0),
                    format!("{} to {}: {c} issues", axis.label(*a), axis.label(*b)),
                )
            })
            .collect_view()}
        {xt.iter().map(|v| under(x.at(*v), bottom, axis.label(*v))).collect_view()}
        {cycle
            .percentiles
            .iter()
            .map(|(p, s)| {
                let px = x.at(*s);
                view! {
                    <g class="percentile">
                        <line x1=px x2=px y1=TOP y2=bottom></line>
                        <text x=px + 3.0 y=TOP + 10.0>
                            {format!("{p}%")}
                        </text>
                    </g>
                }
            })
            .collect_view()}
    };
    let label = format!(
        "Histogram of {} cycle times in 20 bins up to {}",
        values.len(),
        axis.label(top),
    );
    chart(
        "chart",
        "Distribution of cycle times".to_string(),
        h,
        label,
        drawn,
        None,
    )
}

/// Finished issues per period.
#[component]
fn Throughput(cycle: Cycle) -> impl IntoView {
    let most = cycle.throughput.iter().map(|b| b.1).max().unwrap_or(0);
    let (t, top) = ticks(f64::from(most), 4);
    let h = 220.0;
    let bottom = h - 28.0;
    let left = 56.0;
    let n = cycle.throughput.len().max(1);
    let slot = (W - RIGHT - left) / n as f64;
    let y = Scale::new((0.0, top), (bottom, TOP));
    let every = (n / 8).max(1);
    let total: u32 = cycle.throughput.iter().map(|b| b.1).sum();
    let drawn = view! {
        {y_axis(Axis { unit: None }, &t, &y, left, W - RIGHT)}
        {cycle
            .throughput
            .iter()
            .enumerate()
            .map(|(i, (start, c))| {
                let x0 = left + i as f64 * slot;
                view! {
                    {column_bar(
                        x0 + 1.0,
                        (slot - 2.0).max(0.5),
                        y.at(f64::from(*c)),
                        bottom,
                        colour(2),
                        format!("{start}: {c}"),
                    )}
                    {(i % every == 0)
                        .then(|| {
                            under(
                                x0 + slot / 2.0,
                                bottom,
                                start.get(5..).unwrap_or(start).to_string(),
                            )
                        })}
                }
            })
            .collect_view()}
    };
    let label = format!("{total} issues finished over {n} periods; at most {most} in one period");
    let caption = format!("Throughput ({} unfinished)", cycle.unfinished);
    chart("chart", caption, h, label, drawn, None)
}
