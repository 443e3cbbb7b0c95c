//! The report configuration: what a user saves, shares and exports.

use serde::{Deserialize, Serialize};

use crate::{CalendarId, Capacity, FieldId, Jql, StatusGroupId, StatusId, Timesheet, WorkCalendar};

/// A saved report: the query, what to compute and how to present it.
///
/// JSON field names are camelCase. Every struct rejects unknown fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportConfig {
    /// Always [`crate::SCHEMA_VERSION`]; other versions are refused.
    pub schema_version: u32,
    /// Shown in report lists. 1 to 200 characters.
    pub name: String,
    /// Optional, up to 2000 characters.
    #[serde(default)]
    pub description: String,
    /// The base JQL that selects issues. Empty means every issue the user can see.
    #[serde(default)]
    pub jql: Jql,
    /// What to compute.
    pub kind: ReportKind,
    #[serde(default)]
    pub columns: Columns,
    #[serde(default)]
    pub rows: Rows,
    /// Sort keys, most significant first.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// Filters applied after fetching, on top of the JQL; all must hold.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Restricts issues by created/updated/resolved date.
    #[serde(default)]
    pub date_range: Option<DateRange>,
    #[serde(default)]
    pub aggregation: Aggregation,
    #[serde(default)]
    pub calendar: CalendarRef,
    #[serde(default)]
    pub duration_format: DurationFormat,
    #[serde(default)]
    pub options: ReportOptions,
}

impl ReportConfig {
    /// A minimal time-in-status report over `jql`, with defaults everywhere else.
    pub fn time_in_status(name: impl Into<String>, jql: Jql) -> Self {
        ReportConfig {
            schema_version: crate::SCHEMA_VERSION,
            name: name.into(),
            description: String::new(),
            jql,
            kind: ReportKind::TimeInStatus {
                multi_visit: MultiVisit::Total,
            },
            columns: Columns::default(),
            rows: Rows::default(),
            sort: Vec::new(),
            filters: Vec::new(),
            date_range: None,
            aggregation: Aggregation::default(),
            calendar: CalendarRef::default(),
            duration_format: DurationFormat::default(),
            options: ReportOptions::default(),
        }
    }

    /// The Jira fields a run of this report needs, beyond `status`, `created` and the key:
    /// extra columns, grouping, sorting and filters. The fetch planner asks Jira for these and
    /// nothing else.
    pub fn needed_fields(&self) -> Vec<FieldId> {
        let mut out: Vec<FieldId> = Vec::new();
        let mut push = |f: &FieldId| {
            if !out.contains(f) {
                out.push(f.clone());
            }
        };
        for c in &self.columns.fields {
            push(c);
        }
        for g in &self.rows.group_by {
            push(g);
        }
        for s in &self.sort {
            if let SortTarget::Field { field } = &s.by {
                push(field);
            }
        }
        for f in &self.filters {
            push(&f.field);
        }
        if let Some(r) = &self.date_range {
            push(&r.field.field_id());
        }
        if matches!(self.kind, ReportKind::AssigneeTime) {
            push(&FieldId::parse("assignee").expect("literal field id"));
        }
        if matches!(
            self.kind,
            ReportKind::Timesheet(_) | ReportKind::Capacity(_)
        ) {
            push(&FieldId::parse("worklog").expect("literal field id"));
        }
        out
    }

    /// The changelog fields a run needs (`fieldIds` for the bulk changelog call).
    pub fn needed_changelog_fields(&self) -> Vec<&'static str> {
        match self.kind {
            ReportKind::AssigneeTime => vec!["status", "assignee"],
            _ => vec!["status"],
        }
    }
}

/// A status, by id (stable across renames) or by name (portable between Jira sites).
/// Written `{"id": "10001"}` or `{"name": "In Progress"}`, exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "StatusRefWire", into = "StatusRefWire")]
#[cfg_attr(feature = "schema", schemars(with = "StatusRefWire"))]
pub enum StatusRef {
    Id { id: StatusId },
    Name { name: String },
}

/// The JSON shape of [`StatusRef`]: a strict object with one of `id` or `name`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct StatusRefWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<StatusId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl TryFrom<StatusRefWire> for StatusRef {
    type Error = &'static str;
    fn try_from(w: StatusRefWire) -> Result<Self, Self::Error> {
        match (w.id, w.name) {
            (Some(id), None) => Ok(StatusRef::Id { id }),
            (None, Some(name)) => Ok(StatusRef::Name { name }),
            _ => {
                Err("a status is written {\"id\": ...} or {\"name\": ...}, exactly one of the two")
            }
        }
    }
}

impl From<StatusRef> for StatusRefWire {
    fn from(s: StatusRef) -> Self {
        match s {
            StatusRef::Id { id } => StatusRefWire {
                id: Some(id),
                name: None,
            },
            StatusRef::Name { name } => StatusRefWire {
                id: None,
                name: Some(name),
            },
        }
    }
}

/// What a report computes. Each kind is one of the metrics users compare across products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ReportKind {
    /// Time each issue spent in each status.
    TimeInStatus {
        #[serde(default)]
        multi_visit: MultiVisit,
    },
    /// How many times each issue entered each status.
    StatusVisits,
    /// Transition counts per issue and the from→to matrix.
    Transitions,
    /// Time each issue spent with each assignee.
    AssigneeTime,
    /// Time between entering a start status and entering a stop status, minus pauses.
    TimeBetween(TimeBetween),
    /// First and last time each issue entered each status.
    EntryDates,
    /// Per-day count of issues in each status: the data behind a cumulative flow diagram.
    StatusPerDay {
        /// Days are cut at midnight in the calendar's time zone (UTC on 24/7).
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
    },
    /// Issues finished per period, and cycle-time percentiles between two status sets.
    Throughput {
        #[serde(default)]
        period: ThroughputPeriod,
        /// Statuses where work starts; empty means the issue's creation.
        #[serde(default)]
        start: Vec<StatusRef>,
        /// Statuses where work is done.
        done: Vec<StatusRef>,
    },
    /// Time logged in worklogs, per person or issue and per day, week, month or person.
    Timesheet(Timesheet),
    /// Time logged per person against the working time of the report's calendar.
    Capacity(Capacity),
}

/// How to count an issue that entered a status several times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum MultiVisit {
    /// The sum of all visits.
    #[default]
    Total,
    /// The first visit only.
    First,
    /// The last visit only.
    Last,
    /// The mean over visits.
    Average,
}

/// Options of [`ReportKind::TimeBetween`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimeBetween {
    /// Entering any of these starts the clock.
    pub start: Vec<StatusRef>,
    /// Entering any of these stops the clock.
    pub stop: Vec<StatusRef>,
    /// Time in these statuses, between start and stop, is not counted.
    #[serde(default)]
    pub pause: Vec<StatusRef>,
    /// Whether to start at the first or the last entry into a start status.
    #[serde(default)]
    pub start_at: VisitChoice,
    /// Whether to stop at the first or the last entry into a stop status.
    #[serde(default = "VisitChoice::last")]
    pub stop_at: VisitChoice,
}

/// First or last occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum VisitChoice {
    #[default]
    First,
    Last,
}

impl VisitChoice {
    fn last() -> Self {
        VisitChoice::Last
    }
}

/// Throughput bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ThroughputPeriod {
    Day,
    #[default]
    Week,
    Month,
}

/// Which columns a report shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Columns {
    /// Status and status-group columns, in order. Empty means every status seen, in workflow
    /// order (by status category, then first appearance).
    #[serde(default)]
    pub metrics: Vec<ColumnSpec>,
    /// Statuses never shown as columns (their time still counts in groups that include them).
    #[serde(default)]
    pub hidden: Vec<StatusRef>,
    /// Extra Jira fields shown beside the key: `summary`, `assignee`, `customfield_10016`.
    #[serde(default)]
    pub fields: Vec<FieldId>,
    /// Different status ids that share a name are one column unless this is set.
    #[serde(default)]
    pub split_same_name: bool,
}

/// One metric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ColumnSpec {
    /// One status.
    Status { status: StatusRef },
    /// A saved status group (e.g. "Cycle time" = In Progress + Review + QA).
    Group { group: StatusGroupId },
    /// An ad-hoc group defined in this report.
    InlineGroup {
        name: String,
        statuses: Vec<StatusRef>,
    },
}

/// How rows are formed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rows {
    /// Group rows by these fields' values, outermost first (e.g. `project`, then `assignee`).
    /// Empty: one row per issue.
    #[serde(default)]
    pub group_by: Vec<FieldId>,
    /// When grouping, also list the issues under each group.
    #[serde(default)]
    pub show_issues: bool,
    /// What a group row shows in each duration or count column and in its total: the sum
    /// over the group's issues (the default, so configurations saved before it existed keep
    /// their meaning), or the mean or median per issue.
    #[serde(default)]
    pub group_value: GroupValue,
}

/// What a group row's numbers are, over the group's issues.
///
/// The mean and the median count issues that never entered a status the way the statistics
/// do ([`Aggregation::count_missing_as_zero`]): left out, or as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum GroupValue {
    /// The sum over the group's issues.
    #[default]
    Sum,
    /// The mean per issue.
    Mean,
    /// The median per issue.
    Median,
}

impl GroupValue {
    /// What the numbers are, for people: `sum`, `mean per issue`, `median per issue`.
    pub fn describe(self) -> &'static str {
        match self {
            GroupValue::Sum => "sum",
            GroupValue::Mean => "mean per issue",
            GroupValue::Median => "median per issue",
        }
    }
}

/// One sort key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SortKey {
    pub by: SortTarget,
    #[serde(default)]
    pub direction: SortDirection,
}

/// What a sort key sorts by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum SortTarget {
    /// The issue key, in Jira's order (project, then number).
    Key,
    /// A Jira field's value.
    Field { field: FieldId },
    /// A metric column, by its position in the result (0 = first metric column).
    Column { index: u16 },
    /// The row total.
    Total,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// A filter on a field's value, applied in the browser after fetching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Filter {
    pub field: FieldId,
    pub op: FilterOp,
    #[serde(default)]
    pub value: FilterValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FilterOp {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    Gt,
    Ge,
    Lt,
    Le,
    IsEmpty,
    IsNotEmpty,
}

impl FilterOp {
    /// What kind of value the operator takes.
    pub fn expects(self) -> &'static str {
        match self {
            FilterOp::In | FilterOp::NotIn => "a list",
            FilterOp::IsEmpty | FilterOp::IsNotEmpty => "no value",
            FilterOp::Gt | FilterOp::Ge | FilterOp::Lt | FilterOp::Le => "a number or a text",
            FilterOp::Eq | FilterOp::Ne | FilterOp::Contains => "a number or a text",
        }
    }
}

/// A filter's operand.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum FilterValue {
    #[default]
    None,
    Number(f64),
    Text(String),
    List(Vec<String>),
}

/// A date range on one of the issue's dates. Both ends are inclusive days in the calendar's
/// time zone; either may be open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DateRange {
    pub field: DateField,
    #[serde(default)]
    pub from: Option<DateBound>,
    #[serde(default)]
    pub to: Option<DateBound>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum DateField {
    Created,
    Updated,
    Resolved,
}

impl DateField {
    pub fn field_id(self) -> FieldId {
        let id = match self {
            DateField::Created => "created",
            DateField::Updated => "updated",
            DateField::Resolved => "resolutiondate",
        };
        FieldId::parse(id).expect("literal field id")
    }
}

/// A fixed day, or a number of days before the report's `now` (`-30` = thirty days ago).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum DateBound {
    Date(jiff::civil::Date),
    DaysFromNow(i32),
}

/// Which statistics to compute over the rows (and over each group when grouping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Aggregation {
    #[serde(default)]
    pub functions: Vec<AggregateFn>,
    /// When true, issues that never entered a status count as zero in its statistics; when
    /// false (the default) they are left out, as empty cells.
    #[serde(default)]
    pub count_missing_as_zero: bool,
}

impl Default for Aggregation {
    fn default() -> Self {
        Aggregation {
            functions: vec![AggregateFn::Count, AggregateFn::Mean, AggregateFn::Median],
            count_missing_as_zero: false,
        }
    }
}

/// A statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum AggregateFn {
    Count,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    /// Population standard deviation.
    StdDev,
    /// Percentile by linear interpolation between closest ranks, `p` in (0, 100).
    Percentile {
        p: f64,
    },
}

/// Which work calendar measures durations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum CalendarRef {
    /// Wall-clock time, 24 hours a day, 7 days a week, in UTC.
    #[default]
    AllTime,
    /// A calendar saved in the tenant's configuration.
    Saved { id: CalendarId },
    /// A calendar defined in this report (handy for the CLI).
    Inline { calendar: Box<WorkCalendar> },
}

/// How durations are written in tables and exports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum DurationFormat {
    /// Whole seconds.
    Seconds,
    /// Decimal hours.
    Hours { decimals: u8 },
    /// Decimal days of 24 hours.
    Days { decimals: u8 },
    /// Decimal business days of `hours_per_day` hours (usually the calendar's working day).
    BusinessDays { hours_per_day: f64, decimals: u8 },
    /// `1d 2h 5m`, where a day is `hours_per_day` hours (24 on wall-clock time).
    Compact { hours_per_day: f64 },
}

impl Default for DurationFormat {
    fn default() -> Self {
        DurationFormat::Compact {
            hours_per_day: 24.0,
        }
    }
}

/// Options that change how histories are read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportOptions {
    /// Ignore time before this instant: durations start here for older issues.
    #[serde(default)]
    pub trim_before: Option<jiff::Timestamp>,
    /// Leave out the time in each issue's current status (still running).
    #[serde(default)]
    pub exclude_current_status: bool,
}
