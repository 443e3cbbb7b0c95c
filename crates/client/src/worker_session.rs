//! The worker's session: one report run's data and its report, as the worker holds them.
//! Jira documents go into an [`engine::Dataset`] as they arrive, [`Session::compute`] makes
//! the [`engine::Report`], and [`ReportSummary`] and [`Session::rows`] turn it into what the
//! page shows: formatted text next to the numbers it sorts and charts by.
//!
//! The page never holds the whole report: it asks for the rows it displays, in the order it
//! wants, so fifty thousand issues cost the page only the rows on screen. Plain Rust, tested
//! natively; the worker binary is the only caller in the browser, so the engine and the
//! time-zone database stay out of the page's download.

use std::collections::HashSet;

use config::{CalendarRef, KindTag, ReportConfig, ReportKind, TimesheetRows};
use engine::{Context, Dataset, Details, Num, Report, RowKind, Unit};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::fetch::Delivery;

/// One run's data and its latest report.
#[derive(Debug, Default)]
pub struct Session {
    dataset: Dataset,
    /// Documents that could not be read, with why (the report is then partial).
    problems: Vec<String>,
    report: Option<Report>,
    /// Row order for the current sort: indexes into `report.rows`.
    order: Vec<usize>,
    sort: Option<SortBy>,
    /// Row totals, for the total column, sorting and the stacked chart: the sum of the
    /// duration/count columns, or a timesheet's own `Total` column, or a group row's own
    /// (the engine's mean or median over its issues' totals).
    totals: Vec<Option<f64>>,
    /// Every issue whose changelog batch finished. Issue pages and changelog batches arrive
    /// in any order, and the dataset ignores marks for issues it has not seen yet, so the
    /// marks are applied again before each computation.
    changelogs_complete: Vec<String>,
    /// The configuration and context of the latest report, to list a timesheet cell's
    /// worklogs exactly as it counted them.
    computed_with: Option<(ReportConfig, Context)>,
}

/// What the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SortBy {
    Label { descending: bool },
    Field { index: usize, descending: bool },
    Column { index: usize, descending: bool },
    Total { descending: bool },
}

impl SortBy {
    pub fn descending(self) -> bool {
        match self {
            SortBy::Label { descending }
            | SortBy::Field { descending, .. }
            | SortBy::Column { descending, .. }
            | SortBy::Total { descending } => descending,
        }
    }
}

impl Session {
    /// A session that keeps `fields` (what the run asked Jira for: see
    /// [`crate::fetch::FetchSpec::fields`]), so the table can be regrouped by any of them.
    pub fn new(fields: &[String]) -> Self {
        Session {
            dataset: Dataset::for_fields(fields),
            ..Session::default()
        }
    }

    /// Loads one document. A document that cannot be read is recorded, not fatal: the report
    /// says which data is missing.
    pub fn add(&mut self, delivery: &Delivery) {
        let result = match delivery {
            Delivery::Issues(body) => self.dataset.add_search_page(body.as_bytes()).map(drop),
            Delivery::Changelogs(body) => self
                .dataset
                .add_bulk_changelog_page(body.as_bytes())
                .map(drop),
            Delivery::ChangelogsComplete(ids) => {
                self.dataset.mark_changelogs_complete(ids);
                self.changelogs_complete.extend(ids.iter().cloned());
                Ok(())
            }
            Delivery::Statuses(body) => self.dataset.add_statuses(body.as_bytes()).map(drop),
            Delivery::Fields(body) => self.dataset.add_fields(body.as_bytes()).map(drop),
            Delivery::Worklogs { issue, body } => self
                .dataset
                .add_issue_worklog_page(issue, body.as_bytes())
                .map(drop),
            Delivery::WorklogList(body) => self
                .dataset
                .add_worklog_list_of_loaded(body.as_bytes())
                .map(drop),
        };
        if let Err(e) = result {
            self.problems
                .push(format!("a page Jira sent could not be read: {e}"));
        }
    }

    #[doc(hidden)]
    pub fn dataset_for_bench(&self) -> &Dataset {
        &self.dataset
    }

    pub fn issue_count(&self) -> usize {
        self.dataset.issue_count()
    }

    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Computes the report and returns what the page needs to lay it out.
    pub fn compute(
        &mut self,
        config: &ReportConfig,
        ctx: &Context,
    ) -> Result<ReportSummary, engine::ComputeError> {
        self.dataset
            .mark_changelogs_complete(&self.changelogs_complete);
        let report = engine::compute(&self.dataset, config, ctx)?;
        self.totals = report
            .rows
            .iter()
            .map(|r| {
                r.total
                    .map(Num::as_f64)
                    .or_else(|| row_total(&report, &r.values))
            })
            .collect();
        let summary = ReportSummary::new(&report, &self.totals, &self.problems, config);
        self.report = Some(report);
        self.computed_with = Some((config.clone(), ctx.clone()));
        self.sort = None;
        self.order = (0..self.totals.len()).collect();
        Ok(summary)
    }

    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// The worklogs behind a cell of the latest timesheet: row `row` (its position in the
    /// report, as [`RowView::index`]; a group row stands for its issues; `None` for every row)
    /// and column `column` (`None`, or the `Total` column, for every period). The engine lists
    /// them as it counted them ([`engine::timesheet_worklogs`]); at most [`CELL_WORKLOGS`] are
    /// returned, the earliest first, and the total is over all of them.
    pub fn cell_worklogs(
        &self,
        row: Option<usize>,
        column: Option<usize>,
    ) -> Result<CellWorklogs, String> {
        let (Some(report), Some((config, ctx))) = (&self.report, &self.computed_with) else {
            return Err("no report to read; run it again".into());
        };
        let ReportKind::Timesheet(t) = &config.kind else {
            return Err("only a timesheet's cells list worklogs".into());
        };
        // Rows by key, never by label: two people (or issues) may share a label.
        let rows: Option<HashSet<&str>> = match row {
            None => None,
            Some(i) => {
                let r = report.rows.get(i).ok_or("no such row")?;
                // A group with rows under it stands for them; any other row (a person, an
                // issue) is what the worklogs name.
                let leaves: Vec<usize> = if is_leaf(report, i) {
                    vec![i]
                } else {
                    (i + 1..report.rows.len())
                        .take_while(|&j| report.rows[j].depth > r.depth)
                        .filter(|&j| is_leaf(report, j))
                        .collect()
                };
                Some(
                    leaves
                        .into_iter()
                        .filter_map(|j| report.rows[j].key.as_deref())
                        .collect(),
                )
            }
        };
        let last = report.columns.len().saturating_sub(1);
        let period = match column {
            Some(c) if c < last => Some(c),
            Some(c) if c == last => None,
            Some(_) => return Err("no such column".into()),
            None => None,
        };
        let column_name = period.map(|c| report.columns[c].name.as_str());
        let mut all =
            engine::timesheet_worklogs(&self.dataset, config, ctx).map_err(|e| e.to_string())?;
        all.retain(|w| {
            rows.as_ref()
                .is_none_or(|r| r.contains(&w.row_key.as_str()))
                && period.is_none_or(|c| w.column_index == c)
        });
        all.sort_by(|a, b| {
            a.started
                .cmp(&b.started)
                .then_with(|| a.issue.cmp(&b.issue))
        });
        let tz = TimeZone::get(&t.time_zone).unwrap_or(TimeZone::UTC);
        let table_tz = TimeZone::get(&report.time_zone).unwrap_or(TimeZone::UTC);
        let duration =
            |seconds: f64| format(report, Some(Num::Float(seconds)), Unit::Duration, &table_tz);
        let total_seconds: f64 = all.iter().map(|w| w.seconds).sum();
        let mut partial: Vec<String> = all
            .iter()
            .filter(|w| w.partial)
            .map(|w| w.issue.clone())
            .collect();
        partial.sort();
        partial.dedup();
        let title = format!(
            "{} · {}",
            match row {
                None => "All rows".to_string(),
                Some(i) => report.rows[i].label.clone(),
            },
            column_name.unwrap_or("Total")
        );
        let more = all.len().saturating_sub(CELL_WORKLOGS);
        Ok(CellWorklogs {
            title,
            time_zone: t.time_zone.clone(),
            total_text: duration(total_seconds),
            total_seconds,
            more,
            partial,
            worklogs: all
                .into_iter()
                .take(CELL_WORKLOGS)
                .map(|w| WorklogView {
                    started: w
                        .started
                        .to_zoned(tz.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string(),
                    duration: duration(w.seconds),
                    issue: w.issue,
                    id: w.worklog_id,
                    author: w.author,
                    seconds: w.seconds,
                    partial: w.partial,
                })
                .collect(),
        })
    }

    /// Rows `start..start + count` in `sort` order (groups keep their issues under them).
    pub fn rows(&mut self, sort: Option<SortBy>, start: usize, count: usize) -> Vec<RowView> {
        let Some(report) = &self.report else {
            return Vec::new();
        };
        if sort != self.sort {
            self.order = sorted_order(report, &self.totals, sort);
            self.sort = sort;
        }
        let tz = TimeZone::get(&report.time_zone).unwrap_or(TimeZone::UTC);
        self.order
            .iter()
            .skip(start)
            .take(count)
            .map(|&i| RowView::new(report, i, self.totals[i], &tz))
            .collect()
    }
}

/// The sum of a row's duration or count columns (`None` for dates, or when all are empty).
/// A timesheet's last column is already its total (summing it again would double it); a
/// capacity report's columns (logged, capacity, percent, days) have no meaningful sum.
fn row_total(report: &Report, values: &[Option<Num>]) -> Option<f64> {
    match report.kind {
        KindTag::Timesheet => return values.last().copied().flatten().map(Num::as_f64),
        KindTag::Capacity => return None,
        _ => {}
    }
    let summable = report
        .columns
        .iter()
        .all(|c| matches!(c.unit, Unit::Duration | Unit::Count));
    if !summable || report.columns.is_empty() {
        return None;
    }
    let present: Vec<f64> = values.iter().flatten().map(|v| v.as_f64()).collect();
    (!present.is_empty()).then(|| present.iter().sum())
}

/// Sorts siblings, keeping every group's rows under it: rows form a tree by `depth`.
fn sorted_order(report: &Report, totals: &[Option<f64>], sort: Option<SortBy>) -> Vec<usize> {
    let Some(sort) = sort else {
        return (0..report.rows.len()).collect();
    };
    // Build the tree: each node's children, in report order.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); report.rows.len() + 1];
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let root = report.rows.len();
    for (i, row) in report.rows.iter().enumerate() {
        while stack.last().is_some_and(|(d, _)| *d >= row.depth) {
            stack.pop();
        }
        let parent = stack.last().map_or(root, |(_, p)| *p);
        children[parent].push(i);
        if row.kind == RowKind::Group {
            stack.push((row.depth, i));
        }
    }
    let key = |i: usize| -> SortKey {
        let row = &report.rows[i];
        match sort {
            SortBy::Label { .. } => SortKey::Text(natural_key(&row.label)),
            SortBy::Field { index, .. } => SortKey::Text(natural_key(
                row.fields.get(index).map_or("", String::as_str),
            )),
            SortBy::Column { index, .. } => {
                SortKey::Number(row.values.get(index).copied().flatten().map(Num::as_f64))
            }
            SortBy::Total { .. } => SortKey::Number(totals[i]),
        }
    };
    let descending = sort.descending();
    let mut out = Vec::with_capacity(report.rows.len());
    fn walk(
        node: usize,
        children: &mut [Vec<usize>],
        key: &dyn Fn(usize) -> SortKey,
        descending: bool,
        out: &mut Vec<usize>,
    ) {
        let mut kids = std::mem::take(&mut children[node]);
        kids.sort_by(|&a, &b| SortKey::compare(&key(a), &key(b), descending));
        for k in kids {
            out.push(k);
            walk(k, children, key, descending, out);
        }
    }
    walk(root, &mut children, &key, descending, &mut out);
    out
}

#[derive(Debug, PartialEq)]
enum SortKey {
    Text(Vec<TextPart>),
    Number(Option<f64>),
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum TextPart {
    Number(u64),
    Text(String),
}

/// `DW-10` sorts after `DW-9`: digit runs compare as numbers.
fn natural_key(s: &str) -> Vec<TextPart> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                out.push(TextPart::Text(std::mem::take(&mut text).to_lowercase()));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push(TextPart::Number(digits.parse().unwrap_or(u64::MAX)));
                digits.clear();
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        out.push(TextPart::Number(digits.parse().unwrap_or(u64::MAX)));
    }
    if !text.is_empty() {
        out.push(TextPart::Text(text.to_lowercase()));
    }
    out
}

impl SortKey {
    /// Empty values go last whichever the direction.
    fn compare(a: &SortKey, b: &SortKey, descending: bool) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let ord = match (a, b) {
            (SortKey::Number(Some(x)), SortKey::Number(Some(y))) => x.total_cmp(y),
            (SortKey::Number(None), SortKey::Number(None)) => Ordering::Equal,
            (SortKey::Number(None), _) => return Ordering::Greater,
            (_, SortKey::Number(None)) => return Ordering::Less,
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            _ => Ordering::Equal,
        };
        if descending { ord.reverse() } else { ord }
    }
}

/// The most worklogs one drill-down lists (one `worklog/list` request reads their comments).
pub const CELL_WORKLOGS: usize = 500;

/// The worklogs behind a timesheet cell (or a row's or column's total), as the drill-down
/// lists them. Comments are not here: the page reads them from Jira by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellWorklogs {
    /// Which cell, in words: `row · column`.
    pub title: String,
    /// The zone `started` is written in: the timesheet's own.
    pub time_zone: String,
    pub worklogs: Vec<WorklogView>,
    /// How many more there are than listed.
    pub more: usize,
    /// The sum of every worklog's part in the cell, as the table writes durations.
    pub total_text: String,
    pub total_seconds: f64,
    /// Issues some of whose worklogs could not be read.
    pub partial: Vec<String>,
}

/// One worklog (or its part on one day, when split by day) in a drill-down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorklogView {
    /// The issue's key.
    pub issue: String,
    /// Jira's worklog id, for its comment.
    pub id: Option<String>,
    /// The author's display name.
    pub author: String,
    /// When it started, in the timesheet's zone (`2026-10-27 09:30`).
    pub started: String,
    /// The seconds counted in the cell, and the same as the table writes durations.
    pub seconds: f64,
    pub duration: String,
    /// Not every worklog of this issue could be read.
    pub partial: bool,
}

/// A column as the table heads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnView {
    pub name: String,
    /// `duration`, `count` or `timestamp`.
    pub unit: String,
    /// A timesheet period without working time (a weekend or holiday), shaded in the table.
    #[serde(default)]
    pub off: bool,
}

/// One statistic row (count, mean, p85...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatView {
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub text: Vec<String>,
}

/// One table row, formatted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    /// Position in the report, stable across sorts (a key for the page).
    pub index: usize,
    pub kind: RowKindView,
    pub depth: u8,
    pub label: String,
    pub issues: u32,
    pub fields: Vec<String>,
    /// Numbers: seconds, counts, or epoch seconds, for charts.
    pub values: Vec<Option<f64>>,
    /// The same, as the report's format writes them.
    pub text: Vec<String>,
    pub total: Option<f64>,
    pub total_text: String,
    pub stats: Vec<StatView>,
    /// Why this row's numbers are uncertain, in words.
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowKindView {
    Group,
    Issue,
    Day,
}

fn format(report: &Report, value: Option<Num>, unit: Unit, tz: &TimeZone) -> String {
    value.map_or_else(String::new, |v| {
        engine::format_value(v, unit, &report.duration_format, tz)
    })
}

impl RowView {
    fn new(report: &Report, index: usize, total: Option<f64>, tz: &TimeZone) -> Self {
        let row = &report.rows[index];
        let units: Vec<Unit> = report.columns.iter().map(|c| c.unit).collect();
        let text = row
            .values
            .iter()
            .zip(&units)
            .map(|(v, u)| format(report, *v, *u, tz))
            .collect();
        let total_unit = units.first().copied().unwrap_or(Unit::Count);
        RowView {
            index,
            kind: match row.kind {
                RowKind::Group => RowKindView::Group,
                RowKind::Issue => RowKindView::Issue,
                RowKind::Day => RowKindView::Day,
            },
            depth: row.depth,
            label: row.label.clone(),
            issues: row.issues,
            fields: row.fields.clone(),
            values: row.values.iter().map(|v| v.map(Num::as_f64)).collect(),
            text,
            total,
            total_text: total
                .map(|t| format(report, Some(Num::Float(t)), total_unit, tz))
                .unwrap_or_default(),
            stats: row
                .stats
                .iter()
                .map(|a| stat_view(report, a, &units, tz))
                .collect(),
            flags: row
                .flags
                .iter()
                .map(|f| match f {
                    engine::Flag::TruncatedChangelog => "only part of the history was read",
                    engine::Flag::MissingChangelog => "no history was read",
                    engine::Flag::StatusMismatch => {
                        "the last change does not lead to the current status"
                    }
                })
                .map(str::to_string)
                .collect(),
        }
    }
}

fn stat_view(report: &Report, a: &engine::Aggregate, units: &[Unit], tz: &TimeZone) -> StatView {
    let count = matches!(a.function, config::AggregateFn::Count);
    StatView {
        label: a.label.clone(),
        values: a.values.iter().map(|v| v.map(Num::as_f64)).collect(),
        text: a
            .values
            .iter()
            .zip(units)
            .map(|(v, u)| format(report, *v, if count { Unit::Count } else { *u }, tz))
            .collect(),
    }
}

/// Everything about a report but its rows: what the page lays out, charts and warns about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportSummary {
    pub name: String,
    /// The report kind, as in the configuration (`timeInStatus`...).
    pub kind: String,
    /// What the first column's rows are (`Issue`, `Person`, `Day`, `Group / issue`), as the
    /// CLI's CSV heads it where they agree.
    pub row_label: String,
    /// The last column is the engine's own `Total` (timesheets): the table shows no second
    /// total and the stacked chart leaves it out.
    pub total_column: bool,
    pub group_names: Vec<String>,
    /// What a group row's numbers are when they are not sums: `mean per issue` or `median
    /// per issue`; empty for sums and for reports without groups.
    #[serde(default)]
    pub group_note: String,
    pub field_names: Vec<String>,
    pub columns: Vec<ColumnView>,
    pub row_count: usize,
    pub issue_count: u32,
    /// Whether rows have a meaningful total (all columns durations or counts).
    pub has_total: bool,
    pub totals: Vec<StatView>,
    pub warnings: Vec<String>,
    /// [`Charts`] as JSON: the page hands it to the charts' module without reading it.
    pub charts: String,
}

/// Chart data, in plain numbers (seconds, counts, epoch milliseconds) and ISO dates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charts {
    /// Mean per column over issues that have a value: (column name, seconds or count).
    pub averages: Vec<(String, f64)>,
    /// The rows with the largest totals, for stacked bars: (label, values per column).
    pub largest: Vec<(String, Vec<f64>)>,
    /// What the largest rows' values are when they are groups that show a mean or median
    /// ([`ReportSummary::group_note`]); empty otherwise.
    #[serde(default)]
    pub group_note: String,
    pub flow: Option<Flow>,
    pub cycle: Option<Cycle>,
    /// A timesheet's time per period, stacked by row.
    #[serde(default)]
    pub periods: Option<PeriodBars>,
    pub unit: String,
}

/// A timesheet by period: one bar per period column, a segment per row (the rows with the
/// most time, the rest as one `Other rows` segment), so each bar's total is the column's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodBars {
    /// The periods, as the table heads their columns.
    pub periods: Vec<String>,
    /// The segments' names, bottom first: the legend.
    pub rows: Vec<String>,
    /// Seconds per segment and period: `seconds[row][period]`.
    pub seconds: Vec<Vec<f64>>,
    /// Seconds per period over every row.
    pub totals: Vec<f64>,
}

/// Cumulative flow: issues per status column at the end of each day.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub dates: Vec<String>,
    pub columns: Vec<String>,
    pub counts: Vec<Vec<u32>>,
}

/// Cycle times of finished issues.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    /// (finish instant in epoch ms, cycle time in seconds, issue key).
    pub points: Vec<(f64, f64, String)>,
    /// (percentile, seconds).
    pub percentiles: Vec<(f64, f64)>,
    /// Finished issues per period: (period start, count).
    pub throughput: Vec<(String, u32)>,
    pub unfinished: u32,
}

/// How many of the largest rows the stacked chart shows.
pub const STACKED_ROWS: usize = 25;

/// How many rows the period chart stacks by name (one colour each; the rest are `Other rows`).
pub const PERIOD_ROWS: usize = 7;

/// Whether row `i` has no rows under it: an issue, a timesheet's person, or an empty group.
fn is_leaf(report: &Report, i: usize) -> bool {
    let depth = report.rows[i].depth;
    report
        .rows
        .get(i + 1)
        .is_none_or(|next| next.depth <= depth)
}

/// A timesheet's bars per period (day, week or month columns), over its person or issue rows
/// (the rows with nothing under them; groups are sums of theirs). `None` for other reports and other columns.
fn period_bars(report: &Report) -> Option<PeriodBars> {
    let Details::Timesheet { periods, .. } = &report.details else {
        return None;
    };
    if report.kind != KindTag::Timesheet || periods.is_empty() {
        return None;
    }
    let n = periods.len().min(report.columns.len().saturating_sub(1));
    let leaves: Vec<(&str, Vec<f64>)> = report
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| is_leaf(report, *i))
        .map(|(_, r)| {
            let values = (0..n)
                .map(|c| r.values.get(c).copied().flatten().map_or(0.0, Num::as_f64))
                .collect();
            (r.label.as_str(), values)
        })
        .collect();
    let mut order: Vec<usize> = (0..leaves.len()).collect();
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    order.sort_by(|&a, &b| sum(&leaves[b].1).total_cmp(&sum(&leaves[a].1)));
    let named = if order.len() > PERIOD_ROWS {
        PERIOD_ROWS - 1
    } else {
        order.len()
    };
    let mut rows: Vec<String> = Vec::new();
    let mut seconds: Vec<Vec<f64>> = Vec::new();
    for &i in &order[..named] {
        rows.push(leaves[i].0.to_string());
        seconds.push(leaves[i].1.clone());
    }
    if order.len() > named {
        let mut other = vec![0.0; n];
        for &i in &order[named..] {
            for (o, v) in other.iter_mut().zip(&leaves[i].1) {
                *o += v;
            }
        }
        rows.push(format!("Other rows ({})", order.len() - named));
        seconds.push(other);
    }
    let totals = (0..n)
        .map(|c| leaves.iter().map(|(_, v)| v[c]).sum())
        .collect();
    Some(PeriodBars {
        periods: report.columns[..n].iter().map(|c| c.name.clone()).collect(),
        rows,
        seconds,
        totals,
    })
}

impl ReportSummary {
    fn new(
        report: &Report,
        totals: &[Option<f64>],
        problems: &[String],
        config: &ReportConfig,
    ) -> Self {
        let tz = TimeZone::get(&report.time_zone).unwrap_or(TimeZone::UTC);
        let units: Vec<Unit> = report.columns.iter().map(|c| c.unit).collect();
        let worklogs = matches!(report.kind, KindTag::Timesheet | KindTag::Capacity);
        let total_column = report.kind == KindTag::Timesheet;
        let has_total = !worklogs
            && !units.is_empty()
            && units
                .iter()
                .all(|u| matches!(u, Unit::Duration | Unit::Count));
        let row_label = match &config.kind {
            ReportKind::StatusPerDay { .. } => "Day",
            ReportKind::Capacity(_) => "Person",
            ReportKind::Timesheet(t) if t.rows == TimesheetRows::Person => "Person",
            _ if !report.group_by.is_empty() => "Group / issue",
            _ => "Issue",
        };
        let off = off_columns(report, !matches!(config.calendar, CalendarRef::AllTime));
        let group_note = match report.group_value {
            _ if report.group_by.is_empty() => "",
            config::GroupValue::Sum => "",
            other => other.describe(),
        };
        let issue_rows: Vec<&engine::Row> = report
            .rows
            .iter()
            .filter(|r| r.kind == RowKind::Issue)
            .collect();
        // A mean per column is about issues; a timesheet's columns are periods or people.
        let averages = report
            .columns
            .iter()
            .enumerate()
            .filter(|_| !worklogs)
            .filter(|(_, c)| matches!(c.unit, Unit::Duration | Unit::Count))
            .filter_map(|(i, c)| {
                let vals: Vec<f64> = issue_rows
                    .iter()
                    .filter_map(|r| r.values.get(i).copied().flatten())
                    .map(Num::as_f64)
                    .collect();
                (!vals.is_empty())
                    .then(|| (c.name.clone(), vals.iter().sum::<f64>() / vals.len() as f64))
            })
            .collect();
        let mut largest: Vec<(usize, f64)> = report
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind != RowKind::Day && r.depth == 0)
            .filter_map(|(i, _)| totals[i].map(|t| (i, t)))
            .collect();
        largest.sort_by(|a, b| b.1.total_cmp(&a.1));
        let largest = if has_total || total_column {
            let parts = report
                .columns
                .len()
                .saturating_sub(usize::from(total_column));
            largest
                .into_iter()
                .take(STACKED_ROWS)
                .map(|(i, _)| {
                    let r = &report.rows[i];
                    (
                        r.label.clone(),
                        r.values
                            .iter()
                            .take(parts)
                            .map(|v| v.map_or(0.0, Num::as_f64))
                            .collect(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let (flow, cycle) = match &report.details {
            engine::Details::StatusPerDay {
                dates,
                columns,
                counts,
            } => (
                Some(Flow {
                    dates: dates.iter().map(ToString::to_string).collect(),
                    columns: columns.clone(),
                    counts: counts.clone(),
                }),
                None,
            ),
            engine::Details::Throughput {
                buckets,
                percentiles,
                points,
                unfinished,
                ..
            } => (
                None,
                Some(Cycle {
                    points: points
                        .iter()
                        .filter_map(|p| {
                            p.seconds
                                .map(|s| (p.done.as_millisecond() as f64, s as f64, p.key.clone()))
                        })
                        .collect(),
                    percentiles: percentiles.iter().map(|p| (p.p, p.seconds)).collect(),
                    throughput: buckets
                        .iter()
                        .map(|b| (b.start.to_string(), b.count))
                        .collect(),
                    unfinished: *unfinished,
                }),
            ),
            _ => (None, None),
        };
        let unit = match units.first() {
            Some(Unit::Count) => "count",
            Some(Unit::Timestamp) => "timestamp",
            _ => "duration",
        };
        let mut warnings: Vec<String> = problems.to_vec();
        warnings.extend(report.warnings.iter().map(|w| {
            if w.issues.is_empty() {
                w.message.clone()
            } else {
                let more = w.count as usize - w.issues.len().min(w.count as usize);
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!("{} ({}{tail})", w.message, w.issues.join(", "))
            }
        }));
        ReportSummary {
            name: report.name.clone(),
            kind: report.kind.slug().to_string(),
            row_label: row_label.to_string(),
            total_column,
            group_names: report.group_by.iter().map(|f| f.name.clone()).collect(),
            group_note: group_note.to_string(),
            field_names: report.fields.iter().map(|f| f.name.clone()).collect(),
            columns: report
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ColumnView {
                    off: off.get(i).copied().unwrap_or(false),
                    name: c.name.clone(),
                    unit: match c.unit {
                        Unit::Duration => "duration",
                        Unit::Count => "count",
                        Unit::Timestamp => "timestamp",
                    }
                    .to_string(),
                })
                .collect(),
            row_count: report.rows.len(),
            issue_count: report.issue_count,
            has_total,
            totals: report
                .totals
                .iter()
                .map(|a| stat_view(report, a, &units, &tz))
                .collect(),
            warnings,
            charts: serde_json::to_string(&Charts {
                averages,
                largest,
                group_note: group_note.to_string(),
                flow,
                cycle,
                periods: period_bars(report),
                unit: unit.to_string(),
            })
            .unwrap_or_default(),
        }
    }
}

/// Which of a timesheet's columns are periods without working time: those the report's
/// calendar has none in (the engine's `off`), or, without a calendar, Saturdays and Sundays.
/// Capacity reports' columns are measures, never periods.
fn off_columns(report: &Report, has_calendar: bool) -> Vec<bool> {
    use jiff::civil::Weekday;
    match &report.details {
        Details::Timesheet { periods, .. } if report.kind == KindTag::Timesheet => periods
            .iter()
            .map(|p| {
                p.off
                    || (!has_calendar
                        && p.start == p.end
                        && matches!(p.start.weekday(), Weekday::Saturday | Weekday::Sunday))
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the drill-down picked a row's worklogs by its label, so of two people
    /// named alike, each row listed both people's worklogs (and the totals did not match the
    /// cells).
    #[test]
    fn two_people_of_one_name_keep_their_own_worklogs() {
        let sam = |id: &str| serde_json::json!({"accountId": id, "displayName": "Sam"});
        let log = |id: &str, who: &str, seconds: u32| {
            serde_json::json!({"id": id, "author": sam(who), "timeSpentSeconds": seconds,
                "started": "2026-10-26T09:00:00.000+0000"})
        };
        let page = serde_json::json!({"isLast": true, "issues": [
            {"id": "1", "key": "DW-1", "fields": {"created": "2026-01-01T00:00:00.000+0000",
              "worklog": {"startAt": 0, "maxResults": 20, "total": 3, "worklogs": [
                log("10", "a", 3600), log("11", "b", 1800), log("12", "a", 600)]}}}]});
        let now: jiff::Timestamp = "2026-10-28T00:00:00Z".parse().unwrap();
        let session = |rows: &str, columns: &str| {
            let config = config::parse_report(
                &serde_json::json!({"schemaVersion": 1, "name": "week", "kind": {
                    "type": "timesheet", "rows": rows, "columns": columns,
                    "dates": {"type": "fixed", "from": "2026-10-26", "to": "2026-10-27"},
                    "timeZone": "UTC"}})
                .to_string(),
            )
            .unwrap();
            let spec =
                crate::fetch::FetchSpec::for_report(crate::api::jira::Flavour::Cloud, &config);
            let mut session = Session::new(&spec.fields);
            session.add(&Delivery::Issues(page.to_string().into()));
            session.compute(&config, &Context::new(now)).unwrap();
            session
        };
        let ids = |session: &Session, row, column| -> Vec<String> {
            let cell = session.cell_worklogs(row, column).unwrap();
            cell.worklogs.into_iter().filter_map(|w| w.id).collect()
        };
        // A row per person, `a` (seen first) above `b`, both named Sam.
        let people = session("person", "day");
        assert_eq!(ids(&people, Some(0), None), ["10", "12"]);
        assert_eq!(ids(&people, Some(1), None), ["11"]);
        assert_eq!(ids(&people, Some(1), Some(0)), ["11"]);
        // A column per person in the person × issue matrix.
        let matrix = session("issue", "person");
        assert_eq!(ids(&matrix, Some(0), Some(0)), ["10", "12"]);
        assert_eq!(ids(&matrix, None, Some(1)), ["11"]);
        assert_eq!(ids(&matrix, Some(0), Some(2)).len(), 3, "the Total column");
    }

    /// Jira's answers reach the worker as the bytes Jira sent (nothing decodes them to text
    /// on the way): a page that is not UTF-8 where the engine reads it is a problem the
    /// report names, never a key or name with a replaced character.
    #[test]
    fn a_page_that_is_not_utf8_is_a_problem_the_report_names() {
        let page = |key: &[u8]| {
            let head = br#"{"issues":[{"id":"1","key":""#;
            let tail = br#"","fields":{"created":"2026-01-01T00:00:00.000+0000"}}]}"#;
            crate::api::body::Body::from([&head[..], key, &tail[..]].concat())
        };
        let mut fine = Session::new(&[]);
        fine.add(&Delivery::Issues(page(b"DW-1")));
        assert_eq!((fine.issue_count(), fine.problems().len()), (1, 0));
        let mut latin1 = Session::new(&[]);
        latin1.add(&Delivery::Issues(page(b"DW-\xe91")));
        assert_eq!(latin1.issue_count(), 0);
        assert_eq!(latin1.problems().len(), 1);
        assert!(
            latin1.problems()[0].starts_with("a page Jira sent could not be read: "),
            "{:?}",
            latin1.problems()
        );
    }

    /// A group row showing the mean per issue: its values and Total are the engine's
    /// (worked out by hand below), the table sorts groups by that Total, and the summary and
    /// chart say what the numbers are.
    #[test]
    fn a_mean_group_row_shows_and_sorts_by_the_mean_total() {
        // Created at 00:00, now 10:00, Done hidden. Bug: B-1 To Do 2h then Done; B-2 To Do
        // 6h, In Progress 4h. Story: S-1 To Do 5h, In Progress 5h. Means per issue (issues
        // that never entered a status left out): Bug To Do 4h, In Progress 4h, Total
        // (2 + 10) / 2 = 6h (not the 8h its cells add up to); Story 5h, 5h, Total 10h. Sums
        // would put Bug (12h) above Story (10h); means put Story first.
        let status = |id: &str| match id {
            "1" => ("To Do", "new"),
            "2" => ("In Progress", "indeterminate"),
            _ => ("Done", "done"),
        };
        let issue = |id: &str, kind: &str, changes: &[(u8, &str, &str)]| {
            let histories: Vec<serde_json::Value> = changes
                .iter()
                .enumerate()
                .map(|(n, (hour, from, to))| {
                    serde_json::json!({"id": format!("{id}{n}"),
                        "created": format!("2026-06-01T{hour:02}:00:00.000+0000"),
                        "items": [{"field": "status", "from": from, "fromString": status(from).0,
                                   "to": to, "toString": status(to).0}]})
                })
                .collect();
            let current = changes.last().map_or("1", |c| c.2);
            serde_json::json!({"id": id, "key": format!("DW-{id}"), "fields": {
                "created": "2026-06-01T00:00:00.000+0000", "issuetype": {"name": kind},
                "status": {"id": current, "name": status(current).0,
                           "statusCategory": {"key": status(current).1}}},
                "changelog": {"startAt": 0, "maxResults": histories.len(),
                              "total": histories.len(), "histories": histories}})
        };
        let page = serde_json::json!({"isLast": true, "issues": [
            issue("1", "Bug", &[(2, "1", "3")]),
            issue("2", "Bug", &[(6, "1", "2")]),
            issue("3", "Story", &[(5, "1", "2")])]});
        let config = config::parse_report(
            &serde_json::json!({"schemaVersion": 1, "name": "by type",
                "kind": {"type": "timeInStatus"}, "columns": {"hidden": [{"name": "Done"}]},
                "rows": {"groupBy": ["issuetype"], "groupValue": "mean"},
                "durationFormat": {"type": "seconds"}})
            .to_string(),
        )
        .unwrap();
        let spec = crate::fetch::FetchSpec::for_report(crate::api::jira::Flavour::Cloud, &config);
        let mut session = Session::new(&spec.fields);
        session.add(&Delivery::Issues(page.to_string().into()));
        session.add(&Delivery::ChangelogsComplete(vec![
            "1".into(),
            "2".into(),
            "3".into(),
        ]));
        let now: jiff::Timestamp = "2026-06-01T10:00:00Z".parse().unwrap();
        let summary = session.compute(&config, &Context::new(now)).unwrap();
        assert_eq!(summary.group_note, "mean per issue");
        let hour = 3600.0;
        let rows = session.rows(Some(SortBy::Total { descending: true }), 0, 10);
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["Story", "Bug"]);
        let values: Vec<&[Option<f64>]> = rows.iter().map(|r| r.values.as_slice()).collect();
        assert_eq!(
            values,
            [
                [Some(5.0 * hour), Some(5.0 * hour)],
                [Some(4.0 * hour), Some(4.0 * hour)]
            ]
        );
        let totals: Vec<(Option<f64>, &str)> = rows
            .iter()
            .map(|r| (r.total, r.total_text.as_str()))
            .collect();
        assert_eq!(
            totals,
            [(Some(10.0 * hour), "36000"), (Some(6.0 * hour), "21600")]
        );
        let charts: Charts = serde_json::from_str(&summary.charts).unwrap();
        assert_eq!(charts.group_note, "mean per issue");
        assert_eq!(
            charts.largest,
            [
                ("Story".to_string(), vec![5.0 * hour, 5.0 * hour]),
                ("Bug".to_string(), vec![4.0 * hour, 4.0 * hour]),
            ]
        );
    }

    #[test]
    fn issue_keys_sort_naturally() {
        let mut keys = vec!["DW-10", "DW-9", "ab-1", "DW-100", "DW-9a"];
        keys.sort_by_key(|k| natural_key(k));
        assert_eq!(keys, vec!["ab-1", "DW-9", "DW-9a", "DW-10", "DW-100"]);
    }

    #[test]
    fn empty_values_sort_last_both_ways() {
        let a = SortKey::Number(Some(1.0));
        let none = SortKey::Number(None);
        for descending in [false, true] {
            assert_eq!(
                SortKey::compare(&none, &a, descending),
                std::cmp::Ordering::Greater
            );
        }
    }
}
