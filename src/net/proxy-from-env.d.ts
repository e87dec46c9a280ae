/** proxy-from-env ships no types: the one function the bridge uses. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` per HTTP(S)_PROXY / ALL_PROXY / NO_PROXY (lowercase too), or '' for none. */
  export function getProxyForUrl(url: string | URL): string;
}
