//! Work calendars: when the clock runs for business-time durations.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

/// A work calendar: working hours per weekday (gaps between ranges are breaks), holidays, and
/// the IANA time zone all of it is read in. Durations measured on it skip nights, weekends,
/// breaks and holidays, and follow daylight-saving changes of that zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkCalendar {
    /// 1 to 200 characters.
    pub name: String,
    /// An IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub week: WeekSchedule,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

impl WorkCalendar {
    /// Monday to Friday, 09:00 to 17:00 with no break, in `time_zone`.
    pub fn office_hours(name: impl Into<String>, time_zone: impl Into<String>) -> Self {
        let day = vec![TimeRange {
            start: Time::constant(9, 0, 0, 0),
            end: Time::constant(17, 0, 0, 0),
        }];
        WorkCalendar {
            name: name.into(),
            time_zone: time_zone.into(),
            week: WeekSchedule {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                sat: Vec::new(),
                sun: Vec::new(),
            },
            holidays: Vec::new(),
        }
    }

    /// The working ranges of a weekday.
    pub fn day(&self, weekday: jiff::civil::Weekday) -> &[TimeRange] {
        use jiff::civil::Weekday::*;
        match weekday {
            Monday => &self.week.mon,
            Tuesday => &self.week.tue,
            Wednesday => &self.week.wed,
            Thursday => &self.week.thu,
            Friday => &self.week.fri,
            Saturday => &self.week.sat,
            Sunday => &self.week.sun,
        }
    }

    /// Whether `date` is a holiday (an exact date, or an annual one on its month and day).
    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|h| {
            h.date == date
                || (h.annual && h.date.month() == date.month() && h.date.day() == date.day())
        })
    }

    /// The longest working day in hours, the natural length of a "business day" for display.
    pub fn hours_per_day(&self) -> f64 {
        let all = [
            &self.week.mon,
            &self.week.tue,
            &self.week.wed,
            &self.week.thu,
            &self.week.fri,
            &self.week.sat,
            &self.week.sun,
        ];
        all.iter()
            .map(|ranges| ranges.iter().map(TimeRange::hours).sum::<f64>())
            .fold(0.0, f64::max)
    }
}

/// Working ranges for each weekday. An empty list is a day off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WeekSchedule {
    #[serde(default)]
    pub mon: Vec<TimeRange>,
    #[serde(default)]
    pub tue: Vec<TimeRange>,
    #[serde(default)]
    pub wed: Vec<TimeRange>,
    #[serde(default)]
    pub thu: Vec<TimeRange>,
    #[serde(default)]
    pub fri: Vec<TimeRange>,
    #[serde(default)]
    pub sat: Vec<TimeRange>,
    #[serde(default)]
    pub sun: Vec<TimeRange>,
}

/// A working range within one day, from `start` (inclusive) to `end` (exclusive). An `end` of
/// `00:00` means midnight at the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    pub start: Time,
    pub end: Time,
}

impl TimeRange {
    /// Seconds from midnight to the end; an end of `00:00` is the end of the day.
    pub fn end_seconds(&self) -> i64 {
        let s = seconds_of_day(self.end);
        if s == 0 { 86_400 } else { s }
    }

    pub fn start_seconds(&self) -> i64 {
        seconds_of_day(self.start)
    }

    pub fn hours(&self) -> f64 {
        (self.end_seconds() - self.start_seconds()).max(0) as f64 / 3600.0
    }
}

fn seconds_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

/// A day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Holiday {
    pub date: Date,
    #[serde(default)]
    pub name: String,
    /// Repeats every year on the same month and day.
    #[serde(default)]
    pub annual: bool,
}
