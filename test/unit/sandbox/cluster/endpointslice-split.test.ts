import {
  MAX_ENDPOINTS_PER_SLICE,
  placeEndpoints,
  type SliceEndpoint,
} from '../../../../src/sandbox/cluster/endpointslice-controller.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';

const endpoint = (i: number): SliceEndpoint => ({
  addresses: [`10.0.${Math.floor(i / 256)}.${i % 256}`],
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `u${i}` },
});
const range = (from: number, to: number): SliceEndpoint[] =>
  Array.from({ length: to - from }, (_, k) => endpoint(from + k));
const slice = (name: string, endpoints: SliceEndpoint[]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'ns' },
  endpoints,
});
const names = (endpoints: SliceEndpoint[]): string[] => endpoints.map((e) => e.targetRef.name).sort();

describe('placeEndpoints (EndpointSlices of at most 100 endpoints)', () => {
  it('splits new endpoints into slices of 100', () => {
    const placed = placeEndpoints([], range(0, 250));
    expect(placed.map((p) => [p.slice, p.endpoints.length])).toEqual([
      [undefined, MAX_ENDPOINTS_PER_SLICE],
      [undefined, MAX_ENDPOINTS_PER_SLICE],
      [undefined, 50],
    ]);
  });

  it('keeps an endpoint in the slice that has it and fills slices with room before making one', () => {
    const a = slice('a', range(0, 100));
    const b = slice('b', range(100, 150));
    // p5 goes, p150..p154 come.
    const wanted = [...range(0, 5), ...range(6, 155)];
    const placed = placeEndpoints([a, b], wanted);
    expect(placed.map((p) => p.slice?.metadata.name)).toEqual(['a', 'b']);
    expect(names(placed[0]!.endpoints)).toEqual(names([...range(0, 5), ...range(6, 100), endpoint(150)]));
    expect(placed[1]!.endpoints).toHaveLength(54);
  });

  it('drops a slice left empty, and keeps one (the placeholder) when nothing is left', () => {
    const a = slice('a', range(0, 100));
    const b = slice('b', range(100, 110));
    expect(placeEndpoints([a, b], range(0, 100)).map((p) => p.slice?.metadata.name)).toEqual(['a']);
    expect(placeEndpoints([a, b], []).map((p) => [p.slice?.metadata.name, p.endpoints.length])).toEqual([
      ['a', 0],
    ]);
  });
});
