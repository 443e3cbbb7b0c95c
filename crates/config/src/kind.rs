//! [`KindTag`]: which kind a report is, without its options. The one discriminant of
//! [`ReportKind`]: the editor's kind picker, a report's header and a computed report's `kind`
//! all use it, so a new kind is added in one place.

use serde::{Deserialize, Serialize};

use crate::{
    Attribution, Authors, Capacity, MultiVisit, ReportKind, StatusRef, ThroughputPeriod,
    TimeBetween, Timesheet, TimesheetColumns, TimesheetRows, VisitChoice, WorklogDates,
};

/// A report kind without its options; serialised as the kind's `type` (`"timeInStatus"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KindTag {
    TimeInStatus,
    StatusVisits,
    Transitions,
    AssigneeTime,
    TimeBetween,
    EntryDates,
    StatusPerDay,
    Throughput,
    Timesheet,
    Capacity,
}

impl KindTag {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [KindTag; 10] = [
        KindTag::TimeInStatus,
        KindTag::StatusVisits,
        KindTag::Transitions,
        KindTag::AssigneeTime,
        KindTag::TimeBetween,
        KindTag::EntryDates,
        KindTag::StatusPerDay,
        KindTag::Throughput,
        KindTag::Timesheet,
        KindTag::Capacity,
    ];

    /// The kind's `type` in a configuration's JSON.
    pub fn slug(self) -> &'static str {
        match self {
            KindTag::TimeInStatus => "timeInStatus",
            KindTag::StatusVisits => "statusVisits",
            KindTag::Transitions => "transitions",
            KindTag::AssigneeTime => "assigneeTime",
            KindTag::TimeBetween => "timeBetween",
            KindTag::EntryDates => "entryDates",
            KindTag::StatusPerDay => "statusPerDay",
            KindTag::Throughput => "throughput",
            KindTag::Timesheet => "timesheet",
            KindTag::Capacity => "capacity",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The kind's name for people.
    pub fn label(self) -> &'static str {
        match self {
            KindTag::TimeInStatus => "Time in status",
            KindTag::StatusVisits => "Status visits",
            KindTag::Transitions => "Transitions",
            KindTag::AssigneeTime => "Time per assignee",
            KindTag::TimeBetween => "Time between statuses",
            KindTag::EntryDates => "Status entry dates",
            KindTag::StatusPerDay => "Issues per status per day",
            KindTag::Throughput => "Throughput and cycle time",
            KindTag::Timesheet => "Timesheet",
            KindTag::Capacity => "Logged time against capacity",
        }
    }

    /// What the kind computes, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            KindTag::TimeInStatus => "How long each issue spent in each status.",
            KindTag::StatusVisits => "How many times each issue entered each status.",
            KindTag::Transitions => "Moves between statuses, per issue and as a matrix.",
            KindTag::AssigneeTime => "How long each issue spent with each assignee.",
            KindTag::TimeBetween => {
                "Time from entering a start status to entering a stop status, minus pauses."
            }
            KindTag::EntryDates => "When each issue first and last entered each status.",
            KindTag::StatusPerDay => {
                "How many issues were in each status each day (cumulative flow)."
            }
            KindTag::Throughput => "Issues finished per period, and cycle-time percentiles.",
            KindTag::Timesheet => {
                "Time logged per person or issue, per day, week, month or person."
            }
            KindTag::Capacity => {
                "Time each person logged against the working calendar: utilisation, missing days."
            }
        }
    }
}

impl ReportKind {
    pub fn tag(&self) -> KindTag {
        match self {
            ReportKind::TimeInStatus { .. } => KindTag::TimeInStatus,
            ReportKind::StatusVisits => KindTag::StatusVisits,
            ReportKind::Transitions => KindTag::Transitions,
            ReportKind::AssigneeTime => KindTag::AssigneeTime,
            ReportKind::TimeBetween(_) => KindTag::TimeBetween,
            ReportKind::EntryDates => KindTag::EntryDates,
            ReportKind::StatusPerDay { .. } => KindTag::StatusPerDay,
            ReportKind::Throughput { .. } => KindTag::Throughput,
            ReportKind::Timesheet(_) => KindTag::Timesheet,
            ReportKind::Capacity(_) => KindTag::Capacity,
        }
    }

    /// This kind switched to `tag`, with that kind's default options, keeping what the two have
    /// in common (the start and stop status lists of time-between and throughput; the dates,
    /// zone, authors and attribution of timesheet and capacity). Switching to the same kind
    /// changes nothing.
    pub fn switched_to(&self, tag: KindTag) -> ReportKind {
        if self.tag() == tag {
            return self.clone();
        }
        let (start, stop): (Vec<StatusRef>, Vec<StatusRef>) = match self {
            ReportKind::TimeBetween(t) => (t.start.clone(), t.stop.clone()),
            ReportKind::Throughput { start, done, .. } => (start.clone(), done.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let (dates, time_zone, authors, attribution) = match self {
            ReportKind::Timesheet(t) => (
                t.dates,
                t.time_zone.clone(),
                t.authors.clone(),
                t.attribution,
            ),
            ReportKind::Capacity(c) => (
                c.dates,
                c.time_zone.clone(),
                c.authors.clone(),
                c.attribution,
            ),
            _ => (
                WorklogDates::ThisWeek,
                "UTC".to_owned(),
                Authors::default(),
                Attribution::StartDay,
            ),
        };
        match tag {
            KindTag::TimeInStatus => ReportKind::TimeInStatus {
                multi_visit: MultiVisit::Total,
            },
            KindTag::StatusVisits => ReportKind::StatusVisits,
            KindTag::Transitions => ReportKind::Transitions,
            KindTag::AssigneeTime => ReportKind::AssigneeTime,
            KindTag::TimeBetween => ReportKind::TimeBetween(TimeBetween {
                start,
                stop,
                pause: Vec::new(),
                start_at: VisitChoice::First,
                stop_at: VisitChoice::Last,
            }),
            KindTag::EntryDates => ReportKind::EntryDates,
            KindTag::StatusPerDay => ReportKind::StatusPerDay {
                from: None,
                to: None,
            },
            KindTag::Throughput => ReportKind::Throughput {
                period: ThroughputPeriod::Week,
                start,
                done: stop,
            },
            KindTag::Timesheet => ReportKind::Timesheet(Timesheet {
                rows: TimesheetRows::Person,
                columns: TimesheetColumns::Day,
                dates,
                time_zone,
                authors,
                attribution,
            }),
            KindTag::Capacity => ReportKind::Capacity(Capacity {
                dates,
                time_zone,
                authors,
                attribution,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_tag_and_slug() {
        for k in KindTag::ALL {
            let kind = ReportKind::StatusVisits.switched_to(k);
            assert_eq!(kind.tag(), k);
            assert_eq!(KindTag::from_slug(k.slug()), Some(k));
            // The slug is the kind's `type` in JSON, and the tag's own serialisation.
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["type"], k.slug());
            assert_eq!(serde_json::to_value(k).unwrap(), k.slug());
        }
        assert_eq!(KindTag::from_slug("timeInStatuses"), None);
    }

    #[test]
    fn switching_kinds_keeps_the_status_lists() {
        let done = vec![
            StatusRef::Name {
                name: "Done".into(),
            },
            StatusRef::Id {
                id: crate::StatusId::parse("10002").unwrap(),
            },
        ];
        let throughput = ReportKind::Throughput {
            period: ThroughputPeriod::Month,
            start: vec![StatusRef::Name {
                name: "In Progress".into(),
            }],
            done: done.clone(),
        };
        let ReportKind::TimeBetween(t) = throughput.switched_to(KindTag::TimeBetween) else {
            panic!("expected time between");
        };
        assert_eq!(t.stop, done);
        assert_eq!(throughput.switched_to(KindTag::Throughput), throughput);
    }
}
