//! Shared secrets at rest: AES-256-GCM under a key ring.
//!
//! A sealed secret is `0x01 | key id (4 bytes) | nonce (12 bytes) | ciphertext and tag`, with
//! the tenant's client key as associated data, so a sealed value copied to another tenant's row
//! does not open. The key id (the first 4 bytes of SHA-256 of the key) says which key of the
//! ring sealed it: the first key seals, every key opens. Rotation is: put a new key first, start
//! the server (it re-seals every secret under the new key), then drop the old key.
//!
//! Secrets in memory are wiped when dropped (`zeroize`): an opened shared secret is a
//! [`Zeroizing`] buffer, the raw keys read from a file or the environment are wiped once the
//! ciphers are built, and the ciphers wipe their own key schedules (the `zeroize` features of
//! `aes` and `aes-gcm`).

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const FORMAT: u8 = 1;
const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

/// Keys that seal and open shared secrets. The first one seals.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<Key>,
}

#[derive(Clone)]
struct Key {
    id: [u8; KEY_ID_LEN],
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material; the ids are enough to tell keys apart.
        let ids: Vec<String> = self.keys.iter().map(|k| hex::encode(k.id)).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

/// Why a sealed secret does not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("sealed secret is malformed")]
    Malformed,
    #[error("sealed with key {0}, which is not in the key ring")]
    UnknownKey(String),
    #[error("sealed secret does not authenticate")]
    Forged,
}

impl KeyRing {
    pub fn empty() -> Self {
        KeyRing { keys: Vec::new() }
    }

    /// A ring of one fresh random key.
    pub fn generate() -> anyhow::Result<Self> {
        Self::from_raw(&[random_key()?])
    }

    /// Parses base64 keys separated by commas or newlines, current key first. Lines starting
    /// with `#` are comments.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut raw: Vec<Zeroizing<[u8; 32]>> = Vec::new();
        for (i, part) in text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(part)
                    .with_context(|| format!("key {} is not base64", i + 1))?,
            );
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                anyhow::anyhow!("key {} has {} bytes, AES-256 needs 32", i + 1, bytes.len())
            })?;
            raw.push(Zeroizing::new(key));
        }
        if raw.is_empty() {
            bail!("no key given");
        }
        Self::from_raw(&raw)
    }

    fn from_raw(raw: &[Zeroizing<[u8; 32]>]) -> anyhow::Result<Self> {
        let keys = raw
            .iter()
            .map(|k| {
                let digest = Sha256::digest(k.as_slice());
                let mut id = [0; KEY_ID_LEN];
                id.copy_from_slice(&digest[..KEY_ID_LEN]);
                Ok(Key {
                    id,
                    cipher: Aes256Gcm::new_from_slice(k.as_slice()).context("aes key")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(KeyRing { keys })
    }

    /// Reads a key file, creating it with one fresh key (mode 0600) when `create` is set and
    /// it does not exist. A key file that others may read is refused.
    pub fn load_file(path: &Path, create: bool) -> anyhow::Result<Self> {
        if create && !path.exists() {
            if let Some(dir) = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.exists())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
            let key = Zeroizing::new(STANDARD.encode(random_key()?.as_slice()));
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("cannot create key file {}", path.display()))?;
            writeln!(
                file,
                "# Dwell secret keys, base64, current key first. Keep apart from backups.\n{}",
                key.as_str()
            )?;
            tracing::warn!(
                path = %path.display(),
                "created a new secret key file; keep it apart from database backups"
            );
        }
        let meta = std::fs::metadata(path)
            .with_context(|| format!("cannot read key file {}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            bail!(
                "key file {} is readable by others: chmod 600 it",
                path.display()
            );
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read key file {}", path.display()))?,
        );
        Self::parse(&text).with_context(|| format!("key file {}", path.display()))
    }

    /// The id of the sealing key, hex.
    pub fn current_id(&self) -> Option<String> {
        self.keys.first().map(|k| hex::encode(k.id))
    }

    /// Seals `secret` under the current key, bound to `context` (the tenant's client key).
    pub fn seal(&self, secret: &[u8], context: &str) -> anyhow::Result<Vec<u8>> {
        let key = self.keys.first().context("the key ring is empty")?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let sealed = key
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(1 + KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.push(FORMAT);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a sealed secret with whichever key of the ring sealed it; the opened secret is
    /// wiped from memory when dropped.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if sealed.len() < 1 + KEY_ID_LEN + NONCE_LEN + 16 || sealed[0] != FORMAT {
            return Err(OpenError::Malformed);
        }
        let id = &sealed[1..1 + KEY_ID_LEN];
        let nonce = &sealed[1 + KEY_ID_LEN..1 + KEY_ID_LEN + NONCE_LEN];
        let body = &sealed[1 + KEY_ID_LEN + NONCE_LEN..];
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| OpenError::UnknownKey(hex::encode(id)))?;
        key.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenError::Forged)
    }

    /// Whether `sealed` was sealed by the current key (else it should be re-sealed).
    pub fn is_current(&self, sealed: &[u8]) -> bool {
        match (self.keys.first(), sealed.get(1..1 + KEY_ID_LEN)) {
            (Some(k), Some(id)) => k.id == id,
            _ => false,
        }
    }
}

/// A fresh random 256-bit key, base64, for `dwell-server keygen`.
pub fn generate_key_base64() -> anyhow::Result<String> {
    Ok(STANDARD.encode(random_key()?.as_slice()))
}

fn random_key() -> anyhow::Result<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut_slice()).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let ring = KeyRing::generate().unwrap();
        let sealed = ring.seal(b"s3cret", "tenant-a").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
        assert_eq!(
            ring.open(&sealed, "tenant-a").unwrap().as_slice(),
            b"s3cret"
        );
        assert!(matches!(
            ring.open(&sealed, "tenant-b"),
            Err(OpenError::Forged)
        ));
        let other = KeyRing::generate().unwrap();
        assert!(matches!(
            other.open(&sealed, "tenant-a"),
            Err(OpenError::UnknownKey(_))
        ));
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            ring.open(&tampered, "tenant-a"),
            Err(OpenError::Forged)
        ));
    }

    #[test]
    fn a_rotated_ring_opens_old_secrets_and_seals_with_the_new_key() {
        let old = STANDARD.encode([1u8; 32]);
        let new = STANDARD.encode([2u8; 32]);
        let before = KeyRing::parse(&old).unwrap();
        let sealed = before.seal(b"x", "t").unwrap();
        let after = KeyRing::parse(&format!("{new}\n{old}")).unwrap();
        assert!(!after.is_current(&sealed));
        assert_eq!(after.open(&sealed, "t").unwrap().as_slice(), b"x");
        assert!(after.is_current(&after.seal(b"x", "t").unwrap()));
    }

    #[test]
    fn a_created_key_file_is_private_and_loads_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/dwell.key");
        let ring = KeyRing::load_file(&path, true).unwrap();
        let again = KeyRing::load_file(&path, false).unwrap();
        assert_eq!(ring.current_id(), again.current_id());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let sealed = ring.seal(b"x", "t").unwrap();
        assert_eq!(again.open(&sealed, "t").unwrap().as_slice(), b"x");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = format!("{:#}", KeyRing::load_file(&path, false).unwrap_err());
        assert!(err.contains("readable by others"), "{err}");
    }

    /// Issue 13: secrets are wiped from memory when dropped. Each holder of secret material
    /// is a type that zeroises itself on drop, so a change back to a plain buffer (or turning
    /// the ciphers' `zeroize` features off) fails to compile here.
    #[test]
    fn opened_secrets_keys_and_ciphers_are_wiped_when_dropped() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let ring = KeyRing::generate().unwrap();
        let opened = ring.open(&ring.seal(b"s3cret", "t").unwrap(), "t").unwrap();
        wiped_on_drop(&opened);
        assert_eq!(opened.as_slice(), b"s3cret");
        wiped_on_drop(&random_key().unwrap());
        let tenant = crate::auth::Tenant {
            id: crate::store::TenantId(1),
            platform: crate::store::Platform::Connect,
            client_key: "t".into(),
            base_url: String::new(),
            display_url: None,
            shared_secret: opened,
            uninstalled: false,
        };
        wiped_on_drop(&tenant.shared_secret);
        let cipher = aes::Aes256::new_from_slice(&[7; 32]).unwrap();
        wiped_on_drop(&cipher);
        // The keys jsonwebtoken builds from a shared secret for each request wipe themselves.
        wiped_on_drop(&jsonwebtoken::DecodingKey::from_secret(b"s3cret"));
        wiped_on_drop(&jsonwebtoken::EncodingKey::from_secret(b"s3cret"));
    }

    #[test]
    fn keys_of_the_wrong_size_are_refused() {
        let short = STANDARD.encode([1u8; 16]);
        let err = KeyRing::parse(&short).unwrap_err().to_string();
        assert!(err.contains("32"), "{err}");
        assert!(KeyRing::parse("  \n# only a comment\n").is_err());
    }
}
