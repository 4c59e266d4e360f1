// performance.now() read once per event-loop task. Restarting N_Cr on each frame of a batch delivered in one
// turn then costs no clock read per frame (a read costs about as much as the rest of a frame's reception).
// The first reading in a task is no later than any later one, so a timeout counted from it is never longer
// than one counted from the frame's own handling (shorter by at most the task's run time so far).
let cached: number | null = null;

const forget = (): void => {
  cached = null;
};

/** performance.now() ms at the first reading in the current task; read afresh once its microtasks ran. */
export function turnNow(): number {
  if (cached === null) {
    cached = performance.now();
    queueMicrotask(forget);
  }
  return cached;
}
