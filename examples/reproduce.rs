//! The main job: train, replay, measure and report.

fn main() {
    println!("hippo-replay: the reproduction pipeline is not assembled yet.");
}
