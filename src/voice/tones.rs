//! Call-progress and feedback tones, synthesised at 8 kHz in 10 ms frames.
//!
//! Owns the tone plans (frequencies, cadences, levels) and a generator that
//! fills one network-rate frame at a time with phase-continuous sines and
//! 5 ms raised-cosine ramps at each burst edge, so tones start and stop without
//! clicks. It is pure arithmetic: it must not touch a device, a clock or a lock;
//! whoever plays the frames decides when.
//!
//! Levels are given as the peak of each sine against full scale: −18 dBFS for
//! call-progress tones, −21 dBFS per component for DTMF (the pair peaks near
//! −15 dBFS), and −24 dBFS for the call-waiting beep, which plays over speech.

use std::f32::consts::TAU;

/// Samples per second of the generated tones.
const RATE: u32 = 8_000;
/// Samples per 10 ms frame.
const FRAME: usize = 80;
/// Samples over which a burst fades in and out (5 ms).
const RAMP: u32 = 40;

/// The call-progress tones at −18 dBFS.
const PROGRESS_LEVEL: f32 = 0.125_9;
/// Each DTMF component at −21 dBFS.
const DTMF_LEVEL: f32 = 0.089_1;
/// The call-waiting beep at −24 dBFS, soft enough to talk over.
const WAITING_LEVEL: f32 = 0.063_1;
/// How long a DTMF key's feedback sounds.
const DTMF_MILLISECONDS: u32 = 120;

/// DTMF row (low group) frequencies, ITU-T Q.23.
const DTMF_ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// DTMF column (high group) frequencies, ITU-T Q.23.
const DTMF_COLUMNS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// The keypad, row by row, in the order of the frequency tables.
const KEYPAD: [[char; 4]; 4] = [['1', '2', '3', 'A'], ['4', '5', '6', 'B'], ['7', '8', '9', 'C'], ['*', '0', '#', 'D']];

/// A tone the softphone can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Ring-back heard by the caller while the far end rings: 440 Hz, 1.5 s on, 3.5 s off (France, ETSI).
    Ringback,
    /// Local ring for an incoming call: two alternating notes for 2 s, then 4 s of silence.
    Ringing,
    /// A second call is waiting: a quiet 440 Hz beep of 300 ms every 10 s.
    CallWaiting,
    /// The far end is busy: 440 Hz, 0.5 s on, 0.5 s off.
    Busy,
    /// Feedback for a pressed key (`0`–`9`, `*`, `#`, `A`–`D`): its DTMF pair, once, for 120 ms.
    Dtmf(char),
}

/// One burst of sound followed by a silence.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Burst {
    /// Samples of sound.
    on: u32,
    /// Samples of silence after it.
    off: u32,
    /// The sines that sound together (a zero frequency is unused).
    frequencies: [f32; 2],
    /// Peak of each sine, relative to full scale.
    level: f32,
}

impl Burst {
    const SILENT: Self = Self { on: 0, off: 0, frequencies: [0.0, 0.0], level: 0.0 };

    const fn new(on_ms: u32, off_ms: u32, frequencies: [f32; 2], level: f32) -> Self {
        Self { on: on_ms * RATE / 1000, off: off_ms * RATE / 1000, frequencies, level }
    }

    fn length(&self) -> u32 {
        self.on.saturating_add(self.off)
    }
}

/// The most bursts a cadence holds.
const MOST_BURSTS: usize = 8;

/// Fills 8 kHz frames with one tone's cadence, repeating it where the tone repeats.
#[derive(Clone, Debug)]
pub struct ToneGenerator {
    bursts: [Burst; MOST_BURSTS],
    count: usize,
    repeats: bool,
    /// Which burst is sounding.
    index: usize,
    /// Samples into that burst.
    position: u32,
    /// Phase of each sine, in cycles (0..1), kept running across bursts.
    phases: [f32; 2],
    finished: bool,
}

impl ToneGenerator {
    /// A generator at the start of `tone`'s cadence.
    #[must_use]
    pub fn new(tone: Tone) -> Self {
        let mut bursts = [Burst::SILENT; MOST_BURSTS];
        let (count, repeats) = match tone {
            Tone::Ringback => {
                bursts[0] = Burst::new(1_500, 3_500, [440.0, 0.0], PROGRESS_LEVEL);
                (1, true)
            }
            Tone::Busy => {
                bursts[0] = Burst::new(500, 500, [440.0, 0.0], PROGRESS_LEVEL);
                (1, true)
            }
            Tone::CallWaiting => {
                bursts[0] = Burst::new(300, 9_700, [440.0, 0.0], WAITING_LEVEL);
                (1, true)
            }
            Tone::Ringing => {
                // E5 and C5 alternating every quarter second: a soft two-note trill.
                for (at, burst) in bursts.iter_mut().enumerate() {
                    let note = if at % 2 == 0 { 659.25 } else { 523.25 };
                    let off = if at == MOST_BURSTS - 1 { 4_000 } else { 0 };
                    *burst = Burst::new(250, off, [note, 0.0], PROGRESS_LEVEL);
                }
                (MOST_BURSTS, true)
            }
            Tone::Dtmf(key) => match dtmf_pair(key) {
                Some(pair) => {
                    bursts[0] = Burst::new(DTMF_MILLISECONDS, 0, pair, DTMF_LEVEL);
                    (1, false)
                }
                None => (0, false),
            },
        };
        Self { bursts, count, repeats, index: 0, position: 0, phases: [0.0, 0.0], finished: count == 0 }
    }

    /// Writes the next 10 ms of the tone into `out`; after a one-shot tone ends, silence.
    pub fn fill(&mut self, out: &mut [i16; FRAME]) {
        for sample in out.iter_mut() {
            *sample = self.next_sample();
        }
    }

    /// Whether a one-shot tone (DTMF feedback) has played to its end; repeating tones never finish.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn next_sample(&mut self) -> i16 {
        if self.finished {
            return 0;
        }
        let Some(burst) = self.bursts.get(self.index).copied() else {
            self.finished = true;
            return 0;
        };
        let mut value = 0.0;
        if self.position < burst.on {
            let envelope = ramp(self.position.min(burst.on - 1 - self.position));
            for (phase, frequency) in self.phases.iter().zip(burst.frequencies) {
                if frequency > 0.0 {
                    value += (TAU * phase).sin();
                }
            }
            value *= burst.level * envelope;
        }
        for (phase, frequency) in self.phases.iter_mut().zip(burst.frequencies) {
            *phase = (*phase + frequency / RATE as f32).fract();
        }
        self.position += 1;
        if self.position >= burst.length() {
            self.position = 0;
            self.index += 1;
            if self.index >= self.count {
                self.index = 0;
                self.finished = !self.repeats;
            }
        }
        (value * f32::from(i16::MAX)).round() as i16
    }
}

/// The raised-cosine gain `distance` samples inside a burst's edge.
fn ramp(distance: u32) -> f32 {
    if distance >= RAMP { 1.0 } else { 0.5 - 0.5 * (std::f32::consts::PI * distance as f32 / RAMP as f32).cos() }
}

/// The low and high frequencies of a DTMF key, if `key` is one.
fn dtmf_pair(key: char) -> Option<[f32; 2]> {
    let key = key.to_ascii_uppercase();
    KEYPAD
        .iter()
        .zip(DTMF_ROWS)
        .find_map(|(row, low)| row.iter().zip(DTMF_COLUMNS).find(|(k, _)| **k == key).map(|(_, high)| [low, high]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `seconds` of `tone`, frame by frame.
    fn play(tone: Tone, seconds: f32) -> Vec<i16> {
        let mut generator = ToneGenerator::new(tone);
        let frames = (seconds * 100.0).round() as usize;
        let mut samples = Vec::with_capacity(frames * FRAME);
        let mut frame = [0; FRAME];
        for _ in 0..frames {
            generator.fill(&mut frame);
            samples.extend_from_slice(&frame);
        }
        samples
    }

    /// Power of `frequency` in `samples` (Goertzel), normalised so a full-scale sine gives about 1.
    fn goertzel(samples: &[i16], frequency: f32) -> f32 {
        let coefficient = 2.0 * (TAU * frequency / RATE as f32).cos();
        let (mut previous, mut before) = (0.0f32, 0.0f32);
        for &sample in samples {
            let current = f32::from(sample) / 32768.0 + coefficient * previous - before;
            before = previous;
            previous = current;
        }
        let power = previous * previous + before * before - coefficient * previous * before;
        let half = samples.len() as f32 / 2.0;
        power / (half * half)
    }

    /// Start and end (sample indices) of each stretch where the tone sounds.
    fn bursts(samples: &[i16]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut start = None;
        let mut last_loud = 0;
        for (at, sample) in samples.iter().enumerate() {
            if sample.unsigned_abs() > 0 {
                if start.is_none() {
                    start = Some(at);
                }
                last_loud = at;
            } else if let Some(begun) = start
                && at - last_loud > 20
            {
                found.push((begun, last_loud + 1));
                start = None;
            }
        }
        if let Some(begun) = start {
            found.push((begun, last_loud + 1));
        }
        found
    }

    fn peak(samples: &[i16]) -> f32 {
        samples.iter().map(|s| f32::from(s.unsigned_abs())).fold(0.0, f32::max) / 32767.0
    }

    fn decibels(level: f32) -> f32 {
        20.0 * level.log10()
    }

    #[test]
    fn ringback_is_440_hz_one_and_a_half_seconds_on_three_and_a_half_off() {
        let samples = play(Tone::Ringback, 10.0);
        let found = bursts(&samples);
        assert_eq!(found.len(), 2, "{found:?}");
        for (start, end) in &found {
            let on_ms = (end - start) as f32 / 8.0;
            assert!((on_ms - 1_500.0).abs() <= 1.0, "on for {on_ms} ms");
        }
        assert_eq!(found[1].0 - found[0].0, 5 * 8_000, "the cadence repeats every 5 s");
        let burst = &samples[found[0].0 + 400..found[0].0 + 8_400];
        assert!(goertzel(burst, 440.0) > 100.0 * goertzel(burst, 480.0));
        assert!(goertzel(burst, 440.0) > 100.0 * goertzel(burst, 400.0));
    }

    #[test]
    fn busy_is_440_hz_half_a_second_on_half_a_second_off() {
        let samples = play(Tone::Busy, 3.0);
        let found = bursts(&samples);
        assert_eq!(found.len(), 3, "{found:?}");
        for window in found.windows(2) {
            assert_eq!(window[1].0 - window[0].0, 8_000, "one burst a second");
            let on_ms = (window[0].1 - window[0].0) as f32 / 8.0;
            assert!((on_ms - 500.0).abs() <= 1.0, "on for {on_ms} ms");
        }
        let burst = &samples[found[0].0 + 200..found[0].0 + 3_800];
        assert!(goertzel(burst, 440.0) > 100.0 * goertzel(burst, 880.0));
    }

    #[test]
    fn call_waiting_beeps_quietly_every_ten_seconds() {
        let samples = play(Tone::CallWaiting, 25.0);
        let found = bursts(&samples);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[1].0 - found[0].0, 10 * 8_000);
        let on_ms = (found[0].1 - found[0].0) as f32 / 8.0;
        assert!((on_ms - 300.0).abs() <= 1.0, "on for {on_ms} ms");
        let level = decibels(peak(&samples));
        assert!((-25.0..-23.0).contains(&level), "the beep is quieter than other tones: {level:.1} dBFS");
    }

    #[test]
    fn ringing_alternates_two_notes_for_two_seconds_then_rests_four() {
        let samples = play(Tone::Ringing, 12.0);
        let first = &samples[400..1_600];
        let second = &samples[2_400..3_600];
        assert!(goertzel(first, 659.25) > 100.0 * goertzel(first, 523.25));
        assert!(goertzel(second, 523.25) > 100.0 * goertzel(second, 659.25));
        let loud_until = samples[..6 * 8_000].iter().rposition(|s| *s != 0).unwrap();
        assert!((2 * 8_000 - 40..=2 * 8_000).contains(&loud_until), "rings for 2 s: {loud_until}");
        assert!(samples[2 * 8_000..6 * 8_000].iter().all(|s| *s == 0), "then 4 s of silence");
        assert!(samples[6 * 8_000..6 * 8_000 + 400].iter().any(|s| *s != 0), "then rings again");
    }

    #[test]
    fn progress_tones_sit_near_minus_18_dbfs() {
        for tone in [Tone::Ringback, Tone::Busy, Tone::Ringing] {
            let level = decibels(peak(&play(tone, 1.0)));
            assert!((-18.5..-17.5).contains(&level), "{tone:?} at {level:.1} dBFS");
        }
        let dtmf = decibels(peak(&play(Tone::Dtmf('5'), 0.2)));
        assert!((-16.0..-14.5).contains(&dtmf), "a DTMF pair peaks near −15 dBFS: {dtmf:.1}");
    }

    #[test]
    fn bursts_start_and_end_without_clicks() {
        for tone in [Tone::Ringback, Tone::Busy, Tone::Ringing, Tone::CallWaiting, Tone::Dtmf('D'), Tone::Dtmf('1')] {
            let generator = ToneGenerator::new(tone);
            // The largest step a full-level sine of these frequencies can take.
            let sine_step: f32 = generator.bursts[..generator.count]
                .iter()
                .map(|b| {
                    b.frequencies.iter().map(|f| 2.0 * (std::f32::consts::PI * f / RATE as f32).sin() * b.level).sum()
                })
                .fold(0.0, f32::max)
                * 32767.0;
            let samples = play(tone, 11.0);
            let largest =
                samples.windows(2).map(|pair| (i32::from(pair[1]) - i32::from(pair[0])).unsigned_abs()).max().unwrap();
            assert!(largest as f32 <= sine_step + 1.0, "{tone:?}: step {largest} > sine's {sine_step:.0}");
            assert_eq!(samples[0], 0, "{tone:?} starts from silence");
            // Within 1 ms of each edge the ramp holds the tone under a tenth of its peak.
            let edge_limit = 0.1 * peak(&samples) * 32767.0;
            for (start, end) in bursts(&samples).into_iter().filter(|(_, end)| *end < samples.len()) {
                for sample in samples[start..start + 8].iter().chain(&samples[end - 8..end]) {
                    assert!(f32::from(sample.unsigned_abs()) <= edge_limit, "{tone:?} fades at {start}..{end}");
                }
            }
        }
    }

    #[test]
    fn dtmf_feedback_sounds_each_key_pair_once() {
        for (row, low) in KEYPAD.iter().zip(DTMF_ROWS) {
            for (key, high) in row.iter().zip(DTMF_COLUMNS) {
                let mut generator = ToneGenerator::new(Tone::Dtmf(*key));
                let mut samples = Vec::new();
                let mut frame = [0; FRAME];
                while !generator.is_finished() {
                    generator.fill(&mut frame);
                    samples.extend_from_slice(&frame);
                    assert!(samples.len() < 8_000, "{key} ends");
                }
                assert_eq!(samples.len(), DTMF_MILLISECONDS as usize * 8, "{key} lasts 120 ms");
                let mut powers: Vec<(f32, f32)> =
                    DTMF_ROWS.iter().chain(&DTMF_COLUMNS).map(|f| (goertzel(&samples, *f), *f)).collect();
                powers.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut strongest = [powers[0].1 as u32, powers[1].1 as u32];
                strongest.sort_unstable();
                assert_eq!(strongest, [low as u32, high as u32], "key {key}");
                assert!(powers[1].0 > 20.0 * powers[2].0, "key {key}: the pair stands out");
                generator.fill(&mut frame);
                assert_eq!(frame, [0; FRAME], "silence after the feedback");
            }
        }
    }

    #[test]
    fn lower_case_letters_are_dtmf_keys_and_other_characters_are_silent() {
        assert_eq!(dtmf_pair('a'), Some([697.0, 1633.0]));
        assert_eq!(dtmf_pair('#'), Some([941.0, 1477.0]));
        let mut generator = ToneGenerator::new(Tone::Dtmf('x'));
        assert!(generator.is_finished());
        let mut frame = [1; FRAME];
        generator.fill(&mut frame);
        assert_eq!(frame, [0; FRAME]);
    }
}
