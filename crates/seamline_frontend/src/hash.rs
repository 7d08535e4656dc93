//! The fast hasher of the frontend's lookup maps.

/// Hash maps for lookups only (never iterated into output), with rustc's fast hasher: name
/// resolution hashes short strings millions of times on big crates, the module tree hashes
/// file paths.
/// FxHash is not DoS-resistant, which does not matter for maps keyed by the analysed code's
/// names and paths (a crafted input could only make its own analysis slower).
pub(crate) type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
/// See [`HashMap`].
pub(crate) type HashSet<K> = rustc_hash::FxHashSet<K>;
