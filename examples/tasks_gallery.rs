//! A gallery of the path-integration tasks: one SVG per task with sample paths drawn over the
//! track or box.
//!
//! Usage: `cargo run --release --example tasks_gallery [output-dir]` (default `results/gallery`).
//! The last line printed is the output directory.

use std::error::Error;
use std::path::PathBuf;

use hippo_replay::io::{create_dir, write_atomic};
use hippo_replay::tasks::{
    Area, Batch, OpenBoxParams, OpenBoxTask, OuParams, OuTask, Reach, ReachRegions, Task,
    TrackParams, TrackTask,
};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Drawn = Result<(), Box<dyn Error>>;

const TRACK_GREY: RGBColor = RGBColor(0xcc, 0xcc, 0xcc);

/// Renders a square panel over `[centre ± half]²` into an SVG string.
fn render(
    title: &str,
    centre: [f64; 2],
    half: f64,
    draw: impl FnOnce(&mut Chart) -> Drawn,
) -> Result<String, Box<dyn Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 660)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(14)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(
                centre[0] - half..centre[0] + half,
                centre[1] - half..centre[1] + half,
            )?;
        chart.configure_mesh().disable_mesh().draw()?;
        draw(&mut chart)?;
        root.present()?;
    }
    Ok(svg)
}

/// Draws the first `paths` paths of `batch`, each from its start position, every point moved
/// by `shift(path, point)` (to pull apart paths that share a track).
fn draw_paths(
    chart: &mut Chart,
    batch: &Batch<f64>,
    paths: usize,
    shift: impl Fn(usize, [f64; 2]) -> [f64; 2],
) -> Drawn {
    for b in 0..paths.min(batch.batch_size) {
        let at = |x: [f64; 2]| {
            let d = shift(b, x);
            (x[0] + d[0], x[1] + d[1])
        };
        let start = at([batch.start_positions[(0, b)], batch.start_positions[(1, b)]]);
        let steps = (0..batch.steps).map(|t| {
            let col = batch.column(t, b);
            at([batch.positions[(0, col)], batch.positions[(1, col)]])
        });
        let colour = Palette99::pick(b);
        chart.draw_series(LineSeries::new(
            std::iter::once(start).chain(steps),
            colour.stroke_width(1),
        ))?;
        chart.draw_series(std::iter::once(Circle::new(start, 4, colour.filled())))?;
    }
    Ok(())
}

/// Outlines the start (green) and goal (red) areas of reach times.
fn draw_reach(chart: &mut Chart, reach: &ReachRegions) -> Drawn {
    for (area, colour) in [(reach.start.area, GREEN), (reach.goal.area, RED)] {
        match area {
            Area::Disc { centre, radius } => {
                let ring = (0..=64).map(|k| {
                    let a = 2.0 * std::f64::consts::PI * k as f64 / 64.0;
                    (centre[0] + radius * a.cos(), centre[1] + radius * a.sin())
                });
                chart.draw_series(LineSeries::new(ring, colour.stroke_width(2)))?;
            }
            Area::Rect { min, max } => {
                let rect =
                    Rectangle::new([(min[0], min[1]), (max[0], max[1])], colour.stroke_width(2));
                chart.draw_series(std::iter::once(rect))?;
            }
        }
    }
    Ok(())
}

fn track_panel(
    name: &str,
    task: &TrackTask,
    rng: &mut ChaCha8Rng,
) -> Result<String, Box<dyn Error>> {
    let batch: Batch<f64> = task.sample_batch(rng, 4, 300);
    let title = format!("{name}: 4 paths of 300 steps, drawn beside the track");
    render(&title, [0.0, 0.0], 1.35, |chart| {
        let g = task.graph();
        for &[a, b] in g.edges() {
            let segment = [
                (g.nodes()[a][0], g.nodes()[a][1]),
                (g.nodes()[b][0], g.nodes()[b][1]),
            ];
            chart.draw_series(LineSeries::new(segment, TRACK_GREY.stroke_width(12)))?;
        }
        draw_reach(chart, &task.reach_regions())?;
        // Path b runs at distance 0.03 (b + 1) beside its edge, along the edge's normal.
        draw_paths(chart, &batch, 4, |b, x| {
            let [a, c] = g.edges()[g.project(x).edge];
            let (pa, pc) = (g.nodes()[a], g.nodes()[c]);
            let len = (pc[0] - pa[0]).hypot(pc[1] - pa[1]);
            let offset = 0.03 * (b + 1) as f64 / len;
            [-(pc[1] - pa[1]) * offset, (pc[0] - pa[0]) * offset]
        })
    })
}

fn box_panel(task: &OpenBoxTask, rng: &mut ChaCha8Rng) -> Result<String, Box<dyn Error>> {
    let batch: Batch<f64> = task.sample_batch(rng, 3, 1500);
    let half = task.params().side / 2.0;
    let title = format!(
        "open box: {} place-cell centres, 3 paths of 1500 steps (30 s)",
        task.output_dim()
    );
    render(&title, [0.0, 0.0], half + 0.05, |chart| {
        let outline = Rectangle::new([(-half, -half), (half, half)], BLACK.stroke_width(2));
        chart.draw_series(std::iter::once(outline))?;
        let centres = task
            .place_cells()
            .centres()
            .iter()
            .map(|c| Circle::new((c[0], c[1]), 2, TRACK_GREY.filled()));
        chart.draw_series(centres)?;
        draw_reach(chart, &task.reach_regions())?;
        draw_paths(chart, &batch, 3, |_, _| [0.0, 0.0])
    })
}

fn ou_panel(task: &OuTask, rng: &mut ChaCha8Rng) -> Result<String, Box<dyn Error>> {
    let batch: Batch<f64> = task.sample_batch(rng, 6, 200);
    let title = "OU paths: 6 of 200 steps, marginal mean ± 1 s.d. at steps 10, 50, 200";
    render(title, task.params().mean, 1.2, |chart| {
        for step in [10, 50, 200] {
            let law = task.marginal_at_step(step);
            let sd = law.variance.sqrt();
            let ring = (0..=64).map(|k| {
                let a = 2.0 * std::f64::consts::PI * k as f64 / 64.0;
                (law.mean[0] + sd * a.cos(), law.mean[1] + sd * a.sin())
            });
            chart.draw_series(LineSeries::new(ring, BLACK.stroke_width(1)))?;
            chart.draw_series(std::iter::once(Cross::new(
                (law.mean[0], law.mean[1]),
                5,
                BLACK.stroke_width(2),
            )))?;
        }
        draw_paths(chart, &batch, 6, |_, _| [0.0, 0.0])
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "results/gallery".into()),
    );
    create_dir(&dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let params = TrackParams::default();
    let arena = OpenBoxTask::new(OpenBoxParams::default(), &mut rng)?;
    let ou = OuTask::new(OuParams::default())?;
    let panels = [
        (
            "triangle.svg",
            track_panel("triangle", &TrackTask::triangle(params.clone())?, &mut rng)?,
        ),
        (
            "t_maze.svg",
            track_panel("T-maze", &TrackTask::t_maze(params.clone())?, &mut rng)?,
        ),
        (
            "linear.svg",
            track_panel("linear track", &TrackTask::linear(params)?, &mut rng)?,
        ),
        ("open_box.svg", box_panel(&arena, &mut rng)?),
        ("ou.svg", ou_panel(&ou, &mut rng)?),
    ];
    for (file, svg) in &panels {
        write_atomic(&dir.join(file), svg.as_bytes())?;
        println!("wrote {}", dir.join(file).display());
    }
    println!("{}", dir.display());
    Ok(())
}
