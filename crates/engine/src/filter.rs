//! Issue fields as reports see them: display text, filters, date ranges and sort order.

use std::cmp::Ordering;

use config::{DateBound, DateField, DateRange, Filter, FilterOp, FilterValue};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::dataset::{Dataset, FieldValue, Issue};
use crate::format::format_instant;
use crate::time::{Millis, parse_millis, seconds};

/// A field's value on an issue. `key` and `status` are always available (the status by its
/// current name), `created` too.
pub(crate) fn value<'a>(ds: &'a Dataset, issue: &'a Issue, field: &str) -> Option<Value<'a>> {
    match field {
        "key" => issue.key.as_deref().map(Value::Text),
        "status" => issue.status.map(|s| Value::Text(ds.statuses.name(s))),
        "created" => issue.created.map(Value::Time),
        "updated" => issue.updated.map(Value::Time),
        "resolutiondate" => issue.resolved.map(Value::Time),
        _ => issue.field(field).map(|v| match v {
            FieldValue::Text(t) => Value::Text(t),
            FieldValue::Number(n) => Value::Number(*n),
            FieldValue::List(l) => Value::List(l),
        }),
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    Number(f64),
    List(&'a [Box<str>]),
    Time(Millis),
}

impl Value<'_> {
    pub(crate) fn display(&self, tz: &TimeZone) -> String {
        match *self {
            Value::Text(t) => t.to_owned(),
            Value::Number(n) => number(n),
            Value::List(l) => l.join(", "),
            Value::Time(t) => format_instant(seconds(t), tz),
        }
    }

    fn texts(&self) -> Vec<String> {
        match *self {
            Value::List(l) => l.iter().map(|s| s.to_string()).collect(),
            Value::Number(n) => vec![number(n)],
            Value::Text(t) => vec![t.to_owned()],
            Value::Time(t) => vec![t.to_string()],
        }
    }
}

/// A number as people write it: `3`, not `3.0`.
pub(crate) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Whether `issue` passes `filter`. Text comparisons ignore case; a list field matches `eq`
/// and `in` when any of its items does.
pub(crate) fn passes(ds: &Dataset, issue: &Issue, filter: &Filter, tz: &TimeZone) -> bool {
    let v = value(ds, issue, filter.field.as_str());
    let eq = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    let operand_texts = || -> Vec<String> {
        match &filter.value {
            FilterValue::None => Vec::new(),
            FilterValue::Number(n) => vec![number(*n)],
            FilterValue::Text(t) => vec![t.clone()],
            FilterValue::List(l) => l.clone(),
        }
    };
    match filter.op {
        FilterOp::IsEmpty => v.is_none(),
        FilterOp::IsNotEmpty => v.is_some(),
        FilterOp::Eq | FilterOp::In => {
            let Some(v) = v else { return false };
            let ops = operand_texts();
            v.texts().iter().any(|t| ops.iter().any(|o| eq(t, o)))
        }
        FilterOp::Ne | FilterOp::NotIn => {
            let Some(v) = v else { return true };
            let ops = operand_texts();
            !v.texts().iter().any(|t| ops.iter().any(|o| eq(t, o)))
        }
        FilterOp::Contains => {
            let Some(v) = v else { return false };
            let ops = operand_texts();
            let hay = v.display(tz).to_lowercase();
            ops.iter().any(|o| hay.contains(&o.to_lowercase()))
        }
        FilterOp::Gt | FilterOp::Ge | FilterOp::Lt | FilterOp::Le => {
            let Some(v) = v else { return false };
            let Some(ord) = compare_to_operand(&v, &filter.value, tz) else {
                return false;
            };
            match filter.op {
                FilterOp::Gt => ord == Ordering::Greater,
                FilterOp::Ge => ord != Ordering::Less,
                FilterOp::Lt => ord == Ordering::Less,
                _ => ord != Ordering::Greater,
            }
        }
    }
}

/// Orders a field value against a filter operand: numbers as numbers, instants against a date
/// (`2026-06-20`, midnight in `tz`) or a timestamp, everything else as text.
fn compare_to_operand(v: &Value<'_>, operand: &FilterValue, tz: &TimeZone) -> Option<Ordering> {
    match (v, operand) {
        (Value::Number(a), FilterValue::Number(b)) => a.partial_cmp(b),
        (Value::Number(a), FilterValue::Text(b)) => a.partial_cmp(&b.trim().parse::<f64>().ok()?),
        (Value::Time(a), FilterValue::Text(b)) => {
            let b = instant_of(b, tz)?;
            Some(a.cmp(&b))
        }
        (Value::Text(a), FilterValue::Number(b)) => a.trim().parse::<f64>().ok()?.partial_cmp(b),
        (Value::Text(a), FilterValue::Text(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        _ => None,
    }
}

/// A date (midnight in `tz`) or a Jira timestamp, in epoch milliseconds.
fn instant_of(text: &str, tz: &TimeZone) -> Option<Millis> {
    if let Ok(d) = text.trim().parse::<Date>() {
        return Some(d.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond());
    }
    parse_millis(text).ok()
}

/// The half-open instant range `[from, to)` (unix seconds) of a date range, days read in `tz`
/// with `today` for relative bounds.
pub(crate) fn date_window(
    range: &DateRange,
    today: Date,
    tz: &TimeZone,
) -> (Option<i64>, Option<i64>) {
    let day = |b: &DateBound| -> Option<Date> {
        match b {
            DateBound::Date(d) => Some(*d),
            DateBound::DaysFromNow(n) => today.checked_add(jiff::Span::new().days(*n)).ok(),
        }
    };
    let start =
        |d: Date| -> Option<i64> { Some(d.to_zoned(tz.clone()).ok()?.timestamp().as_second()) };
    let from = range.from.as_ref().and_then(day).and_then(start);
    let to = range
        .to
        .as_ref()
        .and_then(day)
        .and_then(|d| d.tomorrow().ok())
        .and_then(start);
    (from, to)
}

/// The instant of an issue a date range looks at.
pub(crate) fn date_of(issue: &Issue, field: DateField) -> Option<Millis> {
    match field {
        DateField::Created => issue.created,
        DateField::Updated => issue.updated,
        DateField::Resolved => issue.resolved,
    }
}

/// Orders field values for sorting: numbers and instants by value, text ignoring case, empty
/// last.
pub(crate) fn compare(a: Option<&Value<'_>>, b: Option<&Value<'_>>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.total_cmp(y),
        (Some(Value::Time(x)), Some(Value::Time(y))) => x.cmp(y),
        (Some(x), Some(y)) => {
            let tz = TimeZone::UTC;
            x.display(&tz)
                .to_lowercase()
                .cmp(&y.display(&tz).to_lowercase())
        }
    }
}

/// Jira's key order: by project, then by number (`DW-9` before `DW-10`).
pub(crate) fn compare_keys(a: &str, b: &str) -> Ordering {
    let split = |k: &str| -> (String, Option<u64>) {
        match k.rsplit_once('-') {
            Some((p, n)) => (p.to_owned(), n.parse().ok()),
            None => (k.to_owned(), None),
        }
    };
    let (pa, na) = split(a);
    let (pb, nb) = split(b);
    pa.cmp(&pb).then(na.cmp(&nb)).then_with(|| a.cmp(b))
}
