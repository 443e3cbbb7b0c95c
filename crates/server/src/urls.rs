//! Which URLs the server trusts: its own base URL, the install key service and the tenants'
//! sites.
//!
//! The design decision: plain `http://` only on loopback (where the simulator, the tests and the
//! demo run), and a tenant's site only on Atlassian's site domains over https (or loopback). A
//! signed install names the site the server will send signed requests to, so a URL that
//! passes here is one Atlassian (or this machine) answers.

use std::net::IpAddr;

use actix_web::http::Uri;

/// The domains under which Atlassian serves Jira Cloud sites (`<site>.atlassian.net`, ...).
pub const ATLASSIAN_SITE_DOMAINS: [&str; 3] = [".atlassian.net", ".jira.com", ".jira-dev.com"];

/// Whether `host` (as a URL spells it, IPv6 in brackets) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || ip.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An absolute URL without a query or user info, and its host.
fn parse(url: &str) -> Result<(Uri, String), &'static str> {
    let uri: Uri = url.parse().map_err(|_| "is not a URL")?;
    let host = uri.host().ok_or("has no host")?.to_ascii_lowercase();
    if uri.query().is_some() || uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("must have no query and no user info");
    }
    Ok((uri, host))
}

/// A service URL (the base URL, the install key service): https, or http on loopback.
pub fn check_service_url(url: &str) -> Result<(), &'static str> {
    let (uri, host) = parse(url)?;
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(&host) => Ok(()),
        Some("http") => Err("may use http:// only on loopback; use https://"),
        _ => Err("must be an http(s) URL"),
    }
}

/// A tenant's site: https on one of [`ATLASSIAN_SITE_DOMAINS`], or http(s) on loopback.
pub fn check_site_url(url: &str) -> Result<(), &'static str> {
    if url.len() > 2048 {
        return Err("is too long");
    }
    check_service_url(url)?;
    let (_, host) = parse(url)?;
    let atlassian = ATLASSIAN_SITE_DOMAINS
        .iter()
        .any(|d| host.len() > d.len() && host.ends_with(d));
    if atlassian || is_loopback(&host) {
        Ok(())
    } else {
        Err("must be a site on an Atlassian domain")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_loopback_only() {
        for ok in [
            "https://dwell.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:9000/keys",
            "http://127.8.0.1",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_service_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://dwell.example.com",
            "http://10.0.0.1:8080",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "https://user@dwell.example.com",
            "https://dwell.example.com/?a=b",
            "dwell.example.com",
        ] {
            assert!(check_service_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sites_are_on_atlassian_domains_or_loopback() {
        for ok in [
            "https://acme.atlassian.net",
            "https://ACME.atlassian.net/",
            "https://acme.jira.com",
            "https://acme.jira-dev.com/jira",
            "http://127.0.0.1:9000/t/site",
        ] {
            assert_eq!(check_site_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://acme.atlassian.net",
            "https://atlassian.net",
            "https://acme.atlassian.net.evil.com",
            "https://evilatlassian.net",
            "https://jira.example.com",
            "https://acme.atlassian.net?x=1",
        ] {
            assert!(check_site_url(bad).is_err(), "{bad}");
        }
    }
}
