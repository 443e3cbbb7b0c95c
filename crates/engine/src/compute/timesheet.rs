//! Timesheet and capacity reports: worklogs put on the days of the report's time zone, summed
//! per row (a person or an issue) and column (a day, week, month or person).
//!
//! The key decision: every sum is in exact milliseconds, and a row's total is the sum of its
//! worklogs, not of its rounded cells, so rounding happens once, when a cell is shown. Days are
//! cut at the zone's midnights, found once as instants ([`Days`]), so a 23- or 25-hour day of a
//! daylight-saving change and a worklog started in another offset land where the zone's clock
//! says.

use std::collections::HashMap;

use config::{
    Attribution, Authors, Capacity, Timesheet, TimesheetColumns, TimesheetRows, WorklogDates,
    week_start,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::calendar::{Measure, zone};
use crate::dataset::{Completeness, NONE, Sym, Worklog};
use crate::report::{CellWorklog, Details, MetricColumn, Num, Period, Unit, WarningCode};
use crate::rows::{Item, Labelled};

use super::run::{KindOutput, Run, column};
use super::warnings::Warnings;
use super::{ComputeError, Context};

fn time_error(e: jiff::Error) -> ComputeError {
    ComputeError::Time(e.to_string())
}

/// The days a report covers and their midnights as instants: `bounds[i]` starts `dates[i]`,
/// the last bound ends the last day.
struct Days {
    dates: Vec<Date>,
    bounds: Vec<i64>,
}

/// The instants a timesheet's dates cover: from the first day's midnight to the midnight after
/// the last day, in the report's zone, as epoch milliseconds; and the days themselves. The
/// browser asks Jira for the worklogs started in this window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorklogSpan {
    pub first: Date,
    pub last: Date,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The span of `dates` in `time_zone` for a report run at `now`.
pub fn worklog_span(
    dates: WorklogDates,
    time_zone: &str,
    now: jiff::Timestamp,
) -> Result<WorklogSpan, ComputeError> {
    let tz = zone(time_zone)?;
    let ctx = Context::new(now);
    let days = Days::new(dates, &tz, &ctx)?;
    Ok(WorklogSpan {
        first: days.first(),
        last: days.last(),
        start_ms: days.bounds.first().copied().unwrap_or_default(),
        end_ms: days.bounds.last().copied().unwrap_or_default(),
    })
}

impl Days {
    fn new(dates: WorklogDates, tz: &TimeZone, ctx: &Context) -> Result<Days, ComputeError> {
        let today = ctx.now.to_zoned(tz.clone()).date();
        let (first, last) = dates.resolve(today).map_err(time_error)?;
        let midnight = |d: Date| -> Result<i64, ComputeError> {
            Ok(d.to_zoned(tz.clone())
                .map_err(time_error)?
                .timestamp()
                .as_millisecond())
        };
        let mut out = Days {
            dates: Vec::new(),
            bounds: Vec::new(),
        };
        let mut d = first;
        while d <= last {
            out.dates.push(d);
            out.bounds.push(midnight(d)?);
            d = d.tomorrow().map_err(time_error)?;
        }
        out.bounds.push(midnight(d)?);
        Ok(out)
    }

    fn first(&self) -> Date {
        self.dates.first().copied().unwrap_or_default()
    }

    fn last(&self) -> Date {
        self.dates.last().copied().unwrap_or_default()
    }

    /// A timesheet (or capacity) report over these days: its columns and values, the
    /// `periods` it shades, its rows' labels (`None`: a row per issue).
    fn sheet(
        &self,
        columns: Vec<MetricColumn>,
        values: Vec<Option<Num>>,
        periods: Vec<Period>,
        labels: Option<Vec<Labelled>>,
    ) -> KindOutput {
        KindOutput {
            columns,
            values,
            details: Details::Timesheet {
                from: self.first(),
                to: self.last(),
                periods,
            },
            days: None,
            labels,
        }
    }

    /// The day holding instant `t`, if the range has it.
    fn day_of(&self, t: i64) -> Option<usize> {
        let n = self.dates.len();
        if n == 0 || t < self.bounds[0] || t >= self.bounds[n] {
            return None;
        }
        Some(self.bounds.partition_point(|&b| b <= t) - 1)
    }

    /// Calls `f(day, milliseconds)` for the parts of worklog `w` inside the range: all of it on
    /// the day it started, or split at each midnight.
    fn pieces(&self, w: &Worklog, attribution: Attribution, mut f: impl FnMut(usize, i64)) {
        match attribution {
            Attribution::StartDay => {
                if let Some(d) = self.day_of(w.started) {
                    f(d, w.spent);
                }
            }
            Attribution::SplitByDay => {
                if w.spent == 0 {
                    if let Some(d) = self.day_of(w.started) {
                        f(d, 0);
                    }
                    return;
                }
                let (a, b) = (w.started, w.started.saturating_add(w.spent));
                let n = self.dates.len();
                let mut i = self.bounds.partition_point(|&x| x <= a).saturating_sub(1);
                while i < n && self.bounds[i] < b {
                    let (lo, hi) = (a.max(self.bounds[i]), b.min(self.bounds[i + 1]));
                    if hi > lo {
                        f(i, hi - lo);
                    }
                    i += 1;
                }
            }
        }
    }
}

/// The periods of a timesheet's columns: for each day, the column it falls in; each column's
/// first and last day.
fn periods(days: &Days, columns: TimesheetColumns) -> (Vec<usize>, Vec<(Date, Date)>) {
    let key = |d: Date| -> Date {
        match columns {
            TimesheetColumns::Week => week_start(d),
            TimesheetColumns::Month => d.first_of_month(),
            _ => d,
        }
    };
    let mut of_day = Vec::with_capacity(days.dates.len());
    let mut spans: Vec<(Date, Date)> = Vec::new();
    let mut last_key = None;
    for &d in &days.dates {
        let k = key(d);
        if last_key != Some(k) {
            spans.push((d, d));
            last_key = Some(k);
        }
        if let Some(span) = spans.last_mut() {
            span.1 = d;
        }
        of_day.push(spans.len() - 1);
    }
    (of_day, spans)
}

fn period_name(columns: TimesheetColumns, start: Date) -> String {
    match columns {
        TimesheetColumns::Week => format!("Week of {start}"),
        TimesheetColumns::Month => start.strftime("%Y-%m").to_string(),
        _ => start.to_string(),
    }
}

impl Run<'_> {
    /// Notes the settings of time-in-status reports that worklog reports do not use.
    pub(super) fn not_for_worklogs(&self, w: &mut Warnings) {
        let c = self.config;
        if !c.columns.metrics.is_empty() || !c.columns.hidden.is_empty() {
            w.ignored("status columns do not apply to worklog reports");
        }
        if c.options.trim_before.is_some() || c.options.exclude_current_status {
            w.ignored("history options do not apply to worklog reports");
        }
    }

    /// The people whose worklogs count (`None`: everyone), and, in order, the account ids the
    /// filter names (capacity reports list them even when they logged nothing).
    fn authors(&self, authors: &Authors) -> Result<(Option<Vec<bool>>, Vec<String>), ComputeError> {
        if authors.everyone() {
            return Ok((None, Vec::new()));
        }
        let mut named: Vec<String> = authors
            .accounts
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect();
        for g in &authors.groups {
            let members = self
                .data
                .group_members
                .get(g.as_str())
                .ok_or_else(|| ComputeError::UnresolvedGroup(g.to_string()))?;
            named.extend(members.iter().cloned());
        }
        let mut seen = std::collections::HashSet::new();
        named.retain(|n| seen.insert(n.clone()));
        let people = &self.data.people;
        let mut allowed = vec![false; people.list.len()];
        for id in &named {
            if let Some(sym) = people.get(id) {
                allowed[sym as usize] = true;
            }
        }
        Ok((Some(allowed), named))
    }

    /// A person's account id (user name on Data Center); empty for the unknown author.
    fn person_key(&self, sym: Sym) -> String {
        self.data
            .people
            .list
            .get(sym as usize)
            .map_or_else(String::new, |p| p.id.to_string())
    }

    fn person_name(&self, sym: Sym) -> String {
        if sym == NONE {
            "(unknown)".to_owned()
        } else {
            self.data
                .people
                .list
                .get(sym as usize)
                .map_or_else(|| "?".to_owned(), |p| p.name.to_string())
        }
    }

    /// People in display order: by name ignoring case, the unknown author last.
    fn by_name(&self, people: &mut [Sym]) {
        people.sort_by(|&a, &b| {
            (a == NONE)
                .cmp(&(b == NONE))
                .then_with(|| {
                    self.person_name(a)
                        .to_lowercase()
                        .cmp(&self.person_name(b).to_lowercase())
                })
                .then(a.cmp(&b))
        });
    }

    /// Warns about issues whose worklogs are not all loaded, and that worklogs are those the
    /// user may see.
    fn worklog_notes(&self, items: &[Item], w: &mut Warnings) {
        w.notice(WarningCode::VisibleWorklogsOnly);
        for item in items {
            let issue = &self.data.issues[item.issue as usize];
            if issue.worklog_log.completeness(issue.worklogs.len()) != Completeness::Complete {
                w.note(WarningCode::PartialWorklogs, issue.label());
            }
        }
    }

    /// Periods with whether the report's calendar has no working time in them.
    fn shaded(&self, spans: &[(Date, Date)]) -> Vec<Period> {
        spans
            .iter()
            .map(|&(start, end)| Period {
                start,
                end,
                off: self.calendar.is_some_and(|cal| {
                    let mut d = start;
                    loop {
                        if !cal.is_holiday(d) && !cal.day(d.weekday()).is_empty() {
                            return false;
                        }
                        match d.tomorrow() {
                            Ok(next) if next <= end => d = next,
                            _ => return true,
                        }
                    }
                }),
            })
            .collect()
    }

    pub(super) fn timesheet(
        &self,
        t: &Timesheet,
        items: &mut Vec<Item>,
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let tz = zone(&t.time_zone)?;
        let days = Days::new(t.dates, &tz, self.ctx)?;
        let (allowed, _) = self.authors(&t.authors)?;
        self.worklog_notes(items, w);
        let (period_of_day, spans) = periods(&days, t.columns);
        let by_person_column = t.columns == TimesheetColumns::Person;

        // Exact sums per (row, column key); the column key is a period or a person.
        let mut cells: HashMap<(u32, u32), i64> = HashMap::new();
        let mut row_issues: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut people_seen: Vec<Sym> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let issue = &self.data.issues[item.issue as usize];
            for wl in &issue.worklogs {
                if let Some(allowed) = &allowed
                    && !allowed.get(wl.author as usize).copied().unwrap_or(false)
                {
                    continue;
                }
                let row = match t.rows {
                    TimesheetRows::Issue => i as u32,
                    TimesheetRows::Person => wl.author,
                };
                let mut any = false;
                days.pieces(wl, t.attribution, |day, ms| {
                    let col = match t.columns {
                        TimesheetColumns::Person => wl.author,
                        TimesheetColumns::Total => 0,
                        _ => period_of_day[day] as u32,
                    };
                    *cells.entry((row, col)).or_insert(0) += ms;
                    any = true;
                });
                if any {
                    let issues = row_issues.entry(row).or_default();
                    if issues.last() != Some(&item.issue) {
                        issues.push(item.issue);
                    }
                    if by_person_column && !people_seen.contains(&wl.author) {
                        people_seen.push(wl.author);
                    }
                }
            }
        }

        // Columns, and the column key each has.
        let mut columns: Vec<MetricColumn> = Vec::new();
        let mut keys: Vec<u32> = Vec::new();
        match t.columns {
            TimesheetColumns::Person => {
                self.by_name(&mut people_seen);
                for &p in &people_seen {
                    columns.push(column(self.person_name(p), Unit::Duration));
                    keys.push(p);
                }
            }
            TimesheetColumns::Total => {}
            _ => {
                for (k, &(start, _)) in spans.iter().enumerate() {
                    let start = match t.columns {
                        TimesheetColumns::Week => week_start(start),
                        _ => start,
                    };
                    columns.push(column(period_name(t.columns, start), Unit::Duration));
                    keys.push(k as u32);
                }
            }
        }
        columns.push(column("Total", Unit::Duration));

        // Rows: the issues with time (in item order), or the people with time (by name).
        let rows: Vec<u32> = match t.rows {
            TimesheetRows::Issue => {
                let mut kept = Vec::new();
                let mut rows = Vec::new();
                for (i, item) in std::mem::take(items).into_iter().enumerate() {
                    if row_issues.contains_key(&(i as u32)) {
                        rows.push(i as u32);
                        kept.push(item);
                    }
                }
                *items = kept;
                rows
            }
            TimesheetRows::Person => {
                let mut people: Vec<Sym> = row_issues.keys().copied().collect();
                self.by_name(&mut people);
                people
            }
        };
        let mut values = Vec::with_capacity(rows.len() * columns.len());
        for &row in &rows {
            let mut total: Option<i64> = None;
            for &k in &keys {
                let v = cells.get(&(row, k)).copied();
                if let Some(ms) = v {
                    total = Some(total.unwrap_or(0) + ms);
                }
                values.push(v.map(Num::duration));
            }
            if t.columns == TimesheetColumns::Total {
                total = cells.get(&(row, 0)).copied();
            }
            values.push(total.map(Num::duration));
        }
        let labels = match t.rows {
            TimesheetRows::Issue => None,
            TimesheetRows::Person => Some(
                rows.iter()
                    .map(|&p| Labelled {
                        label: self.person_name(p),
                        key: self.person_key(p),
                        issues: row_issues
                            .get(&p)
                            .map_or(0, |v| u32::try_from(v.len()).unwrap_or(u32::MAX)),
                    })
                    .collect(),
            ),
        };
        let periods = match t.columns {
            TimesheetColumns::Day | TimesheetColumns::Week | TimesheetColumns::Month => {
                self.shaded(&spans)
            }
            TimesheetColumns::Person | TimesheetColumns::Total => Vec::new(),
        };
        Ok(days.sheet(columns, values, periods, labels))
    }

    pub(super) fn timesheet_worklogs(
        &self,
        t: &Timesheet,
        items: &[Item],
    ) -> Result<Vec<CellWorklog>, ComputeError> {
        let tz = zone(&t.time_zone)?;
        let days = Days::new(t.dates, &tz, self.ctx)?;
        let (allowed, _) = self.authors(&t.authors)?;
        let (period_of_day, spans) = periods(&days, t.columns);
        let period_names: Vec<String> = spans
            .iter()
            .map(|&(start, _)| {
                let start = match t.columns {
                    TimesheetColumns::Week => week_start(start),
                    _ => start,
                };
                period_name(t.columns, start)
            })
            .collect();
        let mut out = Vec::new();
        // Each listed piece's author, for the person columns' positions.
        let mut authors: Vec<Sym> = Vec::new();
        for item in items {
            let issue = &self.data.issues[item.issue as usize];
            let partial =
                issue.worklog_log.completeness(issue.worklogs.len()) != Completeness::Complete;
            for wl in &issue.worklogs {
                if let Some(allowed) = &allowed
                    && !allowed.get(wl.author as usize).copied().unwrap_or(false)
                {
                    continue;
                }
                let started = jiff::Timestamp::from_millisecond(wl.started).map_err(time_error)?;
                let author = self.person_name(wl.author);
                let author_key = self.person_key(wl.author);
                days.pieces(wl, t.attribution, |day, ms| {
                    authors.push(wl.author);
                    out.push(CellWorklog {
                        row: match t.rows {
                            TimesheetRows::Issue => issue.label().to_owned(),
                            TimesheetRows::Person => author.clone(),
                        },
                        column: match t.columns {
                            TimesheetColumns::Person => author.clone(),
                            TimesheetColumns::Total => "Total".to_owned(),
                            _ => period_names[period_of_day[day]].clone(),
                        },
                        row_key: match t.rows {
                            TimesheetRows::Issue => issue.label().to_owned(),
                            TimesheetRows::Person => author_key.clone(),
                        },
                        // A person column's position is set below, once every author is known.
                        column_index: match t.columns {
                            TimesheetColumns::Person | TimesheetColumns::Total => 0,
                            _ => period_of_day[day],
                        },
                        issue: issue.label().to_owned(),
                        worklog_id: (wl.id != crate::dataset::NO_HISTORY_ID)
                            .then(|| wl.id.to_string()),
                        author: author.clone(),
                        started,
                        day: days.dates[day],
                        seconds: Num::duration(ms).as_f64(),
                        partial,
                    });
                });
            }
        }
        if t.columns == TimesheetColumns::Person {
            // The report's person columns: every author with time, by name (as `timesheet`).
            let mut people = authors.clone();
            people.sort_unstable();
            people.dedup();
            self.by_name(&mut people);
            let position: HashMap<Sym, usize> =
                people.iter().enumerate().map(|(i, &p)| (p, i)).collect();
            for (w, a) in out.iter_mut().zip(&authors) {
                w.column_index = position.get(a).copied().unwrap_or(0);
            }
        }
        Ok(out)
    }

    pub(super) fn capacity(
        &self,
        c: &Capacity,
        items: &[Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let tz = zone(&c.time_zone)?;
        let days = Days::new(c.dates, &tz, self.ctx)?;
        let (allowed, named) = self.authors(&c.authors)?;
        self.worklog_notes(items, w);
        let n = days.dates.len();
        let today = self.ctx.now.to_zoned(tz.clone()).date();
        let (from, to) = (days.bounds[0], days.bounds[n]);
        let measure = Measure::new(self.calendar, from, to)?;
        // Working time per day; days after today are not yet due.
        let working: Vec<i64> = (0..n)
            .map(|d| measure.between(days.bounds[d], days.bounds[d + 1]))
            .collect();
        let due: Vec<i64> = (0..n)
            .map(|d| {
                if days.dates[d] <= today {
                    working[d]
                } else {
                    0
                }
            })
            .collect();

        // Logged time per person and day, and the issues each logged on.
        let mut logged: HashMap<Sym, (Vec<i64>, Vec<u32>)> = HashMap::new();
        for item in items {
            let issue = &self.data.issues[item.issue as usize];
            for wl in &issue.worklogs {
                if let Some(allowed) = &allowed
                    && !allowed.get(wl.author as usize).copied().unwrap_or(false)
                {
                    continue;
                }
                let entry = logged
                    .entry(wl.author)
                    .or_insert_with(|| (vec![0; n], Vec::new()));
                let mut any = false;
                days.pieces(wl, c.attribution, |day, ms| {
                    entry.0[day] += ms;
                    any = true;
                });
                if any && entry.1.last() != Some(&item.issue) {
                    entry.1.push(item.issue);
                }
            }
        }
        // Rows: everyone the filter names (by id, even without worklogs), else every author
        // with time in the range.
        let mut rows: Vec<(String, Option<Sym>)> = if named.is_empty() {
            let mut people: Vec<Sym> = logged
                .iter()
                .filter(|(_, (per_day, _))| per_day.iter().any(|&ms| ms > 0))
                .map(|(&p, _)| p)
                .collect();
            self.by_name(&mut people);
            people
                .into_iter()
                .map(|p| (self.person_name(p), Some(p)))
                .collect()
        } else {
            let mut rows: Vec<(String, Option<Sym>)> = named
                .iter()
                .map(|id| match self.data.people.get(id) {
                    Some(p) => (self.person_name(p), Some(p)),
                    None => (id.clone(), None),
                })
                .collect();
            rows.sort_by_key(|(name, _)| name.to_lowercase());
            rows
        };
        rows.dedup_by(|a, b| a.1.is_some() && a.1 == b.1);

        let capacity: i64 = due.iter().sum();
        let none = (vec![0; n], Vec::new());
        let mut values = Vec::with_capacity(rows.len() * 4);
        let mut labels = Vec::with_capacity(rows.len());
        for (name, person) in &rows {
            let (per_day, issues) = person.and_then(|p| logged.get(&p)).unwrap_or(&none);
            let total: i64 = per_day.iter().sum();
            let missing = (0..n).filter(|&d| due[d] > 0 && per_day[d] == 0).count();
            values.push(Some(Num::duration(total)));
            values.push(Some(Num::duration(capacity)));
            values.push((capacity > 0).then(|| Num::Float(total as f64 * 100.0 / capacity as f64)));
            values.push(Some(Num::Int(i64::try_from(missing).unwrap_or(i64::MAX))));
            labels.push(Labelled {
                label: name.clone(),
                // A person the filter names who is unknown to the data is named by their id.
                key: person.map_or_else(|| name.clone(), |p| self.person_key(p)),
                issues: u32::try_from(issues.len()).unwrap_or(u32::MAX),
            });
        }
        let spans: Vec<(Date, Date)> = days.dates.iter().map(|&d| (d, d)).collect();
        let periods = spans
            .iter()
            .zip(&working)
            .map(|(&(start, end), &ms)| Period {
                start,
                end,
                off: ms == 0,
            })
            .collect();
        let columns = vec![
            column("Logged", Unit::Duration),
            column("Capacity", Unit::Duration),
            column("Utilisation %", Unit::Count),
            column("Missing days", Unit::Count),
        ];
        Ok(days.sheet(columns, values, periods, Some(labels)))
    }
}
