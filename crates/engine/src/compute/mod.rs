//! `compute`: a data set and a configuration in, a report out. No I/O, no clock.
//!
//! [`compute`] reads as the steps of a run: check the configuration, pick the issues, build
//! their status timelines in one arena, compile the calendar that measures durations, compute
//! the report kind's metric columns ([`kinds`], over the columns of [`columns`]), then sort,
//! group and aggregate the rows (`crate::rows`). What every step after the timelines shares is
//! one [`Run`]; warnings are gathered along the way ([`warnings`]).

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
use crate::report::{Flag, Report, WarningCode};
use crate::rows::{self, Item};
use crate::time::seconds;
use crate::timeline::{self, Seg};

pub(crate) use run::Labelled;
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
    config.validate().map_err(ComputeError::InvalidConfig)?;
    let Start {
        calendar,
        day_tz,
        now,
        today,
    } = Start::of(config, ctx)?;
    let mut warnings = Warnings::default();

    let selected = select_issues(data, config, ctx, now, today, &day_tz, &mut warnings);
    let trim = trim_before(config, &mut warnings);
    // Timesheets read worklogs, not histories: a run for one fetches no changelogs, and
    // saying they are missing would be noise.
    let histories = !matches!(
        config.kind,
        ReportKind::Timesheet(_) | ReportKind::Capacity(_)
    );
    let timelines = Timelines::build(data, &selected, now, trim, histories, &mut warnings);
    let measure = Measure::new(calendar, timelines.earliest, now)?;
    let mut unread = Warnings::default();
    let history_warnings = if histories {
        &mut warnings
    } else {
        &mut unread
    };
    let seen = StatusesSeen::of(data, &timelines.segs, history_warnings);
    let run = Run {
        data,
        config,
        ctx,
        measure: &measure,
        now,
        segs: &timelines.segs,
        seen: &seen.seen,
        first_seen: &seen.first_seen,
        day_tz: &day_tz,
        today,
        calendar,
    };
    let mut items = timelines.items;
    let kind = run.kind(&mut items, trim, &mut warnings)?;
    Ok(report(&run, kind, &items, selected.len(), warnings))
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
    let Start {
        calendar,
        day_tz,
        now,
        today,
    } = Start::of(config, ctx)?;
    let mut warnings = Warnings::default();
    let selected = select_issues(data, config, ctx, now, today, &day_tz, &mut warnings);
    let timelines = Timelines::build(data, &selected, now, None, false, &mut warnings);
    let run = Run {
        data,
        config,
        ctx,
        measure: &Measure::AllTime,
        now,
        segs: &timelines.segs,
        seen: &[],
        first_seen: &[],
        day_tz: &day_tz,
        today,
        calendar,
    };
    run.timesheet_worklogs(t, &timelines.items)
}

/// What every run starts from, once its configuration is checked: the work calendar durations
/// are measured on, the zone days are cut in (the calendar's, else UTC), and `now`, in Jira's
/// milliseconds and as a date in that zone.
struct Start<'a> {
    calendar: Option<&'a WorkCalendar>,
    day_tz: TimeZone,
    now: i64,
    today: Date,
}

impl<'a> Start<'a> {
    fn of(config: &'a ReportConfig, ctx: &'a Context) -> Result<Self, ComputeError> {
        let calendar = work_calendar(config, ctx)?;
        let day_tz = match calendar {
            Some(c) => zone(&c.time_zone)?,
            None => TimeZone::UTC,
        };
        Ok(Start {
            calendar,
            now: ctx.now.as_millisecond(),
            today: ctx.now.to_zoned(day_tz.clone()).date(),
            day_tz,
        })
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

/// The status timelines of the selected issues, in one arena, with each issue's flags.
struct Timelines {
    segs: Vec<Seg>,
    items: Vec<Item>,
    /// The earliest instant any timeline covers: where the calendar must start.
    earliest: i64,
}

impl Timelines {
    fn build(
        data: &Dataset,
        selected: &[u32],
        now: i64,
        trim: Option<i64>,
        histories: bool,
        warnings: &mut Warnings,
    ) -> Timelines {
        let mut segs: Vec<Seg> = Vec::with_capacity(data.change_count() + selected.len());
        let mut items: Vec<Item> = Vec::with_capacity(selected.len());
        let mut earliest = now;
        for &i in selected {
            let issue = &data.issues[i as usize];
            let created = issue.created.unwrap_or(now);
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
            if !histories {
                items.push(Item {
                    issue: i,
                    segs: start..segs.len(),
                    flags,
                    clock: None,
                });
                continue;
            }
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
        Timelines {
            segs,
            items,
            earliest,
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
    fn of(data: &Dataset, segs: &[Seg], warnings: &mut Warnings) -> StatusesSeen {
        let n_status = data.statuses.list.len();
        let mut seen = vec![false; n_status];
        let mut first_seen = vec![i64::MAX; n_status];
        for s in segs {
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

/// The report: the kind's columns and values laid out as rows (sorted, grouped, aggregated).
fn report(
    run: &Run<'_>,
    kind: KindOutput,
    items: &[Item],
    issue_count: usize,
    warnings: Warnings,
) -> Report {
    let (data, config, ctx) = (run.data, run.config, run.ctx);
    let table = rows::Table {
        data,
        config,
        tz: &ctx.time_zone,
        columns: &kind.columns,
        values: &kind.values,
    };
    let (rows, totals, group_by, fields) = match (kind.days, &kind.labels) {
        (Some(days), _) => rows::days(&table, &days),
        (None, Some(labels)) => rows::labelled(&table, labels),
        (None, None) => rows::assemble(&table, items),
    };
    Report {
        name: config.name.clone(),
        kind: config.kind.tag(),
        now: ctx.now,
        time_zone: ctx.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        duration_format: config.duration_format,
        group_by,
        fields,
        columns: kind.columns,
        rows,
        totals,
        issue_count: u32::try_from(issue_count).unwrap_or(u32::MAX),
        details: kind.details,
        warnings: warnings.finish(),
    }
}
