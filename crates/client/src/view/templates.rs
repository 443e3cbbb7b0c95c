//! Built-in report templates: ready-made configurations to start from, and what Direct mode
//! (no metadata server) offers instead of saved reports. They are JSON text, as the page holds
//! every configuration: only the worker and the editor module parse configurations.
//!
//! The timesheet templates cut days at the user's midnight: their JSON names `UTC` as the
//! zone, and [`template_json`] writes the user's zone (the browser's, or the Jira user's where
//! the client knows it) in its place before anyone reads it.

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
    Template {
        slug: "team-week",
        title: "My team's week",
        description: "Hours each person logged on each day of this week, in your time zone, with totals.",
        json: r#"{"schemaVersion":1,"name":"My team's week","description":"Hours each person logged on each day of this week, in your time zone, with totals.","jql":"ORDER BY key","kind":{"type":"timesheet","rows":"person","columns":"day","dates":{"type":"thisWeek"},"timeZone":"UTC"},"aggregation":{"functions":[{"type":"sum"}]},"durationFormat":{"type":"hours","decimals":2}}"#,
    },
    Template {
        slug: "epic-quarter",
        title: "Time per epic this quarter",
        description: "Hours logged on each epic's issues, month by month this quarter, in your time zone.",
        json: r#"{"schemaVersion":1,"name":"Time per epic this quarter","description":"Hours logged on each epic's issues, month by month this quarter, in your time zone.","jql":"ORDER BY key","kind":{"type":"timesheet","rows":"issue","columns":"month","dates":{"type":"thisQuarter"},"timeZone":"UTC"},"rows":{"groupBy":["parent"],"showIssues":true},"aggregation":{"functions":[{"type":"sum"}]},"durationFormat":{"type":"hours","decimals":1}}"#,
    },
    Template {
        slug: "capacity-month",
        title: "Logged time against office hours",
        description: "Per person this month: hours logged against Monday to Friday, 9 to 5 in your time zone, and the working days with nothing logged.",
        json: r#"{"schemaVersion":1,"name":"Logged time against office hours","description":"Per person this month: hours logged against Monday to Friday, 9 to 5 in your time zone, and the working days with nothing logged.","jql":"ORDER BY key","kind":{"type":"capacity","dates":{"type":"thisMonth"},"timeZone":"UTC"},"calendar":{"type":"inline","calendar":{"name":"Office hours","timeZone":"UTC","week":{"mon":[{"start":"09:00","end":"17:00"}],"tue":[{"start":"09:00","end":"17:00"}],"wed":[{"start":"09:00","end":"17:00"}],"thu":[{"start":"09:00","end":"17:00"}],"fri":[{"start":"09:00","end":"17:00"}]}}},"aggregation":{"functions":[{"type":"sum"}]},"durationFormat":{"type":"hours","decimals":2}}"#,
    },
];

/// How a template names the zone it stands for the user's in.
const USER_ZONE: &str = r#""timeZone":"UTC""#;

/// The JSON of template `slug`, its days cut in `zone` (an IANA name, the user's).
pub fn template_json(slug: &str, zone: &str) -> Option<String> {
    let t = TEMPLATES.iter().find(|t| t.slug == slug)?;
    let zone = serde_json::to_string(zone).ok()?;
    Some(t.json.replace(USER_ZONE, &format!(r#""timeZone":{zone}"#)))
}

/// The configuration of template `slug` in `zone`. Read without the full check (which needs
/// the time-zone database): the tests below check every template.
pub fn template(slug: &str, zone: &str) -> Option<ReportConfig> {
    serde_json::from_str(&template_json(slug, zone)?).ok()
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
            assert_eq!(template(t.slug, "UTC"), Some(c));
            let json = template_json(t.slug, "America/Argentina/Buenos_Aires").unwrap();
            config::parse_report(&json).unwrap();
        }
        assert!(template("nope", "UTC").is_none());
        // The worklog templates: a person × day week, issues by epic × month, and capacity
        // against an inline calendar (it needs one, and a template cannot name a saved one).
        let kind = |slug: &str| template(slug, "UTC").map(|c| c.kind);
        assert!(matches!(
            kind("team-week"),
            Some(config::ReportKind::Timesheet(t)) if t.rows == config::TimesheetRows::Person
                && t.columns == config::TimesheetColumns::Day
                && t.dates == config::WorklogDates::ThisWeek
        ));
        assert!(matches!(
            kind("epic-quarter"),
            Some(config::ReportKind::Timesheet(t)) if t.rows == config::TimesheetRows::Issue
                && t.dates == config::WorklogDates::ThisQuarter
        ));
        let capacity = template("capacity-month", "UTC").unwrap();
        assert!(matches!(capacity.kind, config::ReportKind::Capacity(_)));
        assert!(matches!(
            capacity.calendar,
            config::CalendarRef::Inline { .. }
        ));
    }

    /// The timesheet templates cut days (and the office hours) in the user's zone; the other
    /// templates have no zone of their own.
    #[test]
    fn timesheet_templates_take_the_users_zone() {
        let berlin = "Europe/Berlin";
        for t in TEMPLATES {
            let c = template(t.slug, berlin).unwrap();
            let zone = match &c.kind {
                config::ReportKind::Timesheet(k) => Some(k.time_zone.as_str()),
                config::ReportKind::Capacity(k) => Some(k.time_zone.as_str()),
                _ => None,
            };
            let worklogs = ["team-week", "epic-quarter", "capacity-month"].contains(&t.slug);
            assert_eq!(zone, worklogs.then_some(berlin), "{}", t.slug);
            if let config::CalendarRef::Inline { calendar } = &c.calendar {
                assert_eq!(calendar.time_zone, berlin, "{}", t.slug);
            }
            if !worklogs {
                assert_eq!(template_json(t.slug, berlin).as_deref(), Some(t.json));
            }
        }
        // A zone is written as a JSON string, whatever it holds.
        let odd = template_json("team-week", "A\"B").unwrap();
        assert!(odd.contains(r#""timeZone":"A\"B""#), "{odd}");
    }
}
