//! Reusable pieces of the UI. Each takes plain values or signals and owns no data fetching,
//! so browser tests can mount them alone.

mod bound;
mod charts;
mod conflict;
mod error;
mod form;
mod progress;
mod results;
mod table;
mod worklogs;

pub use bound::Form;
pub use charts::ReportCharts;
pub use conflict::ConflictPanel;
pub use error::{ErrorPanel, Notice, ProblemList, Problems, message_list};
pub use form::{
    Field, Shape, TextArea, TextInput, checkbox, json_file_button, select_field, set_id_namespace,
    text_box, unique_id,
};
pub use progress::{BusyPanel, ProgressPanel};
pub use results::ResultsTable;
pub use table::{row_button, table_head};
pub use worklogs::{Comments, Drill, WorklogPanel};
