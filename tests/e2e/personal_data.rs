//! Personal data reporting on Connect: `dwell-server report-accounts` reports every account id
//! a site's configuration holds to jira-sim's emulation of Atlassian's reporting API, signed
//! as the app, and erases from the site's data the accounts Jira says are closed: from report
//! access, from a timesheet's authors, from JQL text, as a report's creator, and from the
//! database file itself. No browser: this is the server's own job.

use anyhow::Context;
use e2e::{Result, World, WorldSpec};
use serde_json::json;

use crate::support::{self, account_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_accounts_are_reported_and_erased() {
    let w = World::start(WorldSpec::default()).await.unwrap();
    reported_and_erased(&w).unwrap();
}

fn reported_and_erased(w: &World) -> Result {
    let (ada, ben, cy) = (
        account_of(w, "ada")?,
        account_of(w, "ben")?,
        account_of(w, "chloe")?,
    );
    let shared = w.api(
        "ada",
        "POST",
        "/reports",
        Some(&json!({
            "config": support::time_in_status(
                "Shared with Ben and Chloe",
                json!({"type": "seconds"}),
            ),
            "access": {
                "editors": [{"type": "user", "accountId": ben}],
                "viewers": [{"type": "user", "accountId": cy}],
            },
        })),
    )?;
    let mut timesheet = json!({
        "schemaVersion": 1,
        "name": "Ben's and Chloe's time",
        "jql": format!("assignee = {ben} OR assignee = {cy}"),
        "kind": {
            "type": "timesheet",
            "rows": "person",
            "columns": "month",
            "dates": {"type": "fixed", "from": "2026-08-01", "to": "2026-10-31"},
            "timeZone": "UTC",
            "authors": {"accounts": [ben, cy]},
        },
    });
    let timesheet_id = support::create_report(w, "ada", &timesheet)?;
    // Ben edits the report shared with him: he is its last editor.
    let shared_id = shared["id"].as_str().context("no id")?.to_string();
    let mut update = json!({"version": shared["version"], "config": shared["config"], "access": shared["access"]});
    update["config"]["description"] = json!("Ben was here");
    w.api(
        "ben",
        "PUT",
        &format!("/reports/{shared_id}"),
        Some(&update),
    )?;

    // Jira says Ben's account closed.
    let res = e2e::world::http()
        .post(&format!("{}/_sim/accounts", w.sim_url))
        .send_json(json!({"closed": [ben]}))?;
    anyhow::ensure!(
        res.status().is_success(),
        "jira-sim took the account statuses"
    );

    let out = w.report_accounts(true)?;
    assert!(
        out.contains("reported 3 account(s) of 1 site(s) in 1 request(s): 1 closed"),
        "{out}"
    );
    let reported = w.reported_accounts()?;
    let batches = reported["batches"].as_array().context("no batches")?;
    assert_eq!(batches.len(), 1, "{reported}");
    assert_eq!(batches[0]["appKey"], json!(w.app_key));
    let mut ids: Vec<&str> = batches[0]["accounts"]
        .as_array()
        .context("no accounts")?
        .iter()
        .filter_map(|a| a["accountId"].as_str())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![ada.as_str(), ben.as_str(), cy.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected, "every stored account, once");
    for a in batches[0]["accounts"].as_array().into_iter().flatten() {
        let at = a["updatedAt"].as_str().unwrap_or_default();
        assert!(
            at.parse::<jiff::Timestamp>().is_ok() && at.ends_with('Z'),
            "updatedAt {at:?} is an ISO 8601 UTC time"
        );
    }

    // Ben is gone from everything the site stores; Chloe and Ada stay.
    let record = |id: &str| w.api("ada", "GET", &format!("/reports/{id}"), None);
    let shared = record(&shared_id)?;
    assert_eq!(shared["access"]["editors"], json!([]), "{shared}");
    assert_eq!(
        shared["access"]["viewers"],
        json!([{"type": "user", "accountId": cy}])
    );
    assert_eq!(shared["updatedBy"], "closed-account");
    assert_eq!(shared["createdBy"], json!(ada));
    let ts = record(&timesheet_id)?;
    assert_eq!(ts["config"]["kind"]["authors"]["accounts"], json!([cy]));
    timesheet["jql"] = json!(format!("assignee = closed-account OR assignee = {cy}"));
    assert_eq!(ts["config"]["jql"], timesheet["jql"]);
    let db = w.database();
    let mut stored = std::fs::read(&db)?;
    if let Ok(wal) = std::fs::read(db.with_extension("sqlite3-wal")) {
        stored.extend(wal);
    }
    let holds = |id: &str| stored.windows(id.len()).any(|w| w == id.as_bytes());
    assert!(
        holds(&cy),
        "the search can find an account id in the database"
    );
    assert!(
        !holds(&ben),
        "the closed account is nowhere in the database file"
    );

    // Reported: not due again for a cycle.
    let again = w.report_accounts(false)?;
    assert!(again.contains("of 0 site(s)"), "{again}");
    Ok(())
}
