import type { LayerVersion } from '../domain/model.js';
import type { Repositories } from '../store/repositories.js';
import { CHANGELOG_POST_CHARS, changelogDelivery, changelogText } from '../../views/changelog.js';
import { noChangelogText } from '../../views/windows-updates.js';
import type { TaskRun } from './task-run.js';
import { mrkdwn, type Mrkdwn } from '../../views/blocks.js';

async function baseName(repos: Repositories, version: Pick<LayerVersion, 'baseVersionId'>): Promise<string | undefined> {
  const base = version.baseVersionId ? await repos.versions.get(version.baseVersionId) : null;
  return base?.name;
}

/** A version's changelog as the version's details show it (one section), naming its base. */
export async function versionChangelogText(repos: Repositories, version: Pick<LayerVersion, 'changelog' | 'inventory' | 'baseVersionId'>): Promise<Mrkdwn> {
  if (!version.changelog) return noChangelogText(version);
  return changelogText(version.changelog, await baseName(repos, version));
}

/**
 * `lead` and the changelog in the task's thread, whole: the changelog's first post joins `lead`
 * when both fit one post, the rest follow; or `lead` with a summary, and the whole changelog as
 * an attached Markdown file.
 */
export async function postWithChangelog(run: TaskRun, lead: Mrkdwn): Promise<void> {
  const { version } = run;
  if (!version.changelog) return run.thread(mrkdwn`${lead}\n${noChangelogText(version)}`);
  const delivery = changelogDelivery(version.changelog, await baseName(run.services.repos, version), version.name);
  if (delivery.kind === 'file') {
    await run.thread(lead);
    return run.threadFile(delivery.file, delivery.summary);
  }
  const [first, ...rest] = delivery.posts;
  const together = mrkdwn`${lead}\n${first!}`;
  if (together.length <= CHANGELOG_POST_CHARS) await run.thread(together);
  else for (const post of [lead, first!]) await run.thread(post);
  for (const post of rest) await run.thread(post);
}
