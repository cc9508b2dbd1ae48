/**
 * Reading submitted modals back: the raw value of each input block, ready for the domain's
 * schemas, and the field errors trimmed to blocks the user can actually see.
 */
import type { ModalView } from '@slack/types';

/** The parts of `view.state.values` entries we read; Bolt's ViewStateValue fits this shape. */
export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
}

export interface ViewState {
  values: Record<string, Record<string, StateValue>>;
}

/**
 * block_id → typed text or chosen option value. A cleared input reads as null (not absent),
 * so merging over the draft forgets the old value.
 */
export function readViewState(state: ViewState): Record<string, string | null> {
  const raw: Record<string, string | null> = {};
  for (const [blockId, elements] of Object.entries(state.values)) {
    const element = Object.values(elements)[0];
    if (!element) continue;
    const value = element.selected_option !== undefined ? element.selected_option?.value : element.value;
    raw[blockId] = value === undefined || value === null || value === '' ? null : value;
  }
  return raw;
}

/** Slack refuses `response_action: errors` naming a block that is not in the view. */
export function errorsForView(view: Pick<ModalView, 'blocks'>, errors: Record<string, string>): Record<string, string> {
  const present = new Set(view.blocks.map((b) => b.block_id).filter((id): id is string => id !== undefined));
  return Object.fromEntries(Object.entries(errors).filter(([blockId]) => present.has(blockId)));
}
