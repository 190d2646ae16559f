//! The offer alert: a short two-note chime on the default output device.
//!
//! The cpal stream lives on its own thread (streams are not `Send` on every
//! platform) and exists only while the chime plays, so an idle workstation
//! spends no CPU on audio, and devices that cannot pause (PulseAudio's ALSA
//! plugin) work too. With a PulseAudio server running, cpal talks to it
//! directly; otherwise it uses ALSA. The callback reads a buffer computed once, through an
//! atomic cursor: no lock, allocation or logging in the callback.

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Why sound is unavailable.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// No output device exists.
    #[error("no audio output device was found; alerts will be silent")]
    NoDevice,
    /// The device refused the stream.
    #[error("the audio device could not be opened ({0}); alerts will be silent")]
    Device(String),
}

/// Plays the offer chime on request.
pub struct AlertSound {
    requests: mpsc::Sender<()>,
}

const CHIME_SECS: f32 = 0.55;

/// The chime at `rate` Hz: two soft notes (E5 then A5) with a gentle envelope.
fn chime(rate: u32) -> Vec<f32> {
    let total = (CHIME_SECS * rate as f32) as usize;
    let half = total / 2;
    (0..total)
        .map(|i| {
            let (freq, start) = if i < half { (659.25, 0) } else { (880.0, half) };
            let t = (i - start) as f32 / rate as f32;
            let note_len = half as f32 / rate as f32;
            let attack = (t / 0.01).min(1.0);
            let release = ((note_len - t) / 0.12).clamp(0.0, 1.0);
            0.25 * attack * release * (2.0 * std::f32::consts::PI * freq * t).sin()
        })
        .collect()
}

impl AlertSound {
    /// Checks that an output device exists and starts the player thread, or
    /// says why sound is unavailable.
    pub fn open() -> Result<Self, AudioError> {
        let device = cpal::default_host().default_output_device().ok_or(AudioError::NoDevice)?;
        let config = device.default_output_config().map_err(|e| AudioError::Device(e.to_string()))?;
        let samples = Arc::new(chime(config.sample_rate()));
        let (requests, incoming) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("alert-sound".into())
            .spawn(move || {
                let mut reported = false;
                while incoming.recv().is_ok() {
                    match play_once(&samples) {
                        Ok(()) => reported = false,
                        Err(error) if !reported => {
                            tracing::warn!(%error, "the offer chime could not play");
                            reported = true;
                        }
                        Err(_) => {}
                    }
                }
            })
            .map_err(|e| AudioError::Device(e.to_string()))?;
        Ok(Self { requests })
    }

    /// Plays the chime (returns at once).
    pub fn play(&self) {
        let _ = self.requests.send(());
    }
}

/// Opens the default device, plays the chime to its end, and closes it.
fn play_once(samples: &Arc<Vec<f32>>) -> Result<(), AudioError> {
    let device = cpal::default_host().default_output_device().ok_or(AudioError::NoDevice)?;
    let config = device.default_output_config().map_err(|e| AudioError::Device(e.to_string()))?;
    let channels = usize::from(config.channels());
    let mut stream_config: cpal::StreamConfig = config.into();
    // A small fixed buffer keeps the chime prompt; PulseAudio otherwise picks
    // a latency of seconds.
    if let cpal::SupportedBufferSize::Range { min, max } = config.buffer_size() {
        stream_config.buffer_size = cpal::BufferSize::Fixed((config.sample_rate() / 50).clamp(*min, *max));
    }
    // The callback runs ahead of the speaker by the device's buffer: keep the
    // stream open until half a second of silence has followed the chime into
    // it, so that the chime has left the buffer before the stream closes.
    let played = samples.len() + config.sample_rate() as usize / 2;
    let cursor = Arc::new(AtomicUsize::new(0));
    let position = cursor.clone();
    let chime = samples.clone();
    let stream = device
        .build_output_stream::<f32, _, _>(
            stream_config,
            move |data: &mut [f32], _| {
                let mut at = position.load(Ordering::Relaxed);
                for frame in data.chunks_mut(channels) {
                    frame.fill(chime.get(at).copied().unwrap_or(0.0));
                    at = at.saturating_add(1);
                }
                position.store(at, Ordering::Relaxed);
            },
            |_| {},
            None,
        )
        .map_err(|e| AudioError::Device(e.to_string()))?;
    stream.play().map_err(|e| AudioError::Device(e.to_string()))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(4);
    while cursor.load(Ordering::Relaxed) < played && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::chime;

    #[test]
    fn chime_is_short_quiet_and_silent_at_both_ends() {
        let samples = chime(48_000);
        assert_eq!(samples.len(), (0.55 * 48_000.0) as usize);
        assert!(samples.iter().all(|s| s.abs() <= 0.25));
        assert!(samples[0].abs() < 0.01 && samples[samples.len() - 1].abs() < 0.01);
        assert!(samples.iter().any(|s| s.abs() > 0.2));
    }
}
