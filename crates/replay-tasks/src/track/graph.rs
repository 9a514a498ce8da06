//! The geometry of a track: straight segments between nodes in the plane.

use rand::Rng;

use crate::error::finite_point;
use crate::{Point, TaskError};

/// A point of the track: an edge and the distance travelled along it from its first node.
///
/// ```
/// use replay_tasks::{TrackGraph, TrackPoint};
/// let g = TrackGraph::new(vec![[0.0, 0.0], [2.0, 0.0]], vec![[0, 1]]).unwrap();
/// let p: TrackPoint = g.project([0.5, 1.0]);
/// assert_eq!((p.edge, p.offset, p.distance), (0, 0.5, 1.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    /// Index of the edge.
    pub edge: usize,
    /// Distance from the edge's first node, in `[0, length]`.
    pub offset: f64,
    /// Distance of the projected point from the track (0 for points on it).
    pub distance: f64,
}

/// A connected graph of straight segments in the plane.
///
/// Validated at construction: at least one edge, every edge between two existing nodes of
/// distinct positions, finite coordinates, and one connected component.
///
/// ```
/// use replay_tasks::TrackGraph;
/// // A T: stem from (0, -1) to the junction, arms to (-1, 0) and (1, 0).
/// let g = TrackGraph::new(
///     vec![[0.0, -1.0], [0.0, 0.0], [-1.0, 0.0], [1.0, 0.0]],
///     vec![[0, 1], [1, 2], [1, 3]],
/// )
/// .unwrap();
/// assert_eq!(g.total_length(), 3.0);
/// assert_eq!(g.degree(1), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrackGraph {
    nodes: Vec<Point>,
    edges: Vec<[usize; 2]>,
    lengths: Vec<f64>,
    /// `cumulative[e]` is the total length of edges `0..e`; its last entry is the track length.
    cumulative: Vec<f64>,
    /// The edges at each node.
    incidence: Vec<Vec<usize>>,
}

impl TrackGraph {
    /// Builds and validates a graph from node coordinates and edges (pairs of node indices).
    ///
    /// ```
    /// use replay_tasks::{TaskError, TrackGraph};
    /// let err = TrackGraph::new(vec![[0.0, 0.0]], vec![[0, 1]]).unwrap_err();
    /// assert!(matches!(err, TaskError::MissingNode { node: 1, .. }));
    /// ```
    pub fn new(nodes: Vec<Point>, edges: Vec<[usize; 2]>) -> Result<Self, TaskError> {
        for (i, p) in nodes.iter().enumerate() {
            finite_point(&format!("nodes[{i}]"), *p)?;
        }
        if edges.is_empty() {
            return Err(TaskError::NoEdges);
        }
        let mut lengths = Vec::with_capacity(edges.len());
        let mut incidence = vec![Vec::new(); nodes.len()];
        for (e, &[from, to]) in edges.iter().enumerate() {
            for node in [from, to] {
                if node >= nodes.len() {
                    return Err(TaskError::MissingNode {
                        edge: e,
                        from,
                        to,
                        node,
                        nodes: nodes.len(),
                    });
                }
            }
            let (a, b) = (nodes[from], nodes[to]);
            let length = (b[0] - a[0]).hypot(b[1] - a[1]);
            if length == 0.0 {
                return Err(TaskError::ZeroLengthEdge { edge: e, from, to });
            }
            if !length.is_finite() {
                return Err(TaskError::NotFinite {
                    field: format!("length of edges[{e}]"),
                    value: length,
                });
            }
            lengths.push(length);
            incidence[from].push(e);
            incidence[to].push(e);
        }
        if let Some(node) = unreachable_node(nodes.len(), &edges, &incidence) {
            return Err(TaskError::Disconnected { node });
        }
        let mut cumulative = Vec::with_capacity(edges.len() + 1);
        cumulative.push(0.0);
        for l in &lengths {
            cumulative.push(cumulative.last().copied().unwrap_or(0.0) + l);
        }
        let total = cumulative[edges.len()];
        if !total.is_finite() {
            return Err(TaskError::NotFinite {
                field: "total track length".into(),
                value: total,
            });
        }
        Ok(Self {
            nodes,
            edges,
            lengths,
            cumulative,
            incidence,
        })
    }

    /// Node coordinates.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 1.0]], vec![[0, 1]]).unwrap();
    /// assert_eq!(g.nodes()[1], [1.0, 1.0]);
    /// ```
    pub fn nodes(&self) -> &[Point] {
        &self.nodes
    }

    /// Edges as pairs of node indices.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 1.0]], vec![[1, 0]]).unwrap();
    /// assert_eq!(g.edges(), &[[1, 0]]);
    /// ```
    pub fn edges(&self) -> &[[usize; 2]] {
        &self.edges
    }

    /// Length of edge `e`.
    ///
    /// # Panics
    ///
    /// If `e` is not an edge index.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [3.0, 4.0]], vec![[0, 1]]).unwrap();
    /// assert_eq!(g.edge_length(0), 5.0);
    /// ```
    pub fn edge_length(&self, e: usize) -> f64 {
        self.lengths[e]
    }

    /// Total length of the track.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 2.0]], vec![[0, 1], [1, 2]]).unwrap();
    /// assert_eq!(g.total_length(), 3.0);
    /// ```
    pub fn total_length(&self) -> f64 {
        self.cumulative[self.edges.len()]
    }

    /// Number of edges meeting at `node` (0 for an index out of range).
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]]).unwrap();
    /// assert_eq!((g.degree(0), g.degree(7)), (1, 0));
    /// ```
    pub fn degree(&self, node: usize) -> usize {
        self.incidence.get(node).map_or(0, Vec::len)
    }

    /// The edges meeting at `node` (empty for an index out of range).
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], vec![[0, 1], [1, 2]]).unwrap();
    /// assert_eq!(g.incident_edges(1), &[0, 1]);
    /// ```
    pub fn incident_edges(&self, node: usize) -> &[usize] {
        self.incidence.get(node).map_or(&[], Vec::as_slice)
    }

    /// The point at distance `offset` from the first node of edge `e` (clamped to the edge).
    ///
    /// # Panics
    ///
    /// If `e` is not an edge index.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [0.0, 2.0]], vec![[0, 1]]).unwrap();
    /// assert_eq!(g.point_at(0, 0.5), [0.0, 0.5]);
    /// ```
    pub fn point_at(&self, e: usize, offset: f64) -> Point {
        let [from, to] = self.edges[e];
        let (a, b) = (self.nodes[from], self.nodes[to]);
        let f = (offset / self.lengths[e]).clamp(0.0, 1.0);
        [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
    }

    /// The track point nearest to `x` (ties go to the lower edge index).
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], vec![[0, 1], [1, 2]]).unwrap();
    /// let p = g.project([2.0, 0.5]);
    /// assert_eq!((p.edge, p.offset, p.distance), (1, 0.5, 1.0));
    /// ```
    pub fn project(&self, x: Point) -> TrackPoint {
        let mut best = TrackPoint {
            edge: 0,
            offset: 0.0,
            distance: f64::INFINITY,
        };
        for (e, &[from, to]) in self.edges.iter().enumerate() {
            let (a, b) = (self.nodes[from], self.nodes[to]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = self.lengths[e];
            let f = (((x[0] - a[0]) * dx + (x[1] - a[1]) * dy) / (len * len)).clamp(0.0, 1.0);
            let distance = (a[0] + f * dx - x[0]).hypot(a[1] + f * dy - x[1]);
            if distance < best.distance {
                best = TrackPoint {
                    edge: e,
                    offset: f * len,
                    distance,
                };
            }
        }
        if best.distance.is_infinite() {
            best.distance = f64::NAN; // only a NaN point fails every comparison
        }
        best
    }

    /// Distance from `x` to the nearest point of the track.
    ///
    /// ```
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]]).unwrap();
    /// assert_eq!(g.distance([2.0, 0.0]), 1.0);
    /// ```
    pub fn distance(&self, x: Point) -> f64 {
        self.project(x).distance
    }

    /// A point drawn uniformly along the track (edges in proportion to their length).
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::TrackGraph;
    /// let g = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1]]).unwrap();
    /// let p = g.uniform_point(&mut rand_chacha::ChaCha8Rng::seed_from_u64(3));
    /// assert!(p.offset >= 0.0 && p.offset <= 1.0 && p.distance == 0.0);
    /// ```
    pub fn uniform_point<R: Rng + ?Sized>(&self, rng: &mut R) -> TrackPoint {
        let u = rng.random::<f64>() * self.total_length();
        // The last edge whose cumulative start is <= u.
        let edge = (self.cumulative.partition_point(|&c| c <= u) - 1).min(self.edges.len() - 1);
        let offset = (u - self.cumulative[edge]).clamp(0.0, self.lengths[edge]);
        TrackPoint {
            edge,
            offset,
            distance: 0.0,
        }
    }
}

/// A node not reachable from node 0, if any (breadth-first search).
fn unreachable_node(n: usize, edges: &[[usize; 2]], incidence: &[Vec<usize>]) -> Option<usize> {
    let mut seen = vec![false; n];
    let mut queue = vec![0];
    seen[0] = true;
    while let Some(node) = queue.pop() {
        for &e in &incidence[node] {
            let [a, b] = edges[e];
            let other = if a == node { b } else { a };
            if !seen[other] {
                seen[other] = true;
                queue.push(other);
            }
        }
    }
    seen.iter().position(|s| !s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_edge_list() {
        assert_eq!(
            TrackGraph::new(vec![[0.0, 0.0]], vec![]),
            Err(TaskError::NoEdges)
        );
    }

    #[test]
    fn rejects_zero_length_edge_and_self_loop() {
        let err = TrackGraph::new(vec![[0.0, 0.0], [0.0, 0.0]], vec![[0, 1]]).unwrap_err();
        assert!(err.to_string().contains("edges[0] = [0, 1]"), "{err}");
        let err = TrackGraph::new(vec![[0.0, 0.0], [1.0, 0.0]], vec![[0, 1], [1, 1]]).unwrap_err();
        assert_eq!(
            err,
            TaskError::ZeroLengthEdge {
                edge: 1,
                from: 1,
                to: 1
            }
        );
    }

    #[test]
    fn rejects_disconnected_components_and_isolated_nodes() {
        let nodes = vec![[0.0, 0.0], [1.0, 0.0], [5.0, 0.0], [6.0, 0.0]];
        let err = TrackGraph::new(nodes.clone(), vec![[0, 1], [2, 3]]).unwrap_err();
        assert_eq!(err, TaskError::Disconnected { node: 2 });
        let err = TrackGraph::new(nodes, vec![[0, 1], [1, 2]]).unwrap_err();
        assert_eq!(err, TaskError::Disconnected { node: 3 });
    }

    #[test]
    fn rejects_nan_node_naming_coordinate() {
        let err = TrackGraph::new(vec![[0.0, 0.0], [f64::NAN, 1.0]], vec![[0, 1]]).unwrap_err();
        assert!(err.to_string().contains("nodes[1][0]"), "{err}");
    }

    #[test]
    fn rejects_overflowing_edge_length() {
        let err = TrackGraph::new(vec![[-1e308, 0.0], [1e308, 0.0]], vec![[0, 1]]).unwrap_err();
        assert!(matches!(err, TaskError::NotFinite { .. }), "{err}");
    }

    #[test]
    fn track_projection_matches_dense_sampling_of_segments() {
        let g = TrackGraph::new(
            vec![[0.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [0.3, -1.0]],
            vec![[0, 1], [1, 2], [2, 0], [0, 3]],
        )
        .unwrap();
        for i in 0..25 {
            let x = [-1.0 + 0.09 * i as f64, 1.3 - 0.11 * i as f64];
            // Independent truth: the minimum over 20001 points per segment.
            let mut best = f64::INFINITY;
            for &[a, b] in g.edges() {
                let (pa, pb) = (g.nodes()[a], g.nodes()[b]);
                for k in 0..=20000 {
                    let f = k as f64 / 20000.0;
                    let p = [pa[0] + f * (pb[0] - pa[0]), pa[1] + f * (pb[1] - pa[1])];
                    best = best.min((p[0] - x[0]).hypot(p[1] - x[1]));
                }
            }
            let hit = g.project(x);
            assert!(
                hit.distance <= best + 1e-12 && hit.distance > best - 2e-4,
                "{x:?}"
            );
            let p = g.point_at(hit.edge, hit.offset);
            assert!(((p[0] - x[0]).hypot(p[1] - x[1]) - hit.distance).abs() < 1e-12);
        }
    }

    #[test]
    fn track_uniform_point_picks_edges_in_proportion_to_length() {
        use rand::SeedableRng;
        // Lengths 1 and 3: edge 1 should get 3/4 of the points.
        let g = TrackGraph::new(
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 3.0]],
            vec![[0, 1], [1, 2]],
        )
        .unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let n = 40_000;
        let on_long = (0..n)
            .filter(|_| g.uniform_point(&mut rng).edge == 1)
            .count();
        let p = on_long as f64 / n as f64;
        // Binomial s.d. is sqrt(0.75 * 0.25 / n) = 0.0022; allow 5 s.d.
        assert!((p - 0.75).abs() < 0.011, "{p}");
    }
}
