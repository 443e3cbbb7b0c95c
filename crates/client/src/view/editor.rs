//! The report editor's logic: the choices its selects offer, how typed text becomes
//! configuration values (and back), with a message when it cannot, and what each control
//! edits: a [`Part`] per text control and a named getter and setter per select.
//!
//! The key decision: every accessor is a plain function of `ReportConfig`, so what the
//! editor's controls read and write is tested here, natively, and the components in
//! `pages/editor/` only wire them to signals.

use config::{
    AggregateFn, CalendarId, CalendarRef, DateBound, DateField, DateRange, DurationFormat, FieldId,
    FilterOp, FilterValue, GroupValue, Jql, KindTag, MultiVisit, ReportConfig, ReportKind,
    SortDirection, SortKey, SortTarget, StatusRef, ThroughputPeriod, TimeBetween, TimesheetColumns,
    TimesheetRows, WorklogDates,
};
use jiff::civil;

/// `MultiVisit` options.
pub const MULTI_VISIT: [(MultiVisit, &str, &str); 4] = [
    (MultiVisit::Total, "total", "Sum of all visits"),
    (MultiVisit::First, "first", "First visit only"),
    (MultiVisit::Last, "last", "Last visit only"),
    (MultiVisit::Average, "average", "Average per visit"),
];

/// `GroupValue` options: what each group's row shows, in words.
pub const GROUP_VALUES: [(GroupValue, &str, &str); 3] = [
    (GroupValue::Sum, "sum", "The sum of its issues"),
    (GroupValue::Mean, "mean", "The mean per issue"),
    (GroupValue::Median, "median", "The median per issue"),
];

/// What each group's row shows.
pub fn group_value(c: &ReportConfig) -> Option<GroupValue> {
    Some(c.rows.group_value)
}

pub fn set_group_value(c: &mut ReportConfig, v: GroupValue) {
    c.rows.group_value = v;
}

/// `ThroughputPeriod` options.
pub const PERIODS: [(ThroughputPeriod, &str, &str); 3] = [
    (ThroughputPeriod::Day, "day", "Day"),
    (ThroughputPeriod::Week, "week", "Week"),
    (ThroughputPeriod::Month, "month", "Month"),
];

/// `TimesheetRows` options.
pub const TIMESHEET_ROWS: [(TimesheetRows, &str, &str); 2] = [
    (TimesheetRows::Person, "person", "Person"),
    (
        TimesheetRows::Issue,
        "issue",
        "Issue (grouped by the rows' grouping)",
    ),
];

/// `TimesheetColumns` options.
pub const TIMESHEET_COLUMNS: [(TimesheetColumns, &str, &str); 5] = [
    (TimesheetColumns::Day, "day", "Day"),
    (TimesheetColumns::Week, "week", "Week"),
    (TimesheetColumns::Month, "month", "Month"),
    (
        TimesheetColumns::Person,
        "person",
        "Person (with issue rows)",
    ),
    (TimesheetColumns::Total, "total", "Only the total"),
];

/// A timesheet's dates as the editor writes them: `this week`, `last month`, `last 14 days`,
/// or two days `2026-10-19..2026-10-25`.
pub fn format_worklog_dates(d: &WorklogDates) -> String {
    match *d {
        WorklogDates::ThisWeek => "this week".into(),
        WorklogDates::LastWeek => "last week".into(),
        WorklogDates::ThisMonth => "this month".into(),
        WorklogDates::LastMonth => "last month".into(),
        WorklogDates::ThisQuarter => "this quarter".into(),
        WorklogDates::LastDays { days } => format!("last {days} days"),
        WorklogDates::Fixed { from, to } => format!("{from}..{to}"),
    }
}

/// The reverse of [`format_worklog_dates`]; case and spaces do not matter.
pub fn parse_worklog_dates(s: &str) -> Result<WorklogDates, String> {
    let t = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let fixed = || -> Option<WorklogDates> {
        let (from, to) = t.split_once("..")?;
        Some(WorklogDates::Fixed {
            from: from.trim().parse().ok()?,
            to: to.trim().parse().ok()?,
        })
    };
    Ok(match t.as_str() {
        "this week" => WorklogDates::ThisWeek,
        "last week" => WorklogDates::LastWeek,
        "this month" => WorklogDates::ThisMonth,
        "last month" => WorklogDates::LastMonth,
        "this quarter" => WorklogDates::ThisQuarter,
        _ => {
            if let Some(days) = t
                .strip_prefix("last ")
                .and_then(|r| r.strip_suffix(" days").or_else(|| r.strip_suffix(" day")))
            {
                let days = days
                    .parse()
                    .map_err(|_| format!("{days:?} is not a number of days"))?;
                WorklogDates::LastDays { days }
            } else {
                fixed().ok_or_else(|| {
                    format!(
                        "{:?} is not this week, last week, this month, last month, this quarter, last N days or 2026-10-19..2026-10-25",
                        s.trim()
                    )
                })?
            }
        }
    })
}

/// The duration formats, as the format select lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    Compact,
    Hours,
    Days,
    BusinessDays,
    Seconds,
}

impl FormatChoice {
    pub const ALL: [FormatChoice; 5] = [
        FormatChoice::Compact,
        FormatChoice::Hours,
        FormatChoice::Days,
        FormatChoice::BusinessDays,
        FormatChoice::Seconds,
    ];

    pub fn of(f: &DurationFormat) -> Self {
        match f {
            DurationFormat::Compact { .. } => FormatChoice::Compact,
            DurationFormat::Hours { .. } => FormatChoice::Hours,
            DurationFormat::Days { .. } => FormatChoice::Days,
            DurationFormat::BusinessDays { .. } => FormatChoice::BusinessDays,
            DurationFormat::Seconds => FormatChoice::Seconds,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            FormatChoice::Compact => "compact",
            FormatChoice::Hours => "hours",
            FormatChoice::Days => "days",
            FormatChoice::BusinessDays => "businessDays",
            FormatChoice::Seconds => "seconds",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            FormatChoice::Compact => "1d 4h 30m",
            FormatChoice::Hours => "Hours (28.5)",
            FormatChoice::Days => "Days of 24 h (1.19)",
            FormatChoice::BusinessDays => "Business days (3.56)",
            FormatChoice::Seconds => "Seconds",
        }
    }

    /// The format with this choice, keeping the decimals and day length of `previous`.
    pub fn to_format(self, previous: &DurationFormat) -> DurationFormat {
        let (hours, decimals) = match *previous {
            DurationFormat::Compact { hours_per_day } => (hours_per_day, 1),
            DurationFormat::BusinessDays {
                hours_per_day,
                decimals,
            } => (hours_per_day, decimals),
            DurationFormat::Hours { decimals } | DurationFormat::Days { decimals } => {
                (24.0, decimals)
            }
            DurationFormat::Seconds => (24.0, 1),
        };
        match self {
            FormatChoice::Compact => DurationFormat::Compact {
                hours_per_day: hours,
            },
            FormatChoice::Hours => DurationFormat::Hours { decimals },
            FormatChoice::Days => DurationFormat::Days { decimals },
            FormatChoice::BusinessDays => DurationFormat::BusinessDays {
                hours_per_day: if hours >= 24.0 { 8.0 } else { hours },
                decimals,
            },
            FormatChoice::Seconds => DurationFormat::Seconds,
        }
    }
}

/// Filter operators with their labels.
pub const FILTER_OPS: [(FilterOp, &str, &str); 11] = [
    (FilterOp::Eq, "eq", "is"),
    (FilterOp::Ne, "ne", "is not"),
    (FilterOp::In, "in", "is one of"),
    (FilterOp::NotIn, "notIn", "is none of"),
    (FilterOp::Contains, "contains", "contains"),
    (FilterOp::Gt, "gt", ">"),
    (FilterOp::Ge, "ge", "≥"),
    (FilterOp::Lt, "lt", "<"),
    (FilterOp::Le, "le", "≤"),
    (FilterOp::IsEmpty, "isEmpty", "is empty"),
    (FilterOp::IsNotEmpty, "isNotEmpty", "is not empty"),
];

pub fn filter_op_slug(op: FilterOp) -> &'static str {
    FILTER_OPS
        .iter()
        .find(|(o, ..)| *o == op)
        .map_or("eq", |(_, s, _)| s)
}

pub fn filter_op_from_slug(slug: &str) -> Option<FilterOp> {
    FILTER_OPS
        .iter()
        .find(|(_, s, _)| *s == slug)
        .map(|(o, ..)| *o)
}

/// A filter's value as typed, for `op`: lists are comma-separated, numbers stay numbers.
pub fn parse_filter_value(op: FilterOp, text: &str) -> FilterValue {
    match op {
        FilterOp::IsEmpty | FilterOp::IsNotEmpty => FilterValue::None,
        FilterOp::In | FilterOp::NotIn => {
            FilterValue::List(super::split_list(text).map(str::to_string).collect())
        }
        _ => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && !text.trim().is_empty() => FilterValue::Number(n),
            _ => FilterValue::Text(text.trim().to_string()),
        },
    }
}

pub fn format_filter_value(value: &FilterValue) -> String {
    match value {
        FilterValue::None => String::new(),
        FilterValue::Number(n) => n.to_string(),
        FilterValue::Text(t) => t.clone(),
        FilterValue::List(items) => items.join(", "),
    }
}

/// Reads Jira field ids, comma-separated: `summary, assignee, customfield_10016`.
pub fn parse_fields(text: &str) -> Result<Vec<FieldId>, String> {
    let mut out: Vec<FieldId> = Vec::new();
    for part in super::split_list(text) {
        let id = FieldId::parse(part).map_err(|e| e.to_string())?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub fn format_fields(fields: &[FieldId]) -> String {
    fields
        .iter()
        .map(FieldId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads statuses, comma-separated: a number is a status id, anything else a name.
pub fn parse_statuses(text: &str) -> Vec<StatusRef> {
    let mut out = Vec::new();
    for part in super::split_list(text) {
        let s = match config::StatusId::parse(part) {
            Ok(id) => StatusRef::Id { id },
            Err(_) => StatusRef::Name {
                name: part.to_string(),
            },
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

pub fn format_statuses(statuses: &[StatusRef]) -> String {
    statuses
        .iter()
        .map(|s| match s {
            StatusRef::Id { id } => id.to_string(),
            StatusRef::Name { name } => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a date bound: `2026-01-31`, or `-30` for thirty days before the run. Empty is open.
pub fn parse_date_bound(text: &str) -> Result<Option<DateBound>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(days) = t.parse::<i32>() {
        return Ok(Some(DateBound::DaysFromNow(days)));
    }
    t.parse::<jiff::civil::Date>()
        .map(|d| Some(DateBound::Date(d)))
        .map_err(|_| format!("{t:?}: write a date like 2026-01-31, or -30 for 30 days ago"))
}

pub fn format_date_bound(bound: &Option<DateBound>) -> String {
    match bound {
        None => String::new(),
        Some(DateBound::Date(d)) => d.to_string(),
        Some(DateBound::DaysFromNow(n)) => n.to_string(),
    }
}

/// The statistics offered as checkboxes (percentiles are typed separately).
pub const AGGREGATES: [(AggregateFn, &str); 7] = [
    (AggregateFn::Count, "Count"),
    (AggregateFn::Sum, "Sum"),
    (AggregateFn::Mean, "Mean"),
    (AggregateFn::Median, "Median"),
    (AggregateFn::Min, "Minimum"),
    (AggregateFn::Max, "Maximum"),
    (AggregateFn::StdDev, "Standard deviation"),
];

/// Reads percentiles, comma-separated: `85, 95`.
pub fn parse_percentiles(text: &str) -> Result<Vec<f64>, String> {
    super::split_list(text)
        .map(|p| {
            let v: f64 = p
                .trim_end_matches('%')
                .trim()
                .parse()
                .map_err(|_| format!("{p:?} is not a number"))?;
            if v > 0.0 && v < 100.0 {
                Ok(v)
            } else {
                Err(format!("percentile {v} must be between 0 and 100"))
            }
        })
        .collect()
}

/// Replaces the percentile functions of `functions` with `percentiles`, keeping the rest in
/// order.
pub fn with_percentiles(functions: &[AggregateFn], percentiles: &[f64]) -> Vec<AggregateFn> {
    let mut out: Vec<AggregateFn> = functions
        .iter()
        .copied()
        .filter(|f| !matches!(f, AggregateFn::Percentile { .. }))
        .collect();
    out.extend(
        percentiles
            .iter()
            .map(|p| AggregateFn::Percentile { p: *p }),
    );
    out
}

pub fn format_percentiles(functions: &[AggregateFn]) -> String {
    functions
        .iter()
        .filter_map(|f| match f {
            AggregateFn::Percentile { p } => Some(p.to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns a statistic on or off, keeping the order of the checkbox list.
pub fn toggle_aggregate(functions: &[AggregateFn], f: AggregateFn, on: bool) -> Vec<AggregateFn> {
    let mut kept: Vec<AggregateFn> = functions.iter().copied().filter(|x| *x != f).collect();
    if on {
        let rank = |x: &AggregateFn| {
            AGGREGATES
                .iter()
                .position(|(a, _)| a == x)
                .unwrap_or(AGGREGATES.len())
        };
        kept.push(f);
        kept.sort_by_key(rank);
    }
    kept
}

/// A part of the configuration edited as text: where it is (its JSON path, where the check's
/// problems land), how it reads as text, and how text becomes it again. The editor's text
/// controls are built from these constants, so what each control edits is tested here.
pub struct Part<T> {
    pub path: &'static str,
    pub get: fn(&ReportConfig) -> String,
    pub parse: fn(&str) -> Result<T, String>,
    pub set: fn(&mut ReportConfig, T),
}

impl<T> Part<T> {
    /// Sets this part of `config` from `text`, or says why `text` is not a value.
    pub fn apply(&self, config: &mut ReportConfig, text: &str) -> Result<(), String> {
        (self.set)(config, (self.parse)(text)?);
        Ok(())
    }
}

fn any_text(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

fn statuses(s: &str) -> Result<Vec<StatusRef>, String> {
    Ok(parse_statuses(s))
}

pub const NAME: Part<String> = Part {
    path: "name",
    get: |c| c.name.clone(),
    parse: any_text,
    set: |c, v| c.name = v,
};

pub const DESCRIPTION: Part<String> = Part {
    path: "description",
    get: |c| c.description.clone(),
    parse: any_text,
    set: |c, v| c.description = v,
};

pub const JQL: Part<Jql> = Part {
    path: "jql",
    get: |c| c.jql.as_str().to_string(),
    parse: |s| Jql::parse(s).map_err(|e| e.to_string()),
    set: |c, v| c.jql = v,
};

/// The date range's first day (only while there is a date range).
pub const DATE_FROM: Part<Option<DateBound>> = Part {
    path: "dateRange.from",
    get: |c| format_date_bound(&c.date_range.as_ref().and_then(|r| r.from.clone())),
    parse: parse_date_bound,
    set: |c, v| {
        if let Some(r) = c.date_range.as_mut() {
            r.from = v;
        }
    },
};

/// The date range's last day (only while there is a date range).
pub const DATE_TO: Part<Option<DateBound>> = Part {
    path: "dateRange.to",
    get: |c| format_date_bound(&c.date_range.as_ref().and_then(|r| r.to.clone())),
    parse: parse_date_bound,
    set: |c, v| {
        if let Some(r) = c.date_range.as_mut() {
            r.to = v;
        }
    },
};

/// The options of a time-between report, when it is one.
pub fn time_between(c: &ReportConfig) -> Option<&TimeBetween> {
    match &c.kind {
        ReportKind::TimeBetween(t) => Some(t),
        _ => None,
    }
}

/// [`time_between`], to change.
pub fn time_between_mut(c: &mut ReportConfig) -> Option<&mut TimeBetween> {
    match &mut c.kind {
        ReportKind::TimeBetween(t) => Some(t),
        _ => None,
    }
}

pub const START_STATUSES: Part<Vec<StatusRef>> = Part {
    path: "kind.start",
    get: |c| time_between(c).map_or_else(String::new, |t| format_statuses(&t.start)),
    parse: statuses,
    set: |c, v| {
        if let Some(t) = time_between_mut(c) {
            t.start = v;
        }
    },
};

pub const STOP_STATUSES: Part<Vec<StatusRef>> = Part {
    path: "kind.stop",
    get: |c| time_between(c).map_or_else(String::new, |t| format_statuses(&t.stop)),
    parse: statuses,
    set: |c, v| {
        if let Some(t) = time_between_mut(c) {
            t.stop = v;
        }
    },
};

pub const PAUSE_STATUSES: Part<Vec<StatusRef>> = Part {
    path: "kind.pause",
    get: |c| time_between(c).map_or_else(String::new, |t| format_statuses(&t.pause)),
    parse: statuses,
    set: |c, v| {
        if let Some(t) = time_between_mut(c) {
            t.pause = v;
        }
    },
};

/// A status-per-day report's first and last day, when it is one.
pub fn status_per_day_mut(
    c: &mut ReportConfig,
) -> Option<(&mut Option<civil::Date>, &mut Option<civil::Date>)> {
    match &mut c.kind {
        ReportKind::StatusPerDay { from, to } => Some((from, to)),
        _ => None,
    }
}

/// A status-per-day report's first and last day as typed (empty when the kind is another).
pub fn status_per_day_days(c: &ReportConfig) -> (String, String) {
    let day = |d: &Option<civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    match &c.kind {
        ReportKind::StatusPerDay { from, to } => (day(from), day(to)),
        _ => (String::new(), String::new()),
    }
}

/// Reads an optional day: empty is none, else `2026-01-31`.
pub fn parse_optional_date(s: &str) -> Result<Option<civil::Date>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| format!("{t:?} is not a date like 2026-01-31"))
}

pub const FIRST_DAY: Part<Option<civil::Date>> = Part {
    path: "kind.from",
    get: |c| status_per_day_days(c).0,
    parse: parse_optional_date,
    set: |c, v| {
        if let Some((from, _)) = status_per_day_mut(c) {
            *from = v;
        }
    },
};

pub const LAST_DAY: Part<Option<civil::Date>> = Part {
    path: "kind.to",
    get: |c| status_per_day_days(c).1,
    parse: parse_optional_date,
    set: |c, v| {
        if let Some((_, to)) = status_per_day_mut(c) {
            *to = v;
        }
    },
};

/// A throughput report's start and done statuses, when it is one.
pub fn throughput_statuses(c: &ReportConfig) -> Option<(&[StatusRef], &[StatusRef])> {
    match &c.kind {
        ReportKind::Throughput { start, done, .. } => Some((start, done)),
        _ => None,
    }
}

/// [`throughput_statuses`], to change.
pub fn throughput_statuses_mut(
    c: &mut ReportConfig,
) -> Option<(&mut Vec<StatusRef>, &mut Vec<StatusRef>)> {
    match &mut c.kind {
        ReportKind::Throughput { start, done, .. } => Some((start, done)),
        _ => None,
    }
}

pub const WORK_STARTS: Part<Vec<StatusRef>> = Part {
    path: "kind.start",
    get: |c| throughput_statuses(c).map_or_else(String::new, |(s, _)| format_statuses(s)),
    parse: statuses,
    set: |c, v| {
        if let Some((start, _)) = throughput_statuses_mut(c) {
            *start = v;
        }
    },
};

pub const DONE_IN: Part<Vec<StatusRef>> = Part {
    path: "kind.done",
    get: |c| throughput_statuses(c).map_or_else(String::new, |(_, d)| format_statuses(d)),
    parse: statuses,
    set: |c, v| {
        if let Some((_, done)) = throughput_statuses_mut(c) {
            *done = v;
        }
    },
};

/// The dates and time zone of a worklog kind (timesheet or capacity), when it is one.
pub fn worklog_window(c: &ReportConfig) -> Option<(&WorklogDates, &str)> {
    match &c.kind {
        ReportKind::Timesheet(t) => Some((&t.dates, &t.time_zone)),
        ReportKind::Capacity(k) => Some((&k.dates, &k.time_zone)),
        _ => None,
    }
}

/// [`worklog_window`], to change.
pub fn worklog_window_mut(c: &mut ReportConfig) -> Option<(&mut WorklogDates, &mut String)> {
    match &mut c.kind {
        ReportKind::Timesheet(t) => Some((&mut t.dates, &mut t.time_zone)),
        ReportKind::Capacity(k) => Some((&mut k.dates, &mut k.time_zone)),
        _ => None,
    }
}

pub const WORKLOG_DATES: Part<WorklogDates> = Part {
    path: "kind.dates",
    get: |c| worklog_window(c).map_or_else(String::new, |(d, _)| format_worklog_dates(d)),
    parse: parse_worklog_dates,
    set: |c, v| {
        if let Some((dates, _)) = worklog_window_mut(c) {
            *dates = v;
        }
    },
};

pub const TIME_ZONE: Part<String> = Part {
    path: "kind.timeZone",
    get: |c| worklog_window(c).map_or_else(String::new, |(_, z)| z.to_string()),
    parse: |s| Ok(s.trim().to_string()),
    set: |c, v| {
        if let Some((_, zone)) = worklog_window_mut(c) {
            *zone = v;
        }
    },
};

pub const HIDDEN_STATUSES: Part<Vec<StatusRef>> = Part {
    path: "columns.hidden",
    get: |c| format_statuses(&c.columns.hidden),
    parse: statuses,
    set: |c, v| c.columns.hidden = v,
};

pub const EXTRA_FIELDS: Part<Vec<FieldId>> = Part {
    path: "columns.fields",
    get: |c| format_fields(&c.columns.fields),
    parse: parse_fields,
    set: |c, v| c.columns.fields = v,
};

pub const GROUP_BY: Part<Vec<FieldId>> = Part {
    path: "rows.groupBy",
    get: |c| format_fields(&c.rows.group_by),
    parse: parse_fields,
    set: |c, v| c.rows.group_by = v,
};

pub const PERCENTILES: Part<Vec<f64>> = Part {
    path: "aggregation.functions",
    get: |c| format_percentiles(&c.aggregation.functions),
    parse: parse_percentiles,
    set: |c, v| c.aggregation.functions = with_percentiles(&c.aggregation.functions, &v),
};

/// A choice the editor offers in a select: the value, its slug (the option's value) and its
/// label.
pub type Choices<V> = [(V, &'static str, &'static str)];

/// The date-range field options; `None` is no date range.
pub const DATE_FIELDS: [(Option<DateField>, &str, &str); 4] = [
    (None, "", "All dates"),
    (Some(DateField::Created), "created", "Created"),
    (Some(DateField::Updated), "updated", "Updated"),
    (Some(DateField::Resolved), "resolved", "Resolved"),
];

/// Which date the issues are selected by, if any.
pub fn date_field(c: &ReportConfig) -> Option<Option<DateField>> {
    Some(c.date_range.as_ref().map(|r| r.field))
}

/// Selects issues by `field` (keeping the bounds typed so far), or by no date at all.
pub fn set_date_field(c: &mut ReportConfig, field: Option<DateField>) {
    c.date_range = field.map(|field| {
        let old = c.date_range.take();
        DateRange {
            field,
            from: old.as_ref().and_then(|o| o.from.clone()),
            to: old.and_then(|o| o.to),
        }
    });
}

/// How a time-in-status report counts several visits, when it is one.
pub fn multi_visit(c: &ReportConfig) -> Option<MultiVisit> {
    match c.kind {
        ReportKind::TimeInStatus { multi_visit } => Some(multi_visit),
        _ => None,
    }
}

pub fn set_multi_visit(c: &mut ReportConfig, multi_visit: MultiVisit) {
    c.kind = ReportKind::TimeInStatus { multi_visit };
}

/// A throughput report's period, when it is one.
pub fn throughput_period(c: &ReportConfig) -> Option<ThroughputPeriod> {
    match c.kind {
        ReportKind::Throughput { period, .. } => Some(period),
        _ => None,
    }
}

pub fn set_throughput_period(c: &mut ReportConfig, p: ThroughputPeriod) {
    if let ReportKind::Throughput { period, .. } = &mut c.kind {
        *period = p;
    }
}

/// A timesheet's rows, when it is one.
pub fn timesheet_rows(c: &ReportConfig) -> Option<TimesheetRows> {
    match &c.kind {
        ReportKind::Timesheet(t) => Some(t.rows),
        _ => None,
    }
}

pub fn set_timesheet_rows(c: &mut ReportConfig, rows: TimesheetRows) {
    if let ReportKind::Timesheet(t) = &mut c.kind {
        t.rows = rows;
    }
}

/// A timesheet's columns, when it is one.
pub fn timesheet_columns(c: &ReportConfig) -> Option<TimesheetColumns> {
    match &c.kind {
        ReportKind::Timesheet(t) => Some(t.columns),
        _ => None,
    }
}

pub fn set_timesheet_columns(c: &mut ReportConfig, columns: TimesheetColumns) {
    if let ReportKind::Timesheet(t) = &mut c.kind {
        t.columns = columns;
    }
}

/// The calendar select's value: `allTime`, `saved:<id>`, or `inline` (a calendar only the
/// JSON edits).
pub fn calendar_choice(c: &ReportConfig) -> String {
    match &c.calendar {
        CalendarRef::AllTime => "allTime".to_string(),
        CalendarRef::Saved { id } => format!("saved:{id}"),
        CalendarRef::Inline { .. } => "inline".to_string(),
    }
}

/// Applies the calendar select's value; `inline` and anything unknown change nothing.
pub fn set_calendar_choice(c: &mut ReportConfig, value: &str) {
    if value == "allTime" {
        c.calendar = CalendarRef::AllTime;
    } else if let Some(id) = value
        .strip_prefix("saved:")
        .and_then(|s| CalendarId::parse(s).ok())
    {
        c.calendar = CalendarRef::Saved { id };
    }
}

/// The sort select's value: `none`, `key`, `total`, or a sort only the JSON sets
/// (`column:2`, `field:priority`), shown as it is.
pub fn sort_choice(c: &ReportConfig) -> String {
    match c.sort.first().map(|k| &k.by) {
        None => "none".to_string(),
        Some(SortTarget::Key) => "key".into(),
        Some(SortTarget::Total) => "total".into(),
        Some(SortTarget::Column { index }) => format!("column:{index}"),
        Some(SortTarget::Field { field }) => format!("field:{field}"),
    }
}

/// Applies the sort select's value to the first sort key, keeping its direction; anything
/// but `key` and `total` clears the sort.
pub fn set_sort_choice(c: &mut ReportConfig, value: &str) {
    let by = match value {
        "key" => SortTarget::Key,
        "total" => SortTarget::Total,
        _ => {
            c.sort.clear();
            return;
        }
    };
    let direction = c.sort.first().map(|k| k.direction).unwrap_or_default();
    if c.sort.is_empty() {
        c.sort.push(SortKey { by, direction });
    } else {
        c.sort[0] = SortKey { by, direction };
    }
}

/// The direction of the first sort key (ascending when there is none).
pub fn sort_direction(c: &ReportConfig) -> SortDirection {
    c.sort.first().map(|k| k.direction).unwrap_or_default()
}

pub fn set_sort_direction(c: &mut ReportConfig, direction: SortDirection) {
    if let Some(k) = c.sort.first_mut() {
        k.direction = direction;
    }
}

/// Switches the report to kind `tag`, keeping what carries over
/// ([`ReportKind::switched_to`]); a worklog kind reached from another kind cuts its days in
/// `zone`, the user's, not in UTC.
pub fn switch_kind(c: &mut ReportConfig, tag: KindTag, zone: &str) {
    let had_zone = worklog_window(c).is_some();
    c.kind = c.kind.switched_to(tag);
    if !had_zone && let Some((_, time_zone)) = worklog_window_mut(c) {
        *time_zone = zone.to_string();
    }
}

/// A file name for a configuration named `name`: `Cycle time (Q3)` → `cycle-time--q3`.
pub fn slugify(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "report".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ReportConfig {
        config::parse_report(
            r#"{"schemaVersion":1,"name":"A","jql":"project = DW","kind":{"type":"timeBetween","start":[{"name":"In Progress"}],"stop":[{"name":"Done"}]}}"#,
        )
        .unwrap()
    }

    /// Each text control's part reads back what it wrote, and a part of another kind reads
    /// as empty and writes nothing.
    #[test]
    fn parts_read_back_what_they_write() {
        let mut c = sample();
        let status_parts = [START_STATUSES, STOP_STATUSES, PAUSE_STATUSES];
        for part in &status_parts {
            part.apply(&mut c, "In Review, 10002").unwrap();
            assert_eq!((part.get)(&c), "In Review, 10002", "{}", part.path);
        }
        let before = c.clone();
        for part in [WORK_STARTS, DONE_IN] {
            assert_eq!((part.get)(&c), "", "{}", part.path);
            part.apply(&mut c, "Done").unwrap();
        }
        FIRST_DAY.apply(&mut c, "2026-01-01").unwrap();
        WORKLOG_DATES.apply(&mut c, "this week").unwrap();
        TIME_ZONE.apply(&mut c, " Europe/Berlin ").unwrap();
        assert_eq!(
            c, before,
            "parts of other kinds leave a time-between report alone"
        );

        c.kind = c.kind.switched_to(config::KindTag::Timesheet);
        WORKLOG_DATES.apply(&mut c, "last 14 days").unwrap();
        TIME_ZONE.apply(&mut c, " Europe/Berlin ").unwrap();
        assert_eq!(
            ((WORKLOG_DATES.get)(&c), (TIME_ZONE.get)(&c)),
            ("last 14 days".to_string(), "Europe/Berlin".to_string())
        );
        assert!(WORKLOG_DATES.apply(&mut c, "next week").is_err());

        c.kind = c.kind.switched_to(config::KindTag::StatusPerDay);
        FIRST_DAY.apply(&mut c, "2026-01-31").unwrap();
        LAST_DAY.apply(&mut c, " ").unwrap();
        assert_eq!(
            status_per_day_days(&c),
            ("2026-01-31".into(), String::new())
        );
        let e = FIRST_DAY.apply(&mut c, "31.01.2026").unwrap_err();
        assert!(e.contains("31.01.2026"), "{e}");

        c.kind = c.kind.switched_to(config::KindTag::Throughput);
        WORK_STARTS.apply(&mut c, "In Progress").unwrap();
        DONE_IN.apply(&mut c, "Done, Closed").unwrap();
        assert_eq!(
            throughput_statuses(&c).map(|(s, d)| (format_statuses(s), format_statuses(d))),
            Some(("In Progress".into(), "Done, Closed".into()))
        );

        for (part, text) in [(NAME, "B"), (DESCRIPTION, "Why")] {
            part.apply(&mut c, text).unwrap();
            assert_eq!((part.get)(&c), text);
        }
        JQL.apply(&mut c, "project = X").unwrap();
        assert_eq!((JQL.get)(&c), "project = X");
        HIDDEN_STATUSES.apply(&mut c, "Backlog, 3").unwrap();
        assert_eq!((HIDDEN_STATUSES.get)(&c), "Backlog, 3");
        PERCENTILES.apply(&mut c, "85, 95").unwrap();
        assert_eq!((PERCENTILES.get)(&c), "85, 95");
        assert!(PERCENTILES.apply(&mut c, "100").is_err());
        for part in [EXTRA_FIELDS, GROUP_BY] {
            part.apply(&mut c, "project, assignee").unwrap();
            assert_eq!((part.get)(&c), "project, assignee", "{}", part.path);
            assert!(part.apply(&mut c, "not valid").is_err());
        }
    }

    #[test]
    fn the_date_range_keeps_its_bounds_across_fields() {
        let mut c = sample();
        assert_eq!(date_field(&c), Some(None));
        DATE_FROM.apply(&mut c, "-30").unwrap();
        assert_eq!(c.date_range, None, "no bound without a date range");
        set_date_field(&mut c, Some(DateField::Created));
        DATE_FROM.apply(&mut c, "-30").unwrap();
        DATE_TO.apply(&mut c, "2026-01-31").unwrap();
        set_date_field(&mut c, Some(DateField::Resolved));
        assert_eq!(date_field(&c), Some(Some(DateField::Resolved)));
        assert_eq!(
            ((DATE_FROM.get)(&c), (DATE_TO.get)(&c)),
            ("-30".to_string(), "2026-01-31".to_string())
        );
        set_date_field(&mut c, None);
        assert_eq!(c.date_range, None);
    }

    #[test]
    fn the_group_value_select_edits_the_rows_only() {
        let mut c = sample();
        assert_eq!(group_value(&c), Some(GroupValue::Sum));
        for (value, slug, _) in GROUP_VALUES {
            set_group_value(&mut c, value);
            assert_eq!(group_value(&c), Some(value));
            let json = serde_json::to_string(&c).unwrap();
            assert!(
                json.contains(&format!(r#""groupValue":"{slug}""#)),
                "{json}"
            );
        }
        set_group_value(&mut c, GroupValue::Sum);
        assert_eq!(c, sample());
    }

    #[test]
    fn selects_set_only_their_kind() {
        let mut c = sample();
        assert_eq!(
            (multi_visit(&c), throughput_period(&c), timesheet_rows(&c)),
            (None, None, None)
        );
        set_throughput_period(&mut c, ThroughputPeriod::Month);
        set_timesheet_rows(&mut c, TimesheetRows::Issue);
        set_timesheet_columns(&mut c, TimesheetColumns::Month);
        assert_eq!(c, sample());
        set_multi_visit(&mut c, MultiVisit::Last);
        assert_eq!(multi_visit(&c), Some(MultiVisit::Last));
        c.kind = c.kind.switched_to(config::KindTag::Timesheet);
        set_timesheet_rows(&mut c, TimesheetRows::Issue);
        set_timesheet_columns(&mut c, TimesheetColumns::Month);
        assert_eq!(
            (timesheet_rows(&c), timesheet_columns(&c)),
            (Some(TimesheetRows::Issue), Some(TimesheetColumns::Month))
        );
        c.kind = c.kind.switched_to(config::KindTag::Throughput);
        set_throughput_period(&mut c, ThroughputPeriod::Day);
        assert_eq!(throughput_period(&c), Some(ThroughputPeriod::Day));
    }

    #[test]
    fn calendar_and_sort_selects_round_trip() {
        let mut c = sample();
        assert_eq!(calendar_choice(&c), "allTime");
        set_calendar_choice(&mut c, "saved:7");
        assert_eq!(calendar_choice(&c), "saved:7");
        set_calendar_choice(&mut c, "inline");
        set_calendar_choice(&mut c, "saved:");
        assert_eq!(calendar_choice(&c), "saved:7", "nothing to apply");
        set_calendar_choice(&mut c, "allTime");
        assert_eq!(c.calendar, CalendarRef::AllTime);

        assert_eq!(sort_choice(&c), "none");
        set_sort_direction(&mut c, SortDirection::Desc);
        assert!(c.sort.is_empty(), "no direction without a sort");
        set_sort_choice(&mut c, "total");
        set_sort_direction(&mut c, SortDirection::Desc);
        set_sort_choice(&mut c, "key");
        assert_eq!(
            (sort_choice(&c), sort_direction(&c)),
            ("key".into(), SortDirection::Desc)
        );
        c.sort[0].by = SortTarget::Column { index: 2 };
        assert_eq!(
            sort_choice(&c),
            "column:2",
            "a sort from the JSON is shown as it is"
        );
        set_sort_choice(&mut c, "none");
        assert!(c.sort.is_empty());
        assert_eq!(sort_direction(&c), SortDirection::Asc);
    }

    #[test]
    fn a_worklog_kind_takes_the_users_zone_unless_it_had_one() {
        let mut c = sample();
        switch_kind(&mut c, KindTag::Timesheet, "Europe/Berlin");
        assert_eq!((TIME_ZONE.get)(&c), "Europe/Berlin");
        TIME_ZONE.apply(&mut c, "Asia/Tokyo").unwrap();
        switch_kind(&mut c, KindTag::Capacity, "Europe/Berlin");
        assert_eq!((TIME_ZONE.get)(&c), "Asia/Tokyo", "kept from the timesheet");
        switch_kind(&mut c, KindTag::TimeBetween, "Europe/Berlin");
        assert_eq!(c.kind.tag(), KindTag::TimeBetween);
        assert_eq!((TIME_ZONE.get)(&c), "");
    }

    #[test]
    fn file_names_are_slugs() {
        assert_eq!(slugify("Cycle time (Q3)"), "cycle-time--q3");
        assert_eq!(slugify("  ?? "), "report");
    }

    #[test]
    fn worklog_dates_read_back_what_they_write() {
        let every = [
            WorklogDates::ThisWeek,
            WorklogDates::LastWeek,
            WorklogDates::ThisMonth,
            WorklogDates::LastMonth,
            WorklogDates::ThisQuarter,
            WorklogDates::LastDays { days: 14 },
            WorklogDates::Fixed {
                from: jiff::civil::date(2026, 10, 19),
                to: jiff::civil::date(2026, 10, 25),
            },
        ];
        for d in every {
            assert_eq!(parse_worklog_dates(&format_worklog_dates(&d)), Ok(d));
        }
        assert_eq!(
            parse_worklog_dates("  Last   1 day "),
            Ok(WorklogDates::LastDays { days: 1 })
        );
        let e = parse_worklog_dates("next week").unwrap_err();
        assert!(e.contains("next week") && e.contains("last N days"), "{e}");
        let e = parse_worklog_dates("last many days").unwrap_err();
        assert!(e.contains("many"), "{e}");
        assert!(parse_worklog_dates("2026-10-19..soon").is_err());
    }

    #[test]
    fn formats_keep_their_decimals() {
        let f = FormatChoice::Hours.to_format(&DurationFormat::Days { decimals: 3 });
        assert_eq!(f, DurationFormat::Hours { decimals: 3 });
        let b = FormatChoice::BusinessDays.to_format(&DurationFormat::default());
        assert_eq!(
            b,
            DurationFormat::BusinessDays {
                hours_per_day: 8.0,
                decimals: 1
            }
        );
        for c in FormatChoice::ALL {
            assert_eq!(FormatChoice::of(&c.to_format(&b)), c);
        }
    }

    #[test]
    fn typed_values_become_configuration() {
        assert_eq!(
            format_fields(&parse_fields("summary, assignee,, summary").unwrap()),
            "summary, assignee"
        );
        assert!(parse_fields("summary, not valid").is_err());
        assert_eq!(
            parse_filter_value(FilterOp::In, "A, B"),
            FilterValue::List(vec!["A".into(), "B".into()])
        );
        assert_eq!(
            parse_filter_value(FilterOp::Gt, " 3 "),
            FilterValue::Number(3.0)
        );
        assert_eq!(
            parse_filter_value(FilterOp::Eq, "DW"),
            FilterValue::Text("DW".into())
        );
        assert_eq!(
            parse_filter_value(FilterOp::IsEmpty, "x"),
            FilterValue::None
        );
        assert_eq!(
            parse_date_bound("-30"),
            Ok(Some(DateBound::DaysFromNow(-30)))
        );
        assert_eq!(
            format_date_bound(&parse_date_bound("2026-01-31").unwrap()),
            "2026-01-31"
        );
        assert!(parse_date_bound("31/01/2026").is_err());
        assert_eq!(parse_percentiles("85, 95%").unwrap(), vec![85.0, 95.0]);
        assert!(parse_percentiles("100").is_err());
    }

    #[test]
    fn statistics_toggle_in_a_stable_order() {
        let f = toggle_aggregate(&[AggregateFn::Median], AggregateFn::Count, true);
        assert_eq!(f, vec![AggregateFn::Count, AggregateFn::Median]);
        let f = with_percentiles(&f, &[85.0]);
        assert_eq!(format_percentiles(&f), "85");
        let f = toggle_aggregate(&f, AggregateFn::Count, false);
        assert_eq!(
            f,
            vec![AggregateFn::Median, AggregateFn::Percentile { p: 85.0 }]
        );
    }
}
