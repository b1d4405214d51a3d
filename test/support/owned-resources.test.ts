import { ownResources } from './owned-resources.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ownResources', () => {
  it('stops what was started, the last first', async () => {
    const owned = ownResources();
    const stopped: string[] = [];
    await owned.own(Promise.resolve('sandbox'), (s) => void stopped.push(s));
    await owned.own(Promise.resolve('prometheus'), (s) => void stopped.push(s));
    await owned.stopAll();
    expect(stopped).toEqual(['prometheus', 'sandbox']);
  });

  // The regression: beforeAll timed out while the rig was starting; afterAll ran first.
  it('stops a start that finishes after stopAll, as soon as it finishes', async () => {
    const owned = ownResources();
    const stopped: string[] = [];
    const starting = deferred<string>();
    void owned.own(starting.promise, (s) => void stopped.push(s));
    const stopping = owned.stopAll();
    expect(stopped).toEqual([]);
    starting.resolve('late rig');
    await stopping;
    expect(stopped).toEqual(['late rig']);
  });

  it('stops at once what a timed-out hook starts after stopAll', async () => {
    const owned = ownResources();
    await owned.stopAll();
    const stopped: string[] = [];
    await owned.own(Promise.resolve('after'), (s) => void stopped.push(s));
    await Promise.resolve();
    expect(stopped).toEqual(['after']);
  });

  it('has nothing to stop for a start that failed, and stops the others anyway', async () => {
    const owned = ownResources();
    const stopped: string[] = [];
    await owned.own(Promise.resolve('sandbox'), (s) => void stopped.push(s));
    const failing = owned.own(Promise.reject(new Error('no port')), () => void stopped.push('never'));
    await expect(failing).rejects.toThrow('no port');
    await owned.stopAll();
    expect(stopped).toEqual(['sandbox']);
  });

  it('stops every resource even when one stop fails, then throws that error', async () => {
    const owned = ownResources();
    const stopped: string[] = [];
    await owned.own(Promise.resolve('sandbox'), (s) => void stopped.push(s));
    await owned.own(Promise.resolve('broken'), () => Promise.reject(new Error('stop failed')));
    await expect(owned.stopAll()).rejects.toThrow('stop failed');
    expect(stopped).toEqual(['sandbox']);
  });
});
