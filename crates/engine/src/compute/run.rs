//! [`Run`]: what every step of one computation shares once the timelines are built (the
//! inputs, the arena of status segments, the calendar, the statuses seen), and the helpers the
//! report kinds have in common: a run's time, status references resolved to status sets.

use config::{ReportConfig, ReportKind, StatusRef, WorkCalendar};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::calendar::Measure;
use crate::dataset::{Dataset, Sym};
use crate::report::{Details, MetricColumn, Num, Unit, WarningCode};
use crate::rows::{Item, Labelled};
use crate::timeline::Seg;

use super::warnings::Warnings;
use super::{ComputeError, Context};

/// What a report kind computed: its columns and one row of values per item (or per day).
pub(super) struct KindOutput {
    pub(super) columns: Vec<MetricColumn>,
    /// Row-major, `columns.len()` values per row; rows in `items` order (or day order).
    pub(super) values: Vec<Option<Num>>,
    pub(super) details: Details,
    pub(super) days: Option<Vec<Date>>,
    /// Rows that are neither issues nor days (a timesheet's people): their labels, in order.
    pub(super) labels: Option<Vec<Labelled>>,
}

impl KindOutput {
    /// Columns and their values, a row per item, with nothing more.
    pub(super) fn per_item(columns: Vec<MetricColumn>, values: Vec<Option<Num>>) -> Self {
        KindOutput {
            columns,
            values,
            details: Details::None,
            days: None,
            labels: None,
        }
    }
}

/// A metric column that stands for no status (a count, a duration between statuses, a
/// person's time).
pub(super) fn column(name: impl Into<String>, unit: Unit) -> MetricColumn {
    MetricColumn {
        name: name.into(),
        unit,
        statuses: Vec::new(),
    }
}

/// One computation of a report, after the issues are picked and their timelines built.
pub(super) struct Run<'a> {
    pub(super) data: &'a Dataset,
    pub(super) config: &'a ReportConfig,
    pub(super) ctx: &'a Context,
    /// Measures durations: 24/7 or the report's work calendar.
    pub(super) measure: &'a Measure,
    /// `Context::now` in epoch milliseconds, the unit of every instant and duration here.
    pub(super) now: i64,
    /// Per status symbol: whether any timeline visits it, and when it was first entered.
    pub(super) seen: &'a [bool],
    pub(super) first_seen: &'a [i64],
    /// Days (per-day reports, throughput periods) are cut in this zone: the calendar's.
    pub(super) day_tz: &'a TimeZone,
    pub(super) today: Date,
    /// The report's work calendar, when it has one (capacity reports measure on it).
    pub(super) calendar: Option<&'a WorkCalendar>,
}

impl Run<'_> {
    /// The metric columns and values of the configured report kind. Kinds that keep only some
    /// issues (throughput: the finished ones) drop the others from `items`.
    pub(super) fn kind(
        &self,
        items: &mut Vec<Item>,
        trim: Option<i64>,
        warnings: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let config = self.config;
        Ok(match &config.kind {
            ReportKind::TimeInStatus { multi_visit } => {
                self.time_in_status(*multi_visit, items, warnings)?
            }
            ReportKind::StatusVisits => self.visits(items, warnings)?,
            ReportKind::EntryDates => self.entry_dates(items, warnings)?,
            ReportKind::Transitions => self.transitions(items),
            ReportKind::AssigneeTime => {
                if !config.columns.metrics.is_empty() {
                    warnings.ignored("metric columns do not apply to assignee reports");
                }
                self.assignee_time(items, trim)
            }
            ReportKind::TimeBetween(tb) => self.time_between(tb, items, warnings),
            ReportKind::StatusPerDay { from, to } => {
                if !config.rows.group_by.is_empty() {
                    warnings.ignored("grouping does not apply to per-day reports");
                }
                self.per_day(*from, *to, items, warnings)?
            }
            ReportKind::Throughput {
                period,
                start,
                done,
            } => self.throughput(*period, start, done, items, warnings),
            ReportKind::Timesheet(t) => {
                self.not_for_worklogs(warnings);
                if t.rows == config::TimesheetRows::Person
                    && !(config.rows.group_by.is_empty() && config.columns.fields.is_empty())
                {
                    warnings.ignored(
                        "grouping and field columns apply to timesheets with issue rows only",
                    );
                }
                self.timesheet(t, items, warnings)?
            }
            ReportKind::Capacity(c) => {
                self.not_for_worklogs(warnings);
                if !config.rows.group_by.is_empty() {
                    warnings.ignored("grouping does not apply to capacity reports");
                }
                self.capacity(c, items, warnings)?
            }
        })
    }

    pub(super) fn segs<'i>(&self, item: &'i Item) -> &'i [Seg] {
        &item.segs
    }

    /// The segments whose time counts: all, or all but the running one.
    pub(super) fn timed<'s>(&self, segs: &'s [Seg]) -> &'s [Seg] {
        if self.config.options.exclude_current_status && !segs.is_empty() {
            &segs[..segs.len() - 1]
        } else {
            segs
        }
    }

    /// The business (or wall-clock) time of a run of segments, in milliseconds.
    pub(super) fn run_time(&self, run: &[Seg]) -> i64 {
        match (run.first(), run.last()) {
            (Some(a), Some(b)) => self.measure.between(a.start, b.end),
            _ => 0,
        }
    }

    /// Statuses a reference names: one id, or every status whose current name matches
    /// (ignoring case). An unknown reference gets a warning and matches nothing.
    pub(super) fn resolve(&self, r: &StatusRef, w: &mut Warnings) -> Vec<Sym> {
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

    pub(super) fn ref_name(&self, r: &StatusRef) -> String {
        match r {
            StatusRef::Id { id } => match self.data.statuses.get(id.as_str()) {
                Some(s) => self.data.statuses.name(s).to_owned(),
                None => id.to_string(),
            },
            StatusRef::Name { name } => name.clone(),
        }
    }

    pub(super) fn member_set(&self, refs: &[StatusRef], w: &mut Warnings) -> Vec<bool> {
        let mut set = vec![false; self.seen.len()];
        for r in refs {
            for s in self.resolve(r, w) {
                set[s as usize] = true;
            }
        }
        set
    }
}
