//! Reusable pieces of the UI. Each takes plain values or signals and owns no data fetching,
//! so browser tests can mount them alone.

mod bound;
mod charts;
mod conflict;
mod error;
mod form;
mod progress;
mod results;
mod worklogs;

pub use bound::Form;
pub use charts::ReportCharts;
pub use conflict::ConflictPanel;
pub use error::{ErrorPanel, Notice, Problems};
pub use form::{Field, TextInput, set_id_namespace, unique_id};
pub use progress::{BusyPanel, ProgressPanel};
pub use results::ResultsTable;
pub use worklogs::{Comments, Drill, WorklogPanel};
