//! Fidelity to what third-party tools read: timestamps in the caller's time zone, statuses
//! scoped to team-managed projects on Cloud only, and Jira Software's "Flagged" field.

use std::collections::BTreeSet;

use jira_sim::Flavor;
use serde_json::{Value, json};

use crate::support::*;

/// The offsets (`+HHMM`) of every timestamp a user sees on a search page with changelogs, and
/// the instants they name.
fn offsets_and_instants(sim: &jira_sim::RunningSim, login: &str) -> (BTreeSet<String>, Vec<i64>) {
    let r = get_as(
        sim,
        "/rest/api/3/search/jql?jql=created%20%3C%3D%20now()%20ORDER%20BY%20key&fields=created,updated,resolutiondate&expand=changelog&maxResults=100",
        &sim.basic_auth(login),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let mut offsets = BTreeSet::new();
    let mut instants = Vec::new();
    let mut see = |v: &Value| {
        let Some(s) = v.as_str() else { return };
        // "2026-06-20T17:04:05.000+0200": Jira writes no colon in the offset.
        let (_, offset) = s.split_at(s.len() - 5);
        assert!(
            offset.starts_with(['+', '-']) && offset[1..].bytes().all(|b| b.is_ascii_digit()),
            "{s}"
        );
        offsets.insert(offset.to_string());
        let fixed = format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..]);
        instants.push(fixed.parse::<jiff::Timestamp>().unwrap().as_millisecond());
    };
    for issue in r.json["issues"].as_array().unwrap() {
        for f in ["created", "updated", "resolutiondate"] {
            see(&issue["fields"][f]);
        }
        for h in issue["changelog"]["histories"].as_array().unwrap() {
            see(&h["created"]);
        }
    }
    (offsets, instants)
}

fn set(offsets: &[&str]) -> BTreeSet<String> {
    offsets.iter().map(|s| s.to_string()).collect()
}

#[test]
fn timestamps_are_written_in_the_callers_time_zone() {
    let sim = sim(400, Flavor::Cloud);
    let (ada, ada_at) = offsets_and_instants(&sim, "ada");
    assert_eq!(ada, set(&["+0100", "+0200"]), "Europe/Berlin, with DST");
    let (ben, ben_at) = offsets_and_instants(&sim, "ben");
    assert_eq!(ben, set(&["+0530"]), "Asia/Kolkata, a half-hour offset");
    let (dev, dev_at) = offsets_and_instants(&sim, "dev");
    assert_eq!(
        dev,
        set(&["+0930", "+1030"]),
        "Australia/Adelaide, half-hour and DST"
    );
    let (ivan, _) = offsets_and_instants(&sim, "ivan");
    assert_eq!(ivan, set(&["+0545"]), "Asia/Kathmandu");
    let (chloe, _) = offsets_and_instants(&sim, "chloe");
    assert_eq!(chloe, set(&["-0400", "-0500"]), "America/New_York");
    let (eve, eve_at) = offsets_and_instants(&sim, "eve");
    assert_eq!(eve, set(&["+0000"]));
    // The same instants, whoever asks.
    assert_eq!(ada_at, eve_at);
    assert_eq!(ben_at, eve_at);
    assert_eq!(dev_at, eve_at);

    for (login, zone) in [("ada", "Europe/Berlin"), ("ben", "Asia/Kolkata")] {
        let me = get_as(&sim, "/rest/api/3/myself", &sim.basic_auth(login));
        assert_eq!(me.json["timeZone"], zone);
    }
}

#[test]
fn project_scoped_statuses_exist_on_cloud_only() {
    let cloud = sim(400, Flavor::Cloud);
    let scoped = |statuses: &Value| -> Vec<String> {
        statuses
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s.get("scope").is_some())
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        scoped(&get(&cloud, "/rest/api/3/status").json),
        ["10010", "10011", "10012"]
    );

    let dc = sim(400, Flavor::Dc);
    let statuses = get(&dc, "/rest/api/2/status").json;
    assert!(scoped(&statuses).is_empty(), "{statuses}");
    let ids: BTreeSet<&str> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    // MOB's issues (team-managed on Cloud) show, and went through, only listed statuses.
    let r = get(
        &dc,
        "/rest/api/2/search?jql=project%20%3D%20MOB&fields=status&expand=changelog&maxResults=1000",
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let issues = r.json["issues"].as_array().unwrap();
    assert!(issues.len() > 20);
    let mut seen = BTreeSet::new();
    for issue in issues {
        seen.insert(
            issue["fields"]["status"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        for h in issue["changelog"]["histories"].as_array().unwrap() {
            for item in h["items"].as_array().unwrap() {
                if item["field"] == "status" {
                    seen.insert(item["from"].as_str().unwrap().to_string());
                    seen.insert(item["to"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert!(seen.iter().all(|id| ids.contains(id.as_str())), "{seen:?}");
    let project = get(&dc, "/rest/api/2/project").json;
    assert!(
        project
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("simplified").is_none())
    );
    // JQL names statuses as the site shows them.
    let by_id = get(
        &dc,
        "/rest/api/2/search?jql=project%20%3D%20MOB%20AND%20status%20%3D%2010004&fields=status",
    );
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert!(by_id.json["total"].as_u64().unwrap() > 0);
    let gone = get(&dc, "/rest/api/2/search?jql=status%20%3D%2010012");
    assert_eq!(gone.status, 400, "{}", gone.text);
}

#[test]
fn blocked_issues_are_flagged_as_jira_software_does() {
    let sim = sim(2000, Flavor::Cloud);
    let fields = get(&sim, "/rest/api/3/field").json;
    let flagged = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Flagged")
        .expect("a Flagged field");
    assert_eq!(flagged["id"], "customfield_10021");
    assert_eq!(
        flagged["schema"],
        json!({"type": "array", "items": "option",
               "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
               "customId": 10021})
    );

    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": "status = Blocked", "fields": ["status", "customfield_10021"], "maxResults": 1000}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let blocked = r.json["issues"].as_array().unwrap();
    assert!(
        blocked.len() >= 3,
        "a few flagged issues: {}",
        blocked.len()
    );
    for issue in blocked {
        assert_eq!(
            issue["fields"]["customfield_10021"][0]["value"],
            "Impediment"
        );
    }
    let r = post(
        &sim,
        "/rest/api/3/search/jql",
        &json!({"jql": "status = Done", "fields": ["customfield_10021"], "maxResults": 50}),
    );
    for issue in r.json["issues"].as_array().unwrap() {
        assert_eq!(issue["fields"]["customfield_10021"], Value::Null);
    }

    // Flag raised with the move to Blocked and lowered with the move out, in the same history.
    let key = blocked[0]["key"].as_str().unwrap();
    let log = get(
        &sim,
        &format!("/rest/api/3/issue/{key}/changelog?maxResults=100"),
    );
    let mut flag = false;
    for h in log.json["values"].as_array().unwrap() {
        let items = h["items"].as_array().unwrap();
        let status = items.iter().find(|i| i["field"] == "status");
        let f = items.iter().find(|i| i["field"] == "Flagged");
        if let Some(f) = f {
            let status = status.expect("the flag changes with the status");
            if flag {
                assert_eq!(
                    (f["from"].as_str(), f["to"].as_str()),
                    (Some("[10019]"), None)
                );
                assert_eq!(status["fromString"], "Blocked");
            } else {
                assert_eq!(f["toString"], "Impediment");
                assert_eq!(status["toString"], "Blocked");
            }
            flag = !flag;
        }
    }
    assert!(flag, "{key} ends flagged");
}
