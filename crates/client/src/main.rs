//! The page's entry point: installs the panic hook and mounts the app. Everything else lives in
//! the library, so browser tests can mount the same components.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    client::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Dwell client runs in a browser: build it with `cargo xtask test --only client`");
    std::process::exit(2);
}
