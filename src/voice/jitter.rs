//! The adaptive jitter buffer: decoded 8 kHz audio goes in as packets
//! arrive, 10 ms frames come out on the playout clock.
//!
//! The playout delay is measured against the fastest transit seen in the
//! last few seconds, so the buffer's own delay is what it adds to the best
//! the network allows. The target delay covers the 95th percentile of
//! recent transit variation plus a margin, between 20 and 200 ms. It grows
//! at once when packets come late (the frames in between are concealed)
//! and shrinks gently by dropping frames, silent ones first. The same loop
//! absorbs clock drift between the sender and the sound card. Time is
//! always passed in; nothing here reads a clock.

use std::time::Duration;

/// Samples per frame: 10 ms at 8 kHz.
pub const FRAME: usize = 80;
/// Ring size in samples (1.024 s): covers the largest delay and packet with room for early arrivals.
const CAPACITY: usize = 8192;
const MASK: i64 = CAPACITY as i64 - 1;
/// Transit history used for the target: about 5 s of 20 ms packets.
const HISTORY: usize = 256;
/// A frame this quiet (mean absolute amplitude) can be dropped unheard.
const SILENCE: u32 = 300;
/// Without packets for this long the stream is idle (hold, silence suppression).
const IDLE_AFTER_MS: f64 = 300.0;

/// Delay limits.
#[derive(Debug, Clone, Copy)]
pub struct JitterConfig {
    /// The smallest target delay (20 ms).
    pub min_delay: Duration,
    /// The largest target delay (200 ms).
    pub max_delay: Duration,
    /// The delay before any jitter was measured (40 ms).
    pub initial_delay: Duration,
}

impl Default for JitterConfig {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            initial_delay: Duration::from_millis(40),
        }
    }
}

/// What happened to a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Buffered for playout.
    Stored,
    /// Every sample was already there.
    Duplicate,
    /// Its time to play has passed.
    Late,
    /// It started a new stream position (first packet, a jump, after idle).
    Reset,
}

/// What a pulled frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout {
    /// Received audio.
    Audio,
    /// The audio for this slot is missing: the caller conceals it.
    Missing,
    /// Nothing is playing (before the first packet, or the sender went quiet).
    Idle,
}

/// The buffer's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JitterStats {
    /// The playout delay now, above the fastest recent transit.
    pub current_delay: Duration,
    /// The delay aimed at.
    pub target_delay: Duration,
    /// The playout delay averaged over every frame played, in ms.
    pub average_delay_ms: f64,
    /// Frames played while the stream ran (audio or concealed).
    pub frames_played: u64,
    /// Frames concealed because audio was missing or the buffer grew.
    pub frames_concealed: u64,
    /// Frames dropped to shrink the buffer.
    pub frames_dropped: u64,
    /// Packets that came after their playout time.
    pub late_packets: u64,
    /// Packets received twice.
    pub duplicate_packets: u64,
}

impl JitterStats {
    /// The share of played frames that were concealed.
    #[must_use]
    pub fn concealment_rate(&self) -> f64 {
        if self.frames_played == 0 { 0.0 } else { self.frames_concealed as f64 / self.frames_played as f64 }
    }
}

/// The jitter buffer of one incoming stream.
pub struct JitterBuffer {
    config: JitterConfig,
    samples: Box<[i16; CAPACITY]>,
    present: Box<[u64; CAPACITY / 64]>,
    running: bool,
    /// Extended timestamp of the next sample to play.
    play: i64,
    /// The last timestamp seen, as 32 bits, and its extended value.
    last_ts: (u32, i64),
    /// Extended end of the newest audio received.
    newest_end: i64,
    last_arrival_ms: f64,
    /// Transit times (arrival − timestamp, in ms) of recent packets.
    transits: [f64; HISTORY],
    transit_count: usize,
    transit_at: usize,
    min_transit: f64,
    target_ms: f64,
    /// Since when the delay has been above target.
    above_since: Option<f64>,
    delay_sum: f64,
    stats: JitterStats,
    order: [f64; HISTORY],
}

impl JitterBuffer {
    /// An empty buffer.
    #[must_use]
    pub fn new(config: JitterConfig) -> Self {
        Self {
            config,
            samples: Box::new([0; CAPACITY]),
            present: Box::new([0; CAPACITY / 64]),
            running: false,
            play: 0,
            last_ts: (0, 0),
            newest_end: 0,
            last_arrival_ms: 0.0,
            transits: [0.0; HISTORY],
            transit_count: 0,
            transit_at: 0,
            min_transit: 0.0,
            target_ms: config.initial_delay.as_secs_f64() * 1000.0,
            above_since: None,
            delay_sum: 0.0,
            stats: JitterStats::default(),
            order: [0.0; HISTORY],
        }
    }

    /// Forgets the stream (a new source): the next packet starts afresh.
    pub fn reset(&mut self) {
        self.running = false;
        self.present.fill(0);
        self.transit_count = 0;
        self.transit_at = 0;
        self.target_ms = self.config.initial_delay.as_secs_f64() * 1000.0;
    }

    fn bit(&self, position: i64) -> bool {
        let index = (position & MASK) as usize;
        self.present[index / 64] & (1 << (index % 64)) != 0
    }

    fn set_bit(&mut self, position: i64, value: bool) {
        let index = (position & MASK) as usize;
        if value {
            self.present[index / 64] |= 1 << (index % 64);
        } else {
            self.present[index / 64] &= !(1 << (index % 64));
        }
    }

    fn min_ms(&self) -> f64 {
        self.config.min_delay.as_secs_f64() * 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.config.max_delay.as_secs_f64() * 1000.0
    }

    /// Stores a packet's decoded samples.
    pub fn push(&mut self, sequence: u16, timestamp: u32, samples: &[i16], arrival: Duration) -> PushOutcome {
        let _ = sequence;
        let arrival_ms = arrival.as_secs_f64() * 1000.0;
        let samples = &samples[..samples.len().min(CAPACITY / 4)];
        let mut outcome = PushOutcome::Stored;
        let extended =
            if self.running { self.last_ts.1 + i64::from(timestamp.wrapping_sub(self.last_ts.0) as i32) } else { 0 };
        // Far from where we play (a new talk spurt after a long silence, a
        // restarted sender): start again from this packet.
        let jumped = self.running && ((extended - self.play).abs() > CAPACITY as i64 / 2);
        if !self.running || jumped {
            self.present.fill(0);
            self.transit_count = 0;
            self.transit_at = 0;
            self.running = true;
            self.last_ts = (timestamp, 0);
            self.newest_end = 0;
            let delay = if jumped { self.target_ms } else { self.config.initial_delay.as_secs_f64() * 1000.0 };
            self.target_ms = delay.clamp(self.min_ms(), self.max_ms());
            // Play this packet `target` from now: start that far before it.
            self.play = -((self.target_ms * 8.0).round() as i64);
            self.record_transit(arrival_ms, 0);
            self.store(0, samples);
            self.last_arrival_ms = arrival_ms;
            return PushOutcome::Reset;
        }
        if extended > self.last_ts.1 {
            self.last_ts = (timestamp, extended);
        }
        self.last_arrival_ms = arrival_ms;
        self.record_transit(arrival_ms, extended);
        let end = extended + samples.len() as i64;
        if end <= self.play {
            self.stats.late_packets += 1;
            // A late packet shows the target is too small: grow it at once.
            let lateness = (self.play - extended) as f64 / 8.0;
            self.target_ms = (self.target_ms + lateness + 10.0).min(self.max_ms());
            return PushOutcome::Late;
        }
        if end - self.play > CAPACITY as i64 - FRAME as i64 {
            return PushOutcome::Late;
        }
        if (extended..end).all(|p| self.bit(p)) {
            self.stats.duplicate_packets += 1;
            return PushOutcome::Duplicate;
        }
        let skip = (self.play - extended).max(0) as usize;
        self.store(extended + skip as i64, samples.get(skip..).unwrap_or_default());
        if skip > 0 {
            outcome = PushOutcome::Late;
            self.stats.late_packets += 1;
        }
        outcome
    }

    fn store(&mut self, from: i64, samples: &[i16]) {
        for (offset, &sample) in samples.iter().enumerate() {
            let position = from + offset as i64;
            self.samples[(position & MASK) as usize] = sample;
            self.set_bit(position, true);
        }
        self.newest_end = self.newest_end.max(from + samples.len() as i64);
    }

    fn record_transit(&mut self, arrival_ms: f64, extended: i64) {
        let transit = arrival_ms - extended as f64 / 8.0;
        self.transits[self.transit_at] = transit;
        self.transit_at = (self.transit_at + 1) % HISTORY;
        self.transit_count = (self.transit_count + 1).min(HISTORY);
        let window = &self.transits[..self.transit_count];
        self.min_transit = window.iter().copied().fold(f64::INFINITY, f64::min);
        // Re-estimate the target every few packets from the 95th percentile of variation.
        if self.transit_count >= 16 && self.transit_at.is_multiple_of(8) {
            let order = &mut self.order[..self.transit_count];
            order.copy_from_slice(window);
            let rank = (self.transit_count * 95 / 100).min(self.transit_count - 1);
            let (_, value, _) = order.select_nth_unstable_by(rank, f64::total_cmp);
            let wanted = (*value - self.min_transit + 10.0).clamp(self.min_ms(), self.max_ms());
            // Up at once; down a little at a time.
            self.target_ms = if wanted > self.target_ms { wanted } else { (self.target_ms - 2.0).max(wanted) };
        }
    }

    /// The playout delay if the sample at `play` is played at `now_ms`.
    fn delay_now(&self, now_ms: f64) -> f64 {
        now_ms - (self.play as f64 / 8.0 + self.min_transit)
    }

    /// Fills the next 10 ms.
    pub fn pull(&mut self, now: Duration, out: &mut [i16; FRAME]) -> Playout {
        let now_ms = now.as_secs_f64() * 1000.0;
        if !self.running {
            *out = [0; FRAME];
            return Playout::Idle;
        }
        if now_ms - self.last_arrival_ms > IDLE_AFTER_MS && self.play >= self.newest_end {
            // The sender stopped: stop reporting loss; the next packet re-anchors.
            self.running = false;
            *out = [0; FRAME];
            return Playout::Idle;
        }
        if self.play < 0 && self.newest_end > 0 && !(self.play..self.play + FRAME as i64).any(|p| self.bit(p)) {
            // Before the first packet's time: nothing to play yet.
            self.play += FRAME as i64;
            *out = [0; FRAME];
            return Playout::Idle;
        }
        let delay = self.delay_now(now_ms);
        // Grow: below target, hold the position and conceal one frame.
        if delay < self.target_ms - 5.0 {
            self.account(delay);
            self.stats.frames_concealed += 1;
            *out = [0; FRAME];
            return Playout::Missing;
        }
        // Shrink: above target, drop a frame — a silent one, or any after a second above.
        if delay > self.target_ms + 15.0 {
            let since = *self.above_since.get_or_insert(now_ms);
            if self.frame_is_quiet(self.play) || now_ms - since > 1000.0 {
                self.consume(self.play);
                self.play += FRAME as i64;
                self.stats.frames_dropped += 1;
                self.above_since = None;
            }
        } else {
            self.above_since = None;
        }
        let position = self.play;
        self.play += FRAME as i64;
        let complete = (position..position + FRAME as i64).all(|p| self.bit(p));
        self.account(self.delay_now(now_ms) + FRAME as f64 / 8.0);
        if complete {
            for (offset, slot) in out.iter_mut().enumerate() {
                *slot = self.samples[((position + offset as i64) & MASK) as usize];
            }
            self.consume(position);
            Playout::Audio
        } else {
            // A frame missing even a few samples is concealed whole: half a
            // frame of real audio next to silence would click.
            self.consume(position);
            self.stats.frames_concealed += 1;
            *out = [0; FRAME];
            Playout::Missing
        }
    }

    fn frame_is_quiet(&self, position: i64) -> bool {
        let total: u32 = (position..position + FRAME as i64)
            .map(|p| if self.bit(p) { u32::from(self.samples[(p & MASK) as usize].unsigned_abs()) } else { 0 })
            .sum();
        total / FRAME as u32 <= SILENCE
    }

    fn consume(&mut self, position: i64) {
        for p in position..position + FRAME as i64 {
            self.set_bit(p, false);
        }
    }

    fn account(&mut self, delay: f64) {
        self.stats.frames_played += 1;
        self.delay_sum += delay;
        self.stats.current_delay = Duration::from_secs_f64(delay.max(0.0) / 1000.0);
    }

    /// The buffer's figures.
    #[must_use]
    pub fn stats(&self) -> JitterStats {
        JitterStats {
            target_delay: Duration::from_secs_f64(self.target_ms / 1000.0),
            average_delay_ms: if self.stats.frames_played == 0 {
                0.0
            } else {
                self.delay_sum / self.stats.frames_played as f64
            },
            ..self.stats
        }
    }
}

/// The standard poor network the measuring tool reports: 20 ms packets of a
/// tone, uniform random loss, uniform random extra delay in [0, `jitter`],
/// a pull every 10 ms, for `seconds` of simulated time.
#[must_use]
pub fn simulate(loss: f64, jitter: Duration, seconds: u32, seed: u64) -> JitterStats {
    simulate_with_drift(loss, jitter, seconds, seed, 0.0)
}

/// [`simulate`] with the sender's clock running `drift` faster (0.003 = 0.3 %).
#[must_use]
pub fn simulate_with_drift(loss: f64, jitter: Duration, seconds: u32, seed: u64, drift: f64) -> JitterStats {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut buffer = JitterBuffer::new(JitterConfig::default());
    let packets = seconds as usize * 50;
    let mut arrivals: Vec<(f64, u16, u32)> = Vec::with_capacity(packets);
    for i in 0..packets {
        if rng.random_bool(loss.clamp(0.0, 1.0)) {
            continue;
        }
        let sent = i as f64 * 20.0 / (1.0 + drift);
        let arrival = sent + 5.0 + rng.random::<f64>() * jitter.as_secs_f64() * 1000.0;
        arrivals.push((arrival, i as u16, (i as u32).wrapping_mul(160).wrapping_add(0xFFFF_0000)));
    }
    arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let tone: Vec<i16> = (0..160).map(|i| ((f64::from(i) * 0.3).sin() * 8000.0) as i16).collect();
    let mut out = [0i16; FRAME];
    let mut next = 0;
    let end_ms = f64::from(seconds) * 1000.0;
    let mut now = 0.0;
    while now < end_ms {
        while next < arrivals.len() && arrivals[next].0 <= now {
            let (at, sequence, timestamp) = arrivals[next];
            buffer.push(sequence, timestamp, &tone, Duration::from_secs_f64(at / 1000.0));
            next += 1;
        }
        buffer.pull(Duration::from_secs_f64(now / 1000.0), &mut out);
        now += 10.0;
    }
    buffer.stats()
}

#[cfg(test)]
mod tests;
