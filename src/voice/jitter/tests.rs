use super::*;
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn ms(n: f64) -> Duration {
    Duration::from_secs_f64(n / 1000.0)
}

/// A tone numbered by sample, so that order and gaps are visible in the output.
fn packet(index: u32, samples: usize) -> Vec<i16> {
    (0..samples).map(|i| ((index as usize * samples + i) % 30_000) as i16 + 1).collect()
}

struct Run {
    buffer: JitterBuffer,
    played: Vec<i16>,
    outcomes: Vec<Playout>,
}

/// Sends `count` packets of `samples` every `samples/8` ms with `delay(i)` extra, dropping those `lost(i)`; pulls every 10 ms.
fn run(
    count: u32,
    samples: usize,
    mut delay: impl FnMut(u32) -> f64,
    mut lost: impl FnMut(u32) -> bool,
    first_ts: u32,
    pull_ms: f64,
) -> Run {
    let mut buffer = JitterBuffer::new(JitterConfig::default());
    let period = samples as f64 / 8.0;
    let mut arrivals: Vec<(f64, u32)> =
        (0..count).filter(|i| !lost(*i)).map(|i| (f64::from(i) * period + delay(i), i)).collect();
    arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut run = Run { buffer: JitterBuffer::new(JitterConfig::default()), played: Vec::new(), outcomes: Vec::new() };
    let end = f64::from(count) * period + 400.0;
    let (mut now, mut next) = (0.0, 0);
    let mut out = [0i16; FRAME];
    while now < end {
        while next < arrivals.len() && arrivals[next].0 <= now {
            let (at, i) = arrivals[next];
            buffer.push(i as u16, first_ts.wrapping_add(i * samples as u32), &packet(i, samples), ms(at));
            next += 1;
        }
        let outcome = buffer.pull(ms(now), &mut out);
        if outcome == Playout::Audio {
            run.played.extend_from_slice(&out);
        }
        run.outcomes.push(outcome);
        now += pull_ms;
    }
    run.buffer = buffer;
    run
}

/// Samples come out in order, with gaps only where frames were lost or dropped.
fn in_order(played: &[i16]) -> bool {
    played.windows(2).all(|w| w[1] > w[0] || w[1] < 200)
}

/// Every sample played, except whole frames dropped to shrink the buffer.
fn all_played(run: &Run, total: usize) {
    let dropped = run.buffer.stats().frames_dropped as usize;
    assert_eq!(run.played.len() + dropped * FRAME, total, "{:?}", run.buffer.stats());
    assert!(dropped <= 3, "only the shrink from the initial delay: {dropped}");
}

#[test]
fn a_steady_stream_plays_everything_at_the_smallest_delay() {
    let run = run(500, 160, |_| 5.0, |_| false, 1000, 10.0);
    let stats = run.buffer.stats();
    all_played(&run, 500 * 160);
    assert!(in_order(&run.played));
    assert_eq!(stats.late_packets, 0);
    assert!(stats.target_delay <= Duration::from_millis(20), "{stats:?}");
    assert!(stats.average_delay_ms < 45.0, "{stats:?}");
}

#[test]
fn reordered_and_duplicated_packets_play_once_in_order() {
    let mut buffer = JitterBuffer::new(JitterConfig::default());
    let mut out = [0i16; FRAME];
    let order = [0u32, 2, 1, 1, 3, 5, 4, 6, 7, 7, 8, 9];
    let mut outcomes = Vec::new();
    for (step, i) in order.iter().enumerate() {
        outcomes.push(buffer.push(*i as u16, i * 160, &packet(*i, 160), ms(step as f64 * 20.0)));
    }
    assert_eq!(outcomes.iter().filter(|o| **o == PushOutcome::Duplicate).count(), 2);
    let mut played = Vec::new();
    for step in 0..40 {
        if buffer.pull(ms(f64::from(step) * 10.0), &mut out) == Playout::Audio {
            played.extend_from_slice(&out);
        }
    }
    assert!(in_order(&played) && played.len() >= 8 * 160, "{}", played.len());
}

#[test]
fn random_loss_is_concealed_and_nothing_else() {
    let mut rng = SmallRng::seed_from_u64(4);
    let run = run(3000, 160, |_| 5.0, |_| rng.random_bool(0.05), 77, 10.0);
    let stats = run.buffer.stats();
    assert!((0.04..0.065).contains(&stats.concealment_rate()), "{stats:?}");
    assert_eq!(stats.late_packets, 0);
    assert!(in_order(&run.played));
}

#[test]
fn the_target_grows_to_cover_jitter_then_shrinks_when_calm() {
    let mut rng = SmallRng::seed_from_u64(5);
    // 20 s with up to 30 ms of random delay, then 20 s of calm.
    let run = run(2000, 160, |i| if i < 1000 { rng.random::<f64>() * 30.0 } else { 2.0 }, |_| false, 0, 10.0);
    let stats = run.buffer.stats();
    assert!(stats.late_packets < 40, "few late packets once adapted: {stats:?}");
    assert!(stats.target_delay <= Duration::from_millis(25), "the calm shrank the target again: {stats:?}");
    assert!(stats.frames_dropped > 0);
}

#[test]
fn thirty_ms_jitter_is_absorbed_with_modest_delay() {
    let stats = simulate(0.05, Duration::from_millis(30), 60, 1);
    assert!(stats.average_delay_ms < 80.0, "{stats:?}");
    assert!(stats.concealment_rate() < 0.08, "{stats:?}");
}

#[test]
fn timestamps_and_sequence_numbers_wrap() {
    let run = run(400, 160, |_| 3.0, |_| false, u32::MAX - 160 * 100, 10.0);
    all_played(&run, 400 * 160);
    assert_eq!(run.buffer.stats().late_packets, 0);
}

#[test]
fn thirty_ms_packets_come_out_in_ten_ms_frames() {
    let run = run(300, 240, |_| 4.0, |_| false, 5, 10.0);
    all_played(&run, 300 * 240);
    assert!(in_order(&run.played));
}

#[test]
fn clock_drift_keeps_the_delay_bounded() {
    for drift in [0.003, -0.003] {
        let stats = simulate_with_drift(0.0, Duration::from_millis(5), 600, 9, drift);
        assert!(stats.current_delay < Duration::from_millis(80), "drift {drift}: {stats:?}");
        assert!(stats.concealment_rate() < 0.01, "drift {drift}: {stats:?}");
    }
}

#[test]
fn a_silent_peer_goes_idle_and_resumes_cleanly() {
    let mut buffer = JitterBuffer::new(JitterConfig::default());
    let mut out = [0i16; FRAME];
    for i in 0..50u32 {
        buffer.push(i as u16, i * 160, &packet(i, 160), ms(f64::from(i) * 20.0));
        buffer.pull(ms(f64::from(i) * 20.0), &mut out);
        buffer.pull(ms(f64::from(i) * 20.0 + 10.0), &mut out);
    }
    // On hold for 5 s: a few frames concealed at most, then idle.
    let outcomes: Vec<Playout> = (0..500).map(|n| buffer.pull(ms(1000.0 + f64::from(n) * 10.0), &mut out)).collect();
    assert!(outcomes.iter().filter(|o| **o == Playout::Missing).count() < 40);
    assert!(outcomes[100..].iter().all(|o| *o == Playout::Idle));
    // Back, with timestamps 5 s later: it plays again.
    let restart = 50 * 160 + 5 * 8000;
    for i in 0..20u32 {
        let outcome =
            buffer.push((50 + i) as u16, restart + i * 160, &packet(i, 160), ms(6000.0 + f64::from(i) * 20.0));
        assert!(i > 0 || outcome == PushOutcome::Reset);
    }
    let played =
        (0..20).filter(|n| buffer.pull(ms(6000.0 + f64::from(*n) * 10.0 + 40.0), &mut out) == Playout::Audio).count();
    assert!(played >= 10, "{played}");
}

proptest! {
    #[test]
    fn any_input_never_panics_or_plays_more_than_was_sent(steps in proptest::collection::vec((any::<u16>(), any::<u32>(), 0usize..960, 0u64..50, any::<bool>()), 0..150)) {
        let mut buffer = JitterBuffer::new(JitterConfig::default());
        let mut out = [0i16; FRAME];
        let (mut now, mut pushed, mut played) = (0u64, 0usize, 0usize);
        for (sequence, timestamp, length, advance, pull) in steps {
            now += advance;
            if pull {
                if buffer.pull(Duration::from_millis(now), &mut out) == Playout::Audio {
                    played += FRAME;
                }
            } else {
                let samples = vec![1i16; length];
                if buffer.push(sequence, timestamp, &samples, Duration::from_millis(now)) != PushOutcome::Duplicate {
                    pushed += length;
                }
            }
        }
        prop_assert!(played <= pushed);
    }
}
