//! The report editor's logic: the choices its selects offer, and how typed text becomes
//! configuration values (and back), with a message when it cannot.

use config::{
    AggregateFn, DateBound, DurationFormat, FieldId, FilterOp, FilterValue, MultiVisit, StatusRef,
    ThroughputPeriod, TimesheetColumns, TimesheetRows, WorklogDates,
};

/// `MultiVisit` options.
pub const MULTI_VISIT: [(MultiVisit, &str, &str); 4] = [
    (MultiVisit::Total, "total", "Sum of all visits"),
    (MultiVisit::First, "first", "First visit only"),
    (MultiVisit::Last, "last", "Last visit only"),
    (MultiVisit::Average, "average", "Average per visit"),
];

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

#[cfg(test)]
mod tests {
    use super::*;

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
