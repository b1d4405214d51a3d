import { deferredAdapter } from '../../../src/adapters/deferred-adapter.js';

interface Reader {
  readonly server: string;
  read(name: string): Promise<string>;
}

describe('deferredAdapter', () => {
  it('builds the adapter on the first method call only, once, and answers known properties at once', async () => {
    let builds = 0;
    const reader = deferredAdapter<Reader>(
      async () => {
        builds++;
        return { server: 'https://k8s', read: async (name) => `read ${name}` };
      },
      { server: 'https://k8s' },
    );
    expect(reader.server).toBe('https://k8s');
    expect(builds).toBe(0);
    await expect(Promise.all([reader.read('a'), reader.read('b')])).resolves.toEqual(['read a', 'read b']);
    expect(builds).toBe(1);
    // Awaiting the adapter itself does not call a method named `then`.
    await expect(Promise.resolve(reader)).resolves.toBe(reader);
  });

  it('passes a failed build to the caller and builds again on the next call', async () => {
    let builds = 0;
    const reader = deferredAdapter<Reader>(async () => {
      builds++;
      if (builds === 1) throw new Error('no kubeconfig');
      return { server: 's', read: async () => 'ok' };
    });
    await expect(reader.read('x')).rejects.toThrow('no kubeconfig');
    await expect(reader.read('x')).resolves.toBe('ok');
  });
});
