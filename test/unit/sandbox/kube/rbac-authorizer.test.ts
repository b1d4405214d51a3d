import { ruleAllows, type AuthorizationAttributes } from '../../../../src/sandbox/kube/rbac-authorizer.js';

const user = { name: 'system:serviceaccount:meshbot:meshbot', groups: ['system:authenticated'] };

function resource(
  over: Partial<Extract<AuthorizationAttributes, { resourceRequest: true }>>,
): AuthorizationAttributes {
  return { resourceRequest: true, user, verb: 'get', group: 'apps', resource: 'deployments', ...over };
}

describe('ruleAllows (rbac/v1 RuleAllows)', () => {
  it('matches subresources only by their combined name, or */subresource', () => {
    const scale = resource({ subresource: 'scale', verb: 'update' });
    expect(ruleAllows(scale, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] })).toBe(
      false,
    );
    expect(
      ruleAllows(scale, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] }),
    ).toBe(true);
    expect(ruleAllows(scale, { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] })).toBe(true);
    expect(ruleAllows(scale, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true);
  });

  it('needs the group and the verb, and a name among resourceNames when they are given', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['issuer'] };
    expect(ruleAllows(resource({ group: '', resource: 'secrets', name: 'issuer' }), rule)).toBe(true);
    expect(ruleAllows(resource({ group: '', resource: 'secrets', name: 'other' }), rule)).toBe(false);
    expect(ruleAllows(resource({ group: '', resource: 'secrets', verb: 'list' }), rule)).toBe(false);
    expect(ruleAllows(resource({ group: 'apps', resource: 'secrets', name: 'issuer' }), rule)).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing * prefix, never by resource rules', () => {
    const path = (p: string): AuthorizationAttributes => ({
      resourceRequest: false,
      user,
      verb: 'get',
      path: p,
    });
    const rule = { verbs: ['get'], nonResourceURLs: ['/apis/*', '/version'] };
    expect(ruleAllows(path('/apis/apps/v1'), rule)).toBe(true);
    expect(ruleAllows(path('/version'), rule)).toBe(true);
    expect(ruleAllows(path('/version/x'), rule)).toBe(false);
    expect(ruleAllows(path('/metrics'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(false);
  });
});
