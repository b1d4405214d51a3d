import {
  matchesFieldSelector,
  parseFieldSelector,
  selectableFields,
} from '../../../../src/sandbox/kube/field-selector.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';
import { StatusError } from '../../../../src/sandbox/kube/status-error.js';

const PODS = { group: '', plural: 'pods' };
const EVENTS = { group: '', plural: 'events' };
const CMS = { group: '', plural: 'configmaps' };

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'demo' },
  spec: { nodeName: 'node-a' },
  status: { phase: 'Running', podIP: '10.0.0.7' },
};

const event: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.abc', namespace: 'demo' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'demo' },
  reason: 'Killing',
  type: 'Normal',
  source: { component: 'kubelet' },
};

function matches(selector: string, obj: KubeObject, kind = PODS): boolean {
  return matchesFieldSelector(parseFieldSelector(selector, kind), obj);
}

describe('field selectors', () => {
  it('selects on metadata.name and metadata.namespace for every kind', () => {
    expect(matches('metadata.name=web-1', pod)).toBe(true);
    expect(matches('metadata.name==web-1', pod)).toBe(true);
    expect(matches('metadata.name!=web-1', pod)).toBe(false);
    expect(matches('metadata.namespace=demo,metadata.name=web-1', pod)).toBe(true);
    expect(matches('metadata.namespace=other', pod)).toBe(false);
    expect(selectableFields(CMS)).toEqual(['metadata.name', 'metadata.namespace']);
  });

  it('selects pods on status.phase, spec.nodeName and status.podIP', () => {
    expect(matches('status.phase=Running', pod)).toBe(true);
    expect(matches('status.phase!=Running', pod)).toBe(false);
    expect(matches('spec.nodeName=node-a', pod)).toBe(true);
    expect(matches('spec.nodeName=', { ...pod, spec: {} })).toBe(true);
    expect(matches('status.podIP=10.0.0.7', pod)).toBe(true);
  });

  it('selects events on involvedObject, reason, type and source', () => {
    expect(matches('involvedObject.name=web-1,involvedObject.kind=Pod', event, EVENTS)).toBe(true);
    expect(matches('reason=Killing,type=Normal', event, EVENTS)).toBe(true);
    expect(matches('type=Warning', event, EVENTS)).toBe(false);
    expect(matches('source=kubelet', event, EVENTS)).toBe(true);
  });

  it('unescapes values', () => {
    const odd: KubeObject = { ...event, reason: 'a,b=c' };
    expect(matches('reason=a\\,b\\=c', odd, EVENTS)).toBe(true);
  });

  it('refuses an unsupported field with the real message', () => {
    for (const [sel, kind, field] of [
      ['spec.foo=bar', PODS, 'spec.foo'],
      ['status.phase=Running', CMS, 'status.phase'],
      ['reason=x', PODS, 'reason'],
    ] as const) {
      let caught: unknown;
      try {
        parseFieldSelector(sel, kind);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StatusError);
      expect((caught as StatusError).body).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: `field label not supported: ${field}`,
      });
    }
  });

  it('refuses a term without an operator', () => {
    expect(() => parseFieldSelector('metadata.name', PODS)).toThrow(/invalid field selector/);
  });
});
