//! The app's pages, one module each. Pages fetch their data (through `context::Ctx`) and compose
//! components; the logic behind them lives in `crate::view`.

pub mod admin;
pub mod connection;
pub mod editor;
pub mod reports;
pub mod run;

/// The zone a new timesheet cuts its days in (a template's, or a report switched to a worklog
/// kind): the user's, as the browser resolves it (`Intl`), rather than UTC.
pub fn user_time_zone() -> String {
    crate::platform::time_zone()
}
