//! The account ids a tenant's data holds, and their erasure when an account closes (Atlassian's
//! personal data reporting, driven by [`crate::personal_data`]).
//!
//! Dwell keeps account ids and nothing else about people (no names, no e-mail addresses): the
//! creator and last editor of each report, the people granted rights (`{"type": "user",
//! "accountId": ...}` in a report's access and in the site's permissions), the authors a
//! timesheet filters on (its `accounts`), the editor of the permissions, and a site's named
//! admins (and who named them). Erasure removes a closed account from every list it is in,
//! replaces it with [`CLOSED_ACCOUNT`] where a record must name someone (`createdBy`), and
//! replaces it inside any other text (a JQL clause such as `assignee = <id>`), in one
//! transaction; the changed reports get a new version, so an editor open on an old one gets a
//! conflict instead of writing the id back.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{TenantId, from_millis, millis};

/// What stands in for an erased account where a record must name one.
pub const CLOSED_ACCOUNT: &str = "closed-account";

/// Every account id `tenant`'s data holds, with the last time a row naming it was written.
pub fn stored_accounts(
    conn: &Connection,
    tenant: TenantId,
) -> rusqlite::Result<BTreeMap<String, Timestamp>> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    let mut note = |id: &str, at: i64| {
        if id.is_empty() || id == CLOSED_ACCOUNT || id.starts_with("forge:") {
            return;
        }
        let e = out.entry(id.to_string()).or_insert(at);
        *e = (*e).max(at);
    };
    let mut reports = conn.prepare(
        "SELECT created_by, updated_by, config, access, updated_at FROM reports
         WHERE tenant_id = ?1",
    )?;
    let mut rows = reports.query([tenant.0])?;
    while let Some(r) = rows.next()? {
        let at: i64 = r.get(4)?;
        note(&r.get::<_, String>(0)?, at);
        note(&r.get::<_, String>(1)?, at);
        for doc in [r.get::<_, String>(2)?, r.get::<_, String>(3)?] {
            for id in accounts_in(&doc) {
                note(&id, at);
            }
        }
    }
    let mut perms = conn.prepare(
        "SELECT permissions, updated_by, updated_at FROM permissions WHERE tenant_id = ?1",
    )?;
    let mut rows = perms.query([tenant.0])?;
    while let Some(r) = rows.next()? {
        let at: i64 = r.get(2)?;
        note(&r.get::<_, String>(1)?, at);
        for id in accounts_in(&r.get::<_, String>(0)?) {
            note(&id, at);
        }
    }
    let mut admins = conn.prepare(
        "SELECT account_id, granted_by, granted_at FROM tenant_admins WHERE tenant_id = ?1",
    )?;
    let mut rows = admins.query([tenant.0])?;
    while let Some(r) = rows.next()? {
        let at: i64 = r.get(2)?;
        note(&r.get::<_, String>(0)?, at);
        note(&r.get::<_, String>(1)?, at);
    }
    out.into_iter()
        .map(|(id, at)| Ok((id, from_millis(at)?)))
        .collect()
}

/// The account ids a stored JSON document names: users granted something, timesheet authors.
fn accounts_in(doc: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("user")
                    && let Some(id) = map.get("accountId").and_then(Value::as_str)
                {
                    out.push(id.to_string());
                }
                if let Some(Value::Array(ids)) = map.get("accounts") {
                    out.extend(ids.iter().filter_map(Value::as_str).map(str::to_string));
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(doc) {
        walk(&v, &mut out);
    }
    out
}

/// `doc` without `account`: list entries naming it dropped, other text mentioning it rewritten
/// to [`CLOSED_ACCOUNT`]. `None` when `doc` does not mention it.
fn without_account(doc: &str, account: &str) -> Option<String> {
    fn names(v: &Value, account: &str) -> bool {
        match v {
            Value::String(s) => s == account,
            Value::Object(map) => {
                map.get("type").and_then(Value::as_str) == Some("user")
                    && map.get("accountId").and_then(Value::as_str) == Some(account)
            }
            _ => false,
        }
    }
    fn scrub(v: &mut Value, account: &str) {
        match v {
            Value::Array(items) => {
                items.retain(|item| !names(item, account));
                items.iter_mut().for_each(|item| scrub(item, account));
            }
            Value::Object(map) => map.values_mut().for_each(|v| scrub(v, account)),
            Value::String(s) => {
                if let Some(rewritten) = replace_id(s, account) {
                    *s = rewritten;
                }
            }
            _ => {}
        }
    }
    if account.is_empty() || !doc.contains(account) {
        return None;
    }
    let mut v: Value = serde_json::from_str(doc).ok()?;
    scrub(&mut v, account);
    serde_json::to_string(&v).ok()
}

/// `text` with each whole occurrence of `account` (not part of a longer id) replaced by
/// [`CLOSED_ACCOUNT`]; `None` when there is none.
fn replace_id(text: &str, account: &str) -> Option<String> {
    let id_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_');
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut found = false;
    for (at, _) in text.match_indices(account) {
        let end = at + account.len();
        let whole =
            (at == 0 || !id_byte(bytes[at - 1])) && bytes.get(end).is_none_or(|b| !id_byte(*b));
        if whole && at >= last {
            out.push_str(&text[last..at]);
            out.push_str(CLOSED_ACCOUNT);
            last = end;
            found = true;
        }
    }
    found.then(|| {
        out.push_str(&text[last..]);
        out
    })
}

/// How many rows an erasure changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    pub reports: usize,
    pub permissions: usize,
    pub admins: usize,
}

/// Erases `account` from everything `tenant` stores, in one transaction.
pub fn erase_account(
    conn: &mut Connection,
    tenant: TenantId,
    account: &str,
    now: Timestamp,
) -> rusqlite::Result<Erased> {
    // Freed cells are zeroed, and the checkpoint below moves the pages into the database file
    // and empties the WAL: the id does not linger in either file (backups keep it until they
    // expire, see docs/SECURITY.md).
    conn.pragma_update(None, "secure_delete", true)?;
    let tx = conn.transaction()?;
    let mut erased = Erased::default();
    let changed: Vec<(String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, config, access FROM reports
             WHERE tenant_id = ?1 AND (created_by = ?2 OR updated_by = ?2
                   OR instr(config, ?2) > 0 OR instr(access, ?2) > 0)",
        )?;
        stmt.query_map(params![tenant.0, account], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (id, config, access) in changed {
        let config = without_account(&config, account).unwrap_or(config);
        let access = without_account(&access, account).unwrap_or(access);
        erased.reports += tx.execute(
            "UPDATE reports SET config = ?3, access = ?4, version = version + 1, updated_at = ?5,
                 created_by = CASE created_by WHEN ?6 THEN ?7 ELSE created_by END,
                 updated_by = CASE updated_by WHEN ?6 THEN ?7 ELSE updated_by END
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                tenant.0,
                id,
                config,
                access,
                millis(now),
                account,
                CLOSED_ACCOUNT
            ],
        )?;
    }
    let perms: Option<String> = tx
        .query_row(
            "SELECT permissions FROM permissions WHERE tenant_id = ?1
             AND (updated_by = ?2 OR instr(permissions, ?2) > 0)",
            params![tenant.0, account],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(doc) = perms {
        let doc = without_account(&doc, account).unwrap_or(doc);
        erased.permissions += tx.execute(
            "UPDATE permissions SET permissions = ?2, version = version + 1, updated_at = ?3,
                 updated_by = CASE updated_by WHEN ?4 THEN ?5 ELSE updated_by END
             WHERE tenant_id = ?1",
            params![tenant.0, doc, millis(now), account, CLOSED_ACCOUNT],
        )?;
    }
    erased.admins += tx.execute(
        "DELETE FROM tenant_admins WHERE tenant_id = ?1 AND account_id = ?2",
        params![tenant.0, account],
    )?;
    erased.admins += tx.execute(
        "UPDATE tenant_admins SET granted_by = ?3 WHERE tenant_id = ?1 AND granted_by = ?2",
        params![tenant.0, account, CLOSED_ACCOUNT],
    )?;
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(erased)
}

/// The installed Connect tenants whose accounts were last reported before `before` (or never),
/// with their client keys.
pub fn accounts_report_due(
    conn: &Connection,
    before: Timestamp,
) -> rusqlite::Result<Vec<(TenantId, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, client_key FROM tenants
         WHERE platform = 'connect' AND uninstalled_at IS NULL
           AND (accounts_reported_at IS NULL OR accounts_reported_at < ?1)
         ORDER BY id",
    )?;
    stmt.query_map([millis(before)], |r| Ok((TenantId(r.get(0)?), r.get(1)?)))?
        .collect()
}

/// Whether `tenant`'s accounts were last reported before `before`, or never (the Forge
/// function's question; [`accounts_report_due`] asks it of every Connect site).
pub fn accounts_report_is_due(
    conn: &Connection,
    tenant: TenantId,
    before: Timestamp,
) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT accounts_reported_at IS NULL OR accounts_reported_at < ?2
         FROM tenants WHERE id = ?1",
        params![tenant.0, millis(before)],
        |r| r.get(0),
    )
}

/// Records that `tenant`'s accounts were reported at `at`.
pub fn accounts_reported(
    conn: &Connection,
    tenant: TenantId,
    at: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tenants SET accounts_reported_at = ?2 WHERE id = ?1",
        params![tenant.0, millis(at)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_loses_exactly_the_closed_account() {
        let doc = r#"{"editors":[{"type":"user","accountId":"acc-1"},{"type":"user","accountId":"acc-2"},{"type":"group","name":"acc-1"}],"kind":{"accounts":["acc-1","acc-3"]},"jql":"assignee = acc-1 AND reporter = acc-10x"}"#;
        assert_eq!(accounts_in(doc), ["acc-1", "acc-2", "acc-1", "acc-3"]);
        let out: Value = serde_json::from_str(&without_account(doc, "acc-1").unwrap()).unwrap();
        assert_eq!(
            out,
            serde_json::json!({
                "editors": [{"type":"user","accountId":"acc-2"},{"type":"group","name":"closed-account"}],
                "kind": {"accounts": ["acc-3"]},
                "jql": "assignee = closed-account AND reporter = acc-10x",
            })
        );
        assert_eq!(
            without_account(doc, "acc-9"),
            None,
            "untouched when not named"
        );
    }
}
