/** One message with every block and element the workspace renders, plus one it does not know. */
export const EVERY_BLOCK = [
  { type: 'header', text: { type: 'plain_text', text: 'Fixture <img src=x onerror=alert(1)>' } },
  {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: '*Bold words*, _italic words_, ~struck words~, `inline code`, <https://example.invalid/docs|the docs link>, <@U0LOCALADMIN>, :white_check_mark: done &amp; dusted\n```pre\nformatted```',
    },
  },
  {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: '*Status*\nAction Required' },
      { type: 'plain_text', text: 'Version\n2024-06' },
    ],
    accessory: {
      type: 'static_select',
      action_id: 'pick_size',
      placeholder: { type: 'plain_text', text: 'Pick a VM size' },
      options: [
        { text: { type: 'plain_text', text: 'Standard_A2_v2' }, value: 'a2' },
        { text: { type: 'plain_text', text: 'Standard_D4s_v5' }, value: 'd4' },
      ],
    },
  },
  {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: 'Started by <@U0LOCALMANAGER>' },
      { type: 'plain_text', text: 'task t-1' },
      { type: 'mrkdwn', text: ':desktop_computer: checked <!date^1392734382^{date_long} at {time_secs}|2014-02-18T14:39:42Z>' },
    ],
  },
  { type: 'divider' },
  {
    type: 'actions',
    block_id: 'task_actions',
    elements: [
      { type: 'button', action_id: 'open_form', text: { type: 'plain_text', text: 'Deploy for me' }, style: 'primary' },
      {
        type: 'button',
        action_id: 'cancel_task',
        text: { type: 'plain_text', text: 'Cancel task' },
        style: 'danger',
        confirm: {
          title: { type: 'plain_text', text: 'Cancel this task?' },
          text: { type: 'mrkdwn', text: 'Everything created for it is *deleted*.' },
          confirm: { type: 'plain_text', text: 'Cancel the task' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        },
      },
      { type: 'button', action_id: 'portal', text: { type: 'plain_text', text: 'Create Packaging Machine' }, url: 'https://portal.example.invalid/#create/Microsoft.Template' },
      { type: 'overflow', action_id: 'more', options: [{ text: { type: 'plain_text', text: 'Check again' }, value: 'check' }] },
    ],
  },
  {
    type: 'input',
    block_id: 'version',
    label: { type: 'plain_text', text: 'Version' },
    element: { type: 'plain_text_input', action_id: 'name', initial_value: '2024-06' },
  },
  {
    type: 'input',
    block_id: 'description',
    optional: true,
    label: { type: 'plain_text', text: 'Version Description' },
    element: { type: 'plain_text_input', action_id: 'text', multiline: true, placeholder: { type: 'plain_text', text: 'What changed' } },
  },
  {
    type: 'input',
    block_id: 'size',
    label: { type: 'plain_text', text: 'Max Layer Size (GB)' },
    hint: { type: 'plain_text', text: 'At least the base disk' },
    element: { type: 'number_input', action_id: 'gb', is_decimal_allowed: false, initial_value: '100', min_value: '1', max_value: '2048' },
  },
  {
    type: 'input',
    block_id: 'connector',
    label: { type: 'plain_text', text: 'Platform Connector Configuration' },
    element: {
      type: 'static_select',
      action_id: 'id',
      initial_option: { text: { type: 'plain_text', text: 'West Europe' }, value: 'weu' },
      options: [
        { text: { type: 'plain_text', text: 'West Europe' }, value: 'weu' },
        { text: { type: 'plain_text', text: 'East US' }, value: 'eus' },
      ],
    },
  },
  {
    type: 'input',
    block_id: 'generation',
    label: { type: 'plain_text', text: 'VM generation' },
    element: {
      type: 'radio_buttons',
      action_id: 'gen',
      initial_option: { text: { type: 'plain_text', text: 'V2' }, value: 'V2' },
      options: [
        { text: { type: 'plain_text', text: 'V1' }, value: 'V1' },
        { text: { type: 'plain_text', text: 'V2' }, value: 'V2' },
      ],
    },
  },
  {
    type: 'input',
    block_id: 'options',
    optional: true,
    label: { type: 'plain_text', text: 'Options' },
    element: { type: 'checkboxes', action_id: 'flags', options: [{ text: { type: 'plain_text', text: 'Remind me when idle' }, value: 'remind' }] },
  },
  {
    type: 'input',
    block_id: 'channel',
    label: { type: 'plain_text', text: 'Runs post in' },
    element: { type: 'conversations_select', action_id: 'conversation', initial_conversation: 'C0LOCALOPS', filter: { include: ['public', 'private'] } },
  },
  { type: 'holographic_projection', text: { type: 'plain_text', text: 'from the future' } },
];
