//! Timesheet report options: which worklogs a timesheet or capacity report counts (dates, time
//! zone, authors) and how it lays them out.
//!
//! The privacy decision: a timesheet configuration names people by account id (or, on Data
//! Center, user name), Jira groups by name, and dates, grouping and calendars; it can never hold
//! a worklog, its comment or its duration. Groups are resolved into members by the browser
//! (which asks Jira as the user), so the configuration keeps only the group's name.

use jiff::civil::Date;
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};

use crate::{AuthorId, GroupName};

/// Options of [`crate::ReportKind::Timesheet`]: time logged per row (a person, or an issue that
/// `rows.groupBy` may group by parent, project, components, labels or any field) and per column
/// (a day, week or month of the date range, a person, or only the total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Timesheet {
    #[serde(default)]
    pub rows: TimesheetRows,
    #[serde(default)]
    pub columns: TimesheetColumns,
    /// The days whose worklogs count, inclusive, in `timeZone`.
    pub dates: WorklogDates,
    /// The IANA time zone days are cut in (`Europe/Berlin`).
    pub time_zone: String,
    #[serde(default)]
    pub authors: Authors,
    /// How a worklog that spans midnight is attributed.
    #[serde(default)]
    pub attribution: Attribution,
}

/// Options of [`crate::ReportKind::Capacity`]: per person, the time logged against the working
/// time of the report's calendar (its weekdays, hours and holidays), the utilisation and the
/// working days without any logged time. Capacity and missing days count the range's days up
/// to the day the report is run (later days are not due yet); the report's `calendar` must be
/// a work calendar. People named by the filter are listed even when they logged nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Capacity {
    pub dates: WorklogDates,
    pub time_zone: String,
    #[serde(default)]
    pub authors: Authors,
    #[serde(default)]
    pub attribution: Attribution,
}

/// What one row of a timesheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum TimesheetRows {
    /// One row per worklog author.
    #[default]
    Person,
    /// One row per issue, grouped like any report by `rows.groupBy` (`parent`, `project`,
    /// `components`, `labels`, a custom field).
    Issue,
}

/// What the columns of a timesheet are; a `Total` column always closes the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum TimesheetColumns {
    /// One per day of the range.
    #[default]
    Day,
    /// One per ISO week (from Monday) that the range touches.
    Week,
    /// One per calendar month that the range touches.
    Month,
    /// One per worklog author: with issue rows, the person × issue matrix.
    Person,
    /// Only the total.
    Total,
}

/// How a worklog is put on days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Attribution {
    /// All of it on the day (in the report's zone) it started, as Jira shows it.
    #[default]
    StartDay,
    /// Split at each midnight of the report's zone by the time it ran.
    SplitByDay,
}

/// Whose worklogs count. Both lists empty: everyone's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Authors {
    /// People by account id (Cloud) or user name (Data Center).
    #[serde(default)]
    pub accounts: Vec<AuthorId>,
    /// Jira groups, by name; the browser resolves them into members before computing.
    #[serde(default)]
    pub groups: Vec<GroupName>,
}

impl Authors {
    /// Whether the filter lets every author through.
    pub fn everyone(&self) -> bool {
        self.accounts.is_empty() && self.groups.is_empty()
    }
}

/// The days a timesheet covers: fixed, or relative to the day the report is run (in its zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum WorklogDates {
    /// From `from` to `to`, both included.
    Fixed {
        from: Date,
        to: Date,
    },
    /// Monday to Sunday of the current ISO week.
    ThisWeek,
    LastWeek,
    /// The whole current calendar month.
    ThisMonth,
    LastMonth,
    /// The whole current calendar quarter.
    ThisQuarter,
    /// The last `days` days, today included.
    LastDays {
        days: u16,
    },
}

impl WorklogDates {
    /// At most this many days in a range (ten years).
    pub const MAX_DAYS: i64 = 3660;

    /// The first and last day (inclusive) for a report run on `today`.
    pub fn resolve(self, today: Date) -> Result<(Date, Date), jiff::Error> {
        let monday =
            today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())?;
        let month = today.first_of_month();
        Ok(match self {
            WorklogDates::Fixed { from, to } => (from, to),
            WorklogDates::ThisWeek => (monday, monday.checked_add(6.days())?),
            WorklogDates::LastWeek => {
                let start = monday.checked_sub(7.days())?;
                (start, start.checked_add(6.days())?)
            }
            WorklogDates::ThisMonth => (month, month.last_of_month()),
            WorklogDates::LastMonth => {
                let start = month.checked_sub(1.month())?;
                (start, start.last_of_month())
            }
            WorklogDates::ThisQuarter => {
                let first_month = (today.month() - 1) / 3 * 3 + 1;
                let start = Date::new(today.year(), first_month, 1)?;
                let last = start.checked_add(2.months())?;
                (start, last.last_of_month())
            }
            WorklogDates::LastDays { days } => {
                let back = Span::new().days(i64::from(days.max(1)) - 1);
                (today.checked_sub(back)?, today)
            }
        })
    }
}

/// The first day of the week holding `d` (Monday): timesheet weeks are ISO weeks.
pub fn week_start(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(back.days()).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn relative_ranges_resolve_around_a_sunday_in_december() {
        // 2026-12-06 is a Sunday: its ISO week began on Monday 2026-11-30.
        let today = date(2026, 12, 6);
        use WorklogDates::{LastDays, LastMonth, LastWeek, ThisMonth, ThisQuarter, ThisWeek};
        for (dates, from, to) in [
            (ThisWeek, "2026-11-30", "2026-12-06"),
            (LastWeek, "2026-11-23", "2026-11-29"),
            (ThisMonth, "2026-12-01", "2026-12-31"),
            (LastMonth, "2026-11-01", "2026-11-30"),
            (ThisQuarter, "2026-10-01", "2026-12-31"),
            (LastDays { days: 7 }, "2026-11-30", "2026-12-06"),
            (LastDays { days: 1 }, "2026-12-06", "2026-12-06"),
        ] {
            let want = (from.parse().unwrap(), to.parse().unwrap());
            assert_eq!(dates.resolve(today).unwrap(), want, "{dates:?}");
        }
    }

    #[test]
    fn last_month_of_january_is_december_and_a_monday_starts_its_own_week() {
        let today = date(2026, 1, 5); // a Monday
        assert_eq!(
            WorklogDates::LastMonth.resolve(today).unwrap(),
            (date(2025, 12, 1), date(2025, 12, 31))
        );
        assert_eq!(
            WorklogDates::ThisWeek.resolve(today).unwrap(),
            (date(2026, 1, 5), date(2026, 1, 11))
        );
        assert_eq!(
            WorklogDates::ThisQuarter
                .resolve(date(2026, 2, 28))
                .unwrap(),
            (date(2026, 1, 1), date(2026, 3, 31))
        );
        assert_eq!(week_start(date(2026, 3, 29)), date(2026, 3, 23));
    }
}
