//! `dwell`: Dwell's report engine on the command line, for scripts, CI and benchmarks.
//!
//! It reads Jira JSON dumps (any page shape the engine knows, several files making one data
//! set), runs a report configuration natively, and writes CSV, JSON or XLSX. The design
//! decision: the CLI is only I/O around `engine::compute` — the same pure code the browser
//! runs — so a report from `dwell` and one from the browser agree to the second. Exit codes
//! are part of its interface (see [`Exit`]).

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use config::{Aggregation, CalendarId, DurationFormat, Jql, ReportConfig, StatusGroupId};
use engine::export::{CsvStream, ExportError};
use engine::{Context, Dataset, Report};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// mimalloc instead of the system allocator: loading a dump allocates and frees per issue and
/// per change, and computing frees each issue's changes as its timeline is built, a pattern
/// glibc's malloc spends a seventh of the CPU on (consolidating and unlinking free chunks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes scripts can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Report written from complete data.
    Ok = 0,
    /// Unexpected failure.
    Failure = 1,
    /// Bad command line (clap uses 2 as well).
    Usage = 2,
    /// An input file is unreadable or not a Jira shape dwell reads.
    Input = 3,
    /// The configuration (or a calendar or status group file) is unreadable or invalid.
    Config = 4,
    /// The output could not be written.
    Output = 5,
    /// Report written, but some issues' changelogs or worklogs are partial or missing (see
    /// warnings); `--allow-partial` turns this into 0.
    Partial = 6,
}

#[derive(Parser)]
#[command(
    name = "dwell",
    version,
    about = "Time-in-status and timesheet reports from Jira changelog and worklog dumps",
    after_help = "Exit codes: 0 ok, 2 usage, 3 bad input file, 4 bad configuration, \
                  5 cannot write output, 6 written from partial data (see --allow-partial)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time in each status per issue: `Key,<status>,...`, one row per issue.
    TimeInStatus {
        #[command(flatten)]
        io: Io,
        /// Unit of the durations.
        #[arg(long, value_enum, default_value_t = UnitArg::Seconds)]
        unit: UnitArg,
    },
    /// Runs a saved report configuration.
    Report {
        /// The report configuration (JSON, schema v1).
        #[arg(long, value_name = "CONFIG.json")]
        config: PathBuf,
        /// A saved calendar the configuration names: `ID=FILE.json`.
        #[arg(long = "calendar", value_name = "ID=FILE")]
        calendars: Vec<String>,
        /// A saved status group the configuration names: `ID=FILE.json`.
        #[arg(long = "status-group", value_name = "ID=FILE")]
        status_groups: Vec<String>,
        /// The members of a Jira group a timesheet filters on: `NAME=FILE.json`, the file a
        /// JSON list of account ids (Data Center: user names).
        #[arg(long = "group", value_name = "NAME=FILE")]
        groups: Vec<String>,
        #[command(flatten)]
        io: Io,
    },
}

#[derive(clap::Args)]
struct Io {
    /// Jira JSON: search pages, changelog pages, bulk changelog pages, issues, worklog pages,
    /// `/worklog/list` answers, `/status` or `/field` lists. Several files (`--input dump/*.json`, or the option repeated) are one
    /// data set; a directory means its *.json files.
    #[arg(long, short, required = true, num_args = 1.., value_name = "FILE")]
    input: Vec<PathBuf>,
    /// The instant the report is computed for (RFC 3339); default: the current time.
    #[arg(long)]
    now: Option<Timestamp>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Where to write; `-` or absent means standard output (not for xlsx).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Time zone for dates in the output (IANA name).
    #[arg(long, default_value = "UTC")]
    tz: String,
    /// Exit 0 even when some changelogs or worklogs are partial or missing.
    #[arg(long)]
    allow_partial: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnitArg {
    Seconds,
    Hours,
    Days,
    Compact,
}

/// A failure for people, with the exit code it maps to.
struct Failure(Exit, String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(Failure(code, message)) => {
            eprintln!("dwell: error: {message}");
            ExitCode::from(code as u8)
        }
    }
}

fn run(cli: Cli) -> Result<Exit, Failure> {
    match cli.command {
        Command::TimeInStatus { io, unit } => {
            let mut config = ReportConfig::time_in_status("Time in status", Jql::default());
            config.duration_format = match unit {
                UnitArg::Seconds => DurationFormat::Seconds,
                UnitArg::Hours => DurationFormat::Hours { decimals: 2 },
                UnitArg::Days => DurationFormat::Days { decimals: 2 },
                UnitArg::Compact => DurationFormat::Compact {
                    hours_per_day: 24.0,
                },
            };
            config.aggregation = Aggregation {
                functions: Vec::new(),
                count_missing_as_zero: false,
            };
            execute(&config, Context::new(Timestamp::UNIX_EPOCH), &[], &io)
        }
        Command::Report {
            config,
            calendars,
            status_groups,
            groups,
            io,
        } => {
            let text = read_text(&config, Exit::Config)?;
            let report = config::parse_report(&text)
                .map_err(|e| Failure(Exit::Config, format!("{}: {e}", config.display())))?;
            let mut ctx = Context::new(Timestamp::UNIX_EPOCH);
            for spec in &calendars {
                let (id, path) = id_and_path(spec, "--calendar")?;
                let id = CalendarId::parse(id).map_err(|e| Failure(Exit::Usage, e.to_string()))?;
                let cal = config::parse_calendar(&read_text(&path, Exit::Config)?)
                    .map_err(|e| Failure(Exit::Config, format!("{}: {e}", path.display())))?;
                ctx = ctx.with_calendar(id, cal);
            }
            for spec in &status_groups {
                let (id, path) = id_and_path(spec, "--status-group")?;
                let id =
                    StatusGroupId::parse(id).map_err(|e| Failure(Exit::Usage, e.to_string()))?;
                let group = config::parse_status_group(&read_text(&path, Exit::Config)?)
                    .map_err(|e| Failure(Exit::Config, format!("{}: {e}", path.display())))?;
                ctx = ctx.with_status_group(id, group);
            }
            let mut members = Vec::new();
            for spec in &groups {
                let (name, path) = id_and_path(spec, "--group")?;
                let list: Vec<String> = serde_json::from_str(&read_text(&path, Exit::Config)?)
                    .map_err(|e| {
                        Failure(
                            Exit::Config,
                            format!("{}: a JSON list of account ids: {e}", path.display()),
                        )
                    })?;
                members.push((name, list));
            }
            execute(&report, ctx, &members, &io)
        }
    }
}

fn execute(
    config: &ReportConfig,
    ctx: Context,
    groups: &[(String, Vec<String>)],
    io: &Io,
) -> Result<Exit, Failure> {
    if matches!(io.format, Format::Xlsx) && io.out.as_deref().is_none_or(|p| p == Path::new("-")) {
        return Err(Failure(
            Exit::Usage,
            "xlsx is binary: name a file with --out".into(),
        ));
    }
    let tz = TimeZone::get(&io.tz)
        .map_err(|_| Failure(Exit::Usage, format!("unknown time zone {:?}", io.tz)))?;
    let mut ctx = ctx.with_time_zone(tz);
    // The one clock read: the CLI is the edge, the engine never reads the clock.
    ctx.now = io.now.unwrap_or_else(Timestamp::now);

    let mut data = load(&io.input, config)?;
    for (name, members) in groups {
        data.set_group_members(name, members);
    }
    // Freeing each issue's histories once its timeline is built, and writing CSV rows as
    // they are laid out instead of keeping them, holds a million issues under a gigabyte;
    // the data set is not read again.
    let report = match io.format {
        Format::Csv => {
            let mut csv: Option<CsvStream<Box<dyn Write>>> = None;
            let mut failed: Option<Failure> = None;
            let report = engine::compute_rows_freeing_histories(
                &mut data,
                config,
                &ctx,
                &mut |report, row| {
                    if failed.is_some() {
                        return;
                    }
                    // The output is opened with the first row: a configuration the engine
                    // refuses leaves an existing file as it was.
                    let written = match &mut csv {
                        Some(csv) => csv.row(report, &row).map_err(|e| export_failure(e, io)),
                        None => output(io).and_then(|out| {
                            csv.insert(CsvStream::new(out))
                                .row(report, &row)
                                .map_err(|e| export_failure(e, io))
                        }),
                    };
                    failed = written.err();
                },
            )
            .map_err(|e| Failure(Exit::Config, e.to_string()))?;
            drop(data);
            if let Some(failure) = failed {
                return Err(failure);
            }
            let csv = match csv {
                Some(csv) => csv,
                None => CsvStream::new(output(io)?),
            };
            csv.finish(&report).map_err(|e| export_failure(e, io))?;
            report
        }
        Format::Json | Format::Xlsx => {
            let report = engine::compute_freeing_histories(&mut data, config, &ctx)
                .map_err(|e| Failure(Exit::Config, e.to_string()))?;
            // The report holds everything the output needs: free the issues first.
            drop(data);
            write(&report, io)?;
            report
        }
    };

    let mut partial = false;
    for w in &report.warnings {
        let issues = if w.issues.is_empty() {
            String::new()
        } else {
            let more = if (w.count as usize) > w.issues.len() {
                ", ..."
            } else {
                ""
            };
            format!(" ({}{more})", w.issues.join(", "))
        };
        eprintln!("dwell: warning: {}{issues}", w.message);
        partial |= matches!(
            w.code,
            engine::WarningCode::TruncatedChangelogs
                | engine::WarningCode::MissingChangelogs
                | engine::WarningCode::PartialWorklogs
        );
    }
    Ok(if partial && !io.allow_partial {
        eprintln!(
            "dwell: the report was written from partial data; pass --allow-partial to exit 0"
        );
        Exit::Partial
    } else {
        Exit::Ok
    })
}

/// Reads every input into one data set, one file at a time into one reused buffer (peak
/// memory: the largest file plus the data set, which keeps only what reports read).
fn load(inputs: &[PathBuf], config: &ReportConfig) -> Result<Dataset, Failure> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| Failure(Exit::Input, format!("{}: {e}", input.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Failure(
                    Exit::Input,
                    format!("{}: no .json files in this directory", input.display()),
                ));
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    let mut data = Dataset::for_fields(config.needed_fields().iter().map(|f| f.as_str()));
    let mut bytes = Vec::new();
    for file in &files {
        bytes.clear();
        std::fs::File::open(file)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| Failure(Exit::Input, format!("{}: {e}", file.display())))?;
        data.add_json(&bytes)
            .map_err(|e| Failure(Exit::Input, format!("{}: {e}", file.display())))?;
    }
    data.assume_bulk_changelogs_complete();
    data.assume_worklog_lists_complete();
    Ok(data)
}

/// Where the output goes (`--out`, or standard output), buffered.
fn output(io: &Io) -> Result<Box<dyn Write>, Failure> {
    Ok(match out_path(io) {
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
        Some(p) => Box::new(BufWriter::new(
            std::fs::File::create(p).map_err(|e| output_failure(&e, io))?,
        )),
    })
}

fn out_path(io: &Io) -> Option<&Path> {
    io.out.as_deref().filter(|p| *p != Path::new("-"))
}

/// The output could not be written: exit 5, naming where.
fn output_failure(e: &dyn std::fmt::Display, io: &Io) -> Failure {
    let place = out_path(io).map_or("standard output".to_owned(), |p| p.display().to_string());
    Failure(Exit::Output, format!("{place}: {e}"))
}

fn export_failure(e: ExportError, io: &Io) -> Failure {
    match e {
        ExportError::Write(_) => output_failure(&e, io),
        other => Failure(Exit::Failure, other.to_string()),
    }
}

/// Writes a whole report: JSON as it is encoded, XLSX (a zip) built first.
fn write(report: &Report, io: &Io) -> Result<(), Failure> {
    let mut out = output(io)?;
    match io.format {
        Format::Csv => {
            engine::export::write_csv(report, &mut out).map_err(|e| export_failure(e, io))?
        }
        Format::Json => serde_json::to_writer_pretty(&mut out, report).map_err(|e| {
            if e.is_io() {
                output_failure(&e, io)
            } else {
                Failure(Exit::Failure, e.to_string())
            }
        })?,
        Format::Xlsx => {
            let bytes = engine::export::to_xlsx(report)
                .map_err(|e| Failure(Exit::Failure, e.to_string()))?;
            out.write_all(&bytes).map_err(|e| output_failure(&e, io))?;
        }
    }
    out.flush().map_err(|e| output_failure(&e, io))
}

fn read_text(path: &Path, code: Exit) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure(code, format!("{}: {e}", path.display())))
}

fn id_and_path(spec: &str, flag: &str) -> Result<(String, PathBuf), Failure> {
    match spec.split_once('=') {
        Some((id, path)) if !id.is_empty() && !path.is_empty() => {
            Ok((id.to_owned(), PathBuf::from(path)))
        }
        _ => Err(Failure(
            Exit::Usage,
            format!("{flag} takes ID=FILE, got {spec:?}"),
        )),
    }
}
