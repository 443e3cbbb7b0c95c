//! Who the page's header says is signed in: the person's name as Jira shows it, else the id
//! Jira knows them by, with the zone their times are shown in when Jira says it.
//!
//! The key design decision: the name is asked of Jira in the browser, after the page has
//! started, and it never goes to Dwell's server; until Jira answers, or when it does not, the
//! header shows the id. Forge is never asked (its manifest has no `read:jira-user` scope), so
//! there the header shows the context's account id.

/// The header's "as …" text: `name`, else `id`, followed by ` (zone)` when `zone` is known;
/// `None` when neither the name nor the id is known. Blank values count as unknown.
pub fn label(name: Option<&str>, id: Option<&str>, zone: Option<&str>) -> Option<String> {
    let who = known(name).or(known(id))?;
    Some(match known(zone) {
        Some(zone) => format!("{who} ({zone})"),
        None => who.to_string(),
    })
}

/// A value that says something: trimmed, and not blank.
fn known(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_shown_and_the_account_id_only_without_one() {
        let id = Some("557058:f58131cb");
        let zone = Some("Europe/Paris");
        assert_eq!(
            label(Some("Ada Lovelace"), id, zone).as_deref(),
            Some("Ada Lovelace (Europe/Paris)")
        );
        assert_eq!(
            label(None, id, zone).as_deref(),
            Some("557058:f58131cb (Europe/Paris)")
        );
        assert_eq!(
            label(Some(" "), id, None).as_deref(),
            Some("557058:f58131cb")
        );
        assert_eq!(label(Some("Ada"), None, Some("")).as_deref(), Some("Ada"));
        assert_eq!(label(None, None, zone), None);
    }
}
