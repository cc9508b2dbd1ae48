/**
 * The Azure operations the Compute Gallery feature performs with the connector's identity, the
 * feature that needs each and the least-privileged built-in role that grants it. Kept apart only
 * until the single list of required permissions (src/azure/required-permissions.ts, being built
 * beside this) lands: these entries move there as they are.
 *
 * Compute Gallery Artifacts Publisher (85a2d0d9-2eba-4c9c-b355-11c2cc0788ab) grants
 * `Microsoft.Compute/galleries/*` except `galleries/share/action`: image definitions and image
 * versions, nothing else of the gallery's sharing. Assign it on the gallery. Reading the source
 * disk is Reader's `disks/read` on the subscription, which the packaging machine already needs.
 */
export const GALLERY_ROLE = 'Compute Gallery Artifacts Publisher';

export interface GalleryPermission {
  operation: string;
  feature: string;
  role: string;
  scope: 'gallery' | 'subscription';
}

export const GALLERY_PERMISSIONS: readonly GalleryPermission[] = [
  { operation: 'Microsoft.Compute/galleries/read', feature: 'read the connector\'s Compute Gallery', role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/galleries/images/read', feature: "find the layer's image definition", role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/galleries/images/write', feature: "create the layer's image definition when the gallery has none", role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/galleries/images/versions/read', feature: 'read an image version and its replication (Finalize, Promote, Roll back)', role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/galleries/images/versions/write', feature: 'publish a finalized version; Promote and Roll back set excludeFromLatest', role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/galleries/images/versions/delete', feature: "delete a failed Finalize's half-made image version; Clean up (after a confirm)", role: GALLERY_ROLE, scope: 'gallery' },
  { operation: 'Microsoft.Compute/disks/read', feature: 'read the OS disk an image version is made from', role: 'Reader', scope: 'subscription' },
];
