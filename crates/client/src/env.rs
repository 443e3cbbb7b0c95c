//! Where the page runs: inside Jira Cloud as a Forge Custom UI (Forge's bridge script is in the
//! page), inside Jira Cloud's Connect iframe (read from its address), or opened directly
//! (Direct: Data Center with a token, or jira-sim). The transport follows from it.

/// The environment the page was opened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// A Forge Custom UI in Jira Cloud: Forge's `global-bridge.js` defined `__bridge`, through
    /// which Jira and Dwell's server are reached (`crate::api::forge`).
    Forge,
    /// Inside Jira Cloud: Connect put `xdm_e` (the Jira site) and `jwt` on the page URL.
    Connect {
        /// The Jira site's origin, e.g. `https://example.atlassian.net`.
        host: String,
        /// Where to load all.js from: Atlassian's CDN for Atlassian hosts, the host itself for
        /// a loopback emulator (jira-sim). `None` for any other host: the page then refuses to
        /// load a script named by its own URL.
        all_js: Option<String>,
    },
    /// Opened directly. `jira` is a Jira base URL suggested by the `jira` query parameter.
    Direct { jira: Option<String> },
}

/// Atlassian's all.js, the only copy a production page may load.
pub const ATLASSIAN_ALL_JS: &str = "https://connect-cdn.atl-paas.net/all.js";

/// Where jira-sim serves its all.js emulation, relative to its origin.
pub const SIM_ALL_JS_PATH: &str = "/atlassian-connect/all.js";

impl Environment {
    /// Reads the environment from whether Forge's bridge is in the page and from the page's
    /// query string (`location.search`, with or without the leading `?`). The bridge wins: a
    /// Forge page is served from Forge's CDN, whose address says nothing of Jira.
    pub fn detect(forge_bridge: bool, search: &str) -> Environment {
        if forge_bridge {
            return Environment::Forge;
        }
        let host = query_param(search, "xdm_e");
        let jwt = query_param(search, "jwt");
        match (host, jwt) {
            (Some(host), Some(_)) if !host.is_empty() => {
                let host = host.trim_end_matches('/').to_string();
                let all_js = all_js_url(&host);
                Environment::Connect { host, all_js }
            }
            _ => Environment::Direct {
                jira: query_param(search, "jira").filter(|j| !j.is_empty()),
            },
        }
    }

    /// Inside Jira Cloud (Connect or Forge): Jira reached through Jira's page, and a server
    /// session for saved reports.
    pub fn in_jira(&self) -> bool {
        matches!(self, Environment::Connect { .. } | Environment::Forge)
    }
}

/// The all.js to load for a Connect host, or `None` when the host is neither Atlassian's nor a
/// loopback emulator. Loading a script chosen by a URL parameter would let anyone who can
/// send a link run code in this page, so only these two cases are trusted.
pub fn all_js_url(host: &str) -> Option<String> {
    let (scheme, rest) = host.split_once("://")?;
    let authority = rest.split('/').next()?;
    if authority.contains('@') {
        return None;
    }
    let hostname = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    let atlassian = [".atlassian.net", ".jira.com", ".jira-dev.com"]
        .iter()
        .any(|suffix| hostname.ends_with(suffix) && hostname.len() > suffix.len());
    if scheme == "https" && atlassian {
        return Some(ATLASSIAN_ALL_JS.to_string());
    }
    let loopback = matches!(hostname, "localhost" | "127.0.0.1" | "[::1]");
    if loopback && (scheme == "http" || scheme == "https") {
        return Some(format!("{scheme}://{authority}{SIM_ALL_JS_PATH}"));
    }
    None
}

/// The first value of `name` in a query string, percent-decoded.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| percent_decode(k) == name)
        .map(|(_, v)| percent_decode(v))
}

/// Decodes `%XX` escapes and `+` (a space in query strings). Invalid escapes stay as written;
/// bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`).
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes a query-string value or path segment: everything but unreserved characters is
/// escaped.
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_pages_carry_the_host_and_a_token() {
        let env = Environment::detect(
            false,
            "?xdm_e=https%3A%2F%2Facme.atlassian.net&xdm_c=channel&cp=&lic=none&jwt=eyJ.x.y",
        );
        assert_eq!(
            env,
            Environment::Connect {
                host: "https://acme.atlassian.net".into(),
                all_js: Some(ATLASSIAN_ALL_JS.into()),
            }
        );
    }

    #[test]
    fn the_simulator_serves_its_own_all_js_on_loopback_only() {
        assert_eq!(
            all_js_url("http://127.0.0.1:41234").as_deref(),
            Some("http://127.0.0.1:41234/atlassian-connect/all.js")
        );
        assert_eq!(all_js_url("https://evil.example.com"), None);
        assert_eq!(
            all_js_url("http://acme.atlassian.net"),
            None,
            "no plain http"
        );
        assert_eq!(all_js_url("https://atlassian.net.evil.com"), None);
        assert_eq!(all_js_url("https://x@127.0.0.1"), None);
        assert_eq!(
            all_js_url("https://acme.atlassian.net").as_deref(),
            Some(ATLASSIAN_ALL_JS)
        );
    }

    #[test]
    fn without_a_token_the_page_is_direct() {
        assert_eq!(
            Environment::detect(false, "?xdm_e=https%3A%2F%2Facme.atlassian.net"),
            Environment::Direct { jira: None }
        );
        assert_eq!(
            Environment::detect(false, "?jira=http%3A%2F%2F127.0.0.1%3A9000"),
            Environment::Direct {
                jira: Some("http://127.0.0.1:9000".into())
            }
        );
        assert_eq!(
            Environment::detect(false, ""),
            Environment::Direct { jira: None }
        );
    }

    #[test]
    fn the_forge_bridge_makes_a_forge_page_whatever_the_address() {
        assert_eq!(
            Environment::detect(true, "?xdm_e=https%3A%2F%2Fa.atlassian.net&jwt=x"),
            Environment::Forge
        );
        assert_eq!(Environment::detect(true, ""), Environment::Forge);
        assert!(Environment::Forge.in_jira());
        assert!(!Environment::Direct { jira: None }.in_jira());
    }

    #[test]
    fn percent_coding_round_trips() {
        for s in ["a b&c=d/é", "100%", "%zz", "", "project = DW ORDER BY key"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("a+b%20c"), "a b c");
        assert_eq!(percent_decode("1%2B1"), "1+1");
        assert_eq!(percent_encode("a b+c/é~-_."), "a%20b%2Bc%2F%C3%A9~-_.");
    }
}
