//! The demo's command line: [`USAGE`] and [`Options`], parsed by hand (eight options do not
//! need a parser crate), refusing what cannot work before anything is built or started.

use crate::Result;

pub const USAGE: &str = "\
usage: cargo xtask demo [options]

Builds the browser client and the two programs, starts jira-sim (a simulated Jira Cloud site)
and dwell-server, installs Dwell on the site as a Forge app (forge/manifest.yml; dwell-server is
its remote), saves example reports, and prints the address to open. Ctrl-C stops everything.

options:
  --port PORT       dwell-server's port [default: 8080]
  --sim-port PORT   jira-sim's port [default: 8081]
  --issues N        issues jira-sim generates [default: 3000]
  --seed S          jira-sim's seed: the same seed and count give the same data [default: 1]
  --user LOGIN      who the printed address signs in: ada (site admin), or ben, chloe, dev,
                    eve, femi, gus, hana, ivan, jo [default: ada]
  --connect         run Dwell as a Connect app instead (the legacy path for Jira Cloud)
  --no-build        use the client in dist/ and the binaries already built
  --release         build and run the optimised binaries
  -h, --help        this text

Dwell's database and secret key are kept in data/ (delete it to start afresh); the programs'
logs go to data/dwell-server.log and data/jira-sim.log.
";

pub(super) struct Options {
    pub(super) port: u16,
    pub(super) sim_port: u16,
    pub(super) issues: u32,
    pub(super) seed: u64,
    pub(super) user: String,
    pub(super) build: bool,
    pub(super) release: bool,
    /// Connect instead of Forge.
    pub(super) connect: bool,
}

impl Options {
    pub(super) fn parse(args: &[String]) -> Result<Option<Options>> {
        let mut o = Options {
            port: 8080,
            sim_port: 8081,
            issues: 3000,
            seed: 1,
            user: "ada".into(),
            build: true,
            release: false,
            connect: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value (see --help)"))
            };
            match a.as_str() {
                "-h" | "--help" => return Ok(None),
                "--port" => o.port = number("--port", &value("--port")?)?,
                "--sim-port" => o.sim_port = number("--sim-port", &value("--sim-port")?)?,
                "--issues" => o.issues = number("--issues", &value("--issues")?)?,
                "--seed" => o.seed = number("--seed", &value("--seed")?)?,
                "--user" => o.user = value("--user")?,
                "--no-build" => o.build = false,
                "--release" => o.release = true,
                "--connect" => o.connect = true,
                other => return Err(format!("unknown option {other:?} (see --help)")),
            }
        }
        if o.port == o.sim_port {
            return Err("--port and --sim-port must differ".into());
        }
        if o.issues == 0 {
            return Err("--issues must be at least 1".into());
        }
        Ok(Some(o))
    }

    pub(super) fn app_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(super) fn sim_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.sim_port)
    }
}

fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| format!("{name} takes a number, got {v:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn options_have_defaults_and_refuse_what_cannot_work() {
        let o = parse(&[]).unwrap().unwrap();
        assert_eq!(
            (o.port, o.sim_port, o.issues, o.seed),
            (8080, 8081, 3000, 1)
        );
        assert!(o.build && !o.release && !o.connect, "Forge by default");
        assert!(parse(&["--connect"]).unwrap().unwrap().connect);
        let o = parse(&[
            "--port",
            "9000",
            "--issues",
            "50",
            "--no-build",
            "--user",
            "ben",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            (o.port, o.issues, o.user.as_str(), o.build),
            (9000, 50, "ben", false)
        );
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--port", "8081"]).is_err(), "both on one port");
        assert!(parse(&["--issues", "many"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }
}
