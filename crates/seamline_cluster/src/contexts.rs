//! Bounded contexts from the dependency graph (placeholder, owned by the graph/contexts work).
