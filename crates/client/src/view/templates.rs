//! Built-in report templates: ready-made configurations to start from, and what Direct mode
//! (no metadata server) offers instead of saved reports.

use config::{
    DateBound, DateField, DateRange, Jql, ReportConfig, ReportKind, StatusRef, ThroughputPeriod,
};

/// A template as the gallery lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub slug: &'static str,
    pub title: &'static str,
    pub description: &'static str,
}

pub const TEMPLATES: &[Template] = &[
    Template {
        slug: "time-in-status",
        title: "Time in status",
        description: "How long each issue updated in the last 90 days spent in each status.",
    },
    Template {
        slug: "cycle-time",
        title: "Cycle time and throughput",
        description: "Issues finished per week, and how long they took from In Progress to Done.",
    },
    Template {
        slug: "assignee-time",
        title: "Time with each assignee",
        description: "How long each issue sat with each person.",
    },
    Template {
        slug: "status-per-day",
        title: "Cumulative flow",
        description: "How many issues were in each status, day by day, over the last 30 days.",
    },
    Template {
        slug: "transitions",
        title: "Transitions and bounces",
        description: "How often issues moved between statuses, and which moves repeat.",
    },
];

const RECENT: &str = "updated >= -90d ORDER BY key";

/// The configuration of template `slug`.
pub fn template(slug: &str) -> Option<ReportConfig> {
    let t = TEMPLATES.iter().find(|t| t.slug == slug)?;
    let jql = Jql::parse(RECENT).unwrap_or_default();
    let mut config = ReportConfig::time_in_status(t.title, jql);
    config.description = t.description.to_string();
    let name = |n: &str| StatusRef::Name { name: n.into() };
    match slug {
        "cycle-time" => {
            config.kind = ReportKind::Throughput {
                period: ThroughputPeriod::Week,
                start: vec![name("In Progress")],
                done: vec![name("Done")],
            }
        }
        "assignee-time" => config.kind = ReportKind::AssigneeTime,
        "status-per-day" => {
            config.kind = ReportKind::StatusPerDay {
                from: None,
                to: None,
            };
            config.date_range = Some(DateRange {
                field: DateField::Updated,
                from: Some(DateBound::DaysFromNow(-30)),
                to: None,
            });
        }
        "transitions" => config.kind = ReportKind::Transitions,
        _ => {}
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::Validate;

    #[test]
    fn every_template_is_a_valid_configuration() {
        for t in TEMPLATES {
            let c = template(t.slug).unwrap();
            c.validate().unwrap();
            assert_eq!(c.name, t.title);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(config::parse_report(&json).unwrap(), c);
        }
        assert!(template("nope").is_none());
    }
}
