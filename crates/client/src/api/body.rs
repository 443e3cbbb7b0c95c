//! An answer's body as it arrived: its bytes in this module's memory, for the few fields the
//! page reads (the fetch planner's skim, error messages), and in the browser also the
//! JavaScript value it came as, which goes on to the worker as it is.
//!
//! The key design decision: the page never re-creates a body it already holds. A `fetch`
//! answer is read as an `ArrayBuffer`, copied once into wasm memory (a memcpy: no decoding to
//! a JavaScript string, no encoding back), and the same buffer is *transferred* to the worker,
//! which costs no copy at all. `AP.request` (Connect) and the Forge bridge hand over a
//! JavaScript string: it is encoded into wasm once for the skim and the string itself is
//! posted, because cloning a 4.65 MB string costs the page thread about 8 ms where encoding it
//! to bytes to transfer them costs about 70 ms (docs/PERFORMANCE.md). Native builds (tests,
//! benchmarks) hold the bytes only. Jira's JSON is UTF-8 (RFC 8259): its readers take the
//! bytes with `serde_json::from_slice`, which checks every string it reads, so a body that
//! is not UTF-8 gives an error where one of its read fields is not, never a replaced
//! character.

use std::borrow::Cow;
use std::fmt;

/// A body: bytes, and in the browser the JavaScript value they came from.
#[derive(Clone, Default)]
pub struct Body {
    bytes: Vec<u8>,
    #[cfg(target_arch = "wasm32")]
    original: Option<Original>,
}

/// What a body came as in the browser, to be posted to the worker as it is.
#[cfg(target_arch = "wasm32")]
#[derive(Clone)]
enum Original {
    /// `Response.arrayBuffer()`: transferred (the page's buffer is then detached).
    Buffer(js_sys::ArrayBuffer),
    /// A string from all.js or the Forge bridge: cloned.
    Text(js_sys::JsString),
}

impl Body {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The body as text for a message to a person: bytes that are not UTF-8 show as `�`.
    pub fn text_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// The body as text, or why it is not UTF-8.
    pub fn into_text(self) -> Result<String, String> {
        String::from_utf8(self.bytes).map_err(|e| not_utf8(e.utf8_error()))
    }

    /// Why `bytes`, which a JSON reader refused with `error`, could not be read: that they
    /// are not UTF-8 text when they are not (the reader's own words would only say "invalid
    /// unicode code point"), else the reader's words.
    pub fn explain(bytes: &[u8], error: &serde_json::Error) -> String {
        match std::str::from_utf8(bytes) {
            Err(e) => not_utf8(e),
            Ok(_) => error.to_string(),
        }
    }
}

fn not_utf8(e: std::str::Utf8Error) -> String {
    format!(
        "the answer is not UTF-8 text (an invalid byte at offset {})",
        e.valid_up_to()
    )
}

#[cfg(target_arch = "wasm32")]
impl Body {
    /// `Response.arrayBuffer()`'s buffer: copied once into wasm memory, and kept to be
    /// transferred to the worker.
    pub fn from_array_buffer(buffer: js_sys::ArrayBuffer) -> Body {
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        Body {
            bytes,
            original: Some(Original::Buffer(buffer)),
        }
    }

    /// A JavaScript string: encoded once into wasm memory as UTF-8, and kept to be cloned
    /// to the worker as it is.
    pub fn from_js_string(text: js_sys::JsString) -> Body {
        let bytes = String::from(&text).into_bytes();
        Body {
            bytes,
            original: Some(Original::Text(text)),
        }
    }

    /// A payload as the worker receives it (an `ArrayBuffer`, a `Uint8Array` or a string),
    /// copied into the worker's memory; `None` for anything else.
    pub fn from_posted(value: &wasm_bindgen::JsValue) -> Option<Body> {
        use wasm_bindgen::JsCast;
        let bytes = if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
            js_sys::Uint8Array::new(buffer).to_vec()
        } else if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
            array.to_vec()
        } else {
            value.as_string()?.into_bytes()
        };
        Some(Body::from(bytes))
    }

    /// What to post to the worker, and the buffer to transfer with it: the original value
    /// when there is one, else the bytes copied out into a buffer of their own. A body goes
    /// to the worker once: a transferred buffer is detached in this page.
    pub fn into_posted(self) -> (wasm_bindgen::JsValue, Option<js_sys::ArrayBuffer>) {
        match self.original {
            Some(Original::Buffer(buffer)) => (buffer.clone().into(), Some(buffer)),
            Some(Original::Text(text)) => (text.into(), None),
            None => {
                let buffer = js_sys::Uint8Array::from(self.bytes.as_slice()).buffer();
                (buffer.clone().into(), Some(buffer))
            }
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body {
            bytes,
            #[cfg(target_arch = "wasm32")]
            original: None,
        }
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(text.into_bytes())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::from(text.as_bytes().to_vec())
    }
}

/// Two bodies are equal when their bytes are.
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.bytes == other.bytes
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Body").field(&self.text_lossy()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_utf8_says_where() {
        let body = Body::from(b"{\"a\":\"caf\xe9\"}".to_vec());
        assert_eq!(body.text_lossy(), "{\"a\":\"caf\u{fffd}\"}");
        assert_eq!(
            body.clone().into_text(),
            Err("the answer is not UTF-8 text (an invalid byte at offset 9)".into())
        );
        let e = serde_json::from_slice::<serde_json::Value>(body.as_bytes()).unwrap_err();
        assert_eq!(
            Body::explain(body.as_bytes(), &e),
            "the answer is not UTF-8 text (an invalid byte at offset 9)"
        );
        let e = serde_json::from_slice::<serde_json::Value>(b"{\"a\":").unwrap_err();
        assert_eq!(
            Body::explain(b"{\"a\":", &e),
            "EOF while parsing a value at line 1 column 5"
        );
        assert_eq!(Body::from("ok").into_text().as_deref(), Ok("ok"));
    }
}
