//! `cargo xtask demo`: runs the product locally.

use crate::Result;

pub fn run(_args: &[String]) -> Result {
    Err("the demo is not built yet: see the open issues".into())
}
