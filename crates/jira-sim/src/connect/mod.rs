//! Atlassian Connect host emulation: jira-sim plays the Jira Cloud site that installs an app.
//!
//! - Install keys: an RSA key pair (generated at start, or read with `--connect-key`); the
//!   public key is served as PEM at `/connect-install-keys/{kid}`, like Atlassian's install
//!   key service, so an app configured with `{base}/connect-install-keys` as its key service
//!   verifies jira-sim's signed installs exactly as it verifies Atlassian's.
//! - Lifecycle ([`install`]): reads the app descriptor, POSTs the `installed` payload with an
//!   RS256 JWT (`kid` header; `iss` = the site's clientKey, `aud` = the app's baseUrl, `qsh` of
//!   the lifecycle request), remembers the shared secret; `uninstalled` likewise.
//! - Tokens: HS256 with the shared secret, `iss` = clientKey, `sub` = the user's accountId,
//!   `qsh` of the iframe URL (host page) or `context-qsh` (`AP.context.getToken()`).
//! - App → Jira calls: `Authorization: JWT` tokens signed by the app (`iss` = app key) are
//!   verified here (signature, expiry, `qsh`) and authenticate the app ([`verify_app_token`]).
//! - The host page and the all.js emulation live in [`host`].

pub mod host;
pub mod install;
pub mod qsh;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The signing key of the simulated site's install keys.
#[derive(Clone)]
pub struct InstallKey {
    pub kid: String,
    pub public_pem: String,
    encoding: EncodingKey,
}

impl std::fmt::Debug for InstallKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl InstallKey {
    /// A fresh 2048-bit key, generated once per process and shared by every simulator in it.
    pub fn generated() -> anyhow::Result<InstallKey> {
        static KEY: OnceLock<Result<InstallKey, String>> = OnceLock::new();
        KEY.get_or_init(|| {
            let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| format!("cannot generate the install key: {e}"))?;
            InstallKey::from_private(&private).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(anyhow::Error::msg)
    }

    /// A key read from a PEM file (PKCS#8 or PKCS#1), so a site keeps its key across runs.
    pub fn from_file(path: &Path) -> anyhow::Result<InstallKey> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let private = RsaPrivateKey::from_pkcs8_pem(&pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
            .map_err(|e| anyhow::anyhow!("{}: not an RSA private key: {e}", path.display()))?;
        InstallKey::from_private(&private)
    }

    fn from_private(private: &RsaPrivateKey) -> anyhow::Result<InstallKey> {
        let public = RsaPublicKey::from(private);
        let public_pem = public.to_public_key_pem(LineEnding::LF)?;
        let der = public.to_public_key_der()?;
        let kid = format!(
            "jira-sim-{}",
            &hex::encode(Sha256::digest(der.as_bytes()))[..16]
        );
        let private_pem = private.to_pkcs8_pem(LineEnding::LF)?;
        let encoding = EncodingKey::from_rsa_pem(private_pem.as_bytes())?;
        Ok(InstallKey {
            kid,
            public_pem,
            encoding,
        })
    }

    pub fn sign(&self, claims: &Value) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

/// An app installed on the simulated site.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Installation {
    pub key: String,
    pub name: String,
    /// The app's baseUrl from its descriptor.
    pub base_url: String,
    #[serde(skip)]
    pub shared_secret: String,
    #[serde(skip)]
    pub descriptor: Value,
}

/// The Connect host's state.
#[derive(Debug)]
pub struct ConnectHost {
    pub key: InstallKey,
    /// The site's clientKey, sent in lifecycle payloads and as `iss` of its tokens.
    pub client_key: String,
    /// Where all.js is served.
    pub all_js_path: String,
    /// The user the host page signs in when the URL names none (login).
    pub default_user: String,
    pub installs: Mutex<BTreeMap<String, Installation>>,
}

impl ConnectHost {
    pub fn new(key: InstallKey, seed: u64, all_js_path: String, default_user: String) -> Self {
        ConnectHost {
            key,
            client_key: format!("jira-sim-{seed:016x}"),
            all_js_path,
            default_user,
            installs: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn installation(&self, app_key: &str) -> Option<Installation> {
        self.installs.lock().ok()?.get(app_key).cloned()
    }

    pub fn installations(&self) -> Vec<Installation> {
        self.installs
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// Seconds since the epoch, now.
pub fn now_s() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A token for the app's iframe URL: `qsh` binds it to that very request.
pub fn iframe_token(
    host: &ConnectHost,
    inst: &Installation,
    account_id: &str,
    method: &str,
    path: &str,
    query: &str,
) -> anyhow::Result<String> {
    user_token(
        host,
        inst,
        account_id,
        (&qsh::qsh(method, path, query), 180),
        json!({}),
    )
}

/// A token for `AP.context.getToken()`: `qsh` = `context-qsh`, valid for 15 minutes.
pub fn context_token(
    host: &ConnectHost,
    inst: &Installation,
    account_id: &str,
    context: Value,
) -> anyhow::Result<String> {
    user_token(host, inst, account_id, (qsh::CONTEXT_QSH, 900), context)
}

/// A token the host signs for `account_id` with the installation's shared secret, bound by
/// `qsh` and valid for `lifetime_s` seconds from now.
fn user_token(
    host: &ConnectHost,
    inst: &Installation,
    account_id: &str,
    (qsh, lifetime_s): (&str, i64),
    context: Value,
) -> anyhow::Result<String> {
    let now = now_s();
    hs256(
        &inst.shared_secret,
        &json!({
            "iss": host.client_key,
            "sub": account_id,
            "iat": now,
            "exp": now + lifetime_s,
            "qsh": qsh,
            "context": context,
        }),
    )
}

fn hs256(secret: &str, claims: &Value) -> anyhow::Result<String> {
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

#[derive(Deserialize)]
struct AppClaims {
    iss: String,
    qsh: Option<String>,
}

#[derive(Deserialize)]
struct Unverified {
    iss: String,
}

/// Verifies a token an installed app signed for a call to this site; returns the app key.
/// The algorithm is fixed (HS256) and `qsh` must match the request.
pub fn verify_app_token(
    host: &ConnectHost,
    token: &str,
    method: &str,
    path: &str,
    query: &str,
) -> Result<String, &'static str> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| "malformed token")?;
    if header.alg != Algorithm::HS256 {
        return Err("token algorithm must be HS256");
    }
    let iss = jsonwebtoken::dangerous::insecure_decode_claims::<Unverified>(token)
        .map_err(|_| "token has no issuer")?
        .iss;
    let inst = host
        .installation(&iss)
        .ok_or("no app is installed under this issuer")?;
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 30;
    v.set_required_spec_claims(&["exp", "iss"]);
    v.set_issuer(&[&inst.key]);
    v.validate_aud = false;
    let claims = jsonwebtoken::decode::<AppClaims>(
        token,
        &DecodingKey::from_secret(inst.shared_secret.as_bytes()),
        &v,
    )
    .map_err(|_| "invalid or expired token")?
    .claims;
    if claims.qsh.as_deref() != Some(qsh::qsh(method, path, query).as_str()) {
        return Err("query string hash does not match the request");
    }
    Ok(claims.iss)
}
