import { randomUUID } from 'node:crypto';

/**
 * OData V2 `$batch` bodies (multipart/mixed, RFC 2046), both ways: the adapter writes requests and
 * reads responses, the simulator reads requests and writes responses. A batch is an ordered list
 * of parts; each is one HTTP message (a read, or a failed changeset's answer) or a changeset: the
 * messages ERP applies together or not at all.
 */

/** One HTTP message inside a batch: `POST ProdnOrdConf2 HTTP/1.1` or `HTTP/1.1 201 Created`. */
export interface BatchMessage {
  startLine: string;
  headers: Record<string, string>;
  body: string;
}

export type BatchPart = { message: BatchMessage } | { changeset: BatchMessage[] };

const CRLF = '\r\n';

export function newBoundary(kind: 'batch' | 'changeset' | 'batchresponse' | 'changesetresponse'): string {
  return `${kind}_${randomUUID()}`;
}

/** The `Content-Type` of a batch body with this boundary. */
export function batchContentType(boundary: string): string {
  return `multipart/mixed; boundary=${boundary}`;
}

/** The body of a batch whose parts are separated by `boundary`. */
export function encodeBatch(boundary: string, parts: BatchPart[]): string {
  const out: string[] = [];
  for (const part of parts) {
    out.push(`--${boundary}`);
    if ('message' in part) out.push(encodeMessagePart(part.message));
    else {
      const inner = newBoundary(boundary.startsWith('batchresponse') ? 'changesetresponse' : 'changeset');
      out.push(`Content-Type: ${batchContentType(inner)}`, '');
      for (const message of part.changeset) out.push(`--${inner}`, encodeMessagePart(message));
      out.push(`--${inner}--`, '');
    }
  }
  out.push(`--${boundary}--`, '');
  return out.join(CRLF);
}

function encodeMessagePart(message: BatchMessage): string {
  const headers = { ...message.headers };
  if (message.body) headers['Content-Length'] = String(Buffer.byteLength(message.body));
  return [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    message.startLine,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    message.body,
  ].join(CRLF);
}

/** Why a batch body could not be read; the message says where. */
export class BatchFormatError extends Error {}

/** The parts of a batch body, given its `Content-Type` header (which names the boundary). */
export function decodeBatch(contentType: string | undefined, body: string): BatchPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary)
    throw new BatchFormatError(`Content-Type "${contentType ?? ''}" names no multipart boundary`);
  // Read leniently: SAP and proxies differ in CRLF versus LF; the JSON bodies do not care.
  return splitParts(body.replace(/\r\n/g, '\n'), boundary).map(readPart);
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /multipart\/mixed\s*;.*boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  return match?.[2].trim();
}

/** The entities between the delimiters of `boundary`, without the preamble and epilogue. */
function splitParts(text: string, boundary: string): string[] {
  const segments = text.split(`--${boundary}`);
  const parts: string[] = [];
  let closed = false;
  for (const segment of segments.slice(1)) {
    if (segment.startsWith('--')) {
      closed = true;
      break;
    }
    // The rest of the delimiter line, then the entity; the line break before the next delimiter
    // belongs to that delimiter.
    const start = segment.indexOf('\n');
    parts.push(segment.slice(start + 1).replace(/\n$/, ''));
  }
  if (!closed) throw new BatchFormatError(`multipart body has no closing delimiter --${boundary}--`);
  return parts;
}

function readPart(entity: string): BatchPart {
  const { headers, body } = splitHead(entity);
  const type = headers['content-type'] ?? '';
  if (/^multipart\/mixed/i.test(type)) {
    const boundary = boundaryOf(type);
    if (!boundary) throw new BatchFormatError(`changeset Content-Type "${type}" names no boundary`);
    return { changeset: splitParts(body, boundary).map(readHttpEntity) };
  }
  return { message: readHttpMessage(type, body) };
}

function readHttpEntity(entity: string): BatchMessage {
  const { headers, body } = splitHead(entity);
  return readHttpMessage(headers['content-type'] ?? '', body);
}

function readHttpMessage(type: string, text: string): BatchMessage {
  if (!/^application\/http/i.test(type))
    throw new BatchFormatError(`batch part of type "${type}" where application/http was expected`);
  const lineEnd = text.indexOf('\n');
  const startLine = (lineEnd < 0 ? text : text.slice(0, lineEnd)).trim();
  const { headers, body } = splitHead(lineEnd < 0 ? '' : text.slice(lineEnd + 1));
  return { startLine, headers, body: body.trim() };
}

/** Header lines (names lower-cased) up to the first empty line, and what follows it. */
function splitHead(text: string): { headers: Record<string, string>; body: string } {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end < 0 ? '' : text.slice(end + 2) };
}

/** The status code of a response start line (`HTTP/1.1 201 Created`), or 0 when it is not one. */
export function statusOf(message: BatchMessage): number {
  const match = /^HTTP\/\d\.\d\s+(\d{3})/.exec(message.startLine);
  return match ? Number(match[1]) : 0;
}
