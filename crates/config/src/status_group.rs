//! Status groups: named sets of statuses, e.g. "Lead time" or "Cycle time".

use serde::{Deserialize, Serialize};

use crate::StatusRef;

/// A named set of statuses whose times are summed into one column. "Cycle time" = In Progress +
/// Review + QA is the classic one; "Lead time" adds the backlog statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusGroup {
    /// 1 to 200 characters.
    pub name: String,
    /// 1 to 200 statuses.
    pub statuses: Vec<StatusRef>,
}
