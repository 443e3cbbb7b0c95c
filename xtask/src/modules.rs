//! The module-structure check: no import cycle between the top-level modules of any crate
//! (tests aside: a `#[cfg(test)]` module may reach anywhere), and the server's `auth/`
//! independent of `state.rs`, so each seam stays one a reader can hold.
//!
//! The design decision: the checker reads the source with `syn` (every `use` tree, every path
//! in code, and `crate::`/`super::` paths inside macro bodies such as `view!`), resolves each
//! to the top-level module it names, and works on that graph alone. It knows nothing of the
//! compiler's name resolution beyond `crate::`, `super::` and inline `mod` blocks, which is all
//! the code uses to cross modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

use crate::Result;
use crate::tools::root;

/// Top-level modules and which others each one names: `edges[a]` holds every `b != a` that
/// code in `a` reaches through `crate::b` or `super::`.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The crates whose top-level modules must form no cycle: every library and binary crate of
/// the workspace.
const CRATES: &[&str] = &["client", "engine", "config", "server", "cli", "jira-sim"];

/// The check `cargo xtask test` runs.
pub fn check() -> Result {
    let mut counts = Vec::new();
    for name in CRATES {
        let modules = graph(&root().join("crates").join(name).join("src"))?;
        if let Some(cycle) = find_cycle(&modules) {
            return Err(format!(
                "crates/{name}'s modules import each other in a cycle: {}",
                cycle.join(" -> ")
            ));
        }
        counts.push(format!("{name} {}", modules.len()));
    }
    let server_auth = imports_under(&root().join("crates/server/src"), "auth")?;
    if server_auth.contains("state") {
        return Err(
            "crates/server/src/auth imports crate::state: the authenticator must not depend \
             on the application's state (register what it needs as its own app data)"
                .into(),
        );
    }
    eprintln!(
        "top-level modules without a cycle: {}; server auth/ does not import state",
        counts.join(", ")
    );
    Ok(())
}

/// The module graph of the crate whose `src` is `src` (`lib.rs`, `main.rs` and `bin/` are the
/// roots, not modules).
pub fn graph(src: &Path) -> Result<Graph> {
    let files = rust_files(src)?;
    let mut test_modules = Vec::new();
    for file in &files {
        let parent = module_path(src, file).unwrap_or_default();
        test_modules.extend(test_module_files(file, &parent)?);
    }
    let mut edges = Graph::new();
    for file in files {
        let Some(path) = module_path(src, &file) else {
            continue;
        };
        if test_modules.iter().any(|t| path.starts_with(t)) {
            continue;
        }
        let top = path[0].clone();
        let reached = references(&file, &path)?;
        let entry = edges.entry(top.clone()).or_default();
        entry.extend(reached.into_iter().filter(|m| *m != top));
    }
    Ok(edges)
}

/// The module paths of the `#[cfg(test)] mod name;` declarations in `file` (module `parent`):
/// their files are tests, which may reach anywhere, so they are not part of the structure.
fn test_module_files(file: &Path, parent: &[String]) -> Result<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let parsed =
        syn::parse_file(&text).map_err(|e| format!("{}: cannot parse: {e}", file.display()))?;
    Ok(parsed
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.content.is_none() && is_cfg_test(&m.attrs) => {
                let mut path = parent.to_vec();
                path.push(m.ident.to_string());
                Some(path)
            }
            _ => None,
        })
        .collect())
}

/// Whether `attrs` hold `#[cfg(test)]`.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

/// The top-level modules that code under `src/<top>` names.
fn imports_under(src: &Path, top: &str) -> Result<BTreeSet<String>> {
    Ok(graph(src)?.remove(top).unwrap_or_default())
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `api/jira.rs` is `[api, jira]`, `api/mod.rs` is `[api]`; `None` for the crate roots.
fn module_path(src: &Path, file: &Path) -> Option<Vec<String>> {
    let relative = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    if parts.is_empty() && matches!(stem, "lib" | "main") {
        return None;
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    (!parts.is_empty()).then_some(parts)
}

/// The top-level modules named in `file`, whose module path is `path`.
fn references(file: &Path, path: &[String]) -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    references_in(&text, path).map_err(|e| format!("{}: {e}", file.display()))
}

/// The top-level modules named in `text`, the source of the module at `path`.
pub fn references_in(text: &str, path: &[String]) -> Result<BTreeSet<String>> {
    let parsed = syn::parse_file(text).map_err(|e| format!("cannot parse: {e}"))?;
    let mut finder = Finder {
        path: path.to_vec(),
        found: BTreeSet::new(),
    };
    finder.visit_file(&parsed);
    Ok(finder.found)
}

struct Finder {
    /// The module being read (grows inside inline `mod` blocks).
    path: Vec<String>,
    found: BTreeSet<String>,
}

impl Finder {
    /// Records the top-level module that `segments` (a path's leading identifiers) reaches.
    fn reach(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let resolved: Vec<&String> = if first == "crate" {
            segments[1..].iter().collect()
        } else if first == "super" {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            let keep = self.path.len().saturating_sub(ups);
            self.path[..keep].iter().chain(&segments[ups..]).collect()
        } else {
            return;
        };
        if let Some(top) = resolved.first() {
            self.found.insert((*top).clone());
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.use_leaf(prefix, &n.ident),
            syn::UseTree::Rename(r) => self.use_leaf(prefix, &r.ident),
            syn::UseTree::Glob(_) => self.reach(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// `use crate::{api, fetch}` names `api` and `fetch`; `use super::*` names the parent.
    fn use_leaf(&mut self, prefix: &mut Vec<String>, ident: &syn::Ident) {
        prefix.push(ident.to_string());
        self.reach(prefix);
        prefix.pop();
    }

    /// `crate::a::b` and `super::x` inside a macro's tokens (`view!`, `format!`).
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if id == "crate" || id == "super" => {
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) =
                        (trees.get(j), trees.get(j + 1))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        match trees.get(j + 2) {
                            Some(TokenTree::Ident(next)) => segments.push(next.to_string()),
                            _ => break,
                        }
                        j += 3;
                    }
                    self.reach(&segments);
                    i = j.max(i + 1);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            return;
        }
        self.path.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.path.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.reach(&segments);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

/// A cycle in `graph` as the modules along it (the first repeated at the end), if any.
pub fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    fn refs(text: &str, at: &[&str]) -> Vec<String> {
        references_in(text, &path(at))
            .expect("the fixture parses")
            .into_iter()
            .collect()
    }

    #[test]
    fn use_trees_paths_and_macro_bodies_name_their_top_level_modules() {
        let text = r#"
            use crate::api::{ClientError, jira::Flavour};
            use crate::{cancel::Cancel, context};
            use super::http::Http;
            fn f() { crate::platform::mark("x"); }
            fn g() -> impl IntoView { view! { <crate::components::ErrorPanel /> } }
            // crate::comments does not count
            const S: &str = "crate::strings do not count";
            mod tests { use super::*; use super::super::super::view::x; }
        "#;
        assert_eq!(
            refs(text, &["pages", "run"]),
            [
                "api",
                "cancel",
                "components",
                "context",
                "pages",
                "platform",
                "view"
            ]
        );
    }

    #[test]
    fn super_from_a_top_level_file_reaches_the_crate_root_and_then_a_module() {
        assert_eq!(refs("use super::fetch::run;", &["app"]), ["fetch"]);
        assert_eq!(refs("mod tests { use super::*; }", &["app"]), ["app"]);
    }

    #[test]
    fn a_cycle_is_found_with_its_path_and_a_tree_has_none() {
        let mut graph = Graph::new();
        graph.insert("app".into(), ["pages".into()].into());
        graph.insert("pages".into(), ["context".into(), "view".into()].into());
        graph.insert("context".into(), ["api".into()].into());
        graph.insert("api".into(), BTreeSet::new());
        assert_eq!(find_cycle(&graph), None);
        graph.insert("api".into(), ["pages".into()].into());
        assert_eq!(
            find_cycle(&graph),
            Some(path(&["api", "pages", "context", "api"]))
        );
    }

    #[test]
    fn test_modules_inline_or_in_their_own_file_are_not_part_of_the_structure() {
        assert_eq!(
            refs(
                "use crate::store::Db;\n#[cfg(test)]\nmod tests { use crate::state::AppState; }",
                &["auth"]
            ),
            ["store"]
        );
        let dir = std::env::temp_dir().join(format!("dwell-modules-tests-{}", std::process::id()));
        let write = |file: &str, text: &str| {
            let p = dir.join(file);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write("lib.rs", "pub mod auth; pub mod state;");
        write("auth/mod.rs", "#[cfg(test)]\nmod tests;\nmod inner;");
        write("auth/tests.rs", "use crate::state::AppState;");
        write("auth/inner.rs", "use crate::store::Db;");
        write("state.rs", "use crate::auth::Caller;");
        let g = graph(&dir).expect("reads the fixture");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(g["auth"].iter().cloned().collect::<Vec<_>>(), ["store"]);
        assert_eq!(find_cycle(&g), None);
    }

    #[test]
    fn the_graph_of_a_crate_on_disk_joins_its_files_by_top_level_module() {
        let dir = std::env::temp_dir().join(format!("dwell-modules-{}", std::process::id()));
        let write = |file: &str, text: &str| {
            let p = dir.join(file);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write("lib.rs", "pub mod api; pub mod fetch; use crate::api::x;");
        write("api/mod.rs", "pub mod jira; use crate::cancel::Cancel;");
        write(
            "api/jira.rs",
            "use super::mod_local; use crate::fetch::Planner;",
        );
        write("fetch.rs", "use crate::api::jira;");
        write("bin/worker.rs", "use crate::fetch::run;");
        let g = graph(&dir).expect("reads the fixture");
        let _ = std::fs::remove_dir_all(&dir);
        let names = |m: &str| g[m].iter().cloned().collect::<Vec<_>>();
        assert_eq!(g.keys().cloned().collect::<Vec<_>>(), ["api", "fetch"]);
        assert_eq!(names("api"), ["cancel", "fetch"]);
        assert_eq!(names("fetch"), ["api"]);
        assert_eq!(find_cycle(&g), Some(path(&["api", "fetch", "api"])));
    }
}
