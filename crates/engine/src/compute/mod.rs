//! `compute`: a data set and a configuration in, a report out. No I/O, no clock.
//!
//! [`compute`] reads as the steps of a run: check the configuration, pick the issues, build
//! their status timelines, compile the calendar that measures durations, compute the report
//! kind's metric columns ([`kinds`], over the columns of [`columns`]), then sort, group and
//! aggregate the rows (`crate::rows`). What every step after the timelines shares is one
//! [`Run`]; warnings are gathered along the way ([`warnings`]). Memory is freed as soon as a
//! step is done with it (the timelines before the rows; with [`compute_freeing_histories`],
//! each issue's histories once its timeline is built), so a million issues fit in a few
//! hundred megabytes.

mod columns;
mod kinds;
mod run;
mod timesheet;

pub use timesheet::{WorklogSpan, worklog_span};
mod warnings;

use std::collections::HashMap;

use config::{
    CalendarId, CalendarRef, ReportConfig, ReportKind, StatusGroup, StatusGroupId, Validate,
    ValidationErrors, WorkCalendar,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::calendar::{Measure, zone};
use crate::dataset::{Completeness, Dataset, What};
use crate::filter::{date_of, date_window, passes};
use crate::report::{Details, Flag, Report, Row, WarningCode};
use crate::rows::{self, Item};
use crate::time::seconds;
use crate::timeline::{self, Seg};

use run::{KindOutput, Run};
use warnings::Warnings;

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
    #[error("the configuration filters on Jira group {0:?}, whose members were not provided")]
    UnresolvedGroup(String),
}

/// Computes the report `config` asks for over the issues of `data`, as of `ctx.now`.
pub fn compute(
    data: &Dataset,
    config: &ReportConfig,
    ctx: &Context,
) -> Result<Report, ComputeError> {
    let mut begun = Begun::of(data, config, ctx)?;
    let mut timelines = Timelines::new(begun.start.now, begun.start.selected.len());
    for &i in &begun.start.selected {
        timelines.add(data, i, begun.trim, begun.histories, &mut begun.warnings);
    }
    finish(data, config, ctx, begun, timelines, None)
}

/// [`compute`] for a caller that is done with the data set's histories once the report is
/// computed (the CLI, which reads a dump, reports once and exits). Each issue's status and
/// assignee changes are freed as soon as its timeline is built, so the timelines take the
/// memory the histories leave instead of adding to it: a million issues' report then needs
/// little more memory than the data set. The report is [`compute`]'s, byte for byte; the data
/// set keeps its issues, fields and worklogs, and reports of its histories are empty after.
pub fn compute_freeing_histories(
    data: &mut Dataset,
    config: &ReportConfig,
    ctx: &Context,
) -> Result<Report, ComputeError> {
    freeing_histories(data, config, ctx, None)
}

/// [`compute_freeing_histories`] that hands each row to `on_row` as soon as it is laid out,
/// with the report it belongs to (complete but for its rows), instead of keeping a million of
/// them: a writer streams them out. The rows arrive in the report's order; the report
/// returned has none. Everything else is [`compute`]'s, byte for byte.
pub fn compute_rows_freeing_histories(
    data: &mut Dataset,
    config: &ReportConfig,
    ctx: &Context,
    on_row: &mut dyn FnMut(&Report, Row),
) -> Result<Report, ComputeError> {
    freeing_histories(data, config, ctx, Some(on_row))
}

fn freeing_histories(
    data: &mut Dataset,
    config: &ReportConfig,
    ctx: &Context,
    on_row: Option<RowSink<'_>>,
) -> Result<Report, ComputeError> {
    let mut begun = Begun::of(data, config, ctx)?;
    // Assignee reports read the histories again, for the assignee timelines.
    let free = !matches!(config.kind, ReportKind::AssigneeTime);
    let mut timelines = Timelines::new(begun.start.now, begun.start.selected.len());
    for &i in &begun.start.selected {
        timelines.add(data, i, begun.trim, begun.histories, &mut begun.warnings);
        if free && let Some(issue) = data.issues.get_mut(i as usize) {
            issue.changes = Vec::new();
        }
    }
    finish(data, config, ctx, begun, timelines, on_row)
}

/// Where a streamed report's rows go, one at a time, with the report they belong to.
type RowSink<'f> = &'f mut dyn FnMut(&Report, Row);

/// A run up to its timelines: the configuration checked, the issues picked.
struct Begun<'a> {
    start: Start<'a>,
    trim: Option<i64>,
    /// Whether the report kind reads histories (timesheets read worklogs).
    histories: bool,
    warnings: Warnings,
}

impl<'a> Begun<'a> {
    fn of(
        data: &Dataset,
        config: &'a ReportConfig,
        ctx: &'a Context,
    ) -> Result<Self, ComputeError> {
        config.validate().map_err(ComputeError::InvalidConfig)?;
        let mut warnings = Warnings::default();
        let start = Start::of(data, config, ctx, &mut warnings)?;
        let trim = trim_before(config, &mut warnings);
        // Timesheets read worklogs, not histories: a run for one fetches no changelogs, and
        // saying they are missing would be noise.
        let histories = !matches!(
            config.kind,
            ReportKind::Timesheet(_) | ReportKind::Capacity(_)
        );
        Ok(Begun {
            start,
            trim,
            histories,
            warnings,
        })
    }
}

/// The rest of a run once the timelines are built: the calendar, the kind's values, the rows.
fn finish(
    data: &Dataset,
    config: &ReportConfig,
    ctx: &Context,
    begun: Begun<'_>,
    timelines: Timelines,
    on_row: Option<RowSink<'_>>,
) -> Result<Report, ComputeError> {
    let Begun {
        start,
        trim,
        histories,
        mut warnings,
    } = begun;
    let measure = Measure::new(start.calendar, timelines.earliest(trim), start.now)?;
    let mut unread = Warnings::default();
    let history_warnings = if histories {
        &mut warnings
    } else {
        &mut unread
    };
    let seen = StatusesSeen::of(data, &timelines.items, history_warnings);
    let run = start.run(data, config, ctx, &measure, &seen.seen, &seen.first_seen);
    let mut items = timelines.items;
    let kind = run.kind(&mut items, trim, &mut warnings)?;
    // The timelines (a segment per status change of every issue) are done with: free them
    // before the rows are laid out, so the two never hold memory at once.
    for item in &mut items {
        item.segs = Box::default();
    }
    let head = Head {
        data,
        config,
        ctx,
        issue_count: start.selected.len(),
        warnings,
    };
    Ok(report(head, kind, &items, on_row))
}

/// The worklogs behind every cell of a timesheet report, as [`compute`] counts them (same
/// issues, authors, days and attribution): the drill-down from a cell lists those with its row
/// and column (a row's `Total` cell is all of the row's). Empty for other report kinds.
pub fn timesheet_worklogs(
    data: &Dataset,
    config: &ReportConfig,
    ctx: &Context,
) -> Result<Vec<crate::report::CellWorklog>, ComputeError> {
    config.validate().map_err(ComputeError::InvalidConfig)?;
    let ReportKind::Timesheet(t) = &config.kind else {
        return Ok(Vec::new());
    };
    let mut warnings = Warnings::default();
    let start = Start::of(data, config, ctx, &mut warnings)?;
    let mut timelines = Timelines::new(start.now, start.selected.len());
    for &i in &start.selected {
        timelines.add(data, i, None, false, &mut warnings);
    }
    let run = start.run(data, config, ctx, &Measure::AllTime, &[], &[]);
    run.timesheet_worklogs(t, &timelines.items)
}

/// What every run starts from, once its configuration is checked: the work calendar durations
/// are measured on, the zone days are cut in (the calendar's, else UTC), `now`, in Jira's
/// milliseconds and as a date in that zone, and the issues the run covers.
struct Start<'a> {
    calendar: Option<&'a WorkCalendar>,
    day_tz: TimeZone,
    now: i64,
    today: Date,
    /// Indexes into the data set, see [`select_issues`].
    selected: Vec<u32>,
}

impl<'a> Start<'a> {
    fn of(
        data: &Dataset,
        config: &'a ReportConfig,
        ctx: &'a Context,
        warnings: &mut Warnings,
    ) -> Result<Self, ComputeError> {
        let calendar = work_calendar(config, ctx)?;
        let day_tz = match calendar {
            Some(c) => zone(&c.time_zone)?,
            None => TimeZone::UTC,
        };
        let now = ctx.now.as_millisecond();
        let today = ctx.now.to_zoned(day_tz.clone()).date();
        let selected = select_issues(data, config, ctx, now, today, &day_tz, warnings);
        Ok(Start {
            calendar,
            day_tz,
            now,
            today,
            selected,
        })
    }

    /// The run over the selected issues' timelines, measured by `measure`, with the statuses
    /// those timelines visit (`seen`, `first_seen`: see [`Run`]).
    fn run<'r>(
        &'r self,
        data: &'r Dataset,
        config: &'r ReportConfig,
        ctx: &'r Context,
        measure: &'r Measure,
        seen: &'r [bool],
        first_seen: &'r [i64],
    ) -> Run<'r> {
        Run {
            data,
            config,
            ctx,
            measure,
            now: self.now,
            seen,
            first_seen,
            day_tz: &self.day_tz,
            today: self.today,
            calendar: self.calendar,
        }
    }
}

/// The work calendar durations are measured on, checked; `None` for 24/7.
fn work_calendar<'a>(
    config: &'a ReportConfig,
    ctx: &'a Context,
) -> Result<Option<&'a WorkCalendar>, ComputeError> {
    let calendar = match &config.calendar {
        CalendarRef::AllTime => None,
        CalendarRef::Saved { id } => Some(
            ctx.calendars
                .get(id)
                .ok_or_else(|| ComputeError::UnknownCalendar(id.to_string()))?,
        ),
        CalendarRef::Inline { calendar } => Some(&**calendar),
    };
    if let Some(c) = calendar {
        c.validate().map_err(ComputeError::InvalidCalendar)?;
    }
    Ok(calendar)
}

/// The issues the report covers (indexes into the data set): known from their fields, created
/// by `now`, inside the date range and passing every filter.
fn select_issues(
    data: &Dataset,
    config: &ReportConfig,
    ctx: &Context,
    now: i64,
    today: Date,
    day_tz: &TimeZone,
    warnings: &mut Warnings,
) -> Vec<u32> {
    let window = config
        .date_range
        .as_ref()
        .map(|r| (r.field, date_window(r, today, day_tz)));
    let mut selected: Vec<u32> = Vec::new();
    for (i, issue) in data.issues.iter().enumerate() {
        let Some(created) = issue.created else {
            warnings.note(WarningCode::IssuesWithoutFields, issue.label());
            continue;
        };
        if created > now {
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
    selected
}

/// The instant before which time is cut off (`trimBefore`), where the report kind uses it.
fn trim_before(config: &ReportConfig, warnings: &mut Warnings) -> Option<i64> {
    match config.kind {
        ReportKind::Throughput { .. } => {
            if config.options.trim_before.is_some() {
                warnings.ignored("trimBefore does not apply to throughput reports");
            }
            None
        }
        _ => config.options.trim_before.map(|t| t.as_millisecond()),
    }
}

/// The status timelines of the selected issues, each with the issue's flags.
///
/// Each issue's segments are an allocation of their own, not a slice of one arena: when
/// [`compute_freeing_histories`] frees an issue's changes right after its timeline is built,
/// the next timelines fit in the memory freed, where one arena would add a second copy of
/// every history.
struct Timelines {
    items: Vec<Item>,
    /// The earliest instant any timeline covers: where the calendar must start.
    earliest: i64,
    now: i64,
    /// Where one issue's segments are built before they are copied into their own slice.
    scratch: Vec<Seg>,
}

impl Timelines {
    fn new(now: i64, issues: usize) -> Timelines {
        Timelines {
            items: Vec::with_capacity(issues),
            earliest: now,
            now,
            scratch: Vec::new(),
        }
    }

    /// Builds the timeline of issue `i` and flags what makes its numbers uncertain.
    fn add(
        &mut self,
        data: &Dataset,
        i: u32,
        trim: Option<i64>,
        histories: bool,
        warnings: &mut Warnings,
    ) {
        let Some(issue) = data.issues.get(i as usize) else {
            return;
        };
        let now = self.now;
        let created = issue.created.unwrap_or(now);
        self.earliest = self.earliest.min(created);
        self.scratch.clear();
        let mismatch = timeline::build(
            issue,
            What::Status,
            issue.status,
            created,
            now,
            trim,
            &mut self.scratch,
        );
        let mut flags = Vec::new();
        if histories {
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
        }
        self.items.push(Item {
            issue: i,
            segs: self.scratch.as_slice().into(),
            flags,
            clock: None,
        });
    }

    /// Where the calendar must start: the earliest instant a timeline covers, not before
    /// `trimBefore`.
    fn earliest(&self, trim: Option<i64>) -> i64 {
        match trim {
            Some(t) => self.earliest.max(t.min(self.now)),
            None => self.earliest,
        }
    }
}

/// Which statuses the timelines visit, and when each was first entered: for default columns
/// and their order, and the unknown-status warning.
struct StatusesSeen {
    seen: Vec<bool>,
    first_seen: Vec<i64>,
}

impl StatusesSeen {
    fn of(data: &Dataset, items: &[Item], warnings: &mut Warnings) -> StatusesSeen {
        let n_status = data.statuses.list.len();
        let mut seen = vec![false; n_status];
        let mut first_seen = vec![i64::MAX; n_status];
        for s in items.iter().flat_map(|item| item.segs.iter()) {
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
        StatusesSeen { seen, first_seen }
    }
}

/// What a report says besides its columns and rows.
struct Head<'a> {
    data: &'a Dataset,
    config: &'a ReportConfig,
    ctx: &'a Context,
    issue_count: usize,
    warnings: Warnings,
}

/// The report: the kind's columns and values laid out as rows (sorted, grouped, aggregated),
/// kept in it, or handed to `on_row` one at a time and not kept.
fn report(head: Head<'_>, kind: KindOutput, items: &[Item], on_row: Option<RowSink<'_>>) -> Report {
    let Head {
        data,
        config,
        ctx,
        issue_count,
        warnings,
    } = head;
    let table = rows::Table {
        data,
        config,
        tz: &ctx.time_zone,
        columns: &kind.columns,
        values: &kind.values,
    };
    let mut report = Report {
        name: config.name.clone(),
        kind: config.kind.tag(),
        now: ctx.now,
        time_zone: ctx.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        duration_format: config.duration_format,
        group_by: Vec::new(),
        group_value: config.rows.group_value,
        fields: Vec::new(),
        columns: kind.columns.clone(),
        rows: Vec::new(),
        totals: Vec::new(),
        issue_count: u32::try_from(issue_count).unwrap_or(u32::MAX),
        details: Details::None,
        warnings: warnings.finish(),
    };
    let rows = match (&kind.days, &kind.labels) {
        (Some(days), _) => Some(rows::days(&table, days)),
        (None, Some(labels)) => Some(rows::labelled(&table, labels)),
        (None, None) => None,
    };
    if let Some((rows, totals, group_by, fields)) = rows {
        (report.totals, report.group_by, report.fields) = (totals, group_by, fields);
        match on_row {
            Some(on_row) => rows.into_iter().for_each(|row| on_row(&report, row)),
            None => report.rows = rows,
        }
    } else {
        let mut assembly = rows::Assembly::new(&table, items);
        report.totals = std::mem::take(&mut assembly.totals);
        report.group_by = std::mem::take(&mut assembly.group_by);
        report.fields = std::mem::take(&mut assembly.fields);
        match on_row {
            Some(on_row) => assembly.each_row(&mut |row| on_row(&report, row)),
            None => {
                let mut rows = Vec::with_capacity(items.len());
                assembly.each_row(&mut |row| rows.push(row));
                report.rows = rows;
            }
        }
    }
    report.details = kind.details;
    report
}
