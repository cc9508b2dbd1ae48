/**
 * Reading submitted modals back: the raw value of each input block, ready for the domain's
 * schemas, and the field errors trimmed to blocks the user can actually see.
 */
import type { ModalView } from '@slack/types';
import { fieldOfBlockId } from './ids.js';

/** The parts of `view.state.values` entries we read; Bolt's ViewStateValue fits this shape. */
export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  /** A conversations_select's choice: the conversation's id (Block Kit reference, conversations_select). */
  selected_conversation?: string | null;
}

export interface ViewState {
  values: Record<string, Record<string, StateValue>>;
}

/**
 * field → typed text or chosen option value, the field being the block_id without its revision
 * (views/ids.ts revisedBlockId). A cleared input reads as null (not absent), so merging over
 * the draft forgets the old value.
 */
export function readViewState(state: ViewState): Record<string, string | null> {
  const raw: Record<string, string | null> = {};
  for (const [blockId, elements] of Object.entries(state.values)) {
    const element = Object.values(elements)[0];
    if (!element) continue;
    const value = element.selected_option !== undefined ? element.selected_option?.value : element.selected_conversation !== undefined ? element.selected_conversation : element.value;
    raw[fieldOfBlockId(blockId)] = value === undefined || value === null || value === '' ? null : value;
  }
  return raw;
}

/**
 * Field errors as `response_action: errors` wants them: keyed by the block_id that shows the
 * field in this view (revision included), leaving out fields the view does not show, since
 * Slack refuses errors naming a block that is not in the view.
 */
export function errorsForView(view: Pick<ModalView, 'blocks'>, errors: Record<string, string>): Record<string, string> {
  const blockOfField = new Map(view.blocks.flatMap((b) => (b.block_id === undefined ? [] : [[fieldOfBlockId(b.block_id), b.block_id] as const])));
  return Object.fromEntries(Object.entries(errors).flatMap(([field, message]) => {
    const blockId = blockOfField.get(field);
    return blockId === undefined ? [] : [[blockId, message]];
  }));
}
