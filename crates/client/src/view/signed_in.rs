//! Who the page's header says is signed in: the person's name as Jira shows it, else the id
//! Jira knows them by, with the zone their times are shown in when Jira says it.
//!
//! The key design decision: the name is asked of Jira in the browser, after the page has
//! started, and it never goes to Dwell's server; until Jira answers, or when it does not, the
//! header shows the id. Forge is never asked (its manifest has no `read:jira-user` scope: a
//! scope that reads every user's profile is not worth a header), and an account id means
//! nothing to a reader, so there the header names no one, only the zone: Jira's own page
//! around the app already shows who is signed in.

/// What the header adds after the site: ` as name (zone)`, else ` as id (zone)`, else
/// ` · times in zone`; `None` when nothing is known. Blank values count as unknown.
pub fn label(name: Option<&str>, id: Option<&str>, zone: Option<&str>) -> Option<String> {
    let zone = known(zone);
    match (known(name).or(known(id)), zone) {
        (Some(who), Some(zone)) => Some(format!(" as {who} ({zone})")),
        (Some(who), None) => Some(format!(" as {who}")),
        (None, Some(zone)) => Some(format!(" · times in {zone}")),
        (None, None) => None,
    }
}

/// A value that says something: trimmed, and not blank.
fn known(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_shown_the_id_only_without_one_and_the_zone_alone_without_either() {
        let id = Some("557058:f58131cb");
        let zone = Some("Europe/Paris");
        assert_eq!(
            label(Some("Ada Lovelace"), id, zone).as_deref(),
            Some(" as Ada Lovelace (Europe/Paris)")
        );
        assert_eq!(
            label(None, id, zone).as_deref(),
            Some(" as 557058:f58131cb (Europe/Paris)")
        );
        assert_eq!(
            label(Some(" "), id, None).as_deref(),
            Some(" as 557058:f58131cb")
        );
        assert_eq!(
            label(Some("Ada"), None, Some("")).as_deref(),
            Some(" as Ada")
        );
        assert_eq!(
            label(None, Some(" "), zone).as_deref(),
            Some(" · times in Europe/Paris")
        );
        assert_eq!(label(None, None, None), None);
    }
}
