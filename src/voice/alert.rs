//! The offer alert: a short two-note chime on the default output device.
//!
//! The cpal stream lives on its own thread (streams are not `Send` on every
//! platform) and runs only while the chime plays, so an idle workstation
//! spends no CPU on audio. The callback reads a buffer computed once, through
//! an atomic cursor: no lock, allocation or logging in the callback.

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
    /// Opens the default output device, or says why it cannot.
    pub fn open() -> Result<Self, AudioError> {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (requests, incoming) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("alert-sound".into())
            .spawn(move || {
                let stream = match build_stream() {
                    Ok(stream) => {
                        let _ = ready_tx.send(Ok(()));
                        stream
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                let (stream, cursor) = stream;
                while incoming.recv().is_ok() {
                    cursor.store(0, Ordering::Release);
                    if stream.play().is_err() {
                        continue;
                    }
                    std::thread::sleep(Duration::from_secs_f32(CHIME_SECS + 0.15));
                    let _ = stream.pause();
                }
            })
            .map_err(|e| AudioError::Device(e.to_string()))?;
        match ready_rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(())) => Ok(Self { requests }),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(AudioError::Device("the audio system did not answer".into())),
        }
    }

    /// Plays the chime (returns at once).
    pub fn play(&self) {
        let _ = self.requests.send(());
    }
}

fn build_stream() -> Result<(cpal::Stream, Arc<AtomicUsize>), AudioError> {
    let host = cpal::default_host();
    let device = host.default_output_device().ok_or(AudioError::NoDevice)?;
    let config = device.default_output_config().map_err(|e| AudioError::Device(e.to_string()))?;
    let channels = usize::from(config.channels());
    let samples = chime(config.sample_rate());
    let cursor = Arc::new(AtomicUsize::new(samples.len()));
    let position = cursor.clone();
    let stream = device
        .build_output_stream::<f32, _, _>(
            config.into(),
            move |data: &mut [f32], _| {
                let mut at = position.load(Ordering::Acquire);
                for frame in data.chunks_mut(channels) {
                    let value = samples.get(at).copied().unwrap_or(0.0);
                    frame.fill(value);
                    at = at.saturating_add(1);
                }
                position.store(at.min(samples.len()), Ordering::Release);
            },
            |_| {},
            None,
        )
        .map_err(|e| AudioError::Device(e.to_string()))?;
    stream.pause().map_err(|e| AudioError::Device(e.to_string()))?;
    Ok((stream, cursor))
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
