/**
 * What Slack puts in every request it sends the test bot on behalf of a user of the test
 * workspace: the fields of its slash command and interaction payloads that say where a request
 * comes from (https://api.slack.com/interactivity/slash-commands,
 * https://api.slack.com/interactivity/handling#payloads).
 */
const TEAM = { id: 'TLOCAL', domain: 'local' };
const APP_ID = 'AOSLAYER';
/** Slack still sends the deprecated verification token; Bolt checks the signature instead. */
const VERIFICATION_TOKEN = 'deprecated-verification-token';

/** The form fields of `/oslayer <text>` typed by `user` in `channel`. */
export function slashCommand(user: string, text: string, channel: string, reply: { responseUrl: string; triggerId: string }): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: channel,
    channel_name: 'oslayer-test',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/oslayer',
    text,
    api_app_id: APP_ID,
    response_url: reply.responseUrl,
    trigger_id: reply.triggerId,
  };
}

/** The members of an interaction payload that say who sent it from where, with the trigger it carries. */
export function interactionSender(user: string, triggerId: string) {
  return {
    team: TEAM,
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM.id },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId,
  };
}
