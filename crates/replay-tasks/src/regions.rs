//! Region partitions for visitation statistics, and the start and goal areas of reach times.

use crate::error::{count, finite_point, positive};
use crate::{Point, TaskError};

/// The region nearest to a point, and how far the point lies outside it (0 inside).
///
/// ```
/// use replay_tasks::RegionHit;
/// let hit = RegionHit { region: 3, distance: 0.0 };
/// assert!(hit.within(0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionHit {
    /// Index of the region, `< Regions::region_count()`.
    pub region: usize,
    /// Distance from the point to the region (0 when the point lies in it).
    pub distance: f64,
}

impl RegionHit {
    /// Whether the point lies within `tolerance` of the region.
    ///
    /// ```
    /// use replay_tasks::RegionHit;
    /// assert!(!RegionHit { region: 0, distance: 0.2 }.within(0.1));
    /// ```
    pub fn within(&self, tolerance: f64) -> bool {
        self.distance <= tolerance
    }
}

/// A partition of the task's space into numbered regions.
///
/// ```
/// use replay_tasks::{Regions, TrackParams, TrackTask};
///
/// let params = TrackParams { bins_per_edge: 4, ..TrackParams::default() };
/// let track = TrackTask::linear(params).unwrap(); // (-1, 0) to (1, 0)
/// assert_eq!(track.region_count(), 4);
/// assert_eq!(track.region_of([-0.9, 0.0], 0.0), Some(0));
/// assert_eq!(track.region_of([0.9, 0.05], 0.1), Some(3));
/// assert_eq!(track.region_of([0.9, 0.5], 0.1), None);
/// assert_eq!(track.nearest_region([0.9, 0.5]).region, 3);
/// ```
pub trait Regions {
    /// Number of regions.
    fn region_count(&self) -> usize;

    /// The region nearest to `x` (for off-track or out-of-box points, the one closest to it).
    fn nearest_region(&self, x: Point) -> RegionHit;

    /// The region of `x` if `x` lies within `tolerance` of it, `None` otherwise.
    fn region_of(&self, x: Point, tolerance: f64) -> Option<usize> {
        let hit = self.nearest_region(x);
        hit.within(tolerance).then_some(hit.region)
    }
}

/// A closed area of the plane.
///
/// ```
/// use replay_tasks::Area;
/// let disc = Area::Disc { centre: [1.0, 0.0], radius: 0.5 };
/// assert!(disc.contains([1.3, 0.3]));
/// assert!(!disc.contains([1.5, 0.5]));
/// let square = Area::Rect { min: [0.0, 0.0], max: [1.0, 1.0] };
/// assert!(square.contains([1.0, 0.5]));
/// assert_eq!(square.centre(), [0.5, 0.5]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Area {
    /// The points within `radius` of `centre`.
    Disc {
        /// Centre of the disc.
        centre: Point,
        /// Radius of the disc.
        radius: f64,
    },
    /// An axis-aligned rectangle.
    Rect {
        /// Lower-left corner.
        min: Point,
        /// Upper-right corner.
        max: Point,
    },
}

impl Area {
    /// Whether `x` lies in the area (boundary included).
    ///
    /// ```
    /// use replay_tasks::Area;
    /// assert!(Area::Disc { centre: [0.0, 0.0], radius: 1.0 }.contains([0.6, 0.8]));
    /// ```
    pub fn contains(&self, x: Point) -> bool {
        match *self {
            Area::Disc { centre, radius } => (x[0] - centre[0]).hypot(x[1] - centre[1]) <= radius,
            Area::Rect { min, max } => {
                (min[0]..=max[0]).contains(&x[0]) && (min[1]..=max[1]).contains(&x[1])
            }
        }
    }

    /// The centre of the area.
    ///
    /// ```
    /// use replay_tasks::Area;
    /// assert_eq!(Area::Disc { centre: [2.0, 1.0], radius: 0.1 }.centre(), [2.0, 1.0]);
    /// ```
    pub fn centre(&self) -> Point {
        match *self {
            Area::Disc { centre, .. } => centre,
            Area::Rect { min, max } => [0.5 * (min[0] + max[0]), 0.5 * (min[1] + max[1])],
        }
    }
}

/// An area with a name for reports ("vertex 0", "left arm end", ...).
///
/// ```
/// use replay_tasks::{Area, NamedArea};
/// let a = NamedArea { name: "origin".into(), area: Area::Disc { centre: [0.0, 0.0], radius: 0.1 } };
/// assert!(a.area.contains([0.05, 0.0]));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NamedArea {
    /// Name of the area.
    pub name: String,
    /// Its extent.
    pub area: Area,
}

/// The start and goal areas of reach times, and the point replay starts from.
///
/// ```
/// use replay_tasks::{Reach, TrackParams, TrackTask};
/// let maze = TrackTask::t_maze(TrackParams::default()).unwrap();
/// let reach = maze.reach_regions();
/// assert_eq!(reach.start.name, "left arm end");
/// assert!(reach.start.area.contains(reach.replay_start));
/// assert!(reach.goal.area.contains([1.0, 0.0]));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReachRegions {
    /// Where reach trajectories start.
    pub start: NamedArea,
    /// Where they must arrive.
    pub goal: NamedArea,
    /// The position replay starts from (inside `start`).
    pub replay_start: Point,
}

/// Tasks with named start and goal areas for reach times.
///
/// ```
/// use replay_tasks::{Reach, TrackParams, TrackTask};
/// let triangle = TrackTask::triangle(TrackParams::default()).unwrap();
/// let starts = triangle.replay_starts(3);
/// assert_eq!(starts, vec![[1.0, 0.0]; 3]);
/// ```
pub trait Reach {
    /// The start and goal areas.
    fn reach_regions(&self) -> ReachRegions;

    /// `n` replay start positions (by default all at the start area's replay point).
    fn replay_starts(&self, n: usize) -> Vec<Point> {
        vec![self.reach_regions().replay_start; n]
    }
}

/// A square window cut into a `k × k` grid; region `iy · k + ix`.
///
/// ```
/// use replay_tasks::{GridRegions, Regions};
/// let grid = GridRegions::new([0.0, 0.0], 2.0, 4).unwrap();
/// assert_eq!(grid.region_count(), 16);
/// assert_eq!(grid.region_of([0.6, 1.1], 0.0), Some(2 * 4 + 1));
/// let off = grid.nearest_region([3.0, -1.0]);
/// assert_eq!(off.region, 3);
/// assert!((off.distance - 2f64.sqrt()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GridRegions {
    min: Point,
    side: f64,
    k: usize,
}

impl GridRegions {
    /// The square `[min, min + side]²` cut into `k × k` cells.
    ///
    /// ```
    /// use replay_tasks::GridRegions;
    /// assert!(GridRegions::new([0.0, 0.0], 1.0, 0).is_err());
    /// ```
    pub fn new(min: Point, side: f64, k: usize) -> Result<Self, TaskError> {
        finite_point("min", min)?;
        positive("side", side)?;
        count("regions_per_side", k)?;
        Ok(Self { min, side, k })
    }

    /// Cells per side.
    ///
    /// ```
    /// use replay_tasks::GridRegions;
    /// assert_eq!(GridRegions::new([0.0, 0.0], 1.0, 5).unwrap().cells_per_side(), 5);
    /// ```
    pub fn cells_per_side(&self) -> usize {
        self.k
    }

    /// The lower-left corner and side of the window.
    ///
    /// ```
    /// use replay_tasks::GridRegions;
    /// assert_eq!(GridRegions::new([-1.0, 0.0], 3.0, 5).unwrap().window(), ([-1.0, 0.0], 3.0));
    /// ```
    pub fn window(&self) -> (Point, f64) {
        (self.min, self.side)
    }

    /// Cell index along one axis, and the distance outside the window along it.
    fn axis(&self, value: f64, min: f64) -> (usize, f64) {
        let offset = value - min;
        let outside = if offset < 0.0 {
            -offset
        } else if offset > self.side {
            offset - self.side
        } else {
            0.0
        };
        let cell = (offset / self.side * self.k as f64).floor();
        // NaN casts to 0: a NaN point lands in cell 0 with a NaN distance, never panics.
        let cell = if cell <= 0.0 {
            0
        } else {
            (cell as usize).min(self.k - 1)
        };
        (cell, if offset.is_nan() { f64::NAN } else { outside })
    }
}

impl Regions for GridRegions {
    fn region_count(&self) -> usize {
        self.k * self.k
    }

    fn nearest_region(&self, x: Point) -> RegionHit {
        let (ix, dx) = self.axis(x[0], self.min[0]);
        let (iy, dy) = self.axis(x[1], self.min[1]);
        RegionHit {
            region: iy * self.k + ix,
            distance: dx.hypot(dy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_regions_match_brute_force_cell_search() {
        let grid = GridRegions::new([-1.0, 0.5], 2.0, 5).unwrap();
        for i in 0..=40 {
            for j in 0..=40 {
                // Offset by 0.37 of a grid step so that no point sits on a cell boundary.
                let x = [
                    -1.2 + 2.4 * (i as f64 + 0.37) / 40.0,
                    0.3 + 2.4 * (j as f64 + 0.37) / 40.0,
                ];
                // Brute force: the cell whose closed square is nearest.
                let mut best = (f64::INFINITY, 0);
                for cy in 0..5 {
                    for cx in 0..5 {
                        let lo = [-1.0 + 0.4 * cx as f64, 0.5 + 0.4 * cy as f64];
                        let d = (lo[0] - x[0]).max(0.0).max(x[0] - lo[0] - 0.4);
                        let e = (lo[1] - x[1]).max(0.0).max(x[1] - lo[1] - 0.4);
                        let dist = d.max(0.0).hypot(e.max(0.0));
                        if dist < best.0 {
                            best = (dist, cy * 5 + cx);
                        }
                    }
                }
                let hit = grid.nearest_region(x);
                assert!((hit.distance - best.0).abs() < 1e-12, "{x:?}");
                assert_eq!(hit.region, best.1, "{x:?}");
            }
        }
    }

    #[test]
    fn grid_regions_nan_point_does_not_panic() {
        let grid = GridRegions::new([0.0, 0.0], 1.0, 3).unwrap();
        let hit = grid.nearest_region([f64::NAN, 0.5]);
        assert!(hit.region < 9 && hit.distance.is_nan());
        assert_eq!(grid.region_of([f64::NAN, 0.5], 1.0), None);
    }
}
