/**
 * One full garbage collection, asked for once the simulated cluster has settled.
 *
 * Why: V8 sets how far the heap may grow from the live size at its last full collection, by a
 * factor of up to 4 when collections are cheap next to the program's work, as they are while
 * the cluster starts. Creating 10,000 pods leaves most of what it allocated as garbage in the
 * old generation, and without a collection right after, the heap kept growing through the
 * rest of the start (the destination's lists, the meshed clients) to about 450 MB with a live
 * heap near 260 MB: a peak RSS past 500 MB. Collected once the cluster has settled, the rest
 * of the start grows from the live heap instead (peak RSS about 440 MB at 5,000 services x 2
 * pods; bench/sandbox-start.ts).
 *
 * A V8 flag, said so: Node gives JavaScript V8's `gc` only with `--expose-gc`. Without it on
 * the command line, the flag is set at run time (v8.setFlagsFromString), the function taken
 * from a new context and the flag cleared again, so no other context gets a `gc` global.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) {
      gc = exposed;
    } else {
      setFlagsFromString('--expose-gc');
      try {
        gc = runInNewContext('gc') as () => void;
      } finally {
        setFlagsFromString('--no-expose-gc');
      }
    }
  }
  gc();
}
