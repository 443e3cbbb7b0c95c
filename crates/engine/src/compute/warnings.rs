//! Warnings gathered while a report is computed: one per code with the issues concerned (a
//! few listed, all counted), and the settings that do not apply to the report kind.

use crate::report::{Warning, WarningCode};

/// Warnings gathered while computing, one per code, with the issues concerned.
#[derive(Default)]
pub(super) struct Warnings {
    by_code: Vec<(WarningCode, Vec<String>, u32)>,
    ignored: Vec<String>,
}

impl Warnings {
    pub(super) fn note(&mut self, code: WarningCode, what: &str) {
        let entry = match self.by_code.iter_mut().position(|(c, _, _)| *c == code) {
            Some(i) => &mut self.by_code[i],
            None => {
                self.by_code.push((code, Vec::new(), 0));
                let last = self.by_code.len() - 1;
                &mut self.by_code[last]
            }
        };
        entry.2 += 1;
        if entry.1.len() < Warning::MAX_LISTED && !entry.1.iter().any(|x| x == what) {
            entry.1.push(what.to_owned());
        }
    }

    /// A note about the whole report, with no issue list.
    pub(super) fn notice(&mut self, code: WarningCode) {
        if !self.by_code.iter().any(|(c, _, _)| *c == code) {
            self.by_code.push((code, Vec::new(), 0));
        }
    }

    pub(super) fn ignored(&mut self, what: &str) {
        if !self.ignored.iter().any(|x| x == what) {
            self.ignored.push(what.to_owned());
        }
    }

    pub(super) fn finish(self) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .by_code
            .into_iter()
            .map(|(code, issues, count)| {
                let message = match code {
                    WarningCode::TruncatedChangelogs => format!(
                        "{count} issues have only part of their changelog loaded; their times \
                         are computed from the known part"
                    ),
                    WarningCode::MissingChangelogs => format!(
                        "{count} issues have no changelog loaded; they are taken to have stayed \
                         in their current status"
                    ),
                    WarningCode::StatusMismatch => format!(
                        "{count} issues' last status change does not lead to their current \
                         status"
                    ),
                    WarningCode::IssuesWithoutFields => format!(
                        "{count} issues are known only from changelogs (no created date or \
                         status) and are left out"
                    ),
                    WarningCode::CreatedAfterNow => {
                        format!(
                            "{count} issues were created after the report's time and are left out"
                        )
                    }
                    WarningCode::UnknownStatuses => {
                        format!("{count} statuses seen in histories are not in the status list")
                    }
                    WarningCode::UnresolvedStatus => format!(
                        "{count} statuses named by the configuration were not found in the data"
                    ),
                    WarningCode::IgnoredSetting => String::new(),
                    WarningCode::PartialWorklogs => format!(
                        "{count} issues have only part of their worklogs loaded; the time shown \
                         for them is what is known, not all that was logged"
                    ),
                    WarningCode::VisibleWorklogsOnly => "the report counts the worklogs you may \
                         see: worklogs restricted to a group or role you are not in are left out"
                        .to_owned(),
                };
                Warning {
                    code,
                    message,
                    issues,
                    count,
                }
            })
            .collect();
        for message in self.ignored {
            out.push(Warning {
                code: WarningCode::IgnoredSetting,
                message,
                issues: Vec::new(),
                count: 1,
            });
        }
        out
    }
}
