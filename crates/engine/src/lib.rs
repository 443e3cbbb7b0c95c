//! The Jira wire model and Dwell's pure report engine.
//!
//! Jira's JSON goes in page by page ([`Dataset`], read by [`wire`]), a report configuration
//! ([`config::ReportConfig`]) says what to compute, and [`compute`] returns a [`Report`]: plain
//! data that the browser's table and charts, the CSV and XLSX encoders ([`export`]) and the CLI
//! all read.
//!
//! The one design decision to know: the engine is pure. It does no I/O and never reads the
//! clock; `now`, the time zone, the saved calendars and status groups come in through
//! [`Context`]. That is what lets the same code run in a browser tab (wasm32), in the `dwell`
//! CLI and in the benchmarks, and what makes every report reproducible from its inputs.
//!
//! Semantics, pinned by the fixtures in `tests/`: an issue's life runs from `created` to `now`;
//! its initial status is the `from` of its earliest status change (its current status when it
//! never changed); histories are ordered by time, then numeric history id, then item order;
//! changes stamped before `created` are clamped to it; statuses are identified by id and shown
//! under their current name, and ids sharing a name are one column unless
//! `columns.splitSameName`. Durations are computed in Jira's milliseconds and rounded only when
//! shown or exported, so on a 24/7 calendar the columns of a row add up exactly to the issue's
//! life, and a status visited many times loses nothing to rounding. Timesheets likewise sum
//! worklogs in exact milliseconds: three 20-minute worklogs make one hour, never 0.99.

mod calendar;
mod compute;
mod dataset;
pub mod export;
mod filter;
mod format;
mod report;
mod rows;
mod stats;
mod time;
mod timeline;
pub mod wire;

pub use compute::{
    ComputeError, Context, WorklogSpan, compute, compute_freeing_histories,
    compute_rows_freeing_histories, timesheet_worklogs, worklog_span,
};
pub use dataset::{Completeness, Dataset, IssueRef, Status, StatusCategory};
pub use format::{duration_number, format_duration, format_instant, format_value};
pub use report::{
    Aggregate, Bucket, CellWorklog, ClockState, Details, FieldColumn, Flag, KindTag, MetricColumn,
    Num, Percentile, Period, Point, Report, Row, RowKind, Unit, Warning, WarningCode,
};
pub use stats::label as aggregate_label;
pub use time::{Millis, parse_millis};
pub use wire::{
    BulkChangelogInfo, ChangelogPageInfo, GroupMembersInfo, Loaded, SearchPageInfo, WireError,
    WorklogListInfo, WorklogPageInfo,
};
