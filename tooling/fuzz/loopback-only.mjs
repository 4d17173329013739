// @ts-check
// Preloaded into the API process under fuzzing (`node --import ./loopback-only.mjs`): the built-in `http_request`
// job may be handed any URL by the fuzzer, so every fetch to a host outside the loopback range is refused before
// any DNS lookup or connection. (schemathesis.mjs also runs everything in a network namespace with only `lo`
// where it can; this guard holds where it cannot.)
const realFetch = globalThis.fetch;

/** Whether `hostname` is a loopback address or `localhost`. */
export function isLoopbackHost(/** @type {string} */ hostname) {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!isLoopbackHost(url.hostname)) {
    throw new TypeError(
      `fuzz guard: ${url.hostname} is outside the loopback range; the fuzzed API may not reach it`,
    );
  }
  return realFetch(input, init);
};
