//! Property-based fuzzing of the server's body parsing (issue 13): every type a route parses a
//! body into, fed arbitrary bytes and mutations of valid documents, through the server's own
//! [`parse_body`] (which is `config::parse_strict` behind a syntax check, so config's strict
//! parser is fuzzed with it).
//!
//! The design decision: mutate valid seeds rather than only generate random JSON. Random JSON
//! almost never gets past the first field, so the validation rules deep inside a report would
//! go untested; a valid document with one value replaced, one key removed or one unknown key
//! added reaches every rule. The property: never a panic; a refusal is 400 (`malformed_json`)
//! or 422 (`invalid_body`) and nothing else; what is accepted serialises and parses back to
//! itself. CI runs a short run (128 cases per type); `DWELL_FUZZ_CASES=4000 cargo test -p
//! server --test server body_fuzz` is the longer one (docs/SECURITY.md).

use config::api::{
    CalendarUpdate, EXPORT_FORMAT, EXPORT_FORMAT_VERSION, ExportDocument, NewReport, Permissions,
    ReportUpdate, StatusGroupUpdate,
};
use config::{StatusGroup, Validate, WorkCalendar};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use server::body::parse_body;

use crate::helpers::{calendar, status_group};

/// Cases per body type: short in CI, longer on request.
fn cases() -> u32 {
    std::env::var("DWELL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config/tests/fixtures/valid")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn access() -> Value {
    json!({
        "viewers": [{"type": "user", "accountId": "5b10ac8d82e05b22cc7d4ef5"}],
        "editors": [{"type": "group", "name": "team-falcon"}]
    })
}

fn permissions() -> Value {
    json!({
        "editReports": [{"type": "group", "name": "team-falcon"}],
        "manageCalendars": [{"type": "user", "accountId": "ada"}],
        "managePermissions": []
    })
}

fn export_document() -> Value {
    let at = "2026-01-02T03:04:05Z";
    json!({
        "format": EXPORT_FORMAT,
        "formatVersion": EXPORT_FORMAT_VERSION,
        "exportedAt": at,
        "reports": [{
            "id": "rep_0123456789abcdef0123", "version": 2, "config": fixture("minimal.json"),
            "access": access(), "createdAt": at, "updatedAt": at,
            "createdBy": "ada", "updatedBy": "ben"
        }],
        "calendars": [{
            "id": "cal_0123456789abcdef0123", "version": 1, "calendar": calendar("Office"),
            "createdAt": at, "updatedAt": at
        }],
        "statusGroups": [{
            "id": "sg_0123456789abcdef0123", "version": 1, "group": status_group("Cycle"),
            "createdAt": at, "updatedAt": at
        }],
        "permissions": permissions()
    })
}

/// Where a mutation lands: the path of every value in a document.
fn paths(v: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let mut p = at.clone();
                p.push(json!(k));
                paths(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut p = at.clone();
                p.push(json!(i));
                paths(child, p, out);
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(n) => &mut v[n.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    AddUnknownKey(String, Value),
}

/// Arbitrary JSON, biased towards what the types hold: their enum tags, ids, times, numbers at
/// and beyond the limits, long and odd strings.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("timeInStatus"),
            Just("user"),
            Just("group"),
            Just("status"),
            Just("saved"),
            Just("allTime"),
            Just("09:00:00"),
            Just("2026-01-02T03:04:05Z"),
            Just("Europe/Berlin"),
            Just("cal_0123456789abcdef0123"),
            Just("=HYPERLINK(\"x\")"),
            Just(""),
        ]
        .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        (0usize..70_000).prop_map(|n| Value::from("x".repeat(n))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => json_value().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => ("[a-zA-Z]{1,12}", json_value()).prop_map(|(k, v)| Mutation::AddUnknownKey(k, v)),
    ]
}

fn mutate(seed: &Value, path: &[Value], m: &Mutation) -> Value {
    let mut doc = seed.clone();
    match m {
        Mutation::Replace(v) => *at(&mut doc, path) = v.clone(),
        Mutation::Remove => {
            if let Some((last, parent)) = path.split_last() {
                match (at(&mut doc, parent), last) {
                    (Value::Object(o), Value::String(k)) => {
                        o.remove(k);
                    }
                    (Value::Array(a), Value::Number(i)) => {
                        a.remove(i.as_u64().unwrap() as usize);
                    }
                    _ => {}
                }
            }
        }
        Mutation::AddUnknownKey(k, v) => {
            if let Value::Object(o) = at(&mut doc, path) {
                o.insert(k.clone(), v.clone());
            }
        }
    }
    doc
}

/// The property, for one body.
fn check<T>(bytes: &[u8]) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + Serialize + Validate,
{
    match parse_body::<T>(bytes) {
        Ok(parsed) => {
            let again = serde_json::to_vec(&parsed).unwrap();
            let reparsed = parse_body::<T>(&again)
                .map_err(|e| TestCaseError::fail(format!("accepted, then refused: {e}")))?;
            prop_assert_eq!(serde_json::to_value(&reparsed).unwrap(), {
                serde_json::to_value(&parsed).unwrap()
            });
        }
        Err(e) => {
            prop_assert!(
                matches!(e.code(), "malformed_json" | "invalid_body"),
                "a refusal other than 400 or 422: {} ({e})",
                e.code()
            );
        }
    }
    Ok(())
}

/// Fuzzes `T` from `seed`: mutations of the seed, the seed with bytes flipped or cut, and
/// arbitrary bytes. The seed itself must parse, or the mutations would start nowhere.
fn fuzz<T>(name: &str, seed: Value)
where
    T: DeserializeOwned + Serialize + Validate,
{
    let text = serde_json::to_vec(&seed).unwrap();
    if let Err(e) = parse_body::<T>(&text) {
        panic!("{name}: the seed does not parse: {e} {:?}", e.code());
    }
    let mut all = Vec::new();
    paths(&seed, Vec::new(), &mut all);
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let strategy = (0..all.len(), mutation());
    runner
        .run(&strategy, |(i, m)| {
            let doc = mutate(&seed, &all[i], &m);
            check::<T>(&serde_json::to_vec(&doc).unwrap())
        })
        .unwrap_or_else(|e| panic!("{name}, mutated: {e}"));
    let mut runner = TestRunner::new(config.clone());
    let strategy = (
        prop::collection::vec((0..text.len(), any::<u8>()), 1..4),
        0..=text.len(),
    );
    runner
        .run(&strategy, |(flips, cut)| {
            let mut bytes = text.clone();
            for (i, b) in flips {
                bytes[i] = b;
            }
            bytes.truncate(cut.max(1));
            check::<T>(&bytes)
        })
        .unwrap_or_else(|e| panic!("{name}, bytes flipped: {e}"));
    let mut runner = TestRunner::new(config);
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..512), |bytes| {
            check::<T>(&bytes)
        })
        .unwrap_or_else(|e| panic!("{name}, arbitrary bytes: {e}"));
}

#[test]
fn every_body_type_survives_mutated_and_arbitrary_bodies() {
    let full = fixture("full.json");
    fuzz::<NewReport>(
        "NewReport",
        json!({"config": full.clone(), "access": access()}),
    );
    fuzz::<NewReport>(
        "NewReport (capacity)",
        json!({"config": fixture("capacity-last-month.json")}),
    );
    fuzz::<ReportUpdate>(
        "ReportUpdate",
        json!({"version": 3, "config": full, "access": access()}),
    );
    fuzz::<WorkCalendar>("WorkCalendar", calendar("Office"));
    fuzz::<CalendarUpdate>(
        "CalendarUpdate",
        json!({"version": 1, "calendar": calendar("Office")}),
    );
    fuzz::<StatusGroup>("StatusGroup", status_group("Cycle"));
    fuzz::<StatusGroupUpdate>(
        "StatusGroupUpdate",
        json!({"version": 1, "group": status_group("Cycle")}),
    );
    fuzz::<Permissions>("Permissions", permissions());
    fuzz::<ExportDocument>("ExportDocument", export_document());
}

/// Nesting is bounded before any of Dwell's code walks it: serde_json refuses past 128 levels,
/// so a body of brackets is refused (400 or 422), not a stack overflow.
#[test]
fn deeply_nested_bodies_are_refused_without_a_stack_overflow() {
    for depth in [129, 10_000, 60_000] {
        let mut body = "[".repeat(depth);
        body.push_str(&"]".repeat(depth));
        let e = parse_body::<Permissions>(body.as_bytes()).unwrap_err();
        assert!(
            matches!(e.code(), "malformed_json" | "invalid_body"),
            "depth {depth}: {}",
            e.code()
        );
        let nested = format!(
            "{{\"editReports\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let e = parse_body::<Permissions>(nested.as_bytes()).unwrap_err();
        assert!(
            matches!(e.code(), "malformed_json" | "invalid_body"),
            "depth {depth}, inside a field: {}",
            e.code()
        );
    }
}
