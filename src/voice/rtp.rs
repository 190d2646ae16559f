//! RTP packets (RFC 3550 §5) and the receiver's statistics (Appendix A):
//! sequence validation with wrap-around, loss and interarrival jitter.
//!
//! Parsing borrows the payload from the datagram; writing reuses the
//! caller's buffer: nothing allocates per packet.

use crate::voice::rtcp::ReportBlock;
use std::time::Duration;

/// Why a datagram is not an RTP packet we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Under the 12-byte fixed header (or its CSRC list).
    #[error("the RTP packet is too short")]
    TooShort,
    /// Not version 2.
    #[error("the RTP packet has version {0}, not 2")]
    Version(u8),
    /// The header extension runs past the end.
    #[error("the RTP header extension runs past the end of the packet")]
    Extension,
    /// The padding count is zero or larger than the payload.
    #[error("the RTP padding is invalid")]
    Padding,
}

/// The fields of an RTP header a softphone uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Marks the start of a talk spurt or of a DTMF event.
    pub marker: bool,
    /// What the payload is.
    pub payload_type: u8,
    /// Counts packets, wrapping at 65 535.
    pub sequence: u16,
    /// Sampling instant of the first sample, wrapping.
    pub timestamp: u32,
    /// The source.
    pub ssrc: u32,
}

/// A parsed packet borrowing its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    /// The header.
    pub header: RtpHeader,
    /// How many contributing sources were listed (skipped).
    pub csrc_count: u8,
    /// The payload, without padding.
    pub payload: &'a [u8],
}

/// Reads an RTP packet; CSRCs, extensions and padding are skipped.
pub fn parse(bytes: &[u8]) -> Result<RtpPacket<'_>, RtpError> {
    let fixed = bytes.get(..12).ok_or(RtpError::TooShort)?;
    let version = fixed[0] >> 6;
    if version != 2 {
        return Err(RtpError::Version(version));
    }
    let padding = fixed[0] & 0x20 != 0;
    let extension = fixed[0] & 0x10 != 0;
    let csrc_count = fixed[0] & 0x0F;
    let header = RtpHeader {
        marker: fixed[1] & 0x80 != 0,
        payload_type: fixed[1] & 0x7F,
        sequence: u16::from_be_bytes([fixed[2], fixed[3]]),
        timestamp: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
        ssrc: u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]),
    };
    let mut start = 12 + 4 * usize::from(csrc_count);
    if start > bytes.len() {
        return Err(RtpError::TooShort);
    }
    if extension {
        let words = bytes.get(start + 2..start + 4).ok_or(RtpError::Extension)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
        if start > bytes.len() {
            return Err(RtpError::Extension);
        }
    }
    let mut end = bytes.len();
    if padding {
        let count = usize::from(*bytes.last().ok_or(RtpError::Padding)?);
        if count == 0 || count > end - start {
            return Err(RtpError::Padding);
        }
        end -= count;
    }
    Ok(RtpPacket { header, csrc_count, payload: &bytes[start..end] })
}

/// True when the datagram looks like RTCP (RFC 5761 §4: types 192–223),
/// so that a stray report on the audio port is not played.
#[must_use]
pub fn is_rtcp(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] >> 6 == 2 && (192..=223).contains(&bytes[1])
}

/// Writes a packet with a 12-byte header into `out` (cleared first).
pub fn write(header: &RtpHeader, payload: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.push(0x80);
    out.push(u8::from(header.marker) << 7 | (header.payload_type & 0x7F));
    out.extend_from_slice(&header.sequence.to_be_bytes());
    out.extend_from_slice(&header.timestamp.to_be_bytes());
    out.extend_from_slice(&header.ssrc.to_be_bytes());
    out.extend_from_slice(payload);
}

/// What the statistics made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// A valid packet of the current source.
    Accepted,
    /// A new source is being validated (RFC 3550 A.1 probation).
    Probation,
    /// Seen already (or too old to be useful).
    Duplicate,
    /// The sequence jumped; counted as a new start after a second packet confirms it.
    Jumped,
    /// The source changed, or restarted: statistics began anew.
    Restarted,
}

const MIN_SEQUENTIAL: u8 = 2;
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
const SEQ_MOD: u32 = 1 << 16;

/// A receiver's view of one source (RFC 3550 Appendix A.1, A.3, A.8).
#[derive(Debug, Clone)]
pub struct ReceiveStats {
    clock_rate: u32,
    ssrc: Option<u32>,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    probation: u8,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    /// Interarrival jitter in timestamp units, scaled by 16 as in A.8.
    jitter: u32,
    /// The previous packet's relative transit time, in timestamp units.
    transit: Option<i64>,
    /// Recently seen sequence numbers, to spot duplicates.
    recent: [u16; 16],
    recent_at: usize,
}

impl ReceiveStats {
    /// Statistics for a source at `clock_rate` Hz.
    #[must_use]
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            ssrc: None,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: SEQ_MOD + 1,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            jitter: 0,
            transit: None,
            recent: [0; 16],
            recent_at: 0,
        }
    }

    fn init(&mut self, sequence: u16) {
        self.base_seq = u32::from(sequence);
        self.max_seq = sequence;
        self.bad_seq = SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.transit = None;
        self.jitter = 0;
        self.recent = [sequence.wrapping_sub(1); 16];
    }

    /// Records a packet that arrived at `arrival` (monotonic time).
    pub fn record(&mut self, header: &RtpHeader, arrival: Duration) -> Arrival {
        let sequence = header.sequence;
        if self.ssrc != Some(header.ssrc) {
            let restarted = self.ssrc.is_some();
            self.ssrc = Some(header.ssrc);
            self.init(sequence);
            self.max_seq = sequence.wrapping_sub(1);
            self.probation = MIN_SEQUENTIAL;
            self.update_probation(header, arrival);
            return if restarted { Arrival::Restarted } else { Arrival::Probation };
        }
        if self.probation > 0 {
            return self.update_probation(header, arrival);
        }
        if self.recent.contains(&sequence) {
            return Arrival::Duplicate;
        }
        let delta = sequence.wrapping_sub(self.max_seq);
        if delta < MAX_DROPOUT {
            if sequence < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = sequence;
        } else if delta <= u16::MAX - MAX_MISORDER {
            // A very large jump: resynchronise only if the next packet follows it.
            if u32::from(sequence) == self.bad_seq {
                self.init(sequence);
                self.count(header, arrival);
                return Arrival::Restarted;
            }
            self.bad_seq = (u32::from(sequence) + 1) & (SEQ_MOD - 1);
            return Arrival::Jumped;
        }
        // Else: an old packet arriving out of order, still counted.
        self.count(header, arrival);
        Arrival::Accepted
    }

    fn update_probation(&mut self, header: &RtpHeader, arrival: Duration) -> Arrival {
        if header.sequence == self.max_seq.wrapping_add(1) {
            self.probation -= 1;
            self.max_seq = header.sequence;
            if self.probation == 0 {
                self.init(header.sequence);
                self.count(header, arrival);
                return Arrival::Accepted;
            }
        } else {
            self.probation = MIN_SEQUENTIAL - 1;
            self.max_seq = header.sequence;
        }
        Arrival::Probation
    }

    fn count(&mut self, header: &RtpHeader, arrival: Duration) {
        self.received = self.received.wrapping_add(1);
        self.recent[self.recent_at] = header.sequence;
        self.recent_at = (self.recent_at + 1) % self.recent.len();
        // A.8: D = (Rj − Ri) − (Sj − Si) in timestamp units; J += (|D| − J)/16.
        let arrival_units = (arrival.as_micros() as i64).saturating_mul(i64::from(self.clock_rate)) / 1_000_000;
        let transit = arrival_units - i64::from(header.timestamp);
        if let Some(previous) = self.transit {
            // Timestamps wrap: take the difference modulo 2³².
            let difference = i64::from((transit - previous) as i32).unsigned_abs();
            let scaled = i64::from(self.jitter);
            let updated = scaled + difference as i64 - ((scaled + 8) >> 4);
            self.jitter = updated.clamp(0, i64::from(u32::MAX)) as u32;
        }
        self.transit = Some(transit);
    }

    /// The source being received.
    #[must_use]
    pub fn ssrc(&self) -> Option<u32> {
        self.ssrc
    }

    /// The extended highest sequence number received (cycles in the high bits).
    #[must_use]
    pub fn extended_highest(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected since the first.
    #[must_use]
    pub fn expected(&self) -> u32 {
        if self.probation > 0 || self.ssrc.is_none() {
            return 0;
        }
        self.extended_highest().wrapping_sub(self.base_seq).wrapping_add(1)
    }

    /// Packets received.
    #[must_use]
    pub fn received(&self) -> u32 {
        self.received
    }

    /// Packets lost (may be negative with duplicates), clamped to 24 bits.
    #[must_use]
    pub fn cumulative_lost(&self) -> i32 {
        (i64::from(self.expected()) - i64::from(self.received)).clamp(-0x80_0000, 0x7F_FFFF) as i32
    }

    /// Interarrival jitter in milliseconds.
    #[must_use]
    pub fn jitter_ms(&self) -> f64 {
        f64::from(self.jitter >> 4) * 1000.0 / f64::from(self.clock_rate)
    }

    /// The report block for our next RTCP report (A.3), given the last sender report seen.
    pub fn report_block(&mut self, last_sr: Option<(u32, Duration)>, now: Duration) -> ReportBlock {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / i64::from(expected_interval)).min(255) as u8
        };
        let (last_sr, delay_since_last_sr) = match last_sr {
            Some((middle, at)) => (middle, ((now.saturating_sub(at)).as_secs_f64() * 65_536.0) as u32),
            None => (0, 0),
        };
        ReportBlock {
            ssrc: self.ssrc.unwrap_or_default(),
            fraction_lost,
            cumulative_lost: self.cumulative_lost(),
            extended_highest: self.extended_highest(),
            jitter: self.jitter >> 4,
            last_sr,
            delay_since_last_sr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(sequence: u16, timestamp: u32) -> RtpHeader {
        RtpHeader { marker: false, payload_type: 0, sequence, timestamp, ssrc: 7 }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn reads_csrcs_extensions_and_padding() {
        let mut bytes = vec![0xB1, 0x80 | 8, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9];
        bytes.extend_from_slice(&[1, 2, 3, 4]); // one CSRC
        bytes.extend_from_slice(&[0xBE, 0xDE, 0, 1, 9, 9, 9, 9]); // a one-word extension
        bytes.extend_from_slice(&[0xAA, 0xBB, 0, 0, 3]); // payload + 3 bytes of padding
        let packet = parse(&bytes).unwrap();
        assert_eq!(packet.header, RtpHeader { marker: true, payload_type: 8, sequence: 1, timestamp: 160, ssrc: 9 });
        assert_eq!(packet.csrc_count, 1);
        assert_eq!(packet.payload, [0xAA, 0xBB]);
    }

    #[test]
    fn malformed_packets_get_clear_errors() {
        assert_eq!(parse(&[0x80; 5]), Err(RtpError::TooShort));
        assert_eq!(parse(&[0x40; 12]), Err(RtpError::Version(1)));
        assert_eq!(parse(&[0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Err(RtpError::TooShort));
        assert_eq!(parse(&[0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), Err(RtpError::Extension));
        assert_eq!(parse(&[0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 40]), Err(RtpError::Padding));
        assert!(is_rtcp(&[0x81, 200, 0, 6]) && !is_rtcp(&[0x80, 0, 0, 1]));
    }

    #[test]
    fn counts_loss_across_a_sequence_wrap() {
        let mut stats = ReceiveStats::new(8000);
        let mut sequence = 65_530u16;
        for i in 0..20u32 {
            if i != 10 && i != 11 {
                stats.record(&header(sequence, i * 160), ms(u64::from(i) * 20));
            }
            sequence = sequence.wrapping_add(1);
        }
        assert_eq!(stats.expected(), 19, "the first packet only starts probation");
        assert_eq!(stats.cumulative_lost(), 2);
        assert_eq!(stats.extended_highest(), (1 << 16) + 13);
        let block = stats.report_block(None, ms(400));
        assert_eq!(block.fraction_lost, (2 * 256 / 19) as u8);
        assert_eq!(stats.report_block(None, ms(500)).fraction_lost, 0, "nothing new since the last report");
    }

    #[test]
    fn duplicates_and_reordering() {
        let mut stats = ReceiveStats::new(8000);
        for (i, sequence) in [1u16, 2, 3, 5, 4, 5, 6].into_iter().enumerate() {
            let arrival = stats.record(&header(sequence, u32::from(sequence) * 160), ms(i as u64 * 20));
            if i == 5 {
                assert_eq!(arrival, Arrival::Duplicate);
            }
        }
        assert_eq!(stats.cumulative_lost(), 0);
        assert_eq!(stats.received(), 5);
    }

    #[test]
    fn a_big_jump_resynchronises_after_two_packets_and_a_new_ssrc_restarts() {
        let mut stats = ReceiveStats::new(8000);
        for sequence in 1..=5u16 {
            stats.record(&header(sequence, 0), ms(0));
        }
        assert_eq!(stats.record(&header(40_000, 0), ms(0)), Arrival::Jumped);
        assert_eq!(stats.record(&header(40_001, 0), ms(0)), Arrival::Restarted);
        assert_eq!(stats.cumulative_lost(), 0);
        let other = RtpHeader { ssrc: 99, ..header(7, 0) };
        assert_eq!(stats.record(&other, ms(0)), Arrival::Restarted);
        assert_eq!(stats.ssrc(), Some(99));
    }

    #[test]
    fn jitter_follows_the_rfc_estimator() {
        let mut stats = ReceiveStats::new(8000);
        // Packets every 20 ms of media arrive alternately 0 and 10 ms late.
        for i in 0..400u32 {
            let late = if i % 2 == 0 { 0 } else { 10 };
            stats.record(&header(i as u16, i * 160), ms(u64::from(i) * 20 + late));
        }
        // |D| is always 80 units (10 ms); J converges to it.
        assert!((stats.jitter_ms() - 10.0).abs() < 0.5, "{}", stats.jitter_ms());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
            let _ = is_rtcp(&bytes);
        }

        #[test]
        fn written_packets_read_back(marker in any::<bool>(), payload_type in 0u8..128, sequence in any::<u16>(), timestamp in any::<u32>(), ssrc in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..200)) {
            let header = RtpHeader { marker, payload_type, sequence, timestamp, ssrc };
            let mut out = Vec::new();
            write(&header, &payload, &mut out);
            let packet = parse(&out).unwrap();
            prop_assert_eq!(packet.header, header);
            prop_assert_eq!(packet.payload, &payload[..]);
        }

        #[test]
        fn statistics_never_panic(steps in proptest::collection::vec((any::<u16>(), any::<u32>(), 0u64..100_000, 0u32..3), 0..200)) {
            let mut stats = ReceiveStats::new(8000);
            let mut now = 0;
            for (sequence, timestamp, advance, ssrc) in steps {
                now += advance;
                stats.record(&RtpHeader { marker: false, payload_type: 0, sequence, timestamp, ssrc }, Duration::from_micros(now));
                let _ = stats.report_block(Some((1, Duration::ZERO)), Duration::from_micros(now));
                let _ = (stats.jitter_ms(), stats.cumulative_lost());
            }
        }
    }
}
