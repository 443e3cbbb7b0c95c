//! Identifier newtypes. Each one is parsed once, at the edge, and is valid from then on.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier of some kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value:?}: {reason}")]
pub struct IdError {
    pub kind: &'static str,
    pub value: String,
    pub reason: &'static str,
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const KIND: &'static str = $kind;

            /// Parses `value`, or says why it is not a valid identifier of this kind.
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                let check: fn(&str) -> Result<(), &'static str> = $check;
                match check(&value) {
                    Ok(()) => Ok(Self(value)),
                    Err(reason) => Err(IdError { kind: $kind, value, reason }),
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn check_slug(s: &str) -> Result<(), &'static str> {
    if s.is_empty() || s.len() > 64 {
        return Err("must be 1 to 64 characters");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("only ASCII letters, digits, '-' and '_' are allowed");
    }
    Ok(())
}

string_id!(
    /// A report's id, assigned by the server (`rep_` + random), stable across renames and exports.
    ReportId,
    "report id",
    check_slug
);
string_id!(
    /// A work calendar's id, assigned by the server.
    CalendarId,
    "calendar id",
    check_slug
);
string_id!(
    /// A status group's id, assigned by the server.
    StatusGroupId,
    "status group id",
    check_slug
);

string_id!(
    /// A Jira status id: the decimal number Jira assigns (`"10001"`).
    ///
    /// Statuses are identified by id because names change (renames) and repeat (team-managed
    /// projects each have their own "To Do").
    StatusId,
    "status id",
    |s| {
        if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
            Err("a status id is a decimal number")
        } else {
            Ok(())
        }
    }
);

string_id!(
    /// A Jira field id: `summary`, `assignee`, `customfield_10016`, `statusCategory`.
    FieldId,
    "field id",
    |s| {
        let mut bytes = s.bytes();
        match bytes.next() {
            None => return Err("must not be empty"),
            Some(b) if !b.is_ascii_alphabetic() => return Err("must start with a letter"),
            Some(_) => {}
        }
        if s.len() > 128 {
            return Err("must be at most 128 characters");
        }
        if !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) {
            return Err("only ASCII letters, digits, '_', '.' and '-' are allowed");
        }
        Ok(())
    }
);

string_id!(
    /// An Atlassian account id (`557058:f58131cb-...` or a 24-hex-digit id), as found in a
    /// verified token's `sub` claim or typed by an admin granting a right.
    AccountId,
    "account id",
    |s| {
        if s.is_empty() || s.len() > 128 {
            return Err("must be 1 to 128 characters");
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_')) {
            return Err("only ASCII letters, digits, ':', '-' and '_' are allowed");
        }
        Ok(())
    }
);

string_id!(
    /// A worklog author in a timesheet filter: an Atlassian account id on Cloud, the user
    /// name on Data Center (where authors have no account id). Never a display name.
    AuthorId,
    "author id",
    |s| {
        if s.is_empty() || s.len() > 255 {
            return Err("must be 1 to 255 bytes");
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must not contain spaces or control characters");
        }
        Ok(())
    }
);

string_id!(
    /// A Jira group name, for permissions (`jira-administrators`, `Team Falcon`).
    GroupName,
    "group name",
    |s| {
        if s.trim().is_empty() || s.chars().count() > 255 {
            return Err("must be 1 to 255 characters, not only spaces");
        }
        if s.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        Ok(())
    }
);

/// The maximum size of a JQL query, in bytes. Jira's own URL limits make longer queries
/// impractical, and the cap keeps stored configurations small.
pub const MAX_JQL_BYTES: usize = 8 * 1024;

string_id!(
    /// A JQL query, as the user typed it. Dwell does not interpret JQL; Jira does, and reports
    /// its own errors. Only its size and characters are checked here.
    #[derive(Default)]
    Jql,
    "jql",
    |s| {
        if s.len() > MAX_JQL_BYTES {
            return Err("must be at most 8 KiB");
        }
        if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err("must not contain control characters");
        }
        Ok(())
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_accept_jira_shapes_and_refuse_the_rest() {
        for ok in [
            "summary",
            "customfield_10016",
            "statusCategory",
            "issuetype",
            "a.b-c_d",
        ] {
            assert!(FieldId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1abc",
            "has space",
            "semi;colon",
            "x'--",
            &"a".repeat(129),
        ] {
            assert!(FieldId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_ids_are_decimal() {
        assert!(StatusId::parse("10001").is_ok());
        assert!(StatusId::parse("Done").is_err());
        assert!(StatusId::parse("").is_err());
    }

    #[test]
    fn ids_deserialize_through_parse() {
        let err = serde_json::from_str::<ReportId>("\"no spaces allowed\"").unwrap_err();
        assert!(err.to_string().contains("report id"), "{err}");
        let ok: ReportId = serde_json::from_str("\"rep_Ab3-x\"").unwrap();
        assert_eq!(ok.as_str(), "rep_Ab3-x");
    }

    #[test]
    fn jql_is_capped() {
        assert!(Jql::parse("project = DW ORDER BY created").is_ok());
        assert!(Jql::parse("x".repeat(MAX_JQL_BYTES + 1)).is_err());
        assert!(Jql::parse("project = A\u{0}").is_err());
    }
}
