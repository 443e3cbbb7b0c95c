//! Tenant isolation as a property: random tenants doing random operations, aimed at their own
//! records and at everyone else's. No read or write ever crosses a tenant.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::helpers::*;

const TENANTS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    CreateReport {
        tenant: usize,
    },
    CreateCalendar {
        tenant: usize,
    },
    /// `target` picks among every record created so far, whoever owns it.
    GetReport {
        tenant: usize,
        target: usize,
    },
    UpdateReport {
        tenant: usize,
        target: usize,
    },
    DeleteReport {
        tenant: usize,
        target: usize,
    },
    DuplicateReport {
        tenant: usize,
        target: usize,
    },
    GetCalendar {
        tenant: usize,
        target: usize,
    },
    DeleteCalendar {
        tenant: usize,
        target: usize,
    },
    List {
        tenant: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0..TENANTS;
    let x = 0..64usize;
    prop_oneof![
        3 => t.clone().prop_map(|tenant| Op::CreateReport { tenant }),
        1 => t.clone().prop_map(|tenant| Op::CreateCalendar { tenant }),
        3 => (t.clone(), x.clone()).prop_map(|(tenant, target)| Op::GetReport { tenant, target }),
        2 => (t.clone(), x.clone()).prop_map(|(tenant, target)| Op::UpdateReport { tenant, target }),
        1 => (t.clone(), x.clone()).prop_map(|(tenant, target)| Op::DeleteReport { tenant, target }),
        1 => (t.clone(), x.clone()).prop_map(|(tenant, target)| Op::DuplicateReport { tenant, target }),
        1 => (t.clone(), x.clone()).prop_map(|(tenant, target)| Op::GetCalendar { tenant, target }),
        1 => (t.clone(), x).prop_map(|(tenant, target)| Op::DeleteCalendar { tenant, target }),
        1 => t.prop_map(|tenant| Op::List { tenant }),
    ]
}

/// What each tenant should hold: (owner, id, name, version, alive).
#[derive(Default)]
struct Model {
    reports: Vec<(usize, String, String, u64, bool)>,
    calendars: Vec<(usize, String, bool)>,
}

static CASE: AtomicUsize = AtomicUsize::new(0);

#[test]
fn no_read_or_write_crosses_tenants() {
    let app = TestApp::spawn();
    let config = Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    runner
        .run(&proptest::collection::vec(op(), 1..30), |ops| {
            actix_web::rt::System::new().block_on(run_case(&app, ops))
        })
        .unwrap();
}

async fn run_case(app: &TestApp, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let case = CASE.fetch_add(1, Ordering::SeqCst);
    let mut users = Vec::new();
    for t in 0..TENANTS {
        users.push(app.install_admin(&format!("iso-{case}-{t}"), "admin").await);
    }
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::CreateReport { tenant } => {
                let name = format!("t{tenant}-r{}", model.reports.len());
                let res = app
                    .api(
                        &users[tenant],
                        "POST",
                        "/api/v1/reports",
                        Some(report(&name)),
                    )
                    .await;
                prop_assert_eq!(res.status, 201);
                let id = res.body["id"].as_str().unwrap().to_string();
                model.reports.push((tenant, id, name, 1, true));
            }
            Op::CreateCalendar { tenant } => {
                let res = app
                    .api(
                        &users[tenant],
                        "POST",
                        "/api/v1/calendars",
                        Some(calendar(&format!("t{tenant}"))),
                    )
                    .await;
                prop_assert_eq!(res.status, 201);
                model
                    .calendars
                    .push((tenant, res.body["id"].as_str().unwrap().to_string(), true));
            }
            Op::GetReport { tenant, target } => {
                let Some((owner, id, name, version, alive)) = pick(&model.reports, target) else {
                    continue;
                };
                let res = app
                    .api(
                        &users[tenant],
                        "GET",
                        &format!("/api/v1/reports/{id}"),
                        None,
                    )
                    .await;
                if owner == tenant && alive {
                    prop_assert_eq!(res.status, 200);
                    prop_assert_eq!(&res.body["config"]["name"], &json!(name));
                    prop_assert_eq!(&res.body["version"], &json!(version));
                } else {
                    prop_assert_eq!(res.status, 404, "tenant {} read {}'s report", tenant, owner);
                }
            }
            Op::UpdateReport { tenant, target } => {
                let Some(i) = index(&model.reports, target) else {
                    continue;
                };
                let (owner, id, _, version, alive) = model.reports[i].clone();
                let new_name = format!("t{tenant}-renamed-{i}");
                let mut body = report(&new_name);
                body["version"] = json!(version);
                let res = app
                    .api(
                        &users[tenant],
                        "PUT",
                        &format!("/api/v1/reports/{id}"),
                        Some(body),
                    )
                    .await;
                if owner == tenant && alive {
                    prop_assert_eq!(res.status, 200);
                    model.reports[i].2 = new_name;
                    model.reports[i].3 += 1;
                } else {
                    prop_assert_eq!(
                        res.status,
                        404,
                        "tenant {} wrote {}'s report",
                        tenant,
                        owner
                    );
                }
            }
            Op::DeleteReport { tenant, target } => {
                let Some(i) = index(&model.reports, target) else {
                    continue;
                };
                let (owner, id, _, _, alive) = model.reports[i].clone();
                let res = app
                    .api(
                        &users[tenant],
                        "DELETE",
                        &format!("/api/v1/reports/{id}"),
                        None,
                    )
                    .await;
                if owner == tenant && alive {
                    prop_assert_eq!(res.status, 204);
                    model.reports[i].4 = false;
                } else {
                    prop_assert_eq!(
                        res.status,
                        404,
                        "tenant {} deleted {}'s report",
                        tenant,
                        owner
                    );
                }
            }
            Op::DuplicateReport { tenant, target } => {
                let Some((owner, id, name, _, alive)) = pick(&model.reports, target) else {
                    continue;
                };
                let res = app
                    .api(
                        &users[tenant],
                        "POST",
                        &format!("/api/v1/reports/{id}/duplicate"),
                        None,
                    )
                    .await;
                if owner == tenant && alive {
                    prop_assert_eq!(res.status, 201);
                    let copy = res.body["config"]["name"].as_str().unwrap().to_string();
                    prop_assert_eq!(&copy, &format!("Copy of {name}"));
                    model.reports.push((
                        tenant,
                        res.body["id"].as_str().unwrap().to_string(),
                        copy,
                        1,
                        true,
                    ));
                } else {
                    prop_assert_eq!(
                        res.status,
                        404,
                        "tenant {} copied {}'s report",
                        tenant,
                        owner
                    );
                }
            }
            Op::GetCalendar { tenant, target } => {
                let Some((owner, id, alive)) = pick(&model.calendars, target) else {
                    continue;
                };
                let res = app
                    .api(
                        &users[tenant],
                        "GET",
                        &format!("/api/v1/calendars/{id}"),
                        None,
                    )
                    .await;
                let want = if owner == tenant && alive { 200 } else { 404 };
                prop_assert_eq!(
                    res.status,
                    want,
                    "tenant {} read {}'s calendar",
                    tenant,
                    owner
                );
            }
            Op::DeleteCalendar { tenant, target } => {
                let Some(i) = index(&model.calendars, target) else {
                    continue;
                };
                let (owner, id, alive) = model.calendars[i].clone();
                let res = app
                    .api(
                        &users[tenant],
                        "DELETE",
                        &format!("/api/v1/calendars/{id}"),
                        None,
                    )
                    .await;
                if owner == tenant && alive {
                    prop_assert_eq!(res.status, 204);
                    model.calendars[i].2 = false;
                } else {
                    prop_assert_eq!(
                        res.status,
                        404,
                        "tenant {} deleted {}'s calendar",
                        tenant,
                        owner
                    );
                }
            }
            Op::List { tenant } => {
                let res = app
                    .api(&users[tenant], "GET", "/api/v1/reports", None)
                    .await;
                prop_assert_eq!(res.status, 200);
                prop_assert_eq!(listed(&res.body), expected_ids(&model, tenant));
            }
        }
    }
    // In the end every tenant's export is exactly its own records.
    for (tenant, user) in users.iter().enumerate() {
        let export = app.api(user, "GET", "/api/v1/export", None).await;
        prop_assert_eq!(export.status, 200);
        prop_assert_eq!(
            listed(&export.body["reports"]),
            expected_ids(&model, tenant)
        );
        let mut calendars: Vec<String> = export.body["calendars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        calendars.sort();
        let mut want: Vec<String> = model
            .calendars
            .iter()
            .filter(|c| c.0 == tenant && c.2)
            .map(|c| c.1.clone())
            .collect();
        want.sort();
        prop_assert_eq!(calendars, want);
        for r in export.body["reports"].as_array().unwrap() {
            let name = r["config"]["name"].as_str().unwrap();
            prop_assert!(
                name.contains(&format!("t{tenant}-")),
                "tenant {} holds {}",
                tenant,
                name
            );
        }
    }
    Ok(())
}

fn pick<T: Clone>(items: &[T], target: usize) -> Option<T> {
    index(items, target).map(|i| items[i].clone())
}

fn index<T>(items: &[T], target: usize) -> Option<usize> {
    (!items.is_empty()).then(|| target % items.len())
}

fn listed(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn expected_ids(model: &Model, tenant: usize) -> Vec<String> {
    let mut ids: Vec<String> = model
        .reports
        .iter()
        .filter(|r| r.0 == tenant && r.4)
        .map(|r| r.1.clone())
        .collect();
    ids.sort();
    ids
}
