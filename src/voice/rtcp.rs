//! RTCP (RFC 3550 §6): reading compound packets from the other party,
//! writing our sender and receiver reports with a CNAME, the NTP time they
//! carry, the round trip they yield, and when to send the next one.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// Why a datagram is not usable RTCP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    /// Shorter than a header, or a length running past the end.
    #[error("the RTCP packet is truncated")]
    Truncated,
    /// Not version 2.
    #[error("the RTCP packet has version {0}, not 2")]
    Version(u8),
    /// More report blocks than the length allows.
    #[error("the RTCP report count does not fit its length")]
    Count,
}

/// One reception report (§6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source reported on.
    pub ssrc: u32,
    /// Loss since the previous report, in 1/256.
    pub fraction_lost: u8,
    /// Packets lost since the start (24-bit signed).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the last sender report's NTP time (0 if none).
    pub last_sr: u32,
    /// Delay since that report, in 1/65 536 s.
    pub delay_since_last_sr: u32,
}

/// A sender report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderReport {
    /// The sender.
    pub ssrc: u32,
    /// Wall-clock time of the report, NTP format.
    pub ntp: u64,
    /// The same instant in RTP timestamp units.
    pub rtp_timestamp: u32,
    /// Packets sent so far.
    pub packet_count: u32,
    /// Payload octets sent so far.
    pub octet_count: u32,
    /// What the sender received.
    pub reports: Vec<ReportBlock>,
}

/// A receiver report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverReport {
    /// The reporter.
    pub ssrc: u32,
    /// What it received.
    pub reports: Vec<ReportBlock>,
}

/// One packet of a compound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpPacket {
    /// SR (200).
    SenderReport(SenderReport),
    /// RR (201).
    ReceiverReport(ReceiverReport),
    /// SDES (202): each source with its CNAME, when given.
    SourceDescription(Vec<(u32, Option<String>)>),
    /// BYE (203): the sources leaving.
    Goodbye(Vec<u32>),
    /// Anything else (APP, feedback, XR), skipped.
    Other {
        /// Its packet type.
        packet_type: u8,
    },
}

fn word(bytes: &[u8], at: usize) -> Result<u32, RtcpError> {
    let b = bytes.get(at..at + 4).ok_or(RtcpError::Truncated)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn read_blocks(body: &[u8], at: usize, count: usize) -> Result<Vec<ReportBlock>, RtcpError> {
    if at + 24 * count > body.len() {
        return Err(RtcpError::Count);
    }
    (0..count)
        .map(|i| {
            let base = at + 24 * i;
            let lost = word(body, base + 4)?;
            // The 24-bit cumulative loss is signed.
            let cumulative = ((lost & 0x00FF_FFFF) << 8) as i32 >> 8;
            Ok(ReportBlock {
                ssrc: word(body, base)?,
                fraction_lost: (lost >> 24) as u8,
                cumulative_lost: cumulative,
                extended_highest: word(body, base + 8)?,
                jitter: word(body, base + 12)?,
                last_sr: word(body, base + 16)?,
                delay_since_last_sr: word(body, base + 20)?,
            })
        })
        .collect()
}

/// Reads a compound RTCP packet.
pub fn parse(bytes: &[u8]) -> Result<Vec<RtcpPacket>, RtcpError> {
    let mut packets = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let head = bytes.get(at..at + 4).ok_or(RtcpError::Truncated)?;
        let version = head[0] >> 6;
        if version != 2 {
            return Err(RtcpError::Version(version));
        }
        let count = usize::from(head[0] & 0x1F);
        let packet_type = head[1];
        let length = 4 * (usize::from(u16::from_be_bytes([head[2], head[3]])) + 1);
        let whole = bytes.get(at..at + length).ok_or(RtcpError::Truncated)?;
        let body = if head[0] & 0x20 != 0 {
            let padding = usize::from(*whole.last().ok_or(RtcpError::Truncated)?);
            whole.get(..length.checked_sub(padding).ok_or(RtcpError::Truncated)?).ok_or(RtcpError::Truncated)?
        } else {
            whole
        };
        packets.push(match packet_type {
            200 => {
                let ntp = (u64::from(word(body, 8)?) << 32) | u64::from(word(body, 12)?);
                RtcpPacket::SenderReport(SenderReport {
                    ssrc: word(body, 4)?,
                    ntp,
                    rtp_timestamp: word(body, 16)?,
                    packet_count: word(body, 20)?,
                    octet_count: word(body, 24)?,
                    reports: read_blocks(body, 28, count)?,
                })
            }
            201 => RtcpPacket::ReceiverReport(ReceiverReport {
                ssrc: word(body, 4)?,
                reports: read_blocks(body, 8, count)?,
            }),
            202 => RtcpPacket::SourceDescription(read_sdes(body, count)?),
            203 => {
                if 4 + 4 * count > body.len() {
                    return Err(RtcpError::Count);
                }
                RtcpPacket::Goodbye((0..count).map(|i| word(body, 4 + 4 * i)).collect::<Result<_, _>>()?)
            }
            other => RtcpPacket::Other { packet_type: other },
        });
        at += length;
    }
    Ok(packets)
}

fn read_sdes(body: &[u8], count: usize) -> Result<Vec<(u32, Option<String>)>, RtcpError> {
    let mut chunks = Vec::with_capacity(count.min(31));
    let mut at = 4;
    for _ in 0..count {
        let ssrc = word(body, at)?;
        at += 4;
        let mut cname = None;
        loop {
            let item = *body.get(at).ok_or(RtcpError::Truncated)?;
            if item == 0 {
                // The item list ends with a zero, then padding to a word boundary.
                at = (at + 4) & !3;
                break;
            }
            let length = usize::from(*body.get(at + 1).ok_or(RtcpError::Truncated)?);
            let text = body.get(at + 2..at + 2 + length).ok_or(RtcpError::Truncated)?;
            if item == 1 {
                cname = Some(String::from_utf8_lossy(text).into_owned());
            }
            at += 2 + length;
        }
        chunks.push((ssrc, cname));
    }
    Ok(chunks)
}

fn write_blocks(reports: &[ReportBlock], out: &mut Vec<u8>) {
    for block in reports.iter().take(31) {
        out.extend_from_slice(&block.ssrc.to_be_bytes());
        let lost = (u32::from(block.fraction_lost) << 24)
            | (block.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32 & 0x00FF_FFFF);
        out.extend_from_slice(&lost.to_be_bytes());
        for value in [block.extended_highest, block.jitter, block.last_sr, block.delay_since_last_sr] {
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

/// Fixes the length field of the packet starting at `start`.
fn finish_packet(out: &mut [u8], start: usize) {
    let words = ((out.len() - start) / 4 - 1) as u16;
    if let Some(field) = out.get_mut(start + 2..start + 4) {
        field.copy_from_slice(&words.to_be_bytes());
    }
}

fn write_sdes(ssrc: u32, cname: &str, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0x81, 202, 0, 0]);
    out.extend_from_slice(&ssrc.to_be_bytes());
    let name = &cname.as_bytes()[..cname.len().min(255)];
    out.push(1);
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    // End of items, then zeros to the next word boundary.
    out.push(0);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    finish_packet(out, start);
}

/// Writes SR + SDES into `out` (cleared first).
pub fn write_sender_report(report: &SenderReport, cname: &str, out: &mut Vec<u8>) {
    out.clear();
    let count = report.reports.len().min(31) as u8;
    out.extend_from_slice(&[0x80 | count, 200, 0, 0]);
    out.extend_from_slice(&report.ssrc.to_be_bytes());
    out.extend_from_slice(&report.ntp.to_be_bytes());
    for value in [report.rtp_timestamp, report.packet_count, report.octet_count] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    write_blocks(&report.reports, out);
    finish_packet(out, 0);
    write_sdes(report.ssrc, cname, out);
}

/// Writes RR + SDES into `out` (cleared first).
pub fn write_receiver_report(report: &ReceiverReport, cname: &str, out: &mut Vec<u8>) {
    out.clear();
    let count = report.reports.len().min(31) as u8;
    out.extend_from_slice(&[0x80 | count, 201, 0, 0]);
    out.extend_from_slice(&report.ssrc.to_be_bytes());
    write_blocks(&report.reports, out);
    finish_packet(out, 0);
    write_sdes(report.ssrc, cname, out);
}

/// Writes RR (empty) + BYE into `out` (cleared first): a compound must start with a report.
pub fn write_goodbye(ssrc: u32, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&[0x80, 201, 0, 1]);
    out.extend_from_slice(&ssrc.to_be_bytes());
    out.extend_from_slice(&[0x81, 203, 0, 1]);
    out.extend_from_slice(&ssrc.to_be_bytes());
}

/// Seconds from 1900 (NTP era 0) to 1970.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// NTP 64-bit fixed-point time for a Unix time.
#[must_use]
pub fn ntp_from_unix(since_epoch: Duration) -> u64 {
    let seconds = since_epoch.as_secs().wrapping_add(NTP_UNIX_OFFSET);
    let fraction = (u64::from(since_epoch.subsec_nanos()) << 32) / 1_000_000_000;
    (seconds << 32) | fraction
}

/// The middle 32 bits, as LSR carries them.
#[must_use]
pub const fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// Round trip from a report block about our stream (§6.4.1): now − LSR − DLSR.
#[must_use]
pub fn round_trip(now_ntp_middle: u32, block: &ReportBlock) -> Option<Duration> {
    if block.last_sr == 0 {
        return None;
    }
    let units = now_ntp_middle.wrapping_sub(block.last_sr).wrapping_sub(block.delay_since_last_sr);
    // A "negative" result wraps to a huge value: clocks or reports are off.
    (units < 0x8000_0000).then(|| Duration::from_secs_f64(f64::from(units) / 65_536.0))
}

/// When to send the next report: about every 5 s, randomised over
/// [0.5, 1.5] of the interval so that parties do not synchronise (§6.3.1).
#[derive(Debug, Clone)]
pub struct ReportTimer {
    rng: SmallRng,
    next: Duration,
}

/// The nominal report interval for a two-party call.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(5);

impl ReportTimer {
    /// A timer whose first report goes out after half an interval or so.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let first = REPORT_INTERVAL.mul_f64(rng.random_range(0.25..0.75));
        Self { rng, next: first }
    }

    /// True when a report is due now; then schedules the next.
    pub fn due(&mut self, now: Duration) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + REPORT_INTERVAL.mul_f64(self.rng.random_range(0.5..1.5));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn block(ssrc: u32) -> ReportBlock {
        ReportBlock {
            ssrc,
            fraction_lost: 12,
            cumulative_lost: -3,
            extended_highest: 70_000,
            jitter: 41,
            last_sr: 0xB705_2000,
            delay_since_last_sr: 0x0005_4000,
        }
    }

    #[test]
    fn sender_reports_round_trip_with_their_cname() {
        let report = SenderReport {
            ssrc: 1,
            ntp: 0x1234_5678_9ABC_DEF0,
            rtp_timestamp: 160,
            packet_count: 10,
            octet_count: 1600,
            reports: vec![block(2)],
        };
        let mut out = Vec::new();
        write_sender_report(&report, "agent@switchboard", &mut out);
        assert_eq!(out.len() % 4, 0);
        let packets = parse(&out).unwrap();
        assert_eq!(packets[0], RtcpPacket::SenderReport(report));
        assert_eq!(packets[1], RtcpPacket::SourceDescription(vec![(1, Some("agent@switchboard".into()))]));
    }

    #[test]
    fn receiver_reports_and_goodbyes_round_trip() {
        let report = ReceiverReport { ssrc: 5, reports: vec![block(6), block(7)] };
        let mut out = Vec::new();
        write_receiver_report(&report, "x", &mut out);
        assert_eq!(parse(&out).unwrap()[0], RtcpPacket::ReceiverReport(report));
        write_goodbye(5, &mut out);
        assert_eq!(parse(&out).unwrap()[1], RtcpPacket::Goodbye(vec![5]));
    }

    #[test]
    fn round_trip_follows_the_rfc_example() {
        // §6.4.1: an SR sent at 0xB705 2000 (middle bits) reaches the peer, which
        // reports 5.25 s later (DLSR 0x0005 4000); we receive the RR at 0xB710 8000.
        let rtt = round_trip(0xB710_8000, &block(1)).unwrap();
        assert!((rtt.as_secs_f64() - 6.125).abs() < 1e-3, "{rtt:?}");
        assert_eq!(round_trip(0xB705_0000, &block(1)), None, "negative");
        assert_eq!(round_trip(1, &ReportBlock::default()), None, "no SR yet");
    }

    #[test]
    fn ntp_time_counts_from_1900() {
        let ntp = ntp_from_unix(Duration::from_millis(1_500));
        assert_eq!(ntp >> 32, NTP_UNIX_OFFSET + 1);
        assert_eq!(ntp & 0xFFFF_FFFF, 1 << 31);
    }

    #[test]
    fn reports_come_about_every_five_seconds() {
        let mut timer = ReportTimer::new(3);
        let due: Vec<u64> = (0..60_000u64).step_by(10).filter(|ms| timer.due(Duration::from_millis(*ms))).collect();
        assert!((9..=16).contains(&due.len()), "{due:?}");
        assert!(due.windows(2).all(|w| (2_500..=7_500).contains(&(w[1] - w[0]))));
    }

    #[test]
    fn malformed_reports_get_clear_errors() {
        assert_eq!(parse(&[0x80, 200]), Err(RtcpError::Truncated));
        assert_eq!(parse(&[0x40, 200, 0, 0]), Err(RtcpError::Version(1)));
        assert_eq!(parse(&[0x80, 201, 0, 5, 0, 0, 0, 1]), Err(RtcpError::Truncated));
        assert_eq!(parse(&[0x85, 201, 0, 1, 0, 0, 0, 1]), Err(RtcpError::Count));
        assert_eq!(parse(&[0x80, 206, 0, 0]).unwrap(), vec![RtcpPacket::Other { packet_type: 206 }]);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&bytes);
        }
    }
}
