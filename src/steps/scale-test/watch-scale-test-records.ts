/**
 * The scale-test records as they change: Deployments and StatefulSets of the namespaces where
 * scale tests may run (recovery's scope), listed then watched, each told as when its record goes
 * stale (`staleAt`: heartbeat plus three intervals, or the test's limit), 0 for an unreadable
 * record (the next sweep removes it), or undefined when it carries none. For recovery-sweeps.ts.
 */
import type { KubeWorkload, OpenWatch, ScalableKind } from '../../adapters/kube/workload-scaling.js';
import { staleAfterMs } from './check-scale-safety.js';
import { resolveSettings, type ScaleTestAdapters } from './plan-scale-test.js';
import type { RecordHandlers } from './recovery-sweeps.js';
import { decodeAnnotation, SCALE_TEST_ANNOTATION, staleAt } from './scale-test-annotation.js';
import { scaleTestNamespaces } from './scale-test-namespaces.js';
import type { ScaleTestSettings } from './scale-test-types.js';

/** The server ends each watch after this long; it is opened again (with a sweep). */
const WATCH_SECONDS = 300;
const KINDS: ScalableKind[] = ['deployment', 'statefulset'];

export async function watchScaleTestRecords(
  adapters: ScaleTestAdapters,
  handlers: RecordHandlers,
  partial?: Partial<ScaleTestSettings>,
): Promise<{ close(): void }> {
  const settings = resolveSettings(partial);
  const fallback = staleAfterMs(settings);
  const allowed = scaleTestNamespaces(settings);
  const namespaces = allowed === 'all' ? [undefined] : allowed;
  const key = (w: KubeWorkload): string => `${w.kind}/${w.namespace}/${w.name}`;
  const tell = (w: KubeWorkload, deleted = false): void => {
    const raw = deleted ? undefined : w.annotations[SCALE_TEST_ANNOTATION];
    if (raw === undefined) return handlers.onRecord(key(w), undefined);
    const record = decodeAnnotation(raw);
    const at = record ? staleAt(record, fallback) : 0;
    handlers.onRecord(key(w), Number.isNaN(at) ? 0 : at);
  };
  const open: Array<OpenWatch<KubeWorkload>> = [];
  let ended = false;
  /** A watch refused while the others were still being opened (a 403 on watch): thrown. */
  let failedToOpen: Error | undefined;
  let opening = true;
  const close = (): void => {
    for (const w of open.splice(0)) w.close();
  };
  try {
    for (const ns of namespaces) {
      for (const kind of KINDS) {
        const w = await adapters.scaling.watchWorkloads(
          kind,
          ns,
          {
            onEvent: (type, workload) => tell(workload, type === 'DELETED'),
            onEnd: (err) => {
              if (ended) return;
              ended = true;
              close();
              if (opening) failedToOpen = err ?? new Error(`the ${kind} watch ended as it opened`);
              else handlers.onEnd(err);
            },
          },
          { timeoutSeconds: WATCH_SECONDS },
        );
        open.push(w);
        if (failedToOpen) throw failedToOpen;
        for (const workload of w.initial) tell(workload);
      }
    }
    opening = false;
  } catch (err) {
    ended = true;
    close();
    throw err;
  }
  return {
    close() {
      ended = true;
      close();
    },
  };
}
