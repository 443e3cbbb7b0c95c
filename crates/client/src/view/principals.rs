//! Permission grantees as people type them, one a line: `group: jira-administrators` or
//! `user: 557058:f58131cb-...`. A line without a prefix is a group name.
//!
//! What the server can check depends on the platform ([`Grants`]): on Connect it asks the
//! site's Jira for a user's groups; on Forge it holds no token that could, so grants are by
//! account id only. The key design decision: a Forge page refuses a group line where it is
//! typed, and an import moving a Connect site's export to Forge lists every group grant it
//! leaves out ([`without_group_grants`]) before anything is written, instead of the server's
//! refusal arriving after the user pressed Import, or a grant vanishing unnoticed.

use config::api::Principal;
use config::{AccountId, GroupName};
use serde_json::Value;

/// Which grantees the server of this page can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grants {
    /// Connect: account ids and Jira groups (the server asks Jira for a user's groups).
    AccountsAndGroups,
    /// Forge: account ids only (the app holds no token that can read a user's groups).
    AccountsOnly,
}

impl Grants {
    /// How one types grantees here, for a form field's hint.
    pub fn hint(self) -> &'static str {
        match self {
            Grants::AccountsAndGroups => {
                "One a line: group: jira-software-users, or user: <account id>."
            }
            Grants::AccountsOnly => {
                "One a line: user: <account id>. Forge cannot check Jira groups, so grant to people."
            }
        }
    }

    /// What the server can and cannot check, for the permissions page.
    pub fn explanation(self) -> &'static str {
        match self {
            Grants::AccountsAndGroups => {
                "Administrators hold every right: members of the site's administrator groups (such as jira-administrators), and accounts that whoever runs Dwell's server made administrators of this site with dwell-server grant-admin --site <site> --account <accountId>. Grant others the rights below by Jira group or by account."
            }
            Grants::AccountsOnly => {
                "On Forge, Dwell checks rights by account id only. Whoever installed Dwell is its first administrator, and administrators grant the rights below to others by account id; only administrators export, import or delete the site's data. No right on this page makes someone an administrator: whoever runs Dwell's server does, with dwell-server grant-admin --site <site> --account <accountId> (the site is this installation's id). Forge gives Dwell no token that can read Jira, so Dwell cannot learn which Jira groups someone is in: rights cannot be granted to a group, and Jira's site administrators are not Dwell's administrators unless made so."
            }
        }
    }
}

/// Why a group line is refused on Forge.
const NO_GROUPS: &str =
    "Forge cannot check Jira groups: grant to an account instead (user: <account id>)";

/// Reads grantees; every bad line is reported (on [`Grants::AccountsOnly`], every group).
pub fn parse_principals(text: &str, grants: Grants) -> Result<Vec<Principal>, Vec<String>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = if let Some(id) = line.strip_prefix("user:") {
            AccountId::parse(id.trim())
                .map(|account_id| Principal::User { account_id })
                .map_err(|e| e.to_string())
        } else if grants == Grants::AccountsOnly {
            Err(NO_GROUPS.to_string())
        } else {
            let name = line.strip_prefix("group:").unwrap_or(line).trim();
            GroupName::parse(name)
                .map(|name| Principal::Group { name })
                .map_err(|e| e.to_string())
        };
        match parsed {
            Ok(p) if !out.contains(&p) => out.push(p),
            Ok(_) => {}
            Err(e) => problems.push(format!("line {}: {e}", i + 1)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Writes grantees back in the form [`parse_principals`] reads.
pub fn format_principals(principals: &[Principal]) -> String {
    principals
        .iter()
        .map(|p| match p {
            Principal::User { account_id } => format!("user: {account_id}"),
            Principal::Group { name } => format!("group: {name}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A group grant an import to Forge leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Where it was granted, for people: a right, or a report's viewers or editors.
    pub place: String,
    pub group: String,
    /// Its list held groups only, so without them it would have granted everyone: the list
    /// now names the importer instead (admins and the report's creator keep their access).
    pub restricted: bool,
}

/// Takes every group grant out of an export document (JSON text, `GET /api/v1/export`'s
/// format) for a Forge site, which cannot check them: the tenant's three rights and each
/// report's viewers and editors. A list that held only groups would, emptied, mean
/// "everyone" (viewers) or "whoever may edit reports" (editors), more than before; it names
/// `importer` instead, so leaving a grant out never widens access. Returns the rewritten
/// document and what was left out, or `None` when the text is not such a document (the
/// import's own validation then says why) or holds no group grant.
pub fn without_group_grants(json: &str, importer: &AccountId) -> Option<(String, Vec<LeftOut>)> {
    let mut doc: Value = serde_json::from_str(json).ok()?;
    let mut left_out = Vec::new();
    for (key, place) in [
        ("editReports", "May create and edit reports"),
        ("manageCalendars", "May manage calendars and status groups"),
        (
            "managePermissions",
            "May manage permissions and the site's data",
        ),
    ] {
        // An empty tenant-wide right means "administrators only": emptying never widens.
        if let Some(list) = doc.pointer_mut(&format!("/permissions/{key}")) {
            take_groups(list, place, None, &mut left_out);
        }
    }
    if let Some(reports) = doc.get_mut("reports").and_then(Value::as_array_mut) {
        for report in reports {
            let name = report
                .pointer("/config/name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)")
                .to_string();
            for (key, what) in [
                ("viewers", "who may see it"),
                ("editors", "who may change it"),
            ] {
                if let Some(list) = report.pointer_mut(&format!("/access/{key}")) {
                    let place = format!("Report \u{201c}{name}\u{201d}: {what}");
                    take_groups(list, &place, Some(importer), &mut left_out);
                }
            }
        }
    }
    if left_out.is_empty() {
        return None;
    }
    Some((doc.to_string(), left_out))
}

/// Removes the group grants of one grant list; with `fallback`, a list left empty names it.
fn take_groups(
    list: &mut Value,
    place: &str,
    fallback: Option<&AccountId>,
    out: &mut Vec<LeftOut>,
) {
    let Some(items) = list.as_array_mut() else {
        return;
    };
    let before = items.len();
    let mut groups = Vec::new();
    items.retain(|p| {
        let group = p.get("type").and_then(Value::as_str) == Some("group");
        if group {
            groups.push(
                p.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        !group
    });
    let restricted = before > 0 && items.is_empty() && fallback.is_some();
    if let (true, Some(account)) = (restricted, fallback) {
        items.push(serde_json::json!({"type": "user", "accountId": account.as_str()}));
    }
    out.extend(groups.into_iter().map(|group| LeftOut {
        place: place.to_string(),
        group,
        restricted,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grantees_round_trip_and_bad_lines_are_named() {
        let text = "group: jira-administrators\nuser: 557058:f58131cb\nTeam Falcon\n";
        let p = parse_principals(text, Grants::AccountsAndGroups).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            format_principals(&p),
            "group: jira-administrators\nuser: 557058:f58131cb\ngroup: Team Falcon"
        );
        let err =
            parse_principals("user: not an id!\ngroup: ok", Grants::AccountsAndGroups).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].starts_with("line 1:"), "{err:?}");
    }

    #[test]
    fn the_permissions_page_names_the_one_way_to_make_an_administrator() {
        for grants in [Grants::AccountsAndGroups, Grants::AccountsOnly] {
            let said = grants.explanation();
            assert!(
                said.contains("dwell-server grant-admin --site <site> --account <accountId>"),
                "{said}"
            );
            assert!(!said.contains("--admin-accounts"), "{said}");
        }
    }

    #[test]
    fn forge_refuses_group_lines_and_keeps_accounts() {
        let err = parse_principals(
            "user: 557058:f58131cb\ngroup: devs\nTeam Falcon",
            Grants::AccountsOnly,
        )
        .unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert!(
            err[0].starts_with("line 2: Forge cannot check Jira groups"),
            "{err:?}"
        );
        assert!(err[1].starts_with("line 3:"), "{err:?}");
        let ok = parse_principals("user: 557058:f58131cb", Grants::AccountsOnly).unwrap();
        assert_eq!(format_principals(&ok), "user: 557058:f58131cb");
    }

    #[test]
    fn an_import_to_forge_names_every_group_grant_it_leaves_out_and_widens_nothing() {
        let doc = serde_json::json!({
            "format": "dwell-config-export",
            "permissions": {
                "editReports": [{"type": "user", "accountId": "ben"}, {"type": "group", "name": "devs"}],
                "manageCalendars": [{"type": "group", "name": "ops"}],
                "managePermissions": []
            },
            "reports": [
                {"config": {"name": "Open"}, "access": {"viewers": [], "editors": []}},
                {"config": {"name": "Secret"}, "access": {
                    "viewers": [{"type": "group", "name": "board"}],
                    "editors": [{"type": "group", "name": "leads"}, {"type": "user", "accountId": "cy"}]
                }}
            ]
        });
        let ada = AccountId::parse("ada").unwrap();
        let (json, left_out) = without_group_grants(&doc.to_string(), &ada).unwrap();
        let out: Value = serde_json::from_str(&json).unwrap();
        let user = |id: &str| serde_json::json!({"type": "user", "accountId": id});
        // Account grants carry over; an emptied tenant-wide right means admins only.
        assert_eq!(
            out["permissions"]["editReports"],
            serde_json::json!([user("ben")])
        );
        assert_eq!(out["permissions"]["manageCalendars"], serde_json::json!([]));
        // A report seen by a group only is not opened to everyone: the importer is named.
        assert_eq!(
            out["reports"][1]["access"]["viewers"],
            serde_json::json!([user("ada")])
        );
        assert_eq!(
            out["reports"][1]["access"]["editors"],
            serde_json::json!([user("cy")])
        );
        assert_eq!(
            out["reports"][0], doc["reports"][0],
            "a report without groups is as it was"
        );
        let named: Vec<(&str, &str, bool)> = left_out
            .iter()
            .map(|l| (l.place.as_str(), l.group.as_str(), l.restricted))
            .collect();
        assert_eq!(
            named,
            [
                ("May create and edit reports", "devs", false),
                ("May manage calendars and status groups", "ops", false),
                (
                    "Report \u{201c}Secret\u{201d}: who may see it",
                    "board",
                    true
                ),
                (
                    "Report \u{201c}Secret\u{201d}: who may change it",
                    "leads",
                    false
                ),
            ]
        );
        // Nothing to leave out, or not an export at all: no rewrite.
        assert_eq!(without_group_grants(&out.to_string(), &ada), None);
        assert_eq!(without_group_grants("not json", &ada), None);
    }
}
