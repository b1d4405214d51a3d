/**
 * The Block Kit limits Slack enforces on chat.postMessage / chat.update / response URLs,
 * checked by the double so a message Slack would refuse (`invalid_blocks`) is refused here.
 * Returns the first problem, or undefined.
 */
export function checkBlocks(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be a JSON array';
  if (blocks.length > 50) return `${blocks.length} blocks; at most 50 are allowed`;
  const actionIds = new Set<string>();
  for (const [i, b] of blocks.entries()) {
    if (typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string') {
      return `block ${i} has no type`;
    }
    const block = b as { type: string; text?: { text?: unknown }; elements?: unknown[]; fields?: unknown[] };
    const text = typeof block.text?.text === 'string' ? block.text.text : undefined;
    if (block.type === 'section' && text !== undefined && text.length > 3000) {
      return `section ${i} text is ${text.length} characters; at most 3000 are allowed`;
    }
    if (block.type === 'header' && text !== undefined && text.length > 150) {
      return `header ${i} text is ${text.length} characters; at most 150 are allowed`;
    }
    if (block.type === 'context' && (block.elements?.length ?? 0) > 10) {
      return `context ${i} has ${block.elements?.length} elements; at most 10 are allowed`;
    }
    if (block.type === 'actions') {
      if ((block.elements?.length ?? 0) > 25) return `actions ${i} has more than 25 elements`;
      for (const e of block.elements ?? []) {
        const el = e as { value?: unknown; action_id?: unknown };
        if (typeof el.value === 'string' && el.value.length > 2000) {
          return `a button value in block ${i} is ${el.value.length} characters; at most 2000 are allowed`;
        }
        if (typeof el.action_id === 'string') {
          if (actionIds.has(el.action_id)) return `action_id ${el.action_id} is not unique in the message`;
          actionIds.add(el.action_id);
        }
      }
    }
  }
  return undefined;
}
