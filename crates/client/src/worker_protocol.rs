//! Messages between the page and its Web Worker, and the work the worker does.
//!
//! The worker holds everything heavy so the page's first download stays small: the report
//! engine (with the IANA time-zone database it needs for calendars), the configuration checks
//! that need that database too, and the CSV and XLSX encoders. The page streams Jira's
//! documents in as they arrive, asks for a computed report's summary, then for the rows it
//! shows, in the order it wants.
//!
//! A message is a small JSON header ([`ToWorker`], [`FromWorker`]) plus, for documents and
//! exports, a payload sent as it is (a string or bytes), so a Jira page is never escaped into
//! another JSON string. Configurations, calendars and status groups cross as the JSON text the
//! server (or the user) gave: the worker parses them, the page does not need to. Everything here is plain Rust: the worker binary calls [`Worker`], the
//! page never does (so the linker leaves its weight out of the page), and native tests run it.

use std::collections::HashMap;

use config::{CalendarId, ReportConfig, StatusGroup, StatusGroupId, ValidationError, WorkCalendar};
use serde::{Deserialize, Serialize};

use crate::api::body::Body;
use crate::api::jira::Flavour;
use crate::fetch::planner::WorklogWindow;
use crate::fetch::{Delivery, FetchSpec, keyset};
use crate::route::Overrides;
use crate::worker_session::{CellWorklogs, ReportSummary, RowView, Session, SortBy};

/// What a timesheet or capacity report fetches, run at `now_ms`: its issues' worklogs in its
/// dates instead of histories, and only the issues with time logged then (`worklogDate`, a
/// day wider on each side because Jira reads it in the user's profile zone; the named authors
/// with `worklogAuthor` when no group needs resolving). With split attribution a worklog that
/// started up to a day before the range still counts for its part inside it. Other kinds are
/// returned as they are.
pub fn timesheet_spec(
    spec: FetchSpec,
    config: &ReportConfig,
    now_ms: Option<i64>,
) -> Result<FetchSpec, String> {
    let (dates, time_zone, authors, attribution) = match &config.kind {
        config::ReportKind::Timesheet(t) => (t.dates, &t.time_zone, &t.authors, t.attribution),
        config::ReportKind::Capacity(c) => (c.dates, &c.time_zone, &c.authors, c.attribution),
        _ => return Ok(spec),
    };
    let now_ms = now_ms.ok_or("the page did not say what time it is")?;
    let now = jiff::Timestamp::from_millisecond(now_ms).map_err(|e| e.to_string())?;
    let span = engine::worklog_span(dates, time_zone, now).map_err(|e| e.to_string())?;
    let day = |d: jiff::civil::Date, by: i64| {
        d.checked_add(jiff::Span::new().days(by))
            .map(|d| d.to_string())
            .map_err(|e| e.to_string())
    };
    let early = match attribution {
        config::Attribution::SplitByDay => 1,
        config::Attribution::StartDay => 0,
    };
    let mut narrow = format!(
        "worklogDate >= \"{}\" AND worklogDate <= \"{}\"",
        day(span.first, -1 - early)?,
        day(span.last, 1)?
    );
    if authors.groups.is_empty() && !authors.accounts.is_empty() {
        let quoted: Vec<String> = authors
            .accounts
            .iter()
            .map(|a| {
                format!(
                    "\"{}\"",
                    a.as_str().replace('\\', "\\\\").replace('"', "\\\"")
                )
            })
            .collect();
        narrow.push_str(&format!(" AND worklogAuthor in ({})", quoted.join(", ")));
    }
    let jql = keyset::and_clause(&spec.jql, &narrow);
    const DAY_MS: i64 = 86_400_000;
    let window = WorklogWindow {
        after_ms: span.start_ms - early * DAY_MS - 1,
        before_ms: span.end_ms,
        now_ms: Some(now_ms),
    };
    Ok(FetchSpec { jql, ..spec }.for_worklogs(window))
}

/// A shared link's changes, applied for one viewing (never saved).
pub fn apply_overrides(mut config: ReportConfig, o: &Overrides) -> Result<ReportConfig, String> {
    use config::{DateField, DateRange, FieldId, Jql};

    use crate::view::editor::parse_date_bound;
    if let Some(jql) = &o.jql {
        config.jql = Jql::parse(jql.clone()).map_err(|e| format!("jql: {e}"))?;
    }
    if o.from.is_some() || o.to.is_some() {
        let from = parse_date_bound(o.from.as_deref().unwrap_or(""))?;
        let to = parse_date_bound(o.to.as_deref().unwrap_or(""))?;
        let field = config
            .date_range
            .as_ref()
            .map_or(DateField::Updated, |r| r.field);
        config.date_range = Some(DateRange { field, from, to });
    }
    if let Some(group) = &o.group {
        config.rows.group_by = if group == "none" {
            Vec::new()
        } else {
            vec![FieldId::parse(group.as_str()).map_err(|e| format!("group: {e}"))?]
        };
    }
    Ok(config)
}

/// What the page asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ToWorker {
    /// Check a document exactly as the server would (unknown fields, every rule, time zones).
    Validate {
        id: u32,
        kind: DocumentKind,
        json: String,
    },
    /// A new run of a configuration: the previous run's data is dropped. Answered with what to
    /// fetch ([`FromWorker::Begun`]).
    Begin {
        id: u32,
        run: u32,
        flavour: Flavour,
        source: ConfigSource,
        #[serde(default)]
        overrides: Overrides,
        /// The page's clock (epoch milliseconds): the day a timesheet's relative dates count
        /// from.
        #[serde(default)]
        now_ms: Option<i64>,
    },
    /// A Jira document for the run; the payload is its text.
    Deliver {
        run: u32,
        kind: DeliveryKind,
        /// For [`DeliveryKind::ChangelogsComplete`]: the issues whose histories are complete.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ids: Vec<String>,
    },
    /// Compute the run's report, grouped by `group` (a field id, or `none`) when given.
    Compute {
        id: u32,
        run: u32,
        #[serde(default)]
        group: Option<String>,
        context: ComputeContext,
    },
    /// Rows of the last computed report, in `sort` order.
    Rows {
        id: u32,
        run: u32,
        sort: Option<SortBy>,
        start: usize,
        count: usize,
    },
    /// The worklogs behind a cell of the last computed timesheet: report row `row` (`None`:
    /// every row) and column `column` (`None` or the `Total` column: every period).
    Worklogs {
        id: u32,
        run: u32,
        row: Option<usize>,
        column: Option<usize>,
    },
    /// Jira's `worklog/list` answer (the payload): its comments as plain text.
    Comments { id: u32 },
    /// The last computed report as a file: the answer's payload.
    Export {
        id: u32,
        run: u32,
        format: ExportFormat,
    },
    /// Forget the run's data (the page moved on).
    End { run: u32 },
}

/// Which configuration document a JSON text should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
    Report,
    Calendar,
    StatusGroup,
    /// A whole export (`GET /api/v1/export`), before an import.
    Export,
}

/// Where a run's configuration comes from, as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "json", rename_all = "camelCase")]
pub enum ConfigSource {
    /// A saved report, as `GET /api/v1/reports/{id}` answers.
    Record(String),
    /// A configuration (a template, an import, the editor's draft).
    Config(String),
}

/// What the page needs to fetch and head a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    pub name: String,
    pub description: String,
    pub kind: String,
    pub jql: String,
    /// Issue fields to fetch.
    pub fields: Vec<String>,
    pub changelog_fields: Vec<String>,
    pub field_names: bool,
    /// Whether the run reads change histories (not for timesheets).
    #[serde(default = "yes")]
    pub changelogs: bool,
    /// A timesheet's worklog window.
    #[serde(default)]
    pub worklogs: Option<WorklogWindow>,
    /// The configuration's grouping (field ids).
    pub group_by: Vec<String>,
}

impl RunPlan {
    fn new(config: &ReportConfig, spec: &FetchSpec) -> Self {
        RunPlan {
            name: config.name.clone(),
            description: config.description.clone(),
            kind: config.kind.tag().slug().to_string(),
            jql: spec.jql.clone(),
            fields: spec.fields.clone(),
            changelog_fields: spec.changelog_fields.clone(),
            field_names: spec.field_names,
            changelogs: spec.changelogs,
            worklogs: spec.worklogs,
            group_by: config
                .rows
                .group_by
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }

    /// The fetch spec for a Jira of `flavour`.
    pub fn spec(&self, flavour: Flavour) -> FetchSpec {
        FetchSpec {
            changelogs: self.changelogs,
            worklogs: self.worklogs,
            ..FetchSpec::new(
                flavour,
                self.jql.clone(),
                self.fields.clone(),
                self.changelog_fields.clone(),
                self.field_names,
            )
        }
    }
}

fn yes() -> bool {
    true
}

/// What a delivered document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryKind {
    Issues,
    Changelogs,
    ChangelogsComplete,
    Statuses,
    Fields,
    /// One issue's worklog page; the ids hold the issue.
    Worklogs,
    /// A `worklog/list` answer.
    WorklogList,
}

impl DeliveryKind {
    /// The header kind and ids, and the payload (empty for none), of a delivery.
    pub fn split(delivery: Delivery) -> (DeliveryKind, Vec<String>, Body) {
        match delivery {
            Delivery::Issues(b) => (DeliveryKind::Issues, Vec::new(), b),
            Delivery::Changelogs(b) => (DeliveryKind::Changelogs, Vec::new(), b),
            Delivery::ChangelogsComplete(ids) => {
                (DeliveryKind::ChangelogsComplete, ids, Body::default())
            }
            Delivery::Statuses(b) => (DeliveryKind::Statuses, Vec::new(), b),
            Delivery::Fields(b) => (DeliveryKind::Fields, Vec::new(), b),
            Delivery::Worklogs { issue, body } => (DeliveryKind::Worklogs, vec![issue], body),
            Delivery::WorklogList(b) => (DeliveryKind::WorklogList, Vec::new(), b),
        }
    }

    /// Puts a delivery back together in the worker.
    pub fn join(self, ids: Vec<String>, body: Body) -> Delivery {
        match self {
            DeliveryKind::Issues => Delivery::Issues(body),
            DeliveryKind::Changelogs => Delivery::Changelogs(body),
            DeliveryKind::ChangelogsComplete => Delivery::ChangelogsComplete(ids),
            DeliveryKind::Statuses => Delivery::Statuses(body),
            DeliveryKind::Fields => Delivery::Fields(body),
            DeliveryKind::Worklogs => Delivery::Worklogs {
                issue: ids.into_iter().next().unwrap_or_default(),
                body,
            },
            DeliveryKind::WorklogList => Delivery::WorklogList(body),
        }
    }
}

/// What the engine needs besides data and configuration, as the page knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputeContext {
    /// The page's clock, in epoch milliseconds: the instant the report is computed for,
    /// unless `as_of` names another.
    pub now_ms: i64,
    /// A shared link's fixed instant (RFC 3339), for reproducible reports.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The user's IANA time zone, for dates in tables and exports.
    pub time_zone: String,
    /// The site's saved calendars, as `GET /api/v1/calendars` answers.
    #[serde(default)]
    pub calendars: Option<String>,
    /// The site's saved status groups, as `GET /api/v1/status-groups` answers.
    #[serde(default)]
    pub status_groups: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv;charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FromWorker {
    /// Sent once, when the worker listens: messages sent before are lost.
    Ready,
    /// Every problem of the document; empty when it is valid.
    Validated {
        id: u32,
        problems: Vec<ValidationError>,
    },
    Begun {
        id: u32,
        result: Result<RunPlan, String>,
    },
    Computed {
        id: u32,
        result: Result<ReportSummary, String>,
        /// Time spent computing, and reading the run's documents so far, in the worker (ms);
        /// filled in by the worker's runtime, which has a clock.
        #[serde(default)]
        timings: Timings,
    },
    Rows {
        id: u32,
        rows: Vec<RowView>,
    },
    Worklogs {
        id: u32,
        result: Result<CellWorklogs, String>,
    },
    /// `(worklog id, comment text)`, for the worklogs that have a comment.
    Comments {
        id: u32,
        result: Result<Vec<(String, String)>, String>,
    },
    /// The file is the payload; `error` when it could not be made.
    Exported {
        id: u32,
        error: Option<String>,
    },
    /// A message the worker could not read.
    Unreadable {
        message: String,
    },
}

impl FromWorker {
    /// The request this answers.
    pub fn id(&self) -> Option<u32> {
        match self {
            FromWorker::Validated { id, .. }
            | FromWorker::Begun { id, .. }
            | FromWorker::Computed { id, .. }
            | FromWorker::Rows { id, .. }
            | FromWorker::Worklogs { id, .. }
            | FromWorker::Comments { id, .. }
            | FromWorker::Exported { id, .. } => Some(*id),
            FromWorker::Ready | FromWorker::Unreadable { .. } => None,
        }
    }
}

/// Where the worker's time went for one report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    pub compute_ms: f64,
    pub ingest_ms: f64,
}

/// A payload beside a header.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Text(String),
    Bytes(Vec<u8>),
}

/// Checks `json` as a document of `kind`; every problem with its JSON path.
pub fn validate(kind: DocumentKind, json: &str) -> Vec<ValidationError> {
    let result = match kind {
        DocumentKind::Report => config::parse_report(json).map(drop),
        DocumentKind::Calendar => config::parse_calendar(json).map(drop),
        DocumentKind::StatusGroup => config::parse_status_group(json).map(drop),
        DocumentKind::Export => config::parse_strict::<config::api::ExportDocument>(json).map(drop),
    };
    match result {
        Ok(()) => Vec::new(),
        Err(config::ParseError::Invalid(errors)) => errors.0,
        Err(e @ config::ParseError::Json { .. }) => vec![ValidationError {
            path: String::new(),
            message: e.to_string(),
        }],
    }
}

/// One run: its configuration and its data.
#[derive(Debug)]
struct Run {
    id: u32,
    config: ReportConfig,
    session: Session,
}

/// The worker's state: at most one run's data at a time.
#[derive(Debug, Default)]
pub struct Worker {
    run: Option<Run>,
}

impl Worker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Run `run`, if it is the current one.
    fn run(&mut self, run: u32) -> Option<&mut Run> {
        self.run.as_mut().filter(|r| r.id == run)
    }

    fn session(&mut self, run: u32) -> Option<&mut Session> {
        self.run(run).map(|r| &mut r.session)
    }

    fn begin(
        &mut self,
        run: u32,
        flavour: Flavour,
        source: ConfigSource,
        overrides: &Overrides,
        now_ms: Option<i64>,
    ) -> Result<RunPlan, String> {
        // A new run drops the last one's data first, whatever happens next.
        self.run = None;
        let config = match source {
            ConfigSource::Config(json) => config::parse_report(&json).map_err(|e| e.to_string())?,
            ConfigSource::Record(json) => {
                serde_json::from_str::<config::api::ReportRecord>(&json)
                    .map_err(|e| format!("unreadable report: {e}"))?
                    .config
            }
        };
        // A link's fixed instant is the run's now for a timesheet's dates too: the worklogs
        // fetched must be those of the week the engine will compute for that instant.
        let now_ms = match &overrides.as_of {
            Some(text) => Some(
                text.parse::<jiff::Timestamp>()
                    .map_err(|e| {
                        format!("the link's asOf {text:?} is not an instant like 2026-11-01T00:00:00Z: {e}")
                    })?
                    .as_millisecond(),
            ),
            None => now_ms,
        };
        let config = apply_overrides(config, overrides)?;
        let spec = timesheet_spec(FetchSpec::for_report(flavour, &config), &config, now_ms)?;
        let plan = RunPlan::new(&config, &spec);
        self.run = Some(Run {
            id: run,
            session: Session::new(&spec.fields),
            config,
        });
        Ok(plan)
    }

    fn compute(
        &mut self,
        run: u32,
        group: Option<String>,
        context: &ComputeContext,
    ) -> Result<ReportSummary, String> {
        let Some(r) = self.run(run) else {
            return Err("this run's data is gone; run the report again".into());
        };
        let config = match group {
            Some(g) => apply_overrides(
                r.config.clone(),
                &Overrides {
                    group: Some(g),
                    ..Overrides::default()
                },
            )?,
            None => r.config.clone(),
        };
        let ctx = context.engine_context()?;
        r.session.compute(&config, &ctx).map_err(|e| e.to_string())
    }

    /// Handles one message. Messages without an answer (documents, begin, end) return
    /// `None`.
    pub fn handle(
        &mut self,
        header: &str,
        payload: Option<Body>,
    ) -> Option<(FromWorker, Option<Payload>)> {
        let message = match serde_json::from_str::<ToWorker>(header) {
            Ok(m) => m,
            Err(e) => {
                return Some((
                    FromWorker::Unreadable {
                        message: e.to_string(),
                    },
                    None,
                ));
            }
        };
        let answer = match message {
            ToWorker::Validate { id, kind, json } => FromWorker::Validated {
                id,
                problems: validate(kind, &json),
            },
            ToWorker::Begin {
                id,
                run,
                flavour,
                source,
                overrides,
                now_ms,
            } => FromWorker::Begun {
                id,
                result: self.begin(run, flavour, source, &overrides, now_ms),
            },
            ToWorker::Deliver { run, kind, ids } => {
                if let Some(s) = self.session(run) {
                    s.add(&kind.join(ids, payload.unwrap_or_default()));
                }
                return None;
            }
            ToWorker::End { run } => {
                if self.run(run).is_some() {
                    self.run = None;
                }
                return None;
            }
            ToWorker::Compute {
                id,
                run,
                group,
                context,
            } => FromWorker::Computed {
                id,
                result: self.compute(run, group, &context),
                timings: Timings::default(),
            },
            ToWorker::Rows {
                id,
                run,
                sort,
                start,
                count,
            } => FromWorker::Rows {
                id,
                rows: self
                    .session(run)
                    .map(|s| s.rows(sort, start, count))
                    .unwrap_or_default(),
            },
            ToWorker::Worklogs {
                id,
                run,
                row,
                column,
            } => FromWorker::Worklogs {
                id,
                result: self.session(run).map_or_else(
                    || Err("this run's data is gone; run the report again".to_string()),
                    |s| s.cell_worklogs(row, column),
                ),
            },
            ToWorker::Comments { id } => FromWorker::Comments {
                id,
                result: crate::comments::from_worklog_list(payload.unwrap_or_default().as_bytes()),
            },
            ToWorker::Export { id, run, format } => {
                let report = self.session(run).and_then(|s| s.report());
                let file = match report {
                    None => Err("no report to export; run it again".to_string()),
                    Some(r) => export(r, format),
                };
                return Some(match file {
                    Ok(p) => (FromWorker::Exported { id, error: None }, Some(p)),
                    Err(e) => (FromWorker::Exported { id, error: Some(e) }, None),
                });
            }
        };
        Some((answer, None))
    }
}

fn export(report: &engine::Report, format: ExportFormat) -> Result<Payload, String> {
    match format {
        ExportFormat::Csv => engine::export::to_csv(report)
            .map(Payload::Text)
            .map_err(|e| e.to_string()),
        ExportFormat::Xlsx => engine::export::to_xlsx(report)
            .map(Payload::Bytes)
            .map_err(|e| e.to_string()),
    }
}

impl ComputeContext {
    /// The engine's context; fails on an unknown time zone.
    pub fn engine_context(&self) -> Result<engine::Context, String> {
        let now = match &self.as_of {
            Some(text) => text.parse::<jiff::Timestamp>().map_err(|e| {
                format!("the link's asOf {text:?} is not an instant like 2026-11-01T00:00:00Z: {e}")
            })?,
            None => jiff::Timestamp::from_millisecond(self.now_ms).map_err(|e| e.to_string())?,
        };
        let tz = jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let calendars: HashMap<CalendarId, WorkCalendar> = match &self.calendars {
            None => HashMap::new(),
            Some(json) => serde_json::from_str::<Vec<config::api::CalendarRecord>>(json)
                .map_err(|e| format!("unreadable calendars: {e}"))?
                .into_iter()
                .map(|r| (r.id, r.calendar))
                .collect(),
        };
        let status_groups: HashMap<StatusGroupId, StatusGroup> = match &self.status_groups {
            None => HashMap::new(),
            Some(json) => serde_json::from_str::<Vec<config::api::StatusGroupRecord>>(json)
                .map_err(|e| format!("unreadable status groups: {e}"))?
                .into_iter()
                .map(|r| (r.id, r.group))
                .collect(),
        };
        Ok(engine::Context {
            now,
            time_zone: tz,
            calendars,
            status_groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(m: &ToWorker) -> String {
        serde_json::to_string(m).unwrap()
    }

    #[test]
    fn calendars_with_unknown_time_zones_are_refused_in_the_worker() {
        let cal = config::WorkCalendar::office_hours("Berlin office", "Europe/Berlin");
        let ok = serde_json::to_string(&cal).unwrap();
        assert!(validate(DocumentKind::Calendar, &ok).is_empty());
        let bad = ok.replace("Europe/Berlin", "Mars/Olympus_Mons");
        let problems = validate(DocumentKind::Calendar, &bad);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "timeZone");
    }

    #[test]
    fn unreadable_messages_are_answered_not_dropped() {
        let mut w = Worker::new();
        let ask = ToWorker::Validate {
            id: 7,
            kind: DocumentKind::Report,
            json: "{".into(),
        };
        let Some((FromWorker::Validated { id, problems }, None)) = w.handle(&header(&ask), None)
        else {
            panic!("expected a validation answer");
        };
        assert_eq!(id, 7);
        assert!(
            problems[0].message.starts_with("malformed json"),
            "{problems:?}"
        );
        assert!(matches!(
            w.handle("nonsense", None),
            Some((FromWorker::Unreadable { .. }, None))
        ));
    }

    #[test]
    fn a_new_run_drops_the_last_runs_data() {
        let mut w = Worker::new();
        let begin = |id, run| {
            header(&ToWorker::Begin {
                id,
                run,
                flavour: Flavour::Cloud,
                source: ConfigSource::Config(
                    crate::view::templates::template_json("cycle-time", "UTC").unwrap(),
                ),
                now_ms: Some(0),
                overrides: Overrides {
                    group: Some("issuetype".into()),
                    ..Overrides::default()
                },
            })
        };
        let Some((
            FromWorker::Begun {
                result: Ok(plan), ..
            },
            None,
        )) = w.handle(&begin(1, 1), None)
        else {
            panic!("expected a plan");
        };
        assert_eq!(plan.name, "Cycle time and throughput");
        assert_eq!(plan.kind, "throughput");
        assert_eq!(
            plan.group_by,
            vec!["issuetype".to_string()],
            "the override applies"
        );
        assert!(plan.fields.iter().any(|f| f == "status"));
        w.handle(&begin(2, 2), None);
        let compute = ToWorker::Compute {
            id: 3,
            run: 1,
            group: None,
            context: ComputeContext {
                now_ms: 0,
                as_of: None,
                time_zone: "UTC".into(),
                calendars: None,
                status_groups: None,
            },
        };
        let Some((FromWorker::Computed { result: Err(e), .. }, _)) =
            w.handle(&header(&compute), None)
        else {
            panic!("run 1 should be gone");
        };
        assert!(e.contains("gone"), "{e}");
    }

    #[test]
    fn a_links_as_of_instant_dates_a_timesheets_fetch() {
        let mut w = Worker::new();
        let begin = |as_of: Option<&str>| ToWorker::Begin {
            id: 1,
            run: 1,
            flavour: Flavour::Cloud,
            source: ConfigSource::Config(
                crate::view::templates::template_json("team-week", "UTC").unwrap(),
            ),
            overrides: Overrides {
                as_of: as_of.map(str::to_string),
                ..Overrides::default()
            },
            // 2026-12-06T12:00:00Z, a Sunday: this week is 30 November to 6 December.
            now_ms: Some(1_796_558_400_000),
        };
        let mut plan = |as_of| match w.handle(&header(&begin(as_of)), None) {
            Some((FromWorker::Begun { result, .. }, None)) => result,
            other => panic!("expected a plan: {other:?}"),
        };
        let jql = plan(None).unwrap().jql;
        assert!(
            jql.contains("\"2026-11-29\"") && jql.contains("\"2026-12-07\""),
            "{jql}"
        );
        // As of Sunday 1 November: the week of 26 October, a day wider each side.
        let jql = plan(Some("2026-11-01T00:00:00Z")).unwrap().jql;
        assert!(
            jql.contains("\"2026-10-25\"") && jql.contains("\"2026-11-02\""),
            "{jql}"
        );
        let e = plan(Some("yesterday")).unwrap_err();
        assert!(e.contains("yesterday"), "{e}");
    }

    /// A timesheet's cell lists the worklogs it counted (row and column totals too), with
    /// started in the timesheet's zone, and says which issues were read only in part.
    #[test]
    fn a_timesheet_cell_lists_its_worklogs_and_their_comments_read_as_text() {
        let mut w = Worker::new();
        let config = serde_json::json!({"schemaVersion": 1, "name": "week",
            "kind": {"type": "timesheet", "rows": "person", "columns": "day",
                "dates": {"type": "fixed", "from": "2026-10-26", "to": "2026-10-27"},
                "timeZone": "Europe/Berlin"}});
        let begin = ToWorker::Begin {
            id: 1,
            run: 1,
            flavour: Flavour::Cloud,
            source: ConfigSource::Config(config.to_string()),
            overrides: Overrides::default(),
            now_ms: Some(1_793_000_000_000),
        };
        assert!(matches!(
            w.handle(&header(&begin), None),
            Some((FromWorker::Begun { result: Ok(_), .. }, None))
        ));
        let person =
            |id: &str, name: &str| serde_json::json!({"accountId": id, "displayName": name});
        let log = |id: &str, who, started: &str, seconds: u32| serde_json::json!({"id": id, "author": who, "started": started, "timeSpentSeconds": seconds});
        let (ada, bo) = (person("a", "Ada"), person("b", "Bo"));
        let page = serde_json::json!({"isLast": true, "issues": [
            {"id": "1", "key": "DW-1", "fields": {"created": "2026-01-01T00:00:00.000+0000",
              "worklog": {"startAt": 0, "maxResults": 20, "total": 3, "worklogs": [
                // 23:30 UTC on the 25th is 00:30 on the 26th in Berlin.
                log("10", ada.clone(), "2026-10-25T23:30:00.000+0000", 3600),
                log("11", ada.clone(), "2026-10-27T09:00:00.000+0100", 1800),
                log("12", bo.clone(), "2026-10-26T10:00:00.000+0100", 7200)]}}},
            {"id": "2", "key": "DW-2", "fields": {"created": "2026-01-01T00:00:00.000+0000",
              "worklog": {"startAt": 0, "maxResults": 20, "total": 40, "worklogs": [
                log("13", ada.clone(), "2026-10-26T15:00:00.000+0100", 900)]}}},
            {"id": "3", "key": "DW-3", "fields": {"created": "2026-01-01T00:00:00.000+0000",
              "worklog": {"startAt": 0, "maxResults": 20, "total": 9, "worklogs":
                (0..9).map(|k| log(&format!("2{k}"), person(&format!("p{k}"), &format!("P{k}")),
                    "2026-10-27T12:00:00.000+0000", 60 * (k + 1))).collect::<Vec<_>>()}}}]});
        let deliver = ToWorker::Deliver {
            run: 1,
            kind: DeliveryKind::Issues,
            ids: Vec::new(),
        };
        assert_eq!(
            w.handle(&header(&deliver), Some(page.to_string().into())),
            None
        );
        let compute = ToWorker::Compute {
            id: 2,
            run: 1,
            group: None,
            context: ComputeContext {
                now_ms: 1_793_000_000_000,
                as_of: None,
                time_zone: "UTC".into(),
                calendars: None,
                status_groups: None,
            },
        };
        let Some((
            FromWorker::Computed {
                result: Ok(summary),
                ..
            },
            _,
        )) = w.handle(&header(&compute), None)
        else {
            panic!("expected a report");
        };
        let names: Vec<&str> = summary.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["2026-10-26", "2026-10-27", "Total"]);
        let rows = w
            .session(1)
            .map(|s| s.rows(None, 0, 10))
            .unwrap_or_default();
        let ada_row = rows.iter().find(|r| r.label == "Ada").unwrap().index;
        let mut ask = |row, column| {
            let m = ToWorker::Worklogs {
                id: 3,
                run: 1,
                row,
                column,
            };
            match w.handle(&header(&m), None) {
                Some((FromWorker::Worklogs { result, .. }, None)) => result,
                other => panic!("expected worklogs: {other:?}"),
            }
        };
        let cell = ask(Some(ada_row), Some(0)).unwrap();
        assert_eq!(cell.title, "Ada · 2026-10-26");
        assert_eq!(cell.time_zone, "Europe/Berlin");
        let listed: Vec<(&str, &str, &str, f64, bool)> = cell
            .worklogs
            .iter()
            .map(|l| {
                (
                    l.id.as_deref().unwrap(),
                    l.issue.as_str(),
                    l.started.as_str(),
                    l.seconds,
                    l.partial,
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("10", "DW-1", "2026-10-26 00:30", 3600.0, false),
                ("13", "DW-2", "2026-10-26 15:00", 900.0, true),
            ]
        );
        assert_eq!(cell.total_seconds, 4500.0);
        assert_eq!(cell.partial, ["DW-2"]);
        assert_eq!(cell.worklogs[0].author, "Ada");
        // Ada's Total: both days; the 26th's column: both people.
        assert_eq!(ask(Some(ada_row), Some(2)).unwrap().total_seconds, 6300.0);
        let day = ask(None, Some(0)).unwrap();
        assert_eq!(
            (day.title.as_str(), day.total_seconds),
            ("All rows · 2026-10-26", 11700.0)
        );
        assert_eq!(ask(None, None).unwrap().worklogs.len(), 13);
        assert!(ask(Some(99), None).is_err());

        // The chart per period: one bar per day, stacked by the rows with the most time, the
        // rest as one segment, each bar totalling its column.
        let charts: crate::worker_session::Charts = serde_json::from_str(&summary.charts).unwrap();
        let bars = charts.periods.unwrap();
        assert_eq!(bars.periods, ["2026-10-26", "2026-10-27"]);
        assert_eq!(
            bars.rows,
            ["Bo", "Ada", "P8", "P7", "P6", "P5", "Other rows (5)"]
        );
        assert_eq!(bars.seconds[0], [7200.0, 0.0]);
        assert_eq!(bars.seconds[1], [4500.0, 1800.0]);
        assert_eq!(bars.seconds[6], [0.0, 60.0 * (1 + 2 + 3 + 4 + 5) as f64]);
        assert_eq!(bars.totals, [11700.0, 1800.0 + 60.0 * 45.0]);

        let body = serde_json::json!([
            {"id": "10", "comment": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Tested the fix"}]}]}},
            {"id": "13"}])
        .to_string();
        let m = ToWorker::Comments { id: 4 };
        let Some((
            FromWorker::Comments {
                id: 4,
                result: Ok(comments),
            },
            None,
        )) = w.handle(&header(&m), Some(body.into()))
        else {
            panic!("expected comments");
        };
        assert_eq!(comments, [("10".to_string(), "Tested the fix".to_string())]);
    }

    #[test]
    fn a_configuration_that_does_not_parse_is_refused_with_its_path() {
        let mut w = Worker::new();
        let begin = ToWorker::Begin {
            id: 1,
            run: 1,
            flavour: Flavour::Cloud,
            source: ConfigSource::Config(
                r#"{"schemaVersion":1,"name":"","kind":{"type":"nope"}}"#.into(),
            ),
            overrides: Overrides::default(),
            now_ms: None,
        };
        let Some((FromWorker::Begun { result: Err(e), .. }, _)) = w.handle(&header(&begin), None)
        else {
            panic!("expected a refusal");
        };
        assert!(e.contains("nope"), "{e}");
    }

    #[test]
    fn a_links_as_of_instant_replaces_the_clock_and_must_be_an_instant() {
        let context = |as_of: Option<&str>| ComputeContext {
            now_ms: 1_000,
            as_of: as_of.map(str::to_string),
            time_zone: "UTC".into(),
            calendars: None,
            status_groups: None,
        };
        assert_eq!(
            context(None).engine_context().unwrap().now,
            jiff::Timestamp::from_millisecond(1_000).unwrap()
        );
        assert_eq!(
            context(Some("2026-11-01T00:00:00Z"))
                .engine_context()
                .unwrap()
                .now,
            "2026-11-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
        );
        for bad in ["2026-11-01", "yesterday", ""] {
            let e = context(Some(bad)).engine_context().unwrap_err();
            assert!(e.contains("asOf"), "{bad:?}: {e}");
        }
    }
}
