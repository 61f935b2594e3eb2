//! Splitting a pass over a large table across the machine's cores (scoped threads).

use std::sync::Mutex;

/// Below this many items per thread a pass stays on the calling thread.
const MIN_PER_THREAD: usize = 16_384;

/// Calls `work(start, chunk)` for consecutive chunks of `out` that cover it, `start`
/// being the chunk's offset in `out`, on as many threads as there are cores (the calling
/// thread among them). Small slices stay on the calling thread, which also does every
/// chunk no other thread could be started for.
pub(crate) fn for_chunks<T: Send>(out: &mut [T], work: impl Fn(usize, &mut [T]) + Sync) {
    for_each_part(out, MIN_PER_THREAD, work);
}

/// [`for_chunks`] with at least `min_per_thread` items per thread.
fn for_each_part<T: Send>(
    out: &mut [T],
    min_per_thread: usize,
    work: impl Fn(usize, &mut [T]) + Sync,
) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(out.len() / min_per_thread.max(1)).max(1);
    if threads == 1 {
        work(0, out);
        return;
    }
    // A few chunks per thread, so that a slower thread does fewer.
    let size = out.len().div_ceil(threads * 4);
    let chunks = Mutex::new(out.chunks_mut(size).enumerate());
    let next = || chunks.lock().ok().and_then(|mut c| c.next());
    let drain = || {
        while let Some((i, chunk)) = next() {
            work(i * size, chunk);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let started = std::thread::Builder::new()
                .name("plan".to_owned())
                .spawn_scoped(scope, drain);
            if let Err(error) = started {
                tracing::debug!(%error, "cannot start a planning thread");
                break;
            }
        }
        drain();
    });
}

/// `work` over consecutive ranges covering `0..len`, on every core as
/// [`for_chunks`] does; the results in range order.
pub(crate) fn map_ranges<R: Send>(
    len: usize,
    work: impl Fn(std::ops::Range<usize>) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = cores.min(len / MIN_PER_THREAD).max(1);
    let size = len.div_ceil(parts).max(1);
    let mut results: Vec<Option<R>> = (0..len.div_ceil(size).max(1)).map(|_| None).collect();
    if len == 0 {
        results[0] = Some(work(0..0));
    } else {
        for_each_part(&mut results, 1, |i, out| {
            for (k, slot) in out.iter_mut().enumerate() {
                let start = (i + k) * size;
                *slot = Some(work(start..(start + size).min(len)));
            }
        });
    }
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_done_once_with_its_offset() {
        for n in [0, 1, 100, MIN_PER_THREAD * 5 + 3] {
            let mut out = vec![0usize; n];
            for_chunks(&mut out, |start, chunk| {
                for (i, item) in chunk.iter_mut().enumerate() {
                    *item += start + i + 1;
                }
            });
            assert!(out.iter().enumerate().all(|(i, v)| *v == i + 1), "{n}");
            let ranges = map_ranges(n, |range| range);
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert_eq!(ranges.last().map(|r| r.end), Some(n));
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start), "{n}");
        }
    }
}
