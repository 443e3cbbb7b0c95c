//! Forge Invocation Tokens: the verifier against a real JWKS served over loopback HTTP, with
//! the honest token accepted and every forgery refused in the same run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use server::auth::forge_fit::{FitVerifier, ForgeApp};
use server::error::ApiError;

use crate::helpers::fixture;

pub(crate) const APP_ID: &str = "ari:cloud:ecosystem::app/7c1e5c41-8b5e-4b0f-9d55-1f1b7f0a9e01";
pub(crate) const INSTALLATION: &str =
    "ari:cloud:ecosystem::installation/0b4b0d1e-5a1c-4f5e-8a31-9f7d2d6c1a10";
pub(crate) const KID: &str = "forge/invocation-token/wf-11111111-2222-4333-8444-555555555555";
const ROTATED_KID: &str = "forge/invocation-token/wf-66666666-7777-4888-8999-000000000000";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn private_pem(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

pub(crate) fn jwk(pem_name: &str, kid: &str) -> Jwk {
    let key = EncodingKey::from_rsa_pem(&private_pem(pem_name)).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some(kid.to_string());
    jwk
}

/// A loopback JWKS whose keys the test can change, counting how often it is read.
pub(crate) struct Jwks {
    pub(crate) url: String,
    keys: Arc<Mutex<Vec<Jwk>>>,
    fetches: Arc<AtomicUsize>,
}

pub(crate) async fn serve_jwks(keys: Vec<Jwk>) -> Jwks {
    let keys = Arc::new(Mutex::new(keys));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (k, f) = (keys.clone(), fetches.clone());
    let url = serve_jwks_from(move || {
        let (k, f) = (k.clone(), f.clone());
        async move {
            f.fetch_add(1, Ordering::SeqCst);
            JwkSet {
                keys: k.lock().unwrap().clone(),
            }
        }
    });
    Jwks { url, keys, fetches }
}

/// Serves the key set `jwks` gives on every fetch at `/.well-known/jwks.json` on a loopback
/// port, and returns its URL.
pub(crate) fn serve_jwks_from<F, Fut>(jwks: F) -> String
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = JwkSet> + 'static,
{
    let server = HttpServer::new(move || {
        let jwks = jwks.clone();
        App::new().route(
            "/.well-known/jwks.json",
            web::get().to(move || {
                let set = jwks();
                async move { HttpResponse::Ok().json(set.await) }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}/.well-known/jwks.json")
}

fn verifier(jwks: &Jwks) -> FitVerifier {
    FitVerifier::new(ForgeApp {
        app_id: APP_ID.into(),
        environment: "PRODUCTION".into(),
        jwks_url: jwks.url.clone(),
        leeway: Duration::from_secs(10),
        timeout: Duration::from_secs(5),
    })
}

/// The claims of an honest UI invocation, issued `now`.
fn claims(jti: &str) -> Value {
    let now = now();
    json!({
        "iss": "forge/invocation-token",
        "aud": APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 25,
        "jti": jti,
        "app": {
            "id": APP_ID,
            "installationId": INSTALLATION,
            "apiBaseUrl": "https://api.atlassian.com/ex/jira/5f0c1e2d-aaaa-4bbb-8ccc-0123456789ab",
            "appVersion": "1.0.0",
            "environment": {
                "type": "PRODUCTION",
                "id": "ari:cloud:ecosystem::environment/7c1e5c41-8b5e-4b0f-9d55-1f1b7f0a9e01/3d2e"
            },
            "module": {"type": "core:endpoint", "key": "dwell-ui"}
        },
        "context": {
            "cloudId": "5f0c1e2d-aaaa-4bbb-8ccc-0123456789ab",
            "siteUrl": "https://acme.atlassian.net",
            "moduleKey": "dwell-global",
            "localId": "local-1"
        },
        "principal": "5b10ac8d82e05b22cc7d4ef5"
    })
}

pub(crate) fn sign(claims: &Value, pem_name: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    let key = EncodingKey::from_rsa_pem(&private_pem(pem_name)).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn honest(jti: &str) -> String {
    sign(&claims(jti), "install-key.pem", KID)
}

/// `claims(jti)` with `edit` applied.
fn edited(jti: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut c = claims(jti);
    edit(&mut c);
    sign(&c, "install-key.pem", KID)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token assembled by hand with `header`, the honest claims and `signature`.
fn hand_made(header: Value, jti: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims(jti).to_string().as_bytes()),
        b64(signature)
    )
}

fn refusal(result: Result<impl std::fmt::Debug, ApiError>) -> &'static str {
    match result {
        Err(ApiError::Unauthorized(why)) => why,
        other => panic!("expected a 401 refusal, got {other:?}"),
    }
}

#[actix_web::test]
async fn an_honest_ui_invocation_names_its_installation_user_and_site() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let v = verifier(&jwks);
    let got = v.verify(&honest("a1"), now()).await.unwrap();
    assert_eq!(got.installation_id, INSTALLATION);
    assert_eq!(
        got.principal.as_ref().map(|p| p.as_str()),
        Some("5b10ac8d82e05b22cc7d4ef5")
    );
    assert_eq!(
        got.cloud_id.as_deref(),
        Some("5f0c1e2d-aaaa-4bbb-8ccc-0123456789ab")
    );
    assert_eq!(got.site_url.as_deref(), Some("https://acme.atlassian.net"));
    assert_eq!(got.module_type, "core:endpoint");
}

#[actix_web::test]
async fn every_forged_or_malformed_token_is_refused_and_the_honest_one_accepted() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let v = verifier(&jwks);
    let now = now();
    let public_pem = std::fs::read(fixture("install-key.pub.pem")).unwrap();
    let hs256_with_public_key = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KID.into());
        jsonwebtoken::encode(
            &header,
            &claims("f-hs"),
            &EncodingKey::from_secret(&public_pem),
        )
        .unwrap()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "alg none",
            hand_made(json!({"alg": "none", "kid": KID}), "f-none", b""),
            // jsonwebtoken knows no `none`: the header itself does not parse.
            "malformed token",
        ),
        (
            "HS256 signed with the public key",
            hs256_with_public_key,
            "token algorithm must be RS256",
        ),
        (
            "unknown kid",
            sign(
                &claims("f-kid"),
                "install-key.pem",
                "forge/invocation-token/wf-unknown",
            ),
            "unknown token key",
        ),
        (
            "a key outside the JWKS, under a published kid",
            sign(&claims("f-attacker"), "attacker-key.pem", KID),
            "token signature does not verify",
        ),
        (
            "no kid",
            {
                let key = EncodingKey::from_rsa_pem(&private_pem("install-key.pem")).unwrap();
                jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims("f-nokid"), &key)
                    .unwrap()
            },
            "token has no usable key id",
        ),
        (
            "wrong iss",
            edited("f-iss", |c| c["iss"] = json!("connect/other")),
            "token has the wrong issuer",
        ),
        (
            "wrong aud",
            edited("f-aud", |c| {
                c["aud"] = json!("ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000")
            }),
            "token is for another app",
        ),
        (
            "app.id other than aud",
            edited("f-appid", |c| {
                c["app"]["id"] =
                    json!("ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000ff")
            }),
            "token is for another app",
        ),
        (
            "other environment",
            edited(
                "f-env",
                |c| {
                    c["app"]["environment"] = json!({"type": "DEVELOPMENT", "id": "ari:cloud:ecosystem::environment/x/dev"})
                },
            ),
            "token is for another environment",
        ),
        (
            "expired",
            edited("f-exp", |c| {
                c["iat"] = json!(now - 120);
                c["nbf"] = json!(now - 120);
                c["exp"] = json!(now - 95);
            }),
            "token expired",
        ),
        (
            "nbf in the future",
            edited("f-nbf", |c| {
                c["nbf"] = json!(now + 60);
                c["exp"] = json!(now + 85);
            }),
            "token not valid yet",
        ),
        (
            "iat in the future",
            edited("f-iat", |c| c["iat"] = json!(now + 60)),
            "token issued in the future",
        ),
        (
            "no exp",
            edited("f-noexp", |c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            "token lacks a required claim",
        ),
        (
            "no installationId",
            edited("f-noinst", |c| {
                c["app"].as_object_mut().unwrap().remove("installationId");
            }),
            "token lacks a required claim",
        ),
        (
            "an empty installationId",
            edited("f-emptyinst", |c| c["app"]["installationId"] = json!(" ")),
            "token names no installation",
        ),
        (
            "a malformed principal",
            edited("f-principal", |c| c["principal"] = json!("x\u{0}y")),
            "token names a malformed user",
        ),
        ("garbage", "not.a.token".to_string(), "malformed token"),
        (
            "a tampered payload",
            {
                let token = honest("f-tamper");
                let parts: Vec<&str> = token.split('.').collect();
                let mut c = claims("f-tamper");
                c["app"]["installationId"] = json!("ari:cloud:ecosystem::installation/other");
                format!(
                    "{}.{}.{}",
                    parts[0],
                    b64(c.to_string().as_bytes()),
                    parts[2]
                )
            },
            "token signature does not verify",
        ),
        ("too long", "a".repeat(20_000), "token too long"),
    ];
    for (what, token, expected) in &cases {
        assert_eq!(
            refusal(v.verify(token, now).await),
            *expected,
            "case: {what}"
        );
    }
    // The same run accepts the honest token, and refuses it the second time (replayed jti).
    let token = honest("honest-1");
    v.verify(&token, now).await.unwrap();
    assert_eq!(
        refusal(v.verify(&token, now).await),
        "token already used",
        "a replayed jti"
    );
}

#[actix_web::test]
async fn a_refused_token_does_not_use_up_its_jti() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let v = verifier(&jwks);
    let forged = edited("shared-jti", |c| c["iss"] = json!("someone/else"));
    refusal(v.verify(&forged, now()).await);
    v.verify(&honest("shared-jti"), now()).await.unwrap();
}

#[actix_web::test]
async fn a_rotated_key_is_fetched_and_a_flood_of_unknown_kids_costs_few_fetches() {
    let jwks = serve_jwks(vec![jwk("install-key.pem", KID)]).await;
    let v = verifier(&jwks);
    v.verify(&honest("r1"), now()).await.unwrap();
    v.verify(&honest("r2"), now()).await.unwrap();
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 1, "keys are cached");

    // Atlassian rotates: a new kid appears in the JWKS (the attacker fixture stands in for it).
    jwks.keys
        .lock()
        .unwrap()
        .push(jwk("attacker-key.pem", ROTATED_KID));
    let rotated = sign(&claims("r3"), "attacker-key.pem", ROTATED_KID);
    v.verify(&rotated, now()).await.unwrap();
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        2,
        "an unknown kid refetches"
    );

    // A flood of forged kids: each unknown, but only a bounded number of fetches.
    for i in 0..50 {
        let kid = format!("forge/invocation-token/wf-forged-{i}");
        let token = sign(&claims(&format!("flood-{i}")), "install-key.pem", &kid);
        assert_eq!(refusal(v.verify(&token, now()).await), "unknown token key");
    }
    let fetches = jwks.fetches.load(Ordering::SeqCst);
    assert!(
        fetches <= 2 + 6,
        "50 forged kids caused {fetches} JWKS fetches"
    );
    // The honest keys still work during and after the flood.
    v.verify(&honest("r4"), now()).await.unwrap();
}
