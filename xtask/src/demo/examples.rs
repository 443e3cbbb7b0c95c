//! The example configuration the demo saves: typed files in `xtask/examples/` (status groups,
//! a work calendar, reports), read with config's strict parser, so a schema change breaks this
//! module's test instead of the demo. A report names a saved group or calendar by the file name
//! of the example that defines it (`"group": "lead-time"` for `status-groups/lead-time.json`);
//! seeding replaces those names with the ids the server assigned.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::api::NewReport;
use config::{
    CalendarId, CalendarRef, ColumnSpec, ReportConfig, StatusGroup, StatusGroupId, WorkCalendar,
};
use serde_json::Value;

use crate::Result;
use crate::tools::root;

use super::api::{Api, id_of};
use super::http::text;

/// The report the printed address opens and runs.
pub(super) const DEFAULT_REPORT: &str = "Time in status per issue";

/// The example files, each with the name of its file without `.json`.
pub(super) struct Examples {
    status_groups: Vec<(String, StatusGroup)>,
    calendars: Vec<(String, WorkCalendar)>,
    /// In file-name order, which is the order they are saved in.
    reports: Vec<ReportConfig>,
}

impl Examples {
    /// Reads every example in `dir` (`status-groups/`, `calendars/`, `reports/`); the error
    /// names the file that does not parse.
    pub(super) fn load(dir: &Path) -> Result<Examples> {
        Ok(Examples {
            status_groups: files(&dir.join("status-groups"), config::parse_status_group)?,
            calendars: files(&dir.join("calendars"), config::parse_calendar)?,
            reports: files(&dir.join("reports"), config::parse_report)?
                .into_iter()
                .map(|(_, report)| report)
                .collect(),
        })
    }

    /// The examples in the repository.
    pub(super) fn in_repository() -> Result<Examples> {
        Examples::load(&root().join("xtask/examples"))
    }

    /// Saves the status groups, calendars and reports that are not there yet (matched by name,
    /// so a second demo adds nothing); returns the id of [`DEFAULT_REPORT`].
    pub(super) fn seed(&self, api: &Api) -> Result<String> {
        let groups = api.ensure_named(
            "/status-groups",
            "group",
            self.status_groups
                .iter()
                .map(|(_, g)| json(g))
                .collect::<Result<_>>()?,
        )?;
        let calendars = api.ensure_named(
            "/calendars",
            "calendar",
            self.calendars
                .iter()
                .map(|(_, c)| json(c))
                .collect::<Result<_>>()?,
        )?;
        let mut group_ids = HashMap::new();
        for (stem, group) in &self.status_groups {
            let id =
                StatusGroupId::parse(id_of(&groups, &group.name)?).map_err(|e| e.to_string())?;
            group_ids.insert(stem.clone(), id);
        }
        let mut calendar_ids = HashMap::new();
        for (stem, calendar) in &self.calendars {
            let id =
                CalendarId::parse(id_of(&calendars, &calendar.name)?).map_err(|e| e.to_string())?;
            calendar_ids.insert(stem.clone(), id);
        }
        let listed = api.call("GET", "/reports", None)?;
        let mut saved: Vec<(String, String)> = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r["name"].as_str()?.to_string(),
                    r["id"].as_str()?.to_string(),
                ))
            })
            .collect();
        for report in &self.reports {
            if saved.iter().any(|(n, _)| *n == report.name) {
                continue;
            }
            let body = NewReport {
                config: with_saved_ids(report, &group_ids, &calendar_ids)?,
                access: Default::default(),
            };
            let created = api.call("POST", "/reports", Some(&json(&body)?))?;
            saved.push((
                report.name.clone(),
                text(&created["id"], "the new report's id")?,
            ));
        }
        id_of(&saved, DEFAULT_REPORT)
    }
}

/// Every `*.json` in `dir`, in name order, as (file name without `.json`, document).
fn files<T>(
    dir: &Path,
    parse: fn(&str) -> std::result::Result<T, config::ParseError>,
) -> Result<Vec<(String, T)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| format!("{}: not a UTF-8 file name", path.display()))?
                .to_string();
            Ok((stem, doc))
        })
        .collect()
}

/// `report` with each saved group and calendar, named by its example's file name, replaced by
/// the id it was saved under.
fn with_saved_ids(
    report: &ReportConfig,
    groups: &HashMap<String, StatusGroupId>,
    calendars: &HashMap<String, CalendarId>,
) -> Result<ReportConfig> {
    let mut report = report.clone();
    for column in &mut report.columns.metrics {
        if let ColumnSpec::Group { group } = column {
            *group = groups.get(group.as_str()).cloned().ok_or_else(|| {
                format!(
                    "report {:?} names status group {group:?}, which no example defines",
                    report.name
                )
            })?;
        }
    }
    if let CalendarRef::Saved { id } = &mut report.calendar {
        *id = calendars.get(id.as_str()).cloned().ok_or_else(|| {
            format!(
                "report {:?} names calendar {id:?}, which no example defines",
                report.name
            )
        })?;
    }
    Ok(report)
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::{GroupValue, ReportKind, StatusRef};

    fn examples() -> Examples {
        Examples::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_examples_parse_strictly() {
        let e = examples();
        let groups: Vec<(&str, &str)> = e
            .status_groups
            .iter()
            .map(|(stem, g)| (stem.as_str(), g.name.as_str()))
            .collect();
        assert_eq!(
            groups,
            [("cycle-time", "Cycle time"), ("lead-time", "Lead time")]
        );
        assert_eq!(e.calendars.len(), 1);
        assert_eq!(e.calendars[0].1.time_zone, "Europe/Berlin");
        assert_eq!(
            e.reports
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            [
                DEFAULT_REPORT,
                "Lead and cycle time",
                "Cycle time and throughput per week",
                "Cumulative flow, August to October",
                "Time with each assignee",
                "Business time in status, Berlin office",
                "Team timesheet, week of 19 October",
            ]
        );
    }

    /// A grouped time-in-status example is one a team would keep: each group's row is a mean
    /// or median per issue (a sum over a group of fifty issues is a number nobody acts on),
    /// and Done, where time stops meaning anything, is no column of it.
    #[test]
    fn grouped_examples_show_a_mean_or_median_without_done() {
        let e = examples();
        let grouped: Vec<&ReportConfig> = e
            .reports
            .iter()
            .filter(|r| !r.rows.group_by.is_empty())
            .filter(|r| matches!(r.kind, ReportKind::TimeInStatus { .. }))
            .collect();
        assert!(grouped.len() >= 2, "grouped examples: {}", grouped.len());
        let done = StatusRef::Name {
            name: "Done".into(),
        };
        for r in grouped {
            assert_ne!(r.rows.group_value, GroupValue::Sum, "{}", r.name);
            let named = r.columns.metrics.iter().any(|m| match m {
                ColumnSpec::Status { status } => *status == done,
                ColumnSpec::InlineGroup { statuses, .. } => statuses.contains(&done),
                ColumnSpec::Group { .. } => false,
            });
            let every_status = r.columns.metrics.is_empty();
            assert!(
                !named && (!every_status || r.columns.hidden.contains(&done)),
                "{} shows Done",
                r.name
            );
        }
    }

    #[test]
    fn saved_references_become_the_saved_ids() {
        let e = examples();
        let group = |s: &str| StatusGroupId::parse(s).unwrap();
        let groups: HashMap<String, StatusGroupId> = e
            .status_groups
            .iter()
            .map(|(stem, _)| (stem.clone(), group(&format!("sg_{stem}"))))
            .collect();
        let calendars: HashMap<String, CalendarId> = e
            .calendars
            .iter()
            .map(|(stem, _)| {
                (
                    stem.clone(),
                    CalendarId::parse(format!("cal_{stem}")).unwrap(),
                )
            })
            .collect();
        let resolved: Vec<ReportConfig> = e
            .reports
            .iter()
            .map(|r| with_saved_ids(r, &groups, &calendars).unwrap())
            .collect();
        let lead = &resolved[1];
        assert_eq!(
            lead.columns.metrics[..2],
            [
                ColumnSpec::Group {
                    group: group("sg_lead-time")
                },
                ColumnSpec::Group {
                    group: group("sg_cycle-time")
                },
            ]
        );
        assert_eq!(
            resolved[5].calendar,
            CalendarRef::Saved {
                id: CalendarId::parse("cal_berlin-office").unwrap()
            }
        );
        // A report naming an example nobody defined is refused, not saved half-resolved.
        let err = with_saved_ids(&e.reports[1], &HashMap::new(), &calendars).unwrap_err();
        assert!(err.contains("lead-time"), "{err}");
    }
}
