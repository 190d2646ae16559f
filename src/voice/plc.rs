//! Packet-loss concealment for G.711 (ITU-T G.711 Appendix I): a lost
//! 10 ms frame is rebuilt by repeating the last pitch period of the signal,
//! blended at every seam; longer losses use two then three periods and fade
//! out by 20 % per 10 ms, silent after 60 ms; the first good frame after a
//! loss is blended into the synthetic signal. The output runs 3.75 ms behind
//! the input so that the first lost frame can blend into the last good one.
//!
//! Fixed buffers only: nothing allocates after [`Concealer::new`].

/// Samples per frame: 10 ms at 8 kHz.
pub const FRAME: usize = 80;
/// The output lags the input by this many samples (3.75 ms).
pub const DELAY_SAMPLES: usize = POVERLAP_MAX;

const PITCH_MIN: usize = 40;
const PITCH_MAX: usize = 120;
const PITCH_DIFF: usize = PITCH_MAX - PITCH_MIN;
const POVERLAP_MAX: usize = PITCH_MAX >> 2;
const HISTORY: usize = PITCH_MAX * 3 + POVERLAP_MAX;
const DECIMATION: usize = 2;
const CORRELATION_LENGTH: usize = 160;
const CORRELATION_BUFFER: usize = CORRELATION_LENGTH + PITCH_MAX;
const CORRELATION_MIN_POWER: f32 = 250.0;
const END_OVERLAP_STEP: usize = 32;
const ATTENUATION: f32 = 0.2;
const ATTENUATION_STEP: f32 = ATTENUATION / FRAME as f32;

/// The concealment state of one received stream.
pub struct Concealer {
    erased: usize,
    overlap: usize,
    offset: usize,
    pitch: usize,
    /// Length of the repeated pitch buffer (1, 2 or 3 periods).
    period_length: usize,
    pitch_buffer: [f32; HISTORY],
    last_quarter: [f32; POVERLAP_MAX],
    history: [i16; HISTORY],
    concealed: u64,
}

impl Default for Concealer {
    fn default() -> Self {
        Self::new()
    }
}

fn clamp(value: f32) -> i16 {
    value.clamp(-32768.0, 32767.0) as i16
}

impl Concealer {
    /// A concealer with silent history.
    #[must_use]
    pub fn new() -> Self {
        Self {
            erased: 0,
            overlap: 0,
            offset: 0,
            pitch: PITCH_MIN,
            period_length: PITCH_MIN,
            pitch_buffer: [0.0; HISTORY],
            last_quarter: [0.0; POVERLAP_MAX],
            history: [0; HISTORY],
            concealed: 0,
        }
    }

    /// Forgets the signal (a new stream).
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Frames concealed so far.
    #[must_use]
    pub fn concealed_frames(&self) -> u64 {
        self.concealed
    }

    /// Takes a received frame and replaces it with the (delayed) output.
    pub fn good_frame(&mut self, frame: &mut [i16; FRAME]) {
        if self.erased > 0 {
            // Blend from the synthetic signal into the real one, longer after longer losses.
            let length = (self.overlap + (self.erased - 1) * END_OVERLAP_STEP).min(FRAME);
            let mut synthetic = [0.0f32; FRAME];
            self.synthesise(&mut synthetic[..length]);
            self.overlap_add_at_end(frame, &synthetic[..length]);
            self.erased = 0;
        }
        self.save(frame);
    }

    /// Fills `out` with a concealed frame for one that never arrived.
    pub fn lost_frame(&mut self, out: &mut [i16; FRAME]) {
        self.concealed += 1;
        let mut frame = [0.0f32; FRAME];
        match self.erased {
            0 => {
                for (target, &sample) in self.pitch_buffer.iter_mut().zip(self.history.iter()) {
                    *target = f32::from(sample);
                }
                self.pitch = self.find_pitch();
                self.overlap = self.pitch >> 2;
                let tail = HISTORY - self.overlap;
                self.last_quarter[..self.overlap].copy_from_slice(&self.pitch_buffer[tail..]);
                self.offset = 0;
                self.period_length = self.pitch;
                self.blend_loop_seam();
                // The blended tail has not been played yet (it is in the delay): put it back.
                for (target, &value) in
                    self.history[HISTORY - POVERLAP_MAX..].iter_mut().zip(&self.pitch_buffer[HISTORY - POVERLAP_MAX..])
                {
                    *target = clamp(value);
                }
                self.synthesise(&mut frame);
            }
            1 | 2 => {
                // One more period each time, blended with where the last one left off.
                let mut carry = [0.0f32; POVERLAP_MAX];
                let saved = self.offset;
                self.synthesise(&mut carry[..self.overlap]);
                self.offset = saved;
                while self.offset > self.pitch {
                    self.offset -= self.pitch;
                }
                self.period_length += self.pitch;
                self.blend_loop_seam();
                self.synthesise(&mut frame);
                let overlap = self.overlap;
                overlap_add_in_place(&carry[..overlap], &mut frame[..overlap]);
                self.scale(&mut frame);
            }
            3..=5 => {
                self.synthesise(&mut frame);
                self.scale(&mut frame);
            }
            _ => {}
        }
        self.erased += 1;
        for (target, &value) in out.iter_mut().zip(frame.iter()) {
            *target = clamp(value);
        }
        self.save(out);
    }

    /// Blends the signal one period back into the quarter period before the
    /// end of the pitch buffer, so that looping it has no seam.
    fn blend_loop_seam(&mut self) {
        let overlap = self.overlap;
        let start = HISTORY - self.period_length;
        let end = HISTORY;
        let step = 1.0 / overlap as f32;
        let (mut left, mut right) = (1.0 - step, step);
        for i in 0..overlap {
            let value = left * self.last_quarter[i] + right * self.pitch_buffer[start - overlap + i];
            self.pitch_buffer[end - overlap + i] = f32::from(clamp(value));
            left -= step;
            right += step;
        }
    }

    /// Pushes a frame into the history and returns, in place, the frame delayed by [`DELAY_SAMPLES`].
    fn save(&mut self, frame: &mut [i16; FRAME]) {
        self.history.copy_within(FRAME.., 0);
        self.history[HISTORY - FRAME..].copy_from_slice(frame);
        frame.copy_from_slice(&self.history[HISTORY - FRAME - POVERLAP_MAX..HISTORY - POVERLAP_MAX]);
    }

    /// Continues the synthetic signal by cycling the pitch buffer.
    fn synthesise(&mut self, out: &mut [f32]) {
        let start = HISTORY - self.period_length;
        let mut written = 0;
        while written < out.len() {
            let count = (self.period_length - self.offset).min(out.len() - written);
            out[written..written + count]
                .copy_from_slice(&self.pitch_buffer[start + self.offset..start + self.offset + count]);
            self.offset += count;
            if self.offset == self.period_length {
                self.offset = 0;
            }
            written += count;
        }
    }

    /// Fades by 20 % per 10 ms after the first 10 ms of loss.
    fn scale(&self, frame: &mut [f32; FRAME]) {
        let mut gain = 1.0 - (self.erased as f32 - 1.0) * ATTENUATION;
        for sample in frame.iter_mut() {
            *sample *= gain.max(0.0);
            gain -= ATTENUATION_STEP;
        }
    }

    /// Blends the synthetic signal (faded as the loss was long) into the start of the good frame.
    fn overlap_add_at_end(&self, frame: &mut [i16; FRAME], synthetic: &[f32]) {
        let count = synthetic.len();
        if count == 0 {
            return;
        }
        let step = 1.0 / count as f32;
        let gain = (1.0 - (self.erased as f32 - 1.0) * ATTENUATION).max(0.0);
        let gain_step = step * gain;
        let (mut left, mut right) = ((1.0 - step) * gain, step);
        for (sample, &fake) in frame.iter_mut().zip(synthetic) {
            *sample = clamp(left * fake + right * f32::from(*sample));
            left -= gain_step;
            right += step;
        }
    }

    /// The pitch period (40–120 samples) of the last 20 ms, by normalised
    /// cross-correlation: a coarse search on every other sample, then a fine one.
    fn find_pitch(&self) -> usize {
        let buffer = &self.pitch_buffer;
        let reference = HISTORY - CORRELATION_LENGTH;
        let region = HISTORY - CORRELATION_BUFFER;
        let correlate = |at: usize, stride: usize| -> f32 {
            (0..CORRELATION_LENGTH).step_by(stride).map(|i| buffer[at + i] * buffer[reference + i]).sum()
        };
        let mut energy: f32 =
            (0..CORRELATION_LENGTH).step_by(DECIMATION).map(|i| buffer[region + i] * buffer[region + i]).sum();
        let mut best = correlate(region, DECIMATION) / energy.max(CORRELATION_MIN_POWER).sqrt();
        let mut best_match = 0;
        let mut at = region;
        for shift in (DECIMATION..=PITCH_DIFF).step_by(DECIMATION) {
            energy -= buffer[at] * buffer[at];
            energy += buffer[at + CORRELATION_LENGTH] * buffer[at + CORRELATION_LENGTH];
            at += DECIMATION;
            let score = correlate(at, DECIMATION) / energy.max(CORRELATION_MIN_POWER).sqrt();
            if score >= best {
                best = score;
                best_match = shift;
            }
        }
        let first = best_match.saturating_sub(DECIMATION - 1);
        let last = (best_match + DECIMATION - 1).min(PITCH_DIFF);
        let mut at = region + first;
        let mut energy: f32 = (0..CORRELATION_LENGTH).map(|i| buffer[at + i] * buffer[at + i]).sum();
        let mut best = correlate(at, 1) / energy.max(CORRELATION_MIN_POWER).sqrt();
        let mut best_match = first;
        for shift in first + 1..=last {
            energy -= buffer[at] * buffer[at];
            energy += buffer[at + CORRELATION_LENGTH] * buffer[at + CORRELATION_LENGTH];
            at += 1;
            let score = correlate(at, 1) / energy.max(CORRELATION_MIN_POWER).sqrt();
            if score > best {
                best = score;
                best_match = shift;
            }
        }
        PITCH_MAX - best_match
    }
}

/// Cross-fades from `from` into `into` over their common length.
fn overlap_add_in_place(from: &[f32], into: &mut [f32]) {
    let count = into.len().min(from.len());
    if count == 0 {
        return;
    }
    let step = 1.0 / count as f32;
    let (mut left, mut right) = (1.0 - step, step);
    for (target, &old) in into.iter_mut().zip(from) {
        *target = f32::from(clamp(left * old + right * *target));
        left -= step;
        right += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frequency: f32, start: usize, out: &mut [i16; FRAME]) {
        for (i, sample) in out.iter_mut().enumerate() {
            *sample = (10_000.0 * (2.0 * std::f32::consts::PI * frequency * (start + i) as f32 / 8000.0).sin()) as i16;
        }
    }

    /// Plays `frames` frames of a sine, losing those in `lost`; returns the output and the undelayed input.
    fn play(frequency: f32, frames: usize, lost: &[usize]) -> (Vec<i16>, Vec<i16>) {
        let mut concealer = Concealer::new();
        let (mut output, mut input) = (Vec::new(), Vec::new());
        for n in 0..frames {
            let mut frame = [0i16; FRAME];
            sine(frequency, n * FRAME, &mut frame);
            input.extend_from_slice(&frame);
            if lost.contains(&n) {
                concealer.lost_frame(&mut frame);
            } else {
                concealer.good_frame(&mut frame);
            }
            output.extend_from_slice(&frame);
        }
        (output, input)
    }

    fn correlation(a: &[i16], b: &[i16]) -> f64 {
        let dot: f64 = a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum();
        let energy = |s: &[i16]| s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
        dot / (energy(a) * energy(b)).sqrt().max(1.0)
    }

    #[test]
    fn an_all_good_stream_is_delayed_by_exactly_thirty_samples() {
        let (output, input) = play(300.0, 20, &[]);
        assert_eq!(&output[DELAY_SAMPLES..], &input[..input.len() - DELAY_SAMPLES]);
    }

    #[test]
    fn a_lost_frame_of_a_steady_tone_is_rebuilt_closely() {
        for frequency in [200.0, 330.0] {
            for lost in [vec![10], vec![10, 11]] {
                let (output, input) = play(frequency, 20, &lost);
                let start = 10 * FRAME;
                let end = (10 + lost.len()) * FRAME;
                let rebuilt = &output[start + DELAY_SAMPLES..start + DELAY_SAMPLES + FRAME];
                let original = &input[start..start + FRAME];
                let score = correlation(rebuilt, original);
                assert!(score > 0.9, "{frequency} Hz, lost {lost:?}: correlation {score:.3}");
                let _ = end;
            }
        }
    }

    #[test]
    fn long_losses_fade_to_silence_after_sixty_ms() {
        let lost: Vec<usize> = (10..20).collect();
        let (output, _) = play(250.0, 25, &lost);
        let energy = |frame: usize| {
            output[frame * FRAME + DELAY_SAMPLES..(frame + 1) * FRAME + DELAY_SAMPLES]
                .iter()
                .map(|&s| f64::from(s).powi(2))
                .sum::<f64>()
        };
        assert!(energy(12) < energy(10), "fading");
        assert!((16..20).all(|f| energy(f) == 0.0), "silent after 60 ms");
    }

    #[test]
    fn recovery_has_no_click() {
        let (output, input) = play(200.0, 20, &[10, 11, 12]);
        let largest_step =
            |s: &[i16]| s.windows(2).map(|w| (i32::from(w[1]) - i32::from(w[0])).abs()).max().unwrap_or(0);
        let natural = largest_step(&input);
        let around = &output[13 * FRAME..15 * FRAME + DELAY_SAMPLES];
        assert!(largest_step(around) <= natural * 3 / 2, "step {} vs the tone's own {natural}", largest_step(around));
    }

    #[test]
    fn noise_and_silence_stay_bounded() {
        let mut concealer = Concealer::new();
        let mut state = 12_345u32;
        for n in 0..200 {
            let mut frame = [0i16; FRAME];
            for sample in &mut frame {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *sample = (state >> 16) as i16;
            }
            if n % 3 == 0 { concealer.lost_frame(&mut frame) } else { concealer.good_frame(&mut frame) }
        }
        let mut silent = Concealer::new();
        let mut frame = [0i16; FRAME];
        silent.lost_frame(&mut frame);
        assert!(frame.iter().all(|&s| s == 0));
        assert_eq!(concealer.concealed_frames(), 67);
    }
}
