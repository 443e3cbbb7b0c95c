//! One method of [`Run`] per report kind, each returning its metric columns and one row of
//! values per issue (or per day): time in status, visits, entry dates, transitions, time per
//! assignee, time between statuses, issues per status per day, throughput.

use std::collections::HashMap;

use config::{MultiVisit, StatusRef, ThroughputPeriod, VisitChoice};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dataset::{NONE, Sym, What};
use crate::report::{Bucket, ClockState, Details, MetricColumn, Num, Percentile, Point, Unit};
use crate::rows::Item;
use crate::stats::percentile;
use crate::time::{rounded_seconds, seconds};
use crate::timeline::{self, Seg, runs};

use super::ComputeError;
use super::columns::metric_columns;
use super::run::{KindOutput, Run, column};
use super::warnings::Warnings;

impl Run<'_> {
    pub(super) fn time_in_status(
        &self,
        mode: MultiVisit,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        self.per_status_column(items, w, Unit::Duration, |segs, members| {
            let visits = runs(self.timed(segs), members).map(|run| self.run_time(run));
            multi_visit(mode, visits)
        })
    }

    pub(super) fn visits(
        &self,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        self.per_status_column(items, w, Unit::Count, |segs, members| {
            let n = runs(segs, members).count();
            (n > 0).then_some(Num::Int(n as i64))
        })
    }

    /// A column in `unit` per status column, each item's value in it from `value` over the
    /// item's segments and the column's member statuses.
    fn per_status_column(
        &self,
        items: &[Item],
        w: &mut Warnings,
        unit: Unit,
        value: impl Fn(&[Seg], &[bool]) -> Option<Num>,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let mut values = Vec::with_capacity(items.len() * cols.len());
        for item in items {
            let segs = self.segs(item);
            values.extend(cols.iter().map(|col| value(segs, &col.members)));
        }
        Ok(KindOutput::per_item(metric_columns(&cols, unit), values))
    }

    pub(super) fn entry_dates(
        &self,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let mut columns = Vec::with_capacity(cols.len() * 2);
        for col in &cols {
            for which in ["first entry", "last entry"] {
                columns.push(MetricColumn {
                    name: format!("{} ({which})", col.name),
                    unit: Unit::Timestamp,
                    statuses: col.ids.clone(),
                });
            }
        }
        let mut values = Vec::with_capacity(items.len() * columns.len());
        for item in items.iter() {
            let segs = self.segs(item);
            for col in &cols {
                let mut entries = runs(segs, &col.members)
                    .filter(|run| run[0].entered)
                    .map(|run| run[0].start);
                let first = entries.next();
                let last = entries.last().or(first);
                values.push(first.map(|ms| Num::Int(seconds(ms))));
                values.push(last.map(|ms| Num::Int(seconds(ms))));
            }
        }
        Ok(KindOutput::per_item(columns, values))
    }

    pub(super) fn transitions(&self, items: &mut [Item]) -> KindOutput {
        let hidden = vec![false; self.seen.len()];
        let cols = self.auto_columns(&hidden);
        let mut col_of = vec![usize::MAX; self.seen.len()];
        for (c, col) in cols.iter().enumerate() {
            for (sym, &m) in col.members.iter().enumerate() {
                if m {
                    col_of[sym] = c;
                }
            }
        }
        let n = cols.len();
        let mut matrix = vec![vec![0u32; n]; n];
        let pairs_of = |segs: &[Seg]| -> Vec<(usize, usize)> {
            segs.windows(2)
                .filter_map(|w| {
                    let (a, b) = (
                        *col_of.get(w[0].sym as usize)?,
                        *col_of.get(w[1].sym as usize)?,
                    );
                    (a != usize::MAX && b != usize::MAX).then_some((a, b))
                })
                .collect()
        };
        for item in items.iter() {
            for (a, b) in pairs_of(self.segs(item)) {
                matrix[a][b] += 1;
            }
        }
        // One column per pair that happened, in matrix order, after the total.
        let mut pair_col = HashMap::new();
        let mut columns = vec![column("Transitions", Unit::Count)];
        for (a, row) in matrix.iter().enumerate() {
            for (b, &count) in row.iter().enumerate() {
                if count > 0 {
                    pair_col.insert((a, b), columns.len());
                    let mut ids = cols[a].ids.clone();
                    ids.extend(cols[b].ids.iter().cloned());
                    columns.push(MetricColumn {
                        name: format!("{} → {}", cols[a].name, cols[b].name),
                        unit: Unit::Count,
                        statuses: ids,
                    });
                }
            }
        }
        let width = columns.len();
        let mut values = Vec::with_capacity(items.len() * width);
        for item in items.iter() {
            let mut row = vec![None; width];
            let pairs = pairs_of(self.segs(item));
            row[0] = Some(Num::Int(pairs.len() as i64));
            for p in pairs {
                if let Some(&c) = pair_col.get(&p) {
                    let v = match row[c] {
                        Some(Num::Int(v)) => v + 1,
                        _ => 1,
                    };
                    row[c] = Some(Num::Int(v));
                }
            }
            values.extend(row);
        }
        KindOutput {
            columns,
            values,
            details: Details::Transitions {
                statuses: cols.into_iter().map(|c| c.name).collect(),
                counts: matrix,
            },
            days: None,
            labels: None,
        }
    }

    pub(super) fn assignee_time(&self, items: &mut [Item], trim: Option<i64>) -> KindOutput {
        let people = &self.data.people;
        let unassigned = people.list.len();
        let index = |sym: Sym| {
            if sym == NONE {
                unassigned
            } else {
                sym as usize
            }
        };
        let mut arena = Vec::new();
        let mut bounds = Vec::with_capacity(items.len());
        let mut totals = vec![false; unassigned + 1];
        for item in items.iter() {
            let issue = &self.data.issues[item.issue as usize];
            let created = issue.created.unwrap_or(self.now);
            let start = arena.len();
            timeline::build(
                issue,
                What::Assignee,
                issue.assignee,
                created,
                self.now,
                trim,
                &mut arena,
            );
            for s in &arena[start..] {
                totals[index(s.sym)] = true;
            }
            bounds.push(start..arena.len());
        }
        let mut order: Vec<usize> = (0..unassigned).filter(|&p| totals[p]).collect();
        order.sort_by(|&a, &b| {
            people.list[a]
                .name
                .to_lowercase()
                .cmp(&people.list[b].name.to_lowercase())
                .then(a.cmp(&b))
        });
        if totals[unassigned] {
            order.push(unassigned);
        }
        let mut col_of = vec![usize::MAX; unassigned + 1];
        for (c, &p) in order.iter().enumerate() {
            col_of[p] = c;
        }
        let columns: Vec<MetricColumn> = order
            .iter()
            .map(|&p| {
                let name = if p == unassigned {
                    "Unassigned".into()
                } else {
                    people.list[p].name.to_string()
                };
                column(name, Unit::Duration)
            })
            .collect();
        let mut values = Vec::with_capacity(items.len() * columns.len());
        for range in bounds {
            let mut row: Vec<Option<i64>> = vec![None; columns.len()];
            for s in self.timed(&arena[range]) {
                let c = col_of[index(s.sym)];
                let ms = self.measure.between(s.start, s.end);
                row[c] = Some(row[c].unwrap_or(0) + ms);
            }
            values.extend(row.into_iter().map(|ms| ms.map(Num::duration)));
        }
        KindOutput::per_item(columns, values)
    }

    pub(super) fn time_between(
        &self,
        tb: &config::TimeBetween,
        items: &mut [Item],
        w: &mut Warnings,
    ) -> KindOutput {
        let start = self.member_set(&tb.start, w);
        let stop = self.member_set(&tb.stop, w);
        let pause = self.member_set(&tb.pause, w);
        let inside = |set: &[bool], s: &Seg| set.get(s.sym as usize).copied().unwrap_or(false);
        let mut values = Vec::with_capacity(items.len());
        for item in items.iter_mut() {
            let segs = &item.segs[..];
            let entries = |set: &[bool], after: i64| -> Vec<i64> {
                runs(segs, set)
                    .filter(|run| run[0].entered && run[0].start >= after)
                    .map(|run| run[0].start)
                    .collect()
            };
            let starts = entries(&start, i64::MIN);
            let from = match tb.start_at {
                VisitChoice::First => starts.first(),
                VisitChoice::Last => starts.last(),
            };
            let Some(&from) = from else {
                item.clock = Some(ClockState::NotStarted);
                values.push(None);
                continue;
            };
            let stops = entries(&stop, from);
            let until = match tb.stop_at {
                VisitChoice::First => stops.first(),
                VisitChoice::Last => stops.last(),
            };
            let (until, state) = match until {
                Some(&t) => (t, ClockState::Stopped),
                None => {
                    let paused = segs.last().is_some_and(|s| inside(&pause, s));
                    let state = if paused {
                        ClockState::Paused
                    } else {
                        ClockState::Running
                    };
                    (self.now, state)
                }
            };
            let mut total = 0;
            for s in segs {
                if inside(&pause, s) {
                    continue;
                }
                let (a, b) = (s.start.max(from), s.end.min(until));
                total += self.measure.between(a, b);
            }
            item.clock = Some(state);
            values.push(Some(Num::duration(total)));
        }
        let names = |refs: &[StatusRef]| -> String {
            refs.iter()
                .map(|r| self.ref_name(r))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let name = format!("{} → {}", names(&tb.start), names(&tb.stop));
        KindOutput::per_item(vec![column(name, Unit::Duration)], values)
    }

    pub(super) fn per_day(
        &self,
        from: Option<Date>,
        to: Option<Date>,
        items: &[Item],
        w: &mut Warnings,
    ) -> Result<KindOutput, ComputeError> {
        let cols = self.status_columns(w)?;
        let day_of = |t: i64| -> Option<Date> {
            Timestamp::from_millisecond(t)
                .ok()
                .map(|ts| ts.to_zoned(self.day_tz.clone()).date())
        };
        let first_created = items
            .iter()
            .filter_map(|i| self.data.issues[i.issue as usize].created)
            .min()
            .and_then(day_of);
        let last = to.unwrap_or(self.today).min(self.today);
        let mut first = from.or(first_created).unwrap_or(self.today);
        const MAX_DAYS: i64 = 3660;
        if let Ok(span) = first.until(last)
            && i64::from(span.get_days()) >= MAX_DAYS
        {
            first = last
                .checked_sub(jiff::Span::new().days(MAX_DAYS - 1))
                .map_err(|e| ComputeError::Time(e.to_string()))?;
            w.ignored("a per-day report covers at most ten years: earlier days are left out");
        }
        let mut dates = Vec::new();
        let mut instants = Vec::new();
        let mut d = first;
        while d <= last {
            let next = d
                .tomorrow()
                .map_err(|e| ComputeError::Time(e.to_string()))?;
            let end = next
                .to_zoned(self.day_tz.clone())
                .map_err(|e| ComputeError::Time(e.to_string()))?
                .timestamp()
                .as_millisecond();
            dates.push(d);
            // The state at the end of the day (its last millisecond), or now for today.
            instants.push(end.min(self.now) - i64::from(end <= self.now));
            d = next;
        }
        let mut cols_of: Vec<Vec<usize>> = vec![Vec::new(); self.seen.len()];
        for (c, col) in cols.iter().enumerate() {
            for (sym, &m) in col.members.iter().enumerate() {
                if m {
                    cols_of[sym].push(c);
                }
            }
        }
        let n_days = dates.len();
        let mut diff = vec![vec![0i64; n_days + 1]; cols.len()];
        for item in items {
            let segs = self.segs(item);
            for (k, s) in segs.iter().enumerate() {
                let last_seg = k + 1 == segs.len();
                let lo = instants.partition_point(|&t| t < s.start);
                let hi = if last_seg {
                    instants.partition_point(|&t| t <= s.end)
                } else {
                    instants.partition_point(|&t| t < s.end)
                };
                if lo >= hi {
                    continue;
                }
                for &c in cols_of.get(s.sym as usize).map_or(&[][..], Vec::as_slice) {
                    diff[c][lo] += 1;
                    diff[c][hi] -= 1;
                }
            }
        }
        let counts: Vec<Vec<u32>> = diff
            .iter()
            .map(|d| {
                let mut run = 0i64;
                d[..n_days]
                    .iter()
                    .map(|x| {
                        run += x;
                        u32::try_from(run).unwrap_or(0)
                    })
                    .collect()
            })
            .collect();
        let mut values = Vec::with_capacity(n_days * cols.len());
        for day in 0..n_days {
            for col in &counts {
                values.push(Some(Num::Int(i64::from(col[day]))));
            }
        }
        Ok(KindOutput {
            columns: metric_columns(&cols, Unit::Count),
            values,
            details: Details::StatusPerDay {
                dates: dates.clone(),
                columns: cols.iter().map(|c| c.name.clone()).collect(),
                counts,
            },
            days: Some(dates),
            labels: None,
        })
    }

    pub(super) fn throughput(
        &self,
        period: ThroughputPeriod,
        start: &[StatusRef],
        done: &[StatusRef],
        items: &mut Vec<Item>,
        w: &mut Warnings,
    ) -> KindOutput {
        let start_set = (!start.is_empty()).then(|| self.member_set(start, w));
        let done_set = self.member_set(done, w);
        let inside = |set: &[bool], s: &Seg| set.get(s.sym as usize).copied().unwrap_or(false);
        let mut finished = Vec::new();
        let mut values = Vec::new();
        let mut points = Vec::new();
        let mut cycles = Vec::new();
        let mut unfinished = 0u32;
        for item in items.drain(..) {
            let segs = &item.segs[..];
            let issue = &self.data.issues[item.issue as usize];
            let Some(last) = segs.last().filter(|s| inside(&done_set, s)) else {
                unfinished += 1;
                continue;
            };
            let mut k = segs.len() - 1;
            while k > 0 && inside(&done_set, &segs[k - 1]) {
                k -= 1;
            }
            let done_at = segs[k].start.min(last.start);
            let began = match &start_set {
                None => issue.created,
                Some(set) => segs
                    .iter()
                    .find(|s| s.entered && inside(set, s))
                    .map(|s| s.start),
            };
            let cycle = began
                .filter(|&b| b <= done_at)
                .map(|b| self.measure.between(b, done_at));
            if let Some(ms) = cycle {
                cycles.push(ms as f64 / 1000.0);
            }
            points.push(Point {
                key: issue.label().to_owned(),
                done: Timestamp::from_second(seconds(done_at)).unwrap_or(self.ctx.now),
                seconds: cycle.map(rounded_seconds),
            });
            values.push(cycle.map(Num::duration));
            values.push(Some(Num::Int(seconds(done_at))));
            finished.push(item);
        }
        *items = finished;
        cycles.sort_by(f64::total_cmp);
        let percentiles = if cycles.is_empty() {
            Vec::new()
        } else {
            [50.0, 70.0, 85.0, 95.0]
                .into_iter()
                .map(|p| Percentile {
                    p,
                    seconds: percentile(&cycles, p),
                })
                .collect()
        };
        let bucket_of = |t: i64| -> Option<Date> {
            let d = Timestamp::from_second(t)
                .ok()?
                .to_zoned(self.day_tz.clone())
                .date();
            period_start(d, period)
        };
        let mut buckets = Vec::new();
        if let Some(first) = points
            .iter()
            .filter_map(|p| bucket_of(p.done.as_second()))
            .min()
        {
            let mut counts: HashMap<Date, u32> = HashMap::new();
            for p in &points {
                if let Some(b) = bucket_of(p.done.as_second()) {
                    *counts.entry(b).or_default() += 1;
                }
            }
            let last = period_start(self.today, period).unwrap_or(self.today);
            let mut b = first;
            while b <= last.max(first) {
                buckets.push(Bucket {
                    start: b,
                    count: counts.get(&b).copied().unwrap_or(0),
                });
                match next_period(b, period) {
                    Some(n) => b = n,
                    None => break,
                }
            }
        }
        KindOutput {
            columns: vec![
                column("Cycle time", Unit::Duration),
                column("Finished", Unit::Timestamp),
            ],
            values,
            details: Details::Throughput {
                period,
                buckets,
                percentiles,
                points,
                unfinished,
            },
            days: None,
            labels: None,
        }
    }
}

/// A column's value from the durations of its visits (milliseconds), by multi-visit mode;
/// `None` when the issue never visited.
fn multi_visit(mode: MultiVisit, visits: impl Iterator<Item = i64>) -> Option<Num> {
    let mut count = 0i64;
    let mut total = 0i64;
    let mut first = None;
    let mut last = None;
    for v in visits {
        count += 1;
        total += v;
        first.get_or_insert(v);
        last = Some(v);
    }
    if count == 0 {
        return None;
    }
    Some(match mode {
        MultiVisit::Total => Num::duration(total),
        MultiVisit::First => Num::duration(first.unwrap_or(0)),
        MultiVisit::Last => Num::duration(last.unwrap_or(0)),
        MultiVisit::Average => Num::Float(total as f64 / count as f64 / 1000.0),
    })
}

/// The first day of the period that holds `d`: the day, its ISO week's Monday, or the first of
/// its month.
fn period_start(d: Date, period: ThroughputPeriod) -> Option<Date> {
    match period {
        ThroughputPeriod::Day => Some(d),
        ThroughputPeriod::Week => d
            .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .ok(),
        ThroughputPeriod::Month => d.first_of_month().into(),
    }
}

fn next_period(d: Date, period: ThroughputPeriod) -> Option<Date> {
    let span = match period {
        ThroughputPeriod::Day => jiff::Span::new().days(1),
        ThroughputPeriod::Week => jiff::Span::new().weeks(1),
        ThroughputPeriod::Month => jiff::Span::new().months(1),
    };
    d.checked_add(span).ok()
}
