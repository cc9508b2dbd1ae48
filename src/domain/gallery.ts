/**
 * Azure Compute Gallery rules (pure): the connector's gallery setting, the image definition a
 * layer gets, the image version name a layer version maps to, and who may promote or roll back.
 * Facts from GalleryRP 2025-03-03 (specification/compute/resource-manager/Microsoft.Compute/
 * GalleryRP/stable/2025-03-03/GalleryRP.json) and Compute's own refusals (test/fixtures/arm/SOURCES.md).
 */
import { slug } from './blob-name.js';
import type {
  ApprovalPolicy,
  GalleryImageRecord,
  GallerySettings,
  GalleryStorageAccountType,
  GalleryTargetRegion,
  LayerGalleryPolicy,
  LayerVersion,
  OsLayer,
} from './model.js';

export const DEFAULT_GALLERY_POLICY: LayerGalleryPolicy = {
  approval: 'two-person',
  endOfLifeDays: 180,
  approvalExpiryDays: 7,
  trustedLaunchSupported: false,
};

export function galleryPolicyOf(layer: Pick<OsLayer, 'gallery'>): LayerGalleryPolicy {
  return { ...DEFAULT_GALLERY_POLICY, ...layer.gallery };
}

/** GalleryRP 2025-03-03 `StorageAccountType`. */
export const GALLERY_STORAGE_TYPES: readonly GalleryStorageAccountType[] = ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS', 'PremiumV2_LRS'];
const DEFAULT_STORAGE_TYPE: GalleryStorageAccountType = 'Standard_LRS';
/** The bot's own bound on replicas per region, so a typo cannot order thousands of copies. */
export const MAX_REPLICAS = 100;

/** The gallery's name pattern from the spec's galleryName parameter: ^[^_\W][\w-._]{0,79}(?<!-|\.)$. */
const GALLERY_ID = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([\p{L}\p{N}_.()-]{1,90})\/providers\/Microsoft\.Compute\/galleries\/([^_\W][\w.-]{0,79})$/iu;

export interface GalleryRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseGalleryId(id: string): GalleryRef | null {
  const match = GALLERY_ID.exec(id.trim());
  if (!match || /[-.]$/.test(match[3]!)) return null;
  return { subscriptionId: match[1]!.toLowerCase(), resourceGroup: match[2]!, name: match[3]! };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The Gallery target regions input: `region[=replicas][:storage type]`, separated by commas or
 * new lines (e.g. `eastus=2:Standard_ZRS, westeurope`). Empty means the connector's region, one
 * Standard_LRS replica. The connector's region must be among them: the source disk lives there.
 */
export function parseTargetRegions(text: string, connectorRegion: string): Parsed<GalleryTargetRegion[]> {
  const entries = text.split(/[,\n]/).map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: true, value: [{ name: connectorRegion, replicaCount: 1, storageAccountType: DEFAULT_STORAGE_TYPE }] };
  const regions: GalleryTargetRegion[] = [];
  for (const entry of entries) {
    const match = /^([a-z0-9]{1,64})(?:\s*=\s*(\d{1,4}))?(?:\s*:\s*([A-Za-z0-9_]+))?$/.exec(entry);
    if (!match) return { ok: false, error: `"${entry}" is not region[=replicas][:storage type], such as eastus=2:Standard_ZRS.` };
    const replicaCount = match[2] === undefined ? 1 : Number(match[2]);
    if (replicaCount < 1 || replicaCount > MAX_REPLICAS) return { ok: false, error: `${match[1]} asks for ${replicaCount} replicas; use 1 to ${MAX_REPLICAS}.` };
    const storage = GALLERY_STORAGE_TYPES.find((t) => t.toLowerCase() === (match[3] ?? DEFAULT_STORAGE_TYPE).toLowerCase());
    if (!storage) return { ok: false, error: `${match[3]} is not a gallery storage type; use one of ${GALLERY_STORAGE_TYPES.join(', ')}.` };
    if (regions.some((r) => r.name === match[1])) return { ok: false, error: `${match[1]} is listed twice.` };
    regions.push({ name: match[1]!, replicaCount, storageAccountType: storage });
  }
  if (!regions.some((r) => r.name === connectorRegion)) {
    return { ok: false, error: `Include the connector's region ${connectorRegion}: the disk each version is published from is there.` };
  }
  return { ok: true, value: regions };
}

export function targetRegionsText(settings: Pick<GallerySettings, 'targetRegions'>): string {
  return settings.targetRegions.map((r) => `${r.name}=${r.replicaCount}:${r.storageAccountType}`).join(', ');
}

/** The security type a layer's image definition states, always explicitly (new definitions default to TrustedLaunchSupported). */
export type GallerySecurityType = 'Standard' | 'TrustedLaunchSupported';

export function securityTypeOf(layer: Pick<OsLayer, 'vmGeneration' | 'gallery'>): GallerySecurityType {
  // Trusted Launch is UEFI only: a Generation 1 image can only ever be Standard.
  if (layer.vmGeneration === 'V1') return 'Standard';
  return galleryPolicyOf(layer).trustedLaunchSupported ? 'TrustedLaunchSupported' : 'Standard';
}

export interface ImageDefinitionSpec {
  name: string;
  osType: 'Windows';
  /** The packaging machine is not generalized, so its disk is a specialized image. */
  osState: 'Specialized';
  hyperVGeneration: 'V1' | 'V2';
  identifier: { publisher: string; offer: string; sku: string };
  securityType: GallerySecurityType;
  description: string;
}

export const IMAGE_PUBLISHER = 'oslayer';

/** The definition the bot creates for a layer when its gallery has none. */
export function imageDefinitionFor(layer: Pick<OsLayer, 'name' | 'vmGeneration' | 'gallery' | 'osType'>): ImageDefinitionSpec {
  // Definition names: letters and digits with dots, dashes and periods in the middle, at most 80 characters.
  const name = slug(layer.name, 'layer').slice(0, 80).replace(/-+$/, '');
  return {
    name,
    osType: layer.osType,
    osState: 'Specialized',
    hyperVGeneration: layer.vmGeneration,
    identifier: { publisher: IMAGE_PUBLISHER, offer: name, sku: layer.vmGeneration === 'V1' ? 'gen1' : 'gen2' },
    securityType: securityTypeOf(layer),
    description: `OS layer ${layer.name}, published by oslayer`,
  };
}

/** Compute's bound on each part of an image version name (a 32-bit signed integer). */
export const VERSION_PART_MAX = 2_147_483_647;

/**
 * The image version name for a layer version (Compute accepts Major.Minor.Patch only): the first
 * three numbers in the version's name, missing ones as 0, leading zeros dropped — `2026-12` →
 * `2026.12.0`, `2026.12.1` → `2026.12.1`, `November 2026 r2` → `2026.2.0`. A name without a
 * number, or with one above 2,147,483,647, has no image version name.
 */
export function galleryVersionName(versionName: string): Parsed<string> {
  const numbers = versionName.match(/\d+/g) ?? [];
  if (numbers.length === 0) {
    return { ok: false, error: `version name "${versionName}" has no number, and a gallery image version is named Major.Minor.Patch (such as 2026.12.1).` };
  }
  const parts = [...numbers.slice(0, 3), '0', '0'].slice(0, 3).map((n) => BigInt(n));
  if (parts.some((p) => p > BigInt(VERSION_PART_MAX))) {
    return { ok: false, error: `a part of "${versionName}" is above ${VERSION_PART_MAX.toLocaleString('en-US')}, the largest number Compute takes in an image version name.` };
  }
  return { ok: true, value: parts.join('.') };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}

type PromoteSubject = Pick<LayerVersion, 'name' | 'status' | 'createdBy' | 'onBehalfOf'> & { galleryImage?: GalleryImageRecord };

/**
 * Why `userId` may not make the version the gallery's latest, in a sentence for them; null when
 * they may. The permission itself is checked before (Approve Versions).
 */
export function promoteRefusal(version: PromoteSubject, userId: string, now: Date): string | null {
  const image = version.galleryImage;
  if (!image || version.status !== 'published') {
    return `Version ${version.name} is not published to the gallery yet; it can be promoted once every region has its replica.`;
  }
  if (!image.excludeFromLatest) return `Version ${version.name} (image version ${image.versionName}) is already included in latest.`;
  if (image.rolledBackAt) return `Version ${version.name} was rolled back; it is not promoted again.`;
  if (image.approvalExpiresAt && now.getTime() > image.approvalExpiresAt.getTime()) {
    return `The approval request for version ${version.name} expired on ${image.approvalExpiresAt.toISOString().slice(0, 10)}; an expired request fails closed, so it can no longer be promoted. Build the version again to ask anew.`;
  }
  if (image.policy === 'two-person' && version.createdBy === userId) {
    return `You created version ${version.name}, and this layer's two-person rule needs someone else with the Approve Versions permission to promote it.`;
  }
  if (image.policy === 'two-person' && version.onBehalfOf === userId) {
    return `Autopilot built version ${version.name} for you (you started its run, or its schedule is yours), and this layer's two-person rule needs someone else with the Approve Versions permission to promote it.`;
  }
  return null;
}

type Promoted = Pick<LayerVersion, '_id' | 'name'> & { galleryImage?: GalleryImageRecord };

/**
 * Roll back: the layer's current latest (the last promoted version still included) is excluded,
 * and the promoted version before it is included again. Null and a reason when there is none.
 */
export function rollBackPlan<T extends Promoted>(versions: readonly T[]): Parsed<{ current: T; previous: T }> {
  const promoted = versions
    .filter((v) => v.galleryImage?.promotedAt && !v.galleryImage.rolledBackAt)
    .sort((a, b) => b.galleryImage!.promotedAt!.getTime() - a.galleryImage!.promotedAt!.getTime());
  const [current, previous] = promoted;
  if (!current || current.galleryImage!.excludeFromLatest) return { ok: false, error: 'No promoted version of this layer is the gallery\'s latest, so there is nothing to roll back.' };
  if (!previous) return { ok: false, error: `Version ${current.name} is the layer's only promoted version; there is no earlier one to roll back to.` };
  return { ok: true, value: { current, previous } };
}

export function policyLabel(policy: ApprovalPolicy): string {
  return policy === 'two-person' ? 'two-person rule (someone other than the creator approves)' : 'single approver (anyone with Approve Versions, the creator included)';
}

/** The bounds the policy form takes: an end of life within ten years, an approval request open for at most 90 days. */
export const POLICY_LIMITS = { endOfLifeDays: [1, 3650], approvalExpiryDays: [1, 90] } as const;

function days(raw: unknown, [min, max]: readonly [number, number], what: string): Parsed<number> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return value >= min && value <= max ? { ok: true, value } : { ok: false, error: `${what} is a whole number of days from ${min} to ${max}.` };
}

/** The layer gallery policy form, every problem at once (keys: the form's field names). */
export function parseLayerGalleryForm(
  raw: Record<string, unknown>,
  generation: OsLayer['vmGeneration'],
): { ok: true; value: LayerGalleryPolicy } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const approval = raw['approval'] === 'two-person' || raw['approval'] === 'single' ? raw['approval'] : undefined;
  if (!approval) errors['approval'] = 'Choose who may promote a version.';
  const endOfLife = days(raw['endOfLifeDays'], POLICY_LIMITS.endOfLifeDays, 'End of life');
  if (!endOfLife.ok) errors['endOfLifeDays'] = endOfLife.error;
  const expiry = days(raw['approvalExpiryDays'], POLICY_LIMITS.approvalExpiryDays, 'The approval request');
  if (!expiry.ok) errors['approvalExpiryDays'] = expiry.error;
  const trustedLaunchSupported = raw['trustedLaunchSupported'] === 'yes';
  if (trustedLaunchSupported && generation === 'V1') errors['trustedLaunchSupported'] = 'Trusted Launch needs a Generation 2 (UEFI) image; this layer is Generation 1.';
  if (!approval || !endOfLife.ok || !expiry.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { approval, endOfLifeDays: endOfLife.value, approvalExpiryDays: expiry.value, trustedLaunchSupported } };
}
