//! Installations: the only rows not scoped by a tenant id, because they define the tenants.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{TenantId, from_millis, millis};

/// A tenant as stored, with its shared secret still sealed.
#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: TenantId,
    pub client_key: String,
    pub base_url: String,
    pub display_url: Option<String>,
    pub sealed_secret: Vec<u8>,
    pub uninstalled_at: Option<Timestamp>,
}

/// What the `installed` lifecycle event carried, after its signature was verified.
#[derive(Debug, Clone)]
pub struct Installation {
    pub client_key: String,
    pub base_url: String,
    pub display_url: Option<String>,
    pub sealed_secret: Vec<u8>,
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallOutcome {
    /// A client key never seen (or purged): a new tenant.
    New,
    /// A known client key: the secret was rotated and the installation reinstated. When the
    /// base URL changed, the site was renamed and the stored URL follows it.
    Reinstalled { base_url_changed: bool },
}

/// The result of an install: the tenant, what happened, and how many other installations at
/// the same base URL were retired (a site import gives the site a new client key; the old
/// installation is gone and its data must not pass to the new one).
#[derive(Debug, Clone)]
pub struct Installed {
    pub tenant: TenantId,
    pub outcome: InstallOutcome,
    pub retired: usize,
}

pub fn tenant_by_client_key(
    conn: &Connection,
    client_key: &str,
) -> rusqlite::Result<Option<TenantRow>> {
    conn.query_row(
        "SELECT id, client_key, base_url, display_url, shared_secret, uninstalled_at
         FROM tenants WHERE client_key = ?1",
        [client_key],
        |r| {
            Ok(TenantRow {
                id: TenantId(r.get(0)?),
                client_key: r.get(1)?,
                base_url: r.get(2)?,
                display_url: r.get(3)?,
                sealed_secret: r.get(4)?,
                uninstalled_at: r.get::<_, Option<i64>>(5)?.map(from_millis).transpose()?,
            })
        },
    )
    .optional()
}

/// Records an `installed` event: a new tenant, or a known one whose secret is rotated and
/// whose base URL follows a site rename.
pub fn install(
    conn: &mut Connection,
    inst: &Installation,
    now: Timestamp,
) -> rusqlite::Result<Installed> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = millis(now);
    let existing: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, base_url FROM tenants WHERE client_key = ?1",
            [&inst.client_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, outcome) = match existing {
        Some((id, old_base)) => {
            tx.execute(
                "UPDATE tenants SET base_url = ?2, display_url = ?3, shared_secret = ?4,
                        updated_at = ?5, uninstalled_at = NULL
                 WHERE id = ?1",
                params![id, inst.base_url, inst.display_url, inst.sealed_secret, now],
            )?;
            (
                id,
                InstallOutcome::Reinstalled {
                    base_url_changed: old_base != inst.base_url,
                },
            )
        }
        None => {
            tx.execute(
                "INSERT INTO tenants (client_key, base_url, display_url, shared_secret,
                                      installed_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    inst.client_key,
                    inst.base_url,
                    inst.display_url,
                    inst.sealed_secret,
                    now
                ],
            )?;
            (tx.last_insert_rowid(), InstallOutcome::New)
        }
    };
    let retired = tx.execute(
        "UPDATE tenants SET uninstalled_at = ?3, updated_at = ?3
         WHERE base_url = ?1 AND id != ?2 AND uninstalled_at IS NULL",
        params![inst.base_url, id, now],
    )?;
    tx.commit()?;
    Ok(Installed {
        tenant: TenantId(id),
        outcome,
        retired,
    })
}

/// Marks a tenant uninstalled; its data is kept for the grace period. Returns whether a tenant
/// with that client key exists.
pub fn uninstall(conn: &Connection, client_key: &str, now: Timestamp) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE tenants SET uninstalled_at = COALESCE(uninstalled_at, ?2), updated_at = ?2
         WHERE client_key = ?1",
        params![client_key, millis(now)],
    )?;
    Ok(n > 0)
}

/// Deletes every piece of configuration a tenant stored (reports and their links, calendars,
/// status groups, permissions), in one transaction, and keeps its installation: the app goes on
/// working on the site, with nothing saved. The installation itself goes when the app is
/// uninstalled and the grace period ends ([`purge_uninstalled`]). Returns how many rows went.
pub fn delete_tenant_data(tenant: TenantId, conn: &mut Connection) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut deleted = 0;
    // Links first: they reference both reports and the calendars and groups they use.
    for statement in [
        "DELETE FROM report_calendars WHERE tenant_id = ?1",
        "DELETE FROM report_status_groups WHERE tenant_id = ?1",
        "DELETE FROM reports WHERE tenant_id = ?1",
        "DELETE FROM calendars WHERE tenant_id = ?1",
        "DELETE FROM status_groups WHERE tenant_id = ?1",
        "DELETE FROM permissions WHERE tenant_id = ?1",
    ] {
        deleted += tx.execute(statement, [tenant.0])?;
    }
    tx.commit()?;
    Ok(deleted)
}

/// Deletes every tenant uninstalled before `cutoff`, with all its data. Returns their client
/// keys.
pub fn purge_uninstalled(
    conn: &mut Connection,
    cutoff: Timestamp,
) -> rusqlite::Result<Vec<String>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let keys = {
        let mut stmt = tx.prepare(
            "DELETE FROM tenants WHERE uninstalled_at IS NOT NULL AND uninstalled_at < ?1
             RETURNING client_key",
        )?;
        stmt.query_map([millis(cutoff)], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?
    };
    tx.commit()?;
    Ok(keys)
}

/// Every tenant's sealed secret, for re-sealing under a new key.
pub fn sealed_secrets(conn: &Connection) -> rusqlite::Result<Vec<(TenantId, String, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT id, client_key, shared_secret FROM tenants ORDER BY id")?;
    stmt.query_map([], |r| Ok((TenantId(r.get(0)?), r.get(1)?, r.get(2)?)))?
        .collect()
}

pub fn replace_sealed_secret(
    tenant: TenantId,
    conn: &Connection,
    sealed: &[u8],
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tenants SET shared_secret = ?2 WHERE id = ?1",
        params![tenant.0, sealed],
    )?;
    Ok(())
}
