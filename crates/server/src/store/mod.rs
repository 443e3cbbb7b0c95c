//! Every SQL statement of the server, and nothing else: the connection pool, the schema, the
//! queries, backups and restores.
//!
//! Every query is parameterised. Every function that touches a tenant's rows takes the tenant
//! as its first argument and binds it as `?1`, so no query can forget the tenant scope. Blocking
//! SQLite work runs through [`Db::run`], on actix's blocking thread pool.

mod accounts;
mod records;
mod schema;
mod tenants;

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use jiff::Timestamp;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use crate::error::ApiError;

pub use accounts::*;
pub use records::*;
pub use tenants::*;

/// A tenant's row id. Only the authentication layer creates one, from a verified token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(pub(crate) i64);

impl TenantId {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Pragmas of every pooled connection. `synchronous = FULL` makes an acknowledged write
/// survive a crash or power loss; `foreign_keys` is off by default in SQLite.
const CONNECTION_PRAGMAS: &str = "
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = 5000;
    PRAGMA synchronous = FULL;
";

/// The database: a pool of SQLite connections to one file in WAL mode.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<SqliteConnectionManager>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating with mode 0600) and migrates the database at `path`.
    pub fn open(path: &Path, pool_size: u32) -> anyhow::Result<Db> {
        create_private_file(path)?;
        let mut conn = Connection::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("database {} refused WAL mode ({mode})", path.display());
        }
        conn.execute_batch(CONNECTION_PRAGMAS)?;
        schema::migrations()
            .to_latest(&mut conn)
            .context("cannot migrate the database")?;
        drop(conn);
        let manager = SqliteConnectionManager::file(path)
            .with_init(|c: &mut Connection| c.execute_batch(CONNECTION_PRAGMAS));
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .context("cannot open the connection pool")?;
        Ok(Db {
            pool,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection for synchronous callers (the CLI and background jobs).
    pub fn conn(&self) -> anyhow::Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.pool.get().context("no database connection available")
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("database pool: {e}")))?;
            f(&mut conn)
        })
        .await?
    }

    /// Whether the database answers and its schema is current (for readiness).
    pub fn ready(&self) -> anyhow::Result<()> {
        let conn = self.conn()?;
        let pending = schema::migrations().pending_migrations(&conn)?;
        if pending != 0 {
            bail!("{pending} migrations pending");
        }
        conn.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Creates `path` (and its directory, mode 0700) with mode 0600 if it does not exist, and
/// tightens its mode to 0600 if it does. SQLite gives its -wal and -shm files the same mode.
pub fn create_private_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot chmod {}", path.display()))?;
    Ok(())
}

/// `PRAGMA integrity_check` on an open connection: `Ok` when SQLite says "ok".
pub fn integrity_check(conn: &Connection) -> anyhow::Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if rows == ["ok"] {
        Ok(())
    } else {
        bail!("integrity check failed: {}", rows.join("; "))
    }
}

/// Copies the live database into `dest` (created with mode 0600) with SQLite's online backup
/// API, which gives a consistent snapshot while writers go on, then checks the copy.
pub fn backup_into(source: &Connection, dest: &Path) -> anyhow::Result<()> {
    if dest.exists() {
        bail!("{} already exists", dest.display());
    }
    let partial = dest.with_extension("partial");
    let _ = fs::remove_file(&partial);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    {
        let mut out = Connection::open(&partial)?;
        let backup = rusqlite::backup::Backup::new(source, &mut out)?;
        backup.run_to_completion(256, Duration::from_millis(5), None)?;
        drop(backup);
        integrity_check(&out).context("the backup copy")?;
    }
    fs::rename(&partial, dest)
        .with_context(|| format!("cannot move the backup to {}", dest.display()))?;
    Ok(())
}

/// Replaces the database at `target` with the backup `from`, then migrates it to the current
/// schema. The server must be stopped. The backup is checked before anything is overwritten.
pub fn restore(from: &Path, target: &Path) -> anyhow::Result<()> {
    {
        let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open backup {}", from.display()))?;
        integrity_check(&src).context("the backup")?;
        let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let latest = latest_schema_version()?;
        if version > latest {
            bail!("the backup has schema version {version}, newer than this build's {latest}");
        }
    }
    create_private_file(target)?;
    let mut conn = Connection::open(target)?;
    conn.restore(
        rusqlite::MAIN_DB,
        from,
        None::<fn(rusqlite::backup::Progress)>,
    )
    .with_context(|| format!("cannot restore into {}", target.display()))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("restored database refused WAL mode ({mode})");
    }
    schema::migrations()
        .to_latest(&mut conn)
        .context("cannot migrate the restored database")?;
    integrity_check(&conn).context("the restored database")?;
    Ok(())
}

fn latest_schema_version() -> anyhow::Result<i64> {
    let mut conn = Connection::open_in_memory()?;
    schema::migrations().to_latest(&mut conn)?;
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Every table and its columns, for the test that holds docs/SECURITY.md to the schema.
pub fn schema_columns(conn: &Connection) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let mut tables = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for name in names {
        let mut cols = conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
        let columns: Vec<String> = cols
            .query_map([&name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.push((name, columns));
    }
    Ok(out)
}

pub(crate) fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn from_millis(ms: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_file_is_private_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dwell.sqlite3");
        let db = Db::open(&path, 2).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let conn = db.conn().unwrap();
        let journal: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        db.ready().unwrap();
    }
}
