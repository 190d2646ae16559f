//! The phone's own tones at 8 kHz in 10 ms frames: ring-back while the
//! other side rings (French/ETSI cadence), the ring of an incoming call,
//! the call-waiting beep, busy, and DTMF key feedback.
//!
//! Sines are phase-continuous and every burst starts and ends with a 5 ms
//! ramp, so no tone clicks.

use crate::voice::jitter::FRAME;

const RATE: f32 = 8000.0;
/// About −18 dBFS.
const LEVEL: f32 = 4100.0;
const RAMP: f32 = 40.0;

/// Which tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The other side rings: 440 Hz, 1.5 s on, 3.5 s off.
    Ringback,
    /// A call comes in: a soft 440 + 480 Hz ring, 2 s on, 4 s off.
    Ringing,
    /// Another call waits: a quiet 440 Hz beep of 300 ms every 10 s.
    CallWaiting,
    /// The other side is busy: 440 Hz, 0.5 s on, 0.5 s off.
    Busy,
    /// Feedback for a DTMF key: its two frequencies.
    Dtmf(char),
}

impl Tone {
    /// Frequencies, level, and the on/off cadence in samples (off 0 = steady).
    fn shape(self) -> ([f32; 2], f32, u32, u32) {
        let seconds = |s: f32| (s * RATE) as u32;
        match self {
            Self::Ringback => ([440.0, 0.0], LEVEL, seconds(1.5), seconds(3.5)),
            Self::Ringing => ([440.0, 480.0], LEVEL * 0.6, seconds(2.0), seconds(4.0)),
            Self::CallWaiting => ([440.0, 0.0], LEVEL * 0.5, seconds(0.3), seconds(9.7)),
            Self::Busy => ([440.0, 0.0], LEVEL, seconds(0.5), seconds(0.5)),
            Self::Dtmf(digit) => (dtmf_pair(digit).unwrap_or([0.0, 0.0]), LEVEL * 0.7, seconds(0.1), seconds(0.1)),
        }
    }
}

/// The low and high frequencies of a DTMF key.
#[must_use]
pub fn dtmf_pair(digit: char) -> Option<[f32; 2]> {
    const LOW: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
    const HIGH: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    let (row, column) = match digit.to_ascii_uppercase() {
        '1' => (0, 0),
        '2' => (0, 1),
        '3' => (0, 2),
        'A' => (0, 3),
        '4' => (1, 0),
        '5' => (1, 1),
        '6' => (1, 2),
        'B' => (1, 3),
        '7' => (2, 0),
        '8' => (2, 1),
        '9' => (2, 2),
        'C' => (2, 3),
        '*' => (3, 0),
        '0' => (3, 1),
        '#' => (3, 2),
        'D' => (3, 3),
        _ => return None,
    };
    Some([LOW[row], HIGH[column]])
}

/// Generates one tone, frame after frame.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    frequencies: [f32; 2],
    level: f32,
    on: u32,
    off: u32,
    position: u32,
    phases: [f32; 2],
}

impl ToneGenerator {
    /// A generator at the start of the tone's first burst.
    #[must_use]
    pub fn new(tone: Tone) -> Self {
        let (frequencies, level, on, off) = tone.shape();
        Self { frequencies, level, on, off, position: 0, phases: [0.0; 2] }
    }

    /// The next 10 ms.
    pub fn fill(&mut self, out: &mut [i16; FRAME]) {
        let period = self.on + self.off;
        for sample in out.iter_mut() {
            let at = self.position % period.max(1);
            let envelope =
                if at < self.on { (at as f32 / RAMP).min((self.on - at) as f32 / RAMP).min(1.0) } else { 0.0 };
            let mut value = 0.0;
            let voices = if self.frequencies[1] > 0.0 { 2.0 } else { 1.0 };
            for (phase, &frequency) in self.phases.iter_mut().zip(&self.frequencies) {
                if frequency > 0.0 {
                    value += phase.sin() / voices;
                    *phase = (*phase + std::f32::consts::TAU * frequency / RATE) % std::f32::consts::TAU;
                }
            }
            *sample = (value * envelope * self.level) as i16;
            self.position = (self.position + 1) % period.max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(tone: Tone, seconds: f32) -> Vec<i16> {
        let mut generator = ToneGenerator::new(tone);
        let mut out = Vec::new();
        let mut frame = [0i16; FRAME];
        for _ in 0..(seconds * 100.0) as usize {
            generator.fill(&mut frame);
            out.extend_from_slice(&frame);
        }
        out
    }

    fn energy(samples: &[i16], frequency: f32) -> f32 {
        let coefficient = 2.0 * (std::f32::consts::TAU * frequency / RATE).cos();
        let (mut previous, mut before) = (0.0f32, 0.0f32);
        for &sample in samples {
            let current = f32::from(sample) / 32768.0 + coefficient * previous - before;
            before = previous;
            previous = current;
        }
        (previous * previous + before * before - coefficient * previous * before) / samples.len() as f32
    }

    #[test]
    fn ringback_follows_its_cadence() {
        let samples = render(Tone::Ringback, 10.0);
        let loud = |from: f32, to: f32| {
            samples[(from * RATE) as usize..(to * RATE) as usize].iter().any(|s| s.unsigned_abs() > 1000)
        };
        assert!(loud(0.1, 1.4) && !loud(1.6, 4.9) && loud(5.1, 6.4));
        assert!(energy(&samples[800..8000], 440.0) > 50.0 * energy(&samples[800..8000], 600.0));
    }

    #[test]
    fn bursts_ramp_without_clicks() {
        for tone in [Tone::Ringback, Tone::Ringing, Tone::Busy, Tone::CallWaiting, Tone::Dtmf('5')] {
            let samples = render(tone, 3.0);
            // A sine moves at most amplitude·2πf/rate per sample; a click would jump further.
            let (frequencies, level, _, _) = tone.shape();
            let voices = if frequencies[1] > 0.0 { 2.0 } else { 1.0 };
            let natural: f32 = frequencies.iter().map(|f| level / voices * std::f32::consts::TAU * f / RATE).sum();
            let largest = samples.windows(2).map(|w| (i32::from(w[1]) - i32::from(w[0])).abs()).max().unwrap();
            assert!((largest as f32) < natural * 1.05, "{tone:?}: step {largest}, the sine's own {natural}");
            let onset = samples.iter().position(|s| *s != 0).unwrap();
            assert!(samples[onset].unsigned_abs() < 200, "{tone:?} starts softly");
        }
    }

    #[test]
    fn dtmf_keys_carry_their_two_frequencies() {
        for digit in ['1', '5', '9', '0', '#', 'D'] {
            let samples = render(Tone::Dtmf(digit), 0.1);
            let [low, high] = dtmf_pair(digit).unwrap();
            let other = if low < 800.0 { 941.0 } else { 697.0 };
            assert!(energy(&samples, low) > 20.0 * energy(&samples, other), "{digit}");
            assert!(energy(&samples, high) > 20.0 * energy(&samples, other), "{digit}");
        }
        assert!(dtmf_pair('x').is_none());
    }
}
