//! Who may do what, as SaaSJet's Time in Status offers it: tenant admins hold every right and
//! grant the rest by account id or Jira group; a report can name its own viewers and editors.
//!
//! Pure functions over the caller's identity and the tenant's grants; every handler asks here.
//!
//! The platforms differ in what the server can know. On Connect, a tenant admin is a member of
//! an admin group, and the user's groups come from the site's Jira, asked as the app. On Forge
//! the server holds no token for the site (the manifest declares no `auth`), so it cannot learn
//! a user's groups and trusts nothing the browser says about them: a Forge tenant's admins are
//! account ids (the installer first, from the `installed` event), and every grant is by account
//! id. On both platforms the operator can name an admin of one site (`dwell-server
//! grant-admin`, kept in `tenant_admins`); no setting makes anyone an admin of every site. A grant to a group on a Forge tenant is refused when written
//! ([`group_grants`] finds them), so none is ever stored to match nobody silently.

use std::sync::Arc;

use config::AccountId;
use config::api::{EffectiveRights, Permissions, Principal, ReportAccess, ReportRecord};

/// Why a Forge tenant refuses a group grant (the paths of the grants go with it).
pub const FORGE_NO_GROUPS: &str = "Forge cannot check Jira group membership: the app holds no token that can read the site, so it cannot learn a user's groups. Grant to account ids instead";

/// A tenant-wide right, granted by the tenant's permissions (tenant admins hold all). Viewing
/// and editing one report depend on the report: [`Subject::can_view`], [`Subject::can_edit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    EditReports,
    ManageCalendars,
    ManagePermissions,
    /// Tenant admins only, never granted: whole-site operations (export, import, delete),
    /// which read or replace every report, including those restricted to named viewers.
    Administer,
}

/// The caller as the rules see them: account, Jira groups and whether they are a tenant admin.
#[derive(Debug, Clone)]
pub struct Subject {
    pub account: AccountId,
    pub groups: Arc<Vec<String>>,
    pub admin: bool,
}

impl Subject {
    /// A caller of a Connect tenant: an admin when listed in the tenant's own `tenant_admins`
    /// or a member of one of `admin_groups` (the settings'); groups compare case-insensitively,
    /// as Jira's do.
    pub fn new(
        account: AccountId,
        groups: Arc<Vec<String>>,
        tenant_admins: &[String],
        admin_groups: &[String],
    ) -> Self {
        let admin = tenant_admins.iter().any(|a| a == account.as_str())
            || groups
                .iter()
                .any(|g| admin_groups.iter().any(|a| a.eq_ignore_ascii_case(g)));
        Subject {
            account,
            groups,
            admin,
        }
    }

    /// A caller of a Forge tenant: no groups (the server cannot learn them); an admin when
    /// listed in the tenant's own `tenant_admins` (the installer first).
    pub fn forge(account: AccountId, tenant_admins: &[String]) -> Self {
        let admin = tenant_admins.iter().any(|a| a == account.as_str());
        Subject {
            account,
            groups: Arc::new(Vec::new()),
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
            Right::Administer => rights.is_admin,
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

/// The JSON paths of group grants in `lists` (each named by its path prefix), e.g.
/// `/manageCalendars/1`: what a Forge tenant refuses.
pub fn group_grants<'a>(lists: impl IntoIterator<Item = (String, &'a [Principal])>) -> Vec<String> {
    lists
        .into_iter()
        .flat_map(|(prefix, list)| {
            list.iter()
                .enumerate()
                .filter(|(_, p)| matches!(p, Principal::Group { .. }))
                .map(move |(i, _)| format!("{prefix}/{i}"))
        })
        .collect()
}

/// The grant lists of tenant-wide permissions, under `prefix`.
pub fn permission_lists<'a>(prefix: &str, p: &'a Permissions) -> [(String, &'a [Principal]); 3] {
    [
        (format!("{prefix}/editReports"), &p.edit_reports),
        (format!("{prefix}/manageCalendars"), &p.manage_calendars),
        (format!("{prefix}/managePermissions"), &p.manage_permissions),
    ]
}

/// The grant lists of a report's access, under `prefix`.
pub fn access_lists<'a>(prefix: &str, a: &'a ReportAccess) -> [(String, &'a [Principal]); 2] {
    [
        (format!("{prefix}/viewers"), &a.viewers),
        (format!("{prefix}/editors"), &a.editors),
    ]
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
    fn forge_subjects_are_admins_by_account_only_and_group_grants_are_found() {
        let ada = AccountId::parse("ada").unwrap();
        assert!(Subject::forge(ada.clone(), &["ada".into()]).admin);
        assert!(!Subject::forge(ada.clone(), &["ben".into()]).admin);
        let p: Permissions = serde_json::from_value(serde_json::json!({
            "editReports": [{"type": "user", "accountId": "ben"}, {"type": "group", "name": "devs"}],
            "manageCalendars": [{"type": "group", "name": "ops"}]
        }))
        .unwrap();
        assert_eq!(
            group_grants(permission_lists("", &p)),
            ["/editReports/1", "/manageCalendars/0"]
        );
        // A group grant never matches on Forge, whatever the name.
        let forge = Subject::forge(ada, &[]);
        assert!(!forge.holds(&p, Right::ManageCalendars));
    }

    #[test]
    fn admin_groups_match_case_insensitively() {
        assert!(subject("a", &["Site-Admins"]).admin);
        assert!(subject("a", &["jira-administrators"]).admin);
        assert!(!subject("a", &["jira-software-users"]).admin);
    }
}
