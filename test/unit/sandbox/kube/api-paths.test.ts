import { parseResourcePath } from '../../../../src/sandbox/kube/api-paths.js';

describe('parseResourcePath', () => {
  it('parses core, group, namespaced and cluster-scoped paths', () => {
    expect(parseResourcePath('/api/v1/namespaces/emojivoto/pods/web-1/status')).toEqual({
      group: '',
      version: 'v1',
      namespace: 'emojivoto',
      plural: 'pods',
      name: 'web-1',
      subresource: 'status',
      watchPrefix: false,
    });
    expect(parseResourcePath('/apis/apps/v1/deployments')).toEqual({
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      watchPrefix: false,
    });
    expect(parseResourcePath('/api/v1/nodes/node-1')).toMatchObject({ plural: 'nodes', name: 'node-1' });
  });

  it('treats /namespaces/NAME as the namespace object', () => {
    expect(parseResourcePath('/api/v1/namespaces/emojivoto')).toMatchObject({
      plural: 'namespaces',
      name: 'emojivoto',
    });
    expect(parseResourcePath('/api/v1/namespaces/emojivoto/status')).toMatchObject({
      plural: 'namespaces',
      name: 'emojivoto',
      subresource: 'status',
    });
    expect(parseResourcePath('/api/v1/namespaces')).toMatchObject({ plural: 'namespaces' });
  });

  it('understands the deprecated watch prefix', () => {
    expect(parseResourcePath('/api/v1/watch/namespaces/emojivoto/pods')).toMatchObject({
      namespace: 'emojivoto',
      plural: 'pods',
      watchPrefix: true,
    });
  });

  it('refuses paths that name no resource', () => {
    expect(parseResourcePath('/api/v1')).toBeUndefined();
    expect(parseResourcePath('/apis/apps')).toBeUndefined();
    expect(parseResourcePath('/api/v1/namespaces/a/pods/b/status/extra')).toBeUndefined();
    expect(parseResourcePath('/api/v1/namespaces/a/pods/%E0%A4%A')).toBeUndefined();
    expect(parseResourcePath('/metrics')).toBeUndefined();
  });
});
