import {
  decodeScaleTestButton,
  encodeScaleTestButton,
  type ScaleTestButtonValue,
} from '../../../src/slack/scale-test-button-value.js';
import {
  renderScaleTestConfirmation,
  renderScaleTestProgress,
} from '../../../src/slack/render/render-scale-test.js';

const value: ScaleTestButtonValue = {
  v: 1,
  kind: 'scale-test',
  op: 'confirm',
  target: 'deploy/web.emojivoto',
  requestedBy: 'U0ALICE',
  from: 2,
  thread: '1732363200.000100',
  nonce: '0123456789abcdef',
  exp: Date.parse('2026-11-23T12:15:00Z'),
};
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('scale-test button values', () => {
  it('round-trip within Slack’s 2000 characters', () => {
    const raw = encodeScaleTestButton(value);
    expect(raw.length).toBeLessThan(2000);
    expect(decodeScaleTestButton(raw, NOW)).toEqual(value);
  });

  it('refuse what meshbot did not write, a target with spaces, extra keys and expired ones', () => {
    expect(() => decodeScaleTestButton('{}', NOW)).toThrow(/no valid scale-test confirmation/);
    expect(() =>
      decodeScaleTestButton(JSON.stringify({ ...value, target: 'deploy/web.x --yes' }), NOW),
    ).toThrow(/no valid/);
    expect(() => decodeScaleTestButton(JSON.stringify({ ...value, admin: true }), NOW)).toThrow(/no valid/);
    expect(() => decodeScaleTestButton(JSON.stringify(value), value.exp + 1)).toThrow(/expired/);
    expect(() => decodeScaleTestButton('x'.repeat(2001), NOW)).toThrow(/no valid/);
  });

  it('render a confirmation with Confirm and Cancel carrying the same target', () => {
    const { op: _op, ...rest } = value;
    void _op;
    const body = renderScaleTestConfirmation(
      {
        workload: { kind: 'deployment', name: 'web', namespace: 'emojivoto' },
        workloadText: 'deploy/web.emojivoto',
        services: ['web-svc.emojivoto'],
        authorities: ['web-svc.emojivoto.svc.cluster.local:80'],
        fromReplicas: 2,
        toReplicas: 3,
        longestMs: 120_000,
        stageTimeoutMs: 30_000,
      },
      rest,
    );
    const actions = body.blocks.find((b) => b.type === 'actions') as unknown as {
      elements: Array<{ action_id: string; value: string }>;
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      'meshbot_scale_test_confirm',
      'meshbot_scale_test_cancel',
    ]);
    expect(actions.elements.map((e) => (JSON.parse(e.value) as ScaleTestButtonValue).op)).toEqual([
      'confirm',
      'cancel',
    ]);
    expect(body.text).toMatch(/replicas 2 -> 3 and back, at most 120 s/);
  });

  it('keep the live progress inside one section, newest lines last', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const body = renderScaleTestProgress(lines, true);
    const text = (body.blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/line 199/);
    expect(text).toMatch(/^\*Scale test: finished\*/);
  });
});
