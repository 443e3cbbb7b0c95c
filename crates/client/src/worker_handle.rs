//! The page's handle on its Web Worker ([`WorkerHandle`]): starts it on first use, sends it
//! `[header, payload?]` messages and matches the answers by id. The worker's code is a separate download (`worker_loader.js` and
//! its wasm), fetched only when the page first needs it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use config::ValidationError;
use futures::channel::oneshot;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::api::body::Body;
use crate::api::jira::Flavour;
use crate::fetch::Delivery;
use crate::route::Overrides;
use crate::worker_protocol::{
    ComputeContext, ConfigSource, DeliveryKind, DocumentKind, ExportFormat, FromWorker, RunPlan,
    Timings, ToWorker,
};
use crate::worker_session::{CellWorklogs, ReportSummary, RowView, SortBy};

/// Where trunk puts the worker's loader (`data-loader-shim`), relative to the page.
const WORKER_URL: &str = "./worker_loader.js";

const STOPPED: &str = "Dwell's worker stopped; reload the page";

const LOST: &str = "a message to Dwell's worker was lost; reload the page";

type Answer = (FromWorker, JsValue);

#[derive(Default)]
struct State {
    worker: Option<Worker>,
    ready: bool,
    /// Messages waiting for the worker's `Ready`, each with the buffers it transfers.
    queued: Vec<(Array, Array)>,
    waiting: HashMap<u32, oneshot::Sender<Answer>>,
    next_id: u32,
    failed: Option<String>,
}

/// A handle on the page's worker. Cheap to clone.
#[derive(Clone, Default)]
pub struct WorkerHandle(Rc<RefCell<State>>);

impl std::fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WorkerHandle")
    }
}

/// A file made by the worker.
#[derive(Debug, Clone)]
pub enum ExportFile {
    Text(String),
    Bytes(js_sys::Uint8Array),
}

thread_local! {
    static SHARED: WorkerHandle = WorkerHandle::default();
}

impl WorkerHandle {
    /// The page's one worker.
    pub fn shared() -> Self {
        SHARED.with(Clone::clone)
    }

    fn ensure_started(&self) -> Result<(), String> {
        let mut state = self.0.borrow_mut();
        if let Some(e) = &state.failed {
            return Err(e.clone());
        }
        if state.worker.is_some() {
            return Ok(());
        }
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(WORKER_URL, &options)
            .map_err(|_| "the browser could not start Dwell's worker".to_string())?;
        let shared = self.0.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let (header, payload) = match data.dyn_ref::<Array>() {
                Some(a) => (a.get(0).as_string(), a.get(1)),
                None => (data.as_string(), JsValue::UNDEFINED),
            };
            let Some(message) = header.and_then(|h| serde_json::from_str::<FromWorker>(&h).ok())
            else {
                return;
            };
            let mut state = shared.borrow_mut();
            match message.id() {
                Some(id) => {
                    if let Some(tx) = state.waiting.remove(&id) {
                        let _ = tx.send((message, payload));
                    }
                }
                None => match message {
                    FromWorker::Ready => {
                        state.ready = true;
                        let queued = std::mem::take(&mut state.queued);
                        let sent = match &state.worker {
                            Some(w) => queued
                                .iter()
                                .all(|(m, t)| w.post_message_with_transfer(m, t).is_ok()),
                            None => queued.is_empty(),
                        };
                        if !sent {
                            // A queued document is lost: nothing this worker computes may be
                            // shown, so every later message fails and the run says why.
                            state.failed = Some(LOST.into());
                            state.waiting.clear();
                        }
                    }
                    FromWorker::Unreadable { message } => {
                        web_sys::console::error_1(&JsValue::from_str(&message));
                    }
                    _ => {}
                },
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let shared = self.0.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let mut state = shared.borrow_mut();
            state.failed = Some(STOPPED.into());
            // Dropping the senders wakes every waiter with an error.
            state.waiting.clear();
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        state.worker = Some(worker);
        Ok(())
    }

    /// Posts `message` with `payload` as the page received it: a `fetch` answer's buffer is
    /// transferred (no copy), a string from all.js or the Forge bridge cloned (see `Body`).
    fn post(&self, message: &ToWorker, payload: Option<Body>) -> Result<(), String> {
        self.ensure_started()?;
        let header = serde_json::to_string(message).map_err(|e| e.to_string())?;
        let out = Array::of1(&JsValue::from_str(&header));
        let transfer = Array::new();
        if let Some(p) = payload {
            let (value, buffer) = p.into_posted();
            out.push(&value);
            if let Some(b) = buffer {
                transfer.push(&b);
            }
        }
        let mut state = self.0.borrow_mut();
        if state.ready {
            let worker = state.worker.as_ref().ok_or_else(|| STOPPED.to_string())?;
            worker
                .post_message_with_transfer(&out, &transfer)
                .map_err(|_| "cannot reach Dwell's worker".to_string())?;
        } else {
            state.queued.push((out, transfer));
        }
        Ok(())
    }

    fn next_id(&self) -> (u32, oneshot::Receiver<Answer>) {
        let (tx, rx) = oneshot::channel();
        let mut state = self.0.borrow_mut();
        state.next_id += 1;
        let id = state.next_id;
        state.waiting.insert(id, tx);
        (id, rx)
    }

    async fn ask(&self, make: impl FnOnce(u32) -> ToWorker) -> Result<Answer, String> {
        self.ask_with(make, None).await
    }

    async fn ask_with(
        &self,
        make: impl FnOnce(u32) -> ToWorker,
        payload: Option<Body>,
    ) -> Result<Answer, String> {
        let (id, rx) = self.next_id();
        self.post(&make(id), payload)?;
        rx.await.map_err(|_| STOPPED.to_string())
    }

    /// Checks a configuration document exactly as the server would: every problem with its
    /// JSON path, none when it is valid.
    pub async fn validate(
        &self,
        kind: DocumentKind,
        json: String,
    ) -> Result<Vec<ValidationError>, String> {
        match self.ask(|id| ToWorker::Validate { id, kind, json }).await? {
            (FromWorker::Validated { problems, .. }, _) => Ok(problems),
            _ => Err(STOPPED.into()),
        }
    }

    /// Starts run `run` of a configuration (the worker drops the previous run's data) and
    /// returns what to fetch.
    pub async fn begin(
        &self,
        run: u32,
        flavour: Flavour,
        source: ConfigSource,
        overrides: Overrides,
    ) -> Result<RunPlan, String> {
        let answer = self
            .ask(|id| ToWorker::Begin {
                id,
                run,
                flavour,
                source,
                overrides,
                now_ms: Some(js_sys::Date::now() as i64),
            })
            .await?;
        match answer {
            (FromWorker::Begun { result, .. }, _) => result,
            _ => Err(STOPPED.into()),
        }
    }

    /// Hands a Jira document to the worker as it arrives.
    pub fn deliver(&self, run: u32, delivery: Delivery) -> Result<(), String> {
        let (kind, ids, body) = DeliveryKind::split(delivery);
        let payload = (!body.is_empty()).then_some(body);
        self.post(&ToWorker::Deliver { run, kind, ids }, payload)
    }

    /// Forgets run `run`'s data.
    pub fn end(&self, run: u32) {
        let _ = self.post(&ToWorker::End { run }, None);
    }

    pub async fn compute(
        &self,
        run: u32,
        group: Option<String>,
        context: ComputeContext,
    ) -> Result<(ReportSummary, Timings), String> {
        let answer = self
            .ask(|id| ToWorker::Compute {
                id,
                run,
                group,
                context,
            })
            .await?;
        match answer {
            (
                FromWorker::Computed {
                    result, timings, ..
                },
                _,
            ) => result.map(|s| (s, timings)),
            _ => Err(STOPPED.into()),
        }
    }

    pub async fn rows(
        &self,
        run: u32,
        sort: Option<SortBy>,
        start: usize,
        count: usize,
    ) -> Result<Vec<RowView>, String> {
        let answer = self
            .ask(|id| ToWorker::Rows {
                id,
                run,
                sort,
                start,
                count,
            })
            .await?;
        match answer {
            (FromWorker::Rows { rows, .. }, _) => Ok(rows),
            _ => Err(STOPPED.into()),
        }
    }

    /// The worklogs behind a cell of run `run`'s timesheet (see [`ToWorker::Worklogs`]).
    pub async fn worklogs(
        &self,
        run: u32,
        row: Option<usize>,
        column: Option<usize>,
    ) -> Result<CellWorklogs, String> {
        let answer = self
            .ask(|id| ToWorker::Worklogs {
                id,
                run,
                row,
                column,
            })
            .await?;
        match answer {
            (FromWorker::Worklogs { result, .. }, _) => result,
            _ => Err(STOPPED.into()),
        }
    }

    /// Jira's `worklog/list` answer read by the worker: `(worklog id, comment as text)`.
    pub async fn comments(&self, body: Body) -> Result<Vec<(String, String)>, String> {
        let answer = self
            .ask_with(|id| ToWorker::Comments { id }, Some(body))
            .await?;
        match answer {
            (FromWorker::Comments { result, .. }, _) => result,
            _ => Err(STOPPED.into()),
        }
    }

    pub async fn export(&self, run: u32, format: ExportFormat) -> Result<ExportFile, String> {
        let answer = self.ask(|id| ToWorker::Export { id, run, format }).await?;
        match answer {
            (FromWorker::Exported { error: Some(e), .. }, _) => Err(e),
            (FromWorker::Exported { error: None, .. }, payload) => {
                if let Some(text) = payload.as_string() {
                    Ok(ExportFile::Text(text))
                } else {
                    payload
                        .dyn_into::<js_sys::Uint8Array>()
                        .map(ExportFile::Bytes)
                        .map_err(|_| "the worker sent no file".to_string())
                }
            }
            _ => Err(STOPPED.into()),
        }
    }
}
