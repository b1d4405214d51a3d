import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { crdServes, servedKinds } from '../../../../src/sandbox/kube/served-kinds.js';
import { crdObject } from '../../../../src/sandbox/scenario/linkerd-control-plane.js';

const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;
const names = (store: ReturnType<typeof createObjectStore>): string[] =>
  servedKinds(store)
    .filter((k) => k.crd !== undefined)
    .map((k) => `${k.kind}.${k.group}/${k.version}`);

describe('servedKinds', () => {
  it('serves built-in kinds always, and a custom resource only while its CRD is installed', () => {
    const store = createObjectStore();
    expect(servedKinds(store).some((k) => k.kind === 'Pod')).toBe(true);
    expect(names(store)).toEqual([]);
    store.create(crdObject('grpcroutes.gateway.networking.k8s.io', 'linkerd', 'edge-24.5.2'));
    store.create(crdObject('serviceprofiles.linkerd.io', 'linkerd', 'edge-24.5.2'));
    expect(names(store)).toEqual([
      'ServiceProfile.linkerd.io/v1alpha2',
      'GRPCRoute.gateway.networking.k8s.io/v1',
    ]);
    store.delete(CRD, undefined, 'grpcroutes.gateway.networking.k8s.io');
    expect(names(store)).toEqual(['ServiceProfile.linkerd.io/v1alpha2']);
    store.close();
  });

  it('needs the CRD to serve the version the sandbox serves', () => {
    const store = createObjectStore();
    const crd = crdObject('httproutes.policy.linkerd.io', 'linkerd', 'stable-2.14.10');
    const spec = crd.spec as { versions: Array<{ name: string; served: boolean }> };
    spec.versions = spec.versions.map((v) => (v.name === 'v1beta3' ? { ...v, served: false } : v));
    store.create(crd);
    const kind = store.kinds().find((k) => k.crd === 'httproutes.policy.linkerd.io')!;
    expect(crdServes(store, kind)).toBe(false);
    store.close();
  });
});
