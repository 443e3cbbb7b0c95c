//! From per-issue values to the rows of a report: sorting, multi-level grouping, subtotals and
//! statistics.

use std::cmp::Ordering;

use config::{AggregateFn, GroupValue, ReportConfig, ReportKind, SortDirection, SortTarget};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::dataset::Dataset;
use crate::filter::{self, compare_keys};
use crate::report::{
    Aggregate, ClockState, FieldColumn, Flag, MetricColumn, Num, Row, RowKind, Unit,
};
use crate::stats::{aggregate, label};
use crate::timeline::Seg;

/// An issue in the report, with the place of its values.
pub(crate) struct Item {
    /// Index into the data set's issues.
    pub issue: u32,
    /// Its status segments, oldest first (emptied once the report kind has read them).
    pub segs: Box<[Seg]>,
    pub flags: Vec<Flag>,
    pub clock: Option<ClockState>,
}

/// A row of a kind that is not one per issue: its label, what it stands for (a person's
/// account id, see [`crate::report::Row::key`]) and how many issues it covers.
pub(crate) struct Labelled {
    pub(crate) label: String,
    pub(crate) key: String,
    pub(crate) issues: u32,
}

/// What row assembly reads.
pub(crate) struct Table<'a> {
    pub data: &'a Dataset,
    pub config: &'a ReportConfig,
    pub tz: &'a TimeZone,
    pub columns: &'a [MetricColumn],
    /// Row-major values: row `i` is `values[i * width..][..width]`.
    pub values: &'a [Option<Num>],
}

type Assembled = (Vec<Row>, Vec<Aggregate>, Vec<FieldColumn>, Vec<FieldColumn>);

/// The placeholder for a group whose field is empty.
pub(crate) const NONE_LABEL: &str = "(none)";

impl Table<'_> {
    fn width(&self) -> usize {
        self.columns.len()
    }

    fn row(&self, i: usize) -> &[Option<Num>] {
        let w = self.width();
        &self.values[i * w..(i + 1) * w]
    }

    fn field_columns(&self, ids: &[config::FieldId]) -> Vec<FieldColumn> {
        ids.iter()
            .map(|id| FieldColumn {
                id: id.to_string(),
                name: self
                    .data
                    .field_names
                    .get(id.as_str())
                    .cloned()
                    .unwrap_or_else(|| id.to_string()),
            })
            .collect()
    }

    fn field_text(&self, issue: u32, field: &str) -> Option<String> {
        let issue = &self.data.issues[issue as usize];
        filter::value(self.data, issue, field).map(|v| v.display(self.tz))
    }

    /// Column `c`'s values over some rows, sorted ascending, as every statistic counts them:
    /// an issue that never entered the column's statuses is left out, or counted as zero with
    /// `countMissingAsZero` (never for instants). With whether all of them are whole.
    fn column_values(&self, rows: &[usize], c: usize) -> (Vec<f64>, bool) {
        let missing_is_zero = self.config.aggregation.count_missing_as_zero
            && self.columns[c].unit != Unit::Timestamp;
        sorted_values(rows.iter().map(|&r| self.row(r)[c]), missing_is_zero)
    }

    /// The configured statistics over some rows (by index), one value per column.
    fn stats(&self, rows: &[usize]) -> Vec<Aggregate> {
        let agg = &self.config.aggregation;
        let columns: Vec<(Vec<f64>, bool)> = (0..self.width())
            .map(|c| self.column_values(rows, c))
            .collect();
        agg.functions
            .iter()
            .map(|&f| Aggregate {
                function: f,
                label: label(f),
                values: columns
                    .iter()
                    .zip(self.columns)
                    .map(|((vals, whole), col)| {
                        let meaningless = col.unit == Unit::Timestamp
                            && matches!(f, AggregateFn::Sum | AggregateFn::StdDev);
                        if meaningless {
                            None
                        } else {
                            aggregate(f, vals, *whole)
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    /// Sums of durations and counts over some rows; `None` for instants and empty columns.
    fn subtotals(&self, rows: &[usize]) -> Vec<Option<Num>> {
        (0..self.width())
            .map(|c| {
                if self.columns[c].unit == Unit::Timestamp {
                    return None;
                }
                sum_nums(rows.iter().map(|&r| self.row(r)[c]))
            })
            .collect()
    }

    fn total(&self, r: usize) -> f64 {
        self.row(r)
            .iter()
            .zip(self.columns)
            .filter(|(_, c)| c.unit != Unit::Timestamp)
            .filter_map(|(v, _)| v.map(Num::as_f64))
            .sum()
    }

    /// Row `r`'s total as the table shows it: the sum of its duration and count values,
    /// `None` when it has none.
    fn shown_total(&self, r: usize) -> Option<Num> {
        sum_nums(
            self.row(r)
                .iter()
                .zip(self.columns)
                .filter(|(_, c)| c.unit != Unit::Timestamp)
                .map(|(v, _)| *v),
        )
    }

    /// The statistic a group row shows instead of the sum, if any.
    fn group_statistic(&self) -> Option<AggregateFn> {
        match self.config.rows.group_value {
            GroupValue::Sum => None,
            GroupValue::Mean => Some(AggregateFn::Mean),
            GroupValue::Median => Some(AggregateFn::Median),
        }
    }

    /// What a group row shows per column: the sum over its issues, or their mean or median,
    /// counted as the statistics count them ([`Table::column_values`]); `None` for instants.
    fn group_values(&self, rows: &[usize]) -> Vec<Option<Num>> {
        let Some(f) = self.group_statistic() else {
            return self.subtotals(rows);
        };
        (0..self.width())
            .map(|c| {
                if self.columns[c].unit == Unit::Timestamp {
                    return None;
                }
                let (vals, whole) = self.column_values(rows, c);
                aggregate(f, &vals, whole)
            })
            .collect()
    }

    /// A group row's own total when it shows a mean or median: that statistic over its
    /// issues' totals (an issue with no value in any column counted like a missing value).
    /// `None` for a sum, whose total is the sum of the row's values.
    fn group_total(&self, rows: &[usize]) -> Option<Num> {
        let f = self.group_statistic()?;
        // A timesheet's last column is its total already, and a capacity report's columns
        // have none.
        let worklogs = matches!(
            self.config.kind,
            ReportKind::Timesheet(_) | ReportKind::Capacity(_)
        );
        if worklogs || self.columns.iter().all(|c| c.unit == Unit::Timestamp) {
            return None;
        }
        let missing_is_zero = self.config.aggregation.count_missing_as_zero;
        let (vals, whole) =
            sorted_values(rows.iter().map(|&r| self.shown_total(r)), missing_is_zero);
        aggregate(f, &vals, whole)
    }

    /// The number a group is sorted by when sorting by the total: the total it shows.
    fn group_sort_total(&self, rows: &[usize]) -> f64 {
        match self.group_statistic() {
            None => rows.iter().map(|&r| self.total(r)).sum(),
            Some(_) => self.group_total(rows).map_or(f64::NAN, Num::as_f64),
        }
    }
}

/// Values as the statistics read them: sorted ascending, empty ones left out or, with
/// `missing_is_zero`, taken as zero; with whether all of them are whole.
fn sorted_values(
    values: impl Iterator<Item = Option<Num>>,
    missing_is_zero: bool,
) -> (Vec<f64>, bool) {
    let mut whole = true;
    let mut vals: Vec<f64> = Vec::new();
    for v in values {
        match v {
            Some(Num::Int(i)) => vals.push(i as f64),
            Some(Num::Float(f)) => {
                whole = false;
                vals.push(f);
            }
            None if missing_is_zero => vals.push(0.0),
            None => {}
        }
    }
    vals.sort_by(f64::total_cmp);
    (vals, whole)
}

/// The sum of some values, whole while every one is whole (saturating), `None` when none is
/// there: a group's subtotal in one column, or a row's total across its columns.
fn sum_nums(values: impl Iterator<Item = Option<Num>>) -> Option<Num> {
    let mut any = false;
    let mut whole = true;
    let (mut sum, mut isum) = (0f64, 0i64);
    for v in values {
        match v {
            Some(Num::Int(i)) => {
                any = true;
                isum = isum.saturating_add(i);
                sum += i as f64;
            }
            Some(Num::Float(f)) => {
                any = true;
                whole = false;
                sum += f;
            }
            None => {}
        }
    }
    match (any, whole) {
        (false, _) => None,
        (true, true) => Some(Num::Int(isum)),
        (true, false) => Some(Num::Float(sum)),
    }
}

/// Rows for issue-based kinds: sorted, grouped by the configured fields, with subtotals and
/// statistics per group, and statistics over all issues. The statistics and column heads are
/// known before the first row, and rows are laid out one at a time ([`Assembly::each_row`]),
/// so a caller can write them out without keeping them.
pub(crate) struct Assembly<'a, 'b> {
    t: &'a Table<'b>,
    items: &'a [Item],
    keys: Vec<&'b str>,
    paths: Vec<Vec<String>>,
    order: Vec<usize>,
    pub totals: Vec<Aggregate>,
    pub group_by: Vec<FieldColumn>,
    pub fields: Vec<FieldColumn>,
}

impl<'a, 'b> Assembly<'a, 'b> {
    pub(crate) fn new(t: &'a Table<'b>, items: &'a [Item]) -> Self {
        let cfg = t.config;
        let group_by = t.field_columns(&cfg.rows.group_by);
        let fields = t.field_columns(&cfg.columns.fields);
        let data: &'b Dataset = t.data;
        let keys: Vec<&'b str> = items
            .iter()
            .map(|i| data.issues[i.issue as usize].label())
            .collect();
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| compare_items(t, items, &keys, a, b));
        // Ungrouped reports have no paths: a million empty lists would cost 24 MB.
        let grouped = !cfg.rows.group_by.is_empty();
        let paths: Vec<Vec<String>> = items
            .iter()
            .take(if grouped { items.len() } else { 0 })
            .map(|item| {
                cfg.rows
                    .group_by
                    .iter()
                    .map(|f| {
                        t.field_text(item.issue, f.as_str())
                            .unwrap_or_else(|| NONE_LABEL.to_owned())
                    })
                    .collect()
            })
            .collect();
        let totals = t.stats(&order);
        Assembly {
            t,
            items,
            keys,
            paths,
            order,
            totals,
            group_by,
            fields,
        }
    }

    /// Lays the rows out in the report's order, handing each to `out`.
    pub(crate) fn each_row(&self, out: &mut dyn FnMut(Row)) {
        let ctx = Ctx {
            t: self.t,
            items: self.items,
            keys: &self.keys,
            paths: &self.paths,
            levels: self.t.config.rows.group_by.len(),
        };
        ctx.level(0, &self.order, out);
    }
}

struct Ctx<'a, 'b> {
    t: &'a Table<'b>,
    items: &'a [Item],
    keys: &'a [&'a str],
    paths: &'a [Vec<String>],
    levels: usize,
}

impl Ctx<'_, '_> {
    fn level(&self, depth: usize, order: &[usize], out: &mut dyn FnMut(Row)) {
        let t = self.t;
        if depth == self.levels {
            if self.levels > 0 && !t.config.rows.show_issues {
                return;
            }
            for &i in order {
                out(self.issue_row(i, depth));
            }
            return;
        }
        // Groups in order of their label, or of the value they show when sorting by a column
        // or the total.
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for &i in order {
            let label = self.paths[i][depth].as_str();
            match index.get(label) {
                Some(&g) => groups[g].1.push(i),
                None => {
                    index.insert(label, groups.len());
                    groups.push((label.to_owned(), vec![i]));
                }
            }
        }
        let first_sort = t.config.sort.first();
        let keyed: Vec<f64> = groups
            .iter()
            .map(|(_, members)| match first_sort.map(|k| &k.by) {
                Some(SortTarget::Column { index }) => t
                    .group_values(members)
                    .get(usize::from(*index))
                    .copied()
                    .flatten()
                    .map_or(f64::NAN, Num::as_f64),
                Some(SortTarget::Total) => t.group_sort_total(members),
                _ => 0.0,
            })
            .collect();
        let mut sorted: Vec<usize> = (0..groups.len()).collect();
        sorted.sort_by(|&x, &y| {
            let (a, b) = (groups[x].0.as_str(), groups[y].0.as_str());
            let by_label = || match (a, b) {
                (NONE_LABEL, NONE_LABEL) => Ordering::Equal,
                (NONE_LABEL, _) => Ordering::Greater,
                (_, NONE_LABEL) => Ordering::Less,
                _ => natural(a, b),
            };
            let ord = match first_sort {
                Some(key) => match &key.by {
                    SortTarget::Column { .. } | SortTarget::Total => {
                        let v = |k: f64| (!k.is_nan()).then_some(k);
                        none_last(v(keyed[x]), v(keyed[y]), key.direction)
                    }
                    SortTarget::Field { field }
                        if t.config.rows.group_by.get(depth) == Some(field) =>
                    {
                        directed(by_label(), key.direction)
                    }
                    _ => Ordering::Equal,
                },
                None => Ordering::Equal,
            };
            ord.then_with(by_label)
        });
        let mut slots: Vec<Option<(String, Vec<usize>)>> = groups.into_iter().map(Some).collect();
        let groups: Vec<(String, Vec<usize>)> =
            sorted.into_iter().filter_map(|g| slots[g].take()).collect();
        for (label, members) in groups {
            let mut group = self.paths[members[0]][..depth].to_vec();
            group.push(label.clone());
            out(Row {
                kind: RowKind::Group,
                depth: depth as u8,
                label,
                key: None,
                group,
                issues: u32::try_from(members.len()).unwrap_or(u32::MAX),
                fields: Vec::new(),
                values: t.group_values(&members),
                total: t.group_total(&members),
                stats: t.stats(&members),
                flags: Vec::new(),
                clock: None,
            });
            self.level(depth + 1, &members, out);
        }
    }

    fn issue_row(&self, i: usize, depth: usize) -> Row {
        let t = self.t;
        let item = &self.items[i];
        Row {
            kind: RowKind::Issue,
            depth: depth as u8,
            label: self.keys[i].to_owned(),
            key: Some(self.keys[i].to_owned()),
            group: self.paths.get(i).cloned().unwrap_or_default(),
            issues: 1,
            fields: t
                .config
                .columns
                .fields
                .iter()
                .map(|f| t.field_text(item.issue, f.as_str()).unwrap_or_default())
                .collect(),
            values: t.row(i).to_vec(),
            total: None,
            stats: Vec::new(),
            flags: item.flags.clone(),
            clock: item.clock,
        }
    }
}

fn compare_items(t: &Table<'_>, items: &[Item], keys: &[&str], a: usize, b: usize) -> Ordering {
    for key in &t.config.sort {
        let ord = match &key.by {
            SortTarget::Key => directed(compare_keys(keys[a], keys[b]), key.direction),
            SortTarget::Field { field } => {
                let (ia, ib) = (
                    &t.data.issues[items[a].issue as usize],
                    &t.data.issues[items[b].issue as usize],
                );
                let va = filter::value(t.data, ia, field.as_str());
                let vb = filter::value(t.data, ib, field.as_str());
                match (&va, &vb) {
                    (None, None) => Ordering::Equal,
                    (None, _) | (_, None) => filter::compare(va.as_ref(), vb.as_ref()),
                    _ => directed(filter::compare(va.as_ref(), vb.as_ref()), key.direction),
                }
            }
            SortTarget::Column { index } => {
                by_column(t, (a, b), usize::from(*index), key.direction)
            }
            SortTarget::Total => directed(t.total(a).total_cmp(&t.total(b)), key.direction),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    compare_keys(keys[a], keys[b])
}

fn directed(ord: Ordering, dir: SortDirection) -> Ordering {
    match dir {
        SortDirection::Asc => ord,
        SortDirection::Desc => ord.reverse(),
    }
}

/// Orders rows `a` and `b` of the table by their values in column `c`, in `dir`, empty cells
/// last either way.
fn by_column(t: &Table<'_>, (a, b): (usize, usize), c: usize, dir: SortDirection) -> Ordering {
    let value = |row: usize| t.row(row).get(c).copied().flatten().map(Num::as_f64);
    none_last(value(a), value(b), dir)
}

/// Orders numbers in `dir`, empty cells last either way.
fn none_last(a: Option<f64>, b: Option<f64>, dir: SortDirection) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => directed(x.total_cmp(&y), dir),
    }
}

/// Text order with numbers compared as numbers (`Team 9` before `Team 10`), ignoring case.
fn natural(a: &str, b: &str) -> Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => compare_keys(&a.to_lowercase(), &b.to_lowercase()),
    }
}

/// Rows for the per-day report: one per day, statistics over the days.
pub(crate) fn days(t: &Table<'_>, dates: &[Date]) -> Assembled {
    let rows = dates
        .iter()
        .enumerate()
        .map(|(i, d)| top_row(t, i, RowKind::Day, d.to_string()))
        .collect();
    with_stats(t, rows)
}

/// A top-level row of row `i`'s values that lists no issue (a day, a person).
fn top_row(t: &Table<'_>, i: usize, kind: RowKind, label: String) -> Row {
    Row {
        kind,
        depth: 0,
        label,
        key: None,
        group: Vec::new(),
        issues: 0,
        fields: Vec::new(),
        values: t.row(i).to_vec(),
        total: None,
        stats: Vec::new(),
        flags: Vec::new(),
        clock: None,
    }
}

/// `rows`, one per row of the table, with the statistics over them all and no field columns.
fn with_stats(t: &Table<'_>, rows: Vec<Row>) -> Assembled {
    let all: Vec<usize> = (0..rows.len()).collect();
    (rows, t.stats(&all), Vec::new(), Vec::new())
}

/// Rows that are neither issues nor days (a timesheet's people): one top-level row each, in the
/// given order or by the configuration's column and total sort keys, statistics over them all.
pub(crate) fn labelled(t: &Table<'_>, labels: &[Labelled]) -> Assembled {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| {
        for key in &t.config.sort {
            let ord = match &key.by {
                SortTarget::Column { index } => {
                    by_column(t, (a, b), usize::from(*index), key.direction)
                }
                SortTarget::Total => directed(t.total(a).total_cmp(&t.total(b)), key.direction),
                SortTarget::Key | SortTarget::Field { .. } => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    let rows = order
        .iter()
        .map(|&i| (i, &labels[i]))
        .map(|(i, l)| Row {
            key: Some(l.key.clone()),
            group: vec![l.label.clone()],
            issues: l.issues,
            ..top_row(t, i, RowKind::Group, l.label.clone())
        })
        .collect();
    with_stats(t, rows)
}
