//! CSV and XLSX encoders. Both lay a report out as the same grid (see [`grid`]); XLSX writes
//! numbers as numbers where the duration format is numeric, so spreadsheets can sum them.

use std::borrow::Cow;

use config::{AggregateFn, DurationFormat, GroupValue};
use jiff::tz::TimeZone;

use crate::format::{duration_number, format_value};
use crate::report::{Aggregate, Details, KindTag, Num, Report, Row, RowKind, Unit};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("csv: {0}")]
    Csv(String),
    /// The writer [`write_csv`] was given refused the bytes (a full disk, a closed pipe).
    #[error("{0}")]
    Write(String),
    #[cfg(feature = "xlsx")]
    #[error("xlsx: {0}")]
    Xlsx(String),
}

/// One cell of the exported grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number with its text as the report's format writes it; `number` is in the unit of the
    /// format (hours, days...) and `None` when the format is text only (`1d 2h`).
    Value {
        text: String,
        number: Option<f64>,
        decimals: u8,
    },
    /// An instant: its text in the display time zone and its unix seconds.
    Instant {
        text: String,
        seconds: i64,
    },
}

impl Cell {
    pub fn text(&self) -> &str {
        match self {
            Cell::Empty => "",
            Cell::Text(t) | Cell::Value { text: t, .. } | Cell::Instant { text: t, .. } => t,
        }
    }
}

/// The report as a grid: a header row, then one row per report row, statistics under each
/// group, and the overall statistics at the bottom.
///
/// Columns: one per grouping level, then `Key` (`Date` for per-day reports), the extra
/// fields, and the metric columns. An ungrouped report without aggregation is exactly a header
/// and one line per issue.
pub fn grid(report: &Report) -> Vec<Vec<Cell>> {
    let mut out = Vec::with_capacity(report.rows.len() + report.totals.len() + 1);
    let lines: Result<(), std::convert::Infallible> = each_line(report, |line| {
        out.push(line);
        Ok(())
    });
    match lines {
        Ok(()) => out,
        Err(never) => match never {},
    }
}

/// Hands the lines of [`grid`] to `emit` one at a time, so an export of a million rows never
/// holds the grid: only the line being written.
fn each_line<E>(
    report: &Report,
    mut emit: impl FnMut(Vec<Cell>) -> Result<(), E>,
) -> Result<(), E> {
    let layout = Layout::of(report, report.rows.iter().all(|r| r.kind == RowKind::Group));
    emit(layout.header(report))?;
    for row in &report.rows {
        layout.row(report, row, &mut emit)?;
    }
    layout.totals(report, &mut emit)
}

/// How a report's rows become lines of the grid.
struct Layout {
    tz: TimeZone,
    levels: usize,
    /// Timesheets by person and capacity reports have one top-level row per person.
    people: bool,
    pad_fields: usize,
}

impl Layout {
    /// `all_groups`: whether every row of the report is a group row.
    fn of(report: &Report, all_groups: bool) -> Layout {
        let levels = report.group_by.len();
        Layout {
            tz: TimeZone::get(&report.time_zone).unwrap_or(TimeZone::UTC),
            levels,
            people: levels == 0
                && matches!(report.kind, KindTag::Timesheet | KindTag::Capacity)
                && all_groups,
            pad_fields: report.fields.len(),
        }
    }

    fn header(&self, report: &Report) -> Vec<Cell> {
        let mut header: Vec<Cell> = report
            .group_by
            .iter()
            .map(|g| Cell::Text(g.name.clone()))
            .collect();
        header.push(Cell::Text(
            match report.kind {
                KindTag::StatusPerDay => "Date",
                _ if self.people => "Person",
                _ => "Key",
            }
            .into(),
        ));
        header.extend(report.fields.iter().map(|f| Cell::Text(f.name.clone())));
        header.extend(report.columns.iter().map(|c| Cell::Text(c.name.clone())));
        header
    }

    fn path_cells(&self, row: &Row, upto: usize) -> Vec<Cell> {
        (0..self.levels)
            .map(|l| match row.group.get(l) {
                Some(v) if l < upto => Cell::Text(v.clone()),
                _ => Cell::Empty,
            })
            .collect()
    }

    /// A row's line, then the lines of its group statistics.
    fn row<E>(
        &self,
        report: &Report,
        row: &Row,
        emit: &mut impl FnMut(Vec<Cell>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut line = match row.kind {
            RowKind::Group => self.path_cells(row, usize::from(row.depth) + 1),
            _ => self.path_cells(row, self.levels),
        };
        line.push(match row.kind {
            // A group row's numbers say what they are where an issue row has its key, so a
            // mean is never read as a sum.
            RowKind::Group if !self.people => match report.group_value {
                GroupValue::Sum => Cell::Empty,
                GroupValue::Mean => Cell::Text("Mean per issue".into()),
                GroupValue::Median => Cell::Text("Median per issue".into()),
            },
            _ => Cell::Text(row.label.clone()),
        });
        if row.kind == RowKind::Issue {
            line.extend(row.fields.iter().map(|f| Cell::Text(f.clone())));
        } else {
            line.extend((0..self.pad_fields).map(|_| Cell::Empty));
        }
        line.extend(values(report, &row.values, None, &self.tz));
        emit(line)?;
        for stat in &row.stats {
            let mut line = self.path_cells(row, usize::from(row.depth) + 1);
            line.push(Cell::Text(stat.label.clone()));
            line.extend((0..self.pad_fields).map(|_| Cell::Empty));
            line.extend(values(report, &stat.values, Some(stat), &self.tz));
            emit(line)?;
        }
        Ok(())
    }

    /// The overall statistics at the bottom.
    fn totals<E>(
        &self,
        report: &Report,
        emit: &mut impl FnMut(Vec<Cell>) -> Result<(), E>,
    ) -> Result<(), E> {
        for stat in &report.totals {
            let mut line: Vec<Cell> = (0..self.levels).map(|_| Cell::Empty).collect();
            line.push(Cell::Text(stat.label.clone()));
            line.extend((0..self.pad_fields).map(|_| Cell::Empty));
            line.extend(values(report, &stat.values, Some(stat), &self.tz));
            emit(line)?;
        }
        Ok(())
    }
}

fn values(
    report: &Report,
    values: &[Option<Num>],
    stat: Option<&Aggregate>,
    tz: &TimeZone,
) -> Vec<Cell> {
    values
        .iter()
        .zip(&report.columns)
        .map(|(v, col)| {
            let Some(v) = *v else { return Cell::Empty };
            let is_count = matches!(stat.map(|s| s.function), Some(AggregateFn::Count));
            let unit = if is_count { Unit::Count } else { col.unit };
            cell(v, unit, &report.duration_format, tz)
        })
        .collect()
}

fn cell(v: Num, unit: Unit, format: &DurationFormat, tz: &TimeZone) -> Cell {
    let text = format_value(v, unit, format, tz);
    match unit {
        Unit::Duration => {
            let decimals = match *format {
                DurationFormat::Seconds | DurationFormat::Compact { .. } => 0,
                DurationFormat::Hours { decimals }
                | DurationFormat::Days { decimals }
                | DurationFormat::BusinessDays { decimals, .. } => decimals,
            };
            Cell::Value {
                number: duration_number(v.as_f64(), format),
                text,
                decimals,
            }
        }
        Unit::Count => Cell::Value {
            number: Some(v.as_f64()),
            decimals: if matches!(v, Num::Float(_)) { 2 } else { 0 },
            text,
        },
        Unit::Timestamp => Cell::Instant {
            text,
            seconds: v.as_f64().round() as i64,
        },
    }
}

/// The report as CSV (RFC 4180, comma-separated, `\n` line ends), laid out as [`grid`].
///
/// Text cells are neutralised against CSV injection (OWASP): one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return, and is not a plain number, is written with a leading
/// `'`, so a spreadsheet shows it as text instead of running it as a formula. Numbers the
/// engine writes (durations, counts, instants) are never touched.
pub fn to_csv(report: &Report) -> Result<String, ExportError> {
    let mut bytes = Vec::new();
    write_csv(report, &mut bytes)?;
    String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
}

/// [`to_csv`] into a writer, line by line: the CLI streams a million-row report to a file
/// this way without holding its text. The bytes are exactly [`to_csv`]'s.
pub fn write_csv<W: std::io::Write>(report: &Report, out: W) -> Result<(), ExportError> {
    let mut csv = CsvStream::new(out);
    for row in &report.rows {
        csv.row(report, row)?;
    }
    csv.finish(report)
}

/// [`to_csv`] for a report whose rows arrive one at a time and are not kept (see
/// `compute_rows_freeing_histories`): each [`CsvStream::row`] is written as it comes, then
/// [`CsvStream::finish`] writes the statistics. The bytes are exactly [`to_csv`]'s of the
/// report with those rows.
pub struct CsvStream<W: std::io::Write> {
    writer: csv::Writer<W>,
    /// Known from the first row (the header depends on whether rows are people).
    layout: Option<Layout>,
}

impl<W: std::io::Write> CsvStream<W> {
    pub fn new(out: W) -> Self {
        CsvStream {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(out),
            layout: None,
        }
    }

    /// Writes one row of `report` (and its group statistics), after the header on the first.
    pub fn row(&mut self, report: &Report, row: &Row) -> Result<(), ExportError> {
        let writer = &mut self.writer;
        let layout = match &mut self.layout {
            Some(layout) => layout,
            // A report's top-level rows are all groups or none are: the first one tells.
            None => {
                let layout = Layout::of(report, row.kind == RowKind::Group);
                write_line(writer, layout.header(report))?;
                self.layout.insert(layout)
            }
        };
        layout.row(report, row, &mut |line| write_line(writer, line))
    }

    /// Writes the header if no row came, then the overall statistics, and flushes.
    pub fn finish(mut self, report: &Report) -> Result<(), ExportError> {
        let writer = &mut self.writer;
        let layout = match self.layout.take() {
            Some(layout) => layout,
            None => {
                let layout = Layout::of(report, true);
                write_line(writer, layout.header(report))?;
                layout
            }
        };
        layout.totals(report, &mut |line| write_line(writer, line))?;
        writer
            .flush()
            .map_err(|e| ExportError::Write(e.to_string()))
    }
}

fn write_line<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    line: Vec<Cell>,
) -> Result<(), ExportError> {
    let texts: Vec<Cow<'_, str>> = line.iter().map(csv_text).collect();
    writer
        .write_record(texts.iter().map(|t| t.as_bytes()))
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(e) => ExportError::Write(e.to_string()),
            other => ExportError::Csv(format!("{other:?}")),
        })
}

/// A cell's CSV text: text that a spreadsheet would read as a formula gets a leading `'`.
fn csv_text(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Text(t) if formula_like(t) => Cow::Owned(format!("'{t}")),
        other => Cow::Borrowed(other.text()),
    }
}

/// Whether a spreadsheet would take `text` for a formula: it starts with one of OWASP's
/// trigger characters and is not simply a number (`-5` stays a number).
fn formula_like(text: &str) -> bool {
    let trigger = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    trigger && text.parse::<f64>().map_or(true, |n| !n.is_finite())
}

/// The report as an XLSX workbook: the grid on a "Report" sheet (numbers as numbers, instants
/// as dates), chart data on a "Details" sheet, warnings on a "Warnings" sheet.
#[cfg(feature = "xlsx")]
pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let tz = TimeZone::get(&report.time_zone).unwrap_or(TimeZone::UTC);
    let excel_time = |seconds: i64| -> Option<ExcelDateTime> {
        let dt = jiff::Timestamp::from_second(seconds)
            .ok()?
            .to_zoned(tz.clone())
            .datetime();
        ExcelDateTime::from_ymd(
            u16::try_from(dt.year()).ok()?,
            u8::try_from(dt.month()).ok()?,
            u8::try_from(dt.day()).ok()?,
        )
        .ok()?
        .and_hms(
            u16::try_from(dt.hour()).ok()?,
            u8::try_from(dt.minute()).ok()?,
            f64::from(dt.second()),
        )
        .ok()
    };

    let mut book = Workbook::new();
    // Document metadata carries the report's `now`, not the machine's clock.
    if let Some(created) = excel_time(report.now.as_second()) {
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    }
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let number_formats: Vec<Format> = (0..=6u8)
        .map(|d| {
            let f = if d == 0 {
                "0".to_owned()
            } else {
                format!("0.{}", "0".repeat(usize::from(d)))
            };
            Format::new().set_num_format(f)
        })
        .collect();

    let sheet = book.add_worksheet();
    sheet.set_name("Report").map_err(err)?;
    for (r, line) in grid(report).iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| ExportError::Xlsx("too many rows".into()))?;
        for (c, cell) in line.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| ExportError::Xlsx("too many columns".into()))?;
            match cell {
                Cell::Empty => {}
                Cell::Text(t) if r == 0 => {
                    sheet
                        .write_string_with_format(r, c, t, &bold)
                        .map_err(err)?;
                }
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(err)?;
                }
                Cell::Value {
                    number: Some(n),
                    decimals,
                    ..
                } => {
                    let f = &number_formats[usize::from(*decimals).min(6)];
                    sheet.write_number_with_format(r, c, *n, f).map_err(err)?;
                }
                Cell::Value { text, .. } => {
                    sheet.write_string(r, c, text).map_err(err)?;
                }
                Cell::Instant { text, seconds } => match excel_time(*seconds) {
                    Some(t) => {
                        sheet
                            .write_datetime_with_format(r, c, &t, &date)
                            .map_err(err)?;
                    }
                    None => {
                        sheet.write_string(r, c, text).map_err(err)?;
                    }
                },
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;

    let details = details_grid(report);
    if !details.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name("Details").map_err(err)?;
        for (r, line) in details.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| ExportError::Xlsx("too many rows".into()))?;
            for (c, cell) in line.iter().enumerate() {
                let c =
                    u16::try_from(c).map_err(|_| ExportError::Xlsx("too many columns".into()))?;
                match cell {
                    Cell::Value {
                        number: Some(n), ..
                    } => {
                        sheet.write_number(r, c, *n).map_err(err)?;
                    }
                    other if !other.text().is_empty() => {
                        sheet.write_string(r, c, other.text()).map_err(err)?;
                    }
                    _ => {}
                }
            }
        }
    }
    if !report.warnings.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name("Warnings").map_err(err)?;
        for (r, w) in report.warnings.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| ExportError::Xlsx("too many rows".into()))?;
            sheet.write_string(r, 0, &w.message).map_err(err)?;
            sheet.write_string(r, 1, w.issues.join(", ")).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// Chart data as a small table: the transition matrix or the throughput buckets and
/// percentiles. Empty for kinds without details (per-day counts are the report's own rows).
pub fn details_grid(report: &Report) -> Vec<Vec<Cell>> {
    let num = |n: f64| Cell::Value {
        text: crate::filter::number(n),
        number: Some(n),
        decimals: 0,
    };
    match &report.details {
        Details::Transitions { statuses, counts } => {
            let mut out = vec![
                std::iter::once(Cell::Text("From \\ To".into()))
                    .chain(statuses.iter().map(|s| Cell::Text(s.clone())))
                    .collect::<Vec<_>>(),
            ];
            for (from, row) in statuses.iter().zip(counts) {
                out.push(
                    std::iter::once(Cell::Text(from.clone()))
                        .chain(row.iter().map(|&c| num(f64::from(c))))
                        .collect(),
                );
            }
            out
        }
        Details::Throughput {
            buckets,
            percentiles,
            unfinished,
            ..
        } => {
            let mut out = vec![vec![
                Cell::Text("Period start".into()),
                Cell::Text("Finished".into()),
            ]];
            for b in buckets {
                out.push(vec![
                    Cell::Text(b.start.to_string()),
                    num(f64::from(b.count)),
                ]);
            }
            out.push(Vec::new());
            out.push(vec![
                Cell::Text("Percentile".into()),
                Cell::Text("Cycle time".into()),
            ]);
            for p in percentiles {
                out.push(vec![
                    Cell::Text(format!("P{}", p.p)),
                    Cell::Text(crate::format::format_duration(
                        p.seconds,
                        &report.duration_format,
                    )),
                ]);
            }
            out.push(vec![
                Cell::Text("Unfinished".into()),
                num(f64::from(*unfinished)),
            ]);
            out
        }
        Details::None | Details::StatusPerDay { .. } | Details::Timesheet { .. } => Vec::new(),
    }
}
