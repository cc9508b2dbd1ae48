/**
 * What the wizard and the import-layer modal accept. Object keys are the block_ids of the
 * inputs (views/ids.ts), so `parseForm(...).errors` answers `response_action: errors` as is.
 * Listeners parse `{ ...draft.values, ...viewState }` so fields fixed earlier (the layer
 * given on the command line) are checked too.
 */
import { z } from 'zod';
import { packagingDiskFilenameSchema, vhdBlobPathSchema } from './blob-name.js';
import { chosen, optionalText, singleLine } from './form.js';

export * from './form.js';
export * from './blob-name.js';
export * from './connector-validation.js';

export const MAX_NAME_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 1000;
const MIN_LAYER_SIZE_GB = 1;
/**
 * The largest managed OS disk Azure creates: 4095 GiB (the Compute RP's osDisk.diskSizeGB limit for
 * managed disks; learn.microsoft.com, "OS disk size … Maximum is 4095 GiB for Managed disks").
 */
export const MAX_LAYER_SIZE_GB = 4095;
const DEFAULT_LAYER_SIZE_GB = 100;
const GIB = 1024 ** 3;

export const versionNameSchema = singleLine('Version', MAX_NAME_LENGTH, 'Enter a version name, such as 2026-11 or "November updates".');
const versionDescriptionSchema = optionalText('Version Description', MAX_DESCRIPTION_LENGTH);

/** Version names are unique in a layer, compared as people read them: trimmed, any case. */
export function isVersionNameTaken(name: string, existing: readonly string[]): boolean {
  const key = name.trim().toLowerCase();
  return existing.some((n) => n.trim().toLowerCase() === key);
}

export function versionExistsMessage(versionName: string, layerName: string): string {
  return `Version "${versionName.trim()}" already exists in layer "${layerName}". Choose another name.`;
}

/** The smallest Max Layer Size that still holds the base version's disk. */
export function minimumLayerSizeGb(baseDiskSizeBytes = 0): number {
  return Math.max(MIN_LAYER_SIZE_GB, Math.ceil(baseDiskSizeBytes / GIB));
}

/** 100 GB unless the base disk is already bigger (Azure's Windows images are 127 GB). */
export function defaultMaxLayerSizeGb(baseDiskSizeBytes = 0): number {
  return Math.max(DEFAULT_LAYER_SIZE_GB, minimumLayerSizeGb(baseDiskSizeBytes));
}

/** Max Layer Size (GB) as typed (Slack sends number inputs as text); blank takes the default. */
export function maxLayerSizeGbSchema(baseDiskSizeBytes = 0) {
  const minimum = minimumLayerSizeGb(baseDiskSizeBytes);
  return z.union([z.number(), z.string(), z.null(), z.undefined()]).transform((raw, ctx) => {
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    if (text === '') return defaultMaxLayerSizeGb(baseDiskSizeBytes);
    const problem = layerSizeProblem(text, minimum);
    if (problem === undefined) return Number(text);
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });
}

function layerSizeProblem(text: string, minimum: number): string | undefined {
  if (!/^[+-]?\d+(\.\d+)?$/.test(text) || !Number.isInteger(Number(text))) {
    return 'Enter a whole number of gigabytes, such as 100.';
  }
  const gb = Number(text);
  if (gb < MIN_LAYER_SIZE_GB || gb > MAX_LAYER_SIZE_GB) {
    return `Max Layer Size must be between ${MIN_LAYER_SIZE_GB} and ${MAX_LAYER_SIZE_GB} GB.`;
  }
  if (minimum > MAX_LAYER_SIZE_GB) {
    return `The base version's disk is ${minimum} GB, larger than the ${MAX_LAYER_SIZE_GB} GB a layer can hold; choose another base version.`;
  }
  if (gb < minimum) return `The base version's disk is ${minimum} GB, so Max Layer Size must be at least ${minimum}.`;
  return undefined;
}

/** Step 1 of the wizard. The base disk size depends on the chosen base version, so it is an argument. */
export function versionDetailsSchema(baseDiskSizeBytes = 0) {
  return z.object({
    layerId: chosen('Choose the OS layer to add a version to.'),
    versionName: versionNameSchema,
    versionDescription: versionDescriptionSchema,
    baseVersionId: chosen('Choose the version to start from (normally the latest deployable one).'),
    maxLayerSizeGb: maxLayerSizeGbSchema(baseDiskSizeBytes),
  });
}

export const connectorStepSchema = z.object({
  connectorId: chosen('Choose a Platform Connector Configuration, or click New to add one.'),
});

export const packagingDiskStepSchema = z.object({
  packagingDiskFilename: packagingDiskFilenameSchema,
  diskFormat: z.enum(['fixed-vhd'], { error: 'Azure accepts only fixed-size VHD disks; choose Fixed VHD.' }).default('fixed-vhd'),
});

export const importLayerSchema = z.object({
  layerName: singleLine('The layer name', MAX_NAME_LENGTH, 'Enter a name for the OS layer, such as "Windows Server 2022".').regex(
    /^[A-Za-z0-9 ._-]+$/,
    'Use letters, digits, spaces, dot, dash and underscore in the layer name.',
  ),
  layerDescription: optionalText('The description', MAX_DESCRIPTION_LENGTH),
  osType: z.enum(['Windows'], { error: 'OS layers run Windows; choose Windows.' }).default('Windows'),
  vmGeneration: z.enum(['V1', 'V2'], { error: 'Choose the VM generation the VHD was made for: V1 (BIOS) or V2 (UEFI).' }),
  connectorId: chosen('Choose the connector whose storage account holds the VHD.'),
  blobPath: vhdBlobPathSchema,
});

export type VersionDetailsInput = z.output<ReturnType<typeof versionDetailsSchema>>;
export type PackagingDiskInput = z.output<typeof packagingDiskStepSchema>;
export type ImportLayerInput = z.output<typeof importLayerSchema>;
