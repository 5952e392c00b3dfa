//! The media library: copies a user's file into the app-data media folder under its content hash
//! and describes it (mime sniffed from the bytes, pixel size, video duration).
//!
//! Every stored file goes through the same path: its bytes are streamed into a temp file inside
//! the library while being hashed, the temp copy is inspected (so the facts describe exactly the
//! stored bytes), fsynced, and renamed to `<sha256>.<ext>`. A temp file that is not renamed is
//! removed when it is dropped, so failures leave nothing behind.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use matroska_demuxer::MatroskaFile;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::model::MediaFacts;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("could not read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("could not write to the media library: {0}")]
    Write(std::io::Error),
    #[error(
        "{name}: this file type is not supported (only images: JPEG, PNG, GIF, WebP, HEIC/AVIF; and videos: MP4, MOV, WebM)"
    )]
    Unsupported { name: String },
    #[error("{name} is empty")]
    Empty { name: String },
    #[error("{name} is larger than {limit_mb} MB")]
    TooLarge { name: String, limit_mb: u64 },
    #[error("{name} looks damaged: {detail}")]
    Damaged { name: String, detail: String },
}

/// What a file in the library is: its stored path, content hash and facts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub path: PathBuf,
    pub sha256: String,
    pub facts: MediaFacts,
}

/// Largest file the library accepts (videos); images are limited by platforms' rules later.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// How many leading bytes are handed to the mime sniffer.
const SNIFF_BYTES: u64 = 8 * 1024;
/// Size of the buffer used to copy and hash a file.
const COPY_CHUNK: usize = 256 * 1024;

/// How the pixel size and duration of a supported format are read.
#[derive(Debug, Clone, Copy)]
enum Container {
    Image,
    Mp4,
    WebM,
}

/// A supported file type: its sniffed mime, the extension it is stored under, and its container.
struct Format {
    mime: &'static str,
    ext: &'static str,
    container: Container,
}

/// The only types the library accepts, keyed by the mime `infer` reports for them.
const FORMATS: &[Format] = &[
    Format { mime: "image/jpeg", ext: "jpg", container: Container::Image },
    Format { mime: "image/png", ext: "png", container: Container::Image },
    Format { mime: "image/gif", ext: "gif", container: Container::Image },
    Format { mime: "image/webp", ext: "webp", container: Container::Image },
    Format { mime: "image/heif", ext: "heic", container: Container::Image },
    Format { mime: "image/avif", ext: "avif", container: Container::Image },
    Format { mime: "video/mp4", ext: "mp4", container: Container::Mp4 },
    Format { mime: "video/quicktime", ext: "mov", container: Container::Mp4 },
    Format { mime: "video/webm", ext: "webm", container: Container::WebM },
];

/// Pixel size and duration, as far as the format tells them.
#[derive(Debug)]
struct Measures {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u64>,
}

/// Inspects `src` and copies it into `library_dir` as `<sha256>.<ext>` (the same content is stored
/// once; an existing identical file is reused). Streams: never reads a whole video into memory;
/// hashes while copying to a temp file in library_dir, then renames atomically (fsync the file
/// before the rename).
pub fn store_file(library_dir: &Path, src: &Path, name: &str) -> Result<StoredFile, MediaError> {
    // Reject unsupported, empty, oversized or damaged files before copying a byte of them.
    inspect(src, name)?;
    let file = File::open(src).map_err(|e| read_error(src, e))?;
    store_reader(library_dir, file, src, name)
}

/// The same for bytes already in memory (uploads through the local API).
pub fn store_bytes(library_dir: &Path, bytes: &[u8], name: &str) -> Result<StoredFile, MediaError> {
    store_reader(library_dir, bytes, Path::new(name), name)
}

/// Reads the facts of a file (mime sniffed from its content, never trusted from the name; pixel
/// size for images; pixel size and duration for MP4/MOV and WebM video).
pub fn inspect(path: &Path, name: &str) -> Result<MediaFacts, MediaError> {
    let mut file = File::open(path).map_err(|e| read_error(path, e))?;
    describe(&mut file, path, name)
}

/// Copies `src` into a temp file in the library, describes the copy and gives it its final name.
fn store_reader(
    library_dir: &Path,
    src: impl Read,
    src_path: &Path,
    name: &str,
) -> Result<StoredFile, MediaError> {
    fs::create_dir_all(library_dir).map_err(MediaError::Write)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".incoming-")
        .suffix(".part")
        .tempfile_in(library_dir)
        .map_err(MediaError::Write)?;
    // One byte past the limit is enough to tell that a source is too large.
    let sha256 = copy_hashing(src.take(MAX_FILE_BYTES + 1), temp.as_file_mut(), src_path)?;
    let temp_path = temp.path().to_path_buf();
    let facts = describe(temp.as_file_mut(), &temp_path, name)?;
    let path = library_dir.join(format!("{sha256}.{}", extension(&facts.mime)));
    persist(temp, &path)?;
    Ok(StoredFile { path, sha256, facts })
}

/// Streams `src` into `dst` in fixed-size chunks and returns the hex SHA-256 of what was copied.
fn copy_hashing(mut src: impl Read, dst: &mut File, src_path: &Path) -> Result<String, MediaError> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; COPY_CHUNK];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(src_path, e)),
        };
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(MediaError::Write)?;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Gives the temp copy its final name, or drops it (deleting it) when identical content is
/// already stored there: the name is the content hash, so an existing file holds the same bytes.
fn persist(temp: NamedTempFile, path: &Path) -> Result<(), MediaError> {
    if path.try_exists().map_err(MediaError::Write)? {
        return Ok(());
    }
    temp.as_file().sync_all().map_err(MediaError::Write)?;
    temp.persist(path).map_err(|e| MediaError::Write(e.error))?;
    match path.parent() {
        Some(dir) => sync_dir(dir).map_err(MediaError::Write),
        None => Ok(()),
    }
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Directories cannot be opened for syncing here; the rename is as durable as the OS makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// The extension a stored file of `mime` gets.
fn extension(mime: &str) -> &'static str {
    FORMATS.iter().find(|format| format.mime == mime).map_or("bin", |format| format.ext)
}

/// Checks size and type of an open file and measures it.
fn describe(file: &mut File, path: &Path, name: &str) -> Result<MediaFacts, MediaError> {
    let size_bytes = file.metadata().map_err(|e| read_error(path, e))?.len();
    check_size(size_bytes, name)?;
    let format = sniff(file, path, name)?;
    file.seek(SeekFrom::Start(0)).map_err(|e| read_error(path, e))?;
    let measures = match format.container {
        Container::Image => measure_image(file, path, name)?,
        Container::Mp4 => measure_mp4(file, size_bytes, path, name)?,
        Container::WebM => measure_webm(file, name)?,
    };
    Ok(MediaFacts {
        mime: format.mime.to_string(),
        size_bytes,
        width: measures.width,
        height: measures.height,
        duration_ms: measures.duration_ms,
    })
}

/// Rejects empty files and files over [`MAX_FILE_BYTES`].
fn check_size(size_bytes: u64, name: &str) -> Result<(), MediaError> {
    if size_bytes == 0 {
        return Err(MediaError::Empty { name: name.to_string() });
    }
    if size_bytes > MAX_FILE_BYTES {
        return Err(MediaError::TooLarge {
            name: name.to_string(),
            limit_mb: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    Ok(())
}

/// Identifies the file's type from its leading bytes.
fn sniff(file: &mut File, path: &Path, name: &str) -> Result<&'static Format, MediaError> {
    let mut header = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.take(SNIFF_BYTES).read_to_end(&mut header))
        .map_err(|e| read_error(path, e))?;
    let mime = infer::get(&header).map(|kind| kind.mime_type());
    FORMATS
        .iter()
        .find(|format| Some(format.mime) == mime)
        .ok_or_else(|| MediaError::Unsupported { name: name.to_string() })
}

/// Reads an image's pixel size from its header.
fn measure_image(file: &mut File, path: &Path, name: &str) -> Result<Measures, MediaError> {
    let size = imagesize::reader_size(BufReader::new(file)).map_err(|e| match e {
        imagesize::ImageError::IoError(e) if e.kind() != io::ErrorKind::UnexpectedEof => {
            read_error(path, e)
        }
        imagesize::ImageError::IoError(_) => damaged(name, "the image header is cut short"),
        imagesize::ImageError::CorruptedImage | imagesize::ImageError::NotSupported => {
            damaged(name, "the image header is malformed")
        }
    })?;
    let width = pixels(size.width, name)?;
    let height = pixels(size.height, name)?;
    Ok(Measures { width: Some(width), height: Some(height), duration_ms: None })
}

/// Converts one image dimension, rejecting zero and absurd values.
fn pixels(value: usize, name: &str) -> Result<u32, MediaError> {
    u32::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| damaged(name, &format!("the image header gives a size of {value} pixels")))
}

/// Reads an MP4/MOV's duration and displayed pixel size from its `moov` box.
///
/// mp4parse does not expose mvhd's duration, so the duration is the longest track's: tkhd's
/// duration (in the movie timescale, which ISO 14496-12 defines mvhd's from), else the track's
/// mdhd duration, else the fragmented movie's mehd duration.
fn measure_mp4(
    file: &mut File,
    size_bytes: u64,
    path: &Path,
    name: &str,
) -> Result<Measures, MediaError> {
    let (start, len) = find_moov(file, size_bytes, path, name)?;
    file.seek(SeekFrom::Start(start)).map_err(|e| read_error(path, e))?;
    let context = mp4parse::read_mp4(&mut BufReader::new(file).take(len))
        .map_err(|e| damaged(name, &format!("unreadable movie header ({e})")))?;
    let timescale =
        context.timescale.ok_or_else(|| damaged(name, "the movie header (mvhd) is missing"))?.0;
    let fragments = context
        .mvex
        .as_ref()
        .and_then(|mvex| mvex.fragment_duration)
        .and_then(|d| to_ms(d.0, timescale));
    let duration_ms = context
        .tracks
        .iter()
        .filter_map(|track| track_duration_ms(track, timescale))
        .chain(fragments)
        .max();
    let (width, height) = context
        .tracks
        .iter()
        .find_map(displayed_size)
        .map_or((None, None), |(w, h)| (Some(w), Some(h)));
    Ok(Measures { width, height, duration_ms })
}

/// Walks the top-level boxes (seeking over media data) and returns the offset and length of
/// `moov`.
fn find_moov(
    file: &mut File,
    size_bytes: u64,
    path: &Path,
    name: &str,
) -> Result<(u64, u64), MediaError> {
    let mut offset = 0;
    while offset < size_bytes {
        let (kind, len) = read_box_header(file, offset, size_bytes, path, name)?;
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= size_bytes)
            .ok_or_else(|| damaged(name, "the file is cut short"))?;
        if &kind == b"moov" {
            return Ok((offset, len));
        }
        offset = end;
    }
    Err(damaged(name, "the movie header (moov) is missing; the file may be incomplete"))
}

/// Reads the box header at `offset`: the box type and its total length, header included.
fn read_box_header(
    file: &mut File,
    offset: u64,
    size_bytes: u64,
    path: &Path,
    name: &str,
) -> Result<([u8; 4], u64), MediaError> {
    let read = |file: &mut File, buf: &mut [u8]| {
        file.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => damaged(name, "the file is cut short"),
            _ => read_error(path, e),
        })
    };
    file.seek(SeekFrom::Start(offset)).map_err(|e| read_error(path, e))?;
    let mut header = [0u8; 8];
    read(file, &mut header)?;
    let kind = [header[4], header[5], header[6], header[7]];
    let (len, header_len) = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
        0 => (size_bytes - offset, 8),
        1 => {
            let mut large = [0u8; 8];
            read(file, &mut large)?;
            (u64::from_be_bytes(large), 16)
        }
        len => (u64::from(len), 8),
    };
    if len < header_len {
        return Err(damaged(name, "a box has an impossible size"));
    }
    Ok((kind, len))
}

/// A track's duration in milliseconds, when its headers give one.
fn track_duration_ms(track: &mp4parse::Track, movie_timescale: u64) -> Option<u64> {
    let from_header = track
        .tkhd
        .as_ref()
        .map(|tkhd| tkhd.duration)
        .filter(|&d| d != 0 && d != u64::from(u32::MAX) && d != u64::MAX)
        .and_then(|d| to_ms(d, movie_timescale));
    let from_media = match (track.duration, track.timescale) {
        (Some(duration), Some(timescale)) => to_ms(duration.0, timescale.0),
        _ => None,
    };
    from_header.or(from_media)
}

/// Converts `units` of `timescale` units per second to milliseconds.
fn to_ms(units: u64, timescale: u64) -> Option<u64> {
    let ms = (u128::from(units) * 1000).checked_div(u128::from(timescale))?;
    u64::try_from(ms).ok()
}

/// A visual track's size as shown: tkhd's 16.16 width and height, swapped when the track's
/// matrix turns it a quarter (portrait phone videos are stored landscape and rotated).
fn displayed_size(track: &mp4parse::Track) -> Option<(u32, u32)> {
    let tkhd = track.tkhd.as_ref()?;
    let (width, height) = (tkhd.width >> 16, tkhd.height >> 16);
    if width == 0 || height == 0 {
        return None;
    }
    let quarter_turn = tkhd.matrix.a == 0 && tkhd.matrix.d == 0;
    Some(if quarter_turn { (height, width) } else { (width, height) })
}

/// Reads a WebM's duration and the first video track's pixel size.
///
/// matroska-demuxer reads only the headers it needs, seeking over the clusters.
fn measure_webm(file: &mut File, name: &str) -> Result<Measures, MediaError> {
    let webm = MatroskaFile::open(BufReader::new(file))
        .map_err(|e| damaged(name, &format!("unreadable WebM header ({e})")))?;
    let info = webm.info();
    let scale_ns = info.timestamp_scale().get() as f64;
    let duration_ms = info.duration().map(|ticks| (ticks * scale_ns / 1_000_000.0).round() as u64);
    let video = webm.tracks().iter().find_map(|track| track.video());
    let dimension = |value: u64| u32::try_from(value).ok();
    Ok(Measures {
        width: video.and_then(|v| dimension(v.pixel_width().get())),
        height: video.and_then(|v| dimension(v.pixel_height().get())),
        duration_ms,
    })
}

fn read_error(path: &Path, source: io::Error) -> MediaError {
    MediaError::Read { path: path.to_path_buf(), source }
}

fn damaged(name: &str, detail: &str) -> MediaError {
    MediaError::Damaged { name: name.to_string(), detail: detail.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A box (or atom): big-endian length, four-character type, body.
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A full box: version 0 and flags before the body.
    fn full_box(kind: &[u8; 4], flags: u32, body: &[u8]) -> Vec<u8> {
        let mut content = flags.to_be_bytes().to_vec();
        content.extend_from_slice(body);
        mp4_box(kind, &content)
    }

    /// mvhd version 0: times, timescale, duration, then 80 bytes mp4parse skips.
    fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
        let mut body = vec![0u8; 8];
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0u8; 80]);
        full_box(b"mvhd", 0, &body)
    }

    /// tkhd version 0 (enabled, in movie) with a duration, a matrix and a 16.16 pixel size.
    fn tkhd(duration: u32, matrix: [i32; 9], width: u32, height: u32) -> Vec<u8> {
        let mut body = vec![0u8; 8];
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&[0u8; 4]);
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0u8; 16]);
        for value in matrix {
            body.extend_from_slice(&value.to_be_bytes());
        }
        body.extend_from_slice(&(width << 16).to_be_bytes());
        body.extend_from_slice(&(height << 16).to_be_bytes());
        full_box(b"tkhd", 3, &body)
    }

    const IDENTITY: [i32; 9] = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000];
    const QUARTER_TURN: [i32; 9] = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x4000_0000];

    /// ftyp + mdat + moov(mvhd + trak(tkhd)): every box mp4parse needs for duration and size,
    /// with the movie header after the media data as many cameras write it.
    fn mp4(matrix: [i32; 9]) -> Vec<u8> {
        let trak = mp4_box(b"trak", &tkhd(12345, matrix, 1920, 1080));
        let moov = mp4_box(b"moov", &[mvhd(1000, 12345), trak].concat());
        [ftyp(), mp4_box(b"mdat", &[0u8; 4096]), moov].concat()
    }

    fn ftyp() -> Vec<u8> {
        mp4_box(b"ftyp", b"isom\0\0\0\0isomiso2mp41")
    }

    /// An EBML element with an 8-byte size.
    fn ebml(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.push(0x01);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    /// EBML header + Segment(Info, Tracks with one VP9 track, an empty Cluster).
    fn webm() -> Vec<u8> {
        let header = ebml(
            &[0x1A, 0x45, 0xDF, 0xA3],
            &[ebml(&[0x42, 0x82], b"webm"), ebml(&[0x42, 0x87], &[4]), ebml(&[0x42, 0x85], &[2])]
                .concat(),
        );
        let info = ebml(
            &[0x15, 0x49, 0xA9, 0x66],
            &[
                ebml(&[0x2A, 0xD7, 0xB1], &1_000_000u32.to_be_bytes()),
                ebml(&[0x44, 0x89], &12345.0f64.to_be_bytes()),
                ebml(&[0x4D, 0x80], b"sipstory"),
                ebml(&[0x57, 0x41], b"sipstory"),
            ]
            .concat(),
        );
        let video = ebml(
            &[0xE0],
            &[ebml(&[0xB0], &640u16.to_be_bytes()), ebml(&[0xBA], &360u16.to_be_bytes())].concat(),
        );
        let track = ebml(
            &[0xAE],
            &[
                ebml(&[0xD7], &[1]),
                ebml(&[0x73, 0xC5], &[1]),
                ebml(&[0x83], &[1]),
                ebml(&[0x86], b"V_VP9"),
                video,
            ]
            .concat(),
        );
        let tracks = ebml(&[0x16, 0x54, 0xAE, 0x6B], &track);
        let cluster = ebml(&[0x1F, 0x43, 0xB6, 0x75], &ebml(&[0xE7], &[0]));
        let segment = ebml(&[0x18, 0x53, 0x80, 0x67], &[info, tracks, cluster].concat());
        [header, segment].concat()
    }

    /// A PNG chunk: length, type, data, and a CRC (imagesize does not check it).
    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0u8; 4]);
        out
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        [
            b"\x89PNG\r\n\x1a\n".to_vec(),
            png_chunk(b"IHDR", &ihdr),
            png_chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]),
            png_chunk(b"IEND", &[]),
        ]
        .concat()
    }

    fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&height.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0x3B]);
        out
    }

    /// SOI, a baseline SOF0 segment with the size, EOI.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        out
    }

    fn write(dir: &Path, file_name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(file_name);
        fs::write(&path, bytes).unwrap();
        path
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn stores_a_png_under_its_hash_with_its_size() {
        let src_dir = tempfile::tempdir().unwrap();
        let library = tempfile::tempdir().unwrap();
        let bytes = png(640, 480);
        let src = write(src_dir.path(), "holiday.png", &bytes);

        let stored = store_file(library.path(), &src, "holiday.png").unwrap();

        let expected_sha = hex::encode(Sha256::digest(&bytes));
        assert_eq!(stored.sha256, expected_sha);
        assert_eq!(stored.path, library.path().join(format!("{expected_sha}.png")));
        assert_eq!(fs::read(&stored.path).unwrap(), bytes);
        assert_eq!(
            stored.facts,
            MediaFacts {
                mime: "image/png".into(),
                size_bytes: bytes.len() as u64,
                width: Some(640),
                height: Some(480),
                duration_ms: None,
            }
        );
        assert_eq!(entries(library.path()), vec![format!("{expected_sha}.png")]);
    }

    #[test]
    fn inspects_gif_and_jpeg_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let gif = inspect(&write(dir.path(), "a.gif", &gif(320, 200)), "a.gif").unwrap();
        assert_eq!((gif.mime.as_str(), gif.width, gif.height), ("image/gif", Some(320), Some(200)));
        let jpeg = inspect(&write(dir.path(), "b.jpg", &jpeg(1024, 768)), "b.jpg").unwrap();
        assert_eq!(
            (jpeg.mime.as_str(), jpeg.width, jpeg.height),
            ("image/jpeg", Some(1024), Some(768))
        );
    }

    #[test]
    fn mime_comes_from_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "photo.jpg", &png(10, 20));
        assert_eq!(inspect(&path, "photo.jpg").unwrap().mime, "image/png");
    }

    #[test]
    fn stores_an_mp4_with_duration_and_size() {
        let library = tempfile::tempdir().unwrap();
        let bytes = mp4(IDENTITY);

        let stored = store_bytes(library.path(), &bytes, "clip.mp4").unwrap();

        assert_eq!(
            stored.facts,
            MediaFacts {
                mime: "video/mp4".into(),
                size_bytes: bytes.len() as u64,
                width: Some(1920),
                height: Some(1080),
                duration_ms: Some(12345),
            }
        );
        assert_eq!(stored.path.extension().unwrap(), "mp4");
    }

    #[test]
    fn rotated_mp4_reports_its_displayed_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "portrait.mp4", &mp4(QUARTER_TURN));
        let facts = inspect(&path, "portrait.mp4").unwrap();
        assert_eq!((facts.width, facts.height), (Some(1080), Some(1920)));
    }

    #[test]
    fn mp4_cut_short_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = mp4(IDENTITY);
        let cut = &bytes[..bytes.len() - 40];
        let path = write(dir.path(), "cut.mp4", cut);
        assert_eq!(
            inspect(&path, "cut.mp4").unwrap_err().to_string(),
            "cut.mp4 looks damaged: the file is cut short"
        );
    }

    #[test]
    fn mp4_with_a_garbled_movie_header_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = [ftyp(), mp4_box(b"moov", &mvhd(0, 12345))].concat();
        let path = write(dir.path(), "garbled.mp4", &bytes);
        assert!(matches!(
            inspect(&path, "garbled.mp4"),
            Err(MediaError::Damaged { name, detail })
                if name == "garbled.mp4" && detail.starts_with("unreadable movie header")
        ));
    }

    #[test]
    fn inspects_a_webm_with_duration_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = webm();
        let facts = inspect(&write(dir.path(), "clip.webm", &bytes), "clip.webm").unwrap();
        assert_eq!(
            facts,
            MediaFacts {
                mime: "video/webm".into(),
                size_bytes: bytes.len() as u64,
                width: Some(640),
                height: Some(360),
                duration_ms: Some(12345),
            }
        );
    }

    #[test]
    fn identical_content_is_stored_once() {
        let src_dir = tempfile::tempdir().unwrap();
        let library = tempfile::tempdir().unwrap();
        let bytes = png(64, 64);
        let first = write(src_dir.path(), "one.png", &bytes);
        let second = write(src_dir.path(), "two.png", &bytes);

        let a = store_file(library.path(), &first, "one.png").unwrap();
        let b = store_file(library.path(), &second, "two.png").unwrap();
        let c = store_bytes(library.path(), &bytes, "three.png").unwrap();

        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.path, b.path);
        assert_eq!(a.path, c.path);
        assert_eq!(entries(library.path()).len(), 1);
    }

    #[test]
    fn text_is_unsupported_and_nothing_is_left_behind() {
        let src_dir = tempfile::tempdir().unwrap();
        let library = tempfile::tempdir().unwrap();
        let text = b"just some notes, not a picture\n";
        let src = write(src_dir.path(), "notes.png", text);

        assert!(matches!(
            store_file(library.path(), &src, "notes.png"),
            Err(MediaError::Unsupported { name }) if name == "notes.png"
        ));
        assert!(matches!(
            store_bytes(library.path(), text, "notes.png"),
            Err(MediaError::Unsupported { .. })
        ));
        assert!(entries(library.path()).is_empty());
    }

    #[test]
    fn empty_file_is_rejected() {
        let src_dir = tempfile::tempdir().unwrap();
        let library = tempfile::tempdir().unwrap();
        let src = write(src_dir.path(), "blank.png", &[]);

        assert!(matches!(
            store_file(library.path(), &src, "blank.png"),
            Err(MediaError::Empty { name }) if name == "blank.png"
        ));
        assert!(matches!(
            store_bytes(library.path(), &[], "blank.png"),
            Err(MediaError::Empty { .. })
        ));
        assert!(entries(library.path()).is_empty());
    }

    #[test]
    fn truncated_png_is_damaged_and_nothing_is_left_behind() {
        let library = tempfile::tempdir().unwrap();
        let bytes = png(640, 480);
        let cut = &bytes[..18];

        let err = store_bytes(library.path(), cut, "cut.png").unwrap_err();

        assert_eq!(err.to_string(), "cut.png looks damaged: the image header is cut short");
        assert!(entries(library.path()).is_empty());
    }

    #[test]
    fn missing_source_is_a_read_error() {
        let library = tempfile::tempdir().unwrap();
        let missing = library.path().join("nowhere.png");
        assert!(matches!(
            store_file(library.path(), &missing, "nowhere.png"),
            Err(MediaError::Read { path, .. }) if path == missing
        ));
    }

    #[test]
    fn size_limit_is_reported_in_megabytes() {
        let err = check_size(MAX_FILE_BYTES + 1, "huge.mp4").unwrap_err();
        assert_eq!(err.to_string(), "huge.mp4 is larger than 1024 MB");
        assert!(check_size(MAX_FILE_BYTES, "ok.mp4").is_ok());
    }
}
