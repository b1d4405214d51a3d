import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { translateGrpcError } from '../../../../src/adapters/destination/translate-grpc-error.js';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

const ctx = { target: '127.0.0.1:1', authority: 'web-svc.emojivoto.svc.cluster.local:80', timeoutMs: 5000 };

describe('translateGrpcError', () => {
  it('makes UNAVAILABLE an unreachable error with a hint', () => {
    const e = translateGrpcError(serviceError(status.UNAVAILABLE, 'connect ECONNREFUSED 127.0.0.1:1'), ctx);
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain('127.0.0.1:1 is unavailable');
    expect(e.hint).toContain('--destination');
  });

  it('drops the empty "Resolution note:" grpc-js appends (regression)', () => {
    const e = translateGrpcError(
      serviceError(
        status.UNAVAILABLE,
        'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      ),
      ctx,
    );
    expect(e.message).toMatch(/ECONNREFUSED 127\.0\.0\.1:1$/);
  });

  it('makes INVALID_ARGUMENT a message naming the authority', () => {
    const e = translateGrpcError(serviceError(status.INVALID_ARGUMENT, 'invalid authority'), ctx);
    expect(e.message).toContain(
      'refused web-svc.emojivoto.svc.cluster.local:80 as invalid: invalid authority',
    );
  });
});
