//! The app's pages as a value, read from and written to the URL fragment (`#/reports/rep_1`).
//! The fragment works the same inside Jira's iframe and opened directly, and never reaches a
//! server.

use config::ReportId;

use crate::env::{percent_decode, percent_encode, query_param};

/// Admin pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPage {
    Calendars,
    StatusGroups,
    Permissions,
    Data,
}

impl AdminPage {
    pub const ALL: [AdminPage; 4] = [
        AdminPage::Calendars,
        AdminPage::StatusGroups,
        AdminPage::Permissions,
        AdminPage::Data,
    ];

    fn slug(self) -> &'static str {
        match self {
            AdminPage::Calendars => "calendars",
            AdminPage::StatusGroups => "status-groups",
            AdminPage::Permissions => "permissions",
            AdminPage::Data => "data",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            AdminPage::Calendars => "Work calendars",
            AdminPage::StatusGroups => "Status groups",
            AdminPage::Permissions => "Permissions",
            AdminPage::Data => "Export, import and deletion",
        }
    }
}

/// What a shared link changes in a report for this viewing only (never saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overrides {
    /// Replaces the report's JQL.
    pub jql: Option<String>,
    /// Restricts the report's date range (ISO dates).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Groups rows by this field id (`none`: one row per issue).
    pub group: Option<String>,
    /// Computes the report as of this instant (RFC 3339, e.g. `2026-11-01T00:00:00Z`)
    /// instead of now: the same link gives the same numbers tomorrow. Checked in the worker.
    pub as_of: Option<String>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.jql.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.group.is_none()
            && self.as_of.is_none()
    }

    fn parse(query: &str) -> Self {
        Overrides {
            jql: query_param(query, "jql"),
            from: query_param(query, "from"),
            to: query_param(query, "to"),
            group: query_param(query, "group"),
            as_of: query_param(query, "asOf"),
        }
    }

    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        let pairs = [
            ("jql", &self.jql),
            ("from", &self.from),
            ("to", &self.to),
            ("group", &self.group),
            ("asOf", &self.as_of),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                parts.push(format!("{k}={}", percent_encode(v)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The report list (the home page).
    Reports,
    /// A new report, optionally from a built-in template.
    NewReport {
        template: Option<String>,
    },
    /// A saved report, run with optional overrides.
    Report {
        id: ReportId,
        overrides: Overrides,
    },
    EditReport {
        id: ReportId,
    },
    /// The configuration being edited or imported without a server (Direct mode).
    Draft,
    Admin(AdminPage),
    /// Direct mode: which Jira to reach and how to sign in.
    Connection,
    NotFound(String),
}

impl Route {
    /// Reads a fragment (`location.hash`, with or without `#`).
    pub fn parse(hash: &str) -> Route {
        let raw = hash.trim_start_matches('#');
        let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
        match parts.as_slice() {
            [] | ["reports"] => Route::Reports,
            ["new"] => Route::NewReport {
                template: query_param(query, "template"),
            },
            ["draft"] => Route::Draft,
            ["connection"] => Route::Connection,
            ["reports", id] => match ReportId::parse(*id) {
                Ok(id) => Route::Report {
                    id,
                    overrides: Overrides::parse(query),
                },
                Err(_) => Route::NotFound(raw.to_string()),
            },
            ["reports", id, "edit"] => match ReportId::parse(*id) {
                Ok(id) => Route::EditReport { id },
                Err(_) => Route::NotFound(raw.to_string()),
            },
            ["admin"] => Route::Admin(AdminPage::Calendars),
            ["admin", page] => AdminPage::ALL
                .into_iter()
                .find(|p| p.slug() == *page)
                .map_or_else(|| Route::NotFound(raw.to_string()), Route::Admin),
            _ => Route::NotFound(raw.to_string()),
        }
    }

    /// The fragment for this route, `#` included.
    pub fn to_hash(&self) -> String {
        match self {
            Route::Reports => "#/".into(),
            Route::NewReport { template: None } => "#/new".into(),
            Route::NewReport { template: Some(t) } => {
                format!("#/new?template={}", percent_encode(t))
            }
            Route::Report { id, overrides } => {
                format!(
                    "#/reports/{}{}",
                    percent_encode(id.as_str()),
                    overrides.to_query()
                )
            }
            Route::EditReport { id } => format!("#/reports/{}/edit", percent_encode(id.as_str())),
            Route::Draft => "#/draft".into(),
            Route::Admin(page) => format!("#/admin/{}", page.slug()),
            Route::Connection => "#/connection".into(),
            Route::NotFound(raw) => format!("#{raw}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ReportId {
        ReportId::parse(s).unwrap()
    }

    #[test]
    fn every_route_round_trips_through_its_fragment() {
        let routes = [
            Route::Reports,
            Route::NewReport { template: None },
            Route::NewReport {
                template: Some("cycle time".into()),
            },
            Route::Report {
                id: id("rep_1"),
                overrides: Overrides::default(),
            },
            Route::Report {
                id: id("rep_1"),
                overrides: Overrides {
                    jql: Some("project = DW AND status = \"In Progress\"".into()),
                    from: Some("2026-01-01".into()),
                    to: None,
                    group: Some("issuetype".into()),
                    as_of: Some("2026-11-01T00:00:00Z".into()),
                },
            },
            Route::EditReport { id: id("rep_2") },
            Route::Draft,
            Route::Admin(AdminPage::StatusGroups),
            Route::Connection,
        ];
        for r in routes {
            assert_eq!(Route::parse(&r.to_hash()), r, "{}", r.to_hash());
        }
    }

    #[test]
    fn unknown_or_malformed_fragments_are_not_found() {
        assert_eq!(Route::parse(""), Route::Reports);
        assert!(matches!(
            Route::parse("#/reports/has space"),
            Route::NotFound(_)
        ));
        assert!(matches!(
            Route::parse("#/admin/secrets"),
            Route::NotFound(_)
        ));
        assert!(matches!(Route::parse("#/x/y/z"), Route::NotFound(_)));
    }
}
