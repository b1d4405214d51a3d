import { ApiException } from '@kubernetes/client-node';
import {
  parseForbiddenMessage,
  translateKubeError,
  type KubeRequestContext,
} from '../../../../src/adapters/kube/translate-kube-error.js';
import { MeshbotError } from '../../../../src/errors.js';

const ctx: KubeRequestContext = {
  server: 'https://127.0.0.1:6443',
  verb: 'list',
  resource: 'endpointslices',
  group: 'discovery.k8s.io',
  namespace: 'emojivoto',
  timeoutMs: 5000,
};

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });

describe('translateKubeError', () => {
  it('names the missing RBAC verb, resource and namespace of a 403, and the rule to add', () => {
    const body = status(
      403,
      'Forbidden',
      'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:linkerd:meshbot" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "payments"',
    );
    const err = translateKubeError(new ApiException(403, 'Forbidden', body, {}), ctx);
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(/list/);
    expect(err.message).toMatch(/endpointslices/);
    expect(err.message).toMatch(/namespace payments/);
    expect(err.hint).toMatch(/Role in namespace payments/);
    expect(err.hint).toMatch(
      /apiGroups: \["discovery.k8s.io"\] resources: \["endpointslices"\] verbs: \["list"\]/,
    );
  });

  it('falls back to the request when the 403 body is not a Status', () => {
    const err = translateKubeError(new ApiException(403, 'Forbidden', 'nope', {}), ctx);
    expect(err.kind).toBe('forbidden');
    expect(err.hint).toMatch(/verbs: \["list"\]/);
  });

  it('names the watch a 403 refused, from the request (client-node Watch gives no body)', () => {
    const refused = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    const err = translateKubeError(refused, { ...ctx, verb: 'watch', resource: 'pods', group: '' });
    expect(err.kind).toBe('forbidden');
    expect(err.message).toContain('RBAC permission "watch" on "pods" is missing');
    expect(err.message).toContain('in namespace emojivoto');
  });

  it('parses cluster-scoped and subresource forms', () => {
    expect(
      parseForbiddenMessage(
        'namespaces "x" is forbidden: User "u" cannot get resource "namespaces" in API group "" at the cluster scope',
      ),
    ).toEqual({ user: 'u', verb: 'get', resource: 'namespaces', group: '' });
    expect(
      parseForbiddenMessage(
        'pods "p" is forbidden: User "u" cannot create resource "pods/portforward" in API group "" in the namespace "linkerd"',
      ),
    ).toEqual({ user: 'u', verb: 'create', resource: 'pods/portforward', group: '', namespace: 'linkerd' });
  });

  it('401 is unauthenticated', () => {
    expect(translateKubeError(new ApiException(401, 'Unauthorized', undefined, {}), ctx).kind).toBe(
      'unauthenticated',
    );
  });

  it('a refused connection is unreachable with the server URL in the hint', () => {
    const refused = Object.assign(
      new Error('request to https://127.0.0.1:6443/api failed, reason: connect ECONNREFUSED'),
      {
        code: 'ECONNREFUSED',
      },
    );
    const err = translateKubeError(refused, ctx);
    expect(err.kind).toBe('unreachable');
    expect(err.hint).toContain('https://127.0.0.1:6443');
  });

  it('an aborted request is a timeout', () => {
    const aborted = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    expect(translateKubeError(aborted, ctx).kind).toBe('timeout');
  });

  it('passes MeshbotErrors through', () => {
    const e = new MeshbotError('config', 'x');
    expect(translateKubeError(e, ctx)).toBe(e);
  });
});
