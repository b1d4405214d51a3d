/**
 * Parses Kubernetes REST paths: `/api/v1/namespaces/NS/pods/NAME/status`,
 * `/apis/apps/v1/deployments`, `/api/v1/nodes/NAME`, and the deprecated `/api/v1/watch/...` form.
 */

export interface ResourcePath {
  group: string;
  version: string;
  /** Set for namespaced requests; absent for cluster-scoped kinds and all-namespaces lists. */
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  /** The path had the deprecated `/watch/` segment. */
  watchPrefix: boolean;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The group/version of a discovery or resource path, and the segments after it. */
export function splitGroupVersion(
  pathname: string,
): { group: string; version: string; rest: string[] } | undefined {
  const raw = pathname.split('/').filter((s) => s !== '');
  const segments: string[] = [];
  for (const s of raw) {
    const d = decode(s);
    if (d === undefined || d === '.' || d === '..') return undefined;
    segments.push(d);
  }
  if (segments[0] === 'api' && segments[1] !== undefined) {
    return { group: '', version: segments[1], rest: segments.slice(2) };
  }
  if (segments[0] === 'apis' && segments[1] !== undefined && segments[2] !== undefined) {
    return { group: segments[1], version: segments[2], rest: segments.slice(3) };
  }
  return undefined;
}

/** A resource path, or undefined when the path names no resource (404). */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const gv = splitGroupVersion(pathname);
  if (!gv || gv.rest.length === 0) return undefined;
  let rest = gv.rest;
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  const base = { group: gv.group, version: gv.version, watchPrefix };

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    const ns = rest[1] as string;
    if (rest.length === 2) return { ...base, plural: 'namespaces', name: ns };
    if (rest.length === 3 && gv.group === '' && (rest[2] === 'status' || rest[2] === 'finalize')) {
      return { ...base, plural: 'namespaces', name: ns, subresource: rest[2] };
    }
    namespace = ns;
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const path: ResourcePath = { ...base, plural };
  if (namespace !== undefined) path.namespace = namespace;
  if (name !== undefined) path.name = name;
  if (subresource !== undefined) path.subresource = subresource;
  return path;
}
