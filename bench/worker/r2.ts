/** An R2Bucket that counts each operation by name (put, get, head, list, delete) before performing it. */
import type { R2Tally, Tally } from '../counters';

const COUNTED = new Set<string>(['put', 'get', 'head', 'list', 'delete']);

function isCounted(name: string): name is Exclude<keyof R2Tally, 'other'> {
  return COUNTED.has(name);
}

// A Proxy rather than a class: R2Bucket's overloads (get with onlyIf, put with every body type) would
// otherwise have to be restated, and every call is passed through unchanged anyway.
export function countingR2(bucket: R2Bucket, tally: () => Tally): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const r2 = tally().r2;
        if (isCounted(property)) r2[property] += 1;
        else r2.other += 1;
        return Reflect.apply(value, target, args);
      };
    },
  });
}
