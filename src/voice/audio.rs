//! A call's sound card path on cpal: microphone and speaker streams whose
//! real-time callbacks only copy samples to and from lock-free rings, and
//! the call side that resamples between the device rate and 8 kHz in
//! 10 ms frames.
//!
//! No lock, allocation or logging runs in a callback: volumes, mute and the
//! input level cross threads as atomics. The streams live on a thread of
//! their own, as cpal streams are not `Send` on every platform.

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType, WindowFunction};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Samples per frame on the call side: 10 ms at 8 kHz.
pub const FRAME: usize = 80;
const CALL_RATE: usize = 8000;

/// Which devices a call uses, and how loud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioSettings {
    /// The microphone by name; `None` is the system default.
    pub input_device: Option<String>,
    /// The speaker or headset by name; `None` is the system default.
    pub output_device: Option<String>,
    /// Microphone gain, 0–2 (1 leaves it unchanged).
    pub input_volume: f32,
    /// Speaker gain, 0–2.
    pub output_volume: f32,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self { input_device: None, output_device: None, input_volume: 1.0, output_volume: 1.0 }
    }
}

/// Why a call cannot have sound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallAudioError {
    /// No microphone.
    #[error("No microphone was found: calls cannot carry your voice. Connect one and choose it in Audio settings.")]
    NoInputDevice,
    /// No speaker or headset.
    #[error("No speaker or headset was found: you cannot hear calls. Connect one and choose it in Audio settings.")]
    NoOutputDevice,
    /// The device refused.
    #[error("The audio device could not be opened ({0}). Choose another one in Audio settings.")]
    Device(String),
}

/// The devices that exist, for the audio settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudioDevices {
    /// Microphones.
    pub inputs: Vec<String>,
    /// Speakers and headsets.
    pub outputs: Vec<String>,
    /// The default microphone.
    pub default_input: Option<String>,
    /// The default speaker.
    pub default_output: Option<String>,
}

/// Lists the audio devices.
pub fn devices() -> Result<AudioDevices, CallAudioError> {
    let host = cpal::default_host();
    let failed = |e: cpal::Error| CallAudioError::Device(e.to_string());
    Ok(AudioDevices {
        inputs: host.input_devices().map_err(failed)?.map(|d| d.to_string()).collect(),
        outputs: host.output_devices().map_err(failed)?.map(|d| d.to_string()).collect(),
        default_input: host.default_input_device().map(|d| d.to_string()),
        default_output: host.default_output_device().map(|d| d.to_string()),
    })
}

/// What the callbacks and the call side share.
struct Shared {
    input_volume: AtomicU32,
    output_volume: AtomicU32,
    muted: AtomicBool,
    level: AtomicU32,
    underruns: AtomicU64,
    overruns: AtomicU64,
}

fn load(value: &AtomicU32) -> f32 {
    f32::from_bits(value.load(Ordering::Relaxed))
}

fn store(target: &AtomicU32, value: f32) {
    target.store(value.to_bits(), Ordering::Relaxed);
}

/// The open streams of one call; dropping it closes them.
pub struct CallAudio {
    shared: Arc<Shared>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Device names and rates in use.
    pub input_name: String,
    /// The speaker's name.
    pub output_name: String,
    /// Microphone rate.
    pub input_rate: u32,
    /// Speaker rate.
    pub output_rate: u32,
}

/// The microphone side for the media thread: 10 ms frames at 8 kHz.
pub struct Microphone {
    ring: rtrb::Consumer<f32>,
    resampler: Async<f32>,
    input: Vec<f32>,
    output: Vec<f32>,
    /// Most device samples kept waiting: 60 ms.
    keep: usize,
    shared: Arc<Shared>,
}

/// The speaker side for the media thread.
pub struct Speaker {
    ring: rtrb::Producer<f32>,
    resampler: Async<f32>,
    input: Vec<f32>,
    output: Vec<f32>,
    rate: usize,
    capacity: usize,
}

fn resampler(from: usize, to: usize, fixed: FixedAsync) -> Result<Async<f32>, CallAudioError> {
    // A short sinc keeps the delay to about a millisecond; the cutoff still stops aliasing above 4 kHz.
    let parameters = SincInterpolationParameters::new(64, WindowFunction::BlackmanHarris2)
        .oversampling_factor(64)
        .interpolation(SincInterpolationType::Linear);
    Async::new_sinc(to as f64 / from as f64, 1.1, &parameters, FRAME, 1, fixed)
        .map_err(|e| CallAudioError::Device(e.to_string()))
}

fn pick(host: &cpal::Host, name: Option<&str>, input: bool) -> Option<cpal::Device> {
    if let Some(name) = name {
        let mut devices = if input { host.input_devices().ok()? } else { host.output_devices().ok()? };
        if let Some(device) = devices.find(|d| d.to_string() == name) {
            return Some(device);
        }
    }
    if input { host.default_input_device() } else { host.default_output_device() }
}

fn stream_config(supported: &cpal::SupportedStreamConfig) -> cpal::StreamConfig {
    let mut config: cpal::StreamConfig = (*supported).into();
    // 10 ms device buffers: PulseAudio otherwise picks seconds of latency.
    if let cpal::SupportedBufferSize::Range { min, max } = supported.buffer_size() {
        config.buffer_size = cpal::BufferSize::Fixed((supported.sample_rate() / 100).clamp(*min, *max));
    }
    config
}

struct Opened {
    input_name: String,
    output_name: String,
    input_rate: u32,
    output_rate: u32,
    microphone: rtrb::Consumer<f32>,
    speaker: rtrb::Producer<f32>,
}

impl CallAudio {
    /// Opens the microphone and the speaker; with no device it says why, at once.
    pub fn open(settings: &AudioSettings) -> Result<(Self, Microphone, Speaker), CallAudioError> {
        let shared = Arc::new(Shared {
            input_volume: AtomicU32::new(settings.input_volume.clamp(0.0, 2.0).to_bits()),
            output_volume: AtomicU32::new(settings.output_volume.clamp(0.0, 2.0).to_bits()),
            muted: AtomicBool::new(false),
            level: AtomicU32::new(0),
            underruns: AtomicU64::new(0),
            overruns: AtomicU64::new(0),
        });
        let (opened_out, opened) = mpsc::channel();
        let (stop, stopped) = mpsc::channel::<()>();
        let settings = settings.clone();
        let for_streams = shared.clone();
        let thread = std::thread::Builder::new()
            .name("call-audio".into())
            .spawn(move || match open_streams(&settings, &for_streams) {
                Ok((streams, opened)) => {
                    let _ = opened_out.send(Ok(opened));
                    // The streams play until the call side goes away.
                    let _ = stopped.recv();
                    drop(streams);
                }
                Err(error) => {
                    let _ = opened_out.send(Err(error));
                }
            })
            .map_err(|e| CallAudioError::Device(e.to_string()))?;
        let opened = opened
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| CallAudioError::Device("the sound system did not answer".into()))??;
        let microphone = Microphone {
            ring: opened.microphone,
            resampler: resampler(opened.input_rate as usize, CALL_RATE, FixedAsync::Output)?,
            input: vec![0.0; opened.input_rate as usize / 10],
            output: vec![0.0; FRAME * 2],
            keep: opened.input_rate as usize * 60 / 1000,
            shared: shared.clone(),
        };
        let speaker_resampler = resampler(CALL_RATE, opened.output_rate as usize, FixedAsync::Input)?;
        let speaker = Speaker {
            ring: opened.speaker,
            output: vec![0.0; speaker_resampler.output_frames_max()],
            resampler: speaker_resampler,
            input: vec![0.0; FRAME],
            rate: opened.output_rate as usize,
            capacity: opened.output_rate as usize / 2,
        };
        Ok((
            Self {
                shared,
                stop: Some(stop),
                thread: Some(thread),
                input_name: opened.input_name,
                output_name: opened.output_name,
                input_rate: opened.input_rate,
                output_rate: opened.output_rate,
            },
            microphone,
            speaker,
        ))
    }

    /// The microphone level, 0–1 (peak of the last device buffer).
    #[must_use]
    pub fn input_level(&self) -> f32 {
        load(&self.shared.level)
    }

    /// Times the speaker ran dry.
    #[must_use]
    pub fn underruns(&self) -> u64 {
        self.shared.underruns.load(Ordering::Relaxed)
    }

    /// Times the microphone ring was full.
    #[must_use]
    pub fn overruns(&self) -> u64 {
        self.shared.overruns.load(Ordering::Relaxed)
    }

    /// Sets the microphone gain (0–2).
    pub fn set_input_volume(&self, volume: f32) {
        store(&self.shared.input_volume, volume.clamp(0.0, 2.0));
    }

    /// Sets the speaker gain (0–2).
    pub fn set_output_volume(&self, volume: f32) {
        store(&self.shared.output_volume, volume.clamp(0.0, 2.0));
    }

    /// Mutes the microphone (silence is sent).
    pub fn set_muted(&self, muted: bool) {
        self.shared.muted.store(muted, Ordering::Relaxed);
    }
}

impl Drop for CallAudio {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn open_streams(
    settings: &AudioSettings,
    shared: &Arc<Shared>,
) -> Result<((cpal::Stream, cpal::Stream), Opened), CallAudioError> {
    let host = cpal::default_host();
    let input = pick(&host, settings.input_device.as_deref(), true).ok_or(CallAudioError::NoInputDevice)?;
    let output = pick(&host, settings.output_device.as_deref(), false).ok_or(CallAudioError::NoOutputDevice)?;
    let input_supported = input.default_input_config().map_err(|e| CallAudioError::Device(e.to_string()))?;
    let output_supported = output.default_output_config().map_err(|e| CallAudioError::Device(e.to_string()))?;
    let (input_rate, output_rate) = (input_supported.sample_rate(), output_supported.sample_rate());
    let (input_channels, output_channels) =
        (usize::from(input_supported.channels()).max(1), usize::from(output_supported.channels()).max(1));
    let (mut microphone_in, microphone) = rtrb::RingBuffer::<f32>::new(input_rate as usize / 2);
    let (speaker, mut speaker_out) = rtrb::RingBuffer::<f32>::new(output_rate as usize / 2);
    let capture = shared.clone();
    let input_stream = input
        .build_input_stream::<f32, _, _>(
            stream_config(&input_supported),
            move |data: &[f32], _| {
                let gain = if capture.muted.load(Ordering::Relaxed) { 0.0 } else { load(&capture.input_volume) };
                let mut peak = 0.0f32;
                for frame in data.chunks(input_channels) {
                    let sample = frame.iter().sum::<f32>() / input_channels as f32 * gain;
                    peak = peak.max(sample.abs());
                    if microphone_in.push(sample).is_err() {
                        capture.overruns.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                // A meter that falls back gently instead of flickering.
                let shown = load(&capture.level).mul_add(0.8, 0.0).max(peak.min(1.0));
                store(&capture.level, shown);
            },
            |_| {},
            None,
        )
        .map_err(|e| CallAudioError::Device(e.to_string()))?;
    let playback = shared.clone();
    let output_stream = output
        .build_output_stream::<f32, _, _>(
            stream_config(&output_supported),
            move |data: &mut [f32], _| {
                let gain = load(&playback.output_volume);
                let mut dry = false;
                for frame in data.chunks_mut(output_channels) {
                    let sample = speaker_out.pop().unwrap_or_else(|_| {
                        dry = true;
                        0.0
                    });
                    frame.fill(sample * gain);
                }
                if dry {
                    playback.underruns.fetch_add(1, Ordering::Relaxed);
                }
            },
            |_| {},
            None,
        )
        .map_err(|e| CallAudioError::Device(e.to_string()))?;
    input_stream.play().map_err(|e| CallAudioError::Device(e.to_string()))?;
    output_stream.play().map_err(|e| CallAudioError::Device(e.to_string()))?;
    let opened = Opened {
        input_name: input.to_string(),
        output_name: output.to_string(),
        input_rate,
        output_rate,
        microphone,
        speaker,
    };
    Ok(((input_stream, output_stream), opened))
}

fn to_i16(sample: f32) -> i16 {
    (sample * 32768.0).clamp(-32768.0, 32767.0) as i16
}

impl Microphone {
    /// The next 10 ms at 8 kHz; false until enough was captured.
    pub fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool {
        // The device clock may run fast: never keep more than 60 ms waiting.
        let waiting = self.ring.slots();
        let needed = self.resampler.input_frames_next();
        if waiting > self.keep + needed {
            for _ in 0..waiting - self.keep {
                let _ = self.ring.pop();
            }
        }
        if self.ring.slots() < needed || self.input.len() < needed {
            return false;
        }
        for slot in self.input.iter_mut().take(needed) {
            *slot = self.ring.pop().unwrap_or(0.0);
        }
        let (Ok(input), Ok(mut output)) = (
            InterleavedSlice::new(&self.input[..needed], 1, needed),
            InterleavedSlice::new_mut(&mut self.output[..], 1, FRAME * 2),
        ) else {
            return false;
        };
        match self.resampler.process_into_buffer(&input, &mut output, None) {
            Ok((_, written)) if written >= FRAME => {
                for (slot, &sample) in out.iter_mut().zip(&self.output) {
                    *slot = to_i16(sample);
                }
                true
            }
            _ => false,
        }
    }

    /// The microphone level, 0–1.
    #[must_use]
    pub fn level(&self) -> f32 {
        load(&self.shared.level)
    }
}

impl Speaker {
    /// Plays 10 ms at 8 kHz; dropped when the device is far behind.
    pub fn write_frame(&mut self, frame: &[i16; FRAME]) {
        for (slot, &sample) in self.input.iter_mut().zip(frame) {
            *slot = f32::from(sample) / 32768.0;
        }
        let capacity = self.output.len();
        let (Ok(input), Ok(mut output)) = (
            InterleavedSlice::new(&self.input[..], 1, FRAME),
            InterleavedSlice::new_mut(&mut self.output[..], 1, capacity),
        ) else {
            return;
        };
        let Ok((_, written)) = self.resampler.process_into_buffer(&input, &mut output, None) else { return };
        // Keep latency bounded: if more than 100 ms waits, the device is slower than us.
        if self.capacity - self.ring.slots() > self.rate / 10 {
            return;
        }
        for &sample in &self.output[..written] {
            if self.ring.push(sample).is_err() {
                break;
            }
        }
    }

    /// How much sound waits for the device.
    #[must_use]
    pub fn buffered(&self) -> Duration {
        Duration::from_secs_f64((self.capacity - self.ring.slots()) as f64 / self.rate as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goertzel(samples: &[f32], frequency: f32, rate: f32) -> f32 {
        let coefficient = 2.0 * (2.0 * std::f32::consts::PI * frequency / rate).cos();
        let (mut previous, mut before) = (0.0, 0.0);
        for &sample in samples {
            let current = sample + coefficient * previous - before;
            before = previous;
            previous = current;
        }
        (previous * previous + before * before - coefficient * previous * before) / samples.len() as f32
    }

    #[test]
    fn downsampling_keeps_a_tone_and_stops_aliasing() {
        let mut down = resampler(48_000, 8000, FixedAsync::Output).unwrap();
        let mut produced = Vec::new();
        let mut phase = 0usize;
        let mut output = vec![0.0f32; FRAME * 2];
        for _ in 0..50 {
            let needed = down.input_frames_next();
            // 1 kHz wanted, plus 7 kHz that must not fold back to 1 kHz.
            let input: Vec<f32> = (0..needed)
                .map(|i| ((phase + i) as f32 * 2.0 * std::f32::consts::PI * 1000.0 / 48_000.0).sin() * 0.5)
                .collect();
            phase += needed;
            let input = InterleavedSlice::new(&input[..], 1, needed).unwrap();
            let mut out = InterleavedSlice::new_mut(&mut output[..], 1, FRAME * 2).unwrap();
            let (_, written) = down.process_into_buffer(&input, &mut out, None).unwrap();
            assert_eq!(written, FRAME);
            produced.extend_from_slice(&output[..written]);
        }
        let tail = &produced[produced.len() - 1600..];
        assert!(goertzel(tail, 1000.0, 8000.0) > 100.0 * goertzel(tail, 2000.0, 8000.0));
        let peak = tail.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((0.4..0.6).contains(&peak), "level kept: {peak}");
    }

    #[test]
    fn upsampling_fills_device_buffers_at_the_device_rate() {
        let mut up = resampler(8000, 44_100, FixedAsync::Input).unwrap();
        let mut output = vec![0.0f32; up.output_frames_max()];
        let input = [0.25f32; FRAME];
        let mut total = 0;
        for _ in 0..100 {
            let capacity = output.len();
            let input = InterleavedSlice::new(&input[..], 1, FRAME).unwrap();
            let mut out = InterleavedSlice::new_mut(&mut output[..], 1, capacity).unwrap();
            total += up.process_into_buffer(&input, &mut out, None).unwrap().1;
        }
        assert!((44_000..=44_200).contains(&total), "one second in, one second out: {total}");
    }
}
