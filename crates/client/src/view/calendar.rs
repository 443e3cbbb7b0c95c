//! Work calendars as people type them: `09:00-12:00, 13:00-17:00` for a day's working ranges,
//! one holiday a line (`2026-12-25 annual Christmas Day`).

use config::{Holiday, TimeRange};
use jiff::civil::{Date, Time};

/// Reads a day's working ranges. Empty text is a day off. `24:00` is accepted as the end of
/// the day (stored as `00:00`).
pub fn parse_ranges(text: &str) -> Result<Vec<TimeRange>, String> {
    super::split_list(text)
        .map(|part| {
            let (a, b) = part
                .split_once('-')
                .ok_or_else(|| format!("{part:?}: write a range as 09:00-17:00"))?;
            Ok(TimeRange {
                start: parse_time(a)?,
                end: parse_time(b)?,
            })
        })
        .collect()
}

fn parse_time(text: &str) -> Result<Time, String> {
    let t = text.trim();
    if t == "24:00" {
        return Ok(Time::midnight());
    }
    t.parse::<Time>()
        .map_err(|_| format!("{t:?} is not a time like 09:00"))
}

/// Writes ranges back in the form [`parse_ranges`] reads.
pub fn format_ranges(ranges: &[TimeRange]) -> String {
    ranges
        .iter()
        .map(|r| {
            let end = if r.end == Time::midnight() {
                "24:00".to_string()
            } else {
                hh_mm(r.end)
            };
            format!("{}-{end}", hh_mm(r.start))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `09:05` (jiff's strftime would bring its whole formatter into the page).
fn hh_mm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Reads holidays, one a line: a date, optionally `annual`, then an optional name.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (date, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let date: Date = date
                .parse()
                .map_err(|_| format!("{date:?} is not a date like 2026-12-25"))?;
            let rest = rest.trim();
            let (annual, name) = match rest.strip_prefix("annual") {
                Some(name) if name.is_empty() || name.starts_with(char::is_whitespace) => {
                    (true, name.trim())
                }
                _ => (false, rest),
            };
            Ok(Holiday {
                date,
                name: name.to_string(),
                annual,
            })
        })
        .collect()
}

/// Writes holidays back in the form [`parse_holidays`] reads.
pub fn format_holidays(holidays: &[Holiday]) -> String {
    holidays
        .iter()
        .map(|h| {
            let mut line = h.date.to_string();
            if h.annual {
                line.push_str(" annual");
            }
            if !h.name.is_empty() {
                line.push(' ');
                line.push_str(&h.name);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip() {
        let r = parse_ranges("09:00-12:00, 13:00-17:30").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].hours(), 4.5);
        assert_eq!(format_ranges(&r), "09:00-12:00, 13:00-17:30");
        let night = parse_ranges("22:00-24:00").unwrap();
        assert_eq!(night[0].end_seconds(), 86_400);
        assert_eq!(format_ranges(&night), "22:00-24:00");
        assert_eq!(parse_ranges("").unwrap(), vec![]);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        assert!(parse_ranges("9 to 5").unwrap_err().contains("09:00-17:00"));
        assert!(parse_ranges("09:00-25:00").unwrap_err().contains("25:00"));
    }

    #[test]
    fn holidays_round_trip() {
        let text = "2026-12-25 annual Christmas Day\n2026-04-03 Good Friday\n2026-05-01";
        let h = parse_holidays(text).unwrap();
        assert!(h[0].annual && h[0].name == "Christmas Day");
        assert!(!h[1].annual && h[1].name == "Good Friday");
        assert!(h[2].name.is_empty());
        assert_eq!(format_holidays(&h), text);
        assert!(parse_holidays("25.12.2026 Xmas").is_err());
        assert_eq!(
            parse_holidays("2026-01-01 annualmeeting").unwrap()[0].name,
            "annualmeeting"
        );
    }
}
