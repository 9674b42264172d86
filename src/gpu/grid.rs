//! Workgroup grids that stay within `max_compute_workgroups_per_dimension`.

use crate::error::{Error, Result};

/// Threads per workgroup used by the 1-D kernels.
pub const WORKGROUP_1D: u32 = 256;

/// Split `groups` workgroups into an `[x, y, 1]` grid with `x, y <= max_dim`.
/// Kernels recover the flat index with `flat_index` / `flat_group` from `common.wgsl`
/// and must bounds-check it, since `x * y` may exceed `groups`.
pub fn workgroups_for(groups: u64, max_dim: u32) -> Result<[u32; 3]> {
    if groups == 0 {
        return Ok([0, 1, 1]);
    }
    let max = u64::from(max_dim.max(1));
    if groups <= max {
        return Ok([groups as u32, 1, 1]);
    }
    let y = groups.div_ceil(max);
    if y > max {
        return Err(Error::InvalidInput(format!(
            "{groups} workgroups exceed the device grid of {max}x{max}"
        )));
    }
    let x = groups.div_ceil(y);
    Ok([x as u32, y as u32, 1])
}

/// Most work items a 1-D grid may cover. Kernels compute a thread's index in u32
/// (`flat_index`), and the spare workgroups of a folded grid reach up to one grid row past the
/// last item, so items are kept to 2^31 to leave that row room below 2^32.
pub const MAX_GRID_ITEMS: u64 = 1 << 31;

/// Grid for `items` work items handled `per_group` at a time.
pub fn grid_1d(items: u64, per_group: u32, max_dim: u32) -> Result<[u32; 3]> {
    if items > MAX_GRID_ITEMS {
        return Err(Error::InvalidInput(format!(
            "{items} work items exceed the {MAX_GRID_ITEMS} a kernel's u32 thread index covers"
        )));
    }
    workgroups_for(items.div_ceil(u64::from(per_group.max(1))), max_dim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_grids_are_one_dimensional() {
        assert_eq!(workgroups_for(1, 65535).unwrap(), [1, 1, 1]);
        assert_eq!(workgroups_for(65535, 65535).unwrap(), [65535, 1, 1]);
        assert_eq!(workgroups_for(0, 65535).unwrap(), [0, 1, 1]);
    }

    #[test]
    fn large_grids_fold_into_two_dimensions() {
        for groups in [65536u64, 100_000, 65535 * 3 + 7, 1 << 24] {
            let [x, y, _] = workgroups_for(groups, 65535).unwrap();
            assert!(x <= 65535 && y <= 65535);
            assert!(u64::from(x) * u64::from(y) >= groups);
            // No more than one partial row of wasted groups.
            assert!(u64::from(x) * u64::from(y) - groups < u64::from(y));
        }
    }

    #[test]
    fn impossible_grid_is_an_error() {
        assert!(workgroups_for(u64::from(u32::MAX) * 4, 65535).is_err());
    }

    #[test]
    fn item_counts_past_the_u32_thread_index_are_refused() {
        // The largest allowed grid keeps every thread index, spare workgroups included, in u32.
        let [x, y, _] = grid_1d(MAX_GRID_ITEMS, 256, 65535).unwrap();
        assert!(u64::from(x) * u64::from(y) * 256 <= u64::from(u32::MAX) + 1);
        let err = grid_1d(MAX_GRID_ITEMS + 1, 256, 65535).unwrap_err();
        assert!(err.to_string().contains("u32 thread index"), "{err}");
    }
}
