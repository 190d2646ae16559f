//! Finding the microphone and speaker through cpal, and opening their streams.
//!
//! Uses the system's default host (PulseAudio when a server answers, else
//! ALSA), picks the chosen device by name or falls back to the default, and
//! opens each stream at the device's own rate and channel count with a 10 ms
//! buffer. It runs on the call's audio thread; it must not convert rates,
//! which is the media thread's work.

use super::callback::{Playback, capture, play};
use super::line::{RING_LENGTH, samples_in};
use super::{AudioDevices, AudioSettings, CallAudioError, DeviceInUse, Shared};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How long the host may take to create one stream.
const BUILD_TIMEOUT: Duration = Duration::from_secs(2);
/// How much sound the speaker gathers before it starts, and again after running dry.
const PLAYBACK_PRIME: Duration = Duration::from_millis(20);

/// The streams of a call, kept alive on the audio thread.
pub(super) struct Streams {
    _input: cpal::Stream,
    _output: cpal::Stream,
}

/// What the audio thread hands back once both streams run.
pub(super) struct Opened {
    pub(super) input: DeviceInUse,
    pub(super) output: DeviceInUse,
    /// The microphone's end of the capture ring.
    pub(super) microphone_ring: rtrb::Consumer<f32>,
    /// The speaker's end of the playback ring.
    pub(super) speaker_ring: rtrb::Producer<f32>,
}

/// Which way a device carries sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Input,
    Output,
}

/// Why a device could not be made ready.
#[derive(Debug)]
enum Unready {
    /// There is no such device at all.
    Missing,
    /// It exists but would not give its format.
    Failed(String),
}

/// A device and the format it will be opened with.
struct Ready {
    device: cpal::Device,
    config: cpal::SupportedStreamConfig,
    name: String,
}

/// The name the settings pane shows for `device`.
fn name_of(device: &cpal::Device) -> String {
    device.description().map_or_else(|_| String::from("unnamed device"), |d| d.name().to_owned())
}

/// Whether `device` is the one the user chose as `wanted` (by name, or by its stable identifier).
fn is_named(device: &cpal::Device, wanted: &str) -> bool {
    name_of(device) == wanted || device.id().is_ok_and(|id| id.to_string() == wanted)
}

/// The device the user chose, else the default one, with its default format.
fn ready(host: &cpal::Host, wanted: Option<&str>, direction: Direction) -> Result<Ready, Unready> {
    let chosen = wanted.and_then(|wanted| {
        let devices = match direction {
            Direction::Input => host.input_devices().ok().map(|d| d.collect::<Vec<_>>()),
            Direction::Output => host.output_devices().ok().map(|d| d.collect::<Vec<_>>()),
        };
        let found = devices.and_then(|all| all.into_iter().find(|device| is_named(device, wanted)));
        if found.is_none() {
            tracing::info!(device = wanted, ?direction, "the chosen sound device is absent; using the default");
        }
        found
    });
    let is_default = chosen.is_none();
    let device = match chosen {
        Some(device) => device,
        None => match direction {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        }
        .ok_or(Unready::Missing)?,
    };
    let config = match direction {
        Direction::Input => device.default_input_config(),
        Direction::Output => device.default_output_config(),
    };
    let config = match config {
        Ok(config) => config,
        // A default device without a format is a placeholder (ALSA's "default" with no card behind it).
        Err(_) if is_default => return Err(Unready::Missing),
        Err(error) => return Err(Unready::Failed(error.to_string())),
    };
    let name = name_of(&device);
    Ok(Ready { device, config, name })
}

/// The stream configuration for `config`: its own rate and channels, and a 10 ms buffer where the device lets us choose.
fn stream_config(config: &cpal::SupportedStreamConfig) -> cpal::StreamConfig {
    let mut stream_config: cpal::StreamConfig = (*config).into();
    // Without a fixed buffer PulseAudio picks a latency of seconds. With one, cpal
    // also caps PulseAudio's capture queue at one period, so a source that can
    // only deliver larger blocks never starts: opening then times out
    // (`NotResponding`) rather than hanging the call.
    if let cpal::SupportedBufferSize::Range { min, max } = config.buffer_size() {
        stream_config.buffer_size = cpal::BufferSize::Fixed((config.sample_rate() / 100).clamp(*min, *max));
    }
    stream_config
}

/// Opens and starts both streams of a call.
pub(super) fn open_streams(
    settings: &AudioSettings,
    shared: &Arc<Shared>,
) -> Result<(Streams, Opened), CallAudioError> {
    let host = cpal::default_host();
    let input = ready(&host, settings.input_device.as_deref(), Direction::Input);
    let output = ready(&host, settings.output_device.as_deref(), Direction::Output);
    let (input, output) = match (input, output) {
        (Ok(input), Ok(output)) => (input, output),
        (Err(Unready::Missing), Err(Unready::Missing)) => return Err(CallAudioError::NoDevices),
        (Err(Unready::Missing), _) => return Err(CallAudioError::NoInputDevice),
        (_, Err(Unready::Missing)) => return Err(CallAudioError::NoOutputDevice),
        (Err(Unready::Failed(error)), _) | (_, Err(Unready::Failed(error))) => {
            return Err(CallAudioError::Device(error));
        }
    };
    let input_config = stream_config(&input.config);
    let output_config = stream_config(&output.config);
    let input_rate = input_config.sample_rate;
    let output_rate = output_config.sample_rate;
    let (microphone_producer, microphone_ring) = rtrb::RingBuffer::new(samples_in(RING_LENGTH, input_rate).max(1));
    let (speaker_ring, speaker_consumer) = rtrb::RingBuffer::new(samples_in(RING_LENGTH, output_rate).max(1));
    let device_error = |e: cpal::Error| CallAudioError::Device(e.to_string());
    let output_stream = output_stream(&output, &output_config, speaker_consumer, shared).map_err(device_error)?;
    let input_stream = input_stream(&input, &input_config, microphone_producer, shared).map_err(device_error)?;
    // The speaker starts first: starting a PulseAudio capture waits for its first
    // sound, which a headset's monitor or echo-cancelled source only yields once
    // its sink plays.
    output_stream.play().map_err(device_error)?;
    input_stream.play().map_err(device_error)?;
    let opened = Opened {
        input: DeviceInUse { name: input.name, sample_rate: input_rate, channels: input_config.channels },
        output: DeviceInUse { name: output.name, sample_rate: output_rate, channels: output_config.channels },
        microphone_ring,
        speaker_ring,
    };
    Ok((Streams { _input: input_stream, _output: output_stream }, opened))
}

/// Records what a stream's error report means; it runs on the sound system's thread, so it only sets atomics.
fn note_error(shared: &Shared, error: &cpal::Error, direction: Direction) {
    match error.kind() {
        cpal::ErrorKind::Xrun if direction == Direction::Output => shared.count_underrun(),
        cpal::ErrorKind::Xrun => shared.count_overrun(),
        cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
        _ => shared.device_lost.store(true, Ordering::Relaxed),
    }
}

fn input_stream(
    input: &Ready,
    config: &cpal::StreamConfig,
    ring: rtrb::Producer<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error> {
    match input.config.sample_format() {
        SampleFormat::I16 => typed_input_stream::<i16>(&input.device, config, ring, shared),
        SampleFormat::I32 => typed_input_stream::<i32>(&input.device, config, ring, shared),
        SampleFormat::U8 => typed_input_stream::<u8>(&input.device, config, ring, shared),
        SampleFormat::U16 => typed_input_stream::<u16>(&input.device, config, ring, shared),
        SampleFormat::F64 => typed_input_stream::<f64>(&input.device, config, ring, shared),
        // Floats, and formats cpal converts from for us.
        _ => typed_input_stream::<f32>(&input.device, config, ring, shared),
    }
}

fn typed_input_stream<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut ring: rtrb::Producer<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = usize::from(config.channels);
    let rate = config.sample_rate;
    let on_data = shared.clone();
    let on_error = shared.clone();
    device.build_input_stream::<T, _, _>(
        *config,
        move |data: &[T], _| capture(data, channels, rate, &mut ring, &on_data),
        move |error| note_error(&on_error, &error, Direction::Input),
        Some(BUILD_TIMEOUT),
    )
}

fn output_stream(
    output: &Ready,
    config: &cpal::StreamConfig,
    ring: rtrb::Consumer<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error> {
    match output.config.sample_format() {
        SampleFormat::I16 => typed_output_stream::<i16>(&output.device, config, ring, shared),
        SampleFormat::I32 => typed_output_stream::<i32>(&output.device, config, ring, shared),
        SampleFormat::U8 => typed_output_stream::<u8>(&output.device, config, ring, shared),
        SampleFormat::U16 => typed_output_stream::<u16>(&output.device, config, ring, shared),
        SampleFormat::F64 => typed_output_stream::<f64>(&output.device, config, ring, shared),
        _ => typed_output_stream::<f32>(&output.device, config, ring, shared),
    }
}

fn typed_output_stream<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut ring: rtrb::Consumer<f32>,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = usize::from(config.channels);
    let mut state = Playback::new(samples_in(PLAYBACK_PRIME, config.sample_rate));
    let on_data = shared.clone();
    let on_error = shared.clone();
    device.build_output_stream::<T, _, _>(
        *config,
        move |data: &mut [T], _| play(data, channels, &mut ring, &on_data, &mut state),
        move |error| note_error(&on_error, &error, Direction::Output),
        Some(BUILD_TIMEOUT),
    )
}

/// The devices of the default host, by name.
pub(super) fn list() -> Result<AudioDevices, CallAudioError> {
    let host = cpal::default_host();
    let names =
        |devices: Result<cpal::InputDevices<cpal::Devices>, cpal::Error>| -> Result<Vec<String>, CallAudioError> {
            let mut names: Vec<String> =
                devices.map_err(|e| CallAudioError::Device(e.to_string()))?.map(|device| name_of(&device)).collect();
            names.dedup();
            Ok(names)
        };
    Ok(AudioDevices {
        inputs: names(host.input_devices())?,
        outputs: names(host.output_devices())?,
        default_input: host.default_input_device().filter(|d| d.default_input_config().is_ok()).map(|d| name_of(&d)),
        default_output: host.default_output_device().filter(|d| d.default_output_config().is_ok()).map(|d| name_of(&d)),
    })
}
