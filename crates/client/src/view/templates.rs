//! Built-in report templates: ready-made configurations to start from, and what Direct mode
//! (no metadata server) offers instead of saved reports. They are JSON text, as the page holds
//! every configuration: only the worker and the editor module parse configurations.

use config::ReportConfig;

/// A template as the gallery lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub slug: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The configuration, as JSON.
    pub json: &'static str,
}

pub const TEMPLATES: &[Template] = &[
    Template {
        slug: "time-in-status",
        title: "Time in status",
        description: "How long each issue updated in the last 90 days spent in each status.",
        json: r#"{"schemaVersion":1,"name":"Time in status","description":"How long each issue updated in the last 90 days spent in each status.","jql":"updated >= -90d ORDER BY key","kind":{"type":"timeInStatus","multiVisit":"total"}}"#,
    },
    Template {
        slug: "cycle-time",
        title: "Cycle time and throughput",
        description: "Issues finished per week, and how long they took from In Progress to Done.",
        json: r#"{"schemaVersion":1,"name":"Cycle time and throughput","description":"Issues finished per week, and how long they took from In Progress to Done.","jql":"updated >= -90d ORDER BY key","kind":{"type":"throughput","period":"week","start":[{"name":"In Progress"}],"done":[{"name":"Done"}]}}"#,
    },
    Template {
        slug: "assignee-time",
        title: "Time with each assignee",
        description: "How long each issue sat with each person.",
        json: r#"{"schemaVersion":1,"name":"Time with each assignee","description":"How long each issue sat with each person.","jql":"updated >= -90d ORDER BY key","kind":{"type":"assigneeTime"}}"#,
    },
    Template {
        slug: "status-per-day",
        title: "Cumulative flow",
        description: "How many issues were in each status, day by day, over the last 30 days.",
        json: r#"{"schemaVersion":1,"name":"Cumulative flow","description":"How many issues were in each status, day by day, over the last 30 days.","jql":"updated >= -90d ORDER BY key","kind":{"type":"statusPerDay","from":null,"to":null},"dateRange":{"field":"updated","from":-30}}"#,
    },
    Template {
        slug: "transitions",
        title: "Transitions and bounces",
        description: "How often issues moved between statuses, and which moves repeat.",
        json: r#"{"schemaVersion":1,"name":"Transitions and bounces","description":"How often issues moved between statuses, and which moves repeat.","jql":"updated >= -90d ORDER BY key","kind":{"type":"transitions"}}"#,
    },
];

/// The JSON of template `slug`.
pub fn template_json(slug: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|t| t.slug == slug).map(|t| t.json)
}

/// The configuration of template `slug`. Read without the full check (which needs the
/// time-zone database): the tests below check every template.
pub fn template(slug: &str) -> Option<ReportConfig> {
    serde_json::from_str(template_json(slug)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_a_valid_configuration() {
        for t in TEMPLATES {
            let c = config::parse_report(t.json).unwrap();
            assert_eq!(c.name, t.title);
            assert_eq!(c.description, t.description);
            assert_eq!(template(t.slug), Some(c));
        }
        assert!(template("nope").is_none());
    }
}
