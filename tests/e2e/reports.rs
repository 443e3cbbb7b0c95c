//! The browser flows on ordinary (non-canary) data, one site each. The privacy proof runs the
//! same flows on canary data.

use e2e::{World, WorldSpec};

use crate::flows;

async fn site() -> World {
    World::start(WorldSpec::default()).await.unwrap()
}

/// The same site running Dwell as its Forge app.
async fn forge_site() -> World {
    World::start(WorldSpec {
        forge: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_report_matches_the_cli_and_exports_match_the_table() {
    let w = site().await;
    let (id, table) = flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::exports_match_the_table(&w, &id, &table)
        .await
        .unwrap();
    flows::screenshot(&w).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timesheet_template_matches_the_cli() {
    let w = site().await;
    flows::a_timesheet_template_matches_the_cli(&w)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_created_edited_reloaded_and_deleted_and_conflicts_lose_nothing() {
    let w = site().await;
    flows::report_lifecycle_with_a_conflict(&w).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_set_calendars_permissions_and_move_the_sites_data() {
    let w = site().await;
    let (id, table) = flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::a_calendar_changes_business_time(&w, &id, &table)
        .await
        .unwrap();
    flows::permissions_stop_a_non_editor(&w, &id).await.unwrap();
    flows::export_delete_import(&w).await.unwrap();
}

/// A status group made in the admin page sums its statuses' time in one column of a report,
/// as jira-sim's own data gives it; an edit of the group changes the report, and the group is
/// deleted only once no report uses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_group_is_created_used_edited_and_deleted() {
    let w = site().await;
    flows::a_status_group_sums_its_statuses(&w).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_complete_through_jira_faults_and_a_cancel_is_partial() {
    let w = site().await;
    flows::jira_faults_are_weathered(&w).await.unwrap();
    flows::a_cancelled_run_is_partial(&w).await.unwrap();
}

/// Dwell as a Forge app: Jira's global page frames the client from Forge's CDN under Forge's
/// policy, Jira is read through `requestJira` and the server reached through `invokeRemote`
/// with a Forge Invocation Token; the report equals the CLI's, as on Connect, and shows times
/// in the user's Jira zone from Forge's context.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_default_report_matches_the_cli_under_forges_policy() {
    let w = forge_site().await;
    flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::forge_times_are_in_the_users_jira_zone(&w)
        .await
        .unwrap();

    let stats = w.sim_stats().unwrap();
    assert_eq!(
        stats["forgeCspViolations"], 0,
        "the page runs under Forge's policy: {stats}"
    );
    assert_eq!(
        stats["forgeUnknownBridgeCommands"],
        serde_json::json!({}),
        "the client sends only commands Forge's host answers"
    );
    let routes = &stats["byRoute"];
    assert!(
        routes
            .as_object()
            .unwrap()
            .keys()
            .any(|r| r.contains("changelog/bulkfetch")),
        "Jira was read through requestJira: {routes}"
    );
    let exchanges = w.proxy.exchanges();
    assert!(
        exchanges
            .iter()
            .any(|e| e.target.starts_with("/forge/lifecycle")),
        "the app was installed by Forge's lifecycle event"
    );
    let me = exchanges
        .iter()
        .find(|e| e.target.starts_with("/api/v1/me"))
        .expect("the page asked the server who the user is");
    assert!(
        me.request_header("authorization")
            .is_some_and(|a| a.starts_with("Bearer ")),
        "the server was reached with a Forge Invocation Token"
    );
    assert!(
        !exchanges
            .iter()
            .any(|e| e.target == "/" || e.target.ends_with(".wasm")),
        "the client came from Forge's CDN, not from the server"
    );
}

/// The timesheet flow on Forge: the "My team's week" template runs with its worklogs read
/// through `requestJira` (the drill-down's comments from `worklog/list` too) and equals
/// `dwell report` on the same worklogs, as on Connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_timesheet_template_matches_the_cli() {
    let w = forge_site().await;
    flows::a_timesheet_template_matches_the_cli(&w)
        .await
        .unwrap();
    let stats = w.sim_stats().unwrap();
    assert_eq!(
        stats["forgeCspViolations"], 0,
        "the page runs under Forge's policy: {stats}"
    );
    let routes = &stats["byRoute"];
    assert!(
        routes
            .as_object()
            .unwrap()
            .keys()
            .any(|r| r.contains("worklog/list")),
        "the worklogs' comments were read through requestJira: {routes}"
    );
    assert!(
        !w.proxy
            .exchanges()
            .iter()
            .any(|e| e.target.contains("worklog")),
        "no worklog request went to the server"
    );
}

/// On Forge the admin flows that run on Connect: a calendar changes business time as the CLI
/// computes it, grants are by account id (the page says so and refuses a Jira group), a
/// non-editor is stopped until an admin grants the right to their account, and the site's
/// data is exported, deleted and imported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_admins_set_calendars_permissions_and_move_the_sites_data() {
    let w = forge_site().await;
    let (id, table) = flows::default_report_matches_the_cli(&w).await.unwrap();
    flows::a_calendar_changes_business_time(&w, &id, &table)
        .await
        .unwrap();
    flows::forge_grants_are_by_account(&w).await.unwrap();
    flows::permissions_stop_a_non_editor(&w, &id).await.unwrap();
    flows::export_delete_import(&w).await.unwrap();
}

/// A site running both apps on one server moves its configuration from the Connect app to
/// the Forge app by export and import (README, "Moving a site from Connect to Forge").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_site_moves_to_forge_with_its_configuration() {
    let w = World::start(WorldSpec {
        forge: true,
        connect_too: true,
        ..WorldSpec::default()
    })
    .await
    .unwrap();
    flows::a_connect_site_moves_to_forge(&w).await.unwrap();
}

/// The status group flow on Forge: made, used, edited and deleted through `invokeRemote`, the
/// column the sum of its statuses' time in jira-sim's data, as on Connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_a_status_group_is_created_used_edited_and_deleted() {
    let w = forge_site().await;
    flows::a_status_group_sums_its_statuses(&w).await.unwrap();
}

/// The report lifecycle on Forge: created, edited, reloaded and deleted through `invokeRemote`,
/// and a concurrent edit's conflict loses nothing, as on Connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_reports_are_created_edited_reloaded_and_deleted_and_conflicts_lose_nothing() {
    let w = forge_site().await;
    flows::report_lifecycle_with_a_conflict(&w).await.unwrap();
}

/// Jira's faults and a cancelled run on Forge: `requestJira` carries the planner's retries,
/// and a cancel (the bridge drops `signal`) stops issuing and flags the result partial.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_reports_complete_through_jira_faults_and_a_cancel_is_partial() {
    let w = forge_site().await;
    flows::jira_faults_are_weathered(&w).await.unwrap();
    flows::a_cancelled_run_is_partial(&w).await.unwrap();
}
