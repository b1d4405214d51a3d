/**
 * Records core/v1 Events as the real components do, aggregating repeats (same object,
 * reason and message) into one Event whose `count` grows, like client-go's recorder.
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { EVENT, nowIso } from './kube-refs.js';

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorder {
  record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void;
  /** While quiet, Normal events are dropped (Warnings are still recorded). */
  setQuiet(quiet: boolean): void;
}

export function createEventRecorder(store: ObjectStore, onError: (err: unknown) => void): EventRecorder {
  const names = new Map<string, { namespace: string; name: string }>();
  let counter = 0;
  let quiet = false;

  return {
    setQuiet(q) {
      quiet = q;
    },
    record(involved, type, reason, message, source, fieldPath) {
      if (quiet && type === 'Normal') return;
      const namespace = involved.metadata.namespace ?? 'default';
      const aggKey = [involved.metadata.uid, reason, message, source.component, fieldPath ?? ''].join(
        '\u0000',
      );
      const now = nowIso();
      try {
        const known = names.get(aggKey);
        const existing = known ? store.getStored(EVENT, known.namespace, known.name) : undefined;
        if (existing) {
          store.update(
            {
              ...existing,
              count: ((existing['count'] as number | undefined) ?? 1) + 1,
              lastTimestamp: now,
            },
            { shared: true },
          );
          return;
        }
        counter++;
        const name = `${involved.metadata.name}.${(Date.now() * 1000 + (counter % 1000)).toString(16)}`;
        store.create(
          {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name, namespace },
            involvedObject: {
              apiVersion: involved.apiVersion,
              kind: involved.kind,
              name: involved.metadata.name,
              namespace: involved.metadata.namespace,
              uid: involved.metadata.uid,
              resourceVersion: involved.metadata.resourceVersion,
              ...(fieldPath ? { fieldPath } : {}),
            },
            reason,
            message,
            type,
            source: source.host
              ? { component: source.component, host: source.host }
              : { component: source.component },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
            eventTime: null,
            reportingComponent: source.component,
            reportingInstance: source.host ?? '',
          },
          { shared: true },
        );
        names.set(aggKey, { namespace, name });
      } catch (err) {
        onError(err);
      }
    },
  };
}
