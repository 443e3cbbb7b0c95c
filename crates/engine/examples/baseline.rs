#![allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut search = Vec::new();
    let mut bulk = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let b = std::fs::read(&p).unwrap();
        if p.to_string_lossy().contains("search") { search.push(b) } else { bulk.push(b) }
    }
    for (name, set) in [("search", &search), ("bulk", &bulk)] {
        let t = std::time::Instant::now();
        for i in set.iter() {
            let _: serde::de::IgnoredAny = serde_json::from_slice(i).unwrap();
        }
        let a = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let mut d = engine::Dataset::new();
        for i in set.iter() {
            d.add_json(i).unwrap();
        }
        println!("{name}: ignored_any {a:.3} engine {:.3} ({} bytes)", t.elapsed().as_secs_f64(), set.iter().map(|s| s.len()).sum::<usize>());
    }
}
