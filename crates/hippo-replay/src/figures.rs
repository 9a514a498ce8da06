//! SVG figures of a run: replay trajectories over the true density, bars with confidence
//! intervals, mean-squared-displacement curves.
//!
//! Figures are rendered into a string and written atomically, so a figure on disk is always whole.

use std::path::Path;

use plotters::prelude::*;

use crate::RunError;
use crate::io::write_atomic;

/// Colours of the five replay variants, in the order the runner lists them.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0x4c, 0x72, 0xb0),
    RGBColor(0xdd, 0x84, 0x52),
    RGBColor(0x55, 0xa8, 0x68),
    RGBColor(0xc4, 0x4e, 0x52),
    RGBColor(0x81, 0x72, 0xb3),
    RGBColor(0x93, 0x78, 0x60),
];

/// Decoded replay trajectories of one variant, drawn over the true position density.
///
/// ```
/// let panel = hippo_replay::figures::TrajectoryPanel {
///     title: "leaky".into(),
///     trajectories: vec![vec![[0.0, 0.0], [0.1, 0.2]]],
/// };
/// assert_eq!(panel.trajectories[0].len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct TrajectoryPanel {
    /// Panel title (the variant's name).
    pub title: String,
    /// A few decoded trajectories, positions in order.
    pub trajectories: Vec<Vec<[f64; 2]>>,
}

/// One bar with its 95 % confidence interval.
///
/// ```
/// let bar = hippo_replay::figures::Bar { label: "leaky".into(), mean: 1.0, low: 0.8, high: 1.2 };
/// assert!(bar.low <= bar.mean && bar.mean <= bar.high);
/// ```
#[derive(Debug, Clone)]
pub struct Bar {
    /// Category label.
    pub label: String,
    /// Mean over seeds.
    pub mean: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// A named curve `(x, y)` for line plots.
///
/// ```
/// let c = hippo_replay::figures::Curve { label: "vanilla".into(), points: vec![(1.0, 0.1), (2.0, 0.4)] };
/// assert_eq!(c.points.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// Points in drawing order.
    pub points: Vec<(f64, f64)>,
}

fn draw_err<E: std::fmt::Debug>(path: &Path) -> impl Fn(E) -> RunError + '_ {
    move |e| RunError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!("{e:?}")),
    }
}

fn bounds(points: impl Iterator<Item = [f64; 2]>) -> ([f64; 2], [f64; 2]) {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in points {
        for d in 0..2 {
            if p[d].is_finite() {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
    }
    for d in 0..2 {
        if lo[d] > hi[d] {
            (lo[d], hi[d]) = (-1.0, 1.0);
        }
        let pad = 0.05 * (hi[d] - lo[d]).max(1e-6);
        lo[d] -= pad;
        hi[d] += pad;
    }
    (lo, hi)
}

/// Draws one panel per variant: the true positions as a grey cloud, replay trajectories on top.
///
/// ```
/// use hippo_replay::figures::{trajectory_figure, TrajectoryPanel};
/// let dir = std::env::temp_dir().join("hippo-replay-doc-fig");
/// std::fs::create_dir_all(&dir).unwrap();
/// let reference = vec![[0.0, 0.0], [1.0, 1.0]];
/// let panels = vec![TrajectoryPanel { title: "leaky".into(), trajectories: vec![vec![[0.0, 0.0], [0.5, 0.6]]] }];
/// trajectory_figure(&dir.join("t.svg"), "triangle, relu", &reference, &panels).unwrap();
/// assert!(std::fs::read_to_string(dir.join("t.svg")).unwrap().contains("<svg"));
/// ```
pub fn trajectory_figure(
    path: &Path,
    title: &str,
    reference: &[[f64; 2]],
    panels: &[TrajectoryPanel],
) -> Result<(), RunError> {
    let err = draw_err(path);
    let (lo, hi) = bounds(reference.iter().copied());
    let mut svg = String::new();
    {
        let width = 300 * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(&err)?;
        let areas = root.split_evenly((1, panels.len().max(1)));
        for (i, (panel, area)) in panels.iter().zip(areas.iter()).enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, ("sans-serif", 14))
                .margin(6)
                .x_label_area_size(20)
                .y_label_area_size(28)
                .build_cartesian_2d(lo[0]..hi[0], lo[1]..hi[1])
                .map_err(&err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(4)
                .y_labels(4)
                .draw()
                .map_err(&err)?;
            chart
                .draw_series(
                    reference
                        .iter()
                        .map(|p| Circle::new((p[0], p[1]), 1, RGBColor(0xc8, 0xc8, 0xc8).filled())),
                )
                .map_err(&err)?;
            for (j, traj) in panel.trajectories.iter().enumerate() {
                let colour = PALETTE[(i + j) % PALETTE.len()];
                chart
                    .draw_series(LineSeries::new(
                        traj.iter()
                            .filter(|p| p[0].is_finite() && p[1].is_finite())
                            .map(|p| (p[0], p[1])),
                        colour.stroke_width(1),
                    ))
                    .map_err(&err)?;
                if let Some(first) = traj.first() {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (first[0], first[1]),
                            4,
                            BLACK.filled(),
                        )))
                        .map_err(&err)?;
                }
            }
        }
        root.present().map_err(&err)?;
    }
    write_atomic(path, svg.as_bytes())
}

/// Draws side-by-side bar charts, one per metric, each bar with its confidence interval.
///
/// ```
/// use hippo_replay::figures::{bar_figure, Bar};
/// let dir = std::env::temp_dir().join("hippo-replay-doc-fig");
/// std::fs::create_dir_all(&dir).unwrap();
/// let bars = vec![Bar { label: "leaky".into(), mean: 1.0, low: 0.9, high: 1.1 }];
/// bar_figure(&dir.join("b.svg"), "reach", &[("reach time".into(), bars)]).unwrap();
/// ```
pub fn bar_figure(
    path: &Path,
    title: &str,
    metrics: &[(String, Vec<Bar>)],
) -> Result<(), RunError> {
    let err = draw_err(path);
    let mut svg = String::new();
    {
        let width = 320 * metrics.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(&err)?;
        let areas = root.split_evenly((1, metrics.len().max(1)));
        for ((name, bars), area) in metrics.iter().zip(areas.iter()) {
            let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
            let top = bars
                .iter()
                .map(|b| finite(b.high).max(finite(b.mean)))
                .fold(0.0, f64::max);
            let bottom = bars
                .iter()
                .map(|b| finite(b.low).min(finite(b.mean)))
                .fold(0.0, f64::min);
            let span = (top - bottom).max(1e-9);
            let n = bars.len().max(1);
            let mut chart = ChartBuilder::on(area)
                .caption(name, ("sans-serif", 14))
                .margin(8)
                .x_label_area_size(60)
                .y_label_area_size(45)
                .build_cartesian_2d(0.0..n as f64, (bottom - 0.05 * span)..(top + 0.08 * span))
                .map_err(&err)?;
            let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n * 2 + 1)
                .x_label_formatter(&|x| {
                    let i = x.floor() as usize;
                    if (x - i as f64 - 0.5).abs() < 1e-6 && i < labels.len() {
                        labels[i].clone()
                    } else {
                        String::new()
                    }
                })
                .x_label_style(("sans-serif", 10))
                .draw()
                .map_err(&err)?;
            for (i, bar) in bars.iter().enumerate() {
                let x0 = i as f64 + 0.15;
                let x1 = i as f64 + 0.85;
                let colour = PALETTE[i % PALETTE.len()];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, finite(bar.mean))],
                        colour.filled(),
                    )))
                    .map_err(&err)?;
                if bar.low.is_finite() && bar.high.is_finite() {
                    chart
                        .draw_series(std::iter::once(ErrorBar::new_vertical(
                            i as f64 + 0.5,
                            bar.low,
                            bar.mean,
                            bar.high,
                            BLACK.stroke_width(1),
                            10,
                        )))
                        .map_err(&err)?;
                }
            }
        }
        root.present().map_err(&err)?;
    }
    write_atomic(path, svg.as_bytes())
}

/// Draws curves on log–log axes (for mean-squared displacement against lag), with a legend.
///
/// ```
/// use hippo_replay::figures::{loglog_figure, Curve};
/// let dir = std::env::temp_dir().join("hippo-replay-doc-fig");
/// std::fs::create_dir_all(&dir).unwrap();
/// let c = Curve { label: "leaky".into(), points: vec![(1.0, 0.01), (10.0, 0.1)] };
/// loglog_figure(&dir.join("m.svg"), "MSD", "lag", "MSD", &[c]).unwrap();
/// ```
pub fn loglog_figure(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    curves: &[Curve],
) -> Result<(), RunError> {
    let err = draw_err(path);
    let positive = || {
        curves
            .iter()
            .flat_map(|c| c.points.iter())
            .filter(|p| p.0 > 0.0 && p.1 > 0.0 && p.0.is_finite() && p.1.is_finite())
    };
    let (xs, ys): (Vec<f64>, Vec<f64>) = positive().copied().unzip();
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() && hi > lo {
            (lo * 0.8, hi * 1.25)
        } else {
            (0.1, 10.0)
        }
    };
    let (x0, x1) = range(&xs);
    let (y0, y1) = range(&ys);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(&err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(5)
            .y_labels(5)
            .disable_x_mesh()
            .disable_y_mesh()
            .draw()
            .map_err(&err)?;
        for (i, curve) in curves.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    curve
                        .points
                        .iter()
                        .copied()
                        .filter(|p| p.0 > 0.0 && p.1 > 0.0),
                    colour.stroke_width(2),
                ))
                .map_err(&err)?
                .label(curve.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    write_atomic(path, svg.as_bytes())
}
