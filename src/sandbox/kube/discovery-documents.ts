/**
 * Legacy discovery documents (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/GROUP[/VERSION]`)
 * built from the store's kind declarations, shaped as the real API server serves them.
 */
import type { KindSpec } from './store-types.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  const gitVersion = overrides.gitVersion ?? 'v1.31.0';
  const [major = '1', minor = '31'] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T07:28:49Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
    ...overrides,
  };
}

const OBJECT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A kind as discovery lists it: stored kinds have every verb; served-only ones (reviews) fewer. */
export type DiscoveryKind = KindSpec & { verbs?: string[] };

export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** Resources and subresources of one group version. */
export function apiResources(kinds: readonly DiscoveryKind[], group: string, version: string): ApiResource[] {
  const resources: ApiResource[] = [];
  for (const spec of kinds) {
    if (spec.group !== group || spec.version !== version) continue;
    const resource: ApiResource = {
      name: spec.plural,
      singularName: spec.singular,
      namespaced: spec.namespaced,
      kind: spec.kind,
      verbs: spec.verbs ?? OBJECT_VERBS,
    };
    if (spec.shortNames?.length) resource.shortNames = spec.shortNames;
    if (spec.categories?.length) resource.categories = spec.categories;
    resources.push(resource);
    for (const sub of spec.subresources ?? []) {
      if (sub === 'status') {
        resources.push({
          name: `${spec.plural}/status`,
          singularName: '',
          namespaced: spec.namespaced,
          kind: spec.kind,
          verbs: ['get', 'patch', 'update'],
        });
      } else {
        resources.push({
          name: `${spec.plural}/scale`,
          singularName: '',
          namespaced: spec.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    if (spec.group === '' && spec.plural === 'pods') {
      resources.push({
        name: 'pods/portforward',
        singularName: '',
        namespaced: true,
        kind: 'PodPortForwardOptions',
        verbs: ['create', 'get'],
      });
    }
  }
  return resources;
}

/** Orders Kubernetes versions as the API server prefers them: v2 > v1 > v1beta2 > v1beta1 > v1alpha1. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stability = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = rank(a);
  const [sb, mb, nb] = rank(b);
  return sb - sa || mb - ma || nb - na;
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function coreResourceList(kinds: readonly KindSpec[]): object {
  return { kind: 'APIResourceList', groupVersion: 'v1', resources: apiResources(kinds, '', 'v1') };
}

export function groupResourceList(kinds: readonly KindSpec[], group: string, version: string): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: apiResources(kinds, group, version),
  };
}

interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface ApiGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

/** The named groups (not the core group) with their versions, preferred first. */
export function apiGroups(kinds: readonly KindSpec[]): ApiGroup[] {
  const versionsByGroup = new Map<string, Set<string>>();
  for (const spec of kinds) {
    if (spec.group === '') continue;
    const versions = versionsByGroup.get(spec.group) ?? new Set<string>();
    versions.add(spec.version);
    versionsByGroup.set(spec.group, versions);
  }
  const groups: ApiGroup[] = [];
  for (const [name, set] of versionsByGroup) {
    const versions = [...set]
      .sort(compareVersions)
      .map((version) => ({ groupVersion: `${name}/${version}`, version }));
    const preferred = versions[0];
    if (preferred) groups.push({ name, versions, preferredVersion: preferred });
  }
  return groups.sort((a, b) => a.name.localeCompare(b.name));
}

export function apiGroupList(kinds: readonly KindSpec[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups(kinds) };
}

export function apiGroup(kinds: readonly KindSpec[], name: string): object | undefined {
  const group = apiGroups(kinds).find((g) => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...group } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Aggregated discovery (apidiscovery.k8s.io/v2): what kubectl asks for first, in one request
// for `/api` and one for `/apis`, instead of one per group version.

export const AGGREGATED_DISCOVERY_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether the Accept header asks for `apidiscovery.k8s.io/v2` APIGroupDiscoveryList. */
export function acceptsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((item) => {
    const params = new Map(
      item
        .split(';')
        .slice(1)
        .map((kv) => {
          const [k = '', v = ''] = kv.split('=');
          return [k.trim(), v.trim()] as const;
        }),
    );
    return (
      params.get('g') === 'apidiscovery.k8s.io' &&
      params.get('v') === 'v2' &&
      params.get('as') === 'APIGroupDiscoveryList'
    );
  });
}

function discoveryVersion(kinds: readonly DiscoveryKind[], group: string, version: string): object {
  const all = apiResources(kinds, group, version);
  const resources = all
    .filter((r) => !r.name.includes('/'))
    .map((r) => {
      const subresources = all
        .filter((s) => s.name.startsWith(`${r.name}/`))
        .map((s) => ({
          subresource: s.name.slice(r.name.length + 1),
          responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind },
          verbs: s.verbs,
        }));
      return {
        resource: r.name,
        responseKind: { group, version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singularName,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
        ...(subresources.length ? { subresources } : {}),
      };
    });
  return { version, resources, freshness: 'Current' };
}

/** `/api` (core: true) or `/apis` as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(kinds: readonly DiscoveryKind[], core: boolean): object {
  const items = core
    ? [{ metadata: { creationTimestamp: null }, versions: [discoveryVersion(kinds, '', 'v1')] }]
    : apiGroups(kinds).map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => discoveryVersion(kinds, g.name, v.version)),
      }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
