/**
 * What the fake Slack client reports for a conversations_select, as Slack does (Block Kit
 * reference, conversations_select: `initial_conversation`; view_submission state and
 * block_actions carry `selected_conversation`, the conversation's id).
 */
import { actionOf, clientErrors, stateValues, withIds } from '../../src/sandbox/slack/block-kit.js';

const picker = (extra: Record<string, unknown> = {}) =>
  withIds([{ type: 'input', block_id: 'channelId', label: { type: 'plain_text', text: 'Channel' }, element: { type: 'conversations_select', action_id: 'input', ...extra } }]);

describe('a conversations_select in the fake Slack client', () => {
  it('reports its initial conversation, or the one picked, as selected_conversation', () => {
    expect(stateValues(picker({ initial_conversation: 'C0INITIAL' }))).toEqual({ channelId: { input: { type: 'conversations_select', selected_conversation: 'C0INITIAL' } } });
    expect(stateValues(picker({ initial_conversation: 'C0INITIAL' }), { channelId: { input: 'C0PICKED' } })).toEqual({
      channelId: { input: { type: 'conversations_select', selected_conversation: 'C0PICKED' } },
    });
  });

  it('refuses to submit a required one left empty, in the client’s words', () => {
    const blocks = picker();
    expect(clientErrors(blocks, stateValues(blocks))).toEqual({ channelId: 'Please fill out this required field.' });
  });

  it('sends the picked conversation in the block action', () => {
    const [block] = picker();
    expect(actionOf(block!, block!.element as never, 'C0PICKED')).toMatchObject({ type: 'conversations_select', block_id: 'channelId', action_id: 'input', selected_conversation: 'C0PICKED' });
  });
});
