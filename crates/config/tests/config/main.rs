//! Data-driven tests: every file under `fixtures/valid` parses, round-trips and validates;
//! every file under `fixtures/invalid` is refused with the errors its `.expected` file lists.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::fs;
use std::path::{Path, PathBuf};

use config::{ParseError, ReportConfig, parse_report};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", root.display());
    files
}

/// Renders a parse error as lines of `path: message` (or `json: message`), the format of the
/// `.expected` files.
fn error_lines(err: &ParseError) -> Vec<String> {
    match err {
        ParseError::Json { message, .. } => vec![format!("json: {message}")],
        ParseError::Invalid(errors) => errors
            .0
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect(),
    }
}

#[test]
fn valid_fixtures_parse_and_round_trip() {
    for path in fixtures("valid") {
        let text = fs::read_to_string(&path).unwrap();
        let config = parse_report(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again = serde_json::to_string(&config).unwrap();
        let reparsed = parse_report(&again)
            .unwrap_or_else(|e| panic!("{} after a round trip: {e}", path.display()));
        assert_eq!(config, reparsed, "{}", path.display());
    }
}

#[test]
fn invalid_fixtures_fail_with_the_expected_errors() {
    for path in fixtures("invalid") {
        let text = fs::read_to_string(&path).unwrap();
        let expected = fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|e| panic!("{}: missing .expected file: {e}", path.display()));
        let err = parse_report(&text)
            .err()
            .unwrap_or_else(|| panic!("{} parsed but should not", path.display()));
        let got = error_lines(&err);
        let want: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(got.len(), want.len(), "{}: got {got:#?}", path.display());
        for (g, w) in got.iter().zip(&want) {
            assert!(
                g.starts_with(w),
                "{}: got {g:?}, want a line starting {w:?}",
                path.display()
            );
        }
    }
}

#[test]
fn needed_fields_cover_columns_grouping_sorting_and_filters() {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/full.json"),
    )
    .unwrap();
    let config: ReportConfig = parse_report(&text).unwrap();
    let fields: Vec<String> = config
        .needed_fields()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert_eq!(
        fields,
        [
            "summary",
            "assignee",
            "customfield_10016",
            "components",
            "priority",
            "labels",
            "resolutiondate"
        ]
    );
}

#[test]
fn every_kind_and_format_survives_a_round_trip() {
    use config::*;
    let kinds = [
        ReportKind::TimeInStatus {
            multi_visit: MultiVisit::Last,
        },
        ReportKind::StatusVisits,
        ReportKind::Transitions,
        ReportKind::AssigneeTime,
        ReportKind::EntryDates,
        ReportKind::StatusPerDay {
            from: None,
            to: Some(jiff::civil::date(2026, 3, 1)),
        },
        ReportKind::Throughput {
            period: ThroughputPeriod::Month,
            start: vec![],
            done: vec![StatusRef::Name {
                name: "Done".into(),
            }],
        },
        ReportKind::Timesheet(Timesheet {
            rows: TimesheetRows::Issue,
            columns: TimesheetColumns::Person,
            dates: WorklogDates::LastDays { days: 14 },
            time_zone: "Asia/Kathmandu".into(),
            authors: Authors {
                accounts: vec![AuthorId::parse("557058:abc").unwrap()],
                groups: vec![GroupName::parse("Team Falcon").unwrap()],
            },
            attribution: Attribution::SplitByDay,
        }),
    ];
    let formats = [
        DurationFormat::Seconds,
        DurationFormat::Hours { decimals: 2 },
        DurationFormat::Days { decimals: 1 },
        DurationFormat::BusinessDays {
            hours_per_day: 7.5,
            decimals: 2,
        },
        DurationFormat::Compact { hours_per_day: 8.0 },
    ];
    for (kind, format) in kinds.into_iter().zip(formats.into_iter().cycle()) {
        let mut c = ReportConfig::time_in_status("r", Jql::parse("project = X").unwrap());
        c.kind = kind;
        c.duration_format = format;
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(parse_report(&json).unwrap(), c, "{json}");
    }
}

#[test]
fn unknown_fields_are_rejected_in_every_nested_struct() {
    // A sample of nested places where an attacker might try to park data.
    let docs = [
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeInStatus","extra":1}}"#,
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeInStatus"},"rows":{"groupBy":[],"x":1}}"#,
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeInStatus"},"sort":[{"by":{"type":"key","x":1}}]}"#,
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeInStatus"},"options":{"cache":"DW-1"}}"#,
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeInStatus"},"columns":{"metrics":[{"type":"status","status":{"id":"1","name":"x","data":2}}]}}"#,
        r#"{"schemaVersion":1,"name":"x","kind":{"type":"timeBetween","start":[{"id":"1"}],"stop":[{"id":"2"}],"rows":[]}}"#,
    ];
    for doc in docs {
        assert!(parse_report(doc).is_err(), "accepted: {doc}");
    }
}

#[test]
fn a_group_value_round_trips_and_defaults_to_the_sum() {
    use config::GroupValue;
    let parse = |rows: &str| {
        parse_report(&format!(
            r#"{{"schemaVersion":1,"name":"x","kind":{{"type":"timeInStatus"}},"rows":{rows}}}"#
        ))
    };
    // Configurations saved before the setting existed mean what they meant: the sum.
    let old = parse(r#"{"groupBy":["issuetype"]}"#).unwrap();
    assert_eq!(old.rows.group_value, GroupValue::Sum);
    for (text, want) in [
        ("sum", GroupValue::Sum),
        ("mean", GroupValue::Mean),
        ("median", GroupValue::Median),
    ] {
        let c = parse(&format!(
            r#"{{"groupBy":["issuetype"],"groupValue":"{text}"}}"#
        ))
        .unwrap();
        assert_eq!(c.rows.group_value, want);
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(&format!(r#""groupValue":"{text}""#)),
            "{json}"
        );
        assert_eq!(parse_report(&json).unwrap(), c);
    }
    // Anything else is refused, saying what is allowed.
    for bad in [r#""Mean""#, r#""average""#, r#""""#] {
        let err = parse(&format!(
            r#"{{"groupBy":["issuetype"],"groupValue":{bad}}}"#
        ))
        .err()
        .unwrap_or_else(|| panic!("accepted groupValue {bad}"));
        assert!(
            err.to_string()
                .contains("expected one of `sum`, `mean`, `median`"),
            "{bad}: {err}"
        );
    }
    for bad in ["1", "null", "[]"] {
        let doc = format!(r#"{{"groupBy":["issuetype"],"groupValue":{bad}}}"#);
        assert!(parse(&doc).is_err(), "accepted groupValue {bad}");
    }
}
