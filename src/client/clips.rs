//! The agent's audio clips (canned audio messages, E5), kept in the data
//! folder: `clips/index.json` for names, tags and state, one 8 kHz mono
//! 16-bit WAV file per clip. Files are replaced atomically; a damaged index
//! or WAV file is reported and never overwritten by a read.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Sample rate of stored clips.
pub const CLIP_RATE: u32 = 8000;
/// The longest clip kept, in samples (two minutes).
pub const MAX_CLIP_SAMPLES: usize = CLIP_RATE as usize * 120;

/// One clip as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clip {
    /// Stable id, also its file name.
    pub id: u64,
    /// The name the agent gave it.
    pub name: String,
    /// Free tags.
    pub tags: Vec<String>,
    /// Archived clips are hidden during calls.
    pub archived: bool,
    /// Length in samples at 8 kHz.
    pub samples: usize,
}

/// Why clips could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    /// The file system refused.
    #[error("the audio clips in {0} could not be used: {1}")]
    Io(PathBuf, std::io::Error),
    /// A file is damaged.
    #[error("the audio clip file {0} is damaged: {1}")]
    Damaged(PathBuf, String),
    /// No such clip.
    #[error("that audio clip no longer exists")]
    Missing,
}

/// The clip library of one workstation.
#[derive(Debug)]
pub struct ClipLibrary {
    dir: PathBuf,
    clips: Vec<Clip>,
}

impl ClipLibrary {
    /// Opens (or starts) the library in `data_dir/clips`.
    pub fn open(data_dir: &Path) -> Result<Self, ClipError> {
        let dir = data_dir.join("clips");
        let index = dir.join("index.json");
        let clips = match std::fs::read_to_string(&index) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| ClipError::Damaged(index.clone(), e.to_string()))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(ClipError::Io(index, error)),
        };
        Ok(Self { dir, clips })
    }

    /// Every clip, archived ones included.
    #[must_use]
    pub fn clips(&self) -> &[Clip] {
        &self.clips
    }

    /// Saves a new clip; returns its id.
    pub fn add(&mut self, name: &str, tags: Vec<String>, samples: &[i16]) -> Result<u64, ClipError> {
        let id = self.clips.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        let samples = &samples[..samples.len().min(MAX_CLIP_SAMPLES)];
        self.write_audio(id, samples)?;
        self.clips.push(Clip { id, name: name.trim().to_owned(), tags, archived: false, samples: samples.len() });
        self.write_index()?;
        Ok(id)
    }

    /// Replaces a clip's audio (re-record).
    pub fn replace_audio(&mut self, id: u64, samples: &[i16]) -> Result<(), ClipError> {
        let samples = &samples[..samples.len().min(MAX_CLIP_SAMPLES)];
        let position = self.position(id)?;
        self.write_audio(id, samples)?;
        self.clips[position].samples = samples.len();
        self.write_index()
    }

    /// Renames and retags a clip.
    pub fn describe(&mut self, id: u64, name: &str, tags: Vec<String>) -> Result<(), ClipError> {
        let position = self.position(id)?;
        name.trim().clone_into(&mut self.clips[position].name);
        self.clips[position].tags = tags;
        self.write_index()
    }

    /// Archives or brings back a clip.
    pub fn set_archived(&mut self, id: u64, archived: bool) -> Result<(), ClipError> {
        let position = self.position(id)?;
        self.clips[position].archived = archived;
        self.write_index()
    }

    /// Deletes a clip and its audio.
    pub fn delete(&mut self, id: u64) -> Result<(), ClipError> {
        let position = self.position(id)?;
        self.clips.remove(position);
        self.write_index()?;
        match std::fs::remove_file(self.audio_path(id)) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(ClipError::Io(self.audio_path(id), error)),
        }
    }

    /// A clip's samples at 8 kHz.
    pub fn audio(&self, id: u64) -> Result<Vec<i16>, ClipError> {
        self.position(id)?;
        let path = self.audio_path(id);
        let bytes = std::fs::read(&path).map_err(|e| ClipError::Io(path.clone(), e))?;
        read_wav(&bytes).map_err(|reason| ClipError::Damaged(path, reason))
    }

    fn position(&self, id: u64) -> Result<usize, ClipError> {
        self.clips.iter().position(|c| c.id == id).ok_or(ClipError::Missing)
    }

    fn audio_path(&self, id: u64) -> PathBuf {
        self.dir.join(format!("{id}.wav"))
    }

    fn write_audio(&self, id: u64, samples: &[i16]) -> Result<(), ClipError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| ClipError::Io(self.dir.clone(), e))?;
        write_atomically(&self.audio_path(id), &wav(samples))
    }

    fn write_index(&self) -> Result<(), ClipError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| ClipError::Io(self.dir.clone(), e))?;
        let path = self.dir.join("index.json");
        let text =
            serde_json::to_vec_pretty(&self.clips).map_err(|e| ClipError::Damaged(path.clone(), e.to_string()))?;
        write_atomically(&path, &text)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ClipError> {
    use std::io::Write as _;
    let temporary = path.with_extension("tmp");
    let failed = |e| ClipError::Io(path.to_path_buf(), e);
    let mut file = std::fs::File::create(&temporary).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(failed)
}

/// A WAV file: PCM, mono, 16-bit, 8 kHz.
fn wav(samples: &[i16]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&CLIP_RATE.to_le_bytes());
    out.extend_from_slice(&(CLIP_RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    out
}

/// Reads a WAV file written by [`wav`] (or any PCM mono 16-bit 8 kHz WAV),
/// skipping chunks it does not need.
fn read_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    if bytes.get(..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("not a WAV file".into());
    }
    let mut at = 12;
    let mut format_ok = false;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let body = bytes.get(at + 8..at + 8 + size).ok_or("a chunk runs past the end")?;
        match &header[..4] {
            b"fmt " => {
                let field = |i: usize| body.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
                let rate = body.get(4..8).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                format_ok =
                    field(0) == Some(1) && field(2) == Some(1) && rate == Some(CLIP_RATE) && field(14) == Some(16);
                if !format_ok {
                    return Err("not 8 kHz mono 16-bit PCM".into());
                }
            }
            b"data" if format_ok => {
                if body.len() > MAX_CLIP_SAMPLES * 2 {
                    return Err("longer than two minutes".into());
                }
                return Ok(body.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect());
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        at += 8 + size + (size & 1);
    }
    Err("no audio data".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clips_are_kept_renamed_archived_rerecorded_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mut library = ClipLibrary::open(dir.path()).unwrap();
        let tone: Vec<i16> = (0..8000).map(|i| ((f64::from(i) * 0.3).sin() * 8000.0) as i16).collect();
        let id = library.add(" Greeting ", vec!["welcome".into()], &tone).unwrap();
        let other = library.add("Closing", Vec::new(), &tone[..4000]).unwrap();
        let library = ClipLibrary::open(dir.path()).unwrap();
        assert_eq!(library.clips().len(), 2);
        assert_eq!(library.clips()[0].name, "Greeting");
        assert_eq!(library.audio(id).unwrap(), tone);
        let mut library = library;
        library.describe(id, "Hello", vec!["welcome".into(), "fr".into()]).unwrap();
        library.set_archived(other, true).unwrap();
        library.replace_audio(id, &tone[..800]).unwrap();
        let mut library = ClipLibrary::open(dir.path()).unwrap();
        assert_eq!(library.clips()[0].samples, 800);
        assert!(library.clips()[1].archived);
        library.delete(other).unwrap();
        assert!(matches!(library.audio(other), Err(ClipError::Missing)));
        assert!(!dir.path().join("clips").join(format!("{other}.wav")).exists());
    }

    #[test]
    fn damaged_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut library = ClipLibrary::open(dir.path()).unwrap();
        let id = library.add("x", Vec::new(), &[1, 2, 3]).unwrap();
        std::fs::write(dir.path().join("clips").join(format!("{id}.wav")), b"RIFF....WAVEjunk").unwrap();
        assert!(matches!(library.audio(id), Err(ClipError::Damaged(..))));
        std::fs::write(dir.path().join("clips/index.json"), "[{").unwrap();
        assert!(matches!(ClipLibrary::open(dir.path()), Err(ClipError::Damaged(..))));
    }

    proptest! {
        #[test]
        fn any_bytes_read_as_wav_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_wav(&bytes);
        }

        #[test]
        fn written_wavs_read_back(samples in proptest::collection::vec(any::<i16>(), 0..500)) {
            prop_assert_eq!(read_wav(&wav(&samples)).unwrap(), samples);
        }
    }
}
