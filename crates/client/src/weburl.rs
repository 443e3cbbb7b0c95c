//! Absolute URLs read with a URL parser, never by splitting strings: a split reads
//! `https://evil.example\@jira.example.com` as Jira's host while `fetch` goes to evil's.
//!
//! The key design decision: one parser per build target, both the WHATWG URL Standard's. In
//! the browser it is the browser's own (`web_sys::Url`), the parser `fetch` itself uses,
//! which adds nothing to the page's first download; native builds (the unit tests and the
//! benches) use the `url` crate, an implementation of the same standard. Callers see only
//! [`WebUrl`]'s parts, so the checks built on them are the same code in both.

/// The parts of a parsed absolute URL, as the URL Standard normalises them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    /// The scheme, lowercase, without its `:` (`https`).
    pub scheme: String,
    /// Whether the URL names a user or a password (`https://me@host`).
    pub has_userinfo: bool,
    /// The host, lowercase (punycode for international names; IPv6 in brackets: `[::1]`).
    pub host: String,
    /// The port, when the URL names one other than its scheme's default.
    pub port: Option<u16>,
    /// The path, percent-encoded, from its first `/` (`/` at least, for http(s)).
    pub path: String,
    /// The query without its `?`; empty when there is none.
    pub query: String,
    /// The fragment without its `#`; empty when there is none.
    pub fragment: String,
}

impl WebUrl {
    /// Parses an absolute URL; `None` when it is not one or has no host.
    pub fn parse(input: &str) -> Option<WebUrl> {
        let url = parse_parts(input)?;
        (!url.host.is_empty()).then_some(url)
    }

    /// Whether the scheme is `http` or `https`.
    pub fn is_http(&self) -> bool {
        matches!(self.scheme.as_str(), "http" | "https")
    }

    /// The host with its port when it is not the scheme's default (`jira.example.com:8443`).
    pub fn authority(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.1` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
    }
}

#[cfg(target_arch = "wasm32")]
fn parse_parts(input: &str) -> Option<WebUrl> {
    let url = web_sys::Url::new(input).ok()?;
    let strip = |s: String, prefix: char| s.strip_prefix(prefix).map(str::to_string).unwrap_or(s);
    let protocol = url.protocol();
    Some(WebUrl {
        scheme: protocol.strip_suffix(':').unwrap_or(&protocol).to_string(),
        has_userinfo: !url.username().is_empty() || !url.password().is_empty(),
        host: url.hostname(),
        port: url.port().parse().ok(),
        path: url.pathname(),
        query: strip(url.search(), '?'),
        fragment: strip(url.hash(), '#'),
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_parts(input: &str) -> Option<WebUrl> {
    let url = url::Url::parse(input).ok()?;
    Some(WebUrl {
        scheme: url.scheme().to_string(),
        has_userinfo: !url.username().is_empty() || url.password().is_some(),
        host: url.host_str().unwrap_or_default().to_string(),
        port: url.port(),
        path: url.path().to_string(),
        query: url.query().unwrap_or_default().to_string(),
        fragment: url.fragment().unwrap_or_default().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_as_the_url_standard_reads_them() {
        let url = WebUrl::parse(" HTTPS://Me:pw@JIRA.Example.com:443/a b/?q=1#top ").unwrap();
        assert_eq!(
            url,
            WebUrl {
                scheme: "https".into(),
                has_userinfo: true,
                host: "jira.example.com".into(),
                port: None,
                path: "/a%20b/".into(),
                query: "q=1".into(),
                fragment: "top".into(),
            }
        );
        // A backslash ends the host of an http(s) URL, as a slash does.
        let sneaky = WebUrl::parse(r"https://evil.example\@jira.example.com").unwrap();
        assert_eq!(
            (sneaky.host.as_str(), sneaky.has_userinfo),
            ("evil.example", false)
        );
        let v6 = WebUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (v6.authority(), v6.is_loopback(), v6.path.as_str()),
            ("[::1]:8080".to_string(), true, "/")
        );
        assert_eq!(WebUrl::parse("jira.example.com"), None);
        assert_eq!(WebUrl::parse("javascript:alert(1)"), None, "no host");
        assert_eq!(WebUrl::parse("https://"), None);
    }
}
