//! Agreement between two labellings of the same items: ARI, NMI and MoJoFM, the measures the
//! software-clustering literature reports against a ground truth.
//!
//! Labels are arbitrary `u32`s (only equality matters); [`labels_from_strings`] turns string
//! labels into them. Both labellings must have one label per item, in the same item order.
//! All counts are exact integers; floating point only enters the final ratios.

/// The contingency table of two labellings: cluster sizes on each side and the non-zero
/// overlap counts `n_ij`, all in a deterministic order.
struct Contingency {
    n: u64,
    left_sizes: Vec<u64>,
    right_sizes: Vec<u64>,
    /// `(left cluster, right cluster, count)`, sorted.
    cells: Vec<(u32, u32, u64)>,
}

fn contingency(left: &[u32], right: &[u32]) -> Contingency {
    assert_eq!(
        left.len(),
        right.len(),
        "both labellings must label the same items"
    );
    let left = dense(left);
    let right = dense(right);
    let k_left = left.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let k_right = right.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut left_sizes = vec![0u64; k_left];
    let mut right_sizes = vec![0u64; k_right];
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(left.len());
    for (&a, &b) in left.iter().zip(&right) {
        left_sizes[a as usize] += 1;
        right_sizes[b as usize] += 1;
        pairs.push((a, b));
    }
    pairs.sort_unstable();
    let mut cells: Vec<(u32, u32, u64)> = Vec::new();
    for (a, b) in pairs {
        match cells.last_mut() {
            Some(last) if last.0 == a && last.1 == b => last.2 += 1,
            _ => cells.push((a, b, 1)),
        }
    }
    Contingency {
        n: left.len() as u64,
        left_sizes,
        right_sizes,
        cells,
    }
}

/// Labels renumbered `0..k` by sorted label value.
fn dense(labels: &[u32]) -> Vec<u32> {
    let mut distinct: Vec<u32> = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    labels
        .iter()
        .map(|l| distinct.binary_search(l).expect("present") as u32)
        .collect()
}

fn pairs(x: u64) -> f64 {
    (x as f64) * (x.saturating_sub(1) as f64) / 2.0
}

/// Turns string labels into `u32` labels (equal strings, equal labels; numbered by sorted
/// string), for comparing a result with a ground-truth file.
pub fn labels_from_strings<S: AsRef<str>>(labels: &[S]) -> Vec<u32> {
    let mut distinct: Vec<&str> = labels.iter().map(AsRef::as_ref).collect();
    distinct.sort_unstable();
    distinct.dedup();
    labels
        .iter()
        .map(|l| distinct.binary_search(&l.as_ref()).expect("present") as u32)
        .collect()
}

/// Adjusted Rand index (L. Hubert and P. Arabie, "Comparing partitions", Journal of
/// Classification 2, 1985):
///
/// `ARI = (Σ_ij C(n_ij,2) − E) / (½ [Σ_i C(a_i,2) + Σ_j C(b_j,2)] − E)`,
/// `E = Σ_i C(a_i,2) · Σ_j C(b_j,2) / C(n,2)`.
///
/// 1 for identical partitions, about 0 for independent ones, possibly negative. When the
/// denominator is 0 (both sides trivial: everything in one cluster, or all singletons, and
/// the same), the result is 1 if the partitions are equal and 0 otherwise.
///
/// # Panics
/// If the labellings have different lengths (a caller bug, not bad input).
pub fn adjusted_rand_index(left: &[u32], right: &[u32]) -> f64 {
    let t = contingency(left, right);
    let index: f64 = t.cells.iter().map(|&(_, _, c)| pairs(c)).sum();
    let sum_left: f64 = t.left_sizes.iter().map(|&a| pairs(a)).sum();
    let sum_right: f64 = t.right_sizes.iter().map(|&b| pairs(b)).sum();
    let total = pairs(t.n);
    if total == 0.0 {
        return 1.0;
    }
    let expected = sum_left * sum_right / total;
    let max = (sum_left + sum_right) / 2.0;
    let denominator = max - expected;
    if denominator == 0.0 {
        let same = t.cells.len() == t.left_sizes.len() && t.cells.len() == t.right_sizes.len();
        return if same { 1.0 } else { 0.0 };
    }
    (index - expected) / denominator
}

/// Normalised mutual information with the arithmetic-mean normalisation
/// `NMI = I(X;Y) / ((H(X) + H(Y)) / 2)` (Strehl & Ghosh 2002 use the geometric mean;
/// the arithmetic mean is scikit-learn's default and equals the "V-measure" of Rosenberg &
/// Hirschberg 2007). Natural logarithms; in `[0, 1]`.
///
/// When both entropies are 0 (each side one cluster) the result is 1; when only one is, 0.
///
/// # Panics
/// If the labellings have different lengths.
pub fn normalized_mutual_information(left: &[u32], right: &[u32]) -> f64 {
    let t = contingency(left, right);
    if t.n == 0 {
        return 1.0;
    }
    let n = t.n as f64;
    let entropy = |sizes: &[u64]| -> f64 {
        sizes
            .iter()
            .filter(|&&s| s > 0)
            .map(|&s| {
                let p = s as f64 / n;
                -p * p.ln()
            })
            .sum()
    };
    let h_left = entropy(&t.left_sizes);
    let h_right = entropy(&t.right_sizes);
    if h_left == 0.0 && h_right == 0.0 {
        return 1.0;
    }
    let mutual: f64 = t
        .cells
        .iter()
        .map(|&(a, b, c)| {
            let c = c as f64;
            let a = t.left_sizes[a as usize] as f64;
            let b = t.right_sizes[b as usize] as f64;
            (c / n) * (c * n / (a * b)).ln()
        })
        .sum();
    let nmi = mutual / ((h_left + h_right) / 2.0);
    nmi.clamp(0.0, 1.0)
}

/// The MoJo distance `mno(A, B)`: the minimum number of Move (one object to another or a new
/// cluster) and Join (two clusters) operations turning partition `a` into partition `b`
/// (V. Tzerpos and R. C. Holt, "MoJo: a distance metric for software clusterings", WCRE
/// 1999), computed exactly by Z. Wen and V. Tzerpos, "An optimal algorithm for MoJo
/// distance", IWPC 2003:
///
/// tag each object of `a` with its cluster in `b`; every cluster `A_i` goes to a group `G_j`
/// (a cluster of `b`) whose tag it holds most often (`v_ij = max_j |A_i ∩ B_j|`); then
/// `mno = Σ_i (|A_i| − max_j v_ij) + (l − g)`, where `l` is the number of clusters of `a`
/// and `g` the number of non-empty groups, maximised by a maximum bipartite matching
/// between clusters of `a` and their most frequent tags (here: Hopcroft–Karp-free augmenting
/// paths, Kuhn's algorithm, which is fast enough for the tens of thousands of clusters we
/// see). Assigning a cluster to a non-maximal tag costs at least one extra move and gains at
/// most one group, so restricting to maximal tags loses nothing.
///
/// Not symmetric; the symmetric MoJo is `min(mno(a, b), mno(b, a))`.
///
/// # Panics
/// If the labellings have different lengths.
pub fn mojo_distance(a: &[u32], b: &[u32]) -> u64 {
    let t = contingency(a, b);
    let l = t.left_sizes.len();
    // For each A cluster, its maximal tags (cells are sorted by A cluster).
    let mut best: Vec<u64> = vec![0; l];
    for &(i, _, c) in &t.cells {
        best[i as usize] = best[i as usize].max(c);
    }
    let mut max_tags: Vec<Vec<u32>> = vec![Vec::new(); l];
    for &(i, j, c) in &t.cells {
        if c == best[i as usize] {
            max_tags[i as usize].push(j);
        }
    }
    let moves: u64 = (0..l).map(|i| t.left_sizes[i] - best[i]).sum();
    let groups = maximum_matching(&max_tags, t.right_sizes.len());
    moves + (l as u64 - groups as u64)
}

/// MoJoFM (Z. Wen and V. Tzerpos, "An effectiveness measure for software clustering
/// algorithms", IWPC 2004), in percent:
///
/// `MoJoFM(A, B) = (1 − mno(A, B) / max(mno(∀A, B))) × 100`
///
/// where `a` is the computed partition, `b` the reference, and `max(mno(∀A, B)) = n − g(B)`
/// is the largest distance any partition can have to `b`: `g(B)` is the largest number of
/// groups a partition can fill, found by scanning `b`'s cluster sizes in ascending order and
/// counting one more group whenever the size exceeds the count so far (as in the authors'
/// reference implementation). 100 means identical; with one item or none, 100.
///
/// # Panics
/// If the labellings have different lengths.
pub fn mojofm(a: &[u32], b: &[u32]) -> f64 {
    let distance = mojo_distance(a, b);
    let t = contingency(a, b);
    let mut sizes = t.right_sizes.clone();
    sizes.sort_unstable();
    let mut g = 0u64;
    for s in sizes {
        if g < s {
            g += 1;
        }
    }
    let max = t.n - g;
    if max == 0 {
        return 100.0;
    }
    (1.0 - distance as f64 / max as f64) * 100.0
}

/// Size of a maximum matching between left vertices `0..edges.len()` and right vertices
/// `0..n_right` (Kuhn's augmenting paths, iterative so deep paths cannot overflow the stack).
fn maximum_matching(edges: &[Vec<u32>], n_right: usize) -> usize {
    let mut match_right: Vec<u32> = vec![u32::MAX; n_right];
    let mut visited: Vec<u32> = vec![u32::MAX; n_right];
    let mut size = 0;
    // Greedy start: match every left vertex to a free neighbour if it has one.
    let mut matched_left = vec![false; edges.len()];
    for (i, adj) in edges.iter().enumerate() {
        if let Some(&j) = adj.iter().find(|&&j| match_right[j as usize] == u32::MAX) {
            match_right[j as usize] = i as u32;
            matched_left[i] = true;
            size += 1;
        }
    }
    // Augmenting path search from each unmatched left vertex: an explicit depth-first stack
    // of (left vertex, next edge index); `via[k]` is the (matched) right vertex through
    // which stack level `k + 1` was reached, so deep paths cannot overflow the call stack.
    for (root, _) in edges.iter().enumerate() {
        if matched_left[root] {
            continue;
        }
        let mut stack: Vec<(u32, usize)> = vec![(root as u32, 0)];
        let mut via: Vec<u32> = Vec::new();
        let mut found: Option<u32> = None;
        while let Some(top) = stack.last_mut() {
            let (i, next) = (top.0, top.1);
            let adj = &edges[i as usize];
            if next >= adj.len() {
                stack.pop();
                via.pop();
                continue;
            }
            top.1 += 1;
            let j = adj[next];
            if visited[j as usize] == root as u32 {
                continue;
            }
            visited[j as usize] = root as u32;
            if match_right[j as usize] == u32::MAX {
                found = Some(j);
                break;
            }
            via.push(j);
            stack.push((match_right[j as usize], 0));
        }
        if let Some(j) = found {
            // Flip the path: the free right vertex goes to the top left vertex, and each
            // right vertex on the path to the left vertex below the one it led to.
            match_right[j as usize] = stack.last().expect("non-empty path").0;
            for (k, &jk) in via.iter().enumerate() {
                match_right[jk as usize] = stack[k].0;
            }
            matched_left[root] = true;
            size += 1;
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_perfectly_whatever_the_label_names() {
        let a = [0, 0, 1, 1, 2, 2];
        let b = [7, 7, 3, 3, 9, 9];
        assert!((adjusted_rand_index(&a, &b) - 1.0).abs() < 1e-12);
        assert!((normalized_mutual_information(&a, &b) - 1.0).abs() < 1e-12);
        assert_eq!(mojo_distance(&a, &b), 0);
        assert!((mojofm(&a, &b) - 100.0).abs() < 1e-12);
    }

    #[test]
    fn ari_matches_a_hand_computed_value() {
        // Contingency [[2,1],[0,2]] (a = {0,1,2},{3,4}; b = {0,1},{2,3,4}), n = 5:
        // Σ C(n_ij,2) = 1 + 0 + 0 + 1 = 2; Σ C(a_i,2) = 3 + 1 = 4; Σ C(b_j,2) = 1 + 3 = 4;
        // E = 16/10 = 1.6; max = 4; ARI = (2 − 1.6) / (4 − 1.6) = 1/6.
        let a = [0, 0, 0, 1, 1];
        let b = [0, 0, 1, 1, 1];
        assert!((adjusted_rand_index(&a, &b) - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn nmi_matches_a_hand_computed_value() {
        // a = {0,1},{2,3}; b = {0,1,2,3}: I = 0, H(b) = 0 -> 0.
        assert_eq!(
            normalized_mutual_information(&[0, 0, 1, 1], &[0, 0, 0, 0]),
            0.0
        );
        // a = {0,1},{2,3}; b = {0},{1},{2},{3}: I = ln 2, H(a) = ln 2, H(b) = ln 4,
        // NMI = ln2 / ((ln2 + 2 ln2)/2) = 2/3.
        let nmi = normalized_mutual_information(&[0, 0, 1, 1], &[0, 1, 2, 3]);
        assert!((nmi - 2.0 / 3.0).abs() < 1e-12, "{nmi}");
    }

    #[test]
    fn mojo_matches_hand_computed_examples() {
        // A = {1,2,3},{4,5,6}; B = {1,2},{3,4},{5,6} (objects 1..6 -> indices 0..5).
        // Tags: A1 = (B1,B1,B2) -> max tag B1 (2), 1 move; A2 = (B2,B3,B3) -> B3, 1 move.
        // Groups B1 and B3 are both filled, no join: mno = 2.
        let a = [0, 0, 0, 1, 1, 1];
        let b = [0, 0, 1, 1, 2, 2];
        assert_eq!(mojo_distance(&a, &b), 2);
        // B -> A: B1 = (A1,A1) -> A1; B2 = (A1,A2) tie; B3 = (A2,A2) -> A2: 1 move;
        // groups: B1-A1, B3-A2 and B2 joins one of them: 1 join. mno = 2.
        assert_eq!(mojo_distance(&b, &a), 2);
        // Everything in one cluster vs three clusters of two: 4 moves (keep the two objects
        // of one B cluster), no join.
        assert_eq!(mojo_distance(&[0; 6], &b), 4);
        // Six singletons vs B: 6 clusters, 3 groups -> 3 joins, 0 moves.
        assert_eq!(mojo_distance(&[0, 1, 2, 3, 4, 5], &b), 3);
    }

    #[test]
    fn mojo_needs_the_matching_not_a_greedy_choice() {
        // A1 = (x, y) ties between groups X and Y; A2 = (x) only X. A greedy assignment of
        // A1 to X would force a join of A2 into X (mno = 1 move + 1 join = 2); the matching
        // gives A1 -> Y, A2 -> X: 1 move, 0 joins.
        // Items: 0,1 in A1 with B labels X=0, Y=1; 2 in A2 with B label X=0.
        assert_eq!(mojo_distance(&[0, 0, 1], &[0, 1, 0]), 1);
    }

    #[test]
    fn mojofm_matches_a_hand_computed_value() {
        // B sizes [2,2,2]: g = 2 (sizes 2,2,2: 0<2 -> 1, 1<2 -> 2, 2<2 no), max = 6 − 2 = 4.
        // mno(A, B) = 2 for the first example: MoJoFM = (1 − 2/4) · 100 = 50.
        let a = [0, 0, 0, 1, 1, 1];
        let b = [0, 0, 1, 1, 2, 2];
        assert!((mojofm(&a, &b) - 50.0).abs() < 1e-12);
        // Everything in one cluster is as far from B as a partition can be: mno = 4 = max.
        assert!(mojofm(&[0; 6], &b).abs() < 1e-12);
    }

    #[test]
    fn string_labels_map_to_equal_ids() {
        assert_eq!(labels_from_strings(&["b", "a", "b", "c"]), vec![1, 0, 1, 2]);
    }
}
