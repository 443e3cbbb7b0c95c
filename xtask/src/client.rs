//! The browser client's steps: tools, the trunk build with its size budget and its relative
//! URLs, and the wasm-bindgen tests in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::tools::{self, cargo, root};

/// The most the page's first download (its wasm and JS, gzip-compressed) may weigh.
pub const FIRST_DOWNLOAD_BUDGET: u64 = 400_000;

/// A name only jiff's bundled time-zone database holds. Finding it in the page's wasm means
/// the database (~165 KB compressed) leaked into the first download: it belongs in the worker.
const TZDB_MARKER: &[u8] = b"America/Argentina/ComodRivadavia";

/// Lints the wasm-only code, builds `dist/` with trunk (offline: trunk downloads nothing) and
/// checks the first-download budget and that the build names its files relative to the page.
pub fn build() -> Result {
    tools::run(cargo().args([
        "clippy",
        "-p",
        "client",
        "--target",
        "wasm32-unknown-unknown",
        // Not `--all-targets`: the browser bench is a native program (it drives Chromium).
        "--lib",
        "--bins",
        "--tests",
        "--",
        "-D",
        "warnings",
    ]))?;
    trunk_build()?;
    let dist = root().join("dist");
    relative_urls(&dist)?;
    let sizes = bundle_sizes(&dist)?;
    eprintln!("{sizes}");
    sizes.check()
}

/// Fails when the page or a loader names a built file by an absolute path or another origin:
/// Forge's CDN serves the build under a path of its own (`.../client/index.html`), where
/// `/client-<hash>.js` would miss, while dwell-server serves it at `/`. The page's own modules
/// load the worker and the editor module relative to the page (`worker_handle.rs`,
/// `editor_loader.rs`).
pub fn relative_urls(dist: &Path) -> Result {
    let mut files = vec![dist.join("index.html")];
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    files.extend(
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with("_loader.js")),
    );
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if let Some(url) = absolute_asset_urls(&text).first() {
            return Err(format!(
                "{} names {url:?}: the build must use relative URLs (Trunk.toml public_url = \"./\")",
                file.display()
            ));
        }
    }
    Ok(())
}

/// The quoted URLs of built files (`.js`, `.wasm`, `.css`) that do not start with `./`.
fn absolute_asset_urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for quote in ['"', '\''] {
        for (i, piece) in text.split(quote).enumerate() {
            let path = piece.split(['?', '#']).next().unwrap_or("");
            let asset = [".js", ".wasm", ".css"].iter().any(|x| path.ends_with(x));
            if i % 2 == 1
                && asset
                && !piece.contains(char::is_whitespace)
                && !piece.starts_with("./")
            {
                found.push(piece.to_string());
            }
        }
    }
    found
}

/// `trunk build --release --offline`, with the cached tools on PATH, then the page's CSP
/// `<meta>` for static hosts ([`crate::static_csp`]).
pub fn trunk_build() -> Result {
    tools::run(tools::tool("trunk").args(["build", "--release", "--offline"]))?;
    crate::static_csp::add(&root().join("dist"))
}

/// The built files and their sizes.
pub struct BundleSizes {
    files: Vec<FileSize>,
    tzdb_in_page: bool,
}

struct FileSize {
    name: String,
    raw: u64,
    gzip: u64,
    first_download: bool,
}

impl BundleSizes {
    pub fn first_download_gzip(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.first_download)
            .map(|f| f.gzip)
            .sum()
    }

    fn check(&self) -> Result {
        if self.tzdb_in_page {
            return Err(
                "the page's wasm holds the time-zone database: keep calendar validation and \
                 the engine in the worker"
                    .into(),
            );
        }
        let total = self.first_download_gzip();
        if total > FIRST_DOWNLOAD_BUDGET {
            return Err(format!(
                "the first download is {total} bytes gzip, over the budget of \
                 {FIRST_DOWNLOAD_BUDGET}"
            ));
        }
        Ok(())
    }
}

impl std::fmt::Display for BundleSizes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:<40} {:>10} {:>10}", "dist/", "bytes", "gzip -9")?;
        for file in &self.files {
            let mark = if file.first_download {
                " (first download)"
            } else {
                ""
            };
            writeln!(
                f,
                "{:<40} {:>10} {:>10}{mark}",
                file.name, file.raw, file.gzip
            )?;
        }
        write!(
            f,
            "first download (page wasm + js), gzip: {} bytes (budget {FIRST_DOWNLOAD_BUDGET})",
            self.first_download_gzip()
        )
    }
}

/// Measures every wasm and JS file in `dist`. The page's own program is `client-<hash>.js`,
/// `client-<hash>_bg.wasm` and its snippets; the worker's and the extra module's files load
/// later, when first needed.
pub fn bundle_sizes(dist: &Path) -> Result<BundleSizes> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // wasm-bindgen's snippets (imported by the page's JS at start) sit in snippets/<crate>/.
    if let Ok(crates) = std::fs::read_dir(dist.join("snippets")) {
        for dir in crates.filter_map(|e| e.ok().map(|e| e.path())) {
            if let Ok(files) = std::fs::read_dir(&dir) {
                paths.extend(files.filter_map(|e| e.ok().map(|e| e.path())));
            }
        }
    }
    paths.retain(|p| {
        p.extension()
            .is_some_and(|x| x == "wasm" || x == "js" || x == "css" || x == "html")
    });
    paths.sort();
    let mut files = Vec::new();
    let mut tzdb_in_page = false;
    for path in paths {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let first_download =
            name.starts_with("client-") && (name.ends_with("_bg.wasm") || name.ends_with(".js"));
        if first_download && name.ends_with(".wasm") {
            tzdb_in_page = bytes.windows(TZDB_MARKER.len()).any(|w| w == TZDB_MARKER);
        }
        files.push(FileSize {
            raw: bytes.len() as u64,
            gzip: gzip_size(&path)?,
            name,
            first_download,
        });
    }
    if !files.iter().any(|f| f.first_download) {
        return Err(format!(
            "no client-*.js / client-*_bg.wasm in {}",
            dist.display()
        ));
    }
    Ok(BundleSizes {
        files,
        tzdb_in_page,
    })
}

fn gzip_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

/// The wasm-bindgen tests (`crates/client/tests/client`, browser modules) in headless
/// Chromium through ChromeDriver (the browser's flags are in `crates/client/webdriver.json`),
/// then the end-to-end smoke run of the built client against jira-sim
/// (`crates/client/benches/browser.rs`, which needs the `client` step's `dist/`).
pub fn browser_tests() -> Result {
    let driver = tools::chromedriver().ok_or("chromedriver is not installed (run setup)")?;
    let mut cmd = cargo();
    cmd.args([
        "test",
        "-p",
        "client",
        "--target",
        "wasm32-unknown-unknown",
        "--test",
        "client",
    ])
    .env("PATH", tools::tool_path())
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", driver)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
    .env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("crates/client/webdriver.json"),
    )
    .env_remove("GECKODRIVER")
    .env_remove("SAFARIDRIVER");
    tools::run(&mut cmd)?;
    let chromium = tools::chromium().ok_or("chromium is not installed (run setup)")?;
    tools::run(
        cargo()
            .args(["test", "-p", "client", "--bench", "browser"])
            .env("CHROMEDRIVER", tools::chromedriver().unwrap_or_default())
            .env("CHROMIUM", chromium),
    )
}

#[cfg(test)]
mod tests {
    use super::absolute_asset_urls;

    #[test]
    fn only_page_relative_asset_urls_pass() {
        let page = r#"<link rel="modulepreload" href="./client-1.js" crossorigin>
            <script type="module">import init from './client-1.js'; init({module_or_path: './client-1_bg.wasm'});</script>"#;
        assert!(absolute_asset_urls(page).is_empty());
        for bad in [
            r#"<link rel="modulepreload" href="/client-1.js">"#,
            "import init from '/worker.js';",
            r#"<script src="https://cdn.example/x.js"></script>"#,
        ] {
            assert_eq!(absolute_asset_urls(bad).len(), 1, "{bad}");
        }
    }
}
