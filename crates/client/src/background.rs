//! The Web Worker, seen from the page: started on first use, asked by message, answered by
//! id. The worker's code is a separate download (`worker_loader.js` and its wasm), fetched
//! only when the page first needs it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use config::ValidationError;
use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::worker_protocol::{DocumentKind, FromWorker, ToWorker};

/// Where trunk puts the worker's loader (`data-loader-shim`), relative to the page.
const WORKER_URL: &str = "./worker_loader.js";

#[derive(Default)]
struct State {
    worker: Option<Worker>,
    ready: bool,
    /// Messages waiting for the worker's `Ready`.
    queued: Vec<String>,
    waiting: HashMap<u32, oneshot::Sender<Vec<ValidationError>>>,
    next_id: u32,
    failed: Option<String>,
}

/// A handle on the page's worker. Cheap to clone.
#[derive(Clone, Default)]
pub struct Background(Rc<RefCell<State>>);

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Background")
    }
}

impl Background {
    pub fn new() -> Self {
        Self::default()
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
            let Some(text) = event.data().as_string() else {
                return;
            };
            let Ok(message) = serde_json::from_str::<FromWorker>(&text) else {
                return;
            };
            let mut state = shared.borrow_mut();
            match message {
                FromWorker::Ready => {
                    state.ready = true;
                    let queued = std::mem::take(&mut state.queued);
                    if let Some(w) = &state.worker {
                        for m in queued {
                            let _ = w.post_message(&JsValue::from_str(&m));
                        }
                    }
                }
                FromWorker::Validated { id, problems } => {
                    if let Some(tx) = state.waiting.remove(&id) {
                        let _ = tx.send(problems);
                    }
                }
                FromWorker::Unreadable { message } => {
                    web_sys::console::error_1(&JsValue::from_str(&message));
                }
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let shared = self.0.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let mut state = shared.borrow_mut();
            state.failed = Some("Dwell's worker stopped; reload the page".into());
            state.waiting.clear();
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        state.worker = Some(worker);
        Ok(())
    }

    fn post(&self, message: &ToWorker) -> Result<(), String> {
        self.ensure_started()?;
        let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
        let mut state = self.0.borrow_mut();
        if state.ready {
            if let Some(w) = &state.worker {
                w.post_message(&JsValue::from_str(&text))
                    .map_err(|_| "cannot reach Dwell's worker".to_string())?;
            }
        } else {
            state.queued.push(text);
        }
        Ok(())
    }

    /// Checks a configuration document exactly as the server would: every problem with its
    /// JSON path, none when it is valid.
    pub async fn validate(
        &self,
        kind: DocumentKind,
        json: String,
    ) -> Result<Vec<ValidationError>, String> {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut state = self.0.borrow_mut();
            state.next_id += 1;
            let id = state.next_id;
            state.waiting.insert(id, tx);
            id
        };
        self.post(&ToWorker::Validate { id, kind, json })?;
        rx.await
            .map_err(|_| "Dwell's worker stopped; reload the page".to_string())
    }
}
