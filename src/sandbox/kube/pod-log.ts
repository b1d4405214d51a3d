/**
 * `GET /api/v1/namespaces/NS/pods/NAME/log` (the `pods/log` subresource, verb get), as the
 * kubelet answers it through the API server: text/plain, the container's lines, shaped by
 * `container`, `sinceSeconds`/`sinceTime`, `tailLines`, `limitBytes` and `timestamps`.
 * Refusals worded as the real server's: a pod of several containers needs `container`; a
 * container the pod lacks is 400; `previous` has no terminated container here; `follow` is
 * answered with what there is, then the response ends.
 *
 * Which lines a container has is the sandbox's business (`PodLogSource`); a container without
 * a source has an empty log.
 */
import type { ServerResponse } from 'node:http';
import { POD, type Pod } from '../cluster/kube-refs.js';
import { badRequest, invalid, notFound, type StatusError } from './status-error.js';
import type { ObjectStore } from './store-types.js';

export interface PodLogLine {
  atMs: number;
  text: string;
}

/** The lines a container of a running pod has written, oldest first; undefined: none known. */
export type PodLogSource = (namespace: string, pod: string, container: string) => PodLogLine[] | undefined;

function intParam(query: URLSearchParams, name: string, min: number): number | undefined | StatusError {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    return badRequest(`couldn't parse "${raw}" as ${name}`);
  }
  if (n < min) {
    return invalid({ group: '', kind: 'PodLogOptions' }, '', [
      { type: 'FieldValueInvalid', field: name, value: n, detail: `must be greater than or equal to ${min}` },
    ]);
  }
  return n;
}

export function servePodLog(
  res: ServerResponse,
  deps: { store: ObjectStore; source?: PodLogSource },
  namespace: string,
  name: string,
  query: URLSearchParams,
  nowMs = Date.now(),
): void {
  const pod = deps.store.get(POD, namespace, name) as Pod | undefined;
  if (!pod) throw notFound({ group: '', plural: 'pods' }, name);
  const containers = pod.spec.containers.map((c) => c.name);
  let container = query.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
      );
    }
    container = containers[0]!;
  }
  if (!containers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (query.get('previous') === 'true') {
    throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  }
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Pending') {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
  const sinceSeconds = intParam(query, 'sinceSeconds', 1);
  const tailLines = intParam(query, 'tailLines', 0);
  const limitBytes = intParam(query, 'limitBytes', 1);
  for (const v of [sinceSeconds, tailLines, limitBytes]) if (typeof v === 'object') throw v;
  const sinceTime = query.get('sinceTime');
  let from = -Infinity;
  if (typeof sinceSeconds === 'number') from = nowMs - sinceSeconds * 1000;
  else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`couldn't parse "${sinceTime}" as sinceTime`);
    from = t;
  }
  let lines = (deps.source?.(namespace, name, container) ?? []).filter((l) => l.atMs >= from);
  if (typeof tailLines === 'number') lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  const stamps = query.get('timestamps') === 'true';
  let text = lines.map((l) => `${stamps ? `${new Date(l.atMs).toISOString()} ` : ''}${l.text}\n`).join('');
  if (typeof limitBytes === 'number') {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > limitBytes) text = bytes.subarray(0, limitBytes).toString('utf8');
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
