//! The Web Worker's side: receives `[header, payload?]` messages (see
//! [`crate::worker_protocol`]), runs them through one [`Worker`], and answers the same way.
//! Runs in `DedicatedWorkerGlobalScope`, off the page's main thread.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::api::body::Body;
use crate::worker_protocol::{FromWorker, Payload, Worker};

thread_local! {
    static WORKER: RefCell<Worker> = RefCell::new(Worker::new());
    /// Milliseconds spent reading documents since the run began.
    static INGEST_MS: Cell<f64> = const { Cell::new(0.0) };
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
}

/// Runs one message, timing the work the benchmark reports.
fn timed(header: &str, payload: Option<Body>) -> Option<(FromWorker, Option<Payload>)> {
    let kind = header
        .split("\"type\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .to_string();
    let started = now();
    let mut answer = WORKER.with(|w| w.borrow_mut().handle(header, payload));
    let elapsed = now() - started;
    match kind.as_str() {
        "begin" => INGEST_MS.with(|t| t.set(0.0)),
        "deliver" => INGEST_MS.with(|t| t.set(t.get() + elapsed)),
        _ => {}
    }
    if let Some((FromWorker::Computed { timings, .. }, _)) = &mut answer {
        timings.compute_ms = elapsed;
        timings.ingest_ms = INGEST_MS.with(Cell::get);
    }
    answer
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker, payload: Option<Payload>) {
    let Ok(header) = serde_json::to_string(message) else {
        return;
    };
    let out = Array::of1(&JsValue::from_str(&header));
    let transfer = Array::new();
    match payload {
        Some(Payload::Text(t)) => {
            out.push(&JsValue::from_str(&t));
        }
        Some(Payload::Bytes(b)) => {
            let bytes = Uint8Array::from(b.as_slice());
            transfer.push(&bytes.buffer());
            out.push(&bytes);
        }
        None => {}
    }
    let _ = scope.post_message_with_transfer(&out, &transfer);
}

/// Installs the message handler and tells the page the worker listens.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let (header, payload) = match data.dyn_ref::<Array>() {
            // A Jira answer comes as the page received it (see `Body`): copied into this
            // worker's memory here, once.
            Some(a) => (a.get(0).as_string(), Body::from_posted(&a.get(1))),
            None => (data.as_string(), None),
        };
        let answer = match header {
            Some(h) => timed(&h, payload),
            None => Some((
                FromWorker::Unreadable {
                    message: "a message is [header, payload?]".into(),
                },
                None,
            )),
        };
        if let Some((message, payload)) = answer {
            post(&reply_to, &message, payload);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &FromWorker::Ready, None);
}
