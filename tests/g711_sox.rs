//! Our G.711 against sox's: every 16-bit value and a sweep, encoded by both
//! and compared byte for byte; every code decoded by both and compared.
//! sox dithers when it reduces bit depth unless told not to (`-D`).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

use std::path::Path;
use std::process::Command;
use switchboard::voice::g711::G711;

fn sox(args: &[&str], dir: &Path) {
    let output = Command::new("sox")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("sox is installed by `make test` (package sox)");
    assert!(output.status.success(), "sox {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// Every i16 value in order, then a 3 s sweep from 50 Hz to 3.9 kHz.
fn signal() -> Vec<i16> {
    let mut samples: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let mut phase = 0.0f64;
    for n in 0..24_000 {
        let frequency = 50.0 + 3850.0 * f64::from(n) / 24_000.0;
        phase += 2.0 * std::f64::consts::PI * frequency / 8000.0;
        samples.push((phase.sin() * 30_000.0) as i16);
    }
    samples
}

fn raw(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

#[test]
fn our_codec_matches_sox_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let input = signal();
    std::fs::write(dir.path().join("in.raw"), raw(&input)).unwrap();
    for (law, encoding, file) in [(G711::Pcmu, "mu-law", "out.ul"), (G711::Pcma, "a-law", "out.al")] {
        sox(
            &[
                "-D", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", "in.raw", "-t", "raw", "-e",
                encoding, "-b", "8", file,
            ],
            dir.path(),
        );
        let theirs = std::fs::read(dir.path().join(file)).unwrap();
        let mut ours = Vec::new();
        law.encode(&input, &mut ours);
        assert_eq!(theirs.len(), ours.len());
        let differences: Vec<(usize, i16, u8, u8)> = ours
            .iter()
            .zip(&theirs)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| (i, input[i], *a, *b))
            .take(5)
            .collect();
        assert!(
            differences.is_empty(),
            "{law:?} encoding differs from sox at (index, sample, ours, sox): {differences:?}"
        );

        // Decoding: every code, through sox and through us.
        let codes: Vec<u8> = (0..=255).collect();
        std::fs::write(dir.path().join("codes"), &codes).unwrap();
        sox(
            &[
                "-t",
                "raw",
                "-r",
                "8000",
                "-e",
                encoding,
                "-b",
                "8",
                "-c",
                "1",
                "codes",
                "-t",
                "raw",
                "-e",
                "signed",
                "-b",
                "16",
                "decoded.raw",
            ],
            dir.path(),
        );
        let theirs: Vec<i16> = std::fs::read(dir.path().join("decoded.raw"))
            .unwrap()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let mut ours = Vec::new();
        law.decode(&codes, &mut ours);
        assert_eq!(ours, theirs, "{law:?} decoding matches sox for all 256 codes");
    }
}
