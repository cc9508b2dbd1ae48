import type { LayerVersion } from '../domain/model.js';
import type { Repositories } from '../store/repositories.js';
import { changelogText, noChangelogText } from '../../views/windows-updates.js';

/** A version's changelog as the finalize message and the version's details show it, naming its base. */
export async function versionChangelogText(repos: Repositories, version: Pick<LayerVersion, 'changelog' | 'inventory' | 'baseVersionId'>): Promise<string> {
  if (!version.changelog) return noChangelogText(version);
  const base = version.baseVersionId ? await repos.versions.get(version.baseVersionId) : null;
  return changelogText(version.changelog, base?.name);
}
