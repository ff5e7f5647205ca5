// One way to put a deadline on a promise we cannot cancel (a database call on a silent connection).

/**
 * `p`, or a rejection with `message` after `ms`. The work itself goes on: a value that arrives after
 * the deadline goes to `late` (e.g. to release a hold nobody will settle), an error then is dropped.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, message: string, late?: (v: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let over = false;
    const t = setTimeout(() => {
      over = true;
      reject(new Error(message));
    }, ms);
    p.then(
      (v) => (clearTimeout(t), over ? late?.(v) : resolve(v)),
      (e) => (clearTimeout(t), over || reject(e)),
    );
  });
}
