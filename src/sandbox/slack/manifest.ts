import { readFileSync } from 'node:fs';

/** What the Slack stand-ins need from the app's manifest.yml: they must behave as the app is configured. */
export interface AppManifest {
  /** The slash commands the app declares. */
  commands: string[];
  /** features.app_home.messages_tab_enabled: while false, Slack refuses the bot's DMs (`messages_tab_disabled`). */
  messagesTabEnabled: boolean;
  /** oauth_config.scopes.bot */
  botScopes: string[];
}

/** Reads manifest.yml (a small, flat YAML file: a line-based read is enough and needs no parser). */
export function readAppManifest(path: URL = new URL('../../../manifest.yml', import.meta.url)): AppManifest {
  const text = readFileSync(path, 'utf8');
  const botScopes = text.match(/^\s*bot:\s*\n((?:\s*-\s*[\w:.]+.*\n?)+)/m)?.[1] ?? '';
  return {
    commands: [...text.matchAll(/^\s*-\s*command:\s*(\/\S+)/gm)].map((m) => m[1]!),
    messagesTabEnabled: /^\s*messages_tab_enabled:\s*true\b/m.test(text),
    botScopes: [...botScopes.matchAll(/-\s*([\w:.]+)/g)].map((m) => m[1]!),
  };
}
