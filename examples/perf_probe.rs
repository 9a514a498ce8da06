//! Measurements behind docs/performance.md that criterion does not make.
//!
//! - `perf_probe memory [N B T N_OUT UPDATES]` (default: shape B, 3 updates) trains at one
//!   shape and prints the bytes of the weights, the optimiser state and the stored states, to
//!   set against the peak resident set size (`/usr/bin/time -v`).
//! - `perf_probe scaling [OUT.svg]` times the training step (fastest of seven) against the
//!   hidden size N (T = 100) and against the sequence length T (N = 128), batch 64, two outputs,
//!   prints the table and draws it (default `docs/figures/training_scaling.svg`).
//!
//! Run with `cargo run --release -p hippo-replay --example perf_probe -- memory`.

use std::time::Instant;

use hippo_replay::core::{Dynamics, TrainConfig, Trainer};
use plotters::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

#[allow(dead_code)]
#[path = "../benches/shapes.rs"]
mod shapes;
use shapes::Shape;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("memory") => {
            let num = |i: usize, default: usize| -> Result<usize, Box<dyn std::error::Error>> {
                Ok(match args.get(i) {
                    Some(s) => s.parse()?,
                    None => default,
                })
            };
            let shape = Shape {
                name: "probe",
                hidden: num(1, 512)?,
                batch: num(2, 200)?,
                steps: num(3, 100)?,
                outputs: num(4, 512)?,
            };
            memory(shape, num(5, 3)?)
        }
        Some("scaling") => {
            let out = args
                .get(1)
                .map_or("docs/figures/training_scaling.svg", String::as_str);
            scaling(out)
        }
        _ => Err("usage: perf_probe memory [N B T N_OUT UPDATES] | scaling [OUT.svg]".into()),
    }
}

/// Seconds per training step at `shape`: the fastest of `reps` steps after one warm-up step
/// (on a shared machine the fastest is the one least disturbed by other work).
fn step_seconds(shape: Shape, reps: usize) -> Result<f64, Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = shape.network(&mut rng);
    let batch = shape.batch(&mut rng);
    let config = TrainConfig::new(Dynamics::new(0.01), shape.batch, shape.steps, reps + 1);
    let mut trainer = Trainer::new(&net, config)?;
    trainer.step(&mut net, &batch, &mut rng)?;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        trainer.step(&mut net, &batch, &mut rng)?;
        times.push(start.elapsed().as_secs_f64());
    }
    Ok(times.into_iter().fold(f64::INFINITY, f64::min))
}

fn memory(shape: Shape, updates: usize) -> Result<(), Box<dyn std::error::Error>> {
    let (n, b, t, o) = (shape.hidden, shape.batch, shape.steps, shape.outputs);
    let start = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = shape.network(&mut rng);
    let batch = shape.batch(&mut rng);
    let config = TrainConfig::new(Dynamics::new(0.01), b, t, updates);
    let mut trainer = Trainer::new(&net, config)?;
    for _ in 0..updates {
        trainer.step(&mut net, &batch, &mut rng)?;
    }
    let mib = |floats: usize| (floats * size_of::<f32>()) as f64 / (1 << 20) as f64;
    let weights = n * n + n * 2 + n + o * n + o + n * o;
    let stored = n * (t + 1) * b + n * t * b + o * t * b;
    let batch_floats = batch.inputs.len() + batch.targets.len() + batch.positions.len();
    println!(
        "shape N={n} B={b} T={t} n_out={o}, {updates} updates in {:.2?}",
        start.elapsed()
    );
    println!("weights                       {:8.1} MiB", mib(weights));
    println!("weights + Adam m, v + grads   {:8.1} MiB", mib(4 * weights));
    println!("stored states h, phi(z), y    {:8.1} MiB", mib(stored));
    println!(
        "batch (inputs, targets, pos.) {:8.1} MiB",
        mib(batch_floats)
    );
    println!(
        "weights + stored states       {:8.1} MiB",
        mib(weights + stored)
    );
    println!(
        "all of the above              {:8.1} MiB",
        mib(4 * weights + stored + batch_floats)
    );
    Ok(())
}

fn scaling(out: &str) -> Result<(), Box<dyn std::error::Error>> {
    let shape = |hidden, steps| Shape {
        name: "scaling",
        hidden,
        batch: 64,
        steps,
        outputs: 2,
    };
    let mut by_n = Vec::new();
    for n in [32, 64, 128, 256, 512] {
        let s = step_seconds(shape(n, 100), 7)?;
        println!("N = {n:4}, T = 100: {:9.3} ms", s * 1e3);
        by_n.push((n as f64, s * 1e3));
    }
    let mut by_t = Vec::new();
    for t in [25, 50, 100, 200, 400] {
        let s = step_seconds(shape(128, t), 7)?;
        println!("N =  128, T = {t:3}: {:9.3} ms", s * 1e3);
        by_t.push((t as f64, s * 1e3));
    }

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        root.fill(&WHITE)?;
        let (left, right) = root.split_horizontally(450);
        let max_n = by_n.iter().map(|p| p.1).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&left)
            .caption("training step vs N (B = 64, T = 100)", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((24.0..640.0).log_scale(), (0.05..max_n * 2.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("hidden size N")
            .y_desc("ms per step")
            .draw()?;
        chart.draw_series(LineSeries::new(by_n.clone(), &BLUE))?;
        chart.draw_series(by_n.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?;
        // Reference slope N²: the per-step products are N × N.
        let (n0, s0) = by_n[by_n.len() - 1];
        chart
            .draw_series(LineSeries::new(
                [32.0, 512.0].map(|n: f64| (n, s0 * (n / n0).powi(2))),
                &BLACK.mix(0.4),
            ))?
            .label("∝ N²")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.4)));
        chart.configure_series_labels().border_style(BLACK).draw()?;

        let max_t = by_t.iter().map(|p| p.1).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&right)
            .caption("training step vs T (N = 128, B = 64)", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..420.0, 0.0..max_t * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("steps T")
            .y_desc("ms per step")
            .draw()?;
        chart.draw_series(LineSeries::new(by_t.clone(), &RED))?;
        chart.draw_series(by_t.iter().map(|&p| Circle::new(p, 3, RED.filled())))?;
        root.present()?;
    }
    if let Some(dir) = std::path::Path::new(out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, svg)?;
    println!("wrote {out}");
    Ok(())
}
