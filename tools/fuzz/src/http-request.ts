import type { Expectation } from './field-rules';
import { type JsonNode, toJsonBytes } from './json-text';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * A request before it is put on the wire, in the parts mutations change. Path parameters and query
 * pairs are held as they go on the wire (percent-encoded, or deliberately not), headers as byte
 * strings (latin1), so a mutation can send anything HTTP/1.1 can carry.
 */
export interface RequestParts {
  method: Method;
  /** e.g. `/v1/plants/:plant/production-orders/:order`. */
  template: string;
  params: Record<string, string>;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  /** A JSON document, or bytes sent as they are. */
  body?: JsonNode | Buffer;
}

/** One request of a fuzz run, ready to send, with what it should get and what was done to it. */
export interface HttpInput {
  route: string;
  method: Method;
  path: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  expect: Expectation;
  label: string;
}

export function toHttpInput(
  route: string,
  parts: RequestParts,
  expect: Expectation,
  label: string,
): HttpInput {
  const path = parts.template.replace(/:([a-zA-Z]+)/g, (_, name: string) => parts.params[name] ?? '');
  const query = parts.query.map(([k, v]) => `${k}=${v}`).join('&');
  const body =
    parts.body === undefined ? undefined : Buffer.isBuffer(parts.body) ? parts.body : toJsonBytes(parts.body);
  return {
    route,
    method: parts.method,
    path: query ? `${path}?${query}` : path,
    headers: parts.headers,
    body,
    expect,
    label,
  };
}

export const header = (parts: RequestParts, name: string): string | undefined =>
  parts.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

export function withHeader(parts: RequestParts, name: string, value: string | undefined): RequestParts {
  const others = parts.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
  return { ...parts, headers: value === undefined ? others : [...others, [name, value]] };
}

/** Bash `$'…'` quoting, so every byte of a hostile value survives into the reproduction. */
function shellBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    out +=
      byte >= 0x20 && byte < 0x7f && c !== "'" && c !== '\\' ? c : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `$'${out}'`;
}

const REPRO_LIMIT = 4000;

/**
 * A curl line that sends the same bytes (long bodies are cut; the result file has them whole).
 * `authorized`: with `Authorization: Bearer $TOKEN`, a token the shell fills in (no token is kept).
 */
export function curlFor(input: HttpInput, baseUrl: string, authorized = false): string {
  const parts = [`curl -sS -i -X ${input.method}`, shellBytes(Buffer.from(baseUrl + input.path, 'latin1'))];
  if (authorized) parts.push('-H', '"Authorization: Bearer $TOKEN"');
  for (const [name, value] of input.headers) {
    // curl drops a header given as `Name:`; `Name;` is how it sends one with an empty value.
    const line = value === '' ? `${name};` : `${name}: ${value}`;
    parts.push('-H', shellBytes(Buffer.from(line, 'latin1')));
  }
  if (input.body) {
    const cut = input.body.length > REPRO_LIMIT;
    parts.push('--data-binary', shellBytes(cut ? input.body.subarray(0, REPRO_LIMIT) : input.body));
    if (cut) parts.push(`# body cut from ${input.body.length} bytes`);
  }
  return parts.join(' ');
}
