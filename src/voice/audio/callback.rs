//! What the device callbacks do, and nothing more: copy samples between the device buffer and a ring.
//!
//! These run on the sound system's real-time thread. They mix channels down
//! (capture) or duplicate them up (playback), apply the volume read from an
//! atomic, meter the microphone and count underruns and overruns. They must
//! not lock, allocate, log or resample; rate conversion is the media thread's.

use super::Shared;
use cpal::{FromSample, Sample};
use std::sync::atomic::Ordering;

/// How fast the level meter falls after a peak: the time to fall to about a third.
const LEVEL_FALL_SECONDS: f32 = 0.15;

/// Copies one capture buffer of interleaved `channels` into `ring` as mono, and updates the level meter.
pub(super) fn capture<T>(data: &[T], channels: usize, rate: u32, ring: &mut rtrb::Producer<f32>, shared: &Shared)
where
    T: Sample,
    f32: FromSample<T>,
{
    let channels = channels.max(1);
    let frames = data.len() / channels;
    let gain = shared.input_volume() / channels as f32;
    let room = ring.slots().min(frames);
    if room < frames {
        shared.count_overrun();
    }
    let mut peak = 0.0f32;
    {
        let mut mono = data.chunks_exact(channels).map(|frame| {
            let sum: f32 = frame.iter().map(|sample| sample.to_sample::<f32>()).sum();
            let value = (sum * gain).clamp(-1.0, 1.0);
            peak = peak.max(value.abs());
            value
        });
        if let Ok(chunk) = ring.write_chunk_uninit(room) {
            chunk.fill_from_iter(&mut mono);
        }
        // What did not fit still moves the meter, which must work before the call reads the microphone.
        mono.for_each(drop);
    }
    let fall = (-(frames as f32) / (LEVEL_FALL_SECONDS * rate.max(1) as f32)).exp();
    let level = peak.max(shared.input_level() * fall);
    shared.input_level.store(level.to_bits(), Ordering::Relaxed);
}

/// The playback callback's own state, kept between calls.
#[derive(Debug)]
pub(super) struct Playback {
    /// Whether sound is flowing; after running dry it waits for `prime` samples again.
    playing: bool,
    /// Samples to gather before (re)starting, so that the media thread's timing jitter does not starve the device.
    prime: usize,
}

impl Playback {
    pub(super) fn new(prime: usize) -> Self {
        Self { playing: false, prime }
    }
}

/// Fills one playback buffer of interleaved `channels` from the mono `ring`, or with silence when it runs dry.
pub(super) fn play<T>(
    data: &mut [T],
    channels: usize,
    ring: &mut rtrb::Consumer<f32>,
    shared: &Shared,
    state: &mut Playback,
) where
    T: Sample + FromSample<f32>,
{
    let channels = channels.max(1);
    let frames = data.len() / channels;
    let available = ring.slots();
    if !state.playing {
        if available < state.prime.max(frames) {
            data.fill(T::EQUILIBRIUM);
            return;
        }
        state.playing = true;
    }
    let gain = shared.output_volume();
    let taken = available.min(frames);
    if let Ok(chunk) = ring.read_chunk(taken) {
        for (frame, value) in data.chunks_exact_mut(channels).zip(chunk) {
            frame.fill(T::from_sample((value * gain).clamp(-1.0, 1.0)));
        }
    }
    if taken < frames {
        if let Some(rest) = data.get_mut(taken * channels..) {
            rest.fill(T::EQUILIBRIUM);
        }
        shared.count_underrun();
        state.playing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::AudioSettings;
    use super::*;

    fn shared() -> Shared {
        Shared::new(&AudioSettings::default())
    }

    #[test]
    fn capture_mixes_stereo_down_to_mono_with_the_volume_applied() {
        let shared = shared();
        shared.input_volume.store(0.5f32.to_bits(), Ordering::Relaxed);
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(16);
        capture(&[0.4f32, 0.2, -0.8, 0.0], 2, 48_000, &mut producer, &shared);
        assert_eq!(consumer.pop(), Ok(0.15));
        assert_eq!(consumer.pop(), Ok(-0.2));
        assert!(consumer.pop().is_err());
        assert!((shared.input_level() - 0.2).abs() < 1e-6, "the meter shows the peak");
    }

    #[test]
    fn capture_reads_16_bit_devices() {
        let shared = shared();
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(16);
        capture(&[16_384i16, -32_768], 1, 8_000, &mut producer, &shared);
        assert_eq!(consumer.pop(), Ok(0.5));
        assert_eq!(consumer.pop(), Ok(-1.0));
    }

    #[test]
    fn capture_counts_an_overrun_when_the_ring_is_full() {
        let shared = shared();
        let (mut producer, consumer) = rtrb::RingBuffer::new(3);
        capture(&[0.1f32; 5], 1, 48_000, &mut producer, &shared);
        assert_eq!(consumer.slots(), 3, "what fits is kept");
        capture(&[0.1f32, 0.1, 0.1, 0.1, 0.9], 1, 48_000, &mut producer, &shared);
        assert!((shared.input_level() - 0.9).abs() < 1e-6, "what did not fit still shows on the meter");
        assert_eq!(shared.overruns.load(Ordering::Relaxed), 2, "one per callback that could not keep everything");
    }

    #[test]
    fn level_meter_falls_after_the_peak() {
        let shared = shared();
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(48_000);
        capture(&[0.8f32; 480], 1, 48_000, &mut producer, &shared);
        assert!((shared.input_level() - 0.8).abs() < 1e-6);
        for _ in 0..30 {
            capture(&[0.0f32; 480], 1, 48_000, &mut producer, &shared);
            while consumer.pop().is_ok() {}
        }
        let after = shared.input_level();
        assert!(after < 0.8 * 0.2 && after > 0.0, "falls within 300 ms of silence: {after}");
    }

    #[test]
    fn playback_waits_to_prime_then_duplicates_mono_to_every_channel() {
        let shared = shared();
        shared.output_volume.store(2.0f32.to_bits(), Ordering::Relaxed);
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(16);
        let mut state = Playback::new(4);
        let mut data = [1.0f32; 6];
        producer.push(0.1).unwrap();
        play(&mut data, 2, &mut consumer, &shared, &mut state);
        assert!(data.iter().all(|v| *v == 0.0), "silence until 4 samples are queued: {data:?}");
        assert_eq!(shared.underruns.load(Ordering::Relaxed), 0, "waiting to start is no underrun");
        for value in [0.2, -0.3, 0.7] {
            producer.push(value).unwrap();
        }
        play(&mut data, 2, &mut consumer, &shared, &mut state);
        let expected = [0.2f32, 0.2, 0.4, 0.4, -0.6, -0.6];
        for (got, want) in data.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{data:?}");
        }
        assert_eq!(consumer.slots(), 1);
    }

    #[test]
    fn playback_underrun_plays_silence_counts_and_primes_again() {
        let shared = shared();
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(16);
        let mut state = Playback::new(2);
        for _ in 0..3 {
            producer.push(0.5).unwrap();
        }
        let mut data = [0i16; 2];
        play(&mut data, 1, &mut consumer, &shared, &mut state);
        assert_eq!(data, [16_384, 16_384]);
        play(&mut data, 1, &mut consumer, &shared, &mut state);
        assert_eq!(data, [16_384, 0], "the missing sample is silent");
        assert_eq!(shared.underruns.load(Ordering::Relaxed), 1);
        producer.push(0.5).unwrap();
        play(&mut data, 1, &mut consumer, &shared, &mut state);
        assert_eq!(data, [0, 0], "one sample is not enough to start again");
        assert_eq!(shared.underruns.load(Ordering::Relaxed), 1);
    }
}
