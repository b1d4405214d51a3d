import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  StatusError,
  toStatusBody,
  unsupportedMediaType,
} from '../../../../src/sandbox/kube/status-error.js';

const PODS = { group: '', plural: 'pods' };
const DEPLOYS = { group: 'apps', plural: 'deployments' };

describe('Status errors', () => {
  it('words NotFound, AlreadyExists and Conflict as the API server does', () => {
    expect(notFound(PODS, 'x').body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'pods' },
      code: 404,
    });
    expect(notFound(DEPLOYS, 'web').body).toMatchObject({
      message: 'deployments.apps "web" not found',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    expect(alreadyExists(PODS, 'x').body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "x" already exists',
    });
    expect(conflict(PODS, 'x').body).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('names the invalid fields in details.causes', () => {
    const err = invalid({ group: 'apps', kind: 'Deployment' }, 'web', [
      {
        field: 'spec.replicas',
        type: 'FieldValueInvalid',
        value: -1,
        detail: 'must be greater than or equal to 0',
      },
      { field: 'spec.selector', type: 'FieldValueRequired' },
    ]);
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe(
      'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]',
    );
    expect(err.body.details).toEqual({
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: -1: must be greater than or equal to 0',
          field: 'spec.replicas',
        },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
      ],
    });
  });

  it('words Forbidden as the RBAC authorizer does', () => {
    expect(
      forbidden({
        user: 'system:serviceaccount:meshbot:meshbot',
        verb: 'list',
        resource: { group: 'discovery.k8s.io', plural: 'endpointslices' },
        namespace: 'payments',
      }).body,
    ).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:meshbot:meshbot" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "payments"',
      details: { group: 'discovery.k8s.io', kind: 'endpointslices' },
    });
    expect(
      forbidden({
        user: 'u',
        verb: 'patch',
        resource: DEPLOYS,
        subresource: 'scale',
        name: 'web',
        namespace: 'demo',
      }).message,
    ).toBe(
      'deployments.apps "web" is forbidden: User "u" cannot patch resource "deployments/scale" in API group "apps" in the namespace "demo"',
    );
    expect(forbidden({ user: 'u', verb: 'list', resource: { group: '', plural: 'nodes' } }).message).toBe(
      'nodes is forbidden: User "u" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it('has the other codes and reasons', () => {
    expect(expired(5, 12).body).toMatchObject({
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 5 (12)',
    });
    expect(badRequest('nope').body).toMatchObject({ code: 400, reason: 'BadRequest', message: 'nope' });
    expect(methodNotAllowed().body).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    expect(unsupportedMediaType('text/plain').body).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
  });

  it('is an Error and turns anything thrown into a Status', () => {
    const err = notFound(PODS, 'x');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(StatusError);
    expect(err.message).toBe('pods "x" not found');
    expect(toStatusBody(err)).toBe(err.body);
    expect(toStatusBody(new Error('boom'))).toMatchObject({ code: 500, reason: 'InternalError' });
  });
});
