//! Git history signals (placeholder).
