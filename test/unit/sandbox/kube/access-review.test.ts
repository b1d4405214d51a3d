import { reviewAccess } from '../../../../src/sandbox/kube/access-review.js';

const MESHBOT = 'system:serviceaccount:linkerd:meshbot';
const rules = [
  { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'payments' } as const,
];

function review(resourceAttributes: Record<string, string>, user = MESHBOT): unknown {
  return reviewAccess({ spec: { resourceAttributes } }, user, rules, MESHBOT);
}

describe('reviewAccess', () => {
  it('answers from the access rules, without a reason when denied', () => {
    expect(
      review({ verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'payments' }),
    ).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      status: { allowed: false },
    });
    expect(
      review({ verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'emojivoto' }),
    ).toMatchObject({ status: { allowed: true } });
    expect(
      review(
        { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'payments' },
        'alice',
      ),
    ).toMatchObject({ status: { allowed: true } });
  });

  it('treats * in the question as overlapping any rule', () => {
    expect(
      review({ verb: '*', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'payments' }),
    ).toMatchObject({
      status: { allowed: false },
    });
    expect(review({ verb: 'use', resource: 'podsecuritypolicies' })).toMatchObject({
      status: { allowed: true },
    });
  });

  it('refuses a body that is not a review', () => {
    expect(() => reviewAccess({ nope: true }, MESHBOT, rules, MESHBOT)).toThrow(/SelfSubjectAccessReview/);
  });
});
