//! Worklogs: the generated time logged on issues, kept compactly like the issues and rendered
//! only for the page a request asks for.
//!
//! The design decision a reader must know: **worklogs are drawn after the issues, from PRNG
//! streams of their own** (seeded by `(seed, issue id)` with a salt of their own), so adding them
//! changed no issue, history or id that existing tests and the demo count on. Every issue draws
//! its worklogs inside its working life (created to resolved, or the data's end):
//! - several authors: the assignee most often, the project's team, now and then ada or jo;
//! - most issues have a handful while they are worked on; about 2 % of those created at least
//!   60 days before the data's end are buckets (meetings, support) with hundreds (150 to 450)
//!   logged until the end;
//! - `started` lies in office hours of the author's own zone (Jira keeps the offset it was
//!   logged with), 4 % start late in the evening and run past midnight, and 8 % of the issues
//!   (every bucket, for each team member) get one started an hour before a daylight-saving
//!   change of the author's zone and lasting two real hours, when their life spans one;
//! - durations in whole minutes (15-minute steps, with odd minutes on 15 %);
//! - about 85 % have a comment (ADF on v3, text on v2; `--canary` appends `ZZCANARYWORKLOG-w{id}`);
//! - about 11 % are visibility-restricted: to the project's team group, to the project role
//!   "Developers" or, rarely, to "Administrators" (see [`Restriction`] for who is in which).
//!
//! Ids are handed out site-wide in creation order (10000 up), and `updated` times are unique
//! across the site, so `worklog/updated` can page on them without skipping or repeating one.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::data::Issue;
use crate::site::{Canary, GROUPS, Site};

/// The first worklog id.
pub const FIRST_ID: u32 = 10_000;

/// Who may see a restricted worklog. Membership is fixed and documented so tests can say who
/// sees what:
/// - `Group(g)`: members of [`GROUPS`]`[g]` (each user's `groups` in [`crate::site`]); the
///   generator restricts to the project's team group (PLAT `team-platform`, WEB `team-web`,
///   DATA `team-data`, MOB `team-mobile`);
/// - `Role(Developers)`: the project's team (`Project::team`);
/// - `Role(Administrators)`: the project's lead and the `jira-administrators` group (ada).
///
/// Nobody sees a restricted worklog by being a site admin: ada, who is in no team group and on
/// no team, sees only unrestricted worklogs and those for Administrators. A Connect or Forge
/// app (no user) sees only unrestricted ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    Group(u8),
    Role(Role),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Developers,
    Administrators,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Developers => "Developers",
            Role::Administrators => "Administrators",
        }
    }

    /// Jira's project role ids for the two roles.
    pub fn id(self) -> u32 {
        match self {
            Role::Developers => 10001,
            Role::Administrators => 10002,
        }
    }
}

/// Who is looking: a site user, or an app (no user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    User(u8),
    App,
}

/// One worklog, compactly.
#[derive(Debug, Clone, Copy)]
pub struct Worklog {
    pub id: u32,
    /// Index of the issue in [`crate::Dataset::issues`].
    pub issue: u32,
    pub author: u8,
    pub update_author: u8,
    pub started_ms: i64,
    pub seconds: u32,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub restriction: Option<Restriction>,
    /// Which comment words; `None`: the worklog has no comment.
    pub comment: Option<u16>,
}

/// The site's worklogs and their indices.
#[derive(Debug, Default)]
pub struct Worklogs {
    /// Grouped by issue (in issue order), each issue's in id (= creation) order.
    pub all: Vec<Worklog>,
    /// `all[start[i]..start[i + 1]]` are issue `i`'s worklogs.
    pub start: Vec<u32>,
    /// Index into `all` by `id - FIRST_ID`.
    pub by_id: Vec<u32>,
    /// Indices into `all`, oldest `updated` first (the `worklog/updated` feed).
    pub by_updated: Vec<u32>,
}

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

impl Worklogs {
    /// Draws the worklogs of `issues` (already in their final order, with ids).
    /// `scale` multiplies the worklogs of ordinary issues ([`crate::DataSpec::worklog_scale`]).
    pub fn generate(seed: u64, scale: u32, site: &Site, issues: &[Issue], end_ms: i64) -> Worklogs {
        let start_ms = issues.iter().map(|i| i.created_ms).min().unwrap_or(end_ms);
        // Each zone's daylight-saving changes over the data's span.
        let transitions: Vec<Vec<i64>> = site
            .users
            .iter()
            .map(|u| dst_changes(&u.tz, start_ms, end_ms))
            .collect();
        let mut all = Vec::new();
        let mut start = Vec::with_capacity(issues.len() + 1);
        for (n, issue) in issues.iter().enumerate() {
            start.push(all.len() as u32);
            let before = all.len();
            draw(
                seed,
                scale,
                site,
                issue,
                n as u32,
                end_ms,
                &transitions,
                &mut all,
            );
            all[before..].sort_by_key(|w: &Worklog| (w.created_ms, w.started_ms));
        }
        start.push(all.len() as u32);
        // Ids in creation order across the site.
        let mut order: Vec<u32> = (0..all.len() as u32).collect();
        order.sort_by_key(|&w| (all[w as usize].created_ms, w));
        let mut by_id = vec![0u32; all.len()];
        for (n, &w) in order.iter().enumerate() {
            all[w as usize].id = FIRST_ID + n as u32;
            by_id[n] = w;
        }
        // Unique update times, so the feed pages on them exactly.
        let mut by_updated: Vec<u32> = (0..all.len() as u32).collect();
        by_updated.sort_by_key(|&w| (all[w as usize].updated_ms, all[w as usize].id));
        let mut last = i64::MIN;
        for &w in &by_updated {
            let wl = &mut all[w as usize];
            if wl.updated_ms <= last {
                wl.updated_ms = last + 1;
            }
            last = wl.updated_ms;
        }
        Worklogs {
            all,
            start,
            by_id,
            by_updated,
        }
    }

    /// Issue `index`'s worklogs, oldest first.
    pub fn of(&self, index: usize) -> &[Worklog] {
        match (self.start.get(index), self.start.get(index + 1)) {
            (Some(&a), Some(&b)) => &self.all[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The worklog with this id.
    pub fn find(&self, id: i64) -> Option<&Worklog> {
        let n = usize::try_from(id.checked_sub(i64::from(FIRST_ID))?).ok()?;
        self.by_id.get(n).map(|&w| &self.all[w as usize])
    }
}

/// Whether `viewer` may see `w` (see [`Restriction`] for the memberships).
pub fn visible(site: &Site, issues: &[Issue], w: &Worklog, viewer: Viewer) -> bool {
    let Some(r) = w.restriction else {
        return true;
    };
    let Viewer::User(u) = viewer else {
        return false;
    };
    let user = &site.users[usize::from(u)];
    let project = &site.projects[usize::from(issues[w.issue as usize].project)];
    match r {
        Restriction::Group(g) => user.groups.contains(&GROUPS[usize::from(g)]),
        Restriction::Role(Role::Developers) => project.team.contains(&u),
        Restriction::Role(Role::Administrators) => {
            project.lead == u || user.groups.contains(&"jira-administrators")
        }
    }
}

/// The comment's text (with the canary marker in canary mode), or `None`.
pub fn comment(site: &Site, w: &Worklog) -> Option<String> {
    const ACTS: [&str; 8] = [
        "Investigated",
        "Implemented",
        "Reviewed",
        "Tested",
        "Paired on",
        "Debugged",
        "Wrote notes on",
        "Deployed",
    ];
    const WHAT: [&str; 8] = [
        "the fix",
        "edge cases",
        "the migration",
        "CI failures",
        "review comments",
        "the release",
        "query performance",
        "the spec",
    ];
    const TAIL: [&str; 4] = ["", " with the team", " (follow-up)", " — waiting on review"];
    let s = usize::from(w.comment?);
    let text = format!(
        "{} {}{}",
        ACTS[s % 8],
        WHAT[(s / 8) % 8],
        TAIL[(s / 64) % 4]
    );
    Some(if site.canary {
        format!("{text} {}-w{}", Canary::WorklogComment.marker(), w.id)
    } else {
        text
    })
}

/// Jira's `timeSpent`: weeks of 5 days, days of 8 hours, hours, minutes (`1d 2h 30m`), as a
/// site with the default time-tracking settings writes it.
pub fn time_spent(seconds: u32) -> String {
    let minutes = seconds / 60;
    let units = [(5 * 8 * 60, "w"), (8 * 60, "d"), (60, "h"), (1, "m")];
    let mut rest = minutes;
    let mut parts = Vec::new();
    for (size, unit) in units {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if parts.is_empty() {
        "0m".to_string()
    } else {
        parts.join(" ")
    }
}

fn dst_changes(tz: &TimeZone, start_ms: i64, end_ms: i64) -> Vec<i64> {
    let Ok(from) = Timestamp::from_millisecond(start_ms) else {
        return Vec::new();
    };
    tz.following(from)
        .map(|t| t.timestamp().as_millisecond())
        .take_while(|&ms| ms < end_ms)
        .collect()
}

/// A local wall-clock time in `tz` on the local day that contains `day_ms`.
fn local(tz: &TimeZone, day_ms: i64, minute_of_day: i64) -> Option<i64> {
    let t = Timestamp::from_millisecond(day_ms).ok()?;
    let date = t.to_zoned(tz.clone()).date();
    let dt = date.at((minute_of_day / 60) as i8, (minute_of_day % 60) as i8, 0, 0);
    Some(dt.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond())
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn draw(
    seed: u64,
    scale: u32,
    site: &Site,
    issue: &Issue,
    index: u32,
    end_ms: i64,
    transitions: &[Vec<i64>],
    out: &mut Vec<Worklog>,
) {
    let mut rng = Pcg64Mcg::seed_from_u64(
        seed.wrapping_mul(0xA076_1D64_78BD_642F)
            ^ u64::from(issue.id).wrapping_mul(0xE703_7ED1_A0B4_28DB)
            ^ 0x5707_1065,
    );
    // A few issues are buckets the team logs time on all along (meetings, support), open or
    // not: they collect hundreds. The others get time while they are worked on.
    let heavy = end_ms - issue.created_ms >= 60 * DAY_MS && rng.random_bool(0.02);
    let life_end = if heavy {
        end_ms
    } else {
        issue.resolved_ms.unwrap_or(end_ms).min(end_ms)
    };
    let life = life_end - issue.created_ms;
    if life < 2 * 3_600_000 || (!heavy && rng.random_bool(0.35)) {
        return;
    }
    let project = &site.projects[usize::from(issue.project)];
    let count: usize = if heavy {
        rng.random_range(150..450)
    } else {
        rng.random_range(1..9) * scale.max(1) as usize
    };
    let restriction = |rng: &mut Pcg64Mcg| -> Option<Restriction> {
        let r: f64 = rng.random();
        if r < 0.05 {
            Some(Restriction::Group(3 + issue.project))
        } else if r < 0.10 {
            Some(Restriction::Role(Role::Developers))
        } else if r < 0.11 {
            Some(Restriction::Role(Role::Administrators))
        } else {
            None
        }
    };
    let author = |rng: &mut Pcg64Mcg| -> u8 {
        let r: f64 = rng.random();
        match issue.assignee {
            Some(a) if r < 0.5 => a,
            _ if r < 0.95 => project.team[rng.random_range(0..project.team.len())],
            _ if r < 0.975 => 0,
            _ => 9,
        }
    };
    let mut finish = |rng: &mut Pcg64Mcg, author: u8, started_ms: i64, seconds: u32| {
        let logged = started_ms + i64::from(seconds) * 1000;
        let created_ms = (logged + rng.random_range(0..36 * 3_600_000)).min(end_ms - 1);
        let edited = rng.random_bool(0.12);
        let updated_ms = if edited {
            (created_ms + rng.random_range(3_600_000..10 * DAY_MS)).min(end_ms - 1)
        } else {
            created_ms
        };
        let update_author = if edited && rng.random_bool(0.2) {
            project.lead
        } else {
            author
        };
        let restriction = restriction(rng);
        let comment = rng.random_bool(0.85).then(|| rng.random_range(0..256u16));
        out.push(Worklog {
            id: 0,
            issue: index,
            author,
            update_author,
            started_ms,
            seconds,
            created_ms: created_ms.max(started_ms),
            updated_ms: updated_ms.max(started_ms),
            restriction,
            comment,
        });
    };
    // Started an hour before a daylight-saving change of the author's zone: one on some
    // issues, one per team member and change on the buckets.
    let dst_authors: Vec<u8> = if heavy {
        project.team.to_vec()
    } else if rng.random_bool(0.08) {
        vec![author(&mut rng)]
    } else {
        Vec::new()
    };
    for a in dst_authors {
        let changes = transitions[usize::from(a)]
            .iter()
            .filter(|&&t| t - 3_600_000 > issue.created_ms && t + 3_600_000 < life_end);
        for &t in changes.take(if heavy { 2 } else { 1 }) {
            finish(&mut rng, a, t - 3_600_000, 2 * 3600);
        }
    }
    let mut attempts = 0;
    let mut made = 0;
    while made < count && attempts < count * 3 {
        attempts += 1;
        let a = author(&mut rng);
        let tz = &site.users[usize::from(a)].tz;
        let day = rng.random_range(issue.created_ms..life_end);
        let night = rng.random_bool(0.04);
        let (minute, minutes) = if night {
            // Late evening, past midnight.
            (
                21 * 60 + 15 * rng.random_range(0..12i64),
                90 + 15 * rng.random_range(0..11i64),
            )
        } else {
            let odd = if rng.random_bool(0.15) {
                rng.random_range(1..15i64)
            } else {
                0
            };
            (
                8 * 60 + 5 * rng.random_range(0..120i64),
                15 * rng.random_range(1..17i64) + odd,
            )
        };
        let Some(started_ms) = local(tz, day, minute) else {
            continue;
        };
        if started_ms < issue.created_ms || started_ms + minutes * MINUTE_MS > life_end {
            continue;
        }
        finish(&mut rng, a, started_ms, (minutes * 60) as u32);
        made += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::time_spent;

    #[test]
    fn time_spent_uses_jira_units() {
        assert_eq!(time_spent(0), "0m");
        assert_eq!(time_spent(900), "15m");
        assert_eq!(time_spent(3600 + 7 * 60), "1h 7m");
        assert_eq!(time_spent(8 * 3600), "1d");
        assert_eq!(
            time_spent(5 * 8 * 3600 + 8 * 3600 + 90 * 60),
            "1w 1d 1h 30m"
        );
    }
}
