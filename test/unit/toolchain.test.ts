import * as k8s from '@kubernetes/client-node';
import * as z from 'zod';
import * as grpc from '@grpc/grpc-js';
import bolt from '@slack/bolt';

describe('toolchain', () => {
  it('loads the ESM-only dependencies', () => {
    expect(typeof k8s.KubeConfig).toBe('function');
    expect(z.string().parse('x')).toBe('x');
    expect(typeof grpc.Server).toBe('function');
    expect(typeof bolt.App).toBe('function');
  });
});
