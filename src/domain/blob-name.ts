/**
 * Blob names for disks. Azure's own rules apply to any VHD we are pointed at (import-layer);
 * names we create in the layer store (packaging disks) are held to a stricter, URL-safe
 * alphabet so portal links and SAS URLs never depend on escaping.
 */
import { z } from 'zod';
import { hasControlChars } from './form.js';

const MAX_NAME = 1024;
const MAX_SEGMENT = 254;
const MAX_SEGMENTS = 254;
const STORE_ALPHABET = /^[A-Za-z0-9._/-]$/;
const SLUG_MAX = 100;

/** Azure Blob Storage naming rules; undefined when the name is acceptable. */
function azureBlobNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter a file name, such as win2022-2026-11-packaging.vhd.';
  if (name.length > MAX_NAME) return `A blob name can be at most ${MAX_NAME} characters (this one has ${name.length}).`;
  if (hasControlChars(name)) return 'The name contains a control character (a tab, line break or similar); retype it on one line.';
  if (name.includes('\\')) return 'Use / between folders, not \\ (Azure would keep the backslash as part of the name).';
  if (name.endsWith('.') || name.endsWith('/')) return 'The name cannot end with a dot or a slash; Azure would trim it and the disk would be hard to find.';
  const segments = name.split('/');
  if (segments.length > MAX_SEGMENTS) return `The name has ${segments.length} folder levels; Azure allows at most ${MAX_SEGMENTS}.`;
  if (segments.includes('')) return 'The name has an empty folder: remove the leading slash or the double slash.';
  if (segments.some((s) => s === '.' || s === '..')) return 'Folders named . or .. are not allowed in a blob name.';
  const long = segments.find((s) => s.length > MAX_SEGMENT);
  if (long) return `Each folder or file name can be at most ${MAX_SEGMENT} characters; “${long.slice(0, 20)}…” has ${long.length}.`;
  if (!segments.every(encodable)) return 'The name contains a broken Unicode character that cannot be written in a URL; retype it.';
  return undefined;
}

/** A blob name for a disk: Azure's rules, ending in .vhd (Azure imports only VHD files). */
export function vhdBlobNameProblem(name: string): string | undefined {
  return azureBlobNameProblem(name) ?? notVhdProblem(name);
}

/** The packaging disk we create in the layer store: a VHD blob name in a URL-safe alphabet. */
export function packagingDiskFilenameProblem(name: string): string | undefined {
  return azureBlobNameProblem(name) ?? alphabetProblem(name) ?? notVhdProblem(name);
}

function alphabetProblem(name: string): string | undefined {
  const bad = [...name].find((ch) => !STORE_ALPHABET.test(ch));
  if (bad === undefined) return undefined;
  const what = bad === ' ' ? 'A space' : `The character “${bad}”`;
  return `${what} is not allowed here. Use letters A–Z, digits, dot, dash and underscore, with / between folders, so the disk URL never needs escaping.`;
}

function notVhdProblem(name: string): string | undefined {
  const file = name.slice(name.lastIndexOf('/') + 1);
  if (/^.+\.vhd$/i.test(file)) return undefined;
  return 'The file must be a VHD: end the name with .vhd, for example win2022-2026-11-packaging.vhd.';
}

export const packagingDiskFilenameSchema = vhdSchema(packagingDiskFilenameProblem);
export const vhdBlobPathSchema = vhdSchema(vhdBlobNameProblem);

function vhdSchema(problemOf: (name: string) => string | undefined) {
  return z
    .string({ error: 'Enter a file name, such as win2022-2026-11-packaging.vhd.' })
    .refine((v) => !hasControlChars(v), 'The name contains a control character (a tab, line break or similar); retype it on one line.')
    .trim()
    .superRefine((name, ctx) => {
      const problem = problemOf(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** A packaging disk name made from the layer and version, e.g. `win2022-2026-11-packaging.vhd`. */
export function suggestPackagingDiskFilename(layerName: string, versionName: string): string {
  return `${slug(layerName, 'layer')}-${slug(versionName, 'version')}-packaging.vhd`;
}

export function slug(text: string, fallback: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // é → e before the rest is reduced to ASCII
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/, '');
  return s || fallback;
}

function encodable(segment: string): boolean {
  try {
    encodeURIComponent(segment);
    return true;
  } catch {
    return false; // a lone surrogate half
  }
}
