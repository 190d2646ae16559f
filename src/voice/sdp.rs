//! SDP (RFC 4566) and the offer/answer model (RFC 3264) for an audio-only
//! G.711 softphone.
//!
//! This module owns the text form of session descriptions, the choice of codec,
//! telephone-event payload type and media direction, and where the peer wants
//! its RTP and RTCP sent. It parses what real peers send (CRLF or LF, unknown
//! lines and attributes, several media lines, legacy hold with `c=0.0.0.0`,
//! IPv6) and refuses malformed required lines with an error naming the line.
//!
//! It must not do IO, resolve host names, or keep call state: the caller
//! passes what it offers in [`LocalMedia`] and keeps the [`Negotiated`] result.

use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use crate::voice::g711::G711;

/// The largest SDP body accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// The most formats one `m=` line may list, and the most `a=rtpmap` or `a=fmtp` lines one stream may carry.
pub const MAX_FORMATS: usize = 256;
/// The most media lines (`m=`) one SDP body may carry.
pub const MAX_MEDIA: usize = 64;
/// The packet time assumed when the peer sends no `a=ptime` (RFC 3551 §4.5).
pub const DEFAULT_PTIME: u32 = 20;

/// The RTP clock rate of G.711 and of the telephone events sent beside it.
const NARROWBAND_CLOCK: u32 = 8000;
/// The telephone events we send and receive: DTMF digits 0–15 and flash, 16 (RFC 4733 §3.2).
const SUPPORTED_EVENTS: u32 = (1 << 17) - 1;
/// The events a peer supports when its `a=fmtp` says nothing (RFC 4733 §7.1.1): 0–15.
const DEFAULT_EVENTS: u32 = (1 << 16) - 1;
/// How much of an offending line an error quotes.
const EXCERPT_CHARS: usize = 120;

/// Why an SDP body was refused, or why no media could be agreed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// The body is larger than [`MAX_TEXT_BYTES`].
    #[error("the SDP body is {length} bytes, more than the {limit} accepted")]
    TooLong {
        /// The body's length in bytes.
        length: usize,
        /// The limit, [`MAX_TEXT_BYTES`].
        limit: usize,
    },
    /// A line is not `<letter>=<value>`.
    #[error("SDP line {line} is not of the form `<letter>=<value>`: {text:?}")]
    NotALine {
        /// The line number, from 1.
        line: usize,
        /// The start of the line.
        text: String,
    },
    /// The first line is not `v=0`.
    #[error("SDP line {line} should be `v=0`, the only SDP version: {text:?}")]
    NotVersionZero {
        /// The line number, from 1.
        line: usize,
        /// The start of the line.
        text: String,
    },
    /// A required line is there but malformed.
    #[error("SDP line {line} is a malformed `{kind}=` line ({reason}): {text:?}")]
    Malformed {
        /// The line number, from 1.
        line: usize,
        /// The line's type letter.
        kind: char,
        /// What is wrong with it.
        reason: &'static str,
        /// The start of the line.
        text: String,
    },
    /// A required line is absent.
    #[error("the SDP body has no `{0}=` line")]
    MissingLine(char),
    /// More than [`MAX_MEDIA`] media lines.
    #[error("the SDP body has more than {limit} media lines (`m=`)")]
    TooManyMedia {
        /// The limit, [`MAX_MEDIA`].
        limit: usize,
    },
    /// More than [`MAX_FORMATS`] formats, or `a=rtpmap`/`a=fmtp` lines, for one stream.
    #[error("SDP line {line} takes a stream past {limit} formats or format attributes")]
    TooManyFormats {
        /// The line number, from 1.
        line: usize,
        /// The limit, [`MAX_FORMATS`].
        limit: usize,
    },
    /// A stream in use has no `c=` line at media or session level.
    #[error("the media line at SDP line {line} has no connection address (no `c=` at session or media level)")]
    MissingConnection {
        /// The line number of the `m=` line, from 1.
        line: usize,
    },
    /// No offered stream is plain RTP/AVP audio with PCMU or PCMA (the caller answers 488).
    #[error("no offered audio stream has PCMU or PCMA over plain RTP/AVP that we accept")]
    NoCommonCodec,
    /// The answer to our offer accepts no audio stream.
    #[error("the answer accepts no audio stream: every audio media line has port 0, another profile or no address")]
    AudioRejected,
}

/// Who sends media on a stream, as one side states it (RFC 3264 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Both ways.
    SendRecv,
    /// The stating side sends and does not receive.
    SendOnly,
    /// The stating side receives and does not send.
    RecvOnly,
    /// Neither way.
    Inactive,
}

impl Direction {
    /// The direction from both flags.
    #[must_use]
    pub const fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// The same stream seen from the other side: what an answerer says to this offer.
    #[must_use]
    pub const fn reversed(self) -> Self {
        Self::from_flags(self.receives(), self.sends())
    }

    /// Whether the stating side sends media.
    #[must_use]
    pub const fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether the stating side receives media.
    #[must_use]
    pub const fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// What both directions allow: sending only if both send, receiving only if both receive.
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self::from_flags(self.sends() && other.sends(), self.receives() && other.receives())
    }

    /// This direction without receiving, as a side that gave no address to receive on.
    #[must_use]
    pub const fn without_receiving(self) -> Self {
        Self::from_flags(self.sends(), false)
    }

    /// The SDP attribute name.
    #[must_use]
    pub const fn attribute(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction an attribute name states, if it is one.
    #[must_use]
    pub fn from_attribute(name: &str) -> Option<Self> {
        [Self::SendRecv, Self::SendOnly, Self::RecvOnly, Self::Inactive]
            .into_iter()
            .find(|direction| name.eq_ignore_ascii_case(direction.attribute()))
    }
}

/// The `o=` line: who made the description and which version of it this is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The user name, `-` when there is none.
    pub username: String,
    /// Identifies the session for its whole life.
    pub session_id: u64,
    /// Rises with each new description of the session.
    pub version: u64,
    /// The originating host; the unspecified address when the peer gave a host name.
    pub address: IpAddr,
}

/// An `a=rtpmap` line: what a payload type carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpMap {
    /// The RTP payload type, 0–127.
    pub payload_type: u8,
    /// The encoding name as the peer wrote it (compare without case).
    pub encoding: String,
    /// The RTP clock rate in hertz.
    pub clock_rate: u32,
    /// The number of audio channels, when stated.
    pub channels: Option<u8>,
}

/// One media section: an `m=` line and what follows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaDescription {
    /// The media type: `audio`, `video`, `image`, …
    pub kind: String,
    /// The transport port; 0 for a rejected or disabled stream.
    pub port: u16,
    /// The transport protocol: `RTP/AVP`, `RTP/SAVP`, `udptl`, …
    pub protocol: String,
    /// The formats that are RTP payload types (0–127), in the peer's order of preference.
    pub formats: Vec<u8>,
    /// The formats that are not payload types, such as `t38`, written after [`Self::formats`].
    pub other_formats: Vec<String>,
    /// The `a=rtpmap` lines.
    pub rtpmaps: Vec<RtpMap>,
    /// The `a=fmtp` lines: payload type and parameters.
    pub fmtp: Vec<(u8, String)>,
    /// The packet time in milliseconds the sender of this description wants to receive.
    pub ptime: Option<u32>,
    /// The longest packet time in milliseconds it can receive.
    pub max_ptime: Option<u32>,
    /// The media-level connection address, which overrides the session's.
    pub connection: Option<IpAddr>,
    /// The media-level direction, which overrides the session's.
    pub direction: Option<Direction>,
    /// The RTCP port from `a=rtcp` (RFC 3605), when it is not the RTP port + 1.
    pub rtcp_port: Option<u16>,
    /// The RTCP address from `a=rtcp`, when it is not the connection address.
    pub rtcp_address: Option<IpAddr>,
    /// Whether `a=rtcp-mux` (RFC 5761) is present.
    pub rtcp_mux: bool,
}

impl MediaDescription {
    /// The `a=rtpmap` for a payload type, if any.
    #[must_use]
    pub fn rtpmap(&self, payload_type: u8) -> Option<&RtpMap> {
        self.rtpmaps.iter().find(|map| map.payload_type == payload_type)
    }

    /// The `a=fmtp` parameters for a payload type, if any.
    #[must_use]
    pub fn fmtp(&self, payload_type: u8) -> Option<&str> {
        self.fmtp.iter().find(|(format, _)| *format == payload_type).map(|(_, parameters)| parameters.as_str())
    }

    /// Whether this is audio over plain RTP/AVP, the only profile we carry.
    #[must_use]
    pub fn is_plain_rtp_audio(&self) -> bool {
        self.kind.eq_ignore_ascii_case("audio") && self.protocol.eq_ignore_ascii_case("RTP/AVP")
    }

    /// The G.711 law a payload type carries here: by `a=rtpmap` when present, else by static type.
    #[must_use]
    pub fn g711(&self, payload_type: u8) -> Option<G711> {
        match self.rtpmap(payload_type) {
            Some(map) => g711_named(map),
            None => [G711::Pcmu, G711::Pcma].into_iter().find(|law| law.payload_type() == payload_type),
        }
    }

    /// The payload type of the first telephone-event format at 8000 Hz (RFC 4733), if offered.
    #[must_use]
    pub fn telephone_event(&self) -> Option<u8> {
        self.formats.iter().copied().find(|&payload_type| {
            self.rtpmap(payload_type).is_some_and(|map| {
                map.encoding.eq_ignore_ascii_case("telephone-event") && map.clock_rate == NARROWBAND_CLOCK
            })
        })
    }

    /// A rejection of this stream for an answer: port 0 and the same formats (RFC 3264 §6).
    #[must_use]
    pub fn rejected(&self) -> Self {
        Self {
            kind: self.kind.clone(),
            port: 0,
            protocol: self.protocol.clone(),
            formats: self.formats.clone(),
            other_formats: self.other_formats.clone(),
            ..Self::default()
        }
    }
}

fn g711_named(map: &RtpMap) -> Option<G711> {
    if map.clock_rate != NARROWBAND_CLOCK || map.channels.is_some_and(|channels| channels != 1) {
        return None;
    }
    [G711::Pcmu, G711::Pcma].into_iter().find(|law| map.encoding.eq_ignore_ascii_case(law.encoding_name()))
}

/// A whole session description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// The `o=` line.
    pub origin: Origin,
    /// The `s=` line, trimmed; empty when it was blank.
    pub session_name: String,
    /// The session-level connection address.
    pub connection: Option<IpAddr>,
    /// The session-level direction, for streams that state none.
    pub direction: Option<Direction>,
    /// The media sections, in order.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// Where a stream's peer receives: its own `c=`, else the session's.
    #[must_use]
    pub fn connection_of(&self, media: &MediaDescription) -> Option<IpAddr> {
        media.connection.or(self.connection)
    }

    /// The direction a stream states: its own, else the session's, else sendrecv.
    #[must_use]
    pub fn direction_of(&self, media: &MediaDescription) -> Direction {
        media.direction.or(self.direction).unwrap_or(Direction::SendRecv)
    }
}

/// What this side offers or accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalMedia {
    /// Where we receive RTP.
    pub address: IpAddr,
    /// The RTP port we receive on; RTCP is on the next one.
    pub port: u16,
    /// The laws we carry, in our order of preference.
    pub codecs: Vec<G711>,
    /// The telephone-event payload type we offer, usually 101.
    pub telephone_event: u8,
    /// The packet time in milliseconds we want to receive, usually 20.
    pub ptime: u32,
    /// What we are willing to do: sendonly to hold the peer, sendrecv otherwise.
    pub direction: Direction,
    /// Our session id, fixed for the call.
    pub session_id: u64,
    /// Our description's version; [`LocalMedia::reoffer`] raises it.
    pub version: u64,
    /// The `o=` user name, `-` when none.
    pub username: String,
}

impl LocalMedia {
    /// PCMU then PCMA, telephone-event 101, 20 ms, sendrecv, version 0, no user name.
    #[must_use]
    pub fn new(address: IpAddr, port: u16, session_id: u64) -> Self {
        Self {
            address,
            port,
            codecs: vec![G711::Pcmu, G711::Pcma],
            telephone_event: 101,
            ptime: DEFAULT_PTIME,
            direction: Direction::SendRecv,
            session_id,
            version: 0,
            username: String::from("-"),
        }
    }

    /// A new offer for a re-INVITE: sendonly holds the peer, sendrecv resumes; the version rises.
    pub fn reoffer(&mut self, direction: Direction) -> SessionDescription {
        self.direction = direction;
        self.version = self.version.wrapping_add(1);
        offer(self)
    }

    fn origin(&self) -> Origin {
        Origin {
            username: self.username.clone(),
            session_id: self.session_id,
            version: self.version,
            address: self.address,
        }
    }
}

/// The media both sides agreed on, seen from our side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP; `None` for port 0, an unspecified address (hold) or an inactive stream.
    pub remote_rtp: Option<SocketAddr>,
    /// Where to send RTCP: `a=rtcp`, else the RTP port + 1; `None` for port 0 or an unspecified address.
    pub remote_rtcp: Option<SocketAddr>,
    /// The law both sides use.
    pub codec: G711,
    /// The payload type that law goes by on this call.
    pub codec_payload_type: u8,
    /// The telephone-event payload type, if both sides carry RFC 4733 events.
    pub telephone_event: Option<u8>,
    /// The packet time in milliseconds the peer wants, [`DEFAULT_PTIME`] when it said none.
    pub remote_ptime: u32,
    /// From our side: whether we send, whether we receive.
    pub direction: Direction,
}

/// Parses an SDP body. Unknown lines and attributes are skipped; malformed `v=`, `o=`, `s=`, `m=`
/// and `c=` lines are refused.
pub fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(SdpError::TooLong { length: text.len(), limit: MAX_TEXT_BYTES });
    }
    let mut builder = Builder::default();
    for (index, raw) in text.split('\n').enumerate() {
        let content = raw.trim_end();
        if content.is_empty() {
            continue;
        }
        let number = index + 1;
        let Some((kind, value)) = split_type_value(content) else {
            return Err(SdpError::NotALine { line: number, text: excerpt(content) });
        };
        let line = Line { number, kind, text: content };
        if builder.version_seen {
            builder.take(&line, value)?;
        } else if kind == 'v' && value.trim() == "0" {
            builder.version_seen = true;
        } else {
            return Err(SdpError::NotVersionZero { line: number, text: excerpt(content) });
        }
    }
    builder.finish()
}

/// The line being read, for errors that name it.
struct Line<'a> {
    number: usize,
    kind: char,
    text: &'a str,
}

impl Line<'_> {
    fn malformed(&self, reason: &'static str) -> SdpError {
        SdpError::Malformed { line: self.number, kind: self.kind, reason, text: excerpt(self.text) }
    }
}

#[derive(Default)]
struct Builder {
    version_seen: bool,
    origin: Option<Origin>,
    session_name: Option<String>,
    connection: Option<IpAddr>,
    direction: Option<Direction>,
    media: Vec<MediaDescription>,
    /// The line number of each `m=` line, to name it if its address is missing.
    media_lines: Vec<usize>,
}

impl Builder {
    fn take(&mut self, line: &Line<'_>, value: &str) -> Result<(), SdpError> {
        let in_media = !self.media.is_empty();
        match line.kind {
            'v' => Err(line.malformed("a second `v=` line")),
            'o' | 's' if in_media => Err(line.malformed("belongs before the first `m=` line")),
            'o' if self.origin.is_some() => Err(line.malformed("a second `o=` line")),
            's' if self.session_name.is_some() => Err(line.malformed("a second `s=` line")),
            'o' => {
                self.origin = Some(parse_origin(value).map_err(|reason| line.malformed(reason))?);
                Ok(())
            }
            's' => {
                self.session_name = Some(value.trim().to_owned());
                Ok(())
            }
            'c' => {
                let address = parse_connection(value).map_err(|reason| line.malformed(reason))?;
                // Layered multicast may list several; the first is the one we would use.
                let slot = match self.media.last_mut() {
                    Some(media) => &mut media.connection,
                    None => &mut self.connection,
                };
                slot.get_or_insert(address);
                Ok(())
            }
            'm' => {
                if self.media.len() >= MAX_MEDIA {
                    return Err(SdpError::TooManyMedia { limit: MAX_MEDIA });
                }
                self.media.push(parse_media(line, value)?);
                self.media_lines.push(line.number);
                Ok(())
            }
            'a' => {
                let (name, argument) = match value.split_once(':') {
                    Some((name, argument)) => (name.trim(), Some(argument.trim())),
                    None => (value.trim(), None),
                };
                if let Some(media) = self.media.last_mut() {
                    return take_media_attribute(media, line, name, argument);
                }
                if let Some(direction) = Direction::from_attribute(name) {
                    self.direction = Some(direction);
                }
                Ok(())
            }
            // t, r, z, b, i, u, e, p, k and unknown types carry nothing a softphone uses.
            _ => Ok(()),
        }
    }

    fn finish(self) -> Result<SessionDescription, SdpError> {
        if !self.version_seen {
            return Err(SdpError::MissingLine('v'));
        }
        let origin = self.origin.ok_or(SdpError::MissingLine('o'))?;
        let session_name = self.session_name.ok_or(SdpError::MissingLine('s'))?;
        for (media, &line) in self.media.iter().zip(&self.media_lines) {
            if media.port != 0 && media.connection.is_none() && self.connection.is_none() {
                return Err(SdpError::MissingConnection { line });
            }
        }
        Ok(SessionDescription {
            origin,
            session_name,
            connection: self.connection,
            direction: self.direction,
            media: self.media,
        })
    }
}

fn take_media_attribute(
    media: &mut MediaDescription,
    line: &Line<'_>,
    name: &str,
    argument: Option<&str>,
) -> Result<(), SdpError> {
    if let Some(direction) = Direction::from_attribute(name) {
        media.direction = Some(direction);
        return Ok(());
    }
    let is = |known: &str| name.eq_ignore_ascii_case(known);
    // A malformed attribute is skipped like an unknown one: the stream may still be usable without it.
    if is("rtpmap") {
        if let Some(map) = argument.and_then(parse_rtpmap) {
            if media.rtpmaps.len() >= MAX_FORMATS {
                return Err(SdpError::TooManyFormats { line: line.number, limit: MAX_FORMATS });
            }
            media.rtpmaps.push(map);
        }
    } else if is("fmtp") {
        if let Some(entry) = argument.and_then(parse_fmtp) {
            if media.fmtp.len() >= MAX_FORMATS {
                return Err(SdpError::TooManyFormats { line: line.number, limit: MAX_FORMATS });
            }
            media.fmtp.push(entry);
        }
    } else if is("ptime") {
        if let Some(ptime) = argument.and_then(parse_milliseconds) {
            media.ptime = Some(ptime);
        }
    } else if is("maxptime") {
        if let Some(ptime) = argument.and_then(parse_milliseconds) {
            media.max_ptime = Some(ptime);
        }
    } else if is("rtcp") {
        if let Some((port, address)) = argument.and_then(parse_rtcp) {
            media.rtcp_port = Some(port);
            media.rtcp_address = address;
        }
    } else if is("rtcp-mux") {
        media.rtcp_mux = true;
    }
    Ok(())
}

fn split_type_value(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let kind = chars.next().filter(char::is_ascii_alphabetic)?;
    let value = chars.as_str().strip_prefix('=')?;
    Some((kind, value))
}

fn excerpt(text: &str) -> String {
    let end = text.char_indices().nth(EXCERPT_CHARS).map_or(text.len(), |(index, _)| index);
    text.get(..end).unwrap_or(text).to_owned()
}

/// A decimal number of ASCII digits only (`str::parse` would also take a sign).
fn decimal<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn payload_type(text: &str) -> Option<u8> {
    decimal::<u8>(text).filter(|&payload_type| payload_type <= 127)
}

fn parse_origin(value: &str) -> Result<Origin, &'static str> {
    const SHAPE: &str = "expected `<user> <session id> <version> IN IP4|IP6 <address>`";
    let mut fields = value.split_ascii_whitespace();
    let (Some(username), Some(session_id), Some(version), Some(network), Some(address_type), Some(address), None) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(SHAPE);
    };
    let session_id = decimal(session_id).ok_or("the session id is not a 64-bit decimal number")?;
    let version = decimal(version).ok_or("the version is not a 64-bit decimal number")?;
    if !network.eq_ignore_ascii_case("IN") {
        return Err("the network type is not IN");
    }
    // The origin only identifies the session, so a host name is kept as "unknown" rather than refused.
    let address = match parse_address(address_type, address) {
        Ok(address) => address,
        Err(_) if address_type.eq_ignore_ascii_case("IP4") => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Err(_) if address_type.eq_ignore_ascii_case("IP6") => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        Err(reason) => return Err(reason),
    };
    Ok(Origin { username: username.to_owned(), session_id, version, address })
}

fn parse_connection(value: &str) -> Result<IpAddr, &'static str> {
    let mut fields = value.split_ascii_whitespace();
    let (Some(network), Some(address_type), Some(address), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("expected `IN IP4|IP6 <address>`");
    };
    if !network.eq_ignore_ascii_case("IN") {
        return Err("the network type is not IN");
    }
    parse_address(address_type, address)
}

fn parse_address(address_type: &str, address: &str) -> Result<IpAddr, &'static str> {
    // Multicast addresses carry `/ttl` and `/count` suffixes.
    let literal = address.split_once('/').map_or(address, |(literal, _)| literal);
    if address_type.eq_ignore_ascii_case("IP4") {
        literal.parse::<Ipv4Addr>().map(IpAddr::V4).map_err(|_| "the address is not an IPv4 literal")
    } else if address_type.eq_ignore_ascii_case("IP6") {
        literal.parse::<Ipv6Addr>().map(IpAddr::V6).map_err(|_| "the address is not an IPv6 literal")
    } else {
        Err("the address type is not IP4 or IP6")
    }
}

fn parse_media(line: &Line<'_>, value: &str) -> Result<MediaDescription, SdpError> {
    let mut fields = value.split_ascii_whitespace();
    let (Some(kind), Some(port), Some(protocol)) = (fields.next(), fields.next(), fields.next()) else {
        return Err(line.malformed("expected `<media> <port> <protocol> <format> …`"));
    };
    // `port/count` asks for several ports; a softphone stream uses the first.
    let port = port.split_once('/').map_or(port, |(first, _)| first);
    let port = decimal::<u16>(port).ok_or_else(|| line.malformed("the port is not a number from 0 to 65535"))?;
    let mut media =
        MediaDescription { kind: kind.to_owned(), port, protocol: protocol.to_owned(), ..MediaDescription::default() };
    for (count, format) in fields.enumerate() {
        if count >= MAX_FORMATS {
            return Err(SdpError::TooManyFormats { line: line.number, limit: MAX_FORMATS });
        }
        match payload_type(format) {
            Some(payload_type) => media.formats.push(payload_type),
            None => media.other_formats.push(format.to_owned()),
        }
    }
    if media.formats.is_empty() && media.other_formats.is_empty() {
        return Err(line.malformed("no format is listed"));
    }
    Ok(media)
}

fn split_first_word(text: &str) -> (&str, &str) {
    match text.split_once(|character: char| character.is_ascii_whitespace()) {
        Some((first, rest)) => (first, rest.trim()),
        None => (text, ""),
    }
}

fn parse_rtpmap(argument: &str) -> Option<RtpMap> {
    let (payload, mapping) = split_first_word(argument);
    let payload_type = payload_type(payload)?;
    let mut parts = mapping.split('/');
    let encoding = parts.next().filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))?;
    let clock_rate = parts.next().and_then(decimal)?;
    let channels = match parts.next() {
        Some(channels) => Some(decimal(channels)?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(RtpMap { payload_type, encoding: encoding.to_owned(), clock_rate, channels })
}

fn parse_fmtp(argument: &str) -> Option<(u8, String)> {
    let (payload, parameters) = split_first_word(argument);
    Some((payload_type(payload)?, parameters.to_owned()))
}

fn parse_milliseconds(argument: &str) -> Option<u32> {
    // Some peers write `20.0`; a fraction of a millisecond does not matter at 8000 Hz.
    let whole = argument.split_once('.').map_or(argument, |(whole, _)| whole);
    decimal(whole)
}

fn parse_rtcp(argument: &str) -> Option<(u16, Option<IpAddr>)> {
    let (port, rest) = split_first_word(argument);
    let port = decimal(port)?;
    // An unreadable address leaves RTCP on the stream's connection address.
    let address = if rest.is_empty() { None } else { parse_connection(rest).ok() };
    Some((port, address))
}

/// The set of RFC 4733 events in an `a=fmtp` list such as `0-15,16`, as a bit mask of events 0–31.
fn events_in(parameters: Option<&str>) -> u32 {
    let Some(parameters) = parameters.filter(|parameters| !parameters.trim().is_empty()) else {
        return DEFAULT_EVENTS;
    };
    let mut events = 0u32;
    for item in parameters.split(',') {
        let item = item.trim();
        let (low, high) = item.split_once('-').unwrap_or((item, item));
        let (Some(low), Some(high)) = (decimal::<u8>(low.trim()), decimal::<u8>(high.trim())) else {
            return DEFAULT_EVENTS;
        };
        for event in low..=high.min(31) {
            events |= 1 << event;
        }
    }
    events
}

/// An events mask written as an `a=fmtp` list: `0-11,16`.
fn events_list(events: u32) -> String {
    let mut text = String::new();
    let mut event = 0u32;
    while event < 32 {
        if events & (1 << event) == 0 {
            event += 1;
            continue;
        }
        let low = event;
        while event < 32 && events & (1 << event) != 0 {
            event += 1;
        }
        let separator = if text.is_empty() { "" } else { "," };
        let high = event - 1;
        // Writing to a String cannot fail.
        let _ = if low == high { write!(text, "{separator}{low}") } else { write!(text, "{separator}{low}-{high}") };
    }
    text
}

/// Our offer: one audio stream over RTP/AVP with our laws, telephone events 0–16, our packet time and direction.
#[must_use]
pub fn offer(local: &LocalMedia) -> SessionDescription {
    let mut media = MediaDescription {
        kind: String::from("audio"),
        port: local.port,
        protocol: String::from("RTP/AVP"),
        ptime: Some(local.ptime),
        direction: Some(local.direction),
        ..MediaDescription::default()
    };
    for &law in &local.codecs {
        if !media.formats.contains(&law.payload_type()) {
            media.formats.push(law.payload_type());
            media.rtpmaps.push(law_rtpmap(law, law.payload_type()));
        }
    }
    if !media.formats.contains(&local.telephone_event) {
        media.formats.push(local.telephone_event);
        media.rtpmaps.push(telephone_event_rtpmap(local.telephone_event));
        media.fmtp.push((local.telephone_event, events_list(SUPPORTED_EVENTS)));
    }
    SessionDescription {
        origin: local.origin(),
        session_name: String::from("-"),
        connection: Some(local.address),
        direction: None,
        media: vec![media],
    }
}

fn law_rtpmap(law: G711, payload_type: u8) -> RtpMap {
    RtpMap { payload_type, encoding: law.encoding_name().to_owned(), clock_rate: NARROWBAND_CLOCK, channels: None }
}

fn telephone_event_rtpmap(payload_type: u8) -> RtpMap {
    RtpMap { payload_type, encoding: String::from("telephone-event"), clock_rate: NARROWBAND_CLOCK, channels: None }
}

/// Our answer to an offer (RFC 3264 §6): the first plain RTP/AVP audio stream with a law we carry is
/// accepted with the offer's first such law and its telephone-event type; every other stream gets port 0.
pub fn answer(offer: &SessionDescription, local: &LocalMedia) -> Result<(SessionDescription, Negotiated), SdpError> {
    let mut chosen = None;
    let mut media = Vec::with_capacity(offer.media.len());
    for offered in &offer.media {
        if chosen.is_none()
            && let Some((line, negotiated)) = accept_stream(offer, offered, local)
        {
            media.push(line);
            chosen = Some(negotiated);
        } else {
            media.push(offered.rejected());
        }
    }
    let negotiated = chosen.ok_or(SdpError::NoCommonCodec)?;
    let description = SessionDescription {
        origin: local.origin(),
        session_name: String::from("-"),
        connection: Some(local.address),
        direction: None,
        media,
    };
    Ok((description, negotiated))
}

/// The first law in the stream's order that we carry, with its payload type.
fn first_common_law(media: &MediaDescription, local: &LocalMedia) -> Option<(G711, u8)> {
    media.formats.iter().find_map(|&payload_type| {
        media.g711(payload_type).filter(|law| local.codecs.contains(law)).map(|law| (law, payload_type))
    })
}

/// The direction a stream's describer states, less receiving when its address is unspecified:
/// `c=0.0.0.0` is the legacy hold of RFC 2543 (RFC 3264 §8.4).
fn stated_direction(description: &SessionDescription, media: &MediaDescription, address: IpAddr) -> Direction {
    let stated = description.direction_of(media);
    if address.is_unspecified() { stated.without_receiving() } else { stated }
}

fn accept_stream(
    offer: &SessionDescription,
    offered: &MediaDescription,
    local: &LocalMedia,
) -> Option<(MediaDescription, Negotiated)> {
    if offered.port == 0 || !offered.is_plain_rtp_audio() {
        return None;
    }
    let (codec, codec_payload_type) = first_common_law(offered, local)?;
    let address = offer.connection_of(offered)?;
    let direction = stated_direction(offer, offered, address).reversed().intersection(local.direction);
    // Telephone events are kept only if the peer receives some that we send too.
    let events = offered.telephone_event().and_then(|payload_type| {
        let events = events_in(offered.fmtp(payload_type)) & SUPPORTED_EVENTS;
        (events != 0).then_some((payload_type, events))
    });
    let telephone_event = events.map(|(payload_type, _)| payload_type);

    let mut line = MediaDescription {
        kind: offered.kind.clone(),
        port: local.port,
        protocol: offered.protocol.clone(),
        ptime: Some(local.ptime),
        direction: Some(direction),
        ..MediaDescription::default()
    };
    // RFC 3264 §6.1: the answer keeps the offer's order and payload type numbers.
    for &payload_type in &offered.formats {
        if line.formats.contains(&payload_type) {
            continue;
        }
        if payload_type == codec_payload_type {
            line.formats.push(payload_type);
            line.rtpmaps.push(law_rtpmap(codec, payload_type));
        } else if let Some((_, events)) = events.filter(|&(events_type, _)| events_type == payload_type) {
            line.formats.push(payload_type);
            line.rtpmaps.push(telephone_event_rtpmap(payload_type));
            line.fmtp.push((payload_type, events_list(events)));
        }
    }
    let negotiated = Negotiated {
        remote_rtp: rtp_destination(offered, address, direction),
        remote_rtcp: rtcp_destination(offered, address),
        codec,
        codec_payload_type,
        telephone_event,
        remote_ptime: remote_ptime(offered),
        direction,
    };
    Some((line, negotiated))
}

fn remote_ptime(media: &MediaDescription) -> u32 {
    media.ptime.filter(|&ptime| ptime > 0).unwrap_or(DEFAULT_PTIME)
}

/// Whether the peer gave somewhere to send to: a port and a specified address.
fn reachable(media: &MediaDescription, address: IpAddr) -> bool {
    media.port != 0 && !address.is_unspecified()
}

fn rtp_destination(media: &MediaDescription, address: IpAddr, ours: Direction) -> Option<SocketAddr> {
    (reachable(media, address) && ours != Direction::Inactive).then(|| SocketAddr::new(address, media.port))
}

/// RTCP goes on even on an inactive stream (RFC 3264 §5.1), so only reachability matters.
fn rtcp_destination(media: &MediaDescription, address: IpAddr) -> Option<SocketAddr> {
    if !reachable(media, address) {
        return None;
    }
    match media.rtcp_port {
        Some(0) => None,
        Some(port) => Some(SocketAddr::new(media.rtcp_address.unwrap_or(address), port)),
        None => media.port.checked_add(1).map(|port| SocketAddr::new(address, port)),
    }
}

/// Reads the peer's answer to our offer: the first audio stream it accepts, the first law in it that we
/// offered, and its telephone-event type if any.
pub fn accept_answer(local: &LocalMedia, answer: &SessionDescription) -> Result<Negotiated, SdpError> {
    let mut streams = answer.media.iter().filter_map(|media| {
        let address = answer.connection_of(media)?;
        (media.port != 0 && media.is_plain_rtp_audio()).then_some((media, address))
    });
    let (media, address) = streams.next().ok_or(SdpError::AudioRejected)?;
    let (codec, codec_payload_type) = first_common_law(media, local).ok_or(SdpError::NoCommonCodec)?;
    let direction = stated_direction(answer, media, address).reversed().intersection(local.direction);
    Ok(Negotiated {
        remote_rtp: rtp_destination(media, address, direction),
        remote_rtcp: rtcp_destination(media, address),
        codec,
        codec_payload_type,
        telephone_event: media.telephone_event(),
        remote_ptime: remote_ptime(media),
        direction,
    })
}

/// Writes text with line breaks turned to spaces, so that a field can never start a line of its own.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, piece) in self.0.split(['\r', '\n']).enumerate() {
            if index > 0 {
                formatter.write_str(" ")?;
            }
            formatter.write_str(piece)?;
        }
        Ok(())
    }
}

struct Address(IpAddr);

impl fmt::Display for Address {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(address) => write!(formatter, "IN IP4 {address}"),
            IpAddr::V6(address) => write!(formatter, "IN IP6 {address}"),
        }
    }
}

impl fmt::Display for SessionDescription {
    /// Writes the description with CRLF line ends in the order RFC 4566 §5 requires.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = &self.origin;
        let username = if origin.username.is_empty() { "-" } else { origin.username.as_str() };
        formatter.write_str("v=0\r\n")?;
        write!(
            formatter,
            "o={} {} {} {}\r\n",
            OneLine(username),
            origin.session_id,
            origin.version,
            Address(origin.address)
        )?;
        // RFC 4566 §5.3: a description with no name carries a single space.
        let name = if self.session_name.is_empty() { " " } else { self.session_name.as_str() };
        write!(formatter, "s={}\r\n", OneLine(name))?;
        if let Some(address) = self.connection {
            write!(formatter, "c={}\r\n", Address(address))?;
        }
        formatter.write_str("t=0 0\r\n")?;
        if let Some(direction) = self.direction {
            write!(formatter, "a={}\r\n", direction.attribute())?;
        }
        for media in &self.media {
            write!(formatter, "{media}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MediaDescription {
    /// Writes the media section with CRLF line ends: `m=`, `c=`, then the attributes.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "m={} {} {}", OneLine(&self.kind), self.port, OneLine(&self.protocol))?;
        for payload_type in &self.formats {
            write!(formatter, " {payload_type}")?;
        }
        for format in &self.other_formats {
            write!(formatter, " {}", OneLine(format))?;
        }
        formatter.write_str("\r\n")?;
        if let Some(address) = self.connection {
            write!(formatter, "c={}\r\n", Address(address))?;
        }
        for map in &self.rtpmaps {
            write!(formatter, "a=rtpmap:{} {}/{}", map.payload_type, OneLine(&map.encoding), map.clock_rate)?;
            if let Some(channels) = map.channels {
                write!(formatter, "/{channels}")?;
            }
            formatter.write_str("\r\n")?;
        }
        for (payload_type, parameters) in &self.fmtp {
            write!(formatter, "a=fmtp:{payload_type} {}\r\n", OneLine(parameters))?;
        }
        if let Some(ptime) = self.ptime {
            write!(formatter, "a=ptime:{ptime}\r\n")?;
        }
        if let Some(ptime) = self.max_ptime {
            write!(formatter, "a=maxptime:{ptime}\r\n")?;
        }
        if let Some(port) = self.rtcp_port {
            write!(formatter, "a=rtcp:{port}")?;
            if let Some(address) = self.rtcp_address {
                write!(formatter, " {}", Address(address))?;
            }
            formatter.write_str("\r\n")?;
        }
        if self.rtcp_mux {
            formatter.write_str("a=rtcp-mux\r\n")?;
        }
        if let Some(direction) = self.direction {
            write!(formatter, "a={}\r\n", direction.attribute())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
