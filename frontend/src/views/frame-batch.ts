// Work asked for many times between two frames (a repaint per iopub message) runs once,
// just before the next frame. A timer stands in where frames do not come (hidden tabs).
const pending = new Map<object, () => void>();
let scheduled = false;

function run(): void {
  scheduled = false;
  const jobs = [...pending.values()];
  pending.clear();
  for (const job of jobs) job();
}

/** Runs `job` before the next frame; a later call with the same key replaces it. */
export function onNextFrame(key: object, job: () => void): void {
  pending.set(key, job);
  if (scheduled) return;
  scheduled = true;
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    run();
  };
  requestAnimationFrame(once);
  setTimeout(once, 250);
}
