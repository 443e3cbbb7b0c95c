//! Reading Dwell's results table out of the page: the header, every row (the table is
//! virtualised, so it is scrolled through window by window) and the statistics in its footer.

use std::collections::BTreeMap;

use anyhow::bail;
use serde_json::{Value, json};

use crate::Result;
use crate::browser::Browser;

/// The table as the user sees it: cell texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column titles, the first one the row label's ("Issue", "Group / issue").
    pub header: Vec<String>,
    /// Every row in display order: label first.
    pub rows: Vec<Vec<String>>,
    /// The footer's statistics rows: label first.
    pub footer: Vec<Vec<String>>,
    /// Row labels carrying the uncertainty flag (⚠).
    pub flagged: Vec<String>,
}

impl Table {
    /// The cells of column `title`, one per row.
    pub fn column(&self, title: &str) -> Option<Vec<&str>> {
        let i = self.header.iter().position(|h| h == title)?;
        Some(
            self.rows
                .iter()
                .map(|r| r.get(i).map_or("", String::as_str))
                .collect(),
        )
    }

    /// The footer row labelled `label`.
    pub fn stat(&self, label: &str) -> Option<&[String]> {
        self.footer
            .iter()
            .find(|r| r.first().is_some_and(|l| l == label))
            .map(Vec::as_slice)
    }
}

const READ_WINDOW: &str = r#"
const scroller = document.querySelector('.table-scroll');
const table = document.querySelector('table.results');
if (!scroller || !table) return null;
const text = el => {
  const c = el.cloneNode(true);
  c.querySelectorAll('.flag, .sort-mark, .muted').forEach(x => x.remove());
  return c.textContent.trim();
};
const header = [...table.querySelectorAll('thead th')].map(text);
const rows = [...table.querySelectorAll('tbody tr[aria-rowindex]')].map(tr => ({
  index: Number(tr.getAttribute('aria-rowindex')),
  cells: [...tr.children].map(text),
  flagged: !!tr.querySelector('.flag'),
}));
const footer = [...table.querySelectorAll('tfoot tr')].map(tr => [...tr.children].map(text));
return {total: Number(table.getAttribute('aria-rowcount')) - 1 - footer.length,
        header, rows, footer, rowHeight: 32};
"#;

/// Reads the whole table, scrolling through it. Waits for the table to be shown first.
pub async fn read(b: &Browser) -> Result<Table> {
    let first = b
        .wait_for(
            "the results table",
            &format!(
                "const t = (() => {{ {READ_WINDOW} }})();
                 return t && (t.total === 0 || t.rows.length > 0) ? t : null;"
            ),
            vec![],
        )
        .await?;
    let total = first["total"].as_u64().unwrap_or(0) as usize;
    let header = strings(&first["header"]);
    let footer: Vec<Vec<String>> = first["footer"]
        .as_array()
        .map(|a| a.iter().map(strings).collect())
        .unwrap_or_default();
    let mut rows: BTreeMap<usize, (Vec<String>, bool)> = BTreeMap::new();
    collect(&first, &mut rows);
    while rows.len() < total {
        let next = (0..total).find(|i| !rows.contains_key(i)).unwrap_or(total);
        let v = b
            .wait_for(
                &format!("row {next} of the table"),
                &format!(
                    "document.querySelector('.table-scroll').scrollTop = arguments[0] * 32;
                     const t = (() => {{ {READ_WINDOW} }})();
                     return t && t.rows.some(r => r.index === arguments[0] + 2) ? t : null;"
                ),
                vec![json!(next)],
            )
            .await?;
        let before = rows.len();
        collect(&v, &mut rows);
        if rows.len() == before {
            bail!("scrolling the table shows no new rows at {next}");
        }
    }
    b.js(
        "document.querySelector('.table-scroll').scrollTop = 0;",
        vec![],
    )
    .await?;
    let flagged = rows
        .values()
        .filter(|(_, f)| *f)
        .filter_map(|(r, _)| r.first().cloned())
        .collect();
    Ok(Table {
        header,
        rows: rows.into_values().map(|(r, _)| r).collect(),
        footer,
        flagged,
    })
}

fn collect(v: &Value, into: &mut BTreeMap<usize, (Vec<String>, bool)>) {
    for r in v["rows"].as_array().into_iter().flatten() {
        if let Some(i) = r["index"].as_u64().and_then(|i| i.checked_sub(2)) {
            into.insert(
                i as usize,
                (
                    strings(&r["cells"]),
                    r["flagged"].as_bool().unwrap_or(false),
                ),
            );
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
