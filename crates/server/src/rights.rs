//! Who may do what, as SaaSJet's Time in Status offers it: tenant admins hold every right and
//! grant the rest by account id or Jira group; a report can name its own viewers and editors.
//!
//! Pure functions over the caller's identity and the tenant's grants; every handler asks here.

use std::sync::Arc;

use config::AccountId;
use config::api::{EffectiveRights, Permissions, Principal, ReportAccess, ReportRecord};

/// A tenant-wide right, granted by the tenant's permissions (tenant admins hold all). Viewing
/// and editing one report depend on the report: [`Subject::can_view`], [`Subject::can_edit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    EditReports,
    ManageCalendars,
    ManagePermissions,
}

/// The caller as the rules see them: account, Jira groups and whether they are a tenant admin.
#[derive(Debug, Clone)]
pub struct Subject {
    pub account: AccountId,
    pub groups: Arc<Vec<String>>,
    pub admin: bool,
}

impl Subject {
    /// `admin_accounts` and `admin_groups` come from the settings; groups compare
    /// case-insensitively, as Jira's do.
    pub fn new(
        account: AccountId,
        groups: Arc<Vec<String>>,
        admin_accounts: &[AccountId],
        admin_groups: &[String],
    ) -> Self {
        let admin = admin_accounts.contains(&account)
            || groups
                .iter()
                .any(|g| admin_groups.iter().any(|a| a.eq_ignore_ascii_case(g)));
        Subject {
            account,
            groups,
            admin,
        }
    }

    fn is(&self, p: &Principal) -> bool {
        match p {
            Principal::User { account_id } => *account_id == self.account,
            Principal::Group { name } => self
                .groups
                .iter()
                .any(|g| g.eq_ignore_ascii_case(name.as_str())),
        }
    }

    fn in_any(&self, list: &[Principal]) -> bool {
        list.iter().any(|p| self.is(p))
    }

    pub fn rights(&self, p: &Permissions) -> EffectiveRights {
        EffectiveRights {
            account_id: self.account.clone(),
            is_admin: self.admin,
            edit_reports: self.admin || self.in_any(&p.edit_reports),
            manage_calendars: self.admin || self.in_any(&p.manage_calendars),
            manage_permissions: self.admin || self.in_any(&p.manage_permissions),
        }
    }

    /// Whether the grants `p` give this subject `right`.
    pub fn holds(&self, p: &Permissions, right: Right) -> bool {
        let rights = self.rights(p);
        match right {
            Right::EditReports => rights.edit_reports,
            Right::ManageCalendars => rights.manage_calendars,
            Right::ManagePermissions => rights.manage_permissions,
        }
    }

    /// Viewers and editors restrict who sees a report; its creator always does.
    pub fn can_view(&self, report: &ReportRecord) -> bool {
        let a = &report.access;
        self.admin
            || a.viewers.is_empty()
            || self.in_any(&a.viewers)
            || self.in_any(&a.editors)
            || report.created_by == self.account
    }

    /// Named editors may edit; without named editors, whoever holds `edit_reports`. The creator
    /// keeps editing their report while they hold `edit_reports`.
    pub fn can_edit(&self, p: &Permissions, report: &ReportRecord) -> bool {
        self.can_edit_access(p, &report.access, &report.created_by)
    }

    fn can_edit_access(&self, p: &Permissions, a: &ReportAccess, creator: &AccountId) -> bool {
        if self.admin || self.in_any(&a.editors) {
            return true;
        }
        let may_edit_reports = self.in_any(&p.edit_reports);
        may_edit_reports && (a.editors.is_empty() || *creator == self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(account: &str, groups: &[&str]) -> Subject {
        Subject::new(
            AccountId::parse(account).unwrap(),
            Arc::new(groups.iter().map(|g| g.to_string()).collect()),
            &[],
            &crate::settings::DEFAULT_ADMIN_GROUPS
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn admin_groups_match_case_insensitively() {
        assert!(subject("a", &["Site-Admins"]).admin);
        assert!(subject("a", &["jira-administrators"]).admin);
        assert!(!subject("a", &["jira-software-users"]).admin);
    }
}
