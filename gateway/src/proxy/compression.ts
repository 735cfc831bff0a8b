import type { IncomingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import {
  brotliCompressSync,
  constants,
  createBrotliCompress,
  createGzip,
  gzipSync,
  type BrotliOptions,
} from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';

/** Smaller answers gain too little to pay for a compressor (and fit one packet anyway). */
export const COMPRESS_MIN_BYTES = 1024;

/** JSON and problem+json; the event stream and everything else pass as they are. */
const JSON_TYPE = /^application\/(?:problem\+)?json(?:\s*;|$)/i;

/** Brotli first (smaller), gzip for the rest, in the client's order of preference. */
const ENCODINGS: ('br' | 'gzip')[] = ['br', 'gzip'];

export type Encoding = 'br' | 'gzip';

/**
 * Whether a proxied answer is worth compressing, judged on what the service sent: a JSON body of
 * at least {@link COMPRESS_MIN_BYTES} (or of unknown length), not already encoded, not marked
 * `no-transform`, and with a whole body (not HEAD, 204, 304, or a 206 part).
 */
export function isCompressible(
  method: string,
  status: number,
  headers: IncomingHttpHeaders,
): boolean {
  if (method === 'HEAD' || status === 204 || status === 304 || status === 206) return false;
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) return false;
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity') {
    return false;
  }
  const length = headers['content-length'];
  if (length !== undefined && Number(length) < COMPRESS_MIN_BYTES) return false;
  return !headers['cache-control']?.includes('no-transform');
}

/** The encoding the client's Accept-Encoding prefers among ours, if any. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (acceptEncoding === undefined || acceptEncoding === '') return undefined;
  return negotiate(acceptEncoding, ENCODINGS) ?? undefined;
}

/**
 * Brotli at quality 4: about gzip's speed with smaller output (quality 11 costs ~30 times more
 * CPU for a few percent). A 256 KiB window is plenty for API answers and keeps each compressor's
 * memory small.
 */
function brotli(length: number | undefined): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_LGWIN]: 18,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      ...(length === undefined ? {} : { [constants.BROTLI_PARAM_SIZE_HINT]: length }),
    },
  };
}

/** `body` compressed with `encoding` in one call. */
export function compressedInOneGo(body: Buffer, encoding: Encoding): Buffer {
  return encoding === 'br' ? brotliCompressSync(body, brotli(body.length)) : gzipSync(body);
}

/**
 * The body compressed with `encoding`, as a stream to send. A body that breaks off (the service
 * went) destroys the compressor, so the client sees the answer end early, as it would uncompressed.
 */
export function compressed(
  body: Readable,
  encoding: Encoding,
  length: number | undefined,
): Readable {
  const compressor = encoding === 'br' ? createBrotliCompress(brotli(length)) : createGzip();
  pipeline(body, compressor, () => undefined);
  return compressor;
}

/**
 * The ETag of a compressed answer: a strong one is made weak, as nginx does, since the bytes
 * differ from the uncompressed answer's; a weak one stays (it already says "equivalent content").
 */
export function etagOfCompressed(etag: string | string[] | undefined): string | undefined {
  if (typeof etag !== 'string') return undefined;
  return etag.startsWith('"') ? `W/${etag}` : etag;
}
