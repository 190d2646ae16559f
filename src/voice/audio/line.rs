//! The media thread's ends of the call audio: 8 kHz frames in and out, converted to and from the device rate.
//!
//! Owns the rate conversion (rubato's FFT resampler, fixed ratio, one 10 ms
//! block per call, about 5 ms of delay each way) and the rules that keep
//! latency bounded when the device clock drifts from ours: the microphone
//! discards what piles up beyond 60 ms, the speaker drops frames rather than
//! queue more than 80 ms. All buffers are allocated when the call starts; a
//! frame costs no allocation. It must not touch the device itself.

use super::{CallAudioError, FRAME_SAMPLES, NETWORK_RATE, Shared};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How much unread microphone sound may pile up before the excess is discarded.
const MICROPHONE_MOST: Duration = Duration::from_millis(60);
/// How much unread microphone sound is kept when the excess is discarded.
const MICROPHONE_KEEP: Duration = Duration::from_millis(20);
/// How much sound may wait for the speaker before new frames are dropped.
const SPEAKER_MOST: Duration = Duration::from_millis(80);
/// Each ring holds this much sound at the device rate: room for the callbacks' bursts.
pub(super) const RING_LENGTH: Duration = Duration::from_millis(250);

/// Samples at `rate` that last `duration`.
pub(super) fn samples_in(duration: Duration, rate: u32) -> usize {
    (u128::from(rate) * duration.as_micros() / 1_000_000) as usize
}

/// How long `samples` at `rate` last.
fn duration_of(samples: usize, rate: u32) -> Duration {
    if rate == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros((samples as u64).saturating_mul(1_000_000) / u64::from(rate))
}

/// How many of `buffered` microphone samples to discard so that latency stays bounded.
fn microphone_excess(buffered: usize, most: usize, keep: usize) -> usize {
    if buffered > most { buffered - keep } else { 0 }
}

/// Whether a speaker frame of `incoming` samples must be dropped to keep the queue under `most`.
fn speaker_must_drop(buffered: usize, incoming: usize, most: usize) -> bool {
    buffered.saturating_add(incoming) > most
}

fn resampler_error(error: &impl std::fmt::Display) -> CallAudioError {
    CallAudioError::Device(format!("the sample rate cannot be converted: {error}"))
}

/// The call's microphone: yields 10 ms frames at 8 kHz.
pub struct Microphone {
    ring: rtrb::Consumer<f32>,
    resampler: Fft<f32>,
    /// Device-rate samples for one conversion.
    input: Vec<f32>,
    /// One frame at 8 kHz.
    output: Vec<f32>,
    rate: u32,
    most: usize,
    keep: usize,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Microphone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Microphone")
            .field("rate", &self.rate)
            .field("buffered", &self.buffered())
            .finish_non_exhaustive()
    }
}

impl Microphone {
    /// Reads device-rate mono samples from `ring`, filled by the capture callback.
    pub(super) fn new(ring: rtrb::Consumer<f32>, rate: u32, shared: Arc<Shared>) -> Result<Self, CallAudioError> {
        let resampler = Fft::<f32>::new(rate as usize, NETWORK_RATE as usize, FRAME_SAMPLES, 1, FixedSync::Output)
            .map_err(|e| resampler_error(&e))?;
        let input = vec![0.0; resampler.input_frames_max()];
        let output = vec![0.0; resampler.output_frames_max().max(FRAME_SAMPLES)];
        Ok(Self {
            ring,
            resampler,
            input,
            output,
            rate,
            most: samples_in(MICROPHONE_MOST, rate),
            keep: samples_in(MICROPHONE_KEEP, rate),
            shared,
        })
    }

    /// Fills `out` with the next 10 ms of the microphone, or returns false if not enough sound has arrived yet.
    pub fn read_frame(&mut self, out: &mut [i16; FRAME_SAMPLES]) -> bool {
        let excess = microphone_excess(self.ring.slots(), self.most, self.keep);
        if excess > 0 {
            if let Ok(chunk) = self.ring.read_chunk(excess) {
                chunk.commit_all();
            }
            self.shared.count_overrun();
        }
        let needed = self.resampler.input_frames_next();
        let Some(input) = self.input.get_mut(..needed) else { return false };
        if self.ring.pop_entire_slice(input).is_err() {
            return false;
        }
        let Ok(source) = InterleavedSlice::new(&*input, 1, needed) else { return false };
        let Ok(mut target) = InterleavedSlice::new_mut(&mut self.output[..], 1, FRAME_SAMPLES) else { return false };
        if self.resampler.process_into_buffer(&source, &mut target, None).is_err() {
            return false;
        }
        if self.shared.muted.load(Ordering::Relaxed) {
            out.fill(0);
        } else {
            for (sample, value) in out.iter_mut().zip(&self.output) {
                *sample = to_pcm(*value);
            }
        }
        true
    }

    /// How much microphone sound waits to be read.
    #[must_use]
    pub fn buffered(&self) -> Duration {
        duration_of(self.ring.slots(), self.rate)
    }
}

/// The call's speaker: takes 10 ms frames at 8 kHz.
pub struct Speaker {
    ring: rtrb::Producer<f32>,
    resampler: Fft<f32>,
    /// One frame at 8 kHz.
    input: [f32; FRAME_SAMPLES],
    /// Device-rate samples from one conversion.
    output: Vec<f32>,
    capacity: usize,
    rate: u32,
    most: usize,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Speaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speaker").field("rate", &self.rate).field("buffered", &self.buffered()).finish_non_exhaustive()
    }
}

impl Speaker {
    /// Writes device-rate mono samples into `ring`, emptied by the playback callback.
    pub(super) fn new(ring: rtrb::Producer<f32>, rate: u32, shared: Arc<Shared>) -> Result<Self, CallAudioError> {
        let resampler = Fft::<f32>::new(NETWORK_RATE as usize, rate as usize, FRAME_SAMPLES, 1, FixedSync::Input)
            .map_err(|e| resampler_error(&e))?;
        let output = vec![0.0; resampler.output_frames_max()];
        let capacity = ring.buffer().capacity();
        Ok(Self {
            ring,
            resampler,
            input: [0.0; FRAME_SAMPLES],
            output,
            capacity,
            rate,
            most: samples_in(SPEAKER_MOST, rate),
            shared,
        })
    }

    /// Queues 10 ms of sound for the speaker; drops it instead if the speaker is already 80 ms behind.
    pub fn write_frame(&mut self, frame: &[i16; FRAME_SAMPLES]) {
        let incoming = self.resampler.output_frames_next();
        if speaker_must_drop(self.queued(), incoming, self.most) {
            self.shared.count_overrun();
            return;
        }
        for (value, sample) in self.input.iter_mut().zip(frame) {
            *value = f32::from(*sample) / 32_768.0;
        }
        let Ok(source) = InterleavedSlice::new(&self.input[..], 1, FRAME_SAMPLES) else { return };
        let room = self.output.len();
        let Ok(mut target) = InterleavedSlice::new_mut(&mut self.output[..], 1, room) else { return };
        let Ok((_, produced)) = self.resampler.process_into_buffer(&source, &mut target, None) else { return };
        let converted = self.output.get(..produced).unwrap_or_default();
        let (_, left_over) = self.ring.push_partial_slice(converted);
        if !left_over.is_empty() {
            self.shared.count_overrun();
        }
    }

    /// How much sound waits for the speaker.
    #[must_use]
    pub fn buffered(&self) -> Duration {
        duration_of(self.queued(), self.rate)
    }

    fn queued(&self) -> usize {
        self.capacity.saturating_sub(self.ring.slots())
    }
}

/// A sample in −1..1 as 16-bit PCM, saturating.
fn to_pcm(value: f32) -> i16 {
    (value * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::super::AudioSettings;
    use super::*;
    use std::f32::consts::TAU;

    fn shared() -> Arc<Shared> {
        Arc::new(Shared::new(&AudioSettings::default()))
    }

    fn microphone(rate: u32) -> (rtrb::Producer<f32>, Microphone, Arc<Shared>) {
        let shared = shared();
        let (producer, consumer) = rtrb::RingBuffer::new(samples_in(RING_LENGTH, rate));
        (producer, Microphone::new(consumer, rate, shared.clone()).unwrap(), shared)
    }

    fn speaker(rate: u32) -> (Speaker, rtrb::Consumer<f32>, Arc<Shared>) {
        let shared = shared();
        let (producer, consumer) = rtrb::RingBuffer::new(samples_in(RING_LENGTH, rate));
        (Speaker::new(producer, rate, shared.clone()).unwrap(), consumer, shared)
    }

    fn sine(frequency: f32, rate: u32, amplitude: f32, from: usize, count: usize) -> impl Iterator<Item = f32> {
        (from..from + count).map(move |n| amplitude * (TAU * frequency * n as f32 / rate as f32).sin())
    }

    /// Amplitude of `frequency` in `samples` (Goertzel): a sine of amplitude `a` gives about `a`.
    fn amplitude_at(samples: &[f32], frequency: f32, rate: u32) -> f32 {
        let coefficient = 2.0 * (TAU * frequency / rate as f32).cos();
        let (mut previous, mut before) = (0.0f32, 0.0f32);
        for &sample in samples {
            let current = sample + coefficient * previous - before;
            before = previous;
            previous = current;
        }
        let power = previous * previous + before * before - coefficient * previous * before;
        2.0 * power.max(0.0).sqrt() / samples.len() as f32
    }

    /// Feeds `seconds` of a tone at `rate` through a microphone, 10 ms at a time, and returns what it yields.
    fn through_microphone(frequency: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let (mut producer, mut microphone, _) = microphone(rate);
        let block = rate as usize / 100;
        let mut heard = Vec::new();
        let mut frame = [0; FRAME_SAMPLES];
        for at in 0..(seconds * 100.0) as usize {
            for sample in sine(frequency, rate, 0.5, at * block, block) {
                producer.push(sample).unwrap();
            }
            while microphone.read_frame(&mut frame) {
                heard.extend(frame.iter().map(|s| f32::from(*s) / 32_768.0));
            }
        }
        heard
    }

    #[test]
    fn microphone_turns_a_48_khz_tone_into_the_same_tone_at_8_khz() {
        let heard = through_microphone(1_000.0, 48_000, 1.0);
        assert!(heard.len() >= 7_900, "one second in, about one second out: {}", heard.len());
        let settled = &heard[800..];
        let level = amplitude_at(settled, 1_000.0, 8_000);
        assert!((level - 0.5).abs() < 0.03, "the level is kept: {level}");
        assert!(amplitude_at(settled, 1_100.0, 8_000) < 0.01, "nothing at 1.1 kHz");
        assert!(amplitude_at(settled, 900.0, 8_000) < 0.01, "nothing at 900 Hz");
    }

    #[test]
    fn microphone_converts_from_44_1_khz_too() {
        let heard = through_microphone(1_000.0, 44_100, 1.0);
        assert!(heard.len() >= 7_900);
        let level = amplitude_at(&heard[800..], 1_000.0, 8_000);
        assert!((level - 0.5).abs() < 0.03, "the level is kept: {level}");
    }

    #[test]
    fn microphone_keeps_sound_above_4_khz_from_folding_into_the_call() {
        // Unfiltered, a 5 kHz tone would alias to 3 kHz at 8 kHz.
        let heard = through_microphone(5_000.0, 48_000, 0.5);
        let aliased = amplitude_at(&heard[800..], 3_000.0, 8_000);
        assert!(aliased < 0.005, "5 kHz is filtered out, not folded to 3 kHz: {aliased}");
    }

    #[test]
    fn microphone_waits_for_a_whole_frame() {
        let (mut producer, mut microphone, _) = microphone(48_000);
        let mut frame = [1; FRAME_SAMPLES];
        assert!(!microphone.read_frame(&mut frame));
        for sample in sine(1_000.0, 48_000, 0.5, 0, 479) {
            producer.push(sample).unwrap();
        }
        assert!(!microphone.read_frame(&mut frame), "479 samples at 48 kHz are not yet 10 ms");
        producer.push(0.0).unwrap();
        assert!(microphone.read_frame(&mut frame));
        assert_eq!(microphone.buffered(), Duration::ZERO);
    }

    #[test]
    fn microphone_discards_sound_piled_up_beyond_60_ms() {
        let (mut producer, mut microphone, shared) = microphone(48_000);
        for _ in 0..samples_in(Duration::from_millis(100), 48_000) {
            producer.push(0.1).unwrap();
        }
        let mut frame = [0; FRAME_SAMPLES];
        assert!(microphone.read_frame(&mut frame));
        assert_eq!(microphone.buffered(), Duration::from_millis(10), "20 ms kept, 10 ms of it read");
        assert_eq!(shared.overruns.load(Ordering::Relaxed), 1);
        for _ in 0..samples_in(Duration::from_millis(50), 48_000) {
            producer.push(0.1).unwrap();
        }
        assert!(microphone.read_frame(&mut frame));
        assert_eq!(microphone.buffered(), Duration::from_millis(50), "60 ms is still within bounds");
        assert_eq!(shared.overruns.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn muted_microphone_sends_silence() {
        let (mut producer, mut microphone, shared) = microphone(48_000);
        shared.muted.store(true, Ordering::Relaxed);
        for sample in sine(1_000.0, 48_000, 0.5, 0, 960) {
            producer.push(sample).unwrap();
        }
        let mut frame = [1; FRAME_SAMPLES];
        assert!(microphone.read_frame(&mut frame));
        assert!(microphone.read_frame(&mut frame));
        assert_eq!(frame, [0; FRAME_SAMPLES]);
    }

    #[test]
    fn speaker_turns_an_8_khz_tone_into_the_same_tone_at_the_device_rate() {
        for rate in [48_000, 44_100, 16_000] {
            let (mut speaker, mut consumer, shared) = speaker(rate);
            let mut played = Vec::new();
            for at in 0..100 {
                let mut frame = [0; FRAME_SAMPLES];
                for (sample, value) in
                    frame.iter_mut().zip(sine(1_000.0, 8_000, 0.5, at * FRAME_SAMPLES, FRAME_SAMPLES))
                {
                    *sample = to_pcm(value);
                }
                speaker.write_frame(&frame);
                while let Ok(sample) = consumer.pop() {
                    played.push(sample);
                }
            }
            assert_eq!(shared.overruns.load(Ordering::Relaxed), 0);
            let expected = rate as usize;
            assert!(played.len().abs_diff(expected) <= expected / 100, "{rate}: {} samples for 1 s", played.len());
            let settled = &played[rate as usize / 10..];
            let level = amplitude_at(settled, 1_000.0, rate);
            assert!((level - 0.5).abs() < 0.03, "{rate}: the level is kept: {level}");
            assert!(amplitude_at(settled, 1_200.0, rate) < 0.01);
        }
    }

    #[test]
    fn speaker_drops_frames_rather_than_fall_more_than_80_ms_behind() {
        let (mut speaker, consumer, shared) = speaker(48_000);
        let frame = [1_000; FRAME_SAMPLES];
        for _ in 0..20 {
            speaker.write_frame(&frame);
        }
        assert_eq!(speaker.buffered(), Duration::from_millis(80));
        assert_eq!(shared.overruns.load(Ordering::Relaxed), 12);
        assert_eq!(consumer.slots(), 8 * 480);
    }

    #[test]
    fn latency_rules_hold_at_their_edges() {
        assert_eq!(microphone_excess(2_880, 2_880, 960), 0);
        assert_eq!(microphone_excess(2_881, 2_880, 960), 1_921);
        assert!(!speaker_must_drop(3_360, 480, 3_840));
        assert!(speaker_must_drop(3_361, 480, 3_840));
        assert!(!speaker_must_drop(usize::MAX, 0, usize::MAX));
        assert_eq!(samples_in(Duration::from_millis(60), 44_100), 2_646);
        assert_eq!(duration_of(441, 44_100), Duration::from_millis(10));
        assert_eq!(duration_of(441, 0), Duration::ZERO);
    }

    #[test]
    fn pcm_conversion_saturates() {
        assert_eq!(to_pcm(1.5), i16::MAX);
        assert_eq!(to_pcm(-1.5), i16::MIN);
        assert_eq!(to_pcm(0.0), 0);
    }
}
