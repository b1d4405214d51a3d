import type { ControlPlaneReader } from '../../../../src/adapters/kube/control-plane-reader.js';
import { parseCommand } from '../../../../src/grammar/parse-command.js';
import type { CategoryDefinition, CheckDefinition } from '../../../../src/steps/check/check-types.js';
import { runCheckStep } from '../../../../src/steps/check/run-check-step.js';
import { formatCommand } from '../../../../src/grammar/format-command.js';

const categories: CategoryDefinition[] = [
  { id: 'linkerd-destination', title: 'linkerd-destination', dependsOn: [] },
];
const failing: CheckDefinition = {
  id: 'l5d-destination-broken',
  category: 'linkerd-destination',
  description: 'destination works',
  hintAnchor: 'l5d-destination',
  run: async () => ({ status: 'fail', message: 'broken' }),
};

describe('runCheckStep next steps', () => {
  it('offers only commands that parse when the destination category fails (regression: placeholders)', async () => {
    const result = await runCheckStep(
      { proxy: false },
      { options: {}, controlPlane: {} as ControlPlaneReader },
      { categories, checks: [failing] },
    );
    expect(result.next.length).toBeGreaterThan(0);
    for (const n of result.next) {
      if (n.command !== undefined) expect(parseCommand(formatCommand(n.command))).toEqual(n.command);
    }
  });
});
