//! A computed report: plain data, serialisable, so a Web Worker can hand it to the UI thread as
//! JSON and the table, charts, CSV and XLSX all read the same thing.

pub use config::KindTag;
use config::{AggregateFn, DurationFormat, GroupValue, ThroughputPeriod};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The result of [`crate::compute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The configuration's name.
    pub name: String,
    pub kind: KindTag,
    /// The `now` the report was computed for.
    pub now: Timestamp,
    /// IANA name of the display time zone, for dates in tables and exports.
    pub time_zone: String,
    pub duration_format: DurationFormat,
    /// Fields rows are grouped by, outermost first (empty: one row per issue).
    pub group_by: Vec<FieldColumn>,
    /// What group rows' values are: the sum over their issues, or the mean or median per
    /// issue.
    #[serde(default)]
    pub group_value: GroupValue,
    /// Extra field columns shown beside the key.
    pub fields: Vec<FieldColumn>,
    /// Metric columns; every row's `values` has one entry per column.
    pub columns: Vec<MetricColumn>,
    /// Rows in display order: group rows (with subtotals and statistics) and issue rows, or
    /// day rows for [`KindTag::StatusPerDay`].
    pub rows: Vec<Row>,
    /// Statistics over all issue rows, one per configured aggregate function.
    pub totals: Vec<Aggregate>,
    /// Issues in the report, after filters.
    pub issue_count: u32,
    /// Kind-specific data for charts.
    pub details: Details,
    pub warnings: Vec<Warning>,
}

/// A Jira field shown as a column or used for grouping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldColumn {
    pub id: String,
    /// From `/field` or a search page's `names`, else the id.
    pub name: String,
}

/// A metric column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricColumn {
    /// Display name: the status's current name, a group's name, `Done → Reopened`, a person.
    pub name: String,
    pub unit: Unit,
    /// Jira ids of the statuses the column covers (empty for non-status columns).
    pub statuses: Vec<String>,
}

/// What the numbers of a column are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Unit {
    /// Seconds, with Jira's milliseconds as a fraction; shown in the report's
    /// [`DurationFormat`], which rounds.
    Duration,
    /// A count.
    Count,
    /// Seconds since the Unix epoch, shown as a date and time in the display time zone.
    Timestamp,
}

/// A number: whole (counts, instants, durations of whole seconds) or fractional (averages,
/// durations with milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// A duration of `ms` milliseconds, in seconds: whole when it is, else with the
    /// milliseconds as a fraction. Rounding is left to whoever shows or exports it.
    pub(crate) fn duration(ms: i64) -> Num {
        if ms % 1000 == 0 {
            Num::Int(ms / 1000)
        } else {
            Num::Float(ms as f64 / 1000.0)
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub kind: RowKind,
    /// Nesting: 0 for outermost groups (and ungrouped issues), one more per level.
    pub depth: u8,
    /// The issue key, the group's value, or the day (`2026-06-20`).
    pub label: String,
    /// What the row stands for when it is one thing, where labels may repeat: an issue row's
    /// key (its id when it has none); a timesheet's or capacity report's person row, the
    /// person's account id (user name on Data Center; empty for worklogs without an author).
    /// `None` for group and day rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// For group and issue rows under groups: the group values from the outermost level down.
    pub group: Vec<String>,
    /// Issues the row covers (1 for an issue row).
    pub issues: u32,
    /// Extra field values, one per [`Report::fields`] (empty text when the issue has none;
    /// empty for group rows).
    pub fields: Vec<String>,
    /// One per [`Report::columns`]. Issue rows: the issue's value, `None` where it does not
    /// apply (never in that status). Group rows: the sum of durations and counts over the
    /// group's issues, or their mean or median per issue ([`Report::group_value`]); empty
    /// for instants.
    pub values: Vec<Option<Num>>,
    /// Group rows showing a mean or median: that statistic over the group's issues' totals
    /// (the sums of their duration and count values). `None` otherwise: an issue's or a
    /// sum's total is the sum of its values (a timesheet's, its `Total` column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Num>,
    /// Group rows: the configured statistics over the group's issues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stats: Vec<Aggregate>,
    /// Issue rows: what makes this row's numbers less than certain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Time-between reports: where the clock stands for this issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RowKind {
    Group,
    Issue,
    Day,
}

/// One statistic over a set of rows, per metric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregate {
    pub function: AggregateFn,
    /// `Count`, `Mean`, `P85`...
    pub label: String,
    pub values: Vec<Option<Num>>,
}

/// Why an issue row's numbers are not certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Flag {
    /// Only part of the changelog was loaded: times are computed from what is known.
    TruncatedChangelog,
    /// No changelog was loaded: the issue is taken to have stayed in its current status.
    MissingChangelog,
    /// The last status change does not lead to the issue's current status.
    StatusMismatch,
}

/// For time-between reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ClockState {
    /// Never entered a start status: no value.
    NotStarted,
    /// Started, not stopped: counted up to `now`.
    Running,
    /// Started, not stopped, now in a pause status.
    Paused,
    Stopped,
}

/// Data for charts, by report kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Details {
    None,
    /// The from→to matrix over all issues: `counts[from][to]`, indexes into `statuses`.
    Transitions {
        statuses: Vec<String>,
        counts: Vec<Vec<u32>>,
    },
    /// Issues in each status column at the end of each day: `counts[column][day]`.
    StatusPerDay {
        dates: Vec<Date>,
        columns: Vec<String>,
        counts: Vec<Vec<u32>>,
    },
    Throughput {
        period: ThroughputPeriod,
        /// Finished issues per period, every period from the first finish to `now`.
        buckets: Vec<Bucket>,
        /// Cycle-time percentiles (50, 70, 85, 95) in seconds of the report's calendar.
        percentiles: Vec<Percentile>,
        /// One point per finished issue, for a scatter plot.
        points: Vec<Point>,
        /// Issues not finished at `now`.
        unfinished: u32,
    },
    /// Timesheet and capacity reports: the resolved date range and, for period columns (and
    /// capacity's days), each period with whether the report's calendar has no working time
    /// in it (weekends, holidays), for shading.
    Timesheet {
        from: Date,
        to: Date,
        periods: Vec<Period>,
    },
}

/// One worklog (or the part of it on one day) behind a timesheet cell: what the drill-down from
/// a cell lists. The comment is not here (the engine never keeps it): the browser fetches it
/// from Jira by `worklogId` when it shows the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellWorklog {
    /// The cell's row label (a person's name, or an issue key) and column name, as in the
    /// report.
    pub row: String,
    pub column: String,
    /// The cell's row by its [`Row::key`] (the author's account id, or the issue key): two
    /// people of one name are two rows.
    pub row_key: String,
    /// The cell's column by its position in [`Report::columns`] (a period, or a person).
    pub column_index: usize,
    /// The issue's key (its id when the key is unknown).
    pub issue: String,
    pub worklog_id: Option<String>,
    /// The author's display name.
    pub author: String,
    pub started: Timestamp,
    /// The day (in the report's zone) this part is counted on.
    pub day: Date,
    /// The seconds counted in the cell (part of the worklog when it is split by day).
    pub seconds: f64,
    /// Not every worklog of the issue could be read (a page failed, or Jira's paging stopped
    /// short): the cell may lack some of its time.
    pub partial: bool,
}

/// A column's period in a timesheet, both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub start: Date,
    pub end: Date,
    /// The report's work calendar has no working time in the period.
    pub off: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub start: Date,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Percentile {
    pub p: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    pub key: String,
    pub done: Timestamp,
    /// Cycle time in whole seconds (rounded); `None` when the issue never entered a start
    /// status.
    pub seconds: Option<i64>,
}

/// Something the reader of a report must know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: WarningCode,
    /// A sentence for people, lowercase.
    pub message: String,
    /// The issues concerned (keys), at most [`Warning::MAX_LISTED`]; `count` has them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<String>,
    pub count: u32,
}

impl Warning {
    pub const MAX_LISTED: usize = 50;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WarningCode {
    /// Changelogs known to be partial: the report is computed from part of the history.
    TruncatedChangelogs,
    /// Issues without any changelog.
    MissingChangelogs,
    /// Issues whose last status change does not lead to their current status.
    StatusMismatch,
    /// Issues known only from changelog pages (no `created`, no status): left out.
    IssuesWithoutFields,
    /// Issues created after `now`: left out.
    CreatedAfterNow,
    /// Statuses seen in histories but absent from the loaded `/status` list.
    UnknownStatuses,
    /// A status the configuration names was not found in the data.
    UnresolvedStatus,
    /// A configuration setting that does not apply to this report kind.
    IgnoredSetting,
    /// Issues whose worklogs were not all loaded: their time is what is known, a lower bound.
    PartialWorklogs,
    /// Timesheets count the worklogs the user may see: Jira leaves out worklogs restricted to
    /// a group or role the user is not in.
    VisibleWorklogsOnly,
}
