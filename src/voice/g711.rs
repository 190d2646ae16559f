//! G.711 μ-law and A-law (ITU-T G.711): 16-bit linear PCM to and from the
//! 8-bit codes carried in RTP. Decoding goes through tables built at compile
//! time; encoding is a few shifts. Bit-exact with sox, which rounds where the
//! ITU reference truncates the low bits before companding.

/// The two G.711 companding laws, as RTP names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G711 {
    /// μ-law, RTP payload type 0.
    Pcmu,
    /// A-law, RTP payload type 8.
    Pcma,
}

impl G711 {
    /// The static RTP payload type (RFC 3551).
    #[must_use]
    pub const fn payload_type(self) -> u8 {
        match self {
            Self::Pcmu => 0,
            Self::Pcma => 8,
        }
    }

    /// The encoding name used in SDP `a=rtpmap`.
    #[must_use]
    pub const fn encoding_name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
        }
    }
}

impl G711 {
    /// The law for a static RTP payload type.
    #[must_use]
    pub fn from_payload_type(payload_type: u8) -> Option<Self> {
        match payload_type {
            0 => Some(Self::Pcmu),
            8 => Some(Self::Pcma),
            _ => None,
        }
    }

    /// The law for an SDP encoding name (any case).
    #[must_use]
    pub fn from_encoding_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("PCMU") {
            Some(Self::Pcmu)
        } else if name.eq_ignore_ascii_case("PCMA") {
            Some(Self::Pcma)
        } else {
            None
        }
    }

    /// The code of silence.
    #[must_use]
    pub const fn silence(self) -> u8 {
        match self {
            Self::Pcmu => 0xFF,
            Self::Pcma => 0xD5,
        }
    }

    /// Appends one code per sample.
    pub fn encode(self, pcm: &[i16], out: &mut Vec<u8>) {
        match self {
            Self::Pcmu => out.extend(pcm.iter().map(|&s| ulaw_encode(s))),
            Self::Pcma => out.extend(pcm.iter().map(|&s| alaw_encode(s))),
        }
    }

    /// Appends one sample per code.
    pub fn decode(self, payload: &[u8], out: &mut Vec<i16>) {
        let table = self.table();
        out.extend(payload.iter().map(|&code| table[usize::from(code)]));
    }

    /// Decodes into `out` without allocating; returns how many samples were written.
    pub fn decode_into(self, payload: &[u8], out: &mut [i16]) -> usize {
        let table = self.table();
        let mut written = 0;
        for (slot, &code) in out.iter_mut().zip(payload) {
            *slot = table[usize::from(code)];
            written += 1;
        }
        written
    }

    const fn table(self) -> &'static [i16; 256] {
        match self {
            Self::Pcmu => &ULAW_TABLE,
            Self::Pcma => &ALAW_TABLE,
        }
    }
}

const SIGN_BIT: u8 = 0x80;
const QUANT_MASK: u8 = 0x0F;
const SEG_SHIFT: u8 = 4;
const SEG_MASK: u8 = 0x70;
const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 8159;

/// The segment of a magnitude: the index of the first end it does not exceed.
const fn segment(value: i32, ends: &[i32; 8]) -> usize {
    let mut i = 0;
    while i < 8 {
        if value <= ends[i] {
            return i;
        }
        i += 1;
    }
    8
}

/// Reduces a 16-bit sample to `bits` bits by rounding to the nearest step
/// (half up), clipping at the top: what sox does, and a quarter step less
/// error on average than the ITU reference's truncation.
const fn round_to_bits(sample: i16, bits: u32) -> i32 {
    let shift = 16 - bits;
    let rounded = (sample as i32 + (1 << (shift - 1))) >> shift;
    let top = (1 << (bits - 1)) - 1;
    if rounded > top { top } else { rounded }
}

/// Encodes a sample as μ-law (14-bit magnitude, as G.711 specifies).
#[must_use]
pub const fn ulaw_encode(sample: i16) -> u8 {
    const ENDS: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    let mut value = round_to_bits(sample, 14);
    let mask: u8 = if value < 0 {
        value = -value;
        0x7F
    } else {
        0xFF
    };
    if value > ULAW_CLIP {
        value = ULAW_CLIP;
    }
    value += ULAW_BIAS >> 2;
    let seg = segment(value, &ENDS);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let code = ((seg as u8) << 4) | ((value >> (seg + 1)) as u8 & QUANT_MASK);
    code ^ mask
}

/// Decodes a μ-law code.
#[must_use]
pub const fn ulaw_decode(code: u8) -> i16 {
    let code = !code;
    let mut t = (((code & QUANT_MASK) as i32) << 3) + ULAW_BIAS;
    t <<= (code & SEG_MASK) >> SEG_SHIFT;
    (if code & SIGN_BIT != 0 { ULAW_BIAS - t } else { t - ULAW_BIAS }) as i16
}

/// Encodes a sample as A-law (13-bit magnitude).
#[must_use]
pub const fn alaw_encode(sample: i16) -> u8 {
    const ENDS: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let mut value = round_to_bits(sample, 13);
    let mask: u8 = if value >= 0 {
        0xD5
    } else {
        value = -value - 1;
        0x55
    };
    let seg = segment(value, &ENDS);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let mut code = (seg as u8) << SEG_SHIFT;
    code |= if seg < 2 { (value >> 1) as u8 & QUANT_MASK } else { (value >> seg) as u8 & QUANT_MASK };
    code ^ mask
}

/// Decodes an A-law code.
#[must_use]
pub const fn alaw_decode(code: u8) -> i16 {
    let code = code ^ 0x55;
    let mut t = ((code & QUANT_MASK) as i32) << 4;
    let seg = (code & SEG_MASK) >> SEG_SHIFT;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    (if code & SIGN_BIT != 0 { t } else { -t }) as i16
}

const fn build_table(alaw: bool) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = if alaw { alaw_decode(code as u8) } else { ulaw_decode(code as u8) };
        code += 1;
    }
    table
}

static ULAW_TABLE: [i16; 256] = build_table(false);
static ALAW_TABLE: [i16; 256] = build_table(true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_survives_a_round_trip() {
        for code in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
            let again = ulaw_encode(ulaw_decode(code));
            // μ-law has two zeros (0x7F and 0xFF); both decode to 0.
            assert!(again == code || (code == 0x7F && again == 0xFF), "μ-law {code:#04x} → {again:#04x}");
        }
    }

    #[test]
    fn known_values_and_extremes() {
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
    }

    #[test]
    fn decoding_is_monotonic_and_errors_stay_within_a_step() {
        let mut last = (i32::MIN, i32::MIN);
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let (u, a) = (i32::from(ulaw_decode(ulaw_encode(sample))), i32::from(alaw_decode(alaw_encode(sample))));
            assert!(u >= last.0 && a >= last.1, "monotonic at {sample}");
            last = (u, a);
            let magnitude = i32::from(sample).abs();
            // Each segment doubles the step: the error stays under ~1/16 of the magnitude plus the first step.
            assert!((u - i32::from(sample)).abs() <= magnitude / 16 + 132, "μ-law error at {sample}: {u}");
            assert!((a - i32::from(sample)).abs() <= magnitude / 16 + 16, "A-law error at {sample}: {a}");
        }
    }

    #[test]
    fn buffers_encode_and_decode_through_the_tables() {
        let pcm: Vec<i16> = (0..160).map(|i| (i * 200 - 16_000) as i16).collect();
        for law in [G711::Pcmu, G711::Pcma] {
            let mut codes = Vec::new();
            law.encode(&pcm, &mut codes);
            let mut decoded = Vec::new();
            law.decode(&codes, &mut decoded);
            let mut direct = [0i16; 160];
            assert_eq!(law.decode_into(&codes, &mut direct), 160);
            assert_eq!(decoded, direct);
            assert_eq!(G711::from_payload_type(law.payload_type()), Some(law));
            assert_eq!(G711::from_encoding_name(&law.encoding_name().to_lowercase()), Some(law));
        }
    }
}
