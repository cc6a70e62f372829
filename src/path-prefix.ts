/** Whether a request URL's path starts with `prefix`, without a URL object (this runs on every request). */
export function pathStartsWith(url: string, prefix: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return url.startsWith(prefix, start);
}
