//! Maintenance: purging uninstalled tenants, daily backups with their retention, and
//! re-sealing secrets after a key rotation. Each is a plain function (the CLI calls them) and
//! the server runs the first two on a schedule.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::crypto::KeyRing;
use crate::store::{self, Db};

/// Deletes every tenant uninstalled more than `grace` before `now`. Returns their client keys.
pub fn purge_once(db: &Db, grace: Duration, now: Timestamp) -> anyhow::Result<Vec<String>> {
    let grace = jiff::SignedDuration::try_from(grace).context("grace period")?;
    let cutoff = now.checked_sub(grace).context("grace period too long")?;
    let mut conn = db.conn()?;
    Ok(store::purge_uninstalled(&mut conn, cutoff)?)
}

/// Re-seals every shared secret that an older key sealed under the current key. Returns how
/// many were re-sealed.
pub fn reseal_secrets(db: &Db, keys: &KeyRing) -> anyhow::Result<usize> {
    let conn = db.conn()?;
    let mut n = 0;
    for (tenant, client_key, sealed) in store::sealed_secrets(&conn)? {
        if keys.is_current(&sealed) {
            continue;
        }
        let secret = keys
            .open(&sealed, &client_key)
            .with_context(|| format!("tenant {tenant}: cannot open its shared secret"))?;
        store::replace_sealed_secret(tenant, &conn, &keys.seal(&secret, &client_key)?)?;
        n += 1;
    }
    Ok(n)
}

const BACKUP_PREFIX: &str = "dwell-";
const BACKUP_SUFFIX: &str = ".sqlite3";
const STAMP: &str = "%Y%m%dT%H%M%S%.3fZ";

/// The file name of a backup taken at `at`: `dwell-20260620T150405.123Z.sqlite3`.
pub fn backup_name(at: Timestamp) -> String {
    format!(
        "{BACKUP_PREFIX}{}{BACKUP_SUFFIX}",
        at.to_zoned(TimeZone::UTC).strftime(STAMP)
    )
}

fn backup_time(name: &str) -> Option<Timestamp> {
    let stamp = name
        .strip_prefix(BACKUP_PREFIX)?
        .strip_suffix(BACKUP_SUFFIX)?;
    let civil = DateTime::strptime(STAMP, stamp).ok()?;
    civil.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// Backups in `dir`, newest first.
pub fn list_backups(dir: &Path) -> anyhow::Result<Vec<(Timestamp, PathBuf)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(at) = name.to_str().and_then(backup_time) {
            out.push((at, entry.path()));
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    Ok(out)
}

/// Takes a backup into `dir` (created mode 0700) with SQLite's online backup API.
pub fn backup_now(db: &Db, dir: &Path, now: Timestamp) -> anyhow::Result<PathBuf> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let dest = dir.join(backup_name(now));
    let conn = db.conn()?;
    store::backup_into(&conn, &dest)?;
    Ok(dest)
}

/// Which backups to keep: the newest of each of the `daily` most recent days, then, among
/// older ones, the newest of each of the `weekly` most recent ISO weeks. Days and weeks are
/// UTC. `backups` must be newest first.
pub fn retained(backups: &[Timestamp], daily: usize, weekly: usize) -> BTreeSet<Timestamp> {
    let mut keep = BTreeSet::new();
    let mut days: BTreeMap<jiff::civil::Date, Timestamp> = BTreeMap::new();
    for &at in backups {
        let day = at.to_zoned(TimeZone::UTC).date();
        if days.len() < daily && !days.contains_key(&day) {
            days.insert(day, at);
        }
    }
    keep.extend(days.values().copied());
    let oldest_daily = days.values().min().copied();
    let mut weeks: BTreeMap<(i16, i8), Timestamp> = BTreeMap::new();
    for &at in backups {
        if oldest_daily.is_some_and(|o| at >= o) {
            continue;
        }
        let week = at.to_zoned(TimeZone::UTC).date().iso_week_date();
        let key = (week.year(), week.week());
        if weeks.len() < weekly && !weeks.contains_key(&key) {
            weeks.insert(key, at);
        }
    }
    keep.extend(weeks.values().copied());
    keep
}

/// Deletes the backups in `dir` that [`retained`] does not keep. Returns what it deleted.
pub fn prune(dir: &Path, daily: usize, weekly: usize) -> anyhow::Result<Vec<PathBuf>> {
    let all = list_backups(dir)?;
    let times: Vec<Timestamp> = all.iter().map(|(t, _)| *t).collect();
    let keep = retained(&times, daily, weekly);
    let mut removed = Vec::new();
    for (at, path) in all {
        if !keep.contains(&at) {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Whether a day has passed since the newest backup in `dir`.
pub fn backup_due(dir: &Path, now: Timestamp) -> anyhow::Result<bool> {
    Ok(match list_backups(dir)?.first() {
        None => true,
        Some((newest, _)) => now.duration_since(*newest) >= jiff::SignedDuration::from_hours(23),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn backup_names_round_trip() {
        let t = at("2026-06-20T15:04:05.123Z");
        assert_eq!(backup_name(t), "dwell-20260620T150405.123Z.sqlite3");
        assert_eq!(backup_time(&backup_name(t)), Some(t));
        assert_eq!(backup_time("dwell-notatime.sqlite3"), None);
    }

    #[test]
    fn retention_keeps_eight_days_then_eight_weeks() {
        // Two backups a day for 120 days, newest first.
        let start = at("2026-01-01T03:00:00Z");
        let mut all: Vec<Timestamp> = (0..240)
            .map(|i| start + jiff::SignedDuration::from_hours(12 * i))
            .collect();
        all.reverse();
        let keep = retained(&all, 8, 8);
        assert_eq!(keep.len(), 16);
        let newest = all[0];
        // The 8 daily copies are the newest of the last 8 days.
        let daily: Vec<_> = keep.iter().rev().take(8).copied().collect();
        assert_eq!(daily[0], newest);
        for w in daily.windows(2) {
            assert_eq!(
                w[0].duration_since(w[1]),
                jiff::SignedDuration::from_hours(24)
            );
        }
        // The weekly copies are a week apart, in distinct ISO weeks.
        let weekly: Vec<_> = keep.iter().rev().skip(8).copied().collect();
        let weeks: BTreeSet<_> = weekly
            .iter()
            .map(|t| t.to_zoned(TimeZone::UTC).date().iso_week_date().week())
            .collect();
        assert_eq!(weeks.len(), 8);
        assert!(weekly.iter().all(|w| *w < daily[7]));
    }

    #[test]
    fn few_backups_are_all_kept() {
        let all = vec![at("2026-01-03T00:00:00Z"), at("2026-01-02T00:00:00Z")];
        assert_eq!(retained(&all, 8, 8).len(), 2);
    }
}
