//! The Web Worker's entry point: the heavy half of the client (configuration checks with the
//! time-zone database; the report engine), loaded off the page's first download.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    client::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Dwell worker runs in a browser: build it with `cargo xtask test --only client`");
    std::process::exit(2);
}
