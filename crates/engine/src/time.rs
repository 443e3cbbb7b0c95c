//! Jira's timestamps, read fast: `2026-06-20T15:04:05.000+0000`, `+05:30`, `Z`, and epoch
//! milliseconds (as a number or a string of digits).
//!
//! A changelog dump holds a million of them, so this is a hand-written reader of the one shape
//! Jira writes, with exact calendar arithmetic; anything else is refused with the text quoted.

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Reads a Jira timestamp string into epoch milliseconds: Jira's own form
/// (`2026-06-20T15:04:05.000+0000`), RFC 3339 offsets (`+05:30`, `Z`; none is UTC), a space
/// for the `T`, or epoch milliseconds as a string of digits. Anything else, or a date outside
/// the years -9999 to 9999, is an error that quotes the text. Free of `jiff`'s time-zone
/// database, so the client's page thread reads instants with it too (`fetch::skim`), the same
/// way the worker does.
pub fn parse_millis(s: &str) -> Result<Millis, String> {
    let bad = || format!("invalid timestamp {s:?}");
    let b = s.trim().as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(b)
            .ok()
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|&ms| in_range(ms))
            .ok_or_else(bad);
    }
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (year, month, day, hour, minute, second)
    else {
        return Err(bad());
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    let mut i = 19;
    let mut millis = 0i64;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return Err(bad());
        }
        for _ in digits..3 {
            millis *= 10;
        }
    }
    let offset_seconds = match &b[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [h1, h2, m1, m2] => (two(*h1, *h2), two(*m1, *m2)),
                [h1, h2, b':', m1, m2] => (two(*h1, *h2), two(*m1, *m2)),
                [h1, h2] => (two(*h1, *h2), Some(0)),
                _ => (None, None),
            };
            let (Some(h), Some(m)) = (h, m) else {
                return Err(bad());
            };
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let secs = h * 3600 + m * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(year, month, day);
    let local = days * 86_400 + hour * 3600 + minute * 60 + second;
    Ok((local - offset_seconds) * 1000 + millis)
}

fn two(a: u8, b: u8) -> Option<i64> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether epoch milliseconds fall in the years -9999 to 9999, the range every later step
/// (time zones, calendars) can represent. Larger numbers are garbage, not dates.
pub(crate) fn in_range(ms: Millis) -> bool {
    jiff::Timestamp::from_millisecond(ms).is_ok()
}

/// Floors epoch milliseconds to whole seconds, for instants shown or compared by the second
/// (dates, filters, a report's timestamp columns). Durations keep their milliseconds.
pub(crate) fn seconds(ms: Millis) -> i64 {
    ms.div_euclid(1000)
}

/// A duration in milliseconds as whole seconds, rounded to the nearest (half up): for values
/// whose type holds whole seconds, rounded once, at the end.
pub(crate) fn rounded_seconds(ms: i64) -> i64 {
    (ms + 500).div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) {
        let want: jiff::Timestamp = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s)
            .and_then(|t| t.to_timestamp())
            .unwrap_or_else(|e| panic!("jiff cannot read {s}: {e}"));
        assert_eq!(parse_millis(s).unwrap(), want.as_millisecond(), "{s}");
    }

    #[test]
    fn reads_jira_shapes_like_jiff_does() {
        check("2026-06-20T15:04:05.000+0000");
        check("2026-06-20T15:04:05.123+0530");
        check("2024-02-29T23:59:59.999-0800");
        check("1969-12-31T23:59:59.500+0000");
        check("2012-04-12T13:29:16.000+0200");
    }

    #[test]
    fn reads_colon_offsets_z_and_epoch_millis() {
        let want = jiff::Timestamp::from_second(1_781_947_445).unwrap();
        assert_eq!(want.to_string(), "2026-06-20T09:24:05Z");
        let ms = want.as_millisecond();
        assert_eq!(parse_millis("2026-06-20T14:54:05.000+05:30").unwrap(), ms);
        assert_eq!(parse_millis("2026-06-20T09:24:05Z").unwrap(), ms);
        assert_eq!(parse_millis("1781947445000").unwrap(), ms);
        assert_eq!(
            parse_millis("2026-06-20T15:04:05.1+0000").unwrap() % 1000,
            100
        );
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00.000+0000",
            "2026-02-30T00:00:00.000+0000",
            "2026-06-20T25:00:00.000+0000",
            "2026-06-20T15:04:05.+0000",
            "2026-06-20T15:04:05.000 UTC",
        ] {
            let err = parse_millis(bad).unwrap_err();
            assert!(err.contains("invalid timestamp"), "{bad}: {err}");
        }
        // A two-digit offset is read as hours.
        assert_eq!(
            parse_millis("2026-06-20T15:04:05+02").unwrap(),
            parse_millis("2026-06-20T13:04:05Z").unwrap()
        );
    }
}
