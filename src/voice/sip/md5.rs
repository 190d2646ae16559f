//! The MD5 message digest (RFC 1321), written here because SIP digest
//! authentication (RFC 2617, RFC 3261 §22) requires it.
//!
//! MD5 is broken as a cryptographic hash: collisions are cheap to make. It is
//! used only to compute and check SIP digest responses, never for anything
//! else: not for integrity, signatures, passwords at rest or identifiers. Reach
//! for a modern hash everywhere else.

/// How many bytes MD5 compresses at a time.
const BLOCK_LENGTH: usize = 64;
/// Where the message length starts in the last padded block.
const LENGTH_OFFSET: usize = BLOCK_LENGTH - 8;

/// The initial chaining values A, B, C, D of RFC 1321 §3.3.
const INITIAL_STATE: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// The table T of RFC 1321 §3.4: the integer part of 2^32 × |sin(i)| for i = 1..=64.
const SINE_TABLE: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// The left rotations of RFC 1321 §3.4, four per round, repeated for the round's sixteen steps.
const ROTATIONS: [[u32; 4]; 4] = [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]];

/// The lower-case hexadecimal digits, indexed by nibble.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// An MD5 computation fed in pieces of any size.
#[derive(Clone)]
pub struct Md5 {
    state: [u32; 4],
    /// Bytes waiting for a full block.
    pending: [u8; BLOCK_LENGTH],
    /// How many bytes of `pending` are filled.
    pending_length: usize,
    /// Message length in bytes; RFC 1321 keeps the bit length modulo 2^64, so it wraps.
    message_length: u64,
}

impl std::fmt::Debug for Md5 {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pending bytes may be a password: show only how far the computation has come.
        formatter.debug_struct("Md5").field("message_length", &self.message_length).finish_non_exhaustive()
    }
}

impl Default for Md5 {
    fn default() -> Self {
        Self::new()
    }
}

impl Md5 {
    /// Starts a digest of the empty message.
    #[must_use]
    pub fn new() -> Self {
        Self { state: INITIAL_STATE, pending: [0; BLOCK_LENGTH], pending_length: 0, message_length: 0 }
    }

    /// Appends bytes to the message.
    pub fn update(&mut self, data: &[u8]) {
        self.message_length = self.message_length.wrapping_add(data.len() as u64);
        self.absorb(data);
    }

    /// Pads the message (RFC 1321 §3.1–3.2) and returns its digest.
    #[must_use]
    pub fn finish(mut self) -> [u8; 16] {
        let bit_length = self.message_length.wrapping_mul(8).to_le_bytes();
        // One 0x80 byte, then zeros up to 8 bytes short of a block boundary.
        let padding_length = if self.pending_length < LENGTH_OFFSET {
            LENGTH_OFFSET - self.pending_length
        } else {
            BLOCK_LENGTH + LENGTH_OFFSET - self.pending_length
        };
        let mut padding = [0u8; BLOCK_LENGTH + LENGTH_OFFSET];
        padding[0] = 0x80;
        self.absorb(padding.get(..padding_length).unwrap_or_default());
        self.absorb(&bit_length);
        let mut digest = [0u8; 16];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(self.state) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        digest
    }

    /// Feeds bytes to the compression function without counting them in the message length.
    fn absorb(&mut self, data: &[u8]) {
        let mut rest = data;
        if self.pending_length > 0 {
            let wanted = BLOCK_LENGTH - self.pending_length;
            let (head, tail) = rest.split_at(wanted.min(rest.len()));
            if let Some(slot) = self.pending.get_mut(self.pending_length..self.pending_length + head.len()) {
                slot.copy_from_slice(head);
            }
            self.pending_length += head.len();
            rest = tail;
            if self.pending_length < BLOCK_LENGTH {
                return;
            }
            compress(&mut self.state, &self.pending);
            self.pending_length = 0;
        }
        let (blocks, tail) = rest.as_chunks::<BLOCK_LENGTH>();
        for block in blocks {
            compress(&mut self.state, block);
        }
        if let Some(slot) = self.pending.get_mut(..tail.len()) {
            slot.copy_from_slice(tail);
        }
        self.pending_length = tail.len();
    }
}

/// The MD5 compression function (RFC 1321 §3.4): mixes one block into the state.
fn compress(state: &mut [u32; 4], block: &[u8; BLOCK_LENGTH]) {
    let (words, _) = block.as_chunks::<4>();
    let mut message = [0u32; 16];
    for (word, bytes) in message.iter_mut().zip(words) {
        *word = u32::from_le_bytes(*bytes);
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for step in 0..64 {
        let round = step / 16;
        let (mixed, word) = match round {
            0 => ((b & c) | (!b & d), step),
            1 => ((b & d) | (c & !d), (5 * step + 1) % 16),
            2 => (b ^ c ^ d, (3 * step + 5) % 16),
            _ => (c ^ (b | !d), (7 * step) % 16),
        };
        let sum = mixed.wrapping_add(a).wrapping_add(SINE_TABLE[step]).wrapping_add(message[word]);
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(sum.rotate_left(ROTATIONS[round][step % 4]));
    }
    for (word, added) in state.iter_mut().zip([a, b, c, d]) {
        *word = word.wrapping_add(added);
    }
}

/// The MD5 digest of a whole message.
#[must_use]
pub fn digest(data: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(data);
    md5.finish()
}

/// A digest as 32 lower-case hexadecimal ASCII digits, without allocating.
#[must_use]
pub fn hex_digits(digest: &[u8; 16]) -> [u8; 32] {
    let mut digits = [0u8; 32];
    for (pair, byte) in digits.chunks_exact_mut(2).zip(digest) {
        pair[0] = HEX_DIGITS[usize::from(byte >> 4)];
        pair[1] = HEX_DIGITS[usize::from(byte & 0x0f)];
    }
    digits
}

/// A digest as a string of 32 lower-case hexadecimal digits.
#[must_use]
pub fn hex(digest: &[u8; 16]) -> String {
    hex_digits(digest).iter().map(|&digit| char::from(digit)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex_of(data: &[u8]) -> String {
        hex(&digest(data))
    }

    #[test]
    fn matches_the_rfc_1321_test_suite() {
        let suite: [(&str, &str); 7] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (message, expected) in suite {
            assert_eq!(hex_of(message.as_bytes()), expected, "MD5 of {message:?}");
        }
    }

    #[test]
    fn pads_correctly_around_the_block_boundary() {
        // Lengths 55, 56 and 64 are where the padding spills into an extra block.
        let cases = [
            (55, "ef1772b6dff9a122358552954ad0df65"),
            (56, "3b0c8ac703f828b04c6c197006d17218"),
            (63, "b06521f39153d618550606be297466d5"),
            (64, "014842d480b571495a4a0363793f7367"),
            (65, "c743a45e0d2e6a95cb859adae0248435"),
        ];
        for (length, expected) in cases {
            assert_eq!(hex_of(&vec![b'a'; length]), expected, "MD5 of {length} letters a");
        }
    }

    #[test]
    fn digests_a_million_letters_a() {
        assert_eq!(hex_of(&vec![b'a'; 1_000_000]), "7707d6ae4e027c70eea2a935c2296f21");
    }

    #[test]
    fn digests_a_mebibyte_fed_in_odd_pieces() {
        let data: Vec<u8> = (0..1usize << 20).map(|index| (index % 251) as u8).collect();
        let mut md5 = Md5::new();
        for piece in data.chunks(1021) {
            md5.update(piece);
        }
        assert_eq!(hex(&md5.finish()), "8f293a2f6c19b345152f7a49bb4c643c");
        assert_eq!(hex_of(&data), "8f293a2f6c19b345152f7a49bb4c643c");
    }

    #[test]
    fn writes_lower_case_hex() {
        let digest = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10];
        assert_eq!(hex(&digest), "0123456789abcdeffedcba9876543210");
    }

    #[test]
    fn debug_does_not_show_the_pending_bytes() {
        let mut md5 = Md5::new();
        md5.update(b"Circle Of Life");
        let shown = format!("{md5:?}");
        assert!(!shown.contains("67"), "{shown}");
        assert!(shown.contains("message_length: 14"), "{shown}");
    }

    proptest! {
        /// Splitting the message anywhere gives the same digest as feeding it whole.
        #[test]
        fn chunked_updates_equal_one_shot(
            data in prop::collection::vec(any::<u8>(), 0..600),
            splits in prop::collection::vec(any::<usize>(), 0..12),
        ) {
            let mut points: Vec<usize> = splits.iter().map(|split| split % (data.len() + 1)).collect();
            points.sort_unstable();
            let mut md5 = Md5::new();
            let mut start = 0;
            for point in points {
                md5.update(&data[start..point]);
                start = point;
            }
            md5.update(&data[start..]);
            prop_assert_eq!(md5.finish(), digest(&data));
        }
    }
}
