/** `util/native-addon.ts` in the browser bundle: no addon loads in a page (the CPU clock, never used there, would fall back). */
export function loadNativeAddon(): never {
  throw new Error('the native addon does not load in the browser');
}
