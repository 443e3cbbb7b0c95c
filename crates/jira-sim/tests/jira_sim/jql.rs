//! The JQL subset: parse trees, Jira's error messages, and results checked against the issues'
//! own JSON (fetched in full and filtered here, independently of the simulator's evaluator).

use jira_sim::Flavor;
use jira_sim::jql::parse::{Clause, Op, Operand, Value as JValue, parse};
use serde_json::Value;

use crate::support::*;

#[test]
fn and_binds_tighter_than_or_and_not_tightest() {
    let q = parse(
        "project = A OR NOT status = B AND labels in (x, \"y z\") ORDER BY created DESC, key",
    )
    .unwrap();
    let Some(Clause::Or(left, right)) = q.clause else {
        panic!("expected OR at the top: {q:?}")
    };
    assert!(matches!(*left, Clause::Term(ref t) if t.field == "project" && t.op == Op::Eq));
    let Clause::And(not, labels) = *right else {
        panic!("expected AND under OR")
    };
    assert!(matches!(*not, Clause::Not(_)));
    match *labels {
        Clause::Term(t) => {
            assert_eq!(t.op, Op::In);
            assert_eq!(
                t.operand,
                Operand::List(vec![JValue::Text("x".into()), JValue::Text("y z".into())])
            );
        }
        other => panic!("expected a term, got {other:?}"),
    }
    let keys: Vec<(String, Option<bool>)> = q
        .order_by
        .iter()
        .map(|k| (k.field.clone(), k.descending))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("created".to_string(), Some(true)),
            ("key".to_string(), None)
        ]
    );
}

#[test]
fn operators_parentheses_and_functions_parse() {
    for (text, op) in [
        ("assignee is EMPTY", Op::Is),
        ("assignee IS NOT empty", Op::IsNot),
        ("labels not in (a)", Op::NotIn),
        ("created >= -30d", Op::Ge),
        ("created<=\"2026/01/01 10:00\"", Op::Le),
        ("priority != High", Op::Ne),
        ("assignee = currentUser()", Op::Eq),
    ] {
        let q = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        match q.clause {
            Some(Clause::Term(t)) => assert_eq!(t.op, op, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let q = parse("((status = A) AND (NOT (project = B OR project = C)))").unwrap();
    assert!(matches!(q.clause, Some(Clause::And(_, _))));
    assert!(parse("").unwrap().clause.is_none());
    assert!(parse("ORDER BY key").unwrap().clause.is_none());
}

/// `(jql, a fragment of the expected message)`; every one must be a 400.
const ERRORS: &[(&str, &str)] = &[
    (
        "status = ",
        "Error in the JQL Query: Expecting either a value, list or function before the end of the query.",
    ),
    (
        "foo = bar",
        "Field 'foo' does not exist or you do not have permission to view it.",
    ),
    (
        "project = NOPE",
        "The value 'NOPE' does not exist for the field 'project'.",
    ),
    (
        "project > PLAT",
        "The operator '>' is not supported by the 'project' field.",
    ),
    (
        "created > yesterday",
        "Date value 'yesterday' for field 'created' is invalid.",
    ),
    (
        "status = Done ORDER created",
        "Expecting 'by' but got 'created'.",
    ),
    (
        "(status = Done",
        "Expecting ')' before the end of the query.",
    ),
    (
        "summary ~ \"x\"",
        "Field 'summary' is not supported by jira-sim's JQL subset.",
    ),
    (
        "status = \"Done",
        "The quoted string 'Done' has not been completed. (line 1, character 10)",
    ),
    (
        "status in Done",
        "The operator 'in' must be followed by a list of values",
    ),
    (
        "assignee = nobody()",
        "Unable to find JQL function 'nobody()'.",
    ),
    (
        "status = Done status = QA",
        "Expecting either 'OR' or 'AND' but got 'status'. (line 1, character 15)",
    ),
    (
        "status == Done",
        "Expecting either a value, list or function but got '='.",
    ),
    (
        "status Done",
        "Expecting operator but got 'Done'. The valid operators are",
    ),
    (
        "status = Done ORDER BY labels",
        "Field 'labels' does not support sorting.",
    ),
    (
        "priority = High AND status = %",
        "The character '%' is a reserved JQL character.",
    ),
    (
        "(status = Done) AND",
        "Expecting a field name at the end of the query.",
    ),
    ("status = Done AND )", "Expecting a field name but got ')'."),
    (
        "(status = Done status = QA",
        "Expecting ')' but got 'status'.",
    ),
    ("status in (Done QA)", "Expecting ',' or ')' but got 'QA'."),
    (
        "status in (Done",
        "Expecting ')' before the end of the query.",
    ),
    (
        "status = Done ORDER BY",
        "Expecting a field name but got end of query.",
    ),
    (
        "",
        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
    ),
    (
        "ORDER BY created DESC",
        "Unbounded JQL queries are not allowed here.",
    ),
];

#[test]
fn bad_queries_get_jiras_messages() {
    let sim = sim(60, Flavor::Cloud);
    for (jql, expected) in ERRORS {
        let r = get(&sim, &format!("/rest/api/3/search/jql?jql={}", enc(jql)));
        assert_eq!(r.status, 400, "{jql:?} answered {}: {}", r.status, r.text);
        let messages = r.errors();
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{jql:?}: expected a message containing {expected:?}, got {messages:?}"
        );
        // The same query posted in a body fails the same way.
        let p = post(
            &sim,
            "/rest/api/3/search/jql",
            &serde_json::json!({"jql": jql}),
        );
        assert_eq!(p.errors(), messages, "{jql:?} via POST");
    }
}

#[test]
fn every_semantic_error_is_reported_at_once() {
    let sim = sim(60, Flavor::Cloud);
    let r = get(
        &sim,
        &format!(
            "/rest/api/3/search/jql?jql={}",
            enc("foo = 1 AND project = NOPE OR bar in (2)")
        ),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.errors().len(), 3, "{:?}", r.errors());
}

#[test]
fn data_center_allows_unbounded_queries() {
    let sim = sim(60, Flavor::Dc);
    let r = get(
        &sim,
        &format!(
            "/rest/api/2/search?jql={}&maxResults=1",
            enc("ORDER BY key")
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 60);
}

/// Every issue with the fields the checks read, through the API's own paging.
fn everything(sim: &jira_sim::RunningSim) -> Vec<Value> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = serde_json::json!({
            "jql": "created <= now()",
            "fields": ["project", "status", "issuetype", "priority", "assignee", "labels", "components", "created", "updated", "resolutiondate"],
            "maxResults": 100,
        });
        if let Some(t) = &token {
            body["nextPageToken"] = Value::String(t.clone());
        }
        let r = post(sim, "/rest/api/3/search/jql", &body);
        assert_eq!(r.status, 200, "{}", r.text);
        out.extend(r.json["issues"].as_array().unwrap().iter().cloned());
        match r.json["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => return out,
        }
    }
}

fn ms(v: &Value) -> i64 {
    // "2026-06-20T15:04:05.000+0000"
    let s = v.as_str().unwrap();
    let fixed = format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..]);
    fixed.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn date(s: &str) -> i64 {
    let d: jiff::civil::Date = s.parse().unwrap();
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn s<'a>(issue: &'a Value, pointer: &str) -> &'a str {
    issue["fields"]
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn labels(issue: &Value) -> Vec<&str> {
    issue["fields"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect()
}

#[test]
fn results_match_the_issues_own_fields() {
    let sim = sim(400, Flavor::Cloud);
    let all = everything(&sim);
    assert_eq!(all.len(), 400);
    let ben = sim.data.site.users[1].account_id.clone();
    let now = jiff::Timestamp::now().as_millisecond();
    type Check = Box<dyn Fn(&Value) -> bool>;
    let b = ben.clone();
    let cases: Vec<(String, Check)> = vec![
        ("project = WEB".into(), Box::new(|i| s(i, "/project/key") == "WEB")),
        ("project in (10000, \"Data Pipeline\")".into(), Box::new(|i| ["PLAT", "DATA"].contains(&s(i, "/project/key")))),
        ("status = \"To Do\"".into(), Box::new(|i| s(i, "/status/name") == "To Do")),
        ("status in (\"In Progress\", Review) AND priority = High".into(), Box::new(|i| ["In Progress", "Review"].contains(&s(i, "/status/name")) && s(i, "/priority/name") == "High")),
        ("statusCategory = Done".into(), Box::new(|i| s(i, "/status/statusCategory/key") == "done")),
        ("statusCategory != Done".into(), Box::new(|i| s(i, "/status/statusCategory/key") != "done")),
        ("issuetype = Bug OR labels = backend".into(), Box::new(|i| s(i, "/issuetype/name") == "Bug" || labels(i).contains(&"backend"))),
        ("assignee is EMPTY".into(), Box::new(|i| i["fields"]["assignee"].is_null())),
        (format!("assignee = {ben}"), Box::new(move |i| s(i, "/assignee/accountId") == b)),
        (format!("assignee != {ben}"), Box::new(move |i| !i["fields"]["assignee"].is_null() && s(i, "/assignee/accountId") != ben)),
        ("labels not in (backend, ux)".into(), Box::new(|i| { let l = labels(i); !l.is_empty() && !l.contains(&"backend") && !l.contains(&"ux") })),
        ("labels is not EMPTY AND NOT project = MOB".into(), Box::new(|i| !labels(i).is_empty() && s(i, "/project/key") != "MOB")),
        ("resolved is not EMPTY".into(), Box::new(|i| !i["fields"]["resolutiondate"].is_null())),
        ("resolved >= \"2026-06-01\"".into(), Box::new(|i| !i["fields"]["resolutiondate"].is_null() && ms(&i["fields"]["resolutiondate"]) >= date("2026-06-01"))),
        ("updated < \"2026/03/01 12:00\"".into(), Box::new(|i| ms(&i["fields"]["updated"]) < date("2026-03-01") + 12 * 3_600_000)),
        ("created >= -60d".into(), Box::new(move |i| ms(&i["fields"]["created"]) >= now - 60 * 86_400_000)),
        ("component = API".into(), Box::new(|i| i["fields"]["components"].as_array().unwrap().iter().any(|c| c["name"] == "API"))),
        ("(project = PLAT OR project = WEB) AND NOT (status = Done OR priority in (Low, Lowest))".into(), Box::new(|i| ["PLAT", "WEB"].contains(&s(i, "/project/key")) && !(s(i, "/status/name") == "Done" || ["Low", "Lowest"].contains(&s(i, "/priority/name"))))),
    ];
    for (jql, check) in cases {
        let mut expected: Vec<String> = all
            .iter()
            .filter(|i| check(i))
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        expected.sort();
        let r = post(
            &sim,
            "/rest/api/3/search/jql",
            &serde_json::json!({"jql": jql, "maxResults": 5000}),
        );
        assert_eq!(r.status, 200, "{jql}: {}", r.text);
        let mut got: Vec<String> = r.json["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, expected, "{jql}");
        assert!(
            !got.is_empty() || jql.contains("-60d"),
            "{jql} matched nothing: a weak check"
        );
        let count = post(
            &sim,
            "/rest/api/3/search/approximate-count",
            &serde_json::json!({"jql": jql}),
        );
        assert_eq!(count.json["count"], expected.len(), "{jql}");
    }
}

#[test]
fn current_user_is_the_caller() {
    let sim = sim(400, Flavor::Cloud);
    let r = get_as(
        &sim,
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=assignee&maxResults=5000",
            enc("assignee = currentUser()")
        ),
        &sim.bearer_auth("ben"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let issues = r.json["issues"].as_array().unwrap();
    assert!(!issues.is_empty());
    for i in issues {
        assert_eq!(
            i["fields"]["assignee"]["accountId"],
            sim.data.site.users[1].account_id.as_str()
        );
    }
}

#[test]
fn order_by_sorts_by_every_key_in_turn() {
    let sim = sim(400, Flavor::Cloud);
    let r = get(
        &sim,
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=priority,created&maxResults=100",
            enc("project = PLAT ORDER BY priority DESC, created ASC")
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let rows: Vec<(u32, i64)> = r.json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                s(i, "/priority/id").parse().unwrap(),
                ms(&i["fields"]["created"]),
            )
        })
        .collect();
    assert!(rows.len() > 20);
    // Highest (id 1) first, then by creation.
    assert!(rows.windows(2).all(|w| w[0] <= w[1]), "{rows:?}");
    let r = get(
        &sim,
        &format!(
            "/rest/api/3/search/jql?jql={}&fields=key&maxResults=100",
            enc("project = WEB ORDER BY key DESC")
        ),
    );
    let numbers: Vec<u32> = r.json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["key"]
                .as_str()
                .unwrap()
                .trim_start_matches("WEB-")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] > w[1]), "{numbers:?}");
}
