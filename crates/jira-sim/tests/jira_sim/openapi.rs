//! Every endpoint's response, over real HTTP, against Atlassian's OpenAPI schema for it. Field
//! values inside `IssueBean.fields` (which the spec leaves free) are checked against the
//! schemas of their types too.

use jira_sim::Flavor;
use serde_json::{Value, json};

use crate::support::*;

/// Checks the typed field values of an issue against their own schemas.
fn check_fields(what: &str, issue: &Value) {
    let fields = &issue["fields"];
    let typed = [
        ("status", "StatusDetails"),
        ("issuetype", "IssueTypeDetails"),
        ("priority", "Priority"),
        ("project", "ProjectDetails"),
        ("resolution", "Resolution"),
        ("assignee", "UserDetails"),
        ("reporter", "UserDetails"),
        ("creator", "UserDetails"),
    ];
    for (field, schema) in typed {
        if let Some(v) = fields.get(field).filter(|v| !v.is_null()) {
            assert_conforms(&format!("{what}.fields.{field}"), &component(schema), v);
        }
    }
    if let Some(list) = fields.get("components").and_then(Value::as_array) {
        for c in list {
            assert_conforms(
                &format!("{what}.fields.components"),
                &component("ProjectComponent"),
                c,
            );
        }
    }
}

#[test]
fn cloud_responses_conform_to_the_spec() {
    let sim = sim(300, Flavor::Cloud);
    let key = sim.data.key(&sim.data.issues[10]);
    let cases: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("get", "/rest/api/3/search/jql", "/rest/api/3/search/jql?jql=project%20in%20(PLAT%2C%20WEB)&maxResults=20&fields=*all&expand=changelog,names".into(), None),
        ("get", "/rest/api/3/search/jql", "/rest/api/3/search/jql?jql=created%20%3E%3D%20-3650d".into(), None),
        ("post", "/rest/api/3/search/jql", "/rest/api/3/search/jql".into(), Some(json!({"jql": "status != Done ORDER BY key", "fields": ["summary", "status", "assignee", "customfield_10016"], "maxResults": 30}))),
        ("post", "/rest/api/3/search/approximate-count", "/rest/api/3/search/approximate-count".into(), Some(json!({"jql": "project = MOB"}))),
        ("post", "/rest/api/3/changelog/bulkfetch", "/rest/api/3/changelog/bulkfetch".into(), Some(json!({"issueIdsOrKeys": (10000..10050).map(|i| i.to_string()).collect::<Vec<_>>(), "maxResults": 100}))),
        ("post", "/rest/api/3/changelog/bulkfetch", "/rest/api/3/changelog/bulkfetch".into(), Some(json!({"issueIdsOrKeys": [key.clone()], "fieldIds": ["status", "assignee"]}))),
        ("post", "/rest/api/3/issue/bulkfetch", "/rest/api/3/issue/bulkfetch".into(), Some(json!({"issueIdsOrKeys": [key.clone(), "10001", "NOPE-1"], "fields": ["*all"], "expand": ["changelog"]}))),
        ("get", "/rest/api/3/issue/{issueIdOrKey}/changelog", format!("/rest/api/3/issue/{key}/changelog?maxResults=5"), None),
        ("get", "/rest/api/3/issue/{issueIdOrKey}", format!("/rest/api/3/issue/{key}?expand=changelog,names"), None),
        ("get", "/rest/api/3/status", "/rest/api/3/status".into(), None),
        ("get", "/rest/api/3/statuscategory", "/rest/api/3/statuscategory".into(), None),
        ("get", "/rest/api/3/field", "/rest/api/3/field".into(), None),
        ("get", "/rest/api/3/myself", "/rest/api/3/myself".into(), None),
        ("get", "/rest/api/3/serverInfo", "/rest/api/3/serverInfo".into(), None),
        ("get", "/rest/api/3/project/search", "/rest/api/3/project/search?maxResults=2".into(), None),
        ("get", "/rest/api/3/user/groups", format!("/rest/api/3/user/groups?accountId={}", sim.data.site.users[0].account_id), None),
        ("get", "/rest/api/3/priority", "/rest/api/3/priority".into(), None),
        ("get", "/rest/api/3/resolution", "/rest/api/3/resolution".into(), None),
    ];
    for (method, spec_path, url, body) in cases {
        let r = match &body {
            Some(b) => post(&sim, &url, b),
            None => get(&sim, &url),
        };
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let schema = response_schema(method, spec_path);
        assert_conforms(&format!("{method} {url}"), &schema, &r.json);
        for issue in r.json["issues"].as_array().into_iter().flatten() {
            check_fields(&url, issue);
        }
        if r.json.get("fields").is_some() {
            check_fields(&url, &r.json);
        }
    }
}

#[test]
fn error_bodies_conform_to_the_spec() {
    let sim = sim(50, Flavor::Cloud);
    for r in [
        get(&sim, "/rest/api/3/search/jql?jql=status%20%3D"),
        get(&sim, "/rest/api/3/issue/NOPE-1"),
        get_as(&sim, "/rest/api/3/myself", "Bearer wrong"),
    ] {
        assert!(r.status >= 400, "{}", r.text);
        assert_conforms("an error", &component("ErrorCollection"), &r.json);
        assert!(!r.errors().is_empty(), "{}", r.text);
    }
}

#[test]
fn data_center_search_conforms_to_the_spec() {
    let sim = sim(120, Flavor::Dc);
    let schema = response_schema("get", "/rest/api/3/search");
    for url in [
        "/rest/api/2/search?jql=project%20%3D%20WEB&expand=changelog&maxResults=40",
        "/rest/api/2/search?startAt=100&fields=*all",
    ] {
        let r = get(&sim, url);
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        assert_conforms(url, &schema, &r.json);
        for issue in r.json["issues"].as_array().unwrap() {
            check_fields(url, issue);
        }
    }
}

#[test]
fn the_validator_rejects_what_the_spec_forbids() {
    // The validator must be able to fail, or the tests above prove nothing.
    let schema = component("ChangeDetails");
    assert!(validate(&schema, &json!({"field": "status", "to": "3"})).is_empty());
    assert!(!validate(&schema, &json!({"field": "status", "unknown": 1})).is_empty());
    assert!(!validate(&schema, &json!({"field": 5})).is_empty());
    let page = response_schema("get", "/rest/api/3/search/jql");
    assert!(!validate(&page, &json!({"issues": [{"id": 5}]})).is_empty());
    assert!(!validate(&page, &json!({"isLast": "yes"})).is_empty());
}
