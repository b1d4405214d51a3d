import { isResourceNotServed } from '../../../../src/adapters/kube/route-objects.js';
import { KubeStatusError } from '../../../../src/adapters/kube/translate-kube-error.js';

describe('isResourceNotServed', () => {
  it('is a 404 that names no object: the resource is not served (its CRD is not installed)', () => {
    const notServed = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    };
    expect(isResourceNotServed(new KubeStatusError(404, notServed))).toBe(true);
    expect(isResourceNotServed(new KubeStatusError(404, JSON.stringify(notServed)))).toBe(true);
    // Older API servers' plain-text answer for a path nobody serves.
    expect(isResourceNotServed(new KubeStatusError(404, '404 page not found\n'))).toBe(true);
  });

  it('is not a 404 naming the object (served, the object does not exist), nor any other failure', () => {
    const absent = {
      kind: 'Status',
      status: 'Failure',
      message: 'serviceprofiles.linkerd.io "web-svc.emojivoto.svc.cluster.local" not found',
      reason: 'NotFound',
      details: { name: 'web-svc.emojivoto.svc.cluster.local', group: 'linkerd.io', kind: 'serviceprofiles' },
      code: 404,
    };
    expect(isResourceNotServed(new KubeStatusError(404, absent))).toBe(false);
    expect(isResourceNotServed(new KubeStatusError(403, { kind: 'Status', code: 403 }))).toBe(false);
    expect(isResourceNotServed(new Error('socket hang up'))).toBe(false);
  });
});
