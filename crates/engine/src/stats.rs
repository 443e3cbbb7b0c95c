//! The statistics of [`config::AggregateFn`] over a column's values.

use config::AggregateFn;

use crate::report::Num;

/// The label of a statistic, as shown in tables and exports.
pub fn label(f: AggregateFn) -> String {
    match f {
        AggregateFn::Count => "Count".into(),
        AggregateFn::Sum => "Sum".into(),
        AggregateFn::Mean => "Mean".into(),
        AggregateFn::Median => "Median".into(),
        AggregateFn::Min => "Min".into(),
        AggregateFn::Max => "Max".into(),
        AggregateFn::StdDev => "Std dev".into(),
        AggregateFn::Percentile { p } => format!("P{p}"),
    }
}

/// `f` over `values`, which must be sorted ascending. `whole` says the values are whole
/// numbers, so sums, minima and maxima stay whole. `None` for anything but a count of nothing.
pub(crate) fn aggregate(f: AggregateFn, values: &[f64], whole: bool) -> Option<Num> {
    let n = values.len();
    if let AggregateFn::Count = f {
        return Some(Num::Int(i64::try_from(n).unwrap_or(i64::MAX)));
    }
    if n == 0 {
        return None;
    }
    let float = |x: f64| Some(Num::Float(x));
    let sum: f64 = values.iter().sum();
    let mean = sum / n as f64;
    let keep = |x: f64| {
        if whole {
            Some(Num::Int(x.round() as i64))
        } else {
            Some(Num::Float(x))
        }
    };
    match f {
        AggregateFn::Count => None,
        AggregateFn::Sum => keep(sum),
        AggregateFn::Mean => float(mean),
        AggregateFn::Median => float(percentile(values, 50.0)),
        AggregateFn::Min => keep(values[0]),
        AggregateFn::Max => keep(values[n - 1]),
        AggregateFn::StdDev => {
            let var = values.iter().map(|&v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            float(var.sqrt())
        }
        AggregateFn::Percentile { p } => float(percentile(values, p)),
    }
}

/// Linear interpolation between closest ranks (`(n - 1) * p / 100`, as spreadsheets and numpy
/// do by default). `values` sorted, not empty.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let n = values.len();
    if n == 1 {
        return values[0];
    }
    let rank = (n - 1) as f64 * p.clamp(0.0, 100.0) / 100.0;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = rank - lo as f64;
    values[lo] + (values[hi] - values[lo]) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_small_sample() {
        let v = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(aggregate(AggregateFn::Count, &v, true), Some(Num::Int(4)));
        assert_eq!(aggregate(AggregateFn::Sum, &v, true), Some(Num::Int(100)));
        assert_eq!(
            aggregate(AggregateFn::Mean, &v, true),
            Some(Num::Float(25.0))
        );
        assert_eq!(
            aggregate(AggregateFn::Median, &v, true),
            Some(Num::Float(25.0))
        );
        assert_eq!(aggregate(AggregateFn::Min, &v, true), Some(Num::Int(10)));
        assert_eq!(aggregate(AggregateFn::Max, &v, true), Some(Num::Int(40)));
        // Population standard deviation: sqrt(((15² + 5²) * 2) / 4) = sqrt(125).
        let Some(Num::Float(sd)) = aggregate(AggregateFn::StdDev, &v, true) else {
            panic!("stddev");
        };
        assert!((sd - 125f64.sqrt()).abs() < 1e-9);
        // Rank (4 - 1) * 0.85 = 2.55: 30 + 0.55 * 10.
        let Some(Num::Float(p85)) = aggregate(AggregateFn::Percentile { p: 85.0 }, &v, true) else {
            panic!("p85");
        };
        assert!((p85 - 35.5).abs() < 1e-9);
        assert_eq!(aggregate(AggregateFn::Mean, &[], true), None);
        assert_eq!(aggregate(AggregateFn::Count, &[], true), Some(Num::Int(0)));
    }
}
