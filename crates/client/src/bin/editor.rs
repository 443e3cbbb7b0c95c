//! The configuration editor module (report editor and administration), loaded by the page on
//! first use: see `client::lazy`. Its `mount` export is the only way in.

#[cfg(target_arch = "wasm32")]
mod module {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(start)]
    pub fn start() {
        console_error_panic_hook::set_once();
    }

    /// Mounts the editor for the page's current route into `container`.
    #[wasm_bindgen]
    pub fn mount(
        container: web_sys::HtmlElement,
        props: String,
        host: JsValue,
    ) -> Result<JsValue, JsValue> {
        client::editor_app::mount(container, &props, host)
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Dwell editor runs in a browser: build it with `cargo xtask test --only client`");
    std::process::exit(2);
}
