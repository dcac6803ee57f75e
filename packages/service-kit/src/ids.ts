import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Random bytes drawn from the system in blocks: one call per 400 ids instead of one per id. */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

function randomBytes10(): number {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 10;
  return at;
}

let lastMs = -1;
/** 12-bit counter within one millisecond (RFC 9562 method 1): ids of one process sort in the order made. */
let counter = 0;

/**
 * Time-ordered UUID v7, the id of every row and event: 48 bits of Unix milliseconds, a 12-bit
 * counter that restarts at a random value below 2048 each millisecond, 62 random bits.
 */
export function newId(): string {
  let ms = Date.now();
  const r = randomBytes10();
  if (ms > lastMs) {
    counter = ((pool[r]! << 8) | pool[r + 1]!) & 0x7ff;
    lastMs = ms;
  } else {
    // Same millisecond (or the clock stepped back): count on; past 4095 borrow the next millisecond.
    counter += 1;
    if (counter > 0xfff) {
      counter = 0;
      lastMs += 1;
    }
    ms = lastMs;
  }
  const high = Math.floor(ms / 0x1000000); // top 24 bits of 48
  const low = ms % 0x1000000;
  return (
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | (counter >>> 8)]! +
    HEX[counter & 0xff]! +
    '-' +
    HEX[0x80 | (pool[r + 2]! & 0x3f)]! +
    HEX[pool[r + 3]!]! +
    '-' +
    HEX[pool[r + 4]!]! +
    HEX[pool[r + 5]!]! +
    HEX[pool[r + 6]!]! +
    HEX[pool[r + 7]!]! +
    HEX[pool[r + 8]!]! +
    HEX[pool[r + 9]!]!
  );
}
