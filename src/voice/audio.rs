//! The softphone's sound card: a microphone and a speaker stream for the length of a call.
//!
//! Owns the cpal streams and the hand-over between the device, which runs at
//! its own rate and channel count, and the call's media thread, which works in
//! 10 ms frames of 80 mono samples at 8 kHz. The device callbacks only copy
//! samples between the device buffer and lock-free rings (mixing channels down
//! or duplicating them up, applying the volume, metering the microphone); rate
//! conversion happens on the media thread, in [`Microphone`] and [`Speaker`].
//! Nothing in a callback locks, allocates, logs or resamples.
//!
//! The streams live on their own thread, as cpal streams are not `Send` on
//! every platform; opening waits a bounded time for it, so a missing or hung
//! sound system yields an error, never a stalled call. This module must not
//! know about SIP, RTP or codecs.

mod callback;
mod device;
mod line;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

pub use line::{Microphone, Speaker};

/// Samples in one network frame: 10 ms at 8 kHz.
pub const FRAME_SAMPLES: usize = 80;
/// The network side's sample rate.
pub const NETWORK_RATE: u32 = 8_000;

/// How long opening the streams may take before the sound system is deemed unresponsive.
const OPEN_TIMEOUT: Duration = Duration::from_secs(4);
/// How long closing waits for the streams to stop before letting their thread finish alone.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The user's choice of devices and volumes, kept with the workstation's settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AudioSettings {
    /// The microphone by name, or `None` for the system's default.
    pub input_device: Option<String>,
    /// The speaker or headset by name, or `None` for the system's default.
    pub output_device: Option<String>,
    /// Gain on the microphone, 0 to 2 (1 leaves it unchanged).
    pub input_volume: f32,
    /// Gain on the speaker, 0 to 2 (1 leaves it unchanged).
    pub output_volume: f32,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self { input_device: None, output_device: None, input_volume: 1.0, output_volume: 1.0 }
    }
}

/// The devices the audio settings pane can offer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudioDevices {
    /// Names of the devices that can record.
    pub inputs: Vec<String>,
    /// Names of the devices that can play.
    pub outputs: Vec<String>,
    /// The system's default microphone, if there is one.
    pub default_input: Option<String>,
    /// The system's default speaker, if there is one.
    pub default_output: Option<String>,
}

/// A device a call is using, as it was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInUse {
    /// The device's name, as the settings pane lists it.
    pub name: String,
    /// Samples per second at the device.
    pub sample_rate: u32,
    /// Channels at the device.
    pub channels: u16,
}

/// Why call audio is unavailable; each message tells the user what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallAudioError {
    /// Neither a microphone nor a speaker exists.
    #[error("No sound device was found: calls cannot carry sound. Connect a headset and choose it in Audio settings.")]
    NoDevices,
    /// No microphone exists.
    #[error("No microphone was found: calls cannot carry your voice. Connect one and choose it in Audio settings.")]
    NoInputDevice,
    /// No speaker or headset exists.
    #[error("No speaker or headset was found: you cannot hear callers. Connect one and choose it in Audio settings.")]
    NoOutputDevice,
    /// A device exists but refused to open.
    #[error(
        "The sound device could not be opened ({0}). Check that it is connected and not used by another program, then choose it again in Audio settings."
    )]
    Device(String),
    /// The sound system did not answer in time.
    #[error(
        "The sound system did not answer within {0} seconds. Check that PulseAudio or PipeWire is running, then try the call again."
    )]
    NotResponding(u64),
}

/// What the device callbacks, the media thread and the interface share: atomics only.
#[derive(Debug)]
struct Shared {
    /// Microphone gain, as `f32` bits.
    input_volume: AtomicU32,
    /// Speaker gain, as `f32` bits.
    output_volume: AtomicU32,
    /// The microphone's recent peak, 0 to 1, as `f32` bits.
    input_level: AtomicU32,
    muted: AtomicBool,
    /// Times the speaker ran dry and played silence.
    underruns: AtomicU64,
    /// Times samples were dropped because a buffer was too full.
    overruns: AtomicU64,
    /// Set when a stream reports that its device failed or vanished.
    device_lost: AtomicBool,
}

impl Shared {
    fn new(settings: &AudioSettings) -> Self {
        Self {
            input_volume: AtomicU32::new(volume(settings.input_volume).to_bits()),
            output_volume: AtomicU32::new(volume(settings.output_volume).to_bits()),
            input_level: AtomicU32::new(0.0f32.to_bits()),
            muted: AtomicBool::new(false),
            underruns: AtomicU64::new(0),
            overruns: AtomicU64::new(0),
            device_lost: AtomicBool::new(false),
        }
    }

    fn input_volume(&self) -> f32 {
        f32::from_bits(self.input_volume.load(Ordering::Relaxed))
    }

    fn output_volume(&self) -> f32 {
        f32::from_bits(self.output_volume.load(Ordering::Relaxed))
    }

    fn input_level(&self) -> f32 {
        f32::from_bits(self.input_level.load(Ordering::Relaxed))
    }

    fn count_underrun(&self) {
        self.underruns.fetch_add(1, Ordering::Relaxed);
    }

    fn count_overrun(&self) {
        self.overruns.fetch_add(1, Ordering::Relaxed);
    }
}

/// A volume within 0 to 2; anything unreadable leaves the sound unchanged.
fn volume(value: f32) -> f32 {
    if value.is_nan() { 1.0 } else { value.clamp(0.0, 2.0) }
}

/// The open microphone and speaker streams of a call; dropping it stops them.
#[derive(Debug)]
pub struct CallAudio {
    shared: Arc<Shared>,
    input: DeviceInUse,
    output: DeviceInUse,
    /// Dropping this tells the stream thread to close the streams.
    stop: Option<mpsc::Sender<()>>,
    /// The stream thread says here that the streams are closed.
    stopped: mpsc::Receiver<()>,
}

impl CallAudio {
    /// Opens the chosen (or default) microphone and speaker, and returns the
    /// microphone's and speaker's ends for the media thread.
    pub fn open(settings: &AudioSettings) -> Result<(CallAudio, Microphone, Speaker), CallAudioError> {
        let shared = Arc::new(Shared::new(settings));
        let (ready_sender, ready) = mpsc::sync_channel(1);
        let (stop, stop_requests) = mpsc::channel::<()>();
        let (stopped_sender, stopped) = mpsc::sync_channel(1);
        let wanted = settings.clone();
        let streams_shared = shared.clone();
        std::thread::Builder::new()
            .name("call-audio".into())
            .spawn(move || match device::open_streams(&wanted, &streams_shared) {
                Ok((streams, opened)) => {
                    if ready_sender.send(Ok(opened)).is_ok() {
                        // Blocks until `CallAudio` is dropped.
                        let _ = stop_requests.recv();
                    }
                    drop(streams);
                    let _ = stopped_sender.send(());
                }
                Err(error) => {
                    let _ = ready_sender.send(Err(error));
                }
            })
            .map_err(|e| CallAudioError::Device(e.to_string()))?;
        let opened = match ready.recv_timeout(OPEN_TIMEOUT) {
            Ok(result) => result?,
            // The stream thread is left to finish or hang on its own; it holds nothing of ours.
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(CallAudioError::NotResponding(OPEN_TIMEOUT.as_secs())),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(CallAudioError::Device("the audio thread stopped while opening".into()));
            }
        };
        let microphone = Microphone::new(opened.microphone_ring, opened.input.sample_rate, shared.clone())?;
        let speaker = Speaker::new(opened.speaker_ring, opened.output.sample_rate, shared.clone())?;
        let audio = CallAudio { shared, input: opened.input, output: opened.output, stop: Some(stop), stopped };
        Ok((audio, microphone, speaker))
    }

    /// The microphone's recent peak level, 0 (silence) to 1 (full scale), for the level meter.
    #[must_use]
    pub fn input_level(&self) -> f32 {
        self.shared.input_level()
    }

    /// How many times the speaker ran dry and played silence.
    #[must_use]
    pub fn underruns(&self) -> u64 {
        self.shared.underruns.load(Ordering::Relaxed)
    }

    /// How many times sound was dropped because a buffer was full (a device clock running fast or slow).
    #[must_use]
    pub fn overruns(&self) -> u64 {
        self.shared.overruns.load(Ordering::Relaxed)
    }

    /// Sets the microphone gain, 0 to 2 (1 leaves it unchanged).
    pub fn set_input_volume(&self, value: f32) {
        self.shared.input_volume.store(volume(value).to_bits(), Ordering::Relaxed);
    }

    /// Sets the speaker gain, 0 to 2 (1 leaves it unchanged).
    pub fn set_output_volume(&self, value: f32) {
        self.shared.output_volume.store(volume(value).to_bits(), Ordering::Relaxed);
    }

    /// Mutes or unmutes the microphone: while muted, the far end hears silence.
    pub fn set_muted(&self, muted: bool) {
        self.shared.muted.store(muted, Ordering::Relaxed);
    }

    /// Whether the microphone is muted.
    #[must_use]
    pub fn is_muted(&self) -> bool {
        self.shared.muted.load(Ordering::Relaxed)
    }

    /// Whether a device failed or vanished during the call (a headset unplugged, the sound server gone).
    #[must_use]
    pub fn is_device_lost(&self) -> bool {
        self.shared.device_lost.load(Ordering::Relaxed)
    }

    /// The microphone in use.
    #[must_use]
    pub fn input_device(&self) -> &DeviceInUse {
        &self.input
    }

    /// The speaker in use.
    #[must_use]
    pub fn output_device(&self) -> &DeviceInUse {
        &self.output
    }
}

impl Drop for CallAudio {
    fn drop(&mut self) {
        drop(self.stop.take());
        let _ = self.stopped.recv_timeout(CLOSE_TIMEOUT);
    }
}

/// Lists the microphones and speakers, and the system's defaults.
pub fn devices() -> Result<AudioDevices, CallAudioError> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("audio-devices".into())
        .spawn(move || {
            let _ = sender.send(device::list());
        })
        .map_err(|e| CallAudioError::Device(e.to_string()))?;
    match receiver.recv_timeout(OPEN_TIMEOUT) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(CallAudioError::NotResponding(OPEN_TIMEOUT.as_secs())),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(CallAudioError::Device("the audio thread stopped while listing devices".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_the_system_devices_at_unchanged_volume() {
        let settings = AudioSettings::default();
        assert_eq!(settings.input_device, None);
        assert!((settings.input_volume - 1.0).abs() < f32::EPSILON);
        assert!((settings.output_volume - 1.0).abs() < f32::EPSILON);
        let read: AudioSettings = serde_json::from_str(r#"{"output_device":"USB headset"}"#).unwrap();
        assert_eq!(read.output_device.as_deref(), Some("USB headset"));
        assert!((read.input_volume - 1.0).abs() < f32::EPSILON, "missing fields keep their defaults");
        let again: AudioSettings = serde_json::from_str(&serde_json::to_string(&read).unwrap()).unwrap();
        assert_eq!(again, read);
    }

    #[test]
    fn volumes_stay_between_silence_and_double() {
        assert!((volume(3.0) - 2.0).abs() < f32::EPSILON);
        assert!(volume(-1.0).abs() < f32::EPSILON);
        assert!((volume(f32::NAN) - 1.0).abs() < f32::EPSILON);
        assert!((volume(0.5) - 0.5).abs() < f32::EPSILON);
    }

    #[test]
    fn errors_tell_the_user_what_to_do() {
        assert_eq!(
            CallAudioError::NoInputDevice.to_string(),
            "No microphone was found: calls cannot carry your voice. Connect one and choose it in Audio settings."
        );
        for error in [
            CallAudioError::NoDevices,
            CallAudioError::NoOutputDevice,
            CallAudioError::Device("busy".into()),
            CallAudioError::NotResponding(4),
        ] {
            assert!(error.to_string().contains("Audio settings") || error.to_string().contains("try the call again"));
        }
    }
}
