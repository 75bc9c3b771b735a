import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps a long scan's heap near what it holds, called between units (`tollgate scan`, its workers).
 *
 * V8 sizes the heap from what was live at its last full collection, and on a scan that collection
 * mostly falls inside a unit, while the unit's documents, lowerings and resources are live: one
 * large unit then sets the heap for the rest of the scan, and the more units, the likelier it is
 * that a collection falls in a large one. Between units all of that is garbage. So when the heap has
 * grown by half of what it held after the last collection here (before the first, what it held when
 * the units began), and by at least `minGrowthBytes`, a full collection runs here (half: a scan
 * holding much, its findings, collects as often for its size as a small one).
 *
 * Measured on the corpora copied four times, `--jobs 1`, CLI medians of 11 against the code before:
 * peak RSS 212 -> 197 MB, for three collections here of ~50 ms each (the thread waits for a forced
 * collection; V8's own mark concurrently), 3.75 -> 3.99 s. One copy (155 MB) never reaches the
 * threshold. Collecting when the units begin as well gave 189 MB, and with a 32 MB minimum too
 * 183 MB, but each cost 14% of the time.
 *
 * Returns whether it collected.
 */
export function heapBound(minGrowthBytes = 40 * 1024 * 1024, heap: HeapAccess = v8Heap()): () => boolean {
  let floor = heap.used();
  return () => {
    const used = heap.used();
    if (used - floor < Math.max(minGrowthBytes, floor / 2)) return false;
    heap.collect();
    floor = heap.used();
    return true;
  };
}

/** How heapBound reads and collects the heap (tests give their own). */
export interface HeapAccess {
  used(): number;
  collect(): void;
}

function v8Heap(): HeapAccess {
  let gc: (() => void) | undefined;
  return {
    used: () => getHeapStatistics().used_heap_size,
    collect: () => {
      // gc() without --expose-gc on the command line: the flag is read when a context is made, so
      // a context made after it is set has gc() on its global.
      if (!gc) {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      }
      gc();
    },
  };
}
