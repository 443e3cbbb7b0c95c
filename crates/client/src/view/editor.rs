//! The report editor's logic: the choices its selects offer, and how typed text becomes
//! configuration values (and back), with a message when it cannot.

use config::{
    AggregateFn, DateBound, DurationFormat, FieldId, FilterOp, FilterValue, MultiVisit, ReportKind,
    StatusRef, ThroughputPeriod, TimeBetween, VisitChoice,
};

/// The report kinds, as the kind select lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    TimeInStatus,
    StatusVisits,
    Transitions,
    AssigneeTime,
    TimeBetween,
    EntryDates,
    StatusPerDay,
    Throughput,
}

impl KindChoice {
    pub const ALL: [KindChoice; 8] = [
        KindChoice::TimeInStatus,
        KindChoice::StatusVisits,
        KindChoice::Transitions,
        KindChoice::AssigneeTime,
        KindChoice::TimeBetween,
        KindChoice::EntryDates,
        KindChoice::StatusPerDay,
        KindChoice::Throughput,
    ];

    pub fn of(kind: &ReportKind) -> Self {
        match kind {
            ReportKind::TimeInStatus { .. } => KindChoice::TimeInStatus,
            ReportKind::StatusVisits => KindChoice::StatusVisits,
            ReportKind::Transitions => KindChoice::Transitions,
            ReportKind::AssigneeTime => KindChoice::AssigneeTime,
            ReportKind::TimeBetween(_) => KindChoice::TimeBetween,
            ReportKind::EntryDates => KindChoice::EntryDates,
            ReportKind::StatusPerDay { .. } => KindChoice::StatusPerDay,
            ReportKind::Throughput { .. } => KindChoice::Throughput,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            KindChoice::TimeInStatus => "timeInStatus",
            KindChoice::StatusVisits => "statusVisits",
            KindChoice::Transitions => "transitions",
            KindChoice::AssigneeTime => "assigneeTime",
            KindChoice::TimeBetween => "timeBetween",
            KindChoice::EntryDates => "entryDates",
            KindChoice::StatusPerDay => "statusPerDay",
            KindChoice::Throughput => "throughput",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            KindChoice::TimeInStatus => "Time in status",
            KindChoice::StatusVisits => "Status visits",
            KindChoice::Transitions => "Transitions",
            KindChoice::AssigneeTime => "Time per assignee",
            KindChoice::TimeBetween => "Time between statuses",
            KindChoice::EntryDates => "Status entry dates",
            KindChoice::StatusPerDay => "Issues per status per day",
            KindChoice::Throughput => "Throughput and cycle time",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KindChoice::TimeInStatus => "How long each issue spent in each status.",
            KindChoice::StatusVisits => "How many times each issue entered each status.",
            KindChoice::Transitions => "Moves between statuses, per issue and as a matrix.",
            KindChoice::AssigneeTime => "How long each issue spent with each assignee.",
            KindChoice::TimeBetween => {
                "Time from entering a start status to entering a stop status, minus pauses."
            }
            KindChoice::EntryDates => "When each issue first and last entered each status.",
            KindChoice::StatusPerDay => {
                "How many issues were in each status each day (cumulative flow)."
            }
            KindChoice::Throughput => "Issues finished per period, and cycle-time percentiles.",
        }
    }

    /// The kind with default options, keeping what `previous` had in common (status lists).
    pub fn to_kind(self, previous: &ReportKind) -> ReportKind {
        if KindChoice::of(previous) == self {
            return previous.clone();
        }
        let (start, stop) = match previous {
            ReportKind::TimeBetween(t) => (t.start.clone(), t.stop.clone()),
            ReportKind::Throughput { start, done, .. } => (start.clone(), done.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        match self {
            KindChoice::TimeInStatus => ReportKind::TimeInStatus {
                multi_visit: MultiVisit::Total,
            },
            KindChoice::StatusVisits => ReportKind::StatusVisits,
            KindChoice::Transitions => ReportKind::Transitions,
            KindChoice::AssigneeTime => ReportKind::AssigneeTime,
            KindChoice::TimeBetween => ReportKind::TimeBetween(TimeBetween {
                start,
                stop,
                pause: Vec::new(),
                start_at: VisitChoice::First,
                stop_at: VisitChoice::Last,
            }),
            KindChoice::EntryDates => ReportKind::EntryDates,
            KindChoice::StatusPerDay => ReportKind::StatusPerDay {
                from: None,
                to: None,
            },
            KindChoice::Throughput => ReportKind::Throughput {
                period: ThroughputPeriod::Week,
                start,
                done: stop,
            },
        }
    }
}

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
    fn every_kind_choice_round_trips() {
        for k in KindChoice::ALL {
            let kind = k.to_kind(&ReportKind::StatusVisits);
            assert_eq!(KindChoice::of(&kind), k);
            assert_eq!(KindChoice::from_slug(k.slug()), Some(k));
        }
    }

    #[test]
    fn switching_kinds_keeps_the_status_lists() {
        let tb = KindChoice::TimeBetween.to_kind(&ReportKind::Throughput {
            period: ThroughputPeriod::Month,
            start: parse_statuses("In Progress"),
            done: parse_statuses("Done, 10002"),
        });
        let ReportKind::TimeBetween(t) = tb else {
            panic!("expected time between");
        };
        assert_eq!(format_statuses(&t.start), "In Progress");
        assert_eq!(format_statuses(&t.stop), "Done, 10002");
        assert!(matches!(t.stop[1], StatusRef::Id { .. }));
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
