//! The app's pages, one module each. Pages fetch their data (through `context::Ctx`) and compose
//! components; the logic behind them lives in `crate::view`.

pub mod admin;
pub mod connection;
pub mod editor;
pub mod reports;
pub mod run;
