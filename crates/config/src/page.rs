//! The client page's address: the query parameters Jira puts on it (Connect's `jwt`, `xdm_e`
//! and `ac.route`) and the `jira` a Direct-mode link suggests. The server reads them to verify
//! the page's token, the client to choose its transport; both read them here, with one
//! `application/x-www-form-urlencoded` parser (`form_urlencoded`, the `url` crate's), so the
//! two ends cannot disagree on what a crafted address says. The page's inline scripts are
//! found here too ([`inline_scripts`]), for the server's CSP header and xtask's static `<meta>`.
//!
//! The one design decision: a parameter the page acts on that appears twice is refused, never
//! resolved by first or last, because two readers that resolve it differently (the server
//! verifying one `jwt`, the client trusting another `xdm_e`) are how a link smuggles a value
//! past a check. Keys are decoded like values (`j%77t` is `jwt`), `+` is a space, and invalid
//! UTF-8 becomes U+FFFD. An empty value counts as absent.

use std::borrow::Cow;

/// The parameters of a page address that Dwell acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// Connect's page token (HS256, bound to the page URL by its `qsh`).
    pub jwt: Option<String>,
    /// Connect's host: the Jira site that frames the page.
    pub xdm_e: Option<String>,
    /// Connect's `ac.route`: the app route a shared link points at.
    pub ac_route: Option<String>,
    /// Direct mode: a Jira base URL a link suggests (the user confirms it before any
    /// credential goes there).
    pub jira: Option<String>,
}

/// Why a page address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageQueryError {
    #[error("the page address names `{0}` more than once")]
    Repeated(&'static str),
}

/// The parameter names [`PageQuery`] holds, in its field order.
const NAMES: [&str; 4] = ["jwt", "xdm_e", "ac.route", "jira"];

impl PageQuery {
    /// Reads a query string (`location.search` with or without its leading `?`, or an HTTP
    /// request's query). Parameters other than [`PageQuery`]'s are ignored.
    pub fn parse(query: &str) -> Result<PageQuery, PageQueryError> {
        let mut found: [Option<String>; 4] = Default::default();
        let mut seen = [false; 4];
        for (key, value) in pairs(query) {
            let Some(i) = NAMES.iter().position(|n| *n == key) else {
                continue;
            };
            if seen[i] {
                return Err(PageQueryError::Repeated(NAMES[i]));
            }
            seen[i] = true;
            found[i] = (!value.is_empty()).then(|| value.into_owned());
        }
        let [jwt, xdm_e, ac_route, jira] = found;
        Ok(PageQuery {
            jwt,
            xdm_e,
            ac_route,
            jira,
        })
    }
}

/// The first value of `name` in a query string or URL fragment query, decoded the same way
/// (for the client's own route parameters, where a repeat is harmless).
pub fn first_param(query: &str, name: &str) -> Option<String> {
    pairs(query)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The text of each inline `<script>` of an HTML page (one without a `src`), in page order:
/// what a Content-Security-Policy must allow by hash. The server hashes them for the header it
/// sends with the page, xtask for the `<meta>` of a statically hosted build; both read the
/// page here so the two policies name the same scripts. Tag names and attributes are matched
/// case-insensitively; a `<script>` left unclosed ends the scan.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        if !lower[start..open_end].contains(" src=") {
            out.push(&html[open_end..close]);
        }
        at = close;
    }
    out
}

fn pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> PageQuery {
        PageQuery::parse(q).unwrap()
    }

    #[test]
    fn a_connect_address_is_read() {
        let q = parse(
            "?xdm_e=https%3A%2F%2Facme.atlassian.net&xdm_c=channel&cp=&lic=none&cv=1&jwt=eyJ.x.y\
             &ac.route=%23%2Freports%2Frep_1",
        );
        assert_eq!(
            q,
            PageQuery {
                jwt: Some("eyJ.x.y".into()),
                xdm_e: Some("https://acme.atlassian.net".into()),
                ac_route: Some("#/reports/rep_1".into()),
                jira: None,
            }
        );
        assert_eq!(parse("jwt=a.b.c"), parse("?jwt=a.b.c"));
    }

    #[test]
    fn encoded_separators_stay_inside_their_value() {
        // An encoded `&` or `=` does not start another parameter.
        let q = parse("xdm_e=https%3A%2F%2Fa.atlassian.net%26jwt%3Dforged&jwt=real");
        assert_eq!(q.jwt.as_deref(), Some("real"));
        assert_eq!(
            q.xdm_e.as_deref(),
            Some("https://a.atlassian.net&jwt=forged")
        );
        // A raw `=` inside a value belongs to the value.
        assert_eq!(parse("jwt=a=b=").jwt.as_deref(), Some("a=b="));
    }

    #[test]
    fn keys_are_decoded_like_values() {
        // A server that compared raw keys would miss this token while a client that decodes
        // keys acts on it: one parser closes that gap.
        assert_eq!(parse("j%77t=x.y.z").jwt.as_deref(), Some("x.y.z"));
        assert_eq!(parse("ac%2Eroute=%23%2Fa").ac_route.as_deref(), Some("#/a"));
    }

    #[test]
    fn plus_is_a_space_and_an_encoded_plus_is_a_plus() {
        assert_eq!(
            parse("jira=https%3A%2F%2Fj.example.com%2Fa+b")
                .jira
                .as_deref(),
            Some("https://j.example.com/a b")
        );
        assert_eq!(parse("jwt=a%2Bb").jwt.as_deref(), Some("a+b"));
    }

    #[test]
    fn a_repeated_parameter_is_refused_whatever_its_spelling() {
        for q in [
            "jwt=a&jwt=b",
            "jwt=a&j%77t=b",
            "xdm_e=https%3A%2F%2Fa.atlassian.net&xdm_e=https%3A%2F%2Fevil.example",
            "jwt=&jwt=b",
        ] {
            let which = if q.contains("xdm_e") { "xdm_e" } else { "jwt" };
            assert_eq!(
                PageQuery::parse(q),
                Err(PageQueryError::Repeated(which)),
                "{q}"
            );
        }
        // Parameters Dwell does not act on may repeat.
        assert_eq!(parse("cp=&cp=x&jwt=t").jwt.as_deref(), Some("t"));
    }

    #[test]
    fn empty_and_odd_values_are_absent_or_lossy_never_an_error() {
        assert_eq!(parse(""), PageQuery::default());
        assert_eq!(parse("?"), PageQuery::default());
        assert_eq!(parse("jwt=&xdm_e"), PageQuery::default());
        assert_eq!(parse("&&=&jwt"), PageQuery::default());
        assert_eq!(parse("jwt=%zz%").jwt.as_deref(), Some("%zz%"));
        assert_eq!(parse("jwt=%FF").jwt.as_deref(), Some("\u{FFFD}"));
        // Only one leading `?` is the separator.
        assert_eq!(parse("??jwt=x").jwt, None);
    }

    #[test]
    fn first_param_reads_route_queries_the_same_way() {
        assert_eq!(
            first_param("jql=project+%3D+DW&jql=x", "jql").as_deref(),
            Some("project = DW")
        );
        assert_eq!(first_param("a=1", "jql"), None);
        assert_eq!(first_param("template", "template").as_deref(), Some(""));
    }

    #[test]
    fn inline_scripts_are_the_script_texts_without_a_src() {
        let html = "<html><script type=\"module\">init()</script>\
                    <SCRIPT src=\"/x.js\"></SCRIPT><Script async>a<b</sCrIpT>\
                    <script>unclosed";
        assert_eq!(inline_scripts(html), vec!["init()", "a<b"]);
        assert!(inline_scripts("<p>no script</p>").is_empty());
    }
}
