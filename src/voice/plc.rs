//! Packet-loss concealment for 8 kHz speech, after ITU-T G.711 Appendix I.
//!
//! Owns the replacement of lost 10 ms frames by pitch-waveform replication: it keeps the last
//! 48.75 ms of output, finds the pitch of the last 20 ms by normalised cross-correlation (a coarse
//! search at half rate, then a fine one), and repeats the last pitch period, blending each seam
//! with an overlap-add. Output runs 3.75 ms late so that the start of a loss can be blended into
//! the tail of the last good frame. A loss longer than 10 ms widens the repeated block to two then
//! three periods and fades by 20 % per 10 ms, to silence after 60 ms; the first good frame after a
//! loss is blended in over a window that grows with the length of the loss.
//!
//! It must not decide when a frame is lost (the jitter buffer does), allocate after `new`, or know
//! about codecs or RTP: frames of linear samples go in and come out.

/// Samples in one concealment frame: 10 ms at 8 kHz.
pub const FRAME: usize = 80;

/// How late the output runs behind the input, in samples (3.75 ms).
pub const DELAY_SAMPLES: usize = OVERLAP_MAX;

/// The shortest pitch period searched for: 5 ms.
const PITCH_MIN: usize = 40;
/// The longest pitch period searched for: 15 ms.
const PITCH_MAX: usize = 120;
/// How many lags lie between the shortest and the longest pitch.
const PITCH_SPAN: usize = PITCH_MAX - PITCH_MIN;
/// The seam blended when a period is repeated is a quarter of the period, at most this long.
const OVERLAP_MAX: usize = PITCH_MAX / 4;
/// Three of the longest periods plus one blend: 48.75 ms.
const HISTORY: usize = 3 * PITCH_MAX + OVERLAP_MAX;
/// The span whose pitch is measured: the last 20 ms.
const CORRELATION_LEN: usize = 160;
/// The span read by the search: the measured span plus the longest lag.
const CORRELATION_SPAN: usize = CORRELATION_LEN + PITCH_MAX;
/// The coarse search looks at every second sample and every second lag.
const DECIMATION: usize = 2;
/// Below this energy the correlation is not normalised further, so near-silence finds no pitch.
const MIN_POWER: f64 = 250.0;
/// The blend into the first good frame grows by 4 ms for each lost frame after the first.
const END_OVERLAP_GROWTH: usize = 32;
/// Loss of amplitude per lost frame after the first.
const FADE_PER_FRAME: f32 = 0.2;
/// The same loss, spread evenly over the samples of a frame.
const FADE_PER_SAMPLE: f32 = FADE_PER_FRAME / FRAME as f32;
/// After this many lost frames (60 ms) the output is silence.
const FRAMES_UNTIL_SILENCE: u32 = 6;

/// Conceals lost 10 ms frames of 8 kHz speech by repeating its last pitch periods.
#[derive(Clone, Debug)]
pub struct Concealer {
    /// The last 48.75 ms written, newest last; its oldest part is what comes out next.
    history: [i16; HISTORY],
    /// The history as it was when the loss began, whose end is the block being repeated.
    pitch_buffer: [f32; HISTORY],
    /// The real tail of the history before its last quarter period was blended.
    real_tail: [f32; OVERLAP_MAX],
    /// Lost frames since the last good one.
    lost_in_row: u32,
    pitch: usize,
    /// Length of the blend at each seam: a quarter of the pitch.
    overlap: usize,
    /// How many samples at the end of `pitch_buffer` are being repeated (1 to 3 periods).
    block_len: usize,
    /// Where in the repeated block the next sample comes from.
    offset: usize,
    concealed: u64,
}

impl Default for Concealer {
    fn default() -> Self {
        Self::new()
    }
}

impl Concealer {
    /// A concealer with silent history, whose output starts with `DELAY_SAMPLES` of silence.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            history: [0; HISTORY],
            pitch_buffer: [0.0; HISTORY],
            real_tail: [0.0; OVERLAP_MAX],
            lost_in_row: 0,
            pitch: PITCH_MIN,
            overlap: PITCH_MIN / 4,
            block_len: PITCH_MIN,
            offset: 0,
            concealed: 0,
        }
    }

    /// Takes a received frame and replaces it in place by the output, `DELAY_SAMPLES` late.
    pub fn good_frame(&mut self, frame: &mut [i16; FRAME]) {
        if self.lost_in_row > 0 {
            self.blend_into_real_signal(frame);
            self.lost_in_row = 0;
        }
        self.save_and_delay(frame);
    }

    /// Fills `out` with the output for a frame that never arrived.
    pub fn lost_frame(&mut self, out: &mut [i16; FRAME]) {
        match self.lost_in_row {
            0 => self.start_concealment(out),
            1 | 2 => {
                self.add_period(out);
                self.fade(out);
            }
            lost if lost < FRAMES_UNTIL_SILENCE => {
                self.synthesise(out);
                self.fade(out);
            }
            _ => out.fill(0),
        }
        self.lost_in_row = self.lost_in_row.saturating_add(1);
        self.concealed = self.concealed.saturating_add(1);
        self.save_and_delay(out);
    }

    /// How many frames have been concealed since `new` or `reset`.
    #[must_use]
    pub const fn concealed_frames(&self) -> u64 {
        self.concealed
    }

    /// Forgets the signal and the count, as at the start of a new call.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// First lost frame: find the pitch and repeat the last period, its seam blended.
    fn start_concealment(&mut self, out: &mut [i16; FRAME]) {
        for (stored, &sample) in self.pitch_buffer.iter_mut().zip(&self.history) {
            *stored = f32::from(sample);
        }
        self.pitch = self.find_pitch();
        self.overlap = self.pitch / 4;
        let overlap = self.overlap;
        self.real_tail[..overlap].copy_from_slice(&self.pitch_buffer[HISTORY - overlap..]);
        self.offset = 0;
        self.block_len = self.pitch;
        self.blend_block_seam();
        // The blended tail has not been played yet (it is within the output delay), so the
        // listener hears the real signal turn smoothly into the repeated period.
        for (sample, &blended) in
            self.history[HISTORY - overlap..].iter_mut().zip(&self.pitch_buffer[HISTORY - overlap..])
        {
            *sample = to_sample(blended);
        }
        self.synthesise(out);
    }

    /// Second and third lost frames: repeat one more period, to sound less buzzy.
    fn add_period(&mut self, out: &mut [i16; FRAME]) {
        let overlap = self.overlap;
        // Carry the old block on for a quarter period, to blend it into the longer one.
        let mut old_block = [0_i16; OVERLAP_MAX];
        let resume_at = self.offset;
        self.synthesise(&mut old_block[..overlap]);
        self.offset = resume_at;
        // Keep the phase: the longer block starts whole periods earlier.
        while self.offset > self.pitch {
            self.offset -= self.pitch;
        }
        self.block_len += self.pitch;
        self.blend_block_seam();
        self.synthesise(out);
        let (head, _) = out.split_at_mut(overlap);
        let step = 1.0 / overlap as f32;
        let mut weight = step;
        for (sample, &old) in head.iter_mut().zip(&old_block[..overlap]) {
            *sample = to_sample((1.0 - weight) * f32::from(old) + weight * f32::from(*sample));
            weight += step;
        }
    }

    /// Blends the end of the repeated block with what came just before its start, so that the
    /// block loops without a seam; the real tail fades out as the earlier samples fade in.
    fn blend_block_seam(&mut self) {
        let overlap = self.overlap;
        let start = HISTORY - self.block_len;
        let mut before_start = [0.0_f32; OVERLAP_MAX];
        before_start[..overlap].copy_from_slice(&self.pitch_buffer[start - overlap..start]);
        let step = 1.0 / overlap as f32;
        let mut weight = step;
        let tail = &mut self.pitch_buffer[HISTORY - overlap..];
        for ((sample, &real), &earlier) in tail.iter_mut().zip(&self.real_tail[..overlap]).zip(&before_start[..overlap])
        {
            *sample = (1.0 - weight) * real + weight * earlier;
            weight += step;
        }
    }

    /// The first good frame after a loss: the concealment carries on and fades into it.
    fn blend_into_real_signal(&mut self, frame: &mut [i16; FRAME]) {
        let extra_frames = (self.lost_in_row - 1) as usize;
        let len = extra_frames.saturating_mul(END_OVERLAP_GROWTH).saturating_add(self.overlap).min(FRAME);
        let mut synthetic = [0_i16; FRAME];
        self.synthesise(&mut synthetic[..len]);
        // The concealment was fading; carry on from the level it had reached.
        let gain = (1.0 - (self.lost_in_row - 1) as f32 * FADE_PER_FRAME).max(0.0);
        let step = 1.0 / len as f32;
        let mut weight = step;
        for (sample, &concealed) in frame[..len].iter_mut().zip(&synthetic[..len]) {
            *sample = to_sample((1.0 - weight) * gain * f32::from(concealed) + weight * f32::from(*sample));
            weight += step;
        }
    }

    /// Copies the repeated block into `out`, looping, from where it left off.
    fn synthesise(&mut self, out: &mut [i16]) {
        let start = HISTORY - self.block_len;
        for sample in out {
            *sample = to_sample(self.pitch_buffer[start + self.offset]);
            self.offset += 1;
            if self.offset >= self.block_len {
                self.offset = 0;
            }
        }
    }

    /// Fades a frame linearly from the level the loss has reached, 20 % lower per frame.
    fn fade(&self, out: &mut [i16; FRAME]) {
        let mut gain = 1.0 - self.lost_in_row.saturating_sub(1) as f32 * FADE_PER_FRAME;
        for sample in out {
            *sample = to_sample(f32::from(*sample) * gain.max(0.0));
            gain -= FADE_PER_SAMPLE;
        }
    }

    /// Appends a frame to the history and replaces it by the frame that falls out of the delay.
    fn save_and_delay(&mut self, frame: &mut [i16; FRAME]) {
        self.history.copy_within(FRAME.., 0);
        self.history[HISTORY - FRAME..].copy_from_slice(frame);
        frame.copy_from_slice(&self.history[HISTORY - FRAME - DELAY_SAMPLES..HISTORY - DELAY_SAMPLES]);
    }

    /// The pitch period of the last 20 ms, in samples (40 to 120).
    ///
    /// Each candidate lag is scored by the correlation of the last 20 ms with the 20 ms that lag
    /// earlier, divided by the root energy of the earlier span. Every second lag is scored on every
    /// second sample first; the best of those is refined over its neighbours at full rate.
    fn find_pitch(&self) -> usize {
        let buffer = &self.pitch_buffer;
        // Candidate `j` starts at `earliest + j`: lag `PITCH_MAX - j`.
        let earliest = HISTORY - CORRELATION_SPAN;
        let energy_of = |sample: f32| f64::from(sample) * f64::from(sample);
        let score = |correlation: f64, energy: f64| correlation / energy.max(MIN_POWER).sqrt();

        let mut energy: f64 =
            buffer[earliest..earliest + CORRELATION_LEN].iter().step_by(DECIMATION).copied().map(energy_of).sum();
        let mut best_score = score(self.correlation(earliest, DECIMATION), energy);
        let mut best = 0;
        for candidate in (DECIMATION..=PITCH_SPAN).step_by(DECIMATION) {
            let previous = earliest + candidate - DECIMATION;
            energy += energy_of(buffer[previous + CORRELATION_LEN]) - energy_of(buffer[previous]);
            let candidate_score = score(self.correlation(earliest + candidate, DECIMATION), energy);
            // Ties go to the shorter period, which repeats more naturally.
            if candidate_score >= best_score {
                best_score = candidate_score;
                best = candidate;
            }
        }

        let first = best.saturating_sub(DECIMATION - 1);
        let last = (best + DECIMATION - 1).min(PITCH_SPAN);
        energy = buffer[earliest + first..earliest + first + CORRELATION_LEN].iter().copied().map(energy_of).sum();
        best_score = score(self.correlation(earliest + first, 1), energy);
        best = first;
        for candidate in first + 1..=last {
            let previous = earliest + candidate - 1;
            energy += energy_of(buffer[previous + CORRELATION_LEN]) - energy_of(buffer[previous]);
            let candidate_score = score(self.correlation(earliest + candidate, 1), energy);
            if candidate_score > best_score {
                best_score = candidate_score;
                best = candidate;
            }
        }
        PITCH_MAX - best
    }

    /// The correlation of the last 20 ms with the 20 ms starting at `start`, on every `stride`th sample.
    fn correlation(&self, start: usize, stride: usize) -> f64 {
        let recent = &self.pitch_buffer[HISTORY - CORRELATION_LEN..];
        let earlier = &self.pitch_buffer[start..start + CORRELATION_LEN];
        recent.iter().zip(earlier).step_by(stride).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum()
    }
}

/// Rounds to the nearest sample value, saturating at the 16-bit limits.
fn to_sample(value: f32) -> i16 {
    value.round() as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tone(frequency: f64, amplitude: f64, len: usize) -> Vec<i16> {
        (0..len)
            .map(|n| (amplitude * (2.0 * std::f64::consts::PI * frequency * n as f64 / 8000.0).sin()).round() as i16)
            .collect()
    }

    /// Deterministic white noise, uniform in ±`amplitude`.
    fn noise(amplitude: i32, len: usize) -> Vec<i16> {
        let mut state = 0x2545_F491_u32;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (((i64::from(state >> 8) * i64::from(2 * amplitude + 1)) >> 24) - i64::from(amplitude)) as i16
            })
            .collect()
    }

    /// Runs a signal through the concealer frame by frame, dropping the frames listed, and
    /// returns the output shifted back by the delay, so that `result[n]` stands for `signal[n]`.
    fn conceal(signal: &[i16], lost: &[usize]) -> Vec<i16> {
        let mut concealer = Concealer::new();
        let mut output = Vec::with_capacity(signal.len());
        for (index, chunk) in signal.chunks_exact(FRAME).enumerate() {
            let mut frame: [i16; FRAME] = chunk.try_into().unwrap();
            if lost.contains(&index) {
                concealer.lost_frame(&mut frame);
            } else {
                concealer.good_frame(&mut frame);
            }
            output.extend_from_slice(&frame);
        }
        assert_eq!(concealer.concealed_frames(), lost.len() as u64);
        output.split_off(DELAY_SAMPLES)
    }

    fn frame_of(signal: &[i16], index: usize) -> &[i16] {
        &signal[index * FRAME..(index + 1) * FRAME]
    }

    fn correlation(a: &[i16], b: &[i16]) -> f64 {
        let dot = |x: &[i16], y: &[i16]| x.iter().zip(y).map(|(&p, &q)| f64::from(p) * f64::from(q)).sum::<f64>();
        dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
    }

    fn rms(samples: &[i16]) -> f64 {
        (samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / samples.len() as f64).sqrt()
    }

    fn largest_step(samples: &[i16]) -> i32 {
        samples.windows(2).map(|pair| (i32::from(pair[1]) - i32::from(pair[0])).abs()).max().unwrap_or(0)
    }

    fn pitch_of(signal: &[i16]) -> usize {
        let mut concealer = Concealer::new();
        for (stored, &sample) in concealer.pitch_buffer.iter_mut().zip(&signal[signal.len() - HISTORY..]) {
            *stored = f32::from(sample);
        }
        concealer.find_pitch()
    }

    #[test]
    fn all_good_stream_comes_out_exactly_thirty_samples_late() {
        let signal = noise(20_000, 50 * FRAME);
        let mut concealer = Concealer::default();
        let mut output = Vec::new();
        for chunk in signal.chunks_exact(FRAME) {
            let mut frame: [i16; FRAME] = chunk.try_into().unwrap();
            concealer.good_frame(&mut frame);
            output.extend_from_slice(&frame);
        }
        assert_eq!(DELAY_SAMPLES, 30);
        assert!(output[..DELAY_SAMPLES].iter().all(|&s| s == 0));
        assert_eq!(&output[DELAY_SAMPLES..], &signal[..signal.len() - DELAY_SAMPLES]);
        assert_eq!(concealer.concealed_frames(), 0);
    }

    #[test]
    fn pitch_search_finds_the_period_of_voiced_sound() {
        // A tone whose period is within range is found exactly.
        assert_eq!(pitch_of(&tone(200.0, 8000.0, 800)), 40);
        assert_eq!(pitch_of(&tone(100.0, 8000.0, 800)), 80);
        // A pulse train, buzzy like a glottal source, with an odd period that only the fine search
        // can hit (its double is out of range, so no even lag matches it exactly).
        let pulses: Vec<i16> = (0..800).map(|n| if n % 67 < 3 { 12_000 } else { -600 }).collect();
        assert_eq!(pitch_of(&pulses), 67);
        // A tone above the range is matched by a whole number of its periods.
        let pitch = pitch_of(&tone(330.0, 8000.0, 800));
        let periods = pitch as f64 * 330.0 / 8000.0;
        assert!((periods - periods.round()).abs() < 0.05, "330 Hz found as {pitch} samples");
    }

    fn check_tone_concealment(frequency: f64, lost: &[usize]) {
        let signal = tone(frequency, 10_000.0, 40 * FRAME);
        let output = conceal(&signal, lost);
        let first = lost[0];
        let matched = correlation(frame_of(&output, first), frame_of(&signal, first));
        assert!(matched > 0.9, "{frequency} Hz, first lost frame correlates {matched:.3}");
        let level = rms(frame_of(&output, first)) / rms(frame_of(&signal, first));
        assert!((0.9..1.1).contains(&level), "{frequency} Hz, first lost frame level {level:.3}");
        for &index in &lost[1..] {
            let matched = correlation(frame_of(&output, index), frame_of(&signal, index));
            assert!(matched > 0.8, "{frequency} Hz, lost frame {index} correlates {matched:.3}");
        }
        // No click anywhere: not at the start of the loss, nor at the recovery.
        let natural = largest_step(&signal);
        let worst = largest_step(&output);
        assert!(worst * 10 <= natural * 12, "{frequency} Hz: step of {worst} where the tone has {natural}");
        // Once the blend is over, the output is the real signal again.
        let back = (lost[lost.len() - 1] + 2) * FRAME;
        assert_eq!(&output[back..], &signal[back..output.len()]);
    }

    #[test]
    fn single_lost_frame_of_a_200_hz_tone_is_replaced_by_the_same_tone() {
        check_tone_concealment(200.0, &[20]);
    }

    #[test]
    fn double_lost_frame_of_a_200_hz_tone_is_replaced_by_the_same_tone() {
        check_tone_concealment(200.0, &[20, 21]);
    }

    #[test]
    fn single_lost_frame_of_a_330_hz_tone_is_replaced_by_the_same_tone() {
        check_tone_concealment(330.0, &[20]);
    }

    #[test]
    fn double_lost_frame_of_a_330_hz_tone_is_replaced_by_the_same_tone() {
        check_tone_concealment(330.0, &[20, 21]);
    }

    #[test]
    fn long_loss_fades_a_fifth_per_frame_then_falls_silent_after_60_ms() {
        let signal = tone(200.0, 10_000.0, 40 * FRAME);
        let lost: Vec<usize> = (20..30).collect();
        let output = conceal(&signal, &lost);
        let reference = rms(frame_of(&signal, 20));
        let first = rms(frame_of(&output, 20)) / reference;
        assert!((0.95..1.05).contains(&first), "first lost frame at {first:.3} of the tone");
        for frame in 1..6 {
            // The gain falls linearly from 1 − 0.2(k−1) to 1 − 0.2k across the k-th extra frame.
            let (start, end) = (1.0 - 0.2 * (frame - 1) as f64, 1.0 - 0.2 * frame as f64);
            let expected = ((start * start + start * end + end * end) / 3.0).sqrt();
            let level = rms(frame_of(&output, 20 + frame)) / reference;
            assert!((level - expected).abs() < 0.05, "lost frame {frame} at {level:.3}, expected {expected:.3}");
        }
        assert!(output[26 * FRAME..30 * FRAME].iter().all(|&s| s == 0), "silent after 60 ms");
        // After silence the real signal fades back in over 10 ms, without a click.
        assert!(largest_step(&output[29 * FRAME..32 * FRAME]) <= largest_step(&signal));
        assert_eq!(&output[31 * FRAME..], &signal[31 * FRAME..output.len()]);
    }

    #[test]
    fn white_noise_is_concealed_no_louder_than_itself() {
        let signal = noise(12_000, 60 * FRAME);
        let lost = [10, 20, 21, 30, 31, 32, 33, 34, 35, 36, 37, 38];
        let output = conceal(&signal, &lost);
        let peak = signal.iter().map(|&s| s.unsigned_abs()).max().unwrap();
        assert!(output.iter().all(|&s| s.unsigned_abs() <= peak));
        for &index in &lost[..3] {
            let level = rms(frame_of(&output, index)) / rms(frame_of(&signal, index));
            assert!(level < 1.3, "lost frame {index} at {level:.2} of the noise");
        }
        assert!(output[36 * FRAME..39 * FRAME].iter().all(|&s| s == 0), "silent after 60 ms");
    }

    #[test]
    fn silence_is_concealed_by_silence() {
        let signal = vec![0_i16; 30 * FRAME];
        // Including a loss before anything was received.
        let output = conceal(&signal, &[0, 1, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        assert!(output.iter().all(|&s| s == 0));
    }

    #[test]
    fn reset_forgets_the_signal_and_the_count() {
        let signal = tone(200.0, 10_000.0, 10 * FRAME);
        let mut concealer = Concealer::new();
        for chunk in signal.chunks_exact(FRAME) {
            let mut frame: [i16; FRAME] = chunk.try_into().unwrap();
            concealer.good_frame(&mut frame);
        }
        let mut frame = [0; FRAME];
        concealer.lost_frame(&mut frame);
        concealer.lost_frame(&mut frame);
        assert_eq!(concealer.concealed_frames(), 2);
        concealer.reset();
        assert_eq!(concealer.concealed_frames(), 0);
        concealer.lost_frame(&mut frame);
        assert!(frame.iter().all(|&s| s == 0), "nothing left of the old call");
    }

    proptest! {
        /// Any samples and any pattern of loss give output within the range of the input.
        #[test]
        fn output_never_leaves_the_range_of_the_input(
            frames in prop::collection::vec((any::<bool>(), prop::collection::vec(any::<i16>(), FRAME)), 1..40),
        ) {
            let mut concealer = Concealer::new();
            let (mut low, mut high) = (0_i16, 0_i16);
            for (lost, samples) in frames {
                let mut frame: [i16; FRAME] = samples.as_slice().try_into().unwrap();
                if lost {
                    concealer.lost_frame(&mut frame);
                } else {
                    low = low.min(*samples.iter().min().unwrap());
                    high = high.max(*samples.iter().max().unwrap());
                    concealer.good_frame(&mut frame);
                }
                prop_assert!(frame.iter().all(|&s| (low..=high).contains(&s)));
            }
        }
    }
}
