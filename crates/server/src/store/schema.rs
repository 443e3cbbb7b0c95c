//! The versioned schema. Migrations only ever get appended; `PRAGMA user_version` records how
//! many have run. docs/SECURITY.md lists every table and column, and a test holds it to that.

use rusqlite_migration::{M, Migrations};

/// Every migration, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        "
    -- One row per Jira site that installed the app (a Connect installation).
    CREATE TABLE tenants (
        id             INTEGER PRIMARY KEY,
        client_key     TEXT    NOT NULL UNIQUE,
        base_url       TEXT    NOT NULL,
        display_url    TEXT,
        shared_secret  BLOB    NOT NULL,  -- AES-256-GCM sealed, see crypto.rs
        installed_at   INTEGER NOT NULL,  -- unix milliseconds
        updated_at     INTEGER NOT NULL,
        uninstalled_at INTEGER            -- set while uninstalled; purged after the grace period
    ) STRICT;
    CREATE INDEX tenants_by_base_url ON tenants (base_url);
    CREATE INDEX tenants_uninstalled ON tenants (uninstalled_at) WHERE uninstalled_at IS NOT NULL;

    CREATE TABLE calendars (
        tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id         TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        calendar   TEXT    NOT NULL,      -- config::WorkCalendar as JSON
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE status_groups (
        tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id         TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        status_group TEXT  NOT NULL,      -- config::StatusGroup as JSON
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE reports (
        tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id         TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        config     TEXT    NOT NULL,      -- config::ReportConfig as JSON
        access     TEXT    NOT NULL,      -- config::api::ReportAccess as JSON
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        created_by TEXT    NOT NULL,      -- Atlassian account id
        updated_by TEXT    NOT NULL,
        PRIMARY KEY (tenant_id, id)
    ) STRICT, WITHOUT ROWID;

    -- Which saved calendars and status groups a report uses. The foreign keys make the
    -- database itself refuse to delete one that is in use.
    CREATE TABLE report_calendars (
        tenant_id   INTEGER NOT NULL,
        report_id   TEXT    NOT NULL,
        calendar_id TEXT    NOT NULL,
        PRIMARY KEY (tenant_id, report_id, calendar_id),
        FOREIGN KEY (tenant_id, report_id) REFERENCES reports (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, calendar_id) REFERENCES calendars (tenant_id, id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX report_calendars_by_calendar ON report_calendars (tenant_id, calendar_id);

    CREATE TABLE report_status_groups (
        tenant_id       INTEGER NOT NULL,
        report_id       TEXT    NOT NULL,
        status_group_id TEXT    NOT NULL,
        PRIMARY KEY (tenant_id, report_id, status_group_id),
        FOREIGN KEY (tenant_id, report_id) REFERENCES reports (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, status_group_id) REFERENCES status_groups (tenant_id, id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX report_status_groups_by_group ON report_status_groups (tenant_id, status_group_id);

    -- The tenant's grants; no row means nothing is granted (only admins act).
    CREATE TABLE permissions (
        tenant_id   INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        version     INTEGER NOT NULL,
        permissions TEXT    NOT NULL,     -- config::api::Permissions as JSON
        updated_at  INTEGER NOT NULL,
        updated_by  TEXT    NOT NULL
    ) STRICT;
    ",
    ),
    // Forge installations beside Connect ones. A Forge tenant is keyed by its installation id
    // (the FIT's `app.installationId`); it has no shared secret (an empty blob) and its
    // `client_key` is `forge:<installationId>`, so the column stays unique and every lookup
    // filters on `platform`: a Connect token never finds a Forge row, nor a FIT a Connect one.
    M::up(
        "
    ALTER TABLE tenants ADD COLUMN platform TEXT NOT NULL DEFAULT 'connect'
        CHECK (platform IN ('connect', 'forge'));
    ALTER TABLE tenants ADD COLUMN forge_installation_id TEXT;  -- ari:cloud:ecosystem::installation/<uuid>
    ALTER TABLE tenants ADD COLUMN cloud_id TEXT;               -- the Jira site's cloudId (Forge)
    ALTER TABLE tenants ADD COLUMN site_url TEXT;               -- the Jira site's URL (Forge)
    ALTER TABLE tenants ADD COLUMN app_version TEXT;            -- the Forge app version installed
    CREATE UNIQUE INDEX tenants_by_forge_installation ON tenants (forge_installation_id)
        WHERE forge_installation_id IS NOT NULL;

    -- Forge tenants' admins by account id: the installer first, then whoever an admin adds.
    -- (Connect tenants' admins come from Jira groups, which Forge cannot check.)
    CREATE TABLE tenant_admins (
        tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        account_id TEXT    NOT NULL,      -- Atlassian account id
        granted_at INTEGER NOT NULL,
        granted_by TEXT    NOT NULL,      -- `forge:installed` for the installer
        PRIMARY KEY (tenant_id, account_id)
    ) STRICT, WITHOUT ROWID;
    ",
    ),
    // Personal data reporting (Connect): when the site's stored account ids were last reported
    // to Atlassian (see personal_data.rs).
    M::up(
        "
    ALTER TABLE tenants ADD COLUMN accounts_reported_at INTEGER;  -- unix milliseconds
    ",
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
