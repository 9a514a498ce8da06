//! The main job: trains the vanilla and leaky networks of every task, activation and seed,
//! replays them under the five variants, measures, and writes the report with its figures.
//!
//! ```text
//! cargo run --release --example reproduce -- [--profile quick|paper] [--config FILE.toml]
//!     [--out DIR] [--seeds N] [--threads N] [--fresh]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use clap::builder::PossibleValuesParser;
use hippo_replay::RunError;
use hippo_replay::config::{Config, MAX_SIZE, PROFILES};
use hippo_replay::report::write_report;
use hippo_replay::runner::{MAX_THREADS, RunOptions, run};

/// Reproduce "Leakage and second-order dynamics improve hippocampal RNN replay" end to end.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "Train path-integrating RNNs, replay them under five variants (vanilla, leaky, +adaptation, +momentum, +both), measure, and write a report with verdicts and figures"
)]
struct Args {
    /// Embedded profile to start from: quick (minutes) or paper (full scale).
    #[arg(long, default_value = "quick", value_parser = PossibleValuesParser::new(PROFILES))]
    profile: String,
    /// TOML file overriding any field of the profile.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory (default: results/<profile>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seeds per task and activation (overrides the configuration).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = seed_count)]
    seeds: Option<usize>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = thread_count)]
    threads: Option<usize>,
    /// Retrain and remeasure every cell instead of reusing cached results.
    #[arg(long)]
    fresh: bool,
}

/// Parses a count from 1 to `max`. Negative numbers are let through to here (rather than read as
/// flags) so that `--seeds -1` is answered with what a count must be.
fn count_up_to(text: &str, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {max}")),
    }
}

fn seed_count(text: &str) -> Result<usize, String> {
    count_up_to(text, MAX_SIZE)
}

fn thread_count(text: &str) -> Result<usize, String> {
    count_up_to(text, MAX_THREADS)
}

fn main() -> ExitCode {
    match reproduce(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn reproduce(args: Args) -> Result<(), RunError> {
    let started = Instant::now();
    let overrides = match &args.config {
        Some(path) => std::fs::read_to_string(path).map_err(|source| RunError::Io {
            path: path.clone(),
            source,
        })?,
        None => String::new(),
    };
    let mut config =
        Config::with_overrides(&args.profile, &overrides).map_err(|e| match (e, &args.config) {
            // The library reads text, not files: name the file the text came from.
            (RunError::Config(message), Some(path)) => {
                RunError::Config(message.replacen("override file", &path.display().to_string(), 1))
            }
            (RunError::UnknownField(field), Some(path)) => RunError::Config(format!(
                "{}: unknown configuration field {field}",
                path.display()
            )),
            (e, _) => e,
        })?;
    if let Some(seeds) = args.seeds {
        config.run.seeds = seeds;
        config.validate()?;
    }
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(&config.run.name));
    // Progress bars only draw on a terminal; this line tells a logged run that work has begun.
    eprintln!(
        "hippo-replay: {} cells of the {} profile into {} (progress bars on a terminal)",
        hippo_replay::runner::cells(&config).len(),
        config.run.name,
        out.display()
    );
    let mut options = RunOptions::new(config, out);
    options.threads = args.threads;
    options.fresh = args.fresh;
    options.progress = true;
    let results = run(&options)?;
    let summaries = write_report(&options.out, &options.config, &results)?;
    let claims: Vec<_> = summaries.groups.iter().flat_map(|g| &g.claims).collect();
    let holds = claims
        .iter()
        .filter(|c| c.verdict == hippo_replay::claims::Verdict::Holds)
        .count();
    println!(
        "{} cells, {} failures; {holds} of {} claim checks hold; {:.1} s",
        results.cells.len(),
        summaries.failures.len(),
        claims.len(),
        started.elapsed().as_secs_f64()
    );
    println!("report: {}", options.out.join("report.md").display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_whole_and_within_their_range() {
        assert_eq!(seed_count("1"), Ok(1));
        assert_eq!(seed_count(" 12 "), Ok(12));
        assert_eq!(seed_count(&MAX_SIZE.to_string()), Ok(MAX_SIZE));
        assert_eq!(thread_count(&MAX_THREADS.to_string()), Ok(MAX_THREADS));
        for bad in ["0", "-1", "2.5", "three", "", "99999999999999999999999"] {
            assert!(seed_count(bad).is_err(), "{bad:?}");
            assert!(thread_count(bad).is_err(), "{bad:?}");
        }
        let too_many = (MAX_THREADS + 1).to_string();
        assert_eq!(
            thread_count(&too_many),
            Err(format!("must be a whole number from 1 to {MAX_THREADS}"))
        );
        assert!(seed_count(&(MAX_SIZE + 1).to_string()).is_err());
    }

    #[test]
    fn negative_seed_counts_reach_the_parser_rather_than_read_as_flags() {
        let err = Args::try_parse_from(["reproduce", "--seeds", "-1"]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("'-1'") && message.contains("from 1 to 1000000"),
            "{message}"
        );
        let args = Args::try_parse_from(["reproduce", "--seeds", "3", "--threads", "2"]).unwrap();
        assert_eq!((args.seeds, args.threads), (Some(3), Some(2)));
    }

    #[test]
    fn an_unknown_profile_is_refused_with_the_known_ones() {
        let err = Args::try_parse_from(["reproduce", "--profile", "nosuch"]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("'nosuch'") && message.contains("quick") && message.contains("paper"),
            "{message}"
        );
        assert_eq!(
            Args::try_parse_from(["reproduce"]).unwrap().profile,
            "quick"
        );
    }
}
