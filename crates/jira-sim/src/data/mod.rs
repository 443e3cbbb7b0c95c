//! The generated issues, kept as a compact in-memory model (a few dozen bytes per issue and per
//! history) and rendered to JSON only for the page a request asks for.
//!
//! Generation is deterministic: each issue is drawn from its own PRNG stream seeded by
//! `(seed, index)`, then the issues are ordered by creation time and given ids and keys in that
//! order, and history ids are handed out in time order across the whole site, as Jira does.
//! Worklogs are drawn last, from streams of their own ([`crate::data::worklog`]), so they leave
//! everything above as it was.

pub mod worklog;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rand_pcg::Pcg64Mcg;

use crate::site::{Canary, Site, st};
use worklog::Worklogs;

/// How the data is generated.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub issues: usize,
    pub seed: u64,
    /// Where the year of data ends; open issues stay in their status until then (and on).
    pub end: Timestamp,
    /// Puts a marker of its kind ([`crate::Canary`]) into every key, summary, description,
    /// label, component, name and worklog comment, and adds two custom fields that carry one.
    pub canary: bool,
    /// Multiplies how many worklogs each worked-on issue gets (1, the default: a handful; the
    /// "bucket" issues with hundreds stay as they are). 1 keeps the data of earlier releases.
    pub worklog_scale: u32,
}

impl DataSpec {
    /// The default end of the data: a fixed instant, so the same seed gives the same data on
    /// every day.
    pub fn default_end() -> Timestamp {
        Timestamp::from_second(1_793_491_200).unwrap_or(Timestamp::UNIX_EPOCH) // 2026-11-01T00:00:00Z
    }
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            issues: 1000,
            seed: 1,
            end: DataSpec::default_end(),
            canary: false,
            worklog_scale: 1,
        }
    }
}

/// One changed field of a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Status {
        from: u8,
        to: u8,
    },
    Assignee {
        from: Option<u8>,
        to: Option<u8>,
    },
    Priority {
        from: u8,
        to: u8,
    },
    Resolution {
        from: Option<u8>,
        to: Option<u8>,
    },
    Labels {
        from: u8,
        to: u8,
    },
    StoryPoints {
        from: Option<u8>,
        to: Option<u8>,
    },
    Rank {
        higher: bool,
    },
    /// Jira Software's flag, raised when an issue becomes Blocked and lowered when it leaves.
    Flagged {
        on: bool,
    },
}

impl Change {
    /// The `fieldId` Jira gives this change.
    pub fn field_id(&self) -> &'static str {
        match self {
            Change::Status { .. } => "status",
            Change::Assignee { .. } => "assignee",
            Change::Priority { .. } => "priority",
            Change::Resolution { .. } => "resolution",
            Change::Labels { .. } => "labels",
            Change::StoryPoints { .. } => crate::site::STORY_POINTS,
            Change::Rank { .. } => crate::site::RANK,
            Change::Flagged { .. } => crate::site::FLAGGED,
        }
    }
}

/// One changelog entry.
#[derive(Debug, Clone, Copy)]
pub struct History {
    pub id: u32,
    pub created_ms: i64,
    pub author: u8,
    /// Old entries, written before Jira added `fieldId` to change items.
    pub legacy: bool,
    pub first_item: u32,
    pub items: u8,
}

/// One issue, compactly. Strings (key, summary, description) are derived when rendered.
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: u32,
    pub project: u8,
    pub number: u32,
    pub issue_type: u8,
    pub priority: u8,
    pub reporter: u8,
    pub assignee: Option<u8>,
    pub status: u8,
    pub resolution: Option<u8>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub resolved_ms: Option<i64>,
    pub status_category_changed_ms: i64,
    /// Bit i set: label i of [`crate::site::LABELS`].
    pub labels: u8,
    /// Bit i set: component i of the project.
    pub components: u8,
    pub story_points: Option<u8>,
    /// Flagged as an impediment (Jira Software's "Flagged" field): the blocked issues.
    pub flagged: bool,
    /// Which summary words; fixed at generation.
    pub summary_seed: u32,
    pub first_history: u32,
    pub histories: u32,
}

/// The whole generated site.
#[derive(Debug)]
pub struct Dataset {
    pub spec: DataSpec,
    pub site: Site,
    pub issues: Vec<Issue>,
    pub histories: Vec<History>,
    pub items: Vec<Change>,
    /// The time logged on the issues ([`crate::data::worklog`]), drawn after them.
    pub worklogs: Worklogs,
}

/// The story point values teams use.
pub const POINTS: [u8; 7] = [1, 2, 3, 5, 8, 13, 21];

/// The first issue's id; issue `n` (in [`Dataset::issues`]) has id `FIRST_ISSUE_ID + n`.
pub const FIRST_ISSUE_ID: u32 = 10_000;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: f64 = 3_600_000.0;

impl Dataset {
    /// Generates the data set for `spec`.
    pub fn generate(spec: DataSpec) -> Dataset {
        let end_ms = spec.end.as_millisecond();
        let start_ms = end_ms - 365 * DAY_MS;
        let rename_at =
            Timestamp::from_millisecond(start_ms + 200 * DAY_MS).unwrap_or(Timestamp::UNIX_EPOCH);
        let site = Site::new(spec.canary, rename_at);
        let generator = Generator::new(&site, start_ms, end_ms);
        let mut drafts: Vec<Draft> = (0..spec.issues)
            .map(|i| generator.issue(spec.seed, i as u64))
            .collect();
        // Ids and keys in creation order, like a real site.
        drafts.sort_by_key(|d| d.issue.created_ms);
        let mut numbers = vec![0u32; site.projects.len()];
        let mut issues = Vec::with_capacity(drafts.len());
        let mut histories = Vec::new();
        let mut items = Vec::new();
        for (i, d) in drafts.into_iter().enumerate() {
            let mut issue = d.issue;
            issue.id = 10_000 + i as u32;
            let n = &mut numbers[usize::from(issue.project)];
            *n += 1;
            issue.number = *n;
            issue.first_history = histories.len() as u32;
            issue.histories = d.histories.len() as u32;
            let base = items.len() as u32;
            histories.extend(d.histories.into_iter().map(|h| History {
                first_item: base + h.first_item,
                ..h
            }));
            items.extend(d.items);
            issues.push(issue);
        }
        // History ids follow time across the site.
        let mut order: Vec<u32> = (0..histories.len() as u32).collect();
        order.sort_by_key(|&h| (histories[h as usize].created_ms, h));
        for (n, h) in order.into_iter().enumerate() {
            histories[h as usize].id = 100_000 + n as u32;
        }
        let worklogs = Worklogs::generate(spec.seed, spec.worklog_scale, &site, &issues, end_ms);
        Dataset {
            spec,
            site,
            issues,
            histories,
            items,
            worklogs,
        }
    }

    /// The issue's histories, oldest first.
    pub fn histories_of(&self, issue: &Issue) -> &[History] {
        let a = issue.first_history as usize;
        &self.histories[a..a + issue.histories as usize]
    }

    pub fn items_of(&self, h: &History) -> &[Change] {
        let a = h.first_item as usize;
        &self.items[a..a + usize::from(h.items)]
    }

    pub fn key(&self, issue: &Issue) -> String {
        format!(
            "{}-{}",
            self.site.projects[usize::from(issue.project)].key,
            issue.number
        )
    }

    /// Finds an issue by id or key.
    pub fn find(&self, id_or_key: &str) -> Option<&Issue> {
        if let Ok(id) = id_or_key.parse::<u32>() {
            return id
                .checked_sub(10_000)
                .and_then(|i| self.issues.get(i as usize));
        }
        let (project, number) = id_or_key.rsplit_once('-')?;
        let number: u32 = number.parse().ok()?;
        let p = self
            .site
            .projects
            .iter()
            .position(|p| p.key.eq_ignore_ascii_case(project))?;
        // Numbers rise with ids inside a project, so a binary search over the project's issues
        // would do; a scan is fast enough for single-issue lookups and keeps this simple.
        self.issues
            .iter()
            .find(|i| usize::from(i.project) == p && i.number == number)
    }

    /// The summary as served: in canary mode with `ZZCANARYSUMMARY-s{id}` at the end.
    pub fn summary(&self, issue: &Issue) -> String {
        let text = self.summary_text(issue);
        if self.site.canary {
            format!("{text} {}-s{}", Canary::Summary.marker(), issue.id)
        } else {
            text
        }
    }

    /// The summary without a marker: the description quotes it, and must carry its own kind's
    /// marker only.
    fn summary_text(&self, issue: &Issue) -> String {
        const VERBS: [&str; 12] = [
            "Fix", "Add", "Improve", "Remove", "Refactor", "Document", "Speed up", "Migrate",
            "Validate", "Cache", "Log", "Retry",
        ];
        const THINGS: [&str; 16] = [
            "login flow",
            "invoice export",
            "search results",
            "password reset",
            "dashboard widgets",
            "webhook delivery",
            "CSV import",
            "session timeout",
            "audit log",
            "push notifications",
            "nightly batch",
            "rate limiter",
            "user settings",
            "report filters",
            "sync conflicts",
            "onboarding tour",
        ];
        const WHERE: [&str; 8] = [
            "for admins",
            "on mobile",
            "in the API",
            "after upgrade",
            "for large accounts",
            "in Safari",
            "under load",
            "for new users",
        ];
        let s = issue.summary_seed as usize;
        format!(
            "{} {} {}",
            VERBS[s % VERBS.len()],
            THINGS[(s / 12) % THINGS.len()],
            WHERE[(s / 192) % WHERE.len()]
        )
    }

    pub fn description(&self, issue: &Issue) -> String {
        let text = format!(
            "As discussed in planning: {}. Acceptance: covered by tests and reviewed.",
            self.summary_text(issue).to_lowercase()
        );
        if self.site.canary {
            format!("{text} {}-d{}", Canary::Description.marker(), issue.id)
        } else {
            text
        }
    }

    /// The value of the text custom field [`crate::site::CUSTOMER`]: canary sites only.
    pub fn customer(&self, issue: &Issue) -> Option<String> {
        const ACCOUNTS: [&str; 5] = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"];
        self.site.canary.then(|| {
            format!(
                "{} {}",
                ACCOUNTS[issue.id as usize % ACCOUNTS.len()],
                Canary::TextField.marker()
            )
        })
    }

    /// The option of the select custom field [`crate::site::TEAM`] (id and value): canary
    /// sites only.
    pub fn team(&self, issue: &Issue) -> Option<(u32, String)> {
        let options = crate::site::TEAM_OPTIONS;
        self.site.canary.then(|| {
            let (id, name) = options[issue.id as usize % options.len()];
            (id, format!("{name} {}", Canary::Option.marker()))
        })
    }

    /// The labels of a bit set, as served.
    pub fn labels(&self, bits: u8) -> Vec<&str> {
        (0..8)
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| self.site.labels[i].as_str())
            .collect()
    }
}

/// An issue before ids and keys are assigned; `first_item` indexes its own `items`.
struct Draft {
    issue: Issue,
    histories: Vec<History>,
    items: Vec<Change>,
}

struct Generator<'a> {
    site: &'a Site,
    start_ms: i64,
    end_ms: i64,
    /// Before this, change items have no `fieldId` (old Jira data).
    legacy_until_ms: i64,
    project_weights: Vec<u32>,
    type_weights: Vec<u32>,
}

/// Median dwell (hours) and spread of each status, for the log-normal draw.
fn dwell(status: u8) -> (f64, f64) {
    match status {
        st::TODO | st::MOB_TODO => (60.0, 1.3),
        st::IN_PROGRESS | st::MOB_IN_PROGRESS => (30.0, 1.0),
        st::REVIEW => (8.0, 1.0),
        st::QA => (14.0, 0.9),
        st::BLOCKED => (40.0, 1.0),
        _ => (90.0, 1.0), // Done, before a reopen
    }
}

fn pick<R: Rng>(rng: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut r = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

impl<'a> Generator<'a> {
    fn new(site: &'a Site, start_ms: i64, end_ms: i64) -> Self {
        Generator {
            site,
            start_ms,
            end_ms,
            legacy_until_ms: start_ms + 45 * DAY_MS,
            project_weights: site.projects.iter().map(|p| p.weight).collect(),
            type_weights: site.issue_types.iter().map(|t| t.weight).collect(),
        }
    }

    fn issue(&self, seed: u64, index: u64) -> Draft {
        let mut rng = Pcg64Mcg::seed_from_u64(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        let project = pick(&mut rng, &self.project_weights) as u8;
        let p = &self.site.projects[usize::from(project)];
        let team = p.team;
        let issue_type = pick(&mut rng, &self.type_weights) as u8;
        let priority = pick(&mut rng, &[5, 15, 55, 20, 5]) as u8;
        let reporter = team[rng.random_range(0..team.len())];
        let created_ms = self.start_ms + rng.random_range(0..(self.end_ms - self.start_ms));
        let mut labels: u8 = 0;
        for i in 0..8 {
            if rng.random_bool(0.12) {
                labels |= 1 << i;
            }
        }
        let components = 1u8 << rng.random_range(0..4)
            | if rng.random_bool(0.2) {
                1 << rng.random_range(0..4)
            } else {
                0
            };
        let team_managed = p.simplified;
        let heavy = rng.random_bool(0.004);
        let mut w = Walk {
            rng,
            t: created_ms,
            end_ms: self.end_ms,
            legacy_until_ms: self.legacy_until_ms,
            histories: Vec::new(),
            items: Vec::new(),
            status: if team_managed { st::MOB_TODO } else { st::TODO },
            assignee: None,
            priority,
            resolution: None,
            labels,
            points: None,
            team,
            resolved_ms: None,
            category_changed_ms: created_ms,
        };
        if w.rng.random_bool(0.3) {
            w.assignee = Some(team[w.rng.random_range(0..team.len())]);
        }
        let author_default = reporter;
        w.run(team_managed, heavy, author_default);
        let updated_ms = w.histories.last().map_or(created_ms, |h| h.created_ms);
        Draft {
            issue: Issue {
                id: 0,
                project,
                number: 0,
                issue_type,
                priority: w.priority,
                reporter,
                assignee: w.assignee,
                status: w.status,
                resolution: w.resolution,
                created_ms,
                updated_ms,
                resolved_ms: w.resolved_ms,
                status_category_changed_ms: w.category_changed_ms,
                labels: w.labels,
                components,
                story_points: w.points,
                flagged: w.status == st::BLOCKED,
                summary_seed: w.rng.random_range(0..1536),
                first_history: 0,
                histories: 0,
            },
            histories: w.histories,
            items: w.items,
        }
    }
}

/// One issue's life, walked through its workflow.
struct Walk {
    rng: Pcg64Mcg,
    t: i64,
    end_ms: i64,
    legacy_until_ms: i64,
    histories: Vec<History>,
    items: Vec<Change>,
    status: u8,
    assignee: Option<u8>,
    priority: u8,
    resolution: Option<u8>,
    labels: u8,
    points: Option<u8>,
    team: &'static [u8],
    resolved_ms: Option<i64>,
    category_changed_ms: i64,
}

impl Walk {
    fn run(&mut self, team_managed: bool, heavy: bool, reporter: u8) {
        let mut reopens = 0;
        let max_histories = if heavy { 600 } else { 120 };
        loop {
            let (median, sigma) = dwell(self.status);
            let stay = LogNormal::new(median.ln(), sigma)
                .map(|d| d.sample(&mut self.rng))
                .unwrap_or(median);
            let next_at = self.t + (stay * HOUR_MS) as i64 + 1000;
            // Side changes while the issue sits in this status.
            let side = if heavy {
                self.rng.random_range(20..60)
            } else {
                usize::from(self.rng.random_bool(0.5)) + usize::from(self.rng.random_bool(0.2))
            };
            let mut side_times: Vec<i64> = (0..side)
                .map(|_| {
                    self.rng
                        .random_range(self.t + 1000..next_at.max(self.t + 2000))
                })
                .collect();
            side_times.sort_unstable();
            for at in side_times {
                if at >= self.end_ms || self.histories.len() >= max_histories {
                    break;
                }
                self.side_change(at, reporter);
            }
            if next_at >= self.end_ms || self.histories.len() >= max_histories {
                return;
            }
            let Some(next) = self.next_status(team_managed, &mut reopens) else {
                return;
            };
            self.transition(next_at, next);
        }
    }

    fn next_status(&mut self, team_managed: bool, reopens: &mut u32) -> Option<u8> {
        let r: f64 = self.rng.random();
        let s = self.status;
        if team_managed {
            return Some(match s {
                st::MOB_TODO => st::MOB_IN_PROGRESS,
                st::MOB_IN_PROGRESS if r < 0.12 => st::MOB_TODO,
                st::MOB_IN_PROGRESS => st::MOB_DONE,
                _ if *reopens < 2 && r < 0.10 => {
                    *reopens += 1;
                    st::MOB_IN_PROGRESS
                }
                _ => return None,
            });
        }
        Some(match s {
            st::TODO if r < 0.88 => st::IN_PROGRESS,
            st::TODO if r < 0.94 => st::BLOCKED,
            st::TODO => st::DONE, // closed as won't do
            st::IN_PROGRESS if r < 0.68 => st::REVIEW,
            st::IN_PROGRESS if r < 0.80 => st::BLOCKED,
            st::IN_PROGRESS if r < 0.86 => st::TODO,
            st::IN_PROGRESS => st::DONE,
            st::REVIEW if r < 0.66 => st::QA,
            st::REVIEW => st::IN_PROGRESS,
            st::QA if r < 0.78 => st::DONE,
            st::QA => st::IN_PROGRESS,
            st::BLOCKED if r < 0.8 => st::IN_PROGRESS,
            st::BLOCKED => st::TODO,
            _ if *reopens < 2 && r < 0.09 => {
                *reopens += 1;
                if r < 0.03 { st::TODO } else { st::IN_PROGRESS }
            }
            _ => return None,
        })
    }

    fn push(&mut self, at: i64, author: u8, changes: &[Change]) {
        self.t = at;
        self.histories.push(History {
            id: 0,
            created_ms: at,
            author,
            legacy: at < self.legacy_until_ms,
            first_item: self.items.len() as u32,
            items: changes.len() as u8,
        });
        self.items.extend_from_slice(changes);
    }

    fn member(&mut self) -> u8 {
        self.team[self.rng.random_range(0..self.team.len())]
    }

    fn transition(&mut self, at: i64, to: u8) {
        let from = self.status;
        let mut changes = vec![Change::Status { from, to }];
        let done = |s: u8| s == st::DONE || s == st::MOB_DONE;
        let category = |s: u8| match s {
            st::TODO | st::MOB_TODO => 0,
            st::DONE | st::MOB_DONE => 2,
            _ => 1,
        };
        if done(to) {
            let r = if from == st::TODO { 1 } else { 0 };
            changes.push(Change::Resolution {
                from: None,
                to: Some(r),
            });
            self.resolution = Some(r);
            self.resolved_ms = Some(at);
        } else if done(from) {
            changes.push(Change::Resolution {
                from: self.resolution,
                to: None,
            });
            self.resolution = None;
            self.resolved_ms = None;
        }
        if (to == st::IN_PROGRESS || to == st::MOB_IN_PROGRESS) && self.assignee.is_none() {
            let a = self.member();
            changes.push(Change::Assignee {
                from: None,
                to: Some(a),
            });
            self.assignee = Some(a);
        }
        // Drawn from the status alone, so the flag adds items without changing the data.
        if to == st::BLOCKED {
            changes.push(Change::Flagged { on: true });
        } else if from == st::BLOCKED {
            changes.push(Change::Flagged { on: false });
        }
        if category(from) != category(to) {
            self.category_changed_ms = at;
        }
        let author = self.assignee.unwrap_or_else(|| self.member());
        self.status = to;
        self.push(at, author, &changes);
    }

    fn side_change(&mut self, at: i64, reporter: u8) {
        let r: f64 = self.rng.random();
        let author = if self.rng.random_bool(0.5) {
            reporter
        } else {
            self.member()
        };
        let change = if r < 0.35 {
            Change::Rank {
                higher: self.rng.random_bool(0.5),
            }
        } else if r < 0.55 {
            let to = loop {
                let m = self.member();
                if Some(m) != self.assignee || self.team.len() < 2 {
                    break Some(m);
                }
            };
            let to = if self.rng.random_bool(0.08) { None } else { to };
            let c = Change::Assignee {
                from: self.assignee,
                to,
            };
            self.assignee = to;
            c
        } else if r < 0.7 {
            let to = POINTS[self.rng.random_range(0..POINTS.len())];
            let c = Change::StoryPoints {
                from: self.points,
                to: Some(to),
            };
            self.points = Some(to);
            c
        } else if r < 0.85 {
            let to = self.labels ^ (1 << self.rng.random_range(0..8));
            let c = Change::Labels {
                from: self.labels,
                to,
            };
            self.labels = to;
            c
        } else {
            let to = self.rng.random_range(0..5u8);
            if to == self.priority {
                Change::Rank { higher: true }
            } else {
                let c = Change::Priority {
                    from: self.priority,
                    to,
                };
                self.priority = to;
                c
            }
        };
        self.push(at, author, &[change]);
    }
}

/// Formats an instant the way Jira does, in the zone of the user who asked:
/// `2026-06-20T17:04:05.000+0200` (no colon in the offset).
pub fn jira_time(ms: i64, tz: &TimeZone) -> String {
    let t = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}
