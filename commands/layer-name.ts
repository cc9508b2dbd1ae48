import type { OsLayer } from '../src/domain/model.js';
import type { Repositories } from '../src/store/repositories.js';

/** A layer name as typed after a subcommand: quotes around it dropped, spaces inside kept as one. */
export function typedLayerName(args: readonly string[]): string {
  return args.join(' ').replace(/^["“”']+|["“”']+$/g, '').trim();
}

/** The layer with that name, matched as people type it: any case, any run of spaces as one. The list is small. */
export async function layerNamed(repos: Repositories, typed: string): Promise<OsLayer | undefined> {
  const wanted = comparable(typed);
  return (await repos.layers.list()).find((l) => comparable(l.name) === wanted);
}

function comparable(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
