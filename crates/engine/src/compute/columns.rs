//! The status columns of a report: the configured ones (a status, a saved or inline group,
//! minus hidden statuses), or one per status name seen, in workflow order.

use std::collections::HashMap;

use config::ColumnSpec;

use crate::report::{MetricColumn, Unit};

use super::ComputeError;
use super::run::Run;
use super::warnings::Warnings;

/// A column over a set of statuses.
pub(super) struct StatusCol {
    pub(super) name: String,
    pub(super) members: Vec<bool>,
    pub(super) ids: Vec<String>,
}

impl Run<'_> {
    pub(super) fn column(&self, name: String, members: Vec<bool>) -> StatusCol {
        let mut ids: Vec<String> = members
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m)
            .filter_map(|(s, _)| self.data.statuses.list[s].jira_id().map(str::to_owned))
            .collect();
        ids.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        StatusCol { name, members, ids }
    }

    /// The status columns of a report: the configured ones, or every status seen.
    pub(super) fn status_columns(&self, w: &mut Warnings) -> Result<Vec<StatusCol>, ComputeError> {
        let hidden = self.member_set(&self.config.columns.hidden, w);
        if self.config.columns.metrics.is_empty() {
            return Ok(self.auto_columns(&hidden));
        }
        let mut cols = Vec::new();
        for spec in &self.config.columns.metrics {
            match spec {
                ColumnSpec::Status { status } => {
                    let mut set = self.member_set(std::slice::from_ref(status), w);
                    for (m, h) in set.iter_mut().zip(&hidden) {
                        *m &= !h;
                    }
                    if set.iter().any(|&m| m) || hidden.iter().all(|h| !h) {
                        cols.push(self.column(self.ref_name(status), set));
                    }
                }
                ColumnSpec::Group { group } => {
                    let g = self
                        .ctx
                        .status_groups
                        .get(group)
                        .ok_or_else(|| ComputeError::UnknownStatusGroup(group.to_string()))?;
                    let set = self.member_set(&g.statuses, w);
                    cols.push(self.column(g.name.clone(), set));
                }
                ColumnSpec::InlineGroup { name, statuses } => {
                    let set = self.member_set(statuses, w);
                    cols.push(self.column(name.clone(), set));
                }
            }
        }
        Ok(cols)
    }

    /// One column per status name seen (per id with `splitSameName`), in workflow order: by
    /// status category, then by when the status was first entered.
    pub(super) fn auto_columns(&self, hidden: &[bool]) -> Vec<StatusCol> {
        let statuses = &self.data.statuses.list;
        let split = self.config.columns.split_same_name;
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for sym in 0..statuses.len() {
            if !self.seen[sym] || hidden[sym] {
                continue;
            }
            let key = if split {
                statuses[sym].key.to_string()
            } else {
                statuses[sym].name.to_string()
            };
            match by_name.get(&key) {
                Some(&g) => groups[g].push(sym),
                None => {
                    by_name.insert(key, groups.len());
                    groups.push(vec![sym]);
                }
            }
        }
        let sort_key = |g: &Vec<usize>| {
            let category = g.iter().map(|&s| statuses[s].category.rank()).min();
            let first = g.iter().map(|&s| self.first_seen[s]).min();
            (category, first, statuses[g[0]].name.to_string())
        };
        groups.sort_by_cached_key(sort_key);
        let mut name_count: HashMap<&str, usize> = HashMap::new();
        for g in &groups {
            *name_count.entry(&statuses[g[0]].name).or_default() += 1;
        }
        groups
            .iter()
            .map(|g| {
                let info = &statuses[g[0]];
                let name = if name_count.get(&*info.name).copied().unwrap_or(0) > 1 {
                    format!("{} ({})", info.name, info.key)
                } else {
                    info.name.to_string()
                };
                let mut members = vec![false; statuses.len()];
                for &s in g {
                    members[s] = true;
                }
                self.column(name, members)
            })
            .collect()
    }
}

pub(super) fn metric_columns(cols: &[StatusCol], unit: Unit) -> Vec<MetricColumn> {
    cols.iter()
        .map(|c| MetricColumn {
            name: c.name.clone(),
            unit,
            statuses: c.ids.clone(),
        })
        .collect()
}
