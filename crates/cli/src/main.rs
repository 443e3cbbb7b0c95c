//! `dwell`: runs Dwell reports natively (work in progress).

fn main() {}
