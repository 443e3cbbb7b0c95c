//! Installations: the only rows not scoped by a tenant id, because they define the tenants.
//!
//! Two platforms share the table: Connect installations (keyed by client key, with a sealed
//! shared secret) and Forge installations (keyed by the FIT's `app.installationId`, with no
//! secret). Every lookup names its platform, so a Connect token can never find a Forge row and
//! a Forge token never a Connect one.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{TenantId, from_millis, millis};

/// Which Atlassian platform an installation came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Atlassian Connect: HS256 JWTs signed with the installation's shared secret.
    Connect,
    /// Forge: Forge Invocation Tokens, RS256 from Atlassian's JWKS; no secret is held.
    Forge,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Connect => "connect",
            Platform::Forge => "forge",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Platform> {
        match s {
            "connect" => Ok(Platform::Connect),
            "forge" => Ok(Platform::Forge),
            other => Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("unknown platform {other:?}").into(),
            )),
        }
    }
}

/// The `client_key` a Forge installation is stored under (the column is unique and required;
/// Connect lookups never read Forge rows, see [`tenant_by_client_key`]).
pub fn forge_client_key(installation_id: &str) -> String {
    format!("forge:{installation_id}")
}

/// A tenant as stored, with its shared secret still sealed (empty for Forge).
#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: TenantId,
    pub platform: Platform,
    pub client_key: String,
    pub base_url: String,
    pub display_url: Option<String>,
    pub sealed_secret: Vec<u8>,
    pub uninstalled_at: Option<Timestamp>,
    /// Forge only: the installation id, the site's cloudId and URL.
    pub forge_installation_id: Option<String>,
    pub cloud_id: Option<String>,
    pub site_url: Option<String>,
}

const TENANT_COLUMNS: &str = "id, platform, client_key, base_url, display_url, shared_secret,
    uninstalled_at, forge_installation_id, cloud_id, site_url";

fn tenant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TenantRow> {
    Ok(TenantRow {
        id: TenantId(r.get(0)?),
        platform: Platform::parse(&r.get::<_, String>(1)?)?,
        client_key: r.get(2)?,
        base_url: r.get(3)?,
        display_url: r.get(4)?,
        sealed_secret: r.get(5)?,
        uninstalled_at: r.get::<_, Option<i64>>(6)?.map(from_millis).transpose()?,
        forge_installation_id: r.get(7)?,
        cloud_id: r.get(8)?,
        site_url: r.get(9)?,
    })
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

/// The Connect installation with `client_key`. Forge rows are never returned.
pub fn tenant_by_client_key(
    conn: &Connection,
    client_key: &str,
) -> rusqlite::Result<Option<TenantRow>> {
    conn.query_row(
        &format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE client_key = ?1 AND platform = 'connect'"
        ),
        [client_key],
        tenant_row,
    )
    .optional()
}

/// The Forge installation with `installation_id` (the FIT's `app.installationId`). Connect
/// rows are never returned.
pub fn tenant_by_forge_installation(
    conn: &Connection,
    installation_id: &str,
) -> rusqlite::Result<Option<TenantRow>> {
    conn.query_row(
        &format!(
            "SELECT {TENANT_COLUMNS} FROM tenants
             WHERE forge_installation_id = ?1 AND platform = 'forge'"
        ),
        [installation_id],
        tenant_row,
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
            "SELECT id, base_url FROM tenants WHERE client_key = ?1 AND platform = 'connect'",
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
         WHERE base_url = ?1 AND id != ?2 AND uninstalled_at IS NULL AND platform = 'connect'",
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
         WHERE client_key = ?1 AND platform = 'connect'",
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

/// Every Connect tenant's sealed secret (Forge tenants hold none), for re-sealing under a new key.
pub fn sealed_secrets(conn: &Connection) -> rusqlite::Result<Vec<(TenantId, String, Vec<u8>)>> {
    let mut stmt = conn.prepare(
        "SELECT id, client_key, shared_secret FROM tenants WHERE platform = 'connect' ORDER BY id",
    )?;
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

/// What an `avi:forge:installed:app` event establishes, after its FIT was verified.
#[derive(Debug, Clone)]
pub struct ForgeInstallation {
    /// The FIT's `app.installationId`.
    pub installation_id: String,
    pub cloud_id: Option<String>,
    pub app_version: Option<String>,
    /// `installerAccountId`: the tenant's first admin.
    pub installer: Option<String>,
}

/// Records a Forge install: a new tenant, or the known installation restored (uninstall
/// cleared, data kept). The installer becomes an admin of the tenant.
pub fn forge_install(
    conn: &mut Connection,
    inst: &ForgeInstallation,
    now: Timestamp,
) -> rusqlite::Result<Installed> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = millis(now);
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM tenants WHERE forge_installation_id = ?1 AND platform = 'forge'",
            [&inst.installation_id],
            |r| r.get(0),
        )
        .optional()?;
    let (id, outcome) = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE tenants SET cloud_id = COALESCE(?2, cloud_id),
                        app_version = COALESCE(?3, app_version),
                        updated_at = ?4, uninstalled_at = NULL
                 WHERE id = ?1",
                params![id, inst.cloud_id, inst.app_version, now],
            )?;
            (
                id,
                InstallOutcome::Reinstalled {
                    base_url_changed: false,
                },
            )
        }
        None => {
            tx.execute(
                "INSERT INTO tenants (platform, client_key, base_url, shared_secret,
                                      installed_at, updated_at, forge_installation_id,
                                      cloud_id, app_version)
                 VALUES ('forge', ?1, '', X'', ?2, ?2, ?3, ?4, ?5)",
                params![
                    forge_client_key(&inst.installation_id),
                    now,
                    inst.installation_id,
                    inst.cloud_id,
                    inst.app_version
                ],
            )?;
            (tx.last_insert_rowid(), InstallOutcome::New)
        }
    };
    if let Some(installer) = &inst.installer {
        tx.execute(
            "INSERT OR IGNORE INTO tenant_admins (tenant_id, account_id, granted_at, granted_by)
             VALUES (?1, ?2, ?3, 'forge:installed')",
            params![id, installer, now],
        )?;
    }
    tx.commit()?;
    Ok(Installed {
        tenant: TenantId(id),
        outcome,
        retired: 0,
    })
}

/// Records an `avi:forge:upgraded:app` event: the version now installed. Returns whether the
/// installation is known.
pub fn forge_upgrade(
    conn: &Connection,
    installation_id: &str,
    app_version: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE tenants SET app_version = COALESCE(?2, app_version), updated_at = ?3
         WHERE forge_installation_id = ?1 AND platform = 'forge'",
        params![installation_id, app_version, millis(now)],
    )?;
    Ok(n > 0)
}

/// Marks a Forge tenant uninstalled, as [`uninstall`] does a Connect one: its data is kept for
/// the grace period, then purged. Returns whether the installation is known.
pub fn forge_uninstall(
    conn: &Connection,
    installation_id: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE tenants SET uninstalled_at = COALESCE(uninstalled_at, ?2), updated_at = ?2
         WHERE forge_installation_id = ?1 AND platform = 'forge'",
        params![installation_id, millis(now)],
    )?;
    Ok(n > 0)
}

/// Stores the site a Forge UI call came from (the lifecycle token names the cloudId only).
pub fn forge_site(
    tenant: TenantId,
    conn: &Connection,
    cloud_id: Option<&str>,
    site_url: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tenants SET site_url = ?2, cloud_id = COALESCE(?3, cloud_id)
         WHERE id = ?1 AND platform = 'forge'",
        params![tenant.0, site_url, cloud_id],
    )?;
    Ok(())
}

/// Makes `account` an admin of the one site `site` names (a Connect client key or a Forge
/// installation id), as the operator's `dwell-server grant-admin` does: `granted_by` is
/// `operator`. Returns the tenant, or `None` when no installation has that key.
pub fn grant_admin(
    conn: &Connection,
    site: &str,
    account: &str,
    now: Timestamp,
) -> rusqlite::Result<Option<TenantId>> {
    let Some(tenant) = tenant_by_site(conn, site)? else {
        return Ok(None);
    };
    conn.execute(
        "INSERT OR IGNORE INTO tenant_admins (tenant_id, account_id, granted_at, granted_by)
         VALUES (?1, ?2, ?3, 'operator')",
        params![tenant.0, account, millis(now)],
    )?;
    Ok(Some(tenant))
}

/// Removes `account` from the admins of the site `site` names (however they became one).
/// Returns whether there was such an admin.
pub fn revoke_admin(conn: &Connection, site: &str, account: &str) -> rusqlite::Result<bool> {
    let Some(tenant) = tenant_by_site(conn, site)? else {
        return Ok(false);
    };
    let n = conn.execute(
        "DELETE FROM tenant_admins WHERE tenant_id = ?1 AND account_id = ?2",
        params![tenant.0, account],
    )?;
    Ok(n > 0)
}

/// The tenant an operator names: a Connect installation by client key, or a Forge one by
/// installation id. A key both platforms hold is refused rather than guessed.
fn tenant_by_site(conn: &Connection, site: &str) -> rusqlite::Result<Option<TenantId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM tenants
         WHERE (platform = 'connect' AND client_key = ?1)
            OR (platform = 'forge' AND forge_installation_id = ?1)",
    )?;
    let found = stmt
        .query_map([site], |r| r.get(0).map(TenantId))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(rusqlite::Error::QueryReturnedMoreThanOneRow),
    }
}

/// The account ids that are admins of a tenant by name (not by a Jira group): on Forge the
/// installer, and on either platform those the operator granted.
pub fn tenant_admins(tenant: TenantId, conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT account_id FROM tenant_admins WHERE tenant_id = ?1 ORDER BY account_id",
    )?;
    stmt.query_map([tenant.0], |r| r.get(0))?.collect()
}
