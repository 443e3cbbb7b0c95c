//! Request and response bodies of the metadata server's `/api/v1`, shared by server and client.
//!
//! Records wrap a configuration with what the server adds: an id, a version for optimistic
//! concurrency, timestamps and the account ids of who created and last changed it. Account ids
//! are the only personal data the server keeps, and only as authors and grantees.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{
    AccountId, CalendarId, GroupName, ReportConfig, ReportId, StatusGroup, StatusGroupId,
    ValidationError, WorkCalendar,
};

/// The version of the export document format.
pub const EXPORT_FORMAT_VERSION: u32 = 1;
/// The `format` marker of an export document.
pub const EXPORT_FORMAT: &str = "dwell-config-export";

/// A saved report as the server returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportRecord {
    pub id: ReportId,
    /// Increases by one on every change; an update must name the version it read.
    pub version: u64,
    pub config: ReportConfig,
    #[serde(default)]
    pub access: ReportAccess,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: AccountId,
    pub updated_by: AccountId,
}

/// A report in a list: enough to show and open it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportSummary {
    pub id: ReportId,
    pub version: u64,
    pub name: String,
    pub description: String,
    pub updated_at: Timestamp,
    pub updated_by: AccountId,
    /// Whether the caller may change this report.
    pub can_edit: bool,
}

/// Body of `POST /api/v1/reports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewReport {
    pub config: ReportConfig,
    #[serde(default)]
    pub access: ReportAccess,
}

/// Body of `PUT /api/v1/reports/{id}`: the whole new state and the version it was based on.
/// A stale `version` gets 409 with the current record, so nothing is overwritten silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportUpdate {
    pub version: u64,
    pub config: ReportConfig,
    #[serde(default)]
    pub access: ReportAccess,
}

/// Who may see and change one report. Empty lists mean "no restriction beyond the tenant's
/// permissions".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportAccess {
    #[serde(default)]
    pub viewers: Vec<Principal>,
    #[serde(default)]
    pub editors: Vec<Principal>,
}

/// A user or a Jira group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Principal {
    User { account_id: AccountId },
    Group { name: GroupName },
}

/// Tenant-wide rights, granted by tenant admins. Tenant admins hold every right.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Permissions {
    /// May create reports and edit reports that do not restrict their editors.
    #[serde(default)]
    pub edit_reports: Vec<Principal>,
    /// May create, change and delete work calendars and status groups.
    #[serde(default)]
    pub manage_calendars: Vec<Principal>,
    /// May change these permissions, export, import and delete the tenant's data.
    #[serde(default)]
    pub manage_permissions: Vec<Principal>,
}

/// What the caller may do, from `GET /api/v1/me`. The UI shows and hides controls from this;
/// the server checks every request regardless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EffectiveRights {
    pub account_id: AccountId,
    pub is_admin: bool,
    pub edit_reports: bool,
    pub manage_calendars: bool,
    pub manage_permissions: bool,
}

/// A saved work calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CalendarRecord {
    pub id: CalendarId,
    pub version: u64,
    pub calendar: WorkCalendar,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Body of `PUT /api/v1/calendars/{id}`: the whole new calendar and the version it was based
/// on. A stale `version` gets 409 with the current record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CalendarUpdate {
    pub version: u64,
    pub calendar: WorkCalendar,
}

/// A saved status group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusGroupRecord {
    pub id: StatusGroupId,
    pub version: u64,
    pub group: StatusGroup,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Body of `PUT /api/v1/status-groups/{id}`: the whole new group and the version it was based
/// on. A stale `version` gets 409 with the current record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusGroupUpdate {
    pub version: u64,
    pub group: StatusGroup,
}

/// Everything the server stores for one tenant, from `GET /api/v1/export`. It never contains
/// the tenant's shared secret or any installation detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExportDocument {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// Always [`EXPORT_FORMAT_VERSION`].
    pub format_version: u32,
    pub exported_at: Timestamp,
    pub reports: Vec<ReportRecord>,
    pub calendars: Vec<CalendarRecord>,
    pub status_groups: Vec<StatusGroupRecord>,
    pub permissions: Permissions,
}

/// What an import changed, or would change in a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportSummary {
    pub dry_run: bool,
    pub reports: ChangeCounts,
    pub calendars: ChangeCounts,
    pub status_groups: ChangeCounts,
    pub permissions_changed: bool,
}

/// Counts of records by what happens to them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeCounts {
    pub created: u32,
    pub updated: u32,
    pub deleted: u32,
    pub unchanged: u32,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ErrorBody {
    /// A stable machine-readable code: `invalid_body`, `conflict`, `forbidden`, ...
    pub error: String,
    /// A sentence for people, lowercase, no trailing period.
    pub message: String,
    /// Per-field problems for validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ValidationError>,
}

/// The most grantees one permission or one report's access list may hold.
pub const MAX_PRINCIPALS: usize = 200;

fn check_principals(e: &mut crate::Errors, field: &str, list: &[Principal]) {
    e.max_items(field, list, MAX_PRINCIPALS);
}

impl crate::Validate for ReportAccess {
    fn check(&self, e: &mut crate::Errors) {
        check_principals(e, "viewers", &self.viewers);
        check_principals(e, "editors", &self.editors);
    }
}

impl crate::Validate for Permissions {
    fn check(&self, e: &mut crate::Errors) {
        check_principals(e, "editReports", &self.edit_reports);
        check_principals(e, "manageCalendars", &self.manage_calendars);
        check_principals(e, "managePermissions", &self.manage_permissions);
    }
}

impl crate::Validate for NewReport {
    fn check(&self, e: &mut crate::Errors) {
        e.nested("config", |e| self.config.check(e));
        e.nested("access", |e| self.access.check(e));
    }
}

impl crate::Validate for ReportUpdate {
    fn check(&self, e: &mut crate::Errors) {
        e.nested("config", |e| self.config.check(e));
        e.nested("access", |e| self.access.check(e));
    }
}

impl crate::Validate for CalendarUpdate {
    fn check(&self, e: &mut crate::Errors) {
        e.nested("calendar", |e| self.calendar.check(e));
    }
}

impl crate::Validate for StatusGroupUpdate {
    fn check(&self, e: &mut crate::Errors) {
        e.nested("group", |e| self.group.check(e));
    }
}

impl crate::Validate for ExportDocument {
    fn check(&self, e: &mut crate::Errors) {
        if self.format != EXPORT_FORMAT {
            e.push("format", format!("expected {EXPORT_FORMAT:?}"));
        }
        if self.format_version != EXPORT_FORMAT_VERSION {
            e.push(
                "formatVersion",
                format!(
                    "unsupported version {}, this build reads {EXPORT_FORMAT_VERSION}",
                    self.format_version
                ),
            );
        }
        for (i, r) in self.reports.iter().enumerate() {
            e.nested(format!("reports[{i}].config"), |e| r.config.check(e));
            e.nested(format!("reports[{i}].access"), |e| r.access.check(e));
        }
        for (i, c) in self.calendars.iter().enumerate() {
            e.nested(format!("calendars[{i}].calendar"), |e| c.calendar.check(e));
        }
        for (i, g) in self.status_groups.iter().enumerate() {
            e.nested(format!("statusGroups[{i}].group"), |e| g.group.check(e));
        }
        e.nested("permissions", |e| self.permissions.check(e));
    }
}
