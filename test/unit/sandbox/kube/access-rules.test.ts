import { denyingRule, forbiddenFor, type AccessRequest } from '../../../../src/sandbox/kube/access-rules.js';

const USER = 'system:serviceaccount:linkerd:meshbot';

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    user: USER,
    verb: 'list',
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    namespace: 'payments',
    ...overrides,
  };
}

describe('access rules', () => {
  const rule = {
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'payments',
  } as const;

  it('denies what a rule matches and nothing else', () => {
    expect(denyingRule([rule], request())).toBe(rule);
    expect(denyingRule([rule], request({ namespace: 'emojivoto' }))).toBeUndefined();
    expect(denyingRule([rule], request({ verb: 'get', name: 'x' }))).toBeUndefined();
    expect(denyingRule([rule], request({ group: '', resource: 'endpoints' }))).toBeUndefined();
    expect(denyingRule([], request())).toBeUndefined();
  });

  it('limits a namespaced denial to its namespace', () => {
    const all = request();
    delete all.namespace;
    expect(denyingRule([rule], all)).toBeUndefined();
    const everywhere = { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io' } as const;
    expect(denyingRule([everywhere], all)).toBe(everywhere);
    expect(denyingRule([everywhere], request())).toBe(everywhere);
  });

  it('matches wildcards, subresources and users', () => {
    expect(denyingRule([{ verb: '*', resource: '*' }], request({ verb: 'delete' }))).toBeDefined();
    const pf = { verb: 'create', resource: 'pods/portforward' } as const;
    expect(
      denyingRule([pf], request({ verb: 'create', group: '', resource: 'pods', subresource: 'portforward' })),
    ).toBe(pf);
    expect(denyingRule([pf], request({ verb: 'create', group: '', resource: 'pods' }))).toBeUndefined();
    const alice = { verb: '*', resource: 'secrets', user: 'alice' } as const;
    expect(denyingRule([alice], request({ resource: 'secrets', group: '' }))).toBeUndefined();
    expect(denyingRule([alice], request({ resource: 'secrets', group: '', user: 'alice' }))).toBe(alice);
    const everyone = { verb: '*', resource: 'secrets', user: '*' } as const;
    expect(denyingRule([everyone], request({ resource: 'secrets', group: '', user: 'alice' }))).toBe(
      everyone,
    );
  });

  it('applies rules without a user to the default user only', () => {
    const controlPlane = request({ user: 'system:serviceaccount:linkerd:linkerd-destination' });
    expect(denyingRule([rule], controlPlane)).toBeUndefined();
    expect(denyingRule([rule], request())).toBe(rule);
    expect(denyingRule([rule], request({ user: 'bob' }), 'bob')).toBe(rule);
  });

  it('words the 403 as the RBAC authorizer does', () => {
    expect(forbiddenFor(request()).body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:linkerd:meshbot" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "payments"',
      reason: 'Forbidden',
      details: { group: 'discovery.k8s.io', kind: 'endpointslices' },
      code: 403,
    });
    const pf = forbiddenFor(
      request({
        verb: 'create',
        group: '',
        resource: 'pods',
        subresource: 'portforward',
        name: 'linkerd-destination-1',
        namespace: 'linkerd',
      }),
    );
    expect(pf.body.message).toBe(
      'pods "linkerd-destination-1" is forbidden: User "system:serviceaccount:linkerd:meshbot" cannot create resource "pods/portforward" in API group "" in the namespace "linkerd"',
    );
    expect(pf.body.details).toEqual({ name: 'linkerd-destination-1', kind: 'pods' });
  });
});
