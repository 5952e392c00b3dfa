//! Notices when the wall clock moves differently from the monotonic clock: the machine slept
//! (the monotonic clock stood still) or the system time was changed.

use std::time::{Duration, Instant, SystemTime};

/// How far the two clocks may drift apart before it counts as a jump.
const JUMP: Duration = Duration::from_secs(30);

pub struct WallClock {
    mono: Instant,
    wall: SystemTime,
}

impl WallClock {
    pub fn new() -> Self {
        Self { mono: Instant::now(), wall: SystemTime::now() }
    }

    /// Whether the clocks drifted apart since the last call.
    pub fn jumped(&mut self) -> bool {
        let mono = self.mono.elapsed();
        let wall = SystemTime::now().duration_since(self.wall);
        *self = Self::new();
        match wall {
            Ok(wall) => wall.abs_diff(mono) > JUMP,
            Err(_) => true,
        }
    }
}
