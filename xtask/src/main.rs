//! `cargo xtask`: the project's two commands, `demo` and `test`, in plain Rust.
//!
//! The design decision: every step a newcomer or CI needs (installing the wasm target and tools,
//! building, testing, checking) lives here, behind two commands, so the README and `.ci/run`
//! stay one line each. Installs are skipped when the tool is already present at the right version.

mod client;
mod demo;
mod forge;
mod modules;
mod static_csp;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  demo            run the product locally (options: cargo xtask demo --help)
  forge           build the client and package forge/, the Forge app folder to deploy
                  (--no-build: package the dist/ already built)
  test            run every test and check (what CI runs)
    --only NAME   run only the named step (repeatable)
    --skip NAME   skip the named step (repeatable)
    --list        list the steps
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("forge") => forge::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// An error for people: what failed, in a sentence.
pub type Result<T = ()> = std::result::Result<T, String>;
