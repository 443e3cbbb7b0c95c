//! The editor module (report editor, administration, charts), imported by the page on first
//! use: see `client::editor_loader` (the page's side) and `client::editor_module` (this side).
//! Its `mount` export is the only way in.

#[cfg(target_arch = "wasm32")]
mod module {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(start)]
    pub fn start() {
        console_error_panic_hook::set_once();
    }

    /// Mounts `what` (JSON: see `client::editor_loader::Mount`) into `container`. Returns a handle
    /// with an `unmount()` method.
    #[wasm_bindgen]
    pub fn mount(
        container: web_sys::HtmlElement,
        what: String,
        host: JsValue,
    ) -> Result<JsValue, JsValue> {
        client::editor_module::mount(container, &what, host)
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "this Dwell module runs in a browser: build it with `cargo xtask test --only client`"
    );
    std::process::exit(2);
}
