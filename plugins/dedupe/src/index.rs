//! The dedupe index: every unit kept so far, the lookup structures that find an earlier
//! unit a new one duplicates, the union-find over clusters, and the on-disk format.
//!
//! Only kept (first-occurrence) units are indexed; a duplicate is compared against them and
//! joins the cluster of the unit it matches. Lookups go through hash tables keyed by values
//! that are already hashes (no per-process random state), and no table is ever iterated to
//! produce output, so results are deterministic.
//!
//! Memory per indexed unit: the 16-byte exact fingerprint plus a 4-byte slot in the
//! fingerprint table (≈6–11 bytes with table overhead), the unit id in one shared string
//! arena plus an 8-byte offset, a 4-byte union-find parent; for `near` + `jaccard` also the
//! 16-bit signature (`2 · num_perm` bytes) and per band the 4-byte band key plus a 4-byte
//! slot in that band's table (≈10–16 bytes a band); for `containment` one posting per
//! distinct shingle. At the default threshold 0.8 (14 bands of 9 rows, 128 permutations)
//! that is ≈ 500 bytes per indexed document plus its id; 100 M documents would need ≈ 50 GB
//! in one process (shard by band or lower `num_perm` beyond that).
//!
//! The hash tables ([`hashbrown::HashTable`]) hold bare entry numbers: the keys live in the
//! per-entry arrays (fingerprints, band keys) and equal keys may repeat, so an LSH bucket is
//! every entry whose band key matches. A 32-bit band key can collide (about n/2³² per
//! lookup): the colliding entry only becomes one more candidate, and every candidate is
//! verified against its signature.
//!
//! File format (little endian): magic `DPDEDUPE`, format version (u32), the parameters that
//! shape the stored values (level, method, similarity, normalisation, `ngram`, `num_perm`,
//! seed, `bands`, `rows`), the entries (id, parent, fingerprint; for `jaccard` the 16-bit
//! signature and the `bands` 32-bit band keys; for `containment` the shingle count), the
//! containment postings sorted by shingle, and an XXH3-64 checksum of everything before it.
//!
//! Signatures are kept as their low 16 bits (b-bit minwise hashing, Li & König 2010): two
//! unequal 32-bit values collide in 16 bits with probability 2⁻¹⁶, which the estimate
//! corrects for; it halves the largest part of a near-dedupe index.

use hashbrown::HashTable;
use std::io::Write;
use std::path::Path;

use docpipe_core::output::AtomicFile;
use docpipe_text::hash::FastHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The on-disk format version; bump on any change to the layout.
pub const FORMAT_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"DPDEDUPE";
/// Spreads a 32-bit key over the 64 bits a hash table uses (position and tag bits).
fn spread(key: u32) -> u64 {
    u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
/// At most this many earlier units are remembered per shingle for containment lookups
/// (the earliest ones), so boilerplate n-grams cannot make lookups quadratic.
pub const MAX_POSTINGS: usize = 32;

/// Entry numbers that share a key.
// The box keeps the enum at 16 bytes (a bare `Vec` would make every map slot 8 bytes larger,
// and most keys have a single posting).
#[allow(clippy::box_collection)]
#[derive(Debug, Clone)]
enum Postings {
    One(u32),
    Many(Box<Vec<u32>>),
}

impl Postings {
    fn push(&mut self, e: u32, cap: usize) {
        match self {
            Postings::One(first) => *self = Postings::Many(Box::new(vec![*first, e])),
            Postings::Many(v) if v.len() < cap => v.push(e),
            Postings::Many(_) => {}
        }
    }
    fn as_slice(&self) -> &[u32] {
        match self {
            Postings::One(e) => std::slice::from_ref(e),
            Postings::Many(v) => v,
        }
    }
}

/// The fewest shingles an earlier unit needs to be taken as a repeat of a later, longer one
/// (see [`Index::contained_in`]): four shingles are six words at the default `ngram = 3`.
pub const REVERSE_MIN_SHINGLES: usize = 4;

/// Which comparison the index supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Fingerprints only.
    Exact,
    /// MinHash signatures with LSH bands (Jaccard).
    Jaccard,
    /// Shingle postings (containment of the new unit in an earlier one).
    Containment,
}

/// The parameters that shape the stored values; an index file only loads with equal ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Level code (0 document, 1 paragraph, 2 sentence).
    pub level: u8,
    /// The comparison.
    pub kind: Kind,
    /// [`crate::text::Normalisation::bits`].
    pub normalisation: u8,
    /// Words per shingle.
    pub ngram: u32,
    /// Signature length.
    pub num_perm: u32,
    /// MinHash seed.
    pub seed: u64,
    /// LSH bands (`Jaccard` only, else 0).
    pub bands: u32,
    /// Rows per band (`Jaccard` only, else 0).
    pub rows: u32,
}

/// What a unit contributes to comparisons (computed in `prepare`). It is part of the
/// stage's sharding key ([`crate::hooks::Key`]), so its JSON is compact: short field
/// names, the fingerprint, signature and shingles as [`crate::packed`] strings, and no
/// `sig`/`sh` field when they are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitSig {
    /// Byte range in the document text.
    #[serde(rename = "s")]
    pub start: usize,
    /// End of the range.
    #[serde(rename = "e")]
    pub end: usize,
    /// Words after normalisation.
    #[serde(rename = "w")]
    pub words: usize,
    /// Fingerprint of the normalised text.
    #[serde(rename = "fp", with = "crate::packed::one")]
    pub fingerprint: u128,
    /// MinHash signature (`Jaccard` only).
    #[serde(rename = "sig", default, skip_serializing_if = "Vec::is_empty", with = "crate::packed::list")]
    pub signature: Vec<u32>,
    /// Sorted distinct shingle hashes (`Containment` only).
    #[serde(rename = "sh", default, skip_serializing_if = "Vec::is_empty", with = "crate::packed::list")]
    pub shingles: Vec<u64>,
}

/// An earlier unit that a new one duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The best match: highest similarity, earliest on ties.
    pub entry: u32,
    /// Its similarity.
    pub similarity: f64,
    /// Every entry at or above the threshold (including `entry`), sorted.
    pub all: Vec<u32>,
}

/// A problem with an index file.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file is not an index of this format.
    #[error("not a docpipe dedupe index (or a corrupt one): {0}")]
    Corrupt(&'static str),
    /// The file was written by another format version.
    #[error("index format version {found}, this docpipe reads version {FORMAT_VERSION}")]
    Version {
        /// The version in the file.
        found: u32,
    },
    /// The file was written with other options.
    #[error("index was built with different options ({0}); use a new index path or the same options")]
    Params(String),
}

/// The dedupe state.
#[derive(Debug, Clone)]
pub struct Index {
    params: Params,
    bands: usize,
    rows: usize,
    ids: String,
    id_ends: Vec<u64>,
    parent: Vec<u32>,
    fingerprints: Vec<u128>,
    exact: HashTable<u32>,
    signatures: Vec<u16>,
    band_keys: Vec<u32>,
    band_tables: Vec<HashTable<u32>>,
    sizes: Vec<u32>,
    postings: FastHashMap<u64, Postings>,
}

impl Index {
    /// An empty index.
    pub fn new(params: Params, bands: usize, rows: usize) -> Self {
        Index {
            params,
            bands,
            rows,
            ids: String::new(),
            id_ends: Vec::new(),
            parent: Vec::new(),
            fingerprints: Vec::new(),
            exact: HashTable::new(),
            signatures: Vec::new(),
            band_keys: Vec::new(),
            band_tables: (0..if params.kind == Kind::Jaccard { bands } else { 0 }).map(|_| HashTable::new()).collect(),
            sizes: Vec::new(),
            postings: FastHashMap::default(),
        }
    }

    /// Units indexed.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The id of an entry (empty until [`Index::push_id`] gave it one).
    pub fn id(&self, entry: u32) -> &str {
        let i = entry as usize;
        let Some(&end) = self.id_ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        self.ids.get(start as usize..end as usize).unwrap_or("")
    }

    /// Gives the next entry without an id its id (ids are given in entry order).
    pub fn push_id(&mut self, id: &str) {
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len() as u64);
    }

    /// The 32-bit key of one band of a signature: the top half of
    /// [`crate::minhash::combine_values`] over the band's values, tagged with the band.
    fn band_key(&self, band: usize, sig: &[u32]) -> u32 {
        let rows = sig[band * self.rows..(band + 1) * self.rows].iter().map(|&v| u64::from(v));
        (crate::minhash::combine_values(band as u64, rows) >> 32) as u32
    }

    fn bands_of(&self, sig: &[u32]) -> usize {
        if sig.len() < self.bands * self.rows { 0 } else { self.bands }
    }

    /// The earlier unit `u` duplicates at `threshold`, if any.
    pub fn query(&self, u: &UnitSig, threshold: f64) -> Option<Found> {
        if let Some(e) = self.exact_entry(u.fingerprint) {
            return Some(Found { entry: e, similarity: 1.0, all: vec![e] });
        }
        let mut scored: Vec<(u32, f64)> = match self.params.kind {
            Kind::Exact => return None,
            Kind::Jaccard => {
                let mut cands: Vec<u32> = Vec::new();
                for b in 0..self.bands_of(&u.signature) {
                    let key = self.band_key(b, &u.signature);
                    let keys = &self.band_keys;
                    let bands = self.bands;
                    cands.extend(
                        self.band_tables[b]
                            .iter_hash(spread(key))
                            .filter(|&&e| keys.get(e as usize * bands + b) == Some(&key)),
                    );
                }
                cands.sort_unstable();
                cands.dedup();
                let n = self.params.num_perm as usize;
                cands
                    .into_iter()
                    .filter_map(|e| {
                        let sig = self.signatures.get(e as usize * n..(e as usize + 1) * n)?;
                        Some((e, estimate_b_bit(&u.signature, sig)))
                    })
                    .collect()
            }
            Kind::Containment => {
                if u.shingles.is_empty() {
                    return None;
                }
                let mut hits: Vec<u32> = Vec::new();
                for s in &u.shingles {
                    if let Some(p) = self.postings.get(s) {
                        hits.extend_from_slice(p.as_slice());
                    }
                }
                hits.sort_unstable();
                let total = u.shingles.len() as f64;
                hits.chunk_by(|a, b| a == b).map(|run| (run[0], run.len() as f64 / total)).collect()
            }
        };
        scored.retain(|&(_, s)| s >= threshold);
        let &(entry, similarity) = scored
            .iter()
            .min_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal).then(a.0.cmp(&b.0)))?;
        Some(Found { entry, similarity, all: scored.iter().map(|s| s.0).collect() })
    }

    /// Entries from `first` on whose own shingles lie in `u` at `threshold` or more
    /// (|A ∩ B| / |B| for an earlier unit B) and that are shorter than `u`: a pull quote
    /// printed *before* the paragraph it repeats. `Containment` only (else empty); sorted.
    ///
    /// The earlier unit needs [`REVERSE_MIN_SHINGLES`] shingles: a short line that comes first
    /// and shares a phrase with a later paragraph is far more often a heading echoing the text
    /// (`‘A question of sequence’` above `… a question of sequence,” she said`) than a quote
    /// of it, so two or three shingles are not evidence enough in this direction.
    pub fn contained_in(&self, u: &UnitSig, threshold: f64, first: u32) -> Vec<(u32, f64)> {
        if self.params.kind != Kind::Containment || u.shingles.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<u32> = Vec::new();
        for s in &u.shingles {
            if let Some(p) = self.postings.get(s) {
                hits.extend(p.as_slice().iter().copied().filter(|&e| e >= first));
            }
        }
        hits.sort_unstable();
        let len = u.shingles.len();
        hits.chunk_by(|a, b| a == b)
            .filter_map(|run| {
                let size = *self.sizes.get(run[0] as usize)? as usize;
                let share = run.len() as f64 / size.max(1) as f64;
                (size >= REVERSE_MIN_SHINGLES && size < len && share >= threshold).then_some((run[0], share))
            })
            .collect()
    }

    /// The number of entries.
    pub fn entries(&self) -> u32 {
        self.parent.len() as u32
    }

    /// Indexes a kept unit; returns its entry number. Give it an id with [`Index::push_id`].
    pub fn insert(&mut self, u: &UnitSig) -> u32 {
        let e = self.parent.len() as u32;
        self.parent.push(e);
        self.add_fingerprint(e, u.fingerprint);
        match self.params.kind {
            Kind::Exact => {}
            Kind::Jaccard => {
                let n = self.params.num_perm as usize;
                let mut sig = u.signature.clone();
                sig.resize(n, u32::MAX);
                self.add_bands(e, &sig);
                self.signatures.extend(sig.iter().map(|&v| v as u16));
            }
            Kind::Containment => {
                self.sizes.push(u.shingles.len() as u32);
                for &s in &u.shingles {
                    self.postings.entry(s).and_modify(|p| p.push(e, MAX_POSTINGS)).or_insert(Postings::One(e));
                }
            }
        }
        e
    }

    fn add_bands(&mut self, e: u32, sig: &[u32]) {
        let keys: Vec<u32> = (0..self.bands).map(|b| self.band_key(b, sig)).collect();
        self.link_bands(e, &keys);
    }

    /// Records entry `e` (the newest) under its band keys.
    fn link_bands(&mut self, e: u32, keys: &[u32]) {
        self.band_keys.extend_from_slice(keys);
        let bands = self.bands;
        let all = &self.band_keys;
        for (b, &key) in keys.iter().enumerate() {
            let rehash = |&x: &u32| all.get(x as usize * bands + b).map_or(0, |&k| spread(k));
            self.band_tables[b].insert_unique(spread(key), e, rehash);
        }
    }

    /// The first entry with this exact fingerprint.
    fn exact_entry(&self, fp: u128) -> Option<u32> {
        let fps = &self.fingerprints;
        self.exact.find(fp as u64, |&e| fps.get(e as usize) == Some(&fp)).copied()
    }

    /// Stores entry `e`'s fingerprint; the table points at the first entry that had it.
    fn add_fingerprint(&mut self, e: u32, fp: u128) {
        self.fingerprints.push(fp);
        if self.exact_entry(fp).is_none() {
            let fps = &self.fingerprints;
            self.exact.insert_unique(fp as u64, e, |&x| fps.get(x as usize).map_or(0, |&f| f as u64));
        }
    }

    /// The cluster representative of an entry: the earliest unit of its cluster.
    pub fn find(&mut self, mut e: u32) -> u32 {
        while let Some(&p) = self.parent.get(e as usize) {
            if p == e {
                break;
            }
            let gp = self.parent[p as usize];
            self.parent[e as usize] = gp;
            e = gp;
        }
        e
    }

    /// Merges two clusters; the earlier representative wins.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb || ra as usize >= self.parent.len() || rb as usize >= self.parent.len() {
            return;
        }
        let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[other as usize] = keep;
    }

    /// Approximate heap bytes held (for the statistics log and the benchmark).
    pub fn heap_bytes(&self) -> usize {
        let slot = |k: usize, v: usize| (k + v + 1) * 8 / 7;
        self.ids.capacity()
            + self.id_ends.capacity() * 8
            + self.parent.capacity() * 4
            + self.fingerprints.capacity() * 16
            + self.exact.capacity() * slot(0, 4)
            + self.signatures.capacity() * 2
            + self.band_keys.capacity() * 4
            + self.band_tables.iter().map(|t| t.capacity() * slot(0, 4)).sum::<usize>()
            + self.sizes.capacity() * 4
            + self.postings.capacity() * slot(8, 16)
    }

    /// Writes the index to `path` atomically (a temporary file renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        let mut buf: Vec<u8> = Vec::with_capacity(64 + self.len() * 64);
        buf.extend_from_slice(MAGIC);
        put_u32(&mut buf, FORMAT_VERSION);
        self.put_params(&mut buf);
        let n = self.len().min(self.id_ends.len());
        let fingerprints = &self.fingerprints;
        put_u64(&mut buf, n as u64);
        for e in 0..n as u32 {
            let id = self.id(e).as_bytes();
            put_u32(&mut buf, id.len() as u32);
            buf.extend_from_slice(id);
            put_u32(&mut buf, self.parent[e as usize]);
            buf.extend_from_slice(&fingerprints[e as usize].to_le_bytes());
        }
        match self.params.kind {
            Kind::Exact => {}
            Kind::Jaccard => {
                let np = self.params.num_perm as usize;
                for v in &self.signatures[..n * np] {
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                for &k in &self.band_keys[..n * self.bands] {
                    put_u32(&mut buf, k);
                }
            }
            Kind::Containment => {
                for v in &self.sizes[..n] {
                    put_u32(&mut buf, *v);
                }
                let mut keys: Vec<(&u64, &Postings)> = self.postings.iter().collect();
                keys.sort_unstable_by_key(|(k, _)| **k);
                put_u64(&mut buf, keys.len() as u64);
                for (k, p) in keys {
                    let list: Vec<u32> = p.as_slice().iter().copied().filter(|&e| (e as usize) < n).collect();
                    put_u64(&mut buf, *k);
                    put_u32(&mut buf, list.len() as u32);
                    for e in list {
                        put_u32(&mut buf, e);
                    }
                }
            }
        }
        let sum = xxh3_64(&buf);
        put_u64(&mut buf, sum);
        let mut f = AtomicFile::create(path)?;
        f.write_all(&buf)?;
        f.commit()?;
        Ok(())
    }

    fn put_params(&self, buf: &mut Vec<u8>) {
        let p = &self.params;
        let kind = match p.kind {
            Kind::Exact => 0u8,
            Kind::Jaccard => 1,
            Kind::Containment => 2,
        };
        buf.extend_from_slice(&[p.level, kind, p.normalisation, 0]);
        put_u32(buf, p.ngram);
        put_u32(buf, p.num_perm);
        put_u64(buf, p.seed);
        put_u32(buf, p.bands);
        put_u32(buf, p.rows);
    }

    /// Loads an index written by [`Index::save`] with the same [`Params`]; the banding is
    /// `bands × rows` (band tables are rebuilt).
    pub fn load(path: &Path, params: Params, bands: usize, rows: usize) -> Result<Index, IndexError> {
        let data = std::fs::read(path)?;
        Index::from_bytes(&data, params, bands, rows)
    }

    /// Parses the bytes of an index file.
    pub fn from_bytes(data: &[u8], params: Params, bands: usize, rows: usize) -> Result<Index, IndexError> {
        if data.len() < MAGIC.len() + 12 || &data[..MAGIC.len()] != MAGIC {
            return Err(IndexError::Corrupt("bad magic"));
        }
        let (body, sum) = data.split_at(data.len() - 8);
        let mut r = Reader { data: body, pos: MAGIC.len() };
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(IndexError::Version { found: version });
        }
        if u64::from_le_bytes(sum.try_into().map_err(|_| IndexError::Corrupt("checksum"))?) != xxh3_64(body) {
            return Err(IndexError::Corrupt("checksum mismatch (truncated or damaged file)"));
        }
        let mut index = Index::new(params, bands, rows);
        let mut expected = Vec::new();
        index.put_params(&mut expected);
        let header = r.take(expected.len())?;
        if header != expected.as_slice() {
            return Err(IndexError::Params(describe_params(header)));
        }
        let n = r.u64()? as usize;
        if n > body.len() {
            return Err(IndexError::Corrupt("entry count"));
        }
        index.parent.reserve(n);
        for e in 0..n {
            let len = r.u32()? as usize;
            let id = std::str::from_utf8(r.take(len)?).map_err(|_| IndexError::Corrupt("id is not UTF-8"))?;
            index.push_id(id);
            let parent = r.u32()?;
            if parent as usize >= n || parent as usize > e {
                return Err(IndexError::Corrupt("union-find parent"));
            }
            index.parent.push(parent);
            let fp = u128::from_le_bytes(r.take(16)?.try_into().map_err(|_| IndexError::Corrupt("fingerprint"))?);
            index.add_fingerprint(e as u32, fp);
        }
        match params.kind {
            Kind::Exact => {}
            Kind::Jaccard => {
                let np = params.num_perm as usize;
                index.signatures.reserve(n * np);
                for _ in 0..n * np {
                    let b = r.take(2)?;
                    index.signatures.push(u16::from_le_bytes([b[0], b[1]]));
                }
                let mut keys = vec![0u32; bands];
                for e in 0..n {
                    for k in keys.iter_mut() {
                        *k = r.u32()?;
                    }
                    index.link_bands(e as u32, &keys);
                }
            }
            Kind::Containment => {
                for _ in 0..n {
                    let v = r.u32()?;
                    index.sizes.push(v);
                }
                let keys = r.u64()? as usize;
                if keys > body.len() {
                    return Err(IndexError::Corrupt("posting count"));
                }
                for _ in 0..keys {
                    let k = r.u64()?;
                    let len = r.u32()? as usize;
                    let mut list = Vec::with_capacity(len.min(MAX_POSTINGS));
                    for _ in 0..len {
                        let e = r.u32()?;
                        if e as usize >= n {
                            return Err(IndexError::Corrupt("posting entry"));
                        }
                        list.push(e);
                    }
                    let p = match list.as_slice() {
                        [] => continue,
                        [one] => Postings::One(*one),
                        _ => Postings::Many(Box::new(list)),
                    };
                    index.postings.insert(k, p);
                }
            }
        }
        if r.pos != body.len() {
            return Err(IndexError::Corrupt("trailing bytes"));
        }
        Ok(index)
    }
}

/// The estimated Jaccard similarity of a full signature and a stored 16-bit one, corrected
/// for chance 16-bit collisions.
pub fn estimate_b_bit(full: &[u32], stored: &[u16]) -> f64 {
    if full.is_empty() || full.len() != stored.len() {
        return 0.0;
    }
    let equal = full.iter().zip(stored).filter(|(a, b)| **a as u16 == **b).count();
    let m = equal as f64 / full.len() as f64;
    let c = 1.0 / 65536.0;
    ((m - c) / (1.0 - c)).clamp(0.0, 1.0)
}

fn describe_params(h: &[u8]) -> String {
    let level = ["document", "paragraph", "sentence"].get(h[0] as usize).copied().unwrap_or("?");
    let kind = ["exact", "near/jaccard", "near/containment"].get(h[1] as usize).copied().unwrap_or("?");
    let u32_at = |i: usize| h.get(i..i + 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes);
    format!(
        "file has level {level}, method {kind}, normalisation bits {}, ngram {}, num_perm {}, bands {}, rows {}",
        h[2],
        u32_at(4),
        u32_at(8),
        u32_at(20),
        u32_at(24)
    )
}

fn put_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len()).ok_or(IndexError::Corrupt("truncated"))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, IndexError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, IndexError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: Kind) -> Params {
        Params { level: 0, kind, normalisation: 7, ngram: 3, num_perm: 16, seed: 1, bands: 4, rows: 4 }
    }

    fn unit(fp: u128, sig: Vec<u32>, shingles: Vec<u64>) -> UnitSig {
        UnitSig { start: 0, end: 1, words: 5, fingerprint: fp, signature: sig, shingles }
    }

    #[test]
    fn exact_lookup_and_clusters() {
        let mut ix = Index::new(params(Kind::Exact), 0, 0);
        let a = unit(1, vec![], vec![]);
        assert!(ix.query(&a, 0.8).is_none());
        let e = ix.insert(&a);
        ix.push_id("a");
        assert_eq!(ix.query(&a, 0.8), Some(Found { entry: e, similarity: 1.0, all: vec![e] }));
        let e2 = ix.insert(&unit(2, vec![], vec![]));
        ix.push_id("b");
        ix.union(e2, e);
        assert_eq!(ix.find(e2), e);
        let root = ix.find(e2);
        assert_eq!(ix.id(root), "a");
    }

    #[test]
    fn jaccard_candidates_are_verified() {
        let mut ix = Index::new(params(Kind::Jaccard), 4, 4);
        let base: Vec<u32> = (0..16).collect();
        ix.insert(&unit(1, base.clone(), vec![]));
        ix.push_id("a");
        // Same first band (candidate) but only 6/16 equal: rejected at 0.8.
        let mut far = base.clone();
        for v in &mut far[6..] {
            *v += 100;
        }
        assert!(ix.query(&unit(2, far, vec![]), 0.8).is_none());
        let mut near = base.clone();
        near[15] = 99;
        let f = ix.query(&unit(3, near, vec![]), 0.8).unwrap();
        assert!((f.similarity - 15.0 / 16.0).abs() < 1e-4 && f.entry == 0);
    }

    #[test]
    fn containment_counts_shared_shingles() {
        let mut ix = Index::new(params(Kind::Containment), 0, 0);
        ix.insert(&unit(1, vec![], (0..40).collect()));
        ix.push_id("long");
        let quote = unit(2, vec![], vec![10, 11, 12, 13, 99]);
        let f = ix.query(&quote, 0.8).unwrap();
        assert_eq!((f.entry, f.similarity), (0, 0.8));
        assert!(ix.query(&quote, 0.81).is_none());
    }

    #[test]
    fn save_load_round_trip_and_rejections() {
        let dir = tempfile::tempdir().unwrap();
        for kind in [Kind::Exact, Kind::Jaccard, Kind::Containment] {
            let mut ix = Index::new(params(kind), 4, 4);
            for i in 0..5u32 {
                ix.insert(&unit(u128::from(i), (i..i + 16).collect(), (u64::from(i)..u64::from(i) + 5).collect()));
                ix.push_id(&format!("doc-{i}"));
            }
            ix.union(3, 1);
            let path = dir.path().join("ix.bin");
            ix.save(&path).unwrap();
            let mut back = Index::load(&path, params(kind), 4, 4).unwrap();
            assert_eq!(back.len(), 5);
            assert_eq!(back.id(4), "doc-4");
            assert_eq!(back.find(3), 1);
            let probe = unit(77, (2..18).collect(), (2..7).collect());
            assert_eq!(back.query(&probe, 0.5), ix.query(&probe, 0.5));
            back.save(&path).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), {
                let p2 = dir.path().join("ix2.bin");
                ix.save(&p2).unwrap();
                std::fs::read(&p2).unwrap()
            });
            // Other options, damage and truncation are refused.
            let other = Params { ngram: 5, ..params(kind) };
            assert!(matches!(Index::load(&path, other, 4, 4), Err(IndexError::Params(_))));
            let mut bytes = std::fs::read(&path).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 1;
            assert!(Index::from_bytes(&bytes, params(kind), 4, 4).is_err());
            for cut in [0, 5, 20, bytes.len() - 1] {
                assert!(Index::from_bytes(&bytes[..cut], params(kind), 4, 4).is_err());
            }
        }
    }
}
