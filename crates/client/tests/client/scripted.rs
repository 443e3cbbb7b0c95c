//! A scripted Jira for the planner's native tests: answers the planner's requests from a
//! generated set of issues, in the wire shapes of Atlassian's OpenAPI document, on a virtual
//! clock. It exists to pin the planner's decisions (which requests, how many, in what order,
//! what happens on 429/400/403/cancel); the real simulator (crates/jira-sim) is exercised over
//! HTTP by the transport tests.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::task::Poll;

use client::api::jira::{JiraRequest, JiraResponse, Method, Transport, TransportError};
use client::cancel::Cancel;
use client::fetch::Clock;
use serde_json::{Value, json};

/// A fault to inject: answer requests whose path contains `path` with `status` for the first
/// `times` matching requests.
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: &'static str,
    /// Only requests whose body contains this text.
    pub body_contains: &'static str,
    pub status: u16,
    pub body: &'static str,
    pub retry_after: Option<&'static str>,
    pub times: u32,
}

/// Every request seen, with the virtual time it was sent.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: f64,
    #[allow(dead_code)]
    pub method: Method,
    pub path: String,
    pub body: Value,
}

pub struct ScriptedJira {
    pub issues: u32,
    pub histories_per_issue: u32,
    /// The most histories one changelog page holds (Jira's own cap may be below maxResults).
    pub changelog_cap: usize,
    /// Data Center: the most issues one search page holds.
    pub dc_cap: u64,
    /// Data Center: no page starts at or past this index (Jira's result window).
    pub dc_window: u64,
    /// Worklogs of issue `i`: `many_worklogs` for every tenth issue, 3 for the others.
    pub many_worklogs: u64,
    /// The most worklogs one worklog page holds.
    pub worklog_cap: u64,
    /// Data Center: the first half of the issues have ids 100 apart, the rest consecutive ids,
    /// so equal-width id ranges hold very different numbers of issues.
    pub dc_uneven_ids: bool,
    pub faults: RefCell<Vec<Fault>>,
    pub seen: RefCell<Vec<Seen>>,
    pub clock: VirtualClock,
    /// Fires `cancel` when this many requests have been sent.
    pub cancel_after: Option<(usize, Cancel)>,
}

impl ScriptedJira {
    pub fn new(issues: u32, histories_per_issue: u32) -> Self {
        ScriptedJira {
            issues,
            histories_per_issue,
            changelog_cap: 10_000,
            dc_cap: 1000,
            dc_window: 10_000,
            dc_uneven_ids: false,
            many_worklogs: 45,
            worklog_cap: 5000,
            faults: RefCell::new(Vec::new()),
            seen: RefCell::new(Vec::new()),
            clock: VirtualClock::default(),
            cancel_after: None,
        }
    }

    pub fn with_fault(self, fault: Fault) -> Self {
        self.faults.borrow_mut().push(fault);
        self
    }

    pub fn count(&self, path: &str) -> usize {
        self.seen
            .borrow()
            .iter()
            .filter(|s| s.path.contains(path))
            .count()
    }

    fn id(i: u32) -> String {
        (10_000 + i).to_string()
    }

    fn dc_id(&self, i: u32) -> u64 {
        let (i, half) = (u64::from(i), u64::from(self.issues / 2));
        if !self.dc_uneven_ids {
            10_000 + i
        } else if i < half {
            10_000 + 100 * i
        } else {
            10_000 + 100 * half + (i - half)
        }
    }

    /// The issues a Data Center query matches, in its order: the id bounds and `ORDER BY id`
    /// that keyset paging writes are understood, any other condition matches everything.
    fn dc_matches(&self, jql: &str) -> Vec<u32> {
        let bound = |op: &str| {
            jql.split(op).nth(1).map(|rest| {
                rest.trim()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            })
        };
        let lo = bound("id >= ").unwrap_or(0);
        let hi = bound("id <= ").unwrap_or(u64::MAX);
        let mut hits: Vec<u32> = (0..self.issues)
            .filter(|&i| (lo..=hi).contains(&self.dc_id(i)))
            .collect();
        if jql.contains("ORDER BY id DESC") {
            hits.reverse();
        }
        hits
    }

    fn worklog_count(&self, i: u32) -> u64 {
        if i.is_multiple_of(10) {
            self.many_worklogs
        } else {
            3
        }
    }

    /// The `worklog` field as Jira embeds it: the first 20 and the total.
    fn embedded_worklogs(&self, i: u32) -> Value {
        let total = self.worklog_count(i);
        let worklogs: Vec<Value> = (0..total.min(20)).map(|w| Self::worklog(i, w)).collect();
        json!({"startAt": 0, "maxResults": 20, "total": total, "worklogs": worklogs})
    }

    fn worklog(i: u32, w: u64) -> Value {
        json!({"id": format!("{i}-{w}"), "issueId": Self::id(i), "timeSpentSeconds": 600,
            "started": "2026-01-05T09:00:00.000+0000", "author": {"accountId": "a"}})
    }

    fn wants_worklogs(body: &Value) -> bool {
        body["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "worklog"))
    }

    fn index(id: &str) -> Option<u32> {
        id.parse::<u32>().ok()?.checked_sub(10_000)
    }

    fn answer(&self, request: &JiraRequest) -> JiraResponse {
        let body: Value = request
            .body
            .as_deref()
            .map(|b| serde_json::from_str(b).unwrap())
            .unwrap_or(Value::Null);
        self.seen.borrow_mut().push(Seen {
            at: self.clock.now.get(),
            method: request.method,
            path: request.path.clone(),
            body: body.clone(),
        });
        if let Some((n, cancel)) = &self.cancel_after
            && self.seen.borrow().len() >= *n
        {
            cancel.cancel();
        }
        for f in self.faults.borrow_mut().iter_mut() {
            let body_matches = request
                .body
                .as_deref()
                .unwrap_or("")
                .contains(f.body_contains);
            if f.times > 0 && request.path.contains(f.path) && body_matches {
                f.times -= 1;
                return JiraResponse {
                    status: f.status,
                    retry_after: f.retry_after.map(str::to_string),
                    body: f.body.into(),
                };
            }
        }
        let ok = |v: Value| JiraResponse {
            status: 200,
            retry_after: None,
            body: v.to_string().into(),
        };
        let path = request.path.split('?').next().unwrap_or("");
        match path {
            "/rest/api/3/search/approximate-count" => ok(json!({ "count": self.issues })),
            "/rest/api/3/status" | "/rest/api/2/status" => ok(json!([
                {"id": "1", "name": "To Do", "statusCategory": {"key": "new"}},
                {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}},
                {"id": "5", "name": "Done", "statusCategory": {"key": "done"}}
            ])),
            "/rest/api/3/field" | "/rest/api/2/field" => {
                ok(json!([{"id": "summary", "name": "Summary", "custom": false}]))
            }
            "/rest/api/3/search/jql" => {
                let max = body["maxResults"].as_u64().unwrap_or(50).min(5000) as u32;
                let start: u32 = body["nextPageToken"]
                    .as_str()
                    .map(|t| t.trim_start_matches("page-").parse().unwrap())
                    .unwrap_or(0);
                let end = (start + max).min(self.issues);
                let issues: Vec<Value> = (start..end)
                    .map(|i| json!({"id": Self::id(i), "key": format!("DW-{}", i + 1)}))
                    .collect();
                let mut page = json!({ "issues": issues, "isLast": end >= self.issues });
                if end < self.issues {
                    page["nextPageToken"] = json!(format!("page-{end}"));
                }
                ok(page)
            }
            "/rest/api/3/issue/bulkfetch" => {
                let ids: Vec<&str> = body["issueIdsOrKeys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert!(ids.len() <= 100, "Jira refuses more than 100 issues");
                let issues: Vec<Value> = ids
                    .iter()
                    .map(|id| {
                        let i = Self::index(id).unwrap();
                        let mut issue = json!({"id": id, "key": format!("DW-{}", i + 1), "fields": {
                            "status": {"id": "5", "name": "Done"},
                            "created": "2026-01-01T09:00:00.000+0000"
                        }});
                        if Self::wants_worklogs(&body) {
                            issue["fields"]["worklog"] = self.embedded_worklogs(i);
                        }
                        issue
                    })
                    .collect();
                ok(json!({ "issues": issues, "issueErrors": [] }))
            }
            "/rest/api/3/changelog/bulkfetch" => {
                let ids: Vec<String> = body["issueIdsOrKeys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                assert!(ids.len() <= 1000, "Jira refuses more than 1000 issues");
                let max =
                    (body["maxResults"].as_u64().unwrap_or(1000) as usize).min(self.changelog_cap);
                let all: Vec<(String, u32)> = ids
                    .iter()
                    .flat_map(|id| (0..self.histories_per_issue).map(move |h| (id.clone(), h)))
                    .collect();
                let start: usize = body["nextPageToken"]
                    .as_str()
                    .map(|t| t.parse().unwrap())
                    .unwrap_or(0);
                let end = (start + max).min(all.len());
                let mut logs: Vec<Value> = Vec::new();
                for (id, h) in &all[start..end] {
                    let history = json!({"id": format!("{id}{h}"), "created": "2026-01-02T09:00:00.000+0000",
                        "items": [{"field": "status", "fieldId": "status", "from": "1", "to": "3"}]});
                    match logs.last_mut() {
                        Some(l) if l["issueId"] == json!(id) => {
                            l["changeHistories"].as_array_mut().unwrap().push(history)
                        }
                        _ => logs.push(json!({"issueId": id, "changeHistories": [history]})),
                    }
                }
                let mut page = json!({ "issueChangeLogs": logs });
                if end < all.len() {
                    page["nextPageToken"] = json!(end.to_string());
                }
                ok(page)
            }
            "/rest/api/2/search" => {
                let start = body["startAt"].as_u64().unwrap();
                if start >= self.dc_window {
                    return JiraResponse {
                        status: 400,
                        retry_after: None,
                        body: r#"{"errorMessages":["Retrieving results beyond the result window is not supported."]}"#.into(),
                    };
                }
                let max = body["maxResults"].as_u64().unwrap().min(self.dc_cap);
                let hits = self.dc_matches(body["jql"].as_str().unwrap_or(""));
                let total = hits.len() as u64;
                let end = (start + max).min(total);
                let issues: Vec<Value> = hits[start.min(total) as usize..end as usize]
                    .iter()
                    .map(|&i| {
                        let mut issue = json!({"id": self.dc_id(i).to_string(), "key": format!("DW-{}", i + 1),
                            "fields": {}, "changelog": {"startAt": 0, "maxResults": 0, "total": 0, "histories": []}});
                        if Self::wants_worklogs(&body) {
                            issue["fields"]["worklog"] = self.embedded_worklogs(i);
                        }
                        issue
                    })
                    .collect();
                ok(json!({"startAt": start, "maxResults": max, "total": total, "issues": issues}))
            }
            worklogs if worklogs.ends_with("/worklog") => {
                let issue = worklogs.split('/').nth_back(1).unwrap_or("");
                let query = request.path.split_once('?').map_or("", |(_, q)| q);
                let param = |name: &str| {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .map(|v| v.parse::<u64>().unwrap())
                };
                assert!(param("startedAfter").is_some() && param("startedBefore").is_some());
                let i = Self::index(issue)
                    .or_else(|| (0..self.issues).find(|&i| self.dc_id(i).to_string() == issue))
                    .unwrap();
                let total = self.worklog_count(i);
                let start = param("startAt").unwrap_or(0);
                let max = param("maxResults").unwrap_or(5000).min(self.worklog_cap);
                let page: Vec<Value> = (start..(start + max).min(total))
                    .map(|w| Self::worklog(i, w))
                    .collect();
                ok(json!({"startAt": start, "maxResults": max, "total": total, "worklogs": page}))
            }
            other => JiraResponse {
                status: 404,
                retry_after: None,
                body: format!("{{\"errorMessages\":[\"no route {other}\"]}}").into(),
            },
        }
    }
}

impl Transport for ScriptedJira {
    /// The request is recorded when it is handed out; like a real network request, its answer
    /// is never ready at the first poll.
    fn send(
        &self,
        request: JiraRequest,
        cancel: &Cancel,
    ) -> impl Future<Output = Result<JiraResponse, TransportError>> {
        let mut answer = Some(if cancel.is_cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(self.answer(&request))
        });
        let mut polled = false;
        futures::future::poll_fn(move |cx| {
            if polled {
                Poll::Ready(answer.take().unwrap_or(Err(TransportError::Cancelled)))
            } else {
                polled = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
    }
}

/// Time that passes only when the driver sleeps.
#[derive(Debug, Default)]
pub struct VirtualClock {
    pub now: Cell<f64>,
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    /// Time jumps forward when the sleep is first polled, as if it had been waited out.
    async fn sleep(&self, ms: f64) {
        self.now.set(self.now.get() + ms)
    }

    fn random(&self) -> f64 {
        0.5
    }
}

/// A `Clock` that borrows the scripted Jira's clock, so sends are stamped with driver time.
pub struct SharedClock<'a>(pub &'a VirtualClock);

impl Clock for SharedClock<'_> {
    fn now_ms(&self) -> f64 {
        self.0.now_ms()
    }
    fn sleep(&self, ms: f64) -> impl Future<Output = ()> {
        self.0.sleep(ms)
    }
    fn random(&self) -> f64 {
        self.0.random()
    }
}
