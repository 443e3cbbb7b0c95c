//! Permission grantees as people type them, one a line: `group: jira-administrators` or
//! `user: 557058:f58131cb-...`. A line without a prefix is a group name.

use config::api::Principal;
use config::{AccountId, GroupName};

/// Reads grantees; every bad line is reported.
pub fn parse_principals(text: &str) -> Result<Vec<Principal>, Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grantees_round_trip_and_bad_lines_are_named() {
        let text = "group: jira-administrators\nuser: 557058:f58131cb\nTeam Falcon\n";
        let p = parse_principals(text).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            format_principals(&p),
            "group: jira-administrators\nuser: 557058:f58131cb\ngroup: Team Falcon"
        );
        let err = parse_principals("user: not an id!\ngroup: ok").unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].starts_with("line 1:"), "{err:?}");
    }
}
