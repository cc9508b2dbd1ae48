/** Reading a SAS link without the storage SDK (which loads only when a job first touches storage). */

/** When the SAS link stops working: its `se` (signed expiry), or undefined if it carries none. */
export function sasExpiry(url: string): Date | undefined {
  const signedExpiry = new URL(url).searchParams.get('se');
  const ms = signedExpiry ? Date.parse(signedExpiry) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
