//! Where the page runs: inside Jira Cloud as a Forge Custom UI (Forge's bridge script is in the
//! page), inside Jira Cloud's Connect iframe, or opened directly (Direct: Data Center with a
//! token, or jira-sim). The transport follows from it.
//!
//! The page's address is read by `config::page`, the parser dwell-server uses for the same
//! address. Connect is chosen only on a page dwell-server verified: the server checks the
//! address's `jwt` and, when it verifies, names the tenant's Jira in the page
//! ([`VERIFIED_SITE_META`]); `xdm_e` must be that site. A copy of the client served elsewhere,
//! or an address the server did not verify, is Direct.

use config::page::PageQuery;

use crate::weburl::WebUrl;

/// The environment the page was opened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// A Forge Custom UI in Jira Cloud: Forge's `global-bridge.js` defined `__bridge`, through
    /// which Jira and Dwell's server are reached (`crate::api::forge`).
    Forge,
    /// Inside Jira Cloud: Connect put `xdm_e` (the Jira site) and `jwt` on the page URL, and
    /// dwell-server verified the token and named that site in the page.
    Connect {
        /// The Jira site's origin, e.g. `https://example.atlassian.net`.
        host: String,
        /// Where to load all.js from: Atlassian's CDN for Atlassian hosts, the host itself for
        /// a loopback emulator (jira-sim). `None` for any other host: the page then refuses to
        /// load a script named by its own URL.
        all_js: Option<String>,
        /// Connect's `ac.route`: the page a shared link points at.
        route: Option<String>,
    },
    /// Opened directly. `jira` is a Jira base URL suggested by the `jira` query parameter: the
    /// user confirms its host before a credential goes there (`pages/connection.rs`).
    Direct { jira: Option<String> },
}

/// The `<meta name>` dwell-server adds to a page whose `jwt` verified; its `content` lists the
/// tenant's Jira addresses, separated by spaces.
pub const VERIFIED_SITE_META: &str = "dwell-connect-site";

/// Atlassian's all.js, the only copy a production page may load.
pub const ATLASSIAN_ALL_JS: &str = "https://connect-cdn.atl-paas.net/all.js";

/// Where jira-sim serves its all.js emulation, relative to its origin.
pub const SIM_ALL_JS_PATH: &str = "/atlassian-connect/all.js";

impl Environment {
    /// Reads the environment from whether Forge's bridge is in the page, the page's query
    /// string (`location.search`, with or without the leading `?`) and the sites the server
    /// verified the page for (the [`VERIFIED_SITE_META`] content, `None` without one). The
    /// bridge wins: a Forge page is served from Forge's CDN, whose address says nothing of
    /// Jira. An address that names a parameter twice is read as naming none.
    pub fn detect(forge_bridge: bool, search: &str, verified_sites: Option<&str>) -> Environment {
        if forge_bridge {
            return Environment::Forge;
        }
        let query = PageQuery::parse(search).unwrap_or_default();
        let verified = |host: &str| {
            verified_sites
                .into_iter()
                .flat_map(str::split_whitespace)
                .any(|site| site.trim_end_matches('/') == host)
        };
        match (query.xdm_e, query.jwt) {
            (Some(host), Some(_)) if verified(host.trim_end_matches('/')) => {
                let host = host.trim_end_matches('/').to_string();
                let all_js = all_js_url(&host);
                Environment::Connect {
                    host,
                    all_js,
                    route: query.ac_route,
                }
            }
            _ => Environment::Direct { jira: query.jira },
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
    let url = WebUrl::parse(host)?;
    if url.has_userinfo || !url.query.is_empty() || !url.fragment.is_empty() {
        return None;
    }
    let atlassian = [".atlassian.net", ".jira.com", ".jira-dev.com"]
        .iter()
        .any(|suffix| url.host.ends_with(suffix) && url.host.len() > suffix.len());
    if url.scheme == "https" && atlassian {
        return Some(ATLASSIAN_ALL_JS.to_string());
    }
    if url.is_loopback() && url.is_http() {
        return Some(format!(
            "{}://{}{SIM_ALL_JS_PATH}",
            url.scheme,
            url.authority()
        ));
    }
    None
}

/// The first value of `name` in a query string (the route's own parameters), decoded as
/// `config::page` decodes the page's address.
pub fn query_param(search: &str, name: &str) -> Option<String> {
    config::page::first_param(search, name)
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

    const CONNECT: &str = "?xdm_e=https%3A%2F%2Facme.atlassian.net&xdm_c=channel&cp=&lic=none\
                           &jwt=eyJ.x.y&ac.route=%23%2Freports%2Frep_1";

    #[test]
    fn connect_pages_carry_the_host_a_token_and_the_servers_word() {
        let env = Environment::detect(false, CONNECT, Some("https://acme.atlassian.net/"));
        assert_eq!(
            env,
            Environment::Connect {
                host: "https://acme.atlassian.net".into(),
                all_js: Some(ATLASSIAN_ALL_JS.into()),
                route: Some("#/reports/rep_1".into()),
            }
        );
        // The site may be listed beside another address of the same tenant.
        assert!(
            Environment::detect(
                false,
                CONNECT,
                Some("https://jira.acme.com https://acme.atlassian.net")
            )
            .in_jira()
        );
    }

    #[test]
    fn connect_needs_a_page_the_server_verified_for_that_site() {
        // A copy of the client served elsewhere: no word from the server.
        assert_eq!(
            Environment::detect(false, CONNECT, None),
            Environment::Direct { jira: None }
        );
        // The server verified the page for another site than the address names.
        assert_eq!(
            Environment::detect(false, CONNECT, Some("https://other.atlassian.net")),
            Environment::Direct { jira: None }
        );
        assert_eq!(
            Environment::detect(false, CONNECT, Some("")),
            Environment::Direct { jira: None }
        );
        // A second `xdm_e` (spelt otherwise) cannot swap the site the server vouched for.
        let smuggled = format!("{CONNECT}&xdm%5Fe=https%3A%2F%2Fevil.example");
        assert_eq!(
            Environment::detect(false, &smuggled, Some("https://acme.atlassian.net")),
            Environment::Direct { jira: None }
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
        // Read as a URL: the host ends where the URL Standard ends it, not at the first `/`.
        assert_eq!(all_js_url("https://evil.example?.atlassian.net"), None);
        assert_eq!(all_js_url("https://evil.example#.atlassian.net"), None);
        assert_eq!(
            all_js_url("HTTPS://Acme.Atlassian.NET").as_deref(),
            Some(ATLASSIAN_ALL_JS)
        );
        assert_eq!(
            all_js_url("http://[::1]:41234").as_deref(),
            Some("http://[::1]:41234/atlassian-connect/all.js")
        );
        assert_eq!(
            all_js_url("https://acme.atlassian.net").as_deref(),
            Some(ATLASSIAN_ALL_JS)
        );
    }

    #[test]
    fn without_a_token_the_page_is_direct() {
        assert_eq!(
            Environment::detect(
                false,
                "?xdm_e=https%3A%2F%2Facme.atlassian.net",
                Some("https://acme.atlassian.net")
            ),
            Environment::Direct { jira: None }
        );
        assert_eq!(
            Environment::detect(false, "?jira=http%3A%2F%2F127.0.0.1%3A9000", None),
            Environment::Direct {
                jira: Some("http://127.0.0.1:9000".into())
            }
        );
        assert_eq!(
            Environment::detect(false, "", None),
            Environment::Direct { jira: None }
        );
    }

    #[test]
    fn the_forge_bridge_makes_a_forge_page_whatever_the_address() {
        assert_eq!(
            Environment::detect(true, "?xdm_e=https%3A%2F%2Fa.atlassian.net&jwt=x", None),
            Environment::Forge
        );
        assert_eq!(Environment::detect(true, "", None), Environment::Forge);
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
