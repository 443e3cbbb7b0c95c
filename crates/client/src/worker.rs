//! The Web Worker's side: listens for [`ToWorker`](crate::worker_protocol::ToWorker) messages
//! and answers each with [`crate::worker_protocol::handle`]. Runs in
//! `DedicatedWorkerGlobalScope`, off the page's main thread.

use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::worker_protocol::{FromWorker, handle};

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

/// Installs the message handler and tells the page the worker listens.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = match event.data().as_string() {
            Some(text) => handle(&text),
            None => FromWorker::Unreadable {
                message: "messages are JSON text".into(),
            },
        };
        post(&reply_to, &answer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &FromWorker::Ready);
}
