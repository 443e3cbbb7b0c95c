//! The Content-Security-Policy Forge's CDN serves a Custom UI resource with, computed as
//! Atlassian's `@forge/csp@6.3.2` computes it (`CSPProcessingService.getCspDetails` for the
//! app's part, `CSPInjectionService.getInjectableCSP` with `microsEnv: 'prod'` for the rest),
//! so an app meets here the policy it will meet on Forge: no `'unsafe-inline'` styles unless
//! declared, inline `<script>` blocks allowed by their SHA-256 hash, WebAssembly only with
//! `unsafe-eval`, and the manifest's `permissions.external` as the only other sources.
//!
//! [`policy`] is Atlassian's policy verbatim for a site `hostname`; the test
//! `forge_csp::the_policy_is_atlassians` compares it with the package's own output (pinned as a
//! fixture, regenerated with node when `cargo xtask test`'s setup has installed the package).
//! [`localise`] then points the Forge CDN and the violation reports at the simulator.
//! Not reproduced: the deprecated `<meta http-equiv="Content-Security-Policy">` styles.

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::manifest::Permissions;

/// The Forge CDN host that serves `global-bridge.js` (prod).
pub const FORGE_CDN: &str = "https://forge.cdn.prod.atlassian-dev.net";
const REPORT_URI: &str = "https://web-security-reports.services.atlassian.com/csp-report/forge-cdn";
const MEDIA: &str = "https://api.media.atlassian.com";
const FOS_DOWNLOAD: [&str; 3] = [
    "https://tdp-os.services.atlassian.com/fos-eap/download/",
    "https://tdp-os.services.atlassian.com/fos/app/download/",
    "https://tdp-os.services.atlassian.com/fos/cdn/download/",
];
const FOS_UPLOAD: [&str; 3] = [
    "https://tdp-os.services.atlassian.com/fos-eap/upload/",
    "https://tdp-os.services.atlassian.com/fos/app/upload/",
    "https://tdp-os.services.atlassian.com/fos/cdn/upload/",
];
const FOS_CDN: &str = "https://object-store.atlassian.com/os/ecosystem/installation/";
const IMAGE_HOSTS: [&str; 11] = [
    "https://secure.gravatar.com",
    "https://images.unsplash.com",
    "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net",
    "https://*.wp.com/avatar-management--avatars.us-west-2.prod.public.atl-paas.net/",
    "https://api.atlassian.com",
    MEDIA,
    "https://pf-emoji-service.prod-east.frontend.public.atl-paas.net",
    "https://pf-reactions-service.prod-east.frontend.public.atl-paas.net",
    "https://assets-media.atlassian.com",
    "https://teams-directory-frontend.prod-east.frontend.public.atl-paas.net/assets/",
    "https://teams-directory-frontend.prod-east.frontend.public.atl-paas.net/assets/gradients/",
];
const CONNECT_HOSTS: [&str; 6] = [
    "https://api.atlassian.com/metal/ingest",
    "https://api.atlassian.com/gateway/api/emoji/",
    "https://api.atlassian.com/gateway/api/elements/emoji",
    MEDIA,
    "https://as.atlassian.com",
    "https://forge-outbound-proxy.services.atlassian.com",
];
const FRAME_ANCESTORS: [&str; 5] = [
    "*.atlassian.net",
    "bitbucket.org",
    "*.jira.com",
    "*.atlassian.com",
    "*.frontend.public.atl-paas.net",
];
const SANDBOX: &str = "sandbox allow-popups allow-popups-to-escape-sandbox allow-downloads allow-forms allow-modals allow-pointer-lock allow-same-origin allow-scripts";

/// `isSafeCsp`: letters, digits, `='"+/ -`, or `blob:`.
fn is_safe(s: &str) -> bool {
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("blob:") {
            rest = r;
            continue;
        }
        let c = rest.chars().next().unwrap_or('\0');
        if !(c.is_ascii_alphanumeric() || "='\"+/ -".contains(c)) {
            return false;
        }
        rest = &rest[c.len_utf8()..];
    }
    true
}

fn is_hash(s: &str) -> bool {
    [("sha256-", 44), ("sha384-", 64), ("sha512-", 88)]
        .iter()
        .any(|(p, n)| {
            s.strip_prefix(p).is_some_and(|b64| {
                b64.len() == *n
                    && b64
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"=+/".contains(&b))
            })
        })
}

fn valid_user_script(s: &str) -> bool {
    is_safe(s)
        && (is_hash(s) || ["unsafe-inline", "unsafe-eval", "unsafe-hashes", "blob:"].contains(&s))
}

/// The text of every `<script>` without `src`, as the browser (and cheerio) reads it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let start = at + i;
        let after_name = start + "<script".len();
        // `<scripts>` or `<script-x>` are other elements.
        if !lower[after_name..]
            .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            at = after_name;
            continue;
        }
        let Some(gt) = lower[after_name..].find('>') else {
            break;
        };
        let attrs = &lower[after_name..after_name + gt];
        let body_start = after_name + gt + 1;
        let Some(end) = lower[body_start..].find("</script") else {
            break;
        };
        let has_src = attrs
            .split(|c: char| c.is_ascii_whitespace() || c == '/')
            .any(|a| a == "src" || a.starts_with("src="));
        if !has_src {
            out.push(&html[body_start..body_start + end]);
        }
        at = body_start + end;
    }
    out
}

fn addresses(list: Option<&Vec<Value>>) -> Vec<String> {
    list.map(|l| {
        l.iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("address").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Why a policy cannot be computed (as @forge/csp would throw).
#[derive(Debug, thiserror::Error)]
#[error("fetch.client should be an array of strings")]
pub struct InvalidConnectSrc;

/// The policy's directives for `index_html` under `permissions`, on the site `hostname`.
pub fn policy(
    index_html: &str,
    permissions: &Permissions,
    hostname: &str,
) -> Result<Vec<String>, InvalidConnectSrc> {
    let external = &permissions.external;
    let client = external.get("fetch.client");
    if client.is_some_and(|c| c.iter().any(|v| !v.is_string())) {
        return Err(InvalidConnectSrc);
    }
    // The app's part (getCspDetails).
    let mut style_details: Vec<String> = Vec::new();
    for s in &permissions.styles {
        let quoted = format!("'{s}'");
        if is_safe(&quoted) && quoted == "'unsafe-inline'" && !style_details.contains(&quoted) {
            style_details.push(quoted);
        }
    }
    style_details.extend(addresses(external.get("styles")));
    let user: Vec<&str> = permissions
        .scripts
        .iter()
        .map(String::as_str)
        .filter(|s| valid_user_script(s))
        .collect();
    let generated: Vec<String> = if user.contains(&"unsafe-inline") {
        Vec::new()
    } else {
        inline_scripts(index_html)
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "sha256-{}",
                    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
                )
            })
            .collect()
    };
    let (user_hashes, user_other): (Vec<&str>, Vec<&str>) =
        user.into_iter().partition(|s| is_hash(s));
    let mut script_details: Vec<String> = user_other
        .into_iter()
        .map(str::to_string)
        .chain(generated.iter().cloned())
        .chain(
            user_hashes
                .into_iter()
                .filter(|h| !generated.iter().any(|g| g == h))
                .map(str::to_string),
        )
        .map(|s| if s == "blob:" { s } else { format!("'{s}'") })
        .collect();
    script_details.extend(addresses(external.get("scripts")));
    let connect_details = addresses(client);

    // The platform's part (getInjectableCSP, prod).
    let join = |parts: Vec<String>| {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let s = |x: &str| x.to_string();
    let fos = || FOS_DOWNLOAD.iter().map(|x| s(x)).chain([s(FOS_CDN)]);
    let mut d = Vec::new();
    d.push(format!(
        "default-src {}",
        join([s("'self'")].into_iter().chain(fos()).collect())
    ));
    d.push(format!(
        "frame-ancestors {}",
        join(
            [s("'self'")]
                .into_iter()
                .chain(FRAME_ANCESTORS.iter().map(|x| s(x)))
                .chain([s(hostname)])
                .chain(fos())
                .collect()
        )
    ));
    d.push(format!(
        "frame-src {}",
        join(
            [s("'self'"), s(hostname), s(MEDIA)]
                .into_iter()
                .chain(addresses(external.get("frames")))
                .chain(fos())
                .collect()
        )
    ));
    d.push(format!(
        "font-src {}",
        join(
            [s("'self'")]
                .into_iter()
                .chain(fos())
                .chain(addresses(external.get("fonts")))
                .collect()
        )
    ));
    d.push(format!(
        "img-src {}",
        join(
            [s("'self'"), s("data:"), s("blob:"), s(hostname)]
                .into_iter()
                .chain(IMAGE_HOSTS.iter().map(|x| s(x)))
                .chain(fos())
                .chain(addresses(external.get("images")))
                .collect()
        )
    ));
    d.push(format!(
        "media-src {}",
        join(
            [s("'self'"), s("data:"), s("blob:"), s(hostname), s(MEDIA)]
                .into_iter()
                .chain(addresses(external.get("media")))
                .chain(fos())
                .collect()
        )
    ));
    d.push(format!(
        "connect-src {}",
        join(
            [s("'self'"), s(hostname)]
                .into_iter()
                .chain(CONNECT_HOSTS.iter().map(|x| s(x)))
                .chain(FOS_DOWNLOAD.iter().map(|x| s(x)))
                .chain(FOS_UPLOAD.iter().map(|x| s(x)))
                .chain([s(FOS_CDN), s(FORGE_CDN)])
                .chain(connect_details)
                .collect()
        )
    ));
    d.push(format!(
        "script-src {}",
        join(
            [s("'self'"), s(FORGE_CDN)]
                .into_iter()
                .chain(fos())
                .chain(script_details)
                .collect()
        )
    ));
    d.push(format!(
        "style-src {}",
        join(
            [s("'self'"), s(hostname), s(FORGE_CDN)]
                .into_iter()
                .chain(fos())
                .chain(style_details)
                .collect()
        )
    ));
    d.push(s("form-action 'self'"));
    d.push(s(SANDBOX));
    d.push(format!("report-uri {REPORT_URI}"));
    Ok(d)
}

/// The policy as the simulator serves it: the Forge CDN is the simulator's CDN origin and
/// violation reports go to the simulator, which counts them.
pub fn localise(directives: &[String], cdn_origin: &str, report_uri: &str) -> String {
    directives
        .iter()
        .map(|d| {
            if d.starts_with("report-uri ") {
                format!("report-uri {report_uri}")
            } else {
                d.replace(FORGE_CDN, cdn_origin)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
