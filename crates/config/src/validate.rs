//! Validation with precise errors: every problem, each with the JSON path that has it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::report::{
    AggregateFn, CalendarRef, ColumnSpec, DateBound, DurationFormat, FilterOp, FilterValue,
    ReportKind, StatusRef,
};
use crate::{
    Authors, ReportConfig, StatusGroup, TimesheetColumns, TimesheetRows, WorkCalendar, WorklogDates,
};

/// Size caps on stored configuration. They keep every document small (well under the server's
/// 64 KiB body limit) and make it impossible to smuggle bulk data into a configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits;

impl Limits {
    pub const NAME_CHARS: usize = 200;
    pub const DESCRIPTION_CHARS: usize = 2000;
    pub const FIELD_COLUMNS: usize = 30;
    pub const METRIC_COLUMNS: usize = 100;
    pub const GROUP_BY_LEVELS: usize = 4;
    pub const SORT_KEYS: usize = 8;
    pub const FILTERS: usize = 30;
    pub const FILTER_LIST_ITEMS: usize = 100;
    pub const FILTER_TEXT_CHARS: usize = 500;
    pub const STATUSES_PER_SET: usize = 200;
    pub const AGGREGATES: usize = 16;
    pub const HOLIDAYS: usize = 1000;
    pub const RANGES_PER_DAY: usize = 12;
    pub const DECIMALS: u8 = 6;
    pub const AUTHORS: usize = 500;
    pub const AUTHOR_GROUPS: usize = 50;
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidationError {
    /// Where the problem is, as a JSON path: `columns.fields[2]`.
    pub path: String,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

/// Every problem found in a document, in document order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.path, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A document that can check itself beyond what its types say.
pub trait Validate {
    /// Every rule this value breaks, or `Ok` when it breaks none.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Errors::default();
        self.check(&mut errors);
        errors.finish()
    }

    /// Records every broken rule in `errors`.
    fn check(&self, errors: &mut Errors);
}

/// Collects validation errors under a path prefix.
#[derive(Debug, Default)]
pub struct Errors {
    prefix: Vec<String>,
    found: Vec<ValidationError>,
}

impl Errors {
    pub(crate) fn push(&mut self, field: &str, message: impl Into<String>) {
        let mut path = self.prefix.join(".");
        if !field.is_empty() {
            if !path.is_empty() && !field.starts_with('[') {
                path.push('.');
            }
            path.push_str(field);
        }
        self.found.push(ValidationError {
            path,
            message: message.into(),
        });
    }

    pub(crate) fn nested(&mut self, field: impl Into<String>, f: impl FnOnce(&mut Errors)) {
        self.prefix.push(field.into());
        f(self);
        self.prefix.pop();
    }

    pub(crate) fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min || n > max {
            self.push(field, format!("must be {min} to {max} characters, got {n}"));
        } else if min > 0 && value.trim().is_empty() {
            self.push(field, "must not be blank");
        }
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            self.push(field, "must not contain control characters");
        }
    }

    pub(crate) fn max_items<T>(&mut self, field: &str, items: &[T], max: usize) {
        if items.len() > max {
            self.push(
                field,
                format!("must have at most {max} entries, got {}", items.len()),
            );
        }
    }

    pub(crate) fn statuses(&mut self, field: &str, statuses: &[StatusRef], required: bool) {
        if required && statuses.is_empty() {
            self.push(field, "must name at least one status");
        }
        self.max_items(field, statuses, Limits::STATUSES_PER_SET);
        for (i, s) in statuses.iter().enumerate() {
            if let StatusRef::Name { name } = s {
                self.text(&format!("{field}[{i}].name"), name, 1, Limits::NAME_CHARS);
            }
        }
    }

    fn finish(self) -> Result<(), ValidationErrors> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.found))
        }
    }
}

impl Validate for ReportConfig {
    fn check(&self, e: &mut Errors) {
        if self.schema_version != crate::SCHEMA_VERSION {
            e.push(
                "schemaVersion",
                format!(
                    "unsupported schema version {}, this build reads version {}",
                    self.schema_version,
                    crate::SCHEMA_VERSION
                ),
            );
        }
        e.text("name", &self.name, 1, Limits::NAME_CHARS);
        e.text(
            "description",
            &self.description,
            0,
            Limits::DESCRIPTION_CHARS,
        );

        e.nested("kind", |e| check_kind(&self.kind, e));

        e.nested("columns", |e| {
            let c = &self.columns;
            e.max_items("metrics", &c.metrics, Limits::METRIC_COLUMNS);
            e.max_items("fields", &c.fields, Limits::FIELD_COLUMNS);
            e.statuses("hidden", &c.hidden, false);
            for (i, m) in c.metrics.iter().enumerate() {
                match m {
                    ColumnSpec::Status { status } => e.statuses(
                        &format!("metrics[{i}].status"),
                        std::slice::from_ref(status),
                        true,
                    ),
                    ColumnSpec::Group { .. } => {}
                    ColumnSpec::InlineGroup { name, statuses } => {
                        e.text(&format!("metrics[{i}].name"), name, 1, Limits::NAME_CHARS);
                        e.statuses(&format!("metrics[{i}].statuses"), statuses, true);
                    }
                }
            }
            if let Some(dup) = first_duplicate(&c.fields) {
                e.push("fields", format!("field {dup} is listed twice"));
            }
        });

        e.nested("rows", |e| {
            e.max_items("groupBy", &self.rows.group_by, Limits::GROUP_BY_LEVELS);
            if let Some(dup) = first_duplicate(&self.rows.group_by) {
                e.push("groupBy", format!("field {dup} is listed twice"));
            }
        });

        e.max_items("sort", &self.sort, Limits::SORT_KEYS);

        e.max_items("filters", &self.filters, Limits::FILTERS);
        for (i, f) in self.filters.iter().enumerate() {
            e.nested(format!("filters[{i}]"), |e| check_filter(f.op, &f.value, e));
        }

        if let Some(range) = &self.date_range {
            e.nested("dateRange", |e| {
                if range.from.is_none() && range.to.is_none() {
                    e.push("", "needs a `from`, a `to`, or both");
                }
                if let (Some(DateBound::Date(a)), Some(DateBound::Date(b))) =
                    (&range.from, &range.to)
                    && a > b
                {
                    e.push("", format!("`from` {a} is after `to` {b}"));
                }
                for (name, bound) in [("from", &range.from), ("to", &range.to)] {
                    if let Some(DateBound::DaysFromNow(d)) = bound
                        && d.unsigned_abs() > 36_600
                    {
                        e.push(name, "relative dates are limited to 100 years");
                    }
                }
            });
        }

        e.nested("aggregation", |e| {
            let fns = &self.aggregation.functions;
            e.max_items("functions", fns, Limits::AGGREGATES);
            for (i, f) in fns.iter().enumerate() {
                if let AggregateFn::Percentile { p } = f
                    && !(p.is_finite() && *p > 0.0 && *p < 100.0)
                {
                    e.push(
                        &format!("functions[{i}].p"),
                        format!("must be between 0 and 100, got {p}"),
                    );
                }
            }
        });

        if matches!(self.kind, ReportKind::Capacity(_))
            && matches!(self.calendar, CalendarRef::AllTime)
        {
            e.push(
                "calendar",
                "a capacity report needs a work calendar (saved or inline) to measure capacity on",
            );
        }

        if let CalendarRef::Inline { calendar } = &self.calendar {
            e.nested("calendar.calendar", |e| calendar.check(e));
        }

        e.nested("durationFormat", |e| {
            check_duration_format(&self.duration_format, e)
        });
    }
}

fn check_kind(kind: &ReportKind, e: &mut Errors) {
    match kind {
        ReportKind::TimeBetween(tb) => {
            e.statuses("start", &tb.start, true);
            e.statuses("stop", &tb.stop, true);
            e.statuses("pause", &tb.pause, false);
            if let Some(s) = tb.start.iter().find(|s| tb.stop.contains(s)) {
                e.push(
                    "stop",
                    format!("{} is both a start and a stop status", describe(s)),
                );
            }
        }
        ReportKind::Throughput { start, done, .. } => {
            e.statuses("start", start, false);
            e.statuses("done", done, true);
        }
        ReportKind::StatusPerDay {
            from: Some(a),
            to: Some(b),
        } if a > b => {
            e.push("", format!("`from` {a} is after `to` {b}"));
        }
        ReportKind::StatusPerDay { from, to } => {
            if let (Some(a), Some(b)) = (from, to)
                && b.since(*a).map(|s| s.get_days()).unwrap_or(0) > 3660
            {
                e.push("", "a per-day report covers at most ten years");
            }
        }
        ReportKind::Timesheet(t) => {
            if t.rows == TimesheetRows::Person && t.columns == TimesheetColumns::Person {
                e.push(
                    "columns",
                    "person columns need issue rows (the person × issue matrix)",
                );
            }
            check_worklog_scope(&t.dates, &t.time_zone, &t.authors, e);
        }
        ReportKind::Capacity(c) => check_worklog_scope(&c.dates, &c.time_zone, &c.authors, e),
        _ => {}
    }
}

/// The dates, zone and authors of a timesheet or capacity report.
fn check_worklog_scope(dates: &WorklogDates, time_zone: &str, authors: &Authors, e: &mut Errors) {
    if jiff::tz::TimeZone::get(time_zone).is_err() {
        e.push("timeZone", format!("unknown IANA time zone {time_zone:?}"));
    }
    match *dates {
        WorklogDates::Fixed { from, to } => {
            if from > to {
                e.push("dates", format!("`from` {from} is after `to` {to}"));
            } else if from.until(to).map_or(0, |s| i64::from(s.get_days()))
                >= WorklogDates::MAX_DAYS
            {
                e.push("dates", "a timesheet covers at most ten years");
            }
        }
        WorklogDates::LastDays { days }
            if days == 0 || i64::from(days) > WorklogDates::MAX_DAYS =>
        {
            e.push(
                "dates.days",
                format!("must be 1 to {}, got {days}", WorklogDates::MAX_DAYS),
            );
        }
        _ => {}
    }
    e.nested("authors", |e| {
        e.max_items("accounts", &authors.accounts, Limits::AUTHORS);
        e.max_items("groups", &authors.groups, Limits::AUTHOR_GROUPS);
        if let Some(dup) = first_duplicate(&authors.accounts) {
            e.push("accounts", format!("account {dup} is listed twice"));
        }
        if let Some(dup) = first_duplicate(&authors.groups) {
            e.push("groups", format!("group {dup} is listed twice"));
        }
    });
}

fn check_filter(op: FilterOp, value: &FilterValue, e: &mut Errors) {
    let ok = match (op, value) {
        (FilterOp::IsEmpty | FilterOp::IsNotEmpty, FilterValue::None) => true,
        (FilterOp::In | FilterOp::NotIn, FilterValue::List(items)) => !items.is_empty(),
        (
            FilterOp::Eq
            | FilterOp::Ne
            | FilterOp::Contains
            | FilterOp::Gt
            | FilterOp::Ge
            | FilterOp::Lt
            | FilterOp::Le,
            FilterValue::Text(_) | FilterValue::Number(_),
        ) => true,
        _ => false,
    };
    if !ok {
        e.push("value", format!("operator {op:?} takes {}", op.expects()));
    }
    match value {
        FilterValue::Text(t) => e.text("value", t, 0, Limits::FILTER_TEXT_CHARS),
        FilterValue::List(items) => {
            e.max_items("value", items, Limits::FILTER_LIST_ITEMS);
            for (i, t) in items.iter().enumerate() {
                e.text(&format!("value[{i}]"), t, 0, Limits::FILTER_TEXT_CHARS);
            }
        }
        FilterValue::Number(n) if !n.is_finite() => e.push("value", "must be a finite number"),
        _ => {}
    }
}

fn check_duration_format(format: &DurationFormat, e: &mut Errors) {
    let (hours, decimals) = match *format {
        DurationFormat::Seconds => (None, None),
        DurationFormat::Hours { decimals } | DurationFormat::Days { decimals } => {
            (None, Some(decimals))
        }
        DurationFormat::BusinessDays {
            hours_per_day,
            decimals,
        } => (Some(hours_per_day), Some(decimals)),
        DurationFormat::Compact { hours_per_day } => (Some(hours_per_day), None),
    };
    if let Some(h) = hours
        && !(h.is_finite() && h > 0.0 && h <= 24.0)
    {
        e.push(
            "hoursPerDay",
            format!("must be more than 0 and at most 24, got {h}"),
        );
    }
    if let Some(d) = decimals
        && d > Limits::DECIMALS
    {
        e.push(
            "decimals",
            format!("must be at most {}, got {d}", Limits::DECIMALS),
        );
    }
}

impl Validate for WorkCalendar {
    fn check(&self, e: &mut Errors) {
        e.text("name", &self.name, 1, Limits::NAME_CHARS);
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            e.push(
                "timeZone",
                format!("unknown IANA time zone {:?}", self.time_zone),
            );
        }
        let days = [
            ("mon", &self.week.mon),
            ("tue", &self.week.tue),
            ("wed", &self.week.wed),
            ("thu", &self.week.thu),
            ("fri", &self.week.fri),
            ("sat", &self.week.sat),
            ("sun", &self.week.sun),
        ];
        e.nested("week", |e| {
            for (name, ranges) in days {
                e.max_items(name, ranges, Limits::RANGES_PER_DAY);
                let mut previous_end = 0;
                for (i, r) in ranges.iter().enumerate() {
                    let (start, end) = (r.start_seconds(), r.end_seconds());
                    if start >= end {
                        e.push(
                            &format!("{name}[{i}]"),
                            format!("starts at {} but ends at {}", r.start, r.end),
                        );
                    } else if start < previous_end {
                        e.push(
                            &format!("{name}[{i}]"),
                            "overlaps the range before it; list ranges in order",
                        );
                    }
                    previous_end = previous_end.max(end);
                }
            }
        });
        if days.iter().all(|(_, ranges)| ranges.is_empty()) {
            e.push("week", "needs at least one working range");
        }
        e.max_items("holidays", &self.holidays, Limits::HOLIDAYS);
        for (i, h) in self.holidays.iter().enumerate() {
            e.text(
                &format!("holidays[{i}].name"),
                &h.name,
                0,
                Limits::NAME_CHARS,
            );
        }
    }
}

impl Validate for StatusGroup {
    fn check(&self, e: &mut Errors) {
        e.text("name", &self.name, 1, Limits::NAME_CHARS);
        e.statuses("statuses", &self.statuses, true);
    }
}

fn first_duplicate<T: PartialEq + fmt::Display>(items: &[T]) -> Option<&T> {
    items
        .iter()
        .enumerate()
        .find(|(i, x)| items[..*i].contains(x))
        .map(|(_, x)| x)
}

fn describe(s: &StatusRef) -> String {
    match s {
        StatusRef::Id { id } => format!("status {id}"),
        StatusRef::Name { name } => format!("status {name:?}"),
    }
}
