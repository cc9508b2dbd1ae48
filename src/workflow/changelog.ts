import type { LayerVersion } from '../domain/model.js';
import type { Repositories } from '../store/repositories.js';
import { changelogDelivery, changelogText } from '../../views/changelog.js';
import { noChangelogText } from '../../views/windows-updates.js';
import type { TaskRun } from './task-run.js';

async function baseName(repos: Repositories, version: Pick<LayerVersion, 'baseVersionId'>): Promise<string | undefined> {
  const base = version.baseVersionId ? await repos.versions.get(version.baseVersionId) : null;
  return base?.name;
}

/** A version's changelog as the version's details show it (one section), naming its base. */
export async function versionChangelogText(repos: Repositories, version: Pick<LayerVersion, 'changelog' | 'inventory' | 'baseVersionId'>): Promise<string> {
  if (!version.changelog) return noChangelogText(version);
  return changelogText(version.changelog, await baseName(repos, version));
}

/** The changelog in the task's thread, whole: over a few posts, or as an attached Markdown file with a summary. */
export async function postChangelog(run: TaskRun): Promise<void> {
  const { version } = run;
  if (!version.changelog) return run.thread(noChangelogText(version));
  const delivery = changelogDelivery(version.changelog, await baseName(run.services.repos, version), version.name);
  if (delivery.kind === 'file') return run.threadFile(delivery.file, delivery.summary);
  for (const post of delivery.posts) await run.thread(post);
}
