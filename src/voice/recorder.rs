//! Recording an audio clip from the microphone: the sound card opens on a
//! thread of its own, 10 ms frames at 8 kHz are gathered until the agent
//! stops (or two minutes pass), and the level is shown while it records.

use crate::voice::audio::{AudioSettings, CallAudio, CallAudioError, FRAME_SAMPLES};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// The longest recording, in samples at 8 kHz (two minutes).
pub const MAX_RECORDING: usize = 8000 * 120;

/// A recording in progress.
pub struct ClipRecorder {
    stop: Arc<AtomicBool>,
    level: Arc<AtomicU32>,
    result: mpsc::Receiver<Result<Vec<i16>, CallAudioError>>,
}

impl ClipRecorder {
    /// Opens the microphone and starts recording.
    pub fn start(settings: &AudioSettings) -> Result<Self, CallAudioError> {
        let stop = Arc::new(AtomicBool::new(false));
        let level = Arc::new(AtomicU32::new(0));
        let (done, result) = mpsc::channel();
        let settings = settings.clone();
        let (stopping, meter) = (stop.clone(), level.clone());
        std::thread::Builder::new()
            .name("clip-recorder".into())
            .spawn(move || {
                let _ = done.send(record(&settings, &stopping, &meter));
            })
            .map_err(|e| CallAudioError::Device(e.to_string()))?;
        Ok(Self { stop, level, result })
    }

    /// The microphone level now, 0–1.
    #[must_use]
    pub fn level(&self) -> f32 {
        f32::from_bits(self.level.load(Ordering::Relaxed))
    }

    /// The recording, once finished (stopped, two minutes, or failed); `None` while it runs.
    #[must_use]
    pub fn finished(&self) -> Option<Result<Vec<i16>, CallAudioError>> {
        self.result.try_recv().ok()
    }

    /// Stops and waits for the recording (at most a second).
    pub fn stop(self) -> Result<Vec<i16>, CallAudioError> {
        self.stop.store(true, Ordering::Relaxed);
        self.result
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_else(|_| Err(CallAudioError::Device("the recording did not stop".into())))
    }
}

fn record(settings: &AudioSettings, stop: &AtomicBool, level: &AtomicU32) -> Result<Vec<i16>, CallAudioError> {
    let (audio, mut microphone, _speaker) = CallAudio::open(settings)?;
    let mut samples = Vec::with_capacity(8000 * 10);
    let mut frame = [0i16; FRAME_SAMPLES];
    while !stop.load(Ordering::Relaxed) && samples.len() < MAX_RECORDING {
        if microphone.read_frame(&mut frame) {
            samples.extend_from_slice(&frame);
            level.store(audio.input_level().to_bits(), Ordering::Relaxed);
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    Ok(samples)
}
