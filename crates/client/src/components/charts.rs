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
        view! { <StackedBars rows=charts.largest.clone() columns=columns.clone() unit=unit.clone() /> }
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
                    <text x=px y=y + 16.0 text-anchor="middle">
                        {axis.label(*v)}
                    </text>
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

/// Horizontal bars: the mean per column.
#[component]
fn AverageBars(averages: Vec<(String, f64)>, unit: String) -> impl IntoView {
    let max = averages.iter().map(|a| a.1).fold(0.0, f64::max);
    let (axis, t, top) = Axis::of(&unit, max);
    let bar = 22.0;
    let h = TOP + averages.len() as f64 * (bar + 8.0) + 28.0;
    let x = Scale::new((0.0, top), (LEFT, W - RIGHT));
    let bottom = h - 28.0;
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
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!("{title}, in {}: {desc}", axis.describe())
            >
                {x_axis(axis, &t, &x, bottom)}
                {averages
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, v))| {
                        let y = TOP + i as f64 * (bar + 8.0);
                        let label = axis.label(v);
                        view! {
                            <g>
                                <text
                                    x=LEFT - 8.0
                                    y=y + bar / 2.0 + 4.0
                                    text-anchor="end"
                                    class="label"
                                >
                                    {truncate(&name, 22)}
                                </text>
                                <rect
                                    x=LEFT
                                    y=y
                                    width=(x.at(v) - LEFT).max(1.0)
                                    height=bar
                                    fill=colour(i)
                                >
                                    <title>{format!("{name}: {label}")}</title>
                                </rect>
                                <text x=x.at(v) + 4.0 y=y + bar / 2.0 + 4.0 class="value">
                                    {label.clone()}
                                </text>
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
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

/// One stacked bar per row (the largest rows), a segment per column.
#[component]
fn StackedBars(rows: Vec<(String, Vec<f64>)>, columns: Vec<String>, unit: String) -> impl IntoView {
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let (axis, t, top) = Axis::of(&unit, max);
    let bar = 16.0;
    let h = TOP + rows.len() as f64 * (bar + 6.0) + 28.0;
    let x = Scale::new((0.0, top), (LEFT, W - RIGHT));
    let bottom = h - 28.0;
    let legend = columns.clone();
    let n = rows.len();
    view! {
        <figure class="chart">
            <figcaption>{format!("The {n} largest rows, by column")}</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!(
                    "Stacked bars of the {n} rows with the largest totals, in {}; the table has every value",
                    axis.describe(),
                )
            >
                {x_axis(axis, &t, &x, bottom)}
                {rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, values))| {
                        let y = TOP + i as f64 * (bar + 6.0);
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
                                    <rect
                                        x=x0
                                        y=y
                                        width=(x.at(at) - x0).max(0.5)
                                        height=bar
                                        fill=colour(c)
                                    >
                                        <title>
                                            {format!("{label} · {name}: {}", axis.label(*v))}
                                        </title>
                                    </rect>
                                }
                            })
                            .collect_view();
                        view! {
                            <g>
                                <text
                                    x=LEFT - 8.0
                                    y=y + bar / 2.0 + 4.0
                                    text-anchor="end"
                                    class="label"
                                >
                                    {truncate(&label, 22)}
                                </text>
                                {segments}
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
            <Legend names=legend />
        </figure>
    }
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
                    {(p % every == 0)
                        .then(|| {
                            view! {
                                <text x=x0 + width / 2.0 y=bottom + 16.0 text-anchor="middle">
                                    {short_period(name)}
                                </text>
                            }
                        })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart period-chart">
            <figcaption>"Time per period"</figcaption>
            <svg viewBox=format!("0 0 {W} {h}") role="img" aria-label=label>
                {y_axis(axis, &t, &y, left, W - RIGHT)}
                {drawn}
            </svg>
            <Legend names=legend />
        </figure>
    }
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
    view! {
        <figure class="chart">
            <figcaption>"Cumulative flow"</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!(
                    "Issues in each status per day from {first} to {last}, stacked; at most {max} issues on one day",
                )
            >
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
                    .map(|(i, date)| {
                        view! {
                            <text x=x.at(i as f64) y=bottom + 16.0 text-anchor="middle">
                                {date.get(5..).unwrap_or(date).to_string()}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
            <Legend names=flow.columns.clone() />
        </figure>
    }
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
    view! {
        <figure class="chart">
            <figcaption>"Cycle time of finished issues"</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!(
                    "Scatter of {n} finished issues by finish date and cycle time; {summary}",
                )
            >
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
            </svg>
        </figure>
    }
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
    view! {
        <figure class="chart">
            <figcaption>"Distribution of cycle times"</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!(
                    "Histogram of {} cycle times in 20 bins up to {}",
                    values.len(),
                    axis.label(top),
                )
            >
                {y_axis(Axis { unit: None }, &t, &y, left, W - RIGHT)}
                {bins
                    .iter()
                    .map(|(a, b, c)| {
                        view! {
                            <rect
                                x=x.at(*a) + 1.0
                                y=y.at(f64::from(*c))
                                width=(x.at(*b) - x.at(*a) - 2.0).max(0.5)
                                height=bottom - y.at(f64::from(*c))
                                fill=colour(0)
                            >
                                <title>
                                    {format!(
                                        "{} to {}: {c} issues",
                                        axis.label(*a),
                                        axis.label(*b),
                                    )}
                                </title>
                            </rect>
                        }
                    })
                    .collect_view()}
                {xt
                    .iter()
                    .map(|v| {
                        view! {
                            <text x=x.at(*v) y=bottom + 16.0 text-anchor="middle">
                                {axis.label(*v)}
                            </text>
                        }
                    })
                    .collect_view()}
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
            </svg>
        </figure>
    }
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
    view! {
        <figure class="chart">
            <figcaption>{format!("Throughput ({} unfinished)", cycle.unfinished)}</figcaption>
            <svg
                viewBox=format!("0 0 {W} {h}")
                role="img"
                aria-label=format!(
                    "{total} issues finished over {n} periods; at most {most} in one period",
                )
            >
                {y_axis(Axis { unit: None }, &t, &y, left, W - RIGHT)}
                {cycle
                    .throughput
                    .iter()
                    .enumerate()
                    .map(|(i, (start, c))| {
                        let x0 = left + i as f64 * slot;
                        view! {
                            <rect
                                x=x0 + 1.0
                                y=y.at(f64::from(*c))
                                width=(slot - 2.0).max(0.5)
                                height=bottom - y.at(f64::from(*c))
                                fill=colour(2)
                            >
                                <title>{format!("{start}: {c}")}</title>
                            </rect>
                            {(i % every == 0)
                                .then(|| {
                                    view! {
                                        <text
                                            x=x0 + slot / 2.0
                                            y=bottom + 16.0
                                            text-anchor="middle"
                                        >
                                            {start.get(5..).unwrap_or(start).to_string()}
                                        </text>
                                    }
                                })}
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
}
