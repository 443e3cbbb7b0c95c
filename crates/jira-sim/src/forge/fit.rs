//! Forge Invocation Tokens: the RS256 JWTs Forge puts in `Authorization: Bearer` on every call
//! to an app's remote, minted here with the simulated platform's own keys, and the JWKS that
//! publishes those keys at `/.well-known/jwks.json`.
//!
//! The claims follow Atlassian's documentation of the FIT (forge-notes.md §2): header `kid`
//! `forge/invocation-token/...`; `iss` `forge/invocation-token`; `aud` the app ARI;
//! `iat`/`nbf`/`exp` with a 25-second lifetime; a 40-hex `jti`; `app {id, installationId,
//! apiBaseUrl, appVersion, environment, module, installation}`; and, for calls from a UI
//! module only, `context` and `principal`. Rotation keeps the retired key published for
//! [`RETIRED_KEY_GRACE`], so a remote that cached the JWKS keeps verifying tokens in flight
//! and one that refetches on an unknown `kid` finds the new key.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::rand_core::{OsRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

/// A FIT's lifetime: `exp` = `iat` + 25 s.
pub const LIFETIME_S: i64 = 25;
/// The FIT's issuer.
pub const ISSUER: &str = "forge/invocation-token";
/// How long a retired key stays in the JWKS after a rotation.
pub const RETIRED_KEY_GRACE: Duration = Duration::from_secs(600);

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
    retired: Option<Instant>,
}

/// The platform's signing keys: the current one first, retired ones while in their grace.
pub struct KeyRing {
    keys: Mutex<Vec<SigningKey>>,
    grace: Duration,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current_kid())
            .finish()
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// 16 random bytes as a uuid (version 4 layout).
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn new_key(private: &RsaPrivateKey) -> anyhow::Result<SigningKey> {
    let public = RsaPublicKey::from(private);
    // Real kids look like `forge/invocation-token/wf-<uuid>`.
    let kid = format!("forge/invocation-token/jira-sim-{}", uuid_v4());
    let pem = private.to_pkcs8_pem(LineEnding::LF)?;
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())?;
    let jwk = json!({
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": b64url(&public.n().to_bytes_be()),
        "e": b64url(&public.e().to_bytes_be()),
    });
    Ok(SigningKey {
        kid,
        encoding,
        jwk,
        retired: None,
    })
}

fn generate() -> anyhow::Result<SigningKey> {
    let private = RsaPrivateKey::new(&mut OsRng, 2048)
        .map_err(|e| anyhow!("cannot generate a Forge signing key: {e}"))?;
    new_key(&private)
}

impl KeyRing {
    /// A ring with one freshly generated key. Blocking (RSA key generation).
    pub fn generated(grace: Duration) -> anyhow::Result<KeyRing> {
        Ok(KeyRing {
            keys: Mutex::new(vec![generate()?]),
            grace,
        })
    }

    pub fn current_kid(&self) -> String {
        self.keys
            .lock()
            .ok()
            .and_then(|k| k.first().map(|k| k.kid.clone()))
            .unwrap_or_default()
    }

    /// Generates a new current key; the old one stays published for the grace period.
    /// Returns the new and the retired `kid`. Blocking (RSA key generation).
    pub fn rotate(&self) -> anyhow::Result<(String, String)> {
        let fresh = generate()?;
        let mut keys = self.keys.lock().map_err(|_| anyhow!("key ring poisoned"))?;
        let now = Instant::now();
        for k in keys.iter_mut() {
            k.retired.get_or_insert(now);
        }
        let new_kid = fresh.kid.clone();
        let old_kid = keys.first().map(|k| k.kid.clone()).unwrap_or_default();
        keys.insert(0, fresh);
        let grace = self.grace;
        keys.retain(|k| k.retired.is_none_or(|at| now.duration_since(at) < grace));
        Ok((new_kid, old_kid))
    }

    /// The JWKS: the current key and the retired ones still in their grace.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .lock()
            .map(|keys| {
                keys.iter()
                    .filter(|k| k.retired.is_none_or(|at| at.elapsed() < self.grace))
                    .map(|k| k.jwk.clone())
                    .collect()
            })
            .unwrap_or_default();
        json!({ "keys": keys })
    }

    /// Signs `claims` with the current key.
    pub fn sign(&self, claims: &Value) -> anyhow::Result<String> {
        let keys = self.keys.lock().map_err(|_| anyhow!("key ring poisoned"))?;
        let key = keys.first().ok_or_else(|| anyhow!("no signing key"))?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
    }
}

/// What one invocation is: the module that invokes and, from a UI, who and where.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `core:trigger`, `core:endpoint`, or the UI module's type (`jira:globalPage`, ...).
    pub module_type: String,
    pub module_key: String,
    /// UI invocations: the module context and the user's accountId.
    pub context: Option<Value>,
    pub principal: Option<String>,
}

/// The installation-wide facts every FIT carries.
#[derive(Debug, Clone)]
pub struct AppFacts<'a> {
    pub app_id: &'a str,
    pub installation_id: &'a str,
    pub app_version: &'a str,
    pub environment_type: &'a str,
    pub environment_ari: &'a str,
    pub api_base_url: &'a str,
    pub site_ari: &'a str,
}

/// The FIT's claims for `inv`, issued at `iat`.
pub fn claims(app: &AppFacts<'_>, inv: &Invocation, iat: i64) -> Value {
    let mut jti = [0u8; 20];
    OsRng.fill_bytes(&mut jti);
    let mut c = json!({
        "iss": ISSUER,
        "aud": app.app_id,
        "iat": iat,
        "nbf": iat,
        "exp": iat + LIFETIME_S,
        "jti": hex::encode(jti),
        "app": {
            "id": app.app_id,
            "installationId": app.installation_id,
            "apiBaseUrl": app.api_base_url,
            "appVersion": app.app_version,
            "environment": {"type": app.environment_type, "id": app.environment_ari},
            "module": {"type": inv.module_type, "key": inv.module_key},
            "installation": {
                "id": app.installation_id,
                "contexts": [{"name": app.site_ari, "apiBaseUrl": app.api_base_url}],
            },
        },
    });
    if let Some(ctx) = &inv.context {
        c["context"] = ctx.clone();
    }
    if let Some(p) = &inv.principal {
        c["principal"] = json!(p);
    }
    c
}
