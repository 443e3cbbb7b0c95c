//! Personal data reporting: Dwell tells Atlassian which account ids it stores, and erases the
//! accounts that closed.
//!
//! Dwell keeps account ids and nothing else about people (see [`crate::store::stored_accounts`]).
//! Atlassian requires an app that stores them to report them on a regular cycle (7 days by
//! default, `--accounts-report-days`) and to act on the answer. On Connect the server does it
//! itself: for each installed site, its ids at most 90 a request, each with the last time a
//! row naming it was written, `POST {baseUrl}/rest/atlassian-connect/latest/report-accounts`,
//! signed as the app like the groups call ([`crate::jira::app_token`]). Only account ids and
//! times go out; only ids and a status come back. `closed` erases the account from the site's
//! data ([`crate::store::erase_account`]); `updated` asks an app to refresh personal data it
//! copied, and Dwell copies none (no names, no e-mail addresses), so there is nothing to do.
//! A 429 is waited out as its `Retry-After` says (at most a minute, three times); any other
//! failure leaves the site due, so the next check tries again. The database is used on the
//! blocking pool ([`Db::run`]), never on the server's async threads. Forge sites are not reported
//! from here: a Forge remote would need an app token that could also read Jira, which Dwell's
//! server must never hold; the app's Forge function reports them and calls
//! [`crate::forge_personal_data`] to erase the closed ones (docs/SECURITY.md, "Personal data").

use std::time::Duration;

use anyhow::{Context, bail};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auth::Tenant;
use crate::crypto::KeyRing;
use crate::store::{self, Db, TenantId};

/// The reporting resource, relative to a Connect site's base URL.
pub const REPORT_ACCOUNTS_PATH: &str = "/rest/atlassian-connect/latest/report-accounts";
/// The most accounts one request may carry.
pub const BATCH: usize = 90;
const MAX_WAITS: usize = 3;
const MAX_WAIT: Duration = Duration::from_secs(60);
const ANSWER_LIMIT: usize = 1024 * 1024;

/// What a reporting run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub sites: usize,
    pub accounts: usize,
    pub requests: usize,
    pub closed: usize,
    pub updated: usize,
    /// Sites left due because their report failed (logged, retried on the next check).
    pub failed: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reported<'a> {
    account_id: &'a str,
    updated_at: String,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    accounts: Vec<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    account_id: String,
    status: String,
}

/// Reports the accounts of every installed Connect site last reported before `now - cycle`.
pub async fn report_due(
    db: &Db,
    keys: &KeyRing,
    app_key: &str,
    cycle: Duration,
    timeout: Duration,
) -> anyhow::Result<Outcome> {
    let now = Timestamp::now();
    let before = now
        .checked_sub(jiff::SignedDuration::try_from(cycle)?)
        .context("the reporting cycle is too long")?;
    let due = db
        .run(move |conn| Ok(store::accounts_report_due(conn, before)?))
        .await?;
    let mut outcome = Outcome::default();
    for (tenant, client_key) in due {
        outcome.sites += 1;
        if let Err(e) = report_site(
            db,
            keys,
            app_key,
            tenant,
            &client_key,
            timeout,
            &mut outcome,
        )
        .await
        {
            outcome.failed += 1;
            tracing::warn!(%tenant, error = format!("{e:#}"), "personal data report failed");
        }
    }
    Ok(outcome)
}

async fn report_site(
    db: &Db,
    keys: &KeyRing,
    app_key: &str,
    id: TenantId,
    client_key: &str,
    timeout: Duration,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    let key = client_key.to_string();
    let (row, accounts) = db
        .run(move |conn| {
            Ok((
                store::tenant_by_client_key(conn, &key)?,
                store::stored_accounts(conn, id)?,
            ))
        })
        .await?;
    let row = row.context("the site was uninstalled meanwhile")?;
    let tenant = Tenant {
        id: row.id,
        platform: row.platform,
        shared_secret: keys.open(&row.sealed_secret, &row.client_key)?,
        client_key: row.client_key,
        base_url: row.base_url,
        display_url: row.display_url,
        uninstalled: false,
    };
    let accounts: Vec<(String, Timestamp)> = accounts.into_iter().collect();
    outcome.accounts += accounts.len();
    for batch in accounts.chunks(BATCH) {
        let body = serde_json::json!({
            "accounts": batch
                .iter()
                .map(|(account_id, at)| Reported {
                    account_id,
                    updated_at: at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                })
                .collect::<Vec<_>>(),
        });
        for status in post_batch(app_key, &tenant, &body, timeout, outcome).await? {
            match status.status.as_str() {
                "closed" => {
                    let account = status.account_id;
                    if !batch.iter().any(|(a, _)| *a == account) {
                        bail!("Jira answered about {account:?}, which this request did not report");
                    }
                    let erased = db
                        .run(move |conn| {
                            Ok(store::erase_account(conn, id, &account, Timestamp::now())?)
                        })
                        .await?;
                    outcome.closed += 1;
                    tracing::info!(%id, reports = erased.reports, admins = erased.admins,
                        "a closed account was erased");
                }
                "updated" => outcome.updated += 1,
                other => tracing::warn!(%id, status = other, "unknown account status ignored"),
            }
        }
    }
    db.run(move |conn| Ok(store::accounts_reported(conn, id, Timestamp::now())?))
        .await?;
    Ok(())
}

/// One signed request; waits out 429s. The accounts Jira says need action.
async fn post_batch(
    app_key: &str,
    tenant: &Tenant,
    body: &serde_json::Value,
    timeout: Duration,
    outcome: &mut Outcome,
) -> anyhow::Result<Vec<Status>> {
    let url = format!(
        "{}{REPORT_ACCOUNTS_PATH}",
        tenant.base_url.trim_end_matches('/')
    );
    for _ in 0..=MAX_WAITS {
        let token = crate::jira::app_token(app_key, tenant, "POST", REPORT_ACCOUNTS_PATH, "")?;
        outcome.requests += 1;
        let mut response = crate::outbound::client()
            .post(&url)
            .timeout(timeout)
            .insert_header(("Authorization", format!("JWT {token}")))
            .insert_header(("Accept", "application/json"))
            .send_json(body)
            .await
            .map_err(|e| anyhow::anyhow!("jira did not answer the personal data report: {e}"))?;
        let status = response.status();
        if status.as_u16() == 204 {
            return Ok(Vec::new());
        }
        if status.as_u16() == 429 {
            let wait = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map_or(Duration::from_secs(5), Duration::from_secs)
                .min(MAX_WAIT);
            actix_web::rt::time::sleep(wait).await;
            continue;
        }
        if !status.is_success() {
            let detail = response.body().limit(2048).await.unwrap_or_default();
            bail!(
                "jira answered the personal data report with {status}: {}",
                String::from_utf8_lossy(&detail)
            );
        }
        let bytes = response
            .body()
            .limit(ANSWER_LIMIT)
            .await
            .map_err(|e| anyhow::anyhow!("jira's answer broke off: {e}"))?;
        let answer: Answer =
            serde_json::from_slice(&bytes).context("jira's answer is not a list of accounts")?;
        return Ok(answer.accounts);
    }
    bail!("jira kept answering 429 to the personal data report")
}
