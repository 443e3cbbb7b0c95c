//! Chart geometry: scales, axis ticks, stacked areas, histogram bins, short duration labels.
//! Pure functions from numbers to numbers and path strings; the SVG components only draw.

/// A linear map from a domain to a pixel range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        Scale {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }

    pub fn at(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Round tick values covering `0..=max` (about `n` of them), and the axis top they imply.
pub fn ticks(max: f64, n: usize) -> (Vec<f64>, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (vec![0.0], 1.0);
    }
    let raw = max / n.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let top = (max / step).ceil() * step;
    let count = (top / step).round() as usize;
    ((0..=count).map(|i| i as f64 * step).collect(), top)
}

/// The unit durations are best read in for values up to `max` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub fn for_max(max_seconds: f64) -> Self {
        if max_seconds >= 2.0 * 86_400.0 {
            TimeUnit::Days
        } else if max_seconds >= 2.0 * 3600.0 {
            TimeUnit::Hours
        } else {
            TimeUnit::Minutes
        }
    }

    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3600.0,
            TimeUnit::Days => 86_400.0,
        }
    }

    pub fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "m",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }
}

/// Ticks for a duration axis: in whole minutes, hours or days, whichever reads best.
pub fn duration_ticks(max_seconds: f64, n: usize) -> (Vec<f64>, f64, TimeUnit) {
    let unit = TimeUnit::for_max(max_seconds);
    let (t, top) = ticks(max_seconds / unit.seconds(), n);
    (
        t.into_iter().map(|v| v * unit.seconds()).collect(),
        top * unit.seconds(),
        unit,
    )
}

/// `3.5d`, `12h`, `45m`: a short label for an axis or a bar.
pub fn short_duration(seconds: f64, unit: TimeUnit) -> String {
    let v = seconds / unit.seconds();
    let text = if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    };
    format!("{text}{}", unit.suffix())
}

/// A number label: `1,234`, `0.5`.
pub fn short_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 && v.abs() < 1e15 {
        super::thousands(v.round().max(0.0) as u64)
    } else {
        format!("{v:.1}")
    }
}

/// A timesheet period's column name, short enough for an axis: `2026-10-26` and
/// `Week of 2026-10-26` as `10-26`; a month (`2026-10`) as it is.
pub fn short_period(name: &str) -> String {
    let date = name.strip_prefix("Week of ").unwrap_or(name);
    match date.len() {
        10 => date.get(5..).unwrap_or(date).to_string(),
        _ => date.to_string(),
    }
}

/// Cumulative-flow bands: for each series (bottom first), an SVG path closing the area between
/// its lower and upper boundaries. `counts[series][day]`.
pub fn stacked_areas(counts: &[Vec<u32>], x: &Scale, y: &Scale) -> Vec<String> {
    let days = counts.iter().map(Vec::len).max().unwrap_or(0);
    let mut lower = vec![0.0f64; days];
    let mut out = Vec::with_capacity(counts.len());
    for series in counts {
        let upper: Vec<f64> = (0..days)
            .map(|d| lower[d] + f64::from(series.get(d).copied().unwrap_or(0)))
            .collect();
        let mut path = String::new();
        for (d, u) in upper.iter().enumerate() {
            let cmd = if d == 0 { 'M' } else { 'L' };
            path.push_str(&format!("{cmd}{:.1},{:.1}", x.at(d as f64), y.at(*u)));
        }
        for d in (0..days).rev() {
            path.push_str(&format!("L{:.1},{:.1}", x.at(d as f64), y.at(lower[d])));
        }
        if days > 0 {
            path.push('Z');
        }
        out.push(path);
        lower = upper;
    }
    out
}

/// `values` counted into `n` equal bins over `0..=max`: (bin start, bin end, count).
pub fn histogram(values: &[f64], n: usize, max: f64) -> Vec<(f64, f64, u32)> {
    let n = n.max(1);
    if !(max.is_finite() && max > 0.0) {
        return vec![(0.0, 1.0, values.len() as u32)];
    }
    let width = max / n as f64;
    let mut bins = vec![0u32; n];
    for v in values {
        let i = ((v / width).floor().max(0.0) as usize).min(n - 1);
        bins[i] += 1;
    }
    bins.iter()
        .enumerate()
        .map(|(i, c)| (i as f64 * width, (i + 1) as f64 * width, *c))
        .collect()
}

/// Eight colours that stay apart for most colour vision, in Atlassian's palette.
pub const PALETTE: [&str; 8] = [
    "#1D7AFC", "#F5CD47", "#22A06B", "#E774BB", "#8F7EE7", "#FEA362", "#6CC3E0", "#758195",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(9.0, 5), (vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0], 10.0));
        assert_eq!(ticks(100.0, 4), (vec![0.0, 25.0, 50.0, 75.0, 100.0], 100.0));
        assert_eq!(ticks(0.0, 5), (vec![0.0], 1.0));
        let (t, top) = ticks(1234.0, 5);
        assert!(top >= 1234.0 && t.len() <= 7, "{t:?}");
    }

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        let (t, top, unit) = duration_ticks(9.0 * 86_400.0, 4);
        assert_eq!(unit, TimeUnit::Days);
        assert_eq!(top, 10.0 * 86_400.0);
        assert_eq!(short_duration(t[1], unit), "2.5d");
        assert_eq!(short_duration(3.0 * 3600.0, TimeUnit::Hours), "3h");
        assert_eq!(TimeUnit::for_max(90.0 * 60.0), TimeUnit::Minutes);
    }

    #[test]
    fn stacked_bands_sit_on_each_other() {
        let x = Scale::new((0.0, 1.0), (0.0, 100.0));
        let y = Scale::new((0.0, 10.0), (100.0, 0.0));
        let paths = stacked_areas(&[vec![2, 4], vec![3, 1]], &x, &y);
        assert_eq!(paths[0], "M0.0,80.0L100.0,60.0L100.0,100.0L0.0,100.0Z");
        assert_eq!(paths[1], "M0.0,50.0L100.0,50.0L100.0,60.0L0.0,80.0Z");
    }

    #[test]
    fn periods_read_short_on_an_axis() {
        assert_eq!(short_period("2026-10-26"), "10-26");
        assert_eq!(short_period("Week of 2026-10-26"), "10-26");
        assert_eq!(short_period("2026-10"), "2026-10");
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let bins = histogram(&[0.0, 1.0, 9.9, 10.0, 5.0], 2, 10.0);
        assert_eq!(bins, vec![(0.0, 5.0, 2), (5.0, 10.0, 3)]);
        let total: u32 = histogram(&[1.0; 7], 3, 0.0).iter().map(|b| b.2).sum();
        assert_eq!(total, 7);
    }
}
