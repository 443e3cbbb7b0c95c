//! Direct mode's rule for a Jira address that came with a link (`?jira=`): no credential goes
//! to it before the person confirms its host on the page. Anyone can send a link that opens
//! Dwell with an address of their own filled in; a token typed under it would go to them. The
//! rule is by host, so editing the path does not skip it, and an address the person typed
//! themselves (another host) needs no confirmation.

use crate::weburl::WebUrl;

/// The host a link suggested, to be confirmed before credentials go there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkedAddress {
    host: Option<String>,
}

impl LinkedAddress {
    /// From the `jira` the page's address suggested (`None` when it suggested none).
    pub fn new(suggested: Option<&str>) -> LinkedAddress {
        LinkedAddress {
            host: suggested.and_then(host_of),
        }
    }

    /// The host the person must confirm before credentials are sent to `address` (as typed),
    /// or `None` when sending needs no confirmation: no credentials, or another host than the
    /// link's.
    pub fn host_to_confirm(&self, address: &str, sends_credentials: bool) -> Option<String> {
        let linked = self.host.as_deref()?;
        (sends_credentials && host_of(address).as_deref() == Some(linked))
            .then(|| linked.to_string())
    }
}

/// The host (with its port when not the scheme's default) of an http(s) address, as the URL
/// Standard reads it (`fetch` reads it so); `None` for anything else.
fn host_of(address: &str) -> Option<String> {
    WebUrl::parse(address.trim())
        .filter(WebUrl::is_http)
        .map(|url| url.authority())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_host_needs_confirming_before_credentials_go_there() {
        let linked = LinkedAddress::new(Some("https://jira.example.com/jira"));
        for typed in [
            "https://jira.example.com/jira",
            "https://JIRA.example.com/",
            " https://jira.example.com/other/path ",
            "http://jira.example.com",
        ] {
            assert_eq!(
                linked.host_to_confirm(typed, true).as_deref(),
                Some("jira.example.com"),
                "{typed}"
            );
        }
        // No credentials (an anonymous look at a public Jira): nothing to protect.
        assert_eq!(
            linked.host_to_confirm("https://jira.example.com", false),
            None
        );
        // Another host is the person's own choice.
        assert_eq!(linked.host_to_confirm("https://jira.mine.org", true), None);
        assert_eq!(
            linked.host_to_confirm("https://jira.example.com:8443", true),
            None
        );
    }

    #[test]
    fn user_info_does_not_hide_the_host() {
        let linked = LinkedAddress::new(Some("https://me@evil.example"));
        assert_eq!(
            linked
                .host_to_confirm("https://evil.example", true)
                .as_deref(),
            Some("evil.example")
        );
    }

    #[test]
    fn the_host_is_the_one_fetch_would_reach() {
        // A backslash ends the host: the token would go to evil.example, so that is the host
        // to confirm, whatever follows the `@`.
        let linked = LinkedAddress::new(Some(r"https://evil.example\@jira.example.com"));
        assert_eq!(
            linked
                .host_to_confirm("https://evil.example", true)
                .as_deref(),
            Some("evil.example")
        );
        // The default port names the same host.
        let linked = LinkedAddress::new(Some("https://evil.example"));
        assert_eq!(
            linked
                .host_to_confirm("https://evil.example:443/jira", true)
                .as_deref(),
            Some("evil.example")
        );
    }

    #[test]
    fn without_a_link_nothing_needs_confirming() {
        let none = LinkedAddress::new(None);
        assert_eq!(none.host_to_confirm("https://jira.example.com", true), None);
        let junk = LinkedAddress::new(Some("javascript:alert(1)"));
        assert_eq!(junk.host_to_confirm("javascript:alert(1)", true), None);
    }
}
