//! The run's outputs: aggregated tables and claims (computed once, written to `metrics.json`
//! and rendered into `report.md` from the same values), per-row `metrics.csv`, and figures.

use std::fmt::Write as _;
use std::path::Path;

use replay_metrics::{Summary, paired_difference};
use serde::Serialize;

use crate::RunError;
use crate::claims::{ClaimSpec, Verdict, claim_specs, verdict};
use crate::config::Config;
use crate::figures::{Bar, Curve, TrajectoryPanel, bar_figure, loglog_figure, trajectory_figure};
use crate::io::{create_dir, write_atomic};
use crate::runner::{CellFailure, RunResults, build_task};
use crate::variant::{Metric, Variant};

/// Mean and 95 % t-interval over seeds. With fewer than two finite values the bounds are NaN.
///
/// ```
/// let s = hippo_replay::report::Stat::of(&[1.0, 2.0, 3.0]);
/// assert_eq!((s.n, s.mean), (3, 2.0));
/// assert!(s.low < 2.0 && s.high > 2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    /// Seeds with a finite value.
    pub n: usize,
    /// Mean over those seeds.
    pub mean: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

impl Stat {
    /// The summary of `values`, ignoring non-finite ones.
    ///
    /// ```
    /// let s = hippo_replay::report::Stat::of(&[4.0]);
    /// assert_eq!(s.mean, 4.0);
    /// assert!(s.low.is_nan());
    /// ```
    pub fn of(values: &[f64]) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        Self::from_summary(Summary::new(&finite), &finite)
    }

    fn from_summary(
        summary: Result<Summary, replay_metrics::MetricsError>,
        values: &[f64],
    ) -> Self {
        match summary {
            Ok(s) => Self {
                n: s.n,
                mean: s.mean,
                low: s.ci_low,
                high: s.ci_high,
            },
            Err(_) => Self {
                n: values.len(),
                mean: if values.is_empty() {
                    f64::NAN
                } else {
                    values.iter().sum::<f64>() / values.len() as f64
                },
                low: f64::NAN,
                high: f64::NAN,
            },
        }
    }
}

/// One metric of one variant in one task × activation group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSummary {
    /// The variant.
    pub variant: Variant,
    /// The metric's key.
    pub metric: &'static str,
    /// Its summary over seeds.
    pub stat: Stat,
}

/// One claim evaluated in one task × activation group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimResult {
    /// The claim.
    pub spec: ClaimSpec,
    /// Paired difference `treatment − control` over seeds.
    pub difference: Stat,
    /// Mean of the treatment and of the control.
    pub treatment_mean: f64,
    /// Mean of the control.
    pub control_mean: f64,
    /// The verdict.
    pub verdict: Verdict,
}

/// Everything reported for one task and activation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Task name.
    pub task: String,
    /// Activation name.
    pub activation: String,
    /// Per variant and metric, the summary over seeds.
    pub metrics: Vec<MetricSummary>,
    /// Every claim with its paired difference and verdict.
    pub claims: Vec<ClaimResult>,
}

/// One row of metrics.csv / metrics.json: a seed × variant × task × activation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Task name.
    pub task: String,
    /// Activation name.
    pub activation: String,
    /// Seed index.
    pub seed: usize,
    /// Variant.
    pub variant: Variant,
    /// Every metric.
    #[serde(flatten)]
    pub metrics: crate::runner::MetricValues,
}

/// The content of metrics.json: rows, groups with their claims, failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summaries {
    /// The profile the run started from.
    pub run: String,
    /// One row per seed × variant × task × activation.
    pub rows: Vec<Row>,
    /// Aggregates and claims per task × activation.
    pub groups: Vec<Group>,
    /// Cells or stages that failed.
    pub failures: Vec<CellFailure>,
}

/// Aggregates the results of a run.
///
/// ```
/// let config = hippo_replay::config::Config::profile("quick").unwrap();
/// let s = hippo_replay::report::summarise(&config, &hippo_replay::runner::RunResults { cells: vec![] });
/// assert!(s.rows.is_empty());
/// ```
pub fn summarise(config: &Config, results: &RunResults) -> Summaries {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for cell in &results.cells {
        failures.extend(cell.failures.iter().cloned());
        for v in &cell.variants {
            rows.push(Row {
                task: cell.spec.task.clone(),
                activation: cell.spec.activation.clone(),
                seed: cell.spec.seed,
                variant: v.variant,
                metrics: v.metrics,
            });
        }
    }
    let mut groups = Vec::new();
    for task in &config.tasks.enabled {
        for activation in &config.network.activations {
            let in_group: Vec<&Row> = rows
                .iter()
                .filter(|r| &r.task == task && &r.activation == activation)
                .collect();
            groups.push(group(task, activation, &in_group, config.run.seeds));
        }
    }
    Summaries {
        run: config.run.name.clone(),
        rows,
        groups,
        failures,
    }
}

fn value(rows: &[&Row], variant: Variant, seed: usize, metric: Metric) -> Option<f64> {
    rows.iter()
        .find(|r| r.variant == variant && r.seed == seed)
        .map(|r| r.metrics.get(metric))
}

fn group(task: &str, activation: &str, rows: &[&Row], seeds: usize) -> Group {
    let mut metrics = Vec::new();
    for variant in Variant::ALL {
        for metric in Metric::ALL {
            let values: Vec<f64> = (0..seeds)
                .filter_map(|s| value(rows, variant, s, metric))
                .collect();
            metrics.push(MetricSummary {
                variant,
                metric: metric.key(),
                stat: Stat::of(&values),
            });
        }
    }
    let claims = claim_specs()
        .into_iter()
        .map(|spec| {
            // Pair by seed: only seeds where both variants produced a finite value count.
            let (t, c): (Vec<f64>, Vec<f64>) = (0..seeds)
                .filter_map(|s| {
                    let t = value(rows, spec.treatment, s, spec.metric)?;
                    let c = value(rows, spec.control, s, spec.metric)?;
                    (t.is_finite() && c.is_finite()).then_some((t, c))
                })
                .unzip();
            let diffs: Vec<f64> = t.iter().zip(&c).map(|(a, b)| a - b).collect();
            let difference = Stat::from_summary(paired_difference(&t, &c), &diffs);
            let mean = |v: &[f64]| {
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            };
            ClaimResult {
                verdict: verdict(spec.expect, difference.low, difference.high),
                treatment_mean: mean(&t),
                control_mean: mean(&c),
                difference,
                spec,
            }
        })
        .collect();
    Group {
        task: task.to_string(),
        activation: activation.to_string(),
        metrics,
        claims,
    }
}

/// A number as the report prints it: four significant digits, `n/a` for NaN.
///
/// ```
/// assert_eq!(hippo_replay::report::fmt_num(0.123456), "0.1235");
/// assert_eq!(hippo_replay::report::fmt_num(f64::NAN), "n/a");
/// ```
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-3..5).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

fn fmt_stat(s: &Stat) -> String {
    if s.low.is_finite() {
        format!(
            "{} [{}, {}]",
            fmt_num(s.mean),
            fmt_num(s.low),
            fmt_num(s.high)
        )
    } else {
        fmt_num(s.mean)
    }
}

/// Writes metrics.json, metrics.csv, report.md and the figures into `out`.
///
/// ```no_run
/// use hippo_replay::{config::Config, report::write_report, runner::{run, RunOptions}};
/// let options = RunOptions::new(Config::profile("quick")?, "results/quick".into());
/// let results = run(&options)?;
/// write_report(&options.out, &options.config, &results)?;
/// # Ok::<(), hippo_replay::RunError>(())
/// ```
pub fn write_report(
    out: &Path,
    config: &Config,
    results: &RunResults,
) -> Result<Summaries, RunError> {
    let summaries = summarise(config, results);
    let json =
        serde_json::to_vec_pretty(&summaries).map_err(|e| RunError::Config(e.to_string()))?;
    write_atomic(&out.join("metrics.json"), &json)?;
    write_atomic(&out.join("metrics.csv"), csv(&summaries).as_bytes())?;
    let figures = out.join("figures");
    create_dir(&figures)?;
    let mut figure_names = Vec::new();
    for g in &summaries.groups {
        figure_names.push(write_figures(&figures, config, results, g)?);
    }
    write_atomic(
        &out.join("report.md"),
        markdown(config, &summaries, &figure_names).as_bytes(),
    )?;
    Ok(summaries)
}

fn csv(s: &Summaries) -> String {
    let mut text = String::from("task,activation,seed,variant");
    for m in Metric::ALL {
        text.push(',');
        text.push_str(m.key());
    }
    text.push('\n');
    for r in &s.rows {
        let _ = write!(
            text,
            "{},{},{},{}",
            r.task,
            r.activation,
            r.seed,
            r.variant.name()
        );
        for m in Metric::ALL {
            // Shortest representation that parses back to the same f64.
            let _ = write!(text, ",{}", r.metrics.get(m));
        }
        text.push('\n');
    }
    text
}

fn metric_title(m: Metric) -> &'static str {
    match m {
        Metric::W2 => "W2 ↓",
        Metric::W1 => "W1 ↓",
        Metric::KdeKl => "KDE-KL ↓",
        Metric::ReachFraction => "reach fraction",
        Metric::ReachTime => "reach time (steps)",
        Metric::PathLengthPerStep => "path length / step",
        Metric::MsdExponent => "MSD exponent",
        Metric::Visitation => "visitation",
        Metric::OccupancyEntropy => "occupancy entropy",
        Metric::Variance => "variance",
        Metric::Compression => "compression",
        Metric::TestError => "test error",
    }
}

fn markdown(config: &Config, s: &Summaries, figures: &[[String; 3]]) -> String {
    let c = config;
    let mut md = String::new();
    let _ = writeln!(md, "# hippo-replay report: `{}` profile\n", s.run);
    let _ = writeln!(
        md,
        "Networks: N = {} hidden units, leaky α = {}, σ_train = {}, {} Adam updates (lr {}, clip {}), \
         batch {} × {} steps; {} seeds per task and activation (independently trained networks).",
        c.network.hidden,
        c.network.alpha_leaky,
        c.network.sigma_train,
        c.training.steps,
        c.training.learning_rate,
        c.training.grad_clip,
        c.training.batch_size,
        c.training.seq_len,
        c.run.seeds
    );
    let _ = writeln!(
        md,
        "\nReplay: {} trajectories × {} steps per network and variant from the task's start region, \
         σ_replay = {} · σ_train, burn-in {} steps for the distributional metrics; momentum λ_v = {} \
         (σ_v = σ √λ_v), adaptation b_a = {}, τ_a = {}. Every variant of a seed replays from the \
         same starts with the same noise.",
        c.replay.trajectories,
        c.replay.steps,
        fmt_num(c.replay.sigma_scale),
        c.replay.burn_in,
        c.replay.lambda_v,
        c.replay.adaptation_strength,
        c.replay.adaptation_tau
    );
    let _ = writeln!(
        md,
        "\nThresholds: reach regions of radius {} on the tracks and {} m corners in the box; a \
         decoded position counts in a region within {} of it; compression at a net displacement \
         of {}; MSD exponent fitted over lags 1–{}; W1/W2/KDE-KL on {} replayed against {} true positions.",
        c.tasks.track.reach_radius,
        c.tasks.open_box.reach_size,
        c.metrics.region_tolerance,
        c.metrics.compression_distance,
        c.metrics.msd_max_lag,
        c.metrics.distribution_points,
        c.metrics.distribution_points
    );
    let _ = writeln!(
        md,
        "\nEach entry is the mean over seeds with its 95 % t-interval in brackets. A claim *holds* \
         when the 95 % interval of the paired difference (treatment − control, paired by seed) lies \
         entirely on the claimed side, *does not hold* when it lies entirely on the other side, and \
         is *inconclusive* otherwise.\n"
    );

    let _ = writeln!(md, "## Verdicts\n");
    let _ = writeln!(
        md,
        "| task | activation | claim | verdict | difference [95 % CI] |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for g in &s.groups {
        for cl in &g.claims {
            let _ = writeln!(
                md,
                "| {} | {} | {} | **{}** | {} |",
                g.task,
                g.activation,
                cl.spec.id,
                cl.verdict,
                fmt_stat(&cl.difference)
            );
        }
    }
    md.push('\n');

    for (g, figs) in s.groups.iter().zip(figures) {
        let _ = writeln!(md, "## {} — {}\n", g.task, g.activation);
        let _ = write!(md, "| variant |");
        for m in Metric::ALL {
            let _ = write!(md, " {} |", metric_title(m));
        }
        let _ = write!(md, "\n| --- |");
        for _ in Metric::ALL {
            md.push_str(" --- |");
        }
        md.push('\n');
        for v in Variant::ALL {
            let _ = write!(md, "| {} |", v.name());
            for m in Metric::ALL {
                let stat = g
                    .metrics
                    .iter()
                    .find(|x| x.variant == v && x.metric == m.key())
                    .map(|x| x.stat);
                let _ = write!(md, " {} |", stat.map_or("n/a".into(), |s| fmt_stat(&s)));
            }
            md.push('\n');
        }
        let _ = writeln!(md, "\n### Claims\n");
        let _ = writeln!(
            md,
            "| claim | statement | metric | treatment vs control | means | difference [95 % CI] | seeds | verdict |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        for cl in &g.claims {
            let _ = writeln!(
                md,
                "| {} ({}) | {} | {} ({}) | {} vs {} | {} vs {} | {} | {} | **{}** |",
                cl.spec.id,
                cl.spec.claim,
                cl.spec.statement,
                cl.spec.metric.key(),
                cl.spec.expect.describe(),
                cl.spec.treatment.name(),
                cl.spec.control.name(),
                fmt_num(cl.treatment_mean),
                fmt_num(cl.control_mean),
                fmt_stat(&cl.difference),
                cl.difference.n,
                cl.verdict
            );
        }
        let _ = writeln!(
            md,
            "\n![replay trajectories](figures/{})\n\n![reach and exploration](figures/{})\n\n![mean-squared displacement](figures/{})\n",
            figs[0], figs[1], figs[2]
        );
    }
    let _ = writeln!(md, "## Failures\n");
    if s.failures.is_empty() {
        let _ = writeln!(
            md,
            "None: every network trained and every variant replayed without divergence."
        );
    } else {
        for f in &s.failures {
            let _ = writeln!(md, "- {f}");
        }
    }
    md
}

/// Bar labels: V vanilla, L leaky, +A adaptation, +M momentum (the figure title says so).
fn short_name(v: Variant) -> &'static str {
    match v {
        Variant::Vanilla => "V",
        Variant::Leaky => "L",
        Variant::LeakyAdaptation => "L+A",
        Variant::LeakyMomentum => "L+M",
        Variant::LeakyMomentumAdaptation => "L+M+A",
    }
}

fn write_figures(
    dir: &Path,
    config: &Config,
    results: &RunResults,
    g: &Group,
) -> Result<[String; 3], RunError> {
    let stem = format!("{}_{}", g.task, g.activation);
    let names = [
        format!("trajectories_{stem}.svg"),
        format!("reach_exploration_{stem}.svg"),
        format!("msd_{stem}.svg"),
    ];
    let cells: Vec<_> = results
        .cells
        .iter()
        .filter(|c| c.spec.task == g.task && c.spec.activation == g.activation)
        .collect();
    // Trajectories of the first seed that has them, over the true positions.
    let task = build_task(config, &g.task)?;
    let mut rng = crate::runner::stream_rng(config.run.master_seed, &["figure", &g.task]);
    let reference = crate::runner::reference_positions(config, &task, &mut rng, 2000);
    let panels: Vec<TrajectoryPanel> = Variant::ALL
        .iter()
        .filter_map(|&v| {
            let result = cells
                .iter()
                .find_map(|c| c.variants.iter().find(|r| r.variant == v))?;
            Some(TrajectoryPanel {
                title: v.name().to_string(),
                trajectories: result.examples.clone(),
            })
        })
        .collect();
    trajectory_figure(
        &dir.join(&names[0]),
        &format!(
            "{} — {}: decoded replay over the true positions",
            g.task, g.activation
        ),
        &reference,
        &panels,
    )?;
    let bars = |metric: Metric| {
        let list = Variant::ALL
            .iter()
            .filter_map(|&v| {
                let s = g
                    .metrics
                    .iter()
                    .find(|x| x.variant == v && x.metric == metric.key())?
                    .stat;
                Some(Bar {
                    label: short_name(v).to_string(),
                    mean: s.mean,
                    low: s.low,
                    high: s.high,
                })
            })
            .collect();
        (metric_title(metric).to_string(), list)
    };
    bar_figure(
        &dir.join(&names[1]),
        &format!(
            "{} — {}: reach and exploration (mean, 95 % CI over seeds; V vanilla, L leaky, +A adaptation, +M momentum)",
            g.task, g.activation
        ),
        &[
            bars(Metric::ReachTime),
            bars(Metric::ReachFraction),
            bars(Metric::Visitation),
            bars(Metric::PathLengthPerStep),
        ],
    )?;
    let curves: Vec<Curve> = Variant::ALL
        .iter()
        .filter_map(|&v| {
            let per_seed: Vec<&Vec<(f64, f64)>> = cells
                .iter()
                .filter_map(|c| c.variants.iter().find(|r| r.variant == v).map(|r| &r.msd))
                .collect();
            let first = per_seed.first()?;
            let points = (0..first.len())
                .map(|i| {
                    let mean = per_seed.iter().map(|c| c[i].1).sum::<f64>() / per_seed.len() as f64;
                    (first[i].0, mean)
                })
                .collect();
            Some(Curve {
                label: v.name().to_string(),
                points,
            })
        })
        .collect();
    loglog_figure(
        &dir.join(&names[2]),
        &format!(
            "{} — {}: mean-squared displacement (mean over seeds)",
            g.task, g.activation
        ),
        "lag (steps)",
        "MSD",
        &curves,
    )?;
    Ok(names)
}
