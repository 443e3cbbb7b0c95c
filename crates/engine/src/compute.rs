//! `compute`: a data set and a configuration in, a report out. No I/O, no clock.

use std::collections::HashMap;

use config::{
    CalendarId, CalendarRef, ColumnSpec, MultiVisit, ReportConfig, ReportKind, StatusGroup,
    StatusGroupId, StatusRef, ThroughputPeriod, Validate, ValidationErrors, VisitChoice,
    WorkCalendar,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::calendar::{Clock, zone};
use crate::dataset::{Completeness, Dataset, NONE, Sym, What};
use crate::filter::{date_of, date_window, passes};
use crate::report::{
    Bucket, ClockState, Details, Flag, KindTag, MetricColumn, Num, Percentile, Point, Report, Unit,
    Warning, WarningCode,
};
use crate::rows::{self, Item};
use crate::stats::percentile;
use crate::time::seconds;
use crate::timeline::{self, Seg, runs};

/// Everything a report needs besides the data and its configuration: the instant it is
/// computed for, the display time zone, and the saved calendars and status groups the
/// configuration may name.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: Timestamp,
    /// Dates and times in tables and exports are shown in this zone.
    pub time_zone: TimeZone,
    pub calendars: HashMap<CalendarId, WorkCalendar>,
    pub status_groups: HashMap<StatusGroupId, StatusGroup>,
}

impl Context {
    /// A context at `now`, showing times in UTC, with no saved calendars or groups.
    pub fn new(now: Timestamp) -> Self {
        Context {
            now,
            time_zone: TimeZone::UTC,
            calendars: HashMap::new(),
            status_groups: HashMap::new(),
        }
    }

    pub fn with_time_zone(mut self, time_zone: TimeZone) -> Self {
        self.time_zone = time_zone;
        self
    }

    pub fn with_calendar(mut self, id: CalendarId, calendar: WorkCalendar) -> Self {
        self.calendars.insert(id, calendar);
        self
    }

    pub fn with_status_group(mut self, id: StatusGroupId, group: StatusGroup) -> Self {
        self.status_groups.insert(id, group);
        self
    }
}

/// Why a report could not be computed: always a configuration problem, never the data's (bad
/// data is refused when loaded, partial data is flagged in the report).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ComputeError {
    #[error("invalid configuration: {0}")]
    InvalidConfig(ValidationErrors),
    #[error("invalid calendar: {0}")]
    InvalidCalendar(ValidationErrors),
    #[error("the configuration uses saved calendar {0}, which was not provided")]
    UnknownCalendar(String),
    #[error("the configuration uses saved status group {0}, which was not provided")]
    UnknownStatusGroup(String),
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("time out of range: {0}")]
    Time(String),
}

/// Computes the report `config` asks for over the issues of `data`, as of `ctx.now`.
pub fn compute(
    data: &Dataset,
    config: &ReportConfig,
    ctx: &Context,
) -> Result<Report, ComputeError> {
    config.validate().map_err(ComputeError::InvalidConfig)?;
    let calendar: Option<&WorkCalendar> = match &config.calendar {
        CalendarRef::AllTime => None,
        CalendarRef::Saved { id } => Some(
            ctx.calendars
                .get(id)
                .ok_or_else(|| ComputeError::UnknownCalendar(id.to_string()))?,
        ),
        CalendarRef::Inline { calendar } => Some(calendar),
    };
    if let Some(c) = calendar {
        c.validate().map_err(ComputeError::InvalidCalendar)?;
    }
    let day_tz = match calendar {
        Some(c) => zone(&c.time_zone)?,
        None => TimeZone::UTC,
    };
    let now = ctx.now.as_second();
    let today = ctx.now.to_zoned(day_tz.clone()).date();
    let mut warnings = Warnings::default();

    // Which issues the report covers.
    let window = config
        .date_range
        .as_ref()
        .map(|r| (r.field, date_window(r, today, &day_tz)));
    let mut selected: Vec<u32> = Vec::new();
    for (i, issue) in data.issues.iter().enumerate() {
        let Some(created) = issue.created else {
            warnings.note(WarningCode::IssuesWithoutFields, issue.label());
            continue;
        };
        if seconds(created) > now {
            warnings.note(WarningCode::CreatedAfterNow, issue.label());
            continue;
        }
        if let Some((field, (from, to))) = &window {
            let Some(t) = date_of(issue, *field).map(seconds) else {
                continue;
            };
            if from.is_some_and(|f| t < f) || to.is_some_and(|x| t >= x) {
                continue;
            }
        }
        if config
            .filters
            .iter()
            .all(|f| passes(data, issue, f, &ctx.time_zone))
        {
            selected.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }

    // Status timelines of every selected issue, in one arena.
    let trim = match config.kind {
        ReportKind::Throughput { .. } => {
            if config.options.trim_before.is_some() {
                warnings.ignored("trimBefore does not apply to throughput reports");
            }
            None
        }
        _ => config.options.trim_before.map(|t| t.as_second()),
    };
    let mut segs: Vec<Seg> = Vec::with_capacity(data.change_count() + selected.len());
    let mut items: Vec<Item> = Vec::with_capacity(selected.len());
    let mut earliest = now;
    for &i in &selected {
        let issue = &data.issues[i as usize];
        let created = issue.created.map_or(now, seconds);
        earliest = earliest.min(created);
        let start = segs.len();
        let mismatch = timeline::build(
            issue,
            What::Status,
            issue.status,
            created,
            now,
            trim,
            &mut segs,
        );
        let mut flags = Vec::new();
        match issue.log.completeness() {
            Completeness::Complete => {}
            Completeness::Truncated { .. } => {
                flags.push(Flag::TruncatedChangelog);
                warnings.note(WarningCode::TruncatedChangelogs, issue.label());
            }
            Completeness::Missing => {
                flags.push(Flag::MissingChangelog);
                warnings.note(WarningCode::MissingChangelogs, issue.label());
            }
        }
        if mismatch {
            flags.push(Flag::StatusMismatch);
            warnings.note(WarningCode::StatusMismatch, issue.label());
        }
        items.push(Item {
            issue: i,
            segs: start..segs.len(),
            flags,
            clock: None,
        });
    }
    if let Some(t) = trim {
        earliest = earliest.max(t.min(now));
    }
    let clock = Clock::new(calendar, earliest, now)?;

    // Statuses seen, for default columns and the unknown-status warning.
    let n_status = data.statuses.list.len();
    let mut seen = vec![false; n_status];
    let mut first_seen = vec![i64::MAX; n_status];
    for s in &segs {
        if let Some(slot) = seen.get_mut(s.sym as usize) {
            *slot = true;
            first_seen[s.sym as usize] = first_seen[s.sym as usize].min(s.start);
        }
    }
    if data.status_list_loaded {
        for (sym, info) in data.statuses.list.iter().enumerate() {
            if seen[sym] && !info.listed {
                warnings.note(WarningCode::UnknownStatuses, &info.key);
            }
        }
    }

    let env = Env {
        data,
        config,
        ctx,
        clock: &clock,
        now,
        segs: &segs,
        seen: &seen,
        first_seen: &first_seen,
        day_tz: &day_tz,
        today,
    };
    let kind = match &config.kind {
        ReportKind::TimeInStatus { multi_visit } => {
            env.time_in_status(*multi_visit, &mut items, &mut warnings)?
        }
        ReportKind::StatusVisits => env.visits(&mut items, &mut warnings)?,
        ReportKind::EntryDates => env.entry_dates(&mut items, &mut warnings)?,
        ReportKind::Transitions => env.transitions(&mut items),
        ReportKind::AssigneeTime => {
            if !config.columns.metrics.is_empty() {
                warnings.ignored("metric columns do not apply to assignee reports");
            }
            env.assignee_time(&mut items, trim)
        }
        ReportKind::TimeBetween(tb) => env.time_between(tb, &mut items, &mut warnings),
        ReportKind::StatusPerDay { from, to } => {
            if !config.rows.group_by.is_empty() {
                warnings.ignored("grouping does not apply to per-day reports");
            }
            env.per_day(*from, *to, &items, &mut warnings)?
        }
        ReportKind::Throughput {
            period,
            start,
            done,
        } => env.throughput(*period, start, done, &mut items, &mut warnings),
    };

    let table = rows::Table {
        data,
        config,
        tz: &ctx.time_zone,
        columns: &kind.columns,
        values: &kind.values,
    };
    let (rows, totals, group_by, fields) = match kind.days {
        Some(days) => rows::days(&table, &days),
        None => rows::assemble(&table, &items),
    };
    Ok(Report {
        name: config.name.clone(),
        kind: tag(&config.kind),
        now: ctx.now,
        time_zone: ctx.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        duration_format: config.duration_format,
        group_by,
        fields,
        columns: kind.columns,
        rows,
        totals,
        issue_count: u32::try_from(selected.len()).unwrap_or(u32::MAX),
        details: kind.details,
        warnings: warnings.finish(),
    })
}

fn tag(kind: &ReportKind) -> KindTag {
    match kind {
        ReportKind::TimeInStatus { .. } => KindTag::TimeInStatus,
        ReportKind::StatusVisits => KindTag::StatusVisits,
        ReportKind::Transitions => KindTag::Transitions,
        ReportKind::AssigneeTime => KindTag::AssigneeTime,
        ReportKind::TimeBetween(_) => KindTag::TimeBetween,
        ReportKind::EntryDates => KindTag::EntryDates,
        ReportKind::StatusPerDay { .. } => KindTag::StatusPerDay,
        ReportKind::Throughput { .. } => KindTag::Throughput,
    }
}

/// What a report kind computed: its columns and one row of values per item (or per day).
struct KindOutput {
    columns: Vec<MetricColumn>,
    /// Row-major, `columns.len()` values per row; rows in `items` order (or day order).
    values: Vec<Option<Num>>,
    details: Details,
    days: Option<Vec<Date>>,
}

/// A column over a set of statuses.
struct StatusCol {
    name: String,
    members: Vec<bool>,
    ids: Vec<String>,
}

struct Env<'a> {
    data: &'a Dataset,
    config: &'a ReportConfig,
    ctx: &'a Context,
    clock: &'a Clock,
    now: i64,
    segs: &'a [Seg],
    seen: &'a [bool],
    first_seen: &'a [i64],
    day_tz: &'a TimeZone,
    today: Date,
}

impl Env<'_> {
    fn segs(&self, item: &Item) -> &[Seg] {
        &self.segs[item.segs.clone()]
    }

    /// The segments whose time counts: all, or all but the running one.
    fn timed<'s>(&self, segs: &'s [Seg]) -> &'s [Seg] {
        if self.config.options.exclude_current_status && !segs.is_empty() {
            &segs[..segs.len() - 1]
        } else {
            segs
        }
    }

    fn time_in_status(
        &self,
        mode: MultiVisit,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let mut values = Vec::with_capacity(items.len() * cols.len());
        for item in items.iter() {
            let segs = self.timed(self.segs(item));
            for col in &cols {
                let visits = runs(segs, &col.members).map(|run| self.run_time(run));
                values.push(multi_visit(mode, visits));
            }
        }
        Ok(KindOutput {
            columns: metric_columns(&cols, Unit::Duration),
            values,
            details: Details::None,
            days: None,
        })
    }

    fn visits(&self, items: &mut [Item], w: &mut Warnings) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let mut values = Vec::with_capacity(items.len() * cols.len());
        for item in items.iter() {
            let segs = self.segs(item);
            for col in &cols {
                let n = runs(segs, &col.members).count();
                values.push((n > 0).then_some(Num::Int(n as i64)));
            }
        }
        Ok(KindOutput {
            columns: metric_columns(&cols, Unit::Count),
            values,
            details: Details::None,
            days: None,
        })
    }

    fn entry_dates(
        &self,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let mut columns = Vec::with_capacity(cols.len() * 2);
        for col in &cols {
            for which in ["first entry", "last entry"] {
                columns.push(MetricColumn {
                    name: format!("{} ({which})", col.name),
                    unit: Unit::Timestamp,
                    statuses: col.ids.clone(),
                });
            }
        }
        let mut values = Vec::with_capacity(items.len() * columns.len());
        for item in items.iter() {
            let segs = self.segs(item);
            for col in &cols {
                let mut entries = runs(segs, &col.members)
                    .filter(|run| run[0].entered)
                    .map(|run| run[0].start);
                let first = entries.next();
                let last = entries.last().or(first);
                values.push(first.map(Num::Int));
                values.push(last.map(Num::Int));
            }
        }
        Ok(KindOutput {
            columns,
            values,
            details: Details::None,
            days: None,
        })
    }

    fn transitions(&self, items: &mut [Item]) -> KindOutput {
        let hidden = vec![false; self.seen.len()];
        let cols = self.auto_columns(&hidden);
        let mut col_of = vec![usize::MAX; self.seen.len()];
        for (c, col) in cols.iter().enumerate() {
            for (sym, &m) in col.members.iter().enumerate() {
                if m {
                    col_of[sym] = c;
                }
            }
        }
        let n = cols.len();
        let mut matrix = vec![vec![0u32; n]; n];
        let pairs_of = |segs: &[Seg]| -> Vec<(usize, usize)> {
            segs.windows(2)
                .filter_map(|w| {
                    let (a, b) = (
                        *col_of.get(w[0].sym as usize)?,
                        *col_of.get(w[1].sym as usize)?,
                    );
                    (a != usize::MAX && b != usize::MAX).then_some((a, b))
                })
                .collect()
        };
        for item in items.iter() {
            for (a, b) in pairs_of(self.segs(item)) {
                matrix[a][b] += 1;
            }
        }
        // One column per pair that happened, in matrix order, after the total.
        let mut pair_col = HashMap::new();
        let mut columns = vec![MetricColumn {
            name: "Transitions".into(),
            unit: Unit::Count,
            statuses: Vec::new(),
        }];
        for (a, row) in matrix.iter().enumerate() {
            for (b, &count) in row.iter().enumerate() {
                if count > 0 {
                    pair_col.insert((a, b), columns.len());
                    let mut ids = cols[a].ids.clone();
                    ids.extend(cols[b].ids.iter().cloned());
                    columns.push(MetricColumn {
                        name: format!("{} → {}", cols[a].name, cols[b].name),
                        unit: Unit::Count,
                        statuses: ids,
                    });
                }
            }
        }
        let width = columns.len();
        let mut values = Vec::with_capacity(items.len() * width);
        for item in items.iter() {
            let mut row = vec![None; width];
            let pairs = pairs_of(self.segs(item));
            row[0] = Some(Num::Int(pairs.len() as i64));
            for p in pairs {
                if let Some(&c) = pair_col.get(&p) {
                    let v = match row[c] {
                        Some(Num::Int(v)) => v + 1,
                        _ => 1,
                    };
                    row[c] = Some(Num::Int(v));
                }
            }
            values.extend(row);
        }
        KindOutput {
            columns,
            values,
            details: Details::Transitions {
                statuses: cols.into_iter().map(|c| c.name).collect(),
                counts: matrix,
            },
            days: None,
        }
    }

    fn assignee_time(&self, items: &mut [Item], trim: Option<i64>) -> KindOutput {
        let people = &self.data.people;
        let unassigned = people.list.len();
        let index = |sym: Sym| {
            if sym == NONE {
                unassigned
            } else {
                sym as usize
            }
        };
        let mut arena = Vec::new();
        let mut bounds = Vec::with_capacity(items.len());
        let mut totals = vec![false; unassigned + 1];
        for item in items.iter() {
            let issue = &self.data.issues[item.issue as usize];
            let created = issue.created.map_or(self.now, seconds);
            let start = arena.len();
            timeline::build(
                issue,
                What::Assignee,
                issue.assignee,
                created,
                self.now,
                trim,
                &mut arena,
            );
            for s in &arena[start..] {
                totals[index(s.sym)] = true;
            }
            bounds.push(start..arena.len());
        }
        let mut order: Vec<usize> = (0..unassigned).filter(|&p| totals[p]).collect();
        order.sort_by(|&a, &b| {
            people.list[a]
                .name
                .to_lowercase()
                .cmp(&people.list[b].name.to_lowercase())
                .then(a.cmp(&b))
        });
        if totals[unassigned] {
            order.push(unassigned);
        }
        let mut col_of = vec![usize::MAX; unassigned + 1];
        for (c, &p) in order.iter().enumerate() {
            col_of[p] = c;
        }
        let columns: Vec<MetricColumn> = order
            .iter()
            .map(|&p| MetricColumn {
                name: if p == unassigned {
                    "Unassigned".into()
                } else {
                    people.list[p].name.to_string()
                },
                unit: Unit::Duration,
                statuses: Vec::new(),
            })
            .collect();
        let mut values = Vec::with_capacity(items.len() * columns.len());
        for range in bounds {
            let mut row: Vec<Option<Num>> = vec![None; columns.len()];
            for s in self.timed(&arena[range]) {
                let c = col_of[index(s.sym)];
                let v = self.clock.between(s.start, s.end);
                let prev = match row[c] {
                    Some(Num::Int(p)) => p,
                    _ => 0,
                };
                row[c] = Some(Num::Int(prev + v));
            }
            values.extend(row);
        }
        KindOutput {
            columns,
            values,
            details: Details::None,
            days: None,
        }
    }

    fn time_between(
        &self,
        tb: &config::TimeBetween,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> KindOutput {
        let start = self.member_set(&tb.start, w);
        let stop = self.member_set(&tb.stop, w);
        let pause = self.member_set(&tb.pause, w);
        let inside = |set: &[bool], s: &Seg| set.get(s.sym as usize).copied().unwrap_or(false);
        let mut values = Vec::with_capacity(items.len());
        for item in items.iter_mut() {
            let segs = &self.segs[item.segs.clone()];
            let entries = |set: &[bool], after: i64| -> Vec<i64> {
                runs(segs, set)
                    .filter(|run| run[0].entered && run[0].start >= after)
                    .map(|run| run[0].start)
                    .collect()
            };
            let starts = entries(&start, i64::MIN);
            let from = match tb.start_at {
                VisitChoice::First => starts.first(),
                VisitChoice::Last => starts.last(),
            };
            let Some(&from) = from else {
                item.clock = Some(ClockState::NotStarted);
                values.push(None);
                continue;
            };
            let stops = entries(&stop, from);
            let until = match tb.stop_at {
                VisitChoice::First => stops.first(),
                VisitChoice::Last => stops.last(),
            };
            let (until, state) = match until {
                Some(&t) => (t, ClockState::Stopped),
                None => {
                    let paused = segs.last().is_some_and(|s| inside(&pause, s));
                    let state = if paused {
                        ClockState::Paused
                    } else {
                        ClockState::Running
                    };
                    (self.now, state)
                }
            };
            let mut total = 0;
            for s in segs {
                if inside(&pause, s) {
                    continue;
                }
                let (a, b) = (s.start.max(from), s.end.min(until));
                total += self.clock.between(a, b);
            }
            item.clock = Some(state);
            values.push(Some(Num::Int(total)));
        }
        let names = |refs: &[StatusRef]| -> String {
            refs.iter()
                .map(|r| self.ref_name(r))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        KindOutput {
            columns: vec![MetricColumn {
                name: format!("{} → {}", names(&tb.start), names(&tb.stop)),
                unit: Unit::Duration,
                statuses: Vec::new(),
            }],
            values,
            details: Details::None,
            days: None,
        }
    }

    fn per_day(
        &self,
        from: Option<Date>,
        to: Option<Date>,
        items: &[Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let day_of = |t: i64| -> Option<Date> {
            Timestamp::from_second(t)
                .ok()
                .map(|ts| ts.to_zoned(self.day_tz.clone()).date())
        };
        let first_created = items
            .iter()
            .filter_map(|i| self.data.issues[i.issue as usize].created)
            .min()
            .map(seconds)
            .and_then(day_of);
        let last = to.unwrap_or(self.today).min(self.today);
        let mut first = from.or(first_created).unwrap_or(self.today);
        const MAX_DAYS: i64 = 3660;
        if let Ok(span) = first.until(last)
            && i64::from(span.get_days()) >= MAX_DAYS
        {
            first = last
                .checked_sub(jiff::Span::new().days(MAX_DAYS - 1))
                .map_err(|e| ComputeError::Time(e.to_string()))?;
            w.ignored("a per-day report covers at most ten years: earlier days are left out");
        }
        let mut dates = Vec::new();
        let mut instants = Vec::new();
        let mut d = first;
        while d <= last {
            let next = d
                .tomorrow()
                .map_err(|e| ComputeError::Time(e.to_string()))?;
            let end = next
                .to_zoned(self.day_tz.clone())
                .map_err(|e| ComputeError::Time(e.to_string()))?
                .timestamp()
                .as_second();
            dates.push(d);
            // The state at the end of the day, or now for today.
            instants.push(end.min(self.now) - i64::from(end <= self.now));
            d = next;
        }
        let mut cols_of: Vec<Vec<usize>> = vec![Vec::new(); self.seen.len()];
        for (c, col) in cols.iter().enumerate() {
            for (sym, &m) in col.members.iter().enumerate() {
                if m {
                    cols_of[sym].push(c);
                }
            }
        }
        let n_days = dates.len();
        let mut diff = vec![vec![0i64; n_days + 1]; cols.len()];
        for item in items {
            let segs = self.segs(item);
            for (k, s) in segs.iter().enumerate() {
                let last_seg = k + 1 == segs.len();
                let lo = instants.partition_point(|&t| t < s.start);
                let hi = if last_seg {
                    instants.partition_point(|&t| t <= s.end)
                } else {
                    instants.partition_point(|&t| t < s.end)
                };
                if lo >= hi {
                    continue;
                }
                for &c in cols_of.get(s.sym as usize).map_or(&[][..], Vec::as_slice) {
                    diff[c][lo] += 1;
                    diff[c][hi] -= 1;
                }
            }
        }
        let counts: Vec<Vec<u32>> = diff
            .iter()
            .map(|d| {
                let mut run = 0i64;
                d[..n_days]
                    .iter()
                    .map(|x| {
                        run += x;
                        u32::try_from(run).unwrap_or(0)
                    })
                    .collect()
            })
            .collect();
        let mut values = Vec::with_capacity(n_days * cols.len());
        for day in 0..n_days {
            for col in &counts {
                values.push(Some(Num::Int(i64::from(col[day]))));
            }
        }
        Ok(KindOutput {
            columns: metric_columns(&cols, Unit::Count),
            values,
            details: Details::StatusPerDay {
                dates: dates.clone(),
                columns: cols.iter().map(|c| c.name.clone()).collect(),
                counts,
            },
            days: Some(dates),
        })
    }

    fn throughput(
        &self,
        period: ThroughputPeriod,
        start: &[StatusRef],
        done: &[StatusRef],
        items: &mut Vec<Item>,
        w: &mut Warnings,
    ) -> KindOutput {
        let start_set = (!start.is_empty()).then(|| self.member_set(start, w));
        let done_set = self.member_set(done, w);
        let inside = |set: &[bool], s: &Seg| set.get(s.sym as usize).copied().unwrap_or(false);
        let mut finished = Vec::new();
        let mut values = Vec::new();
        let mut points = Vec::new();
        let mut cycles = Vec::new();
        let mut unfinished = 0u32;
        for item in items.drain(..) {
            let segs = &self.segs[item.segs.clone()];
            let issue = &self.data.issues[item.issue as usize];
            let Some(last) = segs.last().filter(|s| inside(&done_set, s)) else {
                unfinished += 1;
                continue;
            };
            let mut k = segs.len() - 1;
            while k > 0 && inside(&done_set, &segs[k - 1]) {
                k -= 1;
            }
            let done_at = segs[k].start.min(last.start);
            let began = match &start_set {
                None => issue.created.map(seconds),
                Some(set) => segs
                    .iter()
                    .find(|s| s.entered && inside(set, s))
                    .map(|s| s.start),
            };
            let cycle = began
                .filter(|&b| b <= done_at)
                .map(|b| self.clock.between(b, done_at));
            if let Some(c) = cycle {
                cycles.push(c as f64);
            }
            points.push(Point {
                key: issue.label().to_owned(),
                done: Timestamp::from_second(done_at).unwrap_or(self.ctx.now),
                seconds: cycle,
            });
            values.push(cycle.map(Num::Int));
            values.push(Some(Num::Int(done_at)));
            finished.push(item);
        }
        *items = finished;
        cycles.sort_by(f64::total_cmp);
        let percentiles = if cycles.is_empty() {
            Vec::new()
        } else {
            [50.0, 70.0, 85.0, 95.0]
                .into_iter()
                .map(|p| Percentile {
                    p,
                    seconds: percentile(&cycles, p),
                })
                .collect()
        };
        let bucket_of = |t: i64| -> Option<Date> {
            let d = Timestamp::from_second(t)
                .ok()?
                .to_zoned(self.day_tz.clone())
                .date();
            period_start(d, period)
        };
        let mut buckets = Vec::new();
        if let Some(first) = points
            .iter()
            .filter_map(|p| bucket_of(p.done.as_second()))
            .min()
        {
            let mut counts: HashMap<Date, u32> = HashMap::new();
            for p in &points {
                if let Some(b) = bucket_of(p.done.as_second()) {
                    *counts.entry(b).or_default() += 1;
                }
            }
            let last = period_start(self.today, period).unwrap_or(self.today);
            let mut b = first;
            while b <= last.max(first) {
                buckets.push(Bucket {
                    start: b,
                    count: counts.get(&b).copied().unwrap_or(0),
                });
                match next_period(b, period) {
                    Some(n) => b = n,
                    None => break,
                }
            }
        }
        KindOutput {
            columns: vec![
                MetricColumn {
                    name: "Cycle time".into(),
                    unit: Unit::Duration,
                    statuses: Vec::new(),
                },
                MetricColumn {
                    name: "Finished".into(),
                    unit: Unit::Timestamp,
                    statuses: Vec::new(),
                },
            ],
            values,
            details: Details::Throughput {
                period,
                buckets,
                percentiles,
                points,
                unfinished,
            },
            days: None,
        }
    }

    /// The business (or wall-clock) time of a run of segments.
    fn run_time(&self, run: &[Seg]) -> i64 {
        match (run.first(), run.last()) {
            (Some(a), Some(b)) => self.clock.between(a.start, b.end),
            _ => 0,
        }
    }

    /// Statuses a reference names: one id, or every status whose current name matches
    /// (ignoring case). An unknown reference gets a warning and matches nothing.
    fn resolve(&self, r: &StatusRef, w: &mut Warnings) -> Vec<Sym> {
        let statuses = &self.data.statuses;
        let found: Vec<Sym> = match r {
            StatusRef::Id { id } => statuses.get(id.as_str()).into_iter().collect(),
            StatusRef::Name { name } => {
                let want = name.to_lowercase();
                (0..statuses.list.len())
                    .filter(|&s| statuses.list[s].name.to_lowercase() == want)
                    .map(|s| s as Sym)
                    .collect()
            }
        };
        if found.is_empty() {
            w.note(WarningCode::UnresolvedStatus, &self.ref_name(r));
        }
        found
    }

    fn ref_name(&self, r: &StatusRef) -> String {
        match r {
            StatusRef::Id { id } => match self.data.statuses.get(id.as_str()) {
                Some(s) => self.data.statuses.name(s).to_owned(),
                None => id.to_string(),
            },
            StatusRef::Name { name } => name.clone(),
        }
    }

    fn member_set(&self, refs: &[StatusRef], w: &mut Warnings) -> Vec<bool> {
        let mut set = vec![false; self.seen.len()];
        for r in refs {
            for s in self.resolve(r, w) {
                set[s as usize] = true;
            }
        }
        set
    }

    fn column(&self, name: String, members: Vec<bool>) -> StatusCol {
        let mut ids: Vec<String> = members
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m)
            .filter_map(|(s, _)| self.data.statuses.list[s].jira_id().map(str::to_owned))
            .collect();
        ids.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        StatusCol { name, members, ids }
    }

    /// The status columns of a report: the configured ones, or every status seen.
    fn status_columns(&self, w: &mut Warnings) -> Result<Vec<StatusCol>, ComputeError> {
        let hidden = self.member_set(&self.config.columns.hidden, w);
        if self.config.columns.metrics.is_empty() {
            return Ok(self.auto_columns(&hidden));
        }
        let mut cols = Vec::new();
        for spec in &self.config.columns.metrics {
            match spec {
                ColumnSpec::Status { status } => {
                    let mut set = self.member_set(std::slice::from_ref(status), w);
                    for (m, h) in set.iter_mut().zip(&hidden) {
                        *m &= !h;
                    }
                    if set.iter().any(|&m| m) || hidden.iter().all(|h| !h) {
                        cols.push(self.column(self.ref_name(status), set));
                    }
                }
                ColumnSpec::Group { group } => {
                    let g = self
                        .ctx
                        .status_groups
                        .get(group)
                        .ok_or_else(|| ComputeError::UnknownStatusGroup(group.to_string()))?;
                    let set = self.member_set(&g.statuses, w);
                    cols.push(self.column(g.name.clone(), set));
                }
                ColumnSpec::InlineGroup { name, statuses } => {
                    let set = self.member_set(statuses, w);
                    cols.push(self.column(name.clone(), set));
                }
            }
        }
        Ok(cols)
    }

    /// One column per status name seen (per id with `splitSameName`), in workflow order: by
    /// status category, then by when the status was first entered.
    fn auto_columns(&self, hidden: &[bool]) -> Vec<StatusCol> {
        let statuses = &self.data.statuses.list;
        let split = self.config.columns.split_same_name;
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for sym in 0..statuses.len() {
            if !self.seen[sym] || hidden[sym] {
                continue;
            }
            let key = if split {
                statuses[sym].key.to_string()
            } else {
                statuses[sym].name.to_string()
            };
            match by_name.get(&key) {
                Some(&g) => groups[g].push(sym),
                None => {
                    by_name.insert(key, groups.len());
                    groups.push(vec![sym]);
                }
            }
        }
        let sort_key = |g: &Vec<usize>| {
            let category = g.iter().map(|&s| statuses[s].category.rank()).min();
            let first = g.iter().map(|&s| self.first_seen[s]).min();
            (category, first, statuses[g[0]].name.to_string())
        };
        groups.sort_by_cached_key(sort_key);
        let mut name_count: HashMap<&str, usize> = HashMap::new();
        for g in &groups {
            *name_count.entry(&statuses[g[0]].name).or_default() += 1;
        }
        groups
            .iter()
            .map(|g| {
                let info = &statuses[g[0]];
                let name = if name_count.get(&*info.name).copied().unwrap_or(0) > 1 {
                    format!("{} ({})", info.name, info.key)
                } else {
                    info.name.to_string()
                };
                let mut members = vec![false; statuses.len()];
                for &s in g {
                    members[s] = true;
                }
                self.column(name, members)
            })
            .collect()
    }
}

fn metric_columns(cols: &[StatusCol], unit: Unit) -> Vec<MetricColumn> {
    cols.iter()
        .map(|c| MetricColumn {
            name: c.name.clone(),
            unit,
            statuses: c.ids.clone(),
        })
        .collect()
}

/// A column's value from the durations of its visits, by multi-visit mode; `None` when the
/// issue never visited.
fn multi_visit(mode: MultiVisit, visits: impl Iterator<Item = i64>) -> Option<Num> {
    let mut count = 0i64;
    let mut total = 0i64;
    let mut first = None;
    let mut last = None;
    for v in visits {
        count += 1;
        total += v;
        first.get_or_insert(v);
        last = Some(v);
    }
    if count == 0 {
        return None;
    }
    Some(match mode {
        MultiVisit::Total => Num::Int(total),
        MultiVisit::First => Num::Int(first.unwrap_or(0)),
        MultiVisit::Last => Num::Int(last.unwrap_or(0)),
        MultiVisit::Average => Num::Float(total as f64 / count as f64),
    })
}

/// The first day of the period that holds `d`: the day, its ISO week's Monday, or the first of
/// its month.
fn period_start(d: Date, period: ThroughputPeriod) -> Option<Date> {
    match period {
        ThroughputPeriod::Day => Some(d),
        ThroughputPeriod::Week => d
            .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .ok(),
        ThroughputPeriod::Month => d.first_of_month().into(),
    }
}

fn next_period(d: Date, period: ThroughputPeriod) -> Option<Date> {
    let span = match period {
        ThroughputPeriod::Day => jiff::Span::new().days(1),
        ThroughputPeriod::Week => jiff::Span::new().weeks(1),
        ThroughputPeriod::Month => jiff::Span::new().months(1),
    };
    d.checked_add(span).ok()
}

/// Warnings gathered while computing, one per code, with the issues concerned.
#[derive(Default)]
struct Warnings {
    by_code: Vec<(WarningCode, Vec<String>, u32)>,
    ignored: Vec<String>,
}

impl Warnings {
    fn note(&mut self, code: WarningCode, what: &str) {
        let entry = match self.by_code.iter_mut().position(|(c, _, _)| *c == code) {
            Some(i) => &mut self.by_code[i],
            None => {
                self.by_code.push((code, Vec::new(), 0));
                let last = self.by_code.len() - 1;
                &mut self.by_code[last]
            }
        };
        entry.2 += 1;
        if entry.1.len() < Warning::MAX_LISTED && !entry.1.iter().any(|x| x == what) {
            entry.1.push(what.to_owned());
        }
    }

    fn ignored(&mut self, what: &str) {
        if !self.ignored.iter().any(|x| x == what) {
            self.ignored.push(what.to_owned());
        }
    }

    fn finish(self) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .by_code
            .into_iter()
            .map(|(code, issues, count)| {
                let message = match code {
                    WarningCode::TruncatedChangelogs => format!(
                        "{count} issues have only part of their changelog loaded; their times \
                         are computed from the known part"
                    ),
                    WarningCode::MissingChangelogs => format!(
                        "{count} issues have no changelog loaded; they are taken to have stayed \
                         in their current status"
                    ),
                    WarningCode::StatusMismatch => format!(
                        "{count} issues' last status change does not lead to their current \
                         status"
                    ),
                    WarningCode::IssuesWithoutFields => format!(
                        "{count} issues are known only from changelogs (no created date or \
                         status) and are left out"
                    ),
                    WarningCode::CreatedAfterNow => {
                        format!(
                            "{count} issues were created after the report's time and are left out"
                        )
                    }
                    WarningCode::UnknownStatuses => {
                        format!("{count} statuses seen in histories are not in the status list")
                    }
                    WarningCode::UnresolvedStatus => format!(
                        "{count} statuses named by the configuration were not found in the data"
                    ),
                    WarningCode::IgnoredSetting => String::new(),
                };
                Warning {
                    code,
                    message,
                    issues,
                    count,
                }
            })
            .collect();
        for message in self.ignored {
            out.push(Warning {
                code: WarningCode::IgnoredSetting,
                message,
                issues: Vec::new(),
                count: 1,
            });
        }
        out
    }
}
