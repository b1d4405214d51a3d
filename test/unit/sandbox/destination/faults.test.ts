import { jest } from '@jest/globals';
import { FaultBook, parseFault } from '../../../../src/sandbox/destination/faults.js';
import { UpdateGate } from '../../../../src/sandbox/destination/update-gate.js';

describe('FaultBook', () => {
  it('prefers a service fault over the global one and replaces same type and scope', () => {
    const book = new FaultBook([{ type: 'lag', ms: 100 }]);
    book.set({ type: 'lag', ms: 500, service: 'web-svc.emojivoto' });
    expect(book.find('web-svc.emojivoto', 'lag')?.ms).toBe(500);
    expect(book.find('emoji-svc.emojivoto', 'lag')?.ms).toBe(100);
    book.set({ type: 'lag', ms: 700, service: 'web-svc.emojivoto' });
    expect(book.all()).toEqual([
      { type: 'lag', ms: 100 },
      { type: 'lag', ms: 700, service: 'web-svc.emojivoto' },
    ]);
  });

  it('clears one service or everything', () => {
    const book = new FaultBook([
      { type: 'freeze' },
      { type: 'freeze', service: 'a.b' },
      { type: 'unavailable', service: 'a.b' },
    ]);
    expect(book.clear('a.b')).toHaveLength(2);
    expect(book.has('a.b', 'freeze')).toBe(true); // the global one
    expect(book.clear()).toEqual([{ type: 'freeze' }]);
    expect(book.has('a.b', 'freeze')).toBe(false);
  });

  it('validates faults from outside', () => {
    expect(parseFault({ type: 'reset', afterMessages: 2, service: 'web-svc.emojivoto' })).toEqual({
      type: 'reset',
      afterMessages: 2,
      service: 'web-svc.emojivoto',
    });
    expect(() => parseFault({ type: 'lag' })).toThrow();
    expect(() => parseFault({ type: 'melt' })).toThrow();
    expect(() => parseFault({ type: 'freeze', service: 'web-svc' })).toThrow();
  });
});

describe('UpdateGate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup(faults: FaultBook) {
    const applied: Array<[string, number]> = [];
    const caughtUp: string[] = [];
    const gate = new UpdateGate<number>(
      {
        frozen: (key) => faults.has(key, 'freeze'),
        lagMs: (key) => faults.find(key, 'lag')?.ms ?? 0,
      },
      (key, event) => applied.push([key, event]),
      (key) => caughtUp.push(key),
      () => Date.now(),
    );
    return { gate, applied, caughtUp };
  }

  it('passes everything before it opens, then applies at once without faults', () => {
    const faults = new FaultBook([{ type: 'freeze' }]);
    const { gate, applied } = setup(faults);
    gate.push('a', 1);
    expect(applied).toEqual([['a', 1]]);
    faults.clear();
    gate.open();
    gate.push('a', 2);
    expect(applied).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });

  it('holds a frozen service and catches it up once thawed', () => {
    const faults = new FaultBook();
    const { gate, applied, caughtUp } = setup(faults);
    gate.open();
    faults.set({ type: 'freeze', service: 'a' });
    gate.push('a', 1);
    gate.push('b', 2);
    expect(applied).toEqual([['b', 2]]);
    expect(gate.heldKeys()).toEqual(['a']);
    faults.clear('a');
    gate.refresh();
    expect(caughtUp).toEqual(['a']);
    expect(gate.heldKeys()).toEqual([]);
  });

  it('applies lagged updates N ms late, in order', () => {
    const faults = new FaultBook([{ type: 'lag', ms: 1000 }]);
    const { gate, applied } = setup(faults);
    gate.open();
    gate.push('a', 1);
    jest.advanceTimersByTime(400);
    gate.push('a', 2);
    expect(applied).toEqual([]);
    jest.advanceTimersByTime(600);
    expect(applied).toEqual([['a', 1]]);
    jest.advanceTimersByTime(400);
    expect(applied).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });

  it('keeps order when lag is lifted with updates queued', () => {
    const faults = new FaultBook([{ type: 'lag', ms: 1000 }]);
    const { gate, applied } = setup(faults);
    gate.open();
    gate.push('a', 1);
    faults.clear();
    gate.push('a', 2); // behind the queued one
    expect(applied).toEqual([]);
    gate.refresh();
    expect(applied).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });

  it('drops lagged updates that come due while frozen, and catches up after', () => {
    const faults = new FaultBook([{ type: 'lag', ms: 100 }]);
    const { gate, applied, caughtUp } = setup(faults);
    gate.open();
    gate.push('a', 1);
    faults.set({ type: 'freeze' });
    jest.advanceTimersByTime(200);
    expect(applied).toEqual([]);
    faults.clear();
    gate.refresh();
    expect(caughtUp).toEqual(['a']);
  });

  it('clears its timers on close', () => {
    const faults = new FaultBook([{ type: 'lag', ms: 100 }]);
    const { gate, applied } = setup(faults);
    gate.open();
    gate.push('a', 1);
    expect(jest.getTimerCount()).toBe(1);
    gate.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(200);
    expect(applied).toEqual([]);
  });
});
