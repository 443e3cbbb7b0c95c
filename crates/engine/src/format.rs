//! Writing durations and instants for people: one function the table, CSV and XLSX all use.

use config::DurationFormat;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::report::{Num, Unit};

/// Writes `seconds` in `format`: `12345`, `3.43` (hours, days or business days), or
/// `1d 2h 5m` (a day being `hoursPerDay` hours; under a minute, `45s`).
pub fn format_duration(seconds: f64, format: &DurationFormat) -> String {
    match *format {
        DurationFormat::Seconds => format!("{}", seconds.round() as i64),
        DurationFormat::Hours { decimals } => fixed(seconds / 3600.0, decimals),
        DurationFormat::Days { decimals } => fixed(seconds / 86_400.0, decimals),
        DurationFormat::BusinessDays {
            hours_per_day,
            decimals,
        } => fixed(seconds / (hours_per_day * 3600.0), decimals),
        DurationFormat::Compact { hours_per_day } => compact(seconds, hours_per_day),
    }
}

/// The value of `seconds` in the unit of `format` as a number (for spreadsheets), or `None`
/// for the compact text format.
pub fn duration_number(seconds: f64, format: &DurationFormat) -> Option<f64> {
    match *format {
        DurationFormat::Seconds => Some(seconds.round()),
        DurationFormat::Hours { .. } => Some(seconds / 3600.0),
        DurationFormat::Days { .. } => Some(seconds / 86_400.0),
        DurationFormat::BusinessDays { hours_per_day, .. } => {
            Some(seconds / (hours_per_day * 3600.0))
        }
        DurationFormat::Compact { .. } => None,
    }
}

fn fixed(value: f64, decimals: u8) -> String {
    format!("{value:.prec$}", prec = usize::from(decimals))
}

fn compact(seconds: f64, hours_per_day: f64) -> String {
    let negative = seconds < 0.0;
    let seconds = seconds.abs();
    if seconds < 60.0 {
        let s = seconds.round() as i64;
        return if negative && s > 0 {
            format!("-{s}s")
        } else {
            format!("{s}s")
        };
    }
    let minutes = (seconds / 60.0).round() as i64;
    let day_minutes = ((hours_per_day * 60.0).round() as i64).max(1);
    let (days, rest) = (minutes / day_minutes, minutes % day_minutes);
    let (hours, mins) = (rest / 60, rest % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins}m"));
    }
    let text = parts.join(" ");
    if negative { format!("-{text}") } else { text }
}

/// Writes an instant as `2026-06-20 15:04` in `tz`.
pub fn format_instant(seconds: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(seconds) {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// Writes a cell: durations in `format`, counts as numbers (two decimals when fractional),
/// instants as dates in `tz`.
pub fn format_value(value: Num, unit: Unit, format: &DurationFormat, tz: &TimeZone) -> String {
    match unit {
        Unit::Duration => format_duration(value.as_f64(), format),
        Unit::Count => match value {
            Num::Int(i) => i.to_string(),
            Num::Float(f) => format!("{f:.2}"),
        },
        Unit::Timestamp => format_instant(value.as_f64().round() as i64, tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_duration_format() {
        let s = 93_900.0; // 1 day, 2 hours, 5 minutes
        assert_eq!(format_duration(s, &DurationFormat::Seconds), "93900");
        assert_eq!(
            format_duration(s, &DurationFormat::Hours { decimals: 2 }),
            "26.08"
        );
        assert_eq!(
            format_duration(s, &DurationFormat::Days { decimals: 1 }),
            "1.1"
        );
        let bd = DurationFormat::BusinessDays {
            hours_per_day: 8.0,
            decimals: 2,
        };
        assert_eq!(format_duration(s, &bd), "3.26");
        let compact = DurationFormat::Compact {
            hours_per_day: 24.0,
        };
        assert_eq!(format_duration(s, &compact), "1d 2h 5m");
        assert_eq!(format_duration(45.0, &compact), "45s");
        assert_eq!(format_duration(0.0, &compact), "0s");
        assert_eq!(format_duration(3600.0, &compact), "1h");
        let eight = DurationFormat::Compact { hours_per_day: 8.0 };
        assert_eq!(format_duration(s, &eight), "3d 2h 5m");
    }
}
