//! Divergence: a network or a replay that produces NaN or infinities fails its own stage, with
//! the step it happened at, and the run still completes and reports every other result.

mod common;

use common::{run_and_report, scratch, tiny};
use hippo_replay::runner::CellFailure;
use hippo_replay::variant::Variant;

/// The failures recorded in metrics.json, as its JSON objects.
fn json_failures(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap();
    json["failures"].as_array().unwrap().clone()
}

/// The report's Failures section (to the end of the file).
fn failures_section(dir: &std::path::Path) -> String {
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let start = report
        .find("## Failures")
        .expect("report has a Failures section");
    report[start..].to_string()
}

/// Checks that `failure` is listed in metrics.json with its stage and step, and in report.md.
fn assert_reported(failure: &CellFailure, json: &[serde_json::Value], section: &str) {
    let step = failure.step.expect("a divergence names its step");
    assert!(
        failure.message.contains(&format!("step {step}")),
        "the error names the step: {failure}"
    );
    assert!(
        json.iter()
            .any(|f| f["spec"]["task"] == failure.spec.task.as_str()
                && f["spec"]["activation"] == failure.spec.activation.as_str()
                && f["spec"]["seed"] == failure.spec.seed
                && f["stage"] == failure.stage.as_str()
                && f["step"] == step),
        "{failure} missing from metrics.json: {json:?}"
    );
    let line = format!("- {failure}");
    assert!(
        section.lines().any(|l| l == line),
        "{line:?} missing from the report's Failures section:\n{section}"
    );
}

/// Adaptation that strong (b_a = 1e30, τ_a = 1) makes `a = b_a h` overflow f32 as soon as a ReLU
/// unit's state turns negative under the noise; tanh keeps the state bounded, so only the ReLU
/// adaptation variants diverge.
#[test]
fn divergence_in_replay_fails_only_that_variant_and_the_run_completes() {
    let mut config = tiny();
    config.replay.adaptation_strength = 1e30;
    config.replay.adaptation_tau = 1.0;
    config.validate().unwrap();
    let dir = scratch("divergence-replay");
    let summaries = run_and_report(&config, &dir, 2);
    let json = json_failures(&dir);
    let section = failures_section(&dir);
    let results_rows = summaries.rows.len();

    let mut diverged = 0;
    for seed in 0..config.run.seeds {
        for activation in ["relu", "tanh"] {
            let failures: Vec<&CellFailure> = summaries
                .failures
                .iter()
                .filter(|f| f.spec.activation == activation && f.spec.seed == seed)
                .collect();
            let completed: Vec<Variant> = summaries
                .rows
                .iter()
                .filter(|r| r.activation == activation && r.seed == seed)
                .map(|r| r.variant)
                .collect();
            if activation == "tanh" {
                assert!(failures.is_empty(), "{failures:?}");
                assert_eq!(completed, Variant::ALL);
                continue;
            }
            // Every variant either has results or a failure naming it, never both.
            for variant in Variant::ALL {
                let stage = format!("replay {}", variant.name());
                let failed = failures.iter().any(|f| f.stage == stage);
                assert_ne!(failed, completed.contains(&variant), "{stage}");
                assert_eq!(failed, variant.adaptation(), "{stage}");
            }
            for failure in failures {
                assert!(failure.message.contains("diverged"), "{failure}");
                assert!(failure.step.unwrap() < config.replay.steps, "{failure}");
                assert_reported(failure, &json, &section);
                diverged += 1;
            }
        }
    }
    assert_eq!(diverged, 2 * config.run.seeds);
    assert_eq!(json.len(), diverged);
    // Every other variant of every cell was measured.
    assert_eq!(
        results_rows,
        config.run.seeds * (2 * Variant::ALL.len() - 2)
    );
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + results_rows);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Adam moves every weight by about the learning rate in its first update, so a learning rate of
/// 1e30 makes the second forward pass overflow: training stops at step 1 with a non-finite loss.
#[test]
fn divergence_in_training_fails_the_networks_with_their_step_and_the_report_is_written() {
    let mut config = tiny();
    config.training.learning_rate = 1e30;
    config.validate().unwrap();
    let dir = scratch("divergence-training");
    let summaries = run_and_report(&config, &dir, 2);
    let json = json_failures(&dir);
    let section = failures_section(&dir);

    assert!(summaries.rows.is_empty());
    let cells = config.run.seeds * config.network.activations.len();
    assert_eq!(summaries.failures.len(), 2 * cells);
    for failure in &summaries.failures {
        assert!(
            failure.stage == "train vanilla" || failure.stage == "train leaky",
            "{failure}"
        );
        assert!(failure.message.contains("non-finite"), "{failure}");
        assert_reported(failure, &json, &section);
    }
    // With no measured variant every claim is inconclusive, and the report still says so.
    for group in &summaries.groups {
        for claim in &group.claims {
            assert_eq!(claim.verdict, hippo_replay::claims::Verdict::Inconclusive);
        }
    }
    assert!(dir.join("report.md").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}
