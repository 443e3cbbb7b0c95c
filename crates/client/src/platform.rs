//! Browser glue the rest of the client uses: timers and the clock (in a page or a worker;
//! `fetch` is gloo-net's, in `api::http`), the page address, scripts, downloads, the
//! clipboard, file reading, local time formatting. Nothing here stores anything: no storage
//! API is used anywhere in the client.

use std::future::Future;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(js_namespace = performance, js_name = mark, catch)]
    fn performance_mark(name: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = performance, js_name = measure, catch)]
    fn performance_measure(name: &str, options: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = Intl, js_name = supportedValuesOf, catch)]
    fn intl_supported_values_of(key: &str) -> Result<Array, JsValue>;
}

/// Resolves after `ms` milliseconds.
pub fn sleep(ms: f64) -> impl Future<Output = ()> {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms.clamp(0.0, 2_147_483_647.0) as i32);
    });
    async move {
        let _ = JsFuture::from(promise).await;
    }
}

/// Yields to the browser's event loop and resumes in a task of its own: through
/// `scheduler.yield()` where the browser has it (the page resumes ahead of other tasks of
/// its kind), else a zero-length `setTimeout`.
pub fn yield_now() -> impl Future<Output = ()> {
    let scheduled = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(|s| s.is_object())
        .and_then(|scheduler| {
            let f = js_sys::Reflect::get(&scheduler, &"yield".into()).ok()?;
            let f = f.dyn_into::<Function>().ok()?;
            f.call0(&scheduler).ok()?.dyn_into::<Promise>().ok()
        });
    let promise = scheduled.unwrap_or_else(|| {
        Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, 0);
        })
    });
    async move {
        let _ = JsFuture::from(promise).await;
    }
}

/// `performance.now()`: milliseconds on a monotonic clock.
pub fn now_ms() -> f64 {
    performance_now()
}

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Asks the browser's yes/no question; `false` when it cannot ask.
pub fn confirm(question: &str) -> bool {
    window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// `location.search` of the page.
pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The `content` of the page's `<meta name="{name}">`, when it has one.
pub fn meta_content(name: &str) -> Option<String> {
    let document = window()?.document()?;
    let meta = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    meta.get_attribute("content")
}

/// `location.hash` of the page.
pub fn location_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's origin, where the metadata server is.
pub fn origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub fn page_url() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Sets `location.hash` (which fires `hashchange`).
pub fn set_hash(hash: &str) {
    if let Some(w) = window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Loads a classic script and resolves once it ran (or failed to load).
pub async fn load_script(src: &str) -> Result<(), String> {
    let document = window().and_then(|w| w.document()).ok_or("no document")?;
    let script: web_sys::HtmlScriptElement = document
        .create_element("script")
        .map_err(|_| "cannot create a script element")?
        .unchecked_into();
    script.set_src(src);
    script.set_cross_origin(Some("anonymous"));
    let promise = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document
        .head()
        .ok_or("no document head")?
        .append_child(&script)
        .map_err(|_| "cannot add the script")?;
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|_| format!("cannot load {src}"))
}

/// The IANA time-zone names this browser knows (`Intl.supportedValuesOf`), for pickers. The
/// page carries no time-zone database of its own; the worker checks the choice.
pub fn time_zones() -> Vec<String> {
    intl_supported_values_of("timeZone")
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

/// Offers `content` as a file download.
pub fn download(filename: &str, mime: &str, content: &str) -> Result<(), String> {
    let parts = Array::of1(&JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot build the file")?;
    download_blob(filename, &blob)
}

/// Offers a blob as a file download.
pub fn download_blob(filename: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url =
        web_sys::Url::create_object_url_with_blob(blob).map_err(|_| "cannot build the file")?;
    let document = window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "cannot create a link")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Copies text to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = window()
        .map(|w| w.navigator().clipboard())
        .ok_or("no clipboard")?;
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(drop)
        .map_err(|_| "the browser refused to copy; select the link and copy it".to_string())
}

/// Reads a file the user chose.
pub async fn read_file(file: &web_sys::File) -> Result<String, String> {
    JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| "cannot read the file".to_string())
}

/// An instant (RFC 3339 text) in the user's local time and language, e.g. "21 Jun 2026,
/// 15:04". Text it cannot read is shown as it is.
pub fn local_time(iso: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_string();
    }
    let options = js_sys::Object::new();
    for (k, v) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    }
    date.to_locale_string("default", &options).into()
}

/// The browser's own IANA time zone (`UTC` when it does not say).
pub fn time_zone() -> String {
    let options =
        js_sys::Intl::DateTimeFormat::new(&Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Offers bytes as a file download.
pub fn download_bytes(
    filename: &str,
    mime: &str,
    bytes: &js_sys::Uint8Array,
) -> Result<(), String> {
    let parts = Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot build the file")?;
    download_blob(filename, &blob)
}

/// Marks a moment on the page's performance timeline (the browser benchmark reads them).
pub fn mark(name: &str) {
    let _ = performance_mark(name);
}

/// Records a duration measured elsewhere (in the worker) on the page's timeline.
pub fn measure(name: &str, duration_ms: f64) {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &JsValue::from_f64(0.0));
    let _ = js_sys::Reflect::set(
        &options,
        &"duration".into(),
        &JsValue::from_f64(duration_ms),
    );
    let _ = performance_measure(name, &options);
}

/// Records the fetch driver's handling of one Jira answer as a `dwell:answer` measure from
/// `start_ms` to `end_ms`, with what it was for, its size in bytes and the time the planner
/// took to read it in `detail` (the browser benchmark reports where the page thread's time
/// went from these).
pub fn measure_answer(purpose: &str, bytes: usize, start_ms: f64, read_ms: f64, end_ms: f64) {
    let detail = js_sys::Object::new();
    let set = |o: &js_sys::Object, k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(o, &k.into(), &v);
    };
    set(&detail, "purpose", JsValue::from_str(purpose));
    set(&detail, "bytes", JsValue::from_f64(bytes as f64));
    set(&detail, "readMs", JsValue::from_f64(read_ms - start_ms));
    let options = js_sys::Object::new();
    set(&options, "start", JsValue::from_f64(start_ms));
    set(&options, "end", JsValue::from_f64(end_ms));
    set(&options, "detail", detail.into());
    let _ = performance_measure("dwell:answer", &options);
}
