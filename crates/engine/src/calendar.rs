//! Measuring durations: wall-clock time, or business time on a work calendar.
//!
//! A work calendar is compiled once per report into the list of its working intervals as real
//! instants over the span the report covers, with running sums. Converting each local working
//! range through the calendar's time zone is what makes daylight-saving changes come out right
//! (a 09:00–17:00 day is 8 hours on both sides of a change, and a night shift across the change
//! gains or loses its hour); holidays and breaks are simply absent intervals. The business time
//! between two instants is then two binary searches.

use config::WorkCalendar;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::ComputeError;

/// How the duration between two instants (epoch milliseconds) is measured: wall-clock time, or the
/// working time of a work calendar. It reads no clock; the instants are inputs.
#[derive(Debug, Clone)]
pub(crate) enum Measure {
    /// 24 hours a day, 7 days a week.
    AllTime,
    Business(Business),
}

#[derive(Debug, Clone)]
pub(crate) struct Business {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Interval bounds in epoch milliseconds; `before[i]`: working milliseconds in intervals
    /// `0..i`.
    before: Vec<i64>,
}

impl Measure {
    /// Compiles `calendar` for instants between `from` and `to` (epoch milliseconds); instants
    /// outside are measured as if the calendar had no working time there.
    pub(crate) fn new(
        calendar: Option<&WorkCalendar>,
        from: i64,
        to: i64,
    ) -> Result<Measure, ComputeError> {
        let Some(cal) = calendar else {
            return Ok(Measure::AllTime);
        };
        let tz = zone(&cal.time_zone)?;
        let day = |t: i64| -> Result<Date, ComputeError> {
            let ts =
                Timestamp::from_millisecond(t).map_err(|e| ComputeError::Time(e.to_string()))?;
            Ok(ts.to_zoned(tz.clone()).date())
        };
        let (first, last) = (day(from)?, day(to.max(from))?);
        let first = first.yesterday().unwrap_or(first);
        let last = last.tomorrow().unwrap_or(last);
        let mut b = Business {
            starts: Vec::new(),
            ends: Vec::new(),
            before: vec![0],
        };
        let mut date = first;
        while date <= last {
            if !cal.is_holiday(date) {
                for range in cal.day(date.weekday()) {
                    let start = local(&tz, date, range.start_seconds())?;
                    let end = local(&tz, date, range.end_seconds())?;
                    let start = start.max(b.ends.last().copied().unwrap_or(i64::MIN));
                    if end > start {
                        let total = b.before.last().copied().unwrap_or(0);
                        b.starts.push(start);
                        b.ends.push(end);
                        b.before.push(total + (end - start));
                    }
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        Ok(Measure::Business(b))
    }

    /// The measured time from `a` to `b` (zero when `b` is not after `a`).
    pub(crate) fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        match self {
            Measure::AllTime => b - a,
            Measure::Business(cal) => cal.upto(b) - cal.upto(a),
        }
    }
}

impl Business {
    /// Working milliseconds before instant `t`.
    fn upto(&self, t: i64) -> i64 {
        let i = self.ends.partition_point(|&end| end <= t);
        let mut total = self.before[i];
        if i < self.starts.len() && t > self.starts[i] {
            total += t - self.starts[i];
        }
        total
    }
}

/// The instant (epoch milliseconds) of `seconds` after local midnight of `date` (which may be
/// 86 400: the next midnight), resolving gaps and folds the way clocks do ("compatible").
fn local(tz: &TimeZone, date: Date, seconds: i64) -> Result<i64, ComputeError> {
    let dt = date
        .to_datetime(jiff::civil::Time::midnight())
        .checked_add(SignedDuration::from_secs(seconds))
        .map_err(|e| ComputeError::Time(e.to_string()))?;
    let zoned = dt
        .to_zoned(tz.clone())
        .map_err(|e| ComputeError::Time(e.to_string()))?;
    Ok(zoned.timestamp().as_millisecond())
}

/// An IANA time zone from jiff's bundled database.
pub(crate) fn zone(name: &str) -> Result<TimeZone, ComputeError> {
    TimeZone::get(name).map_err(|_| ComputeError::UnknownTimeZone(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    const HOUR: i64 = 3_600_000;

    #[test]
    fn office_hours_skip_nights_and_weekends() {
        let cal = WorkCalendar::office_hours("office", "UTC");
        let measure = Measure::new(
            Some(&cal),
            at("2026-01-01T00:00:00Z"),
            at("2026-02-01T00:00:00Z"),
        )
        .unwrap();
        // Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
        let fri = at("2026-01-09T16:00:00Z");
        let mon = at("2026-01-12T10:00:00Z");
        assert_eq!(measure.between(fri, mon), 2 * HOUR);
        assert_eq!(measure.between(mon, fri), 0);
    }

    #[test]
    fn a_working_day_keeps_its_length_across_dst() {
        // Berlin springs forward on Sunday 2026-03-29; Monday 09:00-17:00 is still 8 hours,
        // and Friday before it too, both measured in local time.
        let cal = WorkCalendar::office_hours("berlin", "Europe/Berlin");
        let measure = Measure::new(
            Some(&cal),
            at("2026-03-20T00:00:00Z"),
            at("2026-04-10T00:00:00Z"),
        )
        .unwrap();
        let week = measure.between(at("2026-03-23T00:00:00Z"), at("2026-04-06T00:00:00Z"));
        assert_eq!(week, 10 * 8 * HOUR);
        // Monday after the change: 09:00 CEST is 07:00 UTC.
        assert_eq!(
            measure.between(at("2026-03-30T07:00:00Z"), at("2026-03-30T08:00:00Z")),
            HOUR
        );
        assert_eq!(
            measure.between(at("2026-03-30T06:00:00Z"), at("2026-03-30T07:00:00Z")),
            0
        );
    }
}
