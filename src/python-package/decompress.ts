/** An output cap for decompression streams: what stops a gzip bomb is the bytes produced, not headers. */
import { Transform } from 'node:stream';

export function outputCap(maxOutputBytes: number): Transform {
  let produced = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      produced += chunk.length;
      if (produced > maxOutputBytes) callback(new Error(`decompresses to more than ${maxOutputBytes} bytes (bomb?)`));
      else callback(null, chunk);
    },
  });
}
