import { answerReview, type ReviewContext } from '../../../../src/sandbox/kube/access-review.js';
import type { AuthorizationAttributes } from '../../../../src/sandbox/kube/rbac-authorizer.js';

const MESHBOT = { name: 'system:serviceaccount:meshbot:meshbot', groups: ['system:authenticated'] };

function context(asked: AuthorizationAttributes[] = []): ReviewContext {
  return {
    user: MESHBOT,
    namespace: undefined,
    decide: (attrs) => {
      asked.push(attrs);
      return attrs.verb === 'list'
        ? {
            allowed: true,
            reason:
              'RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "x" to ServiceAccount "meshbot/meshbot"',
          }
        : { allowed: false, reason: '' };
    },
    rulesFor: () => ({ rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], errors: [] }),
  };
}

describe('answerReview', () => {
  it('asks the authorizer for the caller (SelfSubjectAccessReview), with its reason when allowed', () => {
    const asked: AuthorizationAttributes[] = [];
    const spec = {
      resourceAttributes: {
        verb: 'list',
        group: 'discovery.k8s.io',
        resource: 'endpointslices',
        namespace: 'payments',
      },
    };
    expect(answerReview('SelfSubjectAccessReview', { spec }, context(asked))).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      status: { allowed: true, reason: expect.stringMatching(/^RBAC: allowed by/) },
    });
    expect(asked[0]).toMatchObject({
      resourceRequest: true,
      user: MESHBOT,
      namespace: 'payments',
      resource: 'endpointslices',
    });
    expect(
      answerReview(
        'SelfSubjectAccessReview',
        { spec: { nonResourceAttributes: { verb: 'get', path: '/metrics' } } },
        context(),
      ),
    ).toMatchObject({ status: { allowed: false } });
  });

  it('asks for the named subject (SubjectAccessReview) and refuses one without user or group', () => {
    const asked: AuthorizationAttributes[] = [];
    answerReview(
      'SubjectAccessReview',
      { spec: { user: 'alice', groups: ['devs'], resourceAttributes: { verb: 'get', resource: 'pods' } } },
      context(asked),
    );
    expect(asked[0]?.user).toEqual({ name: 'alice', groups: ['devs'] });
    expect(() =>
      answerReview('SubjectAccessReview', { spec: { resourceAttributes: { verb: 'get' } } }, context()),
    ).toThrow(/at least one of user or group/);
  });

  it('lists the rules (SelfSubjectRulesReview)', () => {
    expect(
      answerReview('SelfSubjectRulesReview', { spec: { namespace: 'linkerd' } }, context()),
    ).toMatchObject({
      status: {
        resourceRules: [{ verbs: ['get'], resources: ['pods'] }],
        nonResourceRules: [],
        incomplete: false,
      },
    });
  });

  it('refuses a body that is not a review', () => {
    expect(() => answerReview('SelfSubjectAccessReview', { nope: true }, context())).toThrow(
      /SelfSubjectAccessReview/,
    );
  });
});
